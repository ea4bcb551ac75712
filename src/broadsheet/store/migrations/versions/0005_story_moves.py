"""Story moves: every article that changed story after it was placed (merges and splits).

Revision ID: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add story_moves, read in id order by every process that keeps a story graph."""
    op.create_table(
        "story_moves",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id"), nullable=False),
        sa.Column("old_story_id", sa.Integer, sa.ForeignKey("stories.id"), nullable=False),
        sa.Column("new_story_id", sa.Integer, sa.ForeignKey("stories.id"), nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("moved_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_story_moves_article", "story_moves", ["article_id"])
    op.create_index("ix_story_moves_old_story", "story_moves", ["old_story_id"])
