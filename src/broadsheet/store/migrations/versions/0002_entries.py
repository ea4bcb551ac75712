"""The unit of work: entries with state and kept pages; source schedules; copy-detection bands.

Revision ID: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Add entries, their kept pages, source scheduling and the wire-copy LSH index."""
    # Plain ADD COLUMN (no batch copy): SQLite keeps the table, its triggers and FTS index.
    for column in (
        sa.Column("kind", sa.String(16), nullable=False, server_default="feed"),
        sa.Column("etag", sa.String(500)),
        sa.Column("last_modified", sa.String(100)),
        sa.Column("poll_interval", sa.Float, nullable=False, server_default="1800"),
        sa.Column("next_poll_at", TZ),
        sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("paused_at", TZ),
        sa.Column("last_success_at", TZ),
    ):
        op.add_column("sources", column)
    op.create_index("ix_sources_next_poll_at", "sources", ["next_poll_at"])
    op.add_column("articles", sa.Column("updated", TZ))
    op.add_column(
        "articles",
        sa.Column("paywalled", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "entries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id"), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("final_url", sa.String(2000)),
        sa.Column("canonical_url", sa.String(2000)),
        sa.Column("title", sa.String(1000), nullable=False),
        sa.Column("published", TZ),
        sa.Column("feed_data", sa.JSON, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("error_stage", sa.String(16)),
        sa.Column("next_attempt_at", TZ),
        sa.Column("claimed_until", TZ),
        sa.Column("claimed_by", sa.String(120)),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id")),
        sa.Column("extractor_version", sa.String(100)),
        sa.Column("models_version", sa.String(200)),
        sa.Column("discovered_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.UniqueConstraint("source_id", "key", name="uq_entries_source_key"),
    )
    op.create_index("ix_entries_due", "entries", ["next_attempt_at", "source_id"])
    op.create_index("ix_entries_source_state", "entries", ["source_id", "state"])
    op.create_index("ix_entries_article_id", "entries", ["article_id"])
    op.create_index("ix_entries_final_url", "entries", ["final_url"])
    op.create_table(
        "entry_pages",
        sa.Column("entry_id", sa.Integer, sa.ForeignKey("entries.id"), primary_key=True),
        sa.Column("status", sa.Integer, nullable=False),
        sa.Column("content_type", sa.String(200), nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),  # zlib-compressed
        sa.Column("fetched_at", TZ, nullable=False),
    )
    op.create_table(
        "article_bands",
        sa.Column("band", sa.BigInteger, nullable=False),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id"), nullable=False),
        sa.PrimaryKeyConstraint("band", "article_id"),
    )
    op.create_index("ix_article_bands_article_id", "article_bands", ["article_id"])
