"""Feeds as sources: RSS 0.9x/1.0/2.0 and Atom (feedparser), JSON Feed, and sitemaps."""

from __future__ import annotations

import calendar
import json
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import feedparser
import lxml.etree

from broadsheet.ingest.discover import classify_url_document
from broadsheet.ingest.entries import (
    MAX_ITEMS,
    MAX_SUMMARY_CHARS,
    MAX_TITLE_CHARS,
    FeedError,
    absolute_url,
    clean_names,
    clean_text,
    newest_first,
    note_dropped,
    parse_iso_date,
    plain_text,
)
from broadsheet.ingest.sitemaps import parse_sitemap
from broadsheet.ingest.urls import MAX_URL_LENGTH
from broadsheet.models import FeedEntry, Page

__all__ = ["FeedError", "ParsedFeed", "parse_feed", "parse_json_feed", "parse_source_document"]

MAX_JSON_DEPTH = 50  # a JSON Feed needs 4 levels; deeper documents are hostile or not feeds
MAX_XML_DEPTH = 64  # RSS and Atom need about 6 levels (more with extensions)
_HTML_START = re.compile(r"^\s*(<!--.*?-->\s*)*(<!doctype\s+html|<html)", re.I | re.S)
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
# The text is already decoded; this tells feedparser to ignore the document's own declaration.
_UTF8_XML = "application/xml; charset=utf-8"
_ITEM_ERRORS = (ValueError, TypeError, AttributeError, OverflowError, OSError)


@dataclass
class ParsedFeed:
    """A feed's own description and its entries, newest first."""

    title: str
    link: str
    description: str
    entries: list[FeedEntry] = field(default_factory=list)
    format: str = ""  # feedparser's version (rss20, atom10, ...), json10/json11, or sitemap
    children: list[str] = field(default_factory=list)  # a sitemap index's sitemaps, to fetch
    dropped: list[str] = field(default_factory=list)  # why items were left out


def parse_source_document(page: Page) -> ParsedFeed:
    """Entries of any source document (RSS, Atom, RDF, JSON Feed, sitemap), known by content."""
    base = page.final_url or page.url
    kind = classify_url_document(page)
    if kind == "sitemap":
        sitemap = parse_sitemap(page)
        return ParsedFeed("", "", "", sitemap.entries, "sitemap", sitemap.children, sitemap.dropped)
    if kind == "opml":
        raise FeedError(
            f"feeds: {base}: an OPML subscription list, not a feed: import it to add its feeds"
        )
    if kind == "html":
        raise FeedError(
            f"feeds: {base}: not a feed: looks like an HTML page "
            "(give the feed's URL, or let discovery find it in the page)"
        )
    return parse_feed(page)


def parse_feed(page: Page, max_items: int = MAX_ITEMS) -> ParsedFeed:
    """The entries of an RSS (0.9x/1.0/2.0), Atom (0.3/1.0) or JSON Feed, newest first."""
    base = page.final_url or page.url
    if _looks_like_html(page.text):
        raise FeedError(
            f"feeds: {base}: not a feed: looks like an HTML page "
            "(give the feed's URL, or let discovery find it in the page)"
        )
    if page.text.lstrip("\ufeff \t\r\n").startswith(("{", "[")):
        return parse_json_feed(page, max_items)
    _refuse_deep_xml(page.text, base)
    # Bytes, never str: feedparser would fetch a str that looks like a URL or open it as a path.
    parsed = feedparser.parse(
        page.text.encode("utf-8"),
        response_headers={"content-location": base, "content-type": _UTF8_XML},
    )
    dropped: list[str] = []
    entries = _entries(parsed.entries, base, dropped, _feedparser_entry)
    version = parsed.get("version", "")
    if not entries and not version:
        raise FeedError(f"feeds: {base}: not a feed: no RSS or Atom elements found")
    if not entries and parsed.get("bozo"):
        raise FeedError(
            f"feeds: {base}: broken feed, no entries could be read "
            f"({parsed.get('bozo_exception')}); check the feed in a validator"
        )
    info = parsed.feed
    return ParsedFeed(
        title=clean_text(info.get("title", "")),
        link=absolute_url(info.get("link"), base)[0],
        description=plain_text(info.get("subtitle", "") or info.get("description", "")),
        entries=_newest(entries, max_items, dropped),
        format=version,
        dropped=dropped,
    )


