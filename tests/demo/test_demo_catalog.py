"""The catalog rejects inconsistent content and the shipped content meets the demo's needs."""

from __future__ import annotations

import json
import urllib.request
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import feedparser
import pytest

from broadsheet.demo import SECTIONS, Catalog, CatalogError, DemoArticle, DemoServer, load_catalog

NOW = datetime(2025, 5, 1, 12, 0, tzinfo=UTC)
PLACES = ("Chicago", "Austin", "Seattle", "London", "Paris", "Tokyo")


def _publisher(**changes: Any) -> dict[str, Any]:
    record = {
        "id": "test-times",
        "name": "The Test Times",
        "home_city": "Chicago",
        "home_region": "IL",
        "country": "US",
        "about": "A sample publisher for tests.",
        "feed_format": "rss",
        "color": "#123456",
        "tagline": "Tests & <tags>",
    }
    return record | changes


def _article(**changes: Any) -> dict[str, Any]:
    record = {
        "slug": "a-story",
        "publisher": "test-times",
        "section": "local",
        "title": 'Bread & <butter> "prices" rise',
        "author": "Ann Example",
        "hours_ago": 3,
        "paragraphs": ["First sentence & more. Second sentence.", "Another paragraph."],
        "image_caption": "A caption.",
        "wire": None,
    }
    return record | changes


def _write(folder: Path, publishers: list[dict[str, Any]], *files: list[dict[str, Any]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "publishers.json").write_text(json.dumps(publishers), encoding="utf-8")
    for i, articles in enumerate(files):
        (folder / f"articles-{i}.json").write_text(json.dumps(articles), encoding="utf-8")
    return folder


def test_loads_a_good_folder_with_dates_relative_to_now(tmp_path: Path) -> None:
    folder = _write(tmp_path, [_publisher()], [_article()], [_article(slug="b", hours_ago=1)])
    catalog = load_catalog(NOW, folder)
    assert [a.slug for a in catalog.articles] == ["b", "a-story"]
    assert catalog.articles[1].published == NOW - timedelta(hours=3)
    assert catalog.articles[1].summary == "First sentence & more."
    assert catalog.publishers[0].initials == "TT"


@pytest.mark.parametrize(
    ("publishers", "articles", "message"),
    [
        ([_publisher()], [_article(publisher="nobody")], "unknown publisher id 'nobody'"),
        ([_publisher()], [_article(section="horoscopes")], "unknown section 'horoscopes'"),
        ([_publisher()], [_article(), _article()], "duplicate article slug 'a-story'"),
        ([_publisher(), _publisher()], [_article()], "duplicate publisher id 'test-times'"),
        ([_publisher(feed_format="json")], [_article()], "feed_format 'json'"),
        ([_publisher()], [_article(slug="Not Safe")], "slug is not url-safe"),
        ([_publisher()], [_article(hours_ago=999)], "hours_ago must be between 0 and 240"),
        ([_publisher()], [{"slug": "x"}], "lacks publisher, section"),
    ],
)
def test_rejects_inconsistent_content(
    tmp_path: Path, publishers: list[dict[str, Any]], articles: list[dict[str, Any]], message: str
) -> None:
    with pytest.raises(CatalogError, match=message.replace("(", r"\(")):
        load_catalog(NOW, _write(tmp_path, publishers, articles))


def test_rejects_duplicate_slugs_across_files_and_missing_files(tmp_path: Path) -> None:
    folder = _write(tmp_path / "dup", [_publisher()], [_article()], [_article()])
    with pytest.raises(CatalogError, match="duplicate article slug"):
        load_catalog(NOW, folder)
    with pytest.raises(CatalogError, match="missing content file"):
        load_catalog(NOW, tmp_path / "empty")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "publishers.json").write_text("[{", encoding="utf-8")
    with pytest.raises(CatalogError, match="not valid JSON"):
        load_catalog(NOW, tmp_path / "bad")


def test_feeds_escape_markup_characters(tmp_path: Path) -> None:
    for feed_format in ("rss", "atom"):
        folder = _write(tmp_path / feed_format, [_publisher(feed_format=feed_format)], [_article()])
        with DemoServer(now=NOW, content_dir=folder) as server:
            body = urllib.request.urlopen(server.feed_url("test-times"), timeout=10).read()
        parsed = feedparser.parse(body)
        assert not parsed.bozo
        assert parsed.entries[0].title == 'Bread & <butter> "prices" rise'


@pytest.fixture(scope="module")
def shipped() -> Catalog:
    return load_catalog(NOW)


def test_shipped_publishers(shipped: Catalog) -> None:
    assert len(shipped.publishers) >= 8
    assert {p.feed_format for p in shipped.publishers} == {"rss", "atom"}
    cities = {p.home_city for p in shipped.publishers}
    assert {"Chicago", "Austin", "Seattle", "London", "Paris", "Tokyo", "New York City"} <= cities
    assert all("Broadsheet demo" in p.about for p in shipped.publishers)


def test_shipped_articles_cover_every_section(shipped: Catalog) -> None:
    assert len(shipped.articles) >= 80, "articles-b.json may not have been written yet"
    assert set(SECTIONS) == {a.section for a in shipped.articles}
    assert all(4 <= len(a.paragraphs) <= 7 for a in shipped.articles)


def test_shipped_wire_stories_are_carried_by_three_publishers(shipped: Catalog) -> None:
    stories: dict[str, list[DemoArticle]] = defaultdict(list)
    for article in shipped.articles:
        if article.wire:
            stories[article.paragraphs[0]].append(article)
    assert len(stories) >= 3
    for copies in stories.values():
        assert len({a.publisher for a in copies}) == len(copies) == 3
        for copy in copies:
            assert copy.wire == "Meridian Wire" and copy.author == "Meridian Wire staff"
            assert "(Meridian Wire) — " in copy.paragraphs[0]
            assert copy.paragraphs[-1] == "With Meridian Wire reporting."


def test_shipped_articles_feature_the_six_places(shipped: Catalog) -> None:
    counts: Counter[str] = Counter()
    for article in shipped.articles:
        text = " ".join((article.title, *article.paragraphs))
        counts.update(place for place in PLACES if place in text)
    assert all(counts[place] >= 5 for place in PLACES), counts
