"""Toponym recognition: every span of an article that names a place, with its candidates.

The small spaCy model finds fewer than half the place names of local news. Its GPE/LOC spans
are the start; five more sources add what it misses or mislabels, each with its own evidence:

- "civic" and "embedded": a place inside an organisation's or facility's name ("Gainesville
  Police Department", "University of Texas") names the place, while the organisation stays
  one; a civic institution's place is local evidence, the rest is not (see names_its_place).
  An organisation named as its country or continent ("EU") is embedded in itself.
- "demonym": "Russian", "Palestinians", each of "Russian-American" point at their country.
- "retyped": a span the model typed as a person, facility or organisation that is exactly a
  place name, with a place cue: a preposition of place before it ("in Gainesville"), a
  resident's or official's noun after it ("Roselle police"), a state or country after it
  ("Alexandria, Va."), a party letter before it ("R-Elbow Lake"), or a name of a large city,
  country or province no person here carries; or an ALL-CAPS dateline ("WINNIPEG -").
- "gazetteer": capitalised words the model left untagged that exactly name a place, with the
  same cues, an ALL-CAPS dateline ("COLUMBUS, Ohio (AP) -", "BEIRUT:"), or a list of
  counties ("Jackson and Barrow counties").
A GPE/LOC span the gazetteer lacks may be a region of a place it has ("Northeast Georgia")
or a demonym ("Sri Lankan").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial

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
# A spaced hyphen too ("ROSWELL - A man ..."), unless a shouted headline goes on after it
# ("CRICKET - ENGLAND WIN"): that opening word is the topic.
_DATELINE_AFTER = re.compile(r"\s*(?:,|\(|--|—|–|:)|\s+-\s(?![A-Z0-9]{2,})")
_COUNTY_NAME = r"[A-Z][\w'-]*(?: [A-Z][\w'-]*)?"
# "Jackson and Barrow counties", "Harvey, Harper and Kingman counties": each name a county.
_COUNTY_LIST = re.compile(
    rf"(?:{_COUNTY_NAME}, )*{_COUNTY_NAME},? (?:and|or|&) {_COUNTY_NAME} (counties|parishes)\b"
)
_NAME = re.compile(_COUNTY_NAME)
_OPENING = re.compile(r"(?:^|\n|[.!?]\s)\s*$")
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
# Words opening a region of a known place: "Northeast Georgia", "South Arlington".
DIRECTION_WORDS = frozenset(
    {"north", "south", "east", "west", "northern", "southern", "eastern", "western", "central",
     "northeast", "northwest", "southeast", "southwest", "northeastern", "northwestern",
     "southeastern", "southwestern", "upstate", "downstate", "downtown", "greater", "metro",
     "metropolitan", "rural", "historic", "sub-saharan", "coastal"}
)  # fmt: skip
# A bare city name of this size, outside any entity and not a person's name, is the city.
BARE_NAME_POPULATION = 50_000
MAX_NAME_TOKENS = 4
# Kinds of model spans that may hide a place.
EMBEDDING_LABELS = frozenset({"ORG", "FAC", "EVENT", "WORK_OF_ART", "PRODUCT", "LAW", "GPE", "LOC"})
RETYPED_LABELS = frozenset({"PERSON", "FAC", "ORG", "NORP", "PRODUCT", "WORK_OF_ART"})
# Words after a place inside a name that make the name the place's own: its council, police,
# schools ("civic": local news from there), or its paper or university (named, not local).
# A brand ("Texas Instruments", "Lincoln Financial") has none of them.
CIVIC_HEADS = frozenset(
    {"city", "county", "council", "police", "sheriff", "sheriff's", "fire", "schools", "school",
     "district", "department", "board", "airport", "hospital", "library", "chamber", "transit",
     "port", "metro", "legislature", "assembly", "court", "parks", "zoo", "museum", "high",
     "middle", "elementary", "community", "public", "municipal", "government", "parliament",
     "ministry", "police's", "mayor", "mayor's", "city's"}
)  # fmt: skip
NAMESAKE_HEADS = frozenset(
    {"university", "college", "state", "times", "post", "herald", "news", "gazette", "tribune",
     "journal", "daily", "star", "chronicle", "courier", "observer", "regional", "province"}
)  # fmt: skip


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


def collect_toponyms(doc: Doc, gazetteer: Gazetteer) -> list[Toponym]:
    """The toponyms of every source, without overlaps, in text order."""
    toponyms = county_list_toponyms(doc, gazetteer)
    toponyms += unclaimed(ner_toponyms(doc, gazetteer), toponyms)
    for finder in (retyped_toponyms, embedded_toponyms, demonym_toponyms, gazetteer_toponyms):
        toponyms += unclaimed(finder(doc, gazetteer), toponyms)
    return sorted(toponyms, key=lambda t: t.start)


def county_list_toponyms(doc: Doc, gazetteer: Gazetteer) -> list[Toponym]:
    """The names of a list of counties ("Jackson and Barrow counties"), each as its county."""
    found = []
    text = text_of(doc)
    for listed in _COUNTY_LIST.finditer(text):
        word = "Parish" if listed.group(1) == "parishes" else "County"
        for name in _NAME.finditer(text, listed.start(), listed.start(1)):
            toponym = listed_county(name.group(0), name.start(), word, gazetteer)
            if toponym is not None:
                found.append(toponym)
    return found


def listed_county(name: str, start: int, word: str, gazetteer: Gazetteer) -> Toponym | None:
    """A county named in a list, its name trimmed of a word opening the sentence ("In Hall")."""
    for skip in (0, 1):
        part = name.split(" ", skip)[-1] if skip else name
        offset = start + len(name) - len(part)
        county = f"{part} {word}"
        counties = tuple(e for e in gazetteer.lookup(county) if e.kind == "county")
        area = county_area(county, None, gazetteer)
        if counties or area:
            return Toponym(
                offset, offset + len(part), part, counties, area=area, source="gazetteer"
            )
    return None


def unclaimed(found: list[Toponym], toponyms: list[Toponym]) -> list[Toponym]:
    """The found toponyms that overlap none already taken."""
    # A name the gazetteer does not know ("the Chicago River") may hold one it does.
    taken = [(t.start, t.end) for t in toponyms if t.candidates or t.area]
    return [t for t in found if not overlaps_any(t, taken)]


def overlaps_any(toponym: Toponym, taken: list[tuple[int, int]]) -> bool:
    """True when the toponym shares a character with a span already taken."""
    return any(s < toponym.end and toponym.start < e for s, e in taken)


def ner_toponyms(doc: Doc, gazetteer: Gazetteer) -> list[Toponym]:
    """Toponyms for GPE/LOC entities; "Springfield, Ill." spans split into city and state."""
    text = text_of(doc)
    toponyms: list[Toponym] = []
    for ent in doc.ents:
        if ent.label_ not in PLACE_LABELS:
            continue
        parts = split_parts(text, ent.start_char, ent.end_char)
        for index, (start, end) in enumerate(parts):
            following = parts[index + 1] if index + 1 < len(parts) else None
            qualifier = (
                read_qualifier(text[following[0] : following[1]], gazetteer)
                if following
                else read_following_qualifier(text, end, gazetteer)
            )
            toponym = make_toponym(text, start, end, qualifier, gazetteer)
            toponyms.append(toponym if toponym.candidates else reread_unknown(toponym, gazetteer))
    return toponyms


def reread_unknown(toponym: Toponym, gazetteer: Gazetteer) -> Toponym:
    """A place span the gazetteer lacks: a region of a known place, or a demonym.

    "Northeast Georgia" and "South Arlington" lie in Georgia and Arlington; "Sri Lankan"
    (tagged as a place) points at Sri Lanka.
    """
    country = gazetteer.demonyms.get(normalize_name(toponym.text))
    if country is not None:
        return replace(toponym, candidates=(country,), source="demonym")
    first, _, rest = toponym.text.partition(" ")
    if first.lower() not in DIRECTION_WORDS or not rest:
        return toponym
    # A region of a continent is far from its centre ("North Africa"): towns and states only.
    candidates = tuple(c for c in exact_places(rest, gazetteer) if c.kind != "region")
    if not any(is_notable(c) for c in candidates):
        return toponym
    start = toponym.end - len(rest)
    return replace(toponym, start=start, text=rest, candidates=candidates)


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


def retyped_toponyms(doc: Doc, gazetteer: Gazetteer) -> list[Toponym]:
    """Whole spans of other kinds that are a place by the text's own cues ("in Gainesville")."""
    found: list[Toponym] = []
    for ent in doc.ents:
        if ent.label_ not in RETYPED_LABELS:
            continue
        parts = split_parts(text_of(doc), ent.start_char, ent.end_char)
        span = doc.char_span(*parts[0]) if parts else None
        if span is None or len(span) == 0:
            continue
        if span.text.isupper() and len(span.text) > 2 and is_dateline(doc, span):  # "WINNIPEG —"
            found += [t for t in [dateline_toponym(doc, span, gazetteer)] if t is not None]
            continue
        if len(parts) > 1:
            continue
        if ent.label_ in ("ORG", "NORP") and not has_place_cue(doc, span, gazetteer):
            found += union_toponyms(span, gazetteer)
            continue  # a club or party named after a place stays one without a cue
        if span.text.isupper() and len(span.text) <= 5:
            continue  # an acronym ("NATO officials"), whatever town shares its letters
        toponym = cued_toponym(doc, span, gazetteer, "retyped")
        if toponym is not None:
            found.append(toponym)
    return found


