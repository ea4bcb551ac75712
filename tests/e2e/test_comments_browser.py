"""A real Chromium, script off, on the app with its page cache on: a reader comments on an
article, a second reader replies and reports the comment citing a rule, a moderator (made
with the function `broadsheet moderator add` calls) removes it citing the rule, and the
author finds the strike, with the rule, in their settings.

Each step is checked by the reader whose page must show it (their own changes are fresh at
once; another reader's may take the cache's seconds), or on the moderator's own redirect."""

from __future__ import annotations

from typing import Any

import pytest
from e2e_browser import NEEDS_CHROMIUM, launch, sign_up
from playwright.sync_api import Page, sync_playwright

from broadsheet.community import moderation
from broadsheet.store import write_transaction

pytestmark = pytest.mark.browser
COMMENT = "The flood barriers were promised in *2019*, and nobody asked why."
REPLY = "They were, and the council minutes say so."


def first_article(page: Page, live_url: str) -> str:
    """The home page's first article's address."""
    page.goto(live_url + "/")
    page.locator("a[href^='/a/']").first.click()
    page.wait_for_url("**/a/*")
    return page.url.split("#")[0]


@NEEDS_CHROMIUM
def test_comment_reply_report_remove_and_the_strike(live_url: str, ingested: Any) -> None:
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            author = browser.new_page(java_script_enabled=False)
            sign_up(author, live_url, "comment-author")
            article = first_article(author, live_url)
            comments = author.locator("[data-section=comments]")
            comments.locator("#comment-body").fill(COMMENT)
            comments.locator("form.comment-form button[type=submit]").click()
            author.wait_for_url(f"{article}#comment-*")
            mine = comments.locator("li.comment").filter(has_text="nobody asked why")
            assert mine.locator("em").inner_text() == "2019"  # the Markdown, rendered
            assert "Comments / 1" in comments.locator("h2").inner_text()
            comment_id = str(mine.get_attribute("id")).removeprefix("comment-")

            reader = browser.new_page(java_script_enabled=False)
            sign_up(reader, live_url, "comment-reader")
            reader.goto(article)
            theirs = reader.locator(f"#comment-{comment_id}")
            theirs.locator("details.reply summary").first.click()
            reader.fill(f"#reply-{comment_id}", REPLY)
            theirs.locator("form.reply-form button[type=submit]").first.click()
            reader.wait_for_url(f"{article}#comment-*")
            assert REPLY in theirs.locator("ol.comment-replies").inner_text()
            assert "Comments / 2" in reader.locator("[data-section=comments] h2").inner_text()
            theirs.locator("> div.comment-actions details.report summary").click()
            reader.select_option(f"#report-rule-{comment_id}", "civil")
            reader.fill(f"#report-reason-{comment_id}", "Sneers at the council")
            theirs.locator("> div.comment-actions form.report-form button").click()
            reader.wait_for_url(f"{article}#comment-{comment_id}")
            assert "You reported this comment" in theirs.inner_text()

            mod = browser.new_page(java_script_enabled=False)
            sign_up(mod, live_url, "comment-moderator")
            with write_transaction(ingested.engine) as conn:
                assert moderation.set_role(conn, "comment-moderator", "moderator")
            mod.goto(live_url + "/moderation")
            item = mod.locator(f"#item-{comment_id}")
            assert "comment-reader cites Rule 1: Be civil" in item.inner_text()
            assert "Sneers at the council" in item.inner_text()
            assert "1 comment" in item.locator(".history").inner_text()
            assert item.locator(f"#rule-{comment_id}").input_value() == "civil"
            mod.fill(f"#note-{comment_id}", "Mocking, not arguing")
            item.locator("form.remove-form button").click()
            mod.wait_for_url("**/moderation?m=*")
            notice = mod.locator("p.notice").inner_text()
            assert f"Removed comment #{comment_id} under Rule 1: Be civil" in notice
            assert "comment-author got a warning" in notice
            assert mod.locator(f"#item-{comment_id}").count() == 0
            log = mod.locator("[data-section=moderation-log] tbody tr").first.inner_text()
            assert "comment-moderator" in log and "Mocking, not arguing" in log

            author.goto(live_url + "/settings")
            strike = author.locator("[data-section=settings-strikes] li.strike")
            assert strike.count() == 1
            assert "A warning for breaking Rule 1: Be civil" in " ".join(
                strike.inner_text().split()
            )
            assert "nobody asked why" in strike.locator("blockquote").inner_text()
            assert strike.locator("details.appeal summary").inner_text() == "Appeal this strike"
        finally:
            browser.close()
