"""The use cases as procrastinate jobs on PostgreSQL, run by any number of `broadsheet worker`s.

Work flows through two queues: "poll" (poll_source, and the periodic tasks) and "process"
(process_entry). The database, not the queue, says what is due: a periodic `schedule_due`
defers jobs for due sources and entries every minute, so an entry retried later by our own
backoff, or left behind by a killed worker, is queued again. Queueing locks keep one waiting
job per source and per entry; the entry's lease (`Context.lease`) keeps one worker on it.
Retries here are for crashes only: the use cases record their own failures.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import procrastinate
from procrastinate import exceptions
from procrastinate.job_context import JobContext
from procrastinate.jobs import Job, Status
from procrastinate.manager import JobManager
from sqlalchemy.engine import make_url

from broadsheet import pipeline
from broadsheet.config import Settings
from broadsheet.jobs.models import ModelProcesses, SerialAnalyzer
from broadsheet.pipeline import Context, related
from broadsheet.store import entries as entry_store
from broadsheet.store import sources as source_store

log = logging.getLogger(__name__)

POLL_QUEUE = "poll"
PROCESS_QUEUE = "process"
QUEUES = (POLL_QUEUE, PROCESS_QUEUE)
# Task names are stored with every job: never rename one that may still be queued.
POLL_TASK = "broadsheet.poll_source"
PROCESS_TASK = "broadsheet.process_entry"
SCHEDULE_TASK = "broadsheet.schedule_due"
STALLED_TASK = "broadsheet.retry_stalled_jobs"
CLEANUP_TASK = "broadsheet.remove_old_jobs"
RELATED_TASK = "broadsheet.refresh_related"
# Workers take higher priorities first: a tick or a poll must not wait behind a backlog of
# entries (a tick queues more of them; a late poll delays discovery).
TICK_PRIORITY = 20
POLL_PRIORITY = 10
# A job that crashed (or whose worker died) on this many runs is left failed for a person.
MAX_ATTEMPTS = 5
# Crash retries wait 4, 16, 64, 256 s: a database outage gets time to end.
CRASH_RETRY = procrastinate.RetryStrategy(max_attempts=MAX_ATTEMPTS - 1, exponential_wait=4)
# schedule_due queues at most this many entries per tick; the rest wait for the next ticks.
DUE_BATCH = 1000
# Finished jobs are kept this long for operators, then deleted (one job per entry adds up).
KEEP_JOBS_HOURS = 48
CLEANUP_CRON = "17 * * * *"
RELATED_BUDGET = 30.0  # seconds of one refresh_related tick; what is left waits for the next
POOL_SIZE = 8  # procrastinate's own connections per process (listen, fetch, finish, defer)
CONTEXT_KEY = "broadsheet"
# A job re-checks a leased entry this long after the lease ends (clocks differ a little).
LEASE_MARGIN = timedelta(seconds=1)


class DistributedError(Exception):
    """The distributed jobs cannot run as configured; the message says what to do."""


@dataclass(frozen=True)
class Timing:
    """How often the periodic tasks run and when a silent worker is taken for dead."""

    schedule_cron: str = "* * * * *"  # schedule_due; a 6th field counts seconds
    stalled_cron: str = "* * * * *"  # retry_stalled_jobs
    related_cron: str = "* * * * *"  # refresh_related
    heartbeat: float = 10.0  # seconds between a worker's heartbeats
    stalled_after: float = 60.0  # seconds without a heartbeat before a worker's jobs are retried


DEFAULT_TIMING = Timing()


def pg_conninfo(database_url: str) -> str:
    """The libpq conninfo of a SQLAlchemy PostgreSQL URL (options such as search_path kept)."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise DistributedError(
            f"jobs: distributed workers need PostgreSQL, but BROADSHEET_DATABASE_URL is "
            f"{url.render_as_string(hide_password=True)!r}: set it to postgresql://user@host/db "
            "(on SQLite, `broadsheet serve` runs the jobs in-process)"
        )
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def make_app(settings: Settings, timing: Timing = DEFAULT_TIMING) -> procrastinate.App:
    """A procrastinate app on the settings' database with Broadsheet's tasks (not yet opened)."""
    connector = procrastinate.PsycopgConnector(
        conninfo=pg_conninfo(settings.database_url), min_size=1, max_size=POOL_SIZE
    )
    app = procrastinate.App(connector=connector)
    app.task(
        name=POLL_TASK,
        queue=POLL_QUEUE,
        priority=POLL_PRIORITY,
        pass_context=True,
        retry=CRASH_RETRY,
    )(_poll_source)
    app.task(name=PROCESS_TASK, queue=PROCESS_QUEUE, pass_context=True, retry=CRASH_RETRY)(
        _process_entry
    )
    _add_periodic(app, SCHEDULE_TASK, timing.schedule_cron, _schedule_due)
    _add_periodic(app, STALLED_TASK, timing.stalled_cron, _stalled_retrier(timing.stalled_after))
    _add_periodic(app, CLEANUP_TASK, CLEANUP_CRON, _remove_old_jobs)
    _add_periodic(app, RELATED_TASK, timing.related_cron, _refresh_related)
    return app


