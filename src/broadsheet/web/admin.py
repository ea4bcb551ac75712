"""Operator pages: /admin/sources shows every source's state and adds or resumes sources.

Off unless BROADSHEET_ADMIN_TOKEN is set; the browser asks for it (HTTP Basic, any user name).
Forms carry a CSRF token signed with the secret key.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from typing import Any
from urllib.parse import urlencode

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.templating import Jinja2Templates

from broadsheet.models import to_jsonable
from broadsheet.pipeline import Context, SourceError, add_source
from broadsheet.store import entries as entry_store
from broadsheet.store import sources as source_store
from broadsheet.store import write_transaction

CSRF_MAX_AGE = 3600


class Admin:
    """The operator endpoints, over the same use cases as the CLI."""

    def __init__(self, ctx: Context, templates: Jinja2Templates) -> None:
        self.ctx = ctx
        self.templates = templates
        self._csrf = URLSafeTimedSerializer(ctx.settings.secret_key, salt="admin-csrf")

    def sources(self, request: Request) -> Response:
        """GET /admin/sources: the sources table (HTML, or its JSON twin)."""
        self._authorize(request)
        data = self.sources_view()
        if request.url.path.endswith(".json"):
            return JSONResponse(to_jsonable(data))
        context = {
            "admin": data,
            "csrf": self._csrf.dumps("sources"),
            "message": request.query_params.get("m", "")[:300],
        }
        return self.templates.TemplateResponse(request, "admin_sources.html", context)

    async def change(self, request: Request) -> Response:
        """POST /admin/sources: add a source (url) or resume one (resume=<id>)."""
        self._authorize(request)
        form = await request.form()
        try:
            self._csrf.loads(str(form.get("csrf", "")), max_age=CSRF_MAX_AGE)
        except BadSignature as exc:
            raise HTTPException(403, "The form expired or was not ours; reload the page.") from exc
        if form.get("resume"):
            message = self._resume(str(form["resume"]))
        else:
            kind = "page" if form.get("page") else ""
            message = await run_in_threadpool(self._add, str(form.get("url", ""))[:2100], kind)
        return RedirectResponse(
            "/admin/sources?" + urlencode({"m": message[:300]}), status_code=303
        )

    def sources_view(self) -> dict[str, Any]:
        """Every source with its schedule, last error and entries by state."""
        with self.ctx.engine.connect() as conn:
            rows = source_store.source_overview(conn)
            counts = entry_store.counts_by_source(conn)
        for row in rows:
            row["entries"] = counts.get(row["id"], {})
        return {"sources": rows}

    def _add(self, url: str, kind: str) -> str:
        try:
            added = add_source(self.ctx, url, kind=kind)
        except SourceError as exc:
            return str(exc)
        ids = ", ".join(f"#{i}" for i in added.ids)
        return " ".join([f"Added source {ids}.", *added.notes])

    def _resume(self, value: str) -> str:
        if not value.isdigit() or len(value) > 18:
            return "No such source."
        with write_transaction(self.ctx.engine) as conn:
            source_store.resume_source(conn, int(value), self.ctx.clock())
        return f"Source #{value} resumed; it is polled on the next run."

    def _authorize(self, request: Request) -> None:
        token = self.ctx.settings.admin_token
        if not token:
            raise HTTPException(404)
        header = request.headers.get("authorization", "")
        if header.lower().startswith("basic "):
            try:
                _user, _, given = base64.b64decode(header[6:]).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                given = ""
            if hmac.compare_digest(given.encode(), token.encode()):
                return
        raise HTTPException(401, headers={"WWW-Authenticate": 'Basic realm="Broadsheet admin"'})
