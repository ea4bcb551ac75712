"""Publication and update dates of a page, in the publisher's own time zone."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import lxml.html

_PUBLISHED = (
    "//meta[@property='article:published_time' or @name='article:published_time'"
    " or @property='og:published_time' or @itemprop='datePublished' or @name='pubdate'"
    " or @name='publish-date' or @name='date' or @name='dc.date.issued']/@content"
    " | //*[@itemprop='datePublished']/@datetime"
)
_UPDATED = (
    "//meta[@property='article:modified_time' or @name='article:modified_time'"
    " or @property='og:updated_time' or @itemprop='dateModified' or @name='last-modified']"
    "/@content | //*[@itemprop='dateModified']/@datetime"
)
FIRST_YEAR, LAST_YEAR = 1900, 2200
_COMPACT_OFFSET = re.compile(r"([+-]\d{2})(\d{2})$")


def parse_datetime(value: str) -> datetime | None:
    """ISO 8601 or RFC 2822 text as an aware datetime that keeps the page's own UTC offset.

    A value without an offset (or a bare date, taken as midnight) is read as UTC, so its
    wall-clock time and day are kept as written.
    """
    value = value.strip()
    if not value:
        return None
    parsed = _parse_iso(value) or _parse_rfc2822(value)
    if parsed is None or not is_plausible(parsed):
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def is_plausible(value: datetime) -> bool:
    """A date a news page could carry (pages say 0001-01-01 for "unknown")."""
    return FIRST_YEAR <= value.year <= LAST_YEAR


def _parse_iso(value: str) -> datetime | None:
    text = value.replace("Z", "+00:00") if value.endswith("Z") else value
    text = _COMPACT_OFFSET.sub(r"\1:\2", text) if "T" in text else text
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    try:
        day = date.fromisoformat(text[:10])
    except ValueError:
        return None
    return datetime(day.year, day.month, day.day)


def _parse_rfc2822(value: str) -> datetime | None:
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None


def json_ld(tree: lxml.html.HtmlElement) -> list[Any]:
    """Every JSON-LD block of the page that parses (broken ones are skipped)."""
    blocks = []
    for script in tree.xpath("//script[@type='application/ld+json']/text()"):
        try:
            blocks.append(json.loads(script))
        except ValueError:
            continue
    return blocks


def walk_for(data: Any, key: str) -> Iterator[Any]:
    """Every value of `key` anywhere in nested JSON data."""
    if isinstance(data, dict):
        if key in data:
            yield data[key]
        for value in data.values():
            yield from walk_for(value, key)
    elif isinstance(data, list):
        for item in data:
            yield from walk_for(item, key)


def page_published(tree: lxml.html.HtmlElement, ld: list[Any]) -> datetime | None:
    """Publication time from meta tags, then JSON-LD datePublished."""
    return _first_date([*tree.xpath(_PUBLISHED), *walk_for(ld, "datePublished")])


def page_updated(tree: lxml.html.HtmlElement, ld: list[Any]) -> datetime | None:
    """Update time from article:modified_time / og:updated_time, then JSON-LD dateModified."""
    return _first_date([*tree.xpath(_UPDATED), *walk_for(ld, "dateModified")])


def _first_date(values: list[Any]) -> datetime | None:
    for value in values:
        parsed = parse_datetime(value) if isinstance(value, str) else None
        if parsed is not None:
            return parsed
    return None
