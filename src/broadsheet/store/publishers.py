"""Publishers' own side: claims of a publisher's page, its managers, its card's links, the
further feeds it added, corrections on its articles, and its dashboard's counts.

A publisher is a sources row (its "publisher id"); the feeds a manager adds are sources rows
of their own, tied to it in publisher_feeds. Every dashboard count reads an index: articles by
(source_id, published) or (source_id, views), views by article, follows by target.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    delete,
    func,
    insert,
    literal_column,
    select,
    update,
)

from broadsheet.store.channels import channel_name
from broadsheet.store.database import as_utc, is_postgres
from broadsheet.store.schema import (
    article_channels,
    article_corrections,
    article_views,
    articles,
    channels,
    follows,
    ingest_errors,
    publisher_claims,
    publisher_feeds,
    publisher_links,
    publisher_managers,
    sources,
    stories,
    users,
)

# -- claims and managers ----------------------------------------------------------------------


def create_claim(
    conn: Connection, source_id: int, user_id: int, nonce: str, now: datetime, until: datetime
) -> int:
    """A new claim of the publisher by the user, valid until `until`; its id."""
    result = conn.execute(
        insert(publisher_claims).values(
            source_id=source_id, user_id=user_id, nonce=nonce, created_at=now, expires_at=until
        )
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def latest_claim(conn: Connection, source_id: int, user_id: int) -> dict[str, Any] | None:
    """The user's newest claim of the publisher, or None."""
    query = (
        select(publisher_claims)
        .where(publisher_claims.c.user_id == user_id, publisher_claims.c.source_id == source_id)
        .order_by(publisher_claims.c.id.desc())
        .limit(1)
    )
    row = conn.execute(query).mappings().first()
    return _dated(row, "created_at", "expires_at", "verified_at") if row else None


def verify_claim(conn: Connection, claim: dict[str, Any], method: str, now: datetime) -> None:
    """Mark the claim verified and make its user a manager of its publisher."""
    conn.execute(
        update(publisher_claims)
        .where(publisher_claims.c.id == claim["id"])
        .values(verified_at=now, method=method)
    )
    if not is_manager(conn, claim["source_id"], claim["user_id"]):
        conn.execute(
            insert(publisher_managers).values(
                source_id=claim["source_id"],
                user_id=claim["user_id"],
                method=method,
                verified_at=now,
            )
        )


def is_manager(conn: Connection, source_id: int, user_id: int) -> bool:
    """True when the user verified a claim of the publisher."""
    query = select(publisher_managers.c.user_id).where(
        publisher_managers.c.source_id == source_id, publisher_managers.c.user_id == user_id
    )
    return conn.execute(query).first() is not None


def managers(conn: Connection, source_id: int) -> list[dict[str, Any]]:
    """The publisher's managers, first verified first: user_id, name, method, verified_at."""
    query = (
        select(
            publisher_managers.c.user_id,
            users.c.name,
            publisher_managers.c.method,
            publisher_managers.c.verified_at,
        )
        .join(users, users.c.id == publisher_managers.c.user_id)
        .where(publisher_managers.c.source_id == source_id)
        .order_by(publisher_managers.c.verified_at, publisher_managers.c.user_id)
    )
    return [_dated(row, "verified_at") for row in conn.execute(query).mappings()]


