"""Related lists on BBC News, and what the article page pays for one at 10k and 100k stored
articles; one JSON line.

Usage: python bench/related.py [--per-class 100] [--sizes 10000,100000] [--queries 200]

Quality. `--per-class` BBC News articles of each of its five classes (500 by default, a seeded
sample) are analysed in this process by the models ingestion uses (pipeline.analyze_draft),
given one of ten sample publishers in turn and a publication time spread over 30 days, and
stored one by one through pipeline.store_article into a fresh SQLite database: copy check,
story graph, and the related list ranked when the article is stored; the lists made due by
growing stories are then ranked again as an ingestion run does (refresh_due). Each article's
list is then read as its page reads it (web/views.py), and scored:
- `same_class_share`: the share of listed items in the article's BBC class (ranking never
  sees the classes); `baseline_same_class_share` in the same run: the 12 nearest articles by
  TF-IDF cosine over the same 500 (a plain content-based recommender);
- `publishers_per_list`: distinct publishers per list (10 at most); `list_length` the mean
  length; `with_list` the share of articles with a non-empty list.

Scale. The database is then grown to each of `--sizes` stored articles by cloning the analysed
ones (synthetic scale-up): each clone copies a random analysed article's row and channel links
(its people, places and topic), with a new URL, a publication time spread uniformly over 365
days (so a 30-day related window holds about a twelfth of the corpus), its embedding moved by
noise (cosine about 0.9 to the original), and a story shared with three other clones. For
`--queries` random clones (after 20 untimed ones), `ms_per_rank` is the median time to rank
and store one list (what storing an article or refreshing a due list costs) and `ms_per_list`
the median time of the article page's related list (reading the stored list and its cards,
web/views.py).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Engine, func, insert, select

from broadsheet.models import Article, ArticleDraft, Source
from broadsheet.pipeline import related
from broadsheet.pipeline.analysis import analyze_draft
from broadsheet.pipeline.entries import store_article
from broadsheet.pipeline.stories import LiveStories
from broadsheet.store import articles as article_store
from broadsheet.store import open_database, write_transaction
from broadsheet.store import related as related_store
from broadsheet.store import sources as source_store
from broadsheet.store.schema import article_channels, articles, stories
from broadsheet.web import views

DATASET = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "bbc-news" / "bbc"
CLASSES = ("business", "entertainment", "politics", "sport", "tech")
PUBLISHERS = 10
WARM_UP = 20  # queries run before the timed ones at each size
START = datetime(2026, 1, 1, tzinfo=UTC)
_WORD = re.compile(r"[a-z]+")


def read_sample(per_class: int, seed: int) -> list[tuple[str, str, str]]:
    """(class, title, body) of per_class seeded articles of each class, shuffled together."""
    rng = random.Random(seed)
    picked = []
    for name in CLASSES:
        paths = sorted((DATASET / name).glob("*.txt"))
        for path in rng.sample(paths, min(per_class, len(paths))):
            title, _, body = path.read_text(encoding="utf-8", errors="replace").partition("\n")
            picked.append((name, title.strip(), body.strip()))
    rng.shuffle(picked)
    return picked


def store_sample(engine: Engine, docs: list[tuple[str, str, str]], seed: int) -> list[int]:
    """Analyse and store each document as ingestion does; their article ids, in order."""
    rng = random.Random(seed)
    with write_transaction(engine) as conn:
        sources = [
            source_store.upsert_source(
                conn, Source(name=f"Sample publisher {n}", feed_url=f"http://127.0.0.1/{n}.xml")
            )
            for n in range(PUBLISHERS)
        ]
    live, ids = LiveStories(), []
    for n, (_, title, body) in enumerate(docs):
        published = START + timedelta(seconds=rng.uniform(0, 30 * 86400))
        url = f"http://127.0.0.1/bbc/{n}"
        draft = ArticleDraft(url, url, title, "", published, "en", body)
        article = Article(draft, analyze_draft(draft), sources[n % PUBLISHERS], fetched_at=START)
        with write_transaction(engine) as conn:
            ids.append(store_article(conn, article, published, live))
    return ids


def refresh(engine: Engine) -> None:
    """Rank again every list made due by stories that grew (as refresh_due does)."""
    while True:
        with engine.connect() as conn:
            due = related_store.due_ids(conn, 100)
        if not due:
            return
        with write_transaction(engine) as conn:
            for article_id in due:
                related.store(conn, article_id, START)


def page_list(engine: Engine, article_id: int) -> list[dict[str, Any]]:
    """The article page's related list."""
    with engine.connect() as conn:
        row = article_store.get_article(conn, article_id)
        assert row is not None
        return views._related(conn, row, related.LIST_SIZE)


def quality(engine: Engine, ids: list[int], docs: list[tuple[str, str, str]]) -> dict[str, float]:
    """Same-class share, publishers and length of the stored lists, and the TF-IDF peer's."""
    label = dict(zip(ids, (doc[0] for doc in docs), strict=True))
    same = listed = publishers = nonempty = 0
    for article_id in ids:
        items = page_list(engine, article_id)
        listed += len(items)
        same += sum(label.get(item["id"]) == label[article_id] for item in items)
        publishers += len({item["publisher"]["id"] for item in items if item["publisher"]})
        nonempty += bool(items)
    return {
        "same_class_share": round(same / max(1, listed), 4),
        "baseline_same_class_share": baseline_share(docs),
        "publishers_per_list": round(publishers / max(1, nonempty), 2),
        "list_length": round(listed / len(ids), 2),
        "with_list": round(nonempty / len(ids), 4),
    }


