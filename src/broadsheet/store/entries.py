"""Entries: every item a source announced, with its state, retries and the page kept."""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, case, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from broadsheet.models import FeedEntry, Page, to_jsonable
from broadsheet.store.database import as_utc, is_postgres
from broadsheet.store.schema import entries, entry_pages

DONE_STATES = ("stored", "skipped")


@dataclass
class NewEntry:
    """An item to record: its key (hash of GUID or URL) and what the source said of it."""

    key: str
    entry: FeedEntry


def record_entries(
    conn: Connection, source_id: int, items: Iterable[NewEntry], now: datetime
) -> int:
    """Insert the items not seen before (by source and key), due now; return how many were new."""
    rows = [
        {
            "source_id": source_id,
            "key": item.key,
            "url": item.entry.url,
            "title": item.entry.title[:1000],
            "published": item.entry.published,
            "feed_data": to_jsonable(item.entry),
            "state": "discovered",
            "attempts": 0,
            "next_attempt_at": now,
            "discovered_at": now,
            "updated_at": now,
        }
        for item in items
    ]
    if not rows:
        return 0
    dialect_insert = pg_insert if is_postgres(conn) else sqlite_insert
    new = 0
    for start in range(0, len(rows), 500):
        statement = (
            dialect_insert(entries)
            .values(rows[start : start + 500])
            .on_conflict_do_nothing(index_elements=["source_id", "key"])
            .returning(entries.c.id)
        )
        new += len(conn.execute(statement).all())
    return new


def refresh_changed(
    conn: Connection, source_id: int, items: Iterable[NewEntry], now: datetime
) -> int:
    """Stored entries the source now says were updated: due again, their kept page dropped."""
    updated = {item.key: item for item in items if item.entry.updated is not None}
    if not updated:
        return 0
    query = select(entries.c.id, entries.c.key, entries.c.feed_data).where(
        entries.c.source_id == source_id,
        entries.c.key.in_(sorted(updated)),
        entries.c.state == "stored",
    )
    refreshed = 0
    for entry_id, key, data in conn.execute(query).all():
        item = updated[key].entry
        seen = (data or {}).get("updated")
        if seen and datetime.fromisoformat(seen) >= item.updated:  # type: ignore[operator]
            continue
        conn.execute(delete(entry_pages).where(entry_pages.c.entry_id == entry_id))
        conn.execute(
            update(entries)
            .where(entries.c.id == entry_id)
            .values(
                feed_data=to_jsonable(item),
                state="discovered",
                attempts=0,
                next_attempt_at=now,
                updated_at=now,
            )
        )
        refreshed += 1
    return refreshed


def get_entry(conn: Connection, entry_id: int) -> dict[str, Any] | None:
    """The entry row, or None."""
    row = conn.execute(select(entries).where(entries.c.id == entry_id)).mappings().first()
    return _aware(dict(row)) if row else None


def feed_entry(row: dict[str, Any]) -> FeedEntry:
    """The FeedEntry recorded with an entry row."""
    data = dict(row["feed_data"] or {})
    return FeedEntry(
        url=row["url"],
        title=str(data.get("title") or ""),
        author=str(data.get("author") or ""),
        published=as_utc(row["published"]),
        summary=str(data.get("summary") or ""),
        categories=[str(c) for c in data.get("categories") or []],
        guid=str(data.get("guid") or ""),
        updated=datetime.fromisoformat(data["updated"]) if data.get("updated") else None,
    )


def claim_entry(
    conn: Connection,
    entry_id: int,
    now: datetime,
    lease: timedelta,
    *,
    max_attempts: int,
    owner: str = "",
    force: bool = False,
) -> dict[str, Any] | None:
    """Take a lease on a due entry (any unfinished one with force), counting one attempt.

    An attempt is counted when it starts, so a page that kills its worker every time (out of
    memory, a crash in a model) ends failed after max_attempts instead of looping for ever.
    None when the entry is done, leased by a live worker, not due, or out of attempts.
    """
    free = [
        entries.c.id == entry_id,
        entries.c.state.not_in(DONE_STATES),
        or_(entries.c.claimed_until.is_(None), entries.c.claimed_until < now),
    ]
    _give_up_if_exhausted(conn, free, max_attempts, now)
    conditions = [*free, entries.c.attempts < max_attempts]
    if not force:
        conditions.append(entries.c.next_attempt_at <= now)
    claimed = conn.execute(
        update(entries)
        .where(and_(*conditions))
        .values(
            claimed_until=now + lease,
            claimed_by=owner[:120] or None,
            attempts=entries.c.attempts + 1,
            updated_at=now,
        )
    )
    return get_entry(conn, entry_id) if claimed.rowcount == 1 else None


