"""The image proxy: signed URLs only, real fetches from a loopback server, a disk cache."""

from __future__ import annotations

import io
import logging
import struct
import threading
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient

from broadsheet.ingest.fetch import Fetcher
from broadsheet.web.imageproxy import (
    FailureCache,
    ImageError,
    ImageProxy,
    add_proxy_urls,
    sniff_image,
)


def make_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def _chunk(tag: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def make_huge_png(width: int, height: int) -> bytes:
    """A valid black 1-bit PNG: a few KB on the wire, width*height pixels once decoded."""
    row = b"\x00" + bytes((width + 7) // 8)  # filter byte, then the packed pixels
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", idat)
        + _chunk(b"IEND", b"")
    )


PNG = make_png()
# 64 M pixels: over our 40 M cap, under Pillow's own warning (89 M), so only our cap refuses it.
TALL_PNG = make_huge_png(8000, 8000)
# 400 M pixels: Pillow refuses it while opening, before our check can read the size.
BOMB_PNG = make_huge_png(20000, 20000)
SECRET = "another-secret-for-the-closed-proxy"
BODIES = {
    "/pic.png": ("image/png", PNG),
    "/fake.png": ("image/png", b"<html><script>alert(1)</script></html>"),
    "/page.html": ("text/html", b"<html>not an image</html>"),
    "/drawing.svg": ("image/svg+xml", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>'),
    "/tall.png": ("image/png", TALL_PNG),
    "/bomb.png": ("image/png", BOMB_PNG),
}


class ImageServer(ThreadingHTTPServer):
    hits: Counter[str]


class Handler(BaseHTTPRequestHandler):
    server: ImageServer

    def do_GET(self) -> None:
        self.server.hits[self.path] += 1
        if self.path not in BODIES:
            self.send_error(404)
            return
        kind, body = BODIES[self.path]
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[ImageServer]:
    httpd = ImageServer(("127.0.0.1", 0), Handler)
    httpd.hits = Counter()
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def url_of(server: ImageServer, path: str) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}{path}"


@pytest.fixture
def client(proxy: ImageProxy) -> TestClient:
    return TestClient(Starlette(routes=[Route("/img", proxy.respond)]))


def test_signature_is_required(client: TestClient, proxy: ImageProxy, server: ImageServer) -> None:
    url = url_of(server, "/pic.png")
    assert client.get("/img", params={"u": url}).status_code == 400
    forged = client.get("/img", params={"u": url, "s": proxy.sign(url + "x")})
    assert forged.status_code == 403
    other = ImageProxy(secret_key="another key", cache_dir=Path("/nonexistent"), fetcher=None)  # type: ignore[arg-type]
    assert client.get("/img", params={"u": url, "s": other.sign(url)}).status_code == 403
    assert server.hits["/pic.png"] == 0


def test_valid_signature_fetches_then_serves_from_disk(
    client: TestClient, proxy: ImageProxy, server: ImageServer, tmp_path: Path
) -> None:
    url = url_of(server, "/pic.png")
    before = server.hits["/pic.png"]
    first = client.get(proxy.proxy_url(url))
    assert first.status_code == 200
    assert first.content == PNG
    assert first.headers["content-type"] == "image/png"
    assert first.headers["x-content-type-options"] == "nosniff"
    assert "max-age=31536000" in first.headers["cache-control"]
    assert len(list((tmp_path / "images").glob("*.type"))) == 1
    second = client.get(proxy.proxy_url(url))
    assert second.status_code == 200 and second.content == PNG
    assert server.hits["/pic.png"] == before + 1


@pytest.mark.parametrize("path", ["/fake.png", "/page.html", "/drawing.svg", "/missing.png"])
def test_what_is_not_a_raster_image_is_refused(
    client: TestClient, proxy: ImageProxy, server: ImageServer, tmp_path: Path, path: str
) -> None:
    response = client.get(proxy.proxy_url(url_of(server, path)))
    assert response.status_code == 502
    assert response.headers["content-type"].startswith("text/plain")
    assert not list(tmp_path.glob("images/*"))


def test_private_addresses_stay_closed_and_unnamed(
    tmp_path: Path, server: ImageServer, caplog: pytest.LogCaptureFixture
) -> None:
    url = url_of(server, "/pic.png")
    with Fetcher(allow_hosts=(), timeout=5.0) as fetcher:
        closed = ImageProxy(secret_key=SECRET, cache_dir=tmp_path, fetcher=fetcher)
        client = TestClient(Starlette(routes=[Route("/img", closed.respond)]))
        with caplog.at_level(logging.WARNING, logger="broadsheet.web.imageproxy"):
            response = client.get(closed.proxy_url(url))
    assert response.status_code == 502
    # The client learns nothing about which internal address was refused ...
    assert response.text == "The image could not be fetched."
    assert "127.0.0.1" not in response.text
    # ... while the operator's log says exactly what happened.
    assert any(url in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize("path", ["/tall.png", "/bomb.png"])
def test_images_that_decode_too_large_are_refused(
    client: TestClient, proxy: ImageProxy, server: ImageServer, tmp_path: Path, path: str
) -> None:
    assert len(BODIES[path][1]) < 60_000  # small on the wire: the size is in the header
    response = client.get(proxy.proxy_url(url_of(server, path)))
    assert response.status_code == 502
    assert "too large" in response.text
    assert "40,000,000 pixels" in response.text
    assert not list(tmp_path.glob("images/*"))


def test_pixel_cap_is_the_configured_one() -> None:
    assert sniff_image(PNG, max_pixels=12) == "image/png"  # 4 x 3
    with pytest.raises(ImageError, match=r"too large to show \(4 x 3 pixels\)"):
        sniff_image(PNG, max_pixels=11)
    with pytest.raises(ImageError, match="too large"):
        sniff_image(TALL_PNG)


def test_failures_are_remembered_for_a_while(tmp_path: Path, server: ImageServer) -> None:
    with Fetcher(allow_hosts=("127.0.0.1",), timeout=5.0) as fetcher:
        proxy = ImageProxy(secret_key=SECRET, cache_dir=tmp_path, fetcher=fetcher, failure_ttl=0.3)
        client = TestClient(Starlette(routes=[Route("/img", proxy.respond)]))
        path = "/gone-for-a-while.png"
        before = server.hits[path]
        for _ in range(3):
            assert client.get(proxy.proxy_url(url_of(server, path))).status_code == 502
        assert server.hits[path] == before + 1  # one fetch, then answered from memory
        time.sleep(0.35)
        assert client.get(proxy.proxy_url(url_of(server, path))).status_code == 502
        assert server.hits[path] == before + 2  # tried again once the failure expired


def test_failure_cache_expires_and_stays_bounded() -> None:
    now = [0.0]
    cache = FailureCache(size=3, clock=lambda: now[0])
    for n in range(5):
        cache.add(f"u{n}", ImageError(f"e{n}", 502), ttl=10)
    assert len(cache) == 3
    assert cache.get("u0") is None and cache.get("u1") is None  # the oldest went first
    assert (error := cache.get("u4")) is not None and error.message == "e4"
    now[0] = 10.0
    assert cache.get("u4") is None


def test_a_signature_that_is_not_ascii_is_refused(client: TestClient, server: ImageServer) -> None:
    response = client.get("/img", params={"u": url_of(server, "/pic.png"), "s": "é" * 43})
    assert response.status_code == 403


def test_proxy_url_only_for_web_addresses(proxy: ImageProxy) -> None:
    assert proxy.proxy_url("http://example.com/a b.png").startswith("/img?u=http%3A%2F%2F")
    assert proxy.proxy_url("javascript:alert(1)") == ""
    assert proxy.proxy_url("") == ""
    assert proxy.proxy_url(None) == ""


def test_sniff_image_reads_the_real_format() -> None:
    assert sniff_image(PNG) == "image/png"
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2)).save(buffer, format="JPEG")
    assert sniff_image(buffer.getvalue()) == "image/jpeg"


def test_add_proxy_urls_to_json_twins(proxy: ImageProxy) -> None:
    data: dict[str, Any] = {
        "images": [{"url": "http://x.test/1.png", "caption": ""}],
        "related": [{"image": {"url": "http://x.test/2.png", "caption": ""}}, {"image": None}],
        "publisher": {"logo_url": "http://x.test/logo.png"},
    }
    out = add_proxy_urls(data, proxy)
    assert out["images"][0]["proxy_url"] == proxy.proxy_url("http://x.test/1.png")
    assert out["related"][0]["image"]["proxy_url"] == proxy.proxy_url("http://x.test/2.png")
    assert out["related"][1]["image"] is None
    assert out["publisher"]["logo_proxy_url"] == proxy.proxy_url("http://x.test/logo.png")
    assert "proxy_url" not in data["images"][0]  # the view's dict is left as it was


def test_empty_secret_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="BROADSHEET_SECRET_KEY"):
        ImageProxy(secret_key="", cache_dir=tmp_path, fetcher=None)  # type: ignore[arg-type]