def parse_json_feed(page: Page, max_items: int = MAX_ITEMS) -> ParsedFeed:
    """The entries of a JSON Feed 1.0 or 1.1 document, newest first."""
    base = page.final_url or page.url
    document = _load_json(page.text, base)
    version = document.get("version") if isinstance(document, dict) else None
    if not isinstance(version, str) or "jsonfeed.org/version/" not in version:
        raise FeedError(
            f"feeds: {base}: not a JSON Feed: no https://jsonfeed.org/version/ 'version' field"
        )
    items = document.get("items")
    if not isinstance(items, list):
        raise FeedError(f"feeds: {base}: broken JSON Feed: 'items' is not a list")
    feed_author = _json_authors(document)
    dropped: list[str] = []
    entries = _entries(
        items, base, dropped, lambda item, url_base: _json_entry(item, url_base, feed_author)
    )
    return ParsedFeed(
        title=clean_text(_str(document, "title")),
        link=absolute_url(_str(document, "home_page_url"), base)[0],
        description=plain_text(_str(document, "description")),
        entries=_newest(entries, max_items, dropped),
        format="json11" if version.rstrip("/").endswith("1.1") else "json10",
        dropped=dropped,
    )


def _entries(items: list[Any], base: str, dropped: list[str], read: Any) -> list[FeedEntry]:
    """Each item read on its own, so one bad item is noted in dropped and the rest kept."""
    entries: list[FeedEntry] = []
    for position, item in enumerate(items, start=1):
        try:
            entry, why = read(item, base)
        except _ITEM_ERRORS as exc:
            entry, why = None, f"unreadable ({type(exc).__name__}: {exc})"
        if entry is None:
            note_dropped(dropped, f"item {position}: {why}")
        else:
            entries.append(entry)
    return entries


def _newest(entries: list[FeedEntry], max_items: int, dropped: list[str]) -> list[FeedEntry]:
    """The newest max_items entries, newest first."""
    ordered = newest_first(entries)
    if len(ordered) > max_items:
        note_dropped(
            dropped,
            f"{len(ordered) - max_items} older entries beyond the newest {max_items} left out",
        )
    return ordered[:max_items]


def _feedparser_entry(raw: Any, base: str) -> tuple[FeedEntry | None, str]:
    """One RSS/Atom item as a FeedEntry, or None and why it was dropped."""
    link = raw.get("link") or ""
    if not link and raw.get("guidislink"):
        link = raw.get("id", "")
    url, why = absolute_url(link, base)
    if not url:
        return None, why
    # Not raw.get("updated_parsed"): feedparser answers that with published_parsed, and warns.
    updated = _utc(raw["updated_parsed"]) if "updated_parsed" in raw else None
    published = _utc(raw.get("published_parsed")) or updated
    return FeedEntry(
        url=url,
        title=clean_text(raw.get("title", ""), MAX_TITLE_CHARS),
        author=clean_text(raw.get("author", ""), 300),
        published=published,
        summary=plain_text(raw.get("summary", ""), MAX_SUMMARY_CHARS),
        categories=clean_names(
            [t.get("term") or t.get("label") or "" for t in raw.get("tags", [])]
        ),
        guid=_guid(raw.get("id")),
        updated=updated if updated != published else None,
    ), ""


