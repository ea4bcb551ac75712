"""Baseline: the schema as first released (sources, articles, channels, accounts, search index).

Frozen DDL: this step never changes; later steps add to it.

Revision ID: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the baseline tables and the full-text index of the dialect."""
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("feed_url", sa.String(2000), nullable=False, unique=True),
        sa.Column("home_url", sa.String(2000), nullable=False),
        sa.Column("home_city", sa.String(200), nullable=False),
        sa.Column("about", sa.Text, nullable=False),
        sa.Column("logo_url", sa.String(2000), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("last_fetched_at", TZ),
        sa.Column("last_error", sa.Text),
    )
    op.create_table(
        "stories",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("title", sa.String(1000), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )
    _create_articles()
    _create_channels()
    _create_community()
    op.create_table(
        "ingest_errors",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id"), index=True),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("stage", sa.String(40), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    _create_search_index()


def _create_articles() -> None:
    op.create_table(
        "articles",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("sources.id"), index=True),
        sa.Column("url", sa.String(2000), nullable=False, unique=True),
        sa.Column("canonical_url", sa.String(2000), nullable=False, index=True),
        sa.Column("title", sa.String(1000), nullable=False),
        sa.Column("byline", sa.String(500), nullable=False),
        sa.Column("published", TZ, index=True),
        sa.Column("fetched_at", TZ, nullable=False),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("images", sa.JSON, nullable=False),
        sa.Column("section", sa.String(40), nullable=False, index=True),
        sa.Column("labels", sa.JSON, nullable=False),
        sa.Column("hashtags", sa.JSON, nullable=False),
        sa.Column("wire_source", sa.String(100)),
        sa.Column("embedding", sa.LargeBinary),
        sa.Column("copy_of", sa.Integer, sa.ForeignKey("articles.id"), index=True),
        sa.Column("story_id", sa.Integer, sa.ForeignKey("stories.id"), index=True),
        sa.Column("views", sa.Integer, nullable=False),
    )


def _create_channels() -> None:
    op.create_table(
        "channels",
        sa.Column("key", sa.String(300), primary_key=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("geonameid", sa.Integer),
        sa.Column("lat", sa.Float),
        sa.Column("lon", sa.Float),
        sa.Column("country", sa.String(8)),
        sa.Column("admin1", sa.String(20)),
    )
    op.create_table(
        "article_channels",
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id"), nullable=False),
        sa.Column("channel_key", sa.String(300), sa.ForeignKey("channels.key"), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("salience", sa.Float, nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("mentions", sa.JSON, nullable=False),
        sa.UniqueConstraint("article_id", "channel_key", "role"),
    )
    op.create_index("ix_article_channels_key", "article_channels", ["channel_key", "article_id"])


def _create_community() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "follows",
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("target", sa.String(320), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.UniqueConstraint("user_id", "target"),
    )
    op.create_index("ix_follows_target", "follows", ["target"])
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "article_id", sa.Integer, sa.ForeignKey("articles.id"), nullable=False, index=True
        ),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("body_html", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )


def _create_search_index() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "ALTER TABLE articles ADD COLUMN search tsvector GENERATED ALWAYS AS ("
            "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
            "setweight(to_tsvector('english', coalesce(text, '')), 'B')) STORED"
        )
        op.execute("CREATE INDEX ix_articles_search ON articles USING GIN (search)")
        return
    op.execute(
        "CREATE VIRTUAL TABLE articles_fts USING fts5("
        "title, text, content='articles', content_rowid='id', tokenize='porter unicode61')"
    )
    op.execute(
        "CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN "
        "INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END"
    )
    op.execute(
        "CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN "
        "INSERT INTO articles_fts(articles_fts, rowid, title, text) "
        "VALUES ('delete', old.id, old.title, old.text); END"
    )
    op.execute(
        "CREATE TRIGGER articles_au AFTER UPDATE OF title, text ON articles BEGIN "
        "INSERT INTO articles_fts(articles_fts, rowid, title, text) "
        "VALUES ('delete', old.id, old.title, old.text); "
        "INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END"
    )
