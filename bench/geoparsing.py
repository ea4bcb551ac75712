"""Geoparsing through `broadsheet analyze` on LGL and GeoWebNews, against a population baseline."""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from broadsheet.enrich.gazetteer import load_gazetteer
from broadsheet.enrich.places import distance_km

# The evaluation sets stay in shared/, beside the checkout (as in CI), never in the repo.
DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "geoparsing"
CORPORA = {"lgl": DATASETS / "lgl" / "lgl.xml", "geowebnews": DATASETS / "geowebnews" / "GWN.xml"}
BROADSHEET = Path(sys.executable).with_name("broadsheet")
MILES_100 = 161.0
EARTH_HALF_CIRCUMFERENCE = 20039.0


@dataclass(frozen=True)
class Span:
    """A toponym span; gold spans carry the place they mean, predicted ones what we chose."""

    start: int
    end: int
    text: str = ""
    geonameid: int | None = None
    lat: float | None = None
    lon: float | None = None


@dataclass
class Article:
    """One evaluation article: its text, the spans to recognise, the spans to resolve."""

    id: str
    text: str
    gold: list[Span] = field(default_factory=list)  # recognition targets
    predicted: list[Span] = field(default_factory=list)
    # Annotated spans the set's own evaluation leaves out (LGL's streets, parks and other
    # names without a GeoNames place): finding one is neither a hit nor a false positive.
    unscored: list[Span] = field(default_factory=list)


def read_lgl(path: Path) -> list[Article]:
    """LGL: the 4,462 toponyms with a gaztag are the targets, as in the set's lgl_gold.txt.

    The 626 annotated without one (streets, highways, parks, "Earth") are not in the gold
    that published LGL figures are computed on, and have no place to resolve to.
    """
    articles = []
    for index, node in enumerate(ET.parse(path).getroot().iter("article")):
        article = Article(f"lgl-{node.get('docid') or index}", node.findtext("text") or "")
        for toponym in node.iter("toponym"):
            tag = toponym.find("gaztag")
            start, end = int(toponym.findtext("start") or 0), int(toponym.findtext("end") or 0)
            if tag is None:
                article.unscored.append(Span(start, end, toponym.findtext("phrase") or ""))
                continue
            article.gold.append(
                Span(
                    start,
                    end,
                    toponym.findtext("phrase") or "",
                    int(tag.get("geonameid") or 0) or None,
                    float(tag.findtext("lat") or 0),
                    float(tag.findtext("lon") or 0),
                )
            )
        articles.append(article)
    return articles


def read_geowebnews(path: Path) -> list[Article]:
    """GeoWebNews: the spans that carry coordinates (2,601 toponyms) are the targets."""
    articles: list[Article] = []
    for node in ET.parse(path).getroot().iter("article"):
        article = Article(f"gwn-{node.get('file') or len(articles)}", node.findtext("text") or "")
        for toponym in node.iter("toponym"):
            lat, lon = toponym.findtext("latitude"), toponym.findtext("longitude")
            if not lat or not lon:
                continue  # demonyms, languages, expressions and non-toponyms
            article.gold.append(
                Span(
                    int(toponym.findtext("start") or 0),
                    int(toponym.findtext("end") or 0),
                    toponym.findtext("extractedName") or "",
                    int(toponym.findtext("geonamesID") or 0) or None,
                    float(lat),
                    float(lon),
                )
            )
        articles.append(article)
    return articles


READERS = {"lgl": read_lgl, "geowebnews": read_geowebnews}


