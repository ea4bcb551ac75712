"""Entity-level F1 per type on CoNLL-2003 testa, through `broadsheet analyze`, next to spaCy sm."""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import spacy

from broadsheet.enrich.entities import recognize_entities
from broadsheet.enrich.nlp import MODEL_NAME, parse_text

# The evaluation sets stay in shared/, beside the checkout (as in CI), never in the repo.
DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"
TESTA = DATASETS / "conll2003" / "eng.testa"
BROADSHEET = Path(sys.executable).with_name("broadsheet")
TYPES = ("PER", "LOC", "ORG", "MISC")
Span = tuple[int, int, str]  # start, end, CoNLL type
KIND_TYPES = {"person": "PER", "organization": "ORG", "place": "LOC", "country": "LOC"}
KIND_TYPES["other"] = "MISC"
# CoNLL types the word, not the thing: "Chinese" (a demonym linked to China) is MISC, and a
# place inside an organisation's name ("University of Texas") is no entity of its own.
ROLE_TYPES = {"demonym": "MISC", "embedded": "", "civic": ""}
SPACY_TYPES = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC"}
SPACY_TYPES |= dict.fromkeys(("NORP", "EVENT", "WORK_OF_ART", "LAW", "PRODUCT", "LANGUAGE"), "MISC")


@dataclass
class Document:
    """One CoNLL document as plain text (a sentence a line) with its gold entity offsets."""

    id: str
    text: str = ""
    gold: set[Span] = field(default_factory=set)


def read_conll(path: Path) -> list[Document]:
    """Every -DOCSTART- document of an IOB1 CoNLL file; tokens joined by spaces."""
    blocks = re.split(r"^-DOCSTART-.*$", path.read_text(encoding="utf-8"), flags=re.MULTILINE)
    docs = [read_document(f"testa-{n}", block) for n, block in enumerate(blocks)]
    return [doc for doc in docs if doc.text]


def read_document(doc_id: str, block: str) -> Document:
    """One document: sentences become lines, IOB1 tags become character spans."""
    doc = Document(doc_id)
    lines: list[str] = []
    for sentence in block.strip().split("\n\n"):
        rows = [row.split() for row in sentence.splitlines() if row.strip()]
        if not rows:
            continue
        offset = sum(len(line) + 1 for line in lines)
        line, spans = read_sentence(rows, offset)
        lines.append(line)
        doc.gold |= spans
    doc.text = "\n".join(lines)
    return doc


def read_sentence(rows: list[list[str]], offset: int) -> tuple[str, set[Span]]:
    """The sentence's text and its entities; B- only separates two same-type neighbours."""
    words: list[str] = []
    spans: set[Span] = set()
    current: list[int | str] = []  # start, end, type of the entity being read
    position = offset
    for token, *_, tag in rows:
        kind = tag[2:] if tag != "O" else ""
        if current and (kind != current[2] or tag.startswith("B-")):
            spans.add((int(current[0]), int(current[1]), str(current[2])))
            current = []
        if kind and current:
            current[1] = position + len(token)
        elif kind:
            current = [position, position + len(token), kind]
        words.append(token)
        position += len(token) + 1
    if current:
        spans.add((int(current[0]), int(current[1]), str(current[2])))
    return " ".join(words), spans


def run_analyze(docs: list[Document]) -> dict[str, set[Span]]:
    """Our spans per document id, read from the output of `broadsheet analyze`."""
    with tempfile.TemporaryDirectory() as tmp:
        source, out = Path(tmp) / "in.jsonl", Path(tmp) / "out.jsonl"
        lines = (json.dumps({"id": d.id, "text": d.text}) for d in docs)
        source.write_text("\n".join(lines) + "\n", encoding="utf-8")
        command = [str(BROADSHEET), "analyze", "--jsonl", str(source), "--out", str(out)]
        subprocess.run(command, check=True, capture_output=True)
        records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    return {record["id"]: analyzed_spans(record) for record in records}


def analyzed_spans(record: dict[str, object]) -> set[Span]:
    """Every mention of every entity of one output line, typed by its entity's kind."""
    spans: set[Span] = set()
    entities = record.get("entities") or []
    assert isinstance(entities, list), record.get("error")
    for entity in entities:
        kind = KIND_TYPES.get(entity["kind"], "")
        for mention in entity["mentions"]:
            span = (mention["start"], mention["end"], mention_type(kind, mention.get("role", "")))
            if span[2]:
                spans.add(span)
    return spans


def mention_type(kind: str, role: str) -> str:
    """The CoNLL type of one mention of an entity of that type ("" for none)."""
    return ROLE_TYPES.get(role, kind)


def run_recognizer(docs: list[Document]) -> dict[str, set[Span]]:
    """Our spans from the entity step itself, in-process (what `analyze` runs, minus the rest)."""
    found = {}
    for doc in docs:
        entities = recognize_entities(parse_text(doc.text))
        spans = {(m.start, m.end, mention_type(KIND_TYPES[e.kind], m.role))
                 for e in entities for m in e.mentions}  # fmt: skip
        found[doc.id] = {span for span in spans if span[2]}
    return found


def run_spacy(docs: list[Document]) -> dict[str, set[Span]]:
    """Plain spaCy sm (its default pipeline) on the same texts, labels mapped to CoNLL types."""
    found = {}
    nlp = spacy.load(MODEL_NAME)
    for doc, parsed in zip(docs, nlp.pipe([d.text for d in docs]), strict=True):
        spans = {(e.start_char, e.end_char, SPACY_TYPES.get(e.label_, "")) for e in parsed.ents}
        found[doc.id] = {span for span in spans if span[2]}
    return found


def score(docs: list[Document], found: dict[str, set[Span]]) -> dict[str, dict[str, float]]:
    """Exact-match precision, recall and F1 per type and overall (micro), as conlleval does."""
    counts: Counter[tuple[str, str]] = Counter()
    for doc in docs:
        predicted = found.get(doc.id, set())
        for what, spans in (("gold", doc.gold), ("predicted", predicted)):
            counts.update((what, span[2]) for span in spans)
            counts.update((what, "all") for _ in spans)
        for span in doc.gold & predicted:
            counts.update([("correct", span[2]), ("correct", "all")])
    result: dict[str, dict[str, float]] = {"precision": {}, "recall": {}, "f1": {}}
    for kind in (*TYPES, "all"):
        p = counts["correct", kind] / max(counts["predicted", kind], 1)
        r = counts["correct", kind] / max(counts["gold", kind], 1)
        result["precision"][kind] = round(p, 4)
        result["recall"][kind] = round(r, 4)
        result["f1"][kind] = round(2 * p * r / max(p + r, 1e-9), 4)
    return result


def main() -> int:
    """Score ours and spaCy sm on testa (or its first --docs documents), print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=0, help="only the first N documents")
    args = parser.parse_args()
    if not TESTA.exists():
        print(json.dumps({"bench": "entities_conll_testa", "skipped": f"{TESTA} is missing"}))
        return 0
    started = time.perf_counter()
    docs = read_conll(TESTA)[: args.docs or None]
    ours = score(docs, run_analyze(docs))
    peer = score(docs, run_spacy(docs))
    line = {"bench": "entities_conll_testa", "documents": len(docs), **ours}
    line["peer"] = {"system": "spaCy en_core_web_sm, labels mapped", **peer}
    line["seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(line))
    return 0


if __name__ == "__main__":
    sys.exit(main())
