"""The unit of work: entries polled, processed once, failures recorded with retries."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from broadsheet.pipeline import (
    Context,
    add_folder,
    add_source,
    discover_entries,
    drain,
    ingest_source,
)
from broadsheet.pipeline.context import is_dead_here
from broadsheet.pipeline.entries import process_entry, reprocess
from broadsheet.store import entries as entry_store
from broadsheet.store import sources as source_store
from broadsheet.store.schema import articles, entries

from .conftest import Publisher, article_html


def _counts(ctx: Context) -> tuple[int, int]:
    with ctx.engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(articles)).scalar_one()
        known = conn.execute(select(func.count()).select_from(entries)).scalar_one()
    return int(stored), int(known)


def _states(ctx: Context) -> dict[str, int]:
    with ctx.engine.connect() as conn:
        return entry_store.entry_counts(conn)


def test_a_feed_is_ingested_once_and_reingesting_is_a_no_op(
    ctx: Context, publisher: Publisher
) -> None:
    items = [(f"/news/{n}", f"Pier vote number {n}") for n in range(5)]
    for path, title in items:
        publisher.page(path, article_html(title))
    feed = publisher.feed(items)
    source_id = add_source(ctx, feed).ids[0]
    report = ingest_source(ctx, source_id)
    assert report.new == 5 and report.errors == []
    assert _counts(ctx) == (5, 5)
    ctx.clock.advance(hours=2)  # type: ignore[attr-defined]
    again = ingest_source(ctx, source_id)
    assert again.polls[0].new == 0 and again.outcomes == []
    assert _counts(ctx) == (5, 5)
    assert all(publisher.hits[path] == 1 for path, _ in items)


def test_a_redirected_entry_is_fetched_once_across_polls(
    ctx: Context, publisher: Publisher
) -> None:
    publisher.page("/moved", "", status=301, Location="/final")
    publisher.page("/final", article_html("The moved article"))
    source_id = add_source(ctx, publisher.feed([("/moved", "The moved article")])).ids[0]
    assert ingest_source(ctx, source_id).new == 1
    for _ in range(3):
        ctx.clock.advance(hours=3)  # type: ignore[attr-defined]
        assert ingest_source(ctx, source_id).new == 0
    assert publisher.hits["/final"] == 1
    with ctx.engine.connect() as conn:
        url = conn.execute(select(articles.c.url)).scalar_one()
    assert url == publisher.url + "/final"


def test_the_same_article_from_two_sources_is_stored_once(
    ctx: Context, publisher: Publisher
) -> None:
    publisher.page("/story", article_html("Shared story"))
    one = add_source(ctx, publisher.feed([("/story", "Shared story")], "/a.xml")).ids[0]
    two = add_source(ctx, publisher.feed([("/story?utm_source=x", "Shared story")], "/b.xml")).ids[
        0
    ]
    ingest_source(ctx, one)
    report = ingest_source(ctx, two)
    assert report.count("known") == 1
    assert _counts(ctx) == (1, 2)


def test_failures_are_recorded_retried_with_backoff_and_never_stop_the_batch(
    ctx: Context, publisher: Publisher
) -> None:
    publisher.page("/ok", article_html("A fine article"))
    publisher.page("/busy", "overloaded", status=503, kind="text/plain", **{"Retry-After": "600"})
    publisher.page("/gone", "gone", status=404, kind="text/plain")
    publisher.page("/empty", "<html><body></body></html>")
    long_title = "Harbour " * 300
    publisher.page("/long", article_html(long_title.strip()))
    items = [
        ("/busy", "Busy"),
        ("/gone", "Gone"),
        ("/empty", "Empty"),
        ("/long", "Long"),
        ("/ok", "Fine"),
    ]
    source_id = add_source(ctx, publisher.feed(items)).ids[0]
    report = ingest_source(ctx, source_id)
    assert report.count("stored") == 2  # /ok and /long (its title cut to the column)
    states = _states(ctx)
    assert states == {"failed": 2, "skipped": 1, "stored": 2}
    with ctx.engine.connect() as conn:
        rows = {
            r["url"].rsplit("/", 1)[1]: r
            for r in map(dict, conn.execute(select(entries)).mappings())
        }
        logged = source_store.recent_errors(conn)
    busy = rows["busy"]
    assert busy["attempts"] == 1 and busy["error_stage"] == "fetch"
    assert "503" in busy["last_error"]
    retry_in = (entry_store._aware(busy)["next_attempt_at"] - ctx.clock()).total_seconds()
    assert retry_in >= 600  # Retry-After honoured over the 60 s backoff
    assert rows["gone"]["next_attempt_at"] is None  # a 404 is not retried
    assert {e["stage"] for e in logged} >= {"fetch", "extract"}
    # The server recovers; once the retry is due the entry is stored, and fetched no more.
    publisher.page("/busy", article_html("Busy no more"))
    assert drain(ctx) == []
    ctx.clock.advance(seconds=601)  # type: ignore[attr-defined]
    assert [o.status for o in drain(ctx)] == ["stored"]
    assert _states(ctx)["stored"] == 3


def test_entries_give_up_after_max_attempts(ctx: Context, publisher: Publisher) -> None:
    publisher.page("/flaky", "down", status=500, kind="text/plain")
    source_id = add_source(ctx, publisher.feed([("/flaky", "Flaky")])).ids[0]
    ingest_source(ctx, source_id)
    for _ in range(5):
        ctx.clock.advance(hours=6)  # type: ignore[attr-defined]
        drain(ctx)
    with ctx.engine.connect() as conn:
        row = conn.execute(select(entries)).mappings().one()
    assert row["attempts"] == ctx.settings.max_attempts
    assert row["state"] == "failed" and row["next_attempt_at"] is None


def test_a_claimed_entry_is_not_processed_twice_until_its_lease_runs_out(
    ctx: Context, publisher: Publisher
) -> None:
    publisher.page("/a", article_html("Leased"))
    source_id = add_source(ctx, publisher.feed([("/a", "Leased")])).ids[0]
    discover_entries(ctx, source_id)
    with ctx.engine.begin() as conn:
        entry_id = entry_store.due_entries(conn, ctx.clock(), 10)[0]
        claimed = entry_store.claim_entry(conn, entry_id, ctx.clock(), ctx.lease, max_attempts=3)
        assert claimed is not None
    assert process_entry(ctx, entry_id).status == "not-due"  # a live worker holds it
    ctx.clock.advance(seconds=ctx.lease.total_seconds() + 1)  # type: ignore[attr-defined]
    assert process_entry(ctx, entry_id).status == "stored"  # that worker died: taken over
    assert process_entry(ctx, entry_id).status == "not-due"


def test_reprocess_reads_the_kept_page_and_never_refetches(
    ctx: Context, publisher: Publisher
) -> None:
    publisher.page("/kept", article_html("Kept page"))
    source_id = add_source(ctx, publisher.feed([("/kept", "Kept page")])).ids[0]
    article_id = ingest_source(ctx, source_id).outcomes[0].article_id
    assert article_id is not None
    publisher.page("/kept", "changed", status=500, kind="text/plain")
    outcome = reprocess(ctx, article_id)
    assert outcome.status == "stored" and outcome.error == ""
    assert publisher.hits["/kept"] == 1


def test_polls_are_conditional_and_sources_reschedule_and_pause(
    ctx: Context, publisher: Publisher
) -> None:
    feed = publisher.feed([])
    publisher.pages["/feed.xml"][3]["ETag"] = '"v1"'
    source_id = add_source(ctx, feed).ids[0]
    assert discover_entries(ctx, source_id).status == "ok"
    ctx.clock.advance(hours=1)  # type: ignore[attr-defined]
    second = discover_entries(ctx, source_id)
    assert second.status == "not-modified"
    assert second.next_poll_at is not None and second.next_poll_at > ctx.clock()
    publisher.page("/feed.xml", "broken", status=500, kind="text/plain")
    statuses = []
    for _ in range(ctx.settings.pause_after_failures):
        ctx.clock.advance(days=2)  # type: ignore[attr-defined]
        statuses.append(discover_entries(ctx, source_id).status)
    assert statuses[-1] == "paused" and statuses[0] == "failed"
    with ctx.engine.connect() as conn:
        assert source_store.due_sources(conn, ctx.clock()) == []
        state = source_store.poll_state(conn, source_id)
    assert state is not None and state.paused and state.failures == 3


def test_a_folder_of_saved_pages_is_a_source(ctx: Context, tmp_path: Path) -> None:
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "one.html").write_text(
        article_html("Saved one").replace(
            "<head>", '<head><link rel="canonical" href="https://example.org/one">'
        )
    )
    (folder / "two.htm").write_text(article_html("Saved two"))
    (folder / "notes.txt").write_text("not a page")
    source_id = add_folder(ctx, folder).ids[0]
    report = ingest_source(ctx, source_id)
    assert report.new == 2 and report.errors == []
    ctx.clock.advance(hours=1)  # type: ignore[attr-defined]
    assert ingest_source(ctx, source_id).new == 0
    with ctx.engine.connect() as conn:
        urls = sorted(conn.execute(select(articles.c.url)).scalars())
    assert urls[0].startswith("file:") and urls[0].endswith("/two.htm")
    assert urls[1] == "https://example.org/one"


def test_an_entry_whose_worker_dies_every_time_ends_failed(
    ctx: Context, publisher: Publisher
) -> None:
    publisher.page("/poison", article_html("Poison"))
    source_id = add_source(ctx, publisher.feed([("/poison", "Poison")])).ids[0]
    discover_entries(ctx, source_id)
    for _ in range(ctx.settings.max_attempts):  # each claim is a worker that is then killed
        with ctx.engine.begin() as conn:
            entry_id = entry_store.due_entries(conn, ctx.clock(), 10)[0]
            assert entry_store.claim_entry(
                conn, entry_id, ctx.clock(), ctx.lease, max_attempts=ctx.settings.max_attempts
            )
        ctx.clock.advance(seconds=ctx.lease.total_seconds() + 1)  # type: ignore[attr-defined]
    assert process_entry(ctx, entry_id).status == "not-due"
    assert drain(ctx) == []
    with ctx.engine.connect() as conn:
        row = entry_store.get_entry(conn, entry_id)
    assert row is not None and row["state"] == "failed" and row["next_attempt_at"] is None
    assert "gave up after 3 attempts" in row["last_error"]


def test_entries_held_by_a_dead_process_of_this_machine_are_freed_at_once(
    ctx: Context, publisher: Publisher
) -> None:
    child = subprocess.run(
        [
            sys.executable,
            "-c",
            "from broadsheet.pipeline.context import process_token as t; print(t())",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    dead = child.stdout.strip()  # that process has exited now
    publisher.page("/held", article_html("Held"))
    source_id = add_source(ctx, publisher.feed([("/held", "Held")])).ids[0]
    discover_entries(ctx, source_id)
    with ctx.engine.begin() as conn:
        entry_id = entry_store.due_entries(conn, ctx.clock(), 10)[0]
        entry_store.claim_entry(conn, entry_id, ctx.clock(), ctx.lease, max_attempts=3, owner=dead)
        entry_store.claim_entry(conn, entry_id, ctx.clock(), ctx.lease, max_attempts=3)
        live = entry_store.lease_holders(conn, ctx.clock())
    assert live == [dead]
    assert not is_dead_here(ctx.owner) and is_dead_here(dead)
    assert [o.status for o in drain(ctx)] == ["stored"]  # no ten-minute wait for the lease
