"""A real Chromium opens the home page, clicks into an article and takes a screenshot; a
reader signs up, follows the article's publisher from its card and a person from its
"Related people", finds their articles in For You with the reason, mutes the publisher and
sees it gone; searches with a filter, saves the search and opens its feed; with script on,
the search box suggests channels and "Use my location" finds the nearest town."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from e2e_browser import NEEDS_CHROMIUM, launch, sign_up
from playwright.sync_api import Page, sync_playwright
from sqlalchemy import select

from broadsheet.store.channels import channel_name
from broadsheet.store.schema import article_channels, channels

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = pytest.mark.browser


@NEEDS_CHROMIUM
def test_sign_up_and_follow_a_publisher_in_a_real_browser(live_url: str) -> None:
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page(java_script_enabled=False)
            article = open_first_article(page, live_url)
            sign_up(page, live_url, "browser-reader")
            assert page.locator(".account-links a").first.inner_text() == "browser-reader"
            page.goto(article)
            card = page.locator("[data-section=publisher-card]")
            card.locator("form.follow-form button").click()
            page.wait_for_url(article)
            assert card.locator("form.follow-form button").inner_text().startswith("Following")
            followers = card.locator("dt:text('Followers') + dd").inner_text()
            assert followers == "1"
            publisher = card.locator(f"#{card.get_attribute('aria-labelledby')}").inner_text()
            page.click("nav.section-menu >> text=For You")
            page.wait_for_url("**/foryou")
            reasons = page.locator("[data-section=for-you] p.reason").all_inner_texts()
            assert f"Why: From {publisher}, which you follow" in reasons
            # Mute it in settings: none of its articles is left in For You.
            target = card_target(page, article)
            page.goto(live_url + "/settings")
            page.fill("#mute-target", target)
            page.click("form.mute-form button")
            page.wait_for_url("**/settings?m=*")
            page.goto(live_url + "/foryou")
            metas = page.locator("[data-section=for-you] .card .meta").all_inner_texts()
            assert metas and not any(meta.startswith(publisher) for meta in metas)
        finally:
            browser.close()


@NEEDS_CHROMIUM
def test_follow_a_person_from_an_article_and_find_their_story_in_for_you(
    live_url: str, ingested: Any
) -> None:
    with ingested.engine.connect() as conn:
        article_id = conn.execute(
            select(article_channels.c.article_id)
            .where(article_channels.c.kind == "person", article_channels.c.role == "entity")
            .order_by(article_channels.c.article_id)
            .limit(1)
        ).scalar_one()
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page(java_script_enabled=False)
            page.goto(live_url + "/")
            sign_up(page, live_url, "people-reader")
            page.goto(f"{live_url}/a/{article_id}")
            people = page.locator("[data-section=related-people]")
            button = people.locator("form.follow-mini button").first
            name = str(button.get_attribute("title")).removeprefix("Follow ")
            button.click()
            page.wait_for_url(f"**/a/{article_id}")
            assert button.get_attribute("aria-pressed") == "true"
            page.click("nav.section-menu >> text=For You")
            page.wait_for_url("**/foryou")
            reason = page.locator("[data-section=for-you] p.reason").filter(
                has_text=f"You follow {name}"
            )
            assert reason.count() >= 1  # and it links to the person's channel
            href = reason.first.locator("a").get_attribute("href", timeout=2000)
            assert str(href).startswith("/c/person:")
        finally:
            browser.close()


def open_first_article(page: Page, live_url: str) -> str:
    """Click the home page's first article; its address."""
    page.goto(live_url + "/")
    page.locator("a[href^='/a/']").first.click()
    page.wait_for_url("**/a/*")
    return page.url


def card_target(page: Page, article: str) -> str:
    """The publisher card's follow target ("source:<id>") on an article page."""
    page.goto(article)
    form = page.locator("[data-section=publisher-card] form.follow-form input[name=target]")
    return str(form.get_attribute("value"))


