"""Publishers: claims of a publisher's page proved on its site, the managers they make,
the card's links, the extra feeds a manager adds to its publisher, corrections on
articles, and an index for a publisher's most-read articles.

Revision ID: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None
TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Add publisher_claims, publisher_managers, publisher_links, publisher_feeds,
    article_corrections and ix_articles_source_views."""
    _create_claims_and_managers()
    _create_links_and_feeds()
    op.create_table(
        "article_corrections",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id"), nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id")),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_index("ix_article_corrections_article", "article_corrections", ["article_id", "id"])
    op.create_index("ix_articles_source_views", "articles", ["source_id", "views"])


def _create_claims_and_managers() -> None:
    op.create_table(
        "publisher_claims",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id"), nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("nonce", sa.String(64), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.Column("verified_at", TZ),
        sa.Column("method", sa.String(16)),
    )
    op.create_index("ix_publisher_claims_user", "publisher_claims", ["user_id", "source_id"])
    op.create_table(
        "publisher_managers",
        sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id"), nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("verified_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("source_id", "user_id"),
    )
    op.create_index("ix_publisher_managers_user", "publisher_managers", ["user_id"])


def _create_links_and_feeds() -> None:
    op.create_table(
        "publisher_links",
        sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.PrimaryKeyConstraint("source_id", "position"),
    )
    op.create_table(
        "publisher_feeds",
        sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id"), primary_key=True),
        sa.Column("publisher_id", sa.Integer, sa.ForeignKey("sources.id"), nullable=False),
        sa.Column("added_by", sa.Integer, sa.ForeignKey("users.id")),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_index("ix_publisher_feeds_publisher", "publisher_feeds", ["publisher_id"])
