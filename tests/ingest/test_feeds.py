"""Feeds fetched from a real HTTP server on 127.0.0.1, then parsed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from broadsheet.ingest.feeds import FeedError, discover_feeds, parse_feed
from broadsheet.ingest.fetch import Fetcher

from .conftest import Site


def test_rss_entries_are_absolute_utc_and_categorised(site: Site, fetcher: Fetcher) -> None:
    feed = parse_feed(fetcher.fetch_page(site.url + "/feed.rss"))
    assert feed.title == "Lakeside Gazette"
    assert feed.link == site.url + "/"
    assert feed.description == "News from the lake"
    first, second = feed.entries
    assert first.url == site.url + "/news/harbour?utm_source=rss"
    assert first.title == "Council approves the new harbour"
    assert first.author == "Ana Ruiz"
    assert first.published == datetime(2025, 6, 10, 7, 30, tzinfo=UTC)
    assert first.published.utcoffset() is not None
    assert first.categories == ["Local", "Politics"]
    assert first.guid == "harbour-1"
    assert first.summary == "The vote was close."
    assert second.url == "https://other.example/ferry"
    assert second.published == datetime(2025, 6, 9, 18, 0, tzinfo=UTC)


def test_atom_entries(site: Site, fetcher: Fetcher) -> None:
    feed = parse_feed(fetcher.fetch_page(site.url + "/feed.atom"))
    assert (feed.title, feed.link, feed.description) == (
        "Hill Times",
        "https://hill.example/",
        "Upland news",
    )
    [entry] = feed.entries
    assert entry.url == site.url + "/stories/pass.html"
    assert entry.published == datetime(2025, 6, 10, 12, 15, tzinfo=UTC)
    assert (entry.author, entry.guid, entry.categories) == ("Jo Berg", "urn:hill:pass", ["Weather"])
    assert entry.summary == "Drivers are told to wait."


def test_broken_feed_says_so(site: Site, fetcher: Fetcher) -> None:
    with pytest.raises(FeedError, match="broken feed"):
        parse_feed(fetcher.fetch_page(site.url + "/broken.xml"))


def test_html_page_is_not_a_feed(site: Site, fetcher: Fetcher) -> None:
    with pytest.raises(FeedError, match="not a feed: looks like an HTML page"):
        parse_feed(fetcher.fetch_page(site.url + "/home.html"))


def test_discovers_feeds_advertised_by_a_page(site: Site, fetcher: Fetcher) -> None:
    page = fetcher.fetch_page(site.url + "/home.html")
    assert discover_feeds(page) == [site.url + "/feed.rss", "https://hill.example/atom.xml"]


def test_text_that_looks_like_a_path_is_not_opened(site: Site, fetcher: Fetcher) -> None:
    page = fetcher.fetch_page(site.url + "/feed.rss")
    page.text = "/etc/hostname"
    with pytest.raises(FeedError, match="not a feed"):
        parse_feed(page)
