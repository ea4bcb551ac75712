"""A real Chromium, scripts off: a reader signs up, becomes a contributor, posts with a place,
an image and the AI-tools answer, and finds the post in that place's Local feed, labelled
"Contributor" and "Written with AI tools", with its image served through the proxy."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from e2e_browser import NEEDS_CHROMIUM, launch, sign_up
from PIL import Image
from playwright.sync_api import sync_playwright

pytestmark = pytest.mark.browser
NAME = "street-writer"
TITLE = "Elm Street bridge closes for repairs"


@NEEDS_CHROMIUM
def test_a_contributor_posts_and_finds_it_in_the_places_local_feed(
    live_url: str, tmp_path: Path
) -> None:
    photo = tmp_path / "bridge.png"
    Image.new("RGB", (320, 180), "#2a6f97").save(photo)
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page(java_script_enabled=False)
            page.goto(live_url + "/")
            sign_up(page, live_url, NAME)
            page.goto(live_url + "/contribute")
            page.fill("#join-about", "I write about the North Side.")
            page.click("form.join-form button[type=submit]")
            page.wait_for_url("**/contribute?m=*")
            page.fill("#post-headline", TITLE)
            page.fill("#post-body", "Crews start **Monday**; buses take Ashland Avenue.")
            page.fill("#post-place", "Chicago, IL")
            page.set_input_files("#post-image0", str(photo))
            page.fill("#post-caption0", "The bridge from the east bank")
            page.check("input[name=ai][value=yes]")
            page.click("form.post-form button[type=submit]")
            page.wait_for_url("**/a/*")
            label = page.locator("[data-section=article] [data-section=post-label]")
            assert label.inner_text().startswith(f"Contributor: {NAME} · Written with AI tools")
            # Local: the place picked by name, then its feed.
            page.click("nav.section-menu >> text=Near you")
            page.fill("#local-q", "Chicago")
            page.click("[data-section=local] form.search-form button")
            page.locator("[data-section=local-choices] a[href*='4887398']").first.click()
            page.wait_for_url("**/local?place=*")
            card = page.locator("article.card").filter(has_text=TITLE)
            assert card.count() == 1
            assert card.locator("[data-section=post-label]").inner_text() == (
                f"Contributor: {NAME} · Written with AI tools"
            )
            src = str(card.locator(".card-thumb img").get_attribute("src"))
            assert src.startswith("/img?")
            served = page.request.get(live_url + src)
            assert served.ok and served.headers["content-type"] == "image/jpeg"
            with Image.open(io.BytesIO(served.body())) as image:
                assert image.size == (320, 180)
            card.locator(f"a[href='/u/{NAME}']").click()
            page.wait_for_url(f"**/u/{NAME}")
            assert "I write about the North Side." in page.inner_text("[data-section=author]")
            body = page.locator(".post-body strong").first.inner_text()
            assert body == "Monday"
        finally:
            browser.close()
