"""bench/moderation.py: it reads the labelled set whole and scores the first pass the way it
says, on a small subset (the full run is a benchmark, not a test)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from types import ModuleType

BENCH = "moderation"
# The SMS Spam Collection's published counts (UCI): 5,574 messages, 747 of them spam.
MESSAGES, SPAM = 5574, 747
# Scored once per text: the same campaign message sent many times counts once.
DISTINCT, DISTINCT_SPAM = 5171, 653
FIGURES = {"precision", "recall", "f1", "tp", "fp", "fn"}


def test_reader_restores_every_published_message(
    require_data: Callable[..., None], bench_module: Callable[[str], ModuleType]
) -> None:
    bench = bench_module(BENCH)
    path = bench.sms_spam_path()
    require_data(path)
    messages = bench.read_sms_spam(path)
    assert (len(messages), sum(m.spam for m in messages)) == (MESSAGES, SPAM)
    # No line of the tab-separated original is left folded into another message.
    assert not [m for m in messages if "\nham\t" in m.text or "\nspam\t" in m.text]
    unique = bench.distinct(messages)
    assert (len(unique), sum(m.spam for m in unique)) == (DISTINCT, DISTINCT_SPAM)


def test_sample_keeps_the_share_of_spam(
    require_data: Callable[..., None], bench_module: Callable[[str], ModuleType]
) -> None:
    bench = bench_module(BENCH)
    path = bench.sms_spam_path()
    require_data(path)
    unique = bench.distinct(bench.read_sms_spam(path))
    chosen = bench.sample(unique, 400, 7)
    share = sum(m.spam for m in unique) / len(unique)
    assert len(chosen) == 400
    assert abs(sum(m.spam for m in chosen) / 400 - share) < 0.01
    assert chosen == bench.sample(unique, 400, 7)


def test_score_counts_hits_false_alarms_and_misses(
    bench_module: Callable[[str], ModuleType],
) -> None:
    bench = bench_module(BENCH)
    pairs = [(True, True), (True, True), (True, False), (False, True), (False, False)]
    assert bench.score(pairs) == {
        "precision": 0.6667,
        "recall": 0.6667,
        "f1": 0.6667,
        "tp": 2,
        "fp": 1,
        "fn": 1,
    }
    assert bench.score([(False, True)])["recall"] == 0.0
    assert bench.score([(False, False)])["f1"] == 0.0


def test_bench_prints_one_line_with_the_operating_point(
    require_data: Callable[..., None], bench_module: Callable[[str], ModuleType]
) -> None:
    bench = bench_module(BENCH)
    require_data(bench.sms_spam_path())
    done = subprocess.run(
        [sys.executable, str(bench.__file__), "--limit", "300"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1, done.stdout
    report = json.loads(lines[0])
    assert report["benchmark"] == BENCH
    assert report["account_age_days"] == 30
    assert (report["messages"], report["distinct"], report["items"]) == (MESSAGES, DISTINCT, 300)
    assert 0 < report["spam"] < 300
    held = report["held"]
    assert set(held) == FIGURES
    assert held["tp"] + held["fn"] == report["spam"]
    assert all(0.0 <= held[k] <= 1.0 for k in ("precision", "recall", "f1"))
    for_spam = report["held_for_spam"]
    assert set(for_spam) == FIGURES
    assert for_spam["tp"] <= held["tp"] and for_spam["fp"] <= held["fp"]
    # held is score >= HOLD_AT: the default threshold's row is the held row.
    assert report["at_threshold"][f"{report['hold_at']:g}"] == held
    assert len(report["at_threshold"]) >= 9
    recalls = [row["recall"] for _, row in sorted(report["at_threshold"].items(), key=_number)]
    assert recalls == sorted(recalls, reverse=True), "recall cannot rise with the threshold"
    assert set(report["baselines"]) == {"any_link", "long_number"}
    assert all(set(b) == FIGURES for b in report["baselines"].values())
    held_by_rule = report["held_by_rule"].values()
    assert sum(c.get("right", 0) for c in held_by_rule) == held["tp"]
    assert sum(c.get("wrong", 0) for c in held_by_rule) == held["fp"]
    assert "f1_over_best_baseline" in report


def _number(item: tuple[str, object]) -> float:
    return float(item[0])
