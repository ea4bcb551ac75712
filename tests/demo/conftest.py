"""A real demo server on a free loopback port, shared by the demo tests."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest

from broadsheet.demo import DemoServer

NOW = datetime(2025, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def demo_server() -> Iterator[DemoServer]:
    with DemoServer(now=NOW) as server:
        yield server


@pytest.fixture(scope="session")
def fetch() -> Callable[[str], tuple[int, str, bytes]]:
    """A plain GET over loopback."""
    return _fetch


def _fetch(url: str) -> tuple[int, str, bytes]:
    """Status, Content-Type and body of a GET, without raising on 404."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read()
