"""The in-process runner of the embedded default: threads for I/O, processes for the models.

Sources are polled and pages fetched on threads; extraction and enrichment, the CPU-heavy part,
run in a pool of processes (each loads the models once) so both cores work. The same use cases
run on procrastinate workers at scale (`broadsheet.jobs.distributed`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from types import TracebackType

from broadsheet.jobs.models import ModelProcesses, SerialAnalyzer
from broadsheet.pipeline import (
    Context,
    EntryOutcome,
    IngestReport,
    discover_entries,
    process_entry,
)
from broadsheet.pipeline.entries import release_dead_leases
from broadsheet.pipeline.related import refresh_due
from broadsheet.store import entries as entry_store
from broadsheet.store import sources as source_store

log = logging.getLogger(__name__)
BATCH = 200


class Runner:
    """Runs what is due to completion in this process; reuse one for many runs."""

    def __init__(self, ctx: Context, *, io_threads: int = 4, nlp_processes: int = 0) -> None:
        self._threads = ThreadPoolExecutor(max(1, io_threads), thread_name_prefix="ingest")
        self._models: ModelProcesses | None = None
        if nlp_processes > 0:
            self._models = ModelProcesses(nlp_processes, enrich=ctx.settings.enrich)
            self.ctx = replace(ctx, analyzer=self._models)
        else:  # inline: the fetching threads take turns with the models
            self.ctx = replace(ctx, analyzer=SerialAnalyzer(ctx.analyzer))

    def run_due(
        self,
        on_plan: Callable[[int], None] | None = None,
        on_entry: Callable[[EntryOutcome], None] | None = None,
    ) -> IngestReport:
        """Poll every due source, process every due entry until nothing is due, then rank
        again the related lists of the stories that grew."""
        report = IngestReport()
        with self.ctx.engine.connect() as conn:
            sources = source_store.due_sources(conn, self.ctx.clock())
        report.polls = list(self._threads.map(lambda s: discover_entries(self.ctx, s), sources))
        release_dead_leases(self.ctx)
        while True:
            with self.ctx.engine.connect() as conn:
                now = self.ctx.clock()
                if on_plan is not None:
                    on_plan(len(report.outcomes) + entry_store.count_due(conn, now))
                due = entry_store.due_entries(conn, now, BATCH)
            if not due:
                break
            batch = []
            for outcome in self._threads.map(lambda e: process_entry(self.ctx, e), due):
                batch.append(outcome)
                if on_entry is not None:
                    on_entry(outcome)
            report.outcomes.extend(batch)
            if all(outcome.status == "not-due" for outcome in batch):
                break  # all taken by other workers meanwhile: theirs to finish
        refresh_due(self.ctx)
        return report

    def run_forever(self, stop: threading.Event, idle_seconds: float = 30.0) -> None:
        """Keep every source current until stop is set (`broadsheet serve`'s poller)."""
        while not stop.is_set():
            try:
                self.run_due()
            except Exception:  # a database outage must not end the poller: log, wait, go on
                log.exception("runner: a run failed; trying again in %.0f s", idle_seconds)
            stop.wait(idle_seconds)

    def close(self) -> None:
        """Stop the threads and worker processes."""
        self._threads.shutdown(wait=True)
        if self._models is not None:
            self._models.close()

    def __enter__(self) -> Runner:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
