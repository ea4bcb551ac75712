"""Article extraction on handcrafted publisher pages (nav, ads, related links, comments)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from broadsheet.extract.article import (
    MAX_HTML_CHARS,
    MAX_TEXT_CHARS,
    ExtractError,
    extract_article,
)
from broadsheet.extract.clean import cap_text
from broadsheet.models import ArticleDraft, FeedEntry, Image

PAGES = Path(__file__).parent / "pages"
HARBOUR_URL = "https://lakeside.example/news/harbour?utm_source=rss"
BODY = (
    "<p>The library on Mill Street will stay open until nine in the evening from next month, "
    "after volunteers offered to staff the reading room on weekday nights.</p>"
    "<p>The head librarian said students had asked for longer hours for years, and that the "
    "building's new lighting made the late shift affordable for the first time.</p>"
)


@pytest.fixture(scope="module")
def harbour() -> ArticleDraft:
    return extract_article((PAGES / "harbour.html").read_text(encoding="utf-8"), HARBOUR_URL)


def test_text_is_the_story_only(harbour: ArticleDraft) -> None:
    paragraphs = harbour.text.split("\n\n")
    assert paragraphs[0].startswith("The town council voted seven to six")
    assert paragraphs[-1].endswith("finished within two years.")
    assert len(paragraphs) == 5


@pytest.mark.parametrize(
    "boilerplate",
    [
        "disgraceful",
        "SailorSam",
        "Comments (3)",
        "kayaks",
        "Related stories",
        "Ferry timetable",
        "Privacy policy",
        "All rights reserved",
        "Opinion",
        "Sponsored by",
    ],
)
def test_comments_and_boilerplate_are_left_out(harbour: ArticleDraft, boilerplate: str) -> None:
    assert boilerplate not in harbour.text


def test_metadata(harbour: ArticleDraft) -> None:
    assert harbour.title == "Council approves the new harbour"
    assert harbour.byline == "Ana Ruiz"
    assert harbour.published == datetime(2025, 6, 10, 7, 30, tzinfo=UTC)
    assert harbour.language == "en"
    assert harbour.site_name == "Lakeside Gazette"
    assert harbour.description == "A narrow vote ends a decade of argument over the waterfront."
    assert harbour.canonical_url == "https://lakeside.example/news/2025/06/10/harbour?id=77"
    assert harbour.url == HARBOUR_URL
    assert "Local Politics" in harbour.categories


def test_figures_with_captions(harbour: ArticleDraft) -> None:
    assert harbour.images == [
        Image(
            "https://lakeside.example/media/harbour-aerial.jpg",
            "The old harbour wall, seen from the water tower, will be rebuilt by 2027. "
            "Photo: Lakeside Gazette",
        ),
        Image(
            "https://cdn.lakeside.example/media/mayor-vote.jpg",
            "Mayor Elin Dahl casts the deciding vote.",
        ),
    ]


def test_feed_entry_fills_what_the_page_lacks() -> None:
    html = f"<html><body><article><h1>Library hours</h1>{BODY}</article></body></html>"
    entry = FeedEntry(
        url="https://town.example/library",
        title="Library stays open late",
        author="By Jo Berg",
        published=datetime(2025, 5, 2, 16, 45, tzinfo=UTC),
        summary="Longer hours from June.",
        categories=["Local", "Education"],
    )
    draft = extract_article(html, entry.url, entry)
    assert draft.byline == "Jo Berg"
    assert draft.published == entry.published
    assert draft.description == "Longer hours from June."
    assert draft.categories == ["Local", "Education"]
    assert draft.canonical_url == entry.url


def test_categories_are_merged_without_repeats() -> None:
    html = (
        '<html><head><meta property="article:section" content="Local"></head>'
        f"<body><article>{BODY}</article></body></html>"
    )
    entry = FeedEntry(url="https://town.example/x", categories=["local", "Libraries"])
    assert extract_article(html, entry.url, entry).categories == ["Local", "Libraries"]


def test_spanish_page_with_og_image_as_lead() -> None:
    html = (PAGES / "mercado.html").read_text(encoding="utf-8")
    draft = extract_article(html, "https://diario.example/local/mercado?utm_medium=social")
    assert draft.language == "es"
    assert draft.text.startswith("El mercado de los sábados")
    assert "Portada" not in draft.text and "derechos reservados" not in draft.text
    assert draft.canonical_url == "https://diario.example/local/mercado"
    assert draft.images == [
        Image(
            "https://diario.example/fotos/mercado-plaza.jpg", "Puestos de fruta en la plaza mayor"
        )
    ]


def test_page_without_article_text_is_refused() -> None:
    html = "<html><body><nav></nav></body></html>"
    with pytest.raises(ExtractError, match=r"no article text found"):
        extract_article(html, "https://empty.example/story")


def test_short_subscribe_page_is_kept_and_marked_paywalled() -> None:
    html = "<html><body><nav><a href='/'>Home</a></nav><p>Subscribe to read.</p></body></html>"
    draft = extract_article(html, "https://paywall.example/story")
    assert draft.paywalled is True


def test_huge_page_is_cut_before_parsing_and_text_at_a_paragraph() -> None:
    sentence = "The ferry kept to its timetable all winter long. " * 20
    paragraphs = "".join(f"<p>Day {day}. {sentence}</p>" for day in range(6000))
    html = f"<html><body><article>{BODY}{paragraphs}</article></body></html>"
    assert len(html) > MAX_HTML_CHARS
    text = extract_article(html, "https://big.example/s").text
    assert text.startswith("The library on Mill Street")
    assert len(text) <= MAX_TEXT_CHARS
    assert text.endswith("all winter long.")


def test_text_cap_keeps_whole_paragraphs() -> None:
    assert cap_text(["aaaa", "bbbb", "cccc"], 11) == ["aaaa", "bbbb"]
    assert cap_text(["one two three four"], 9) == ["one two"]


def test_parser_failure_is_an_extract_error() -> None:
    with pytest.raises(ExtractError, match="could not be parsed"):
        extract_article(None, "https://none.example/s")  # type: ignore[arg-type]