def baseline_share(docs: list[tuple[str, str, str]], k: int = 12) -> float:
    """Same-class share of each article's k nearest neighbours by TF-IDF cosine."""
    words = [_WORD.findall(f"{title} {body}".lower()) for _, title, body in docs]
    df = Counter(w for doc in words for w in set(doc))
    vocab = {w: n for n, w in enumerate(sorted(w for w, c in df.items() if c >= 2))}
    matrix = np.zeros((len(docs), len(vocab)), dtype=np.float32)
    for row, doc in enumerate(words):
        for w in doc:
            if w in vocab:
                matrix[row, vocab[w]] += 1.0
    matrix *= np.log(len(docs) / np.array([df[w] for w in vocab], dtype=np.float32))
    matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-9)
    sims = matrix @ matrix.T
    np.fill_diagonal(sims, -1.0)
    nearest = np.argsort(-sims, axis=1)[:, :k]
    labels = np.array([doc[0] for doc in docs])
    return round(float((labels[nearest] == labels[:, None]).mean()), 4)


def grow(engine: Engine, base: list[int], size: int, rng: np.random.Generator) -> list[int]:
    """Clone analysed articles until `size` are stored; the ids of the clones added."""
    with engine.connect() as conn:
        rows = {
            r["id"]: dict(r)
            for r in conn.execute(select(articles).where(articles.c.id.in_(base))).mappings()
        }
        links: dict[int, list[dict[str, Any]]] = {}
        for link in conn.execute(
            select(article_channels).where(article_channels.c.article_id.in_(base))
        ).mappings():
            links.setdefault(link["article_id"], []).append(dict(link))
        stored = int(conn.execute(select(func.count()).select_from(articles)).scalar_one())
        next_id = int(conn.execute(select(func.max(articles.c.id))).scalar_one()) + 1
    added: list[int] = []
    for start in range(0, max(0, size - stored), 5000):
        count = min(5000, size - stored - start)
        with write_transaction(engine) as conn:
            story_ids = _new_stories(conn, (count + 3) // 4)
            clones, clone_links = [], []
            for n in range(count):
                article_id = next_id + start + n
                source = rows[base[int(rng.integers(len(base)))]]
                vector = np.frombuffer(source["embedding"], dtype=np.float32)
                noisy = vector + rng.normal(size=vector.shape).astype(np.float32) * 0.025
                clones.append(
                    {
                        **source,
                        "id": article_id,
                        "url": f"http://127.0.0.1/clone/{article_id}",
                        "canonical_url": f"http://127.0.0.1/clone/{article_id}",
                        "published": START + timedelta(seconds=float(rng.uniform(0, 365 * 86400))),
                        "embedding": (noisy / np.linalg.norm(noisy)).astype(np.float32).tobytes(),
                        "copy_of": None,
                        "story_id": story_ids[n // 4],
                        "related_at": None,
                    }
                )
                clone_links += [
                    {**link, "article_id": article_id} for link in links.get(source["id"], [])
                ]
                added.append(article_id)
            conn.execute(insert(articles), clones)
            conn.execute(insert(article_channels), clone_links)
    return added


def _new_stories(conn: Any, count: int) -> list[int]:
    first = int(conn.execute(select(func.coalesce(func.max(stories.c.id), 0))).scalar_one()) + 1
    ids = list(range(first, first + count))
    rows = [{"id": i, "title": "", "created_at": START, "updated_at": START} for i in ids]
    conn.execute(insert(stories), rows)
    return ids


def timing(engine: Engine, clones: list[int], queries: int, rng: random.Random) -> dict[str, float]:
    """Median ms to rank and store one list, and to serve the page's list from the store."""
    ranked, served = [], []
    picked = rng.sample(clones, min(queries + WARM_UP, len(clones)))
    for article_id in picked[:WARM_UP]:  # the database's pages read once, untimed
        page_list(engine, article_id)
    for article_id in picked[WARM_UP:]:
        start = time.perf_counter()
        with write_transaction(engine) as conn:
            related.store(conn, article_id, START)
        ranked.append(time.perf_counter() - start)
        start = time.perf_counter()
        page_list(engine, article_id)
        served.append(time.perf_counter() - start)
    return {
        "ms_per_rank": round(statistics.median(ranked) * 1000, 2),
        "ms_per_list": round(statistics.median(served) * 1000, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-class", type=int, default=100)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    if not DATASET.is_dir():
        sys.exit(f"related: the BBC News set is missing at {DATASET}")
    docs = read_sample(args.per_class, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        engine = open_database(f"sqlite:///{tmp}/related.db")
        started = time.perf_counter()
        ids = store_sample(engine, docs, args.seed)
        refresh(engine)
        out: dict[str, Any] = {"benchmark": "related", "articles": len(ids)}
        out.update(quality(engine, ids, docs))
        out["store_seconds"] = round(time.perf_counter() - started, 1)
        rng, pick = np.random.default_rng(args.seed), random.Random(args.seed)
        per_size: dict[str, dict[str, float]] = {}
        for size in sorted(int(s) for s in args.sizes.split(",")):
            clones = grow(engine, ids, size, rng)
            per_size[f"{size // 1000}k"] = timing(engine, clones, args.queries, pick)
        out["ms_per_list"] = {k: v["ms_per_list"] for k, v in per_size.items()}
        out["ms_per_rank"] = {k: v["ms_per_rank"] for k, v in per_size.items()}
        engine.dispose()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
