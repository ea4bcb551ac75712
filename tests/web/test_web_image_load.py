"""Slow image hosts against a real uvicorn: pages and /healthz answer, fetches are shared."""

from __future__ import annotations

import io
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
import uvicorn
from PIL import Image
from sqlalchemy import Engine
from starlette.applications import Starlette

from broadsheet.config import Settings, load_settings
from broadsheet.web.app import create_app

CONCURRENCY = 2  # image fetches in flight; up to 4x as many more may wait
REQUESTS = 45


def make_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (5, 5), (10, 120, 60)).save(buffer, format="PNG")
    return buffer.getvalue()


PNG = make_png()


class SlowImageServer(ThreadingHTTPServer):
    """Every image waits until `release` is set, as a stalled publisher's CDN would."""

    daemon_threads = True
    release: threading.Event
    hits: Counter[str]
    lock: threading.Lock


class SlowHandler(BaseHTTPRequestHandler):
    server: SlowImageServer

    def do_GET(self) -> None:
        if self.path == "/robots.txt":
            self.send_error(404)
            return
        with self.server.lock:
            self.server.hits[self.path] += 1
        self.server.release.wait(timeout=10)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(PNG)))
        self.end_headers()
        self.wfile.write(PNG)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def slow_host() -> Iterator[SlowImageServer]:
    httpd = SlowImageServer(("127.0.0.1", 0), SlowHandler)
    httpd.release, httpd.hits, httpd.lock = threading.Event(), Counter(), threading.Lock()
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd
    httpd.release.set()
    httpd.shutdown()
    httpd.server_close()


@contextmanager
def serve(app: Starlette) -> Iterator[str]:
    """The app served by a real uvicorn on a free loopback port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start within 10 s"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(
        environ={},
        data_dir=tmp_path,
        secret_key="image-load-test-secret",
        allow_hosts=("127.0.0.1",),
        image_concurrency=CONCURRENCY,
        host_concurrency=REQUESTS,
        host_delay=0.0,
        fetch_timeout=10.0,
    )


def image_url(host: SlowImageServer, name: str) -> str:
    return f"http://127.0.0.1:{host.server_address[1]}/{name}.png"


def timed_get(url: str) -> tuple[float, httpx.Response]:
    start = time.monotonic()
    response = httpx.get(url, timeout=5.0)
    return time.monotonic() - start, response


def wait_for_hits(host: SlowImageServer, count: int) -> None:
    deadline = time.monotonic() + 5
    while sum(host.hits.values()) < count:
        assert time.monotonic() < deadline, f"the image host saw {dict(host.hits)}"
        time.sleep(0.02)


def test_slow_images_never_hold_pages_or_healthz(
    engine: Engine, settings: Settings, slow_host: SlowImageServer
) -> None:
    app = create_app(engine, settings)
    proxy = app.state.image_proxy
    paths = [proxy.proxy_url(image_url(slow_host, f"pic{n}")) for n in range(REQUESTS)]
    with serve(app) as base, ThreadPoolExecutor(max_workers=REQUESTS) as pool:
        images: list[Future[httpx.Response]] = [
            pool.submit(httpx.get, base + path, timeout=15.0) for path in paths
        ]
        wait_for_hits(slow_host, CONCURRENCY)
        for path in ("/healthz", "/", "/about"):
            seconds, response = timed_get(base + path)
            assert response.status_code == 200, path
            assert seconds < 1.5, f"{path} took {seconds:.1f} s behind the images"
        # Beyond the queue the answer is an immediate 503, not a place in a long line.
        time.sleep(0.3)
        refused = [f.result() for f in images if f.done()]
        assert len(refused) >= REQUESTS - CONCURRENCY * 5
        assert all(r.status_code == 503 and r.headers["retry-after"] for r in refused)
        assert sum(slow_host.hits.values()) == CONCURRENCY  # the others wait their turn
        slow_host.release.set()
        answers = Counter(f.result().status_code for f in images)
    assert answers == {200: CONCURRENCY * 5, 503: REQUESTS - CONCURRENCY * 5}


def test_requests_for_one_image_share_one_fetch(
    engine: Engine, settings: Settings, slow_host: SlowImageServer
) -> None:
    app = create_app(engine, settings)
    path = app.state.image_proxy.proxy_url(image_url(slow_host, "shared"))
    with serve(app) as base, ThreadPoolExecutor(max_workers=10) as pool:
        responses = [pool.submit(httpx.get, base + path, timeout=15.0) for _ in range(10)]
        wait_for_hits(slow_host, 1)
        time.sleep(0.3)  # let every request reach the proxy while the fetch is stalled
        slow_host.release.set()
        bodies = [f.result() for f in responses]
    assert all(r.status_code == 200 and r.content == PNG for r in bodies)
    assert slow_host.hits["/shared.png"] == 1
