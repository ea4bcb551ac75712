"""Publishers on the real app and database: claiming a publisher's page against a real site on
loopback (a well-known file or a meta tag; refused when the token is missing, wrong, on
another site, expired, or the reader is signed out or sent no CSRF token), the card's edit
with hostile input, feeds added, paused and resumed, the dashboard's numbers against the rows
they count, its SVG charts and JSON twin, corrections on the article page, its history and
JSON, and 403 for everyone but the publisher's managers."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import lxml.etree
import lxml.html
import pytest
from sqlalchemy import Engine, event, insert, select, text, update
from starlette.applications import Starlette
from starlette.testclient import TestClient

from broadsheet.config import load_settings
from broadsheet.models import Article, ArticleDraft, Enrichment, Entity, Source
from broadsheet.store import articles as article_store
from broadsheet.store import sources as source_store
from broadsheet.store.schema import (
    article_views,
    follows,
    ingest_errors,
    publisher_claims,
    publisher_feeds,
    publisher_links,
    publisher_managers,
    sources,
    users,
)
from broadsheet.web.app import create_app

PASSWORD = "correct horse battery"
NOW = datetime.now(UTC)
TODAY = NOW.date()
BROWSER = {"user-agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"}
RSS = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>More</title>'
    b"<link>http://127.0.0.1/</link><description>d</description></channel></rss>"
)


class Site:
    """A publisher's site on a free loopback port, answering what a test put in `pages`:
    path -> (status, headers, body); anything else is a 404."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[int, dict[str, str], bytes]] = {}
        pages = self.pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, headers, body = pages.get(self.path, (404, {}, b"not here"))
                self.send_response(status)
                for name, value in {"Content-Type": "text/plain", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def serve(self, path: str, body: str, content_type: str = "text/plain") -> None:
        self.pages[path] = (200, {"Content-Type": content_type}, body.encode())

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site() -> Iterator[Site]:
    made = Site()
    made.serve(
        "/", "<html><head><title>The Ledger</title></head><body>News</body></html>", "text/html"
    )
    yield made
    made.close()


@pytest.fixture
def other_site() -> Iterator[Site]:
    made = Site()
    yield made
    made.close()


@pytest.fixture
def app(engine: Engine, tmp_path: Path) -> Starlette:
    settings = load_settings(
        environ={},
        data_dir=tmp_path,
        secret_key="publishers-test-secret",
        allow_hosts=("127.0.0.1",),
        host_delay=0.0,
        fetch_timeout=5.0,
        page_cache_seconds=0.0,
    )
    return create_app(engine, settings)


def add_publisher(engine: Engine, home_url: str, name: str = "The Ledger") -> int:
    with engine.begin() as conn:
        return source_store.upsert_source(
            conn, Source(name=name, feed_url=f"{home_url}feed-{name}.xml", home_url=home_url)
        )


@pytest.fixture
def publisher(engine: Engine, site: Site) -> int:
    return add_publisher(engine, site.url + "/")


def add_article(
    engine: Engine, source_id: int, slug: str, published: datetime, **extra: Any
) -> int:
    url = f"http://127.0.0.1/{source_id}/{slug}.html"
    entity = Entity("Dana Reyes", "person", "person:dana-reyes", 0.8)
    draft = ArticleDraft(url, url, f"Story {slug}", "", published, "en", f"Text of {slug}.")
    enrichment = Enrichment([entity], [], [], "politics", [], [], None, [])
    with engine.begin() as conn:
        return article_store.save_article(
            conn, Article(draft, enrichment, source_id, fetched_at=NOW, **extra)
        )


def csrf(client: TestClient, path: str = "/signup") -> str:
    response = client.get(path)
    assert response.status_code == 200, response.text
    return str(lxml.html.fromstring(response.text).xpath('//input[@name="csrf"]/@value')[0])


def post(client: TestClient, path: str, form: dict[str, str], page: str = "/signup") -> Any:
    return client.post(path, data={"csrf": csrf(client, page), **form})


def sign_up(client: TestClient, name: str) -> None:
    response = post(client, "/signup", {"name": name, "password": PASSWORD})
    assert response.status_code == 303, response.text


def start_claim(client: TestClient, publisher_id: int) -> str:
    """Claim the publisher; the token its claim page shows."""
    response = post(client, f"/publishers/{publisher_id}/claim", {}, "/publishers/claim")
    assert response.status_code == 303, response.text
    page = client.get(f"/publishers/{publisher_id}/claim")
    assert page.status_code == 200
    (token,) = lxml.html.fromstring(page.text).xpath('//code[@id="claim-token"]/text()')
    return str(token)


def verify(client: TestClient, publisher_id: int) -> Any:
    return post(client, f"/publishers/{publisher_id}/verify", {}, "/publishers/claim")


def error_of(response: Any) -> str:
    (found,) = lxml.html.fromstring(response.text).xpath('//*[@class="form-error"]')
    return " ".join(found.text_content().split())


def make_manager(client: TestClient, name: str, publisher_id: int, site: Site) -> None:
    sign_up(client, name)
    site.serve("/.well-known/broadsheet-verification.txt", start_claim(client, publisher_id))
    assert verify(client, publisher_id).status_code == 303


def managers_of(engine: Engine, publisher_id: int) -> dict[str, str]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(users.c.name, publisher_managers.c.method)
            .join(users, users.c.id == publisher_managers.c.user_id)
            .where(publisher_managers.c.source_id == publisher_id)
        )
        return {name: method for name, method in rows}


