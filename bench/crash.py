"""Crash safety of `broadsheet ingest`: SIGKILL it at random moments, then count the damage.

A loopback site serves a feed of article pages; `broadsheet ingest <feed>` runs as a subprocess
on one database and is killed (SIGKILL, its whole process group) at a random moment, again and
again, then run once more to completion. Then: duplicate articles (same URL), duplicate entries
(same source and key), feed items with no stored article, and the database's own integrity
check. Prints one JSON line.

    .venv/bin/python bench/crash.py [--kills 20] [--enrich] [--database postgresql://...]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
CLI = ROOT / ".venv" / "bin" / "broadsheet"
PLACES = ("Riverton", "Lakeside", "Millbrook", "Ashford", "Kingsport", "Harrow Bay")
PEOPLE = ("Ana Ruiz", "Tom Okafor", "Lena Berg", "Ravi Patel", "Mei Chen", "Jonas Weber")
TOPICS = ("the new harbour", "school budgets", "the ferry timetable", "a water main repair")
SENTENCES = (
    "{person} said on {day} that {topic} in {place} would be decided before the summer.",
    "Residents of {place} gathered at the town hall to hear {person} explain {topic}.",
    "The council of {place} voted on {topic} after a debate that lasted most of the evening.",
    "{person}, who has followed {topic} for years, called the outcome a fair compromise.",
    "Officials in {place} expect the cost of {topic} to be published in a report next month.",
    "Critics argued that {topic} had been rushed, and {person} promised a second hearing.",
)
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


def article_html(n: int) -> str:
    """An original, deterministic news article page (enough prose for extraction)."""
    rng = random.Random(n)
    place, person, topic = rng.choice(PLACES), rng.choice(PEOPLE), rng.choice(TOPICS)
    title = f"{place} weighs {topic}: report {n}"
    paragraphs = []
    for _ in range(6):
        words = {"place": place, "person": person, "topic": topic, "day": rng.choice(DAYS)}
        sentences = [rng.choice(SENTENCES).format(**words) for _ in range(4)]
        paragraphs.append("<p>" + escape(" ".join(sentences)) + "</p>")
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{escape(title)}"
        f"</title></head><body><nav><a href='/'>Home</a></nav><article><h1>{escape(title)}</h1>"
        f"<p class='byline'>By {escape(person)}</p>{''.join(paragraphs)}</article>"
        "<footer>Crash Gazette</footer></body></html>"
    )


def feed_xml(base: str, count: int, now: datetime) -> str:
    """An RSS feed listing every article, newest first."""
    items = []
    for n in range(count):
        published = format_datetime(now - timedelta(minutes=10 * n))
        items.append(
            f"<item><title>Report {n}</title><link>{base}/a/{n}.html</link>"
            f"<guid isPermaLink='false'>crash-{n}</guid><pubDate>{published}</pubDate></item>"
        )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>Crash Gazette</title><link>{base}/</link><description>Test</description>"
        f"{''.join(items)}</channel></rss>"
    )


class ArticleSite:
    """A loopback server: /feed.xml lists `count` articles served at /a/<n>.html."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.now = datetime.now(UTC).replace(microsecond=0)
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.answer(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def urls(self) -> list[str]:
        """The article URLs the feed announces."""
        return [f"{self.base}/a/{n}.html" for n in range(self.count)]

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        """Serve the feed, an article, or 404."""
        path = handler.path
        if path == "/feed.xml":
            body, kind = feed_xml(self.base, self.count, self.now), "application/rss+xml"
        elif path.startswith("/a/") and path.endswith(".html") and path[3:-5].isdigit():
            body, kind = article_html(int(path[3:-5])), "text/html; charset=utf-8"
        else:
            body, kind = "not found", "text/plain"
        data = body.encode("utf-8")
        handler.send_response(200 if kind != "text/plain" else 404)
        handler.send_header("Content-Type", kind)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def __enter__(self) -> ArticleSite:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def cli_env(database_url: str, data_dir: Path, enrich: bool) -> dict[str, str]:
    """The environment of one `broadsheet ingest` run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BROADSHEET_")}
    env.update(
        BROADSHEET_DATABASE_URL=database_url,
        BROADSHEET_DATA_DIR=str(data_dir),
        BROADSHEET_ALLOW_HOSTS="127.0.0.1",
        BROADSHEET_HOST_DELAY="0",
        BROADSHEET_HOST_CONCURRENCY="4",
        BROADSHEET_ENRICH="true" if enrich else "false",
        BROADSHEET_NLP_PROCESSES="2" if enrich else "0",
        BROADSHEET_SECRET_KEY="crash-bench",
    )
    return env


def start_ingest(feed_url: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """`broadsheet ingest <feed>` in its own process group (so its model workers die too)."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [str(CLI), "ingest", feed_url],
            env=env,
            stdout=out,
            stderr=out,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the run and every process it started, then reap it."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def stored_count(database_url: str) -> int:
    """Articles stored so far (0 before the schema exists)."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM articles")).scalar_one())
    except Exception:  # the schema is not there yet: nothing stored
        return 0
    finally:
        engine.dispose()


def calibrate(site: ArticleSite, url: str, env: dict[str, str], log: Path) -> tuple[float, float]:
    """Seconds to the first stored article, and to the end, of one run on a scratch database."""
    start = time.monotonic()
    process = start_ingest(f"{site.base}/feed.xml", env, log)
    first = 0.0
    while process.poll() is None:
        if not first and stored_count(url) > 0:
            first = time.monotonic() - start
        time.sleep(0.05)
    total = time.monotonic() - start
    if process.returncode != 0:
        raise SystemExit(f"crash bench: the calibration run failed (see {log})")
    return first or total, total


def kill_runs(
    site: ArticleSite,
    url: str,
    env: dict[str, str],
    log: Path,
    plan: tuple[int, float, float],
    rng: random.Random,
) -> dict[str, Any]:
    """Start and SIGKILL the ingest `kills` times at random moments; count what happened."""
    kills, first, total = plan
    # Each kill lands a random moment after the run stored its first article, within about
    # twice its share of the work: kills hit fetching, analysing and writing, not start-up.
    share = 2 * (total - first) / kills
    killed = finished = 0
    progress: list[int] = []
    while killed < kills and finished < kills:
        before = stored_count(url)
        process = start_ingest(f"{site.base}/feed.xml", env, log)
        deadline = time.monotonic() + 10 * total
        while process.poll() is None and stored_count(url) == before:
            if time.monotonic() > deadline:
                break
            time.sleep(0.02)
        try:
            process.wait(timeout=rng.uniform(0.0, share))
            finished += 1
        except subprocess.TimeoutExpired:
            kill_group(process)
            killed += 1
        progress.append(stored_count(url) - before)
    return {"kills": killed, "runs_finished_before_kill": finished, "stored_per_run": progress}


def count_damage(url: str, feed_urls: list[str]) -> dict[str, Any]:
    """Duplicates, missing articles and unfinished entries, by SQL on the database."""
    engine = create_engine(url)
    with engine.connect() as conn:

        def scalar(sql: str) -> int:
            return int(conn.execute(text(sql)).scalar_one())

        dup_articles = scalar(
            "SELECT coalesce(sum(n - 1), 0) FROM "
            "(SELECT count(*) AS n FROM articles GROUP BY url HAVING count(*) > 1) d"
        )
        dup_canonical = scalar(
            "SELECT coalesce(sum(n - 1), 0) FROM "
            "(SELECT count(*) AS n FROM articles GROUP BY canonical_url HAVING count(*) > 1) d"
        )
        dup_entries = scalar(
            "SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM entries "
            "GROUP BY source_id, key HAVING count(*) > 1) d"
        )
        stored = {r[0] for r in conn.execute(text("SELECT url FROM articles"))}
        stored |= {r[0] for r in conn.execute(text("SELECT canonical_url FROM articles"))}
        states = {
            r[0]: r[1]
            for r in conn.execute(text("SELECT state, count(*) FROM entries GROUP BY state"))
        }
        leased = scalar("SELECT count(*) FROM entries WHERE claimed_until IS NOT NULL")
        orphans = scalar(
            "SELECT count(*) FROM entries e LEFT JOIN articles a ON a.id = e.article_id "
            "WHERE e.state = 'stored' AND a.id IS NULL"
        )
        articles = scalar("SELECT count(*) FROM articles")
    engine.dispose()
    missing = [u for u in feed_urls if u not in stored]
    return {
        "duplicates": dup_articles + dup_entries,
        "duplicate_articles": dup_articles,
        "duplicate_canonical_urls": dup_canonical,
        "duplicate_entries": dup_entries,
        "missing": len(missing),
        "missing_urls": missing[:10],
        "articles": articles,
        "entry_states": {str(k): int(v) for k, v in states.items()},
        "entries_still_leased": leased,
        "stored_entries_without_article": orphans,
    }


def integrity_ok(url: str) -> bool:
    """SQLite's PRAGMA integrity_check (PostgreSQL: the stored entries point at articles)."""
    if url.startswith("sqlite"):
        with sqlite3.connect(make_url(url).database or "") as conn:
            return [row[0] for row in conn.execute("PRAGMA integrity_check")] == ["ok"]
    engine = create_engine(url)
    with engine.connect() as conn:
        bad = conn.execute(
            text(
                "SELECT count(*) FROM entries e LEFT JOIN articles a ON a.id = e.article_id "
                "WHERE e.article_id IS NOT NULL AND a.id IS NULL"
            )
        ).scalar_one()
    engine.dispose()
    return int(bad) == 0


@contextmanager
def database(kind: str, tmp: Path, name: str) -> Iterator[str]:
    """A fresh database URL: a SQLite file, or a new schema of the given PostgreSQL server."""
    if not kind.startswith("postgres"):
        yield f"sqlite:///{tmp / (name + '.db')}"
        return
    schema = "crash_" + uuid.uuid4().hex[:10]
    admin = create_engine(make_url(kind).set(drivername="postgresql+psycopg"))
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = make_url(kind).set(drivername="postgresql+psycopg")
    url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def run(kills: int, pages: int, enrich: bool, db_kind: str, seed: int) -> dict[str, Any]:
    """The whole experiment on one backend; returns the JSON record."""
    rng = random.Random(seed)
    with (
        ArticleSite(pages) as site,
        tempfile.TemporaryDirectory(prefix="broadsheet-crash-") as tmp_name,
    ):
        tmp = Path(tmp_name)
        log = tmp / "ingest.log"
        with database(db_kind, tmp, "scratch") as scratch:
            first, total = calibrate(site, scratch, cli_env(scratch, tmp, enrich), log)
        with database(db_kind, tmp, "crash") as url:
            env = cli_env(url, tmp, enrich)
            started = time.monotonic()
            runs = kill_runs(site, url, env, log, (kills, first, total), rng)
            final = start_ingest(f"{site.base}/feed.xml", env, log)
            final_rc = final.wait()
            damage = count_damage(url, site.urls())
            ok = integrity_ok(url)
            seconds = time.monotonic() - started
        tail = log.read_text(errors="replace").splitlines()[-3:]
    return {
        "benchmark": "crash",
        "database": "postgresql" if db_kind.startswith("postgres") else "sqlite",
        "enrich": enrich,
        "pages": pages,
        **runs,
        "final_exit_code": final_rc,
        **damage,
        "integrity_ok": ok,
        "calibration_s": {"first_article": round(first, 2), "full_run": round(total, 2)},
        "seconds": round(seconds, 1),
        "final_run_output": tail,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--enrich", action="store_true", help="Run the models (slower)")
    parser.add_argument("--database", default="sqlite", help="sqlite, or a PostgreSQL URL")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if not CLI.exists():
        sys.exit(f"crash bench: {CLI} not found; create the virtualenv first")
    print(json.dumps(run(args.kills, args.pages, args.enrich, args.database, args.seed)))


if __name__ == "__main__":
    main()