def analyze(articles: list[Article]) -> None:
    """Run `broadsheet analyze` on the texts and attach each article's place mentions."""
    with tempfile.TemporaryDirectory() as tmp:
        given, out = Path(tmp) / "in.jsonl", Path(tmp) / "out.jsonl"
        with given.open("w", encoding="utf-8") as handle:
            for article in articles:
                handle.write(json.dumps({"id": article.id, "text": article.text}) + "\n")
        subprocess.run(
            [str(BROADSHEET), "analyze", "--jsonl", str(given), "--out", str(out)],
            check=True,
            capture_output=True,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
        by_id = {a.id: a for a in articles}
        # split on "\n" only: texts hold U+2028 and other characters splitlines() breaks at
        for line in out.read_text(encoding="utf-8").split("\n"):
            if not line:
                continue
            record = json.loads(line)
            by_id[record["id"]].predicted = predicted_spans(record)


def predicted_spans(record: dict[str, Any]) -> list[Span]:
    """The place mentions of one `analyze` output line, each with its resolved place."""
    spans = []
    for place in record.get("places") or ():
        for mention in place.get("mentions") or ():
            spans.append(
                Span(
                    int(mention["start"]),
                    int(mention["end"]),
                    str(mention.get("text") or ""),
                    int(place["geonameid"]) if place.get("geonameid") else None,
                    place.get("lat"),
                    place.get("lon"),
                )
            )
    return spans


def overlaps(a: Span, b: Span) -> bool:
    """True when the two spans share at least one character."""
    return a.start < b.end and b.start < a.end


def error_km(predicted: Span, gold: Span) -> float:
    """Distance of a resolution from the gold place; a matching GeoNames id counts as zero."""
    if predicted.geonameid and predicted.geonameid == gold.geonameid:
        return 0.0
    return raw_error_km(predicted, gold)


def raw_error_km(predicted: Span, gold: Span) -> float:
    """Distance between the two coordinates, whatever the ids say."""
    if predicted.lat is None or predicted.lon is None or gold.lat is None or gold.lon is None:
        return EARTH_HALF_CIRCUMFERENCE
    return distance_km(predicted.lat, predicted.lon, gold.lat, gold.lon)


def population_guess(span: Span) -> Span:
    """The baseline: the most populous gazetteer entry with the recognised span's name."""
    found = load_gazetteer().lookup(span.text)
    if not found:
        return Span(span.start, span.end, span.text)
    best = found[0]
    return Span(span.start, span.end, span.text, best.geonameid, best.lat, best.lon)


def auc(errors: list[float]) -> float:
    """Area under the normalised log-error curve (Gritta et al. 2018); lower is better."""
    if not errors:
        return 1.0
    scaled = sorted(math.log(1 + e) / math.log(EARTH_HALF_CIRCUMFERENCE) for e in errors)
    if len(scaled) == 1:
        return scaled[0]
    area = sum((a + b) / 2 for a, b in itertools.pairwise(scaled))
    return area / (len(scaled) - 1)


def score(articles: list[Article]) -> dict[str, float | int]:
    """Recognition P/R/F1 (overlap) and resolution accuracy of ours and the baseline."""
    gold_count = sum(len(a.gold) for a in articles)
    predicted_count = sum(len(a.predicted) for a in articles)
    found_gold = correct_predicted = 0
    ours: list[float] = []
    raw: list[float] = []
    baseline: list[float] = []
    for article in articles:
        correct_predicted += sum(
            any(overlaps(p, g) for g in article.gold) for p in article.predicted
        )
        predicted_count -= sum(
            not any(overlaps(p, g) for g in article.gold)
            and any(overlaps(p, u) for u in article.unscored)
            for p in article.predicted
        )
        for gold in article.gold:
            match = next((p for p in article.predicted if overlaps(p, gold)), None)
            if match is None:
                continue
            found_gold += 1
            ours.append(error_km(match, gold))
            raw.append(raw_error_km(match, gold))
            baseline.append(error_km(population_guess(match), gold))
    precision = correct_predicted / max(predicted_count, 1)
    recall = found_gold / max(gold_count, 1)
    # The same recall with the unscored spans as targets too (streets, parks: LGL's 626).
    unscored = sum(len(a.unscored) for a in articles)
    found_unscored = sum(
        any(overlaps(p, u) for p in a.predicted) for a in articles for u in a.unscored
    )
    f1 = 2 * precision * recall / max(precision + recall, 1e-9)

    def acc(errors: list[float]) -> float:
        return round(sum(e <= MILES_100 for e in errors) / max(len(errors), 1), 4)

    return {
        "recognition_precision": round(precision, 4),
        "recognition_recall": round(recall, 4),
        "recognition_f1": round(f1, 4),
        "recognition_recall_all_annotated": round(
            (found_gold + found_unscored) / max(gold_count + unscored, 1), 4
        ),
        "acc161": acc(ours),
        "acc161_raw_distance": acc(raw),
        "baseline_acc161": acc(baseline),
        "auc": round(auc(ours), 4),
        "baseline_auc": round(auc(baseline), 4),
        "gold_toponyms": gold_count,
        "resolved_scored": len(ours),
    }


def run(dataset: str, limit: int | None = None, dump: Path | None = None) -> dict[str, object]:
    """Score one dataset (its first `limit` articles when given) through `broadsheet analyze`."""
    started = time.perf_counter()
    articles = READERS[dataset](CORPORA[dataset])[:limit]
    analyze(articles)
    result: dict[str, object] = {"dataset": dataset, "articles": len(articles)}
    result.update(score(articles))
    result["seconds"] = round(time.perf_counter() - started, 1)
    if dump is not None:
        dump_spans(articles, dump / f"{dataset}.jsonl")
    return result


def dump_spans(articles: list[Article], path: Path) -> None:
    """Diagnostics: each gold span with what matched it, and each false positive, as JSON lines.

    For reading misses by class; the figures above never depend on it.
    """
    with path.open("w", encoding="utf-8") as handle:
        for article in articles:
            for gold in article.gold:
                match = next((p for p in article.predicted if overlaps(p, gold)), None)
                row: dict[str, Any] = {"id": article.id, "kind": "gold", "text": gold.text}
                row["error_km"] = None if match is None else round(error_km(match, gold))
                row["predicted"] = None if match is None else match.text
                handle.write(json.dumps(row | {"context": context(article, gold)}) + "\n")
            for span in article.predicted:
                spans = [*article.gold, *article.unscored]
                if not any(overlaps(span, other) for other in spans):
                    row = {"id": article.id, "kind": "false_positive", "text": span.text}
                    handle.write(json.dumps(row | {"context": context(article, span)}) + "\n")


def context(article: Article, span: Span, width: int = 60) -> str:
    """The text around a span, on one line."""
    start, end = max(0, span.start - width), span.end + width
    return " ".join(article.text[start:end].split())


def main() -> int:
    """Print one JSON line per dataset."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("datasets", nargs="*", help=f"any of {', '.join(CORPORA)} (default: all)")
    parser.add_argument("--limit", type=int, default=None, help="first N articles only")
    parser.add_argument(
        "--dump", type=Path, default=None, help="write <dataset>.jsonl of hits and misses here"
    )
    args = parser.parse_args()
    for dataset in args.datasets or list(CORPORA):
        if dataset not in CORPORA:
            parser.error(f"unknown dataset {dataset!r}; choose from {', '.join(CORPORA)}")
        if not CORPORA[dataset].exists():
            print(json.dumps({"dataset": dataset, "skipped": f"{CORPORA[dataset]} is missing"}))
            continue
        print(json.dumps(run(dataset, args.limit, args.dump)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
