"""Places: the GeoNames places an article names, resolved in context, and its local channels."""

from __future__ import annotations

from collections.abc import Iterable

from spacy.tokens import Doc

from broadsheet.enrich.gazetteer import US, GazetteerEntry, load_gazetteer
from broadsheet.enrich.metonymy import mark_metonyms
from broadsheet.enrich.resolution import choose_by_score, follow_one_sense
from broadsheet.enrich.toponyms import Toponym, collect_toponyms
from broadsheet.models import Entity, LocalChannel, Mention, Place

__all__ = ["Toponym", "local_channels", "resolve_places", "resolve_toponyms"]


def resolve_toponyms(doc: Doc, person_names: Iterable[str] = ()) -> list[Toponym]:
    """Every place-name span of the doc with its chosen gazetteer entry (or why it has none)."""
    gazetteer = load_gazetteer()
    toponyms = collect_toponyms(doc, gazetteer)
    drop_person_names(doc.text, toponyms, person_names)
    # A county the gazetteer lacks has no candidates but its state is context for the others.
    standing = [t for t in toponyms if not t.dropped]
    live = [t for t in standing if t.candidates]
    for _ in range(3):  # each pass sees what the previous one resolved as context
        choose_by_score(live, standing)
        follow_one_sense(live)
    mark_metonyms(doc, live)
    return toponyms


def resolve_places(doc: Doc, entities: list[Entity]) -> list[Place]:
    """The places the article is about, resolved to GeoNames, most salient first."""
    persons = [e.name for e in entities if e.kind == "person"]
    places: dict[str, Place] = {}
    for toponym in resolve_toponyms(doc, persons):
        entry = toponym.choice
        if entry is None or toponym.dropped:
            continue
        place = places.get(entry.key) or places.setdefault(entry.key, to_place(entry))
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


def is_local_subject(place: Place, title: str = "") -> bool:
    """True when the article is really about the place: in the title, the lede, or repeated.

    Only mentions of the place as such or of its own institutions ("Chicago City Council")
    count: "University of Texas", "Russian" or "Beijing warned" name a place without making
    the story local news from there.
    """
    literal = [m for m in place.mentions if m.role in ("", "civic")]
    if not literal:
        return False
    if title and place.name.lower() in title.lower():
        return True
    return len(literal) >= 2 or any(mention.start < LEDE_CHARS for mention in literal)


def local_channels(places: list[Place], title: str = "") -> list[LocalChannel]:
    """Typed local channels (cities and US states) the article is about, deduplicated, in order."""
    gazetteer = load_gazetteer()
    channels: dict[str, LocalChannel] = {}
    for place in places:
        if not is_local_subject(place, title):
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
