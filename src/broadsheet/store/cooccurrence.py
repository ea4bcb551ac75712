"""How often channels are named together across the corpus, counted as articles are stored.

channel_pairs holds, for each pair of channels, the number of stored articles naming both
(and, on the diagonal, the number naming each), over each article's PAIR_KEYS leading
subjects: its people and organisations by salience, then its places, local channels and
topic. An article is counted when it is stored and uncounted before it is stored again, so
"channels seen with this one" reads a few index rows however large the corpus, where a scan
of every article naming a popular channel would grow with it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from broadsheet.store.database import is_postgres
from broadsheet.store.schema import article_channels, channel_pairs, channels

PAIR_KEYS = 10
ROLE_ORDER = {"entity": 0, "place": 1, "local": 2, "topic": 3}
SEEN_WITH = 100  # pairs read per channel, most frequent first


def leading_keys(links: Iterable[tuple[str, str, float, int]]) -> list[str]:
    """The PAIR_KEYS leading subject keys of an article's (key, role, salience, position)
    links; "other:" keys (parties, nationalities) are too common to mean anything."""
    best: dict[str, tuple[int, float, int]] = {}
    for key, role, salience, position in links:
        if key.startswith("other:"):
            continue
        rank = (ROLE_ORDER.get(role, 4), -salience, position)
        best[key] = min(best.get(key, rank), rank)
    return sorted(best, key=lambda key: (*best[key], key))[:PAIR_KEYS]


def count(conn: Connection, keys: list[str]) -> None:
    """Count one article naming these keys (each pair both ways, and each key alone)."""
    rows = [{"key": a, "other_key": b, "articles": 1} for a in sorted(keys) for b in sorted(keys)]
    if not rows:
        return
    dialect_insert = pg_insert if is_postgres(conn) else sqlite_insert
    counted = dialect_insert(channel_pairs).on_conflict_do_update(
        index_elements=["key", "other_key"], set_={"articles": channel_pairs.c.articles + 1}
    )
    conn.execute(counted, rows)  # in key order: concurrent writers lock rows in one order


def uncount_article(conn: Connection, article_id: int) -> None:
    """Take a stored article out of the counts (before its channels are replaced)."""
    links = conn.execute(
        select(
            article_channels.c.channel_key,
            article_channels.c.role,
            article_channels.c.salience,
            article_channels.c.position,
        ).where(article_channels.c.article_id == article_id)
    ).all()
    keys = sorted(leading_keys((k, r, float(s), int(p)) for k, r, s, p in links))
    for a in keys:
        conn.execute(
            update(channel_pairs)
            .where(channel_pairs.c.key == a, channel_pairs.c.other_key.in_(keys))
            .values(articles=channel_pairs.c.articles - 1)
        )


def seen_with(
    conn: Connection, keys: list[str], kinds: Iterable[str] | None = None
) -> list[dict[str, Any]]:
    """Channels (of these kinds) most named with the given ones, best first, by the cosine of
    their article sets (n(a,b) / sqrt(n(a) n(b))) summed over the given keys: a channel
    every article names ("United States") does not drown the ones this subject brings."""
    if not keys:
        return []
    score: dict[str, float] = {}
    alone = _alone(conn, keys)
    pairs: list[tuple[str, str, int]] = []
    for key in keys:
        query = (
            select(channel_pairs.c.other_key, channel_pairs.c.articles)
            .where(channel_pairs.c.key == key, channel_pairs.c.other_key != key)
            .where(channel_pairs.c.articles > 0)
            .order_by(channel_pairs.c.articles.desc(), channel_pairs.c.other_key)
            .limit(SEEN_WITH)
        )
        pairs += [(key, other, int(n)) for other, n in conn.execute(query)]
    alone.update(_alone(conn, sorted({other for _, other, _ in pairs} - set(alone))))
    for key, other, n in pairs:
        score[other] = score.get(other, 0.0) + n / math.sqrt(
            max(1, alone.get(key, n)) * max(1, alone.get(other, n))
        )
    query = select(channels).where(channels.c.key.in_(sorted(score)))
    if kinds is not None:
        query = query.where(channels.c.kind.in_(sorted(set(kinds))))
    rows = conn.execute(query).mappings()
    found = [{**dict(row), "shared": score[row["key"]]} for row in rows]
    return sorted(found, key=lambda row: (-row["shared"], row["key"]))


def _alone(conn: Connection, keys: list[str]) -> dict[str, int]:
    """How many stored articles name each key (the diagonal of the counts)."""
    found: dict[str, int] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        query = select(channel_pairs.c.key, channel_pairs.c.articles).where(
            channel_pairs.c.key.in_(chunk), channel_pairs.c.other_key == channel_pairs.c.key
        )
        found.update((key, int(n)) for key, n in conn.execute(query))
    return found
