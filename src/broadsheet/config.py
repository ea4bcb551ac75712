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
            "help": "Comma-separated hosts/IPs the fetcher may reach even though they are "
            "private or loopback (the demo and tests allow 127.0.0.1)"
        },
    )
    fetch_timeout: float = field(default=15.0, metadata={"help": "Seconds per HTTP request"})
    fetch_max_bytes: int = field(
        default=5_000_000, metadata={"help": "Largest response body the fetcher accepts"}
    )
    user_agent: str = field(
        default="BroadsheetBot/0.1 (+https://github.com/broadsheet-news)",
        metadata={"help": "User-Agent sent by the fetcher"},
    )
    host: str = field(default="127.0.0.1", metadata={"help": "Address the web app listens on"})
    port: int = field(default=8000, metadata={"help": "Port the web app listens on"})
    demo_port: int = field(
        default=8001, metadata={"help": "Port of the bundled sample publishers' server"}
    )
    related_limit: int = field(default=12, metadata={"help": "Related articles per page"})
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
