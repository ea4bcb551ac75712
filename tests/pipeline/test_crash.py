"""`broadsheet ingest` killed with SIGKILL mid-run, then run again: no doubles, none lost.

The same experiment as bench/crash.py (which does 20 kills on 200 pages), with its parts,
on fewer kills and pages, on each backend.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

PAGES = 30
KILLS = 4
BACKENDS = ["sqlite", "postgresql"] if os.environ.get("BROADSHEET_TEST_PG") else ["sqlite"]


@pytest.fixture(params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, database_factory: Any
) -> Iterator[str]:
    """A fresh, migrated database on each backend."""
    _engine, url, drop = database_factory(request.param, tmp_path)
    yield url
    drop()


def test_killed_ingest_then_rerun_stores_every_article_once(
    database_url: str, tmp_path: Path, bench_module: Callable[[str], ModuleType]
) -> None:
    crash = bench_module("crash")
    env = crash.cli_env(database_url, tmp_path, enrich=False)
    log = tmp_path / "ingest.log"
    with crash.ArticleSite(PAGES) as site:
        # Each kill lands within 0.15 s after the run stored its first article.
        runs = crash.kill_runs(site, database_url, env, log, (KILLS, 0.0, 0.3), random.Random(11))
        final = crash.start_ingest(f"{site.base}/feed.xml", env, log).wait(timeout=120)
        damage = crash.count_damage(database_url, site.urls())
    # A run with nothing left to do ends before its kill; at least one must die mid-work.
    assert runs["kills"] >= 1, runs
    assert final == 0, log.read_text(errors="replace")[-2000:]
    assert damage["duplicates"] == damage["duplicate_canonical_urls"] == 0, damage
    assert damage["missing"] == 0, damage
    assert damage["stored_entries_without_article"] == 0, damage
    assert crash.integrity_ok(database_url)