# -- claiming ---------------------------------------------------------------------------------


def test_the_top_bar_links_publishers_to_the_claim_page(readers: Any, publisher: int) -> None:
    reader = readers()
    home = lxml.html.fromstring(reader.get("/").text)
    (link,) = home.xpath('//nav[@class="audiences"]/a[text()="Publishers"]/@href')
    assert link == "/publishers/claim"
    found = lxml.html.fromstring(reader.get("/publishers/claim?q=ledger").text)
    assert found.xpath("//ul[@class='claim-results']//a/@href") == [
        f"/publishers/{publisher}/claim"
    ]


def test_claim_by_the_well_known_file(
    readers: Any, engine: Engine, site: Site, publisher: int
) -> None:
    reader = readers()
    sign_up(reader, "editor")
    token = start_claim(reader, publisher)
    assert token.startswith("broadsheet-verify-") and len(token) > 40
    assert reader.get(f"/publishers/{publisher}/dashboard").status_code == 403
    site.serve("/.well-known/broadsheet-verification.txt", f"{token}\n")
    response = verify(reader, publisher)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"/publishers/{publisher}/dashboard"
    assert managers_of(engine, publisher) == {"editor": "well-known"}
    assert reader.get(f"/publishers/{publisher}/dashboard").status_code == 200
    with engine.connect() as conn:  # the token itself is never stored
        (nonce,) = conn.execute(select(publisher_claims.c.nonce)).one()
    assert nonce not in token and token.removeprefix("broadsheet-verify-") not in nonce


def test_claim_by_a_meta_tag_on_the_home_page(
    readers: Any, engine: Engine, site: Site, publisher: int
) -> None:
    reader = readers()
    sign_up(reader, "metaeditor")
    token = start_claim(reader, publisher)
    site.serve(
        "/",
        f'<html><head><meta name="broadsheet-verification" content="{token}"></head></html>',
        "text/html",
    )
    assert verify(reader, publisher).status_code == 303
    assert managers_of(engine, publisher) == {"metaeditor": "meta"}


def test_claim_refused_without_the_token_on_the_site(
    readers: Any, engine: Engine, site: Site, publisher: int
) -> None:
    reader = readers()
    sign_up(reader, "hopeful")
    start_claim(reader, publisher)
    response = verify(reader, publisher)
    assert response.status_code == 400
    message = error_of(response)
    assert "well-known/broadsheet-verification.txt could not be reached (HTTP 404)" in message
    assert "does not contain your token" in message
    assert managers_of(engine, publisher) == {}
    assert reader.get(f"/publishers/{publisher}/dashboard").status_code == 403
    # Every try fetches the site again: after ten failures in 15 minutes, a pause.
    for _ in range(9):
        assert verify(reader, publisher).status_code == 400
    paused = verify(reader, publisher)
    assert paused.status_code == 429 and "Wait fifteen minutes" in error_of(paused)


