"""Ingest throughput on real pages: extraction against trafilatura, and the enriched pipeline.

A loopback server serves the 181 pages of the article-extraction benchmark (read from
/work/shared/datasets, never copied) and four feeds listing them. (a) Feeds polled, pages
fetched, extracted and stored with the models off, by `pipeline.drain` (one thread), against
fetch + `trafilatura.extract` of the same pages with the same Fetcher, in the same run.
(b) The whole pipeline with the models on: `pipeline.drain` in one process and thread
(baseline), the in-process Runner (4 I/O threads, 2 model processes), and two procrastinate
worker processes on PostgreSQL when --pg is given. Models are warmed before timing.
Prints one JSON line.

    .venv/bin/python bench/ingest.py [--pg postgresql://...] [--limit N]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import trafilatura
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url

from broadsheet.config import Settings, load_settings
from broadsheet.ingest.feeds import parse_feed
from broadsheet.jobs import distributed
from broadsheet.jobs.models import warm_models
from broadsheet.jobs.runner import Runner
from broadsheet.pipeline import Context, add_source, discover_entries, drain, make_context
from broadsheet.store.schema import entries
from broadsheet.store.sources import due_sources

ROOT = Path(__file__).resolve().parent.parent
DATASET = Path("/work/shared/datasets/article-extraction-benchmark/html")
FEEDS = 4
WARM_TEXT = (
    "The harbour board of Riverton met on Tuesday to weigh a second ferry pier. Mayor Ana "
    "Ruiz said the vote would come next month, after a hearing in the town hall. "
) * 6


def load_pages(limit: int | None) -> dict[str, bytes]:
    """The dataset's pages by id (decompressed in memory), sorted by id."""
    files = sorted(DATASET.glob("*.html.gz"))
    if not files:
        raise SystemExit(f"ingest bench: no pages in {DATASET}; see its SOURCE.md")
    return {f.name.removesuffix(".html.gz"): gzip.decompress(f.read_bytes()) for f in files[:limit]}


