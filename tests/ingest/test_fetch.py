"""The fetcher against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import time

import pytest

from broadsheet.ingest.fetch import Fetcher, FetchError, address_problem, decode_body

from .conftest import Site


def test_fetches_and_decodes_a_page(site: Site, fetcher: Fetcher) -> None:
    page = fetcher.fetch_page(site.url + "/page")
    assert page.text == "<p>Grüße aus Köln</p>"
    assert page.status == 200
    assert page.final_url == site.url + "/page"
    assert page.fetched_at.tzinfo is not None
    assert ("/page", "BroadsheetBot/0.1") in site.requests


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_loopback_is_refused_unless_allowed(site: Site, host: str) -> None:
    url = site.url.replace("127.0.0.1", host) + "/page"
    with Fetcher() as guarded, pytest.raises(FetchError) as caught:
        guarded.fetch_page(url)
    assert "loopback address" in caught.value.reason
    assert "BROADSHEET_ALLOW_HOSTS" in str(caught.value)
    assert caught.value.url == url
    assert site.requests == []  # refused before any connection, robots.txt included


def test_allowing_a_host_name_lets_it_through(site: Site) -> None:
    with Fetcher(allow_hosts=("localhost",)) as client:
        page = client.fetch_page(site.url.replace("127.0.0.1", "localhost") + "/page")
    assert "Köln" in page.text


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("10.0.0.5", "private"),
        ("192.168.1.20", "private"),
        ("172.16.3.4", "private"),
        ("169.254.169.254", "link-local"),
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("::ffff:10.1.2.3", "private"),
        ("100.64.0.1", "non-public"),
        ("93.184.216.34", ""),
        ("2606:4700::1111", ""),
    ],
)
def test_address_problem_names_internal_ranges(address: str, problem: str) -> None:
    assert address_problem(address) == problem


def test_follows_redirects(site: Site, fetcher: Fetcher) -> None:
    page = fetcher.fetch_page(site.url + "/redirect-twice")
    assert page.url == site.url + "/redirect-twice"
    assert page.final_url == site.url + "/page"
    assert "Köln" in page.text


def test_redirect_to_a_refused_address_is_checked_on_the_hop(site: Site, fetcher: Fetcher) -> None:
    with pytest.raises(FetchError, match=r"127\.0\.0\.2 is a loopback address"):
        fetcher.fetch_page(site.url + "/to-loopback")


def test_redirect_to_another_scheme_is_refused(site: Site, fetcher: Fetcher) -> None:
    with pytest.raises(FetchError, match="scheme 'file' is not http"):
        fetcher.fetch_page(site.url + "/to-file")


def test_redirect_loop_stops(site: Site, fetcher: Fetcher) -> None:
    with pytest.raises(FetchError, match="more than 5 redirects"):
        fetcher.fetch_page(site.url + "/loop")
    assert site.hits("/loop") == 6


@pytest.mark.parametrize("status", [404, 500])
def test_http_errors_carry_the_status(site: Site, fetcher: Fetcher, status: int) -> None:
    with pytest.raises(FetchError) as caught:
        fetcher.fetch_page(f"{site.url}/status/{status}")
    assert caught.value.reason == f"HTTP {status}"


def test_slow_response_times_out(site: Site, fetcher: Fetcher) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"timed out after 1 s"):
        fetcher.fetch_page(site.url + "/slow")
    assert time.monotonic() - started < 2.0


def test_trickling_body_hits_the_overall_deadline(site: Site, fetcher: Fetcher) -> None:
    with pytest.raises(FetchError, match="timed out"):
        fetcher.fetch_page(site.url + "/trickle")


@pytest.mark.parametrize("path", ["/huge", "/huge-unannounced"])
def test_body_larger_than_the_limit_is_refused(site: Site, fetcher: Fetcher, path: str) -> None:
    with pytest.raises(FetchError, match="response larger than 100000 bytes"):
        fetcher.fetch_page(site.url + path)


def test_binary_content_is_not_a_page(site: Site, fetcher: Fetcher) -> None:
    with pytest.raises(FetchError, match=r"not a text page \(content type image/png\)"):
        fetcher.fetch_page(site.url + "/image.png")


def test_fetch_bytes_returns_images_and_refuses_pages(site: Site, fetcher: Fetcher) -> None:
    body, kind = fetcher.fetch_bytes(site.url + "/image.png")
    assert body.startswith(b"\x89PNG") and kind == "image/png"
    with pytest.raises(FetchError, match="content type text/html is not one of image/"):
        fetcher.fetch_bytes(site.url + "/page")


def test_charset_declared_only_in_meta(site: Site, fetcher: Fetcher) -> None:
    assert "Café, naïve, señor" in fetcher.fetch_page(site.url + "/latin1-meta").text


def test_header_claiming_utf8_on_a_windows_1252_body(site: Site, fetcher: Fetcher) -> None:
    assert "Déjà vu – “quoted”" in fetcher.fetch_page(site.url + "/header-lies-utf8").text


def test_header_claiming_latin1_on_a_utf8_body(site: Site, fetcher: Fetcher) -> None:
    assert "Zoë’s café" in fetcher.fetch_page(site.url + "/header-lies-latin1").text


def test_unknown_header_charset_falls_back(site: Site, fetcher: Fetcher) -> None:
    assert "€100" in fetcher.fetch_page(site.url + "/header-unknown").text


def test_undecodable_bytes_never_crash() -> None:
    text = decode_body(b"<p>\xff\xfe\xfa broken \x80\x81</p>", "text/html; charset=utf-8")
    assert "broken" in text


def test_robots_txt_disallow_is_obeyed_and_cached(site: Site, fetcher: Fetcher) -> None:
    with pytest.raises(FetchError, match=r"disallowed by robots\.txt"):
        fetcher.fetch_page(site.url + "/private/secret")
    fetcher.fetch_page(site.url + "/page")
    assert site.hits("/private/secret") == 0
    assert site.hits("/robots.txt") == 1


def test_robots_txt_applies_to_redirect_targets(site: Site, fetcher: Fetcher) -> None:
    with pytest.raises(FetchError, match=r"disallowed by robots\.txt"):
        fetcher.fetch_page(site.url + "/to-private")
    assert site.hits("/private/secret") == 0


def test_robots_txt_can_be_ignored(site: Site) -> None:
    with Fetcher(allow_hosts=("127.0.0.1",), obey_robots=False) as client:
        assert "secret" in client.fetch_page(site.url + "/private/secret").text
    assert site.hits("/robots.txt") == 0


def test_missing_robots_txt_allows_all(bare_site: Site, fetcher: Fetcher) -> None:
    assert "hi" in fetcher.fetch_page(bare_site.url + "/page").text
    assert bare_site.hits("/robots.txt") == 1


def test_non_http_urls_are_refused(fetcher: Fetcher) -> None:
    with pytest.raises(FetchError, match="scheme 'ftp' is not http"):
        fetcher.fetch_page("ftp://127.0.0.1/file")
