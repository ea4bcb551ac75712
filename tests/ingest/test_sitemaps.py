"""Sitemaps from handmade documents: urlsets, Google News, indexes, plain text, hostile input."""

from __future__ import annotations

import gzip
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from broadsheet.ingest.sitemaps import SitemapError, parse_sitemap
from broadsheet.models import Page

DATA = Path(__file__).parent / "data"
URLSET = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://port.example/old</loc><lastmod>2025-05-01</lastmod></url>
  <url><loc>https://port.example/new</loc><lastmod>2025-06-01T10:30:00+02:00</lastmod>
       <changefreq>daily</changefreq><priority>0.8</priority></url>
  <url><loc>/relative</loc></url>
  <url><loc>https://port.example/month</loc><lastmod>2025-05</lastmod></url>
  <url><lastmod>2025-06-01</lastmod></url>
  <url><loc>mailto:desk@port.example</loc></url>
</urlset>"""
INDEX = """<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://port.example/sitemap-2025-05.xml</loc><lastmod>2025-05-31</lastmod></sitemap>
  <sitemap><loc>https://port.example/sitemap-undated.xml</loc></sitemap>
  <sitemap><loc>https://port.example/sitemap-2025-06.xml</loc><lastmod>2025-06-10T08:00:00Z</lastmod></sitemap>
  <sitemap><loc>https://port.example/sitemap-2025-05.xml</loc></sitemap>
</sitemapindex>"""
BOMB = """<?xml version="1.0"?>
<!DOCTYPE urlset [<!ENTITY a "aaaaaaaaaa">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
<!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;"><!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
<!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;"><!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://a.example/&i;</loc></url>
<url><loc>https://a.example/plain</loc></url>
</urlset>"""
EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE urlset [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<urlset><url><loc>https://a.example/x&secret;</loc></url>
<url><loc>https://a.example/plain</loc></url></urlset>"""


def page(text: str, url: str = "https://port.example/sitemap.xml", body: bytes = b"") -> Page:
    return Page(url, url, 200, "application/xml", text, datetime.now(UTC), body)


def test_urlset_entries_newest_first_bad_items_dropped_with_reasons() -> None:
    sitemap = parse_sitemap(page(URLSET))
    assert [(e.url, e.published) for e in sitemap.entries] == [
        ("https://port.example/new", datetime(2025, 6, 1, 8, 30, tzinfo=UTC)),
        ("https://port.example/old", datetime(2025, 5, 1, tzinfo=UTC)),  # same date: document order
        ("https://port.example/month", datetime(2025, 5, 1, tzinfo=UTC)),
        ("https://port.example/relative", None),
    ]
    assert sitemap.children == []
    assert sitemap.dropped == [
        "item 5: no link",
        "item 6: link is not http(s): mailto:desk@port.example",
    ]


def test_google_news_sitemap_fields() -> None:
    sitemap = parse_sitemap(page((DATA / "news-sitemap.xml").read_text(encoding="utf-8")))
    fresh, edited = sitemap.entries
    assert fresh.url == "https://port.example/2025/06/10/ferry"
    assert fresh.title == "Ferry strike ends after two days"
    assert fresh.published == datetime(2025, 6, 10, 7, 0, tzinfo=UTC)
    assert fresh.categories == ["Transport", "Strikes", "Harbour"]
    assert fresh.updated is None  # lastmod equals the publication date
    assert edited.url == "https://port.example/2025/06/09/budget"
    assert edited.published == datetime(2025, 6, 9, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    assert edited.updated == datetime(2025, 6, 9, 16, 0, tzinfo=UTC)
    assert edited.title == "Council budget: what changes & for whom"


def test_sitemap_index_children_newest_lastmod_first_once_each() -> None:
    sitemap = parse_sitemap(page(INDEX))
    assert sitemap.entries == []
    assert sitemap.children == [
        "https://port.example/sitemap-2025-06.xml",
        "https://port.example/sitemap-2025-05.xml",
        "https://port.example/sitemap-undated.xml",
    ]


def test_sitemap_without_namespace_and_with_bom() -> None:
    text = "\ufeff<urlset><url><loc> https://a.example/1 </loc></url></urlset>"
    assert [e.url for e in parse_sitemap(page(text)).entries] == ["https://a.example/1"]


def test_plain_text_sitemap() -> None:
    text = "https://a.example/1\n\nhttps://a.example/2\r\nhttps://a.example/3\n"
    sitemap = parse_sitemap(page(text, "https://a.example/sitemap.txt"))
    assert [e.url for e in sitemap.entries] == [f"https://a.example/{n}" for n in (1, 2, 3)]


def test_gzipped_sitemap_file_is_inflated() -> None:
    body = gzip.compress(URLSET.encode())
    sitemap = parse_sitemap(page("\x1f\ufffd garbled", "https://port.example/s.xml.gz", body))
    assert sitemap.entries[0].url == "https://port.example/new"


def test_broken_gzip_says_so() -> None:
    with pytest.raises(SitemapError, match="broken gzip"):
        parse_sitemap(page("", body=b"\x1f\x8b\x08\x00garbage"))


def test_item_count_is_bounded() -> None:
    urls = "".join(f"<url><loc>https://a.example/{n}</loc></url>" for n in range(10))
    sitemap = parse_sitemap(page(f"<urlset>{urls}</urlset>"), max_items=4)
    assert [e.url for e in sitemap.entries] == [f"https://a.example/{n}" for n in range(4)]
    assert sitemap.dropped == ["more than 4 items: the rest were not read"]


def test_long_urls_are_dropped_and_one_broken_item_does_not_lose_the_rest() -> None:
    long_url = "https://a.example/" + "x" * 2100
    text = (
        f"<urlset><url><loc>{long_url}</loc></url><url><loc>https://a.example/a?x=1&y=2</loc></url>"
        "<url><loc>https://a.example/ok</loc></url></urlset>"
    )
    sitemap = parse_sitemap(page(text))
    assert "https://a.example/ok" in [e.url for e in sitemap.entries]
    assert sitemap.dropped[0] == "item 1: link longer than 2000 characters"


def test_entity_bomb_is_not_expanded() -> None:
    started = time.monotonic()
    try:
        sitemap = parse_sitemap(page(BOMB))
    except SitemapError:
        pass  # libxml2 may give up on the document: as good as reading it unexpanded
    else:
        assert all("aaaaaaaaaa" not in e.url for e in sitemap.entries)
    assert time.monotonic() - started < 5


def test_external_entities_are_not_read_and_the_other_items_are_kept() -> None:
    urls = [e.url for e in parse_sitemap(page(EXTERNAL)).entries]
    assert "https://a.example/plain" in urls
    assert not any("root:" in url for url in urls)


def test_deep_nesting_is_refused_or_bounded() -> None:
    text = "<urlset>" + "<x>" * 100_000 + "</x>" * 100_000 + "</urlset>"
    started = time.monotonic()
    try:
        sitemap = parse_sitemap(page(text))
    except SitemapError:
        pass
    else:
        assert sitemap.entries == []
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<rss><channel/></rss>", "root is <rss>"),
        ("\x00\x01\x02 garbage", "not a sitemap"),
        ("", "not a sitemap"),
    ],
)
def test_documents_that_are_not_sitemaps_are_refused(text: str, message: str) -> None:
    with pytest.raises(SitemapError, match=message):
        parse_sitemap(page(text))