def _add_periodic(app: procrastinate.App, name: str, cron: str, func: Callable[..., Any]) -> None:
    # The queueing lock keeps one tick waiting when workers are busy; no `lock`, because a
    # tick stuck on a dead worker would then block every later tick, the stalled retry's too.
    task = app.task(
        name=name,
        queue=POLL_QUEUE,
        priority=TICK_PRIORITY,
        pass_context=True,
        queueing_lock=name,
    )(func)
    app.periodic(cron=cron, periodic_id=name)(task)


def apply_schema(settings: Settings) -> bool:
    """Create procrastinate's tables in the database when missing; True when they were created."""
    app = make_app(settings)
    with app.open():
        if app.check_connection():
            return False
        try:
            app.schema_manager.apply_schema()
        except exceptions.ConnectorException:
            # Another process (a worker starting at the same time) may have just made them.
            if app.check_connection():
                return False
            raise
    log.info("jobs: created procrastinate's tables")
    return True


def run_worker(
    settings: Settings,
    *,
    concurrency: int = 4,
    queues: list[str] | None = None,
    name: str | None = None,
    timing: Timing = DEFAULT_TIMING,
    lease: timedelta | None = None,
) -> None:
    """Run jobs from `queues` (None: all), `concurrency` at a time, until SIGINT or SIGTERM."""
    _check_worker_options(concurrency, queues)
    apply_schema(settings)
    ctx = worker_context(settings, lease=lease)
    try:
        make_app(settings, timing).run_worker(
            concurrency=concurrency,
            queues=queues,
            name=name or "worker",
            additional_context={CONTEXT_KEY: ctx},
            update_heartbeat_interval=timing.heartbeat,
            stalled_worker_timeout=timing.stalled_after,
        )
    finally:
        if isinstance(ctx.analyzer, ModelProcesses):
            ctx.analyzer.close()
        ctx.fetcher.close()
        ctx.engine.dispose()


def _check_worker_options(concurrency: int, queues: list[str] | None) -> None:
    if concurrency < 1:
        raise DistributedError(f"jobs: concurrency must be 1 or more, got {concurrency}")
    unknown = sorted(set(queues or ()) - set(QUEUES))
    if unknown:
        raise DistributedError(
            f"jobs: unknown queue {', '.join(unknown)}: choose from {', '.join(QUEUES)}"
        )


def worker_context(settings: Settings, *, lease: timedelta | None = None) -> Context:
    """The one Context a worker process shares across its job threads.

    The models run in a process of the worker's own (one page at a time, one core), so the
    job threads fetching and storing never wait behind them for the GIL: run one worker per
    core. With the models off, extraction runs in the job threads, one page at a time.
    """
    ctx = pipeline.make_context(settings)
    if settings.enrich:
        ctx = replace(ctx, analyzer=ModelProcesses(1, enrich=True))
    else:
        ctx = replace(ctx, analyzer=SerialAnalyzer(ctx.analyzer))
    return replace(ctx, lease=lease) if lease is not None else ctx


def defer_poll(app: procrastinate.App, source_id: int) -> bool:
    """Queue a poll of the source; False when one is already waiting."""
    try:
        app.tasks[POLL_TASK].configure(queueing_lock=f"source:{source_id}").defer(
            source_id=source_id
        )
    except exceptions.AlreadyEnqueued:
        return False
    return True


def defer_entries(
    app: procrastinate.App, entry_ids: Iterable[int], *, at: datetime | None = None
) -> int:
    """Queue process_entry for each entry not already waiting; return how many were queued."""
    task = app.tasks[PROCESS_TASK]
    queued = 0
    for entry_id in entry_ids:
        try:
            task.configure(queueing_lock=f"entry:{entry_id}", schedule_at=at).defer(
                entry_id=entry_id
            )
        except exceptions.AlreadyEnqueued:
            continue
        queued += 1
    return queued


