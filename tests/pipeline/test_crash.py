"""`broadsheet ingest` killed with SIGKILL mid-run, then run again: no doubles, none lost."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from broadsheet.store import articles as article_store

CLI = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "broadsheet"
PG_URL = os.environ.get("BROADSHEET_TEST_PG", "")
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]
PAGES = 30
KILLS = 4
TOWNS = ("Riverton", "Lakeside", "Millbrook", "Ashford", "Kingsport")


def story_html(n: int) -> str:
    """Article n: its own title and prose (sample text written for this test)."""
    town = TOWNS[n % len(TOWNS)]
    sentences = [
        f"The council of {town} met on evening {n} to weigh plan number {n} for the harbour.",
        f"Supporters in {town} say proposal {n} would halve the queues at the ferry pier.",
        f"Opponents fear the noise, and asked for hearing {n} before anything is built.",
        f"A vote on item {n} is expected next month, the mayor of {town} said.",
    ]
    body = "".join(f"<p>{' '.join(sentences[i:] + sentences[:i])}</p>" for i in range(4))
    title = f"{town} weighs harbour plan {n}"
    return (
        f"<!DOCTYPE html><html><head><title>{title}</title></head><body><nav>Home</nav>"
        f"<article><h1>{title}</h1>{body}</article><footer>Sample Gazette</footer></body></html>"
    )


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path, database_factory: Any) -> Any:
    """A fresh database on each backend: (engine, url)."""
    engine, url, drop = database_factory(request.param, tmp_path)
    yield engine, url
    drop()


def cli_env(url: str, data_dir: Path) -> dict[str, str]:
    """The environment of one `broadsheet ingest` run: loopback allowed, models off."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BROADSHEET_")}
    env.update(
        BROADSHEET_DATABASE_URL=url,
        BROADSHEET_DATA_DIR=str(data_dir),
        BROADSHEET_SECRET_KEY="crash-test",
        BROADSHEET_ALLOW_HOSTS="127.0.0.1",
        BROADSHEET_HOST_DELAY="0",
        BROADSHEET_ENRICH="false",
        BROADSHEET_NLP_PROCESSES="0",
    )
    return env


def stored(engine: Engine) -> int:
    """Articles stored so far (0 while the schema is being made)."""
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM articles")).scalar_one())
    except Exception:  # the killed run's migration may not have finished
        return 0


def run_and_kill(feed: str, env: dict[str, str], engine: Engine, rng: random.Random) -> bool:
    """Start an ingest; SIGKILL its process group soon after it stores an article.

    Returns whether the run was still alive when killed (so the kill landed mid-work).
    """
    before = stored(engine)
    process = subprocess.Popen(
        [str(CLI), "ingest", feed],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while process.poll() is None and stored(engine) == before and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(rng.uniform(0.0, 0.15))
    alive = process.poll() is None
    if alive:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    return alive


def duplicates(engine: Engine) -> dict[str, int]:
    """Extra rows beyond the first, per article URL and per entry (source, key)."""
    queries = {
        "articles": "SELECT url FROM articles GROUP BY url HAVING count(*) > 1",
        "canonical": "SELECT canonical_url FROM articles GROUP BY canonical_url "
        "HAVING count(*) > 1",
        "entries": "SELECT source_id FROM entries GROUP BY source_id, key HAVING count(*) > 1",
    }
    with engine.connect() as conn:
        return {name: len(conn.execute(text(sql)).all()) for name, sql in queries.items()}


def entry_states(engine: Engine) -> dict[str, int]:
    """Entries per state, and how many are still leased (to explain a failure)."""
    with engine.connect() as conn:
        states = {
            str(s): int(n)
            for s, n in conn.execute(text("SELECT state, count(*) FROM entries GROUP BY state"))
        }
        states["leased"] = int(
            conn.execute(
                text("SELECT count(*) FROM entries WHERE claimed_until IS NOT NULL")
            ).scalar_one()
        )
    return states


def integrity_ok(engine: Engine, url: str) -> bool:
    """SQLite's own check; on both backends every stored entry points at its article."""
    with engine.connect() as conn:
        dangling = conn.execute(
            text(
                "SELECT count(*) FROM entries e LEFT JOIN articles a ON a.id = e.article_id "
                "WHERE e.state = 'stored' AND a.id IS NULL"
            )
        ).scalar_one()
    if url.startswith("sqlite"):
        with sqlite3.connect(make_url(url).database or "") as raw:
            if [row[0] for row in raw.execute("PRAGMA integrity_check")] != ["ok"]:
                return False
    return int(dangling) == 0


def test_killed_ingest_then_rerun_stores_every_article_once(
    publisher: Any, database: tuple[Engine, str], tmp_path: Path
) -> None:
    engine, url = database
    items = [(f"/news/{n}.html", f"Harbour plan {n}") for n in range(PAGES)]
    for path, _title in items:
        publisher.page(path, story_html(int(path.split("/")[-1].split(".")[0])))
    feed = publisher.feed(items)
    env = cli_env(url, tmp_path)
    rng = random.Random(11)

    killed_mid_run = sum(run_and_kill(feed, env, engine, rng) for _ in range(KILLS))
    final = subprocess.run(
        [str(CLI), "ingest", feed], env=env, capture_output=True, text=True, timeout=120
    )

    # A run with nothing left to do ends before its kill; at least one must die mid-work.
    assert killed_mid_run >= 1
    assert final.returncode == 0, final.stderr[-2000:]
    assert duplicates(engine) == {"articles": 0, "canonical": 0, "entries": 0}
    with engine.connect() as conn:
        missing = [
            path
            for path, _title in items
            if article_store.article_id_for_url(conn, publisher.url + path) is None
        ]
    assert missing == [], f"{len(missing)} feed items unstored; entries: {entry_states(engine)}"
    assert integrity_ok(engine, url)
