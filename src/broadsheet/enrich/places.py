"""Toponym resolution: which GeoNames place each place name in an article means, if any."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from spacy.tokens import Doc

from broadsheet.enrich.gazetteer import (
    ALIAS_POPULATION,
    DC_GEONAMEID,
    US,
    Gazetteer,
    GazetteerEntry,
    load_gazetteer,
    normalize_name,
)
from broadsheet.models import Entity, LocalChannel, Mention, Place

PLACE_LABELS = frozenset({"GPE", "LOC"})
Qualifier = tuple[str, str]  # (country code, admin1 code or "")

_QUALIFIER = re.compile(r"\s*,\s*([A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,2})")
_LEADING_THE = re.compile(r"^(?:the|The|THE)\s+")
_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")
_POSTAL = re.compile(r"^[A-Z]{2}$")
_COUNTY = re.compile(r"\s(?:County|Parish|Borough)$", re.IGNORECASE)
_COUNTY_AFTER = re.compile(r"\s(?:County|Parish)\b")
# Evidence about which "Washington" a text means (see _decide_washington).
_WA_STATE_CUES = re.compile(
    r"\bWashington[- ]state\b|\bstate of Washington\b|\bWashington State\b"
    r"|\bWashington(?:'s|’s)\s+(?:governor|legislature|attorney general|secretary of state)"
    r"|\b(?:eastern|western|central|southwest|northwest) Washington\b"
    r"|\bWashington (?:Legislature|governor|Gov\.)",
    re.IGNORECASE,
)
_FEDERAL_CUES = re.compile(
    r"\b(?:White House|Congress|Capitol Hill|Pentagon|State Department|Oval Office"
    r"|administration|federal government|U\.S\. officials|American officials|Beijing"
    r"|Moscow|Kremlin|Tehran|Pyongyang|NATO|Nato|diplomat\w*|sanctions|tariffs)\b"
)
_DC_CUES = re.compile(r"\bD\.\s?C\.|\bDistrict of Columbia\b|\bWashington,? DC\b")


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
    # state, a Canadian province. It is context for the other names, never a place itself.
    area: Qualifier | None = None


def resolve_toponyms(doc: Doc, person_names: Iterable[str] = ()) -> list[Toponym]:
    """Every GPE/LOC span of the doc with its chosen GeoNames entry (or why it has none)."""
    gazetteer = load_gazetteer()
    toponyms = collect_toponyms(doc, gazetteer)
    drop_person_names(doc.text, toponyms, person_names)
    # Counties and provinces have no candidates but are context for the others.
    standing = [t for t in toponyms if not t.dropped]
    live = [t for t in standing if t.candidates]
    for _ in range(3):  # each pass sees what the previous one resolved as context
        choose_by_score(live, standing)
        follow_one_sense(live)
    decide_washington(doc.text, live)
    return toponyms


def resolve_places(doc: Doc, entities: list[Entity]) -> list[Place]:
    """The places the article is about, resolved to GeoNames, most salient first."""
    persons = [e.name for e in entities if e.kind == "person"]
    places: dict[int, Place] = {}
    for toponym in resolve_toponyms(doc, persons):
        entry = toponym.choice
        if entry is None or toponym.dropped:
            continue
        place = places.get(entry.geonameid) or places.setdefault(entry.geonameid, to_place(entry))
        place.mentions.append(Mention(toponym.start, toponym.end, toponym.text))
    salience = {e.key: e.salience for e in entities}
    return sorted(places.values(), key=lambda p: place_order(p, salience))


# A place named once, late, in passing ("officials in Seattle, Houston and Miami") is not
# what the article is about; the lede (or dateline) and repeated mentions are.
LEDE_CHARS = 400


def is_local_subject(place: Place, title: str = "") -> bool:
    """True when the article is really about the place: in the title, the lede, or repeated."""
    if title and place.name.lower() in title.lower():
        return True
    if len(place.mentions) >= 2:
        return True
    return any(mention.start < LEDE_CHARS for mention in place.mentions)


def local_channels(places: list[Place], title: str = "") -> list[LocalChannel]:
    """Typed local channels (cities and US states) the article is about, deduplicated, in order."""
    gazetteer = load_gazetteer()
    channels: dict[int, LocalChannel] = {}
    for place in places:
        if not is_local_subject(place, title):
            continue
        entry = gazetteer.by_id.get(place.geonameid)
        if place.kind == "city":
            label = place.admin1 if place.country == US else place.country
            add_channel(channels, f"{place.name}, {label}", "city", place.geonameid)
            state = gazetteer.state_of(entry) if entry else None
            if state:
                add_channel(channels, state.name, "state", state.geonameid)
        elif place.kind in ("state", "county"):
            add_channel(channels, place.name, place.kind, place.geonameid)
    return list(channels.values())


def add_channel(channels: dict[int, LocalChannel], name: str, kind: str, geonameid: int) -> None:
    """Record a channel unless the same place already has one."""
    if geonameid not in channels and kind in ("city", "state", "county"):
        channels[geonameid] = LocalChannel(name, kind, geonameid, f"place:{geonameid}")  # type: ignore[arg-type]


def to_place(entry: GazetteerEntry) -> Place:
    """A Place (without mentions) for a gazetteer entry."""
    return Place(
        name=entry.name,
        kind=entry.kind,
        geonameid=entry.geonameid,
        lat=entry.lat,
        lon=entry.lon,
        country=entry.country,
        admin1=entry.admin1,
        key=f"place:{entry.geonameid}",
    )


def place_order(place: Place, salience: dict[str, float]) -> tuple[float, int, int]:
    """Sort key: entity salience when known, then mention count, then first position."""
    first = min((m.start for m in place.mentions), default=0)
    return (-salience.get(place.key, 0.0), -len(place.mentions), first)


def collect_toponyms(doc: Doc, gazetteer: Gazetteer) -> list[Toponym]:
    """Toponyms for GPE/LOC entities; "Springfield, Ill." spans split into city and state."""
    text = doc.text
    toponyms: list[Toponym] = []
    for ent in doc.ents:
        if ent.label_ not in PLACE_LABELS:
            continue
        parts = split_parts(text, ent.start_char, ent.end_char)
        for index, (start, end) in enumerate(parts):
            following = parts[index + 1] if index + 1 < len(parts) else None
            qualifier_text = text[following[0] : following[1]] if following else None
            qualifier = (
                read_qualifier(qualifier_text, gazetteer)
                if qualifier_text
                else read_following_qualifier(text, end, gazetteer)
            )
            toponyms.append(make_toponym(text, start, end, qualifier, gazetteer))
    toponyms.extend(embedded_toponyms(doc, gazetteer))
    return toponyms


def make_toponym(
    text: str, start: int, end: int, qualifier: Qualifier | None, gazetteer: Gazetteer
) -> Toponym:
    """A toponym with its candidates; counties and foreign provinces get an area, no candidates."""
    name = text[start:end]
    area = gazetteer.admin_area(name)
    if area is not None:
        return Toponym(start, end, name, (), qualifier, area=area)
    county = bool(_COUNTY.search(name)) or bool(_COUNTY_AFTER.match(text, end))
    if county:  # "Franklin County" is not the city of Franklin, TN
        return Toponym(
            start, end, name, (), qualifier, area=county_area(name, qualifier, gazetteer)
        )
    return Toponym(start, end, name, gazetteer.lookup(name), qualifier)


def county_area(name: str, qualifier: Qualifier | None, gazetteer: Gazetteer) -> Qualifier | None:
    """The state of a county: the one written after it, or the only state with that county."""
    if qualifier is not None:
        return qualifier
    county = name if _COUNTY.search(name) else f"{name} County"
    states = gazetteer.county_states(county)
    return (US, next(iter(states))) if len(states) == 1 else None


# Civic and geographic names that carry their place: "Chicago City Council", "Chicago River",
# "Texas Legislature". A brand ("Texas Instruments") does not match these heads.
_CIVIC_NAME = re.compile(
    r"^(?:the\s+)?(?P<place>[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*)?)\s+"
    r"(?:City Council|City Hall|Council|Police Department|Police|Fire Department|Public Schools"
    r"|Transit Authority|Port Authority|Legislature|Board of Education|River|Harbou?r|Metro"
    r"|City Hospital|Public Library)\b"
)


def embedded_toponyms(doc: Doc, gazetteer: Gazetteer) -> list[Toponym]:
    """The place inside an institution's or river's name, when it exactly names a city or state."""
    found = []
    for ent in doc.ents:
        if ent.label_ not in ("ORG", "FAC", "LOC"):
            continue
        match = _CIVIC_NAME.match(ent.text)
        if match is None:
            continue
        name = match.group("place")
        candidates = tuple(
            entry
            for entry in gazetteer.lookup(name)
            if entry.kind in ("city", "state")
            and normalize_name(entry.name) == normalize_name(name)
        )
        if candidates:
            start = ent.start_char + match.start("place")
            found.append(Toponym(start, start + len(name), name, candidates, None))
    return found


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
    """(country, admin1) for a state, postal code, AP abbreviation, "D.C." or country name."""
    words = words.strip()
    if words.replace(" ", "").upper() in ("D.C.", "DC"):
        return (US, "DC")
    area = gazetteer.admin_area(words)
    if area is not None:
        return area
    if _POSTAL.match(words) and words in gazetteer.states:
        return (US, words)
    for entry in gazetteer.lookup(words):
        if entry.kind == "state":
            return (US, entry.admin1)
        if entry.kind == "country":
            return (entry.country, "")
    return None


def drop_person_names(text: str, toponyms: list[Toponym], person_names: Iterable[str]) -> None:
    """Drop a place name that opens a person's name here ("Paris" in "Paris Hilton")."""
    for name in person_names:
        first, _, rest = name.partition(" ")
        if not rest:
            continue
        for toponym in toponyms:
            follows = text[toponym.end : toponym.end + len(rest) + 1]
            if toponym.text.lower() == first.lower() and follows == " " + rest:
                toponym.dropped = True


