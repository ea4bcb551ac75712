"""Processing one entry: fetch (or read the kept page), extract, enrich, store. Idempotent.

Every failure, of any kind, becomes a recorded state change with a retry time; nothing raised
here stops a batch, and an entry is never lost: a killed worker's lease runs out and the entry
is taken again, from its kept page when it had been fetched.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection

from broadsheet.enrich.aliases import canonicalize, chosen_keys, lookup_keys
from broadsheet.extract.article import EXTRACTOR_VERSION, ExtractError
from broadsheet.ingest.fetch import FetchError, decode_body
from broadsheet.models import Article, Enrichment, Page
from broadsheet.pipeline import posts, related
from broadsheet.pipeline.analysis import MODELS_VERSION
from broadsheet.pipeline.context import Context, is_dead_here
from broadsheet.pipeline.stories import LiveStories
from broadsheet.store import aliases as alias_store
from broadsheet.store import articles as article_store
from broadsheet.store import channels as channel_store
from broadsheet.store import entries as entry_store
from broadsheet.store import posts as post_store
from broadsheet.store import related as related_store
from broadsheet.store import sources as source_store
from broadsheet.store import write_transaction
from broadsheet.stories.dedupe import find_original

log = logging.getLogger(__name__)


@dataclass
class EntryOutcome:
    """What one call of process_entry did: stored, known, revised, unchanged, failed, skipped
    or not-due."""

    entry_id: int
    status: str
    article_id: int | None = None
    error: str = ""


def process_entry(ctx: Context, entry_id: int, *, force: bool = False) -> EntryOutcome:
    """Take one due entry through every stage; failures are recorded, never raised."""
    now = ctx.clock()
    with write_transaction(ctx.engine) as conn:
        row = entry_store.claim_entry(
            conn,
            entry_id,
            now,
            ctx.lease,
            max_attempts=ctx.settings.max_attempts,
            owner=ctx.owner,
            force=force,
        )
    if row is None:
        return EntryOutcome(entry_id, "not-due")
    stage = "fetch"
    try:
        if row["article_id"] is not None and _is_post(ctx, row["source_id"]):
            stage = "enrich"
            return enrich_post(ctx, row)
        page = _page_for(ctx, row)
        stage = "extract"
        if row["article_id"] is None:
            with ctx.engine.connect() as conn:
                known = article_store.article_id_for_url(conn, row["url"], page.final_url)
            if known is not None:
                return _finish(ctx, row, known, page.final_url, "known")
        text = page.text or decode_body(page.body, page.content_type)
        draft, enrichment = ctx.analyzer(
            text,
            page.final_url,
            entry_store.feed_entry(row),
            enrich=ctx.settings.enrich,
            max_chars=ctx.settings.nlp_max_chars,
            home=publisher_home(ctx, row["source_id"]),
        )
        stage = "store"
        with write_transaction(ctx.engine) as conn:
            entry_store.set_state(conn, entry_id, "enriched", ctx.clock())
        article = Article(
            draft=draft,
            enrichment=enrichment,
            source_id=row["source_id"],
            fetched_at=page.fetched_at,
        )
        return _store(ctx, row, article)
    except Exception as exc:  # the entry boundary: every failure is recorded, the batch goes on
        return _record_failure(ctx, row, stage, exc)


def publisher_home(ctx: Context, source_id: int) -> str:
    """The publisher's home label ("Chicago, IL"): its local coverage counts in the analysis."""
    with ctx.engine.connect() as conn:
        source = source_store.get_source(conn, source_id)
    return source.home_city if source else ""


def _page_for(ctx: Context, row: dict) -> Page:
    """The entry's kept page, or the page fetched now (and kept)."""
    with ctx.engine.connect() as conn:
        kept = entry_store.load_page(conn, row["id"], row["url"], row["final_url"] or "")
    if kept is not None:
        return kept
    page = ctx.fetcher.fetch_page(row["url"])
    with write_transaction(ctx.engine) as conn:
        entry_store.save_page(conn, row["id"], page, ctx.clock())
    return page


def _store(ctx: Context, row: dict, article: Article) -> EntryOutcome:
    try:
        return _stored(ctx, row, article)
    except BaseException:
        ctx.stories.reset()  # the graph may hold what the database just rolled back
        raise


