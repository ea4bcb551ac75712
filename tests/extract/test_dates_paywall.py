"""Dates keep the publisher's offset; teaser and paywall pages are marked, never passed off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from broadsheet.extract.article import EXTRACTOR_VERSION, extract_article
from broadsheet.extract.dates import parse_datetime

STORY = "".join(
    f"<p>{sentence}</p>"
    for sentence in [
        "The night bus service will run every twenty minutes from next week, the transport "
        "authority said, after a trial on two routes drew more riders than expected.",
        "Drivers' representatives welcomed the plan but asked for more staff at the depots, "
        "where the late shift has been short of mechanics since the spring.",
    ]
)


MINUS5 = timezone(timedelta(hours=-5))
PLUS2 = timezone(timedelta(hours=2))


def page(head: str, body: str = STORY) -> str:
    return f"<html><head>{head}</head><body><main><article>{body}</article></main></body></html>"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-06-10T23:30:00-05:00", datetime(2025, 6, 10, 23, 30, tzinfo=MINUS5)),
        ("2025-06-10T23:30:00-0500", datetime(2025, 6, 10, 23, 30, tzinfo=MINUS5)),
        ("2025-06-11T00:15:00+02:00", datetime(2025, 6, 11, 0, 15, tzinfo=PLUS2)),
        ("2025-06-10", datetime(2025, 6, 10, tzinfo=UTC)),
        ("2025-06-10T08:00:00", datetime(2025, 6, 10, 8, 0, tzinfo=UTC)),
        ("Tue, 10 Jun 2025 23:30:00 -0500", datetime(2025, 6, 10, 23, 30, tzinfo=MINUS5)),
        ("yesterday", None),
        ("", None),
    ],
)
def test_dates_keep_the_publishers_day_and_offset(value: str, expected: datetime | None) -> None:
    parsed = parse_datetime(value)
    assert parsed == expected
    if expected is not None:
        assert parsed is not None and parsed.utcoffset() == expected.utcoffset()
        assert parsed.date() == expected.date()


def test_published_and_updated_from_meta_tags() -> None:
    head = (
        '<meta property="article:published_time" content="2025-06-10T23:30:00-05:00">'
        '<meta property="article:modified_time" content="2025-06-11T09:05:00-05:00">'
    )
    draft = extract_article(page(head), "https://bus.example/night")
    assert draft.published == datetime(2025, 6, 10, 23, 30, tzinfo=MINUS5)
    assert draft.published is not None and draft.published.utcoffset() == timedelta(hours=-5)
    assert draft.updated == datetime(2025, 6, 11, 9, 5, tzinfo=MINUS5)


@pytest.mark.parametrize(
    "head",
    [
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"datePublished": "2025-03-01", "dateModified": "2025-03-02T10:00:00+01:00"}</script>',
        '<meta property="og:updated_time" content="2025-03-02T10:00:00+01:00">'
        '<meta itemprop="datePublished" content="2025-03-01">',
    ],
)
def test_updated_from_json_ld_or_og_and_a_bare_date_stays_that_day(head: str) -> None:
    draft = extract_article(page(head), "https://bus.example/night")
    assert draft.published == datetime(2025, 3, 1, tzinfo=UTC)
    assert draft.updated == datetime(2025, 3, 2, 10, 0, tzinfo=timezone(timedelta(hours=1)))


def test_full_free_article_is_not_paywalled() -> None:
    head = '<meta name="description" content="Night buses every twenty minutes.">'
    assert extract_article(page(head), "https://bus.example/night").paywalled is False


@pytest.mark.parametrize(
    ("head", "body"),
    [
        (  # schema.org: the article is not free
            '<script type="application/ld+json">{"@type": "NewsArticle", '
            '"isAccessibleForFree": false}</script>',
            STORY,
        ),
        (  # schema.org: the paywalled part, by CSS selector
            '<script type="application/ld+json">{"@type": "NewsArticle", "hasPart": '
            '{"@type": "WebPageElement", "isAccessibleForFree": "False", '
            '"cssSelector": ".paywall"}}</script>',
            STORY,
        ),
        ("", "<p>Le conseil a voté le budget mardi soir.</p><p>Réservé aux abonnés.</p>"),
        ("", "<p>El pleno aprobó el presupuesto.</p><p>Contenido exclusivo para suscriptores.</p>"),
        ("", "<p>Rada przyjęła budżet we wtorek.</p><p>Artykuł tylko dla prenumeratorów.</p>"),
        ("", '<p>Der Rat beschloss den Haushalt.</p><div class="paywall">Jetzt abonnieren</div>'),
        (  # the page promises far more than it shows
            '<meta name="description" content="The transport authority will run night buses '
            "every twenty minutes from next week after a trial on two routes drew more riders "
            'than expected, and drivers asked for more depot staff.">',
            "<p>The night bus service will run every twenty minutes.</p>",
        ),
        (
            '<script type="application/ld+json">{"@type": "NewsArticle", "wordCount": 1200}'
            "</script>",
            STORY,
        ),
    ],
)
def test_teaser_and_paywall_pages_are_marked(head: str, body: str) -> None:
    draft = extract_article(page(head, body), "https://bus.example/locked")
    assert draft.paywalled is True
    assert draft.text  # what is shown is kept, flagged as not the whole article


def test_extractor_version_is_exported() -> None:
    assert isinstance(EXTRACTOR_VERSION, str) and EXTRACTOR_VERSION
