"""The moderators' pages: /moderation (the queue, appeals and the log; 403 for anyone
without the moderator role) and its decisions; and the Community Policy page, rendered from
the rules moderation cites (community/policy.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote_plus

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.templating import Jinja2Templates

from broadsheet.community import moderation
from broadsheet.community.comments import CommentError
from broadsheet.community.policy import RULES, policy_view
from broadsheet.models import to_jsonable
from broadsheet.store import write_transaction
from broadsheet.web.accounts import Accounts
from broadsheet.web.comments import CommentForms

MAX_ID = 2**63 - 1


class ModerationPages:
    """The moderation queue and its decisions, and the policy page."""

    def __init__(self, accounts: Accounts, templates: Jinja2Templates) -> None:
        self.accounts = accounts
        self.db = accounts.db
        self.templates = templates
        self.forms = CommentForms(accounts, templates)  # for its refusal page

    def policy(self, request: Request) -> Response:
        """GET /community-policy: the numbered rules, each at #rule-<id>."""
        data = policy_view()
        if request.url.path.endswith(".json"):
            return JSONResponse(data)
        context = {"policy": data, "json_url": "/community-policy.json"}
        return self.templates.TemplateResponse(request, "policy.html", context)

    async def queue(self, request: Request) -> Response:
        """GET /moderation: held and reported comments, appeals, the latest decisions."""
        user = self.accounts.reader(request).user
        try:
            data = await run_in_threadpool(self._queue, user["id"] if user else None)
        except CommentError as exc:
            hint = "" if user else " Sign in with a moderator's account."
            return self.forms.refused(request, exc.status, exc.message + hint)
        if request.url.path.endswith(".json"):
            return JSONResponse(to_jsonable(data))
        context = {
            "moderation": data,
            "rules": RULES,
            "notice": request.query_params.get("m", "")[:300],
            "json_url": "/moderation.json",
        }
        return self.templates.TemplateResponse(request, "moderation.html", context)

    def _queue(self, user_id: int | None) -> dict[str, Any]:
        with self.db.connect() as conn:
            moderation.require_moderator(conn, user_id)
            return moderation.queue_view(conn, datetime.now(UTC))

    async def decide(self, request: Request) -> Response:
        """POST /moderation/comments/<id>: remove (with a rule), approve or dismiss."""
        comment_id = _id(request, "comment_id")
        form = await self.accounts.form(request)
        action, rule = str(form.get("action", "")), str(form.get("rule", ""))
        note = str(form.get("note", ""))
        return await self._decide(
            request,
            lambda conn, user_id, now: moderation.decide(
                conn, user_id, comment_id, action, rule, note, now
            ),
        )

    async def decide_appeal(self, request: Request) -> Response:
        """POST /moderation/strikes/<id>: uphold or overturn an appealed strike."""
        strike_id = _id(request, "strike_id")
        form = await self.accounts.form(request)
        action, note = str(form.get("action", "")), str(form.get("note", ""))
        return await self._decide(
            request,
            lambda conn, user_id, now: moderation.decide_appeal(
                conn, user_id, strike_id, action, note, now
            ),
        )

    async def _decide(self, request: Request, decision: Any) -> Response:
        user = self.accounts.reader(request).user
        if user is None:
            return self.forms.refused(request, 403, "Only moderators decide; sign in first.")

        def write() -> str:
            with write_transaction(self.db) as conn:
                return str(decision(conn, int(user["id"]), datetime.now(UTC)))

        try:
            message = await run_in_threadpool(write)
        except CommentError as exc:
            return self.forms.refused(request, exc.status, exc.message)
        return RedirectResponse(f"/moderation?m={quote_plus(message)}", status_code=303)


def _id(request: Request, name: str) -> int:
    value = int(request.path_params[name])
    if not 0 < value <= MAX_ID:
        raise HTTPException(404, "Nothing has that number.")
    return value
