"""Reading one span as a place name: the Toponym record, its parts and candidates, the
state or country written after it ("Springfield, Ill."), and the cues around it that make a
capitalised name a place ("in Gainesville", "Roselle police", "R-Elbow Lake").

Every toponym source (toponyms.py) and the resolution of repeated names build on these.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from spacy.tokens import Doc, Span

from broadsheet.enrich.gazetteer import US, Gazetteer, GazetteerEntry, normalize_name

PLACE_LABELS = frozenset({"GPE", "LOC"})
Qualifier = tuple[str, str]  # (country code, admin1 code or "")
_QUALIFIER = re.compile(r"\s*,\s*([A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,2})")
_LEADING_THE = re.compile(r"^(?:the|The|THE)\s+")
_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")
_POSTAL = re.compile(r"^[A-Z]{2}$")
_COUNTY = re.compile(r"\s(?:County|Parish)$", re.IGNORECASE)
_COUNTY_AFTER = re.compile(r"\s(?:County|Parish)\b")
# Words before a name that make it a place: "in Gainesville", "from Alexandria".
PLACE_PREPOSITIONS = frozenset(
    {"in", "at", "from", "near", "outside", "to", "across", "around", "throughout", "into",
     "downtown", "toward", "towards", "via", "between", "through", "of"}
)  # fmt: skip
# Words after a name that make it a place: "a Gainesville man", "Huntsville residents".
RESIDENT_NOUNS = frozenset(
    {"man", "woman", "men", "women", "resident", "residents", "teen", "teenager", "teens",
     "boy", "girl", "couple", "family", "families", "native", "natives", "mother", "father",
     "student", "students", "homeowner", "homeowners", "driver", "area", "neighborhood",
     "neighbourhood", "motorist"}
)  # fmt: skip
# Words after a name that make it a town by its own officials: "Roselle police", "Fargo Mayor".
AUTHORITY_NOUNS = frozenset(
    {"police", "mayor", "officials", "council", "aldermen", "councilman", "councilwoman",
     "firefighters", "detectives", "authorities", "schools", "sheriff"}
)  # fmt: skip
# A legislator's party before a hyphen and the hometown after it: "R-Elbow Lake", "DFL-Cook".
PARTY_LETTERS = frozenset({"R", "D", "I", "DFL"})
# A bare city name of this size, outside any entity and not a person's name, is the city.
BARE_NAME_POPULATION = 50_000
MAX_NAME_TOKENS = 4
# Kinds of model spans that may hide a place.
EMBEDDING_LABELS = frozenset({"ORG", "FAC", "EVENT", "WORK_OF_ART", "PRODUCT", "LAW", "GPE", "LOC"})
RETYPED_LABELS = frozenset({"PERSON", "FAC", "ORG", "NORP", "PRODUCT", "WORK_OF_ART"})


@dataclass
class Toponym:
    """One place-name span of the text, its candidates and what it was resolved to."""

    start: int
    end: int
    text: str
    candidates: tuple[GazetteerEntry, ...]
    qualifier: Qualifier | None = None
    choice: GazetteerEntry | None = None
    dropped: bool = False  # a place name that does not name a place here
    # The (country, admin1) a name the gazetteer has no place for still tells: a county's
    # state. It is context for the other names, never a place itself.
    area: Qualifier | None = None
    # Where the span came from: "ner", "civic", "embedded", "demonym", "retyped", "gazetteer"
    # (see the module docstring).
    source: str = "ner"
    # A capital or seat standing for its government ("Washington said", "Beijing warned"):
    # a place the text names, not local news from there.
    metonym: bool = False


Match = tuple[Toponym, int]  # a toponym and the token index after it


def unclaimed(found: list[Toponym], toponyms: list[Toponym]) -> list[Toponym]:
    """The found toponyms that overlap none already taken."""
    # A name the gazetteer does not know ("the Chicago River") may hold one it does.
    taken = [(t.start, t.end) for t in toponyms if t.candidates or t.area]
    return [t for t in found if not overlaps_any(t, taken)]


def overlaps_any(toponym: Toponym, taken: list[tuple[int, int]]) -> bool:
    """True when the toponym shares a character with a span already taken."""
    return any(s < toponym.end and toponym.start < e for s, e in taken)


def make_toponym(
    text: str, start: int, end: int, qualifier: Qualifier | None, gazetteer: Gazetteer
) -> Toponym:
    """A toponym with its candidates; "Franklin County" is a county, not the city of Franklin."""
    after = _COUNTY_AFTER.match(text, end)
    if after:  # the model often stops before "County": "[Franklin] County"
        end = after.end()
    name = text[start:end]
    if not _COUNTY.search(name):
        return Toponym(start, end, name, gazetteer.lookup(name), qualifier)
    counties = tuple(e for e in gazetteer.lookup(name) if e.kind == "county")
    return Toponym(
        start, end, name, counties, qualifier, area=county_area(name, qualifier, gazetteer)
    )


def county_area(name: str, qualifier: Qualifier | None, gazetteer: Gazetteer) -> Qualifier | None:
    """The state of a county: the one written after it, or the only state with that county."""
    if qualifier is not None:
        return qualifier
    states = gazetteer.county_states(name)
    return (US, next(iter(states))) if len(states) == 1 else None


def split_parts(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Offsets of the comma-separated parts of a span, each trimmed of "the" and "'s"."""
    parts = []
    cursor = start
    for piece in text[start:end].split(","):
        piece_start = cursor + len(piece) - len(piece.lstrip())
        piece_end = cursor + len(piece.rstrip())
        cursor += len(piece) + 1
        clean = text[piece_start:piece_end]
        lead = _LEADING_THE.match(clean)
        if lead:
            piece_start += lead.end()
        possessive = _POSSESSIVE.search(text[piece_start:piece_end])
        if possessive:
            piece_end -= len(possessive.group(0))
        if piece_end - piece_start >= 2:
            parts.append((piece_start, piece_end))
    return parts


