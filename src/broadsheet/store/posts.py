"""Contributors and their posts (the SQL only; the rules are in community/posts.py).

A contributor is a sources row of kind "contributor" named after the reader, linked to the
account by a contributors row; a published post is an article of that source, found by
posts.article_id. A post's enrichment is an entry of that source in state "extracted" with
its article already set: the pipeline's runners take it like any due entry.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from broadsheet.models import FeedEntry, to_jsonable
from broadsheet.store.database import StoreError, as_utc
from broadsheet.store.schema import contributors, entries, posts, sources, users

CONTRIBUTOR_KIND = "contributor"
POST_COLUMNS = (
    *posts.c,
    sources.c.name.label("author"),
    users.c.name.label("account"),
)
_TIMES = ("created_at", "enriched_at", "decided_at", "since")


def _row(row: Any) -> dict[str, Any]:
    found = dict(row)
    for key in _TIMES:
        if key in found:
            found[key] = as_utc(found[key])
    return found


def _select_posts() -> Any:
    joined = posts.join(sources, sources.c.id == posts.c.source_id).outerjoin(
        users, users.c.id == posts.c.user_id
    )
    return select(*POST_COLUMNS).select_from(joined)


def export_of(conn: Connection, user_id: int) -> dict[str, Any]:
    """What the account holds as a contributor: its profile and every post it wrote, as
    written (held and removed ones included), for the account's export."""
    profile = contributor_for_user(conn, user_id)
    written = conn.execute(
        _select_posts().where(posts.c.user_id == user_id).order_by(posts.c.id)
    ).mappings()
    kept = ("id", "article_id", "title", "body_md", "images", "place", "ai_assisted", "status")
    return {
        "contributor": profile and {"name": profile["name"], "about": profile["about"]},
        "posts": [
            {**{k: row[k] for k in kept}, "created_at": as_utc(row["created_at"])}
            for row in written
        ],
    }


# -- contributors ----------------------------------------------------------------------------


def create_contributor(conn: Connection, user_id: int, name: str, about: str, now: datetime) -> int:
    """The account's contributor source, made now (or the one it has); its id."""
    existing = contributor_for_user(conn, user_id)
    if existing is not None:
        return int(existing["source_id"])
    try:
        with conn.begin_nested():
            # Never polled: its articles are written here, not fetched (paused from the start).
            source = conn.execute(
                insert(sources).values(
                    name=name[:300],
                    feed_url=f"{CONTRIBUTOR_KIND}:{secrets.token_hex(12)}",
                    home_url="",
                    home_city="",
                    about=about,
                    logo_url="",
                    kind=CONTRIBUTOR_KIND,
                    created_at=now,
                    paused_at=now,
                )
            )
            source_id = int(source.inserted_primary_key[0])  # type: ignore[index]
            conn.execute(
                insert(contributors).values(source_id=source_id, user_id=user_id, created_at=now)
            )
            return source_id
    except IntegrityError as exc:
        again = contributor_for_user(conn, user_id)  # the same reader's other request won
        if again is None:
            raise StoreError(f"store: unable to make user #{user_id} a contributor: {exc}") from exc
        return int(again["source_id"])


def _select_contributors() -> Any:
    return select(
        contributors.c.source_id,
        contributors.c.user_id,
        contributors.c.created_at.label("since"),
        sources.c.name,
        sources.c.about,
    ).select_from(contributors.join(sources, sources.c.id == contributors.c.source_id))


def contributor_for_user(conn: Connection, user_id: int) -> dict[str, Any] | None:
    """{source_id, user_id, since, name, about} of the account's contributor source, or None."""
    query = _select_contributors().where(contributors.c.user_id == user_id)
    row = conn.execute(query).mappings().first()
    return _row(row) if row else None


def set_about(conn: Connection, source_id: int, about: str) -> None:
    """The contributor's profile text (their source's About)."""
    conn.execute(update(sources).where(sources.c.id == source_id).values(about=about))


def is_contributor_source(conn: Connection, source_id: int) -> bool:
    """True when the source is a contributor's."""
    query = select(sources.c.kind).where(sources.c.id == source_id)
    return conn.execute(query).scalar() == CONTRIBUTOR_KIND


# -- posts -----------------------------------------------------------------------------------


def insert_post(conn: Connection, **values: Any) -> int:
    """A new post (source_id, user_id, title, body_md, body_html, images, place, ai_assisted,
    status, screening, created_at); its id."""
    row = conn.execute(insert(posts).values(**values))
    return int(row.inserted_primary_key[0])  # type: ignore[index]


def update_post(conn: Connection, post_id: int, **values: Any) -> None:
    """Change a post's columns (status, article_id, decided_at ...)."""
    conn.execute(update(posts).where(posts.c.id == post_id).values(**values))


