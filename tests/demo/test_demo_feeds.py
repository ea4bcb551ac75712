"""The demo feeds parse as RSS 2.0 or Atom 1.0 and describe every article."""

from __future__ import annotations

import calendar
from collections.abc import Callable

import feedparser
import pytest

from broadsheet.demo import SECTIONS, DemoServer

Fetch = Callable[[str], tuple[int, str, bytes]]


def test_every_feed_lists_all_its_articles_newest_first(
    demo_server: DemoServer, fetch: Fetch
) -> None:
    for publisher in demo_server.publishers():
        status, content_type, body = fetch(demo_server.feed_url(publisher.id))
        assert status == 200
        parsed = feedparser.parse(body)
        assert not parsed.bozo, (publisher.id, parsed.get("bozo_exception"))
        articles = demo_server.catalog.articles_of(publisher.id)
        assert len(parsed.entries) == len(articles) > 0
        if publisher.feed_format == "rss":
            assert parsed.version == "rss20"
            assert content_type.startswith("application/rss+xml")
        else:
            assert parsed.version == "atom10"
            assert content_type.startswith("application/atom+xml")
        description = parsed.feed.get("description") or parsed.feed.get("subtitle")
        assert "sample content" in description.lower()
        stamps = [calendar.timegm(e.published_parsed) for e in parsed.entries]
        assert stamps == sorted(stamps, reverse=True)


@pytest.mark.parametrize("publisher_id", ["lakeshore-ledger", "puget-sound-post"])
def test_feed_entries_carry_author_section_date_and_link(
    demo_server: DemoServer, fetch: Fetch, publisher_id: str
) -> None:
    parsed = feedparser.parse(fetch(demo_server.feed_url(publisher_id))[2])
    by_link = {a.slug: a for a in demo_server.catalog.articles_of(publisher_id)}
    for entry in parsed.entries:
        slug = entry.link.rsplit("/", 1)[1].removesuffix(".html")
        article = by_link[slug]
        assert entry.link.startswith(demo_server.base_url + f"/{publisher_id}/")
        assert entry.title == article.title
        assert entry.author == article.author
        assert [t.term for t in entry.tags] == [article.section]
        assert article.section in SECTIONS
        assert calendar.timegm(entry.published_parsed) == int(article.published.timestamp())
        assert entry.id == entry.link
        assert entry.summary and entry.summary in article.paragraphs[0]


def test_wire_summary_drops_the_dateline(demo_server: DemoServer, fetch: Fetch) -> None:
    wire = next(a for a in demo_server.catalog.articles if a.wire)
    assert "(Meridian Wire)" in wire.paragraphs[0]
    assert "Meridian Wire" not in wire.summary
    assert wire.summary.endswith(".")
