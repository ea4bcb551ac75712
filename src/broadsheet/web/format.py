"""How numbers, times and names read on the pages: small pure functions used as Jinja filters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

from broadsheet.keys import ChannelKey

_SECTION_NAMES = {"us": "U.S.", "uk": "U.K.", "tech": "Technology"}
_KIND_NAMES = {"org": "Organization", "organization": "Organization", "admin1": "State"}
_RECENT_DAYS = 30


def parse_datetime(value: str | datetime | None) -> datetime | None:
    """An aware datetime from ISO 8601 text or a datetime (naive means UTC); None if unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _plural(n: int, unit: str) -> str:
    return f"{n} {unit}{'' if n == 1 else 's'} ago"


def relative_time(dt: datetime, now: datetime) -> str:
    """'just now', '5 minutes ago', '3 hours ago', '3 days ago', then 'Nov 3, 2026'."""
    dt, now = parse_datetime(dt) or now, parse_datetime(now) or now
    seconds = (now - dt).total_seconds()
    if seconds < 60:
        # A publisher's clock a little ahead of ours still reads as fresh news.
        return "just now"
    if seconds < 3600:
        return _plural(int(seconds // 60), "minute")
    if seconds < 86400:
        return _plural(int(seconds // 3600), "hour")
    if seconds < _RECENT_DAYS * 86400:
        return _plural(int(seconds // 86400), "day")
    return f"{dt:%b} {dt.day}, {dt.year}"


def exact_time(dt: datetime) -> str:
    """The full date for a tooltip, e.g. 'Nov 24, 2026, 3:05 PM UTC'."""
    dt = (parse_datetime(dt) or dt).astimezone(UTC)
    hour = dt.hour % 12 or 12
    return f"{dt:%b} {dt.day}, {dt.year}, {hour}:{dt:%M} {'AM' if dt.hour < 12 else 'PM'} UTC"


def rounded_count(n: int) -> str:
    """0-999 exactly, then 1K+ .. 999K+, then 1M+ (always rounded down, never up)."""
    n = max(int(n or 0), 0)
    if n < 1000:
        return str(n)
    if n < 1_000_000:
        return f"{n // 1000}K+"
    return f"{n // 1_000_000}M+"


def section_name(section: str | None) -> str:
    """The display name of a section slug: 'world' -> 'World'."""
    if not section:
        return ""
    slug = section.strip().lower()
    if slug in _SECTION_NAMES:
        return _SECTION_NAMES[slug]
    return slug.replace("-", " ").replace("_", " ").title()


def kind_name(kind: str | None) -> str:
    """The label before a channel chip: 'city' -> 'City', 'org' -> 'Organization'."""
    if not kind:
        return "Channel"
    return _KIND_NAMES.get(kind.lower(), kind.replace("_", " ").capitalize())


def channel_url(key: ChannelKey | str) -> str:
    """The path of a channel page; keys keep their ':' (person:maria-okafor)."""
    return "/c/" + quote(str(key), safe=":")


def search_url(q: str) -> str:
    """The path of a search for q."""
    return "/search?" + urlencode({"q": q})


def link_hashtags(
    hashtags: Sequence[str],
    entities: Sequence[Mapping[str, Any]],
    places: Sequence[Mapping[str, Any]],
) -> list[tuple[str, str]]:
    """(tag, href) pairs: the channel of the entity or place of that name, else a search."""
    keys: dict[str, str] = {}
    for item in [*entities, *places]:
        name, key = item.get("name"), item.get("key")
        if isinstance(name, str) and isinstance(key, str) and key:
            keys.setdefault(name.casefold(), key)
    links, seen = [], set()
    for tag in hashtags:
        tag = tag.lstrip("#").strip()
        if not tag or tag.casefold() in seen:
            continue
        seen.add(tag.casefold())
        key = keys.get(tag.casefold())
        links.append((tag, channel_url(key) if key else search_url(tag)))
    return links
