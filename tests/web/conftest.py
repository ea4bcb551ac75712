"""Sample view dicts in exactly the shapes web/views.py returns, and a signing proxy for pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from broadsheet.ingest.fetch import Fetcher
from broadsheet.web.imageproxy import ImageProxy

SECRET = "test-secret-key-for-the-web-tests"


def _card(article_id: int, title: str, **extra: Any) -> dict[str, Any]:
    card: dict[str, Any] = {
        "id": article_id,
        "title": title,
        "publisher": {"id": 2, "name": "The Hill Country Courier"},
        "snippet": "Officials met on Tuesday to discuss the plan and its cost to taxpayers.",
        "label": "FOREIGN POLICY",
        "section": "world",
        "published": "2026-11-24T15:05:00+00:00",
        "image": {"url": "http://127.0.0.1:9/related.png", "caption": "A related picture"},
    }
    card.update(extra)
    return card


PUBLISHER: dict[str, Any] = {
    "id": 1,
    "name": "The Lakeshore Ledger",
    "home": "Chicago, IL",
    "about": "The Lakeshore Ledger covers Chicago's neighborhoods and City Hall.",
    "site": "https://ledger.example/",
    "logo_url": "http://127.0.0.1:9/logo.png",
    "followers": 12_345,
    "posts": 987,
    "views": 2_500_000,
}


@pytest.fixture
def article_data() -> dict[str, Any]:
    """An article_view dict with every part of the anatomy filled in."""
    return {
        "id": 7,
        "url": "https://ledger.example/2026/council-budget",
        "canonical_url": "https://ledger.example/2026/council-budget",
        "title": "City Council <b>approves</b> lakefront budget",
        "byline": "Maria Okafor",
        "published": "2026-11-24T15:05:00+00:00",
        "paragraphs": ["The council voted 30 to 20 on Tuesday.", "Mayor Dana Reyes praised it."],
        "images": [{"url": "http://127.0.0.1:9/lead.png", "caption": "The council chamber"}],
        "publisher": dict(PUBLISHER),
        "section": "politics",
        "labels": ["U.S. POLITICS"],
        "hashtags": ["Dana Reyes", "City Council", "Budgets"],
        "entities": [
            {
                "name": "Dana Reyes",
                "kind": "person",
                "key": "person:dana-reyes",
                "salience": 0.8,
                "mentions": [],
            },
            {
                "name": "City Council",
                "kind": "organization",
                "key": "org:city-council",
                "salience": 0.6,
                "mentions": [],
            },
        ],
        "places": [
            {
                "name": "Chicago",
                "kind": "city",
                "geonameid": 4887398,
                "lat": 41.85,
                "lon": -87.65,
                "country": "US",
                "admin1": "IL",
                "key": "place:4887398",
                "mentions": [],
            }
        ],
        "local_channels": [
            {"name": "Chicago, IL", "kind": "city", "geonameid": 4887398, "key": "place:4887398"},
            {"name": "Illinois", "kind": "state", "geonameid": 4896861, "key": "place:4896861"},
        ],
        "related_people": [{"key": "person:dana-reyes", "name": "Dana Reyes", "kind": "person"}],
        "related": [
            {**_card(8, "Budget fight moves to Springfield"), "reason": "Shares Dana Reyes"},
            {**_card(9, "What the lakefront plan costs", image=None), "reason": "Same story"},
        ],
        "you_may_also_like": [
            {"key": "place:4896861", "name": "Illinois", "kind": "state"},
            {"key": "topic:politics", "name": "Politics", "kind": "topic"},
        ],
        "copy_of": None,
        "copies": [{"id": 11, "publisher": {"id": 3, "name": "The Puget Sound Post"}}],
        "also_published": {
            "original": None,
            "outlets_count": 1,
            "outlets": [
                {"id": 11, "publisher": {"id": 3, "name": "The Puget Sound Post"}, "copies": 1}
            ],
            "outlets_more": 0,
        },
        "wire_source": "Meridian Wire",
        "story": {"id": 4, "title": "Lakefront budget", "size": 5},
        "comments_count": 2,
        "comments": [
            {
                "id": 1,
                "author": "reader1",
                "body_html": "<p>Good news.</p>",
                "created": "2026-11-25T10:00:00+00:00",
            },
            {
                "id": 2,
                "author": "reader2",
                "body_html": "<p>Bad <script>alert(1)</script>news.</p>",
                "created": "2026-11-25T11:00:00+00:00",
            },
        ],
    }


@pytest.fixture
def home_data() -> dict[str, Any]:
    """A home_view dict."""
    return {
        "title": "Broadsheet",
        "sections": [
            {"section": "world", "name": "World", "articles": [_card(1, "Summit opens")]},
            {"section": "sports", "name": "Sports", "articles": [_card(2, "Cubs win", image=None)]},
        ],
        "latest": [_card(1, "Summit opens"), _card(3, "Storm nears coast")],
    }


@pytest.fixture
def channel_data() -> dict[str, Any]:
    """A channel_view dict."""
    return {
        "channel": {
            "key": "person:dana-reyes",
            "name": "Dana Reyes",
            "kind": "person",
            "followers": 1500,
            "articles_count": 12,
        },
        "articles": [_card(1, "Reyes signs budget")],
        "related_channels": [{"key": "org:city-council", "name": "City Council", "kind": "org"}],
    }


@pytest.fixture
def proxy(tmp_path: Path) -> Iterator[ImageProxy]:
    """A proxy whose fetcher may reach 127.0.0.1, caching under a temporary folder."""
    fetcher = Fetcher(allow_hosts=("127.0.0.1",), timeout=5.0, max_bytes=2_000_000)
    yield ImageProxy(secret_key=SECRET, cache_dir=tmp_path / "images", fetcher=fetcher)
    fetcher.close()


@pytest.fixture
def readers(app: Starlette) -> Iterator[Any]:
    """A factory of browsers (each its own cookies) on the test module's `app`."""
    opened: list[TestClient] = []

    def browser() -> TestClient:
        client = TestClient(app, follow_redirects=False)
        client.__enter__()
        opened.append(client)
        return client

    yield browser
    for client in opened:
        client.__exit__(None, None, None)
