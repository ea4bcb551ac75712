"""Time to place one new article (copy check + story assignment) as the corpus grows; one JSON line.

Usage: python bench/cluster_scale.py [--sizes 10000,100000,1000000] [--queries 300]

What is placed is what `broadsheet analyze --corpus` and ingestion do for each article: the
copy check (the text's LSH bands looked up in the band index, containment against the
candidates found) and the story graph's placement (nearest neighbours from the HNSW index,
likeness to each, density, join, merge or split: stories/graph.py).

Synthetic scale-up, all of it inside one story window (the worst case: ingestion keeps only
two windows in its graph, so a real corpus of 1M spread over months holds far fewer):
- N stored articles in E = N / 8 events; each article's vector is its event's centre plus
  noise (cosine ~0.8 within an event), its lede 40 words drawn from a Zipf vocabulary of 50k
  words plus 10 words of its event; every 8th article shares its text with another (a copy);
- they go into the index, the graph and the band index directly (as `add_known` leaves them,
  edges aside), not through `add`, which would take hours at 1M; one in 100 has its text's
  real LSH bands (the copies placed are drawn from those), the others random band keys;
- then `--queries` new articles (half of them about existing events, a tenth of them copies)
  are placed one at a time, and the median milliseconds per placement are reported.
Beside the times, `ann_recall_at_50`: the share of the exact 50 nearest stored vectors (numpy
over all of them) that the HNSW search finds, over 30 queries.
The bar (issue 7): at 1M, no more than 3 times the cost at 10k (`ratio_1m_10k`).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy as np

from broadsheet.models import ArticleSummary
from broadsheet.stories.dedupe import find_original
from broadsheet.stories.graph import Node, StoryGraph, lede_terms
from broadsheet.stories.minhash import text_bands

DIMENSIONS = 384
BANDED = 100  # one stored article in this many has its text's real bands
VOCABULARY = 50_000


class World:
    """A synthetic corpus: event centres, a Zipf vocabulary, and text for any article."""

    def __init__(self, events: int, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.centres = self._unit(self.rng.normal(size=(events, DIMENSIONS)).astype(np.float32))
        weights = 1.0 / np.arange(1, VOCABULARY + 1)
        self.word_p = weights / weights.sum()
        self._words: list[list[int]] = []

    @staticmethod
    def _unit(m: np.ndarray) -> np.ndarray:
        return m / np.linalg.norm(m, axis=-1, keepdims=True)

    def vectors(self, events: np.ndarray) -> np.ndarray:
        noise = self.rng.normal(size=(len(events), DIMENSIONS)).astype(np.float32) * 0.04
        return self._unit(self.centres[events] + noise).astype(np.float32)

    def text(self, event: int) -> str:
        if not self._words:  # drawn in bulk: one draw at a time is slow with 50k weights
            self._words = self.rng.choice(VOCABULARY, size=(10_000, 40), p=self.word_p).tolist()
        words = self._words.pop()
        own = [f"e{event}w{n}" for n in range(10)]
        return " ".join([*own, *(f"w{w}" for w in words)])


def summary(key: int, text: str) -> ArticleSummary:
    return ArticleSummary(
        id=key,
        source_id=None,
        title="",
        text=text,
        published=None,
        wire_source=None,
        embedding=np.zeros(0),
        copy_of=None,
        story_id=None,
        channel_keys=frozenset(),
    )


def build(
    size: int, seed: int
) -> tuple[World, StoryGraph, dict[int, list[int]], list[str], np.ndarray]:
    """A graph, band index, texts and vectors of `size` synthetic stored articles."""
    events = max(1, size // 8)
    world = World(events, seed)
    graph = StoryGraph()
    bands: dict[int, list[int]] = {}
    texts: list[str] = []
    event_of = world.rng.integers(0, events, size=size)
    stored = np.zeros((size, DIMENSIONS), dtype=np.float32)
    for start in range(0, size, 50_000):
        chunk = event_of[start : start + 50_000]
        vectors = stored[start : start + len(chunk)] = world.vectors(chunk)
        keys = np.arange(start, start + len(chunk), dtype=np.uint64)
        graph.index.add_many(keys, vectors, threads=0)  # the build, not what is timed
        for offset, event in enumerate(chunk):
            key = start + offset
            copy = key % 8 == 7 and key > 0
            text = texts[key - 1] if copy else world.text(int(event))
            texts.append(text)
            terms = lede_terms("", text)
            graph.nodes[key] = Node(key, vectors[offset], terms, None)
            graph.story_of[key] = int(event)
            graph.members.setdefault(int(event), set()).add(key)
            graph._df.update(terms.keys())
            if key % BANDED == 0:  # the texts copies are drawn from: their real bands
                for band in text_bands(text):
                    bands.setdefault(band, []).append(key)
            else:  # the others: as many entries, without the hashing (a lookup costs the same)
                for band in world.rng.integers(-(2**63), 2**63 - 1, size=32).tolist():
                    bands.setdefault(band, []).append(key)
    graph._docs = size
    opened = iter(range(events, 10**12))
    graph.new_story = lambda _key: next(opened)
    return world, graph, bands, texts, stored


def place_one(
    graph: StoryGraph,
    bands: dict[int, list[int]],
    texts: list[str],
    key: int,
    text: str,
    v: np.ndarray,
) -> None:
    """What the corpus linker does for one article: copy check, then story placement."""
    found = {i for band in text_bands(text) for i in bands.get(band, ())}
    original = find_original(text, [summary(i, texts[i]) for i in sorted(found)])
    if original is None:
        graph.add(key, v, lede_terms("", text), None)


def measure(size: int, queries: int, seed: int) -> dict[str, float]:
    started = time.perf_counter()
    world, graph, bands, texts, stored = build(size, seed)
    built = time.perf_counter() - started
    recall = ann_recall(graph, world, stored)
    events = len(world.centres)
    spent: list[float] = []
    for q in range(queries):
        key = size + q
        event = int(world.rng.integers(0, events)) if q % 2 == 0 else events + q
        if event >= events:  # a new event: a new centre
            centre = world.rng.normal(size=(1, DIMENSIONS)).astype(np.float32)
            world.centres = np.vstack([world.centres, world._unit(centre)])
            event = len(world.centres) - 1
        copied = texts[int(world.rng.integers(0, size // BANDED)) * BANDED]
        text = copied if q % 10 == 9 else world.text(event)
        vector = world.vectors(np.array([event]))[0]
        start = time.perf_counter()
        place_one(graph, bands, texts, key, text, vector)
        spent.append(time.perf_counter() - start)
        texts.append(text)
    return {
        "ms_per_article": round(statistics.median(spent) * 1000, 3),
        "p90_ms": round(float(np.percentile(spent, 90)) * 1000, 3),
        "ann_recall_at_50": recall,
        "build_seconds": round(built, 1),
    }


def ann_recall(graph: StoryGraph, world: World, stored: np.ndarray, queries: int = 30) -> float:
    """Share of the exact 50 nearest stored vectors that the HNSW search finds."""
    found = 0
    for event in world.rng.integers(0, len(world.centres), size=queries):
        vector = world.vectors(np.array([event]))[0]
        exact = set(np.argpartition(-(stored @ vector), 50)[:50].tolist())
        found += len(exact & {key for key, _ in graph.index.search(vector, 50)})
    return round(found / (50 * queries), 4)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results = {str(size): measure(size, args.queries, args.seed) for size in sizes}
    out: dict[str, object] = {"benchmark": "cluster_scale", "sizes": results}
    small, large = str(min(sizes)), str(max(sizes))
    ratio = results[large]["ms_per_article"] / results[small]["ms_per_article"]
    out[f"ratio_{'1m' if large == '1000000' else large}_{'10k' if small == '10000' else small}"] = (
        round(ratio, 3)
    )
    print(json.dumps(out))


if __name__ == "__main__":
    main()
