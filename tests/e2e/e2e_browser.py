"""What the browser tests share: Debian's Chromium driven by Playwright, and signing up."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright

CHROMIUM = Path("/usr/bin/chromium")
# Outside CI a missing browser skips; in CI (make test installs it) it fails.
NEEDS_CHROMIUM = pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"),
    reason="Debian's chromium is not installed (make test installs it)",
)


def launch(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(
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


def sign_up(page: Page, live_url: str, name: str) -> None:
    """Sign up from the home page's top bar; the site sends the new reader home."""
    page.goto(live_url + "/")
    page.click("text=Sign up")
    page.fill("#account-name", name)
    page.fill("#account-password", "a long enough password")
    page.click("form.account-form button[type=submit]")
    page.wait_for_url(live_url + "/")
