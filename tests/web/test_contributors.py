"""Contributors on the real app and database: a reader becomes one, posts with a place and the
required AI-tools answer, and finds the post in that place's Local feed and on their author
page with its labels (HTML and JSON); Markdown is sanitised and hostile titles, bodies,
captions, names and profiles render inert; uploads are checked, re-encoded without metadata
and served through the image proxy; screening holds doubtful posts for the moderation queue;
suspended accounts and too many posts are refused; the models' job fills entities and
section; posts take comments."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import lxml.html
import pytest
from PIL import Image
from sqlalchemy import Engine, func, select, update
from starlette.applications import Starlette
from starlette.testclient import TestClient

from broadsheet.community import moderation
from broadsheet.community import posts as use
from broadsheet.config import load_settings
from broadsheet.jobs.runner import Runner
from broadsheet.pipeline import make_context, reprocess
from broadsheet.store import users as user_store
from broadsheet.store import write_transaction
from broadsheet.store.schema import articles, entries, moderation_log, posts, users
from broadsheet.web.app import create_app

PASSWORD = "correct horse battery"
CHICAGO = "place:4887398"
BASE = "http://127.0.0.1:8000"  # the app's public address when public_url is unset


@pytest.fixture
def settings(tmp_path: Path) -> Any:
    return load_settings(
        environ={}, data_dir=tmp_path, secret_key="contributors-test-secret", page_cache_seconds=0.0
    )


@pytest.fixture
def app(engine: Engine, settings: Any) -> Starlette:
    return create_app(engine, settings)


def token(client: TestClient, path: str = "/contribute") -> str:
    response = client.get(path)
    assert response.status_code == 200, response.text
    return str(lxml.html.fromstring(response.text).xpath('//input[@name="csrf"]/@value')[0])


def send(client: TestClient, path: str, form: dict[str, str], **files: Any) -> Any:
    data = {"csrf": token(client), **form}
    return client.post(path, data=data, files=files or None)


def sign_up(engine: Engine, client: TestClient, name: str, age_days: float = 30.0) -> int:
    """A signed-in reader whose account is age_days old (screening weighs new ones more)."""
    response = client.post(
        "/signup", data={"csrf": token(client, "/signup"), "name": name, "password": PASSWORD}
    )
    assert response.status_code == 303, response.text
    with engine.begin() as conn:
        when = datetime.now(UTC) - timedelta(days=age_days)
        conn.execute(update(users).where(users.c.name == name).values(created_at=when))
        return int(conn.execute(select(users.c.id).where(users.c.name == name)).scalar_one())


def contributor(engine: Engine, client: TestClient, name: str, age_days: float = 30.0) -> int:
    user_id = sign_up(engine, client, name, age_days)
    joined = send(client, "/contribute/join", {"about": f"{name} writes about the city."})
    assert joined.status_code == 303, joined.text
    return user_id


def write(client: TestClient, title: str, body: str, ai: str | None = "no", **extra: Any) -> Any:
    form = {"title": title, "body": body, "place": extra.pop("place", "Chicago, IL")}
    if ai is not None:
        form["ai"] = ai
    return send(client, "/contribute/posts", {**form, **extra.pop("form", {})}, **extra)


def article_of(response: Any) -> int:
    assert response.status_code == 303, response.text
    match = re.fullmatch(r"/a/(\d+)", response.headers["location"])
    assert match, response.headers["location"]
    return int(match.group(1))


def page(client: TestClient, path: str, status: int = 200) -> lxml.html.HtmlElement:
    response = client.get(path)
    assert response.status_code == status, response.text
    return lxml.html.fromstring(response.text)


def text(element: lxml.html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def labels(doc: lxml.html.HtmlElement) -> list[str]:
    return [text(e) for e in doc.xpath('.//*[@data-section="post-label"]')]


def count(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def png(size: tuple[int, int] = (64, 48), mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, "#3366cc" if mode == "RGB" else 0).save(out, "PNG")
    return out.getvalue()


def test_a_contributor_posts_and_finds_it_in_local_and_on_their_page(
    readers: Any, engine: Engine
) -> None:
    ana, anyone = readers(), readers()
    sign_up(engine, ana, "ana")
    assert "Become a contributor" in text(page(ana, "/contribute"))
    assert write(ana, "Too early", "Not a contributor yet.").status_code == 403
    assert send(ana, "/contribute/join", {"about": "x" * 1001}).status_code == 400
    assert send(ana, "/contribute/join", {"about": "I cover Wicker Park."}).status_code == 303
    # The AI-tools answer is required: without it nothing is saved and the text comes back.
    refused = write(ana, "Bridge closes", "The *Elm Street* bridge closes.", ai=None)
    assert refused.status_code == 400
    again = lxml.html.fromstring(refused.text)
    assert "AI tools" in text(again.xpath('//*[@role="alert"]')[0])
    assert again.xpath('//textarea[@name="body"]/text()') == ["The *Elm Street* bridge closes."]
    assert count(engine, posts) == 0 and count(engine, articles) == 0
    body = "The **Elm Street** bridge closes on Monday.\n\n- buses reroute\n- [map](https://example.org/m)"
    with_ai = article_of(write(ana, "Bridge closes", body, ai="yes"))
    without = article_of(write(ana, "Market opens", "The farmers market opens Saturday."))
    shown = page(anyone, f"/a/{with_ai}")
    assert labels(shown) == ["Contributor: ana · Written with AI tools"]
    assert shown.xpath('//*[@data-section="post-label"]/a/@href') == ["/u/ana"]
    assert labels(page(anyone, f"/a/{without}")) == ["Contributor: ana"]
    twin = anyone.get(f"/a/{with_ai}.json").json()
    assert twin["contributor"] == {"name": "ana", "url": "/u/ana"} and twin["ai_assisted"] is True
    assert twin["post"]["processing"] is True and twin["post"]["mine"] is False
    assert [c["key"] for c in twin["local_channels"]] == [CHICAGO]
    assert (
        twin["publisher"]["name"] == "ana" and twin["publisher"]["about"] == "I cover Wicker Park."
    )
    assert anyone.get(f"/a/{without}.json").json()["ai_assisted"] is False
    # Only its author is told it is being processed.
    assert "Being processed" in labels(page(ana, f"/a/{with_ai}"))[0]
    # At once in Chicago's Local feed, labelled, in HTML and JSON.
    local = page(anyone, f"/local?place={CHICAGO}")
    cards = {text(c.xpath(".//h3")[0]): c for c in local.xpath('//article[@class="card"]')}
    assert set(cards) == {"Bridge closes", "Market opens"}
    assert labels(cards["Bridge closes"]) == ["Contributor: ana · Written with AI tools"]
    assert labels(cards["Market opens"]) == ["Contributor: ana"]
    feed = anyone.get(f"/local.json?place={CHICAGO}").json()["articles"]
    assert {a["id"]: a["ai_assisted"] for a in feed} == {with_ai: True, without: False}
    assert all(a["contributor"] == {"name": "ana", "url": "/u/ana"} for a in feed)
    # The author's page: the profile, the posts in full, Markdown rendered and sanitised.
    author = page(anyone, "/u/ana")
    assert "I cover Wicker Park." in text(author)
    post = author.xpath(f'//article[@id="post-{twin["post"]["id"]}"]')[0]
    html = lxml.html.tostring(post.xpath('.//div[contains(@class, "post-body")]')[0]).decode()
    assert "<strong>Elm Street</strong>" in html and "<li>buses reroute</li>" in html
    assert 'href="https://example.org/m" rel="nofollow ugc noopener"' in html
    data = anyone.get("/u/ana.json").json()
    assert data["author"]["name"] == "ana" and data["author"]["posts"] == 2
    assert [p["id"] for p in data["posts"]] == [without, with_ai]
    assert data["posts"][1]["ai_assisted"] is True
    mine = ana.get("/contribute.json").json()
    assert [p["status"] for p in mine["posts"]] == ["published", "published"]
    assert anyone.get("/u/nobody").status_code == 404


def test_a_place_several_towns_share_is_picked_from_a_list(readers: Any, engine: Engine) -> None:
    ana = readers()
    contributor(engine, ana, "ana")
    asked = write(ana, "Fair opens", "The state fair opens.", place="Springfield")
    assert asked.status_code == 400 and count(engine, posts) == 0
    doc = lxml.html.fromstring(asked.text)
    choices = doc.xpath('//*[@data-section="place-choices"]//input[@name="place_key"]')
    labels_shown = [text(c.getparent()) for c in choices]
    assert "Springfield (city, IL, US)" in labels_shown and len(choices) > 3
    illinois = choices[labels_shown.index("Springfield (city, IL, US)")].get("value")
    assert doc.xpath('//input[@name="title"]/@value') == ["Fair opens"]  # kept for the retry
    posted = write(
        ana,
        "Fair opens",
        "The state fair opens.",
        place="Springfield",
        form={"place_key": illinois},
    )
    twin = ana.get(f"/a/{article_of(posted)}.json").json()
    assert [c["key"] for c in twin["local_channels"]] == [illinois]
    assert twin["local_channels"][0]["name"] == "Springfield, IL"
    unknown = write(ana, "Nowhere", "Text.", place="Nowhereville-on-Sea")
    assert unknown.status_code == 400 and "No place called" in unknown.text
    unplaced = article_of(write(ana, "No place", "A post about nowhere in particular.", place=""))
    assert ana.get(f"/a/{unplaced}.json").json()["local_channels"] == []


def inert(doc: lxml.html.HtmlElement) -> None:
    """No script but our own files, no event handler, no javascript: address, no frame."""
    scripts = [s.get("src") for s in doc.iter("script")]
    assert all(src and src.startswith("/static/") for src in scripts), scripts
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue
        assert element.tag not in ("iframe", "object", "embed", "svg"), element.tag
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (element.tag, name, value)
            assert not value.strip().lower().startswith("javascript:"), (element.tag, value)


def test_hostile_titles_bodies_names_and_profiles_render_inert(
    readers: Any, engine: Engine
) -> None:
    eve, anyone = readers(), readers()
    sign_up(engine, eve, "eve")
    about = '<script>alert("about")</script><iframe src="https://evil.example"></iframe>'
    assert send(eve, "/contribute/join", {"about": about}).status_code == 303
    body = (
        '<img src=x onerror="alert(1)"> [x](javascript:alert(2)) <svg onload=alert(3)>\n\n'
        "<a href='javascript:alert(4)'>y</a> **kept**"
    )
    caption = '"><script>alert("caption")</script>'
    first = article_of(
        write(
            eve,
            '<script>alert("title")</script> Bridge',
            body,
            form={"caption0": caption},
            image0=("a.png", png(), "image/png"),
        )
    )
    # A name the sign-up form refuses, written by another way in, is text too.
    hostile = '<img src=x onerror="alert(6)">'
    now = datetime.now(UTC)
    with write_transaction(engine) as conn:
        evil = user_store.create_user(conn, hostile, "x", now - timedelta(days=30))
        assert evil is not None
        use.become_contributor(conn, evil, '"><b onmouseover=alert(7)>hi</b>', now)
        checked = use.check_post(conn, evil, "Plain title", "Plain body.", "no", now)
        second = use.submit_post(conn, checked, None, [], now, BASE).article_id
    for path in (
        f"/a/{first}",
        f"/a/{second}",
        "/u/eve",
        f"/u/{quote(hostile, safe='')}",
        f"/local?place={CHICAGO}",
        "/",
        "/p/1",
    ):
        doc = page(anyone, path)
        inert(doc)
    inert(page(eve, "/contribute"))
    shown = page(anyone, f"/a/{first}")
    assert text(shown.xpath("//h1")[0]) == '<script>alert("title")</script> Bridge'
    assert text(shown.xpath("//figcaption")[0]) == caption
    author = page(anyone, "/u/eve")
    assert about in text(author)  # printed as the text it is
    post_body = lxml.html.tostring(author.xpath('//div[contains(@class, "post-body")]')[0])
    assert b"<strong>kept</strong>" in post_body and b"&lt;img" in post_body
    assert hostile in text(page(anyone, f"/u/{quote(hostile, safe='')}"))
    assert labels(page(anyone, f"/a/{second}"))[0].startswith(f"Contributor: {hostile}")


def jpeg_with_exif() -> bytes:
    """A 300x200 photo that says it is rotated, with a camera and a GPS position in its EXIF."""
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90 degrees to show upright
    exif[0x010F] = "SecretCam"
    exif.get_ifd(0x8825)[2] = (41.0, 53.0, 28.0)  # GPS latitude
    out = io.BytesIO()
    Image.new("RGB", (300, 200), "#aa3300").save(out, "JPEG", exif=exif.tobytes())
    assert b"SecretCam" in out.getvalue()
    return out.getvalue()


def test_uploads_are_checked_reencoded_and_served_through_the_proxy(
    readers: Any, engine: Engine, tmp_path: Path
) -> None:
    ana, anyone = readers(), readers()
    contributor(engine, ana, "ana")
    posted = write(
        ana,
        "Photos of the bridge",
        "Two pictures.",
        form={"caption0": "The bridge from the east", "caption1": "A sign"},
        image0=("photo.jpg", jpeg_with_exif(), "image/jpeg"),
        image1=("sign.png", png((40, 40), "RGBA"), "image/png"),
    )
    article_id = article_of(posted)
    images = anyone.get(f"/a/{article_id}.json").json()["images"]
    assert [i["caption"] for i in images] == ["The bridge from the east", "A sign"]
    served = []
    for image in images:
        assert image["url"].startswith(f"{BASE}/uploads/")
        response = anyone.get(image["proxy_url"])
        assert response.status_code == 200, response.text
        served.append((response.headers["content-type"], response.content))
    (photo_type, photo), (sign_type, sign) = served
    assert photo_type == "image/jpeg" and sign_type == "image/png"
    with Image.open(io.BytesIO(photo)) as upright:
        assert upright.size == (200, 300)  # turned as its EXIF said, then the EXIF dropped
        assert not upright.getexif() and b"SecretCam" not in photo
    with Image.open(io.BytesIO(sign)) as kept:
        assert kept.mode == "RGBA"
    # The page shows them through /img, never from elsewhere.
    srcs = page(anyone, f"/a/{article_id}").xpath('//*[@data-section="article"]//img/@src')
    assert len(srcs) == 2 and all(src.startswith("/img?") for src in srcs)
    name = images[0]["url"].rsplit("/", 1)[1]
    assert (tmp_path / "uploads" / name).read_bytes() == photo
    direct = anyone.get(f"/uploads/{name}")
    assert direct.status_code == 200 and direct.content == photo
    assert direct.headers["content-security-policy"] == "default-src 'none'"
    assert anyone.get("/uploads/..%2Fbroadsheet.db").status_code == 404
    # Refused: not an image, an SVG, more than 5 MB, too many pixels. Nothing is saved.
    before = count(engine, posts)
    for file, status in (
        (("evil.png", b"<script>alert(1)</script>", "image/png"), 400),
        (
            (
                "evil.svg",
                b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
                "image/svg+xml",
            ),
            400,
        ),
        (("big.png", b"\x89PNG\r\n\x1a\n" + bytes(6 << 20), "image/png"), 413),
        (("wide.png", png((8000, 5000), "L"), "image/png"), 413),
    ):
        refused = write(ana, "Refused", "No.", image0=file)
        assert refused.status_code == status, (file[0], refused.text)
    assert count(engine, posts) == before


def make_moderator(engine: Engine, client: TestClient, name: str) -> int:
    user_id = sign_up(engine, client, name)
    with write_transaction(engine) as conn:
        assert moderation.set_role(conn, name, "moderator")
    return user_id


def test_a_post_held_by_screening_waits_for_a_moderator(readers: Any, engine: Engine) -> None:
    new, mod, anyone = readers(), readers(), readers()
    contributor(engine, new, "newcomer", age_days=0.1)
    make_moderator(engine, mod, "mod")
    spam = "Buy now! Click here https://bit.ly/a1 and https://bit.ly/b2 for free money."
    held = write(new, "Great offer", spam)
    assert held.status_code == 303 and "#post-" in held.headers["location"]
    assert count(engine, articles) == 0  # not public: no article, so no feed, page or search
    with engine.connect() as conn:
        post_id = int(conn.execute(select(posts.c.id)).scalar_one())
    assert anyone.get(f"/posts/{post_id}").status_code == 404
    assert not page(anyone, f"/local?place={CHICAGO}").xpath('//article[@class="card"]')
    mine = page(new, held.headers["location"].split("#")[0])
    assert "Held for review" in text(mine.xpath(f'//li[@id="post-{post_id}"]')[0])
    assert "Great offer" not in text(page(anyone, "/u/newcomer"))
    # In the moderation queue, HTML and JSON; readers may not see it.
    assert anyone.get("/moderation.json").status_code == 403
    queue = mod.get("/moderation.json").json()
    assert queue["posts_total"] == 1 and queue["posts"][0]["title"] == "Great offer"
    assert "a link shortener" in queue["posts"][0]["screening"]["reasons"]
    item = page(mod, "/moderation").xpath(f'//*[@id="held-post-{post_id}"]')[0]
    assert "Great offer" in text(item)
    decide = f"/moderation/posts/{post_id}"
    assert send(new, decide, {"action": "approve"}).status_code == 403  # not a moderator
    assert send(mod, decide, {"action": "remove"}).status_code == 400  # no rule cited
    approved = send(mod, decide, {"action": "approve"})
    assert approved.status_code == 303 and "published" in approved.headers["location"]
    assert send(mod, decide, {"action": "approve"}).status_code == 409
    local = page(anyone, f"/local?place={CHICAGO}")
    assert [text(h) for h in local.xpath('//article[@class="card"]//h3')] == ["Great offer"]
    assert anyone.get(f"/posts/{post_id}").status_code == 302
    # A second one removed: never public; both decisions logged.
    write(new, "Another offer", "Buy now! https://bit.ly/c3 https://bit.ly/d4 free money")
    with engine.connect() as conn:
        second = int(conn.execute(select(func.max(posts.c.id))).scalar_one())
    removed = send(mod, f"/moderation/posts/{second}", {"action": "remove", "rule": "spam"})
    assert removed.status_code == 303
    assert count(engine, articles) == 1
    with engine.connect() as conn:
        notes = [n for (n,) in conn.execute(select(moderation_log.c.note))]
        assert (
            conn.execute(select(posts.c.status).where(posts.c.id == second)).scalar() == "removed"
        )
    assert sum(n.startswith(f"Post #{post_id}") for n in notes) == 2  # held, approved
    assert sum(n.startswith(f"Post #{second}") for n in notes) == 2  # held, removed


def test_suspended_accounts_cannot_post_and_rate_limits_hold(readers: Any, engine: Engine) -> None:
    ana, bo = readers(), readers()
    contributor(engine, ana, "ana")
    for n in range(3):
        article_of(write(ana, f"Post {n}", f"Text number {n} about the market."))
    limited = write(ana, "Post 3", "One too many.")
    assert limited.status_code == 429 and "3 times in 10 minutes" in limited.text
    assert count(engine, posts) == 3
    bo_id = contributor(engine, bo, "bob")
    with engine.begin() as conn:
        soon = datetime.now(UTC) + timedelta(days=3)
        conn.execute(update(users).where(users.c.id == bo_id).values(suspended_until=soon))
    refused = write(bo, "While suspended", "Let me post.")
    assert refused.status_code == 403 and "suspended" in refused.text
    with engine.begin() as conn:
        conn.execute(
            update(users)
            .where(users.c.id == bo_id)
            .values(suspended_until=None, terminated_at=datetime.now(UTC))
        )
    assert write(bo, "Closed", "Still here?").status_code == 403
    assert count(engine, posts) == 3


def test_comments_on_a_post_and_the_account_deleted(readers: Any, engine: Engine) -> None:
    ana, bo = readers(), readers()
    contributor(engine, ana, "ana")
    sign_up(engine, bo, "bob")
    article_id = article_of(write(ana, "Bridge closes", "The bridge closes on Monday."))
    shown = page(bo, f"/a/{article_id}")
    target = shown.xpath('//*[@data-section="comments"]//input[@name="target"]/@value')[0]
    assert target.startswith("post:")
    commented = send(bo, "/comments", {"target": target, "body": "Which detour?", "next": "/"})
    assert commented.status_code == 303
    where, _, anchor = commented.headers["location"].partition("#")
    assert where == f"/posts/{target.removeprefix('post:')}" and anchor.startswith("comment-")
    redirected = bo.get(where)
    assert redirected.status_code == 302 and redirected.headers["location"] == f"/a/{article_id}"
    assert "Comments / 1" in text(
        page(bo, f"/a/{article_id}").xpath('//*[@data-section="comments"]')[0]
    )
    twin = bo.get(f"/a/{article_id}.json").json()
    assert twin["comments_count"] == 1 and twin["comments_thread"]["target"] == target
    assert send(bo, "/comments", {"target": "post:999999", "body": "Nowhere"}).status_code == 404
    # The export holds the profile and the post as written.
    held = ana.get("/settings/export.json").json()
    assert held["contributor"]["name"] == "ana"
    assert [(p["title"], p["status"], p["article_id"]) for p in held["posts"]] == [
        ("Bridge closes", "published", article_id)
    ]
    # The account goes; its published post stays with its source, no longer linked to it.
    gone = send(ana, "/settings", {"action": "delete", "password": PASSWORD})
    assert gone.status_code == 303
    assert bo.get("/u/ana").status_code == 404
    assert bo.get(f"/a/{article_id}.json").json()["contributor"] == {"name": "ana", "url": None}


@pytest.mark.slow
def test_the_models_job_fills_entities_and_section(
    readers: Any, engine: Engine, settings: Any
) -> None:
    ana = readers()
    contributor(engine, ana, "ana")
    body = (
        "Mayor Brandon Johnson said the Elm Street bridge closes on Monday for repairs.\n\n"
        "The Chicago Department of Transportation will reroute buses while crews work."
    )
    article_id = article_of(write(ana, "Bridge closes for repairs", body, ai="no"))
    before = ana.get(f"/a/{article_id}.json").json()
    assert before["entities"] == [] and before["post"]["processing"] is True
    # The same queue as every article's: the in-process runner with its model process.
    ctx = make_context(settings, engine)
    with ctx.fetcher, Runner(ctx, io_threads=1, nlp_processes=1) as runner:
        report = runner.run_due()
        # `broadsheet reprocess` reads a post's stored text again (it has no kept page).
        again = reprocess(runner.ctx, article_id)
    assert again.status == "stored", again.error
    assert [o.status for o in report.outcomes] == ["stored"], report.errors
    after = ana.get(f"/a/{article_id}.json").json()
    people = {e["name"] for e in after["entities"] if e["kind"] == "person"}
    assert "Brandon Johnson" in people
    assert after["section"] and after["hashtags"] and after["story"] is not None
    assert after["local_channels"][0]["key"] == CHICAGO  # the author's place stays first
    assert after["post"]["processing"] is False
    assert "Being processed" not in labels(page(ana, f"/a/{article_id}"))[0]
    local = ana.get(f"/local.json?place={CHICAGO}").json()["articles"]
    assert [a["id"] for a in local] == [article_id]
    with engine.connect() as conn:
        state = conn.execute(select(entries.c.state).where(entries.c.article_id == article_id))
        assert state.scalar_one() == "stored"
