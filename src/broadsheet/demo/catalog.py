"""The sample publishers and articles of the demo, loaded and checked from content/*.json."""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from broadsheet.models import SECTIONS

CONTENT_DIR = Path(__file__).parent / "content"
FEED_FORMATS = ("rss", "atom")
_DATELINE = re.compile(r"^[A-Z][A-Z .'-]+ \([^)]+\) — ")
# A sentence ends at . ! or ? followed by space, unless the dot closes an initial like "U.S."
_SENTENCE_END = re.compile(r"(?<![A-Z]\.[A-Z])[.!?](?=\s|$)")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_PUBLISHER_KEYS = (
    "id",
    "name",
    "home_city",
    "home_region",
    "country",
    "about",
    "feed_format",
    "color",
    "tagline",
)
_ARTICLE_KEYS = (
    "slug",
    "publisher",
    "section",
    "title",
    "author",
    "hours_ago",
    "paragraphs",
    "image_caption",
)


class CatalogError(ValueError):
    """The demo content files are missing or inconsistent."""


@dataclass(frozen=True)
class DemoPublisher:
    """A fictional sample publisher."""

    id: str
    name: str
    home_city: str
    home_region: str
    country: str
    about: str
    feed_format: str
    color: str
    tagline: str

    @property
    def initials(self) -> str:
        """Up to two capital letters for the logo, skipping a leading 'The'."""
        words = [w for w in self.name.split() if w.lower() != "the"]
        return "".join(w[0].upper() for w in words[:2])

    @property
    def home_label(self) -> str:
        """Home city as shown on a publisher card, e.g. 'Chicago, IL' or 'London, GB'."""
        region = self.home_region if self.country == "US" else self.country
        return f"{self.home_city}, {region}"


@dataclass(frozen=True)
class DemoArticle:
    """A fictional sample article, dated relative to the server's start time."""

    slug: str
    publisher: str
    section: str
    title: str
    author: str
    hours_ago: float
    paragraphs: tuple[str, ...]
    image_caption: str
    wire: str | None
    published: datetime

    @property
    def summary(self) -> str:
        """The first sentence of the body, without a wire dateline."""
        first = _DATELINE.sub("", self.paragraphs[0], count=1)
        end = _SENTENCE_END.search(first)
        return first[: end.end()].strip() if end else first


@dataclass(frozen=True)
class Catalog:
    """Every sample publisher and article, articles newest first."""

    publishers: tuple[DemoPublisher, ...]
    articles: tuple[DemoArticle, ...]

    def publisher(self, publisher_id: str) -> DemoPublisher | None:
        """The publisher with this id, or None."""
        return next((p for p in self.publishers if p.id == publisher_id), None)

    def article(self, publisher_id: str, slug: str) -> DemoArticle | None:
        """The article with this slug at this publisher, or None."""
        return next(
            (a for a in self.articles if a.slug == slug and a.publisher == publisher_id), None
        )

    def articles_of(self, publisher_id: str) -> list[DemoArticle]:
        """The publisher's articles, newest first."""
        return [a for a in self.articles if a.publisher == publisher_id]


def load_catalog(now: datetime, content_dir: Path = CONTENT_DIR) -> Catalog:
    """Read and validate publishers.json and every articles-*.json under content_dir."""
    if now.tzinfo is None:
        raise CatalogError("demo catalog: `now` must be timezone-aware (use datetime.now(UTC))")
    records = _read_raw(content_dir)
    publishers = tuple(_make_publisher(r, i) for i, r in enumerate(records[0]))
    _check_unique([p.id for p in publishers], "publisher id", "publishers.json")
    known = {p.id for p in publishers}
    articles = [_make_article(r, where, known, now) for r, where in records[1]]
    _check_unique([a.slug for a in articles], "article slug", "articles-*.json")
    articles.sort(key=lambda a: (a.published, a.slug), reverse=True)
    return Catalog(publishers, tuple(articles))


