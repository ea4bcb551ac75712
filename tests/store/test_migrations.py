"""Migrations are frozen steps: a database made by the first step upgrades to what a fresh
install has, on both backends, and the head matches the tables the code uses."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, insert, inspect, select, text
from sqlalchemy.engine import make_url

from broadsheet.store import migrate
from broadsheet.store.cooccurrence import leading_keys
from broadsheet.store.database import head_revision
from broadsheet.store.schema import (
    article_channels,
    articles,
    channel_pairs,
    channels,
    metadata,
    sources,
)

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)


def describe(engine: Engine) -> dict[str, Any]:
    """Tables with their columns (name, type, nullability), indexes and unique constraints."""
    found: dict[str, Any] = {}
    with engine.connect() as conn:
        schema = inspect(conn)
        for table in sorted(schema.get_table_names()):
            if table.startswith("articles_fts"):
                continue  # FTS5 shadow tables: same virtual table either way
            columns = [
                (c["name"], str(c["type"]), c["nullable"]) for c in schema.get_columns(table)
            ]
            indexes = sorted(
                (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                for i in schema.get_indexes(table)
            )
            uniques = sorted(tuple(u["column_names"]) for u in schema.get_unique_constraints(table))
            found[table] = (columns, indexes, uniques)
    return found


def test_head_matches_the_tables_the_code_uses(engine: Engine) -> None:
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), metadata)
    # The search column (PostgreSQL) and FTS tables (SQLite) are made by raw DDL on purpose.
    real = [d for d in diffs if "search" not in repr(d) and "articles_fts" not in repr(d)]
    assert real == []


def test_upgrade_from_the_first_step_equals_a_fresh_install(engine: Engine, tmp_path: Path) -> None:
    old = _empty_like(engine, tmp_path)
    try:
        _upgrade_and_compare(old, engine)
    finally:
        old.dispose()
        if engine.url.get_backend_name() != "sqlite":
            with engine.begin() as conn:
                conn.execute(text(f"DROP SCHEMA {_schema_of(tmp_path)} CASCADE"))


def _upgrade_and_compare(old: Engine, engine: Engine) -> None:
    assert migrate(old, "0001") == "0001"
    with old.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO sources (name, feed_url, home_url, home_city, about, logo_url, "
                "created_at) VALUES ('Old', 'http://127.0.0.1/feed', '', '', '', '', :now)"
            ),
            {"now": NOW},
        )
    assert migrate(old) == head_revision()
    assert describe(old) == describe(engine)
    with old.connect() as conn:
        row = conn.execute(text("SELECT kind, failures, poll_interval FROM sources")).one()
    assert tuple(row) == ("feed", 0, 1800.0)


def _schema_of(tmp_path: Path) -> str:
    return "m_" + tmp_path.name[-10:].replace("-", "_").lower()


def _empty_like(engine: Engine, tmp_path: Path) -> Engine:
    """A new empty database on the same backend as engine (a fresh PostgreSQL schema)."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        return create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    schema = _schema_of(tmp_path)
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    target = make_url(url.render_as_string(hide_password=False)).update_query_dict(
        {"options": f"-csearch_path={schema}"}
    )
    return create_engine(target)


def test_cooccurrence_is_counted_for_stored_articles_as_the_code_counts_it(
    engine: Engine, tmp_path: Path
) -> None:
    old = _empty_like(engine, tmp_path)
    try:
        assert migrate(old, "0005") == "0005"
        links = _stored_before_0006(old)
        migrate(old)
        with old.connect() as conn:
            counted = {(a, b): n for a, b, n in conn.execute(select(channel_pairs))}
    finally:
        old.dispose()
        if engine.url.get_backend_name() != "sqlite":
            with engine.begin() as conn:
                conn.execute(text(f"DROP SCHEMA {_schema_of(tmp_path)} CASCADE"))
    expected: Counter[tuple[str, str]] = Counter()
    for article_links in links.values():
        keys = leading_keys(article_links)
        expected.update((a, b) for a in keys for b in keys)
    assert counted == dict(expected) and counted[("person:p0", "person:p0")] == 11
    assert ("topic:world", "topic:world") not in counted  # ten people lead every article


def _stored_before_0006(old: Engine) -> dict[int, list[tuple[str, str, float, int]]]:
    """30 articles with 14 links each (more than the counted 10), written as 0005 knew them."""
    links: dict[int, list[tuple[str, str, float, int]]] = {}
    with old.begin() as conn:
        conn.execute(
            insert(sources).values(name="Old", feed_url="http://127.0.0.1/f", created_at=NOW)
        )
        keys = {f"person:p{n}" for n in range(20)} | {f"place:{n}" for n in range(3)}
        keys |= {"other:democrat", "topic:world"}
        conn.execute(insert(channels), [{"key": k, "name": k, "kind": "person"} for k in keys])
        for n in range(30):
            article_id = n + 1
            conn.execute(
                insert(articles).values(
                    id=article_id,
                    url=f"http://127.0.0.1/{n}",
                    canonical_url="",
                    title="",
                    fetched_at=NOW,
                    text="",
                    images=[],
                    section="world",
                    labels=[],
                    hashtags=[],
                )
            )
            mine = [(f"person:p{(n + i) % 20}", "entity", 1.0 - i / 20, i) for i in range(10)]
            mine += [("other:democrat", "entity", 1.0, 10), (f"place:{n % 3}", "place", 0.0, 0)]
            mine += [(f"place:{n % 3}", "local", 0.0, 0), ("topic:world", "topic", 1.0, 0)]
            links[article_id] = mine
            conn.execute(
                insert(article_channels),
                [
                    {
                        "article_id": article_id,
                        "channel_key": k,
                        "role": r,
                        "salience": s,
                        "position": p,
                        "name": k,
                        "kind": "person",
                        "mentions": [],
                    }
                    for k, r, s, p in mine
                ],
            )
    return links
