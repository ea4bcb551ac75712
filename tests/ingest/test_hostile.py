"""The fetcher against a hostile server: bombs, endless bodies, slow-loris, lies, throttling."""

from __future__ import annotations

import gzip
import socket
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler

import brotli
import pytest

from broadsheet.ingest.fetch import Fetcher, FetchError

from .conftest import RSS, Route, Site, respond, until_close

LIMIT = 100_000  # max_bytes of the fetcher under attack
PAGE = "<html><body><p>Grüße aus Köln, " + "ordinary news " * 200 + "</p></body></html>"
ETAG = '"v7"'
MODIFIED = "Tue, 10 Jun 2025 09:30:00 GMT"

# Small on the wire, huge once decompressed: built once, outside any memory measurement.
ZEROS = bytes(20_000_000)
GZIP_BOMB = gzip.compress(ZEROS, compresslevel=9)
STACKED_BOMB = gzip.compress(GZIP_BOMB, compresslevel=9)
BROTLI_BOMB = brotli.compress(bytes(50_000_000), quality=5)


def encoded(body: bytes, coding: str, content_type: str = "text/html; charset=utf-8") -> Route:
    return respond(200, body, content_type, Content_Encoding=coding)


def endless(handler: BaseHTTPRequestHandler) -> None:
    """A body that never ends (until the client hangs up)."""
    until_close(handler)
    while True:
        handler.wfile.write(b"<p>more</p>" * 1000)


def header_loris(handler: BaseHTTPRequestHandler) -> None:
    """The status line and headers, one byte at a time, each well inside the read timeout."""
    handler.close_connection = True
    for byte in b"HTTP/1.1 200 OK\r\nX-Padding: " + b"a" * 200:
        handler.wfile.write(bytes([byte]))
        handler.wfile.flush()
        time.sleep(0.05)


def body_loris(handler: BaseHTTPRequestHandler) -> None:
    until_close(handler)
    for _ in range(200):
        handler.wfile.write(b"x")
        handler.wfile.flush()
        time.sleep(0.05)


def conditional(handler: BaseHTTPRequestHandler) -> None:
    """304 when the client already has this version (by ETag or by date), else the page."""
    if handler.headers.get("If-None-Match") == ETAG or (
        handler.headers.get("If-Modified-Since") == MODIFIED
        and "If-None-Match" not in handler.headers
    ):
        respond(304, b"", "text/html", ETag=ETAG)(handler)
        return
    respond(200, PAGE.encode(), "text/html; charset=utf-8", ETag=ETAG, Last_Modified=MODIFIED)(
        handler
    )


def hostile_routes(port: int) -> dict[str, Route]:
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=90), usegmt=True)
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    raw_deflate = raw.compress(PAGE.encode()) + raw.flush()
    return {
        "/gzip-bomb": encoded(GZIP_BOMB, "gzip"),
        "/gzip-gzip": encoded(STACKED_BOMB, "gzip, gzip"),
        "/brotli-bomb": encoded(BROTLI_BOMB, "br"),
        "/gzip": encoded(gzip.compress(PAGE.encode()), "gzip"),
        "/brotli": encoded(brotli.compress(PAGE.encode()), "br"),
        "/deflate": encoded(zlib.compress(PAGE.encode()), "deflate"),
        "/deflate-raw": encoded(raw_deflate, "deflate"),
        "/gzip-identity": encoded(gzip.compress(PAGE.encode()), "identity, gzip"),
        "/compress": encoded(b"\x1f\x9d\x90", "compress"),
        "/corrupt-gzip": encoded(b"\x1f\x8b\x08\x00" + bytes(40), "gzip"),
        "/endless": endless,
        "/header-loris": header_loris,
        "/body-loris": body_loris,
        "/conditional": conditional,
        "/busy": respond(429, b"slow down", "text/plain", Retry_After="120"),
        "/busy-until": respond(429, b"slow down", "text/plain", Retry_After=later),
        "/down": respond(503, b"maintenance", "text/plain", Retry_After="5"),
        "/down-plain": respond(503, b"maintenance", "text/plain"),
        "/timeout": respond(408, b"", "text/plain"),
        "/gone": respond(410, b"", "text/plain"),
        "/ascii-label-utf8": respond(200, PAGE.encode(), "text/html; charset=us-ascii"),
        "/utf16-untyped": respond(200, PAGE.encode("utf-16"), ""),
        "/rss-as-octets": respond(200, RSS.encode(), "application/octet-stream"),
        "/html-as-plain": respond(200, PAGE.encode(), "text/plain; charset=utf-8"),
        "/pdf-as-octets": respond(
            200, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "application/octet-stream"
        ),
        "/png-as-html": respond(200, b"\x89PNG\r\n\x1a\n" + bytes(64), "text/html"),
        "/nul-untyped": respond(200, b"<p>a\x00b</p>", ""),
    }


@pytest.fixture
def hostile(serve: Callable[..., Site]) -> Site:
    return serve(hostile_routes)


@pytest.fixture
def client() -> Iterator[Fetcher]:
    with Fetcher(allow_hosts=("127.0.0.1",), timeout=1.0, max_bytes=LIMIT) as fetcher:
        yield fetcher


def _failure(client: Fetcher, url: str) -> FetchError:
    with pytest.raises(FetchError) as caught:
        client.fetch_page(url)
    return caught.value


