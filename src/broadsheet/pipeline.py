"""The use cases: refresh a source, process a page, analyse a document. CLI, web and jobs
all call these."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import numpy as np
from sqlalchemy import Connection, Engine

from broadsheet.enrich.embed import embed_texts
from broadsheet.enrich.entities import recognize_entities
from broadsheet.enrich.nlp import parse_text
from broadsheet.enrich.places import local_channels, resolve_places
from broadsheet.enrich.taxonomy import hashtags_for, labels_for
from broadsheet.enrich.topics import classify_section
from broadsheet.enrich.wire import detect_wire_source
from broadsheet.extract.article import ExtractError, extract_article
from broadsheet.ingest.feeds import FeedError, parse_feed
from broadsheet.ingest.fetch import Fetcher, FetchError
from broadsheet.models import (
    Article,
    ArticleDraft,
    ArticleSummary,
    Enrichment,
    FeedEntry,
    to_jsonable,
)
from broadsheet.store import articles as article_store
from broadsheet.store import sources as source_store
from broadsheet.stories.cluster import STORY_WINDOW, find_story
from broadsheet.stories.dedupe import find_original

# Failures of one article that are the page's fault, not ours: recorded, batch goes on.
PAGE_ERRORS = (FetchError, ExtractError)


@dataclass
class IngestReport:
    """What one refresh of a source did."""

    source_id: int
    entries: int = 0
    new: int = 0
    known: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


def analyze_draft(draft: ArticleDraft, hints: Iterable[str] = ()) -> Enrichment:
    """Understand an extracted article: who, where, what section, which wire, its embedding."""
    doc = parse_text(draft.text)
    entities = recognize_entities(doc, draft.title)
    places = resolve_places(doc, entities)
    channels = local_channels(places, draft.title)
    embedding = embed_texts([f"{draft.title}\n{draft.text}"])[0]
    section = classify_section(
        draft.title, draft.text, embedding, list(hints), is_local=bool(channels)
    )
    return Enrichment(
        entities=entities,
        places=places,
        local_channels=channels,
        section=section,
        labels=labels_for(section, entities, places, draft.text),
        hashtags=hashtags_for(entities, section),
        wire_source=detect_wire_source(draft.text, draft.byline),
        embedding=[float(x) for x in embedding],
    )


def section_hints(draft: ArticleDraft, entry: FeedEntry | None) -> list[str]:
    """The publisher's own words for the section: categories and URL path segments."""
    hints = list(draft.categories)
    if entry is not None:
        hints.extend(entry.categories)
    hints.extend(part for part in urlsplit(draft.url).path.split("/")[:-1] if part)
    return list(dict.fromkeys(hints))


def summarize(article: Article, article_id: int) -> ArticleSummary:
    """The stories stage's view of an article."""
    enrichment = article.enrichment
    return ArticleSummary(
        id=article_id,
        source_id=article.source_id,
        title=article.draft.title,
        text=article.draft.text,
        published=article.draft.published,
        wire_source=enrichment.wire_source,
        embedding=np.asarray(enrichment.embedding, dtype=np.float32),
        copy_of=article.copy_of,
        story_id=article.story_id,
        channel_keys=channel_keys(enrichment),
    )


def channel_keys(enrichment: Enrichment) -> frozenset[str]:
    """The keys of everything the article is about (not its section)."""
    keys = {entity.key for entity in enrichment.entities}
    keys.update(place.key for place in enrichment.places)
    return frozenset(keys)


def link_article(
    article: Article, candidates: list[ArticleSummary], new_story: Callable[[str], int]
) -> None:
    """Set copy_of and story_id from the articles seen before this one."""
    embedding = np.asarray(article.enrichment.embedding, dtype=np.float32)
    article.copy_of = find_original(article.draft.text, embedding, candidates)
    by_id = {candidate.id: candidate for candidate in candidates}
    if article.copy_of is not None and by_id.get(article.copy_of):
        article.story_id = by_id[article.copy_of].story_id
    if article.story_id is None:
        keys = channel_keys(article.enrichment)
        article.story_id = find_story(embedding, keys, article.draft.published, candidates)
    if article.story_id is None:
        article.story_id = new_story(article.draft.title)


def store_article(conn: Connection, article: Article) -> int:
    """Link the article to earlier ones and save it, inside the caller's transaction."""
    published = article.draft.published or datetime.now(UTC)
    candidates = article_store.recent_articles(conn, since=published - STORY_WINDOW)
    link_article(
        article, candidates, lambda title: article_store.create_story(conn, title, published)
    )
    return article_store.save_article(conn, article)


