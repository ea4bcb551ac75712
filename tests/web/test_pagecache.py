"""The page cache on the real app and database: copies for readers without state, each with
its own form token; readers' own copies never shown to others and renewed by their POSTs;
stale copies served while one render refreshes them; one render for concurrent requests."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import httpx
import lxml.html
import pytest
import uvicorn
from sqlalchemy import Engine, select, update
from starlette.testclient import TestClient

from broadsheet.config import Settings
from broadsheet.models import Article, ArticleDraft, Enrichment, Entity, Source
from broadsheet.store import articles as article_store
from broadsheet.store import sources as source_store
from broadsheet.store.schema import articles
from broadsheet.web.app import create_app

NOW = datetime.now(UTC)
BROWSER = {"user-agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"}


def stored(engine: Engine, n: int) -> int:
    with engine.begin() as conn:
        source = source_store.upsert_source(conn, Source(name="P", feed_url="http://h/f"))
        url = f"http://127.0.0.1/{n}.html"
        draft = ArticleDraft(url, url, f"Headline {n}", "", NOW, "en", "Text.")
        who = [Entity("Ana", "person", "person:ana", 1.0)]
        enrichment = Enrichment(who, [], [], "world", [], [], None, [])
        return article_store.save_article(conn, Article(draft, enrichment, source, fetched_at=NOW))


def app_settings(test_settings: Settings, **changes: object) -> Settings:
    return replace(test_settings, **{"page_cache_seconds": 30.0, **changes})  # type: ignore[arg-type]


@pytest.fixture
def client(engine: Engine, test_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(engine, app_settings(test_settings))) as made:
        yield made


def token_of(html: str) -> str:
    return str(lxml.html.fromstring(html).xpath('//input[@name="csrf"]/@value')[0])


def pressed(html: str, target: str) -> str:
    """The aria-pressed of the page's first follow button for the target."""
    form = lxml.html.fromstring(html).xpath(f'//form[input[@name="target"][@value="{target}"]]')
    return str(form[0].xpath(".//button/@aria-pressed")[0])


def retitle(engine: Engine, article_id: int, title: str) -> None:
    with engine.begin() as conn:
        conn.execute(update(articles).where(articles.c.id == article_id).values(title=title))


def test_readers_without_state_share_a_copy_each_with_their_own_form_token(
    client: TestClient, engine: Engine, test_settings: Settings
) -> None:
    article = stored(engine, 1)
    first = client.get(f"/a/{article}", headers=BROWSER)
    assert first.status_code == 200 and "x-cache" not in first.headers
    retitle(engine, article, "Changed after the copy was made")
    with TestClient(create_app(engine, app_settings(test_settings))) as unrelated:
        assert "Changed after" in unrelated.get(f"/a/{article}").text  # another process
    other = TestClient(client.app)  # a second browser on the same process
    second = other.get(f"/a/{article}", headers=BROWSER)
    assert second.headers["x-cache"] == "hit" and "Headline 1" in second.text
    assert token_of(second.text) != token_of(first.text)
    assert second.headers["content-length"] == str(len(second.content))
    # Each token is its own reader's: it works for them and not for the other browser.
    follow = {"target": "channel:person:ana", "next": f"/a/{article}"}
    refused = other.post("/follow", data={**follow, "csrf": token_of(first.text)})
    assert refused.status_code == 403
    followed = other.post(
        "/follow", data={**follow, "csrf": token_of(second.text)}, follow_redirects=False
    )
    assert followed.status_code == 303 and "bs_state" in followed.cookies
    # Its follow is on the next page it gets (its own copy), not on the shared one.
    mine = other.get(f"/a/{article}", headers=BROWSER)
    assert "x-cache" not in mine.headers and "Changed after" in mine.text
    assert pressed(mine.text, "channel:person:ana") == "true"
    shared = client.get(f"/a/{article}", headers=BROWSER)
    assert shared.headers["x-cache"] == "hit"
    assert pressed(shared.text, "channel:person:ana") == "false"
    # Each of the three browsers' reads was counted once, copies or not; a program's is not.
    client.get(f"/a/{article}", headers={"user-agent": "curl/8.0"})
    with engine.connect() as conn:
        views = conn.execute(select(articles.c.views).where(articles.c.id == article)).scalar()
    assert views == 3


def test_a_signed_in_readers_pages_are_their_own(client: TestClient, engine: Engine) -> None:
    stored(engine, 1)
    token = token_of(client.get("/signup").text)
    form = {"csrf": token, "name": "carol", "password": "long enough password"}
    assert client.post("/signup", data=form, follow_redirects=False).status_code == 303
    assert "carol" in client.get("/foryou").text
    assert client.get("/foryou").headers["x-cache"] == "hit"
    stranger = TestClient(client.app)
    page = stranger.get("/foryou")
    assert "carol" not in page.text and "x-cache" not in page.headers
    # A forged or stale session cookie gets a copy of its own, rendered as anonymous.
    stranger.cookies.set("bs_session", "forged")
    assert "carol" not in stranger.get("/foryou").text


def test_pages_not_kept(client: TestClient, engine: Engine) -> None:
    """Errors on cached paths are never copies, nor keys too long to keep."""
    for path in ("/a/999", "/c/person:nobody", "/s/999.json"):
        client.get(path)
        assert "x-cache" not in client.get(path).headers, path
    long = "/search?q=" + "x" * 2100
    client.get(long)
    assert "x-cache" not in client.get(long).headers


def test_a_stale_copy_is_served_while_it_is_rendered_again(
    engine: Engine, test_settings: Settings
) -> None:
    article = stored(engine, 1)
    settings = app_settings(test_settings, page_cache_seconds=0.2, page_cache_stale_seconds=60.0)
    with TestClient(create_app(engine, settings)) as client:
        client.get(f"/a/{article}.json")
        retitle(engine, article, "Renamed")
        time.sleep(0.3)
        stale = client.get(f"/a/{article}.json")
        assert stale.headers["x-cache"] == "stale" and stale.json()["title"] == "Headline 1"
        deadline = time.monotonic() + 10
        while client.get(f"/a/{article}.json").json()["title"] != "Renamed":
            assert time.monotonic() < deadline, "the background render never replaced the copy"
            time.sleep(0.05)


def test_a_cache_of_no_size_keeps_nothing(engine: Engine, test_settings: Settings) -> None:
    ids = [stored(engine, n) for n in (1, 2)]
    with TestClient(create_app(engine, app_settings(test_settings, page_cache_mb=0))) as client:
        client.get(f"/a/{ids[0]}")
        assert "x-cache" not in client.get(f"/a/{ids[0]}").headers  # 0 MiB: nothing kept


def test_concurrent_requests_for_a_cold_page_render_it_once(
    engine: Engine, test_settings: Settings
) -> None:
    for n in range(1, 4):
        stored(engine, n)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_app(engine, app_settings(test_settings))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)

    async def one() -> httpx.Response:  # a browser of its own each: no cookie yet
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            return await http.get("/a/1")

    async def many() -> list[httpx.Response]:
        return await asyncio.gather(*(one() for _ in range(12)))

    try:
        responses = asyncio.run(many())
    finally:
        server.should_exit = True
        thread.join(10)
    assert {r.status_code for r in responses} == {200}
    assert sum("x-cache" not in r.headers for r in responses) == 1
    assert len({r.content for r in responses}) == 12  # one body, twelve readers' own tokens
