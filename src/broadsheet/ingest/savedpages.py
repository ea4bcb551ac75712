"""A folder of saved HTML pages as a source: which files to read, and the URL of each."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import lxml.etree
import lxml.html

from broadsheet.ingest.entries import absolute_url

MAX_FILES = 10_000  # files looked at in one folder; the rest are reported, not read
HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".xht", ".shtml"})
_SNIFF_BYTES = 8192
_HTML_MARKERS = re.compile(rb"<(?:!doctype\s+html|html|head|body)[\s>]", re.I)
# Browsers and SingleFile write the page's address into a comment at the top of the file.
_SAVED_FROM = re.compile(rb"<!--\s*saved from url=\(\d+\)(https?://[^\s>]+)", re.I)
_SINGLEFILE = re.compile(rb"<!--\s*Page saved with SingleFile\s+url:\s*(https?://\S+)", re.I)


class SavedPagesError(Exception):
    """The folder of saved pages cannot be read."""


@dataclass
class SavedPage:
    """One file of the folder: its URL and size, or why it was skipped ("" when usable)."""

    path: Path
    url: str
    size: int
    skipped: str = ""


def list_saved_pages(folder: Path, max_bytes: int, max_files: int = MAX_FILES) -> list[SavedPage]:
    """The HTML pages under folder (recursively, hidden files left out), skipped ones with why."""
    root = folder.expanduser().resolve()
    if not root.is_dir():
        raise SavedPagesError(f"savedpages: {folder}: not a folder: give the folder of saved pages")
    found: list[SavedPage] = []
    for path in _walk(root, found):
        if len(found) >= max_files:
            found.append(SavedPage(path, "", 0, f"more than {max_files} files: not read"))
            break
        found.append(_saved_page(path, root, max_bytes))
    return found


def _walk(root: Path, found: list[SavedPage]) -> list[Path]:
    """Visible files under root in a stable order; symlinked folders are noted in found."""
    paths: list[Path] = []
    for current, dirs, files in os.walk(root, followlinks=False, onerror=None):
        here = Path(current)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in list(dirs):
            if (here / name).is_symlink():
                dirs.remove(name)
                found.append(SavedPage(here / name, "", 0, "symlinked folder: not followed"))
        paths += [here / name for name in sorted(files) if not name.startswith(".")]
    return paths


def _saved_page(path: Path, root: Path, max_bytes: int) -> SavedPage:
    """The file as a SavedPage, or a SavedPage saying why it is skipped."""
    if path.is_symlink() and not path.resolve().is_relative_to(root):
        return SavedPage(path, "", 0, "symlink to a file outside the folder: not followed")
    try:
        if not path.is_file():  # a FIFO or device would block or never end
            return SavedPage(path, "", 0, "not a regular file")
        size = path.stat().st_size
        if size > max_bytes:
            return SavedPage(path, "", size, f"{size} bytes, over the {max_bytes}-byte limit")
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        return SavedPage(path, "", 0, f"unreadable: {exc.strerror or exc}")
    if len(data) > max_bytes:  # the file grew since stat()
        return SavedPage(path, "", len(data), f"over the {max_bytes}-byte limit")
    if not _is_html(path, data):
        return SavedPage(path, "", len(data), "not an HTML page")
    return SavedPage(path, page_url(data) or path.as_uri(), len(data))


def page_url(data: bytes) -> str:
    """The address a saved page names for itself: canonical, og:url, or the saver's comment."""
    try:
        tree = lxml.html.document_fromstring(data)
    except (lxml.etree.ParserError, ValueError):
        tree = None
    candidates: list[str] = []
    if tree is not None:
        for link in tree.xpath("//link[@href]"):
            if "canonical" in (link.get("rel") or "").lower().split():
                candidates.append(link.get("href"))
        candidates += tree.xpath("//meta[@property='og:url']/@content")
    head = data[:_SNIFF_BYTES]
    candidates += [m.group(1).decode("ascii", "replace") for m in _comment_urls(head)]
    for candidate in candidates:
        url, _ = absolute_url(candidate, "")  # a relative canonical has nothing to resolve against
        if url:
            return url
    return ""


def _comment_urls(head: bytes) -> list[re.Match[bytes]]:
    return [m for m in (_SAVED_FROM.search(head), _SINGLEFILE.search(head)) if m]


def _is_html(path: Path, data: bytes) -> bool:
    """True for an HTML file: no NUL bytes, and an HTML suffix or HTML tags near the top."""
    head = data[:_SNIFF_BYTES]
    if b"\x00" in head:
        return False
    return path.suffix.lower() in HTML_SUFFIXES or bool(_HTML_MARKERS.search(head))
