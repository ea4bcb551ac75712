"""The only package that touches the database."""

from broadsheet.store.database import (
    StoreError,
    as_utc,
    is_postgres,
    migrate,
    open_database,
    write_transaction,
)

__all__ = [
    "StoreError",
    "as_utc",
    "is_postgres",
    "migrate",
    "open_database",
    "write_transaction",
]
