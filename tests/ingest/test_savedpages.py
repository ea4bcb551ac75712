"""A folder of saved pages as a source: real files and symlinks in a temporary folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from broadsheet.ingest.savedpages import SavedPage, SavedPagesError, list_saved_pages

CANONICAL = b"""<!DOCTYPE html><html><head><title>Harbour</title>
<link rel="canonical" href="https://lake.example/news/harbour">
<meta property="og:url" content="https://lake.example/og/harbour"></head><body>x</body></html>"""
OG_ONLY = (
    b"""<html><head><meta property="og:url" content="https://hill.example/pass"></head></html>"""
)
SAVED_FROM = b"""<!DOCTYPE html>
<!-- saved from url=(0031)https://coast.example/tides -->
<html><head><title>Tides</title></head><body>x</body></html>"""
RELATIVE = b"""<html><head><link rel="canonical" href="/relative"></head><body>x</body></html>"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "saved"
    (root / "2025" / "june").mkdir(parents=True)
    (root / "harbour.html").write_bytes(CANONICAL)
    (root / "2025" / "pass.htm").write_bytes(OG_ONLY)
    (root / "2025" / "june" / "tides.HTML").write_bytes(SAVED_FROM)
    (root / "2025" / "june" / "no-suffix").write_bytes(
        b"<!doctype html><html><body>y</body></html>"
    )
    (root / "relative.html").write_bytes(RELATIVE)
    (root / "notes.txt").write_text("not a page")
    (root / "photo.html").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    (root / "big.html").write_bytes(b"<html>" + b"x" * 5000 + b"</html>")
    (root / ".hidden.html").write_bytes(CANONICAL)
    (root / ".cache").mkdir()
    (root / ".cache" / "inside.html").write_bytes(CANONICAL)
    return root


def by_name(pages: list[SavedPage]) -> dict[str, SavedPage]:
    return {page.path.name: page for page in pages}


def test_pages_get_their_own_url_else_a_file_url(folder: Path) -> None:
    pages = by_name(list_saved_pages(folder, max_bytes=1000))
    assert pages["harbour.html"].url == "https://lake.example/news/harbour"  # canonical first
    assert pages["pass.htm"].url == "https://hill.example/pass"
    assert pages["tides.HTML"].url == "https://coast.example/tides"
    no_suffix = pages["no-suffix"]
    assert (no_suffix.url, no_suffix.skipped) == ((folder / "2025/june/no-suffix").as_uri(), "")
    assert pages["relative.html"].url == (folder / "relative.html").as_uri()
    assert pages["harbour.html"].size == len(CANONICAL)


def test_file_urls_are_stable_and_absolute(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = by_name(list_saved_pages(folder, max_bytes=1000))["relative.html"].url
    monkeypatch.chdir(folder.parent)
    again = by_name(list_saved_pages(Path("saved"), max_bytes=1000))["relative.html"].url
    assert first == again and first.startswith("file:///")


def test_unusable_files_are_reported_with_a_reason_and_hidden_ones_left_out(folder: Path) -> None:
    pages = by_name(list_saved_pages(folder, max_bytes=1000))
    assert pages["notes.txt"].skipped == "not an HTML page"
    assert pages["photo.html"].skipped == "not an HTML page"
    assert pages["big.html"].skipped == "5013 bytes, over the 1000-byte limit"
    assert ".hidden.html" not in pages and "inside.html" not in pages
    usable = {p.path.name for p in pages.values() if not p.skipped}
    assert usable == {"harbour.html", "pass.htm", "tides.HTML", "no-suffix", "relative.html"}


def test_symlinks_outside_the_folder_are_not_followed(folder: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.html").write_bytes(CANONICAL)
    (folder / "link-out.html").symlink_to(outside / "secret.html")
    (folder / "link-dir").symlink_to(outside, target_is_directory=True)
    (folder / "link-in.html").symlink_to(folder / "harbour.html")
    pages = by_name(list_saved_pages(folder, max_bytes=1000))
    assert pages["link-out.html"].skipped == "symlink to a file outside the folder: not followed"
    assert pages["link-dir"].skipped == "symlinked folder: not followed"
    assert "secret.html" not in pages
    assert pages["link-in.html"].url == "https://lake.example/news/harbour"


def test_special_files_are_skipped_without_blocking(folder: Path) -> None:
    os.mkfifo(folder / "pipe.html")
    assert by_name(list_saved_pages(folder, max_bytes=1000))["pipe.html"].skipped == (
        "not a regular file"
    )


def test_file_count_is_bounded(folder: Path) -> None:
    pages = list_saved_pages(folder, max_bytes=1000, max_files=3)
    assert len(pages) == 4
    assert pages[-1].skipped == "more than 3 files: not read"


def test_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SavedPagesError, match="not a folder"):
        list_saved_pages(tmp_path / "nope", max_bytes=1000)
