"""The comment forms: post or reply, edit, delete, report, vote, and appeal a strike.

Each is a plain POST form (no script) with the CSRF token Accounts.form checks; a reader not
signed in is sent to sign in and back. The use cases (community/comments.py) decide; a
refusal is a page saying what happened and what to do, with its status (400, 403, 404, 409,
429). A success goes back to the page, at the comment. Pages read which comments to show
from the address: ?comments=best (else newest) and ?comments_page=N (comment_query).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import quote, quote_plus

from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from broadsheet.community import comments as use
from broadsheet.community.threads import SORTS, CommentQuery
from broadsheet.store import write_transaction
from broadsheet.web.accounts import Accounts
from broadsheet.web.sessions import safe_next

log = logging.getLogger(__name__)
MAX_PAGE_DIGITS = 6
MAX_ID = 2**63 - 1
TITLES = {
    400: "Your comment was not sent",
    403: "Not allowed",
    404: "Not found",
    409: "Already done",
    429: "Slow down",
}
# What an action does in the database, given the form, the reader's id and the time; it
# returns where the reader goes next.
Action = Callable[[Connection, FormData, int, datetime], str]


def comment_query(request: Request, accounts: Accounts | None) -> CommentQuery:
    """Which comments the page shows (?comments=, ?comments_page=) and to whom; 400 else."""
    sort = request.query_params.get("comments", "newest")
    if sort not in SORTS:
        raise HTTPException(400, "comments= is newest or best.")
    raw = request.query_params.get("comments_page", "1")
    if not raw.isascii() or not raw.isdigit() or len(raw) > MAX_PAGE_DIGITS or int(raw) < 1:
        raise HTTPException(400, "The comments page must be a whole number from 1.")
    user = accounts.reader(request).user if accounts is not None else None
    return CommentQuery(viewer_id=user["id"] if user else None, sort=sort, page=int(raw))


def _comment_id(request: Request, name: str = "comment_id") -> int:
    value = int(request.path_params[name])
    if not 0 < value <= MAX_ID:
        raise HTTPException(404, "No comment has that number.")
    return value


class CommentForms:
    """The comment endpoints, over the use cases of community/comments.py."""

    def __init__(self, accounts: Accounts, templates: Jinja2Templates) -> None:
        self.accounts = accounts
        self.db = accounts.db
        self.templates = templates

    async def post(self, request: Request) -> Response:
        """POST /comments: target, body, and parent for a reply."""

        def act(conn: Connection, form: FormData, user_id: int, now: datetime) -> str:
            body = str(form.get("body", ""))
            posted = use.post_comment(
                conn, user_id, form.get("target"), form.get("parent"), body, now
            )
            if posted.held:
                log.info("comments: #%s held for review: %s", posted.id, posted.screening.reasons)
            back = safe_next(form.get("next")) if form.get("parent") else posted.target.url
            return f"{_page(back, posted.target.url)}#comment-{posted.id}"

        return await self._act(request, act)

    async def edit(self, request: Request) -> Response:
        """POST /comments/<id>/edit: the new body, within the edit window."""
        comment_id = _comment_id(request)

        def act(conn: Connection, form: FormData, user_id: int, now: datetime) -> str:
            posted = use.edit_comment(conn, user_id, comment_id, str(form.get("body", "")), now)
            return f"{_page(safe_next(form.get('next')), posted.target.url)}#comment-{comment_id}"

        return await self._act(request, act)

    async def delete(self, request: Request) -> Response:
        """POST /comments/<id>/delete: the author deletes their comment."""
        comment_id = _comment_id(request)

        def act(conn: Connection, form: FormData, user_id: int, now: datetime) -> str:
            target = use.delete_comment(conn, user_id, comment_id, now)
            return f"{_page(safe_next(form.get('next')), target.url)}#comments"

        return await self._act(request, act)

    async def report(self, request: Request) -> Response:
        """POST /comments/<id>/report: the rule it breaks, and why."""
        comment_id = _comment_id(request)

        def act(conn: Connection, form: FormData, user_id: int, now: datetime) -> str:
            rule, reason = str(form.get("rule", "")), str(form.get("reason", ""))
            target, _ = use.report_comment(conn, user_id, comment_id, rule, reason, now)
            return f"{_page(safe_next(form.get('next')), target.url)}#comment-{comment_id}"

        return await self._act(request, act)

    async def vote(self, request: Request) -> Response:
        """POST /comments/<id>/vote: up or down (the same again takes it back)."""
        comment_id = _comment_id(request)

        def act(conn: Connection, form: FormData, user_id: int, now: datetime) -> str:
            direction = str(form.get("direction", ""))
            target = use.vote_comment(conn, user_id, comment_id, direction, now)
            return f"{_page(safe_next(form.get('next')), target.url)}#comment-{comment_id}"

        return await self._act(request, act)

    async def appeal(self, request: Request) -> Response:
        """POST /strikes/<id>/appeal: the author's one appeal of a strike."""
        strike_id = _comment_id(request, "strike_id")

        def act(conn: Connection, form: FormData, user_id: int, now: datetime) -> str:
            use.appeal_strike(conn, user_id, strike_id, str(form.get("appeal", "")), now)
            message = "Your appeal is in: a moderator other than the one who decided will look."
            return f"/settings?m={quote_plus(message)}#strikes"

        return await self._act(request, act)

    async def _act(self, request: Request, act: Action) -> Response:
        form = await self.accounts.form(request)
        user = self.accounts.reader(request).user
        if user is None:
            back = safe_next(form.get("next"))
            return RedirectResponse(f"/signin?next={quote(back)}", status_code=303)
        try:
            where = await run_in_threadpool(self._write, act, form, int(user["id"]))
        except use.CommentError as exc:
            return self.refused(request, exc.status, exc.message)
        return RedirectResponse(where, status_code=303)

    def _write(self, act: Action, form: FormData, user_id: int) -> str:
        with write_transaction(self.db) as conn:
            return act(conn, form, user_id, datetime.now(UTC))

    def refused(self, request: Request, status: int, message: str) -> Response:
        """The page saying why an action was refused."""
        context = {
            "status_code": status,
            "title": TITLES.get(status, "Not done"),
            "message": message,
        }
        return self.templates.TemplateResponse(request, "error.html", context, status_code=status)


def _page(back: str, fallback: str) -> str:
    """Where to return: the page the form was on (without its fragment), else the target's."""
    path = back.split("#", 1)[0]
    return path if path != "/" else fallback
