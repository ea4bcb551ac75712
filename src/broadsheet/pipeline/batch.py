"""Running what is due to completion in this process: poll due sources, process due entries.

This is the embedded mode's engine (the CLI's `ingest`, `serve`'s poller and the tests use it);
`broadsheet.jobs` runs the same use cases on threads, processes or distributed workers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from broadsheet.pipeline.context import Context
from broadsheet.pipeline.entries import EntryOutcome, process_entry, release_dead_leases
from broadsheet.pipeline.polling import PollReport, discover_entries
from broadsheet.pipeline.related import refresh_due
from broadsheet.store import entries as entry_store

# Entries are taken from the database this many at a time (all of them, batch after batch).
BATCH = 200


@dataclass
class IngestReport:
    """What one refresh did: polls, and entries by outcome."""

    polls: list[PollReport] = field(default_factory=list)
    outcomes: list[EntryOutcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        """How many entries ended with this status (stored, known, failed, skipped)."""
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    @property
    def new(self) -> int:
        """Articles stored by this refresh."""
        return self.count("stored")

    @property
    def errors(self) -> list[str]:
        """Every failure of this refresh, in words."""
        polls = [f"source #{p.source_id}: {p.error}" for p in self.polls if p.error]
        return polls + [f"entry #{o.entry_id}: {o.error}" for o in self.outcomes if o.error]


def ingest_source(
    ctx: Context, source_id: int, on_entry: Callable[[EntryOutcome], None] | None = None
) -> IngestReport:
    """Refresh one source now: poll it, then process every entry of it that is due."""
    report = IngestReport(polls=[discover_entries(ctx, source_id)])
    report.outcomes = drain(ctx, [source_id], on_entry)
    return report


def drain(
    ctx: Context,
    source_ids: list[int] | None = None,
    on_entry: Callable[[EntryOutcome], None] | None = None,
) -> list[EntryOutcome]:
    """Process due entries (of some sources, or all) until none is due; one at a time."""
    outcomes: list[EntryOutcome] = []
    release_dead_leases(ctx)
    while True:
        with ctx.engine.connect() as conn:
            due = entry_store.due_entries(conn, ctx.clock(), BATCH, source_ids)
        if not due:
            break
        batch = []
        for entry_id in due:
            batch.append(process_entry(ctx, entry_id))
            if on_entry is not None:
                on_entry(batch[-1])
        outcomes.extend(batch)
        if all(outcome.status == "not-due" for outcome in batch):
            break  # all taken by other workers meanwhile: theirs to finish
    refresh_due(ctx)
    return outcomes
