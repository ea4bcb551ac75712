"""The command line: a thin caller of the pipeline, the store and the web app."""

from __future__ import annotations

import json
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
import uvicorn
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import Engine

from broadsheet import pipeline
from broadsheet.config import Settings, describe_settings, load_settings
from broadsheet.demo import DemoServer
from broadsheet.ingest.fetch import Fetcher
from broadsheet.models import Source
from broadsheet.store import open_database
from broadsheet.store import sources as source_store
from broadsheet.web.app import create_app

app = typer.Typer(help="Broadsheet: an open-source news platform.", no_args_is_help=True)
console = Console(stderr=True)


def current_settings(**overrides: Any) -> Settings:
    """Settings from the environment, with a secret key made once and kept in data_dir."""
    settings = load_settings(**overrides)
    if settings.secret_key:
        return settings
    key_file = settings.data_dir / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return load_settings(**{**overrides, "secret_key": key_file.read_text().strip()})


def make_fetcher(settings: Settings) -> Fetcher:
    """The one safe HTTP client, configured from settings."""
    return Fetcher(
        allow_hosts=settings.allow_hosts,
        timeout=settings.fetch_timeout,
        max_bytes=settings.fetch_max_bytes,
        user_agent=settings.user_agent,
    )


@app.command()
def settings() -> None:
    """List every setting: environment variable, default, meaning."""
    table = Table("variable", "default", "meaning")
    for row in describe_settings():
        table.add_row(*row)
    Console().print(table)


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema."""
    settings = current_settings()
    open_database(settings.database_url)
    console.print(f"database ready: {settings.database_url}")


@app.command("add-source")
def add_source(
    feed_url: str, name: Annotated[str, typer.Option(help="Publisher name")] = ""
) -> None:
    """Register a publisher's feed."""
    engine = open_database(current_settings().database_url)
    with engine.begin() as conn:
        source_id = source_store.upsert_source(
            conn, Source(name=name or feed_url, feed_url=feed_url)
        )
    console.print(f"source #{source_id}: {feed_url}")


@app.command()
def ingest() -> None:
    """Refresh every registered source once."""
    settings = current_settings()
    engine = open_database(settings.database_url)
    with engine.connect() as conn:
        ids = [s.id for s in source_store.list_sources(conn) if s.id is not None]
    with make_fetcher(settings) as fetcher:
        failed = ingest_with_progress(engine, fetcher, ids)
    raise typer.Exit(1 if failed and failed == len(ids) else 0)


def ingest_with_progress(engine: Engine, fetcher: Fetcher, source_ids: list[int]) -> int:
    """Refresh the sources with a progress bar; return how many sources had errors."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("ingesting", total=None)
        planned = 0
        with_errors = 0
        for source_id in source_ids:
            counted = False

            def advance(report: pipeline.IngestReport) -> None:
                nonlocal counted, planned
                if not counted:
                    planned += report.entries
                    progress.update(task, total=planned)
                    counted = True
                progress.advance(task)

            report = pipeline.ingest_source(engine, fetcher, source_id, on_entry=advance)
            if report.errors:
                with_errors += 1
                for error in report.errors:
                    console.print(f"[yellow]source #{source_id}: {error}")
    return with_errors


@app.command()
def errors(limit: int = 50) -> None:
    """Show the latest ingest errors."""
    engine = open_database(current_settings().database_url)
    with engine.connect() as conn:
        rows = source_store.recent_errors(conn, limit)
    table = Table("when", "source", "stage", "url", "message")
    for row in rows:
        table.add_row(
            str(row["created_at"]), str(row["source_id"]), row["stage"], row["url"], row["message"]
        )
    Console().print(table)


@app.command()
def serve() -> None:
    """Serve the web app."""
    settings = current_settings()
    engine = open_database(settings.database_url)
    console.print(f"Broadsheet on http://{settings.host}:{settings.port}")
    uvicorn.run(
        create_app(engine, settings), host=settings.host, port=settings.port, log_level="warning"
    )


@app.command()
def demo(
    serve_site: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve after ingesting")
    ] = True,
) -> None:
    """Ingest the bundled sample publishers from a local server, then serve the site."""
    settings = current_settings()
    allowed = tuple(dict.fromkeys((*settings.allow_hosts, "127.0.0.1")))
    settings = current_settings(allow_hosts=allowed)
    engine = open_database(settings.database_url)
    with DemoServer(host="127.0.0.1", port=settings.demo_port) as site:
        console.print(f"sample publishers (sample content, not real news) on {site.base_url}")
        source_ids = register_demo_sources(engine, site)
        with make_fetcher(settings) as fetcher:
            ingest_with_progress(engine, fetcher, source_ids)
        if serve_site:
            console.print(f"[bold]Broadsheet demo on http://{settings.host}:{settings.port}[/bold]")
            uvicorn.run(
                create_app(engine, settings),
                host=settings.host,
                port=settings.port,
                log_level="warning",
            )


def register_demo_sources(engine: Engine, site: DemoServer) -> list[int]:
    """Register each sample publisher as a source, as a publisher signing up would."""
    ids = []
    with engine.begin() as conn:
        for publisher in site.publishers():
            source = Source(
                name=publisher.name,
                feed_url=site.feed_url(publisher.id),
                home_url=site.home_url(publisher.id),
                home_city=publisher.home_label,
                about=publisher.about,
                logo_url=site.logo_url(publisher.id),
            )
            ids.append(source_store.upsert_source(conn, source))
    return ids


@app.command()
def analyze(
    jsonl: Annotated[Path, typer.Option("--jsonl", help="Input: one JSON object a line")],
    out: Annotated[Path, typer.Option("--out", help="Output JSONL")],
    corpus: Annotated[
        bool, typer.Option(help="Treat the lines as one stream: add copy_of and story")
    ] = False,
) -> None:
    """Analyse documents per the `analyze` contract (ARCHITECTURE.md)."""
    records = _read_jsonl(jsonl)
    lines = pipeline.analyze_corpus(records) if corpus else _analyze_each(records)
    count = 0
    with out.open("w", encoding="utf-8") as sink:
        for line in lines:
            sink.write(json.dumps(line, ensure_ascii=False) + "\n")
            count += 1
    console.print(f"analyzed {count} documents into {out}")


def _analyze_each(records: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for record in records:
        try:
            draft, enrichment = pipeline.analyze_record(record)
        except pipeline.PAGE_ERRORS as exc:
            console.print(f"[yellow]{record.get('id')}: {exc}")
            yield {"id": record.get("id"), "error": str(exc)}
            continue
        yield pipeline.analysis_json(record.get("id"), draft, enrichment)


def _read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as source:
        for number, line in enumerate(source, start=1):
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError as exc:
                console.print(f"[red]{path}:{number}: not JSON: {exc}")
                sys.exit(2)


if __name__ == "__main__":
    app()
