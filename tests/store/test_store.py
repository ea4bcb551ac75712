"""The store on a real database (SQLite, and PostgreSQL when BROADSHEET_TEST_PG is set)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy import Engine, select

from broadsheet.models import (
    Article,
    ArticleDraft,
    Enrichment,
    Entity,
    Image,
    LocalChannel,
    Mention,
    Place,
    Source,
)
from broadsheet.store import articles as article_store
from broadsheet.store import channels as channel_store
from broadsheet.store import cooccurrence, migrate, search
from broadsheet.store import sources as source_store
from broadsheet.store.database import head_revision
from broadsheet.store.schema import article_channels

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def make_article(url: str, title: str, text: str, source_id: int, hours: int = 0) -> Article:
    vector = np.zeros(384, dtype=np.float32)
    vector[hours % 384] = 1.0
    draft = ArticleDraft(
        url=url,
        canonical_url=url,
        title=title,
        byline="Ana Ruiz",
        published=NOW - timedelta(hours=hours),
        language="en",
        text=text,
        images=[Image(url="http://127.0.0.1/x.png", caption="A caption")],
    )
    enrichment = Enrichment(
        entities=[
            Entity(
                "Dana Whitfield",
                "person",
                "person:dana-whitfield",
                0.9,
                [Mention(0, 14, "Dana Whitfield")],
            ),
            Entity("Chicago", "place", "place:4887398", 0.5, [Mention(20, 27, "Chicago")]),
        ],
        places=[
            Place(
                "Chicago",
                "city",
                4887398,
                41.85,
                -87.65,
                "US",
                "IL",
                [Mention(20, 27, "Chicago")],
                "place:4887398",
            )
        ],
        local_channels=[
            LocalChannel("Chicago, IL", "city", 4887398, "place:4887398"),
            LocalChannel("Illinois", "state", 4896861, "place:4896861"),
        ],
        section="local",
        labels=["LOCAL"],
        hashtags=["Dana Whitfield", "Chicago"],
        wire_source=None,
        embedding=[float(x) for x in vector],
    )
    return Article(draft=draft, enrichment=enrichment, source_id=source_id, fetched_at=NOW)


def add_source(engine: Engine, feed_url: str = "http://127.0.0.1/feed.xml") -> int:
    with engine.begin() as conn:
        return source_store.upsert_source(conn, Source(name="The Ledger", feed_url=feed_url))


def test_saving_twice_keeps_one_article(engine: Engine) -> None:
    source_id = add_source(engine)
    article = make_article(
        "http://127.0.0.1/a.html",
        "Bridge reopens",
        "Dana Whitfield in Chicago said the bridge reopens.",
        source_id,
    )
    with engine.begin() as conn:
        first = article_store.save_article(conn, article)
    with engine.begin() as conn:
        second = article_store.save_article(conn, article)
        assert first == second
        assert article_store.count_articles(conn) == 1
        links = conn.execute(
            select(article_channels).where(article_channels.c.article_id == first)
        ).all()
    roles = sorted({row.role for row in links})
    assert roles == ["entity", "local", "place", "topic"]


def test_article_round_trip_keeps_times_images_and_embedding(engine: Engine) -> None:
    source_id = add_source(engine)
    article = make_article(
        "http://127.0.0.1/b.html",
        "Budget vote",
        "Dana Whitfield, Chicago budget.",
        source_id,
        hours=3,
    )
    with engine.begin() as conn:
        article_id = article_store.save_article(conn, article)
    with engine.connect() as conn:
        row = article_store.get_article(conn, article_id)
        summaries = article_store.summaries_for(conn, [article_id])
    assert row is not None
    assert row["published"] == NOW - timedelta(hours=3)
    assert row["images"] == [{"url": "http://127.0.0.1/x.png", "caption": "A caption"}]
    assert summaries[0].embedding[3] == 1.0
    assert "person:dana-whitfield" in summaries[0].channel_keys


def test_channels_are_shared_and_counted(engine: Engine) -> None:
    source_id = add_source(engine)
    with engine.begin() as conn:
        for n in range(3):
            article_store.save_article(
                conn,
                make_article(
                    f"http://127.0.0.1/{n}.html",
                    f"Story {n}",
                    "Dana Whitfield in Chicago.",
                    source_id,
                    hours=n,
                ),
            )
    with engine.connect() as conn:
        channel = channel_store.get_channel(conn, "person:dana-whitfield")
        near = cooccurrence.seen_with(conn, ["person:dana-whitfield"])
        cards = article_store.card_rows(conn, channel_key="place:4887398")
        stats = source_store.source_stats(conn, source_id)
    assert channel is not None and channel["articles_count"] == 3
    assert {c["key"] for c in near} >= {"place:4887398", "topic:local"}
    assert [c["title"] for c in cards] == ["Story 0", "Story 1", "Story 2"]
    assert stats == {"followers": 0, "posts": 3, "views": 0}


def test_full_text_search_ranks_and_ignores_syntax(engine: Engine) -> None:
    source_id = add_source(engine)
    with engine.begin() as conn:
        a = article_store.save_article(
            conn,
            make_article(
                "http://127.0.0.1/s1.html",
                "Flood barriers rise on the river",
                "Engineers raised flood barriers.",
                source_id,
            ),
        )
        article_store.save_article(
            conn,
            make_article(
                "http://127.0.0.1/s2.html",
                "Council budget",
                "The council passed a budget.",
                source_id,
            ),
        )
    with engine.connect() as conn:
        assert [hit.id for hit in search.search(conn, "flood barriers")] == [a]
        assert [hit.id for hit in search.search(conn, 'barriers" * (')] == [a]
        assert search.search(conn, "   ") == []


def test_search_filters_orders_and_marks_the_words(engine: Engine) -> None:
    source_id = add_source(engine)
    other = add_source(engine, "http://127.0.0.1/other.xml")
    rows = [  # (publisher, hours ago, title); make_article links every one to Dana Whitfield
        (source_id, 30, "Harbour storm closes the port"),
        (other, 2, "Storm warning for the harbour"),
        (source_id, 1, "Council meets"),
    ]
    with engine.begin() as conn:
        ids = [
            article_store.save_article(
                conn, make_article(f"http://127.0.0.1/f{n}.html", title, title + ".", src, hours)
            )
            for n, (src, hours, title) in enumerate(rows)
        ]
    with engine.connect() as conn:
        newest = search.search(conn, "storm harbour", by_date=True)
        assert [hit.id for hit in newest] == [ids[1], ids[0]]
        only_other = search.search(conn, "storm", search.Filters(source_id=other))
        assert [hit.id for hit in only_other] == [ids[1]]
        since = NOW - timedelta(hours=10)
        assert [h.id for h in search.search(conn, "storm", search.Filters(since=since))] == [ids[1]]
        until = NOW - timedelta(hours=10)
        assert [h.id for h in search.search(conn, "storm", search.Filters(until=until))] == [ids[0]]
        about = search.Filters(channel_key="person:dana-whitfield", section="local")
        assert len(search.search(conn, "storm", about)) == 2
        assert search.search(conn, "storm", search.Filters(section="sports")) == []
        snippet = search.search(conn, "closes", search.Filters(source_id=source_id))[0].snippet
    assert f"{search.MARK_START}closes{search.MARK_END}" in snippet.lower()


def test_errors_are_kept_for_operators(engine: Engine) -> None:
    source_id = add_source(engine)
    with engine.begin() as conn:
        source_store.record_error(conn, source_id, "http://127.0.0.1/bad", "feed", "not a feed")
    with engine.connect() as conn:
        (error,) = source_store.recent_errors(conn)
    assert error["message"] == "not a feed" and error["stage"] == "feed"


def test_migrate_is_idempotent(engine: Engine) -> None:
    assert migrate(engine) == migrate(engine) == head_revision() == "0011"
