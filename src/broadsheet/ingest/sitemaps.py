"""Sitemaps as sources: urlsets, Google News sitemaps, sitemap indexes and plain-text lists."""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import lxml.etree

from broadsheet.ingest.entries import (
    MAX_TITLE_CHARS,
    FeedError,
    absolute_url,
    clean_names,
    clean_text,
    newest_first,
    note_dropped,
    parse_iso_date,
)
from broadsheet.models import FeedEntry, Page

MAX_SITEMAP_ITEMS = 50_000  # the sitemaps protocol's own limit per file
MAX_UNCOMPRESSED = 50 * 1024 * 1024  # the protocol's limit for one uncompressed sitemap
_GZIP_MAGIC = b"\x1f\x8b"
_URL_LINE = re.compile(r"^https?://\S+$", re.I)


class SitemapError(FeedError):
    """A page could not be read as a sitemap."""


@dataclass
class Sitemap:
    """A sitemap's article entries, or for an index the child sitemaps to fetch next."""

    entries: list[FeedEntry] = field(default_factory=list)
    children: list[str] = field(default_factory=list)  # newest lastmod first
    dropped: list[str] = field(default_factory=list)  # why items were left out


def parse_sitemap(page: Page, max_items: int = MAX_SITEMAP_ITEMS) -> Sitemap:
    """The entries (or child sitemaps) of an XML, Google News, gzipped or plain-text sitemap."""
    base = page.final_url or page.url
    text = sitemap_text(page)
    if looks_like_text_sitemap(text):
        return _parse_text(text, base, max_items)
    root = _parse_xml(text, base)
    kind = lxml.etree.QName(root).localname
    if kind == "urlset":
        return _parse_urlset(root, base, max_items)
    if kind == "sitemapindex":
        return _parse_index(root, base, max_items)
    raise SitemapError(
        f"sitemaps: {base}: not a sitemap: the document's root is <{kind}>, "
        "expected <urlset> or <sitemapindex>"
    )


def sitemap_text(page: Page) -> str:
    """The page's text, or its body un-gzipped when the file itself is .gz (sitemap.xml.gz)."""
    if not page.body.startswith(_GZIP_MAGIC):
        return page.text
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(page.body, MAX_UNCOMPRESSED)
    except zlib.error as exc:
        raise SitemapError(f"sitemaps: {page.url}: broken gzip file ({exc})") from None
    if inflater.unconsumed_tail:
        raise SitemapError(
            f"sitemaps: {page.url}: gzipped sitemap inflates past {MAX_UNCOMPRESSED} bytes, "
            "the protocol's limit; ask the publisher to split it"
        )
    if not inflater.eof:
        raise SitemapError(f"sitemaps: {page.url}: broken gzip file (truncated)")
    return data.decode("utf-8", "replace")


def looks_like_text_sitemap(text: str) -> bool:
    """True when the first lines of the text are all http(s) URLs, one a line."""
    lines = [line.strip() for line in text.lstrip("\ufeff")[:20_000].splitlines()[:20]]
    lines = [line for line in lines if line]
    return bool(lines) and all(_URL_LINE.match(line) for line in lines)


def _parse_xml(text: str, base: str) -> lxml.etree._Element:
    """The root of a sitemap document, parsed without entities, DTDs or network."""
    parser = lxml.etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        recover=True,  # one stray '&' in a URL must not lose the other 49,999
        remove_comments=True,
        remove_pis=True,
    )
    data = text.lstrip("\ufeff").encode("utf-8")
    # The text is already decoded: drop the declaration's encoding so lxml does not re-decode.
    data = re.sub(rb"^\s*<\?xml[^>]*\?>", b"", data, count=1)
    try:
        root = lxml.etree.fromstring(data, parser)
    except lxml.etree.XMLSyntaxError as exc:
        raise SitemapError(f"sitemaps: {base}: not a sitemap: unreadable XML ({exc})") from None
    if root is None:
        raise SitemapError(f"sitemaps: {base}: not a sitemap: no XML elements found")
    return root


def _parse_urlset(root: lxml.etree._Element, base: str, max_items: int) -> Sitemap:
    """Article entries from <url> items, Google News fields when present."""
    result = Sitemap()
    for position, item in enumerate(_children(root, "url"), start=1):
        if len(result.entries) >= max_items:
            note_dropped(result.dropped, f"more than {max_items} items: the rest were not read")
            break
        url, why = absolute_url(_text(item, "loc"), base)
        if not url:
            note_dropped(result.dropped, f"item {position}: {why}")
            continue
        result.entries.append(_entry(item, url))
    result.entries = newest_first(result.entries)
    return result


def _entry(item: lxml.etree._Element, url: str) -> FeedEntry:
    """One <url> as a FeedEntry: news:publication_date is the published date when given."""
    lastmod = parse_iso_date(_text(item, "lastmod"))
    news = next(_children(item, "news"), None)
    if news is None:
        return FeedEntry(url=url, published=lastmod)
    published = parse_iso_date(_text(news, "publication_date")) or lastmod
    keywords = _text(news, "keywords").split(",")
    return FeedEntry(
        url=url,
        title=clean_text(_text(news, "title"), MAX_TITLE_CHARS),
        published=published,
        categories=clean_names(list(keywords)),
        updated=lastmod if lastmod != published else None,
    )


def _parse_index(root: lxml.etree._Element, base: str, max_items: int) -> Sitemap:
    """Child sitemap URLs of a sitemap index, newest lastmod first."""
    dated: list[tuple[datetime | None, str]] = []
    seen: set[str] = set()
    result = Sitemap()
    for position, item in enumerate(_children(root, "sitemap"), start=1):
        if len(dated) >= max_items:
            note_dropped(result.dropped, f"more than {max_items} sitemaps: the rest were not read")
            break
        url, why = absolute_url(_text(item, "loc"), base)
        if not url:
            note_dropped(result.dropped, f"sitemap {position}: {why}")
        elif url not in seen:
            seen.add(url)
            dated.append((parse_iso_date(_text(item, "lastmod")), url))
    floor = datetime.min.replace(tzinfo=UTC)
    dated.sort(key=lambda pair: (pair[0] is not None, pair[0] or floor), reverse=True)
    result.children = [url for _, url in dated]
    return result


def _parse_text(text: str, base: str, max_items: int) -> Sitemap:
    """Entries of a plain-text sitemap: one URL a line, blank lines ignored."""
    result = Sitemap()
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        if not line.strip():
            continue
        if len(result.entries) >= max_items:
            note_dropped(result.dropped, f"more than {max_items} URLs: the rest were not read")
            break
        url, why = absolute_url(line, base) if _URL_LINE.match(line.strip()) else ("", "not a URL")
        if url:
            result.entries.append(FeedEntry(url=url))
        else:
            note_dropped(result.dropped, f"line {number}: {why}")
    return result


def _children(element: lxml.etree._Element, name: str) -> Iterator[lxml.etree._Element]:
    """Direct child elements by local name: sitemaps in the wild use several namespaces."""
    return (
        child
        for child in element
        if isinstance(child.tag, str) and lxml.etree.QName(child).localname == name
    )


def _text(element: lxml.etree._Element, name: str) -> str:
    """The text of the first direct child with this local name, or ""."""
    child = next(_children(element, name), None)
    return "".join(child.itertext()).strip() if child is not None else ""