def read_following_qualifier(text: str, end: int, gazetteer: Gazetteer) -> Qualifier | None:
    """The state or country written right after a place name: "Paris, Texas", "Rome, Ga."."""
    match = _QUALIFIER.match(text, end)
    if not match:
        return None
    words = match.group(1).split()
    for size in range(len(words), 0, -1):
        found = read_qualifier(" ".join(words[:size]), gazetteer)
        if found:
            return found
    return None


def read_qualifier(words: str, gazetteer: Gazetteer) -> Qualifier | None:
    """(country, admin1) for a state or province, postal code, AP abbreviation or country."""
    words = words.strip()
    if words.replace(" ", "").upper() in ("D.C.", "DC"):
        return (US, "DC")
    if _POSTAL.match(words) and words in gazetteer.states:
        return (US, words)
    for entry in gazetteer.lookup(words):
        if entry.kind == "state":
            return (entry.country, entry.admin1)
        if entry.kind == "country":
            return (entry.country, "")
    return None


def exact_places(name: str, gazetteer: Gazetteer) -> tuple[GazetteerEntry, ...]:
    """Candidates whose own name (not an alias) is exactly this name."""
    wanted = normalize_name(name)
    return tuple(e for e in gazetteer.lookup(name) if normalize_name(e.name) == wanted)


def has_place_cue(doc: Doc, span: Span, gazetteer: Gazetteer) -> bool:
    """A preposition of place before the span, a resident's noun or a state or country after it."""
    before = doc[span.start - 1] if span.start > 0 else None
    if before is not None and before.lower_ in PLACE_PREPOSITIONS:
        return True
    after = doc[span.end].lower_ if span.end < len(doc) else ""
    if after in RESIDENT_NOUNS or (after in AUTHORITY_NOUNS and not is_common_word(span)):
        return True
    if before is not None and before.text == "-" and doc[span.start - 2].text in PARTY_LETTERS:
        return True
    return read_following_qualifier(text_of(doc), span.end_char, gazetteer) is not None


def is_common_word(span: Span) -> bool:
    """A capitalised common word, not a name: "As police ...", "Police officials ..."."""
    return all(token.is_stop or token.lower_ in AUTHORITY_NOUNS for token in span)


def text_of(doc: Doc) -> str:
    """The doc's text, kept on the doc: spaCy joins every token again on each read of doc.text."""
    cached = doc.user_data.get("broadsheet.text")
    if cached is None:
        cached = doc.user_data["broadsheet.text"] = doc.text
    return cached


def in_person_name(doc: Doc, span: Span) -> bool:
    """A word of the span is a word of another multi-word person name here ("Andrew Jackson")."""
    # Asked once per candidate span: kept on the doc, as reading doc.ents walks every token.
    names = doc.user_data.get("broadsheet.person_names")
    if names is None:
        found = {e.text for e in doc.ents if e.label_ == "PERSON" and len(e) > 1}
        names = doc.user_data["broadsheet.person_names"] = frozenset(found)
    # A place the model tags as a person ("Tamil Nadu said") is not its own evidence.
    words = {word.lower() for name in names if name != span.text for word in name.split()}
    return any(token.lower_ in words for token in span)


def cued_toponym(doc: Doc, span: Span, gazetteer: Gazetteer, source: str) -> Toponym | None:
    """A toponym for a span that names a place exactly and has a place cue, else None."""
    candidates = exact_places(span.text, gazetteer)
    if not candidates:
        return None
    if not has_place_cue(doc, span, gazetteer) and not is_big_bare_name(doc, span, candidates):
        return None
    qualifier = read_following_qualifier(text_of(doc), span.end_char, gazetteer)
    toponym = make_toponym(text_of(doc), span.start_char, span.end_char, qualifier, gazetteer)
    toponym.source = source
    return toponym if toponym.candidates else None


def is_big_bare_name(doc: Doc, span: Span, candidates: tuple[GazetteerEntry, ...]) -> bool:
    """A country's name, or a large city's not opening a sentence; no word of a person's here."""
    if span.text.isupper() or in_person_name(doc, span):
        return False
    # "Egypt, which ...", "Tamil Nadu said": a country or province opens sentences as a
    # subject; a bare town there may be a surname, and so may a province named as its town.
    kinds = {c.kind for c in candidates}
    if kinds & {"country", "state"} and "city" not in kinds:
        return True
    return not span[0].is_sent_start and any(is_notable(c) for c in candidates)


def scan(start: int, end: int, match_at: Callable[[int], Match | None]) -> list[Toponym]:
    """The matches found walking tokens start..end, each walk resuming after a match."""
    found = []
    index = start
    while index < end:
        match = match_at(index)
        if match is None:
            index += 1
            continue
        found.append(match[0])
        index = match[1]
    return found


def is_notable(entry: GazetteerEntry) -> bool:
    """A country, state or province, or a city large enough to be named without a cue."""
    return entry.kind in ("country", "state") or entry.population >= BARE_NAME_POPULATION
