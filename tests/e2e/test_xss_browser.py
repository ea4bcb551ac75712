"""Hostile text in the fields a reader writes (a contributor's profile, a post's headline and
body, a comment) is shown as text in a real Chromium with script ON: no payload
runs (no dialog, no global set), no inline script or event-handler attribute reaches the
page, no javascript: link is left."""

from __future__ import annotations

import pytest
from e2e_browser import NEEDS_CHROMIUM, launch, sign_up
from playwright.sync_api import Page, sync_playwright

pytestmark = pytest.mark.browser
PAYLOADS = [
    "<script>window.__xss = 1; alert(1)</script>",
    '<img src=x onerror="window.__xss = 2; alert(2)">',
    "<svg onload=alert(3)></svg>",
    '"><script>alert(4)</script>',
    "[a link](javascript:alert(5))",
    '<a href="javascript:alert(6)">six</a>',
    '<iframe src="javascript:alert(7)"></iframe>',
    "`<b onmouseover=alert(8)>code</b>`",
]
INSPECT = """() => ({
    ran: window.__xss === undefined ? 0 : window.__xss,
    inline: document.querySelectorAll('script:not([src])').length,
    handlers: [...document.querySelectorAll('*')].filter(
        e => [...e.attributes].some(a => a.name.startsWith('on'))).length,
    js_links: [...document.querySelectorAll('[href],[src]')].filter(e =>
        /^\\s*javascript:/i.test(e.getAttribute('href') || e.getAttribute('src') || '')
    ).length,
})"""


def inert(page: Page, dialogs: list[str]) -> None:
    assert page.evaluate(INSPECT) == {"ran": 0, "inline": 0, "handlers": 0, "js_links": 0}
    assert dialogs == [], page.url


@NEEDS_CHROMIUM
def test_payloads_in_posts_profiles_and_comments_never_run(live_url: str) -> None:
    body = "Harbour notes.\n\n" + "\n\n".join(PAYLOADS)
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page()  # script on, as most readers have it
            dialogs: list[str] = []
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            page.goto(live_url + "/")
            sign_up(page, live_url, "xss-writer")
            page.goto(live_url + "/contribute")
            page.fill("#join-about", "About me: " + " ".join(PAYLOADS))
            page.click("form.join-form button[type=submit]")
            page.wait_for_url("**/contribute?m=*")
            page.fill("#post-headline", PAYLOADS[1][:60] + " harbour notes")
            page.fill("#post-body", body)
            page.fill("#post-place", "Chicago, IL")
            page.check("input[name=ai][value=no]")
            page.click("form.post-form button[type=submit]")
            page.wait_for_url("**/a/*")
            post = page.url
            inert(page, dialogs)
            assert "onerror" in page.inner_text("[data-section=article] h1")  # shown as text
            comments = page.locator("[data-section=comments]")
            comments.locator("#comment-body").fill(" ".join(PAYLOADS))
            comments.locator("form.comment-form button[type=submit]").click()
            page.wait_for_url(post + "*")
            assert "alert(1)" in comments.locator(".comment-body").first.inner_text()
            inert(page, dialogs)
            for path in ("/u/xss-writer", "/", "/local?place=place:4887398", "/contribute"):
                page.goto(live_url + path)
                inert(page, dialogs)
        finally:
            browser.close()
