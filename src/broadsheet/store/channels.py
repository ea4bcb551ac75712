"""Channels (people, organisations, places, topics) and who follows them."""

from __future__ import annotations

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
