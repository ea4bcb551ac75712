"""A publisher on loopback whose feed and pages a test can change, counting every request."""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import Engine

from broadsheet.config import Settings, load_settings
from broadsheet.pipeline import Context, make_context

Handler = Callable[[BaseHTTPRequestHandler], None]
T0 = datetime(2026, 11, 30, 12, tzinfo=UTC)

PARAGRAPHS = (
    "The harbour board met on Tuesday evening to weigh the plan for a second ferry pier, "
    "which has divided the waterfront for most of the year.",
    "Supporters say the pier would halve waiting times at the busiest hours; opponents fear "
    "the noise and the loss of the small beach beside the old customs house.",
    "A final vote is expected next month, after a public hearing that the board promised "
    "would run as long as residents have something to say.",
)


def article_html(title: str, body: str = "") -> str:
    """A small, ordinary article page (sample text written for these tests)."""
    text = body or "".join(f"<p>{title}: {p}</p>" for p in PARAGRAPHS)
    return (
        f"<!DOCTYPE html><html><head><title>{title}</title>"
        f'<meta property="og:title" content="{title}"></head><body><nav>Home · News</nav>'
        f"<article><h1>{title}</h1>{text}</article><footer>© Sample Gazette</footer>"
        "</body></html>"
    )


def rss(items: list[tuple[str, str]], base: str) -> str:
    """An RSS 2.0 feed of (path, title) items."""
    body = "".join(
        f"<item><title>{title}</title><link>{base}{path}</link><guid>{path}</guid>"
        f"<pubDate>{(T0 - timedelta(hours=n)).strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate>"
        "</item>"
        for n, (path, title) in enumerate(items)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Sample Gazette</title><link>{base}/</link>{body}</channel></rss>"
    )


@dataclass
class Publisher:
    """A running loopback publisher: set `pages[path] = (status, type, body, headers)`."""

    url: str
    pages: dict[str, tuple[int, str, bytes, dict[str, str]]] = field(default_factory=dict)
    hits: Counter[str] = field(default_factory=Counter)
    handlers: dict[str, Handler] = field(default_factory=dict)

    def page(
        self,
        path: str,
        body: str | bytes,
        status: int = 200,
        kind: str = "text/html",
        **headers: str,
    ) -> None:
        """Serve body at path."""
        data = body.encode() if isinstance(body, str) else body
        self.pages[path] = (status, kind, data, headers)

    def feed(self, items: list[tuple[str, str]], path: str = "/feed.xml") -> str:
        """Serve an RSS feed of (path, title) items; return its URL."""
        self.page(path, rss(items, self.url), kind="application/rss+xml")
        return self.url + path


@pytest.fixture
def publisher() -> Iterator[Publisher]:
    site = Publisher(url="")

    class Serve(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            site.hits[path] += 1
            if path in site.handlers:
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    site.handlers[path](self)
                return
            status, kind, body, headers = site.pages.get(
                path, (404, "text/plain", b"no such page", {})
            )
            etag = headers.get("ETag")
            if etag and self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Serve)
    server.daemon_threads = True
    site.url = f"http://127.0.0.1:{server.server_address[1]}"
    site.page("/robots.txt", "User-agent: *\nAllow: /\n", kind="text/plain")
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    yield site
    server.shutdown()
    server.server_close()


@dataclass
class Clock:
    """A clock the test moves by hand."""

    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def engine_settings(tmp_path: Path) -> Settings:
    """Fast settings: loopback allowed, no politeness delay, models off, quick retries."""
    return load_settings(
        environ={},
        data_dir=tmp_path,
        secret_key="test",
        allow_hosts=("127.0.0.1",),
        host_delay=0.0,
        fetch_timeout=5.0,
        enrich=False,
        retry_delay=60.0,
        max_attempts=3,
        pause_after_failures=3,
    )


@pytest.fixture
def ctx(engine: Engine, engine_settings: Settings) -> Iterator[Context]:
    """A context on the test database with a hand-moved clock."""
    made = make_context(engine_settings, engine)
    made.clock = Clock()
    yield made
    made.fetcher.close()
