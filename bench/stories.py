"""Story clustering through `broadsheet analyze --corpus`: BCubed and pairwise F1; one JSON line.

Usage: python bench/stories.py [--stories N] [--split all|train|val] [--seed S]

The set is ../shared/datasets/story-clusters (AllSides headline roundups: each story told by
three outlets of different politics, headline and lede). The articles are fed in a shuffled
order (fixed seed) as {"id", "title", "text"} lines, ids and stories hidden, and the `story`
labels analyze gives (the stories as the stream ended) are scored against the roundups; the
labels each line had when it arrived (`story_at_arrival`) are scored too. --stories N scores
N stories drawn at random (seeded), for quick runs.

Beside it, in the same run:
- baseline: TF-IDF over headline and lede (fitted on the scored texts), an edge between two
  articles at cosine >= t, connected components as stories, t chosen on the scored data itself
  from a grid (the generous "naive anchor" SOURCE.md describes; its threshold is reported);
- singletons: every article its own story (BCubed F1 0.50 when every story has 3 articles).

The demo's sample corpus (src/broadsheet/demo/content, oldest first) is run too, and how many
stories its articles form is reported.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Mapping
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATASETS = ROOT.parent / "shared" / "datasets"
DATASET = DATASETS / "story-clusters" / "allsides-train-val.jsonl"
DEMO = ROOT / "src" / "broadsheet" / "demo" / "content"
BROADSHEET = Path(sys.executable).with_name("broadsheet")
THRESHOLDS = [round(t, 2) for t in np.arange(0.10, 0.91, 0.05)]
_WORD = re.compile(r"[a-z0-9]+")


def read_set(path: Path, split: str, stories: int | None, seed: int) -> list[dict[str, str]]:
    """The articles to score, in feeding order."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    rows = [row for row in rows if split == "all" or row["split"] == split]
    rng = random.Random(seed)
    if stories is not None:
        keep = set(rng.sample(sorted({row["story"] for row in rows}), stories))
        rows = [row for row in rows if row["story"] in keep]
    rng.shuffle(rows)
    return rows


def analysed_stories(
    records: list[dict[str, str]],
) -> tuple[dict[str, str], dict[str, str], float]:
    """Each record's story once the stream ended and when it arrived, from one `analyze
    --corpus` run, and the run's seconds."""
    with tempfile.TemporaryDirectory() as tmp:
        given, out = Path(tmp) / "in.jsonl", Path(tmp) / "out.jsonl"
        given.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
        start = time.perf_counter()
        subprocess.run(
            [str(BROADSHEET), "analyze", "--corpus", "--jsonl", str(given), "--out", str(out)],
            check=True,
            capture_output=True,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
        seconds = time.perf_counter() - start
        lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line]
    errors = [line for line in lines if "error" in line]
    if errors or len(lines) != len(records):
        raise SystemExit(f"stories bench: {len(errors)} error lines of {len(lines)}")
    final = {line["id"]: str(line["story"]) for line in lines}
    arrival = {line["id"]: str(line["story_at_arrival"]) for line in lines}
    return final, arrival, seconds


def bcubed(predicted: Mapping[str, str], gold: Mapping[str, str]) -> tuple[float, float, float]:
    """BCubed precision, recall and F1 over the items of gold."""
    by_predicted, by_gold = defaultdict(set), defaultdict(set)
    for item in gold:
        by_predicted[predicted[item]].add(item)
        by_gold[gold[item]].add(item)
    precision = recall = 0.0
    for item in gold:
        both = len(by_predicted[predicted[item]] & by_gold[gold[item]])
        precision += both / len(by_predicted[predicted[item]])
        recall += both / len(by_gold[gold[item]])
    return prf(precision / len(gold), recall / len(gold))


