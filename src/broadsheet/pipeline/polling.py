"""Polling a source: read its feed or sitemap (conditionally), record new entries, reschedule.

`discover_entries` is the one way a source is read, whoever asks (CLI, web, runner, workers).
A failure is recorded on the source with a backoff, never raised.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from broadsheet.ingest.entries import newest_first
from broadsheet.ingest.feeds import FeedError, ParsedFeed, parse_source_document
from broadsheet.ingest.fetch import FetchError
from broadsheet.ingest.savedpages import SavedPagesError, list_saved_pages
from broadsheet.ingest.schedule import RATE_WINDOW, Bounds, error_delay, poll_interval, spread
from broadsheet.ingest.urls import UrlError, entry_key, normalize_entry_url
from broadsheet.models import FeedEntry, Page
from broadsheet.pipeline.context import Context
from broadsheet.store import entries as entry_store
from broadsheet.store import sources as source_store
from broadsheet.store import write_transaction
from broadsheet.store.entries import NewEntry
from broadsheet.store.sources import PollState

log = logging.getLogger(__name__)
# A sitemap index names child sitemaps; read this many of the newest per poll.
MAX_CHILD_SITEMAPS = 5


@dataclass
class PollReport:
    """What one poll of a source found."""

    source_id: int
    status: str = "ok"  # ok, not-modified, failed, paused, missing
    items: int = 0
    new: int = 0
    updated: int = 0  # stored entries the source says changed: fetched again
    error: str = ""
    dropped: list[str] = field(default_factory=list)
    next_poll_at: datetime | None = None


def discover_entries(ctx: Context, source_id: int) -> PollReport:
    """Poll one source: record the entries it announces that are new, then reschedule it."""
    now = ctx.clock()
    with write_transaction(ctx.engine) as conn:
        state = source_store.poll_state(conn, source_id)
    if state is None:
        return PollReport(source_id, "missing", error=f"pipeline: no source #{source_id}")
    if state.paused:
        return PollReport(source_id, "paused", next_poll_at=state.next_poll_at)
    try:
        return _poll_and_reschedule(ctx, state, now)
    except Exception as exc:  # the source boundary: recorded with a backoff, never raised
        return _record_poll_failure(ctx, state, now, exc)


def _poll_and_reschedule(ctx: Context, state: PollState, now: datetime) -> PollReport:
    report, state = _poll(ctx, state, now)
    source_id = state.source_id
    with write_transaction(ctx.engine) as conn:
        published = source_store.published_since(conn, source_id, now - RATE_WINDOW)
        polled_before = state.next_poll_at is not None
        interval = poll_interval(published, now, _bounds(ctx), has_history=polled_before)
        state = replace(
            state,
            poll_interval=interval,
            failures=0,
            next_poll_at=now + timedelta(seconds=spread(interval, source_id)),
        )
        source_store.record_poll(conn, state, now=now, error=None)
        if report.dropped and (report.new or report.updated):
            # Said once per changed document, not on every poll of the same one.
            summary = f"{len(report.dropped)} item(s) left out: " + "; ".join(report.dropped[:5])
            source_store.record_error(conn, source_id, state.url, "poll", summary)
    report.next_poll_at = state.next_poll_at
    return report


def _poll(ctx: Context, state: PollState, now: datetime) -> tuple[PollReport, PollState]:
    report = PollReport(state.source_id)
    if state.kind == "folder":
        return _poll_folder(ctx, state, now), state
    if state.kind == "page":
        items = [FeedEntry(url=state.url)]
    else:
        page = ctx.fetcher.fetch_page(state.url, etag=state.etag, last_modified=state.last_modified)
        if page.not_modified:
            report.status = "not-modified"
            return report, state
        state = replace(state, etag=page.etag, last_modified=page.last_modified)
        parsed = _read_document(ctx, page)
        items, report.dropped = parsed.entries, list(parsed.dropped)
    report.items = len(items)
    limit = ctx.settings.max_entries_per_poll
    if len(items) > limit:
        report.dropped.append(f"{len(items) - limit} items past the first {limit} of this poll")
        items = items[:limit]
    new_entries = _keyed(items, report.dropped)
    with write_transaction(ctx.engine) as conn:
        report.new = entry_store.record_entries(conn, state.source_id, new_entries, now)
        report.updated = entry_store.refresh_changed(conn, state.source_id, new_entries, now)
    return report, state


def _poll_folder(ctx: Context, state: PollState, now: datetime) -> PollReport:
    """Record the saved pages of a folder as entries, each with its page kept at once."""
    report = PollReport(state.source_id)
    folder = Path(url2pathname(urlsplit(state.url).path))
    saved = list_saved_pages(folder, ctx.settings.fetch_max_bytes)
    report.dropped = [f"{page.path}: {page.skipped}" for page in saved if page.skipped]
    usable = [page for page in saved if not page.skipped]
    report.items = len(usable)
    for page in usable:
        key = entry_key("", page.url) if page.url.startswith("http") else _file_key(page.path)
        with write_transaction(ctx.engine) as conn:
            if not entry_store.record_entries(
                conn, state.source_id, [NewEntry(key, FeedEntry(url=page.url))], now
            ):
                continue
            entry_id = entry_store.entry_id_for_key(conn, state.source_id, key)
            body = page.path.read_bytes()[: ctx.settings.fetch_max_bytes]
            kept = Page(page.url, page.url, 200, "text/html", "", now, body=body)
            entry_store.save_page(conn, entry_id, kept, now)
            report.new += 1
    return report


def _file_key(path: Path) -> str:
    return hashlib.sha256(f"file:{path}".encode("utf-8", "surrogatepass")).hexdigest()


def _read_document(ctx: Context, page: Page) -> ParsedFeed:
    """The entries of a feed or sitemap; a sitemap index's newest children are read too."""
    parsed = parse_source_document(page)
    for child in parsed.children[:MAX_CHILD_SITEMAPS]:
        try:
            sub = parse_source_document(ctx.fetcher.fetch_page(child))
        except (FetchError, FeedError) as exc:
            parsed.dropped.append(f"child sitemap {child}: {exc}")
            continue
        parsed.entries.extend(sub.entries)
        parsed.dropped.extend(sub.dropped)
    parsed.entries = newest_first(parsed.entries)
    return parsed


