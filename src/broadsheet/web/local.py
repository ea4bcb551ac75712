"""Local: news tagged to a place and to the places around it, nearest first, with the local
channels around it; a place is picked by name (the gazetteer's places, those in the news
first), is the reader's home place, or is the town nearest to where the reader's browser says
it is ("near me")."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from broadsheet.store import channels as channel_store
from broadsheet.store import feeds
from broadsheet.web.placefinder import PlaceFinder
from broadsheet.web.views import cards_for

NEARBY_KM = 60.0
NEAR_ME_KM = 100.0  # "near me" picks the nearest town in the news within this distance
NEARBY_PLACES = 12
FEED_SIZE = 30
CHOICES = 12


def local_view(
    conn: Connection, key: str | None, name: str, finder: PlaceFinder | None = None
) -> dict[str, Any]:
    """The Local page for a place key, or the places matching a typed name to pick from:
    those in the news first, then the gazetteer's (the finder's) that are not yet."""
    in_news = channel_store.places_named(conn, name, CHOICES) if name else []
    choices = [{**_place(row), "in_news": True} for row in in_news]
    if name and finder is not None:
        listed = {choice["key"] for choice in choices}
        known = [p.row() for p in finder.named(name, CHOICES) if p.key not in listed]
        choices += [{**_place(row), "in_news": False} for row in known]
    choices = choices[:CHOICES]
    place = channel_store.get_channel(conn, key) if key else None
    place_in_news = place is not None
    if place is None and key and finder is not None:  # a place the news has not named yet
        known_place = finder.get(key)
        place = known_place.row() if known_place else None
    if place is None or place["kind"] not in channel_store.PLACE_KINDS:
        return {
            "title": "Local",
            "place": None,
            "query": name,
            "choices": choices,
            "nearby": [],
            "articles": [],
        }
    nearby = []
    if place["lat"] is not None and place["lon"] is not None:
        nearby = [
            row
            for row in channel_store.places_near(
                conn, place["lat"], place["lon"], NEARBY_KM, NEARBY_PLACES + 1
            )
            if row["key"] != key
        ][:NEARBY_PLACES]
    reasons: dict[int, dict[str, Any]] = {}
    for row in [{**place, "km": 0.0}, *nearby]:
        for article_id in feeds.under_channel(conn, row["key"]):
            reasons.setdefault(
                article_id,
                {"key": row["key"], "name": channel_store.channel_name(row), "km": row["km"]},
            )
    rows = [r for r in feeds.candidate_rows(conn, sorted(reasons)) if r["copy_of"] is None]
    rows.sort(
        key=lambda r: (
            r["published"] is None,
            -(r["published"].timestamp() if r["published"] else 0),
            -r["id"],
        )
    )
    cards = cards_for(conn, [r["id"] for r in rows[:FEED_SIZE]])
    articles = [{**card, "reason": _reason(reasons[card["id"]])} for card in cards]
    return {
        "title": f"Local: {channel_store.channel_name(place)}",
        "place": {**_place(place), "in_news": place_in_news},
        "query": name,
        "choices": choices,
        "nearby": [{**_place(row), "km": row["km"]} for row in nearby],
        "articles": articles,
    }


def parse_point(raw: str) -> tuple[float, float] | None:
    """ "lat,lon" in degrees (as the "near me" form sends it), or None when it is not one."""
    lat_text, comma, lon_text = raw.strip()[:60].partition(",")
    try:
        lat, lon = float(lat_text), float(lon_text)
    except ValueError:
        return None
    if not comma or not (-90 <= lat <= 90 and -180 <= lon <= 180):  # NaN fails these too
        return None
    return lat, lon


def nearest_place(conn: Connection, lat: float, lon: float) -> str | None:
    """The key of the town or county in the news nearest to the point (within NEAR_ME_KM)."""
    found = channel_store.places_near(conn, lat, lon, NEAR_ME_KM, 1)
    return str(found[0]["key"]) if found else None


def _place(row: dict[str, Any]) -> dict[str, Any]:
    return {"key": row["key"], "name": channel_store.channel_name(row), "kind": row["kind"]}


def _reason(where: dict[str, Any]) -> dict[str, str]:
    if not where["km"]:
        return {"text": f"In {where['name']}", "href": f"/c/{where['key']}"}
    return {"text": f"Nearby: {where['name']}, {where['km']:.0f} km", "href": f"/c/{where['key']}"}
