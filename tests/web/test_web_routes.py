"""The routes over a real database: pages and their JSON twins from the same views, 404s, RSS."""

from __future__ import annotations

import io
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import lxml.html
import numpy as np
import pytest
from PIL import Image as PillowImage
from sqlalchemy import Engine
from starlette.testclient import TestClient

from broadsheet.config import Settings, load_settings
from broadsheet.models import (
    Article,
    ArticleDraft,
    Enrichment,
    Entity,
    Image,
    LocalChannel,
    Mention,
    Source,
)
from broadsheet.store import articles as article_store
from broadsheet.store import sources as source_store
from broadsheet.web.app import create_app
from broadsheet.web.views import is_valid_key

NOW = datetime.now(UTC).replace(microsecond=0)


def make_png() -> bytes:
    buffer = io.BytesIO()
    PillowImage.new("RGB", (8, 6), (20, 90, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


class PngHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if not self.path.endswith(".png"):
            self.send_error(404)
            return
        body = make_png()
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def image_host() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), PngHandler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def make_article(source_id: int, url: str, title: str, image_url: str, hours: int) -> Article:
    text = "Dana Whitfield said on Monday that the Chicago bridge reopens.\nTraffic resumes."
    vector = np.zeros(384, dtype=np.float32)
    vector[hours] = 1.0
    draft = ArticleDraft(
        url=url,
        canonical_url=url,
        title=title,
        byline="Ana Ruiz",
        published=NOW - timedelta(hours=hours),
        language="en",
        text=text,
        images=[Image(url=image_url, caption="The bridge at dawn")],
    )
    person = Entity("Dana Whitfield", "person", "person:dana-whitfield", 0.9, [Mention(0, 14, "x")])
    enrichment = Enrichment(
        entities=[person],
        places=[],
        local_channels=[LocalChannel("Chicago, IL", "city", 4887398, "place:4887398")],
        section="local",
        labels=["LOCAL"],
        hashtags=["Dana Whitfield", "Bridges"],
        wire_source="Meridian Wire",
        embedding=[float(x) for x in vector],
    )
    return Article(draft=draft, enrichment=enrichment, source_id=source_id, fetched_at=NOW)


@pytest.fixture
def seeded(engine: Engine, image_host: str) -> dict[str, Any]:
    with engine.begin() as conn:
        source = Source(
            name="The Ledger",
            feed_url=f"{image_host}/feed.xml",
            home_url="https://ledger.example/",
            home_city="Chicago, IL",
            about="A sample publisher.",
            logo_url=f"{image_host}/logo.png",
        )
        source_id = source_store.upsert_source(conn, source)
        first = article_store.save_article(
            conn,
            make_article(
                source_id, f"{image_host}/a.html", "Bridge reopens", f"{image_host}/a.png", 1
            ),
        )
        second = article_store.save_article(
            conn,
            make_article(
                source_id, f"{image_host}/b.html", "Traffic resumes", f"{image_host}/b.png", 2
            ),
        )
    return {"source_id": source_id, "first": first, "second": second, "host": image_host}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(
        environ={}, data_dir=tmp_path, secret_key="route-test-secret", allow_hosts=("127.0.0.1",)
    )


@pytest.fixture
def client(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(engine, settings)) as made:
        yield made


def page(response: Any) -> lxml.html.HtmlElement:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    return lxml.html.fromstring(response.text)


def test_article_page_and_its_json_twin(
    client: TestClient, seeded: dict[str, Any], anatomy: tuple[str, ...]
) -> None:
    html = page(client.get(f"/a/{seeded['first']}"))
    twin = client.get(f"/a/{seeded['first']}.json").json()
    assert html.xpath("//h1")[0].text_content() == twin["title"] == "Bridge reopens"
    for name in anatomy:
        assert html.xpath(f'//*[@data-section="{name}"]'), name
    assert twin["publisher"]["name"] == "The Ledger"
    assert twin["images"][0]["proxy_url"] in [img.get("src") for img in html.iter("img")]
    assert twin["publisher"]["logo_proxy_url"].startswith("/img?")
    assert "With Meridian Wire wires" in html.text_content()
    assert html.xpath(f'//link[@rel="alternate" and @href="/a/{seeded["first"]}.json"]')


def test_proxied_article_image_is_served(client: TestClient, seeded: dict[str, Any]) -> None:
    twin = client.get(f"/a/{seeded['first']}.json").json()
    response = client.get(twin["images"][0]["proxy_url"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    query = parse_qs(urlsplit(twin["images"][0]["proxy_url"]).query)
    tampered = client.get("/img", params={"u": seeded["host"] + "/other.png", "s": query["s"][0]})
    assert tampered.status_code == 403


def test_home_publisher_channel_and_search(client: TestClient, seeded: dict[str, Any]) -> None:
    home = client.get("/index.json").json()
    assert {a["title"] for a in home["latest"]} == {"Bridge reopens", "Traffic resumes"}
    front = page(client.get("/"))
    assert "Bridge reopens" in front.text_content()
    # Each card follows its publisher from the front page, with the reader's own form token.
    target = f"source:{seeded['source_id']}"
    (form, *_) = front.xpath(f'//article[@class="card"]//form[input[@value="{target}"]]')
    fields = {i.get("name"): i.get("value") for i in form.xpath(".//input")}
    assert client.post("/follow", data=fields, follow_redirects=False).status_code == 303
    followed = page(client.get("/"))
    assert followed.xpath(f'//form[input[@value="{target}"]]/button[@aria-pressed="true"]')
    publisher = client.get(f"/p/{seeded['source_id']}.json").json()
    assert publisher["publisher"]["home"] == "Chicago, IL"
    assert "Chicago, IL" in page(client.get(f"/p/{seeded['source_id']}")).text_content()
    channel = client.get("/c/person:dana-whitfield.json").json()
    assert channel["channel"]["name"] == "Dana Whitfield"
    assert len(channel["articles"]) == 2
    html = page(client.get("/c/person:dana-whitfield"))
    assert html.xpath("//h1")[0].text_content() == "Dana Whitfield"
    found = client.get("/search.json", params={"q": "bridge"}).json()
    assert found["query"] == "bridge" and found["articles"]
    assert "Bridge reopens" in page(client.get("/search", params={"q": "bridge"})).text_content()


def test_search_page_filters_sorts_and_refuses_nonsense(
    client: TestClient, seeded: dict[str, Any]
) -> None:
    found = client.get("/search.json", params={"q": "bridge", "sort": "date"}).json()
    newest_first = [seeded["first"], seeded["second"]]  # published 1 and 2 hours ago
    assert found["sort"] == "date" and [a["id"] for a in found["articles"]] == newest_first
    assert any(part["match"] for part in found["articles"][0]["highlight"])
    elsewhere = {"q": "bridge", "publisher": str(seeded["source_id"] + 1)}
    assert client.get("/search.json", params=elsewhere).json()["articles"] == []
    html = page(client.get("/search", params={"q": "bridge", "from": "2000-01-01"}))
    assert html.xpath('//*[@data-section="search-results"]//mark')
    # Channels named like the words are offered (a plain form: no script).
    named = client.get("/search.json", params={"q": "dana"}).json()["suggestions"]
    assert [c["key"] for c in named] == ["person:dana-whitfield"]
    chips = page(client.get("/search", params={"q": "Dana W"}))
    assert "/c/person:dana-whitfield" in chips.xpath(
        '//*[@data-section="search-suggestions"]//a/@href'
    )
    for bad in ({"from": "yesterday"}, {"section": "nope"}, {"channel": "x"}, {"publisher": "a"}):
        assert client.get("/search.json", params={"q": "bridge", **bad}).status_code == 400
    # As the reader types, the search box's script asks for the same (suggest.js).
    typing = client.get("/suggest.json", params={"q": "Dana W"}).json()
    assert typing["suggestions"] == [
        {
            "key": "person:dana-whitfield",
            "name": "Dana Whitfield",
            "kind": "person",
            "href": "/c/person:dana-whitfield",
        }
    ]
    for blank in ("", "   ", "\x00", "zzzz", "x" * 5000):
        assert client.get("/suggest.json", params={"q": blank}).json()["suggestions"] == []
    assert page(client.get("/")).xpath('//input[@id="site-search"][@list="search-suggestions"]')


@pytest.mark.parametrize("base", ["/c/person:dana-whitfield", "/p/{source_id}"])
def test_channel_and_publisher_feeds_in_three_formats(
    client: TestClient, seeded: dict[str, Any], base: str
) -> None:
    base = base.format(source_id=seeded["source_id"])
    expected = ["Bridge reopens", "Traffic resumes"]
    rss = client.get(f"{base}/feed.xml")
    assert rss.headers["content-type"].startswith("application/rss+xml")
    items = list(ET.fromstring(rss.content).iter("item"))
    assert sorted(item.findtext("title") or "" for item in items) == expected
    assert all(item.findtext("pubDate") and item.findtext("guid") for item in items)
    atom = client.get(f"{base}/atom.xml")
    assert atom.headers["content-type"].startswith("application/atom+xml")
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = ET.fromstring(atom.content).findall("a:entry", ns)
    assert sorted(e.findtext("a:title", namespaces=ns) or "" for e in entries) == expected
    assert all(e.find("a:link", ns) is not None for e in entries)
    feed = client.get(f"{base}/feed.json")
    assert feed.headers["content-type"].startswith("application/feed+json")
    data = feed.json()
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    assert sorted(item["title"] for item in data["items"]) == expected
    assert all(item["url"].endswith(f"/a/{item['id'].rsplit('/', 1)[1]}") for item in data["items"])
    # The newest first, in every format.
    assert [i.findtext("title") for i in items] == [
        e.findtext("a:title", namespaces=ns) for e in entries
    ]
    assert [i.findtext("title") for i in items] == [item["title"] for item in data["items"]]
    assert client.get(f"{base}x/feed.json").status_code == 404


def test_unknown_things_are_404_in_html_and_json(
    client: TestClient, seeded: dict[str, Any]
) -> None:
    for path in ("/a/999999", "/c/person:nobody", "/p/999999", "/nowhere"):
        response = client.get(path)
        assert response.status_code == 404
        assert "Page not found" in response.text
    twin = client.get("/a/999999.json")
    assert twin.status_code == 404
    assert twin.json()["status"] == 404
    assert client.get("/c/person:nobody/feed.xml").status_code == 404


def test_static_pages_health_and_headers(client: TestClient) -> None:
    policy = client.get("/community-policy")
    assert "Community Policy" in page(policy).text_content()
    csp = policy.headers["content-security-policy"]
    assert "img-src 'self'" in csp and "script-src 'self';" in csp  # our files, never inline
    for name in ("nearme.js", "suggest.js"):
        script = client.get(f"/static/{name}")
        assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert "Advertisers" in page(client.get("/about")).text_content()
    assert client.get("/healthz").text == "ok"
    css = client.get("/static/site.css")
    assert css.status_code == 200 and "data-section" not in css.text
    assert page(client.get("/search")).xpath("//form[@action='/search']")


def test_empty_secret_key_is_a_configuration_error(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="BROADSHEET_SECRET_KEY"):
        create_app(engine, load_settings(environ={}, data_dir=tmp_path, secret_key=""))


@pytest.mark.parametrize(
    "path",
    [
        "/a/99999999999999999999",  # past SQLite's 64-bit integers
        "/a/9223372036854775808",  # 2**63
        "/a/99999999999999999999.json",
        "/p/99999999999999999999",
        "/p/99999999999999999999.json",
        "/a/" + "9" * 5000,  # past what int() reads at all
        "/p/" + "9" * 5000 + ".json",
        "/a/0",
        "/a/-1",
        "/p/0",
    ],
)
def test_ids_out_of_range_are_404_not_500(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    if path.endswith(".json"):
        assert response.json()["status"] == 404
    else:
        assert "Page not found" in response.text


@pytest.mark.parametrize(
    "key",
    ["%00", "person:a%00b", "person:" + "a" * 5000, "%ff%fe", "no-colon", "", ":", "a%0Ab:c"],
)
def test_odd_channel_keys_are_404(client: TestClient, key: str) -> None:
    for suffix in ("", ".json", "/feed.xml"):
        response = client.get(f"/c/{key}{suffix}")
        assert response.status_code == 404, (key, suffix)


def test_channel_key_check() -> None:
    assert is_valid_key("person:dana-whitfield") and is_valid_key("place:4887398")
    # A NUL byte is an error, not a miss, on PostgreSQL; the view must never send one.
    for key in ("person:a\x00b", "person:a\nb", "x" * 400 + ":y", "nocolon", ""):
        assert not is_valid_key(key), key


def test_hostile_inputs_answer_4xx(client: TestClient, seeded: dict[str, Any]) -> None:
    assert client.get("/search", params={"q": "bridge " * 5000}).status_code == 200
    assert client.get("/search.json", params={"q": '"*NEAR( \x00 é'}).status_code == 200
    assert client.get("/local.json", params={"q": "chi\x00cago"}).status_code == 200
    assert client.get("/local.json", params={"place": "place:\x00"}).status_code == 400
    assert client.get("/search/feed.json", params={"q": "x", "channel": "\x00"}).status_code == 400
    assert client.get("/img", params={"u": "http://x.test/a.png", "s": "é"}).status_code == 403
    assert client.get("/img", params={"u": "é" * 3000, "s": "x"}).status_code == 403


@pytest.fixture
def public_client(engine: Engine, tmp_path: Path) -> Iterator[TestClient]:
    settings = load_settings(
        environ={},
        data_dir=tmp_path,
        secret_key="route-test-secret",
        allow_hosts=("127.0.0.1",),
        public_url="https://news.example/",
    )
    with TestClient(create_app(engine, settings)) as made:
        yield made


def feed_links(response: Any) -> list[str]:
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    links = [el.text or "" for el in root.iter() if el.tag in ("link", "guid")]
    assert len(links) == 1 + 2 * 2  # the channel, then each article's link and guid
    return links


def test_feed_links_use_the_public_url_not_the_host_header(
    public_client: TestClient, client: TestClient, seeded: dict[str, Any]
) -> None:
    forged = {"host": "evil.example"}
    links = feed_links(public_client.get("/c/person:dana-whitfield/feed.xml", headers=forged))
    assert all(link.startswith("https://news.example/") for link in links), links
    assert f"https://news.example/a/{seeded['first']}" in links
    # Without BROADSHEET_PUBLIC_URL the links name the configured host and port.
    links = feed_links(client.get("/c/person:dana-whitfield/feed.xml", headers=forged))
    assert all(link.startswith("http://127.0.0.1:8000/") for link in links), links


def test_trailing_slash_redirect_never_names_the_host_header(client: TestClient) -> None:
    forged = {"host": "evil.example"}
    response = client.get("/about/?x=1", headers=forged, follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == "/about?x=1"
    assert client.get("/about/", follow_redirects=True).status_code == 200
    assert client.get("/nowhere/", headers=forged, follow_redirects=False).status_code == 404
    # '//evil.example' would be another site to a browser: never a redirect target.
    assert client.get("http://testserver//evil.example/", follow_redirects=False).status_code == 404
