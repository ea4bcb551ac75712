"""The image proxy: pages show /img?u=<url>&s=<HMAC>, never hot-link; fetched once, cached."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import logging
import os
import tempfile
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import anyio
import anyio.to_thread
from PIL import Image
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from broadsheet.ingest.fetch import Fetcher, FetchError

logger = logging.getLogger(__name__)

# Raster formats only: SVG can carry script, and other Pillow plugins are not worth the risk.
_FORMATS = ("JPEG", "PNG", "GIF", "WEBP", "AVIF", "BMP", "ICO")
_MIME = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "GIF": "image/gif",
    "WEBP": "image/webp",
    "AVIF": "image/avif",
    "BMP": "image/bmp",
    "ICO": "image/x-icon",
}
DEFAULT_MAX_PIXELS = 40_000_000
FAILURE_TTL = 600.0  # seconds a failed URL is answered from memory before it is tried again
TRANSIENT_FAILURE_TTL = 60.0  # a timeout or a 503 upstream may pass sooner
QUEUE_FACTOR = 4  # fetches allowed to wait, per fetch running, before we answer 503
RETRY_AFTER_SECONDS = 5
_NOT_FETCHED = "The image could not be fetched."
_BUSY = "Too many images are being fetched right now; try again in a few seconds."
_HEADERS = {
    "Cache-Control": "public, max-age=31536000, immutable",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'",
}


class ImageError(Exception):
    """An image could not be served; `status` is the HTTP status to answer with."""

    def __init__(
        self, message: str, status: int, *, retry_after: int | None = None, transient: bool = False
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.retry_after = retry_after  # seconds, sent as Retry-After
        self.transient = transient  # the same URL may work again soon

    def fresh(self) -> ImageError:
        """A copy to raise again (re-raising one instance would keep growing its traceback)."""
        return ImageError(
            self.message, self.status, retry_after=self.retry_after, transient=self.transient
        )


def sniff_image(data: bytes, max_pixels: int = DEFAULT_MAX_PIXELS) -> str:
    """The content type of data if it is a raster image we serve, no larger than max_pixels."""
    try:
        # Image.open reads only the header: the size is checked before any pixel is decoded.
        with Image.open(io.BytesIO(data), formats=_FORMATS) as image:
            _check_pixels(image.size, max_pixels)
            image.verify()
            kind = image.format or ""
    except ImageError:
        raise
    except Image.DecompressionBombError as exc:
        # Pillow's own process-wide guard fired before ours could read the size.
        raise ImageError(_too_large(max_pixels), 502) from exc
    except Exception as exc:  # Pillow raises many types for broken or hostile files.
        raise ImageError("The address did not return a readable image.", 502) from exc
    if kind not in _MIME:
        raise ImageError(f"Image format {kind or 'unknown'} is not served.", 502)
    return _MIME[kind]


def _busy() -> ImageError:
    return ImageError(_BUSY, 503, retry_after=RETRY_AFTER_SECONDS, transient=True)


def _check_pixels(size: tuple[int, int], max_pixels: int) -> None:
    width, height = size
    if width * height > max_pixels:
        raise ImageError(_too_large(max_pixels, f"{width} x {height} pixels"), 502)


def _too_large(max_pixels: int, size: str = "") -> str:
    what = f" ({size})" if size else ""
    return f"The image is too large to show{what}; the limit is {max_pixels:,} pixels."


class FailureCache:
    """Recent failures by URL, each forgotten after its time to live; at most `size` are kept."""

    def __init__(self, size: int = 4096, clock: Callable[[], float] = time.monotonic) -> None:
        self._size = size
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, ImageError]] = OrderedDict()

    def get(self, url: str) -> ImageError | None:
        """The failure remembered for url, or None when there is none or it has expired."""
        entry = self._entries.get(url)
        if entry is None:
            return None
        if entry[0] <= self._clock():
            del self._entries[url]
            return None
        return entry[1]

    def add(self, url: str, error: ImageError, ttl: float) -> None:
        """Remember error for url during ttl seconds, dropping the oldest entry when full."""
        self._entries[url] = (self._clock() + ttl, error)
        self._entries.move_to_end(url)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


@dataclass
class _Flight:
    """One fetch in progress; requests for the same URL wait on it instead of fetching again."""

    done: anyio.Event = field(default_factory=anyio.Event)
    result: tuple[bytes, str] | None = None
    error: ImageError | None = None


class ImageProxy:
    """Signs image URLs for the pages and serves them from a disk cache, fetching on a miss.

    Fetches run in worker threads under the proxy's own capacity limiter, so slow image hosts
    can never take the threads that pages and /healthz run in."""

    def __init__(
        self,
        *,
        secret_key: str,
        cache_dir: Path,
        fetcher: Fetcher,
        concurrency: int = 4,
        max_pixels: int = DEFAULT_MAX_PIXELS,
        failure_ttl: float = FAILURE_TTL,
    ) -> None:
        if not secret_key:
            raise ValueError("imageproxy: the secret key is empty; set BROADSHEET_SECRET_KEY")
        if concurrency < 1:
            raise ValueError("imageproxy: BROADSHEET_IMAGE_CONCURRENCY must be at least 1")
        self._key = secret_key.encode()
        self._cache_dir = cache_dir
        self._fetcher = fetcher
        self._limiter = anyio.CapacityLimiter(concurrency)
        self._max_pending = concurrency * (1 + QUEUE_FACTOR)
        self._max_pixels = max_pixels
        self._failure_ttl = failure_ttl
        self._failures = FailureCache()
        self._flights: dict[str, _Flight] = {}

    def sign(self, url: str) -> str:
        """The signature that lets url through the proxy."""
        digest = hmac.new(self._key, b"imageproxy:" + url.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def verify(self, url: str, signature: str) -> bool:
        """True when signature was made by sign(url) with our key."""
        return hmac.compare_digest(self.sign(url).encode(), signature.encode())

    def proxy_url(self, url: str | None) -> str:
        """The /img path that serves url, or '' when url is not an http(s) address."""
        if not url or urlsplit(url).scheme not in ("http", "https"):
            return ""
        return "/img?" + urlencode({"u": url, "s": self.sign(url)})

    async def respond(self, request: Request) -> Response:
        """The /img endpoint: check the signature, then serve the image."""
        url, signature = request.query_params.get("u", ""), request.query_params.get("s", "")
        if not url or not signature:
            return PlainTextResponse("Missing u (image URL) or s (signature).", 400)
        if not self.verify(url, signature):
            return PlainTextResponse("Bad signature: this proxy serves only our own pages.", 403)
        try:
            data, content_type = await self.load(url)
        except ImageError as exc:
            headers = {"Cache-Control": "no-store"}
            if exc.retry_after is not None:
                headers["Retry-After"] = str(exc.retry_after)
            return PlainTextResponse(exc.message, exc.status, headers=headers)
        return Response(data, media_type=content_type, headers=_HEADERS)

    async def load(self, url: str) -> tuple[bytes, str]:
        """(bytes, content type) of the image at url: from the disk cache, or fetched once."""
        # A disk read is short, so it may use the shared pool; only fetches are kept apart.
        cached = await anyio.to_thread.run_sync(self._read_cache, url)
        if cached is not None:
            return cached
        failure = self._failures.get(url)
        if failure is not None:
            raise failure.fresh()
        flight = self._flights.get(url)
        if flight is None:
            return await self._lead_flight(url)
        await flight.done.wait()
        if flight.result is None:
            raise flight.error.fresh() if flight.error else _busy()
        return flight.result

    async def _lead_flight(self, url: str) -> tuple[bytes, str]:
        """Fetch url in the proxy's own threads, sharing the outcome with whoever waits on it."""
        if len(self._flights) >= self._max_pending:
            raise _busy()
        flight = self._flights[url] = _Flight()
        try:
            flight.result = await anyio.to_thread.run_sync(
                self.fetch_image, url, limiter=self._limiter
            )
            return flight.result
        except ImageError as exc:
            flight.error = exc
            ttl = min(TRANSIENT_FAILURE_TTL, self._failure_ttl) if exc.transient else None
            self._failures.add(url, exc, self._failure_ttl if ttl is None else ttl)
            raise
        finally:
            del self._flights[url]
            flight.done.set()

    def fetch_image(self, url: str) -> tuple[bytes, str]:
        """Fetch url, check that it is an image we serve, and keep it in the disk cache."""
        try:
            data, _ = self._fetcher.fetch_bytes(url, accept=("image/",))
        except FetchError as exc:
            # The reason may name an internal address: it goes to the log, not to the client.
            logger.warning("imageproxy: could not fetch %s: %s", url, exc.reason)
            # getattr: FetchError gains `transient` in the fetcher rewrite; older ones lack it.
            transient = exc.transient
            raise ImageError(_NOT_FETCHED, 502, transient=transient) from exc
        try:
            content_type = sniff_image(data, self._max_pixels)
        except ImageError as exc:
            logger.warning("imageproxy: refused %s: %s", url, exc.message)
            raise
        try:
            self._write_cache(url, data, content_type)
        except OSError as exc:
            # A full or read-only disk costs a refetch next time, not this reader's image.
            logger.error("imageproxy: could not cache %s in %s: %s", url, self._cache_dir, exc)
        return data, content_type

    def _paths(self, url: str) -> tuple[Path, Path]:
        name = hashlib.sha256(url.encode()).hexdigest()
        return self._cache_dir / name, self._cache_dir / (name + ".type")

    def _read_cache(self, url: str) -> tuple[bytes, str] | None:
        body, kind = self._paths(url)
        try:
            return body.read_bytes(), kind.read_text().strip()
        except FileNotFoundError:
            return None

    def _write_cache(self, url: str, data: bytes, content_type: str) -> None:
        body, kind = self._paths(url)
        self._cache_dir.mkdir(parents=True, exist_ok=True)
        # The type goes first so a reader that finds the body always finds its type too.
        _write_atomic(kind, content_type.encode())
        _write_atomic(body, data)


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def add_proxy_urls(value: Any, proxy: ImageProxy) -> Any:
    """A copy of a view dict where every image gets a 'proxy_url' and a logo a 'logo_proxy_url'."""
    if isinstance(value, list):
        return [add_proxy_urls(item, proxy) for item in value]
    if not isinstance(value, dict):
        return value
    out = {key: add_proxy_urls(item, proxy) for key, item in value.items()}
    for key in ("image", "images"):
        items = out.get(key)
        for image in items if isinstance(items, list) else [items]:
            if isinstance(image, dict) and "url" in image:
                image["proxy_url"] = proxy.proxy_url(image["url"])
    if "logo_url" in out:
        out["logo_proxy_url"] = proxy.proxy_url(out["logo_url"])
    return out