def _give_up_if_exhausted(
    conn: Connection, free: list[Any], max_attempts: int, now: datetime
) -> None:
    conn.execute(
        update(entries)
        .where(and_(*free, entries.c.attempts >= max_attempts))
        .values(
            state="failed",
            next_attempt_at=None,
            claimed_until=None,
            last_error=f"gave up after {max_attempts} attempts that never finished "
            "(the worker died each time)",
            updated_at=now,
        )
    )


def save_page(conn: Connection, entry_id: int, page: Page, now: datetime) -> None:
    """Keep the fetched page, compressed, and mark the entry fetched."""
    values = {
        "status": page.status,
        "content_type": page.content_type[:200],
        "body": zlib.compress(page.body or page.text.encode("utf-8"), 6),
        "fetched_at": page.fetched_at,
    }
    dialect_insert = pg_insert if is_postgres(conn) else sqlite_insert
    statement = dialect_insert(entry_pages).values(entry_id=entry_id, **values)
    conn.execute(statement.on_conflict_do_update(index_elements=["entry_id"], set_=values))
    conn.execute(
        update(entries)
        .where(entries.c.id == entry_id)
        .values(state="fetched", final_url=page.final_url[:2000], updated_at=now)
    )


def load_page(conn: Connection, entry_id: int, url: str, final_url: str) -> Page | None:
    """The kept page of an entry (body decompressed), or None when none was kept."""
    row = conn.execute(select(entry_pages).where(entry_pages.c.entry_id == entry_id)).first()
    if row is None:
        return None
    return Page(
        url=url,
        final_url=final_url or url,
        status=row.status,
        content_type=row.content_type,
        text="",
        fetched_at=as_utc(row.fetched_at) or row.fetched_at,
        body=zlib.decompress(row.body),
    )


def set_state(conn: Connection, entry_id: int, state: str, now: datetime) -> None:
    """Move an entry to a stage state (extracted, enriched)."""
    conn.execute(
        update(entries).where(entries.c.id == entry_id).values(state=state, updated_at=now)
    )


def finish_entry(
    conn: Connection,
    entry_id: int,
    article_id: int,
    *,
    canonical_url: str,
    versions: tuple[str, str],
    now: datetime,
) -> None:
    """The entry's article is stored: nothing left to do."""
    conn.execute(
        update(entries)
        .where(entries.c.id == entry_id)
        .values(
            state="stored",
            article_id=article_id,
            canonical_url=canonical_url[:2000],
            extractor_version=versions[0],
            models_version=versions[1],
            next_attempt_at=None,
            claimed_until=None,
            claimed_by=None,
            last_error=None,
            error_stage=None,
            updated_at=now,
        )
    )


def fail_entry(
    conn: Connection,
    entry_id: int,
    *,
    stage: str,
    message: str,
    retry_at: datetime | None,
    skipped: bool,
    now: datetime,
) -> None:
    """Record how the attempt failed: retried at retry_at, or left failed/skipped when None."""
    conn.execute(
        update(entries)
        .where(entries.c.id == entry_id)
        .values(
            state="skipped" if skipped else "failed",
            last_error=message[:4000],
            error_stage=stage[:16],
            next_attempt_at=retry_at,
            claimed_until=None,
            claimed_by=None,
            updated_at=now,
        )
    )


