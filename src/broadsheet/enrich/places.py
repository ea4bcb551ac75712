"""Places: the GeoNames places an article names, resolved in context, and its local channels."""

from __future__ import annotations

import math
from collections.abc import Iterable
from functools import lru_cache

from spacy.tokens import Doc

from broadsheet.enrich.gazetteer import US, GazetteerEntry, load_gazetteer
from broadsheet.enrich.metonymy import mark_metonyms
from broadsheet.enrich.resolution import choose_by_score, follow_one_sense, repeated_toponyms
from broadsheet.enrich.toponym_cues import Toponym, text_of, unclaimed
from broadsheet.enrich.toponyms import collect_toponyms
from broadsheet.models import Entity, LocalChannel, Mention, Place

__all__ = ["Toponym", "home_place", "local_channels", "resolve_places", "resolve_toponyms"]


def resolve_toponyms(doc: Doc, person_names: Iterable[str] = ()) -> list[Toponym]:
    """Every place-name span of the doc with its chosen gazetteer entry (or why it has none).

    Entities and places both ask, each with the person names it knows. Only names of two words
    or more can drop a toponym (drop_person_names), so the answer is kept on the doc for the
    same such names: the second caller reads it instead of resolving again.
    """
    key = frozenset(name for name in person_names if " " in name.strip())
    kept = doc.user_data.get("broadsheet.toponyms")
    if kept is not None and kept[0] == key:
        return list(kept[1])
    gazetteer = load_gazetteer()
    toponyms = collect_toponyms(doc, gazetteer)
    drop_person_names(text_of(doc), toponyms, person_names)
    # A county the gazetteer lacks has no candidates but its state is context for the others.
    standing = [t for t in toponyms if not t.dropped]
    live = [t for t in standing if t.candidates]
    for _ in range(3):  # each pass sees what the previous one resolved as context
        choose_by_score(live, standing)
        follow_one_sense(live)
    repeated = unclaimed(repeated_toponyms(doc, live), toponyms)
    live += repeated
    mark_metonyms(doc, live)
    resolved = sorted([*toponyms, *repeated], key=lambda t: t.start)
    doc.user_data["broadsheet.toponyms"] = (key, resolved)
    return list(resolved)


def resolve_places(doc: Doc, entities: list[Entity]) -> list[Place]:
    """The places the article is about, resolved to GeoNames, most salient first."""
    persons = [e.name for e in entities if e.kind == "person"]
    places: dict[str, Place] = {}
    for toponym in resolve_toponyms(doc, persons):
        entry = toponym.choice
        if entry is None or toponym.dropped:
            continue
        place = places.get(entry.key)
        if place is None:
            place = places[entry.key] = to_place(entry)
        place.mentions.append(Mention(toponym.start, toponym.end, toponym.text, role_of(toponym)))
    salience = {e.key: e.salience for e in entities}
    return sorted(places.values(), key=lambda p: place_order(p, salience))


def role_of(toponym: Toponym) -> str:
    """How the toponym names its place (see Mention.role)."""
    if toponym.metonym:
        return "metonym"
    return toponym.source if toponym.source in ("civic", "embedded", "demonym") else ""


# A place named once, late, in passing ("officials in Seattle, Houston and Miami") is not
# what the article is about; the lede (or dateline) and repeated mentions are.
LEDE_CHARS = 400


# A publisher covers the towns around its home: there, one mention anywhere in the article is
# local news from that town ("the Evanston school board" in a Chicago paper's story).
COVERAGE_KM = 60.0
EARTH_RADIUS_KM = 6371.0


def is_local_subject(place: Place, title: str = "", home: GazetteerEntry | None = None) -> bool:
    """True when the article is really about the place: in the title, the lede, or repeated,
    or a town or county of the publisher's own coverage (within COVERAGE_KM of its home).

    Only mentions of the place as such or of its own institutions ("Chicago City Council")
    count: "University of Texas", "Russian" or "Beijing warned" name a place without making
    the story local news from there.
    """
    literal = [m for m in place.mentions if m.role in ("", "civic")]
    if not literal:
        return False
    if title and place.name.lower() in title.lower():
        return True
    if len(literal) >= 2 or any(mention.start < LEDE_CHARS for mention in literal):
        return True
    return home is not None and place.kind in ("city", "county") and is_near(place, home)


def is_near(place: Place, home: GazetteerEntry) -> bool:
    """True when the place lies within the publisher's coverage around its home."""
    return distance_km(place.lat, place.lon, home.lat, home.lon) <= COVERAGE_KM


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine) between two points, in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


@lru_cache(maxsize=1024)
def home_place(label: str) -> GazetteerEntry | None:
    """The town a publisher's home label names ("Chicago, IL", "London, Ontario", "Paris, FR").

    The part after the comma, when given, must be the town's state or province (code or name)
    or its country (code or name); the most likely town of that name that fits is taken.
    """
    name, _, qualifier = label.partition(",")
    wanted = qualifier.strip()
    gazetteer = load_gazetteer()
    areas = {
        (e.country, e.admin1 if e.kind == "state" else "")
        for e in gazetteer.lookup(wanted)
        if e.kind in ("state", "country")
    }
    codes = wanted.upper()
    for entry in gazetteer.lookup(name.strip()):
        if entry.kind != "city":
            continue
        in_area = {(entry.country, entry.admin1), (entry.country, "")} & areas
        if not wanted or codes in (entry.admin1, entry.country) or in_area:
            return entry
    return None


def local_channels(places: list[Place], title: str = "", home: str = "") -> list[LocalChannel]:
    """Typed local channels (cities and US states) the article is about, deduplicated, in order.

    `home` is the publisher's home label (Source.home_city): its coverage counts (see
    is_local_subject).
    """
    gazetteer = load_gazetteer()
    covered = home_place(home) if home else None
    channels: dict[str, LocalChannel] = {}
    for place in places:
        if not is_local_subject(place, title, covered):
            continue
        if place.kind == "city":
            label = place.admin1 if place.country == US else place.country
            add_channel(channels, f"{place.name}, {label}", place)
            state = gazetteer.states.get(place.admin1) if place.country == US else None
            if state:
                add_channel(channels, state.name, to_place(state))
        elif place.kind in ("state", "county"):
            add_channel(channels, place.name, place)
    return list(channels.values())


def add_channel(channels: dict[str, LocalChannel], name: str, place: Place) -> None:
    """Record a channel unless the same place already has one."""
    if place.key not in channels:
        channels[place.key] = LocalChannel(name, place.kind, place.geonameid, place.key)


def to_place(entry: GazetteerEntry) -> Place:
    """A Place (without mentions) for a gazetteer entry."""
    return Place(
        name=entry.name,
        kind=entry.kind,
        geonameid=entry.geonameid or None,
        lat=entry.lat,
        lon=entry.lon,
        country=entry.country,
        admin1=entry.admin1,
        key=entry.key,
        admin2=entry.admin2,
    )


def place_order(place: Place, salience: dict[str, float]) -> tuple[float, int, int]:
    """Sort key: entity salience when known, then mention count, then first position."""
    first = min((m.start for m in place.mentions), default=0)
    return (-salience.get(place.key, 0.0), -len(place.mentions), first)


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
