"""What every use case runs with: the database, the HTTP client, the settings and a clock."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from sqlalchemy import Engine

from broadsheet.config import Settings
from broadsheet.ingest.fetch import Fetcher
from broadsheet.models import ArticleDraft, Enrichment, FeedEntry
from broadsheet.pipeline.analysis import analyze_page
from broadsheet.pipeline.stories import LiveStories
from broadsheet.store import open_database


class Analyzer(Protocol):
    """Extract and understand a page: `analyze_page`, inline or in a worker process."""

    def __call__(
        self,
        html: str,
        url: str,
        entry: FeedEntry | None,
        *,
        enrich: bool,
        max_chars: int,
        home: str = "",
    ) -> tuple[ArticleDraft, Enrichment]: ...


def _start_time(pid: int) -> str:
    """When a process started (Linux /proc), so a reused pid is not taken for the old one."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def process_token(pid: int | None = None) -> str:
    """This process's name on the leases it holds: host, pid and start time."""
    pid = os.getpid() if pid is None else pid
    return f"{socket.gethostname()}:{pid}:{_start_time(pid)}"[:120]


def is_dead_here(token: str) -> bool:
    """True when the token names a process of this machine that no longer runs."""
    host, _, rest = token.partition(":")
    pid, _, started = rest.partition(":")
    if host != socket.gethostname() or not pid.isdigit() or not started:
        return False  # another machine's worker: its lease runs out by itself
    return process_token(int(pid)) != token


def utc_now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


@dataclass
class Context:
    """The engine, fetcher and settings a use case needs; the same for CLI, web and workers."""

    engine: Engine
    fetcher: Fetcher
    settings: Settings
    clock: Callable[[], datetime] = utc_now
    analyzer: Analyzer = field(default=analyze_page)
    # How long a worker may hold an entry before another may take it over (a killed worker
    # on another machine; one of this machine is noticed at once: `release_dead_leases`).
    lease: timedelta = timedelta(minutes=10)
    owner: str = field(default_factory=process_token)
    # This process's story graph (pipeline/stories.py), built from the database when needed.
    stories: LiveStories = field(default_factory=LiveStories)


def make_fetcher(settings: Settings) -> Fetcher:
    """The one safe HTTP client, configured from settings."""
    return Fetcher(
        allow_hosts=settings.allow_hosts,
        timeout=settings.fetch_timeout,
        max_bytes=settings.fetch_max_bytes,
        user_agent=settings.user_agent,
        connect_timeout=settings.fetch_connect_timeout,
        contact_url=settings.contact_url,
        host_concurrency=settings.host_concurrency,
        host_delay=settings.host_delay,
        robots_ttl=settings.robots_ttl,
    )


def make_context(settings: Settings, engine: Engine | None = None) -> Context:
    """A context from settings: the database opened (and migrated) and a fetcher made."""
    return Context(
        engine=engine if engine is not None else open_database(settings.database_url),
        fetcher=make_fetcher(settings),
        settings=settings,
    )