def test_claim_refused_with_another_readers_token(
    readers: Any, engine: Engine, site: Site, publisher: int
) -> None:
    owner, intruder = readers(), readers()
    sign_up(owner, "owner")
    sign_up(intruder, "intruder")
    owners_token = start_claim(owner, publisher)
    intruders_token = start_claim(intruder, publisher)
    assert owners_token != intruders_token  # tied to the reader
    site.serve("/.well-known/broadsheet-verification.txt", owners_token)
    assert verify(intruder, publisher).status_code == 400
    assert "does not contain your token" in error_of(verify(intruder, publisher))
    assert verify(owner, publisher).status_code == 303
    assert managers_of(engine, publisher) == {"owner": "well-known"}


def test_claim_refused_with_a_token_of_another_publisher(
    readers: Any, engine: Engine, site: Site, other_site: Site, publisher: int
) -> None:
    other = add_publisher(engine, other_site.url + "/", "The Other")
    reader = readers()
    sign_up(reader, "twosites")
    token_for_other = start_claim(reader, other)
    start_claim(reader, publisher)
    site.serve("/.well-known/broadsheet-verification.txt", token_for_other)
    assert verify(reader, publisher).status_code == 400
    assert managers_of(engine, publisher) == {}


def test_claim_refused_when_the_token_is_on_another_site(
    readers: Any, engine: Engine, site: Site, other_site: Site, publisher: int
) -> None:
    reader = readers()
    sign_up(reader, "elsewhere")
    token = start_claim(reader, publisher)
    other_site.serve("/.well-known/broadsheet-verification.txt", token)
    other_site.serve("/", f'<meta name="broadsheet-verification" content="{token}">', "text/html")
    assert verify(reader, publisher).status_code == 400  # the publisher's own site has none
    # Nor when the publisher's site sends us there.
    for path in ("/.well-known/broadsheet-verification.txt", "/"):
        site.pages[path] = (302, {"Location": other_site.url + path}, b"")
    response = verify(reader, publisher)
    assert response.status_code == 400
    assert f"sent us to another site, {other_site.url}" in error_of(response)
    assert managers_of(engine, publisher) == {}


def test_claim_refused_when_the_site_cannot_be_reached(readers: Any, engine: Engine) -> None:
    closed = Site()
    closed.close()  # nothing listens on its port any more
    publisher = add_publisher(engine, closed.url + "/")
    reader = readers()
    sign_up(reader, "offline")
    start_claim(reader, publisher)
    response = verify(reader, publisher)
    assert response.status_code == 400
    assert "could not be reached (connection failed" in error_of(response)


def test_claim_refused_once_expired(
    readers: Any, engine: Engine, site: Site, publisher: int
) -> None:
    reader = readers()
    sign_up(reader, "slowpoke")
    old_token = start_claim(reader, publisher)
    site.serve("/.well-known/broadsheet-verification.txt", old_token)
    with engine.begin() as conn:
        conn.execute(update(publisher_claims).values(expires_at=NOW - timedelta(seconds=1)))
    response = verify(reader, publisher)
    assert response.status_code == 400
    assert "expired" in error_of(response)
    assert managers_of(engine, publisher) == {}
    new_token = start_claim(reader, publisher)  # a new claim, a new token
    assert new_token != old_token
    with engine.connect() as conn:
        expiry = (
            conn.execute(
                select(publisher_claims.c.expires_at).order_by(publisher_claims.c.id.desc())
            )
            .scalars()
            .first()
        )
    left = expiry.replace(tzinfo=UTC) - datetime.now(UTC)
    assert timedelta(days=6, hours=23) < left <= timedelta(days=7)


