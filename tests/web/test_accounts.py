"""Accounts on the real app and database: sign up, sign in (rate-limited), sign out, CSRF,
follows (anonymous ones merged at sign-up), password reset from the log, settings, export,
deletion."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from sqlalchemy import Engine, func, select
from starlette.testclient import TestClient

from broadsheet.config import Settings, load_settings
from broadsheet.models import Article, ArticleDraft, Enrichment, Source
from broadsheet.store import articles as article_store
from broadsheet.store import sources as source_store
from broadsheet.store.schema import articles, follows, users
from broadsheet.web.app import create_app

PASSWORD = "correct horse battery"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(environ={}, data_dir=tmp_path, secret_key="accounts-test-secret")


@pytest.fixture
def source_id(engine: Engine) -> int:
    with engine.begin() as conn:
        return source_store.upsert_source(
            conn, Source(name="The Ledger", feed_url="http://127.0.0.1/feed.xml")
        )


@pytest.fixture
def client(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(engine, settings), follow_redirects=False) as made:
        yield made


def csrf_of(client: TestClient, path: str) -> str:
    """The CSRF token of the first form of a page (the page also sets the reader cookie)."""
    response = client.get(path)
    assert response.status_code == 200, response.text
    return str(lxml.html.fromstring(response.text).xpath('//input[@name="csrf"]/@value')[0])


def post(client: TestClient, path: str, form: dict[str, str], token_from: str = "/signin") -> Any:
    return client.post(path, data={"csrf": csrf_of(client, token_from), **form})


def sign_up(client: TestClient, name: str = "ana") -> Any:
    return post(client, "/signup", {"name": name, "password": PASSWORD}, "/signup")


def follower_count(engine: Engine, target: str) -> int:
    with engine.connect() as conn:
        query = select(func.count()).select_from(follows).where(follows.c.target == target)
        return int(conn.execute(query).scalar_one())


def test_sign_up_in_and_out_with_signed_cookies(client: TestClient, engine: Engine) -> None:
    response = sign_up(client, "Ana")
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "bs_session=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    header = lxml.html.fromstring(client.get("/").text).xpath('//nav[@class="account-links"]')[0]
    assert header.xpath(".//a")[0].text == "ana" and "Sign out" in header.text_content()
    with engine.connect() as conn:
        stored = conn.execute(select(users.c.name, users.c.password_hash)).one()
    assert stored.name == "ana" and stored.password_hash.startswith("$argon2id$")
    assert PASSWORD not in stored.password_hash
    assert sign_up(client, "ANA").status_code == 409  # names are one per person, any case
    assert post(client, "/signout", {}, "/").status_code == 303
    client.cookies.delete("bs_session")
    assert "Sign in" in client.get("/").text
    assert post(client, "/signin", {"name": "ana", "password": "wrong password"}).status_code == 401
    assert post(client, "/signin", {"name": "ana", "password": PASSWORD}).status_code == 303
    assert ">ana<" in client.get("/").text


def test_a_forged_session_cookie_is_nobody(client: TestClient) -> None:
    sign_up(client)
    value = client.cookies.get("bs_session") or ""
    client.cookies.delete("bs_session")
    client.cookies.set("bs_session", value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    assert "Sign in" in client.get("/").text


def test_forms_need_the_token_of_the_readers_own_cookie(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    no_token = client.post("/signup", data={"name": "ana", "password": PASSWORD})
    assert no_token.status_code == 403
    with TestClient(create_app(engine, settings), follow_redirects=False) as other:
        stolen = csrf_of(other, "/signup")  # another browser's token
    response = client.post("/signup", data={"csrf": stolen, "name": "ana", "password": PASSWORD})
    assert response.status_code == 403
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(users)).scalar_one() == 0


def test_sign_in_is_rate_limited(client: TestClient) -> None:
    sign_up(client)
    client.cookies.delete("bs_session")
    for _ in range(5):
        assert post(client, "/signin", {"name": "ana", "password": "nope nope"}).status_code == 401
    # Even the right password waits now.
    assert post(client, "/signin", {"name": "ana", "password": PASSWORD}).status_code == 429


def test_anonymous_follows_merge_into_the_new_account(
    client: TestClient, engine: Engine, source_id: int
) -> None:
    target = f"source:{source_id}"
    page = f"/p/{source_id}"
    assert post(client, "/follow", {"target": target, "next": page}, page).status_code == 303
    assert "Following" in client.get(page).text and follower_count(engine, target) == 0
    sign_up(client)
    assert follower_count(engine, target) == 1
    assert client.get(f"/p/{source_id}.json").json()["publisher"]["followers"] == 1
    assert post(client, "/unfollow", {"target": target}, page).status_code == 303
    assert follower_count(engine, target) == 0
    nothing = post(client, "/follow", {"target": "source:999999"}, page)
    assert nothing.status_code == 404


def test_password_reset_link_from_the_log_works_once(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    sign_up(client)
    old_session = client.cookies.get("bs_session")
    with caplog.at_level(logging.WARNING, logger="broadsheet.web.accounts"):
        post(client, "/reset", {"name": "ana"}, "/reset")
        post(client, "/reset", {"name": "nobody"}, "/reset")  # the same answer, no link
    links = re.findall(r"/reset/\S+", caplog.text)
    assert len(links) == 1
    new = {"password": "a whole new password"}
    assert post(client, links[0], new, links[0]).status_code == 303
    assert client.get(links[0]).status_code == 400  # used: the password changed
    client.cookies.delete("bs_session")
    client.cookies.set("bs_session", old_session or "")
    assert "Sign in" in client.get("/").text  # the old session ended with the old password
    assert post(client, "/signin", {"name": "ana", **new}).status_code == 303


def test_settings_mutes_export_and_deletion(
    client: TestClient, engine: Engine, source_id: int
) -> None:
    assert client.get("/settings").headers["location"] == "/signin?next=/settings"
    sign_up(client)
    post(client, "/settings", {"action": "mute", "target": f"source:{source_id}"}, "/settings")
    post(client, "/follow", {"target": f"source:{source_id}"}, "/settings")
    export = client.get("/settings/export.json").json()
    assert export["name"] == "ana" and "password_hash" not in export
    assert [m["target"] for m in export["mutes"]] == [f"source:{source_id}"]
    assert [f["target"] for f in export["follows"]] == [f"source:{source_id}"]
    wrong = post(client, "/settings", {"action": "delete", "password": "not it"}, "/settings")
    assert "Wrong" in wrong.headers["location"]
    post(client, "/settings", {"action": "delete", "password": PASSWORD}, "/settings")
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(users)).scalar_one() == 0
    assert follower_count(engine, f"source:{source_id}") == 0
    assert "Sign in" in client.get("/").text


def test_views_count_each_reader_once_and_no_bots(
    client: TestClient, engine: Engine, settings: Settings, source_id: int
) -> None:
    url = "http://127.0.0.1/read.html"
    draft = ArticleDraft(url, url, "Read me", "", None, "en", "Text.")
    article = Article(draft, Enrichment([], [], [], "world", [], [], None, []), source_id)
    article.fetched_at = datetime.now(UTC)
    with engine.begin() as conn:
        article_id = article_store.save_article(conn, article)
    browser = {"user-agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"}

    def views() -> int:
        with engine.connect() as conn:
            return int(
                conn.execute(select(articles.c.views).where(articles.c.id == article_id)).scalar()
            )

    client.get(f"/a/{article_id}", headers=browser)  # the first page sets the reader cookie
    client.get(f"/a/{article_id}", headers=browser)
    client.get(f"/a/{article_id}.json", headers=browser)
    client.get(f"/a/{article_id}", headers={"user-agent": "Googlebot/2.1"})
    assert views() == 1
    with TestClient(create_app(engine, settings)) as other:  # another reader
        other.get(f"/a/{article_id}", headers=browser)
    assert views() == 2
    sign_up(client)  # signed in, the same person is a reader of their own
    client.get(f"/a/{article_id}", headers=browser)
    client.get(f"/a/{article_id}", headers=browser)
    assert views() == 3
    assert client.get(f"/p/{source_id}.json").json()["publisher"]["views"] == 3
