"""The command line: a thin caller of the pipeline, the store and the web app."""

from __future__ import annotations

import json
import logging
import secrets
import sys
import threading
from pathlib import Path
from typing import Annotated, Any

import typer
import uvicorn
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import Engine

from broadsheet import pipeline
from broadsheet.community import moderation
from broadsheet.config import Settings, describe_settings, load_settings
from broadsheet.demo import DemoServer
from broadsheet.jobs import distributed
from broadsheet.jobs.analyze import analyze_lines
from broadsheet.jobs.runner import Runner
from broadsheet.models import Source
from broadsheet.pipeline import Context
from broadsheet.store import articles as article_store
from broadsheet.store import comments as comment_store
from broadsheet.store import entries as entry_store
from broadsheet.store import open_database, write_transaction
from broadsheet.store import sources as source_store
from broadsheet.web.app import create_app

app = typer.Typer(help="Broadsheet: an open-source news platform.", no_args_is_help=True)
moderator_app = typer.Typer(help="Who moderates comments: add, remove, list.", no_args_is_help=True)
app.add_typer(moderator_app, name="moderator")
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


@app.command()
def settings() -> None:
    """List every setting: environment variable, default, meaning."""
    table = Table("variable", "default", "meaning")
    for row in describe_settings():
        table.add_row(*row)
    Console().print(table)


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema (and, on PostgreSQL, the job queue's tables)."""
    settings = current_settings()
    engine = open_database(settings.database_url)
    if engine.dialect.name == "postgresql":
        distributed.apply_schema(settings)
    console.print(f"database ready: {settings.database_url}")


@app.command()
def worker(
    concurrency: Annotated[int, typer.Option(help="Jobs run at once by this worker")] = 4,
    queue: Annotated[
        list[str] | None, typer.Option(help="Queues to take jobs from: poll, process (all)")
    ] = None,
    name: Annotated[str, typer.Option(help="This worker's name in the job tables")] = "",
) -> None:
    """Run a procrastinate worker on PostgreSQL: poll sources, process entries (any machine)."""
    settings = current_settings()
    if not settings.database_url.startswith("postgresql"):
        console.print(
            "[red]worker: needs PostgreSQL (set BROADSHEET_DATABASE_URL=postgresql://...); "
            "on SQLite, `broadsheet serve` and `broadsheet ingest` run the jobs in-process"
        )
        raise typer.Exit(2)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    try:
        distributed.run_worker(settings, concurrency=concurrency, queues=queue, name=name or None)
    except distributed.DistributedError as exc:
        console.print(f"[red]{exc}")
        raise typer.Exit(2) from exc


def open_context(settings: Settings | None = None) -> Context:
    """The use cases' context from the current settings (database migrated)."""
    return pipeline.make_context(settings or current_settings())


@app.command("add-source")
def add_source(
    target: Annotated[
        str, typer.Argument(help="Feed, sitemap, home page or article URL; OPML file; folder")
    ],
    name: Annotated[str, typer.Option(help="Publisher name")] = "",
    page: Annotated[bool, typer.Option("--page", help="The URL is one article")] = False,
) -> None:
    """Register a source: a feed, sitemap, home page, single article, OPML file or folder."""
    ctx = open_context()
    try:
        added = register_target(ctx, target, name, page)
    except pipeline.SourceError as exc:
        console.print(f"[red]{exc}")
        raise typer.Exit(2) from exc
    finally:
        ctx.fetcher.close()
    for note in added.notes:
        console.print(f"[yellow]{note}")
    console.print(
        f"registered {len(added.ids)} source(s): " + ", ".join(f"#{i}" for i in added.ids)
    )


def register_target(
    ctx: Context, target: str, name: str = "", page: bool = False
) -> pipeline.Added:
    """Add what a command-line target names: a folder, an OPML file, or a URL."""
    path = Path(target)
    if "://" not in target and path.is_dir():
        return pipeline.add_folder(ctx, path, name)
    if "://" not in target and path.is_file():
        if path.stat().st_size > ctx.settings.fetch_max_bytes:
            raise pipeline.SourceError(f"sources: {path} is larger than the fetch size limit")
        return pipeline.import_opml(ctx, path.read_text(encoding="utf-8", errors="replace"))
    return pipeline.add_source(ctx, target, name, "page" if page else "")


@app.command()
def ingest(
    target: Annotated[
        str, typer.Argument(help="Optional: a URL, OPML file or folder to add first")
    ] = "",
) -> None:
    """Poll every due source and process what it finds, to completion, in this process."""
    settings = current_settings()
    ctx = open_context(settings)
    try:
        if target:
            added = register_target(ctx, target)
            for note in added.notes:
                console.print(f"[yellow]{note}")
        report = run_with_progress(ctx, settings)
    except pipeline.SourceError as exc:
        console.print(f"[red]{exc}")
        raise typer.Exit(2) from exc
    finally:
        ctx.fetcher.close()
    print_summary(report)


def run_with_progress(ctx: Context, settings: Settings) -> pipeline.IngestReport:
    """Run everything due with a progress bar (threads and model processes per settings)."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with (
        Progress(*columns, console=console) as progress,
        Runner(ctx, io_threads=settings.io_threads, nlp_processes=settings.nlp_processes) as runner,
    ):
        task = progress.add_task("ingesting", total=None)
        return runner.run_due(
            on_plan=lambda total: progress.update(task, total=total),
            on_entry=lambda _outcome: progress.advance(task),
        )


def print_summary(report: pipeline.IngestReport) -> None:
    """One line of totals, then each failure (they are also kept: `broadsheet errors`)."""
    for error in report.errors:
        console.print(f"[yellow]{error}")
    console.print(
        f"polled {len(report.polls)} source(s): {report.count('stored')} stored, "
        f"{report.count('known')} already known, {report.count('failed')} failed, "
        f"{report.count('skipped')} skipped"
    )


@app.command()
def sources(
    resume: Annotated[int, typer.Option(help="Un-pause this source id and poll it now")] = 0,
) -> None:
    """Every source: kind, last fetch and error, next poll, entries by state."""
    ctx = open_context()
    with write_transaction(ctx.engine) as conn:
        if resume:
            source_store.resume_source(conn, resume, ctx.clock())
        rows = source_store.source_overview(conn)
        counts = entry_store.counts_by_source(conn)
    table = Table("id", "name", "kind", "last fetch", "next poll", "every", "entries", "last error")
    for row in rows:
        states = counts.get(row["id"], {})
        table.add_row(
            str(row["id"]),
            row["name"],
            row["kind"],
            _when(row["last_fetched_at"]),
            "paused" if row["paused_at"] else _when(row["next_poll_at"]),
            f"{row['poll_interval'] / 60:.0f} min",
            " ".join(f"{state}:{n}" for state, n in sorted(states.items())),
            (row["last_error"] or "")[:120],
        )
    Console().print(table)


def _when(value: object) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if hasattr(value, "strftime") else "-"


@app.command("export-opml")
def export_opml(
    out: Annotated[Path | None, typer.Option(help="File (default stdout)")] = None,
) -> None:
    """Write every feed source as an OPML subscription list."""
    ctx = open_context()
    text = pipeline.export_opml(ctx)
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")


@app.command()
def reprocess(
    article_ids: Annotated[
        list[int] | None, typer.Argument(help="Article ids (default: all)")
    ] = None,
) -> None:
    """Extract and enrich stored articles again from their kept pages (after a model upgrade)."""
    ctx = open_context()
    with ctx.engine.connect() as conn:
        ids = article_ids or article_store.all_article_ids(conn)
    failed = 0
    for article_id in ids:
        outcome = pipeline.reprocess(ctx, article_id)
        if outcome.error:
            failed += 1
            console.print(f"[yellow]article #{article_id}: {outcome.error}")
    console.print(f"reprocessed {len(ids) - failed} of {len(ids)} article(s)")
    raise typer.Exit(1 if failed else 0)


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


def serve_app(ctx: Context, settings: Settings) -> None:
    """Serve the web app; in embedded mode a background runner keeps sources current."""
    stop = threading.Event()
    poller: threading.Thread | None = None
    if settings.poll_in_serve:
        runner = Runner(ctx, io_threads=settings.io_threads, nlp_processes=settings.nlp_processes)
        poller = threading.Thread(target=runner.run_forever, args=(stop,), daemon=True)
        poller.start()
    try:
        uvicorn.run(
            create_app(ctx.engine, settings),
            host=settings.host,
            port=settings.port,
            log_level="warning",
        )
    finally:
        stop.set()


@app.command()
def serve() -> None:
    """Serve the web app (and, unless BROADSHEET_POLL_IN_SERVE=false, poll due sources)."""
    settings = current_settings()
    ctx = open_context(settings)
    console.print(f"Broadsheet on http://{settings.host}:{settings.port}")
    serve_app(ctx, settings)


@app.command()
def demo(
    serve_site: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve after ingesting")
    ] = True,
) -> None:
    """Ingest the bundled sample publishers from a local server, then serve the site."""
    settings = current_settings()
    allowed = tuple(dict.fromkeys((*settings.allow_hosts, f"127.0.0.1:{settings.demo_port}")))
    settings = current_settings(allow_hosts=allowed, host_delay=0.0)
    ctx = open_context(settings)
    with DemoServer(host="127.0.0.1", port=settings.demo_port) as site:
        console.print(f"sample publishers (sample content, not real news) on {site.base_url}")
        register_demo_sources(ctx.engine, site)
        print_summary(run_with_progress(ctx, settings))
        if serve_site:
            console.print(f"[bold]Broadsheet demo on http://{settings.host}:{settings.port}[/bold]")
            serve_app(ctx, settings)


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


@moderator_app.command("add")
def moderator_add(name: Annotated[str, typer.Argument(help="The account's name")]) -> None:
    """Make an account a moderator: it sees /moderation and decides on comments."""
    set_moderator_role(name, "moderator")


@moderator_app.command("remove")
def moderator_remove(name: Annotated[str, typer.Argument(help="The account's name")]) -> None:
    """Make a moderator a reader again."""
    set_moderator_role(name, "reader")


@moderator_app.command("list")
def moderator_list() -> None:
    """The accounts that moderate."""
    engine = open_database(current_settings().database_url)
    with engine.connect() as conn:
        for name in comment_store.names_with_role(conn, "moderator"):
            print(name)


def set_moderator_role(name: str, role: str) -> None:
    """Give the named account the role, or say there is no such account (exit 2)."""
    engine = open_database(current_settings().database_url)
    with write_transaction(engine) as conn:
        found = moderation.set_role(conn, name, role)
    if not found:
        console.print(f"[red]moderator: no account is named {name!r}; it must sign up first")
        raise typer.Exit(2)
    console.print(f"{name} is now a {role}")


@app.command()
def analyze(
    jsonl: Annotated[Path, typer.Option("--jsonl", help="Input: one JSON object a line")],
    out: Annotated[Path, typer.Option("--out", help="Output JSONL")],
    corpus: Annotated[
        bool, typer.Option(help="Treat the lines as one stream: add copy_of and story")
    ] = False,
) -> None:
    """Analyse documents per the `analyze` contract (ARCHITECTURE.md); bad lines get an error."""
    if not jsonl.is_file():
        console.print(f"[red]analyze: {jsonl}: no such input file")
        raise typer.Exit(2)
    try:
        sink = out.open("w", encoding="utf-8")
    except OSError as exc:
        console.print(f"[red]analyze: cannot write {out}: {exc.strerror or exc}")
        raise typer.Exit(2) from exc
    count = failed = 0
    processes = current_settings().nlp_processes
    with sink:
        for line in analyze_lines(jsonl, corpus=corpus, processes=processes):
            if "error" in line:
                failed += 1
                console.print(f"[yellow]{jsonl}:{line.get('line')}: {line['error']}")
            sink.write(json.dumps(line, ensure_ascii=False) + "\n")
            count += 1
    console.print(f"analyzed {count - failed} of {count} documents into {out}")


if __name__ == "__main__":
    app()
