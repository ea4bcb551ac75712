"""The demo server's pages carry ordinary publisher markup around each article."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from html.parser import HTMLParser

from markupsafe import escape

from broadsheet.demo import DemoServer

Fetch = Callable[[str], tuple[int, str, bytes]]


class _Meta(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.links: dict[str, str] = {}
        self.json_ld: list[str] = []
        self._in_ld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "meta" and "content" in values:
            self.meta[values.get("property") or values.get("name", "")] = values["content"]
        if tag == "link" and "rel" in values:
            self.links[values["rel"]] = values.get("href", "")
        self._in_ld = tag == "script" and values.get("type") == "application/ld+json"

    def handle_data(self, data: str) -> None:
        if self._in_ld:
            self.json_ld.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._in_ld = False


def test_article_page_has_head_metadata(demo_server: DemoServer, fetch: Fetch) -> None:
    article = demo_server.catalog.article("lakeshore-ledger", "chicago-river-flood-barriers")
    assert article is not None
    url = f"{demo_server.base_url}/lakeshore-ledger/{article.slug}.html"
    status, content_type, body = fetch(url)
    assert status == 200 and content_type.startswith("text/html")
    page = _Meta()
    page.feed(body.decode("utf-8"))
    assert page.links["canonical"] == url
    assert page.meta["og:title"] == article.title
    assert page.meta["og:type"] == "article"
    assert page.meta["og:url"] == url
    assert page.meta["og:image"].endswith(f"/images/{article.slug}.png")
    assert page.meta["og:site_name"] == "The Lakeshore Ledger"
    assert page.meta["article:published_time"] == "2025-05-01T07:00:00+00:00"
    assert page.meta["article:section"] == "local"
    assert page.meta["author"] == article.author
    ld = json.loads(page.json_ld[0])
    assert ld["@type"] == "NewsArticle"
    assert ld["headline"] == article.title
    assert ld["author"]["name"] == article.author
    assert ld["datePublished"] == "2025-05-01T07:00:00+00:00"


def test_article_page_has_body_chrome_and_comments(demo_server: DemoServer, fetch: Fetch) -> None:
    article = demo_server.catalog.article("puget-sound-post", "northbeam-software-layoffs")
    assert article is not None
    html = fetch(f"{demo_server.base_url}/puget-sound-post/{article.slug}.html")[2].decode()
    assert "Sample publisher for the Broadsheet demo — not real news" in html
    assert re.search(r"<article>.*<h1>Northbeam Software cuts 1,200 jobs", html, re.S)
    assert f'By <span class="author" rel="author">{article.author}</span>' in html
    assert '<time datetime="2025-04-27T18:00:00+00:00">' in html
    assert re.search(r"<figure>\s*<img src=\"[^\"]+/images/northbeam-software-layoffs.png\"", html)
    assert f"<figcaption>{escape(article.image_caption)}</figcaption>" in html
    for paragraph in article.paragraphs:
        assert f"<p>{escape(paragraph)}</p>" in html
    assert '<div class="ad-slot">Advertisement</div>' in html
    assert '<nav class="site-nav"' in html and "/puget-sound-post/logo.png" in html
    comments = html.split('<section class="comments" id="comments">', 1)[1].split("</section>")[0]
    assert 2 <= comments.count('class="comment"') <= 3
    assert '<section class="related">' in html and '<section class="newsletter">' in html
    assert html.count(".html") >= 3


def test_text_is_escaped(demo_server: DemoServer, fetch: Fetch) -> None:
    html = fetch(f"{demo_server.base_url}/seine-dispatch/paris-seine-quays-car-ban.html")[2]
    assert b"<p>Deputy mayor Val\xc3\xa9rie Kessler" in html
    assert b"&#34;The river is our finest avenue" in html


def test_home_section_and_robots(demo_server: DemoServer, fetch: Fetch) -> None:
    status, _, home = fetch(demo_server.base_url + "/")
    assert status == 200
    for publisher in demo_server.publishers():
        assert demo_server.home_url(publisher.id).encode() in home
    status, _, front = fetch(demo_server.home_url("thames-gazette"))
    assert status == 200 and b"london-shipping-lanes-pact.html" in front
    status, _, section = fetch(demo_server.base_url + "/thames-gazette/section/technology/")
    assert status == 200
    assert b"lumiere-robotique-london-office.html" in section
    assert b"london-shipping-lanes-pact.html" not in section
    status, content_type, robots = fetch(demo_server.base_url + "/robots.txt")
    assert status == 200 and content_type.startswith("text/plain")
    assert b"Allow: /" in robots and b"Disallow" not in robots


def test_unknown_paths_are_404(demo_server: DemoServer, fetch: Fetch) -> None:
    for path in (
        "/nope/",
        "/lakeshore-ledger/no-such-story.html",
        "/lakeshore-ledger/northbeam-software-layoffs.html",  # another publisher's story
        "/lakeshore-ledger/images/nope.png",
        "/thames-gazette/section/gardening/",
        "/lakeshore-ledger/feed.json",
        "/../etc/passwd",
    ):
        assert fetch(demo_server.base_url + path)[0] == 404, path
