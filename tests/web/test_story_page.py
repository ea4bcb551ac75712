"""The story page (/s/<id>) and the article page's "also published" note, over a real
database and the app's own routes: wire copies folded under their original, counted by
publisher."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from broadsheet.config import load_settings
from broadsheet.models import Article, ArticleDraft, Enrichment, Entity, Mention, Place, Source
from broadsheet.store import articles as article_store
from broadsheet.store import sources as source_store
from broadsheet.web import story_views, views
from broadsheet.web.app import create_app

NOW = datetime.now(UTC).replace(microsecond=0)
STORY_TITLE = "Bridge <b>reopens</b> after the flood"
MARKERS = ("story", "story-timeline", "story-coverage", "story-people", "story-places")

DANA = Entity("Dana Whitfield", "person", "person:dana-whitfield", 0.9, [Mention(0, 14, "x")])
OMAR = Entity("Omar Lee", "person", "person:omar-lee", 0.5, [Mention(0, 8, "x")])
CHICAGO_ENTITY = Entity("Chicago", "place", "place:4887398", 0.4, [Mention(0, 7, "x")])
JAPAN = Entity("Japan", "country", "place:1861060", 0.3, [Mention(0, 5, "x")])
CHICAGO = Place("Chicago", "city", 4887398, 41.85, -87.65, "US", "IL", key="place:4887398")


def make_article(
    source_id: int,
    slug: str,
    hours_ago: int | None,
    entities: list[Entity],
    places: list[Place],
    *,
    story_id: int | None,
    copy_of: int | None = None,
) -> Article:
    draft = ArticleDraft(
        url=f"https://news.example/{slug}",
        canonical_url=f"https://news.example/{slug}",
        title=f"Headline {slug}",
        byline="",
        published=None if hours_ago is None else NOW - timedelta(hours=hours_ago),
        language="en",
        text=f"Text of {slug}.\nSecond paragraph.",
    )
    enrichment = Enrichment(
        entities=entities,
        places=places,
        local_channels=[],
        section="local",
        labels=["LOCAL"],
        hashtags=[],
        wire_source="Meridian Wire" if copy_of is not None or slug == "a1" else None,
        embedding=[],
    )
    return Article(
        draft=draft,
        enrichment=enrichment,
        source_id=source_id,
        copy_of=copy_of,
        story_id=story_id,
        fetched_at=NOW,
    )


def add_source(conn: Any, name: str, home: str) -> int:
    slug = name.lower().replace(" ", "-")
    return source_store.upsert_source(
        conn, Source(name=name, feed_url=f"https://{slug}.example/feed.xml", home_city=home)
    )


@pytest.fixture
def corpus(engine: Engine) -> dict[str, Any]:
    """One story of seven articles from four publishers: an original with four copies (two by
    one outlet, one by the original's own publisher) and two more originals; one further copy
    of the original was grouped with no story."""
    with engine.begin() as conn:
        ledger = add_source(conn, "The Ledger", "Chicago, IL")
        harbor = add_source(conn, "Harbor Times", "Tokyo, JP")
        valley = add_source(conn, "Valley Post", "Chicago, IL")
        plains = add_source(conn, "Plains Daily", "")
        other = add_source(conn, "Other Gazette", "Denver, CO")
        story = article_store.create_story(conn, STORY_TITLE, NOW)
        wire = ([DANA, CHICAGO_ENTITY], [CHICAGO])

        def save(source_id: int, slug: str, hours: int | None, subjects: Any, **kw: Any) -> int:
            article = make_article(source_id, slug, hours, *subjects, **kw)
            return article_store.save_article(conn, article)

        a1 = save(ledger, "a1", 10, wire, story_id=story)
        ids = {
            "a1": a1,
            "a2": save(harbor, "a2", 9, wire, story_id=story, copy_of=a1),
            "a3": save(valley, "a3", 8, wire, story_id=story, copy_of=a1),
            "a4": save(valley, "a4", 7, wire, story_id=story, copy_of=a1),
            "a5": save(ledger, "a5", 6, wire, story_id=story, copy_of=a1),
            "a6": save(plains, "a6", 5, ([DANA, OMAR, JAPAN], []), story_id=story),
            "a7": save(harbor, "a7", None, ([OMAR], []), story_id=story),
            "a8": save(other, "a8", 4, wire, story_id=None, copy_of=a1),
        }
        lone = save(other, "lone", 3, ([OMAR], []), story_id=None)
    sources = {"ledger": ledger, "harbor": harbor, "valley": valley, "plains": plains}
    return {"story": story, "ids": ids, "lone": lone, "sources": {**sources, "other": other}}


@pytest.fixture
def client(engine: Engine, tmp_path: Path) -> Iterator[TestClient]:
    settings = load_settings(  # no page cache: the tests change a view's bounds and re-read
        environ={},
        data_dir=tmp_path,
        secret_key="story-test-secret",
        allow_hosts=("127.0.0.1",),
        page_cache_seconds=0.0,
    )
    with TestClient(create_app(engine, settings)) as made:
        yield made


def page(response: Any) -> lxml.html.HtmlElement:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    return lxml.html.fromstring(response.text)


def part(tree: lxml.html.HtmlElement, name: str) -> lxml.html.HtmlElement:
    found = tree.xpath(f'//*[@data-section="{name}"]')
    assert len(found) == 1, f"expected one data-section={name!r}, found {len(found)}"
    return found[0]


def text(element: lxml.html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def hrefs(element: lxml.html.HtmlElement) -> list[str]:
    return [a.get("href") for a in element.iter("a")]


def test_story_page_has_its_sections_and_a_json_twin(
    client: TestClient, corpus: dict[str, Any]
) -> None:
    story = corpus["story"]
    html = page(client.get(f"/s/{story}"))
    twin = client.get(f"/s/{story}.json").json()
    for name in (*MARKERS, "story-takes"):
        part(html, name)
    head = part(html, "story")
    assert head.xpath(".//h1")[0].text_content() == twin["title"] == STORY_TITLE  # escaped
    assert not head.xpath(".//h1//b")
    assert html.xpath(f'//link[@rel="alternate" and @href="/s/{story}.json"]')
    assert set(twin) == {
        "id",
        "title",
        "created_at",
        "updated_at",
        "coverage",
        "takes",
        "timeline",
        "people",
        "places",
        "merged_into",
        "followers",
        "comments_count",
        "comments",
        "comments_thread",
    }
    assert twin["id"] == story and twin["merged_into"] is None and twin["followers"] == 0
    (form,) = head.xpath(".//form[@class='follow-form']")
    assert form.xpath(".//input[@name='target']/@value") == [f"story:{story}"]
    assert form.xpath(".//button")[0].text == "Follow"


def test_timeline_is_oldest_first_with_time_and_publisher(
    client: TestClient, corpus: dict[str, Any]
) -> None:
    ids = corpus["ids"]
    twin = client.get(f"/s/{corpus['story']}.json").json()
    timeline = twin["timeline"]
    order = [ids[k] for k in ("a1", "a2", "a3", "a4", "a5", "a6", "a7")]
    assert [a["id"] for a in timeline["articles"]] == order  # undated last; a8 is elsewhere
    assert timeline["total"] == 7 and timeline["pages"] == 1
    first = timeline["articles"][0]
    assert first["publisher"] == {"id": corpus["sources"]["ledger"], "name": "The Ledger"}
    assert first["published"] == (NOW - timedelta(hours=10)).isoformat()
    assert timeline["articles"][1]["copy_of"] == ids["a1"]
    html = part(page(client.get(f"/s/{corpus['story']}")), "story-timeline")
    items = html.xpath(".//li")
    assert [li.xpath(".//h3/a")[0].get("href") for li in items] == [f"/a/{i}" for i in order]
    assert items[0].xpath(".//time")[0].get("datetime") == first["published"]
    assert "The Ledger" in text(items[0]) and "Time unknown" in text(items[-1])
    assert "copy of the original" in text(items[1]) and f"/a/{ids['a1']}" in hrefs(items[1])
    assert "copy of" not in text(items[5])


def test_takes_fold_copies_under_their_original_by_publisher(
    client: TestClient, corpus: dict[str, Any]
) -> None:
    ids, sources = corpus["ids"], corpus["sources"]
    takes = client.get(f"/s/{corpus['story']}.json").json()["takes"]
    assert takes["count"] == 3 and takes["more"] == 0
    heads = [g["original"]["id"] for g in takes["groups"]]
    assert heads == [ids["a1"], ids["a6"], ids["a7"]]
    wire = takes["groups"][0]
    assert wire["copies"] == 4  # a2..a5 in this story; a8 was put in no story
    assert wire["outlets_count"] == 2  # Harbor Times and Valley Post; not the original's own
    assert [(o["publisher"]["id"], o["id"], o["copies"]) for o in wire["outlets"]] == [
        (sources["harbor"], ids["a2"], 1),
        (sources["valley"], ids["a3"], 2),
    ]
    assert wire["original"]["wire_source"] == "Meridian Wire"
    assert wire["original"]["in_story"] is True
    assert takes["groups"][1]["outlets"] == [] and takes["groups"][1]["copies"] == 0
    html = part(page(client.get(f"/s/{corpus['story']}")), "story-takes")
    (first,) = html.xpath(f'.//li[@data-original="{ids["a1"]}"]')
    assert "Also published by 2 outlets: Harbor Times, Valley Post (2 copies)." in text(first)
    assert f"/a/{ids['a2']}" in hrefs(first) and f"/a/{ids['a3']}" in hrefs(first)
    assert f"/a/{ids['a5']}" not in hrefs(first)


def test_coverage_counts_articles_publishers_and_home_places(
    client: TestClient, corpus: dict[str, Any]
) -> None:
    coverage = client.get(f"/s/{corpus['story']}.json").json()["coverage"]
    assert (coverage["articles"], coverage["publishers"]) == (7, 4)
    assert (coverage["originals"], coverage["copies"]) == (3, 4)
    assert coverage["homes"] == [
        {"name": "Chicago, IL", "publishers": 2},
        {"name": "Tokyo, JP", "publishers": 1},
    ]
    assert coverage["homes_more"] == 0 and coverage["publishers_without_home"] == 1
    listed = {p["name"]: (p["home"], p["articles"]) for p in coverage["publishers_list"]}
    assert listed == {
        "The Ledger": ("Chicago, IL", 2),
        "Valley Post": ("Chicago, IL", 2),
        "Harbor Times": ("Tokyo, JP", 2),
        "Plains Daily": ("", 1),
    }
    assert "Denver, CO" not in str(coverage)
    html = part(page(client.get(f"/s/{corpus['story']}")), "story-coverage")
    stats = {dt.text_content(): dt.getnext().text_content() for dt in html.iter("dt")}
    assert stats == {"Articles": "7", "Publishers": "4", "Originals": "3"}
    assert "Chicago, IL · 2 publishers" in text(html)
    assert "1 publisher has no home place set" in text(html)


def test_key_people_and_places_are_counted_across_the_story(
    client: TestClient, corpus: dict[str, Any]
) -> None:
    twin = client.get(f"/s/{corpus['story']}.json").json()
    people = [(p["key"], p["articles"]) for p in twin["people"]["top"]]
    assert people == [("person:dana-whitfield", 6), ("person:omar-lee", 2)]  # lone: no story
    places = [(p["name"], p["kind"], p["articles"]) for p in twin["places"]["top"]]
    # Chicago is linked twice by each wire article (entity and place): counted once each.
    assert places == [("Chicago, IL", "city", 5), ("Japan", "country", 1)]
    assert twin["people"]["more"] == twin["places"]["more"] == 0
    html = page(client.get(f"/s/{corpus['story']}"))
    assert "/c/person:dana-whitfield" in hrefs(part(html, "story-people"))
    assert "Person: Dana Whitfield 6" in text(part(html, "story-people"))
    assert "/c/place:1861060" in hrefs(part(html, "story-places"))


def test_long_lists_are_paged_or_counted_never_cut_silently(
    client: TestClient, corpus: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    ids, story = corpus["ids"], corpus["story"]
    monkeypatch.setattr(story_views, "TIMELINE_PAGE_SIZE", 3)
    monkeypatch.setattr(story_views, "OUTLETS_SHOWN", 1)
    monkeypatch.setattr(story_views, "GROUPS_SHOWN", 2)
    monkeypatch.setattr(story_views, "CHANNELS_SHOWN", 1)
    seen = []
    for number in (1, 2, 3):
        timeline = client.get(f"/s/{story}.json", params={"page": number}).json()["timeline"]
        assert (timeline["page"], timeline["pages"]) == (number, 3)
        seen += [a["id"] for a in timeline["articles"]]
    assert seen == [ids[k] for k in ("a1", "a2", "a3", "a4", "a5", "a6", "a7")]
    twin = client.get(f"/s/{story}.json").json()
    assert twin["takes"]["more"] == 1 and len(twin["takes"]["groups"]) == 2
    assert twin["takes"]["groups"][0]["outlets_more"] == 1
    assert twin["people"]["more"] == 1 and twin["people"]["count"] == 2
    html = page(client.get(f"/s/{story}", params={"page": 2}))
    pager = part(html, "story-timeline")
    assert "Page 2 of 3" in text(pager)
    assert {f"/s/{story}?page=1", f"/s/{story}?page=3"} <= set(hrefs(pager))
    assert "1 more original article not listed here" in text(part(html, "story-takes"))
    assert "and 1 more." in text(part(html, "story-takes"))
    assert "and 1 more person" in text(part(html, "story-people"))
    assert html.xpath(f'//link[@rel="alternate" and @href="/s/{story}.json?page=2"]')
    assert client.get(f"/s/{story}", params={"page": 4}).status_code == 404
    for bad in ("0", "x", "-1", "9" * 40):
        assert client.get(f"/s/{story}.json", params={"page": bad}).status_code == 400, bad


def test_unknown_story_is_the_404_page(client: TestClient, corpus: dict[str, Any]) -> None:
    for path in ("/s/999999", "/s/0", "/s/99999999999999999999"):
        response = client.get(path)
        assert response.status_code == 404
        assert "Page not found" in response.text
    twin = client.get("/s/999999.json")
    assert twin.status_code == 404 and twin.json()["status"] == 404
    assert "No story has that number" in twin.json()["error"]


def test_article_page_names_the_original_and_other_outlets(
    client: TestClient, corpus: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    ids, sources, story = corpus["ids"], corpus["sources"], corpus["story"]
    original = client.get(f"/a/{ids['a1']}.json").json()["also_published"]
    assert original["original"] is None
    # Five copies from four publishers, one of them the original's own: three outlets.
    assert original["outlets_count"] == 3 and original["outlets_more"] == 0
    assert [o["publisher"]["id"] for o in original["outlets"]] == [
        sources["harbor"],
        sources["valley"],
        sources["other"],
    ]
    html = page(client.get(f"/a/{ids['a1']}"))
    note = part(html, "also-published")
    assert "Also published by 3 outlets: Harbor Times, Valley Post, Other Gazette." in text(note)
    assert f"/a/{ids['a8']}" in hrefs(note)
    coverage = html.xpath('//a[@class="full-coverage"]')[0]
    assert coverage.get("href") == f"/s/{story}"
    assert text(coverage) == "Full coverage: 7 articles"

    copy = client.get(f"/a/{ids['a3']}.json").json()["also_published"]
    assert copy["original"]["id"] == ids["a1"]
    assert copy["original"]["publisher"]["name"] == "The Ledger"
    assert [o["publisher"]["name"] for o in copy["outlets"]] == ["Harbor Times", "Other Gazette"]
    note = part(page(client.get(f"/a/{ids['a3']}")), "also-published")
    assert "Originally published by The Ledger" in text(note)
    assert f"/a/{ids['a1']}" in hrefs(note) and f"/p/{sources['ledger']}" in hrefs(note)
    assert "Also published by 2 outlets" in text(note)

    monkeypatch.setattr(views, "OUTLETS_SHOWN", 1)
    bounded = client.get(f"/a/{ids['a1']}.json").json()["also_published"]
    assert (len(bounded["outlets"]), bounded["outlets_more"]) == (1, 2)
    note = part(page(client.get(f"/a/{ids['a1']}")), "also-published")
    assert "Also published by 3 outlets: Harbor Times and 2 more." in text(note)


def test_an_article_nobody_copied_has_no_also_published_note(
    client: TestClient, corpus: dict[str, Any]
) -> None:
    twin = client.get(f"/a/{corpus['lone']}.json").json()
    assert twin["also_published"] == {
        "original": None,
        "outlets_count": 0,
        "outlets": [],
        "outlets_more": 0,
    }
    html = page(client.get(f"/a/{corpus['lone']}"))
    assert not html.xpath('//*[@data-section="also-published"]')
    assert not html.xpath('//a[@class="full-coverage"]')
