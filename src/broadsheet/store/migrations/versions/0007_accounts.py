"""Accounts: a session version per user (a password change signs every session out), a home
place, mutes, who read which article (views counted once per reader), and the indexes the
Local page reads places by (name within kind, latitude), readers' keep/block rules, and
what their reads and feedback taught For You; and (section, published) and (source_id,
published) indexes for section and publisher pages.

Revision ID: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add users.session_version and users.home_place, and the mutes and article_views
    tables."""
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("session_version", sa.Integer, nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("home_place", sa.String(300)))
    op.create_table(
        "mutes",
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("target", sa.String(320), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("user_id", "target"),
    )
    op.create_table(
        "article_views",
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id"), nullable=False),
        sa.Column("reader", sa.String(80), nullable=False),
        sa.Column("viewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("article_id", "reader"),
    )
    op.create_index("ix_article_views_viewed_at", "article_views", ["viewed_at"])
    op.create_index("ix_channels_kind_name", "channels", ["kind", "name"])
    op.create_index("ix_channels_lat", "channels", ["lat"])
    op.create_table(
        "reader_rules",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("action", sa.String(8), nullable=False),
        sa.Column("field", sa.String(16), nullable=False),
        sa.Column("value", sa.String(300), nullable=False),
        sa.Column("scope", sa.String(300)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_reader_rules_user_id", "reader_rules", ["user_id"])
    op.create_table(
        "reader_affinity",
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("channel_key", sa.String(300), nullable=False),
        sa.Column("weight", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("user_id", "channel_key"),
    )
    op.create_index("ix_articles_section_published", "articles", ["section", "published"])
    op.create_index("ix_articles_source_published", "articles", ["source_id", "published"])