def _keyed(items: list[FeedEntry], dropped: list[str]) -> list[NewEntry]:
    """Entries with normalised URLs and their keys; unusable URLs are dropped with a reason."""
    keyed: dict[str, NewEntry] = {}
    for item in items:
        try:
            url = normalize_entry_url(item.url)
            key = entry_key(item.guid, url)
        except UrlError as exc:
            dropped.append(str(exc))
            continue
        keyed.setdefault(key, NewEntry(key, replace(item, url=url)))
    return list(keyed.values())


def _record_poll_failure(
    ctx: Context, state: PollState, now: datetime, exc: Exception
) -> PollReport:
    expected = isinstance(exc, (FetchError, FeedError, SavedPagesError))
    if not expected:
        log.exception("source #%s (%s): poll failed", state.source_id, state.url)
    message = str(exc) or type(exc).__name__
    if not expected:
        message = f"poll: {type(exc).__name__}: {message}"
    failures = state.failures + 1
    retry_after = exc.retry_after if isinstance(exc, FetchError) else None
    delay = error_delay(failures, state.poll_interval, retry_after, _bounds(ctx))
    paused = failures >= ctx.settings.pause_after_failures
    state = replace(state, failures=failures, next_poll_at=now + timedelta(seconds=delay))
    with write_transaction(ctx.engine) as conn:
        source_store.record_poll(conn, state, now=now, error=message, paused=paused)
        source_store.record_error(conn, state.source_id, state.url, "poll", message)
    status = "paused" if paused else "failed"
    return PollReport(state.source_id, status, error=message, next_poll_at=state.next_poll_at)


def _bounds(ctx: Context) -> Bounds:
    return Bounds(ctx.settings.poll_min_interval, ctx.settings.poll_max_interval)
