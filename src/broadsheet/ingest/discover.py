"""Finding a publisher's feeds: what its pages advertise, common paths, robots.txt sitemaps."""

from __future__ import annotations

import re
from typing import Literal
from urllib.parse import urljoin, urlsplit, urlunsplit

import lxml.etree
import lxml.html
from protego import Protego

from broadsheet.ingest.entries import absolute_url
from broadsheet.ingest.sitemaps import SitemapError, looks_like_text_sitemap, sitemap_text
from broadsheet.models import Page

DocumentKind = Literal["feed", "sitemap", "html", "opml", "unknown"]

FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json"}
)
# Where publishers' software puts feeds when the home page advertises none, most likely first:
# WordPress, generic, Jekyll/Hugo, JSON Feed, Blogger, WordPress without pretty links, then
# news sitemaps and the general sitemap (less rich, so last).
COMMON_FEED_PATHS: tuple[str, ...] = (
    "/feed",
    "/rss",
    "/feed.xml",
    "/rss.xml",
    "/atom.xml",
    "/index.xml",
    "/feed.json",
    "/feeds/posts/default",
    "/?feed=rss2",
    "/news-sitemap.xml",
    "/sitemap_news.xml",
    "/sitemap.xml",
)
MAX_ADVERTISED = 50  # a page advertising more feeds than this is not listing its own
_SNIFF_CHARS = 100_000
_PROLOG = re.compile(
    r"\s*(?:<\?[^>]*\?>\s*|<!--.*?-->\s*|<!DOCTYPE(?:[^\[>]|\[.*?\])*>\s*)*<([\w.:-]+)", re.S | re.I
)
_JSON_FEED = re.compile(r'"version"\s*:\s*"https?://jsonfeed\.org/version/', re.I)
_FEED_ROOTS = frozenset({"rss", "rdf", "feed"})
_SITEMAP_ROOTS = frozenset({"urlset", "sitemapindex"})
_HTML_ROOTS = frozenset({"html", "head", "body", "meta", "title", "link", "script", "div", "p"})
_TYPE_KINDS: dict[str, DocumentKind] = {
    **{kind: "feed" for kind in FEED_TYPES},
    "application/json": "unknown",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/x-opml": "opml",
    "application/opml+xml": "opml",
}


def discover_feeds(page: Page) -> list[str]:
    """Absolute URLs of the feeds an HTML page links with <link rel="alternate" type=...>."""
    try:
        tree = lxml.html.document_fromstring(page.text.encode("utf-8"))
    except (lxml.etree.ParserError, ValueError):
        return []
    base = page.final_url or page.url
    for href in tree.xpath("//base/@href")[:1]:
        base = urljoin(base, href.strip())
    found: list[str] = []
    for link in tree.xpath("//link[@href]"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        url, _ = absolute_url(link.get("href"), base)
        if "alternate" in rel and kind in FEED_TYPES and url and url not in found:
            found.append(url)
        if len(found) >= MAX_ADVERTISED:
            break
    return found


def candidate_feed_urls(page: Page) -> list[str]:
    """Feed URLs to try for a home page, in order: advertised feeds, then common paths."""
    candidates = discover_feeds(page)
    parts = urlsplit(page.final_url or page.url)
    if parts.scheme in ("http", "https") and parts.netloc:
        origin = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
        candidates += [origin + path for path in COMMON_FEED_PATHS]
    return list(dict.fromkeys(candidates))


def sitemaps_from_robots(robots_text: str, base: str) -> list[str]:
    """Absolute http(s) URLs of the sitemaps a robots.txt lists, in its order."""
    found: list[str] = []
    for href in Protego.parse(robots_text).sitemaps:
        url, _ = absolute_url(href, base)
        if url and url not in found:
            found.append(url)
        if len(found) >= MAX_ADVERTISED:
            break
    return found


def classify_url_document(page: Page) -> DocumentKind:
    """What a fetched document is, from its content first and its content type second."""
    try:
        text = sitemap_text(page)
    except SitemapError:
        return "unknown"
    head = text.lstrip("\ufeff \t\r\n")[:_SNIFF_CHARS]
    kind = _kind_from_content(head)
    if kind != "unknown":
        return kind
    content_type = page.content_type.lower().split(";")[0].strip()
    return _TYPE_KINDS.get(content_type, "unknown")


def _kind_from_content(head: str) -> DocumentKind:
    """The kind a document's first characters show, or "unknown"."""
    if head.startswith(("{", "[")):
        return "feed" if head.startswith("{") and _JSON_FEED.search(head) else "unknown"
    if head.startswith("<"):
        return _kind_from_root(head)
    if looks_like_text_sitemap(head):
        return "sitemap"
    return "unknown"


def _kind_from_root(head: str) -> DocumentKind:
    """The kind an XML or HTML document's root element shows."""
    match = _PROLOG.match(head)
    if match is None:
        return "unknown"
    root = match.group(1).lower().rsplit(":", 1)[-1]
    if root in _FEED_ROOTS:
        return "feed"
    if root in _SITEMAP_ROOTS:
        return "sitemap"
    if root == "opml":
        return "opml"
    if root in _HTML_ROOTS:
        return "html"
    return "unknown"
