"""A real HTTP server on 127.0.0.1 serving handcrafted publisher responses."""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from broadsheet.ingest.fetch import Fetcher

Route = Callable[[BaseHTTPRequestHandler], None]

HUGE = 200_000  # bytes; the test fetcher accepts 100_000
RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<title>Lakeside Gazette</title><link>/</link>
<description>News from &lt;b&gt;the lake&lt;/b&gt;</description>
<item><title>Council approves the new harbour</title><link>/news/harbour?utm_source=rss</link>
<dc:creator>Ana Ruiz</dc:creator><pubDate>Tue, 10 Jun 2025 09:30:00 +0200</pubDate>
<category>Local</category><category>Politics</category><category>Local</category>
<guid isPermaLink="false">harbour-1</guid>
<description>&lt;p&gt;The vote was &lt;b&gt;close&lt;/b&gt;.&lt;/p&gt;</description></item>
<item><title>Ferry timetable changes</title><link>https://other.example/ferry</link>
<pubDate>Mon, 09 Jun 2025 18:00:00 GMT</pubDate><guid>ferry-2</guid></item>
</channel></rss>"""
ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Hill Times</title>
<link rel="alternate" href="https://hill.example/"/><subtitle>Upland news</subtitle>
<id>urn:hill</id><updated>2025-06-10T08:00:00Z</updated>
<entry><title>Snow closes the pass</title><link rel="alternate" href="stories/pass.html"/>
<id>urn:hill:pass</id><published>2025-06-10T07:15:00-05:00</published>
<updated>2025-06-10T08:00:00Z</updated><author><name>Jo Berg</name></author>
<category term="Weather"/><summary>Drivers are told to wait.</summary></entry>
</feed>"""
BROKEN_FEED = '<?xml version="1.0"?><rss version="2.0"><channel><title>Oops</title><item><title>'
HTML_PAGE = """<!DOCTYPE html><html><head><title>Lakeside Gazette</title>
<link rel="alternate" type="application/rss+xml" title="RSS" href="/feed.rss">
<link rel="alternate" type="application/atom+xml" href="https://hill.example/atom.xml">
<link rel="alternate" type="text/html" hreflang="fr" href="/fr/">
<link rel="stylesheet" href="/style.css"></head><body><p>Hello</p></body></html>"""


@dataclass
class Site:
    """A running test server: its base URL and the requests it has seen."""

    url: str
    requests: list[tuple[str, str]] = field(default_factory=list)  # (path, user agent)
    headers: list[dict[str, str]] = field(default_factory=list)  # request headers, lower-cased
    times: list[float] = field(default_factory=list)  # time.monotonic() of each arrival

    def hits(self, path: str) -> int:
        return sum(1 for seen, _ in self.requests if seen == path)

    def arrivals(self, path: str) -> list[float]:
        return [at for (seen, _), at in zip(self.requests, self.times, strict=True) if seen == path]


def respond(status: int, body: bytes, content_type: str, **headers: str) -> Route:
    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            handler.send_header(name.replace("_", "-"), value)
        handler.end_headers()
        handler.wfile.write(body)

    return route


def redirect(location: str, status: int = 302) -> Route:
    return respond(status, b"", "text/plain", Location=location)


def slow(handler: BaseHTTPRequestHandler) -> None:
    time.sleep(2.5)
    respond(200, b"<p>late</p>", "text/html")(handler)


def until_close(handler: BaseHTTPRequestHandler, content_type: str = "text/html") -> None:
    """Headers of a response whose body has no length and ends when the connection closes."""
    handler.close_connection = True
    handler.send_response(200)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Connection", "close")
    handler.end_headers()


def trickle(handler: BaseHTTPRequestHandler) -> None:
    """Each byte arrives before the read timeout, but the whole body takes far too long."""
    until_close(handler)
    for _ in range(12):
        handler.wfile.write(b"x")
        handler.wfile.flush()
        time.sleep(0.25)