def _json_entry(item: Any, base: str, feed_author: str) -> tuple[FeedEntry | None, str]:
    """One JSON Feed item as a FeedEntry, or None and why it was dropped."""
    if not isinstance(item, dict):
        return None, "not a JSON object"
    guid = item.get("id")
    link = _str(item, "url") or _str(item, "external_url")
    if not link and isinstance(guid, str) and guid.startswith(("http://", "https://")):
        link = guid
    url, why = absolute_url(link, base)
    if not url:
        return None, why
    published = parse_iso_date(item.get("date_published"))
    modified = parse_iso_date(item.get("date_modified"))
    tags = item.get("tags")
    summary = _str(item, "summary") or _str(item, "content_text") or _str(item, "content_html")
    return FeedEntry(
        url=url,
        title=clean_text(_str(item, "title"), MAX_TITLE_CHARS),
        author=_json_authors(item) or feed_author,
        published=published or modified,
        summary=plain_text(summary, MAX_SUMMARY_CHARS),
        categories=clean_names(list(tags)) if isinstance(tags, list) else [],
        guid=_guid(guid if isinstance(guid, (str, int)) else ""),
        updated=modified if published and modified != published else None,
    ), ""


def _json_authors(obj: dict[str, Any]) -> str:
    """Author names of a JSON Feed object: 1.1's "authors" list, or 1.0's "author"."""
    authors = obj.get("authors")
    if not isinstance(authors, list):
        authors = [obj.get("author")]
    names = [a.get("name") for a in authors[:20] if isinstance(a, dict)]
    return clean_text(", ".join(n for n in names if isinstance(n, str) and n.strip()), 300)


def _str(obj: dict[str, Any], key: str) -> str:
    """A JSON object's string member, or "" when it is missing or not a string."""
    value = obj.get(key)
    return value if isinstance(value, str) else ""


def _load_json(text: str, base: str) -> Any:
    """The parsed JSON document, refused when nested more than MAX_JSON_DEPTH levels."""
    if _json_depth(text) > MAX_JSON_DEPTH:
        raise FeedError(
            f"feeds: {base}: not a JSON Feed: nested more than {MAX_JSON_DEPTH} levels deep"
        )
    try:
        return json.loads(text.lstrip("\ufeff"))
    except ValueError as exc:
        raise FeedError(
            f"feeds: {base}: broken JSON Feed ({exc}); check it in a validator"
        ) from None


def _json_depth(text: str) -> int:
    """The deepest nesting of arrays and objects, strings ignored, stopping past the limit."""
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    depth = deepest = 0
    for char in brackets:
        depth += 1 if char in "[{" else -1
        if depth > deepest:
            deepest = depth
            if deepest > MAX_JSON_DEPTH:
                break
    return deepest


def _refuse_deep_xml(text: str, base: str) -> None:
    """FeedError for XML nested deeper than MAX_XML_DEPTH, found by lxml in C before feedparser."""
    parser = lxml.etree.XMLParser(
        recover=True, resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False
    )
    try:
        root = lxml.etree.fromstring(text.encode("utf-8"), parser)
    except (lxml.etree.XMLSyntaxError, ValueError):
        return  # not XML lxml can read: feedparser decides
    # libxml2 stops at 256 levels even with recover, so the truncated tree still shows the depth.
    if root is not None and root.xpath("boolean(/*" + "/*" * MAX_XML_DEPTH + ")"):
        raise FeedError(
            f"feeds: {base}: not a feed: XML nested more than {MAX_XML_DEPTH} levels deep"
        )


def _guid(value: Any) -> str:
    """A GUID as given, or "" when absent or too long to be an identifier."""
    guid = str(value if value is not None else "").strip()
    return guid if len(guid) <= MAX_URL_LENGTH else ""


def _utc(parsed: time.struct_time | None) -> datetime | None:
    """Feedparser's UTC struct_time as an aware datetime."""
    if parsed is None:
        return None
    return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)


def _looks_like_html(text: str) -> bool:
    return bool(_HTML_START.match(text.lstrip("\ufeff")[:2000]))
