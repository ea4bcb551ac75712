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


def co_occurring_channels(conn: Connection, key: str, limit: int = 12) -> list[dict[str, Any]]:
    """Channels most often mentioned in the same articles as this one."""
    mine = select(article_channels.c.article_id).where(article_channels.c.channel_key == key)
    query = (
        select(channels.c.key, channels.c.name, channels.c.kind, func.count().label("shared"))
        .join(article_channels, article_channels.c.channel_key == channels.c.key)
        .where(article_channels.c.article_id.in_(mine), channels.c.key != key)
        .group_by(channels.c.key, channels.c.name, channels.c.kind)
        .order_by(func.count().desc(), channels.c.key)
        .limit(limit)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def channels_by_keys(conn: Connection, keys: list[str]) -> dict[str, dict[str, Any]]:
    """Channel rows for the given keys."""
    if not keys:
        return {}
    query = select(channels).where(channels.c.key.in_(keys))
    return {row["key"]: dict(row) for row in conn.execute(query).mappings()}
