"""The image proxy: pages show /img?u=<url>&s=<HMAC>, never hot-link; fetched once, cached."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import os
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from PIL import Image
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from broadsheet.ingest.fetch import Fetcher, FetchError

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
_HEADERS = {
    "Cache-Control": "public, max-age=31536000, immutable",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'",
}


class ImageError(Exception):
    """An image could not be served; `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def sniff_image(data: bytes) -> str:
    """The content type of data if Pillow reads it as a raster image we serve; ImageError if not."""
    try:
        with Image.open(io.BytesIO(data), formats=_FORMATS) as image:
            image.verify()
            kind = image.format or ""
    except Exception as exc:  # Pillow raises many types for broken or hostile files.
        raise ImageError("The address did not return a readable image.", 502) from exc
    if kind not in _MIME:
        raise ImageError(f"Image format {kind or 'unknown'} is not served.", 502)
    return _MIME[kind]


class ImageProxy:
    """Signs image URLs for the pages and serves them from a disk cache, fetching on a miss."""

    def __init__(self, *, secret_key: str, cache_dir: Path, fetcher: Fetcher) -> None:
        if not secret_key:
            raise ValueError("imageproxy: the secret key is empty; set BROADSHEET_SECRET_KEY")
        self._key = secret_key.encode()
        self._cache_dir = cache_dir
        self._fetcher = fetcher

    def sign(self, url: str) -> str:
        """The signature that lets url through the proxy."""
        digest = hmac.new(self._key, b"imageproxy:" + url.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def verify(self, url: str, signature: str) -> bool:
        """True when signature was made by sign(url) with our key."""
        return hmac.compare_digest(self.sign(url), signature)

    def proxy_url(self, url: str | None) -> str:
        """The /img path that serves url, or '' when url is not an http(s) address."""
        if not url or urlsplit(url).scheme not in ("http", "https"):
            return ""
        return "/img?" + urlencode({"u": url, "s": self.sign(url)})

    def load(self, url: str) -> tuple[bytes, str]:
        """(bytes, content type) of the image at url, from the disk cache or fetched and cached."""
        cached = self._read_cache(url)
        if cached is not None:
            return cached
        try:
            data, _ = self._fetcher.fetch_bytes(url, accept=("image/",))
        except FetchError as exc:
            raise ImageError(f"Could not fetch the image: {exc.reason}", 502) from exc
        content_type = sniff_image(data)
        self._write_cache(url, data, content_type)
        return data, content_type

    def respond(self, request: Request) -> Response:
        """The /img endpoint: check the signature, then serve the image (sync: runs in a thread)."""
        url, signature = request.query_params.get("u", ""), request.query_params.get("s", "")
        if not url or not signature:
            return PlainTextResponse("Missing u (image URL) or s (signature).", 400)
        if not self.verify(url, signature):
            return PlainTextResponse("Bad signature: this proxy serves only our own pages.", 403)
        try:
            data, content_type = self.load(url)
        except ImageError as exc:
            return PlainTextResponse(exc.message, exc.status)
        return Response(data, media_type=content_type, headers=_HEADERS)

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
