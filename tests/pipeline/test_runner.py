"""The in-process runner: models in worker processes, polling in the background."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from broadsheet.config import Settings
from broadsheet.jobs.runner import Runner
from broadsheet.pipeline import Context, add_source, make_context
from broadsheet.store.schema import article_channels, articles

from .conftest import Publisher, article_html


@pytest.fixture
def sqlite_ctx(
    database_factory: Callable[..., Any], engine_settings: Settings, tmp_path: Path
) -> Iterator[Context]:
    """One backend is enough here: the processes are what is tested, not the database."""
    engine, _url, drop = database_factory("sqlite", tmp_path)
    made = make_context(engine_settings, engine)
    yield made
    made.fetcher.close()
    drop()


@pytest.mark.slow
def test_the_runner_enriches_in_worker_processes(sqlite_ctx: Context, publisher: Publisher) -> None:
    ctx = sqlite_ctx
    items = [(f"/n/{n}", f"Chicago council vote {n}") for n in range(6)]
    for path, title in items:
        body = f"<p>{title}. Mayor Dana Whitfield of Chicago spoke to the City Council.</p>" * 4
        publisher.page(path, article_html(title, body))
    add_source(ctx, publisher.feed(items))
    enriched = replace(ctx, settings=replace(ctx.settings, enrich=True))
    seen: list[str] = []
    with Runner(enriched, io_threads=3, nlp_processes=2) as runner:
        report = runner.run_due(on_entry=lambda outcome: seen.append(outcome.status))
    assert report.count("stored") == 6 and seen == ["stored"] * 6
    with ctx.engine.connect() as conn:
        keys = set(conn.execute(select(article_channels.c.channel_key)).scalars())
    assert any(key.startswith("place:") for key in keys)  # the models ran, in the children


def test_serve_s_poller_picks_up_a_new_source_by_itself(ctx: Context, publisher: Publisher) -> None:
    publisher.page("/a", article_html("First"))
    add_source(ctx, publisher.feed([("/a", "First")]))
    stop = threading.Event()
    with Runner(ctx, io_threads=2) as runner:
        poller = threading.Thread(target=runner.run_forever, args=(stop, 0.1), daemon=True)
        poller.start()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with ctx.engine.connect() as conn:
                if conn.execute(select(articles.c.id)).first():
                    break
            time.sleep(0.1)
        stop.set()
        poller.join(timeout=10)
    with ctx.engine.connect() as conn:
        assert len(conn.execute(select(articles.c.id)).all()) == 1
