"""Finding feeds from a home page, robots.txt sitemaps, and telling documents apart."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import pytest

from broadsheet.ingest.discover import (
    COMMON_FEED_PATHS,
    candidate_feed_urls,
    classify_url_document,
    discover_feeds,
    sitemaps_from_robots,
)
from broadsheet.models import Page

HOME = """<!DOCTYPE html><html><head><title>Lakeside Gazette</title>
<link rel="alternate" type="application/rss+xml" title="RSS" href="/feed.rss">
<link rel="Alternate" type="application/atom+xml; charset=utf-8" href="https://hill.example/atom.xml">
<link rel="alternate" type="application/feed+json" href="feed.json">
<link rel="alternate" type="application/rdf+xml" href="/index.rdf">
<link rel="alternate" type="application/rss+xml" href="/feed.rss">
<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
<link rel="alternate" type="text/html" hreflang="fr" href="/fr/">
<link rel="stylesheet" href="/style.css"></head><body><p>Hello</p></body></html>"""


def page(
    text: str, url: str = "https://lake.example/news/", content_type: str = "text/html"
) -> Page:
    return Page(url, url, 200, content_type, text, datetime.now(UTC))


def test_discovers_advertised_feeds_once_each_in_page_order() -> None:
    assert discover_feeds(page(HOME)) == [
        "https://lake.example/feed.rss",
        "https://hill.example/atom.xml",
        "https://lake.example/news/feed.json",
        "https://lake.example/index.rdf",
    ]


def test_base_href_is_honoured() -> None:
    html = (
        '<html><head><base href="https://cdn.example/site/">'
        '<link rel="alternate" type="application/rss+xml" href="rss.xml"></head></html>'
    )
    assert discover_feeds(page(html)) == ["https://cdn.example/site/rss.xml"]


@pytest.mark.parametrize("text", ["", "\x00\xff garbage", "<html>" * 10_000])
def test_discovery_in_garbage_finds_nothing_and_does_not_raise(text: str) -> None:
    assert discover_feeds(page(text)) == []


def test_candidates_are_advertised_feeds_then_common_paths_on_the_origin() -> None:
    candidates = candidate_feed_urls(page(HOME, "https://lake.example:8443/news/today"))
    assert candidates[0] == "https://lake.example:8443/feed.rss"
    assert candidates[4:] == ["https://lake.example:8443" + path for path in COMMON_FEED_PATHS]
    assert candidates[4:7] == [
        "https://lake.example:8443/feed",
        "https://lake.example:8443/rss",
        "https://lake.example:8443/feed.xml",
    ]
    assert candidates[-1] == "https://lake.example:8443/sitemap.xml"


def test_candidates_without_advertised_feeds_and_no_duplicates() -> None:
    html = (
        '<html><head><link rel="alternate" type="application/rss+xml" href="/feed"></head></html>'
    )
    candidates = candidate_feed_urls(page(html, "https://a.example/"))
    assert candidates == ["https://a.example" + path for path in COMMON_FEED_PATHS]


def test_sitemaps_from_robots_resolved_and_filtered() -> None:
    robots = (
        "User-agent: *\nDisallow: /private\n"
        "Sitemap: https://a.example/news-sitemap.xml\n"
        "sitemap: /sitemap.xml # the general one\n"
        "SITEMAP: javascript:alert(1)\n"
        "Sitemap: https://a.example/news-sitemap.xml\n"
    )
    assert sitemaps_from_robots(robots, "https://a.example/robots.txt") == [
        "https://a.example/news-sitemap.xml",
        "https://a.example/sitemap.xml",
    ]
    assert sitemaps_from_robots("\x00garbage\n" * 100, "https://a.example/") == []


@pytest.mark.parametrize(
    ("text", "content_type", "kind"),
    [
        ('<?xml version="1.0"?>\n<rss version="2.0"><channel/></rss>', "text/html", "feed"),
        ('<?xml-stylesheet href="s.xsl"?><!-- hi --><feed xmlns="x"/>', "text/plain", "feed"),
        ("<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'/>", "", "feed"),
        ('<!DOCTYPE rss [<!ENTITY a "b>c">]><rss/>', "", "feed"),
        (
            '\ufeff  {"version": "https://jsonfeed.org/version/1.1", "items": []}',
            "text/plain",
            "feed",
        ),
        ('{"version": "1.0", "data": []}', "application/json", "unknown"),
        ("<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'/>", "text/html", "sitemap"),
        ("<sitemapindex/>", "", "sitemap"),
        ("https://a.example/1\nhttps://a.example/2\n", "text/plain", "sitemap"),
        ('<opml version="2.0"><body/></opml>', "text/xml", "opml"),
        ("<!DOCTYPE html><html><body>x</body></html>", "application/rss+xml", "html"),
        ("<!-- c --><HTML><body>x</body></HTML>", "", "html"),
        ("plain words", "text/html", "html"),  # content says nothing: the type decides
        ("plain words", "application/atom+xml", "feed"),
        ("\x00\x01garbage", "application/octet-stream", "unknown"),
        ("", "", "unknown"),
    ],
)
def test_classify_by_content_then_content_type(text: str, content_type: str, kind: str) -> None:
    assert classify_url_document(page(text, content_type=content_type)) == kind


def test_classify_a_gzipped_sitemap_body() -> None:
    gz = Page(
        "https://a.example/s.xml.gz", "", 200, "application/gzip", "\ufffd",
        datetime.now(UTC), gzip.compress(b"<urlset/>"),
    )  # fmt: skip
    assert classify_url_document(gz) == "sitemap"