def huge_unannounced(handler: BaseHTTPRequestHandler) -> None:
    """A body with no Content-Length (ends when the connection closes)."""
    until_close(handler)
    for _ in range(HUGE // 1000):
        handler.wfile.write(b"a" * 1000)


def routes(port: int) -> dict[str, Route]:
    latin1 = '<html><head><meta charset="iso-8859-1"></head><body><p>Café, naïve, señor</p>'
    cp1252 = '<html><head><meta charset="windows-1252"></head><body><p>Déjà vu – “quoted”</p>'
    return {
        "/robots.txt": respond(200, b"User-agent: *\nDisallow: /private/\n", "text/plain"),
        "/page": respond(200, "<p>Grüße aus Köln</p>".encode(), "text/html; charset=utf-8"),
        "/redirect": redirect("/page"),
        "/redirect-twice": redirect("/redirect", 301),
        "/loop": redirect("/loop"),
        "/to-private": redirect("/private/secret"),
        "/to-loopback": redirect(f"http://127.0.0.2:{port}/page"),
        "/to-file": redirect("file:///etc/passwd"),
        "/private/secret": respond(200, b"<p>secret</p>", "text/html"),
        "/status/404": respond(404, b"not here", "text/plain"),
        "/status/500": respond(500, b"boom", "text/plain"),
        "/slow": slow,
        "/trickle": trickle,
        "/huge": respond(200, b"a" * HUGE, "text/html"),
        "/huge-unannounced": huge_unannounced,
        "/image.png": respond(200, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), "image/png"),
        "/latin1-meta": respond(200, latin1.encode("latin-1"), "text/html"),
        "/header-lies-utf8": respond(200, cp1252.encode("cp1252"), "text/html; charset=utf-8"),
        "/header-lies-latin1": respond(
            200, "<p>Zoë’s café</p>".encode(), "text/html; charset=ISO-8859-1"
        ),
        "/header-unknown": respond(200, "<p>€100</p>".encode(), "text/html; charset=bogus-99"),
        "/feed.rss": respond(200, RSS.encode(), "application/rss+xml"),
        "/feed.atom": respond(200, ATOM.encode(), "application/atom+xml; charset=utf-8"),
        "/broken.xml": respond(200, BROKEN_FEED.encode(), "application/xml"),
        "/home.html": respond(200, HTML_PAGE.encode(), "text/html; charset=utf-8"),
    }


class QuietServer(ThreadingHTTPServer):
    """A test server that does not print the hang-ups the fetcher causes on purpose."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)


def start_site(
    table: Callable[[int], dict[str, Route]], host: str = "127.0.0.1", port: int = 0
) -> tuple[ThreadingHTTPServer, Site]:
    site = Site(url="")
    record = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real servers do

        def do_GET(self) -> None:
            path = self.path.split("?")[0]
            with record:
                site.requests.append((path, self.headers.get("User-Agent", "")))
                site.headers.append({k.lower(): v for k, v in self.headers.items()})
                site.times.append(time.monotonic())
            route = handlers.get(path, respond(404, b"no such page", "text/plain"))
            # The fetcher hangs up on purpose when a size or time limit is hit.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                route(self)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = QuietServer((host, port), Handler)
    handlers = table(server.server_address[1])
    site.url = f"http://{host}:{server.server_address[1]}"
    # A short poll interval keeps shutdown (once per test) from costing half a second.
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    return server, site


@pytest.fixture
def serve() -> Iterator[Callable[..., Site]]:
    """Start more servers in a test: serve(table, host=..., port=...); all stop at its end."""
    servers: list[ThreadingHTTPServer] = []

    def start(table: Callable[[int], dict[str, Route]], **where: Any) -> Site:
        server, running = start_site(table, **where)
        servers.append(server)
        return running

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def site() -> Iterator[Site]:
    server, running = start_site(routes)
    yield running
    server.shutdown()
    server.server_close()


@pytest.fixture
def bare_site() -> Iterator[Site]:
    """A site with no robots.txt at all."""
    server, running = start_site(lambda port: {"/page": respond(200, b"<p>hi</p>", "text/html")})
    yield running
    server.shutdown()
    server.server_close()


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(allow_hosts=("127.0.0.1",), timeout=1.0, max_bytes=100_000) as client:
        yield client
