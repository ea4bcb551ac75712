"""Comments and moderation on the real app and database: threads, edits, deletion, reports,
votes and the best order, real counts, held comments, the moderation queue and its log, the
strike ladder with its 90-day expiry and one appeal, CSRF, rate limits, and hostile text
rendered inert."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import lxml.html
import pytest
from sqlalchemy import Engine, func, select, update
from starlette.applications import Starlette
from starlette.testclient import TestClient
from typer.testing import CliRunner

from broadsheet.cli import app as cli_app
from broadsheet.community import comments as use
from broadsheet.community import moderation
from broadsheet.community.ranking import wilson_lower_bound
from broadsheet.config import load_settings
from broadsheet.models import Article, ArticleDraft, Enrichment, Source
from broadsheet.store import articles as article_store
from broadsheet.store import comments as comment_store
from broadsheet.store import sources as source_store
from broadsheet.store import users as user_store
from broadsheet.store import write_transaction
from broadsheet.store.schema import (
    comment_reports,
    comment_votes,
    comments,
    moderation_log,
    strikes,
    users,
)
from broadsheet.web.app import create_app

PASSWORD = "correct horse battery"
NOW = datetime.now(UTC)


@pytest.fixture
def app(engine: Engine, tmp_path: Path) -> Starlette:
    settings = load_settings(
        environ={}, data_dir=tmp_path, secret_key="comments-test-secret", page_cache_seconds=0.0
    )
    return create_app(engine, settings)


@pytest.fixture
def article_id(engine: Engine) -> int:
    with engine.begin() as conn:
        source = source_store.upsert_source(
            conn, Source(name="The Ledger", feed_url="http://127.0.0.1/feed.xml")
        )
        url = "http://127.0.0.1/council.html"
        draft = ArticleDraft(url, url, "Council passes budget", "", NOW, "en", "The council.")
        enrichment = Enrichment([], [], [], "politics", [], [], None, [])
        return article_store.save_article(conn, Article(draft, enrichment, source, fetched_at=NOW))


def token(client: TestClient, path: str = "/signup") -> str:
    response = client.get(path)
    assert response.status_code == 200, response.text
    return str(lxml.html.fromstring(response.text).xpath('//input[@name="csrf"]/@value')[0])


def post(client: TestClient, path: str, form: dict[str, str], page: str = "/signup") -> Any:
    return client.post(path, data={"csrf": token(client, page), **form})


def sign_up(engine: Engine, client: TestClient, name: str, age_days: float = 30.0) -> int:
    """A signed-in reader whose account is age_days old (new accounts are held more)."""
    response = post(client, "/signup", {"name": name, "password": PASSWORD})
    assert response.status_code == 303, response.text
    with engine.begin() as conn:
        conn.execute(
            update(users)
            .where(users.c.name == name)
            .values(created_at=NOW - timedelta(days=age_days))
        )
        return int(conn.execute(select(users.c.id).where(users.c.name == name)).scalar_one())


def comment(
    client: TestClient, target: str, body: str, parent: int | None = None, page: str = ""
) -> Any:
    form = {"target": target, "body": body, "next": page or "/"}
    if parent is not None:
        form["parent"] = str(parent)
    return post(client, "/comments", form, page or "/signup")


def posted_id(response: Any) -> int:
    assert response.status_code == 303, response.text
    return int(re.search(r"#comment-(\d+)$", response.headers["location"]).group(1))  # type: ignore[union-attr]


def part(client: TestClient, path: str) -> lxml.html.HtmlElement:
    response = client.get(path)
    assert response.status_code == 200, response.text
    (found,) = lxml.html.fromstring(response.text).xpath('//*[@data-section="comments"]')
    return found


def text(element: lxml.html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def make_moderator(engine: Engine, client: TestClient, name: str) -> int:
    user_id = sign_up(engine, client, name)
    with write_transaction(engine) as conn:
        assert moderation.set_role(conn, name, "moderator")
    return user_id


def decide(client: TestClient, comment_id: int, action: str, rule: str = "", note: str = "") -> Any:
    form = {"action": action, "rule": rule, "note": note}
    return post(client, f"/moderation/comments/{comment_id}", form, "/moderation")


def test_comments_and_replies_thread_with_real_counts(
    readers: Any, engine: Engine, article_id: int
) -> None:
    ana, bo, anonymous = readers(), readers(), readers()
    sign_up(engine, ana, "ana")
    sign_up(engine, bo, "bob")
    page = f"/a/{article_id}"
    target = f"article:{article_id}"
    first = posted_id(comment(ana, target, "The *budget* misses the **east side**.", page=page))
    reply = posted_id(comment(bo, target, "It does not: see page 4.", first, page=page))
    posted_id(comment(ana, target, "Fair, thanks.", reply, page=page))
    posted_id(comment(bo, target, "A second thread.", page=page))
    shown = part(anonymous, page)
    assert "Comments / 4" in text(shown)
    assert "/community-policy" in [a.get("href") for a in shown.iter("a")]
    top = shown.xpath("./ol/li")
    assert [li.get("id") for li in top] == [f"comment-{first + 3}", f"comment-{first}"]
    nested = shown.xpath(f'//li[@id="comment-{first}"]/ol/li[@id="comment-{reply}"]/ol/li')
    assert len(nested) == 1 and "Fair, thanks." in text(nested[0])
    body = shown.xpath(f'//li[@id="comment-{first}"]/div[@class="comment-body"]')[0]
    assert lxml.html.tostring(body).count(b"<em>budget</em>") == 1
    assert "Sign in" in text(shown) and not shown.xpath(".//textarea")  # no form for nobody
    data = anonymous.get(f"{page}.json").json()
    assert data["comments_count"] == 4
    assert [c["id"] for c in data["comments"]] == [first + 3, first]
    assert data["comments"][1]["replies"][0]["replies"][0]["author"] == "ana"
    assert data["comments_thread"]["target"] == target
    # A story has comments of its own.
    with engine.begin() as conn:
        story = article_store.create_story(conn, "Budget fight", NOW)
    posted_id(comment(bo, f"story:{story}", "Who voted no?", page=f"/s/{story}"))
    assert "Comments / 1" in text(part(anonymous, f"/s/{story}"))
    assert anonymous.get(f"/s/{story}.json").json()["comments_count"] == 1
    assert comment(bo, "story:999999", "Nowhere").status_code == 404
    assert comment(bo, "publisher:1", "Not a target").status_code == 404


def test_hostile_text_and_names_are_rendered_inert(
    readers: Any, engine: Engine, article_id: int
) -> None:
    ana, reader = readers(), readers()
    sign_up(engine, ana, "ana")
    target, page = f"article:{article_id}", f"/a/{article_id}"
    payloads = [
        "<script>alert(1)</script> plain",
        '<img src=x onerror="alert(2)">',
        "[click](javascript:alert(3)) and <a href='javascript:alert(4)'>x</a>",
        '[ok](https://example.org/a "t") <svg onload=alert(5)>',
        "<iframe src=https://evil.example></iframe> ![i](https://evil.example/p.png)",
    ]
    for body in payloads:
        posted_id(comment(ana, target, body, page=page))
    # A name no form accepts, written by another way in: it must print as text too.
    hostile = '<img src=x onerror="alert(6)">'
    with write_transaction(engine) as conn:
        evil = user_store.create_user(conn, hostile, "x", NOW - timedelta(days=30))
        assert evil is not None
        use.post_comment(conn, evil, target, None, "Hello from a strange name.", NOW)
    sign_up(engine, reader, "reader")
    for who in (ana, reader):
        shown = part(who, page)
        html = lxml.html.tostring(shown).decode()
        assert not shown.xpath(".//script | .//img | .//iframe | .//svg")
        assert not [a for el in shown.iter() for a in el.attrib if a.lower().startswith("on")]
        hrefs = [str(a.get("href", "")) for a in shown.iter("a")]
        assert not [h for h in hrefs if h.strip().lower().startswith("javascript")]
        assert "<script>alert(1)</script> plain" in text(shown)  # shown as typed, as text
        assert hostile in text(shown)
        (link,) = shown.xpath('.//a[@href="https://example.org/a"]')
        assert link.get("rel") == "nofollow ugc noopener"
        assert "javascript:" not in html.split("comment-list", 1)[1].replace(
            "[click](javascript:alert(3))", ""
        ).replace("javascript:alert(4)", "")


def test_empty_and_too_long_comments_are_refused(
    readers: Any, engine: Engine, article_id: int
) -> None:
    ana = readers()
    sign_up(engine, ana, "ana")
    target = f"article:{article_id}"
    empty = comment(ana, target, "  \n ")
    assert empty.status_code == 400 and "empty" in empty.text
    long = comment(ana, target, "word " * 1001)
    assert long.status_code == 400 and "5,000" in long.text
    assert posted_id(comment(ana, target, "x" * 5000))
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(comments)).scalar_one() == 1


def test_edit_within_fifteen_minutes_then_refused(
    readers: Any, engine: Engine, article_id: int
) -> None:
    ana, bo = readers(), readers()
    sign_up(engine, ana, "ana")
    sign_up(engine, bo, "bob")
    page, target = f"/a/{article_id}", f"article:{article_id}"
    cid = posted_id(comment(ana, target, "Teh budget.", page=page))
    assert part(ana, page).xpath(f'//textarea[@id="edit-{cid}"]')[0].text == "Teh budget."
    edited = post(ana, f"/comments/{cid}/edit", {"body": "The budget.", "next": page}, page)
    assert edited.status_code == 303
    shown = part(bo, page)
    assert "The budget." in text(shown) and "edited" in text(shown)
    assert not shown.xpath(f'//textarea[@id="edit-{cid}"]')  # not bo's to edit
    assert post(bo, f"/comments/{cid}/edit", {"body": "Mine now"}, page).status_code == 403
    with engine.begin() as conn:
        old = NOW - timedelta(minutes=16)
        conn.execute(update(comments).where(comments.c.id == cid).values(created_at=old))
    assert not part(ana, page).xpath(f'//textarea[@id="edit-{cid}"]')
    late = post(ana, f"/comments/{cid}/edit", {"body": "Too late"}, page)
    assert late.status_code == 403 and "15 minutes" in late.text
    assert "The budget." in text(part(bo, page))


def test_deleting_keeps_the_thread_with_a_placeholder(
    readers: Any, engine: Engine, article_id: int
) -> None:
    ana, bo = readers(), readers()
    sign_up(engine, ana, "ana")
    sign_up(engine, bo, "bob")
    page, target = f"/a/{article_id}", f"article:{article_id}"
    first = posted_id(comment(ana, target, "Regrettable words.", page=page))
    reply = posted_id(comment(bo, target, "A reply worth keeping.", first, page=page))
    lone = posted_id(comment(ana, target, "Alone.", page=page))
    assert post(bo, f"/comments/{first}/delete", {}, page).status_code == 403
    for cid in (first, lone):
        assert post(ana, f"/comments/{cid}/delete", {"next": page}, page).status_code == 303
    shown = part(bo, page)
    assert "Comments / 1" in text(shown)
    assert "[deleted]" in text(shown) and "Regrettable" not in text(shown)
    assert shown.xpath(f'//li[@id="comment-{first}"]//li[@id="comment-{reply}"]')
    assert not shown.xpath(f'//li[@id="comment-{lone}"]')
    with engine.connect() as conn:
        row = conn.execute(select(comments).where(comments.c.id == first)).mappings().one()
    assert row["status"] == "deleted" and row["body_md"] == "" and row["body_html"] == ""
    # A deleted comment takes no replies.
    assert comment(bo, target, "Late reply", first).status_code == 400


def test_votes_one_per_reader_and_the_best_order(
    readers: Any, engine: Engine, article_id: int
) -> None:
    page, target = f"/a/{article_id}", f"article:{article_id}"
    author = readers()
    sign_up(engine, author, "author")
    ids = [posted_id(comment(author, target, f"Comment {n}", page=page)) for n in range(3)]
    voters = []
    for n in range(4):
        voter = readers()
        sign_up(engine, voter, f"voter{n}")
        voters.append(voter)

    def vote(client: TestClient, cid: int, direction: str) -> None:
        form = {"direction": direction, "next": page}
        assert post(client, f"/comments/{cid}/vote", form, page).status_code == 303

    for voter in voters:  # the oldest: 4 up; the middle: 3 up, 1 down; the newest: none
        vote(voter, ids[0], "up")
    for voter in voters[:3]:
        vote(voter, ids[1], "up")
    vote(voters[3], ids[1], "down")
    vote(voters[0], ids[0], "up")  # the same vote again takes it back
    vote(voters[0], ids[0], "up")
    own = post(author, f"/comments/{ids[0]}/vote", {"direction": "up"}, page)
    assert own.status_code == 400
    with engine.connect() as conn:
        counted = conn.execute(
            select(func.count())
            .select_from(comment_votes)
            .where(comment_votes.c.comment_id == ids[0])
        ).scalar_one()
    assert counted == 4
    best = author.get(f"{page}.json?comments=best").json()
    assert [c["id"] for c in best["comments"]] == [ids[0], ids[1], ids[2]]
    assert best["comments"][0]["score"] == round(wilson_lower_bound(4, 0), 4)
    assert best["comments"][1]["ups"] == 3 and best["comments"][1]["downs"] == 1
    newest = author.get(f"{page}.json").json()
    assert [c["id"] for c in newest["comments"]] == ids[::-1]
    button = part(voters[0], page).xpath(f'//form[@action="/comments/{ids[0]}/vote"]//button')
    assert button[0].get("aria-pressed") == "true" and "▲ 4" in button[0].text_content()
    assert author.get(f"{page}?comments=loudest").status_code == 400
    assert author.get(f"{page}?comments_page=0").status_code == 400


def test_reports_cite_a_rule_once_and_three_hold_the_comment(
    readers: Any, engine: Engine, article_id: int
) -> None:
    page, target = f"/a/{article_id}", f"article:{article_id}"
    author = readers()
    sign_up(engine, author, "author")
    cid = posted_id(comment(author, target, "You are all wrong about this.", page=page))
    own = post(author, f"/comments/{cid}/report", {"rule": "civil"}, page)
    assert own.status_code == 400
    reporters = []
    for n in range(3):
        reporter = readers()
        sign_up(engine, reporter, f"reporter{n}")
        reporters.append(reporter)
    bad_rule = post(reporters[0], f"/comments/{cid}/report", {"rule": "rudeness"}, page)
    assert bad_rule.status_code == 400
    form = {"rule": "civil", "reason": "Insults the readers", "next": page}
    assert post(reporters[0], f"/comments/{cid}/report", form, page).status_code == 303
    again = post(reporters[0], f"/comments/{cid}/report", form, page)
    assert again.status_code == 303
    assert "You reported this comment" in text(part(reporters[0], page))
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(comment_reports)).scalar_one() == 1
    assert "You are all wrong" in text(part(reporters[1], page))  # one report: still shown
    for reporter in reporters[1:]:
        assert post(reporter, f"/comments/{cid}/report", form, page).status_code == 303
    assert "You are all wrong" not in text(part(reporters[1], page))
    assert "Held for review" in text(part(author, page))
    with engine.connect() as conn:
        log = conn.execute(select(moderation_log)).mappings().one()
    assert log["action"] == "held" and log["moderator_id"] is None and "3 readers" in log["note"]


def test_screening_holds_doubtful_comments_for_their_author_only(
    readers: Any, engine: Engine, article_id: int
) -> None:
    page, target = f"/a/{article_id}", f"article:{article_id}"
    newcomer, other, mod = readers(), readers(), readers()
    sign_up(engine, newcomer, "newcomer", age_days=0.1)
    sign_up(engine, other, "other")
    make_moderator(engine, mod, "mod")
    spam = "Deals at https://a.example/x and https://b.example/y"
    held = posted_id(comment(newcomer, target, spam, page=page))
    fine = posted_id(comment(newcomer, target, "I read the whole budget.", page=page))
    mine = part(newcomer, page)
    assert f"comment-{held}" in lxml.html.tostring(mine).decode()
    assert "Held for review" in text(mine) and "Comments / 1" in text(mine)
    theirs = part(other, page)
    assert "Deals at" not in text(theirs) and "I read the whole budget." in text(theirs)
    assert other.get(f"{page}.json").json()["comments_count"] == 1
    queue = mod.get("/moderation")
    assert queue.status_code == 200
    item = lxml.html.fromstring(queue.text).xpath(f'//*[@id="item-{held}"]')[0]
    assert "2 links" in text(item) and "new account" in text(item) and "Rule 6" in text(item)
    assert decide(mod, held, "approve").status_code == 303
    assert "Deals at" in text(part(other, page))
    with engine.connect() as conn:
        actions = [
            r.action
            for r in conn.execute(select(moderation_log.c.action).order_by(moderation_log.c.id))
        ]
    assert actions == ["held", "approved"]
    assert fine  # a plain comment from the same new account was shown at once


def test_the_queue_is_for_moderators_only(readers: Any, engine: Engine) -> None:
    anonymous, reader = readers(), readers()
    assert anonymous.get("/moderation").status_code == 403
    sign_up(engine, reader, "reader")
    assert reader.get("/moderation").status_code == 403
    assert reader.get("/moderation.json").status_code == 403
    form = {"action": "approve"}
    assert post(reader, "/moderation/comments/1", form, "/").status_code == 403


def _removed_by(
    mod: TestClient, author: TestClient, target: str, rule: str, body: str
) -> tuple[int, Any]:
    cid = posted_id(comment(author, target, body))
    return cid, decide(mod, cid, "remove", rule, "per policy")


def test_the_strike_ladder_warning_suspension_termination(
    readers: Any, engine: Engine, article_id: int
) -> None:
    target = f"article:{article_id}"
    author, mod, other = readers(), readers(), readers()
    author_id = sign_up(engine, author, "author")
    make_moderator(engine, mod, "mod")
    sign_up(engine, other, "other")
    cid = posted_id(comment(author, target, "First offence."))
    assert decide(mod, cid, "remove").status_code == 400  # a rule is required
    done = decide(mod, cid, "remove", "civil", "name-calling")
    assert done.status_code == 303 and "warning" in done.headers["location"]
    assert "First offence." not in text(part(other, f"/a/{article_id}"))
    settings = lxml.html.fromstring(author.get("/settings").text)
    (strike,) = settings.xpath('//*[@data-section="settings-strikes"]//li[@class="strike"]')
    assert "A warning" in text(strike) and "Rule 1: Be civil" in text(strike)
    assert "First offence." in text(strike)
    assert posted_id(comment(author, target, "Still allowed to post."))  # a warning only
    _removed_by(mod, author, target, "spam", "Second offence.")
    refused = comment(author, target, "Posting while suspended.")
    assert refused.status_code == 403 and "suspended until" in refused.text
    shown = part(author, f"/a/{article_id}")
    assert "suspended until" in text(shown) and not shown.xpath(".//form[@action='/comments']")
    assert shown.xpath(".//form[contains(@action, '/delete')]")  # their own can still go
    with engine.connect() as conn:
        until = conn.execute(
            select(users.c.suspended_until).where(users.c.id == author_id)
        ).scalar_one()
    assert until is not None and timedelta(days=6.9) < until.replace(tzinfo=UTC) - NOW < timedelta(
        days=7.1
    )
    vote = post(author, "/comments/1/vote", {"direction": "up"}, "/settings")
    assert vote.status_code == 403
    # The suspension served, a third removal within 90 days terminates.
    with engine.begin() as conn:
        conn.execute(
            update(users)
            .where(users.c.id == author_id)
            .values(suspended_until=NOW - timedelta(hours=1))
        )
    _, third = _removed_by(mod, author, target, "hate", "Third offence.")
    assert "the account closed" in unquote_plus(third.headers["location"])
    closed = comment(author, target, "After termination.")
    assert closed.status_code == 403 and "closed" in closed.text
    with engine.connect() as conn:
        levels = [r.level for r in conn.execute(select(strikes.c.level).order_by(strikes.c.id))]
        log = conn.execute(
            select(moderation_log.c.action, moderation_log.c.rule_id).order_by(moderation_log.c.id)
        ).all()
    assert levels == ["warning", "suspension", "termination"]
    assert [tuple(r) for r in log] == [
        ("removed", "civil"),
        ("removed", "spam"),
        ("removed", "hate"),
    ]
    page = lxml.html.fromstring(mod.get("/moderation").text)
    assert len(page.xpath('//*[@data-section="moderation-log"]//tbody/tr')) == 3


def test_strikes_expire_after_ninety_days(readers: Any, engine: Engine, article_id: int) -> None:
    target = f"article:{article_id}"
    author, mod = readers(), readers()
    author_id = sign_up(engine, author, "author")
    make_moderator(engine, mod, "mod")
    _removed_by(mod, author, target, "civil", "Long ago.")
    with engine.begin() as conn:  # the strike was given 91 days ago
        given = NOW - timedelta(days=91)
        conn.execute(
            update(strikes).values(created_at=given, expires_at=given + timedelta(days=90))
        )
    _, again = _removed_by(mod, author, target, "civil", "Now.")
    assert "a warning" in unquote_plus(again.headers["location"])  # the old one no longer counts
    assert posted_id(comment(author, target, "Not suspended."))
    settings = lxml.html.fromstring(author.get("/settings").text)
    items = settings.xpath('//*[@data-section="settings-strikes"]//li[contains(@class, "strike")]')
    assert "It counts until" in text(items[0]) and "no longer counts" in text(items[1])
    assert not items[1].xpath(".//form")  # an expired strike cannot be appealed
    with engine.connect() as conn:
        row = conn.execute(
            select(users.c.suspended_until).where(users.c.id == author_id)
        ).scalar_one()
    assert row is None


def test_appeal_once_decided_by_another_moderator(
    readers: Any, engine: Engine, article_id: int
) -> None:
    page, target = f"/a/{article_id}", f"article:{article_id}"
    author, remover, other_mod, reader = readers(), readers(), readers(), readers()
    author_id = sign_up(engine, author, "author")
    make_moderator(engine, remover, "remover")
    make_moderator(engine, other_mod, "othermod")
    sign_up(engine, reader, "reader")
    _removed_by(remover, author, target, "civil", "A fair point, bluntly made.")
    cid, _ = _removed_by(remover, author, target, "spam", "A link I care about.")
    assert comment(author, target, "Suspended now?").status_code == 403
    with engine.connect() as conn:
        strike_id = conn.execute(
            select(strikes.c.id).where(strikes.c.comment_id == cid)
        ).scalar_one()
    form = {"appeal": "It was on topic and had one link.", "next": "/settings"}
    first = post(author, f"/strikes/{strike_id}/appeal", form, "/settings")
    assert first.status_code == 303 and first.headers["location"].startswith("/settings?m=")
    second = post(author, f"/strikes/{strike_id}/appeal", form, "/settings")
    assert second.status_code == 409 and "once" in second.text
    assert post(reader, f"/strikes/{strike_id}/appeal", form, "/settings").status_code == 404
    queue = lxml.html.fromstring(remover.get("/moderation").text)
    assert "It was on topic" in text(queue.xpath('//*[@data-section="moderation-appeals"]')[0])
    decision = {"action": "overturn", "note": "One link is fine."}
    mine = post(remover, f"/moderation/strikes/{strike_id}", decision, "/moderation")
    assert mine.status_code == 403  # the remover does not judge their own removal
    done = post(other_mod, f"/moderation/strikes/{strike_id}", decision, "/moderation")
    assert done.status_code == 303
    assert "A link I care about." in text(part(reader, page))  # the comment is back
    assert posted_id(comment(author, target, "The suspension is lifted."))
    with engine.connect() as conn:
        standing = conn.execute(
            select(users.c.suspended_until).where(users.c.id == author_id)
        ).scalar_one()
        state = conn.execute(
            select(strikes.c.appeal_state).where(strikes.c.id == strike_id)
        ).scalar_one()
        last = (
            conn.execute(select(moderation_log).order_by(moderation_log.c.id.desc()))
            .mappings()
            .first()
        )
    assert standing is None and state == "overturned"
    assert (
        last is not None and last["action"] == "overturned" and last["note"] == "One link is fine."
    )
    settings = text(lxml.html.fromstring(author.get("/settings").text))
    assert "Overturned on appeal" in settings


def test_forms_without_the_token_are_refused(readers: Any, engine: Engine, article_id: int) -> None:
    ana = readers()
    sign_up(engine, ana, "ana")
    cid = posted_id(comment(ana, f"article:{article_id}", "Hello."))
    for path, form in (
        ("/comments", {"target": f"article:{article_id}", "body": "No token"}),
        (f"/comments/{cid}/edit", {"body": "No token"}),
        (f"/comments/{cid}/delete", {}),
        (f"/comments/{cid}/report", {"rule": "spam"}),
        (f"/comments/{cid}/vote", {"direction": "up"}),
        ("/strikes/1/appeal", {"appeal": "x"}),
        (f"/moderation/comments/{cid}", {"action": "remove", "rule": "spam"}),
        ("/moderation/strikes/1", {"action": "overturn"}),
    ):
        assert ana.post(path, data=form).status_code == 403, path
        assert ana.post(path, data={**form, "csrf": "forged"}).status_code == 403, path
    with engine.connect() as conn:
        row = conn.execute(select(comments.c.body_md, comments.c.status)).one()
    assert tuple(row) == ("Hello.", "visible")


def test_rate_limits_hold(readers: Any, engine: Engine, article_id: int) -> None:
    target = f"article:{article_id}"
    new, old = readers(), readers()
    sign_up(engine, new, "newcomer", age_days=0.2)
    sign_up(engine, old, "regular")
    for n in range(3):
        posted_id(comment(new, target, f"New account comment {n}."))
    limited = comment(new, target, "A fourth in ten minutes.")
    assert limited.status_code == 429 and "new account" in limited.text.lower()
    for n in range(5):
        posted_id(comment(old, target, f"Regular comment number {n}."))
    assert comment(old, target, "A sixth in a minute.").status_code == 429
    with engine.begin() as conn:  # a minute later the regular may go on
        conn.execute(update(comments).values(created_at=NOW - timedelta(minutes=2)))
    assert posted_id(comment(old, target, "After a pause."))


def test_signed_out_readers_are_sent_to_sign_in(readers: Any, article_id: int) -> None:
    anonymous = readers()
    page = f"/a/{article_id}"
    response = post(
        anonymous,
        "/comments",
        {"target": f"article:{article_id}", "body": "Hi", "next": page},
        page,
    )
    assert response.status_code == 303 and response.headers["location"] == f"/signin?next={page}"


def test_pages_of_threads_show_every_reply(readers: Any, engine: Engine, article_id: int) -> None:
    target, page = f"article:{article_id}", f"/a/{article_id}"
    with write_transaction(engine) as conn:
        author = user_store.create_user(conn, "prolific", "x", NOW - timedelta(days=99))
        row = {"target": target, "user_id": author, "body_html": "<p>x</p>", "status": "visible"}
        ids = [
            comment_store.insert_comment(
                conn, body_md=f"Thread {n}", created_at=NOW + timedelta(seconds=n), **row
            )
            for n in range(51)
        ]
        oldest = ids[0]
        for n in range(30):  # sixty replies in the oldest thread (on page 2), half nested
            when = NOW + timedelta(minutes=5, seconds=n)
            reply = comment_store.insert_comment(
                conn, body_md=f"Reply {n}", created_at=when, parent_id=oldest, root_id=oldest, **row
            )
            comment_store.insert_comment(
                conn, body_md=f"Answer {n}", created_at=when, parent_id=reply, root_id=oldest, **row
            )
    reader = readers()
    one = reader.get(f"{page}.json").json()
    assert one["comments_count"] == 111 and len(one["comments"]) == 50
    assert one["comments_thread"]["pages"] == 2 and one["comments_thread"]["threads"] == 51
    assert oldest not in [c["id"] for c in one["comments"]]
    two = reader.get(f"{page}.json?comments_page=2").json()
    (shown,) = two["comments"]
    assert shown["id"] == oldest and len(shown["replies"]) == 30
    assert sum(1 + len(r["replies"]) for r in shown["replies"]) == 60
    html = part(reader, f"{page}?comments_page=1")
    assert html.xpath('.//a[@rel="next"]')[0].get("href").endswith("comments_page=2#comments")
    assert reader.get(f"{page}.json?comments_page=3").json()["comments"] == []


def test_export_and_deletion_of_an_account(readers: Any, engine: Engine, article_id: int) -> None:
    page, target = f"/a/{article_id}", f"article:{article_id}"
    ana, bo, mod = readers(), readers(), readers()
    ana_id = sign_up(engine, ana, "ana")
    sign_up(engine, bo, "bob")
    make_moderator(engine, mod, "mod")
    first = posted_id(comment(ana, target, "Ana's view.", page=page))
    posted_id(comment(bo, target, "Bo answers.", first, page=page))
    bo_own = posted_id(comment(bo, target, "Bo alone.", page=page))
    post(ana, f"/comments/{bo_own}/report", {"rule": "off-topic", "reason": "Not about it"}, page)
    post(ana, f"/comments/{bo_own}/vote", {"direction": "up"}, page)
    removed, _ = _removed_by(mod, ana, target, "civil", "Ana's rude one.")
    export = ana.get("/settings/export.json").json()
    assert [c["body_md"] for c in export["comments"]] == ["Ana's view.", "Ana's rude one."]
    assert export["comments"][0]["target"] == target
    assert export["comment_reports"][0]["rule_id"] == "off-topic"
    assert export["comment_votes"] == [
        {"comment_id": bo_own, "value": 1, "created_at": export["comment_votes"][0]["created_at"]}
    ]
    (strike,) = export["strikes"]
    assert strike["rule"] == "Rule 1: Be civil" and strike["level"] == "warning"
    assert strike["comment_id"] == removed and strike["can_appeal"] is True
    form = {"action": "delete", "password": PASSWORD}
    assert post(ana, "/settings", form, "/settings").status_code == 303
    shown = part(bo, page)
    assert "[deleted]" in text(shown) and "Ana's view." not in text(shown)
    assert "Bo answers." in text(shown) and "Comments / 2" in text(shown)
    with engine.connect() as conn:
        assert (
            conn.execute(
                select(func.count()).select_from(comments).where(comments.c.user_id == ana_id)
            ).scalar_one()
            == 0
        )
        for table in (comment_reports, comment_votes, strikes):
            assert conn.execute(select(func.count()).select_from(table)).scalar_one() == 0
        assert conn.execute(select(comments.c.ups).where(comments.c.id == bo_own)).scalar_one() == 0
        kept = conn.execute(select(moderation_log.c.action)).scalars().all()
    assert kept == ["removed"]  # the record of the decision stays


def test_the_cli_makes_a_moderator(engine: Engine, readers: Any, tmp_path: Path) -> None:
    sign_up(engine, readers(), "ana")
    env = {
        "BROADSHEET_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "BROADSHEET_DATA_DIR": str(tmp_path),
    }
    runner = CliRunner()
    added = runner.invoke(cli_app, ["moderator", "add", "Ana"], env=env)
    assert added.exit_code == 0, added.output
    listed = runner.invoke(cli_app, ["moderator", "list"], env=env)
    assert listed.stdout.split() == ["ana"]
    missing = runner.invoke(cli_app, ["moderator", "add", "nobody"], env=env)
    assert missing.exit_code == 2
    with engine.connect() as conn:
        assert (
            conn.execute(select(users.c.role).where(users.c.name == "ana")).scalar_one()
            == "moderator"
        )
