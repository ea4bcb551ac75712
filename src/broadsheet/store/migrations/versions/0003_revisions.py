"""Article revisions: when a publisher changes an article, the earlier text is kept.

Revision ID: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Add article_revisions: each earlier version of a changed article."""
    op.create_table(
        "article_revisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id"), nullable=False),
        sa.Column("title", sa.String(1000), nullable=False),
        sa.Column("byline", sa.String(500), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("published", TZ),
        sa.Column("updated", TZ),
        sa.Column("fetched_at", TZ, nullable=False),
        sa.Column("replaced_at", TZ, nullable=False),
    )
    op.create_index("ix_article_revisions_article", "article_revisions", ["article_id", "id"])
