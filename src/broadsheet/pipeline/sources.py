"""Adding sources of every kind: a feed, a sitemap, a publisher's home page, one article, an
OPML subscription list, a folder of saved pages; and exporting them as OPML."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from broadsheet.ingest.discover import candidate_feed_urls, classify_url_document, discover_feeds
from broadsheet.ingest.feeds import FeedError
from broadsheet.ingest.fetch import FetchError
from broadsheet.ingest.opml import OpmlOutline, read_opml, write_opml
from broadsheet.ingest.urls import UrlError, validate_source_url
from broadsheet.models import Page, Source
from broadsheet.pipeline.context import Context
from broadsheet.store import sources as source_store
from broadsheet.store import write_transaction

# A home page that advertises no feed: this many common feed paths are tried.
MAX_PROBES = 12


class SourceError(Exception):
    """A source could not be added; the message says why and what to do."""


@dataclass
class Added:
    """Sources registered by one add: their ids, and notes on what was found."""

    ids: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def add_source(ctx: Context, url: str, name: str = "", kind: str = "") -> Added:
    """Register what a URL points at: its feed or sitemap, a home page's feeds, or one article."""
    try:
        url = validate_source_url(url)
    except UrlError as exc:
        raise SourceError(str(exc)) from exc
    if kind == "page":
        return _register(ctx, [Source(name=name or url, feed_url=url, kind="page")])
    try:
        page = ctx.fetcher.fetch_page(url)
    except FetchError as exc:
        raise SourceError(f"sources: cannot add {url}: {exc.reason}") from exc
    found = classify_url_document(page)
    if found in ("feed", "sitemap"):
        return _register(ctx, [Source(name=name or url, feed_url=url, kind=found)])
    if found == "opml":
        return import_opml(ctx, page.text)
    if found == "html":
        return _from_html(ctx, page, name)
    raise SourceError(
        f"sources: {url} is neither a feed, a sitemap, an OPML list nor a web page; "
        "give a feed's address"
    )


def _from_html(ctx: Context, page: Page, name: str) -> Added:
    """A home page's advertised feeds, else the first common path that is one, else the page."""
    advertised = discover_feeds(page)
    if advertised:
        found = [s for url in advertised[:MAX_PROBES] if (s := _probe(ctx, url, name))]
    else:
        probes = (_probe(ctx, url, name) for url in candidate_feed_urls(page)[:MAX_PROBES])
        found = [s for s in [next((s for s in probes if s), None)] if s]
    for source in found:
        source.home_url = page.final_url
    if found:
        return _register(ctx, found)
    single = Source(name=name or page.final_url, feed_url=page.final_url, kind="page")
    added = _register(ctx, [single])
    added.notes.append(f"{page.final_url} advertises no feed: added as a single article")
    return added


def _probe(ctx: Context, url: str, name: str) -> Source | None:
    """A source for url when it answers with a feed or sitemap, else None."""
    try:
        kind = classify_url_document(ctx.fetcher.fetch_page(url))
    except FetchError:
        return None
    return (
        Source(name=name or url, feed_url=url, kind=kind) if kind in ("feed", "sitemap") else None
    )


def add_folder(ctx: Context, folder: Path, name: str = "") -> Added:
    """Register a folder of saved HTML pages as a source (read on every poll)."""
    root = folder.expanduser().resolve()
    if not root.is_dir():
        raise SourceError(f"sources: {folder} is not a folder")
    return _register(ctx, [Source(name=name or root.name, feed_url=root.as_uri(), kind="folder")])


def import_opml(ctx: Context, text: str) -> Added:
    """Register every feed of an OPML subscription list; bad outlines are noted, not fatal."""
    try:
        outlines = read_opml(text)
    except FeedError as exc:
        raise SourceError(str(exc)) from exc
    added = Added()
    sources = []
    for outline in outlines:
        try:
            url = validate_source_url(outline.xml_url)
        except UrlError as exc:
            added.notes.append(f"{outline.title or outline.xml_url}: {exc}")
            continue
        sources.append(
            Source(name=outline.title or url, feed_url=url, home_url=outline.html_url, kind="feed")
        )
    registered = _register(ctx, sources)
    added.ids, added.notes = registered.ids, added.notes + registered.notes
    return added


def export_opml(ctx: Context) -> str:
    """Every feed and sitemap source as an OPML 2.0 subscription list."""
    with ctx.engine.connect() as conn:
        sources = source_store.list_sources(conn)
    outlines = [
        OpmlOutline(title=s.name, xml_url=s.feed_url, html_url=s.home_url, category="")
        for s in sources
        if s.kind in ("feed", "sitemap")
    ]
    return write_opml("Broadsheet sources", outlines)


def _register(ctx: Context, sources: list[Source]) -> Added:
    added = Added()
    with write_transaction(ctx.engine) as conn:
        for source in sources:
            added.ids.append(source_store.upsert_source(conn, source))
    return added
