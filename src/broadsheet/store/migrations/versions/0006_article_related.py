"""Related lists ranked when an article is stored, kept until its story grows; channel
co-occurrence counts kept as articles are stored, counted here for the articles already stored.

Revision ID: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add article_related and articles.related_at (every stored article starts due), and
    channel_pairs counted from the stored links as store/cooccurrence.py counts them."""
    op.add_column("articles", sa.Column("related_at", sa.DateTime(timezone=True)))
    due = sa.column("related_at").is_(None)
    op.create_index(
        "ix_articles_related_due",
        "articles",
        ["id"],
        sqlite_where=due,
        postgresql_where=due,
    )
    op.create_table(
        "article_related",
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("related_id", sa.Integer, sa.ForeignKey("articles.id"), nullable=False),
        sa.Column("reason", sa.String(300), nullable=False),
        sa.PrimaryKeyConstraint("article_id", "position"),
    )
    op.create_table(
        "channel_pairs",
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("other_key", sa.String(300), nullable=False),
        sa.Column("articles", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("key", "other_key"),
    )
    op.create_index("ix_channel_pairs_top", "channel_pairs", ["key", "articles"])
    op.execute(BACKFILL)


# Each article's 10 leading keys: per key its best link (role, then salience, then position),
# then the article's keys in that order; "other:" keys left out. Frozen copy of the rule in
# store/cooccurrence.py as it stood at this revision.
BACKFILL = """
INSERT INTO channel_pairs (key, other_key, articles)
WITH links AS (
  SELECT article_id, channel_key,
    CASE role WHEN 'entity' THEN 0 WHEN 'place' THEN 1 WHEN 'local' THEN 2 WHEN 'topic' THEN 3
      ELSE 4 END AS role_rank,
    salience, position
  FROM article_channels WHERE channel_key NOT LIKE 'other:%'
), best AS (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY article_id, channel_key
    ORDER BY role_rank, salience DESC, position) AS n
  FROM links
), ordered AS (
  SELECT article_id, channel_key, ROW_NUMBER() OVER (PARTITION BY article_id
    ORDER BY role_rank, salience DESC, position, channel_key) AS n
  FROM best WHERE n = 1
), kept AS (SELECT article_id, channel_key FROM ordered WHERE n <= 10)
SELECT a.channel_key, b.channel_key, COUNT(*)
FROM kept a JOIN kept b ON a.article_id = b.article_id
GROUP BY a.channel_key, b.channel_key
"""