@pytest.mark.parametrize("path", ["/gzip-bomb", "/brotli-bomb"])
def test_bombs_stop_at_the_limit_with_bounded_memory(
    hostile: Site, client: Fetcher, path: str
) -> None:
    tracemalloc.start()
    try:
        error = _failure(client, hostile.url + path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert error.reason == f"response larger than {LIMIT} bytes once decompressed"
    assert not error.transient
    assert peak < 5 * LIMIT, f"peak {peak} bytes"


def test_stacked_encodings_are_refused_before_decoding(hostile: Site, client: Fetcher) -> None:
    tracemalloc.start()
    try:
        error = _failure(client, hostile.url + "/gzip-gzip")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert error.reason == "refused: stacked content encodings (gzip, gzip)"
    assert not error.transient and peak < 5 * LIMIT


@pytest.mark.parametrize("path", ["/gzip", "/brotli", "/deflate", "/deflate-raw", "/gzip-identity"])
def test_compressed_pages_are_decoded(hostile: Site, client: Fetcher, path: str) -> None:
    page = client.fetch_page(hostile.url + path)
    assert page.text == PAGE
    assert page.body == PAGE.encode()  # content-encoding removed
    assert hostile.headers[-1]["accept-encoding"] == "gzip, deflate, br"


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/compress", "refused: unknown content encoding 'compress'"),
        ("/corrupt-gzip", "the compressed body is corrupt"),
    ],
)
def test_unknown_or_corrupt_encodings_fail_clearly(
    hostile: Site, client: Fetcher, path: str, reason: str
) -> None:
    error = _failure(client, hostile.url + path)
    assert error.reason.startswith(reason) and not error.transient


def test_endless_body_is_cut_at_the_limit(hostile: Site, client: Fetcher) -> None:
    started = time.monotonic()
    error = _failure(client, hostile.url + "/endless")
    assert error.reason == f"response larger than {LIMIT} bytes"
    assert time.monotonic() - started < 1.0


@pytest.mark.parametrize("path", ["/header-loris", "/body-loris"])
def test_slow_loris_hits_the_wall_clock_deadline(hostile: Site, path: str) -> None:
    # Each byte comes far inside the 5 s read timeout; only the 1 s deadline can stop this.
    with Fetcher(allow_hosts=("127.0.0.1",), timeout=1.0, connect_timeout=5.0) as client:
        client.fetch_page(hostile.url + "/conditional")  # robots.txt loaded: time the page only
        started = time.monotonic()
        error = _failure(client, hostile.url + path)
    elapsed = time.monotonic() - started
    assert error.reason == "timed out after 1 s" and error.transient
    assert 0.9 < elapsed < 2.0


def test_conditional_get_flow(hostile: Site, client: Fetcher) -> None:
    first = client.fetch_page(hostile.url + "/conditional")
    assert (first.status, first.etag, first.last_modified) == (200, ETAG, MODIFIED)
    assert first.text == PAGE and not first.not_modified
    again = client.fetch_page(
        hostile.url + "/conditional", etag=first.etag, last_modified=first.last_modified
    )
    assert (again.status, again.text, again.body, again.not_modified) == (304, "", b"", True)
    assert (again.etag, again.last_modified) == (ETAG, MODIFIED)
    assert hostile.headers[-1]["if-none-match"] == ETAG
    by_date = client.fetch_page(hostile.url + "/conditional", last_modified=MODIFIED)
    assert by_date.not_modified and hostile.headers[-1]["if-modified-since"] == MODIFIED
    stale = client.fetch_page(hostile.url + "/conditional", etag='"v6"')
    assert stale.status == 200 and stale.text == PAGE


def test_unconditional_304_is_an_error(serve: Callable[..., Site], client: Fetcher) -> None:
    odd = serve(lambda port: {"/": respond(304, b"", "text/html")})
    assert _failure(client, odd.url + "/").status == 304


@pytest.mark.parametrize(
    ("path", "status", "retry_after", "transient"),
    [
        ("/busy", 429, 120.0, True),
        ("/down", 503, 5.0, True),
        ("/down-plain", 503, None, True),
        ("/timeout", 408, None, True),
        ("/gone", 410, None, False),
    ],
)
def test_throttling_and_errors_say_whether_to_retry(
    hostile: Site,
    client: Fetcher,
    path: str,
    status: int,
    retry_after: float | None,
    transient: bool,
) -> None:
    error = _failure(client, hostile.url + path)
    assert (error.status, error.retry_after, error.transient) == (status, retry_after, transient)
    assert error.reason == f"HTTP {status}"


def test_retry_after_as_an_http_date(hostile: Site, client: Fetcher) -> None:
    error = _failure(client, hostile.url + "/busy-until")
    assert error.retry_after is not None and 80 < error.retry_after <= 90


def test_connection_refused_is_transient() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # free again, with nothing listening, once closed
    with Fetcher(allow_hosts=("127.0.0.1",), timeout=1.0, obey_robots=False) as client:
        error = _failure(client, f"http://127.0.0.1:{port}/")
    assert error.transient and error.reason.startswith("connection failed")
    assert error.status is None


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/ascii-label-utf8", "text/html; charset=us-ascii"),
        ("/utf16-untyped", "text/html"),
        ("/rss-as-octets", "application/xml"),
        ("/html-as-plain", "text/html; charset=utf-8"),
    ],
)
def test_lying_labels_are_seen_through(
    hostile: Site, client: Fetcher, path: str, kind: str
) -> None:
    page = client.fetch_page(hostile.url + path)
    assert page.content_type == kind
    assert ("Grüße aus Köln" in page.text) or ("Council approves" in page.text)


@pytest.mark.parametrize("path", ["/pdf-as-octets", "/png-as-html", "/nul-untyped"])
def test_binary_bodies_are_not_pages(hostile: Site, client: Fetcher, path: str) -> None:
    error = _failure(client, hostile.url + path)
    assert error.reason.startswith("not a text page") and not error.transient
