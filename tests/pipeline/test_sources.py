"""Every kind of source a user can add: a home page, a sitemap, a JSON Feed, OPML."""

from __future__ import annotations

import json

from broadsheet.pipeline import Context, add_source, export_opml, import_opml, ingest_source
from broadsheet.store import sources as source_store

from .conftest import Publisher, article_html

HOME = """<!DOCTYPE html><html><head><title>Gazette</title>{links}</head>
<body><h1>The Sample Gazette</h1><p>Sample content, not real news.</p></body></html>"""


def _kinds(ctx: Context) -> list[tuple[str, str]]:
    with ctx.engine.connect() as conn:
        return [(s.kind, s.feed_url) for s in source_store.list_sources(conn)]


def test_a_home_page_s_advertised_feed_is_registered(ctx: Context, publisher: Publisher) -> None:
    feed = publisher.feed([("/a", "A")], "/news.rss")
    link = f'<link rel="alternate" type="application/rss+xml" href="{feed}">'
    publisher.page("/", HOME.format(links=link))
    added = add_source(ctx, publisher.url + "/")
    assert _kinds(ctx) == [("feed", feed)] and len(added.ids) == 1


def test_a_home_page_without_links_is_probed_at_common_paths(
    ctx: Context, publisher: Publisher
) -> None:
    publisher.page("/", HOME.format(links=""))
    feed = publisher.feed([("/a", "A")], "/rss.xml")
    add_source(ctx, publisher.url + "/")
    assert _kinds(ctx) == [("feed", feed)]


def test_a_page_with_no_feed_anywhere_is_one_article(ctx: Context, publisher: Publisher) -> None:
    publisher.page("/story", article_html("Only this"))
    added = add_source(ctx, publisher.url + "/story")
    assert _kinds(ctx) == [("page", publisher.url + "/story")]
    assert "single article" in added.notes[0]
    assert ingest_source(ctx, added.ids[0]).new == 1


def test_a_news_sitemap_and_a_json_feed_are_sources(ctx: Context, publisher: Publisher) -> None:
    publisher.page("/s1", article_html("From the sitemap"))
    publisher.page("/j1", article_html("From the JSON feed"))
    publisher.page(
        "/sitemap.xml",
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{publisher.url}/s1</loc><lastmod>2026-11-30</lastmod></url></urlset>",
        kind="application/xml",
    )
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Gazette",
        "items": [{"id": "j1", "url": f"{publisher.url}/j1", "title": "From the JSON feed"}],
    }
    publisher.page("/feed.json", json.dumps(feed), kind="application/feed+json")
    sitemap = add_source(ctx, publisher.url + "/sitemap.xml").ids[0]
    jsonfeed = add_source(ctx, publisher.url + "/feed.json").ids[0]
    assert [k for k, _ in _kinds(ctx)] == ["sitemap", "feed"]
    assert ingest_source(ctx, sitemap).new == 1
    assert ingest_source(ctx, jsonfeed).new == 1


def test_opml_import_registers_each_feed_and_export_gives_them_back(ctx: Context) -> None:
    opml = """<?xml version="1.0"?><opml version="2.0"><head><title>Mine</title></head><body>
      <outline text="Local"><outline text="Gazette" type="rss" xmlUrl="https://gazette.example/feed"
        htmlUrl="https://gazette.example/"/></outline>
      <outline text="Bad" type="rss" xmlUrl="javascript:alert(1)"/>
      <outline text="Herald" type="rss" xmlUrl="https://herald.example/rss.xml"/>
    </body></opml>"""
    added = import_opml(ctx, opml)
    assert len(added.ids) == 2 and any("javascript" in note for note in added.notes)
    exported = export_opml(ctx)
    again = import_opml(ctx, exported)
    assert sorted(again.ids) == sorted(added.ids)  # the same sources, not new ones
    assert "https://herald.example/rss.xml" in exported