def managed_by(conn: Connection, user_id: int) -> list[dict[str, Any]]:
    """The publishers the user manages: id and name."""
    query = (
        select(sources.c.id, sources.c.name)
        .join(publisher_managers, publisher_managers.c.source_id == sources.c.id)
        .where(publisher_managers.c.user_id == user_id)
        .order_by(sources.c.name, sources.c.id)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def find_publishers(conn: Connection, words: str, limit: int = 20) -> list[dict[str, Any]]:
    """Publishers (not added feeds) whose name contains the words: id, name, home_url."""
    escaped = words.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    added = select(publisher_feeds.c.source_id)
    query = (
        select(sources.c.id, sources.c.name, sources.c.home_url)
        .where(func.lower(sources.c.name).like(f"%{escaped}%", escape="\\"))
        .where(sources.c.id.not_in(added))
        .order_by(sources.c.name, sources.c.id)
        .limit(limit)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


# -- the card ---------------------------------------------------------------------------------


def update_card(conn: Connection, source_ids: list[int], card: dict[str, str]) -> None:
    """Set name, logo_url, home_city and about on the publisher and every feed it added."""
    values = {key: card[key] for key in ("name", "logo_url", "home_city", "about")}
    conn.execute(update(sources).where(sources.c.id.in_(source_ids)).values(**values))


def set_links(conn: Connection, source_id: int, links: list[dict[str, str]]) -> None:
    """Replace the card's links (label, url), in order."""
    conn.execute(delete(publisher_links).where(publisher_links.c.source_id == source_id))
    for position, link in enumerate(links):
        conn.execute(
            insert(publisher_links).values(
                source_id=source_id, position=position, label=link["label"], url=link["url"]
            )
        )


def links_of(conn: Connection, source_id: int) -> list[dict[str, str]]:
    """The card's links, in order: label, url."""
    query = (
        select(publisher_links.c.label, publisher_links.c.url)
        .where(publisher_links.c.source_id == source_id)
        .order_by(publisher_links.c.position)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


# -- feeds ------------------------------------------------------------------------------------


def feed_ids(conn: Connection, publisher_id: int) -> list[int]:
    """The publisher's own source id, then the feeds it added, oldest first."""
    query = (
        select(publisher_feeds.c.source_id)
        .where(publisher_feeds.c.publisher_id == publisher_id)
        .order_by(publisher_feeds.c.source_id)
    )
    return [publisher_id, *(int(i) for (i,) in conn.execute(query))]


def publisher_of_feed(conn: Connection, source_id: int) -> int | None:
    """The publisher that added this feed, or None (a publisher's own row, or no one's)."""
    query = select(publisher_feeds.c.publisher_id).where(publisher_feeds.c.source_id == source_id)
    found = conn.execute(query).scalar()
    return int(found) if found is not None else None


def source_for_feed_url(conn: Connection, feed_url: str) -> int | None:
    """The id of the source read from this feed URL, or None."""
    found = conn.execute(select(sources.c.id).where(sources.c.feed_url == feed_url)).scalar()
    return int(found) if found is not None else None


def add_feed(
    conn: Connection, publisher_id: int, source_id: int, user_id: int, now: datetime
) -> None:
    """Tie a registered source to the publisher as one more of its feeds."""
    conn.execute(
        insert(publisher_feeds).values(
            source_id=source_id, publisher_id=publisher_id, added_by=user_id, created_at=now
        )
    )


def pause_feed(conn: Connection, source_id: int, now: datetime) -> None:
    """Stop polling the source until it is resumed."""
    conn.execute(update(sources).where(sources.c.id == source_id).values(paused_at=now))


def feed_rows(conn: Connection, ids: list[int]) -> list[dict[str, Any]]:
    """The feeds' addresses and polling state, in the order of ids."""
    query = select(
        sources.c.id,
        sources.c.feed_url,
        sources.c.kind,
        sources.c.paused_at,
        sources.c.last_fetched_at,
        sources.c.last_success_at,
        sources.c.last_error,
        sources.c.failures,
    ).where(sources.c.id.in_(ids))
    rows = {
        row["id"]: _dated(row, "paused_at", "last_fetched_at", "last_success_at")
        for row in conn.execute(query).mappings()
    }
    return [rows[i] for i in ids if i in rows]


# -- corrections ------------------------------------------------------------------------------


def add_correction(
    conn: Connection, article_id: int, user_id: int, text: str, now: datetime
) -> int:
    """Record a correction on the article; its id."""
    result = conn.execute(
        insert(article_corrections).values(
            article_id=article_id, user_id=user_id, text=text, created_at=now
        )
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


def corrections_of(conn: Connection, article_id: int) -> list[dict[str, Any]]:
    """The article's corrections, oldest first: id, text, created_at."""
    query = (
        select(
            article_corrections.c.id, article_corrections.c.text, article_corrections.c.created_at
        )
        .where(article_corrections.c.article_id == article_id)
        .order_by(article_corrections.c.id)
    )
    return [_dated(row, "created_at") for row in conn.execute(query).mappings()]


# -- the dashboard ----------------------------------------------------------------------------


def _day(conn: Connection, column: Any) -> ColumnElement[Any]:
    """The UTC calendar day of a timestamp column (SQLite keeps UTC wall-clock text)."""
    if is_postgres(conn):
        # A literal, not a bound parameter: GROUP BY must repeat the SELECT's expression.
        return func.date(func.timezone(literal_column("'UTC'"), column))
    return func.date(column)


def _by_day(rows: Iterable[Any]) -> dict[str, int]:
    """{"YYYY-MM-DD": count} from (day, count) rows of either backend."""
    found: dict[str, int] = {}
    for day, count in rows:
        key = day.isoformat() if isinstance(day, date) else str(day)[:10]
        found[key] = found.get(key, 0) + int(count)
    return found


def posts_by_day(conn: Connection, ids: list[int], since: datetime) -> dict[str, int]:
    """Articles published per UTC day since the moment."""
    day = _day(conn, articles.c.published)
    query = (
        select(day, func.count())
        .where(articles.c.source_id.in_(ids), articles.c.published >= since)
        .group_by(day)
    )
    return _by_day(conn.execute(query))


def views_by_day(conn: Connection, ids: list[int], since: datetime) -> dict[str, int]:
    """First reads of the publisher's articles per UTC day since the moment."""
    day = _day(conn, article_views.c.viewed_at)
    query = (
        select(day, func.count())
        .select_from(article_views.join(articles, articles.c.id == article_views.c.article_id))
        .where(articles.c.source_id.in_(ids), article_views.c.viewed_at >= since)
        .group_by(day)
    )
    return _by_day(conn.execute(query))


def follows_by_day(conn: Connection, ids: list[int], since: datetime) -> tuple[int, dict[str, int]]:
    """Current followers who followed before the moment, and those who followed each day since."""
    targets = [f"source:{i}" for i in ids]
    before = conn.execute(
        select(func.count()).where(follows.c.target.in_(targets), follows.c.created_at < since)
    ).scalar_one()
    day = _day(conn, follows.c.created_at)
    query = (
        select(day, func.count())
        .where(follows.c.target.in_(targets), follows.c.created_at >= since)
        .group_by(day)
    )
    return int(before), _by_day(conn.execute(query))


def top_articles(conn: Connection, ids: list[int], limit: int = 10) -> list[dict[str, Any]]:
    """The most-read articles of these feeds (each feed's from the end of its views index)."""
    found: list[dict[str, Any]] = []
    for source_id in ids:
        query = (
            select(articles.c.id, articles.c.title, articles.c.published, articles.c.views)
            .where(articles.c.source_id == source_id)
            .order_by(articles.c.views.desc(), articles.c.id.desc())
            .limit(limit)
        )
        found += [_dated(row, "published") for row in conn.execute(query).mappings()]
    found.sort(key=lambda row: (-row["views"], -row["id"]))
    return found[:limit]


def latest_articles(conn: Connection, ids: list[int], limit: int) -> list[dict[str, Any]]:
    """The newest articles of these feeds: id, title, published, story_id."""
    found: list[dict[str, Any]] = []
    published = articles.c.published.desc()
    if is_postgres(conn):
        published = published.nulls_last()  # SQLite sorts NULL lowest already
    for source_id in ids:
        query = (
            select(articles.c.id, articles.c.title, articles.c.published, articles.c.story_id)
            .where(articles.c.source_id == source_id)
            .order_by(published, articles.c.id.desc())
            .limit(limit)
        )
        found += [_dated(row, "published") for row in conn.execute(query).mappings()]
    found.sort(key=lambda row: (row["published"] is not None, row["published"], row["id"]))
    return found[::-1][:limit]


def channel_counts(
    conn: Connection, ids: list[int], since: datetime, limit: int
) -> list[dict[str, Any]]:
    """The channels these feeds' articles published since the moment are filed under most
    (key, name, kind, articles): every article of the window counted, from the
    (source_id, published) index."""
    counted = func.count(func.distinct(article_channels.c.article_id))
    query = (
        select(
            channels.c.key,
            channels.c.name,
            channels.c.kind,
            channels.c.country,
            channels.c.admin1,
            counted.label("articles"),
        )
        .select_from(
            article_channels.join(articles, articles.c.id == article_channels.c.article_id).join(
                channels, channels.c.key == article_channels.c.channel_key
            )
        )
        .where(articles.c.source_id.in_(ids), articles.c.published >= since)
        .group_by(
            channels.c.key, channels.c.name, channels.c.kind, channels.c.country, channels.c.admin1
        )
        .order_by(counted.desc(), channels.c.key)
        .limit(limit)
    )
    return [
        {
            "key": row["key"],
            "name": channel_name(dict(row)),
            "kind": row["kind"],
            "articles": int(row["articles"]),
        }
        for row in conn.execute(query).mappings()
    ]


def story_counts(
    conn: Connection, ids: list[int], since: datetime, limit: int
) -> list[dict[str, Any]]:
    """The stories these feeds' articles published since the moment are in most (id, title,
    articles), every article of the window counted."""
    counted = func.count()
    query = (
        select(articles.c.story_id, stories.c.title, counted.label("articles"))
        .join(stories, stories.c.id == articles.c.story_id)
        .where(articles.c.source_id.in_(ids), articles.c.published >= since)
        .group_by(articles.c.story_id, stories.c.title)
        .order_by(counted.desc(), articles.c.story_id)
        .limit(limit)
    )
    return [
        {"id": int(row.story_id), "title": row.title, "articles": int(row.articles)}
        for row in conn.execute(query)
    ]


def feed_errors(conn: Connection, ids: list[int], limit: int = 20) -> list[dict[str, Any]]:
    """The latest ingest errors of these feeds, newest first."""
    query = (
        select(
            ingest_errors.c.source_id,
            ingest_errors.c.url,
            ingest_errors.c.stage,
            ingest_errors.c.message,
            ingest_errors.c.created_at,
        )
        .where(ingest_errors.c.source_id.in_(ids))
        .order_by(ingest_errors.c.id.desc())
        .limit(limit)
    )
    return [_dated(row, "created_at") for row in conn.execute(query).mappings()]


def _dated(row: Any, *names: str) -> dict[str, Any]:
    found = dict(row)
    for name in names:
        found[name] = as_utc(found[name])
    return found