def union_toponyms(span: Span, gazetteer: Gazetteer) -> list[Toponym]:
    """An organisation named as its country or continent ("EU", "US" as ORG): both at once."""
    # Kept "embedded": the organisation stays an entity, and names the place as a paper does.
    candidates = tuple(c for c in gazetteer.lookup(span.text) if c.kind in ("country", "region"))
    if not candidates:
        return []
    return [Toponym(span.start_char, span.end_char, span.text, candidates, source="embedded")]


def embedded_toponyms(doc: Doc, gazetteer: Gazetteer) -> list[Toponym]:
    """Places inside a longer name: "Texas" in "University of Texas", a city in its council's."""
    found = []
    for ent in doc.ents:
        if ent.label_ not in EMBEDDING_LABELS or len(ent) < 2:
            continue
        found += scan(ent.start, ent.end, partial(embedded_match, ent, gazetteer=gazetteer))
    return found


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


def embedded_match(ent: Span, index: int, gazetteer: Gazetteer) -> Match | None:
    """The longest run of capitalised words from this token that is a place of the name."""
    doc = ent.doc
    for end in range(min(index + MAX_NAME_TOKENS, ent.end), index, -1):
        run = doc[index:end]
        if (index, end) == (ent.start, ent.end) or not all(t.is_title or t.is_upper for t in run):
            continue
        how = names_its_place(ent, index, end)
        if how is None:
            continue
        # "Laurel County Sheriff's Office" names the county; otherwise only a notable place
        # counts ("Jackson Hewitt" is no evidence for Jackson, Miss.).
        toponym = make_toponym(text_of(doc), run.start_char, run.end_char, None, gazetteer)
        county = toponym.end > run.end_char
        wide = ("country", "state", "region")  # "Minnesota National Guard", "EU Aviation"
        if how == "region" and not any(c.kind in wide for c in toponym.candidates):
            continue
        if (county and toponym.candidates) or any(is_notable(c) for c in toponym.candidates):
            toponym.source = "civic" if how == "civic" else "embedded"
            return toponym, end + county
    return None


