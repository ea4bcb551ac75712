"""RSS 2.0 and Atom 1.0 feeds of the sample publishers, built with xml.etree."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from email.utils import format_datetime
from xml.etree import ElementTree as ET

from broadsheet.demo.catalog import DemoArticle, DemoPublisher

ATOM_NS = "http://www.w3.org/2005/Atom"
DC_NS = "http://purl.org/dc/elements/1.1/"
RSS_CONTENT_TYPE = "application/rss+xml; charset=utf-8"
ATOM_CONTENT_TYPE = "application/atom+xml; charset=utf-8"

# Maps an article to its absolute URL; the server knows its own base URL.
UrlFor = Callable[[DemoArticle], str]


def feed_content_type(publisher: DemoPublisher) -> str:
    """The Content-Type header for this publisher's feed."""
    return RSS_CONTENT_TYPE if publisher.feed_format == "rss" else ATOM_CONTENT_TYPE


def render_feed(
    publisher: DemoPublisher,
    articles: Sequence[DemoArticle],
    home_url: str,
    feed_url: str,
    url_for: UrlFor,
) -> bytes:
    """The publisher's feed in its own format, newest first."""
    ordered = sorted(articles, key=lambda a: a.published, reverse=True)
    if publisher.feed_format == "rss":
        return render_rss(publisher, ordered, home_url, feed_url, url_for)
    return render_atom(publisher, ordered, home_url, feed_url, url_for)


def _description(publisher: DemoPublisher) -> str:
    return f"{publisher.tagline}. Sample content written for the Broadsheet demo, not real news."


def _sub(parent: ET.Element, tag: str, text: str = "", **attrs: str) -> ET.Element:
    child = ET.SubElement(parent, tag, attrs)
    if text:
        child.text = text
    return child


def _rfc3339(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def render_rss(
    publisher: DemoPublisher,
    articles: Sequence[DemoArticle],
    home_url: str,
    feed_url: str,
    url_for: UrlFor,
) -> bytes:
    """An RSS 2.0 document (pubDate in RFC 822, author as dc:creator)."""
    # Prefixed names and xmlns attributes written literally: register_namespace is global state.
    rss = ET.Element("rss", {"version": "2.0", "xmlns:atom": ATOM_NS, "xmlns:dc": DC_NS})
    channel = _sub(rss, "channel")
    _sub(channel, "title", publisher.name)
    _sub(channel, "link", home_url)
    _sub(channel, "description", _description(publisher))
    _sub(channel, "language", "en")
    _sub(channel, "atom:link", href=feed_url, rel="self", type="application/rss+xml")
    if articles:
        _sub(channel, "lastBuildDate", format_datetime(articles[0].published, usegmt=True))
    for article in articles:
        item = _sub(channel, "item")
        url = url_for(article)
        _sub(item, "title", article.title)
        _sub(item, "link", url)
        _sub(item, "guid", url, isPermaLink="true")
        _sub(item, "pubDate", format_datetime(article.published, usegmt=True))
        _sub(item, "dc:creator", article.author)
        _sub(item, "category", article.section)
        _sub(item, "description", article.summary)
    return ET.tostring(rss, encoding="utf-8", xml_declaration=True)


def render_atom(
    publisher: DemoPublisher,
    articles: Sequence[DemoArticle],
    home_url: str,
    feed_url: str,
    url_for: UrlFor,
) -> bytes:
    """An Atom 1.0 document (dates in RFC 3339)."""
    feed = ET.Element("feed", {"xmlns": ATOM_NS})
    _sub(feed, "title", publisher.name)
    _sub(feed, "subtitle", _description(publisher))
    _sub(feed, "id", feed_url)
    _sub(feed, "link", href=home_url, rel="alternate", type="text/html")
    _sub(feed, "link", href=feed_url, rel="self", type="application/atom+xml")
    newest = articles[0].published if articles else datetime(2000, 1, 1, tzinfo=UTC)
    _sub(feed, "updated", _rfc3339(newest))
    author = _sub(feed, "author")
    _sub(author, "name", publisher.name)
    for article in articles:
        entry = _sub(feed, "entry")
        url = url_for(article)
        _sub(entry, "title", article.title)
        _sub(entry, "link", href=url, rel="alternate", type="text/html")
        _sub(entry, "id", url)
        _sub(entry, "published", _rfc3339(article.published))
        _sub(entry, "updated", _rfc3339(article.published))
        entry_author = _sub(entry, "author")
        _sub(entry_author, "name", article.author)
        _sub(entry, "category", term=article.section, label=article.section.title())
        _sub(entry, "summary", article.summary, type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
