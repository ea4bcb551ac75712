"""Articles and the channels they mention: one transaction per article."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import Connection, delete, func, insert, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from broadsheet.enrich.taxonomy import section_name
from broadsheet.models import Article, ArticleSummary, to_jsonable
from broadsheet.store import cooccurrence
from broadsheet.store.aliases import drop_aliases, save_aliases
from broadsheet.store.cooccurrence import leading_keys
from broadsheet.store.database import StoreError, as_utc, is_postgres
from broadsheet.store.schema import (
    article_bands,
    article_channels,
    article_revisions,
    article_views,
    articles,
    channels,
    stories,
)
from broadsheet.stories.minhash import text_bands

CHANNEL_POSTING_READ = 4  # a channel page reads 4x its cards from the channel's posting

CARD_COLUMNS = (
    articles.c.id,
    articles.c.source_id,
    articles.c.title,
    articles.c.description,
    articles.c.text,
    articles.c.section,
    articles.c.labels,
    articles.c.images,
    articles.c.published,
)


def article_id_for_url(conn: Connection, *urls: str) -> int | None:
    """The id of the article stored for any of these URLs (as URL or canonical URL), if any."""
    wanted = [url for url in dict.fromkeys(urls) if url]
    if not wanted:
        return None
    query = select(articles.c.id).where(
        articles.c.url.in_(wanted) | articles.c.canonical_url.in_(wanted)
    )
    found = conn.execute(query.order_by(articles.c.id).limit(1)).scalar()
    return int(found) if found is not None else None


def save_article(conn: Connection, article: Article) -> int:
    """Insert the article and its channels; an article already stored keeps its id."""
    draft = article.draft
    existing = article_id_for_url(conn, draft.url, draft.canonical_url)
    if existing is not None:
        return existing
    row = {
        "source_id": article.source_id,
        "url": draft.url,
        "canonical_url": (draft.canonical_url or draft.url)[:2000],
        **article_values(article),
    }
    try:
        with conn.begin_nested():
            article_id = int(conn.execute(insert(articles).values(**row)).inserted_primary_key[0])  # type: ignore[index]
    except IntegrityError as exc:
        again = article_id_for_url(conn, draft.url)
        if again is None:
            raise StoreError(f"store: unable to save article {draft.url}: {exc}") from exc
        return again
    _save_channels(conn, article_id, article)
    _save_bands(conn, article_id, draft.text)
    return article_id


def article_values(article: Article) -> dict[str, Any]:
    """The article's columns that analysis produces, each bounded to its column."""
    draft, enrichment = article.draft, article.enrichment
    embedding = np.asarray(enrichment.embedding, dtype=np.float32).tobytes()
    return {
        "title": draft.title[:1000],
        "byline": draft.byline[:500],
        "published": draft.published,
        "fetched_at": article.fetched_at,
        "language": draft.language,
        "description": draft.description,
        "text": draft.text,
        "images": to_jsonable(draft.images),
        "section": enrichment.section,
        "labels": enrichment.labels,
        "hashtags": enrichment.hashtags,
        "wire_source": enrichment.wire_source,
        "embedding": embedding if enrichment.embedding else None,
        "copy_of": article.copy_of,
        "story_id": article.story_id,
        "updated": draft.updated,
        "paywalled": draft.paywalled,
    }


def update_article(conn: Connection, article_id: int, article: Article) -> None:
    """Replace a stored article's analysis (after re-extraction or a model upgrade)."""
    values = article_values(article)
    if values["fetched_at"] is None:
        del values["fetched_at"]  # reprocessing reads the kept page: nothing was fetched
    conn.execute(update(articles).where(articles.c.id == article_id).values(**values))
    cooccurrence.uncount_article(conn, article_id)
    conn.execute(delete(article_channels).where(article_channels.c.article_id == article_id))
    conn.execute(delete(article_bands).where(article_bands.c.article_id == article_id))
    drop_aliases(conn, article_id)
    _save_channels(conn, article_id, article)
    _save_bands(conn, article_id, article.draft.text)


