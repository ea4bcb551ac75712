"""Politeness: robots.txt (protego, expiry, Crawl-delay), per-host limits, an honest agent."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler

import pytest

from broadsheet.ingest.fetch import Fetcher, FetchError

from .conftest import Route, Site, redirect, respond

Serve = Callable[..., Site]
ROBOTS = b"""User-agent: *
Disallow: /

User-agent: BroadsheetBot
Disallow: /*.pdf$
Disallow: /drafts/*/private
Allow: /
Crawl-delay: 0.4
"""


def pages(robots: bytes | None = ROBOTS, status: int = 200) -> Callable[[int], dict[str, Route]]:
    def table(port: int) -> dict[str, Route]:
        routes: dict[str, Route] = {
            "/page": respond(200, b"<p>page</p>", "text/html"),
            "/other": respond(200, b"<p>other</p>", "text/html"),
            "/file.pdf": respond(200, b"<p>pdf?</p>", "text/html"),
            "/file.pdf.html": respond(200, b"<p>html</p>", "text/html"),
            "/drafts/2025/private": respond(200, b"<p>draft</p>", "text/html"),
            "/drafts/2025/public": respond(200, b"<p>public</p>", "text/html"),
            "/moved": redirect("/page"),
        }
        if robots is not None:
            routes["/robots.txt"] = respond(status, robots, "text/plain")
        return routes

    return table


def fetcher(**options: object) -> Fetcher:
    settings: dict[str, object] = {"allow_hosts": ("127.0.0.1",), "timeout": 2.0, **options}
    return Fetcher(**settings)  # type: ignore[arg-type]


def test_our_group_wildcards_and_end_anchors_are_obeyed(serve: Serve) -> None:
    site = serve(pages())
    with fetcher() as client:
        assert client.fetch_page(site.url + "/page").text == "<p>page</p>"
        assert client.fetch_page(site.url + "/file.pdf.html").text == "<p>html</p>"
        assert client.fetch_page(site.url + "/drafts/2025/public").text == "<p>public</p>"
        for path in ("/file.pdf", "/drafts/2025/private"):
            with pytest.raises(FetchError, match=r"disallowed by robots\.txt") as caught:
                client.fetch_page(site.url + path)
            assert not caught.value.transient
    assert site.hits("/file.pdf") == site.hits("/drafts/2025/private") == 0


def test_crawl_delay_spaces_requests_to_the_host(serve: Serve) -> None:
    site = serve(pages())
    with fetcher() as client:
        assert client.crawl_delay(site.url + "/page") == pytest.approx(0.4)
        client.fetch_page(site.url + "/page")
        client.fetch_page(site.url + "/other")
    first, second = site.arrivals("/page")[0], site.arrivals("/other")[0]
    assert second - first >= 0.38


def test_crawl_delay_is_capped(serve: Serve) -> None:
    site = serve(pages(b"User-agent: *\nCrawl-delay: 3600\n"))
    with fetcher() as client:
        assert client.crawl_delay(site.url + "/page") == 60.0


def test_no_crawl_delay_when_robots_are_ignored(serve: Serve) -> None:
    site = serve(pages())
    with fetcher(obey_robots=False) as client:
        assert client.crawl_delay(site.url + "/page") is None
    assert site.hits("/robots.txt") == 0


def test_robots_txt_expires(serve: Serve) -> None:
    site = serve(pages(b"User-agent: *\nDisallow: /private\n"))
    with fetcher(robots_ttl=0.3) as client:
        client.fetch_page(site.url + "/page")
        client.fetch_page(site.url + "/other")
        assert site.hits("/robots.txt") == 1
        time.sleep(0.35)
        client.fetch_page(site.url + "/page")
    assert site.hits("/robots.txt") == 2


@pytest.mark.parametrize(
    ("status", "allowed"), [(401, False), (403, False), (404, True), (500, True)]
)
def test_robots_txt_status_decides(serve: Serve, status: int, allowed: bool) -> None:
    site = serve(pages(b"User-agent: *\nDisallow: /\n", status))
    with fetcher() as client:
        if allowed:
            assert client.fetch_page(site.url + "/page").text == "<p>page</p>"
        else:
            with pytest.raises(FetchError, match=r"disallowed by robots\.txt"):
                client.fetch_page(site.url + "/page")
    assert site.hits("/page") == (1 if allowed else 0)


def test_oversized_robots_txt_is_not_read(serve: Serve) -> None:
    huge = b"User-agent: *\nDisallow: /page\n" + b"# padding\n" * 60_000
    site = serve(pages(huge))
    with fetcher() as client:
        assert client.fetch_page(site.url + "/page").text == "<p>page</p>"


def test_host_delay_spaces_requests(serve: Serve) -> None:
    site = serve(pages(None))
    with fetcher(host_delay=0.3, obey_robots=False) as client:
        client.fetch_page(site.url + "/moved")  # a redirect hop is a request too
    moved, page = site.arrivals("/moved")[0], site.arrivals("/page")[0]
    assert page - moved >= 0.28


def test_concurrency_per_host_is_limited_across_threads(serve: Serve) -> None:
    in_flight, most = 0, 0
    lock = threading.Lock()

    def busy(handler: BaseHTTPRequestHandler) -> None:
        nonlocal in_flight, most
        with lock:
            in_flight += 1
            most = max(most, in_flight)
        time.sleep(0.15)
        with lock:
            in_flight -= 1
        respond(200, b"<p>done</p>", "text/html")(handler)

    site = serve(lambda port: {"/busy": busy})
    with fetcher(host_concurrency=2) as client, ThreadPoolExecutor(max_workers=6) as pool:
        texts = list(pool.map(lambda _: client.fetch_page(site.url + "/busy").text, range(6)))
    assert texts == ["<p>done</p>"] * 6
    assert most == 2
    assert site.hits("/robots.txt") == 1  # one load shared by the six threads


def test_user_agent_names_a_contact(serve: Serve) -> None:
    site = serve(pages())
    with fetcher(user_agent="BroadsheetBot/0.2", contact_url="https://news.example/bot") as c:
        c.fetch_page(site.url + "/page")
    agents = {agent for _, agent in site.requests}
    assert agents == {"BroadsheetBot/0.2 (+https://news.example/bot)"}


def test_deadline_covers_the_whole_redirect_chain(serve: Serve) -> None:
    def late_redirect(handler: BaseHTTPRequestHandler) -> None:
        time.sleep(0.4)
        redirect("/hop")(handler)

    site = serve(lambda port: {"/hop": late_redirect})
    with fetcher(obey_robots=False, timeout=1.0) as client:
        started = time.monotonic()
        with pytest.raises(FetchError, match="timed out after 1 s"):
            client.fetch_page(site.url + "/hop")
    assert time.monotonic() - started < 1.5
    assert site.hits("/hop") == 3
