"""Feeds parsed from handmade documents: every RSS and Atom version, JSON Feed, hostile input."""

from __future__ import annotations

import gzip
import json
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from broadsheet.ingest.feeds import FeedError, parse_feed, parse_json_feed, parse_source_document
from broadsheet.models import Page

DATA = Path(__file__).parent / "data"
RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<title>Lakeside Gazette</title><link>/</link>
<description>News from &lt;b&gt;the lake&lt;/b&gt;</description>
<item><title>Ferry timetable changes</title><link>https://other.example/ferry</link>
<pubDate>Mon, 09 Jun 2025 18:00:00 GMT</pubDate><guid>ferry-2</guid></item>
<item><title>Council approves the new harbour</title><link>/news/harbour?utm_source=rss</link>
<dc:creator>Ana Ruiz</dc:creator><pubDate>Tue, 10 Jun 2025 09:30:00 +0200</pubDate>
<category>Local</category><category>Politics</category><category>Local</category>
<guid isPermaLink="false">harbour-1</guid>
<description>&lt;p&gt;The vote was &lt;b&gt;close&lt;/b&gt;.&lt;/p&gt;</description></item>
</channel></rss>"""
ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Hill Times</title>
<link rel="alternate" href="https://hill.example/"/><subtitle>Upland news</subtitle>
<id>urn:hill</id><updated>2025-06-10T08:00:00Z</updated>
<entry><title>Snow closes the pass</title><link rel="alternate" href="stories/pass.html"/>
<id>urn:hill:pass</id><published>2025-06-10T07:15:00-05:00</published>
<updated>2025-06-10T14:00:00Z</updated><author><name>Jo Berg</name></author>
<category term="Weather"/><summary>Drivers are told to wait.</summary></entry>
<entry><title>Same time</title><link href="https://hill.example/same"/><id>urn:hill:same</id>
<published>2025-06-09T07:00:00Z</published><updated>2025-06-09T07:00:00Z</updated></entry>
</feed>"""
BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
<!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;"><!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
<!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;"><!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">]>
<rss version="2.0"><channel><title>&i;</title>
<item><title>&i;</title><link>https://a.example/1</link></item></channel></rss>"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>T</title>
<item><title>x&secret;y</title><link>https://a.example/1</link></item></channel></rss>"""


def page(text: str, url: str = "https://news.example/feed", content_type: str = "") -> Page:
    return Page(url, url, 200, content_type, text, datetime.now(UTC))


def data_page(name: str, url: str = "https://news.example/feed") -> Page:
    return page((DATA / name).read_text(encoding="utf-8"), url)


def test_rss2_entries_are_absolute_utc_categorised_and_newest_first() -> None:
    feed = parse_feed(page(RSS, "https://lake.example/feed.rss"))
    assert (feed.title, feed.link, feed.description, feed.format) == (
        "Lakeside Gazette",
        "https://lake.example/",
        "News from the lake",
        "rss20",
    )
    first, second = feed.entries  # the document lists the older item first
    assert first.url == "https://lake.example/news/harbour?utm_source=rss"
    assert (first.title, first.author, first.guid) == (
        "Council approves the new harbour",
        "Ana Ruiz",
        "harbour-1",
    )
    assert first.published == datetime(2025, 6, 10, 7, 30, tzinfo=UTC)
    assert first.categories == ["Local", "Politics"]
    assert first.summary == "The vote was close."
    assert first.updated is None
    assert second.url == "https://other.example/ferry"
    assert second.published == datetime(2025, 6, 9, 18, 0, tzinfo=UTC)


def test_atom10_updated_is_kept_only_when_it_differs() -> None:
    feed = parse_feed(page(ATOM, "https://hill.example/feed.atom"))
    assert (feed.title, feed.link, feed.description, feed.format) == (
        "Hill Times",
        "https://hill.example/",
        "Upland news",
        "atom10",
    )
    edited, same = feed.entries
    assert edited.url == "https://hill.example/stories/pass.html"
    assert edited.published == datetime(2025, 6, 10, 12, 15, tzinfo=UTC)
    assert edited.updated == datetime(2025, 6, 10, 14, 0, tzinfo=UTC)
    assert (edited.author, edited.guid, edited.categories) == (
        "Jo Berg",
        "urn:hill:pass",
        ["Weather"],
    )
    assert edited.summary == "Drivers are told to wait."
    assert same.updated is None


def test_rss090() -> None:
    feed = parse_feed(data_page("rss090.rdf", "https://valley.example/rss"))
    assert (feed.format, feed.title, feed.link) == (
        "rss090",
        "Valley Courier",
        "https://valley.example/",
    )
    assert [e.url for e in feed.entries] == [
        "https://valley.example/bridge",
        "https://valley.example/market",
    ]
    assert [e.title for e in feed.entries] == ["Bridge reopens", "Market moves"]


def test_rss091_with_a_doctype_is_read_without_fetching_it() -> None:
    feed = parse_feed(data_page("rss091.xml"))
    assert feed.format.startswith("rss091")
    assert feed.description == "Café society by the sea"
    [entry] = feed.entries
    assert (entry.url, entry.summary) == ("https://coast.example/tides", "High water at noon.")


