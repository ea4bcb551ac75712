"""A changed article is updated, its earlier text kept and shown, never silently replaced."""

from __future__ import annotations

from starlette.testclient import TestClient

from broadsheet.pipeline import Context, add_source, ingest_source
from broadsheet.web.app import create_app

from .conftest import Publisher, article_html


def atom(base: str, updated: str) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Gazette</title><id>urn:g</id><updated>{updated}</updated>"
        f'<entry><title>Pier vote</title><link href="{base}/pier"/><id>urn:g:pier</id>'
        f"<published>2026-11-30T08:00:00+00:00</published><updated>{updated}</updated>"
        "</entry></feed>"
    )


def test_a_changed_article_keeps_its_earlier_version(ctx: Context, publisher: Publisher) -> None:
    publisher.page("/pier", article_html("Pier vote"))
    publisher.page(
        "/feed", atom(publisher.url, "2026-11-30T08:00:00+00:00"), kind="application/atom+xml"
    )
    source_id = add_source(ctx, publisher.url + "/feed").ids[0]
    article_id = ingest_source(ctx, source_id).outcomes[0].article_id
    assert article_id is not None
    # Same feed again: nothing is refetched.
    ctx.clock.advance(hours=1)  # type: ignore[attr-defined]
    assert ingest_source(ctx, source_id).outcomes == []
    # The publisher corrects the article and says so in the feed.
    corrected = "<p>Correction: the vote is on Thursday, not Tuesday, the board said.</p>"
    publisher.page("/pier", article_html("Pier vote moved to Thursday", corrected * 3))
    publisher.page(
        "/feed", atom(publisher.url, "2026-11-30T11:00:00+00:00"), kind="application/atom+xml"
    )
    ctx.clock.advance(hours=1)  # type: ignore[attr-defined]
    report = ingest_source(ctx, source_id)
    assert report.polls[0].updated == 1
    assert [(o.status, o.article_id) for o in report.outcomes] == [("revised", article_id)]
    assert publisher.hits["/pier"] == 2
    with TestClient(create_app(ctx.engine, ctx.settings)) as client:
        twin = client.get(f"/a/{article_id}.json").json()
        page = client.get(f"/a/{article_id}").text
        versions = client.get(f"/a/{article_id}/revisions.json").json()
        versions_page = client.get(f"/a/{article_id}/revisions").text
    assert twin["title"] == "Pier vote moved to Thursday"
    assert twin["updated"] is not None and twin["revisions_count"] == 1
    assert "Updated" in page and f"/a/{article_id}/revisions" in page
    assert [r["title"] for r in versions["revisions"]] == ["Pier vote"]
    assert "second ferry pier" in " ".join(versions["revisions"][0]["paragraphs"])
    assert 'data-section="revisions"' in versions_page and "Pier vote" in versions_page
