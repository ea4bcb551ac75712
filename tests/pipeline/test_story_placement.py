"""Stories placed at store time by each process's story graph, kept in step through the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy import Engine, select

from broadsheet.models import Article, ArticleDraft, Enrichment, Source
from broadsheet.pipeline.entries import store_article
from broadsheet.pipeline.stories import LiveStories
from broadsheet.store import sources as source_store
from broadsheet.store import story_moves as move_store
from broadsheet.store.schema import articles, story_moves

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
RNG = np.random.default_rng(11)


def unit(v: np.ndarray) -> np.ndarray:
    return (v / np.linalg.norm(v)).astype(np.float32)


def made(n: int, vector: np.ndarray, source_id: int, text: str = "") -> Article:
    text = text or " ".join(f"w{n}x{i}" for i in range(12))  # words of its own
    draft = ArticleDraft(
        url=f"http://127.0.0.1/{n}",
        canonical_url=f"http://127.0.0.1/{n}",
        title=f"Headline {n}",
        byline="",
        published=NOW + timedelta(minutes=n),
        language="en",
        text=text,
    )
    enrichment = Enrichment([], [], [], "world", [], [], None, [float(x) for x in vector])
    return Article(draft=draft, enrichment=enrichment, source_id=source_id, fetched_at=NOW)


def story_of(engine: Engine, n: int) -> int:
    with engine.connect() as conn:
        query = select(articles.c.story_id).where(articles.c.url == f"http://127.0.0.1/{n}")
        return int(conn.execute(query).scalar_one())


def test_processes_share_stories_through_the_database_and_record_merges(engine: Engine) -> None:
    with engine.begin() as conn:
        source = source_store.upsert_source(
            conn, Source(name="The Ledger", feed_url="http://127.0.0.1/feed.xml")
        )
    first, second = LiveStories(), LiveStories()  # two worker processes
    noise = [unit(RNG.normal(size=384)) for _ in range(20)]
    a, b = unit(RNG.normal(size=384)), unit(RNG.normal(size=384))
    with engine.begin() as conn:
        for n, vector in enumerate(noise):
            store_article(conn, made(100 + n, vector, source), NOW, first)
        for n in (1, 2):
            store_article(conn, made(n, unit(a + 0.1 * b), source), NOW, first)
    with engine.begin() as conn:  # the other process builds its graph from the database
        for n in (3, 4):
            store_article(conn, made(n, unit(b + 0.1 * a), source), NOW, second)
    assert story_of(engine, 1) == story_of(engine, 2) != story_of(engine, 3) == story_of(engine, 4)
    before = {story_of(engine, 1), story_of(engine, 3)}
    wire = "LONDON (Meridian Wire) - " + " ".join(f"word{n}" for n in range(60))
    with engine.begin() as conn:
        store_article(conn, made(5, unit(b + 0.1 * a), source, wire), NOW, second)
        store_article(conn, made(6, unit(RNG.normal(size=384)), source, wire), NOW, second)
    assert story_of(engine, 6) == story_of(engine, 5)  # a copy is in its original's story
    with engine.begin() as conn:  # the first process takes in what the second stored
        store_article(conn, made(7, unit(a + b), source), NOW, first)
    merged = story_of(engine, 7)
    assert {story_of(engine, n) for n in (1, 2, 3, 4, 5, 6, 7)} == {merged}
    with engine.connect() as conn:
        moves = conn.execute(select(story_moves.c.reason, story_moves.c.new_story_id)).all()
    assert moves and {tuple(m) for m in moves} == {("merge", merged)}
    (emptied,) = before - {merged}
    with engine.connect() as conn:  # the emptied story's page points to the one it joined
        assert move_store.merged_into(conn, emptied) == merged
        assert move_store.merged_into(conn, merged) is None
    assert {story_of(engine, 100 + n) for n in range(20)}.isdisjoint({merged})