class PageSite:
    """Serves /p/<id>.html, /feed/<k>.xml (the pages split in FEEDS) and /warm/... pages."""

    def __init__(self, pages: dict[str, bytes]) -> None:
        self.pages = pages
        self.ids = list(pages)
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                site.answer(self)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def feed_ids(self, k: int) -> list[str]:
        """The page ids feed k lists."""
        return self.ids[k::FEEDS]

    def feed_urls(self) -> list[str]:
        """The four feeds' URLs."""
        return [f"{self.base}/feed/{k}.xml" for k in range(FEEDS)]

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        """A page, a feed, a warm-up page or feed, else 404."""
        path = handler.path
        if path.startswith("/p/") and path[3:].removesuffix(".html") in self.pages:
            body, kind = self.pages[path[3:].removesuffix(".html")], "text/html; charset=utf-8"
        elif path.startswith("/feed/") and path[6:].removesuffix(".xml").isdigit():
            ids = self.feed_ids(int(path[6:].removesuffix(".xml")))
            body, kind = self.rss([f"/p/{i}.html" for i in ids]), "application/rss+xml"
        elif path == "/warm/feed.xml":
            body, kind = self.rss([f"/warm/{n}.html" for n in range(4)]), "application/rss+xml"
        elif path.startswith("/warm/"):
            title = f"Warm-up story {path}"
            html = f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
            body = (html + f"<p>{WARM_TEXT}</p></article></body></html>").encode()
            kind = "text/html; charset=utf-8"
        else:
            body, kind = b"not found", "text/plain"
        handler.send_response(404 if kind == "text/plain" else 200)
        handler.send_header("Content-Type", kind)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def rss(self, paths: list[str]) -> bytes:
        """An RSS feed of the paths, an hour apart, newest first."""
        now = datetime.now(UTC).replace(microsecond=0)
        items = "".join(
            f"<item><title>Item {n}</title><link>{self.base}{p}</link><guid>{p}</guid>"
            f"<pubDate>{format_datetime(now - timedelta(hours=n))}</pubDate></item>"
            for n, p in enumerate(paths)
        )
        return (
            "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Bench"
            f"</title><link>{self.base}/</link>{items}</channel></rss>"
        ).encode()

    def close(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._server.server_close()


def bench_settings(database_url: str, tmp: Path, enrich: bool) -> Settings:
    """Settings for loopback with no politeness delay."""
    return load_settings(
        environ={},
        database_url=database_url,
        data_dir=tmp,
        secret_key="bench",
        allow_hosts=("127.0.0.1",),
        host_delay=0.0,
        host_concurrency=8,
        enrich=enrich,
    )


def finished(engine: Engine) -> int:
    """Entries done for this run: stored, skipped or failed (a retry later is not waited for,
    as `drain` and the Runner do not wait for it either)."""
    with engine.connect() as conn:
        query = select(func.count()).where(entries.c.state.in_(("stored", "skipped", "failed")))
        return int(conn.execute(query).scalar_one())


def stored(engine: Engine) -> int:
    """Entries whose article is stored."""
    with engine.connect() as conn:
        query = select(func.count()).where(entries.c.state == "stored")
        return int(conn.execute(query).scalar_one())


def timed_ingest(ctx: Context, site: PageSite, run: Callable[[Context], None]) -> dict[str, Any]:
    """Add the four feeds, then time `run` (which polls and processes everything due)."""
    before = stored(ctx.engine)
    for url in site.feed_urls():
        add_source(ctx, url)
    start = time.perf_counter()
    run(ctx)
    seconds = time.perf_counter() - start
    new = stored(ctx.engine) - before
    return {"articles": new, "seconds": round(seconds, 2), "per_s": round(new / seconds, 3)}


def poll_and_drain(ctx: Context) -> None:
    """Today's single-threaded path: poll each due source, then drain every due entry."""
    with ctx.engine.connect() as conn:
        due = due_sources(conn, ctx.clock())
    for source_id in due:
        discover_entries(ctx, source_id)
    drain(ctx)


def peer_trafilatura(ctx: Context, site: PageSite) -> dict[str, Any]:
    """Fetch the same feeds and pages with the same Fetcher and run trafilatura.extract."""
    start = time.perf_counter()
    pages = 0
    for url in site.feed_urls():
        for entry in parse_feed(ctx.fetcher.fetch_page(url)).entries:
            trafilatura.extract(ctx.fetcher.fetch_page(entry.url).text, include_comments=False)
            pages += 1
    seconds = time.perf_counter() - start
    return {"articles": pages, "seconds": round(seconds, 2), "per_s": round(pages / seconds, 3)}


@contextmanager
def sqlite_context(tmp: Path, name: str, enrich: bool) -> Iterator[Context]:
    """A context on a fresh SQLite file."""
    ctx = make_context(bench_settings(f"sqlite:///{tmp / (name + '.db')}", tmp, enrich))
    try:
        yield ctx
    finally:
        ctx.fetcher.close()
        ctx.engine.dispose()


def extraction_only(site: PageSite, tmp: Path) -> dict[str, Any]:
    """(a) Models off: drain against fetch + trafilatura on the same pages."""
    with sqlite_context(tmp, "extract", enrich=False) as ctx:
        trafilatura.extract(WARM_TEXT)  # imports and lazy set-up are not ingest
        ours = timed_ingest(ctx, site, poll_and_drain)
        peer = peer_trafilatura(ctx, site)
    return {"ours": ours, "trafilatura": peer}


def extraction_runner(site: PageSite, tmp: Path) -> dict[str, Any]:
    """(a) Models off, as `broadsheet ingest` runs: the Runner, extraction in 2 processes."""
    with (
        sqlite_context(tmp, "extract-runner", enrich=False) as ctx,
        Runner(ctx, io_threads=4, nlp_processes=2) as runner,
    ):
        add_source(ctx, f"{site.base}/warm/feed.xml")
        runner.run_due()  # starts the processes

        def run(_ctx: Context) -> None:
            runner.run_due()

        return timed_ingest(ctx, site, run)


def enriched_baseline(site: PageSite, tmp: Path) -> dict[str, Any]:
    """(b) Models on, `drain` in this process and thread; the models warmed first."""
    warm_models()
    with sqlite_context(tmp, "baseline", enrich=True) as ctx:
        return timed_ingest(ctx, site, poll_and_drain)


def enriched_inprocess(site: PageSite, tmp: Path) -> dict[str, Any]:
    """(b) Models on, the Runner: 4 I/O threads, 2 model processes (warmed on 4 pages)."""
    with (
        sqlite_context(tmp, "inprocess", enrich=True) as ctx,
        Runner(ctx, io_threads=4, nlp_processes=2) as runner,
    ):
        add_source(ctx, f"{site.base}/warm/feed.xml")
        runner.run_due()  # starts the model processes; they load the models once

        def run(_ctx: Context) -> None:
            runner.run_due()

        return timed_ingest(ctx, site, run)


@contextmanager
def pg_schema(pg_url: str) -> Iterator[str]:
    """A fresh schema on the given PostgreSQL server, dropped afterwards; yields its URL."""
    schema = "bench_" + uuid.uuid4().hex[:10]
    base = make_url(pg_url).set(drivername="postgresql+psycopg")
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = base.update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def start_workers(url: str, tmp: Path, count: int) -> list[subprocess.Popen[bytes]]:
    """`broadsheet worker` processes on the database, models on (each warms them at start)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BROADSHEET_")}
    env.update(
        BROADSHEET_DATABASE_URL=url,
        BROADSHEET_DATA_DIR=str(tmp),
        BROADSHEET_SECRET_KEY="bench",
        BROADSHEET_ALLOW_HOSTS="127.0.0.1",
        BROADSHEET_HOST_DELAY="0",
        BROADSHEET_HOST_CONCURRENCY="8",
        BROADSHEET_ENRICH="true",
    )
    log = (tmp / "workers.log").open("ab")
    cli = str(ROOT / ".venv" / "bin" / "broadsheet")
    return [
        subprocess.Popen([cli, "worker", "--concurrency", "2"], env=env, stdout=log, stderr=log)
        for _ in range(count)
    ]


def wait_done(engine: Engine, total: int, timeout: float) -> None:
    """Until `total` entries exist and all are finished (or the timeout)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            count = int(conn.execute(select(func.count()).select_from(entries)).scalar_one())
        if count >= total and finished(engine) >= total:
            return
        time.sleep(0.2)
    raise SystemExit(f"ingest bench: workers did not finish {total} entries in {timeout:.0f} s")


def enriched_workers(site: PageSite, tmp: Path, pg_url: str) -> dict[str, Any]:
    """(b) Two procrastinate workers on PostgreSQL; timed from the polls being queued."""
    with pg_schema(pg_url) as url:
        settings = bench_settings(url, tmp, enrich=True)
        ctx = make_context(settings)
        distributed.apply_schema(settings)
        workers = start_workers(url, tmp, 2)
        app = distributed.make_app(settings)
        try:
            with app.open():
                warm = add_source(ctx, f"{site.base}/warm/feed.xml").ids
                distributed.defer_poll(app, warm[0])
                wait_done(ctx.engine, 4, 300)

                def run(ctx: Context) -> None:
                    with ctx.engine.connect() as conn:
                        due = due_sources(conn, ctx.clock())
                    for source_id in due:
                        distributed.defer_poll(app, source_id)
                    wait_done(ctx.engine, 4 + len(site.ids), 1800)

                return timed_ingest(ctx, site, run)
        finally:
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
            for worker in workers:
                worker.wait(timeout=60)
            ctx.fetcher.close()
            ctx.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default="", help="PostgreSQL URL for the two-worker run")
    parser.add_argument("--limit", type=int, default=None, help="Use only the first N pages")
    args = parser.parse_args()
    site = PageSite(load_pages(args.limit))
    try:
        with tempfile.TemporaryDirectory(prefix="broadsheet-ingest-") as tmp_name:
            tmp = Path(tmp_name)
            extraction = extraction_only(site, tmp)
            runner_extraction = extraction_runner(site, tmp)
            baseline = enriched_baseline(site, tmp)
            inprocess = enriched_inprocess(site, tmp)
            workers = enriched_workers(site, tmp, args.pg) if args.pg else None
    finally:
        site.close()
    ours, peer = extraction["ours"], extraction["trafilatura"]
    print(
        json.dumps(
            {
                "benchmark": "ingest",
                "pages": len(site.ids),
                "feeds": FEEDS,
                "articles_per_s": ours["per_s"],
                "articles": ours["articles"],
                "extraction_path": "pipeline.drain (one thread, models off)",
                "trafilatura_per_s": peer["per_s"],
                "ratio_to_trafilatura": round(ours["per_s"] / peer["per_s"], 3),
                "runner_articles_per_s": runner_extraction["per_s"],
                "runner_ratio_to_trafilatura": round(runner_extraction["per_s"] / peer["per_s"], 3),
                "enriched_per_s": {
                    "inprocess": inprocess["per_s"],
                    "workers_2": workers["per_s"] if workers else None,
                    "baseline": baseline["per_s"],
                },
                "enriched_articles": {
                    "inprocess": inprocess["articles"],
                    "workers_2": workers["articles"] if workers else None,
                    "baseline": baseline["articles"],
                },
                "speedup_inprocess": round(inprocess["per_s"] / baseline["per_s"], 3),
                "workers_2_note": None if workers else "not run: give --pg postgresql://...",
                "cpus": os.cpu_count(),
            }
        )
    )


if __name__ == "__main__":
    main()
