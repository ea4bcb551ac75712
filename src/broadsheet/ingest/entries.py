"""Bounded FeedEntry values: the limits and cleaning every source parser shares."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html

from broadsheet.ingest.urls import MAX_URL_LENGTH
from broadsheet.models import FeedEntry

MAX_TITLE_CHARS = 1000
MAX_SUMMARY_CHARS = 10_000
MAX_NAME_CHARS = 300  # authors and categories
MAX_CATEGORIES = 50
MAX_ITEMS = 5000  # entries kept from one feed document, newest first
MAX_REASONS = 100  # dropped-item reasons kept per document; the rest are counted


class FeedError(Exception):
    """A page could not be read as a feed or sitemap; the message says why and what to do."""


def clean_text(text: object, limit: int = MAX_TITLE_CHARS) -> str:
    """Whitespace collapsed, cut at limit characters (on a word boundary when one is near)."""
    # Cut before splitting so a 5 MB title costs no more than a short one.
    collapsed = " ".join(str(text)[: limit * 4].split())
    if len(collapsed) <= limit:
        return collapsed
    cut = collapsed[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit * 0.8 else cut).rstrip() + "…"


def plain_text(html: object, limit: int = MAX_SUMMARY_CHARS) -> str:
    """Text of an HTML fragment (feed summaries often carry markup), bounded."""
    text = str(html)[: limit * 4]
    if "<" not in text:
        return clean_text(text, limit)
    try:
        fragment = lxml.html.fragment_fromstring(text, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return clean_text(text, limit)
    return clean_text(fragment.text_content(), limit)


def clean_names(names: list[object], limit: int = MAX_CATEGORIES) -> list[str]:
    """Distinct non-empty names (categories, keywords) in order, bounded."""
    found: list[str] = []
    for name in names:
        value = clean_text(name, MAX_NAME_CHARS) if name is not None else ""
        if value and value not in found:
            found.append(value)
        if len(found) >= limit:
            break
    return found


def absolute_url(href: object, base: str) -> tuple[str, str]:
    """(absolute http(s) URL, "") for an item's link, or ("", why it was dropped)."""
    text = str(href or "").strip()
    if not text:
        return "", "no link"
    if len(text) > MAX_URL_LENGTH:
        return "", f"link longer than {MAX_URL_LENGTH} characters"
    try:
        url = urljoin(base, text)
        scheme = urlsplit(url).scheme.lower()
    except ValueError as exc:  # e.g. an unclosed IPv6 bracket
        return "", f"unreadable link ({exc})"
    if scheme not in ("http", "https"):
        return "", f"link is not http(s): {text[:80]}"
    if len(url) > MAX_URL_LENGTH:
        return "", f"link longer than {MAX_URL_LENGTH} characters"
    return url, ""


def note_dropped(dropped: list[str], reason: str) -> None:
    """Record why an item was dropped, keeping at most MAX_REASONS reasons."""
    if len(dropped) < MAX_REASONS:
        dropped.append(reason)
    elif len(dropped) == MAX_REASONS:
        dropped.append("more items dropped; only the first reasons are kept")


def newest_first(entries: list[FeedEntry]) -> list[FeedEntry]:
    """Entries by publication date, newest first; undated ones after, in document order."""
    floor = datetime.min.replace(tzinfo=UTC)
    # sorted() is stable, so equal dates and undated entries keep the document's order.
    return sorted(
        entries, key=lambda e: (e.published is not None, e.published or floor), reverse=True
    )


def utc(value: datetime | None) -> datetime | None:
    """An aware datetime in UTC; a naive one is taken to be UTC already."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def parse_iso_date(text: object) -> datetime | None:
    """A W3C/ISO 8601 date or date-time (YYYY, YYYY-MM, ... with offset) in UTC, else None."""
    value = str(text or "").strip()[:64]
    if not value:
        return None
    if len(value) in (4, 7) and value[:4].isdigit():
        value = value + ("-01-01" if len(value) == 4 else "-01")
    try:
        return utc(datetime.fromisoformat(value.replace("z", "Z")))
    except ValueError:
        return None
