"""The tables, as SQLAlchemy Core metadata shared by SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

metadata = MetaData()

# The tables as the migrations in store/migrations/ leave them (a test compares the two).
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
    # feed (RSS, Atom, JSON Feed), sitemap, page (one article), folder (saved HTML pages)
    Column("kind", String(16), nullable=False, default="feed", server_default="feed"),
    Column("etag", String(500)),
    Column("last_modified", String(100)),
    Column("poll_interval", Float, nullable=False, default=1800.0, server_default="1800"),
    Column("next_poll_at", DateTime(timezone=True), index=True),
    Column("failures", Integer, nullable=False, default=0, server_default="0"),
    Column("paused_at", DateTime(timezone=True)),
    Column("last_success_at", DateTime(timezone=True)),
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
    Column("updated", DateTime(timezone=True)),
    Column("paywalled", Boolean, nullable=False, default=False, server_default=false()),
    # When the related list was last ranked; NULL until it is, and again once the story grew.
    Column("related_at", DateTime(timezone=True)),
    # Section and publisher pages: their newest articles, read from the index's end.
    Index("ix_articles_section_published", "section", "published"),
    Index("ix_articles_source_published", "source_id", "published"),
)
# The articles whose related list is due, newest first (pipeline/related.py refreshes them).
Index(
    "ix_articles_related_due",
    articles.c.id,
    sqlite_where=articles.c.related_at.is_(None),
    postgresql_where=articles.c.related_at.is_(None),
)

# Each article's related list as it was last ranked: the page reads it, never ranks it.
article_related = Table(
    "article_related",
    metadata,
    Column("article_id", Integer, ForeignKey("articles.id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("related_id", Integer, ForeignKey("articles.id"), nullable=False),
    Column("reason", String(300), nullable=False),
    PrimaryKeyConstraint("article_id", "position"),
)

# Earlier versions of articles their publishers changed, oldest first: we keep the record.
article_revisions = Table(
    "article_revisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article_id", Integer, ForeignKey("articles.id"), nullable=False),
    Column("title", String(1000), nullable=False),
    Column("byline", String(500), nullable=False),
    Column("text", Text, nullable=False),
    Column("published", DateTime(timezone=True)),
    Column("updated", DateTime(timezone=True)),
    Column("fetched_at", DateTime(timezone=True), nullable=False),
    Column("replaced_at", DateTime(timezone=True), nullable=False),
    Index("ix_article_revisions_article", "article_id", "id"),
)

# Every item a source announced: the unit of work of ingestion, with its state and retries.
ENTRY_STATES = ("discovered", "fetched", "extracted", "enriched", "stored", "failed", "skipped")
entries = Table(
    "entries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_id", Integer, ForeignKey("sources.id"), nullable=False),
    Column("key", String(64), nullable=False),  # sha256 of the GUID, else of the URL
    Column("url", String(2000), nullable=False),
    Column("final_url", String(2000)),
    Column("canonical_url", String(2000)),
    Column("title", String(1000), nullable=False, default=""),
    Column("published", DateTime(timezone=True)),
    Column("feed_data", JSON, nullable=False),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("error_stage", String(16)),
    Column("next_attempt_at", DateTime(timezone=True)),  # None: nothing left to do
    Column("claimed_until", DateTime(timezone=True)),  # a worker's lease on the entry
    Column("claimed_by", String(120)),  # which process holds it: "host:pid:start"
    Column("article_id", Integer, ForeignKey("articles.id")),
    Column("extractor_version", String(100)),
    Column("models_version", String(200)),
    Column("discovered_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("source_id", "key", name="uq_entries_source_key"),
    Index("ix_entries_due", "next_attempt_at", "source_id"),
    Index("ix_entries_source_state", "source_id", "state"),
    Index("ix_entries_article_id", "article_id"),
    Index("ix_entries_final_url", "final_url"),
)

# The page as fetched, zlib-compressed: re-extraction and re-enrichment never refetch.
entry_pages = Table(
    "entry_pages",
    metadata,
    Column("entry_id", Integer, ForeignKey("entries.id"), primary_key=True),
    Column("status", Integer, nullable=False),
    Column("content_type", String(200), nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("fetched_at", DateTime(timezone=True), nullable=False),
)

# MinHash LSH bands of each article's text: wire-copy candidates by index, not by recency.
article_bands = Table(
    "article_bands",
    metadata,
    Column("band", BigInteger, nullable=False),
    Column("article_id", Integer, ForeignKey("articles.id"), nullable=False),
    PrimaryKeyConstraint("band", "article_id"),
    Index("ix_article_bands_article_id", "article_id"),
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
    Index("ix_channels_kind_name", "kind", "name"),  # the Local page's place picker
    Index("ix_channels_lat", "lat"),  # places near a point: a band of latitude first
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

# The shorter keys an article's people and organisations stand behind ("person:putin" for
# Vladimir Putin), one row per article: later articles naming only the alias take the
# canonical key when the corpus agrees (enrich/aliases.py).
entity_aliases = Table(
    "entity_aliases",
    metadata,
    Column("alias_key", String(300), nullable=False),
    Column("canonical_key", String(300), nullable=False),
    Column("article_id", Integer, ForeignKey("articles.id"), nullable=False),
    PrimaryKeyConstraint("alias_key", "canonical_key", "article_id"),
    Index("ix_entity_aliases_article", "article_id"),
)

# entity_aliases counted per (alias, canonical key), kept in step with it: an article is
# placed by reading a few rows, however many articles used the alias before.
entity_alias_counts = Table(
    "entity_alias_counts",
    metadata,
    Column("alias_key", String(300), nullable=False),
    Column("canonical_key", String(300), nullable=False),
    Column("articles", Integer, nullable=False),
    PrimaryKeyConstraint("alias_key", "canonical_key"),
)

# How many stored articles name each pair of channels (the diagonal: each channel), over each
# article's leading subjects (store/cooccurrence.py); kept in step as articles are stored.
channel_pairs = Table(
    "channel_pairs",
    metadata,
    Column("key", String(300), nullable=False),
    Column("other_key", String(300), nullable=False),
    Column("articles", Integer, nullable=False),
    PrimaryKeyConstraint("key", "other_key"),
    Index("ix_channel_pairs_top", "key", "articles"),
)

# Every article that changed story after it was placed: merges and splits (stories/graph.py).
story_moves = Table(
    "story_moves",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article_id", Integer, ForeignKey("articles.id"), nullable=False),
    Column("old_story_id", Integer, ForeignKey("stories.id"), nullable=False),
    Column("new_story_id", Integer, ForeignKey("stories.id"), nullable=False),
    Column("reason", String(16), nullable=False),
    Column("moved_at", DateTime(timezone=True), nullable=False),
    Index("ix_story_moves_article", "article_id"),
    Index("ix_story_moves_old_story", "old_story_id"),  # where an emptied story went
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # Bumped when the password changes: every session cookie signed before it stops working.
    Column("session_version", Integer, nullable=False, default=0, server_default="0"),
    Column("home_place", String(300)),  # a place channel's key, for Local and For You
    Column("email", String(254)),  # optional, trimmed and case-folded: where reset links go
    # "reader" or "moderator" (`broadsheet moderator add NAME`).
    Column("role", String(16), nullable=False, default="reader", server_default="reader"),
    # Set by the strike ladder (community/strikes.py): no commenting until / since then.
    Column("suspended_until", DateTime(timezone=True)),
    Column("terminated_at", DateTime(timezone=True)),
)
# One account per email; the many accounts without one are left out of the index.
Index(
    "ux_users_email",
    users.c.email,
    unique=True,
    sqlite_where=users.c.email.is_not(None),
    postgresql_where=users.c.email.is_not(None),
)

# A reader's keep/block rules (web/rules.py): on a word, a publisher, a channel (person,
# organisation, place, topic); everywhere (scope NULL) or in one channel's feed (its key).
reader_rules = Table(
    "reader_rules",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False, index=True),
    Column("action", String(8), nullable=False),  # "block" or "keep"
    Column("field", String(16), nullable=False),  # "word", "publisher", "channel"
    Column("value", String(300), nullable=False),
    Column("scope", String(300)),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# What a reader's reads and "more / fewer like this" taught For You: a weight per channel.
reader_affinity = Table(
    "reader_affinity",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("channel_key", String(300), nullable=False),
    Column("weight", Float, nullable=False),
    PrimaryKeyConstraint("user_id", "channel_key"),
)

# Who read which article, once each: `articles.views` counts these rows. reader: "user:<id>",
# or "reader:<nonce>" for a browser not signed in (web/accounts.py).
article_views = Table(
    "article_views",
    metadata,
    Column("article_id", Integer, ForeignKey("articles.id"), nullable=False),
    Column("reader", String(80), nullable=False),
    Column("viewed_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("article_id", "reader"),
    Index("ix_article_views_viewed_at", "viewed_at"),  # the last hours' reads (Trending)
)

# What a reader never wants to see: "source:<id>" or "channel:<key>" (a topic, a person ...).
mutes = Table(
    "mutes",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("target", String(320), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("user_id", "target"),
)

# target: "channel:<key>", "source:<id>" or "story:<id>".
follows = Table(
    "follows",
    metadata,
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("target", String(320), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("user_id", "target"),
    Index("ix_follows_target", "target"),
)

# Readers' comments (community/comments.py). target: "article:<id>" or "story:<id>" (later
# "post:<id>"); root_id: the top-level comment of a reply's thread (NULL for a top-level one),
# so a page of threads reads all their replies at once. status: visible, held (for review:
# shown to its author only), removed (by a moderator), deleted (by its author, or the
# account was deleted: user_id NULL, text erased). score: the Wilson lower bound of the
# votes, the "best" order (store/comments.py).
comments = Table(
    "comments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("target", String(64), nullable=False),
    Column("parent_id", Integer, ForeignKey("comments.id")),
    Column("root_id", Integer, ForeignKey("comments.id")),
    Column("user_id", Integer, ForeignKey("users.id")),
    Column("body_md", Text, nullable=False, default="", server_default=""),
    Column("body_html", Text, nullable=False),
    Column("status", String(16), nullable=False, default="visible"),
    Column("ups", Integer, nullable=False, default=0, server_default="0"),
    Column("downs", Integer, nullable=False, default=0, server_default="0"),
    Column("score", Float, nullable=False, default=0.0, server_default="0"),
    Column("screening", JSON),  # what the automatic first pass found: score, reasons, rule
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("edited_at", DateTime(timezone=True)),
    Index("ix_comments_target_created", "target", "created_at"),
    Index("ix_comments_target_score", "target", "score"),
    Index("ix_comments_root", "root_id"),
    Index("ix_comments_parent", "parent_id"),
    Index("ix_comments_user_created", "user_id", "created_at"),
    Index("ix_comments_status_created", "status", "created_at"),  # the held queue
)

# One vote per reader per comment: +1 or -1.
comment_votes = Table(
    "comment_votes",
    metadata,
    Column("comment_id", Integer, ForeignKey("comments.id"), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("value", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("comment_id", "user_id"),
    Index("ix_comment_votes_user", "user_id", "created_at"),
)

# A reader's report of a comment, citing a policy rule; resolved by a moderator's decision.
comment_reports = Table(
    "comment_reports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("comment_id", Integer, ForeignKey("comments.id"), nullable=False),
    Column("reporter_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("rule_id", String(32), nullable=False),
    Column("reason", Text, nullable=False, default="", server_default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("resolved_at", DateTime(timezone=True)),
    Column("resolution", String(16)),  # removed, approved, dismissed
    UniqueConstraint("comment_id", "reporter_id", name="uq_comment_reports_reporter"),
    Index("ix_comment_reports_open", "resolved_at", "comment_id"),
    Index("ix_comment_reports_reporter", "reporter_id", "created_at"),
)

# Every moderation decision, automatic (moderator_id NULL: the first pass held a comment, or
# enough reports did) or a moderator's; kept when the accounts involved are deleted.
moderation_log = Table(
    "moderation_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("moderator_id", Integer, ForeignKey("users.id")),
    Column("comment_id", Integer, ForeignKey("comments.id")),
    Column("strike_id", Integer, ForeignKey("strikes.id")),
    Column("action", String(16), nullable=False),
    Column("rule_id", String(32)),
    Column("note", Text, nullable=False, default="", server_default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_moderation_log_comment", "comment_id"),
    Index("ix_moderation_log_created", "created_at"),
)

# A strike against an author for a removed comment (community/strikes.py: the ladder).
# appeal_state: NULL (never appealed), pending, upheld, overturned.
strikes = Table(
    "strikes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("comment_id", Integer, ForeignKey("comments.id"), nullable=False),
    Column("rule_id", String(32), nullable=False),
    Column("level", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("appeal_text", Text),
    Column("appealed_at", DateTime(timezone=True)),
    Column("appeal_state", String(16)),
    Column("decided_at", DateTime(timezone=True)),
    Column("decided_by", Integer, ForeignKey("users.id")),
    Index("ix_strikes_user", "user_id", "expires_at"),
    Index("ix_strikes_appeal", "appeal_state", "appealed_at"),
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

# Publishers (store/publishers.py). A claim of a publisher's page by a reader: the token it
# must show on the publisher's site is signed from the nonce (web/publishers.py); valid until
# expires_at; verified_at and method ("well-known" or "meta") once the site showed it.
publisher_claims = Table(
    "publisher_claims",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_id", Integer, ForeignKey("sources.id"), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("nonce", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("verified_at", DateTime(timezone=True)),
    Column("method", String(16)),
    Index("ix_publisher_claims_user", "user_id", "source_id"),
)

# Who may edit a publisher's card, feeds and corrections: every reader whose claim verified.
publisher_managers = Table(
    "publisher_managers",
    metadata,
    Column("source_id", Integer, ForeignKey("sources.id"), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("method", String(16), nullable=False),
    Column("verified_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("source_id", "user_id"),
    Index("ix_publisher_managers_user", "user_id"),
)

# The links on a publisher's card, in order (at most five).
publisher_links = Table(
    "publisher_links",
    metadata,
    Column("source_id", Integer, ForeignKey("sources.id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("label", String(100), nullable=False),
    Column("url", String(2000), nullable=False),
    PrimaryKeyConstraint("source_id", "position"),
)

# The further feeds a manager added to its publisher: each is its own sources row (polled on
# its own), its articles counted on the publisher's dashboard.
publisher_feeds = Table(
    "publisher_feeds",
    metadata,
    Column("source_id", Integer, ForeignKey("sources.id"), primary_key=True),
    Column("publisher_id", Integer, ForeignKey("sources.id"), nullable=False),
    Column("added_by", Integer, ForeignKey("users.id")),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_publisher_feeds_publisher", "publisher_id"),
)

# A correction a publisher's manager marked on one of its articles, shown on the article page.
article_corrections = Table(
    "article_corrections",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article_id", Integer, ForeignKey("articles.id"), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id")),
    Column("text", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_article_corrections_article", "article_id", "id"),
)

# A publisher's most-read articles (its dashboard), read from the index's end.
Index("ix_articles_source_views", articles.c.source_id, articles.c.views)

# Contributors (community/posts.py): a reader who writes original posts. Each has a sources
# row of kind "contributor" named after them (its `about` is their profile), so their posts
# are articles of that source and appear wherever articles do. The row outlives the account
# (user_id is set NULL when it is deleted): the source keeps its articles.
contributors = Table(
    "contributors",
    metadata,
    Column("source_id", Integer, ForeignKey("sources.id"), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ux_contributors_user", "user_id", unique=True),
)

# A contributor's post as written: its Markdown and sanitised HTML, uploaded images
# ([{"url", "caption"}]), the place picked from the gazetteer (a place channel's row), and the
# author's required answer whether AI tools wrote it. status: published (article_id is its
# article, shown at once; enriched_at NULL while the models have not yet read it), held (the
# automatic first pass held it: no article until a moderator approves), removed (refused).
posts = Table(
    "posts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_id", Integer, ForeignKey("sources.id"), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("article_id", Integer, ForeignKey("articles.id")),
    Column("title", String(200), nullable=False),
    Column("body_md", Text, nullable=False),
    Column("body_html", Text, nullable=False),
    Column("images", JSON, nullable=False),
    Column("place", JSON),
    Column("ai_assisted", Boolean, nullable=False),
    Column("status", String(16), nullable=False),
    Column("screening", JSON),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("enriched_at", DateTime(timezone=True)),
    Column("decided_at", DateTime(timezone=True)),
    Column("decided_by", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Index("ux_posts_article", "article_id", unique=True),
    Index("ix_posts_user_created", "user_id", "created_at"),  # rate limits, "your posts"
    Index("ix_posts_source_created", "source_id", "created_at"),  # the author's page
    Index("ix_posts_status_created", "status", "created_at"),  # the held queue
)
