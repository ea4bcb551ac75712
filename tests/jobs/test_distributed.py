"""Distributed jobs on PostgreSQL: worker processes drain the queue once, and finish a killed
worker's job."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from sqlalchemy import Engine, select, text

from broadsheet.config import load_settings
from broadsheet.jobs.distributed import (
    PROCESS_TASK,
    SCHEDULE_TASK,
    DistributedError,
    apply_schema,
    defer_poll,
    make_app,
    pg_conninfo,
    run_worker,
)
from broadsheet.models import Source
from broadsheet.store import entries as entry_store
from broadsheet.store import sources as source_store
from broadsheet.store.schema import articles, entries

# The site's feeds and pages are read by worker processes; `news_site` and `workers` are in
# tests/jobs/conftest.py.


def add_feed(engine: Engine, site: Any, name: str, pages: range) -> int:
    """Publish a feed of these pages on the site and register it as a source."""
    site.feeds[name] = pages
    with engine.begin() as conn:
        return source_store.upsert_source(conn, Source(name=name, feed_url=site.feed_url(name)))


def stored_urls(engine: Engine) -> Counter[str]:
    with engine.connect() as conn:
        return Counter(url for (url,) in conn.execute(select(articles.c.url)))


def states(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return entry_store.entry_counts(conn)


def rows(engine: Engine, sql: str, **params: Any) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(text(sql), params))


def test_two_workers_drain_300_entries_storing_each_article_once(
    database: Any, news_site: Any, workers: Any
) -> None:
    engine = database.engine
    add_feed(engine, news_site, "north", range(0, 150))
    add_feed(engine, news_site, "south", range(150, 300))
    # Nothing is deferred by hand: both workers tick schedule_due every 2 s, which polls the
    # sources, whose polls queue the entries; the workers also race to create the job tables.
    timing = {"schedule_cron": "* * * * * */2"}
    workers.start("w1", timing=timing)
    workers.start("w2", timing=timing)

    workers.wait_for(lambda: states(engine).get("stored") == 300, 45, "300 entries stored")

    by_worker = rows(
        engine,
        "SELECT worker_id, count(*) FROM procrastinate_jobs "
        "WHERE task_name = :task AND status = 'succeeded' GROUP BY worker_id",
        task=PROCESS_TASK,
    )
    workers.stop_all()
    assert states(engine) == {"stored": 300}
    urls = stored_urls(engine)
    assert set(urls) == {news_site.page_url(n) for n in range(300)}
    assert max(urls.values()) == 1
    # Each page was fetched once: no entry was worked on by two workers.
    assert [n for n in range(300) if news_site.count(f"/a/{n}.html") != 1] == []
    assert len(by_worker) == 2, f"both workers should have processed entries: {by_worker}"
    assert rows(engine, "SELECT id FROM procrastinate_jobs WHERE status = 'failed'") == []
    # Both workers run the periodic deferrer; each tick was deferred once.
    ticks = rows(
        engine,
        "SELECT args->>'timestamp', count(*) FROM procrastinate_jobs WHERE task_name = :task "
        "GROUP BY 1",
        task=SCHEDULE_TASK,
    )
    assert ticks and all(count == 1 for _, count in ticks)


def test_a_killed_workers_job_is_finished_by_another(
    database: Any, news_site: Any, workers: Any
) -> None:
    engine = database.engine
    source_id = add_feed(engine, news_site, "late", range(5))
    news_site.slow[3] = 3.0
    settings = workers.settings
    assert apply_schema(settings) is True
    assert apply_schema(settings) is False
    app = make_app(settings)
    with app.open():
        assert defer_poll(app, source_id) is True
        assert defer_poll(app, source_id) is False  # one waiting poll per source
    # schedule_due ticks yearly here, so only the stalled-job retry can bring the entry back.
    fast = {
        "schedule_cron": "0 0 1 1 *",
        "stalled_cron": "* * * * * *",
        "heartbeat": 0.5,
        "stalled_after": 3.0,
    }
    workers.start("doomed", timing=fast, lease=3)
    workers.wait_for(lambda: news_site.count("/a/3.html") == 1, 30, "the slow page's request")
    workers.kill("doomed")
    with engine.connect() as conn:
        entry_id = conn.execute(
            select(entries.c.id).where(entries.c.url == news_site.page_url(3))
        ).scalar_one()
    job_sql = (
        "SELECT id, status, attempts FROM procrastinate_jobs "
        "WHERE task_name = :task AND (args->>'entry_id')::int = :entry ORDER BY id"
    )
    [(job_id, status, attempts)] = rows(engine, job_sql, task=PROCESS_TASK, entry=entry_id)
    assert (status, attempts) == ("doing", 0)

    workers.start("rescuer", timing=fast, lease=3)
    workers.wait_for(lambda: states(engine).get("stored") == 5, 40, "all 5 entries stored")
    # The job is marked succeeded just after its entry is stored: wait for that too.
    workers.wait_for(
        lambda: rows(engine, job_sql, task=PROCESS_TASK, entry=entry_id)[0][1] != "doing",
        20,
        "the retried job to finish",
    )

    jobs = rows(engine, job_sql, task=PROCESS_TASK, entry=entry_id)
    # The dead worker's job itself finished; its attempts count the killed run and this one.
    assert jobs[0] == (job_id, "succeeded", 2)
    assert news_site.count("/a/3.html") == 2  # fetched again: the kill landed mid-job
    urls = stored_urls(engine)
    assert set(urls) == {news_site.page_url(n) for n in range(5)}
    assert max(urls.values()) == 1


def test_workers_refuse_sqlite_and_unknown_queues_with_a_reason() -> None:
    sqlite = load_settings(environ={}, database_url="sqlite:///var/x.db")
    with pytest.raises(DistributedError, match="need PostgreSQL"):
        make_app(sqlite)
    with pytest.raises(DistributedError, match="unknown queue fetch: choose from poll, process"):
        run_worker(sqlite, concurrency=2, queues=["poll", "fetch"])


def test_conninfo_keeps_credentials_and_search_path() -> None:
    url = (
        "postgresql+psycopg://news:s%40cret@db.internal:5433/broadsheet?options=-csearch_path%3Dt1"
    )
    assert pg_conninfo(url) == (
        "postgresql://news:s%40cret@db.internal:5433/broadsheet?options=-csearch_path%3Dt1"
    )
