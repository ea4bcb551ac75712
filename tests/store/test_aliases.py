"""Entity aliases in the database: counted once per article, kept true through reprocessing."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, func, select

from broadsheet.models import Article, ArticleDraft, Source
from broadsheet.pipeline.analysis import analyze_draft
from broadsheet.pipeline.entries import corpus_entities, store_article
from broadsheet.pipeline.stories import LiveStories
from broadsheet.store import articles as article_store
from broadsheet.store import sources as source_store
from broadsheet.store.schema import entity_alias_counts, entity_aliases

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
FULL = "Vladimir Putin met ministers in Moscow on {day}. Putin said the talks went well."


def article(url: str, text: str, source_id: int) -> Article:
    draft = ArticleDraft(
        url=url, canonical_url=url, title="", byline="", published=NOW, language="en", text=text
    )
    enrichment = analyze_draft(draft)
    return Article(draft=draft, enrichment=enrichment, source_id=source_id, fetched_at=NOW)


def test_an_alias_takes_the_stored_articles_key(engine: Engine) -> None:
    with engine.begin() as conn:
        source_id = source_store.upsert_source(
            conn, Source(name="The Ledger", feed_url="http://127.0.0.1/feed.xml")
        )
    first = article("http://127.0.0.1/1", FULL.format(day="Monday"), source_id)
    short = article("http://127.0.0.1/3", "Putin spoke to reporters on Tuesday.", source_id)
    with engine.begin() as conn:
        live = LiveStories()
        article_id = store_article(conn, first, NOW, live)
        # Reprocessing the same article replaces its aliases: it is still one sighting.
        article_store.update_article(conn, article_id, first)
        once = corpus_entities(conn, short.enrichment)
        assert [e.key for e in once.entities] == ["person:putin"]
        store_article(
            conn, article("http://127.0.0.1/2", FULL.format(day="Friday"), source_id), NOW, live
        )
        rows = conn.execute(select(func.count()).select_from(entity_aliases)).scalar_one()
        assert rows == 2  # one per article
        counts = conn.execute(select(entity_alias_counts)).all()
        assert [tuple(row) for row in counts] == [("person:putin", "person:vladimir-putin", 2)]
        twice = corpus_entities(conn, short.enrichment)
    assert [(e.key, e.name) for e in twice.entities] == [
        ("person:vladimir-putin", "Vladimir Putin")
    ]
