"""What a story graph is built from, and the moves it makes: by index, never by scan."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, or_, select, update

from broadsheet.store.database import as_utc
from broadsheet.store.schema import articles, stories, story_moves
from broadsheet.stories.graph import LEDE_WORDS, Move

# Enough characters for the lede's words (stories/graph.py reads LEDE_WORDS of them).
LEDE_CHARS = LEDE_WORDS * 12


def newest_published(conn: Connection) -> datetime | None:
    """When the newest stored article was published."""
    return as_utc(conn.execute(select(func.max(articles.c.published))).scalar())


def graph_rows(conn: Connection, *, after_id: int, since: datetime | None) -> list[dict[str, Any]]:
    """Placed originals (not copies) stored after `after_id` and published since `since`.

    Oldest first; what a story graph needs of each: id, title, lede, published, embedding,
    story_id. `since` bounds a new graph to the story window, whatever the corpus's size.
    """
    query = (
        select(
            articles.c.id,
            articles.c.title,
            func.substr(articles.c.text, 1, LEDE_CHARS).label("lede"),
            articles.c.published,
            articles.c.embedding,
            articles.c.story_id,
        )
        .where(
            articles.c.id > after_id,
            articles.c.copy_of.is_(None),
            articles.c.story_id.is_not(None),
            articles.c.embedding.is_not(None),
        )
        .order_by(articles.c.published, articles.c.id)
    )
    if since is not None:
        query = query.where(articles.c.published >= since)
    rows = [dict(row._mapping) for row in conn.execute(query)]
    for row in rows:
        row["published"] = as_utc(row["published"])
    return rows


def last_article_id(conn: Connection) -> int:
    return int(conn.execute(select(func.coalesce(func.max(articles.c.id), 0))).scalar_one())


def last_move_id(conn: Connection) -> int:
    return int(conn.execute(select(func.coalesce(func.max(story_moves.c.id), 0))).scalar_one())


def moves_after(conn: Connection, move_id: int) -> list[dict[str, Any]]:
    """Moves recorded after `move_id` (by any process), in order."""
    query = select(story_moves).where(story_moves.c.id > move_id).order_by(story_moves.c.id)
    return [dict(row._mapping) for row in conn.execute(query)]


def apply_moves(conn: Connection, moves: Iterable[Move], now: datetime) -> None:
    """Move each article, and the copies that follow it, to its new story; record the move."""
    touched: set[int] = set()
    for move in moves:
        conn.execute(
            update(articles)
            .where(or_(articles.c.id == move.article, articles.c.copy_of == move.article))
            .values(story_id=move.new_story)
        )
        conn.execute(
            insert(story_moves).values(
                article_id=move.article,
                old_story_id=move.old_story,
                new_story_id=move.new_story,
                reason=move.reason,
                moved_at=now,
            )
        )
        touched.update((move.old_story, move.new_story))
    if touched:
        conn.execute(update(stories).where(stories.c.id.in_(touched)).values(updated_at=now))


def merged_into(conn: Connection, story_id: int) -> int | None:
    """The story an emptied story's articles last moved to, or None."""
    query = (
        select(story_moves.c.new_story_id)
        .where(story_moves.c.old_story_id == story_id, story_moves.c.reason == "merge")
        .order_by(story_moves.c.id.desc())
        .limit(1)
    )
    found = conn.execute(query).scalar()
    return int(found) if found is not None else None
