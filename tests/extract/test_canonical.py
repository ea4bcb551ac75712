"""Canonical URLs: the publisher's own, absolute, without tracking."""

from __future__ import annotations

import pytest

from broadsheet.extract.canonical import canonical_url, strip_tracking

URL = "https://news.example/world/story-1?utm_source=feed&page=2#top"


def head(tags: str) -> str:
    return f"<html><head>{tags}</head><body><p>x</p></body></html>"


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ('<link rel="canonical" href="/world/story-1">', "https://news.example/world/story-1"),
        (
            '<link rel="canonical" href="https://m.news.example/s?fbclid=X&amp;id=4#c">'
            '<meta property="og:url" content="https://news.example/og">',
            "https://m.news.example/s?id=4",
        ),
        ('<meta property="og:url" content="https://news.example/og">', "https://news.example/og"),
        ("", "https://news.example/world/story-1?page=2"),
        (
            '<link rel="canonical" href="https://news.example/">',
            "https://news.example/world/story-1?page=2",
        ),
        (
            '<link rel="canonical" href="javascript:void(0)">',
            "https://news.example/world/story-1?page=2",
        ),
        (
            '<base href="https://cdn.example/a/"><link rel="canonical" href="b">',
            "https://cdn.example/a/b",
        ),
        (  # another host's home page
            '<link rel="canonical" href="https://group.example/">',
            "https://news.example/world/story-1?page=2",
        ),
        (  # a listing page is a different kind of page: next candidate (og:url) wins
            '<link rel="canonical" href="https://news.example/tag/world">'
            '<meta property="og:url" content="https://news.example/world/story-1?gclid=Z">',
            "https://news.example/world/story-1",
        ),
        (
            '<link rel="canonical" href="https://news.example/author/ana-ruiz/">',
            "https://news.example/world/story-1?page=2",
        ),
    ],
)
def test_canonical_url(tags: str, expected: str) -> None:
    assert canonical_url(head(tags), URL) == expected


def test_strip_tracking_keeps_real_parameters() -> None:
    url = "http://x.example/p?b=2&utm_campaign=spring&a=1&gclid=9&fbclid=1&mc_cid=4#frag"
    # courlan sorts the parameters it keeps, so two orders of one URL are one canonical URL.
    assert strip_tracking(url) == "http://x.example/p?a=1&b=2"
