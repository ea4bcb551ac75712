"""What a body is, by its first bytes, when the Content-Type is missing, generic or wrong."""

from __future__ import annotations

import codecs
import re

_TEXT_TYPES = ("text/", "application/xhtml", "application/xml", "application/json")
# Servers label pages and feeds with these when they do not know better.
_GENERIC_TYPES = frozenset(
    {
        "",
        "text/plain",
        "application/octet-stream",
        "binary/octet-stream",
        "application/unknown",
        "application/x-unknown",
        "unknown/unknown",
    }
)
_BINARY_MAGIC = (
    b"\x89PNG",
    b"GIF87a",
    b"GIF89a",
    b"\xff\xd8\xff",  # JPEG
    b"%PDF-",
    b"PK\x03\x04",  # zip, docx, epub
    b"RIFF",  # webp, wav, avi
    b"\x1f\x8b",  # gzip
    b"OggS",
    b"ID3",
    b"wOFF",
    b"wOF2",
    b"\x7fELF",
)
# UTF-32 first: its little-endian BOM begins with the UTF-16 one.
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_HTML_START = re.compile(
    r"<(!doctype\s+html|html|head|body|script|iframe|h1|div|font|table|a|style|title|b|br|p|meta)"
    r"[\s>/]|<!--"
)
_FEED_START = re.compile(r"<(rss|feed|rdf:rdf)[\s>]")


def is_text_type(kind: str) -> bool:
    """Whether a media type names text we read (HTML, XML, feeds, JSON, plain text)."""
    return kind.startswith(_TEXT_TYPES) or kind.endswith(("+xml", "+json"))


def sniff_kind(body: bytes, charset: str = "") -> str | None:
    """The media type the first bytes show (text/html, application/xml, ...); None if binary."""
    head = body[:1024]
    wide = any(head.startswith(bom) for bom, _ in _WIDE_BOMS)
    wide = wide or charset.lower().startswith(("utf-16", "utf-32"))
    if wide:
        text = _decode_wide(head, charset)
    elif head.startswith(_BINARY_MAGIC) or b"\x00" in head:
        return None
    else:
        text = head.decode("latin-1")
    start = text.lstrip("\ufeff \t\r\n").lower()
    if start.startswith("<?xml"):
        return "application/xhtml+xml" if "<html" in start else "application/xml"
    if _FEED_START.match(start):
        return "application/xml"
    if _HTML_START.match(start):
        return "text/html"
    if start.startswith(("{", "[")):
        return "application/json"
    return "text/plain"


def page_kind(declared: str, body: bytes, charset: str = "") -> str | None:
    """The media type to read a page as: the declared one, or the sniffed one if that is generic.

    None when the body is not text (declared as an image, PDF ..., or binary by its bytes).
    """
    sniffed = sniff_kind(body, charset)
    if sniffed is None:
        return None
    if declared in _GENERIC_TYPES:
        return sniffed
    return declared if is_text_type(declared) else None


def _decode_wide(head: bytes, charset: str) -> str:
    """The first bytes of a UTF-16/32 body as text (their NUL bytes are not binary)."""
    name = next((name for bom, name in _WIDE_BOMS if head.startswith(bom)), charset)
    try:
        return head.decode(name, errors="ignore")
    except LookupError:
        return head.decode("utf-16", errors="ignore")
