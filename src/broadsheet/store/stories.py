"""Reading a story cluster: its articles, copy groups, publishers and subjects, by index."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    func,
    or_,
    select,
)

from broadsheet.store.database import as_utc
from broadsheet.store.schema import article_channels, articles, channels, sources, stories

Subject = Literal["people", "places"]
# What counts as a story's people and places among its articles' channel links: a place
# may be linked twice by one article (as an entity and as a resolved place), and each
# article counts once.
SUBJECT_LINKS: dict[str, ColumnElement[bool]] = {
    "people": and_(article_channels.c.role == "entity", article_channels.c.kind == "person"),
    "places": or_(
        article_channels.c.role == "place",
        and_(
            article_channels.c.role == "entity",
            article_channels.c.kind.in_(("place", "country")),
        ),
    ),
}

_head = articles.alias("head")


def get_story(conn: Connection, story_id: int) -> dict[str, Any] | None:
    """The story row (id, title, created_at, updated_at), or None."""
    row = conn.execute(select(stories).where(stories.c.id == story_id)).mappings().first()
    if row is None:
        return None
    found = dict(row)
    found["created_at"] = as_utc(found["created_at"])
    found["updated_at"] = as_utc(found["updated_at"])
    return found


def story_totals(conn: Connection, story_id: int) -> dict[str, Any]:
    """Articles, originals, distinct publishers and the first and last publication time."""
    query = select(
        func.count().label("articles"),
        func.count(articles.c.copy_of).label("copies"),
        func.count(func.distinct(articles.c.source_id)).label("publishers"),
        func.min(articles.c.published).label("first_published"),
        func.max(articles.c.published).label("last_published"),
    ).where(articles.c.story_id == story_id)
    row = conn.execute(query).mappings().one()
    return {
        "articles": int(row["articles"]),
        "copies": int(row["copies"]),
        "originals": int(row["articles"]) - int(row["copies"]),
        "publishers": int(row["publishers"]),
        "first_published": as_utc(row["first_published"]),
        "last_published": as_utc(row["last_published"]),
    }


def timeline_rows(
    conn: Connection, story_id: int, *, limit: int, offset: int = 0
) -> list[dict[str, Any]]:
    """One page of the story's articles, oldest first (undated ones last), with publishers."""
    query = (
        _with_publisher(articles.c.copy_of, articles.c.wire_source)
        .where(articles.c.story_id == story_id)
        .order_by(articles.c.published.asc().nulls_last(), articles.c.id)
        .limit(limit)
        .offset(offset)
    )
    return _dated(conn.execute(query).mappings())


def _group_members(story_id: int) -> Any:
    """The story's articles counted per copy group: the original's id, and how many."""
    root = func.coalesce(articles.c.copy_of, articles.c.id)
    query = select(root.label("root"), func.count().label("members"))
    return query.where(articles.c.story_id == story_id).group_by(root).subquery("members")


def count_copy_groups(conn: Connection, story_id: int) -> int:
    """How many originals the story's articles are (each copy counts with its original)."""
    members = _group_members(story_id)
    return int(conn.execute(select(func.count()).select_from(members)).scalar_one())


def copy_group_rows(
    conn: Connection, story_id: int, *, limit: int, offset: int = 0
) -> list[dict[str, Any]]:
    """The originals of the story's articles, earliest first, each with its members' count.

    An original the clustering put in another story still heads its copies' group
    (story_id tells)."""
    members = _group_members(story_id)
    query = (
        select(
            _head.c.id,
            _head.c.title,
            _head.c.published,
            _head.c.source_id,
            _head.c.wire_source,
            _head.c.story_id,
            sources.c.name.label("publisher_name"),
            members.c.members,
        )
        .select_from(members)
        .join(_head, _head.c.id == members.c.root)
        .outerjoin(sources, sources.c.id == _head.c.source_id)
        .order_by(_head.c.published.asc().nulls_last(), _head.c.id)
        .limit(limit)
        .offset(offset)
    )
    return _dated(conn.execute(query).mappings())


def group_outlets(
    conn: Connection, story_id: int, roots: Iterable[int], per_group: int
) -> dict[int, dict[str, Any]]:
    """Per original: the other publishers whose copies are in the story, earliest first.

    Each original maps to {"count": distinct publishers, "outlets": the first per_group of
    them as {source_id, publisher_name, article_id, copies}}; the original's own publisher
    is not counted."""
    wanted = sorted(set(roots))
    if not wanted:
        return {}
    per_outlet = (
        select(
            articles.c.copy_of.label("root"),
            articles.c.source_id,
            func.min(articles.c.id).label("article_id"),
            func.min(articles.c.published).label("first_published"),
            func.count().label("copies"),
        )
        .join(_head, _head.c.id == articles.c.copy_of)
        .where(
            articles.c.story_id == story_id,
            articles.c.copy_of.in_(wanted),
            articles.c.source_id.is_not(None),
            or_(_head.c.source_id.is_(None), articles.c.source_id != _head.c.source_id),
        )
        .group_by(articles.c.copy_of, articles.c.source_id)
        .subquery("per_outlet")
    )
    ranked = select(
        per_outlet,
        func.row_number()
        .over(
            partition_by=per_outlet.c.root,
            order_by=(per_outlet.c.first_published.asc().nulls_last(), per_outlet.c.source_id),
        )
        .label("rank"),
        func.count().over(partition_by=per_outlet.c.root).label("outlets"),
    ).subquery("ranked")
    query = (
        select(ranked, sources.c.name.label("publisher_name"))
        .join(sources, sources.c.id == ranked.c.source_id)
        .where(ranked.c.rank <= per_group)
        .order_by(ranked.c.root, ranked.c.rank)
    )
    found: dict[int, dict[str, Any]] = {}
    for row in conn.execute(query).mappings():
        group = found.setdefault(row["root"], {"count": int(row["outlets"]), "outlets": []})
        group["outlets"].append(
            {
                "source_id": row["source_id"],
                "publisher_name": row["publisher_name"],
                "article_id": row["article_id"],
                "copies": int(row["copies"]),
            }
        )
    return found


