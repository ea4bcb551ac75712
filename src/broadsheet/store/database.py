"""Opening the database (SQLite or PostgreSQL) and bringing its schema up to date."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, insert, select, text
from sqlalchemy.engine import make_url

from broadsheet.store import schema


class StoreError(Exception):
    """A database problem, with the store operation that met it."""


def open_database(url: str) -> Engine:
    """An engine for the URL, with the schema migrated to the latest version."""
    engine = _create_engine(url)
    migrate(engine)
    return engine


def _create_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _configure_sqlite)
        return engine
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed, pool_pre_ping=True)
    raise StoreError(f"store: unsupported database URL {url!r}: use sqlite:/// or postgresql://")


def _configure_sqlite(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def is_postgres(conn: Connection) -> bool:
    """True on PostgreSQL, False on SQLite."""
    return conn.dialect.name == "postgresql"


def _create_baseline(conn: Connection) -> None:
    schema.metadata.create_all(conn)
    if is_postgres(conn):
        conn.execute(
            text(
                "ALTER TABLE articles ADD COLUMN search tsvector GENERATED ALWAYS AS ("
                "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
                "setweight(to_tsvector('english', coalesce(text, '')), 'B')) STORED"
            )
        )
        conn.execute(text("CREATE INDEX ix_articles_search ON articles USING GIN (search)"))
        return
    conn.execute(
        text(
            "CREATE VIRTUAL TABLE articles_fts USING fts5("
            "title, text, content='articles', content_rowid='id', tokenize='porter unicode61')"
        )
    )
    for trigger in _SQLITE_FTS_TRIGGERS:
        conn.execute(text(trigger))


_SQLITE_FTS_TRIGGERS = (
    "CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN "
    "INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END",
    "CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN "
    "INSERT INTO articles_fts(articles_fts, rowid, title, text) "
    "VALUES ('delete', old.id, old.title, old.text); END",
    "CREATE TRIGGER articles_au AFTER UPDATE OF title, text ON articles BEGIN "
    "INSERT INTO articles_fts(articles_fts, rowid, title, text) "
    "VALUES ('delete', old.id, old.title, old.text); "
    "INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END",
)

# Ordered; add new steps at the end and never edit an applied one.
MIGRATIONS: list[Callable[[Connection], None]] = [_create_baseline]


def migrate(engine: Engine) -> int:
    """Apply the migrations the database has not seen; return its schema version."""
    with engine.begin() as conn:
        if is_postgres(conn):
            # One migrator at a time when several workers start together.
            conn.execute(text("SELECT pg_advisory_xact_lock(7031957)"))
        schema.schema_version.create(conn, checkfirst=True)
        current = conn.execute(select(schema.schema_version.c.version)).scalars().all()
        version = max(current, default=0)
        for number, step in enumerate(MIGRATIONS, start=1):
            if number <= version:
                continue
            step(conn)
            conn.execute(
                insert(schema.schema_version).values(version=number, applied_at=datetime.now(UTC))
            )
            version = number
    return version


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything we store is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
