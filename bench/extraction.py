"""Extraction quality on the Zyte article-extraction benchmark: ours vs plain trafilatura.

Prints one JSON line. The metric is the benchmark's own (described in its SOURCE.md): 4-token
shingles of `\\w+` tokens, per-document precision/recall averaged over documents, F1 of the means.
Usage: python bench/extraction.py [DATASET_DIR]
"""

from __future__ import annotations

import gzip
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

import trafilatura

from broadsheet.extract.article import ExtractError, extract_article

# The evaluation sets stay in shared/, beside the checkout (as in CI), never in the repo.
DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"
DATASET = DATASETS / "article-extraction-benchmark"
_TOKEN = re.compile(r"\w+")


def load_pages(dataset: Path) -> list[tuple[str, str, str, str]]:
    """(item id, url, html, expected text) for every page of the benchmark, sorted by id."""
    truth = json.loads((dataset / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for item_id in sorted(truth):
        html = gzip.decompress((dataset / "html" / f"{item_id}.html.gz").read_bytes())
        expected = truth[item_id]
        pages.append((item_id, expected["url"], html.decode("utf-8"), expected["articleBody"]))
    return pages


def _shingles(text: str, size: int = 4) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text)
    if not tokens:
        return Counter()
    return Counter(tuple(tokens[i : i + size]) for i in range(max(1, len(tokens) - size + 1)))


def score(pairs: Iterable[tuple[str, str]]) -> dict[str, float]:
    """Precision, recall and F1 of (expected, predicted) text pairs, the benchmark's way."""
    precisions, recalls = [], []
    for expected, predicted in pairs:
        truth, guess = _shingles(expected), _shingles(predicted)
        tp = sum((truth & guess).values())
        fp, fn = sum(guess.values()) - tp, sum(truth.values()) - tp
        if fp == fn == 0:
            precisions.append(1.0)
            recalls.append(1.0)
            continue
        if tp + fp:
            precisions.append(tp / (tp + fp))
        if tp + fn:
            recalls.append(tp / (tp + fn))
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"f1": f1, "precision": precision, "recall": recall}


def ours(html: str, url: str) -> str:
    """Text from Broadsheet's extractor ("" when it refuses the page)."""
    try:
        return extract_article(html, url).text
    except ExtractError:
        return ""


def peer(html: str, url: str) -> str:
    """Text from trafilatura.extract with its default settings."""
    return trafilatura.extract(html, url=url) or ""


def run(
    extractor: Callable[[str, str], str], pages: list[tuple[str, str, str, str]]
) -> tuple[dict[str, float], float]:
    """Scores of one extractor over the pages, and the seconds it took."""
    started = time.perf_counter()
    predicted = [extractor(html, url) for _, url, html, _ in pages]
    seconds = time.perf_counter() - started
    return score(
        (expected, guess) for (_, _, _, expected), guess in zip(pages, predicted, strict=True)
    ), seconds


def main() -> None:
    dataset = Path(sys.argv[1]) if len(sys.argv) > 1 else DATASET
    pages = load_pages(dataset)
    ours_scores, seconds = run(ours, pages)
    peer_scores, peer_seconds = run(peer, pages)
    print(
        json.dumps(
            {
                "benchmark": "extraction",
                "pages": len(pages),
                "f1": round(ours_scores["f1"], 4),
                "precision": round(ours_scores["precision"], 4),
                "recall": round(ours_scores["recall"], 4),
                "peer": "trafilatura.extract",
                "peer_f1": round(peer_scores["f1"], 4),
                "ratio_f1": round(ours_scores["f1"] / peer_scores["f1"], 4),
                "seconds": round(seconds, 2),
                "peer_seconds": round(peer_seconds, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