def test_claim_refused_when_signed_out_or_without_csrf(
    readers: Any, engine: Engine, site: Site, publisher: int
) -> None:
    stranger = readers()
    page = stranger.get(f"/publishers/{publisher}/claim")
    assert page.status_code == 200 and "Sign in" in page.text
    assert not lxml.html.fromstring(page.text).xpath("//form[@class='claim-form']")
    assert post(stranger, f"/publishers/{publisher}/claim", {}).status_code == 403
    assert post(stranger, f"/publishers/{publisher}/verify", {}).status_code == 403
    reader = readers()
    sign_up(reader, "forgetful")
    assert reader.post(f"/publishers/{publisher}/claim", data={}).status_code == 403
    forged = {"csrf": "not-a-token"}
    assert reader.post(f"/publishers/{publisher}/claim", data=forged).status_code == 403
    with engine.connect() as conn:
        assert conn.execute(select(publisher_claims.c.id)).first() is None
    token = start_claim(reader, publisher)
    site.serve("/.well-known/broadsheet-verification.txt", token)
    assert reader.post(f"/publishers/{publisher}/verify", data={}).status_code == 403
    assert managers_of(engine, publisher) == {}


def test_several_managers_and_only_the_first_sees_the_others(
    readers: Any, engine: Engine, site: Site, publisher: int
) -> None:
    first, second = readers(), readers()
    make_manager(first, "first-editor", publisher, site)
    make_manager(second, "second-editor", publisher, site)
    assert managers_of(engine, publisher) == {
        "first-editor": "well-known",
        "second-editor": "well-known",
    }
    listed = lxml.html.fromstring(first.get(f"/publishers/{publisher}/manage").text)
    names = [
        " ".join(li.text_content().split()) for li in listed.xpath("//ul[@class='managers']/li")
    ]
    assert [n.split()[0] for n in names] == ["first-editor", "second-editor"]
    hidden = lxml.html.fromstring(second.get(f"/publishers/{publisher}/manage").text)
    assert hidden.xpath("//*[@data-section='publisher-card-form']")
    assert not hidden.xpath("//ul[@class='managers']")


# -- manager pages ----------------------------------------------------------------------------


@pytest.fixture
def editor(readers: Any, site: Site, publisher: int) -> TestClient:
    """A browser signed in as the publisher's manager."""
    client: TestClient = readers()
    make_manager(client, "editor", publisher, site)
    return client


def test_everyone_but_a_manager_gets_403(
    readers: Any, engine: Engine, site: Site, publisher: int, editor: TestClient
) -> None:
    article = add_article(engine, publisher, "only", NOW)
    stranger, reader = readers(), readers()
    sign_up(reader, "nosy")
    gets = ["dashboard", "dashboard.json", "manage"]
    posts = {
        "card": {"name": "Taken over"},
        "feeds": {"feed_url": site.url + "/feed2.xml"},
        f"feeds/{publisher}": {"action": "pause"},
        "corrections": {"article": str(article), "text": "Not ours to say"},
    }
    for client in (stranger, reader):
        for path in gets:
            assert client.get(f"/publishers/{publisher}/{path}").status_code == 403, path
        for path, form in posts.items():
            response = post(client, f"/publishers/{publisher}/{path}", form)
            assert response.status_code == 403, path
    assert editor.get(f"/publishers/{publisher}/dashboard.json").status_code == 200
    assert stranger.get(f"/publishers/{publisher}/dashboard.json").json()["status"] == 403
    with engine.connect() as conn:
        row = conn.execute(select(sources).where(sources.c.id == publisher)).mappings().one()
        assert conn.execute(select(publisher_feeds.c.source_id)).first() is None
    assert row["name"] == "The Ledger" and row["paused_at"] is None
    assert editor.get(f"/a/{article}.json").json()["corrections"] == []
    # A manager of one publisher is a stranger to another.
    other = add_publisher(engine, "http://127.0.0.1:9/", "Someone Else")
    assert editor.get(f"/publishers/{other}/manage").status_code == 403
    assert editor.get("/publishers/999999/manage").status_code == 404


def save_card(client: TestClient, publisher: int, **fields: str) -> Any:
    page = f"/publishers/{publisher}/manage"
    return post(client, f"/publishers/{publisher}/card", fields, page)


