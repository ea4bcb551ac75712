"""Bodies from bytes on the wire to text: content-encoding under a size cap, then the charset."""

from __future__ import annotations

import codecs
import re
import zlib
from typing import Protocol

import brotli
import charset_normalizer

_DECLARED = re.compile(
    rb"""<\?xml[^>]*encoding=["']?([\w.:-]+)|<meta[^>]+charset=["']?([\w.:-]+)""", re.IGNORECASE
)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Browsers read these labels as windows-1252, which is what publishers actually send.
_LATIN1_LABELS = frozenset({"iso-8859-1", "latin-1", "latin1", "ascii", "us-ascii", "cp1252"})
ACCEPT_ENCODING = "gzip, deflate, br"


class BodyError(Exception):
    """A body that cannot be accepted: too large, or encoded in a way we refuse or cannot read."""


class _Codec(Protocol):
    def feed(self, data: bytes, room: int) -> bytes: ...

    def finish(self, room: int) -> bytes: ...


class _Identity:
    def feed(self, data: bytes, room: int) -> bytes:
        return data

    def finish(self, room: int) -> bytes:
        return b""


class _Zlib:
    """gzip or deflate; never yields more than room + 1 bytes per call, whatever the ratio."""

    def __init__(self, wbits: int | None) -> None:
        self._z = zlib.decompressobj(wbits) if wbits is not None else None
        self._head = b""

    def feed(self, data: bytes, room: int) -> bytes:
        if self._z is None:
            # "deflate" is zlib-wrapped by the RFC, yet many servers send raw deflate.
            self._head += data
            if len(self._head) < 2:
                return b""
            data, self._head = self._head, b""
            self._z = zlib.decompressobj(zlib.MAX_WBITS if _zlib_header(data) else -zlib.MAX_WBITS)
        if self._z.eof:
            return b""  # bytes after the end of the stream are ignored, as browsers do
        try:
            return self._z.decompress(data, room + 1)
        except zlib.error as exc:
            raise BodyError(f"the compressed body is corrupt ({exc})") from exc

    def finish(self, room: int) -> bytes:
        if self._z is None:
            if self._head:
                raise BodyError("the compressed body is corrupt (one byte long)")
            return b""
        try:
            return self._z.flush(room + 1)
        except zlib.error as exc:
            raise BodyError(f"the compressed body is corrupt ({exc})") from exc


class _Brotli:
    def __init__(self) -> None:
        self._d = brotli.Decompressor()

    def feed(self, data: bytes, room: int) -> bytes:
        try:
            out = self._d.process(data, output_buffer_limit=room + 1)
            while len(out) <= room and not self._d.can_accept_more_data():
                piece = self._d.process(b"", output_buffer_limit=room + 1 - len(out))
                if not piece:
                    break
                out += piece
        except brotli.error as exc:
            raise BodyError(f"the brotli body is corrupt ({exc})") from exc
        return out

    def finish(self, room: int) -> bytes:
        return b""


class ContentDecoder:
    """Removes the Content-Encoding of a body fed in chunks; BodyError past `limit` bytes out."""

    def __init__(self, content_encoding: str, limit: int) -> None:
        self._codec = _codec_for(content_encoding)
        self._limit = limit
        self._produced = 0

    def feed(self, data: bytes) -> bytes:
        """Decoded bytes for the next chunk of the body as received."""
        return self._count(self._codec.feed(data, self._limit - self._produced))

    def finish(self) -> bytes:
        """What the decoder still holds once the body has ended."""
        return self._count(self._codec.finish(self._limit - self._produced))

    def _count(self, out: bytes) -> bytes:
        self._produced += len(out)
        if self._produced > self._limit:
            raise BodyError(f"response larger than {self._limit} bytes once decompressed")
        return out


def _codec_for(content_encoding: str) -> _Codec:
    codings = [c.strip().lower() for c in content_encoding.split(",")]
    codings = [c for c in codings if c and c != "identity"]
    if len(codings) > 1:
        # Nobody compresses twice on purpose; stacking is how small bombs get large.
        raise BodyError(f"refused: stacked content encodings ({content_encoding})")
    coding = codings[0] if codings else "identity"
    if coding == "identity":
        return _Identity()
    if coding in ("gzip", "x-gzip"):
        return _Zlib(16 + zlib.MAX_WBITS)
    if coding == "deflate":
        return _Zlib(None)
    if coding == "br":
        return _Brotli()
    raise BodyError(f"refused: unknown content encoding {coding!r} (we accept {ACCEPT_ENCODING})")


def _zlib_header(data: bytes) -> bool:
    return data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0


def charset_of(content_type: str) -> str:
    """The charset parameter of a Content-Type header ("" when there is none)."""
    found = re.search(r"charset=[\"']?([\w.:-]+)", content_type, re.IGNORECASE)
    return found.group(1) if found else ""


def decode_body(body: bytes, content_type: str = "") -> str:
    """Text of a body: BOM, HTTP charset, in-document declaration, then detection; never fails."""
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body.decode(encoding, errors="replace")
    declared = _DECLARED.search(body[:4096])
    candidates = [
        charset_of(content_type),
        (declared.group(1) or declared.group(2)).decode("ascii") if declared else "",
    ]
    for label in candidates:
        text = _try_decode(body, label)
        if text is not None:
            return text
    best = charset_normalizer.from_bytes(body[:200_000]).best()
    encoding = best.encoding if best is not None else "utf-8"
    return body.decode(encoding, errors="replace")


def _try_decode(body: bytes, label: str) -> str | None:
    """The body decoded with `label`, or None when the label is unknown or plainly wrong."""
    try:
        name = codecs.lookup(label).name if label else ""
    except LookupError:
        return None
    if not name:
        return None
    if label.lower() in _LATIN1_LABELS or name in ("latin-1", "iso8859-1", "ascii", "cp1252"):
        if not body.isascii():
            try:
                # A single-byte label on a valid multi-byte UTF-8 body is a misconfigured server.
                return body.decode("utf-8")
            except UnicodeDecodeError:
                pass
        try:
            return body.decode("cp1252")
        except UnicodeDecodeError:
            return body.decode("latin-1")
    try:
        return body.decode(name)
    except UnicodeDecodeError:
        return None
