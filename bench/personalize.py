"""For You against recency-only and popularity-only feeds for simulated readers; one JSON line.

Usage: python bench/personalize.py [--readers 1000] [--articles 20000] [--days 7] [--seed 7]

Corpus (synthetic, described here because no labelled reading logs exist): `--articles`
articles from 40 sample publishers, published over `--days` days, are stored into a fresh
SQLite database as their day comes (ids in publication order, as ingestion gives them).
Each names 1 to 4 of 400 channels (people, places and topics) drawn from a Zipf
law (a few channels are in much of the news, most in little), and every article is in a
story of 1 to 5 articles (each story's articles share a channel and a day).

Readers: each of `--readers` has three hidden interests (channels drawn from the same Zipf
law, so many readers share the popular ones) and one publisher they dislike. On day 1 a
reader follows two of the three interests and mutes the disliked publisher, through the same
store tables the web app writes; the third interest stays hidden. Each day, at its end, every
reader's feed of 10 is asked of each method:
- for_you: web/foryou.py's for_you_view on the reader's follows and mutes (the page's code);
- recency: the 10 newest articles;
- popularity: the 10 articles most read so far.
An article is relevant to a reader when it names any of the three interests; nDCG@10 uses
binary relevance against the ideal of all relevant articles published up to that day. After
each day's feeds, every reader reads the relevant items of their For You (article_views, as
the page counts them), which is what popularity counts. `muted_shown` counts For You items
from a muted publisher (the bar: 0). Bar (issue 8): For You beats both baselines by at least
20% nDCG@10.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, insert, select

from broadsheet.store import open_database, write_transaction
from broadsheet.store.schema import (
    article_channels,
    article_views,
    articles,
    channels,
    follows,
    mutes,
    sources,
    stories,
    users,
)
from broadsheet.web.foryou import Interests, for_you_view

START = datetime(2026, 11, 1, tzinfo=UTC)
CHANNELS = 400
PUBLISHERS = 40
K = 10


def zipf_choice(rng: random.Random, n: int) -> int:
    """A channel index, channel i drawn in proportion to 1 / (i + 1)."""
    weights = getattr(zipf_choice, "_w", None)
    if weights is None or len(weights) != n:
        weights = [1 / (i + 1) for i in range(n)]
        zipf_choice._w = weights  # type: ignore[attr-defined]
    return rng.choices(range(n), weights=weights)[0]


def build_corpus(engine: Engine, count: int, days: int, rng: random.Random) -> Corpus:
    """Insert publishers, channels and stories; the articles, ids in publication order, wait
    for their day (`arrive`)."""
    keys = [
        f"person:p{i}" if i % 3 == 0 else f"place:{100000 + i}" if i % 3 == 1 else f"topic:t{i}"
        for i in range(CHANNELS)
    ]
    drafts: list[tuple[datetime, int, int, set[str]]] = []  # published, source, story, keys
    story_rows: list[dict[str, Any]] = []
    while len(drafts) < count:
        story_id = len(story_rows) + 1
        story_rows.append(
            {"id": story_id, "title": f"Story {story_id}", "created_at": START, "updated_at": START}
        )
        day_start = START + timedelta(days=rng.randrange(days))
        shared = keys[zipf_choice(rng, CHANNELS)]
        for _ in range(min(rng.randint(1, 5), count - len(drafts))):
            named = {shared} | {keys[zipf_choice(rng, CHANNELS)] for _ in range(rng.randint(0, 3))}
            published = day_start + timedelta(seconds=rng.uniform(0, 86400))
            drafts.append((published, rng.randrange(PUBLISHERS) + 1, story_id, named))
    drafts.sort(key=lambda d: d[0])
    made = [
        {"id": n + 1, "published": p, "source_id": s, "story_id": st, "keys": k}
        for n, (p, s, st, k) in enumerate(drafts)
    ]
    with write_transaction(engine) as conn:
        conn.execute(
            insert(sources),
            [
                {
                    "id": n + 1,
                    "name": f"Sample publisher {n}",
                    "feed_url": f"http://127.0.0.1/{n}",
                    "created_at": START,
                }
                for n in range(PUBLISHERS)
            ],
        )
        kinds = {"person": "person", "place": "city", "topic": "topic"}
        conn.execute(
            insert(channels),
            [{"key": k, "name": k.split(":")[1], "kind": kinds[k.split(":")[0]]} for k in keys],
        )
        conn.execute(insert(stories), story_rows)
    return Corpus(made)


class Corpus:
    """The articles, stored as their publication time comes."""

    def __init__(self, articles: list[dict[str, Any]]) -> None:
        self.articles = articles
        self.stored = 0

    def arrive(self, engine: Engine, now: datetime) -> list[dict[str, Any]]:
        """Store every article published by now; all published so far."""
        due = [a for a in self.articles[self.stored :] if a["published"] <= now]
        rows = [
            {
                "id": a["id"],
                "source_id": a["source_id"],
                "url": f"http://127.0.0.1/a/{a['id']}",
                "canonical_url": f"http://127.0.0.1/a/{a['id']}",
                "title": f"Article {a['id']}",
                "published": a["published"],
                "fetched_at": a["published"],
                "text": "",
                "images": [],
                "section": "world",
                "labels": [],
                "hashtags": [],
                "story_id": a["story_id"],
                "related_at": a["published"],
            }
            for a in due
        ]
        links = [
            {
                "article_id": a["id"],
                "channel_key": key,
                "role": "entity",
                "position": p,
                "salience": 1.0,
                "name": key,
                "kind": "person",
                "mentions": [],
            }
            for a in due
            for p, key in enumerate(sorted(a["keys"]))
        ]
        with write_transaction(engine) as conn:
            for start in range(0, len(rows), 5000):
                conn.execute(insert(articles), rows[start : start + 5000])
            for start in range(0, len(links), 5000):
                conn.execute(insert(article_channels), links[start : start + 5000])
        self.stored += len(due)
        return self.articles[: self.stored]


def make_readers(engine: Engine, count: int, rng: random.Random) -> list[dict[str, Any]]:
    """Readers with hidden interests, following two of them and muting one publisher."""
    keys = [row["key"] for row in _channel_rows(engine)]
    readers = []
    with write_transaction(engine) as conn:
        for n in range(count):
            interests: set[str] = set()
            while len(interests) < 3:
                interests.add(keys[zipf_choice(rng, CHANNELS)])
            ordered = sorted(interests)
            rng.shuffle(ordered)
            disliked = rng.randrange(PUBLISHERS) + 1
            conn.execute(
                insert(users).values(
                    id=n + 1, name=f"reader{n}", password_hash="-", created_at=START
                )
            )
            for key in ordered[:2]:
                conn.execute(
                    insert(follows).values(user_id=n + 1, target=f"channel:{key}", created_at=START)
                )
            conn.execute(
                insert(mutes).values(user_id=n + 1, target=f"source:{disliked}", created_at=START)
            )
            readers.append(
                {"id": n + 1, "interests": interests, "follows": ordered[:2], "muted": disliked}
            )
    return readers


def _channel_rows(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [
            dict(r)
            for r in conn.execute(select(channels.c.key).order_by(channels.c.key)).mappings()
        ]


def ndcg(ranked: list[int], relevant: set[int]) -> float:
    gain = sum(1 / math.log2(i + 2) for i, a in enumerate(ranked[:K]) if a in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(K, len(relevant))))
    return gain / ideal if ideal else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readers", type=int, default=1000)
    parser.add_argument("--articles", type=int, default=20000)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        engine = open_database(f"sqlite:///{tmp}/personalize.db")
        corpus = build_corpus(engine, args.articles, args.days, rng)
        readers = make_readers(engine, args.readers, rng)
        scores: dict[str, list[float]] = {"for_you": [], "recency": [], "popularity": []}
        muted_shown = 0
        for day in range(1, args.days + 1):
            now = START + timedelta(days=day)
            published = corpus.arrive(engine, now)
            newest = [
                a["id"]
                for a in sorted(published, key=lambda a: (a["published"], a["id"]), reverse=True)[
                    :K
                ]
            ]
            with engine.connect() as conn:
                popular = [
                    int(i)
                    for (i,) in conn.execute(
                        select(article_views.c.article_id)
                        .group_by(article_views.c.article_id)
                        .order_by(func.count().desc(), article_views.c.article_id.desc())
                        .limit(K)
                    )
                ]
            reads = []
            for reader in readers:
                relevant = {a["id"] for a in published if a["keys"] & reader["interests"]}
                interests = Interests(
                    follows=[f"channel:{k}" for k in reader["follows"]],
                    mutes=[f"source:{reader['muted']}"],
                )
                with engine.connect() as conn:
                    feed = for_you_view(conn, interests, now)["articles"][:K]
                ranked = [item["id"] for item in feed]
                muted_shown += sum(1 for item in feed if item["publisher"]["id"] == reader["muted"])
                scores["for_you"].append(ndcg(ranked, relevant))
                scores["recency"].append(ndcg(newest, relevant))
                scores["popularity"].append(ndcg(popular or newest, relevant))
                reads += [
                    {"article_id": i, "reader": f"user:{reader['id']}", "viewed_at": now}
                    for i in ranked
                    if i in relevant
                ]
            with write_transaction(engine) as conn:
                known = {
                    (r.article_id, r.reader)
                    for r in conn.execute(
                        select(article_views.c.article_id, article_views.c.reader)
                    )
                }
                fresh = [r for r in reads if (r["article_id"], r["reader"]) not in known]
                if fresh:
                    conn.execute(insert(article_views), fresh)
        engine.dispose()
    means = {name: round(statistics.fmean(values), 4) for name, values in scores.items()}
    best_baseline = max(means["recency"], means["popularity"])
    print(
        json.dumps(
            {
                "benchmark": "personalize",
                "readers": args.readers,
                "articles": args.articles,
                "days": args.days,
                "ndcg10": means,
                "gain_over_best_baseline": round(means["for_you"] / best_baseline - 1, 3)
                if best_baseline
                else None,
                "muted_shown": muted_shown,
                "seconds": round(time.perf_counter() - started, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