@functools.cache
def _read_raw(content_dir: Path) -> tuple[list[dict[str, Any]], list[tuple[dict[str, Any], str]]]:
    # Cached once per process per folder: the files are read-only package data.
    publishers = _read_json_list(content_dir / "publishers.json")
    article_files = sorted(content_dir.glob("articles-*.json"))
    if not article_files:
        raise CatalogError(f"demo catalog: no articles-*.json files in {content_dir}")
    articles: list[tuple[dict[str, Any], str]] = []
    for path in article_files:
        items = _read_json_list(path)
        articles.extend((item, f"{path.name} item {i}") for i, item in enumerate(items))
    return publishers, articles


def _read_json_list(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CatalogError(f"demo catalog: missing content file {path}") from exc
    except json.JSONDecodeError as exc:
        raise CatalogError(f"demo catalog: {path.name} is not valid JSON: {exc}") from exc
    if not isinstance(data, list) or not all(isinstance(x, dict) for x in data):
        raise CatalogError(f"demo catalog: {path.name} must be a JSON list of objects")
    return data


def _require_keys(record: dict[str, Any], keys: tuple[str, ...], where: str) -> None:
    missing = [k for k in keys if k not in record]
    if missing:
        raise CatalogError(f"demo catalog: {where} lacks {', '.join(missing)}")


def _make_publisher(record: dict[str, Any], index: int) -> DemoPublisher:
    where = f"publishers.json item {index}"
    _require_keys(record, _PUBLISHER_KEYS, where)
    if not _SLUG.match(str(record["id"])):
        raise CatalogError(f"demo catalog: {where}: id {record['id']!r} is not url-safe")
    if record["feed_format"] not in FEED_FORMATS:
        raise CatalogError(
            f"demo catalog: {where}: feed_format {record['feed_format']!r} "
            f"is not one of {', '.join(FEED_FORMATS)}"
        )
    if not re.match(r"^#[0-9a-fA-F]{6}$", str(record["color"])):
        raise CatalogError(f"demo catalog: {where}: color must look like #1d4e89")
    return DemoPublisher(**{k: str(record[k]) for k in _PUBLISHER_KEYS})


def _make_article(
    record: dict[str, Any], where: str, known: set[str], now: datetime
) -> DemoArticle:
    _require_keys(record, _ARTICLE_KEYS, where)
    where = f"{where} ({record['slug']!r})"
    if not _SLUG.match(str(record["slug"])):
        raise CatalogError(f"demo catalog: {where}: slug is not url-safe (a-z, 0-9, dashes)")
    if record["publisher"] not in known:
        raise CatalogError(
            f"demo catalog: {where}: unknown publisher id {record['publisher']!r}; "
            f"add it to publishers.json or use one of {', '.join(sorted(known))}"
        )
    if record["section"] not in SECTIONS:
        raise CatalogError(
            f"demo catalog: {where}: unknown section {record['section']!r}; "
            f"use one of {', '.join(SECTIONS)}"
        )
    paragraphs = record["paragraphs"]
    if not isinstance(paragraphs, list) or not paragraphs:
        raise CatalogError(f"demo catalog: {where}: paragraphs must be a non-empty list")
    hours = float(record["hours_ago"])
    if not 0 <= hours <= 240:
        raise CatalogError(f"demo catalog: {where}: hours_ago must be between 0 and 240")
    return DemoArticle(
        slug=record["slug"],
        publisher=record["publisher"],
        section=record["section"],
        title=str(record["title"]),
        author=str(record["author"]),
        hours_ago=hours,
        paragraphs=tuple(str(p) for p in paragraphs),
        image_caption=str(record["image_caption"]),
        wire=record.get("wire") or None,
        published=(now - timedelta(hours=hours)).astimezone(UTC).replace(microsecond=0),
    )


def _check_unique(values: list[str], what: str, where: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise CatalogError(f"demo catalog: duplicate {what} {value!r} in {where}")
        seen.add(value)