def get_post(conn: Connection, post_id: int) -> dict[str, Any] | None:
    """The post with its author's (source) name and account name, or None."""
    row = conn.execute(_select_posts().where(posts.c.id == post_id)).mappings().first()
    return _row(row) if row else None


def post_for_article(conn: Connection, article_id: int) -> dict[str, Any] | None:
    """The post published as this article, or None (a publisher's article)."""
    row = conn.execute(_select_posts().where(posts.c.article_id == article_id)).mappings().first()
    return _row(row) if row else None


def labels_for(conn: Connection, article_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """{article_id: {post_id, ai_assisted, author, account}} for those articles that are posts."""
    if not article_ids:
        return {}
    query = (
        select(
            posts.c.article_id,
            posts.c.id,
            posts.c.ai_assisted,
            sources.c.name.label("author"),
            users.c.name.label("account"),
        )
        .select_from(
            posts.join(sources, sources.c.id == posts.c.source_id).outerjoin(
                users, users.c.id == posts.c.user_id
            )
        )
        .where(posts.c.article_id.in_(list(article_ids)))
    )
    return {
        int(row["article_id"]): {
            "post_id": int(row["id"]),
            "ai_assisted": bool(row["ai_assisted"]),
            "author": row["author"],
            "account": row["account"],
        }
        for row in conn.execute(query).mappings()
    }


def posts_of_source(
    conn: Connection, source_id: int, status: str | None = None, limit: int = 30
) -> list[dict[str, Any]]:
    """The source's posts, newest first (only those of one status when given)."""
    query = _select_posts().where(posts.c.source_id == source_id)
    if status is not None:
        query = query.where(posts.c.status == status)
    query = query.order_by(posts.c.created_at.desc(), posts.c.id.desc()).limit(limit)
    return [_row(r) for r in conn.execute(query).mappings()]


def count_since(conn: Connection, user_id: int, since: datetime) -> int:
    """How many posts the account wrote since then, held and removed ones included."""
    query = select(func.count()).where(posts.c.user_id == user_id, posts.c.created_at >= since)
    return int(conn.execute(query).scalar_one())


def recent_texts(conn: Connection, user_id: int, since: datetime, limit: int = 10) -> list[str]:
    """The account's newest post texts (title and body) since then, for screening."""
    query = (
        select(posts.c.title, posts.c.body_md)
        .where(posts.c.user_id == user_id, posts.c.created_at >= since)
        .order_by(posts.c.created_at.desc())
        .limit(limit)
    )
    return [f"{title}\n\n{body}" for title, body in conn.execute(query)]


def held(conn: Connection, limit: int) -> tuple[list[dict[str, Any]], int]:
    """Held posts, oldest first (up to limit), and how many there are."""
    where = posts.c.status == "held"
    total = int(conn.execute(select(func.count()).select_from(posts).where(where)).scalar_one())
    query = _select_posts().where(where).order_by(posts.c.created_at, posts.c.id).limit(limit)
    return [_row(r) for r in conn.execute(query).mappings()], total


def mark_enriched(conn: Connection, article_id: int, now: datetime) -> None:
    """The models have read the post published as this article."""
    conn.execute(update(posts).where(posts.c.article_id == article_id).values(enriched_at=now))


# -- the enrichment job ----------------------------------------------------------------------


def add_entry(
    conn: Connection,
    source_id: int,
    post_id: int,
    url: str,
    title: str,
    article_id: int,
    now: datetime,
) -> int:
    """The post's entry: due now, its article stored already, waiting for the models."""
    row = conn.execute(
        insert(entries).values(
            source_id=source_id,
            key=hashlib.sha256(f"post:{post_id}".encode()).hexdigest(),
            url=url[:2000],
            final_url=url[:2000],
            canonical_url=url[:2000],
            title=title[:1000],
            published=now,
            feed_data=to_jsonable(FeedEntry(url=url, title=title, published=now)),
            state="extracted",
            attempts=0,
            next_attempt_at=now,
            article_id=article_id,
            discovered_at=now,
            updated_at=now,
        )
    )
    return int(row.inserted_primary_key[0])  # type: ignore[index]


def entry_of_article(conn: Connection, article_id: int) -> dict[str, Any] | None:
    """The entry of the post published as this article (reprocessing reads it), or None."""
    query = (
        select(entries)
        .join(sources, sources.c.id == entries.c.source_id)
        .where(entries.c.article_id == article_id, sources.c.kind == CONTRIBUTOR_KIND)
        .order_by(entries.c.id)
        .limit(1)
    )
    row = conn.execute(query).mappings().first()
    return dict(row) if row else None
