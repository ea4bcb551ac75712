"""Time to place one new article (copy check + story assignment) as the corpus grows; one JSON line.

Usage: python bench/cluster_scale.py [--sizes 10000,100000,1000000] [--queries 300]

What is timed is what `broadsheet analyze --corpus` and ingestion do for each article: the
copy check (the text's LSH bands looked up in the band index, containment against the
candidates found: stories/dedupe.py) and the story graph's placement (nearest neighbours from
the HNSW index, likeness to each, density, join, merge or split: stories/graph.py).

The corpus is synthetic, all of it inside one story window (the worst case: ingestion keeps
only two windows in its graph, so a real corpus of 1M spread over months holds far fewer):
- N stored articles in E = N / 8 events whose centres are drawn at random on the 384-d sphere
  (two events are near-orthogonal); an article's vector is its event's centre plus Gaussian
  noise (cosine ~0.8 within an event, 0 +- 0.05 across); its text is 10 words of its event
  then 40 words drawn from a Zipf vocabulary of 50k words; every 8th article carries the text
  of the one before it (a copy). Vectors and words are drawn by numpy, 50k articles at a time.
- They are put in place directly, not through `add`, which would take hours at 1M: the vectors
  into the graph's VectorIndex (production parameters, stories/index.py; in bulk on all cores,
  most of the build time), a Node per article with its text's lede_terms, its event as its
  story and the document frequencies, as `add_known` leaves them (no edges, densities at the
  prior).
- The band index has 32 entries per article: one article in 100 has its text's real LSH bands
  (the copies placed are drawn from those), the others 32 random band keys (as many entries,
  without the hashing). It is one sorted array of band keys with offsets into an array of
  article ids, built by numpy in seconds (a dict of 32M lists took minutes and gigabytes at
  1M); a lookup is a binary search per band, the cost shape of the store's B-tree index on
  article_bands (analyze's CorpusLinker holds a dict): microseconds either way, beside the
  milliseconds of a placement.
- Then `--queries` new articles (half of them about existing events, a tenth of them copies)
  are placed one at a time; the median milliseconds per placement are reported.

Recall of the HNSW search, over 30 queries about existing events:
- `event_recall`, the one that matters: the share of the query's event-mates (the stored
  articles of its event, cosine ~0.8: those its story is made of) among the NEIGHBOURS nearest
  the graph asks the index for;
- `ann_recall_at_50`: the share of the exact 50 nearest (numpy over all stored vectors). Beyond
  an event's ~8 members the rest are near-equidistant noise, so which of them are the exact 50
  is chance: it falls with N and says little about placement.
The bar (issue 7): at 1M, no more than 3 times the cost at 10k (`ratio_1m_10k`).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from broadsheet.models import ArticleSummary
from broadsheet.stories.dedupe import find_original
from broadsheet.stories.graph import NEIGHBOURS, Node, StoryGraph, lede_terms
from broadsheet.stories.minhash import text_bands

DIMENSIONS = 384
BANDED = 100  # one stored article in this many has its text's real bands
BANDS = 32  # band entries per stored article (minhash: 64 permutations, 2 rows a band)
VOCABULARY = 50_000
EVENT_WORDS = 10  # words of its event at the head of an article's text
DRAWN_WORDS = 40  # then this many from the Zipf vocabulary
CHUNK = 50_000  # articles drawn and indexed at a time


class World:
    """A synthetic corpus: event centres, a Zipf vocabulary, and text for any article."""

    def __init__(self, events: int, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.centres = self._unit(self.rng.normal(size=(events, DIMENSIONS)).astype(np.float32))
        weights = 1.0 / np.arange(1, VOCABULARY + 1)
        self.word_p = weights / weights.sum()
        self.vocabulary = [f"w{w}" for w in range(VOCABULARY)]
        self._words: list[list[int]] = []

    @staticmethod
    def _unit(m: np.ndarray) -> np.ndarray:
        return m / np.linalg.norm(m, axis=-1, keepdims=True)

    def vectors(self, events: np.ndarray) -> np.ndarray:
        noise = self.rng.normal(size=(len(events), DIMENSIONS)).astype(np.float32) * 0.04
        return self._unit(self.centres[events] + noise).astype(np.float32)

    def draw_words(self, count: int) -> list[list[int]]:
        """Vocabulary indices for `count` texts, drawn in bulk (one at a time is slow)."""
        return self.rng.choice(VOCABULARY, size=(count, DRAWN_WORDS), p=self.word_p).tolist()

    def text(self, event: int, words: list[int] | None = None) -> str:
        if words is None:
            if not self._words:
                self._words = self.draw_words(10_000)
            words = self._words.pop()
        own = [f"e{event}w{n}" for n in range(EVENT_WORDS)]
        return " ".join([*own, *(self.vocabulary[w] for w in words)])


class BandIndex:
    """LSH band key -> the stored articles with that band: sorted keys, offsets, article ids."""

    def __init__(self, keys: np.ndarray, ids: np.ndarray) -> None:
        order = np.argsort(keys, kind="stable")
        keys = keys[order]
        first = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        self._keys = keys[first]
        self._offsets = np.append(first, len(keys))
        self._ids = ids[order]

    def lookup(self, bands: Sequence[int]) -> set[int]:
        """The ids of the stored articles sharing at least one of these bands."""
        if not bands or not len(self._keys):
            return set()
        wanted = np.asarray(bands, dtype=np.int64)
        at = np.minimum(np.searchsorted(self._keys, wanted), len(self._keys) - 1)
        found: set[int] = set()
        for slot in at[self._keys[at] == wanted].tolist():
            found.update(self._ids[self._offsets[slot] : self._offsets[slot + 1]].tolist())
        return found


@dataclass
class Corpus:
    """What `build` puts in place, and what the queries and the recall read from it."""

    world: World
    graph: StoryGraph
    bands: BandIndex
    texts: list[str]
    stored: np.ndarray  # the stored vectors, row = article id
    event_of: np.ndarray  # each stored article's event (its vector's centre)
    index_seconds: float  # of the build, spent adding to the HNSW index


def build(size: int, seed: int) -> Corpus:
    """A graph, band index, texts and vectors of `size` synthetic stored articles."""
    events = max(1, size // 8)
    world = World(events, seed)
    graph = StoryGraph()
    event_of = world.rng.integers(0, events, size=size)
    stored = np.empty((size, DIMENSIONS), dtype=np.float32)
    texts: list[str] = []
    indexing = 0.0
    for start in range(0, size, CHUNK):
        chunk = event_of[start : start + CHUNK]
        rows = slice(start, start + len(chunk))
        stored[rows] = world.vectors(chunk)
        began = time.perf_counter()
        keys = np.arange(start, start + len(chunk), dtype=np.uint64)
        graph.index.add_many(keys, stored[rows], threads=0)  # the build, not what is timed
        indexing += time.perf_counter() - began
        for event, words in zip(chunk.tolist(), world.draw_words(len(chunk)), strict=True):
            copy = len(texts) % 8 == 7  # carries the text of the article before it
            texts.append(texts[-1] if copy else world.text(event, words))
    fill_graph(graph, stored, texts, event_of)
    opened = iter(range(events, 10**12))
    graph.new_story = lambda _key: next(opened)
    bands = band_index(texts, world.rng)
    return Corpus(world, graph, bands, texts, stored, event_of, indexing)


def fill_graph(
    graph: StoryGraph, stored: np.ndarray, texts: list[str], event_of: np.ndarray
) -> None:
    """Nodes, stories and document frequencies as `add_known` leaves them (edges aside)."""
    for key, text in enumerate(texts):
        terms = lede_terms("", text)
        graph.nodes[key] = Node(key, stored[key], terms, None)
        graph._df.update(terms.keys())
    graph._docs = len(texts)
    graph.story_of = dict(enumerate(event_of.tolist()))
    order = np.argsort(event_of, kind="stable")
    cuts = np.flatnonzero(np.diff(event_of[order])) + 1
    graph.members = {int(event_of[p[0]]): set(p.tolist()) for p in np.split(order, cuts)}


def band_index(texts: list[str], rng: np.random.Generator) -> BandIndex:
    """Real bands for one text in BANDED, random band keys (as many) for the others."""
    ids = np.arange(len(texts))
    filled = ids[ids % BANDED != 0]
    random_keys = rng.integers(-(2**63), 2**63 - 1, size=(len(filled), BANDS), dtype=np.int64)
    real = [(band, key) for key in range(0, len(texts), BANDED) for band in text_bands(texts[key])]
    real_keys = np.array([band for band, _ in real], dtype=np.int64)
    real_ids = np.array([key for _, key in real], dtype=np.int64)
    return BandIndex(
        np.concatenate([random_keys.ravel(), real_keys]),
        np.concatenate([np.repeat(filled, BANDS), real_ids]),
    )


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


def place_one(
    graph: StoryGraph, bands: BandIndex, texts: list[str], key: int, text: str, v: np.ndarray
) -> None:
    """What the corpus linker does for one article: copy check, then story placement."""
    found = bands.lookup(text_bands(text))
    original = find_original(text, [summary(i, texts[i]) for i in sorted(found)])
    if original is None:
        graph.add(key, v, lede_terms("", text), None)


def measure(size: int, queries: int, seed: int) -> dict[str, float]:
    started = time.perf_counter()
    corpus = build(size, seed)
    built = time.perf_counter() - started
    print(f"cluster_scale: {size} built in {built:.0f} s", file=sys.stderr, flush=True)
    recall = ann_recall(corpus)
    world, texts = corpus.world, corpus.texts
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
        place_one(corpus.graph, corpus.bands, texts, key, text, vector)
        spent.append(time.perf_counter() - start)
        texts.append(text)
    return {
        "ms_per_article": round(statistics.median(spent) * 1000, 3),
        "p90_ms": round(float(np.percentile(spent, 90)) * 1000, 3),
        **recall,
        "build_seconds": round(built, 1),
        "index_seconds": round(corpus.index_seconds, 1),
    }


def ann_recall(corpus: Corpus, queries: int = 30) -> dict[str, float]:
    """Shares of the event-mates, and of the exact 50 nearest, that the HNSW search finds."""
    mates_found = mates_total = exact_found = 0
    events = len(corpus.world.centres)
    for event in corpus.world.rng.integers(0, events, size=queries).tolist():
        vector = corpus.world.vectors(np.array([event]))[0]
        found = {key for key, _ in corpus.graph.index.search(vector, NEIGHBOURS)}
        mates = set(np.flatnonzero(corpus.event_of == event).tolist())
        mates_found += len(mates & found)
        mates_total += len(mates)
        nearest = set(np.argpartition(-(corpus.stored @ vector), 50)[:50].tolist())
        exact_found += len(nearest & {key for key, _ in corpus.graph.index.search(vector, 50)})
    return {
        "event_recall": round(mates_found / max(1, mates_total), 4),
        "ann_recall_at_50": round(exact_found / (50 * queries), 4),
    }


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
    # ru_maxrss is in kilobytes on Linux: the largest size's build dominates it.
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
