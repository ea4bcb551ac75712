"""Publishers and their feeds; what went wrong while ingesting them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from broadsheet.models import Source
from broadsheet.store.schema import articles, follows, ingest_errors, sources


def upsert_source(conn: Connection, source: Source) -> int:
    """Register a source by feed URL (updating its details if known); return its id."""
    values = {
        "name": source.name,
        "home_url": source.home_url,
        "home_city": source.home_city,
        "about": source.about,
        "logo_url": source.logo_url,
    }
    existing = conn.execute(
        select(sources.c.id).where(sources.c.feed_url == source.feed_url)
    ).scalar()
    if existing is not None:
        conn.execute(update(sources).where(sources.c.id == existing).values(**values))
        return int(existing)
    result = conn.execute(
        insert(sources).values(feed_url=source.feed_url, created_at=datetime.now(UTC), **values)
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def get_source(conn: Connection, source_id: int) -> Source | None:
    """The source with this id, or None."""
    row = conn.execute(select(sources).where(sources.c.id == source_id)).mappings().first()
    return _to_source(row) if row else None


def list_sources(conn: Connection) -> list[Source]:
    """Every registered source, by id."""
    rows = conn.execute(select(sources).order_by(sources.c.id)).mappings()
    return [_to_source(row) for row in rows]


def _to_source(row: Any) -> Source:
    return Source(
        id=row["id"],
        name=row["name"],
        feed_url=row["feed_url"],
        home_url=row["home_url"],
        home_city=row["home_city"],
        about=row["about"],
        logo_url=row["logo_url"],
    )


def record_fetch(conn: Connection, source_id: int, error: str | None) -> None:
    """Note that the source was read, and how it went (None: fine)."""
    conn.execute(
        update(sources)
        .where(sources.c.id == source_id)
        .values(last_fetched_at=datetime.now(UTC), last_error=error)
    )


def record_error(
    conn: Connection, source_id: int | None, url: str, stage: str, message: str
) -> None:
    """Keep an ingest failure where an operator sees it."""
    conn.execute(
        insert(ingest_errors).values(
            source_id=source_id,
            url=url,
            stage=stage,
            message=message[:4000],
            created_at=datetime.now(UTC),
        )
    )


def recent_errors(conn: Connection, limit: int = 50) -> list[dict[str, Any]]:
    """The latest ingest failures, newest first."""
    query = select(ingest_errors).order_by(ingest_errors.c.id.desc()).limit(limit)
    return [dict(row) for row in conn.execute(query).mappings()]


def source_stats(conn: Connection, source_id: int) -> dict[str, int]:
    """Followers, posts and views of a publisher."""
    posts, views = conn.execute(
        select(func.count(articles.c.id), func.coalesce(func.sum(articles.c.views), 0)).where(
            articles.c.source_id == source_id
        )
    ).one()
    followers = conn.execute(
        select(func.count()).select_from(follows).where(follows.c.target == f"source:{source_id}")
    ).scalar_one()
    return {"followers": int(followers), "posts": int(posts), "views": int(views)}
