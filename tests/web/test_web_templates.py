"""The pages rendered from view dicts: every part of the article anatomy, in its marked place."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import lxml.html
import pytest
from jinja2 import Environment

from broadsheet.web.imageproxy import ImageProxy
from broadsheet.web.templating import create_environment

NOW = datetime(2026, 11, 27, 15, 5, tzinfo=UTC)


@pytest.fixture
def env(proxy: ImageProxy) -> Environment:
    return create_environment(proxy, now=lambda: NOW, strict=True)


def render(env: Environment, template: str, **context: Any) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(env.get_template(template).render(**context))


def part(page: lxml.html.HtmlElement, name: str) -> lxml.html.HtmlElement:
    found = page.xpath(f'//*[@data-section="{name}"]')
    assert len(found) == 1, f"expected one data-section={name!r}, found {len(found)}"
    return found[0]


def text(element: lxml.html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def hrefs(element: lxml.html.HtmlElement) -> list[str]:
    return [a.get("href") for a in element.iter("a")]


@pytest.fixture
def article_page(env: Environment, article_data: dict[str, Any]) -> lxml.html.HtmlElement:
    return render(env, "article.html", article=article_data, json_url="/a/7.json")


def test_article_page_has_every_anatomy_marker(
    article_page: lxml.html.HtmlElement, anatomy: tuple[str, ...]
) -> None:
    for name in anatomy:
        part(article_page, name)


def test_topbar_has_audiences_sections_and_search(article_page: lxml.html.HtmlElement) -> None:
    bar = part(article_page, "topbar")
    for word in ("Contributors", "Publishers", "Advertisers", "Sports", "Entertainment"):
        assert word in text(bar)
    assert "/c/topic:sports" in hrefs(bar)
    assert "/" in hrefs(bar)
    (form,) = bar.xpath(".//form")
    assert form.get("action") == "/search" and form.get("method") == "get"


def test_article_part(article_page: lxml.html.HtmlElement, proxy: ImageProxy) -> None:
    article = part(article_page, "article")
    (h1,) = article.xpath(".//h1")
    assert h1.text_content() == "City Council <b>approves</b> lakefront budget"  # escaped
    assert "By Maria Okafor" in text(article)
    assert "/p/1" in hrefs(article)
    (time,) = article.xpath(".//p[@class='byline']//time")
    assert time.get("datetime") == "2026-11-24T15:05:00+00:00"
    assert time.get("title") == "Nov 24, 2026, 3:05 PM UTC"
    assert time.text == "3 days ago"
    assert "The council voted 30 to 20 on Tuesday." in text(article)
    assert "With Meridian Wire wires" in text(article)
    (figure,) = article.xpath(".//figure")
    (img,) = figure.xpath(".//img")
    assert img.get("src") == proxy.proxy_url("http://127.0.0.1:9/lead.png")
    assert figure.xpath(".//figcaption")[0].text_content() == "The council chamber"
    assert "Also published by 1 outlet: The Puget Sound Post." in text(article)
    assert "/a/11" in hrefs(article)


def test_no_image_is_hot_linked(article_page: lxml.html.HtmlElement, proxy: ImageProxy) -> None:
    sources = [img.get("src") for img in article_page.iter("img")]
    assert len(sources) >= 3  # lead image, a related thumbnail, the publisher logo
    for src in sources:
        query = parse_qs(urlsplit(src).query)
        assert src.startswith("/img?")
        assert proxy.verify(query["u"][0], query["s"][0])


def test_comments_part(article_page: lxml.html.HtmlElement) -> None:
    comments = part(article_page, "comments")
    assert "Comments / 2" in text(comments)
    assert "Good news." in text(comments)
    assert not comments.xpath(".//script")  # stored HTML is cleaned again on the way out
    assert "/community-policy" in hrefs(comments)


def test_related_part(article_page: lxml.html.HtmlElement) -> None:
    related = part(article_page, "related")
    items = related.xpath(".//li")
    assert len(items) == 2
    first = items[0]
    assert "The Hill Country Courier" in text(first)
    assert "/a/8" in hrefs(first)
    assert "FOREIGN POLICY" in text(first)
    assert first.xpath(".//*[contains(@class, 'clamp-2')]")
    assert first.xpath(".//*[@title='Shares Dana Reyes']")


def test_channel_chips(article_page: lxml.html.HtmlElement) -> None:
    local = part(article_page, "local-channels")
    assert "City: Chicago, IL" in text(local)
    assert "State: Illinois" in text(local)
    assert hrefs(local) == ["/c/place:4887398", "/c/place:4896861"]
    people = part(article_page, "related-people")
    (chip,) = people.xpath(".//a[@class='chip']")
    assert chip.text_content() == "Person: Dana Reyes"
    assert hrefs(people) == ["/c/person:dana-reyes"]
    # Each chip follows its channel from where it stands.
    targets = people.xpath(".//form[@class='follow-mini']//input[@name='target']/@value")
    assert targets == ["channel:person:dana-reyes"]
    also = part(article_page, "you-may-also-like")
    assert "Topic: Politics" in text(also)


def test_hashtags_link_to_entity_channels(article_page: lxml.html.HtmlElement) -> None:
    tags = part(article_page, "in-this-article")
    links = {a.text_content(): a.get("href") for a in tags.iter("a")}
    assert links == {
        "#Dana Reyes": "/c/person:dana-reyes",
        "#City Council": "/c/org:city-council",
        "#Budgets": "/search?q=Budgets",
    }


def test_publisher_card(article_page: lxml.html.HtmlElement) -> None:
    card = part(article_page, "publisher-card")
    assert "The Lakeshore Ledger" in text(card) and "Chicago, IL" in text(card)
    stats = {dt.text_content(): dt.getnext().text_content() for dt in card.iter("dt")}
    assert stats == {"Followers": "12K+", "Posts": "987", "Views": "2M+"}
    assert "https://ledger.example/" in hrefs(card)
    (form,) = card.xpath(".//form[@class='follow-form']")  # a plain form: no script needed
    assert form.get("action") == "/follow" and form.get("method") == "post"
    assert form.xpath(".//input[@name='target']/@value")[0].startswith("source:")
    assert form.xpath(".//button")[0].text == "Follow"


def test_empty_article_keeps_its_markers(
    env: Environment, article_data: dict[str, Any], anatomy: tuple[str, ...]
) -> None:
    for key in ("images", "related", "local_channels", "related_people", "hashtags"):
        article_data[key] = []
    article_data.update(you_may_also_like=[], copies=[], comments=[], comments_count=0)
    article_data.update(wire_source=None, story=None, byline="")
    page = render(env, "article.html", article=article_data, json_url="/a/7.json")
    for name in anatomy:
        part(page, name)
    assert "wires" not in text(part(page, "article"))
    assert "Comments / 0" in text(part(page, "comments"))


def test_javascript_links_never_reach_the_page(
    env: Environment, article_data: dict[str, Any]
) -> None:
    article_data["publisher"]["site"] = "javascript:alert(1)"
    article_data["url"] = "javascript:alert(2)"
    page = render(env, "article.html", article=article_data, json_url="/a/7.json")
    assert not [h for h in hrefs(page) if "javascript" in h]


def test_home_page_groups_cards_by_section(env: Environment, home_data: dict[str, Any]) -> None:
    page = render(env, "home.html", home=home_data, json_url="/index.json")
    part(page, "topbar")
    titles = [h.text_content() for h in page.xpath("//h2")]
    assert titles == ["Latest", "World", "Sports"]
    cards = page.xpath("//article[@class='card']")
    assert len(cards) == 4
    assert "FOREIGN POLICY" in text(cards[0]) and "3 days ago" in text(cards[0])
    assert cards[0].xpath(".//img")[0].get("src").startswith("/img?")
    # Every article link has words in it, so the first one a reader (or a browser test) meets
    # is a headline, not a bare thumbnail.
    links = page.xpath("//a[starts-with(@href, '/a/')]")
    assert links and all(link.text_content().strip() for link in links)


def test_channel_page(env: Environment, channel_data: dict[str, Any]) -> None:
    page = render(env, "channel.html", channel=channel_data, json_url="/c/x.json")
    assert page.xpath("//h1")[0].text_content() == "Dana Reyes"
    assert "1K+ followers" in text(page)
    assert "/c/person:dana-reyes/feed.xml" in hrefs(page)
    assert "/c/org:city-council" in hrefs(page)
    target = page.xpath("//form[@class='follow-form']//input[@name='target']/@value")
    assert target == ["channel:person:dana-reyes"]


def test_publisher_search_and_static_pages(
    env: Environment, article_data: dict[str, Any], home_data: dict[str, Any]
) -> None:
    data = {"publisher": article_data["publisher"], "articles": home_data["latest"]}
    page = render(env, "publisher.html", publisher=data, json_url="/p/1.json")
    part(page, "publisher-card")
    assert len(page.xpath("//article[@class='card']")) == 2
    found = [
        {**a, "highlight": [{"text": "the ", "match": False}, {"text": "storm", "match": True}]}
        for a in home_data["latest"][1:]
    ]
    search = {
        "query": "storm",
        "sort": "relevance",
        "page": 1,
        "filters": {"section": None, "publisher": None, "channel": None, "from": None, "to": None},
        "publishers": [{"id": 1, "name": "The Ledger"}],
        "sections": [{"key": "world", "name": "World"}],
        "articles": found,
        "more": False,
        "next": None,
        "suggestions": [{"key": "person:dana-reyes", "name": "Dana Reyes", "kind": "person"}],
    }
    page = render(env, "search.html", search=search, search_query="storm")
    assert "1 result for “storm”" in text(page)
    assert [m.text for m in page.xpath('//*[@data-section="search-results"]//mark')] == ["storm"]
    policy = text(render(env, "policy.html"))
    for word in ("civil", "harassment", "spam", "doxxing", "moderat"):
        assert word in policy.lower()
    about = render(env, "about.html")
    assert {"contributors", "publishers", "advertisers"} <= set(about.xpath("//h2/@id"))
