"""The dataclasses that flow between stages: pages in, articles and their analysis out."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

# The sections every article is filed under, in the order readers see them.
SECTIONS: tuple[str, ...] = (
    "world",
    "politics",
    "business",
    "technology",
    "science",
    "health",
    "sports",
    "entertainment",
    "lifestyle",
    "local",
    "crime",
    "weather",
    "education",
    "environment",
)

EntityKind = Literal["person", "organization", "place", "country", "other"]
PlaceKind = Literal["city", "county", "state", "country", "region"]


@dataclass
class Source:
    """A publisher and the feed it is read from."""

    name: str
    feed_url: str
    home_url: str = ""
    home_city: str = ""
    about: str = ""
    logo_url: str = ""
    id: int | None = None
    kind: str = "feed"  # feed (RSS/Atom/JSON Feed), sitemap, page (one article), folder


@dataclass
class Page:
    """One fetched HTTP response, decoded to text."""

    url: str
    final_url: str
    status: int
    content_type: str
    text: str
    fetched_at: datetime
    body: bytes = b""  # the body as received, content-encoding removed (kept for reprocessing)
    etag: str = ""
    last_modified: str = ""

    @property
    def not_modified(self) -> bool:
        """True for a 304 answer to a conditional GET: nothing new, no body."""
        return self.status == 304


@dataclass
class FeedEntry:
    """One item of a feed: where the article lives and what the feed says of it."""

    url: str
    title: str = ""
    author: str = ""
    published: datetime | None = None
    summary: str = ""
    categories: list[str] = field(default_factory=list)
    guid: str = ""
    updated: datetime | None = None


@dataclass
class Image:
    url: str
    caption: str = ""


@dataclass
class ArticleDraft:
    """What extraction gets out of one page: text and metadata, not yet understood."""

    url: str
    canonical_url: str
    title: str
    byline: str
    published: datetime | None
    language: str
    text: str
    images: list[Image] = field(default_factory=list)
    description: str = ""
    site_name: str = ""
    categories: list[str] = field(default_factory=list)
    updated: datetime | None = None  # the publisher's own "updated" date, offset kept
    paywalled: bool = False  # a teaser or paywall page: text is not the full article


@dataclass
class Mention:
    """A span of the article text: character offsets into ArticleDraft.text."""

    start: int
    end: int
    text: str
    # How a place is named: "" (as itself), "civic" (in its own institution's name: "Chicago
    # City Council"), "embedded" (in another name: "University of Texas"), "demonym"
    # ("Russian") or "metonym" ("Beijing warned"). Only the first two make it local news.
    role: str = ""


@dataclass
class Entity:
    """A person, organization, place or other named thing the article mentions."""

    name: str
    kind: EntityKind
    key: str  # channel key, e.g. "person:xi-jinping"; stable across articles
    salience: float
    mentions: list[Mention] = field(default_factory=list)


@dataclass
class Place:
    """A place the article is about, resolved to GeoNames."""

    name: str
    kind: PlaceKind
    geonameid: int | None  # None for an area GeoNames gives us no id for (see key)
    lat: float
    lon: float
    country: str  # ISO 3166 alpha-2
    admin1: str  # e.g. "IL" for a US state, "" when unknown
    mentions: list[Mention] = field(default_factory=list)
    key: str = ""  # channel key, e.g. "place:4887398", or "place:us-39049" for a county
    admin2: str = ""  # the county a US or British town lies in, e.g. "Franklin County"


@dataclass
class LocalChannel:
    name: str  # e.g. "Chicago, IL" or "Illinois"
    kind: PlaceKind
    geonameid: int | None
    key: str = ""


@dataclass
class Enrichment:
    """What the enrich stage understands of one article."""

    entities: list[Entity]
    places: list[Place]
    local_channels: list[LocalChannel]
    section: str
    labels: list[str]
    hashtags: list[str]
    wire_source: str | None
    embedding: list[float]


@dataclass
class Article:
    """An understood article: the draft plus its enrichment, as stored and served."""

    draft: ArticleDraft
    enrichment: Enrichment
    source_id: int | None = None
    id: int | None = None
    copy_of: int | None = None
    story_id: int | None = None
    fetched_at: datetime | None = None


@dataclass
class ArticleSummary:
    """What the stories stage needs to know of an article it compares against."""

    id: int
    source_id: int | None
    title: str
    text: str
    published: datetime | None
    wire_source: str | None
    embedding: Any  # numpy.ndarray (384,) float32, unit length; None when unknown
    copy_of: int | None
    story_id: int | None
    channel_keys: frozenset[str]
    section: str = ""


def to_jsonable(value: Any) -> Any:
    """Dataclasses, datetimes and lists as plain JSON values (datetimes in ISO 8601)."""
    if hasattr(value, "__dataclass_fields__"):
        return {k: to_jsonable(v) for k, v in asdict(value).items()}
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value
