"""Related lists: ranked when an article is stored, ranked again once its story grows.

A page reads the stored list and never ranks (store/related.py). Placing an article in a
story (or a merge or split moving articles) marks the lists of that story's members due;
`refresh_due` ranks them again, newest first, after each ingestion run and on a worker's
periodic task. A list that is due is ranked on the fly for the page, not stored.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection

from broadsheet.pipeline.context import Context
from broadsheet.store import articles as article_store
from broadsheet.store import channels as channel_store
from broadsheet.store import related as related_store
from broadsheet.store import sources as source_store
from broadsheet.store.database import write_transaction
from broadsheet.stories.related import RelatedArticle, rank_related

log = logging.getLogger(__name__)
WINDOW = timedelta(days=30)  # related articles were published within a month of the article
LIST_SIZE = 15  # stored per article; pages show the first BROADSHEET_RELATED_LIMIT
REFRESH_BATCH = 50


def rank(conn: Connection, article_id: int) -> list[RelatedArticle]:
    """The article's related list ranked now from indexed candidates (empty if no article)."""
    row = article_store.get_article(conn, article_id)
    if row is None:
        return []
    published = row["published"] or datetime.now(UTC)
    ids = related_store.candidates(
        conn, article_id, row["story_id"], published - WINDOW, published + WINDOW
    )
    pool = article_store.summaries_for(conn, [article_id, *ids], with_text=False)
    target = next((a for a in pool if a.id == article_id), None)
    if target is None:
        return []
    names = {
        key: channel_store.channel_name(channel)
        for key, channel in channel_store.channels_by_keys(
            conn, sorted(target.channel_keys)
        ).items()
    }
    return rank_related(target, [a for a in pool if a.id != article_id], names, LIST_SIZE)


def store(conn: Connection, article_id: int, now: datetime) -> None:
    """Rank the article's list and keep it (in the caller's transaction)."""
    ranked = rank(conn, article_id)
    related_store.save_list(conn, article_id, [(r.id, r.reason) for r in ranked], now)


def ranked_alone(conn: Connection, article_id: int, now: datetime) -> None:
    """Rank one due list in a savepoint: a list that cannot be ranked (a damaged row) is kept
    empty and its failure recorded for the operator (/admin/sources), and the rest of the
    batch goes on; left due, it would come first again on every run and stall the queue."""
    try:
        with conn.begin_nested():
            store(conn, article_id, now)
    except Exception as exc:
        log.exception("related: article %d could not be ranked; its list is kept empty", article_id)
        row = article_store.get_article(conn, article_id)
        related_store.save_list(conn, article_id, [], now)
        source_store.record_error(
            conn,
            row["source_id"] if row else None,
            row["url"] if row else f"article {article_id}",
            "related",
            f"{type(exc).__name__}: {exc}",
        )


def refresh_due(ctx: Context, budget_seconds: float = 20.0) -> int:
    """Rank again the lists that are due, newest first, for about budget_seconds; the rest
    wait for the next run (nothing is dropped: they stay due). Returns how many were ranked."""
    done = 0
    deadline = time.monotonic() + budget_seconds
    while time.monotonic() < deadline:
        with ctx.engine.connect() as conn:
            due = related_store.due_ids(conn, REFRESH_BATCH)
        if not due:
            break
        with write_transaction(ctx.engine) as conn:
            for article_id in due:
                ranked_alone(conn, article_id, ctx.clock())
        done += len(due)
    if done:
        log.info("related: ranked %d lists again", done)
    return done
