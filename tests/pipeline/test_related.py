"""Related lists ranked when an article is stored, due again when its story grows, read by
the page; at 100k stored articles an old article still finds its neighbours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy import Engine, insert, select

from broadsheet.models import Article, ArticleDraft, Enrichment, Entity, Source
from broadsheet.pipeline import Context
from broadsheet.pipeline.entries import store_article
from broadsheet.pipeline.related import rank, refresh_due
from broadsheet.store import related as related_store
from broadsheet.store import sources as source_store
from broadsheet.store.schema import article_channels, articles, channels, ingest_errors
from broadsheet.web.views import article_view, channel_view

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
RNG = np.random.default_rng(5)


def unit(v: np.ndarray) -> np.ndarray:
    return (v / np.linalg.norm(v)).astype(np.float32)


def made(n: int, vector: np.ndarray, source_id: int, people: list[str], text: str = "") -> Article:
    draft = ArticleDraft(
        url=f"http://127.0.0.1/{n}",
        canonical_url=f"http://127.0.0.1/{n}",
        title=f"Headline {n}",
        byline="",
        published=NOW + timedelta(minutes=n),
        language="en",
        text=text or " ".join(f"w{n}x{i}" for i in range(12)),
    )
    entities = [Entity(p.title(), "person", f"person:{p}", 1.0) for p in people]
    enrichment = Enrichment(entities, [], [], "world", [], [], None, [float(x) for x in vector])
    return Article(draft=draft, enrichment=enrichment, source_id=source_id, fetched_at=NOW)


def publishers(engine: Engine, count: int) -> list[int]:
    with engine.begin() as conn:
        return [
            source_store.upsert_source(conn, Source(name=f"P{n}", feed_url=f"http://127.0.0.1/{n}"))
            for n in range(count)
        ]


def related_of(engine: Engine, article_id: int) -> list[dict[str, object]] | None:
    with engine.connect() as conn:
        return related_store.stored_list(conn, article_id)


def test_lists_are_stored_then_ranked_again_when_the_story_grows(ctx: Context) -> None:
    engine, live = ctx.engine, ctx.stories
    p = publishers(engine, 3)
    event, other = unit(RNG.normal(size=384)), unit(RNG.normal(size=384))
    wire = "LONDON (Meridian Wire) - " + " ".join(f"word{n}" for n in range(60))
    with engine.begin() as conn:
        first = store_article(conn, made(1, event, p[0], ["ana"], wire), NOW, live)
        about_ana = store_article(conn, made(2, other, p[1], ["ana"]), NOW, live)
    # Ranked when stored: what was there then.
    assert related_of(engine, first) == []
    assert related_of(engine, about_ana) == [{"related_id": first, "reason": "Also about Ana"}]
    with engine.begin() as conn:  # a copy of the first joins its story: the story grew
        copy = store_article(conn, made(3, other, p[2], [], wire), NOW, live)
    assert related_of(engine, first) is None
    assert refresh_due(ctx) == 1
    # The copy of its own text is never among them.
    assert [item["related_id"] for item in related_of(engine, first) or []] == [about_ana]
    with engine.connect() as conn:  # one carrier of each wire text, never both
        assert len({first, copy} & {r.id for r in rank(conn, about_ana)}) == 1
        feed = channel_view(conn, "topic:world")
    assert feed is not None  # a channel's feed shows the text once, as its original
    assert {card["id"] for card in feed["articles"]} == {first, about_ana}
    with engine.begin() as conn:  # a second publisher's take on the same event
        take = store_article(conn, made(4, unit(event + 0.05 * other), p[1], []), NOW, live)
    assert related_of(engine, first) is None  # its story grew: the list is due
    with engine.connect() as conn:  # the page ranks a due list for itself, same story first
        page = article_view(conn, first)
    assert page is not None and [r["id"] for r in page["related"]] == [take, about_ana]
    assert page["related"][0]["reason"] == "Same story" and page["related"][0]["label"]
    assert refresh_due(ctx) >= 1
    stored = related_of(engine, first)
    assert stored is not None and [item["related_id"] for item in stored] == [take, about_ana]
    with engine.connect() as conn:
        assert related_store.due_ids(conn, 10) == []


def test_an_old_article_finds_its_neighbours_after_100k_newer_articles(engine: Engine) -> None:
    """Candidates come from postings around the article, not from the newest N."""
    (source,) = publishers(engine, 1)
    vector = unit(RNG.normal(size=384)).tobytes()
    with engine.begin() as conn:
        conn.execute(
            insert(channels),
            [{"key": k, "name": k, "kind": "person"} for k in ("person:ana", "person:bo")],
        )
        rows = [_row(n, source, vector) for n in range(100_002)]
        for start in range(0, len(rows), 5000):
            conn.execute(insert(articles), rows[start : start + 5000])
        ids = [int(i) for (i,) in conn.execute(select(articles.c.id).order_by(articles.c.id))]
        # The first two share Ana; the 100k after them share Bo with the second.
        links = [_link(ids[0], "person:ana"), _link(ids[1], "person:ana")]
        links += [_link(i, "person:bo") for i in ids[1:]]
        for start in range(0, len(links), 5000):
            conn.execute(insert(article_channels), links[start : start + 5000])
    with engine.connect() as conn:
        found = rank(conn, ids[0])
        candidates = related_store.candidates(
            conn, ids[1], None, NOW - timedelta(days=30), NOW + timedelta(days=30)
        )
    assert [r.id for r in found] == [ids[1]]
    # Bounded by the postings read, whatever the corpus: 40 on each side of each subject.
    assert ids[0] in candidates and len(candidates) <= 2 * related_store.PER_SUBJECT * 2


def _row(n: int, source: int, vector: bytes) -> dict[str, object]:
    return {
        "source_id": source,
        "url": f"http://127.0.0.1/a/{n}",
        "canonical_url": f"http://127.0.0.1/a/{n}",
        "title": f"Headline {n}",
        "published": NOW + timedelta(seconds=n),
        "fetched_at": NOW,
        "text": "",
        "images": [],
        "section": "world",
        "labels": [],
        "hashtags": [],
        "embedding": vector,
    }


def _link(article_id: int, key: str) -> dict[str, object]:
    return {
        "article_id": article_id,
        "channel_key": key,
        "role": "entity",
        "position": 0,
        "salience": 1.0,
        "name": key,
        "kind": "person",
        "mentions": [],
    }


def test_a_list_that_cannot_be_ranked_is_kept_empty_and_the_batch_goes_on(ctx: Context) -> None:
    """A damaged row (an embedding cut to 3 bytes) fails the lists it is a candidate of, each
    recorded for the operator; the batch goes on and nothing stays due."""
    engine, live = ctx.engine, ctx.stories
    p = publishers(engine, 2)
    vector = unit(RNG.normal(size=384))
    with engine.begin() as conn:
        ids = [
            store_article(conn, made(n, vector, p[n % 2], ["ana"]), NOW, live) for n in (1, 2, 3)
        ]
        elsewhere = unit(RNG.normal(size=384))  # another story, three months on
        far = store_article(conn, made(4, elsewhere, p[0], ["bo"]), NOW, live)
        near_far = store_article(conn, made(5, elsewhere, p[1], ["bo"]), NOW, live)
        later = NOW + timedelta(days=90)
        conn.execute(
            articles.update().where(articles.c.id.in_([far, near_far])).values(published=later)
        )
        conn.execute(articles.update().where(articles.c.id == ids[1]).values(embedding=b"abc"))
        conn.execute(articles.update().values(related_at=None))
    assert refresh_due(ctx) == 5
    with engine.connect() as conn:
        assert related_store.due_ids(conn, 10) == []
        errors = conn.execute(select(ingest_errors.c.stage, ingest_errors.c.message)).all()
    assert all(related_of(engine, i) == [] for i in ids)
    # The healthy pair after the failures was ranked: the batch went on.
    assert [item["related_id"] for item in related_of(engine, far) or []] == [near_far]
    assert len(errors) == 3 and {stage for stage, _ in errors} == {"related"}
    assert all("ValueError" in message for _, message in errors)