def is_notable(entry: GazetteerEntry) -> bool:
    """A country, state or province, or a city large enough to be named without a cue."""
    return entry.kind in ("country", "state") or entry.population >= BARE_NAME_POPULATION


def names_its_place(ent: Span, start: int, end: int) -> str | None:
    """How a run of a longer name names a place, if it does.

    "civic": opening the name, before an institution's word ("Chicago City Council",
    "Alexandria Police"; not "Marjory Stoneman Douglas High School"), a local institution
    and so local evidence; "embedded": before a paper's or university's word ("Washington
    Post"), after "of" ("University of Texas") or joined by a hyphen or slash
    ("Fargo-Moorhead", "D-Charleston"); "region": any other
    run, which counts only when it is a country, state or province ("Minnesota National
    Guard", "U.S. House of Representatives").
    """
    doc = ent.doc
    opens = start == ent.start or (start == ent.start + 1 and ent[0].lower_ == "the")
    head = doc[end].lower_ if end < ent.end else ""
    if opens and head in CIVIC_HEADS:
        return "civic"
    before = doc[start - 1].text if start > ent.start else ""
    after = doc[end].text if end < ent.end else ""
    if opens and head in NAMESAKE_HEADS:
        return "embedded"
    if before.lower() == "of" or "-" in (before, after) or "/" in (before, after):
        return "embedded"
    # A place name the gazetteer lacks is not its first word: "South Waziristan", "Niger Delta".
    return "region" if ent.label_ not in PLACE_LABELS else None