def test_card_edit_renders_hostile_input_inert(
    editor: TestClient, engine: Engine, publisher: int
) -> None:
    about = 'We report.<script>alert("about")</script><img src=x onerror=alert(1)>'
    response = save_card(
        editor,
        publisher,
        name='Ledger <script>alert("name")</script>',
        logo_url="https://cdn.example/logo.png",
        home_city="Chicago, IL",
        about=about,
        link_label_1="Tips",
        link_url_1="https://ledger.example/tips",
        link_label_2="",
        link_url_2="",
        link_label_3="Newsletter",
        link_url_3="https://ledger.example/news",
    )
    assert response.status_code == 303, response.text
    for path in (f"/p/{publisher}", f"/publishers/{publisher}/manage"):
        html = editor.get(path).text
        doc = lxml.html.fromstring(html)
        assert not doc.xpath("//script[not(@src)]") and not doc.xpath("//*[@onerror]")
        assert 'alert("about")' in doc.text_content()  # shown as text
        logos = doc.xpath("//img[contains(@class, 'logo')]/@src")
        assert logos and all(src.startswith("/img?") for src in logos)  # never hot-linked
        assert "https://cdn.example/logo.png" not in doc.xpath("//img/@src")
    manage = lxml.html.fromstring(editor.get(f"/publishers/{publisher}/manage").text)
    assert manage.xpath("//ul[@class='publisher-links']//a/@href") == [
        "https://ledger.example/tips",
        "https://ledger.example/news",
    ]
    card = lxml.html.fromstring(editor.get(f"/p/{publisher}").text)  # the public card too
    assert card.xpath("//*[@data-section='publisher-card']//ul//a/@href") == [
        "https://ledger.example/tips",
        "https://ledger.example/news",
    ]
    assert editor.get(f"/p/{publisher}.json").json()["publisher"]["links"] == [
        {"label": "Tips", "url": "https://ledger.example/tips"},
        {"label": "Newsletter", "url": "https://ledger.example/news"},
    ]
    with engine.connect() as conn:
        stored = conn.execute(select(sources).where(sources.c.id == publisher)).mappings().one()
        links = conn.execute(select(publisher_links.c.label).order_by("position")).scalars().all()
    assert stored["about"] == about and stored["home_city"] == "Chicago, IL"
    assert links == ["Tips", "Newsletter"]


@pytest.mark.parametrize(
    ("fields", "why"),
    [
        ({"name": "Ledger", "link_url_1": "javascript:alert(1)"}, "Link 1 must be an http"),
        ({"name": "Ledger", "link_url_2": "data:text/html,<b>x</b>"}, "Link 2 must be an http"),
        ({"name": "Ledger", "logo_url": "javascript:alert(1)"}, "The logo must be"),
        ({"name": "N" * 301}, "The name is 301 characters; at most 300 fit."),
        ({"name": "Ledger", "about": "a" * 2001}, "The about is 2,001 characters"),
        ({"name": "Ledger", "home_city": "c" * 201}, "The home city is 201 characters"),
        ({"name": "   "}, "The name is empty"),
    ],
)
def test_card_edit_refuses_bad_values(
    editor: TestClient, engine: Engine, publisher: int, fields: dict[str, str], why: str
) -> None:
    response = save_card(editor, publisher, **fields)
    assert response.status_code == 400
    assert why in error_of(response)
    doc = lxml.html.fromstring(response.text)
    assert not doc.xpath("//a[starts-with(@href, 'javascript:')]")
    with engine.connect() as conn:
        name = conn.execute(select(sources.c.name).where(sources.c.id == publisher)).scalar_one()
        assert conn.execute(select(publisher_links.c.url)).first() is None
    assert name == "The Ledger"


