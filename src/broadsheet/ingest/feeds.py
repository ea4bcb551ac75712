"""RSS and Atom feeds: their entries, and the feeds an HTML page advertises."""

from __future__ import annotations

import calendar
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser
import lxml.html

from broadsheet.models import FeedEntry, Page

_HTML_START = re.compile(r"^\s*(<!--.*?-->\s*)*(<!doctype\s+html|<html)", re.I | re.S)
_FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json"}
)
# The text is already decoded; this tells feedparser to ignore the document's own declaration.
_UTF8_XML = "application/xml; charset=utf-8"


class FeedError(Exception):
    """A page could not be read as a feed."""


@dataclass
class ParsedFeed:
    """A feed's own description and its entries."""

    title: str
    link: str
    description: str
    entries: list[FeedEntry] = field(default_factory=list)


def parse_feed(page: Page) -> ParsedFeed:
    """The entries of an RSS (0.9x/1.0/2.0) or Atom feed, with absolute URLs and UTC times."""
    base = page.final_url or page.url
    if _looks_like_html(page.text):
        raise FeedError(
            f"feeds: {base}: not a feed: looks like an HTML page "
            "(give the feed's URL, or let discovery find it in the page)"
        )
    # Bytes, never str: feedparser would fetch a str that looks like a URL or open it as a path.
    parsed = feedparser.parse(
        page.text.encode("utf-8"),
        response_headers={"content-location": base, "content-type": _UTF8_XML},
    )
    entries = [entry for raw in parsed.entries if (entry := _entry(raw, base)) is not None]
    if not entries and not parsed.version:
        raise FeedError(f"feeds: {base}: not a feed: no RSS or Atom elements found")
    if not entries and parsed.bozo:
        raise FeedError(
            f"feeds: {base}: broken feed, no entries could be read "
            f"({parsed.get('bozo_exception')}); check the feed in a validator"
        )
    info = parsed.feed
    return ParsedFeed(
        title=_clean(info.get("title", "")),
        link=urljoin(base, info.get("link", "")) if info.get("link") else "",
        description=_plain(info.get("subtitle", "") or info.get("description", "")),
        entries=entries,
    )


def discover_feeds(page: Page) -> list[str]:
    """Absolute URLs of the feeds an HTML page links with <link rel="alternate" type=...>."""
    try:
        tree = lxml.html.document_fromstring(page.text.encode("utf-8"))
    except (lxml.etree.ParserError, ValueError):
        return []
    base = page.final_url or page.url
    for href in tree.xpath("//base/@href"):
        base = urljoin(base, href.strip())
    found: list[str] = []
    for link in tree.xpath("//link[@href]"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        if "alternate" in rel and kind in _FEED_TYPES:
            url = urljoin(base, link.get("href").strip())
            if url not in found:
                found.append(url)
    return found


def _entry(raw: Any, base: str) -> FeedEntry | None:
    """One feed item as a FeedEntry, or None when it points nowhere."""
    link = raw.get("link") or ""
    if not link and raw.get("guidislink"):
        link = raw.get("id", "")
    if not link:
        return None
    categories: list[str] = []
    for tag in raw.get("tags", []):
        term = _clean(tag.get("term") or tag.get("label") or "")
        if term and term not in categories:
            categories.append(term)
    return FeedEntry(
        url=urljoin(base, link.strip()),
        title=_clean(raw.get("title", "")),
        author=_clean(raw.get("author", "")),
        published=_utc(raw.get("published_parsed") or raw.get("updated_parsed")),
        summary=_plain(raw.get("summary", "")),
        categories=categories,
        guid=raw.get("id", ""),
    )


def _utc(parsed: time.struct_time | None) -> datetime | None:
    """Feedparser's UTC struct_time as an aware datetime."""
    if parsed is None:
        return None
    return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)


def _looks_like_html(text: str) -> bool:
    return bool(_HTML_START.match(text.lstrip("\ufeff")[:2000]))


def _plain(html: str) -> str:
    """Text of an HTML fragment (feed summaries often carry markup)."""
    if "<" not in html:
        return _clean(html)
    try:
        return _clean(lxml.html.fragment_fromstring(html, create_parent="div").text_content())
    except (lxml.etree.ParserError, ValueError):
        return _clean(html)


def _clean(text: str) -> str:
    return " ".join(str(text).split())