@dataclass
class Context:
    """What the rest of the article says about where it is."""

    named_areas: set[Qualifier]  # (country, admin1) written out: "Springfield, Ill.", Ohio
    areas: set[Qualifier]  # (country, admin1) of the cities the article names
    countries: set[str]  # countries a place, state or qualifier lies in
    named_countries: set[str]  # countries only named as such ("the US", "France")


def read_context(toponyms: list[Toponym], name: str) -> Context:
    """The admin areas and countries the article names, except through `name` itself."""
    context = Context(set(), set(), set(), set())
    for toponym in toponyms:
        if normalize_name(toponym.text) == name:
            continue  # a guess must not vote for itself
        for area in (toponym.qualifier, toponym.area):
            if area:
                context.countries.add(area[0])
                if area[1]:
                    context.named_areas.add(area)
        entry = toponym.choice
        if entry is None or normalize_name(toponym.text) == "washington":
            continue  # "Washington" is decided last, and must not vote for itself
        if entry.kind == "country":
            context.named_countries.add(entry.country)
            continue
        if entry.country:
            context.countries.add(entry.country)
        if entry.admin1:
            areas = context.named_areas if entry.kind == "state" else context.areas
            areas.add((entry.country, entry.admin1))
    return context


def choose_by_score(toponyms: list[Toponym], context_from: list[Toponym] | None = None) -> None:
    """Pick each toponym's best candidate given the areas and countries the article names."""
    for toponym in toponyms:
        context = read_context(context_from or toponyms, normalize_name(toponym.text))
        scored = [(score_candidate(toponym, c, context), c) for c in toponym.candidates]
        best = max(scored, key=lambda item: item[0])[1]
        if is_unsupported_alias(toponym, best, context):
            toponym.choice = None  # "North Side" is an alternate name of Oildale, CA: not enough
            toponym.dropped = True
            continue
        if is_unsupported_town(toponym, best, context):
            toponym.choice = None  # "the Atlantic" is not Atlantic, Iowa: a name, not a place
            continue
        toponym.choice = prefer_city_over_state(toponym, best)


