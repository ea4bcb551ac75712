"""Wire-copy detection through `broadsheet analyze --corpus`: precision and recall; one JSON line.

Usage: python bench/dedupe.py [--originals N] [--seed S] [--dataset PATH]

The labelled set is built from real article texts: the BBC News set in ../shared/datasets
(2,225 articles, paragraphs separated by blank lines). N originals are drawn at random (seeded).
Each original gets one syndicated variant per transformation below, the way copies differ
across publishers in the wild:

- retitle: another headline (a sentence of the article's own, as editors rewrite headlines)
- trim: the last one or two paragraphs cut
- reorder: two neighbouring paragraphs swapped, beyond the lede
- credit: an agency dateline before the text and a credit line after it
- template: page furniture between paragraphs ("Advertisement", share and newsletter lines)
- first_half: only the first half of the paragraphs
- local: the copy with three paragraphs of a local paper's own (taken from another article of
  the same class that is not in the stream) before and after it
- combined: retitled, trimmed, credited and in another template at once

Hard negatives: for every original, the article of the same BBC class that shares the most
capitalised words (names) with it, so different articles on the same subject are in the stream.
Articles that are the same text in the dataset itself (BBC holds some twice) are one group:
5-word shingle containment >= 0.8, measured here with the script's own shingles.

The stream is the originals and negatives in a shuffled order, then the variants in a shuffled
order (each copy after the article it copies). A link (`copy_of` on a line) is right when both
lines are in the same group; precision is right links over all links, recall is right links
over the lines whose group has an earlier line in the stream.
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
from collections.abc import Callable
from functools import cached_property
from pathlib import Path

DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"
DATASET = DATASETS / "bbc-news" / "bbc"
BROADSHEET = Path(sys.executable).with_name("broadsheet")
SAME_TEXT = 0.8
_WORD = re.compile(r"\w+")
_NAME = re.compile(r"\b[A-Z][a-z]{2,}\b")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


class Doc:
    """One BBC article: its class, headline and paragraphs."""

    def __init__(self, folder: str, title: str, paragraphs: list[str]) -> None:
        self.folder, self.title, self.paragraphs = folder, title, paragraphs

    @cached_property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)

    @cached_property
    def names(self) -> frozenset[str]:
        """Its capitalised words: read once, compared with every article of its class."""
        return frozenset(_NAME.findall(self.text))


def read_docs(root: Path) -> list[Doc]:
    """Every article with at least four paragraphs (a copy must have something to trim)."""
    docs = []
    for folder in sorted(p.name for p in root.iterdir() if p.is_dir()):
        for path in sorted((root / folder).glob("*.txt")):
            raw = path.read_text(encoding="utf-8", errors="replace")
            title, _, body = raw.partition("\n")
            paragraphs = [p.strip() for p in re.split(r"\n\s*\n", body) if p.strip()]
            if len(paragraphs) >= 4:
                docs.append(Doc(folder, title.strip(), paragraphs))
    return docs


def shingle_set(text: str) -> set[tuple[str, ...]]:
    words = _WORD.findall(text.lower())
    return {tuple(words[i : i + 5]) for i in range(max(0, len(words) - 4))}


def containment(a: set[tuple[str, ...]], b: set[tuple[str, ...]]) -> float:
    return len(a & b) / max(1, min(len(a), len(b)))


Variant = Callable[[Doc, Doc, random.Random], tuple[str, str]]


def retitle(doc: Doc, _other: Doc, rng: random.Random) -> tuple[str, str]:
    sentences = [s for p in doc.paragraphs[1:] for s in _SENTENCE.split(p) if len(s) > 30]
    return (rng.choice(sentences)[:120] if sentences else doc.title + " - update"), doc.text


def trim(doc: Doc, _other: Doc, rng: random.Random) -> tuple[str, str]:
    return doc.title, "\n\n".join(doc.paragraphs[: -rng.choice((1, 2))])


def reorder(doc: Doc, _other: Doc, rng: random.Random) -> tuple[str, str]:
    paragraphs = list(doc.paragraphs)
    at = rng.randrange(1, len(paragraphs) - 1)
    paragraphs[at], paragraphs[at + 1] = paragraphs[at + 1], paragraphs[at]
    return doc.title, "\n\n".join(paragraphs)


def credit(doc: Doc, _other: Doc, rng: random.Random) -> tuple[str, str]:
    agency = rng.choice(["(AP) -", "(Reuters) -", "(AFP) -", "(CNN) --"])
    line = rng.choice(
        ["Additional reporting by staff.", "With Post wires.", "Editing by the desk."]
    )
    return doc.title, f"LONDON {agency} {doc.text}\n\n{line}"


FURNITURE = [
    "Advertisement",
    "Share this article: Email Facebook Twitter",
    "Sign up for our daily newsletter",
]


def template(doc: Doc, _other: Doc, rng: random.Random) -> tuple[str, str]:
    parts: list[str] = []
    for n, paragraph in enumerate(doc.paragraphs):
        parts.append(paragraph)
        if n % 3 == 1:
            parts.append(rng.choice(FURNITURE))
    return doc.title, "\n\n".join(parts)


def first_half(doc: Doc, _other: Doc, _rng: random.Random) -> tuple[str, str]:
    return doc.title, "\n\n".join(doc.paragraphs[: max(2, len(doc.paragraphs) // 2)])


def local(doc: Doc, other: Doc, _rng: random.Random) -> tuple[str, str]:
    own = other.paragraphs[:3]
    return doc.title, "\n\n".join([*own[:2], *doc.paragraphs, *own[2:]])


def combined(doc: Doc, other: Doc, rng: random.Random) -> tuple[str, str]:
    title, _ = retitle(doc, other, rng)
    shorter = Doc(doc.folder, title, doc.paragraphs[:-1])
    _, text = credit(shorter, other, rng)
    return title, template(Doc(doc.folder, title, text.split("\n\n")), other, rng)[1]


VARIANTS: dict[str, Variant] = {
    "retitle": retitle,
    "trim": trim,
    "reorder": reorder,
    "credit": credit,
    "template": template,
    "first_half": first_half,
    "local": local,
    "combined": combined,
}


def hard_negative(doc: Doc, pool: list[Doc], taken: set[int]) -> int | None:
    """The index of the same-class article sharing the most names with doc, not yet used."""
    best, best_score = None, 0
    for n, other in enumerate(pool):
        if n in taken or other is doc or other.folder != doc.folder:
            continue
        score = len(doc.names & other.names)
        if score > best_score:
            best, best_score = n, score
    return best


def build(docs: list[Doc], originals: int, seed: int) -> list[dict[str, str]]:
    """The stream: lines {"id", "title", "text", "group", "kind"}, in feeding order."""
    rng = random.Random(seed)
    chosen = rng.sample(range(len(docs)), originals)
    taken = set(chosen)
    base: list[tuple[int, str]] = [(n, "original") for n in chosen]
    for n in chosen:
        negative = hard_negative(docs[n], docs, taken)
        if negative is not None:
            taken.add(negative)
            base.append((negative, "negative"))
    groups = same_text_groups(docs, [n for n, _ in base])
    rng.shuffle(base)
    lines = [
        {
            "id": f"d{n}",
            "title": docs[n].title,
            "text": docs[n].text,
            "group": groups[n],
            "kind": kind,
        }
        for n, kind in base
    ]
    variants = []
    for n in chosen:
        # The local paper's own paragraphs: from an article outside the stream, used once, so
        # that a copy shares its wording with its own group only.
        outside = [m for m in range(len(docs)) if docs[m].folder == docs[n].folder]
        own = rng.choice([m for m in outside if m not in taken])
        taken.add(own)
        other = docs[own]
        for name, make in VARIANTS.items():
            title, text = make(docs[n], other, rng)
            variants.append(
                {
                    "id": f"d{n}-{name}",
                    "title": title,
                    "text": text,
                    "group": groups[n],
                    "kind": name,
                }
            )
    rng.shuffle(variants)
    return lines + variants


def same_text_groups(docs: list[Doc], members: list[int]) -> dict[int, str]:
    """Each member's group: the articles that are the same text in the dataset share one."""
    sets = {n: shingle_set(docs[n].text) for n in members}
    group = {n: f"g{n}" for n in members}
    for i, a in enumerate(members):
        for b in members[i + 1 :]:
            if containment(sets[a], sets[b]) >= SAME_TEXT:
                group[b] = group[a]
    return group


