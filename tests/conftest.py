"""Shared fixtures: a real database on each backend (SQLite always, PostgreSQL when
BROADSHEET_TEST_PG is set), a real demo site on loopback, the demo ingested once per backend."""

from __future__ import annotations

import importlib.util
import os
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import psycopg
import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from broadsheet.config import Settings, load_settings
from broadsheet.demo import DemoServer
from broadsheet.store import open_database

PG_URL = os.environ.get("BROADSHEET_TEST_PG", "")
BACKENDS = ["sqlite", "postgresql"] if PG_URL else ["sqlite"]


def _pg_schema_url(schema: str) -> str:
    url = make_url(PG_URL).set(drivername="postgresql+psycopg")
    return url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


def _pg_conninfo() -> str:
    url = make_url(PG_URL).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def make_database(backend: str, tmp_path: Path) -> tuple[Engine, str, object]:
    """A fresh, migrated database; the last item drops it again."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'broadsheet.db'}"
        engine = open_database(url)
        return engine, url, engine.dispose
    schema = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(_pg_conninfo(), autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    url = _pg_schema_url(schema)
    engine = open_database(url)

    def drop() -> None:
        engine.dispose()
        with psycopg.connect(_pg_conninfo(), autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")

    return engine, url, drop


# The article page's data-section markers (ARCHITECTURE.md); outside checks read them.
ANATOMY = (
    "topbar",
    "article",
    "comments",
    "related",
    "local-channels",
    "related-people",
    "in-this-article",
    "you-may-also-like",
    "publisher-card",
)


@pytest.fixture(scope="session")
def anatomy() -> tuple[str, ...]:
    """Every part of the article page, by its data-section marker."""
    return ANATOMY


@pytest.fixture(scope="session")
def database_factory() -> object:
    """make_database, for fixtures in other folders (tests are imported in importlib mode)."""
    return make_database


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A fresh database on each backend."""
    made, _url, drop = make_database(request.param, tmp_path)
    yield made
    drop()  # type: ignore[operator]


@pytest.fixture(scope="session")
def demo_site() -> Iterator[DemoServer]:
    """The bundled sample publishers, served on a free loopback port."""
    with DemoServer(host="127.0.0.1", port=0) as site:
        yield site


@pytest.fixture(scope="session")
def test_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings for tests: loopback allowed, data under a temporary folder, no page cache
    (tests read their own writes at once; the page cache's tests and the browser tests turn
    it on)."""
    data_dir = tmp_path_factory.mktemp("data")
    return load_settings(
        environ={},
        data_dir=data_dir,
        secret_key="test-secret-key",
        allow_hosts=("127.0.0.1",),
        host_delay=0.0,
        fetch_timeout=10.0,
        page_cache_seconds=0.0,
    )


BENCH_DIR = Path(__file__).resolve().parents[1] / "bench"


def need_data(*paths: Path) -> None:
    """Skip when evaluation data is missing on a laptop; fail in CI, where it must be present."""
    missing = [str(path) for path in paths if not path.exists()]
    if not missing:
        return
    message = f"evaluation data not found: {', '.join(missing)}"
    if os.environ.get("CI"):
        pytest.fail(f"{message}; CI must provide shared/datasets beside the checkout")
    pytest.skip(message)


def load_bench(name: str) -> ModuleType:
    """A bench/ script as a module: quality gates score exactly as the benchmark does."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH_DIR / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def require_data() -> Callable[..., None]:
    """need_data, for the quality gates."""
    return need_data


@pytest.fixture(scope="session")
def bench_module() -> Callable[[str], ModuleType]:
    """load_bench, for the quality gates."""
    return load_bench