# A city this large is meant even by an alternate name ("Peking", "Seville", "Krakow").
ALIAS_TRUSTED_POPULATION = 100_000


def is_unsupported_alias(toponym: Toponym, entry: GazetteerEntry, context: Context) -> bool:
    """A small city matched only through an alternate name, with nothing in the text behind it."""
    if entry.kind != "city" or toponym.qualifier:
        return False
    if normalize_name(entry.name) == normalize_name(toponym.text):
        return False
    if entry.population >= ALIAS_TRUSTED_POPULATION:
        return False
    if entry.country == US:
        return (US, entry.admin1) not in context.areas | context.named_areas
    return entry.country not in context.countries | context.named_countries


def is_unsupported_town(toponym: Toponym, entry: GazetteerEntry, context: Context) -> bool:
    """A town under 15,000 people with no qualifier and nothing in the text near it."""
    if entry.kind != "city" or toponym.qualifier or entry.population >= ALIAS_POPULATION:
        return False
    area = (entry.country, entry.admin1)
    if entry.country == US:
        return area not in context.areas | context.named_areas
    return entry.country not in context.countries


# A named state or province outweighs a namesake up to 1,000 times larger: "Manhattan" in a
# story that names Kansas is Manhattan, KS. Other cities of a state are weaker evidence (a
# Louisville story naming Cincinnati is not about Louisville, Ohio). A country only named
# ("the US") weighs less than places in it: one "US" must not pull Geneva to New York.
NAMED_AREA_WEIGHT = 3.0
AREA_WEIGHT = 1.5
COUNTRY_WEIGHT = 1.0
NAMED_COUNTRY_WEIGHT = 0.5


