"""Opening the database (SQLite or PostgreSQL) and bringing its schema up to date."""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from weakref import WeakKeyDictionary

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url


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
        event.listen(engine, "begin", _begin_sqlite)
        _WRITERS[engine] = engine.execution_options(sqlite_begin="IMMEDIATE")
        return engine
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed, pool_pre_ping=True)
    raise StoreError(f"store: unsupported database URL {url!r}: use sqlite:/// or postgresql://")


def _configure_sqlite(dbapi_connection: object, _record: object) -> None:
    # We issue BEGIN ourselves (_begin_sqlite), so that writers can take the lock up front.
    dbapi_connection.isolation_level = None  # type: ignore[attr-defined]
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _begin_sqlite(conn: Connection) -> None:
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


def write_transaction(engine: Engine) -> AbstractContextManager[Connection]:
    """engine.begin() for a transaction that writes.

    On SQLite it takes the write lock first (BEGIN IMMEDIATE): a deferred transaction that
    read before writing fails at once with "database is locked" when another writer committed
    meanwhile, whatever the busy timeout. Readers stay deferred and never wait.
    """
    return _WRITERS.get(engine, engine).begin()


def is_postgres(conn: Connection) -> bool:
    """True on PostgreSQL, False on SQLite."""
    return conn.dialect.name == "postgresql"


_WRITERS: WeakKeyDictionary[Engine, Engine] = WeakKeyDictionary()
MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# Databases made before the migrations moved to Alembic kept their version here.
_LEGACY_VERSION_TABLE = "schema_version"


def alembic_config(conn: Connection) -> Config:
    """Alembic's configuration for our migrations, bound to an open connection."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = conn
    return config


def migrate(engine: Engine, revision: str = "head") -> str:
    """Apply the migrations the database has not seen (up to `revision`); return its revision."""
    with engine.begin() as conn:
        if is_postgres(conn):
            # One migrator at a time when several workers start together.
            conn.execute(text("SELECT pg_advisory_xact_lock(7031957)"))
        config = alembic_config(conn)
        if inspect(conn).has_table(_LEGACY_VERSION_TABLE):
            # The legacy baseline is revision 0001's schema exactly.
            command.stamp(config, "0001")
            conn.execute(text(f"DROP TABLE {_LEGACY_VERSION_TABLE}"))
        command.upgrade(config, revision)
        return current_revision(conn)


def head_revision() -> str:
    """The newest migration step's revision."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config).get_current_head() or ""


def current_revision(conn: Connection) -> str:
    """The revision the database is at ('' when it has none)."""
    return MigrationContext.configure(conn).get_current_revision() or ""


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything we store is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
