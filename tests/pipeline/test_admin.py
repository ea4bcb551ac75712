"""/admin/sources: off without a token, asks for it, adds a source through a CSRF-checked form."""

from __future__ import annotations

import re
from dataclasses import replace

from starlette.testclient import TestClient

from broadsheet.pipeline import Context
from broadsheet.web.app import create_app

from .conftest import Publisher


def test_admin_is_off_without_a_token(ctx: Context) -> None:
    with TestClient(create_app(ctx.engine, ctx.settings)) as client:
        assert client.get("/admin/sources").status_code == 404


def test_admin_adds_a_feed_and_shows_its_state(ctx: Context, publisher: Publisher) -> None:
    feed = publisher.feed([("/a", "A")])
    settings = replace(ctx.settings, admin_token="s3cret")
    with TestClient(create_app(ctx.engine, settings)) as client:
        assert client.get("/admin/sources").status_code == 401
        assert client.get("/admin/sources", auth=("admin", "wrong")).status_code == 401
        page = client.get("/admin/sources", auth=("admin", "s3cret"))
        assert page.status_code == 200 and 'data-section="admin-sources"' in page.text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        forged = client.post(
            "/admin/sources", data={"url": feed, "csrf": "x"}, auth=("admin", "s3cret")
        )
        assert forged.status_code == 403
        done = client.post(
            "/admin/sources", data={"url": feed, "csrf": csrf}, auth=("admin", "s3cret")
        )
        assert done.status_code == 200 and "Added source #1" in done.text
        bad = client.post(
            "/admin/sources",
            data={"url": "javascript:alert(1)", "csrf": csrf},
            auth=("admin", "s3cret"),
        )
        assert "cannot be sources" in bad.text
        twin = client.get("/admin/sources.json", auth=("admin", "s3cret")).json()
    assert [s["feed_url"] for s in twin["sources"]] == [feed]
    assert twin["sources"][0]["kind"] == "feed"
