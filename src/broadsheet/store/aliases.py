"""Entity aliases: which canonical key each stored article's aliases stood for (enrich/aliases.py).

entity_aliases holds one row per article and (alias, canonical key), so reprocessing an article
replaces its own rows; entity_alias_counts keeps their running count per pair, so looking an
alias up reads a handful of rows however many articles used it.
"""

from __future__ import annotations

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from broadsheet.enrich.aliases import alias_pairs
from broadsheet.models import Entity
from broadsheet.store.database import is_postgres
from broadsheet.store.schema import entity_alias_counts, entity_aliases


def save_aliases(conn: Connection, article_id: int, entities: list[Entity]) -> None:
    """Record the aliases the article's entities stand behind, and count them."""
    pairs = alias_pairs(entities)  # sorted: concurrent writers lock the counts in one order
    if not pairs:
        return
    conn.execute(
        insert(entity_aliases),
        [{"alias_key": a, "canonical_key": c, "article_id": article_id} for a, c in pairs],
    )
    dialect_insert = pg_insert if is_postgres(conn) else sqlite_insert
    counted = dialect_insert(entity_alias_counts).on_conflict_do_update(
        index_elements=["alias_key", "canonical_key"],
        set_={"articles": entity_alias_counts.c.articles + 1},
    )
    conn.execute(counted, [{"alias_key": a, "canonical_key": c, "articles": 1} for a, c in pairs])


def drop_aliases(conn: Connection, article_id: int) -> None:
    """Forget an article's aliases (before it is stored again), and uncount them."""
    mine = entity_aliases.c.article_id == article_id
    pairs = conn.execute(
        select(entity_aliases.c.alias_key, entity_aliases.c.canonical_key)
        .where(mine)
        .order_by(entity_aliases.c.alias_key, entity_aliases.c.canonical_key)
    ).all()
    for alias, canonical in pairs:
        conn.execute(
            update(entity_alias_counts)
            .where(
                entity_alias_counts.c.alias_key == alias,
                entity_alias_counts.c.canonical_key == canonical,
            )
            .values(articles=entity_alias_counts.c.articles - 1)
        )
    conn.execute(delete(entity_aliases).where(mine))


def alias_sightings(conn: Connection, keys: list[str]) -> dict[str, dict[str, int]]:
    """Per alias key, how many stored articles used it for each canonical key."""
    if not keys:
        return {}
    query = select(
        entity_alias_counts.c.alias_key,
        entity_alias_counts.c.canonical_key,
        entity_alias_counts.c.articles,
    ).where(entity_alias_counts.c.alias_key.in_(keys), entity_alias_counts.c.articles > 0)
    sightings: dict[str, dict[str, int]] = {}
    for alias, canonical, seen in conn.execute(query):
        sightings.setdefault(alias, {})[canonical] = int(seen)
    return sightings