def test_rss092_item_without_link_is_dropped_with_a_reason() -> None:
    feed = parse_feed(data_page("rss092.xml"))
    assert feed.format == "rss092"
    [entry] = feed.entries
    assert (entry.url, entry.categories) == ("https://plains.example/harvest", ["Farming"])
    assert feed.dropped == ["item 2: no link"]


def test_rss10_rdf_dates_authors_subjects() -> None:
    feed = parse_feed(data_page("rss10.rdf"))
    assert feed.format == "rss10"
    newer, older = feed.entries
    assert newer.url == "https://ridge.example/new"
    assert newer.published == datetime(2025, 6, 3, 8, 0, tzinfo=UTC)
    assert (older.author, older.categories) == ("Lee Park", ["Roads"])


def test_atom03_issued_and_modified() -> None:
    feed = parse_feed(data_page("atom03.xml"))
    assert (feed.format, feed.title, feed.description) == ("atom03", "Delta Dispatch", "River news")
    [entry] = feed.entries
    assert entry.url == "https://delta.example/levee"
    assert entry.published == datetime(2025, 6, 4, 9, 0, tzinfo=UTC)
    assert entry.updated == datetime(2025, 6, 5, 12, 0, tzinfo=UTC)
    assert entry.author == "Sam Ito"


def test_json_feed_11_items_newest_first_bad_items_dropped_not_fatal() -> None:
    feed = parse_feed(data_page("jsonfeed11.json", "https://mesa.example/feed.json"))
    assert (feed.format, feed.title, feed.link, feed.description) == (
        "json11",
        "Mesa Monitor",
        "https://mesa.example/",
        "Desert news",
    )
    solar, rain = feed.entries
    assert solar.url == "https://mesa.example/stories/solar"
    assert (solar.summary, solar.author, solar.updated) == (
        "The county voted 4-1.",
        "Mesa Desk",
        None,
    )
    assert rain.url == "https://mesa.example/stories/rain"
    assert rain.published == datetime(2025, 6, 2, 13, 0, tzinfo=UTC)
    assert rain.updated == datetime(2025, 6, 2, 15, 0, tzinfo=UTC)
    assert (rain.guid, rain.author, rain.categories) == (
        "mesa-1",
        "Ray Diaz, Kim Lo",
        ["Weather", "Local"],
    )
    assert rain.summary == "Three inches overnight."
    assert feed.dropped == [
        "item 3: not a JSON object",
        "item 4: no link",
        "item 5: link is not http(s): javascript:alert(1)",
    ]


def test_json_feed_10_external_url_numeric_id_and_permalink_id() -> None:
    feed = parse_json_feed(data_page("jsonfeed10.json"))
    assert feed.format == "json10"
    permalink, link_post = feed.entries
    assert (permalink.url, permalink.guid) == (
        "https://canyon.example/p/2",
        "https://canyon.example/p/2",
    )
    assert (link_post.url, link_post.guid) == ("https://elsewhere.example/report", "17")
    assert (link_post.author, link_post.summary) == ("Canyon Staff", "A link post.")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"title": "x", "items": []}', "not a JSON Feed: no https://jsonfeed.org/version/"),
        ('{"version": "https://jsonfeed.org/version/1.1", "items": {}}', "'items' is not a list"),
        ('{"version": "https://jsonfeed.org/version/1.1", "items": [', "broken JSON Feed"),
        ("[" * 60 + "]" * 60, "nested more than 50 levels"),
        ('{"version": "https://jsonfeed.org/version/1", "items": [' + "[" * 5000, "nested more"),
    ],
)
def test_json_that_is_not_a_usable_json_feed_is_refused_clearly(text: str, message: str) -> None:
    with pytest.raises(FeedError, match=message):
        parse_feed(page(text))


def test_brackets_inside_json_strings_do_not_count_as_nesting() -> None:
    items = [{"id": "1", "url": "https://a.example/1", "title": "[" * 200 + '"{' * 100}]
    doc = json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": items})
    assert parse_feed(page(doc)).entries[0].title.startswith("[[[")


def test_newest_first_puts_undated_entries_last_in_document_order() -> None:
    items = "".join(
        f"<item><title>{t}</title><link>https://a.example/{t}</link>{d}</item>"
        for t, d in [
            ("undated-1", ""),
            ("old", "<pubDate>Mon, 02 Jun 2025 10:00:00 GMT</pubDate>"),
            ("undated-2", ""),
            ("new", "<pubDate>Tue, 03 Jun 2025 10:00:00 GMT</pubDate>"),
        ]
    )
    feed = parse_feed(page(f'<rss version="2.0"><channel><title>T</title>{items}</channel></rss>'))
    assert [e.title for e in feed.entries] == ["new", "old", "undated-1", "undated-2"]


def test_max_items_keeps_the_newest_and_says_how_many_were_left_out() -> None:
    items = "".join(
        f"<item><link>https://a.example/{day}</link>"
        f"<pubDate>{day:02d} Jun 2025 10:00:00 GMT</pubDate></item>"
        for day in range(1, 11)
    )
    feed = parse_feed(page(f'<rss version="2.0"><channel>{items}</channel></rss>'), max_items=3)
    assert [e.url for e in feed.entries] == [f"https://a.example/{d}" for d in (10, 9, 8)]
    assert feed.dropped == ["7 older entries beyond the newest 3 left out"]


