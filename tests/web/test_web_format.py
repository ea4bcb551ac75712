"""How times, counts and names read on the pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from broadsheet.web.format import (
    channel_url,
    exact_time,
    kind_name,
    link_hashtags,
    parse_datetime,
    relative_time,
    rounded_count,
    section_name,
)

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("ago", "expected"),
    [
        (timedelta(seconds=5), "just now"),
        (timedelta(seconds=-30), "just now"),
        (timedelta(minutes=1), "1 minute ago"),
        (timedelta(minutes=5, seconds=59), "5 minutes ago"),
        (timedelta(hours=1), "1 hour ago"),
        (timedelta(hours=3, minutes=59), "3 hours ago"),
        (timedelta(days=1), "1 day ago"),
        (timedelta(days=3, hours=2), "3 days ago"),
        (timedelta(days=29), "29 days ago"),
    ],
)
def test_relative_time_reads_like_a_person(ago: timedelta, expected: str) -> None:
    assert relative_time(NOW - ago, NOW) == expected


def test_relative_time_shows_the_date_after_a_month() -> None:
    assert relative_time(datetime(2026, 10, 3, 8, 0, tzinfo=UTC), NOW) == "Oct 3, 2026"


def test_relative_time_treats_naive_times_as_utc() -> None:
    assert relative_time(datetime(2026, 11, 27, 9, 0), NOW) == "3 hours ago"


def test_exact_time_for_the_tooltip() -> None:
    assert exact_time(datetime(2026, 11, 24, 15, 5, tzinfo=UTC)) == "Nov 24, 2026, 3:05 PM UTC"
    assert exact_time(datetime(2026, 11, 24, 0, 30, tzinfo=UTC)) == "Nov 24, 2026, 12:30 AM UTC"


def test_parse_datetime_reads_iso_and_rejects_junk() -> None:
    assert parse_datetime("2026-11-24T15:05:00Z") == datetime(2026, 11, 24, 15, 5, tzinfo=UTC)
    assert parse_datetime("yesterday") is None
    assert parse_datetime(None) is None


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (0, "0"),
        (7, "7"),
        (999, "999"),
        (1000, "1K+"),
        (1999, "1K+"),
        (2000, "2K+"),
        (999_999, "999K+"),
        (1_000_000, "1M+"),
        (2_900_000, "2M+"),
    ],
)
def test_rounded_count_floors_like_the_reference(n: int, expected: str) -> None:
    assert rounded_count(n) == expected


def test_section_and_kind_names() -> None:
    assert section_name("world") == "World"
    assert section_name("us") == "U.S."
    assert section_name("") == ""
    assert kind_name("city") == "City"
    assert kind_name("org") == "Organization"
    assert kind_name("person") == "Person"


def test_channel_url_keeps_the_colon() -> None:
    assert channel_url("person:maria-okafor") == "/c/person:maria-okafor"
    assert channel_url("topic:a b") == "/c/topic:a%20b"


def test_hashtags_link_to_channels_else_search_and_never_repeat() -> None:
    entities = [{"name": "Nato", "key": "org:nato"}]
    places = [{"name": "Ukraine", "key": "place:690791"}]
    links = link_hashtags(["Nato", "#Ukraine", "nato", "Sanctions"], entities, places)
    assert links == [
        ("Nato", "/c/org:nato"),
        ("Ukraine", "/c/place:690791"),
        ("Sanctions", "/search?q=Sanctions"),
    ]