def _save_bands(conn: Connection, article_id: int, text: str) -> None:
    bands = text_bands(text)
    if bands:
        conn.execute(
            insert(article_bands), [{"band": band, "article_id": article_id} for band in bands]
        )


def copy_candidates(conn: Connection, text: str) -> list[int]:
    """Ids of stored articles sharing an LSH band with the text: its possible wire originals."""
    bands = text_bands(text)
    if not bands:
        return []
    query = select(article_bands.c.article_id).where(article_bands.c.band.in_(bands)).distinct()
    return sorted(int(i) for (i,) in conn.execute(query))


def _save_channels(conn: Connection, article_id: int, article: Article) -> None:
    enrichment = article.enrichment
    rows: list[dict[str, Any]] = []
    channel_rows: dict[str, dict[str, Any]] = {}
    for position, entity in enumerate(enrichment.entities):
        channel_rows.setdefault(
            entity.key, {"key": entity.key, "name": entity.name, "kind": entity.kind}
        )
        rows.append(
            _link(
                article_id,
                entity.key,
                "entity",
                position,
                entity.salience,
                entity.name,
                entity.kind,
                to_jsonable(entity.mentions),
            )
        )
    for position, place in enumerate(enrichment.places):
        channel_rows[place.key] = {
            "key": place.key,
            "name": place.name,
            "kind": place.kind,
            "geonameid": place.geonameid,
            "lat": place.lat,
            "lon": place.lon,
            "country": place.country,
            "admin1": place.admin1,
        }
        rows.append(
            _link(
                article_id,
                place.key,
                "place",
                position,
                0.0,
                place.name,
                place.kind,
                to_jsonable(place.mentions),
            )
        )
    for position, local in enumerate(enrichment.local_channels):
        channel_rows.setdefault(
            local.key,
            {
                "key": local.key,
                "name": local.name,
                "kind": local.kind,
                "geonameid": local.geonameid,
            },
        )
        rows.append(
            _link(article_id, local.key, "local", position, 0.0, local.name, local.kind, [])
        )
    topic, name = f"topic:{enrichment.section}", section_name(enrichment.section)
    channel_rows.setdefault(topic, {"key": topic, "name": name, "kind": "topic"})
    rows.append(_link(article_id, topic, "topic", 0, 1.0, name, "topic", []))
    _upsert_channels(conn, list(channel_rows.values()))
    conn.execute(insert(article_channels), rows)
    save_aliases(conn, article_id, enrichment.entities)
    links = [(r["channel_key"], r["role"], float(r["salience"]), int(r["position"])) for r in rows]
    cooccurrence.count(conn, leading_keys(links))


def _link(
    article_id: int,
    key: str,
    role: str,
    position: int,
    salience: float,
    name: str,
    kind: str,
    mentions: list[Any],
) -> dict[str, Any]:
    return {
        "article_id": article_id,
        "channel_key": key,
        "role": role,
        "position": position,
        "salience": salience,
        "name": name[:300],
        "kind": kind,
        "mentions": mentions,
    }


def _upsert_channels(conn: Connection, rows: list[dict[str, Any]]) -> None:
    columns = ("key", "name", "kind", "geonameid", "lat", "lon", "country", "admin1")
    full = [{c: row.get(c) for c in columns} for row in rows]
    for row in full:
        row["name"] = str(row["name"])[:300]
    dialect_insert = pg_insert if is_postgres(conn) else sqlite_insert
    conn.execute(dialect_insert(channels).on_conflict_do_nothing(index_elements=["key"]), full)


def get_article(conn: Connection, article_id: int) -> dict[str, Any] | None:
    """The stored article row as a dict (published as aware UTC), or None."""
    row = conn.execute(select(articles).where(articles.c.id == article_id)).mappings().first()
    if row is None:
        return None
    found = dict(row)
    found["published"] = as_utc(found["published"])
    found["fetched_at"] = as_utc(found["fetched_at"])
    found["updated"] = as_utc(found["updated"])
    return found