def pairwise(predicted: Mapping[str, str], gold: Mapping[str, str]) -> tuple[float, float, float]:
    """Precision, recall and F1 of the "same story" decision over all pairs of items."""
    joint = Counter((predicted[item], gold[item]) for item in gold)
    pairs = sum(n * (n - 1) // 2 for n in joint.values())
    said = sum(n * (n - 1) // 2 for n in Counter(predicted[i] for i in gold).values())
    true = sum(n * (n - 1) // 2 for n in Counter(gold.values()).values())
    return prf(pairs / said if said else 1.0, pairs / true if true else 1.0)


def prf(precision: float, recall: float) -> tuple[float, float, float]:
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return round(precision, 4), round(recall, 4), round(f1, 4)


def tfidf(texts: list[str]) -> np.ndarray:
    """Unit-length TF-IDF rows over the words in at least two texts (numpy only)."""
    words = [_WORD.findall(text.lower()) for text in texts]
    df = Counter(w for ws in words for w in set(ws))
    vocab = {w: i for i, w in enumerate(sorted(w for w, n in df.items() if n >= 2))}
    idf = np.log(len(texts) / np.array([df[w] for w in sorted(vocab)], dtype=np.float32))
    matrix = np.zeros((len(texts), len(vocab)), dtype=np.float32)
    for row, ws in enumerate(words):
        for w, n in Counter(ws).items():
            if w in vocab:
                matrix[row, vocab[w]] = n * idf[vocab[w]]
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms == 0, 1, norms)


def threshold_components(vectors: np.ndarray, threshold: float) -> list[int]:
    """Connected components of the graph joining rows at cosine >= threshold."""
    parent = list(range(len(vectors)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for start in range(0, len(vectors), 1000):
        block = vectors[start : start + 1000] @ vectors.T
        for i, j in zip(*np.nonzero(block >= threshold), strict=True):
            a, b = find(start + int(i)), find(int(j))
            if a != b:
                parent[a] = b
    return [find(i) for i in range(len(vectors))]


def baseline(rows: list[dict[str, str]], gold: Mapping[str, str]) -> dict[str, float]:
    """The TF-IDF threshold baseline at its best threshold on this data."""
    vectors = tfidf([f"{row['title']} {row['text']}" for row in rows])
    best: dict[str, float] = {}
    for threshold in THRESHOLDS:
        labels = threshold_components(vectors, threshold)
        predicted = {row["id"]: str(label) for row, label in zip(rows, labels, strict=True)}
        f1 = bcubed(predicted, gold)[2]
        if f1 > best.get("bcubed_f1", -1.0):
            best = {
                "bcubed_f1": f1,
                "pairwise_f1": pairwise(predicted, gold)[2],
                "threshold": threshold,
            }
    return best


def demo_stories() -> dict[str, object]:
    """How many stories the demo's sample articles form, and the articles of the largest."""
    articles = []
    for name in ("articles-a.json", "articles-b.json"):
        articles += json.loads((DEMO / name).read_text(encoding="utf-8"))
    articles.sort(key=lambda a: -a["hours_ago"])
    records = [
        {"id": a["slug"], "title": a["title"], "text": "\n\n".join(a["paragraphs"])}
        for a in articles
    ]
    stories, _, _ = analysed_stories(records)
    sizes = Counter(stories.values())
    return {
        "articles": len(records),
        "stories": len(sizes),
        "stories_of_2_or_more": sum(1 for n in sizes.values() if n >= 2),
        "largest": max(sizes.values()) if sizes else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=None)
    parser.add_argument("--split", choices=("all", "train", "val"), default="all")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--dataset", type=Path, default=DATASET)
    args = parser.parse_args()
    rows = read_set(args.dataset, args.split, args.stories, args.seed)
    gold = {row["id"]: row["story"] for row in rows}
    records = [{"id": row["id"], "title": row["title"], "text": row["text"]} for row in rows]
    predicted, arrival, seconds = analysed_stories(records)
    p, r, f1 = bcubed(predicted, gold)
    pp, pr, pf1 = pairwise(predicted, gold)
    peer = baseline(rows, gold)
    singletons = bcubed({item: item for item in gold}, gold)[2]
    result = {
        "benchmark": "stories",
        "articles": len(rows),
        "stories": len(set(gold.values())),
        "predicted_stories": len(set(predicted.values())),
        "bcubed_precision": p,
        "bcubed_recall": r,
        "bcubed_f1": f1,
        "pairwise_precision": pp,
        "pairwise_recall": pr,
        "pairwise_f1": pf1,
        "bcubed_f1_at_arrival": bcubed(arrival, gold)[2],
        "baseline_bcubed_f1": peer["bcubed_f1"],
        "baseline_pairwise_f1": peer["pairwise_f1"],
        "baseline_threshold": peer["threshold"],
        "singletons_bcubed_f1": singletons,
        "seconds": round(seconds, 1),
        "demo": demo_stories(),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