def test_feeds_added_on_the_site_only_and_paused_and_resumed(
    editor: TestClient, engine: Engine, site: Site, other_site: Site, publisher: int
) -> None:
    page = f"/publishers/{publisher}/manage"
    site.serve("/more.xml", RSS.decode(), "application/rss+xml")
    other_site.serve("/feed.xml", RSS.decode(), "application/rss+xml")
    off_site = post(
        editor, f"/publishers/{publisher}/feeds", {"feed_url": other_site.url + "/feed.xml"}, page
    )
    assert off_site.status_code == 400 and "must be on your site" in error_of(off_site)
    not_a_feed = post(editor, f"/publishers/{publisher}/feeds", {"feed_url": site.url + "/"}, page)
    assert not_a_feed.status_code == 400 and "is not an RSS" in error_of(not_a_feed)
    added = post(
        editor, f"/publishers/{publisher}/feeds", {"feed_url": site.url + "/more.xml"}, page
    )
    assert added.status_code == 303, added.text
    with engine.connect() as conn:
        (feed_id,) = conn.execute(select(publisher_feeds.c.source_id)).one()
        row = conn.execute(select(sources).where(sources.c.id == feed_id)).mappings().one()
    assert row["feed_url"] == site.url + "/more.xml" and row["name"] == "The Ledger"
    again = post(
        editor, f"/publishers/{publisher}/feeds", {"feed_url": site.url + "/more.xml"}, page
    )
    assert again.status_code == 400 and "already read" in error_of(again)
    listed = lxml.html.fromstring(editor.get(page).text).xpath(
        "//ul[@class='manage-feeds']/li/@data-feed"
    )
    assert listed == [str(publisher), str(feed_id)]
    paused = post(editor, f"/publishers/{publisher}/feeds/{feed_id}", {"action": "pause"}, page)
    assert paused.status_code == 303
    with engine.connect() as conn:
        assert source_store.poll_state(conn, feed_id).paused  # type: ignore[union-attr]
        assert feed_id not in source_store.due_sources(conn, NOW + timedelta(days=1))
    post(editor, f"/publishers/{publisher}/feeds/{feed_id}", {"action": "resume"}, page)
    with engine.connect() as conn:
        assert not source_store.poll_state(conn, feed_id).paused  # type: ignore[union-attr]
    # The added feed is part of its publisher: claiming it means claiming the publisher.
    claimed = editor.get(f"/publishers/{feed_id}/claim")
    assert (claimed.status_code, claimed.headers["location"]) == (
        303,
        f"/publishers/{publisher}/claim",
    )
    stranger_feed = add_publisher(engine, "http://127.0.0.1:9/", "Not Theirs")
    refused = post(
        editor, f"/publishers/{publisher}/feeds/{stranger_feed}", {"action": "pause"}, page
    )
    assert refused.status_code == 404


# -- the dashboard ----------------------------------------------------------------------------


def day_start(days_ago: int) -> datetime:
    return datetime.combine(TODAY - timedelta(days=days_ago), time(12), UTC)


@pytest.fixture
def counted(engine: Engine, publisher: int, editor: TestClient) -> dict[str, Any]:
    """Articles, reads and follows on known days, and what the dashboard must count."""
    ids = [
        add_article(engine, publisher, f"a{i}", day_start(n)) for i, n in enumerate((0, 0, 3, 40))
    ]
    other = add_publisher(engine, "http://127.0.0.1:9/", "Other Paper")
    elsewhere = add_article(engine, other, "x", day_start(0))
    with engine.begin() as conn:
        user_ids = [
            int(
                conn.execute(
                    insert(users).values(name=f"r{n}", password_hash="x", created_at=NOW)
                ).inserted_primary_key[0]
            )  # type: ignore[index]
            for n in range(4)
        ]
        reads = [
            (ids[0], 0, 1),
            (ids[0], 1, 1),
            (ids[1], 2, 1),
            (ids[2], 3, 2),
            (ids[3], 0, 35),
            (elsewhere, 1, 1),
        ]
        for article_id, reader, days_ago in reads:
            assert article_store.record_view(
                conn, article_id, f"user:{user_ids[reader]}", day_start(days_ago)
            )
        for reader, days_ago in ((0, 40), (1, 5), (2, 5), (3, 0)):
            conn.execute(
                insert(follows).values(
                    user_id=user_ids[reader],
                    target=f"source:{publisher}",
                    created_at=day_start(days_ago),
                )
            )
        conn.execute(
            insert(follows).values(
                user_id=user_ids[0], target=f"source:{other}", created_at=day_start(0)
            )
        )
        conn.execute(
            insert(ingest_errors).values(
                source_id=publisher,
                url="http://127.0.0.1/broken.html",
                stage="fetch",
                message="HTTP 500 <script>x</script>",
                created_at=NOW,
            )
        )
    return {"ids": ids}


