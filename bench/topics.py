"""Section accuracy on BBC News (5 classes) against a bag-of-words centroid peer; one JSON line.

Usage: python bench/topics.py [--per-class N | --all] [--seed S] [--dataset PATH]

The dataset is split in two seeded halves per class. The peer (nearest centroid on unit-length
TF-IDF vectors, numpy only) is trained on the first half; both classifiers are scored on
N articles per class drawn from the second half. With --all, ours is scored on every article
and the peer by two-fold cross-validation (each half scored by a centroid trained on the other).
Ours is zero-shot: it never sees BBC labels. Ours runs through `broadsheet analyze` (each
article as a {"id", "title", "text"} line, models in worker processes), so the section is the
one the whole pipeline gives, local channels included.

Mapping: our sections are a superset of BBC's five folders, and only the five same-named
sections count (business, entertainment, politics, sports <- sport, technology <- tech).
Every other section (world, science, health, lifestyle, local, crime, weather, education,
environment) is scored as an error: BBC filed each of these articles under one of its five
desks, and no rule says which desk a "crime" or "science" story belongs to (a knife-crime bill
is politics, a phone-theft ring is tech), so crediting any of them would flatter us. The
`outside_bbc` key counts how many articles each such section took.
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
from collections import Counter
from pathlib import Path

import numpy as np

# The evaluation sets stay in shared/, beside the checkout (as in CI), never in the repo.
DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"
DATASET = DATASETS / "bbc-news" / "bbc"
BROADSHEET = Path(sys.executable).with_name("broadsheet")
CLASSES = {
    "business": "business",
    "entertainment": "entertainment",
    "politics": "politics",
    "sport": "sports",
    "tech": "technology",
}
_WORD = re.compile(r"[a-z]+")
Doc = tuple[str, str, str]  # (section, title, body)


def read_split(root: Path, seed: int) -> tuple[list[Doc], list[Doc]]:
    """Two halves of the dataset, stratified by class, shuffled with the seed."""
    rng = random.Random(seed)
    train: list[Doc] = []
    test: list[Doc] = []
    for folder, section in CLASSES.items():
        docs = []
        for path in sorted((root / folder).glob("*.txt")):
            title, _, body = path.read_text(encoding="utf-8", errors="replace").partition("\n")
            docs.append((section, title.strip(), body.strip()))
        rng.shuffle(docs)
        half = len(docs) // 2
        train += docs[:half]
        test += docs[half:]
    return train, test


def sample_per_class(docs: list[Doc], per_class: int, seed: int) -> list[Doc]:
    """The first per_class documents of each class after a seeded shuffle."""
    rng = random.Random(seed)
    shuffled = docs[:]
    rng.shuffle(shuffled)
    taken: Counter[str] = Counter()
    picked = []
    for doc in shuffled:
        if taken[doc[0]] < per_class:
            taken[doc[0]] += 1
            picked.append(doc)
    return picked


def bag_of_words(docs: list[Doc], vocab: dict[str, int], idf: np.ndarray) -> np.ndarray:
    """Unit-length TF-IDF vectors over the vocabulary."""
    matrix = np.zeros((len(docs), len(vocab)), dtype=np.float32)
    for row, (_, title, body) in enumerate(docs):
        for word in _WORD.findall(f"{title} {body}".lower()):
            column = vocab.get(word)
            if column is not None:
                matrix[row, column] += 1.0
    matrix *= idf
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.maximum(norms, 1e-9)


def peer_accuracy(train: list[Doc], test: list[Doc]) -> float:
    """Nearest-centroid accuracy of TF-IDF vectors trained on `train`."""
    counts = Counter(w for _, t, b in train for w in set(_WORD.findall(f"{t} {b}".lower())))
    kept = sorted(w for w, n in counts.items() if n >= 2)
    vocab = {w: i for i, w in enumerate(kept)}
    idf = np.log(len(train) / np.array([counts[w] for w in kept], dtype=np.float32))
    labels = sorted(CLASSES.values())
    x_train = bag_of_words(train, vocab, idf)
    centroids = np.stack(
        [x_train[[i for i, d in enumerate(train) if d[0] == lab]].mean(axis=0) for lab in labels]
    )
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
    predicted = np.argmax(bag_of_words(test, vocab, idf) @ centroids.T, axis=1)
    return float(np.mean([labels[p] == d[0] for p, d in zip(predicted, test, strict=True)]))


def our_accuracy(test: list[Doc]) -> tuple[float, dict[str, int], float]:
    """Accuracy of the sections analyze gives, the sections outside BBC's five, s/article."""
    start = time.perf_counter()
    predicted = analyzed_sections(test)
    hits = [guess == doc[0] for guess, doc in zip(predicted, test, strict=True)]
    outside = Counter(guess for guess in predicted if guess not in CLASSES.values())
    seconds = (time.perf_counter() - start) / len(test)
    return float(np.mean(hits)), dict(outside.most_common()), seconds


def analyzed_sections(test: list[Doc]) -> list[str]:
    """The section of each article, in order, from one `broadsheet analyze` run."""
    with tempfile.TemporaryDirectory() as tmp:
        given, out = Path(tmp) / "in.jsonl", Path(tmp) / "out.jsonl"
        lines = (
            json.dumps({"id": n, "title": title, "text": body})
            for n, (_, title, body) in enumerate(test)
        )
        given.write_text("\n".join(lines) + "\n", encoding="utf-8")
        subprocess.run(
            [str(BROADSHEET), "analyze", "--jsonl", str(given), "--out", str(out)],
            check=True,
            capture_output=True,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
        records = [json.loads(line) for line in out.read_text(encoding="utf-8").split("\n") if line]
    sections = {record["id"]: record.get("section") or "" for record in records}
    return [sections.get(n, "") for n in range(len(test))]


def peer_two_fold(first: list[Doc], second: list[Doc]) -> float:
    """Peer accuracy on both halves, each scored by a centroid trained on the other."""
    total = len(first) + len(second)
    one, two = peer_accuracy(second, first), peer_accuracy(first, second)
    return (one * len(first) + two * len(second)) / total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-class", type=int, default=100)
    parser.add_argument("--all", action="store_true", help="score every article (2,225)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dataset", type=Path, default=DATASET)
    args = parser.parse_args()
    if not args.dataset.is_dir():
        sys.exit(f"bench/topics: dataset folder {args.dataset} is missing; pass --dataset PATH")
    train, rest = read_split(args.dataset, args.seed)
    test = train + rest if args.all else sample_per_class(rest, args.per_class, args.seed)
    ours, outside, seconds = our_accuracy(test)
    peer = peer_two_fold(train, rest) if args.all else peer_accuracy(train, test)
    print(
        json.dumps(
            {
                "bench": "topics",
                "dataset": "bbc-news",
                "articles": len(test),
                "accuracy": round(ours, 4),
                "outside_bbc": outside,
                "peer": "TF-IDF nearest centroid, trained on the other half",
                "peer_accuracy": round(peer, 4),
                "ratio": round(ours / peer, 4) if peer else None,
                "seconds_per_article": round(seconds, 4),
            }
        )
    )


if __name__ == "__main__":
    main()