def process_entry(engine: Engine, fetcher: Fetcher, source_id: int, entry: FeedEntry) -> int:
    """Fetch, extract, understand and store one feed entry; return the article id."""
    page = fetcher.fetch_page(entry.url)
    draft = extract_article(page.text, page.final_url, entry)
    if draft.published is None:
        draft.published = entry.published or page.fetched_at
    enrichment = analyze_draft(draft, section_hints(draft, entry))
    article = Article(
        draft=draft, enrichment=enrichment, source_id=source_id, fetched_at=page.fetched_at
    )
    with engine.begin() as conn:
        return store_article(conn, article)


def ingest_source(
    engine: Engine,
    fetcher: Fetcher,
    source_id: int,
    on_entry: Callable[[IngestReport], None] | None = None,
) -> IngestReport:
    """Refresh one source: read its feed and store every entry not stored yet."""
    report = IngestReport(source_id=source_id)
    with engine.begin() as conn:
        source = source_store.get_source(conn, source_id)
    if source is None:
        raise ValueError(f"pipeline: no source #{source_id}")
    try:
        feed = parse_feed(fetcher.fetch_page(source.feed_url))
    except (FetchError, FeedError) as exc:
        _record_failure(engine, source_id, source.feed_url, "feed", exc, report)
        with engine.begin() as conn:
            source_store.record_fetch(conn, source_id, str(exc))
        return report
    report.entries = len(feed.entries)
    for entry in feed.entries:
        _ingest_entry(engine, fetcher, source_id, entry, report)
        if on_entry is not None:
            on_entry(report)
    with engine.begin() as conn:
        source_store.record_fetch(conn, source_id, report.errors[-1] if report.errors else None)
    return report


def _ingest_entry(
    engine: Engine, fetcher: Fetcher, source_id: int, entry: FeedEntry, report: IngestReport
) -> None:
    with engine.connect() as conn:
        if article_store.article_id_for_url(conn, entry.url) is not None:
            report.known += 1
            return
    try:
        process_entry(engine, fetcher, source_id, entry)
        report.new += 1
    except PAGE_ERRORS as exc:
        _record_failure(engine, source_id, entry.url, type(exc).__name__, exc, report)


def _record_failure(
    engine: Engine, source_id: int, url: str, stage: str, exc: Exception, report: IngestReport
) -> None:
    report.failed += 1
    report.errors.append(f"{url}: {exc}")
    with engine.begin() as conn:
        source_store.record_error(conn, source_id, url, stage, str(exc))


def analyze_record(record: dict[str, Any]) -> tuple[ArticleDraft, Enrichment]:
    """One `analyze` input line ({"id","text"} or {"id","html","url"}) understood."""
    if record.get("html"):
        draft = extract_article(record["html"], record.get("url") or "about:blank")
    else:
        text = str(record.get("text") or "")
        title = str(record.get("title") or "")
        draft = ArticleDraft(
            url=str(record.get("url") or ""),
            canonical_url=str(record.get("url") or ""),
            title=title,
            byline="",
            published=None,
            language="en",
            text=text,
        )
    return draft, analyze_draft(draft, section_hints(draft, None))


def analysis_json(record_id: Any, draft: ArticleDraft, enrichment: Enrichment) -> dict[str, Any]:
    """The `analyze` contract's output line."""
    return {
        "id": record_id,
        "title": draft.title,
        "byline": draft.byline,
        "published": to_jsonable(draft.published),
        "language": draft.language,
        "text": draft.text,
        "images": to_jsonable(draft.images),
        "entities": to_jsonable(enrichment.entities),
        "places": to_jsonable(enrichment.places),
        "local_channels": to_jsonable(enrichment.local_channels),
        "section": enrichment.section,
        "labels": enrichment.labels,
        "hashtags": enrichment.hashtags,
        "wire_source": enrichment.wire_source,
    }


def analyze_corpus(records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Analyse lines as one stream arriving in order, adding copy_of and story labels."""
    seen: list[ArticleSummary] = []
    ids: list[Any] = []
    stories: list[str] = []

    def new_story(_title: str) -> int:
        stories.append(f"story-{len(stories) + 1}")
        return len(stories) - 1

    for index, record in enumerate(records):
        draft, enrichment = analyze_record(record)
        article = Article(draft=draft, enrichment=enrichment)
        link_article(article, seen, new_story)
        seen.append(summarize(article, index))
        ids.append(record.get("id"))
        line = analysis_json(record.get("id"), draft, enrichment)
        line["copy_of"] = ids[article.copy_of] if article.copy_of is not None else None
        line["story"] = stories[article.story_id] if article.story_id is not None else None
        yield line