def analyse(lines: list[dict[str, str]]) -> dict[str, str | None]:
    """copy_of per line id, from one `broadsheet analyze --corpus` run."""
    with tempfile.TemporaryDirectory() as tmp:
        given, out = Path(tmp) / "in.jsonl", Path(tmp) / "out.jsonl"
        records = (
            {"id": line["id"], "title": line["title"], "text": line["text"]} for line in lines
        )
        given.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
        subprocess.run(
            [str(BROADSHEET), "analyze", "--corpus", "--jsonl", str(given), "--out", str(out)],
            check=True,
            capture_output=True,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )
        results = [
            json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line
        ]
    errors = [r for r in results if "error" in r]
    if errors or len(results) != len(lines):
        raise SystemExit(f"dedupe bench: {len(errors)} error lines of {len(results)}")
    return {r["id"]: r.get("copy_of") for r in results}


def score(lines: list[dict[str, str]], links: dict[str, str | None]) -> dict[str, object]:
    """Precision and recall of the links, recall per transformation."""
    group = {line["id"]: line["group"] for line in lines}
    seen: set[str] = set()
    should = right = made = 0
    missed: Counter[str] = Counter()
    per_kind: Counter[str] = Counter()
    wrong: Counter[str] = Counter()
    for line in lines:
        target = links.get(line["id"])
        expected = line["group"] in seen
        seen.add(line["group"])
        should += expected
        per_kind[line["kind"]] += expected
        if target is not None:
            made += 1
            if group.get(target) == line["group"]:
                right += 1
            else:
                wrong[line["kind"]] += 1
        if expected and (target is None or group.get(target) != line["group"]):
            missed[line["kind"]] += 1
    recall_by_kind = {k: round(1 - missed[k] / n, 3) for k, n in sorted(per_kind.items()) if n}
    return {
        "precision": round(right / made, 4) if made else 0.0,
        "recall": round(right / should, 4) if should else 0.0,
        "links": made,
        "expected_links": should,
        "wrong_links_by_kind": dict(wrong),
        "recall_by_kind": recall_by_kind,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--originals", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dataset", type=Path, default=DATASET)
    args = parser.parse_args()
    lines = build(read_docs(args.dataset), args.originals, args.seed)
    start = time.perf_counter()
    links = analyse(lines)
    seconds = time.perf_counter() - start
    result = {"benchmark": "dedupe", "lines": len(lines), **score(lines, links)}
    print(json.dumps({**result, "seconds": round(seconds, 1)}))


if __name__ == "__main__":
    main()
