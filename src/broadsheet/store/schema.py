"""The tables, as SQLAlchemy Core metadata shared by SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("applied_at", DateTime(timezone=True), nullable=False),
)

sources = Table(
    "sources",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(300), nullable=False),
    Column("feed_url", String(2000), nullable=False, unique=True),
    Column("home_url", String(2000), nullable=False, default=""),
    Column("home_city", String(200), nullable=False, default=""),
    Column("about", Text, nullable=False, default=""),
    Column("logo_url", String(2000), nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_fetched_at", DateTime(timezone=True)),
    Column("last_error", Text),
)

stories = Table(
    "stories",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("title", String(1000), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

articles = Table(
    "articles",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_id", Integer, ForeignKey("sources.id"), index=True),
    Column("url", String(2000), nullable=False, unique=True),
    Column("canonical_url", String(2000), nullable=False, index=True),
    Column("title", String(1000), nullable=False),
    Column("byline", String(500), nullable=False, default=""),
    Column("published", DateTime(timezone=True), index=True),
    Column("fetched_at", DateTime(timezone=True), nullable=False),
    Column("language", String(16), nullable=False, default="und"),
    Column("description", Text, nullable=False, default=""),
    Column("text", Text, nullable=False),
    Column("images", JSON, nullable=False),
    Column("section", String(40), nullable=False, index=True),
    Column("labels", JSON, nullable=False),
    Column("hashtags", JSON, nullable=False),
    Column("wire_source", String(100)),
    Column("embedding", LargeBinary),
    Column("copy_of", Integer, ForeignKey("articles.id"), index=True),
    Column("story_id", Integer, ForeignKey("stories.id"), index=True),
    Column("views", Integer, nullable=False, default=0),
)

# A channel is anything a reader can follow: a person, organisation, place, topic.
channels = Table(
    "channels",
    metadata,
    Column("key", String(300), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("geonameid", Integer),
    Column("lat", Float),
    Column("lon", Float),
    Column("country", String(8)),
    Column("admin1", String(20)),
)

# role: entity | place | local | topic; mentions as [{"start","end","text"}].
article_channels = Table(
    "article_channels",
    metadata,
    Column("article_id", Integer, ForeignKey("articles.id"), nullable=False),
    Column("channel_key", String(300), ForeignKey("channels.key"), nullable=False),
    Column("role", String(16), nullable=False),
    Column("position", Integer, nullable=False),
    Column("salience", Float, nullable=False, default=0.0),
    Column("name", String(300), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("mentions", JSON, nullable=False),
    UniqueConstraint("article_id", "channel_key", "role"),
    Index("ix_article_channels_key", "channel_key", "article_id"),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# target: "channel:<key>" or "source:<id>".
follows = Table(
    "follows",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("target", String(320), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("user_id", "target"),
    Index("ix_follows_target", "target"),
)

comments = Table(
    "comments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article_id", Integer, ForeignKey("articles.id"), nullable=False, index=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("body_html", Text, nullable=False),
    Column("status", String(16), nullable=False, default="visible"),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# What went wrong while ingesting, where an operator sees it (`broadsheet errors`).
ingest_errors = Table(
    "ingest_errors",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_id", Integer, ForeignKey("sources.id"), index=True),
    Column("url", String(2000), nullable=False),
    Column("stage", String(40), nullable=False),
    Column("message", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
