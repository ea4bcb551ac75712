"""Channels (people, organisations, places, topics) and who follows them."""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import Connection, func, select

from broadsheet.store.schema import article_channels, channels, follows


def get_channel(conn: Connection, key: str) -> dict[str, Any] | None:
    """The channel row with its follower and article counts, or None."""
    row = conn.execute(select(channels).where(channels.c.key == key)).mappings().first()
    if row is None:
        return None
    found = dict(row)
    found["followers"] = followers_of(conn, f"channel:{key}")
    found["articles_count"] = int(
        conn.execute(
            select(func.count(func.distinct(article_channels.c.article_id))).where(
                article_channels.c.channel_key == key
            )
        ).scalar_one()
    )
    return found


def followers_of(conn: Connection, target: str) -> int:
    """How many readers follow a target ("channel:<key>" or "source:<id>")."""
    query = select(func.count()).select_from(follows).where(follows.c.target == target)
    return int(conn.execute(query).scalar_one())


def channels_by_keys(conn: Connection, keys: list[str]) -> dict[str, dict[str, Any]]:
    """Channel rows for the given keys."""
    if not keys:
        return {}
    query = select(channels).where(channels.c.key.in_(keys))
    return {row["key"]: dict(row) for row in conn.execute(query).mappings()}


def channel_name(channel: dict[str, object]) -> str:
    """Places read "Beijing, CN" / "Chicago, IL" as the reference shows them."""
    if channel.get("kind") == "city" and channel.get("country"):
        region = channel.get("admin1") if channel["country"] == "US" else channel["country"]
        return f"{channel['name']}, {region}" if region else str(channel["name"])
    return str(channel["name"])


PLACE_KINDS = ("city", "county", "state", "country", "region")


def places_named(conn: Connection, text: str, limit: int = 10) -> list[dict[str, Any]]:
    """Place channels whose name starts with the text (channels_named)."""
    return channels_named(conn, text, PLACE_KINDS, limit)


def channels_named(
    conn: Connection, text: str, kinds: tuple[str, ...], limit: int = 10
) -> list[dict[str, Any]]:
    """Channels of these kinds whose name starts with the text (as typed, or in Title Case),
    a range read of the (kind, name) index; the shortest names first."""
    # Printable characters only: a NUL byte would be an error on PostgreSQL, not a miss.
    typed = "".join(ch for ch in text if ch.isprintable()).strip()[:100]
    if not typed:
        return []
    found: dict[str, dict[str, Any]] = {}
    for prefix in dict.fromkeys((typed, typed.title())):
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        query = (
            select(channels)
            .where(channels.c.kind.in_(kinds), channels.c.name >= prefix, channels.c.name < upper)
            .limit(limit * 5)
        )
        found.update((row["key"], dict(row)) for row in conn.execute(query).mappings())
    return sorted(found.values(), key=lambda row: (len(row["name"]), row["name"]))[:limit]


def places_near(
    conn: Connection, lat: float, lon: float, km: float, limit: int = 20
) -> list[dict[str, Any]]:
    """Place channels within km of the point, nearest first, with their distance (a band of
    latitude from its index, then the exact distance)."""
    band = km / 111.0
    query = select(channels).where(
        channels.c.kind.in_(("city", "county")),
        channels.c.lat >= lat - band,
        channels.c.lat <= lat + band,
        channels.c.lon.isnot(None),
    )
    width = band / max(0.05, math.cos(math.radians(lat)))
    if abs(lon) + width < 180:  # near the antimeridian the exact distance alone decides
        query = query.where(channels.c.lon >= lon - width, channels.c.lon <= lon + width)
    found = []
    for row in conn.execute(query).mappings():
        distance = distance_km(lat, lon, float(row["lat"]), float(row["lon"]))
        if distance <= km:
            found.append({**dict(row), "km": round(distance, 1)})
    return sorted(found, key=lambda row: (row["km"], row["key"]))[:limit]


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))
