"""A real Chromium, script off, on the app with its page cache on: a reader signs up, follows
the top bar's Publishers link, finds a demo publisher and claims it; the publisher's site (a
real HTTP server on loopback, serving a folder) gets the token the claim page showed, the
reader presses Verify and lands on the dashboard with its three charts and their table, then
marks a correction that the article page shows under its byline."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from e2e_browser import NEEDS_CHROMIUM, launch, sign_up
from playwright.sync_api import sync_playwright
from sqlalchemy import func, select, update

from broadsheet.store.schema import articles, sources

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = pytest.mark.browser
CORRECTION = "An earlier version of this article gave the wrong date for the vote."


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def publisher_site(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The publisher's own site: a folder served on a free loopback port."""
    root = tmp_path / "site"
    root.mkdir()
    (root / "index.html").write_text("<html><head><title>Our site</title></head></html>")
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(root))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", root
    server.shutdown()
    server.server_close()


@pytest.fixture
def demo_publisher(ingested: Any, publisher_site: tuple[str, Path]) -> Iterator[dict[str, Any]]:
    """The demo publisher with the most articles, its site moved to the test's own for the
    test (and moved back after: the demo database is shared by the browser tests)."""
    with ingested.engine.begin() as conn:
        count = func.count(articles.c.id)
        row = conn.execute(
            select(sources.c.id, sources.c.name, sources.c.home_url)
            .join(articles, articles.c.source_id == sources.c.id)
            .group_by(sources.c.id, sources.c.name, sources.c.home_url)
            .order_by(count.desc(), sources.c.id)
            .limit(1)
        ).one()
        conn.execute(
            update(sources).where(sources.c.id == row.id).values(home_url=publisher_site[0])
        )
    yield {"id": row.id, "name": row.name}
    with ingested.engine.begin() as conn:
        conn.execute(update(sources).where(sources.c.id == row.id).values(home_url=row.home_url))


@NEEDS_CHROMIUM
def test_a_publisher_claims_its_page_and_sees_its_dashboard(
    live_url: str, demo_publisher: dict[str, Any], publisher_site: tuple[str, Path]
) -> None:
    publisher_id, name = demo_publisher["id"], demo_publisher["name"]
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page(java_script_enabled=False)
            sign_up(page, live_url, "claiming-editor")
            page.click("nav.audiences >> text=Publishers")
            page.wait_for_url("**/publishers/claim")
            page.fill("#publisher-q", name)
            page.click("form[action='/publishers/claim'] button")
            page.wait_for_url("**/publishers/claim?q=*")
            page.click(f"ul.claim-results a[href='/publishers/{publisher_id}/claim']")
            page.wait_for_url(f"**/publishers/{publisher_id}/claim")
            # Before the site shows it, Verify is refused and says why.
            page.click("form.claim-form button")
            token = page.locator("#claim-token").inner_text().strip()
            assert token.startswith("broadsheet-verify-")
            page.click("form.verify-form button")
            assert "does not contain your token" in page.locator(".form-error").inner_text()
            well_known = publisher_site[1] / ".well-known"
            well_known.mkdir()
            (well_known / "broadsheet-verification.txt").write_text(token + "\n")
            page.click("form.verify-form button")
            page.wait_for_url(f"**/publishers/{publisher_id}/dashboard")
            assert page.locator("h1").inner_text().startswith(name)
            charts = page.locator("[data-section=dashboard-charts] svg[role=img]")
            assert charts.count() == 3
            assert charts.nth(2).locator("rect.chart-bar").count() == 30
            assert page.locator("table.dashboard-days tbody tr").count() == 30
            posts = int(page.locator("[data-total=posts]").inner_text())
            assert posts > 0
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "publisher-dashboard.png"), full_page=True)
            # A correction, marked from the manage page, shows under the article's byline.
            page.click("text=Edit the card, feeds and corrections")
            page.wait_for_url(f"**/publishers/{publisher_id}/manage")
            article = page.locator("#recent-articles option").first.get_attribute("value")
            page.fill("#correction-article", str(article))
            page.fill("#correction-text", CORRECTION)
            page.click("form.correction-form button")
            page.wait_for_url(f"**/publishers/{publisher_id}/manage?m=*")
            page.goto(f"{live_url}/a/{article}")
            note = page.locator("[data-section=correction]")
            assert CORRECTION in note.inner_text()
        finally:
            browser.close()