def _stored(ctx: Context, row: dict, article: Article) -> EntryOutcome:
    status = "stored"
    with write_transaction(ctx.engine) as conn:
        article.enrichment = corpus_entities(conn, article.enrichment)
        if row["article_id"] is not None:
            # The source said the article changed: keep the old text as a revision.
            article_id = int(row["article_id"])
            changed = article_store.revise_article(conn, article_id, article, ctx.clock())
            status = "revised" if changed else "unchanged"
        else:
            article_id = store_article(conn, article, ctx.clock(), ctx.stories)
        _mark_stored(ctx, conn, row["id"], article_id, article.draft.canonical_url)
    return EntryOutcome(row["id"], status, article_id)


def _finish(ctx: Context, row: dict, article_id: int, url: str, status: str) -> EntryOutcome:
    with write_transaction(ctx.engine) as conn:
        _mark_stored(ctx, conn, row["id"], article_id, url)
    return EntryOutcome(row["id"], status, article_id)


def _mark_stored(
    ctx: Context, conn: Connection, entry_id: int, article_id: int, canonical_url: str
) -> None:
    """The entry is done: its article, and the extractor and models that produced it."""
    entry_store.finish_entry(
        conn,
        entry_id,
        article_id,
        canonical_url=canonical_url,
        versions=(EXTRACTOR_VERSION, MODELS_VERSION),
        now=ctx.clock(),
    )


def _is_post(ctx: Context, source_id: int) -> bool:
    with ctx.engine.connect() as conn:
        return post_store.is_contributor_source(conn, source_id)


def enrich_post(ctx: Context, row: dict) -> EntryOutcome:
    """A contributor's post, stored when its author sent it (pipeline/posts.py): the models'
    understanding of its text replaces the provisional one, its author's place kept; then its
    story and related list, as for an article."""
    article_id = int(row["article_id"])
    with ctx.engine.connect() as conn:
        stored = article_store.get_article(conn, article_id)
        post = post_store.post_for_article(conn, article_id)
    if stored is None or post is None:
        raise LookupError(f"pipeline: article #{article_id} is not a stored post")
    draft = posts.stored_draft(stored)
    home = posts.place_label(post["place"])
    found = posts.analyze_post(ctx, draft, home) if ctx.settings.enrich else None
    try:
        with write_transaction(ctx.engine) as conn:
            now = ctx.clock()
            if found is not None:
                enrichment = posts.with_place(corpus_entities(conn, found), post["place"])
                article = Article(draft, enrichment, row["source_id"], story_id=stored["story_id"])
                article_store.update_article(conn, article_id, article)
                if stored["story_id"] is None:
                    ctx.stories.place(conn, article_id, article, now)
                related.store(conn, article_id, now)
            post_store.mark_enriched(conn, article_id, now)
            _mark_stored(ctx, conn, row["id"], article_id, draft.canonical_url)
    except BaseException:
        ctx.stories.reset()  # the graph may hold what the database just rolled back
        raise
    return EntryOutcome(row["id"], "stored", article_id)


def corpus_entities(conn: Connection, enrichment: Enrichment) -> Enrichment:
    """People and organisations named by an alias under the key the corpus knows them by."""
    chosen = chosen_keys(alias_store.alias_sightings(conn, lookup_keys(enrichment)))
    if not chosen:
        return enrichment
    rows = channel_store.channels_by_keys(conn, sorted(set(chosen.values())))
    return canonicalize(enrichment, chosen, {key: row["name"] for key, row in rows.items()})


def store_article(conn: Connection, article: Article, now: datetime, live: LiveStories) -> int:
    """Save the article, a copy in its original's story, an original placed by the story
    graph, and its related list; the lists of the stories it grew are due again (caller's
    transaction; on failure the caller resets `live`)."""
    existing = article_store.article_id_for_url(
        conn, article.draft.url, article.draft.canonical_url
    )
    if existing is not None:
        return existing
    copies = article_store.summaries_for(
        conn, article_store.copy_candidates(conn, article.draft.text), with_text=True
    )
    article.copy_of = find_original(article.draft.text, copies)
    original = next((c for c in copies if c.id == article.copy_of), None)
    article.story_id = original.story_id if original else None
    article_id = article_store.save_article(conn, article)
    if article.copy_of is None:
        article.story_id = live.place(conn, article_id, article, now)
    elif article.story_id is not None:
        related_store.mark_due(conn, {article.story_id})
    related.store(conn, article_id, now)
    return article_id