def links_for(conn: Connection, article_id: int) -> list[dict[str, Any]]:
    """The article's channel links (entity, place, local, topic), in stored order."""
    query = (
        select(
            article_channels,
            channels.c.geonameid,
            channels.c.lat,
            channels.c.lon,
            channels.c.country,
            channels.c.admin1,
        )
        .join(channels, channels.c.key == article_channels.c.channel_key)
        .where(article_channels.c.article_id == article_id)
        .order_by(article_channels.c.role, article_channels.c.position)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def newest_first(conn: Connection) -> tuple[Any, Any]:
    """ORDER BY newest published first, undated last, in a form the (…, published) indexes
    serve: SQLite sorts NULL lowest, so a plain DESC puts them last and reads the index
    backwards, where an explicit NULLS LAST makes it sort every row."""
    published = articles.c.published.desc()
    if conn.dialect.name == "postgresql":
        published = published.nulls_last()
    return published, articles.c.id.desc()


def card_rows(
    conn: Connection,
    *,
    section: str | None = None,
    source_id: int | None = None,
    channel_key: str | None = None,
    ids: Iterable[int] | None = None,
    limit: int = 30,
    originals_only: bool = False,
) -> list[dict[str, Any]]:
    """Article rows for cards, newest first, filtered by section, source, channel or ids."""
    query = select(*CARD_COLUMNS)
    if section is not None:
        query = query.where(articles.c.section == section)
    if source_id is not None:
        query = query.where(articles.c.source_id == source_id)
    if channel_key is not None:
        # The newest stored under the channel, from its posting (the (channel_key,
        # article_id) index), then ordered by publication: never every article it names.
        linked = (
            select(article_channels.c.article_id)
            .where(article_channels.c.channel_key == channel_key)
            .order_by(article_channels.c.article_id.desc())
            .limit(limit * CHANNEL_POSTING_READ)
        )
        query = query.where(articles.c.id.in_([int(i) for (i,) in conn.execute(linked)]))
    if ids is not None:
        query = query.where(articles.c.id.in_(list(ids)))
    if originals_only:
        # As an expression, not "copy_of IS NULL": SQLite without statistics would take
        # ix_articles_copy_of for that (nearly every row) and sort them all for the newest.
        query = query.where(func.coalesce(articles.c.copy_of, 0) == 0)
    query = query.order_by(*newest_first(conn)).limit(limit)
    rows = [dict(row) for row in conn.execute(query).mappings()]
    for row in rows:
        row["published"] = as_utc(row["published"])
    return rows


def summaries_for(
    conn: Connection, ids: Iterable[int], with_text: bool = True
) -> list[ArticleSummary]:
    """The stories stage's view of the given articles (text left out unless with_text)."""
    found: list[ArticleSummary] = []
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), 500):
        found.extend(_summaries(conn, wanted[start : start + 500], with_text))
    return found


def _summaries(conn: Connection, ids: list[int], with_text: bool) -> list[ArticleSummary]:
    text_column = articles.c.text if with_text else literal("").label("text")
    query = select(
        articles.c.id,
        articles.c.source_id,
        articles.c.title,
        text_column,
        articles.c.published,
        articles.c.wire_source,
        articles.c.embedding,
        articles.c.copy_of,
        articles.c.story_id,
        articles.c.section,
    ).where(articles.c.id.in_(ids))
    rows = list(conn.execute(query).mappings())
    keys = _channel_keys(conn, [row["id"] for row in rows])
    return [
        ArticleSummary(
            id=row["id"],
            source_id=row["source_id"],
            title=row["title"],
            text=row["text"],
            published=as_utc(row["published"]),
            wire_source=row["wire_source"],
            embedding=np.frombuffer(row["embedding"], dtype=np.float32)
            if row["embedding"]
            else None,
            copy_of=row["copy_of"],
            story_id=row["story_id"],
            channel_keys=frozenset(keys.get(row["id"], ())),
            section=row["section"],
        )
        for row in rows
    ]