def _story_sources(story_id: int) -> Any:
    """The story's publishers, with how many of its articles each carried."""
    query = select(articles.c.source_id, func.count().label("articles"))
    query = query.where(articles.c.story_id == story_id, articles.c.source_id.is_not(None))
    return query.group_by(articles.c.source_id).subquery("story_sources")


def story_publishers(conn: Connection, story_id: int, limit: int) -> list[dict[str, Any]]:
    """The story's publishers with their home places, those with most articles first."""
    counted = _story_sources(story_id)
    query = (
        select(sources.c.id, sources.c.name, sources.c.home_city, counted.c.articles)
        .join(counted, counted.c.source_id == sources.c.id)
        .order_by(counted.c.articles.desc(), sources.c.name, sources.c.id)
        .limit(limit)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def story_homes(
    conn: Connection, story_id: int, limit: int
) -> tuple[list[dict[str, Any]], int, int]:
    """The home places of the story's publishers as {home, publishers}, most publishers first;
    how many places there are; and how many publishers have no home place set."""
    counted = _story_sources(story_id)
    home = sources.c.home_city
    grouped = (
        select(home.label("home"), func.count().label("publishers"))
        .join(counted, counted.c.source_id == sources.c.id)
        .group_by(home)
    )
    named = grouped.where(home != "")
    query = named.order_by(func.count().desc(), home).limit(limit)
    rows = [dict(row) for row in conn.execute(query).mappings()]
    total = conn.execute(select(func.count()).select_from(named.subquery())).scalar_one()
    homeless = (
        select(func.count()).select_from(counted).join(sources, sources.c.id == counted.c.source_id)
    )
    return rows, int(total), int(conn.execute(homeless.where(home == "")).scalar_one())


def story_channels(
    conn: Connection, story_id: int, subject: Subject, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """The story's people or places, in most of its articles first, as {key, name, kind,
    country, admin1, articles}; and how many there are in all."""
    in_story = select(articles.c.id).where(articles.c.story_id == story_id)
    counted = _channel_counts(in_story, SUBJECT_LINKS[subject]).subquery("counted")
    query = (
        select(
            channels.c.key,
            channels.c.name,
            channels.c.kind,
            channels.c.country,
            channels.c.admin1,
            counted.c.articles,
        )
        .join(counted, counted.c.channel_key == channels.c.key)
        .order_by(counted.c.articles.desc(), channels.c.name, channels.c.key)
        .limit(limit)
    )
    rows = [dict(row) for row in conn.execute(query).mappings()]
    total = conn.execute(select(func.count()).select_from(counted)).scalar_one()
    return rows, int(total)


def _channel_counts(in_story: Select[Any], links: ColumnElement[bool]) -> Select[Any]:
    counted = func.count(func.distinct(article_channels.c.article_id))
    return (
        select(article_channels.c.channel_key, counted.label("articles"))
        .where(article_channels.c.article_id.in_(in_story), links)
        .group_by(article_channels.c.channel_key)
    )


def _with_publisher(*extra: Any) -> Select[Any]:
    """Articles' id, title, published, source_id (and `extra` columns), with publisher_name."""
    return select(
        articles.c.id,
        articles.c.title,
        articles.c.published,
        articles.c.source_id,
        *extra,
        sources.c.name.label("publisher_name"),
    ).outerjoin(sources, sources.c.id == articles.c.source_id)


def article_ref(conn: Connection, article_id: int) -> dict[str, Any] | None:
    """An article's id, title, published time and publisher (id and name), or None."""
    query = _with_publisher().where(articles.c.id == article_id)
    rows = _dated(conn.execute(query).mappings())
    return rows[0] if rows else None


def copy_carriers(
    conn: Connection, original_id: int, exclude_sources: Iterable[int | None], limit: int
) -> tuple[list[dict[str, Any]], int]:
    """Publishers of copies of an original, earliest first, each as {source_id,
    publisher_name, article_id, copies}; and how many publishers there are in all."""
    excluded = sorted({s for s in exclude_sources if s is not None})
    where = [articles.c.copy_of == original_id, articles.c.source_id.is_not(None)]
    if excluded:
        where.append(articles.c.source_id.not_in(excluded))
    query = (
        select(
            articles.c.source_id,
            sources.c.name.label("publisher_name"),
            func.min(articles.c.id).label("article_id"),
            func.count().label("copies"),
        )
        .join(sources, sources.c.id == articles.c.source_id)
        .where(*where)
        .group_by(articles.c.source_id, sources.c.name)
        .order_by(func.min(articles.c.published).asc().nulls_last(), articles.c.source_id)
        .limit(limit)
    )
    rows = [dict(row) for row in conn.execute(query).mappings()]
    total = conn.execute(
        select(func.count(func.distinct(articles.c.source_id))).where(*where)
    ).scalar_one()
    return rows, int(total)


def _dated(rows: Iterable[Any]) -> list[dict[str, Any]]:
    found = [dict(row) for row in rows]
    for row in found:
        row["published"] = as_utc(row["published"])
    return found
