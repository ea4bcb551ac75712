"""A search as its form's parameters: parsed into filters, and saved as a followable target
("search:q=storm&section=world"), so a reader follows a search like a channel."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode

from broadsheet.keys import parse_key
from broadsheet.models import SECTIONS
from broadsheet.store.search import Filters

MAX_QUERY_CHARS = 200
FIELDS = ("q", "section", "publisher", "channel", "from", "to", "sort")


class SearchError(ValueError):
    """A search parameter that names nothing; the message says which and how to write it."""


def parse(params: Mapping[str, str]) -> tuple[str, Filters, bool]:
    """(words, filters, newest first) of a search form's parameters."""
    q = params.get("q", "").strip()[:MAX_QUERY_CHARS]
    section = params.get("section") or None
    publisher = params.get("publisher") or None
    channel = params.get("channel", "").strip() or None
    if section is not None and section not in SECTIONS:
        raise SearchError("No section by that name.")
    if publisher is not None and not (publisher.isdigit() and len(publisher) <= 18):
        raise SearchError("The publisher must be a publisher's number.")
    if channel is not None and parse_key(channel) is None:
        raise SearchError("The channel must be a channel's key, such as person:xi-jinping.")
    since, until = _day(params.get("from")), _day(params.get("to"))
    filters = Filters(
        section=section,
        source_id=int(publisher) if publisher else None,
        channel_key=channel,
        since=since,
        until=until + timedelta(days=1) if until else None,  # "to" includes its day
    )
    return q, filters, params.get("sort") == "date"


def _day(raw: str | None) -> datetime | None:
    if not raw:
        return None
    try:
        return datetime.strptime(raw, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError as exc:
        raise SearchError("Dates are written YYYY-MM-DD.") from exc


def target(params: Mapping[str, str]) -> str:
    """The search as a followable target: its set parameters in a fixed order."""
    kept = [(name, params[name].strip()) for name in FIELDS if params.get(name, "").strip()]
    return "search:" + urlencode(kept)


def from_target(value: str) -> dict[str, str] | None:
    """The parameters of a saved search's target, or None when it is not a valid one."""
    if not value.startswith("search:") or len(value) > 320:
        return None
    params = dict(parse_qsl(value.removeprefix("search:"), keep_blank_values=False))
    if set(params) - set(FIELDS) or not params.get("q", "").strip():
        return None
    try:
        parse(params)
    except SearchError:
        return None
    return params


def query_string(params: Mapping[str, str]) -> str:
    """The saved search's page address after /search?."""
    return urlencode([(name, params[name]) for name in FIELDS if name in params])
