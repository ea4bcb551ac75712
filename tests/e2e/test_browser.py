"""A real Chromium opens the home page, clicks into an article and takes a screenshot."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = pytest.mark.browser


@pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed (make test installs it)"
)
def test_home_to_article_in_a_real_browser(live_url: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
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
