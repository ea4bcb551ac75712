"""Related lists in the store: their candidates from indexes, the ranked lists, their staleness.

Candidates come from postings, never from "the newest N": for each of the article's subjects
(people, organisations, places and its topic), the articles stored just before and just after
it under that subject (two range reads of the (channel_key, article_id) index each), and the
members of its story nearest to it in time. The cost of finding them does not grow with the
corpus, and an old article finds its neighbours however many articles came after it.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, union_all, update

from broadsheet.store.schema import article_channels, article_related, articles

SUBJECT_ROLES = ("entity", "place", "topic")
SUBJECTS = 12  # the article's most salient subjects asked for candidates
PER_SUBJECT = 40  # articles taken on each side of the article under each subject
STORY_POOL = 200  # story members nearest in time
POOL = 300  # candidates ranked, those sharing most subjects


def candidates(
    conn: Connection, article_id: int, story_id: int | None, since: datetime, until: datetime
) -> list[int]:
    """Ids worth ranking for the article's related list (itself excluded)."""
    shared = Counter(_subject_neighbours(conn, article_id))
    in_window = _published_between(conn, list(shared), since, until)
    ranked = sorted(in_window, key=lambda i: (-shared[i], abs(i - article_id)))[:POOL]
    found = set(ranked)
    if story_id is not None:
        found.update(story_neighbours(conn, article_id, story_id))
    found.discard(article_id)
    return sorted(found)


def _subject_neighbours(conn: Connection, article_id: int) -> list[int]:
    """Ids stored next to the article under each of its subjects, one entry per subject."""
    keys = [
        key
        for (key,) in conn.execute(
            select(article_channels.c.channel_key)
            .where(
                article_channels.c.article_id == article_id,
                article_channels.c.role.in_(SUBJECT_ROLES),
                ~article_channels.c.channel_key.startswith("other:"),
            )
            .order_by(article_channels.c.salience.desc(), article_channels.c.channel_key)
            .limit(SUBJECTS)
        )
    ]
    if not keys:
        return []
    parts = []
    for key in keys:
        posting = select(article_channels.c.article_id).where(article_channels.c.channel_key == key)
        before = posting.where(article_channels.c.article_id < article_id)
        after = posting.where(article_channels.c.article_id > article_id)
        for side in (
            before.order_by(article_channels.c.article_id.desc()),
            after.order_by(article_channels.c.article_id),
        ):
            sub = side.limit(PER_SUBJECT).subquery()
            parts.append(select(sub.c.article_id))
    # One row per (subject, article) pair: an article under two subjects comes twice.
    return [int(i) for (i,) in conn.execute(union_all(*parts))]


def _published_between(
    conn: Connection, ids: list[int], since: datetime, until: datetime
) -> list[int]:
    found: list[int] = []
    for start in range(0, len(ids), 500):
        query = select(articles.c.id).where(
            articles.c.id.in_(ids[start : start + 500]),
            articles.c.published >= since,
            articles.c.published <= until,
        )
        found.extend(int(i) for (i,) in conn.execute(query))
    return found


def story_neighbours(conn: Connection, article_id: int, story_id: int) -> list[int]:
    """The story's members nearest to the article in time (all of them in most stories)."""
    published = select(articles.c.published).where(articles.c.id == article_id).scalar_subquery()
    distance = func.abs(func.julianday(articles.c.published) - func.julianday(published))
    if conn.dialect.name == "postgresql":
        distance = func.abs(func.extract("epoch", articles.c.published - published))
    query = (
        select(articles.c.id)
        .where(articles.c.story_id == story_id, articles.c.id != article_id)
        .order_by(distance.nulls_last(), articles.c.id.desc())
        .limit(STORY_POOL)
    )
    return [int(i) for (i,) in conn.execute(query)]


def save_list(
    conn: Connection, article_id: int, items: list[tuple[int, str]], now: datetime
) -> None:
    """Replace the article's related list with (related id, reason) pairs, best first."""
    conn.execute(delete(article_related).where(article_related.c.article_id == article_id))
    if items:
        rows = [
            {"article_id": article_id, "position": n, "related_id": i, "reason": reason[:300]}
            for n, (i, reason) in enumerate(items)
        ]
        conn.execute(insert(article_related), rows)
    conn.execute(update(articles).where(articles.c.id == article_id).values(related_at=now))


def stored_list(conn: Connection, article_id: int) -> list[dict[str, Any]] | None:
    """The article's ranked list ({related_id, reason}), or None while it is due."""
    ranked_at = conn.execute(
        select(articles.c.related_at).where(articles.c.id == article_id)
    ).scalar()
    if ranked_at is None:
        return None
    query = (
        select(article_related.c.related_id, article_related.c.reason)
        .where(article_related.c.article_id == article_id)
        .order_by(article_related.c.position)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def mark_due(conn: Connection, story_ids: set[int]) -> None:
    """The stories grew or changed: their members' lists are ranked again."""
    ids = sorted(story_ids)
    for start in range(0, len(ids), 500):
        conn.execute(
            update(articles)
            .where(
                articles.c.story_id.in_(ids[start : start + 500]), articles.c.related_at.isnot(None)
            )
            .values(related_at=None)
        )


def due_ids(conn: Connection, limit: int) -> list[int]:
    """Up to `limit` articles whose list is due, newest first (the partial index holds them)."""
    query = (
        select(articles.c.id)
        .where(articles.c.related_at.is_(None))
        .order_by(articles.c.id.desc())
        .limit(limit)
    )
    return [int(i) for (i,) in conn.execute(query)]
