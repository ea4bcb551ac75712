"""Extraction quality and speed on the Zyte article-extraction benchmark: ours vs three peers.

Peers run at their best documented setting, in the same run (requirements-bench.txt pins
readability-lxml and newspaper4k; they are bench-only). Prints one JSON line.
The metric is the benchmark's own (described in its SOURCE.md): 4-token
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

import lxml.html
import trafilatura

from broadsheet.extract.article import EXTRACTOR_VERSION, ExtractError, extract_article

try:  # bench-only peers; the quality gate imports this module for its metric without them
    import newspaper
    import readability
except ImportError:  # pragma: no cover - reported by main()
    newspaper = readability = None

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


def trafilatura_peer(html: str, url: str) -> str:
    """trafilatura at its own benchmark setting (tests/comparison_small.py: no comments)."""
    text = trafilatura.extract(
        html, url=url, include_comments=False, include_tables=True, include_formatting=False
    )
    return text or ""


def readability_peer(html: str, url: str) -> str:
    """readability-lxml as documented: Document(html).summary(), then its text."""
    summary = readability.Document(html, url=url).summary()
    return lxml.html.fromstring(summary).text_content() if summary.strip() else ""


def newspaper_peer(html: str, url: str) -> str:
    """newspaper4k on the saved HTML (input_html; fetch_images off, so nothing is downloaded)."""
    article = newspaper.Article(url, fetch_images=False)
    article.download(input_html=html)
    article.parse()
    return str(article.text or "")


EXTRACTORS: dict[str, Callable[[str, str], str]] = {
    "broadsheet": ours,
    "trafilatura": trafilatura_peer,
    "readability": readability_peer,
    "newspaper4k": newspaper_peer,
}


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


def run_all(pages: list[tuple[str, str, str, str]]) -> dict[str, dict[str, float]]:
    """Every extractor on every page, interleaved page by page so machine noise hits all alike."""
    for extractor in EXTRACTORS.values():  # one-off warm-up (imports, lazy tables), not timed
        extractor(pages[-1][2], pages[-1][1])
    texts: dict[str, list[str]] = {name: [] for name in EXTRACTORS}
    seconds = dict.fromkeys(EXTRACTORS, 0.0)
    errors = dict.fromkeys(EXTRACTORS, 0)
    for _, url, html, _ in pages:
        for name, extractor in EXTRACTORS.items():
            started = time.perf_counter()
            try:
                texts[name].append(extractor(html, url))
            except Exception:  # a peer crashing on a page scores it as empty, as the benchmark does
                texts[name].append("")
                errors[name] += 1
            seconds[name] += time.perf_counter() - started
    results = {}
    for name in EXTRACTORS:
        scores = score((page[3], text) for page, text in zip(pages, texts[name], strict=True))
        results[name] = {key: round(value, 4) for key, value in scores.items()}
        results[name]["pages_per_s"] = round(len(pages) / seconds[name], 2)
        results[name]["errors"] = errors[name]
    return results


def main() -> None:
    if newspaper is None or readability is None:
        sys.exit("bench/extraction.py: peers missing; pip install -r requirements-bench.txt")
    dataset = Path(sys.argv[1]) if len(sys.argv) > 1 else DATASET
    pages = load_pages(dataset)
    results = run_all(pages)
    ours_result = results.pop("broadsheet")
    peer = results["trafilatura"]
    line = {
        "benchmark": "extraction",
        "pages": len(pages),
        **ours_result,
        "peers": results,
        "ratio_f1": round(ours_result["f1"] / peer["f1"], 4),
        "ratio_pages_per_s": round(ours_result["pages_per_s"] / peer["pages_per_s"], 3),
        "extractor_version": EXTRACTOR_VERSION,
    }
    print(json.dumps(line))


if __name__ == "__main__":
    main()