def test_dashboard_counts_what_the_rows_say(
    editor: TestClient, publisher: int, counted: dict[str, Any]
) -> None:
    data = editor.get(f"/publishers/{publisher}/dashboard.json").json()
    days = {d["date"]: d for d in data["days"]}
    assert len(data["days"]) == 30 and data["to"] == TODAY.isoformat()
    assert data["from"] == (TODAY - timedelta(days=29)).isoformat()

    def on(n: int) -> dict[str, int]:
        return days[(TODAY - timedelta(days=n)).isoformat()]

    assert on(0)["posts"] == 2 and on(3)["posts"] == 1
    assert sum(d["posts"] for d in data["days"]) == 3  # the 40-day-old one is out of range
    assert on(1)["views"] == 3 and on(2)["views"] == 1
    assert sum(d["views"] for d in data["days"]) == 4  # not the other paper's, not 35 days ago
    assert on(29)["followers"] == 1  # followed 40 days ago
    assert on(5)["new_followers"] == 2 and on(5)["followers"] == 3
    assert on(0)["new_followers"] == 1 and on(0)["followers"] == 4
    assert data["totals"] == {"followers": 4, "posts": 4, "views": 5}
    top = data["top_articles"]
    assert (top[0]["id"], top[0]["views"]) == (counted["ids"][0], 2)
    assert sorted(a["id"] for a in top) == sorted(counted["ids"])
    assert [a["views"] for a in top] == [2, 1, 1, 1]
    assert data["channels"][0] == {  # the articles of the 30 days, not the 40-day-old one
        "key": "person:dana-reyes",
        "name": "Dana Reyes",
        "kind": "person",
        "articles": 3,
    }
    assert data["errors"][0]["message"] == "HTTP 500 <script>x</script>"
    assert [f["id"] for f in data["feeds"]] == [publisher]
    assert set(data) == {
        "publisher",
        "from",
        "to",
        "days",
        "totals",
        "top_articles",
        "channels",
        "stories",
        "feeds",
        "errors",
    }
    assert set(data["days"][0]) == {"date", "followers", "new_followers", "posts", "views"}


def test_dashboard_page_draws_the_same_numbers_as_svg_and_a_table(
    editor: TestClient, publisher: int, counted: dict[str, Any]
) -> None:
    response = editor.get(f"/publishers/{publisher}/dashboard")
    assert response.status_code == 200
    data = editor.get(f"/publishers/{publisher}/dashboard.json").json()
    doc = lxml.html.fromstring(response.text)
    rows = doc.xpath("//table[@class='dashboard-days']/tbody/tr")
    table = [[c.text_content() for c in row.xpath("th|td")] for row in rows]
    assert table == [
        [d["date"], str(d["followers"]), str(d["new_followers"]), str(d["posts"]), str(d["views"])]
        for d in data["days"]
    ]
    svgs = re.findall(r"<svg\b.*?</svg>", response.text, flags=re.S)
    assert len(svgs) == 3
    for svg in svgs:
        root = lxml.etree.fromstring(svg.encode())  # well-formed XML, or this raises
        ns = {"s": "http://www.w3.org/2000/svg"}
        assert root.get("role") == "img"
        assert root.find("s:title", ns) is not None and root.find("s:desc", ns) is not None
    views_svg = lxml.etree.fromstring(next(s for s in svgs if "Views per day" in s).encode())
    bars = views_svg.findall("{http://www.w3.org/2000/svg}rect")
    assert len(bars) == 30
    heights = [float(bar.get("height")) for bar in bars]
    assert heights[-2] == max(heights) > heights[-3] > 0 and heights[-1] == 0  # 3, 1, 0 views
    assert [bar.findtext("{http://www.w3.org/2000/svg}title") for bar in bars][-2] == (
        f"{(TODAY - timedelta(days=1)).isoformat()}: 3 views"
    )
    assert "HTTP 500 <script>x</script>" in doc.text_content()
    assert not doc.xpath("//script[not(@src)]")