def demonym_toponyms(doc: Doc, gazetteer: Gazetteer) -> list[Toponym]:
    """NORP spans that are a country's demonym ("Russian", "Palestinians")."""
    found = []
    for ent in doc.ents:
        # "Russian", or the first word of "Lebanese Army", "American Society of ..."; a
        # feature named for a people ("Indian Ocean", "English Channel") is not their country.
        named = ent.label_ in EMBEDDING_LABELS - PLACE_LABELS
        span = ent if ent.label_ == "NORP" else ent[:1] if named else None
        if span is None:
            continue
        found += demonyms_of(text_of(doc), hyphen_parts(span), gazetteer)
    return found


def demonyms_of(text: str, parts: list[tuple[int, int]], gazetteer: Gazetteer) -> list[Toponym]:
    """The demonyms of the parts: "Russian-American crew", "Turkish-backed"; not a people's
    name ("African-Americans": a continent's demonym in a compound names no place)."""
    places = [gazetteer.demonyms.get(normalize_name(text[start:end])) for start, end in parts]
    if len(parts) > 1 and any(p is not None and p.kind == "region" for p in places):
        return []
    return [
        Toponym(start, end, text[start:end], (place,), source="demonym")
        for (start, end), place in zip(parts, places, strict=True)
        if place is not None
    ]


def hyphen_parts(span: Span) -> list[tuple[int, int]]:
    """Character offsets of the parts of a span joined by hyphens, or of the whole span."""
    parts, start = [], span.start_char
    for token in span:
        if token.text == "-":
            parts.append((start, token.idx))
            start = token.idx + 1
    return [*parts, (start, span.end_char)]


def gazetteer_toponyms(doc: Doc, gazetteer: Gazetteer) -> list[Toponym]:
    """Untagged capitalised words that name a place, with a cue or as a dateline."""
    covered = {token.i for ent in doc.ents for token in ent}
    return scan(0, len(doc), lambda i: gazetteer_match(doc, i, covered, gazetteer))


def gazetteer_match(doc: Doc, index: int, covered: set[int], gazetteer: Gazetteer) -> Match | None:
    """The longest place name starting at this token that its cues make one, and its end."""
    if not doc[index].is_alpha or not (doc[index].is_title or doc[index].is_upper):
        return None  # the common case, decided before building any span
    for size in range(min(MAX_NAME_TOKENS, len(doc) - index), 0, -1):
        span = doc[index : index + size]
        if any(t.i in covered or not t.is_alpha or not (t.is_title or t.is_upper) for t in span):
            continue
        toponym = (
            dateline_toponym(doc, span, gazetteer)
            if span.text.isupper()
            else cued_toponym(doc, span, gazetteer, "gazetteer")
        )
        if toponym is not None:
            return toponym, span.end
    return None


def dateline_toponym(doc: Doc, span: Span, gazetteer: Gazetteer) -> Toponym | None:
    """An ALL-CAPS dateline place ("COLUMBUS, Ohio (AP) -"); names are matched in any case."""
    if not is_dateline(doc, span):
        return None
    candidates = exact_places(span.text, gazetteer)
    if not candidates:
        return None
    qualifier = read_following_qualifier(text_of(doc), span.end_char, gazetteer)
    return Toponym(
        span.start_char, span.end_char, span.text, candidates, qualifier, source="gazetteer"
    )


def is_dateline(doc: Doc, span: Span) -> bool:
    """Where a dateline stands: at a line or sentence start, then ",", "(" or "--"."""
    if not _DATELINE_AFTER.match(text_of(doc), span.end_char):
        return False
    start = span.start_char
    return span[0].is_sent_start or bool(_OPENING.search(text_of(doc), max(0, start - 4), start))
