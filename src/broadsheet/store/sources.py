"""Publishers and their feeds; what went wrong while ingesting them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, insert, or_, select, update

from broadsheet.models import Source
from broadsheet.store.database import as_utc
from broadsheet.store.schema import articles, entries, follows, ingest_errors, sources


def upsert_source(conn: Connection, source: Source) -> int:
    """Register a source by feed URL (updating its details if known); return its id."""
    values = {
        "name": source.name,
        "home_url": source.home_url,
        "home_city": source.home_city,
        "about": source.about,
        "logo_url": source.logo_url,
        "kind": source.kind,
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
        kind=row["kind"],
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


@dataclass
class PollState:
    """What the scheduler knows of a source: validators, interval, failures."""

    source_id: int
    kind: str
    url: str
    etag: str
    last_modified: str
    poll_interval: float
    failures: int
    paused: bool
    next_poll_at: datetime | None


def poll_state(conn: Connection, source_id: int) -> PollState | None:
    """The source's scheduling state, or None when there is no such source."""
    row = conn.execute(select(sources).where(sources.c.id == source_id)).mappings().first()
    if row is None:
        return None
    return PollState(
        source_id=row["id"],
        kind=row["kind"],
        url=row["feed_url"],
        etag=row["etag"] or "",
        last_modified=row["last_modified"] or "",
        poll_interval=float(row["poll_interval"]),
        failures=int(row["failures"]),
        paused=row["paused_at"] is not None,
        next_poll_at=as_utc(row["next_poll_at"]),
    )


def due_sources(conn: Connection, now: datetime) -> list[int]:
    """Sources due for a poll (never polled first), paused ones left out."""
    query = (
        select(sources.c.id)
        .where(
            sources.c.paused_at.is_(None),
            or_(sources.c.next_poll_at.is_(None), sources.c.next_poll_at <= now),
        )
        .order_by(sources.c.next_poll_at.asc().nulls_first(), sources.c.id)
    )
    return [int(row[0]) for row in conn.execute(query)]


def record_poll(
    conn: Connection,
    state: PollState,
    *,
    now: datetime,
    error: str | None,
    paused: bool = False,
) -> None:
    """Save the outcome of one poll and when the next is due."""
    values: dict[str, object] = {
        "last_fetched_at": now,
        "last_error": error,
        "etag": state.etag[:500] or None,
        "last_modified": state.last_modified[:100] or None,
        "poll_interval": state.poll_interval,
        "next_poll_at": state.next_poll_at,
        "failures": state.failures,
    }
    if error is None:
        values["last_success_at"] = now
    if paused:
        values["paused_at"] = now
    conn.execute(update(sources).where(sources.c.id == state.source_id).values(**values))


def resume_source(conn: Connection, source_id: int, now: datetime) -> None:
    """Un-pause a source and poll it at once."""
    conn.execute(
        update(sources)
        .where(sources.c.id == source_id)
        .values(paused_at=None, failures=0, next_poll_at=now)
    )


def published_since(conn: Connection, source_id: int, since: datetime) -> list[datetime]:
    """Publication times of the source's entries since a moment (for its publishing rate)."""
    query = select(entries.c.published).where(
        entries.c.source_id == source_id, entries.c.published >= since
    )
    return [as_utc(value) for (value,) in conn.execute(query) if value is not None]  # type: ignore[misc]


def source_overview(conn: Connection) -> list[dict[str, Any]]:
    """Every source with its schedule and last error, for operators."""
    query = select(
        sources.c.id,
        sources.c.name,
        sources.c.kind,
        sources.c.feed_url,
        sources.c.last_fetched_at,
        sources.c.last_success_at,
        sources.c.last_error,
        sources.c.next_poll_at,
        sources.c.poll_interval,
        sources.c.failures,
        sources.c.paused_at,
    ).order_by(sources.c.id)
    rows = [dict(row) for row in conn.execute(query).mappings()]
    for row in rows:
        for name in ("last_fetched_at", "last_success_at", "next_poll_at", "paused_at"):
            row[name] = as_utc(row[name])
    return rows
