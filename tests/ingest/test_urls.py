"""Source URLs users type, entry URLs feeds give, and the keys entries are de-duplicated by."""

from __future__ import annotations

import re

import pytest

from broadsheet.ingest.urls import (
    UrlError,
    entry_key,
    is_tracking_param,
    normalize_entry_url,
    validate_source_url,
)


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("  https://Example.COM/feed  ", "https://example.com/feed"),
        ("HTTP://example.com:80/rss.xml", "http://example.com/rss.xml"),
        ("https://example.com:8443/feed", "https://example.com:8443/feed"),
        ("https://example.com", "https://example.com/"),
        (
            "https://example.com/?feed=rss2&utm_source=x",
            "https://example.com/?feed=rss2&utm_source=x",
        ),
        ("https://example.com/feed#top", "https://example.com/feed"),
        ("https://xn--bcher-kva.example/feed", "https://bücher.example/feed"),
    ],
)
def test_source_urls_are_normalised_and_keep_their_query(typed: str, normalised: str) -> None:
    assert validate_source_url(typed) == normalised


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("example.com/feed", "did you mean https://example.com/feed?"),
        ("//example.com/feed", "did you mean https://example.com/feed?"),
        ("localhost:8000/feed", "did you mean https://localhost:8000/feed?"),
        ("news of the day", "is not a URL: give an address such as https://"),
        ("javascript:alert(1)", "javascript: URLs cannot be sources"),
        ("JavaScript:alert(1)", "javascript: URLs cannot be sources"),
        ("file:///etc/passwd", "file: URLs cannot be sources"),
        ("data:text/html,<script>x</script>", "data: URLs cannot be sources"),
        ("ftp://example.com/feed.xml", "ftp: URLs cannot be sources"),
        ("mailto:editor@example.com", "mailto: URLs cannot be sources"),
        ("gopher://example.com/", "gopher: URLs cannot be sources"),
        ("https:///feed", "no host name"),
        ("https://user:secret@example.com/feed", "remove the 'user:password@' part"),
        ("https://user@example.com/feed", "user name or password"),
        ("https://example.com:99999/feed", "bad port"),
        ("https://example.com/" + "a" * 2000, "longer than 2000"),
        ("", "empty URL"),
    ],
)
def test_unusable_source_urls_are_refused_with_what_to_do(typed: str, message: str) -> None:
    with pytest.raises(UrlError, match=re.escape(message)):
        validate_source_url(typed)


def test_entry_urls_lose_trackers_and_fragment_and_keep_real_parameters() -> None:
    url = (
        "HTTPS://News.Example.COM:443/a/../politics/story?utm_source=rss&utm_medium=feed"
        "&fbclid=IwAR0&gclid=Cj0&mc_cid=abc&mc_eid=def&_ga=1.2&id=42&story=9&v=x&cid=7&game=5#comments"
    )
    assert normalize_entry_url(url) == (
        "https://news.example.com/politics/story?cid=7&game=5&id=42&story=9&v=x"
    )


def test_entry_urls_are_made_absolute_against_a_base() -> None:
    assert normalize_entry_url("../b?utm_campaign=x", base="https://a.example/x/y/") == (
        "https://a.example/x/b"
    )


def test_entry_url_parameter_order_does_not_matter() -> None:
    assert normalize_entry_url("https://a.example/s?b=2&a=1") == normalize_entry_url(
        "https://a.example/s?a=1&b=2"
    )


@pytest.mark.parametrize(
    "url", ["/relative/path", "javascript:alert(1)", "mailto:x@y.z", "https://" + "a" * 2001]
)
def test_entry_urls_that_are_not_absolute_http_are_refused(url: str) -> None:
    with pytest.raises(UrlError):
        normalize_entry_url(url)


def test_tracking_params() -> None:
    assert all(map(is_tracking_param, ["utm_source", "UTM_Term", "fbclid", "gclid", "mc_cid"]))
    assert not any(map(is_tracking_param, ["id", "story", "page", "q", "source_id_x"]))


def test_entry_key_uses_a_usable_guid() -> None:
    key = entry_key("harbour-1", "https://a.example/harbour")
    assert re.fullmatch(r"[0-9a-f]{64}", key)
    assert key == entry_key(" harbour-1 ", "https://a.example/moved-url")
    assert key != entry_key("harbour-2", "https://a.example/harbour")


def test_entry_key_falls_back_to_the_normalised_url() -> None:
    plain = entry_key("", "https://a.example/story?id=3")
    assert plain == entry_key("", "https://A.example/story?id=3&utm_source=rss#x")
    assert plain == entry_key("null", "https://a.example/story?id=3")
    assert plain != entry_key("", "https://a.example/story?id=4")


def test_a_permalink_guid_keys_like_its_url() -> None:
    # So a feed that stops sending GUIDs (or adds trackers to them) keeps its entries' keys.
    assert entry_key("https://a.example/s?utm_source=x", "") == entry_key("", "https://a.example/s")


def test_entry_key_without_guid_or_usable_url_is_refused() -> None:
    with pytest.raises(UrlError):
        entry_key("", "")
