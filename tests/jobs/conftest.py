"""Distributed-job fixtures: a PostgreSQL schema per test, a news site on loopback, and
`broadsheet worker` processes (real subprocesses) started and stopped by the test."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from broadsheet.config import Settings, load_settings

PG_URL = os.environ.get("BROADSHEET_TEST_PG", "")
WORDS = ("harbour", "council", "ferry", "bridge", "market", "school", "river", "budget", "museum")
# Runs in each worker process: argv[1] is a JSON object of run_worker's options.
WORKER_SCRIPT = """
import json, logging, sys
from datetime import timedelta
from broadsheet.config import load_settings
from broadsheet.jobs.distributed import Timing, run_worker
logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
options = json.loads(sys.argv[1])
lease = options.pop("lease")
run_worker(
    load_settings(),
    timing=Timing(**options.pop("timing")),
    lease=timedelta(seconds=lease) if lease else None,
    **options,
)
"""


@pytest.fixture
def pg_url() -> str:
    """The test PostgreSQL server; skipped without one, but a failure on CI."""
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail(
                "BROADSHEET_TEST_PG is unset on CI: the distributed-job tests need PostgreSQL "
                "(e.g. postgresql://postgres@127.0.0.1:5432/test)"
            )
        pytest.skip("set BROADSHEET_TEST_PG to run the distributed-job tests")
    return PG_URL


@dataclass
class Database:
    """A fresh, migrated PostgreSQL schema: its engine and SQLAlchemy URL."""

    engine: Engine
    url: str


@pytest.fixture
def database(pg_url: str, database_factory: Any, tmp_path: Path) -> Iterator[Database]:
    """A schema of its own for this test, dropped after it (procrastinate's tables too)."""
    engine, url, drop = database_factory("postgresql", tmp_path)
    yield Database(engine, url)
    drop()


def article_html(n: int) -> bytes:
    """A small article page, different for every n."""
    w = [WORDS[(n * 7 + i) % len(WORDS)] for i in range(10)]
    paragraphs = "".join(
        f"<p>Paragraph {i} of story {n}: the {w[i]} plan met the {w[i + 1]} committee on day "
        f"{n + i}, and residents said the {w[i + 2]} should open before the season ends.</p>"
        for i in range(6)
    )
    title = f"Story {n}: the {w[0]} plan"
    page = f"<!DOCTYPE html><html lang='en'><head><title>{title}</title></head><body>"
    return f"{page}<article><h1>{title}</h1>{paragraphs}</article></body></html>".encode()


@dataclass
class NewsSite:
    """A publisher on loopback: feeds /feed/<name>.xml list pages /a/<n>.html."""

    url: str = ""
    feeds: dict[str, range] = field(default_factory=dict)
    slow: dict[int, float] = field(default_factory=dict)  # page number -> seconds to answer
    hits: Counter[str] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def feed_url(self, name: str) -> str:
        return f"{self.url}/feed/{name}.xml"

    def page_url(self, n: int) -> str:
        return f"{self.url}/a/{n}.html"

    def count(self, path: str) -> int:
        with self._lock:
            return self.hits[path]

    def feed_xml(self, name: str) -> bytes:
        items = "".join(
            f"<item><title>Story {n}</title><link>{self.page_url(n)}</link>"
            f"<guid>story-{n}</guid><pubDate>Tue, 10 Jun 2025 09:30:00 GMT</pubDate></item>"
            for n in self.feeds[name]
        )
        channel = f"<channel><title>Feed {name}</title><link>{self.url}/</link>{items}</channel>"
        return f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'.encode()

    def answer(self, path: str) -> tuple[int, bytes, str]:
        with self._lock:
            self.hits[path] += 1
        if path.startswith("/feed/") and path[6:-4] in self.feeds:
            return 200, self.feed_xml(path[6:-4]), "application/rss+xml"
        if path.startswith("/a/") and path.endswith(".html") and path[3:-5].isdigit():
            n = int(path[3:-5])
            time.sleep(self.slow.get(n, 0.0))
            return 200, article_html(n), "text/html; charset=utf-8"
        return 404, b"not found", "text/plain"


@pytest.fixture
def news_site() -> Iterator[NewsSite]:
    """The news site, served on a free port of 127.0.0.1."""
    site = NewsSite()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, body, kind = site.answer(self.path)
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)  # fails when the worker reading it was killed

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    site.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield site
    server.shutdown()
    server.server_close()


@dataclass
class Workers:
    """`broadsheet worker` processes for one test; each logs to a file under tmp_path."""

    env: dict[str, str]
    logs: Path
    started: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def settings(self) -> Settings:
        """The workers' settings, for the test process itself."""
        return load_settings(environ=self.env)

    def start(self, name: str, *, lease: float | None = None, **options: Any) -> None:
        """Start a worker process; `options` go to run_worker (timing as a dict)."""
        options = {"concurrency": 4, "timing": {}, **options, "name": name, "lease": lease}
        log = (self.logs / f"{name}.log").open("wb")
        self.started[name] = subprocess.Popen(
            [sys.executable, "-c", WORKER_SCRIPT, json.dumps(options)],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def kill(self, name: str) -> None:
        """SIGKILL: the worker dies at once, its job left half done."""
        process = self.started[name]
        process.send_signal(signal.SIGKILL)
        process.wait(5)

    def stop_all(self) -> None:
        """SIGTERM every worker still running (a graceful stop), then wait for it."""
        for process in self.started.values():
            if process.poll() is None:
                process.terminate()
        for process in self.started.values():
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def wait_for(self, condition: Callable[[], bool], timeout: float, what: str) -> None:
        """Poll until condition() holds; fail, with the workers' logs, after timeout seconds."""
        deadline = time.monotonic() + timeout
        while not condition():
            self.check_alive()
            if time.monotonic() > deadline:
                logs = "\n".join(f"--- {name}\n{self.log(name)[-4000:]}" for name in self.started)
                pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}\n{logs}")
            time.sleep(0.2)

    def check_alive(self) -> None:
        """Fail with the worker's log when a worker the test did not kill has exited."""
        for name, process in self.started.items():
            if process.poll() is not None and process.returncode != -signal.SIGKILL:
                pytest.fail(f"worker {name} exited with {process.returncode}:\n{self.log(name)}")


@pytest.fixture
def workers(database: Database, tmp_path: Path) -> Iterator[Workers]:
    """Worker processes on the test's schema; all are stopped after the test."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BROADSHEET_")}
    env.update(
        BROADSHEET_DATABASE_URL=database.url,
        BROADSHEET_DATA_DIR=str(tmp_path / "data"),
        BROADSHEET_SECRET_KEY="test-secret-key",
        BROADSHEET_ALLOW_HOSTS="127.0.0.1",
        BROADSHEET_ENRICH="false",
        BROADSHEET_HOST_DELAY="0",
    )
    running = Workers(env=env, logs=tmp_path)
    yield running
    running.stop_all()
