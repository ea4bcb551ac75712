"""Toponym recognition: every span of an article that names a place, with its candidates.

The small spaCy model finds fewer than half the place names of local news. Its GPE/LOC spans
are the start; five more sources add what it misses or mislabels, each with its own evidence:

- "civic" and "embedded": a place inside an organisation's or facility's name ("Gainesville
  Police Department", "University of Texas") names the place, while the organisation stays
  one; a civic institution's place is local evidence, the rest is not (see names_its_place).
  An organisation named as its country or continent ("EU") is embedded in itself.
- "demonym": "Russian", "Palestinians", each of "Russian-American" point at their country
  (toponym_demonyms.py, with untagged ones and currencies: "Salvadoran migrant", "US dollars").
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
from dataclasses import replace
from functools import partial

from spacy.tokens import Doc, Span

from broadsheet.enrich.atlas import GOVERNMENT_SEATS, LANDMARKS
from broadsheet.enrich.gazetteer import Gazetteer, normalize_name
from broadsheet.enrich.toponym_cues import (
    EMBEDDING_LABELS,
    MAX_NAME_TOKENS,
    PLACE_LABELS,
    RETYPED_LABELS,
    Match,
    Toponym,
    county_area,
    cued_toponym,
    exact_places,
    has_place_cue,
    is_notable,
    make_toponym,
    read_following_qualifier,
    read_qualifier,
    scan,
    split_parts,
    text_of,
    unclaimed,
)
from broadsheet.enrich.toponym_demonyms import demonym_toponyms

# The span-reading names live in toponym_cues; text_of is still imported from here.
__all__ = ["Toponym", "collect_toponyms", "text_of"]

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
_WORD_AFTER = re.compile(r"[ \t]+[A-Z][a-z]")
# Words opening a region of a known place: "Northeast Georgia", "South Arlington".
DIRECTION_WORDS = frozenset(
    {"north", "south", "east", "west", "northern", "southern", "eastern", "western", "central",
     "northeast", "northwest", "southeast", "southwest", "northeastern", "northwestern",
     "southeastern", "southwestern", "upstate", "downstate", "downtown", "greater", "metro",
     "metropolitan", "rural", "historic", "sub-saharan", "coastal"}
)  # fmt: skip
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


def collect_toponyms(doc: Doc, gazetteer: Gazetteer) -> list[Toponym]:
    """The toponyms of every source, without overlaps, in text order."""
    toponyms = county_list_toponyms(doc, gazetteer) + joined_country_toponyms(doc, gazetteer)
    toponyms += landmark_toponyms(doc, gazetteer)
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


def joined_country_toponyms(doc: Doc, gazetteer: Gazetteer) -> list[Toponym]:
    """Countries whose name joins two with "and": the model splits "Trinidad and Tobago"."""
    text = text_of(doc)
    found = []
    for country in gazetteer.countries.values():
        if " and " not in country.name:
            continue
        start = text.find(country.name)
        while start >= 0:
            end = start + len(country.name)
            found.append(Toponym(start, end, country.name, (country,), source="gazetteer"))
            start = text.find(country.name, end)
    return found


def landmark_toponyms(doc: Doc, gazetteer: Gazetteer) -> list[Toponym]:
    """A landmark standing for its city: "the White House said", "at Heathrow" (atlas.py)."""
    text = text_of(doc)
    found = []
    for landmark, (city, country) in LANDMARKS.items():
        start = text.find(landmark)
        if start < 0:
            continue
        towns = [e for e in gazetteer.lookup(city) if e.kind == "city" and e.country == country]
        while start >= 0 and towns:
            end = start + len(landmark)
            spoken = landmark in GOVERNMENT_SEATS and speaks_for_government(text, start, end)
            if not text[end : end + 1].isalpha() and not spoken:  # not "Pentagonal"
                found.append(Toponym(start, end, landmark, (towns[0],), source="embedded"))
            start = text.find(landmark, end)
    return found


# After a seat of government, words that make it the government or its staff, not the place:
# "the White House said", "White House aides", "Kremlin-backed".
_GOVERNMENT_AFTER = re.compile(
    r"-|\s+(?:aides?|spokes\w+|press|chief|officials?|staff\w*|correspondents?|budget|counsel"
    r"|advis[eo]rs?|sources?|said|says|declined|announced|denied|denies|warned|has|had|is|was"
    r"|will|would|did)\b"
)
_AGENT_BEFORE = re.compile(r"\bby (?:the )?$")  # "denied by the Kremlin"


def speaks_for_government(text: str, start: int, end: int) -> bool:
    """A seat of government named as the government or its staff (see _GOVERNMENT_AFTER)."""
    before = text[max(0, start - 8) : start]
    return bool(_GOVERNMENT_AFTER.match(text, end) or _AGENT_BEFORE.search(before))


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
    # A province abbreviated as an organisation's name is one too ("FrontCounter BC", "BC").
    kinds = ("country", "region", "state") if is_abbreviation(span.text) else ("country", "region")
    found = gazetteer.lookup(span.text)
    candidates = tuple(c for c in found if c.kind in kinds and not c.is_feature)
    if not candidates:
        return []
    return [Toponym(span.start_char, span.end_char, span.text, candidates, source="embedded")]


def is_abbreviation(text: str) -> bool:
    """Two to four capitals, dotted or not: "BC", "NSW", "P.E.I.", never a word."""
    letters = text.replace(".", "")
    return 2 <= len(letters) <= 4 and letters.isalpha() and letters.isupper()


def embedded_toponyms(doc: Doc, gazetteer: Gazetteer) -> list[Toponym]:
    """Places inside a longer name: "Texas" in "University of Texas", a city in its council's."""
    found = []
    for ent in doc.ents:
        if ent.label_ not in EMBEDDING_LABELS or len(ent) < 2:
            continue
        found += scan(ent.start, ent.end, partial(embedded_match, ent, gazetteer=gazetteer))
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
        # An ocean or range inside a name is a brand's ("Atlantic Records", "Union Pacific").
        toponym.candidates = tuple(c for c in toponym.candidates if not c.is_feature)
        wide = ("country", "state", "region")  # "Minnesota National Guard", "EU Aviation"
        if how == "region" and not any(c.kind in wide for c in toponym.candidates):
            continue
        if (county and toponym.candidates) or any(is_notable(c) for c in toponym.candidates):
            toponym.source = "civic" if how == "civic" else "embedded"
            return toponym, end + county
    return None


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
    bare = opens_text(doc, span)
    if not bare and not is_dateline(doc, span):
        return None
    candidates = exact_places(span.text, gazetteer)
    if not candidates or (bare and not any(is_notable(c) for c in candidates)):
        return None
    qualifier = read_following_qualifier(text_of(doc), span.end_char, gazetteer)
    return Toponym(
        span.start_char, span.end_char, span.text, candidates, qualifier, source="gazetteer"
    )


def opens_text(doc: Doc, span: Span) -> bool:
    """A dateline with no mark after it, opening the text: "OKLAHOMA CITY The Latest on"."""
    text = text_of(doc)
    return not text[: span.start_char].strip() and bool(_WORD_AFTER.match(text, span.end_char))


def is_dateline(doc: Doc, span: Span) -> bool:
    """Where a dateline stands: at a line or sentence start, then ",", "(" or "--"."""
    if not _DATELINE_AFTER.match(text_of(doc), span.end_char):
        return False
    start = span.start_char
    return span[0].is_sent_start or bool(_OPENING.search(text_of(doc), max(0, start - 4), start))
