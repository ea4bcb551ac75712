"""For You on the real app and database: follows bring their articles with a reason that links
to its control, one item per story, muted publishers never, trending for everyone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import lxml.html
import pytest
from sqlalchemy import Engine, update
from starlette.testclient import TestClient

from broadsheet.config import Settings, load_settings
from broadsheet.models import Article, ArticleDraft, Enrichment, Entity, Place, Source
from broadsheet.store import articles as article_store
from broadsheet.store import sources as source_store
from broadsheet.store.schema import articles
from broadsheet.web.app import create_app

NOW = datetime.now(UTC)


@pytest.fixture
def client(engine: Engine, tmp_path: Path) -> Iterator[TestClient]:
    settings: Settings = load_settings(environ={}, data_dir=tmp_path, secret_key="foryou-test")
    with TestClient(create_app(engine, settings), follow_redirects=False) as made:
        yield made


def store(engine: Engine, n: int, source: int, people: list[str], hours: float) -> int:
    url = f"http://127.0.0.1/{n}.html"
    draft = ArticleDraft(url, url, f"Headline {n}", "", NOW - timedelta(hours=hours), "en", "T.")
    entities = [Entity(p.title(), "person", f"person:{p}", 1.0) for p in people]
    enrichment = Enrichment(entities, [], [], "world", [], [], None, [])
    with engine.begin() as conn:
        return article_store.save_article(conn, Article(draft, enrichment, source, fetched_at=NOW))


def in_story(engine: Engine, story: int, *ids: int) -> None:
    with engine.begin() as conn:
        conn.execute(update(articles).where(articles.c.id.in_(ids)).values(story_id=story))


def form_post(client: TestClient, path: str, form: dict[str, str]) -> None:
    page = lxml.html.fromstring(client.get("/signup").text)
    token = page.xpath('//input[@name="csrf"]/@value')[0]
    assert client.post(path, data={"csrf": token, **form}).status_code == 303


def test_follows_bring_their_articles_with_reasons_and_mutes_win(
    client: TestClient, engine: Engine
) -> None:
    with engine.begin() as conn:
        sources = [
            source_store.upsert_source(conn, Source(name=f"P{n}", feed_url=f"http://h/{n}"))
            for n in range(3)
        ]
        story_a = article_store.create_story(conn, "A story", NOW)
        story_b = article_store.create_story(conn, "B story", NOW)
    ana_new = store(engine, 1, sources[0], ["ana"], 1)
    ana_same_story = store(engine, 2, sources[0], ["ana"], 2)  # one publisher: not trending
    ana_old = store(engine, 3, sources[1], ["ana"], 60)
    muted = store(engine, 4, sources[2], ["ana"], 0.5)
    trend = [store(engine, 10 + n, sources[n], ["cy"], 3) for n in range(3)]
    other = store(engine, 5, sources[0], ["bo"], 0.1)
    in_story(engine, story_a, ana_new, ana_same_story)
    in_story(engine, story_b, *trend)

    anonymous = client.get("/foryou.json").json()
    assert anonymous["personal"] is False
    (item,) = anonymous["articles"]  # the trending story, once
    assert item["id"] in trend and item["reason"]["text"].startswith("Trending: 3 publishers")
    assert item["reason"]["href"] == f"/s/{story_b}"

    form_post(client, "/signup", {"name": "reader", "password": "long enough password"})
    form_post(client, "/follow", {"target": "channel:person:ana"})
    form_post(client, "/settings", {"action": "mute", "target": f"source:{sources[2]}"})
    feed = client.get("/foryou.json").json()
    ids = [a["id"] for a in feed["articles"]]
    assert feed["personal"] is True
    assert muted not in ids and other not in ids
    assert ids.index(ana_new) < ids.index(ana_old)  # fresher first
    assert ana_same_story not in ids  # one item per story
    reason = next(a["reason"] for a in feed["articles"] if a["id"] == ana_new)
    assert reason == {"text": "You follow Ana", "href": "/c/person:ana"}
    page = lxml.html.fromstring(client.get("/foryou").text)
    assert page.xpath('//*[@data-section="for-you"]//p[@class="reason"]/a[@href="/c/person:ana"]')


def test_trending_ranks_stories_by_new_publishers_and_readers(
    client: TestClient, engine: Engine
) -> None:
    with engine.begin() as conn:
        sources = [
            source_store.upsert_source(conn, Source(name=f"P{n}", feed_url=f"http://h/{n}"))
            for n in range(4)
        ]
        rising, fading, read = (article_store.create_story(conn, t, NOW) for t in "ABC")
    in_story(engine, rising, *(store(engine, n, sources[n], [], 1) for n in range(3)))
    # Carried by three publishers 7-11 hours ago, by one now: it is fading.
    fading_ids = [store(engine, 10 + n, sources[n], [], 7 + n) for n in range(3)]
    in_story(engine, fading, *fading_ids, store(engine, 20, sources[3], [], 1))
    read_id = store(engine, 30, sources[0], [], 2)
    in_story(engine, read, read_id)
    for _ in range(15):  # fifteen readers in the last hours weigh 1.5 publishers
        with TestClient(client.app) as reader:
            reader.get(f"/a/{read_id}", headers={"user-agent": "Mozilla/5.0 Firefox/140.0"})
    data = client.get("/trending.json").json()
    order = [s["id"] for s in data["stories"]]
    assert order[:2] == [rising, read] and order.index(fading) > 1
    top = data["stories"][0]
    assert top["publishers"] == 3 and top["new_publishers"] == 3 and top["newest"]["id"]
    assert data["stories"][1]["readers"] == 15
    page = lxml.html.fromstring(client.get("/trending").text)
    assert page.xpath(f'//*[@data-section="trending"]//a[@href="/s/{rising}"]')


def place_article(engine: Engine, n: int, source: int, place: Place, hours: float) -> int:
    url = f"http://127.0.0.1/local/{n}.html"
    draft = ArticleDraft(url, url, f"Local {n}", "", NOW - timedelta(hours=hours), "en", "T.")
    enrichment = Enrichment([], [place], [], "local", [], [], None, [])
    with engine.begin() as conn:
        return article_store.save_article(conn, Article(draft, enrichment, source, fetched_at=NOW))


def test_local_picks_a_place_by_name_and_brings_its_neighbours_by_distance(
    client: TestClient, engine: Engine
) -> None:
    def place(name: str, geonameid: int, lat: float, lon: float) -> Place:
        return Place(name, "city", geonameid, lat, lon, "US", "IL", [], f"place:{geonameid}")

    chicago = place("Chicago", 4887398, 41.85, -87.65)
    evanston = place("Evanston", 4891382, 42.04, -87.69)
    springfield = place("Springfield", 4250542, 39.80, -89.64)
    with engine.begin() as conn:
        source = source_store.upsert_source(conn, Source(name="P", feed_url="http://h/p"))
    in_chicago = place_article(engine, 1, source, chicago, 3)
    in_evanston = place_article(engine, 2, source, evanston, 1)
    far = place_article(engine, 3, source, springfield, 1)

    picked = client.get("/local.json", params={"q": "chic"}).json()
    assert picked["choices"][0]["key"] == "place:4887398"  # in the news: first
    data = client.get("/local.json", params={"place": "place:4887398"}).json()
    assert data["place"]["name"] == "Chicago, IL"
    assert [(n["name"], round(n["km"])) for n in data["nearby"]] == [("Evanston, IL", 21)]
    reasons = {a["id"]: a["reason"]["text"] for a in data["articles"]}
    assert reasons == {in_evanston: "Nearby: Evanston, IL, 21 km", in_chicago: "In Chicago, IL"}
    assert far not in reasons and data["articles"][0]["id"] == in_evanston  # the newest first
    assert client.get("/local.json", params={"place": "nonsense"}).status_code == 400
    page = lxml.html.fromstring(client.get("/local", params={"place": "place:4887398"}).text)
    assert page.xpath('//*[@data-section="local-nearby"]//a[contains(@href, "4891382")]')
    # A town the news has not named yet is picked from the gazetteer: the news around it.
    picked = client.get("/local.json", params={"q": "wilmet"}).json()["choices"]
    (wilmette,) = [c for c in picked if c["name"] == "Wilmette, IL"]
    assert wilmette["in_news"] is False and wilmette["kind"] == "city"
    around = client.get("/local.json", params={"place": wilmette["key"]}).json()
    assert around["place"] == {**wilmette, "in_news": False}
    assert [n["name"] for n in around["nearby"]] == ["Evanston, IL", "Chicago, IL"]
    assert {a["id"] for a in around["articles"]} == {in_evanston, in_chicago}
    assert client.get("/local.json", params={"q": "chic"}).json()["choices"][0] == {
        "key": "place:4887398",
        "name": "Chicago, IL",
        "kind": "city",
        "in_news": True,
    }
    # "Near me": the browser's rounded position brings the nearest town's page.
    near = client.get("/local", params={"near": "42.03,-87.70"}, follow_redirects=False)
    assert near.status_code == 303 and near.headers["location"] == "/local?place=place%3A4891382"
    twin = client.get("/local.json", params={"near": "41.9,-87.6"}, follow_redirects=True).json()
    assert twin["place"]["name"] == "Chicago, IL"
    assert client.get("/local.json", params={"near": "0,0"}).status_code == 404  # 100 km: none
    for bad in ("nan,nan", "91,0", "41.9", "inf,-87", "x,y", "1" * 5000):
        assert client.get("/local.json", params={"near": bad}).status_code == 400, bad


def test_a_saved_search_is_followed_like_a_channel_with_feeds(
    client: TestClient, engine: Engine
) -> None:
    with engine.begin() as conn:
        source = source_store.upsert_source(conn, Source(name="P", feed_url="http://h/p"))
    url = "http://127.0.0.1/storm.html"
    draft = ArticleDraft(url, url, "Storm closes the harbour", "", NOW, "en", "A storm came.")
    with engine.begin() as conn:
        enrichment = Enrichment([], [], [], "world", [], [], None, [])
        storm = article_store.save_article(conn, Article(draft, enrichment, source, fetched_at=NOW))
    form_post(client, "/signup", {"name": "reader", "password": "long enough password"})
    page = lxml.html.fromstring(client.get("/search", params={"q": "storm"}).text)
    saved = page.xpath('//*[@data-section="save-search"]//input[@name="target"]/@value')
    assert saved == ["search:q=storm"]
    form_post(client, "/follow", {"target": saved[0]})
    (item,) = client.get("/foryou.json").json()["articles"]
    assert item["id"] == storm
    assert item["reason"] == {
        "text": "Matches your saved search “storm”",
        "href": "/search?q=storm",
    }
    feed = client.get("/search/feed.json", params={"q": "storm"}).json()
    assert [i["title"] for i in feed["items"]] == ["Storm closes the harbour"]
    assert feed["feed_url"].endswith("/search/feed.json?q=storm")
    assert client.get("/search/atom.xml", params={"q": "storm"}).status_code == 200
    assert client.get("/search/feed.xml", params={"q": "storm", "to": "soon"}).status_code == 400


def test_keep_and_block_rules_hold_on_stored_articles_per_channel(
    client: TestClient, engine: Engine
) -> None:
    with engine.begin() as conn:
        sources = [
            source_store.upsert_source(conn, Source(name=f"P{n}", feed_url=f"http://h/{n}"))
            for n in range(2)
        ]
    goal = store(engine, 1, sources[0], ["ana"], 1)  # "Headline 1"
    other = store(engine, 2, sources[1], ["ana", "bo"], 2)
    third = store(engine, 3, sources[0], ["ana"], 3)
    form_post(client, "/signup", {"name": "reader", "password": "long enough password"})
    form_post(client, "/follow", {"target": "channel:person:ana"})

    def ids(path: str) -> list[int]:
        page = lxml.html.fromstring(client.get(path).text)
        return [
            int(h.rsplit("/", 1)[1]) for h in page.xpath("//article[@class='card']//h3/a/@href")
        ]

    assert set(ids("/c/person:ana")) == {goal, other, third}
    rule = {"action": "rule", "rule_action": "block", "rule_field": "publisher"}
    form_post(client, "/settings", {**rule, "rule_value": str(sources[1])})
    assert set(ids("/c/person:ana")) == {goal, third}  # stored articles obey it at once
    assert other not in [a["id"] for a in client.get("/foryou.json").json()["articles"]]
    keep = {"action": "rule", "rule_action": "keep", "rule_field": "word"}
    form_post(client, "/settings", {**keep, "rule_value": "1", "rule_scope": "person:ana"})
    assert ids("/c/person:ana") == [goal]  # only what the keep rule names, in its channel
    assert goal in [a["id"] for a in client.get("/foryou.json").json()["articles"]]
    export = client.get("/settings/export.json").json()
    assert [(r["action"], r["field"]) for r in export["rules"]] == [
        ("block", "publisher"),
        ("keep", "word"),
    ]
    bad = client.post(
        "/settings",
        data={
            "csrf": lxml.html.fromstring(client.get("/settings").text).xpath(
                '//input[@name="csrf"]/@value'
            )[0],
            **rule,
            "rule_value": "not a number",
        },
    )
    assert (
        "publisher" in bad.headers["location"]
        and len(client.get("/settings/export.json").json()["rules"]) == 2
    )
    for r in export["rules"]:
        form_post(client, "/settings", {"action": "unrule", "rule": str(r["id"])})
    assert set(ids("/c/person:ana")) == {goal, other, third}


def test_reads_and_feedback_teach_for_you(client: TestClient, engine: Engine) -> None:
    with engine.begin() as conn:
        source = source_store.upsert_source(conn, Source(name="P", feed_url="http://h/p"))
    liked = [store(engine, n, source, ["ana", "bo"], 5) for n in range(1, 5)]
    about_bo = store(engine, 9, source, ["bo"], 1)  # never followed: learned from the reads
    disliked = store(engine, 10, source, ["ana", "cy"], 0.5)
    form_post(client, "/signup", {"name": "reader", "password": "long enough password"})
    form_post(client, "/follow", {"target": "channel:person:ana"})
    browser = {"user-agent": "Mozilla/5.0 Firefox/140.0"}
    for article_id in liked:  # four reads: Bo's weight reaches 1.0
        client.get(f"/a/{article_id}", headers=browser)
    feed = client.get("/foryou.json").json()["articles"]
    reasons = {a["id"]: a["reason"] for a in feed}
    assert reasons[about_bo] == {
        "text": "Because you read stories about Bo",
        "href": "/c/person:bo",
    }
    before = [a["id"] for a in feed].index(disliked)
    form_post(
        client, "/feedback", {"article": str(disliked), "direction": "fewer", "next": "/foryou"}
    )
    form_post(
        client, "/feedback", {"article": str(disliked), "direction": "fewer", "next": "/foryou"}
    )
    after = [a["id"] for a in client.get("/foryou.json").json()["articles"]]
    assert after.index(disliked) > before and after[-1] == disliked  # Cy taught down
    exported = client.get("/settings/export.json").json()["affinities"]
    assert exported["person:bo"] == 1.0 and exported["person:cy"] == -2.0
