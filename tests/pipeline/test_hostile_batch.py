"""One ingest batch survives a hostile publisher: every failure is recorded, the good pages
are stored, and nothing is fetched twice."""

from __future__ import annotations

import gzip
import time
from dataclasses import replace
from http.server import BaseHTTPRequestHandler

from sqlalchemy import select

from broadsheet.pipeline import Context, add_source, ingest_source, make_context
from broadsheet.store import entries as entry_store
from broadsheet.store import sources as source_store
from broadsheet.store.schema import articles, entries

from .conftest import Publisher, article_html


def _raw(status: int, headers: dict[str, str], body: bytes):  # type: ignore[no-untyped-def]
    def handler(request: BaseHTTPRequestHandler) -> None:
        request.send_response(status)
        for name, value in headers.items():
            request.send_header(name, value)
        request.end_headers()
        request.wfile.write(body)

    return handler


def _slow_headers(request: BaseHTTPRequestHandler) -> None:
    request.wfile.write(b"HTTP/1.1 200 OK\r\n")
    for _ in range(40):
        request.wfile.write(b"X")
        request.wfile.flush()
        time.sleep(0.1)


def _endless(request: BaseHTTPRequestHandler) -> None:
    request.send_response(200)
    request.send_header("Content-Type", "text/html")
    request.end_headers()
    for _ in range(100_000):
        request.wfile.write(b"<p>" + b"a" * 1000 + b"</p>")


def test_one_batch_survives_a_hostile_publisher(ctx: Context, publisher: Publisher) -> None:
    bomb = gzip.compress(b"<p>" + b"A" * 50_000_000)
    stacked = gzip.compress(gzip.compress(b"<p>" + b"B" * 20_000_000))
    huge_text = "<p>" + ("The council met again. " * 55_000) + "</p>"  # 1.2 M characters
    publisher.handlers.update(
        {
            "/bomb": _raw(200, {"Content-Type": "text/html", "Content-Encoding": "gzip"}, bomb),
            "/stacked": _raw(
                200, {"Content-Type": "text/html", "Content-Encoding": "gzip, gzip"}, stacked
            ),
            "/slowloris": _slow_headers,
            "/endless": _endless,
        }
    )
    publisher.page("/huge", article_html("A very long council report", huge_text))
    publisher.page("/binary", b"\x89PNG\r\n\x1a\n" + bytes(2000), kind="text/html")
    publisher.page(
        "/liar",
        article_html("Café society returns").encode("cp1252"),
        kind="text/html; charset=utf-8",
    )
    publisher.page("/good", article_html("A perfectly ordinary article"))
    long_link = "/l/" + "x" * 2100
    paths = ["/bomb", "/stacked", "/slowloris", "/endless", "/huge", "/binary", "/liar", "/good"]
    feed = publisher.feed([(p, p.strip("/")) for p in [*paths, long_link]])
    tight = replace(ctx.settings, fetch_timeout=2.0, fetch_max_bytes=2_000_000, enrich=True)
    hostile = make_context(tight, ctx.engine)
    hostile.clock = ctx.clock
    source_id = add_source(hostile, feed).ids[0]
    started = time.monotonic()
    report = ingest_source(hostile, source_id)
    assert time.monotonic() - started < 60
    with ctx.engine.connect() as conn:
        rows = {r["url"].rsplit("/", 1)[1]: r for r in conn.execute(select(entries)).mappings()}
        stored = set(conn.execute(select(articles.c.url)).scalars())
        errors = source_store.recent_errors(conn, 100)
        counts = entry_store.entry_counts(conn)
    assert {publisher.url + p for p in ("/huge", "/liar", "/good")} == stored
    for name in ("bomb", "stacked", "slowloris", "endless", "binary"):
        assert rows[name]["last_error"], name
        assert rows[name]["state"] == "failed", name
    assert (
        "stacked" in rows["stacked"]["last_error"].lower()
        or "encoding" in rows["stacked"]["last_error"]
    )
    assert len(rows) == 8  # the 2,100-character link is dropped at discovery, with a reason
    assert any("longer than" in d for d in report.polls[0].dropped)
    assert any("left out" in e["message"] and "longer than" in e["message"] for e in errors)
    assert sum(counts.values()) == 8 and counts["stored"] == 3
    assert {e["url"] for e in errors} >= {publisher.url + "/" + n for n in ("bomb", "endless")}
    hostile.fetcher.close()
