"""The `analyze` contract over a JSONL file, the models running in worker processes.

Lines are read in order and analysed a window at a time on every core; output lines come back
in input order. With --corpus each is linked to the lines before it as it arrives, and the
lines are given back once the stream has ended, with the story each is in by then (stories
merge and split as the stream goes on; "story_at_arrival" keeps the first one): they wait in
a temporary file, not in memory. A bad line or a failed analysis is an error line for that
record; the run goes on.
"""

from __future__ import annotations

import json
import tempfile
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from threadpoolctl import threadpool_limits

from broadsheet.jobs.models import ModelProcesses
from broadsheet.models import ArticleDraft, Enrichment
from broadsheet.pipeline import CorpusLinker, analysis_json, analyze_record

# Lines in flight at most: enough to keep every process busy, little held in memory.
WINDOW = 32
# One input line at most (a page of HTML is capped at 5 MB by the fetcher; JSON escapes grow it).
MAX_LINE_BYTES = 20_000_000


@dataclass
class Analysed:
    """One input line: its record (None when unreadable) and its analysis or what went wrong."""

    number: int
    record: dict[str, Any] | None
    problem: str = ""
    result: tuple[ArticleDraft, Enrichment] | None = None


def analyze_lines(path: Path, *, corpus: bool, processes: int) -> Iterator[dict[str, Any]]:
    """The output line of every non-blank input line, in order."""
    linker = CorpusLinker() if corpus else None
    models = ModelProcesses(processes, enrich=True) if processes > 0 else None
    if models is None:
        threadpool_limits(limits=1)  # numpy's extra threads only fight the models for cores
    threads = ThreadPoolExecutor(max(1, processes))
    try:
        outputs = (
            _output(item, linker) for item in _analysed_in_order(read_jsonl(path), threads, models)
        )
        if linker is None:
            yield from (out for out, _ in outputs)
        else:
            yield from _settled(outputs, linker)
    finally:
        # The caller may stop reading early: the lines still queued are not analysed.
        threads.shutdown(wait=True, cancel_futures=True)
        if models is not None:
            models.close()


def _analysed_in_order(
    lines: Iterator[Analysed], threads: ThreadPoolExecutor, models: ModelProcesses | None
) -> Iterator[Analysed]:
    """The lines analysed, up to WINDOW ahead of the one given back, in input order."""
    # A sliding window, not one window at a time: a process that finishes its share early
    # takes the next line instead of waiting for the window's slowest article.
    pending: deque[Future[Analysed]] = deque()
    for item in lines:
        pending.append(threads.submit(_analyse, item, models))
        if len(pending) >= WINDOW:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _analyse(item: Analysed, models: ModelProcesses | None) -> Analysed:
    if item.record is None:
        return item
    try:
        if models is None:
            item.result = analyze_record(item.record)
        else:
            item.result = models.run(analyze_record, item.record)
    except Exception as exc:  # one bad record must not stop the batch
        item.problem = f"{type(exc).__name__}: {exc}"
    return item


def _settled(
    outputs: Iterator[tuple[dict[str, Any], int | None]], linker: CorpusLinker
) -> Iterator[dict[str, Any]]:
    """The linked lines again once all have arrived, each with the story it is in at the end."""
    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        for out, line in outputs:
            spool.write(json.dumps([line, out]) + "\n")
        spool.seek(0)
        for raw in spool:
            line, out = json.loads(raw)
            yield out if line is None else linker.settled(out, line)


def _output(item: Analysed, linker: CorpusLinker | None) -> tuple[dict[str, Any], int | None]:
    """The line's output, and its number among the linked lines (None when not linked)."""
    if item.record is None:
        return {"id": None, "line": item.number, "error": item.problem}, None
    if item.result is None:
        return {"id": item.record.get("id"), "line": item.number, "error": item.problem}, None
    draft, enrichment = item.result
    try:
        if linker is not None:
            return linker.link(item.record, draft, enrichment), len(linker) - 1
        return analysis_json(item.record.get("id"), draft, enrichment), None
    except Exception as exc:  # linking one record must not stop the batch either
        return {"id": item.record.get("id"), "line": item.number, "error": f"{exc}"}, None


def read_jsonl(path: Path) -> Iterator[Analysed]:
    """Every non-blank line as a record, or with the reason it is not one; never raises.

    A line is read up to MAX_LINE_BYTES: a longer one is an error line, and the rest of it
    is skipped without being held in memory.
    """
    with path.open("rb") as source:
        number = 0
        while raw := source.readline(MAX_LINE_BYTES + 1):
            number += 1
            if len(raw) > MAX_LINE_BYTES:
                while raw and not raw.endswith(b"\n"):
                    raw = source.readline(MAX_LINE_BYTES)
                yield Analysed(number, None, f"line longer than {MAX_LINE_BYTES} bytes")
            elif raw.strip():
                yield _parse_line(number, raw)


def _parse_line(number: int, raw: bytes) -> Analysed:
    try:
        record = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return Analysed(number, None, f"not UTF-8 (byte {exc.start}): re-encode the file as UTF-8")
    except RecursionError:
        return Analysed(number, None, "JSON nested too deeply")
    except json.JSONDecodeError as exc:
        return Analysed(number, None, f"not JSON: {exc}")
    if not isinstance(record, dict):
        return Analysed(number, None, f"not a JSON object but a {type(record).__name__}")
    return Analysed(number, record)
