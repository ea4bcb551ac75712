"""Migrations are frozen steps: a database made by the first step upgrades to what a fresh
install has, on both backends, and the head matches the tables the code uses."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url

from broadsheet.store import migrate
from broadsheet.store.database import head_revision
from broadsheet.store.schema import metadata

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
