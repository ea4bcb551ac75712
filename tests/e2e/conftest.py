"""The demo ingested once per backend, and the web app over it (in-process and on loopback)."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import Engine
from starlette.testclient import TestClient

from broadsheet.cli import register_demo_sources
from broadsheet.config import Settings
from broadsheet.demo import DemoServer
from broadsheet.pipeline import IngestReport, ingest_source, make_context
from broadsheet.web.app import create_app


@dataclass
class IngestedDemo:
    engine: Engine
    backend: str
    reports: list[IngestReport]
    site: DemoServer


BACKENDS = ["sqlite", "postgresql"] if os.environ.get("BROADSHEET_TEST_PG") else ["sqlite"]


@pytest.fixture(scope="session", params=BACKENDS)
def ingested(
    request: pytest.FixtureRequest,
    database_factory: Callable[..., tuple[Engine, str, Callable[[], None]]],
    demo_site: DemoServer,
    test_settings: Settings,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[IngestedDemo]:
    """The whole demo corpus ingested through the real fetcher, extractor and models."""
    tmp: Path = tmp_path_factory.mktemp(f"demo-{request.param}")
    engine, _url, drop = database_factory(request.param, tmp)
    source_ids = register_demo_sources(engine, demo_site)
    ctx = make_context(test_settings, engine)
    with ctx.fetcher:
        reports = [ingest_source(ctx, source_id) for source_id in source_ids]
    yield IngestedDemo(engine, request.param, reports, demo_site)
    drop()


@pytest.fixture(scope="session")
def client(ingested: IngestedDemo, test_settings: Settings) -> Iterator[TestClient]:
    """An in-process HTTP client for the web app over the ingested demo."""
    with TestClient(create_app(ingested.engine, test_settings)) as made:
        yield made


@pytest.fixture(scope="session")
def live_url(ingested: IngestedDemo, test_settings: Settings) -> Iterator[str]:
    """The web app served by uvicorn on a free loopback port, with the page cache on as in
    production (the browser tests' readers must see their own follows and mutes at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        create_app(ingested.engine, replace(test_settings, page_cache_seconds=10.0)),
        host="127.0.0.1",
        port=port,
        log_level="warning",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start within 20 s")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