@NEEDS_CHROMIUM
def test_search_with_a_filter_save_it_and_open_its_feed(live_url: str) -> None:
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page(java_script_enabled=False)
            open_first_article(page, live_url)
            word = max(page.locator("[data-section=article] h1").inner_text().split(), key=len)
            sign_up(page, live_url, "search-reader")
            page.goto(live_url + "/search")
            page.fill("#search-q", word)
            page.select_option("#search-sort", "date")
            page.click("form.search-page-form p button[type=submit]")
            page.wait_for_url("**/search?*")
            results = page.locator("[data-section=search-results] li.search-result")
            assert results.count() >= 1
            assert page.locator("[data-section=search-results] mark").count() >= 1
            page.locator("[data-section=save-search] form.follow-form button").click()
            page.wait_for_url("**/search?*")
            saved = page.locator("[data-section=save-search] form.follow-form button")
            assert saved.inner_text().startswith("Following")
            feed_url = page.locator("[data-section=save-search] a.feed-link").get_attribute("href")
            response = page.request.get(live_url + str(feed_url))
            assert response.ok and "<item>" in response.text()
        finally:
            browser.close()


@NEEDS_CHROMIUM
def test_home_to_article_in_a_real_browser(live_url: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page(
                viewport={"width": 1280, "height": 900}, java_script_enabled=False
            )
            page.goto(live_url + "/")
            assert page.locator("[data-section=topbar]").is_visible()
            first = page.locator("a[href^='/a/']").first
            headline = first.inner_text().strip()
            first.click()
            page.wait_for_url("**/a/*")
            article = page.locator("[data-section=article]")
            assert article.is_visible()
            assert page.locator("[data-section=article] h1").inner_text().strip() == headline
            for section in ("related", "publisher-card", "comments"):
                assert page.locator(f"[data-section={section}]").count() == 1
            images = page.locator("[data-section=article] img")
            if images.count():
                src = images.first.get_attribute("src") or ""
                assert src.startswith("/img?"), "article images must go through the image proxy"
                assert images.first.evaluate("img => img.naturalWidth") > 0
            page.screenshot(path=str(ARTIFACTS / "article.png"), full_page=True)
        finally:
            browser.close()
    assert (ARTIFACTS / "article.png").stat().st_size > 10_000


@NEEDS_CHROMIUM
def test_the_scripts_suggest_as_you_type_and_find_the_nearest_town(
    live_url: str, ingested: Any
) -> None:
    """The two scripts: the search box offers channels as the reader types; "Use my location"
    sends the rounded position. With script off the near-me button stays hidden and the page
    still picks places by name."""
    with ingested.engine.connect() as conn:
        town, person = (
            dict(
                conn.execute(
                    select(channels)
                    .where(channels.c.kind == kind, channels.c.name != "")
                    .where(channels.c.lat.isnot(None) if kind == "city" else channels.c.key != "")
                    .order_by(channels.c.key)
                    .limit(1)
                )
                .mappings()
                .one()
            )
            for kind in ("city", "person")
        )
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            # A point about 2 km from the town, as a phone would report it.
            where = {"latitude": town["lat"] + 0.018, "longitude": town["lon"]}
            context = browser.new_context(geolocation=where, permissions=["geolocation"])
            page = context.new_page()
            page.goto(live_url + "/")
            page.locator("#site-search").press_sequentially(person["name"][:4], delay=50)
            options = page.locator("#search-suggestions option")
            options.first.wait_for(state="attached")
            assert person["name"] in [o.get_attribute("value") for o in options.all()]
            page.goto(live_url + "/local")
            page.click("#near-me button")
            page.wait_for_url("**/local?place=*")
            assert page.locator("#local-title").inner_text() == f"Local: {channel_name(town)}"
            off = browser.new_page(java_script_enabled=False)
            off.goto(live_url + "/local")
            assert not off.locator("#near-me").is_visible()
            assert off.locator("#local-q").is_visible()
        finally:
            browser.close()