def test_long_titles_are_cut_and_long_urls_dropped_with_a_reason() -> None:
    long_url = "https://a.example/" + "x" * 2100
    items = (
        f"<item><title>{'word ' * 400}</title><link>https://a.example/ok</link></item>"
        f"<item><title>too long</title><link>{long_url}</link></item>"
    )
    feed = parse_feed(page(f'<rss version="2.0"><channel>{items}</channel></rss>'))
    [entry] = feed.entries
    assert len(entry.title) <= 1001 and entry.title.endswith("…")
    assert feed.dropped == ["item 2: link longer than 2000 characters"]


def test_billion_laughs_is_not_expanded() -> None:
    started = time.monotonic()
    try:
        feed = parse_feed(page(BILLION_LAUGHS))
    except FeedError:
        pass  # refusing the document is as good as reading it unexpanded
    else:
        assert all("a" * 100 not in e.title for e in feed.entries)
        assert "a" * 100 not in feed.title
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("depth", [100, 300, 200_000])
def test_deeply_nested_xml_is_refused_quickly(depth: int) -> None:
    item = "<item><link>https://a.example/1</link></item>"
    nested = "<x>" * depth + "</x>" * depth
    started = time.monotonic()
    with pytest.raises(FeedError, match="nested more than 64 levels"):
        parse_feed(page(f'<rss version="2.0"><channel>{item}{nested}</channel></rss>'))
    assert time.monotonic() - started < 1


def test_external_entities_are_not_resolved() -> None:
    feed = parse_feed(page(EXTERNAL_ENTITY))
    assert "root:" not in feed.entries[0].title


@pytest.mark.parametrize(
    "text",
    [
        "/etc/hostname",  # feedparser would open a str that looks like a path
        "https://127.0.0.1:9/feed",  # ... or fetch one that looks like a URL
        "\x00\xff\xfe garbage \x89PNG\r\n",
        "",
    ],
)
def test_text_that_is_not_a_feed_is_refused_and_never_opened(text: str) -> None:
    with pytest.raises(FeedError, match="not a feed"):
        parse_feed(page(text))


def test_broken_feed_says_so() -> None:
    with pytest.raises(FeedError, match="broken feed"):
        parse_feed(
            page('<?xml version="1.0"?><rss version="2.0"><channel><title>Oops</title><item>')
        )


def test_html_page_is_not_a_feed() -> None:
    html = "<!DOCTYPE html><html><head><title>Home</title></head><body>Hi</body></html>"
    with pytest.raises(FeedError, match="not a feed: looks like an HTML page"):
        parse_feed(page(html))
    with pytest.raises(FeedError, match="looks like an HTML page"):
        parse_source_document(page(html, content_type="application/rss+xml"))


def test_source_document_recognises_formats_by_content_not_content_type() -> None:
    wrong_type = "text/plain"
    assert parse_source_document(page(RSS, content_type=wrong_type)).format == "rss20"
    assert parse_source_document(page(ATOM, content_type="text/html")).format == "atom10"
    json_text = (DATA / "jsonfeed11.json").read_text()
    assert parse_source_document(page(json_text, content_type=wrong_type)).format == "json11"
    urlset = (
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>https://a.example/1</loc><lastmod>2025-06-01</lastmod></url></urlset>"
    )
    sitemap = parse_source_document(page(urlset, content_type="text/html"))
    assert sitemap.format == "sitemap"
    assert [(e.url, e.published) for e in sitemap.entries] == [
        ("https://a.example/1", datetime(2025, 6, 1, tzinfo=UTC))
    ]


def test_source_document_returns_a_sitemap_index_children() -> None:
    index = (
        "<sitemapindex><sitemap><loc>/s1.xml</loc></sitemap>"
        "<sitemap><loc>/s2.xml</loc><lastmod>2025-06-01</lastmod></sitemap></sitemapindex>"
    )
    parsed = parse_source_document(page(index, "https://a.example/sitemap.xml"))
    assert (parsed.entries, parsed.children) == (
        [],
        ["https://a.example/s2.xml", "https://a.example/s1.xml"],
    )


def test_source_document_reads_a_gzipped_sitemap_from_the_body() -> None:
    body = gzip.compress(b"https://a.example/1\nhttps://a.example/2\n")
    gz = Page(
        "https://a.example/s.txt.gz", "", 200, "application/gzip", "", datetime.now(UTC), body
    )
    assert [e.url for e in parse_source_document(gz).entries] == [
        "https://a.example/1",
        "https://a.example/2",
    ]


def test_source_document_refuses_opml_with_what_to_do() -> None:
    opml = (
        '<opml version="2.0"><body><outline text="x" xmlUrl="https://a.example/f"/></body></opml>'
    )
    with pytest.raises(FeedError, match=r"OPML subscription list.*import it"):
        parse_source_document(page(opml))
