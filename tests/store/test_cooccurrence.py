"""Channel co-occurrence counted as articles are stored and stored again, read by cosine."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, select

from broadsheet.models import Article, ArticleDraft, Enrichment, Entity, Source
from broadsheet.store import articles as article_store
from broadsheet.store import cooccurrence
from broadsheet.store import sources as source_store
from broadsheet.store.schema import article_channels, channel_pairs

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def made(n: int, people: list[str], source_id: int) -> Article:
    url = f"http://127.0.0.1/{n}"
    draft = ArticleDraft(url, url, f"Headline {n}", "", NOW, "en", "Text.")
    entities = [
        Entity(p.title(), "person" if p != "us" else "country", f"person:{p}", 1.0 - i / 100)
        for i, p in enumerate(people)
    ]
    enrichment = Enrichment(entities, [], [], "world", [], [], None, [])
    return Article(draft, enrichment, source_id, fetched_at=NOW)


def recount(conn: Connection) -> dict[tuple[str, str], int]:
    """The counts made from scratch from every stored article's links."""
    links: dict[int, list[tuple[str, str, float, int]]] = {}
    query = select(
        article_channels.c.article_id,
        article_channels.c.channel_key,
        article_channels.c.role,
        article_channels.c.salience,
        article_channels.c.position,
    )
    for article_id, key, role, salience, position in conn.execute(query):
        links.setdefault(article_id, []).append((key, role, float(salience), int(position)))
    counted: Counter[tuple[str, str]] = Counter()
    for article_links in links.values():
        keys = cooccurrence.leading_keys(article_links)
        counted.update((a, b) for a in keys for b in keys)
    return dict(counted)


def test_counts_follow_stored_articles_and_rank_by_cosine(engine: Engine) -> None:
    with engine.begin() as conn:
        source = source_store.upsert_source(conn, Source(name="S", feed_url="http://127.0.0.1/f"))
        # "us" is named everywhere; "bo" only beside "ana", twice.
        for n in range(12):
            people = ["ana", "bo", "us"] if n < 2 else ["us", f"p{n}"]
            article_store.save_article(conn, made(n, people, source))
        first = article_store.article_id_for_url(conn, "http://127.0.0.1/0")
        assert first is not None
        article_store.update_article(conn, first, made(0, ["ana", "cy", "us"], source))
    with engine.connect() as conn:
        stored = {(a, b): n for a, b, n in conn.execute(select(channel_pairs)) if n}
        assert stored == recount(conn)
        near = [c["key"] for c in cooccurrence.seen_with(conn, ["person:ana"])]
    assert stored[("person:ana", "person:bo")] == 1  # the stored-again article was uncounted
    # Both named with Ana as often as the everywhere-channel, but far more particular to her.
    assert near.index("person:bo") < near.index("person:us")
    assert near.index("person:cy") < near.index("person:us")