def due_entries(
    conn: Connection, now: datetime, limit: int, source_ids: Iterable[int] | None = None
) -> list[int]:
    """Ids of entries due now, taken round-robin across sources so no source starves the rest."""
    rank = (
        func.row_number()
        .over(partition_by=entries.c.source_id, order_by=(entries.c.next_attempt_at, entries.c.id))
        .label("rank")
    )
    inner = select(entries.c.id, rank).where(
        entries.c.next_attempt_at <= now,
        or_(entries.c.claimed_until.is_(None), entries.c.claimed_until < now),
    )
    if source_ids is not None:
        inner = inner.where(entries.c.source_id.in_(list(source_ids)))
    ranked = inner.subquery()
    query = select(ranked.c.id).order_by(ranked.c.rank, ranked.c.id).limit(limit)
    return [int(row[0]) for row in conn.execute(query)]


def next_due_at(conn: Connection) -> datetime | None:
    """When the next entry falls due (None: nothing pending)."""
    return as_utc(conn.execute(select(func.min(entries.c.next_attempt_at))).scalar())


def entry_counts(conn: Connection, source_id: int | None = None) -> dict[str, int]:
    """How many entries are in each state (of one source, or of all)."""
    query = select(entries.c.state, func.count()).group_by(entries.c.state)
    if source_id is not None:
        query = query.where(entries.c.source_id == source_id)
    return {state: int(count) for state, count in conn.execute(query)}


def counts_by_source(conn: Connection) -> dict[int, dict[str, int]]:
    """Entry counts per state for every source."""
    query = select(entries.c.source_id, entries.c.state, func.count()).group_by(
        entries.c.source_id, entries.c.state
    )
    found: dict[int, dict[str, int]] = {}
    for source_id, state, count in conn.execute(query):
        found.setdefault(int(source_id), {})[state] = int(count)
    return found


def entry_for_article(conn: Connection, article_id: int) -> dict[str, Any] | None:
    """The first entry that produced an article (its page is the one reprocessing reads)."""
    query = (
        select(entries)
        .join(entry_pages, entry_pages.c.entry_id == entries.c.id)
        .where(entries.c.article_id == article_id)
        .order_by(entries.c.id)
        .limit(1)
    )
    row = conn.execute(query).mappings().first()
    return _aware(dict(row)) if row else None


def failed_entries(conn: Connection, limit: int = 50) -> list[dict[str, Any]]:
    """Entries whose last attempt failed, newest first."""
    query = (
        select(entries)
        .where(entries.c.last_error.is_not(None))
        .order_by(entries.c.updated_at.desc(), entries.c.id.desc())
        .limit(limit)
    )
    return [_aware(dict(row)) for row in conn.execute(query).mappings()]


def _aware(row: dict[str, Any]) -> dict[str, Any]:
    for name in ("published", "next_attempt_at", "claimed_until", "discovered_at", "updated_at"):
        row[name] = as_utc(row[name])
    return row


def count_due(conn: Connection, now: datetime) -> int:
    """How many entries are due now and not leased."""
    query = select(func.count()).where(
        entries.c.next_attempt_at <= now,
        or_(entries.c.claimed_until.is_(None), entries.c.claimed_until < now),
    )
    return int(conn.execute(query).scalar_one())


def entry_id_for_key(conn: Connection, source_id: int, key: str) -> int:
    """The id of a source's entry by its key."""
    query = select(entries.c.id).where(entries.c.source_id == source_id, entries.c.key == key)
    return int(conn.execute(query).scalar_one())


def lease_holders(conn: Connection, now: datetime) -> list[str]:
    """The processes holding live leases on entries."""
    query = (
        select(entries.c.claimed_by)
        .where(entries.c.claimed_until > now, entries.c.claimed_by.is_not(None))
        .distinct()
    )
    return [str(owner) for (owner,) in conn.execute(query)]


def release_leases(conn: Connection, owners: list[str]) -> int:
    """End the leases of processes known to be dead, so their entries are due again at once.

    Their attempt is given back: the process was killed (an operator, a restart), the page did
    not fail. A page that kills its worker process again and again is still stopped by the
    attempts counted when a lease runs out instead (another machine's worker).
    """
    if not owners:
        return 0
    result = conn.execute(
        update(entries)
        .where(entries.c.claimed_by.in_(owners), entries.c.state.not_in(DONE_STATES))
        .values(
            claimed_until=None,
            claimed_by=None,
            attempts=case((entries.c.attempts > 0, entries.c.attempts - 1), else_=0),
        )
    )
    return int(result.rowcount or 0)
