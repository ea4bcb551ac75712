"""Full enrichment speed through `broadsheet analyze`, against spaCy sm NER alone.

The 181 article texts of the extraction benchmark (ground truth, so extraction is not timed)
go through `broadsheet analyze` as {"id", "text"} lines: entities, places, section, labels,
hashtags and embedding, models in worker processes (BROADSHEET_NLP_PROCESSES, default 2). The
start-up (imports, model loads) is measured on a run of one line per process and taken off.
The peer is the spaCy model's NER alone (`nlp.pipe`, other pipes off) on the same texts in
the same run.
CPU seconds are given too: on a machine shared with other work the wall-clock ratio swings
with their load, the CPU one much less (ideally cpu_ratio_to_ner = processes * ratio_to_ner).
Prints one JSON line. With --stages it prints instead, from one process with one thread, the
CPU milliseconds per article of each stage of `analyze_draft` (where the time goes).

    python bench/enrich.py [--processes N] [--stages]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import spacy

from broadsheet.enrich.nlp import MODEL_NAME

ROOT = Path(__file__).resolve().parents[1]
DATASET = ROOT.parent / "shared" / "datasets" / "article-extraction-benchmark"
CLI = Path(sys.executable).with_name("broadsheet")


def load_texts() -> list[str]:
    """The benchmark's ground-truth article texts, in id order."""
    truth = json.loads((DATASET / "ground-truth.json").read_text(encoding="utf-8"))
    return [truth[item]["articleBody"] for item in sorted(truth)]


def timed_analyze(texts: list[str], tmp: Path, processes: int) -> tuple[float, float]:
    """Wall and CPU seconds of one `broadsheet analyze` run over the texts (start-up included)."""
    source, out = tmp / f"in-{len(texts)}.jsonl", tmp / f"out-{len(texts)}.jsonl"
    lines = (json.dumps({"id": str(n), "text": t}) for n, t in enumerate(texts))
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = {
        **os.environ,
        "BROADSHEET_NLP_PROCESSES": str(processes),
        "BROADSHEET_DATA_DIR": str(tmp),
    }
    cpu = children_cpu_seconds()
    start = time.perf_counter()
    subprocess.run(
        [str(CLI), "analyze", "--jsonl", str(source), "--out", str(out)],
        env=env,
        check=True,
        capture_output=True,
    )
    seconds = time.perf_counter() - start
    cpu = children_cpu_seconds() - cpu
    written = out.read_text(encoding="utf-8").splitlines()
    errors = [line for line in written if '"error"' in line[:200]]
    if len(written) != len(texts) or errors:
        raise SystemExit(f"enrich bench: {len(errors)} error lines of {len(written)}")
    return seconds, cpu


def children_cpu_seconds() -> float:
    """User and system CPU seconds of the finished child processes and their own children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_ner(texts: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of spaCy's NER alone over the texts (model loaded before timing)."""
    nlp = spacy.load(MODEL_NAME)
    with nlp.select_pipes(enable=["ner"]):
        list(nlp.pipe(texts[:5]))  # warm up
        start, cpu = time.perf_counter(), time.process_time()
        for _ in nlp.pipe(texts, batch_size=16):
            pass
        return time.perf_counter() - start, time.process_time() - cpu


def stage_costs(texts: list[str]) -> dict[str, float]:
    """CPU ms per article of each enrich stage, run in this process on one thread."""
    from threadpoolctl import threadpool_limits

    from broadsheet.enrich.embed import embed_texts
    from broadsheet.enrich.entities import recognize_entities
    from broadsheet.enrich.nlp import load_nlp, refine_entities
    from broadsheet.enrich.places import local_channels, resolve_places
    from broadsheet.enrich.topics import classify_section, load_prototypes

    nlp = load_nlp()
    load_prototypes()  # loads MiniLM too
    refine_entities(nlp("Warm up in Paris."))
    threadpool_limits(limits=1)  # after numpy is loaded, as the model processes do
    spent: dict[str, float] = {}

    def timed(stage: str, work: Any, *args: Any) -> Any:
        start = time.process_time()
        result = work(*args)
        spent[stage] = spent.get(stage, 0.0) + time.process_time() - start
        return result

    def channels(doc: Any, entities: Any) -> Any:
        return local_channels(resolve_places(doc, entities))

    for text in texts:
        doc = timed("rules", refine_entities, timed("spacy", nlp, text))
        entities = timed("entities", recognize_entities, doc, "")
        places = timed("places", channels, doc, entities)
        vector = timed("embedding", embed_texts, [text])[0]
        timed("section", classify_section, "", text, vector, [], bool(places))
    return {stage: round(seconds / len(texts) * 1000, 1) for stage, seconds in spent.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--stages", action="store_true", help="CPU ms per article per stage")
    args = parser.parse_args()
    texts = load_texts()
    if args.stages:
        costs = stage_costs(texts)
        total = round(sum(costs.values()), 1)
        print(
            json.dumps({"benchmark": "enrich_stages", "cpu_ms_per_article": costs, "total": total})
        )
        return
    with tempfile.TemporaryDirectory(prefix="broadsheet-enrich-") as name:
        tmp = Path(name)
        # One line per process, so the start-up run loads the models in every process.
        warm = texts[: args.processes]
        startup, startup_cpu = timed_analyze(warm, tmp, args.processes)
        full, full_cpu = timed_analyze(texts, tmp, args.processes)
    ours, ours_cpu = max(full - startup, 1e-9), max(full_cpu - startup_cpu, 1e-9)
    ner, ner_cpu = timed_ner(texts)
    print(
        json.dumps(
            {
                "benchmark": "enrich",
                "articles": len(texts),
                "processes": args.processes,
                "articles_per_s": round((len(texts) - len(warm)) / ours, 2),
                "seconds": round(ours, 2),
                "startup_seconds": round(startup, 2),
                "ner_seconds": round(ner, 2),
                "ner_articles_per_s": round(len(texts) / ner, 2),
                "ratio_to_ner": round(ours / ner, 3),
                "cpu_seconds": round(ours_cpu, 2),
                "ner_cpu_seconds": round(ner_cpu, 2),
                "cpu_ratio_to_ner": round(ours_cpu / ner_cpu, 3),
                "cpus": os.cpu_count(),
            }
        )
    )


if __name__ == "__main__":
    main()
