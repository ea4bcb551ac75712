"""One table of settings: name, default, help. Read from BROADSHEET_* environment variables."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path


def _csv(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _bool(value: str) -> bool:
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"expected a boolean (true/false), got {value!r}")


@dataclass(frozen=True)
class Settings:
    """Every setting the platform reads; `broadsheet settings` lists them."""

    database_url: str = field(
        default="sqlite:///var/broadsheet.db",
        metadata={"help": "SQLAlchemy URL: sqlite:///path or postgresql://user@host/db"},
    )
    data_dir: Path = field(
        default=Path("var"), metadata={"help": "Where the image cache and logs are kept"}
    )
    secret_key: str = field(
        default="",
        metadata={"help": "Signs cookies and image-proxy URLs; generated into data_dir if empty"},
    )
    allow_hosts: tuple[str, ...] = field(
        default=(),
        metadata={
            "help": "Comma-separated host:port, host, IP or CIDR entries the fetcher and image "
            "proxy may reach although private or loopback (the demo allows 127.0.0.1:<demo port>)"
        },
    )
    fetch_timeout: float = field(
        default=15.0,
        metadata={"help": "Wall-clock deadline in seconds for one HTTP request, body included"},
    )
    fetch_connect_timeout: float = field(
        default=5.0, metadata={"help": "Seconds to open a connection (and to read each chunk)"}
    )
    fetch_max_bytes: int = field(
        default=5_000_000, metadata={"help": "Largest response body the fetcher accepts"}
    )
    user_agent: str = field(
        default="BroadsheetBot/0.1", metadata={"help": "User-Agent product token of the fetcher"}
    )
    contact_url: str = field(
        default="https://github.com/broadsheet-news",
        metadata={"help": "Where publishers learn about the crawler; sent in the User-Agent"},
    )
    host_concurrency: int = field(
        default=2, metadata={"help": "Requests in flight at once to one host"}
    )
    host_delay: float = field(
        default=1.0,
        metadata={
            "help": "Least seconds between two requests to one host (robots Crawl-delay wins)"
        },
    )
    robots_ttl: float = field(
        default=3600.0, metadata={"help": "Seconds a host's robots.txt is kept before refetching"}
    )
    image_concurrency: int = field(
        default=4, metadata={"help": "Image-proxy fetches in flight at once (apart from pages)"}
    )
    image_max_pixels: int = field(
        default=40_000_000, metadata={"help": "Largest decoded image (width x height) served"}
    )
    web_threads: int = field(
        default=4, metadata={"help": "Page requests worked on at once (more convoy on the GIL)"}
    )
    page_cache_seconds: float = field(
        default=30.0,
        metadata={"help": "Seconds a rendered reading page is served from memory (0: off)"},
    )
    page_cache_stale_seconds: float = field(
        default=60.0,
        metadata={"help": "Seconds more the shared copy is served while it is rendered again"},
    )
    page_cache_mb: int = field(
        default=64, metadata={"help": "MiB of rendered pages kept in memory, per process"}
    )
    poll_min_interval: float = field(
        default=300.0, metadata={"help": "Seconds: the shortest interval a source is polled at"}
    )
    poll_max_interval: float = field(
        default=86400.0, metadata={"help": "Seconds: the longest interval a source is polled at"}
    )
    pause_after_failures: int = field(
        default=10, metadata={"help": "Consecutive failed polls after which a source is paused"}
    )
    max_entries_per_poll: int = field(
        default=200, metadata={"help": "Items taken from one poll of one source (newest first)"}
    )
    max_attempts: int = field(
        default=5, metadata={"help": "Tries of one entry before it is left failed"}
    )
    retry_delay: float = field(
        default=60.0, metadata={"help": "Seconds before the first retry; doubles on each failure"}
    )
    nlp_max_chars: int = field(
        default=100_000, metadata={"help": "Characters of an article's text given to the models"}
    )
    enrich: bool = field(
        default=True, metadata={"help": "Run the models on new articles (off: extraction only)"}
    )
    io_threads: int = field(
        default=4, metadata={"help": "In-process runner: threads fetching pages"}
    )
    nlp_processes: int = field(
        default=2, metadata={"help": "In-process runner: processes running the models (0: inline)"}
    )
    poll_in_serve: bool = field(
        default=True, metadata={"help": "`broadsheet serve` polls due sources itself (embedded)"}
    )
    public_url: str = field(
        default="",
        metadata={
            "help": "Public base URL for links in feeds and pages (default http://host:port)"
        },
    )
    admin_token: str = field(
        default="", metadata={"help": "Token for /admin pages (empty: admin pages are off)"}
    )
    smtp_url: str = field(
        default="",
        metadata={
            "help": "Where password-reset mail goes (empty: off, links go to the log): "
            "smtp://user:pass@host:587 (STARTTLS when offered), smtps://user:pass@host:465 "
            "(TLS), smtp://127.0.0.1:25 (plain, for a relay on loopback)"
        },
    )
    mail_from: str = field(
        default="Broadsheet <noreply@localhost>",
        metadata={"help": "The From address of the mail the site sends"},
    )
    host: str = field(default="127.0.0.1", metadata={"help": "Address the web app listens on"})
    port: int = field(default=8000, metadata={"help": "Port the web app listens on"})
    demo_port: int = field(
        default=8001, metadata={"help": "Port of the bundled sample publishers' server"}
    )
    related_limit: int = field(
        default=12, metadata={"help": "Related articles per page (at most the 15 stored)"}
    )
    debug: bool = field(default=False, metadata={"help": "Show tracebacks in the web app"})


# Field types as written in the annotations (this module uses postponed annotations).
_PARSERS: dict[str, Callable[[str], object]] = {
    "str": str,
    "int": int,
    "float": float,
    "Path": Path,
    "bool": _bool,
    "tuple[str, ...]": _csv,
}


def load_settings(environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
    """Build settings from BROADSHEET_* variables, then explicit overrides; errors name the var."""
    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for f in fields(Settings):
        var = "BROADSHEET_" + f.name.upper()
        if var in env:
            try:
                values[f.name] = _PARSERS[str(f.type)](env[var])
            except ValueError as exc:
                raise ValueError(f"config: {var}: {exc}") from exc
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def describe_settings() -> list[tuple[str, str, str]]:
    """(environment variable, default, help) for every setting."""
    rows = []
    for f in fields(Settings):
        default = f.default
        shown = ",".join(default) if isinstance(default, tuple) else str(default)
        rows.append(("BROADSHEET_" + f.name.upper(), shown, f.metadata.get("help", "")))
    return rows