def score_candidate(toponym: Toponym, entry: GazetteerEntry, context: Context) -> float:
    """Population prior plus agreement with the qualifier and the rest of the article."""
    score = math.log10(entry.population + 10)
    own_name = normalize_name(entry.name) == normalize_name(toponym.text)
    if entry.kind == "city" and not own_name:
        score -= 0.5  # matched through an alternate name only ("Bruges" for Brugge)
    if entry.kind == "city" and toponym.qualifier:
        country, admin1 = toponym.qualifier
        agrees = entry.country == country and (not admin1 or entry.admin1 == admin1)
        score += 10.0 if agrees else -5.0
    if entry.kind == "city" and own_name:  # an alias ("Charleston" of Lorain) gets no area help
        area = (entry.country, entry.admin1)
        if area in context.named_areas:
            score += NAMED_AREA_WEIGHT
        elif area in context.areas:
            score += AREA_WEIGHT
    if entry.country in context.countries:  # a country whose places the text names too
        score += COUNTRY_WEIGHT
    elif entry.kind != "country" and entry.country in context.named_countries:
        score += NAMED_COUNTRY_WEIGHT
    return score


def prefer_city_over_state(toponym: Toponym, best: GazetteerEntry) -> GazetteerEntry:
    """Bare "New York" is the city; the state needs "New York state"-like wording."""
    if best.kind != "state" or normalize_name(toponym.text).endswith(" state"):
        return best
    for entry in toponym.candidates:
        same_name = normalize_name(entry.name).startswith(normalize_name(best.name))
        if entry.kind == "city" and entry.admin1 == best.admin1 and same_name:
            return entry
    return best


def follow_one_sense(toponyms: list[Toponym]) -> None:
    """A name written once as "Paris, Texas" means the same Paris everywhere in the text."""
    qualified = {normalize_name(t.text): t.choice for t in toponyms if t.qualifier and t.choice}
    for toponym in toponyms:
        name = normalize_name(toponym.text)
        if not toponym.qualifier and name in qualified:
            toponym.choice = qualified[name]


def decide_washington(text: str, toponyms: list[Toponym]) -> None:
    """Bare "Washington": the state, the city, or (US-government metonymy) no place at all."""
    gazetteer = load_gazetteer()
    others = [t for t in toponyms if normalize_name(t.text) != "washington"]
    wa_places = any(t.choice and t.choice.admin1 == "WA" for t in others)
    state_cue = bool(_WA_STATE_CUES.search(text))
    federal = bool(_FEDERAL_CUES.search(text))
    for toponym in toponyms:
        if normalize_name(toponym.text) != "washington":
            continue
        if toponym.qualifier == (US, "DC"):
            toponym.choice = gazetteer.by_id[DC_GEONAMEID]
        elif toponym.qualifier == (US, "WA") or state_cue or (wa_places and not federal):
            toponym.choice = gazetteer.states["WA"]
        elif _DC_CUES.search(text):
            toponym.choice = gazetteer.by_id[DC_GEONAMEID]
        else:
            toponym.choice = None
            toponym.dropped = True
