"""Geocoding accuracy@161 km of resolve_toponyms on LGL, against a population baseline."""

from __future__ import annotations

import json
import math
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from broadsheet.enrich.entities import recognize_entities
from broadsheet.enrich.gazetteer import GazetteerEntry, load_gazetteer
from broadsheet.enrich.nlp import load_nlp
from broadsheet.enrich.places import resolve_toponyms

# The evaluation sets stay in shared/, beside the checkout (as in CI), never in the repo.
DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"
CORPUS = DATASETS / "geoparsing" / "lgl" / "lgl.xml"
GoldToponym = tuple[int, int, float, float]  # start, end, lat, lon


def read_articles(path: Path) -> list[tuple[str, list[GoldToponym]]]:
    """(text, gold toponyms that carry coordinates) for every LGL article."""
    articles = []
    for article in ET.parse(path).getroot().iter("article"):
        gold = []
        for toponym in article.iter("toponym"):
            tag = toponym.find("gaztag")
            if tag is None:
                continue
            gold.append(
                (
                    int(toponym.findtext("start") or 0),
                    int(toponym.findtext("end") or 0),
                    float(tag.findtext("lat") or 0),
                    float(tag.findtext("lon") or 0),
                )
            )
        articles.append((article.findtext("text") or "", gold))
    return articles


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


def within(entry: GazetteerEntry | None, gold: GoldToponym) -> bool:
    """True when the entry lies within 161 km (100 miles) of the gold coordinates."""
    return entry is not None and distance_km(entry.lat, entry.lon, gold[2], gold[3]) <= 161.0


def main() -> int:
    """Score both resolvers on the toponyms our tagger found, print one JSON line."""
    if not CORPUS.exists():
        print(json.dumps({"bench": "geoparsing_lgl", "skipped": f"{CORPUS} is missing"}))
        return 0
    started = time.perf_counter()
    articles = read_articles(CORPUS)
    gazetteer = load_gazetteer()
    counts = {"gold": 0, "tagged": 0, "matched": 0, "ours": 0, "population": 0, "dropped": 0}
    texts = [text for text, _ in articles]
    for doc, (_, gold) in zip(load_nlp().pipe(texts, batch_size=32), articles, strict=True):
        persons = [e.name for e in recognize_entities(doc) if e.kind == "person"]
        ours = {(t.start, t.end): t for t in resolve_toponyms(doc, persons) if t.candidates}
        counts["gold"] += len(gold)
        counts["tagged"] += len(ours)
        for toponym in gold:
            found = ours.get(toponym[:2])
            if found is None:
                continue
            counts["matched"] += 1
            counts["dropped"] += found.dropped
            counts["ours"] += within(None if found.dropped else found.choice, toponym)
            counts["population"] += within(gazetteer.lookup(found.text)[0], toponym)
    matched = max(counts["matched"], 1)
    ours_acc, pop_acc = counts["ours"] / matched, counts["population"] / matched
    print(
        json.dumps(
            {
                "bench": "geoparsing_lgl",
                "metric": "accuracy@161km on toponyms both tag exactly",
                "articles": len(articles),
                "gold_toponyms": counts["gold"],
                "scored_toponyms": counts["matched"],
                "dropped_as_not_a_place": counts["dropped"],
                "acc161": round(ours_acc, 4),
                "population_acc161": round(pop_acc, 4),
                "ratio_vs_population": round(ours_acc / max(pop_acc, 1e-9), 4),
                "geotag_recall": round(counts["matched"] / max(counts["gold"], 1), 4),
                "geotag_precision_upper": round(counts["matched"] / max(counts["tagged"], 1), 4),
                "seconds": round(time.perf_counter() - started, 1),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
