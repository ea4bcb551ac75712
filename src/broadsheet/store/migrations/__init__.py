"""Alembic migrations: an ordered list of frozen steps (add at the end, never edit one)."""