def _channel_keys(conn: Connection, ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        query = select(article_channels.c.article_id, article_channels.c.channel_key).where(
            article_channels.c.article_id.in_(chunk), article_channels.c.role != "topic"
        )
        for article_id, key in conn.execute(query):
            found.setdefault(article_id, []).append(key)
    return found


def copies_of(conn: Connection, article_id: int) -> list[dict[str, Any]]:
    """Articles stored as copies of this one."""
    query = select(articles.c.id, articles.c.source_id).where(articles.c.copy_of == article_id)
    return [dict(row) for row in conn.execute(query.order_by(articles.c.id)).mappings()]


def record_view(conn: Connection, article_id: int, reader: str, now: datetime) -> bool:
    """Count the reader's first read of the article (True); a second read counts nothing."""
    try:
        with conn.begin_nested():
            conn.execute(
                insert(article_views).values(article_id=article_id, reader=reader, viewed_at=now)
            )
    except IntegrityError:
        return False  # read before (or no such article)
    conn.execute(
        update(articles).where(articles.c.id == article_id).values(views=articles.c.views + 1)
    )
    return True


def create_story(conn: Connection, title: str, now: datetime) -> int:
    """A new story cluster, named after its first article."""
    result = conn.execute(
        insert(stories).values(title=title[:1000], created_at=now, updated_at=now)
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def story_info(conn: Connection, story_id: int) -> dict[str, Any] | None:
    """{id, title, size} of a story cluster."""
    row = conn.execute(
        select(stories.c.id, stories.c.title).where(stories.c.id == story_id)
    ).first()
    if row is None:
        return None
    size = conn.execute(
        select(func.count()).select_from(articles).where(articles.c.story_id == story_id)
    ).scalar_one()
    return {"id": row.id, "title": row.title, "size": int(size)}


def count_articles(conn: Connection) -> int:
    """How many articles are stored."""
    return int(conn.execute(select(func.count()).select_from(articles)).scalar_one())


def all_article_ids(conn: Connection) -> list[int]:
    """Every article id, oldest first."""
    return [int(i) for (i,) in conn.execute(select(articles.c.id).order_by(articles.c.id))]


def revise_article(conn: Connection, article_id: int, article: Article, now: datetime) -> bool:
    """Store a new version of an article, keeping the old one; False when nothing changed."""
    old = get_article(conn, article_id)
    if old is None:
        raise StoreError(f"store: unable to revise article #{article_id}: it does not exist")
    draft = article.draft
    if old["title"] == draft.title[:1000] and old["text"] == draft.text:
        return False
    conn.execute(
        insert(article_revisions).values(
            article_id=article_id,
            title=old["title"],
            byline=old["byline"],
            text=old["text"],
            published=old["published"],
            updated=as_utc(old["updated"]),
            fetched_at=old["fetched_at"],
            replaced_at=now,
        )
    )
    article.copy_of, article.story_id = old["copy_of"], old["story_id"]
    draft.updated = draft.updated or now
    update_article(conn, article_id, article)
    return True


def revisions_of(conn: Connection, article_id: int) -> list[dict[str, Any]]:
    """The earlier versions of an article, oldest first."""
    query = (
        select(article_revisions)
        .where(article_revisions.c.article_id == article_id)
        .order_by(article_revisions.c.id)
    )
    rows = [dict(row) for row in conn.execute(query).mappings()]
    for row in rows:
        for name in ("published", "updated", "fetched_at", "replaced_at"):
            row[name] = as_utc(row[name])
    return rows


def count_revisions(conn: Connection, article_id: int) -> int:
    """How many earlier versions of the article are kept."""
    query = select(func.count()).where(article_revisions.c.article_id == article_id)
    return int(conn.execute(query).scalar_one())