def test_dashboard_reads_indexes_not_every_article(
    editor: TestClient, engine: Engine, publisher: int, counted: dict[str, Any]
) -> None:
    sqlite = engine.dialect.name == "sqlite"
    statements: list[tuple[str, Any]] = []

    def keep(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        assert editor.get(f"/publishers/{publisher}/dashboard.json").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    big = ("articles", "article_views", "follows", "article_channels", "ingest_errors")
    scans = []
    # SQLite says SCAN for a full read; PostgreSQL, told to avoid sequential scans (its
    # planner reads tiny tables whole), still says Seq Scan where no index can serve.
    explain, full = ("EXPLAIN QUERY PLAN ", "SCAN") if sqlite else ("EXPLAIN ", r".*Seq Scan on")
    with engine.connect() as conn:
        if not sqlite:
            conn.exec_driver_sql("SET enable_seqscan = off")
        for statement, parameters in statements:
            plan = conn.exec_driver_sql(explain + statement, parameters).all()
            scans += [row[-1] for row in plan if re.match(rf"{full} ({'|'.join(big)})\b", row[-1])]
    assert len(statements) > 8 and scans == []


# -- corrections ------------------------------------------------------------------------------


def test_corrections_show_on_the_article_its_history_and_json(
    editor: TestClient, readers: Any, engine: Engine, publisher: int
) -> None:
    article = add_article(engine, publisher, "fixme", NOW)
    page = f"/publishers/{publisher}/manage"
    note = "An earlier version misnamed the alderman. <script>alert(1)</script>"
    response = post(
        editor,
        f"/publishers/{publisher}/corrections",
        {"article": str(article), "text": note},
        page,
    )
    assert response.status_code == 303, response.text
    reader = readers()  # anyone sees it
    doc = lxml.html.fromstring(reader.get(f"/a/{article}").text)
    (part,) = doc.xpath("//*[@data-section='correction']")
    assert note in part.text_content() and not part.xpath(".//script")
    headline = doc.xpath("//h1[@id='headline']")[0]
    assert headline.getnext().get("class") == "byline"
    assert headline.getnext().getnext() is part  # right under the byline
    history = lxml.html.fromstring(reader.get(f"/a/{article}/revisions").text)
    (listed,) = history.xpath("//*[@data-section='corrections']//li")
    assert note in listed.text_content() and listed.xpath(".//time/@datetime")
    corrections = reader.get(f"/a/{article}.json").json()["corrections"]
    assert [c["text"] for c in corrections] == [note]
    assert datetime.fromisoformat(corrections[0]["created_at"]) > NOW - timedelta(minutes=1)
    assert reader.get(f"/a/{article}/revisions.json").json()["corrections"] == corrections


def test_corrections_refused_on_other_articles_and_when_too_long(
    editor: TestClient, engine: Engine, publisher: int
) -> None:
    mine = add_article(engine, publisher, "mine", NOW)
    other = add_publisher(engine, "http://127.0.0.1:9/", "Rival")
    theirs = add_article(engine, other, "theirs", NOW)
    page = f"/publishers/{publisher}/manage"
    path = f"/publishers/{publisher}/corrections"
    assert post(editor, path, {"article": str(theirs), "text": "Gotcha"}, page).status_code == 400
    too_long = post(editor, path, {"article": str(mine), "text": "x" * 1001}, page)
    assert too_long.status_code == 400 and "1,001 characters" in error_of(too_long)
    assert post(editor, path, {"article": str(mine), "text": "  "}, page).status_code == 400
    assert post(editor, path, {"article": "9" * 30, "text": "Fix"}, page).status_code == 400
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM article_corrections")).scalar_one() == 0
    assert post(editor, path, {"article": str(mine), "text": "x" * 1000}, page).status_code == 303


def test_views_counted_by_the_site_reach_the_dashboard(
    editor: TestClient, readers: Any, engine: Engine, publisher: int
) -> None:
    article = add_article(engine, publisher, "read-me", NOW)
    for _ in range(3):
        readers().get(f"/a/{article}", headers=BROWSER)  # three readers, each a first read
    with engine.connect() as conn:
        stored = conn.execute(
            select(article_views.c.reader).where(article_views.c.article_id == article)
        ).all()
    data = editor.get(f"/publishers/{publisher}/dashboard.json").json()
    assert data["days"][-1]["views"] == len(stored) == 3
    assert data["top_articles"][0] == {
        "id": article,
        "title": "Story read-me",
        "published": data["top_articles"][0]["published"],
        "views": 3,
    }
