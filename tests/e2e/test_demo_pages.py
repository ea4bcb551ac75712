"""The demo corpus through the real pipeline, checked on the rendered pages and their twins."""

from __future__ import annotations

from typing import Any

import lxml.html
from sqlalchemy import func, select
from starlette.testclient import TestClient

from broadsheet.store import articles as article_store
from broadsheet.store.schema import articles, sources

# The `ingested` fixture (tests/e2e/conftest.py): engine, backend, reports, site.
IngestedDemo = Any

WIRE_GROUP = (
    ("kanto-herald", "us-japan-align-chip-export-rules"),
    ("maple-standard", "washington-tokyo-chip-controls"),
    ("hill-country-courier", "chip-export-accord-texas-makers"),
)
STAFF_CHIP_STORY = ("national-tribune", "us-japan-chip-controls-accord")
CHICAGO_FLOOD = ("lakeshore-ledger", "chicago-river-flood-barriers")


def article_id(demo: IngestedDemo, publisher: str, slug: str) -> int:
    url = f"{demo.site.base_url}/{publisher}/{slug}.html"
    with demo.engine.connect() as conn:
        found = article_store.article_id_for_url(conn, url)
    assert found is not None, f"{url} was not ingested"
    return found


def page(client: TestClient, path: str) -> lxml.html.HtmlElement:
    response = client.get(path)
    assert response.status_code == 200, path
    return lxml.html.fromstring(response.text)


def part(tree: lxml.html.HtmlElement, name: str) -> lxml.html.HtmlElement:
    (found,) = tree.xpath(f"//*[@data-section='{name}']")
    return found


def twin(client: TestClient, path: str) -> dict[str, Any]:
    response = client.get(path + ".json")
    assert response.status_code == 200 and response.headers["content-type"].startswith(
        "application/json"
    )
    return response.json()


def test_every_sample_article_is_ingested_once_without_errors(ingested: IngestedDemo) -> None:
    catalog_size = len(ingested.site.catalog.articles)
    assert sum(r.new for r in ingested.reports) == catalog_size
    assert [e for r in ingested.reports for e in r.errors] == []
    # Counted from the publishers' feeds: the browser tests' contributors post articles too.
    from_feeds = (
        select(func.count())
        .select_from(articles.join(sources, articles.c.source_id == sources.c.id))
        .where(sources.c.kind != "contributor")
    )
    with ingested.engine.connect() as conn:
        assert conn.execute(from_feeds).scalar() == catalog_size


def test_wire_article_page_shows_every_part_of_the_anatomy(
    ingested: IngestedDemo, client: TestClient, anatomy: tuple[str, ...]
) -> None:
    first = article_id(ingested, *WIRE_GROUP[0])
    tree = page(client, f"/a/{first}")
    for name in anatomy:
        assert len(tree.xpath(f"//*[@data-section='{name}']")) == 1, name
    article = part(tree, "article")
    assert (
        article.xpath(".//h1")[0].text_content().strip()
        == "Japan and U.S. align export rules on chipmaking tools"
    )
    assert "By Meridian Wire staff" in article.text_content()
    assert "Meridian Wire" in article.text_content()
    time = article.xpath(".//time")[0]
    assert time.get("datetime") and time.get("title") and "ago" in time.text_content()
    images = article.xpath(".//img")
    assert images and all(img.get("src").startswith("/img?") for img in images)
    assert article.xpath(".//figcaption")
    comments = part(tree, "comments")
    assert "Comments" in comments.text_content()
    assert comments.xpath(".//a[@href='/community-policy']")
    people = part(tree, "related-people").text_content()
    assert "Person:" in people
    local = part(tree, "local-channels").text_content()
    assert "State: Washington" not in local and "Washington, WA" not in local
    card = part(tree, "publisher-card").text_content()
    assert "Kanto Herald" in card and "Followers" in card and "Posts" in card and "Views" in card


def test_wire_copies_fold_into_one_story_with_a_credit(
    ingested: IngestedDemo, client: TestClient
) -> None:
    ids = [article_id(ingested, *pair) for pair in WIRE_GROUP]
    twins = [twin(client, f"/a/{i}") for i in ids]
    original = min(ids)
    for data in twins:
        assert data["wire_source"] == "Meridian Wire"
        group = {data["id"], *(c["id"] for c in data["copies"])}
        assert group == set(ids)
        assert data["copy_of"] == (None if data["id"] == original else original)
    assert len({data["story"]["id"] for data in twins}) == 1
    assert twins[0]["story"]["size"] >= 3


def test_related_articles_share_the_subject_and_come_from_several_publishers(
    ingested: IngestedDemo, client: TestClient
) -> None:
    data = twin(client, f"/a/{article_id(ingested, *WIRE_GROUP[0])}")
    related = data["related"]
    assert 5 <= len(related) <= 15
    assert article_id(ingested, *STAFF_CHIP_STORY) in {r["id"] for r in related[:5]}
    assert len({r["publisher"]["id"] for r in related}) >= 3
    copies = {c["id"] for c in data["copies"]}
    assert not copies & {r["id"] for r in related}, "wire copies are folded, not related"
    for item in related:
        assert item["label"] == item["label"].upper() and item["reason"] and item["title"]
    places = {p["name"] for p in data["places"]}
    assert "Tokyo" in places or "Japan" in places
    assert "Washington" not in {c["name"] for c in data["local_channels"]}
    assert data["section"] in ("world", "politics")
    assert {
        "id",
        "url",
        "canonical_url",
        "title",
        "byline",
        "published",
        "publisher",
        "section",
        "labels",
        "hashtags",
        "entities",
        "places",
        "local_channels",
        "related",
        "you_may_also_like",
        "copy_of",
        "copies",
        "wire_source",
        "story",
        "comments_count",
    } <= set(data)


def test_local_story_gets_typed_local_channels_people_and_section(
    ingested: IngestedDemo, client: TestClient
) -> None:
    flood = article_id(ingested, *CHICAGO_FLOOD)
    data = twin(client, f"/a/{flood}")
    assert data["section"] == "local"
    assert [(c["name"], c["kind"]) for c in data["local_channels"][:2]] == [
        ("Chicago, IL", "city"),
        ("Illinois", "state"),
    ]
    tree = page(client, f"/a/{flood}")
    assert "City: Chicago, IL" in part(tree, "local-channels").text_content()
    people = [e["name"] for e in data["entities"] if e["kind"] == "person"]
    assert people, "the flood story names people"
    assert len(data["hashtags"]) == len({h.lower() for h in data["hashtags"]})
    chicago = next(c for c in data["local_channels"] if c["name"] == "Chicago, IL")
    channel = twin(client, f"/c/{chicago['key']}")
    assert flood in {a["id"] for a in channel["articles"]}
    assert channel["channel"]["kind"] == "city"


def test_home_publisher_search_and_image_proxy(ingested: IngestedDemo, client: TestClient) -> None:
    home = twin(client, "/index")
    assert {s["section"] for s in home["sections"]} >= {
        "world",
        "politics",
        "business",
        "local",
        "sports",
    }
    flood = twin(client, f"/a/{article_id(ingested, *CHICAGO_FLOOD)}")
    publisher = twin(client, f"/p/{flood['publisher']['id']}")
    assert publisher["publisher"]["posts"] == len(publisher["articles"]) > 0
    assert publisher["publisher"]["home"] == "Chicago, IL"
    found = client.get("/search.json", params={"q": "flood gates Chicago River"}).json()
    assert flood["id"] in [a["id"] for a in found["articles"][:3]]
    image = flood["images"][0]
    response = client.get(image["proxy_url"])
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
