"""At 100k entries the due queue is served fairly across sources and counted exactly."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, insert

from broadsheet.models import Source
from broadsheet.store import entries as entry_store
from broadsheet.store import sources as source_store
from broadsheet.store.schema import entries

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)


def test_due_entries_are_round_robin_across_sources_at_100k_rows(engine: Engine) -> None:
    with engine.begin() as conn:
        ids = [
            source_store.upsert_source(conn, Source(name=f"s{n}", feed_url=f"http://h/{n}"))
            for n in range(20)
        ]
        # One huge source (90k due entries) and 19 small ones (500 each, 10k in all).
        rows = [_row(ids[0] if n < 90_000 else ids[1 + n % 19], n) for n in range(100_000)]
        for start in range(0, len(rows), 5000):
            conn.execute(insert(entries), rows[start : start + 5000])
    with engine.connect() as conn:
        assert entry_store.count_due(conn, NOW) == 100_000
        first = entry_store.due_entries(conn, NOW, 200)
        later = entry_store.due_entries(conn, NOW + timedelta(days=1), 200)
    per_source = Counter((entry_id - 1) < 90_000 for entry_id in first)
    assert per_source[True] <= 11  # the huge source gets its turn, not the whole batch
    assert len(first) == 200 and len(set(first)) == 200 and later == first


def _row(source_id: int, n: int) -> dict[str, object]:
    return {
        "source_id": source_id,
        "key": f"{n:064x}",
        "url": f"http://h/a/{n}",
        "title": "",
        "feed_data": {},
        "state": "discovered",
        "attempts": 0,
        "next_attempt_at": NOW - timedelta(seconds=n % 600),
        "discovered_at": NOW,
        "updated_at": NOW,
    }
