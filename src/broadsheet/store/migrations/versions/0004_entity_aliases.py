"""Entity aliases: the shorter keys each article's people and organisations stand behind.

Revision ID: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add entity_aliases (one row per article and alias) and their running counts."""
    op.create_table(
        "entity_aliases",
        sa.Column("alias_key", sa.String(300), nullable=False),
        sa.Column("canonical_key", sa.String(300), nullable=False),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id"), nullable=False),
        sa.PrimaryKeyConstraint("alias_key", "canonical_key", "article_id"),
    )
    op.create_index("ix_entity_aliases_article", "entity_aliases", ["article_id"])
    op.create_table(
        "entity_alias_counts",
        sa.Column("alias_key", sa.String(300), nullable=False),
        sa.Column("canonical_key", sa.String(300), nullable=False),
        sa.Column("articles", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("alias_key", "canonical_key"),
    )
