"""RSS 2.0, Atom and JSON Feed 1.1 documents of a channel's, a publisher's or a saved
search's latest articles, for feed readers. RSS and Atom are written by feedgen; JSON Feed
is plain JSON."""

from __future__ import annotations

import json
from typing import Any

from feedgen.feed import FeedGenerator

from broadsheet.web.format import channel_url, parse_datetime

FORMATS = {
    "feed.xml": "application/rss+xml",
    "atom.xml": "application/atom+xml",
    "feed.json": "application/feed+json",
}


def describe(data: dict[str, Any], base_url: str) -> tuple[str, str, str]:
    """(title, page URL, description) of a channel view's or publisher view's feed."""
    if "query" in data:
        page = f"{base_url}/search?{data['query_string']}"
        title = f"Search: {data['query']} · Broadsheet"
        return title, page, f"The newest articles matching “{data['query']}”."
    if "channel" in data:
        channel = data["channel"]
        url = base_url + channel_url(channel["key"])
        return f"{channel['name']} · Broadsheet", url, f"The latest about {channel['name']}."
    publisher = data["publisher"]
    url = f"{base_url}/p/{publisher['id']}"
    return f"{publisher['name']} · Broadsheet", url, f"The latest from {publisher['name']}."


def render(data: dict[str, Any], base_url: str, name: str) -> bytes:
    """The feed document named by `name` (a FORMATS key) of the view's articles."""
    title, page, description = describe(data, base_url)
    if name == "feed.json":
        return _json_feed(data, base_url, title, page, description)
    generator = FeedGenerator()
    generator.id(page)
    generator.title(title)
    generator.link(href=page, rel="alternate")
    generator.link(href=_self_url(data, base_url, page, name), rel="self")
    generator.description(description)
    generator.language("en")
    for article in reversed(data["articles"]):  # feedgen lists the last added first
        entry = generator.add_entry()
        link = f"{base_url}/a/{article['id']}"
        entry.id(link)
        entry.guid(link, permalink=True)
        entry.title(article["title"] or "(untitled)")
        entry.link(href=link)
        entry.description(article.get("snippet") or "")
        publisher = (article.get("publisher") or {}).get("name", "")
        if publisher:
            entry.author(name=publisher)
        published = parse_datetime(article.get("published"))
        if published is not None:
            entry.published(published)
            entry.updated(published)
    if name == "atom.xml":
        return bytes(generator.atom_str(pretty=True))
    return bytes(generator.rss_str(pretty=True))


def _json_feed(
    data: dict[str, Any], base_url: str, title: str, page: str, description: str
) -> bytes:
    items = []
    for article in data["articles"]:
        link = f"{base_url}/a/{article['id']}"
        item: dict[str, Any] = {
            "id": link,
            "url": link,
            "title": article["title"],
            "summary": article.get("snippet") or "",
            "content_text": article.get("snippet") or "",
        }
        if article.get("published"):
            item["date_published"] = article["published"]
        publisher = (article.get("publisher") or {}).get("name")
        if publisher:
            item["authors"] = [{"name": publisher}]
        items.append(item)
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": title,
        "home_page_url": page,
        "feed_url": _self_url(data, base_url, page, "feed.json"),
        "description": description,
        "language": "en",
        "items": items,
    }
    return json.dumps(feed, ensure_ascii=False).encode()


def _self_url(data: dict[str, Any], base_url: str, page: str, name: str) -> str:
    if "query" in data:  # a search's feed sits beside /search, its parameters after it
        return f"{base_url}/search/{name}?{data['query_string']}"
    return f"{page}/{name}"