def retry_time(ctx: Context, attempts: int, exc: Exception) -> datetime | None:
    """When to try a failed entry again after `attempts` tries (None: never)."""
    if isinstance(exc, ExtractError):
        return None
    if isinstance(exc, FetchError) and not exc.transient:
        return None
    if attempts >= ctx.settings.max_attempts:
        return None
    delay = ctx.settings.retry_delay * 2 ** max(0, attempts - 1)
    if isinstance(exc, FetchError) and exc.retry_after:
        delay = max(delay, exc.retry_after)
    return ctx.clock() + timedelta(seconds=delay)


def _record_failure(ctx: Context, row: dict, stage: str, exc: Exception) -> EntryOutcome:
    message = str(exc) or type(exc).__name__
    if not isinstance(exc, (FetchError, ExtractError)):
        # Not the page's fault: keep the traceback for whoever fixes it.
        log.exception("entry #%s (%s) failed at %s", row["id"], row["url"], stage)
        message = f"{stage}: {type(exc).__name__}: {message}"
    retry_at = retry_time(ctx, int(row["attempts"]), exc)
    skipped = isinstance(exc, ExtractError)
    with write_transaction(ctx.engine) as conn:
        entry_store.fail_entry(
            conn,
            row["id"],
            stage=stage,
            message=message,
            retry_at=retry_at,
            skipped=skipped,
            now=ctx.clock(),
        )
        source_store.record_error(conn, row["source_id"], row["url"], stage, message)
    return EntryOutcome(row["id"], "skipped" if skipped else "failed", error=message)


def reprocess(ctx: Context, article_id: int) -> EntryOutcome:
    """Extract and enrich a stored article again from its kept page (after a model upgrade)."""
    with ctx.engine.connect() as conn:
        row = entry_store.entry_for_article(conn, article_id)
        page = entry_store.load_page(conn, row["id"], row["url"], row["final_url"]) if row else None
    if row is None or page is None:
        return _reprocess_post(ctx, article_id)
    try:
        draft, enrichment = ctx.analyzer(
            decode_body(page.body, page.content_type),
            page.final_url,
            entry_store.feed_entry(row),
            enrich=ctx.settings.enrich,
            max_chars=ctx.settings.nlp_max_chars,
            home=publisher_home(ctx, row["source_id"]),
        )
        with write_transaction(ctx.engine) as conn:
            stored = article_store.get_article(conn, article_id)
            article = Article(
                draft=draft,
                enrichment=corpus_entities(conn, enrichment),
                source_id=row["source_id"],
                copy_of=stored["copy_of"] if stored else None,
                story_id=stored["story_id"] if stored else None,
            )
            article_store.update_article(conn, article_id, article)
            _mark_stored(ctx, conn, row["id"], article_id, draft.canonical_url)
    except Exception as exc:  # recorded per article; a reprocessing run goes on
        log.exception("reprocess of article #%s failed", article_id)
        return EntryOutcome(row["id"], "failed", article_id, f"{type(exc).__name__}: {exc}")
    return EntryOutcome(row["id"], "stored", article_id)


def _reprocess_post(ctx: Context, article_id: int) -> EntryOutcome:
    """A post has no page: its stored text is read again (a failure, of a publisher's article
    without a kept page too, is returned)."""
    with ctx.engine.connect() as conn:
        row = post_store.entry_of_article(conn, article_id)
    if row is None:
        return EntryOutcome(
            0, "failed", article_id, f"pipeline: article #{article_id} has no kept page"
        )
    try:
        return enrich_post(ctx, row)
    except Exception as exc:  # recorded per article; a reprocessing run goes on
        log.exception("reprocess of post article #%s failed", article_id)
        return EntryOutcome(row["id"], "failed", article_id, f"{type(exc).__name__}: {exc}")


def release_dead_leases(ctx: Context) -> int:
    """Free the entries leased by processes of this machine that died (kill -9, a crash)."""
    with write_transaction(ctx.engine) as conn:
        dead = [o for o in entry_store.lease_holders(conn, ctx.clock()) if is_dead_here(o)]
        return entry_store.release_leases(conn, dead)
