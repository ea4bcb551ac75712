"""Contributors: readers who write original posts, each with a sources row of kind
"contributor"; their posts as written (Markdown, images, place, the AI-tools answer) and
their moderation state.

Revision ID: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None
TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Add contributors and posts."""
    op.create_table(
        "contributors",
        sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id"), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_index("ux_contributors_user", "contributors", ["user_id"], unique=True)
    op.create_table(
        "posts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id"), nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL")),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id")),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body_md", sa.Text, nullable=False),
        sa.Column("body_html", sa.Text, nullable=False),
        sa.Column("images", sa.JSON, nullable=False),
        sa.Column("place", sa.JSON),
        sa.Column("ai_assisted", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("screening", sa.JSON),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("enriched_at", TZ),
        sa.Column("decided_at", TZ),
        sa.Column("decided_by", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL")),
    )
    op.create_index("ux_posts_article", "posts", ["article_id"], unique=True)
    op.create_index("ix_posts_user_created", "posts", ["user_id", "created_at"])
    op.create_index("ix_posts_source_created", "posts", ["source_id", "created_at"])
    op.create_index("ix_posts_status_created", "posts", ["status", "created_at"])