def _context(job: JobContext) -> Context:
    ctx = job.additional_context.get(CONTEXT_KEY)
    if not isinstance(ctx, Context):
        raise DistributedError(
            "jobs: this worker has no Broadsheet context: start workers with "
            "`broadsheet worker`, not `procrastinate worker`"
        )
    return ctx


def _poll_source(job: JobContext, source_id: int) -> dict[str, Any]:
    """Poll one source, then queue its due entries."""
    ctx = _context(job)
    report = pipeline.discover_entries(ctx, source_id)
    with ctx.engine.connect() as conn:
        due = entry_store.due_entries(conn, ctx.clock(), DUE_BATCH, [source_id])
    queued = defer_entries(job.app, due)
    return {"status": report.status, "new": report.new, "queued": queued, "error": report.error}


def _process_entry(job: JobContext, entry_id: int) -> dict[str, Any]:
    """Take one entry through every stage."""
    ctx = _context(job)
    outcome = pipeline.process_entry(ctx, entry_id)
    if outcome.status == "not-due":
        _follow_lease(job.app, ctx, entry_id)
    return {"status": outcome.status, "article_id": outcome.article_id, "error": outcome.error}


def _follow_lease(app: procrastinate.App, ctx: Context, entry_id: int) -> None:
    """Another worker holds the entry, perhaps a dead one: look again when its lease ends."""
    with ctx.engine.connect() as conn:
        row = entry_store.get_entry(conn, entry_id)
    if row is None or row["state"] in entry_store.DONE_STATES:
        return
    until = row["claimed_until"]
    if until is not None and until > ctx.clock():
        defer_entries(app, [entry_id], at=until + LEASE_MARGIN)


def _schedule_due(job: JobContext, timestamp: int) -> dict[str, int]:
    """Queue polls of the due sources and processing of the due entries."""
    ctx = _context(job)
    now = ctx.clock()
    with ctx.engine.connect() as conn:
        sources = source_store.due_sources(conn, now)
        entries = entry_store.due_entries(conn, now, DUE_BATCH)
    polls = sum(defer_poll(job.app, source_id) for source_id in sources)
    return {"polls": polls, "entries": defer_entries(job.app, entries)}


def _refresh_related(job: JobContext, timestamp: int) -> dict[str, int]:
    """Rank again the related lists whose stories grew (pipeline/related.py)."""
    return {"ranked": related.refresh_due(_context(job), RELATED_BUDGET)}


def _stalled_retrier(stalled_after: float) -> Callable[[JobContext, int], Awaitable[int]]:
    async def retry_stalled_jobs(job: JobContext, timestamp: int) -> int:
        """Put back the jobs of workers that stopped sending heartbeats (killed, cut off)."""
        manager = job.app.job_manager
        retried = 0
        for found in await manager.get_stalled_jobs(seconds_since_heartbeat=stalled_after):
            retried += await _retry_stalled(manager, found)
        return retried

    return retry_stalled_jobs


async def _retry_stalled(manager: JobManager, job: Job) -> bool:
    """Retry one stalled job, or leave it failed when it has died too often (it may kill)."""
    assert job.id is not None
    if job.attempts + 1 >= MAX_ATTEMPTS:
        log.error("jobs: job #%s %s stalled too often; left failed", job.id, job.call_string)
        return await _finish_stalled(manager, job.id, Status.FAILED)
    try:
        await manager.retry_job(job)
    except exceptions.UniqueViolation:
        # A twin with the same queueing lock is already waiting: it will do the work.
        return await _finish_stalled(manager, job.id, Status.ABORTED)
    except exceptions.ConnectorException as exc:
        # Finished or retried meanwhile (its worker was only slow): nothing left to do.
        log.warning("jobs: stalled job #%s not retried: %s", job.id, exc)
        return False
    log.warning("jobs: job #%s %s lost its worker; retried", job.id, job.call_string)
    return True


async def _finish_stalled(manager: JobManager, job_id: int, status: Status) -> bool:
    """End a stalled job without running it again (False: it was not retried)."""
    try:
        await manager.finish_job_by_id_async(job_id, status, delete_job=False)
    except exceptions.ConnectorException as exc:  # it moved on meanwhile; the next tick sees
        log.warning("jobs: stalled job #%s not closed: %s", job_id, exc)
    return False


async def _remove_old_jobs(job: JobContext, timestamp: int) -> None:
    """Delete jobs that succeeded more than KEEP_JOBS_HOURS ago (failed ones are kept)."""
    await job.app.job_manager.delete_old_jobs(nb_hours=KEEP_JOBS_HOURS)
