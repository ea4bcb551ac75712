"""A signed-in reader's own pages and controls: settings (home place, mutes, keep/block
rules, the email reset links are mailed to), the export of everything the account holds,
account deletion, and "more / fewer like this" (web/accounts.py signs them in and checks
every form)."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote_plus

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from broadsheet.keys import parse_key
from broadsheet.models import to_jsonable
from broadsheet.store import channels as channel_store
from broadsheet.store import users as user_store
from broadsheet.store import write_transaction
from broadsheet.store.schema import mutes
from broadsheet.web import rules
from broadsheet.web.accounts import SESSION_COOKIE, Accounts, utc_now
from broadsheet.web.mail import address_problem, normal_address
from broadsheet.web.sessions import cookie_header, safe_next, valid_target, verify

log = logging.getLogger(__name__)
SIGN_IN_FIRST = "/signin?next=/settings"
FEEDBACK_NUDGE = 1.0  # what "more / fewer like this" moves an article's channels by


class AccountPages:
    """The endpoints of a signed-in reader's own account."""

    def __init__(self, accounts: Accounts) -> None:
        self.accounts = accounts
        self.db = accounts.db
        self.templates = accounts.templates
        self.secure = accounts.secure

    async def feedback(self, request: Request) -> Response:
        """POST /feedback: "more like this" or "fewer like this" on an article (signed in)."""
        form = await self.accounts.form(request)
        reader = self.accounts.reader(request)
        back = safe_next(form.get("next"))
        if reader.user is None:
            return RedirectResponse(f"/signin?next={quote_plus(back)}", status_code=303)
        raw, direction = str(form.get("article", "")), str(form.get("direction", ""))
        if not raw.isdigit() or len(raw) > 18 or direction not in ("more", "fewer"):
            raise HTTPException(400, "Feedback names an article and more or fewer.")
        with write_transaction(self.db) as conn:
            delta = FEEDBACK_NUDGE if direction == "more" else -FEEDBACK_NUDGE
            user_store.nudge(conn, reader.user["id"], int(raw), delta)
        return RedirectResponse(back, status_code=303)

    def _holdings(self, request: Request) -> dict[str, Any] | None:
        """Everything the signed-in reader's account holds, or None for nobody."""
        user = self.accounts.reader(request).user
        if user is None:
            return None
        with self.db.connect() as conn:
            return user_store.export(conn, user["id"])

    async def settings(self, request: Request) -> Response:
        """GET /settings: home place, follows, mutes, export and deletion."""
        data = self._holdings(request)
        if data is None:
            return RedirectResponse(SIGN_IN_FIRST, status_code=303)
        context = {"account": data, "notice": request.query_params.get("m", "")[:200]}
        return self.templates.TemplateResponse(request, "settings.html", context)

    async def change_settings(self, request: Request) -> Response:
        """POST /settings: action=home (place key), mute/unmute (target), rule/unrule,
        email (email, password), delete (password)."""
        form = await self.accounts.form(request)
        user = self.accounts.reader(request).user
        if user is None:
            return RedirectResponse(SIGN_IN_FIRST, status_code=303)
        action = str(form.get("action", ""))
        if action == "delete":
            return await self._delete(request, user, str(form.get("password", "")))
        if action == "email":
            return await self._change_email(user, form)
        with write_transaction(self.db) as conn:
            message = _apply_setting(conn, user["id"], action, form)
        return RedirectResponse(f"/settings?m={message}", status_code=303)

    async def _delete(self, request: Request, user: dict[str, Any], password: str) -> Response:
        if not await run_in_threadpool(verify, user["password_hash"], password[:256]):
            return RedirectResponse("/settings?m=Wrong+password%3B+nothing+deleted.", 303)
        with write_transaction(self.db) as conn:
            user_store.delete_user(conn, user["id"])
        log.info("accounts: %s deleted their account", user["name"])
        response = RedirectResponse("/", status_code=303)
        response.headers.append("set-cookie", cookie_header(SESSION_COOKIE, "", 0, self.secure))
        return response

    async def _change_email(self, user: dict[str, Any], form: FormData) -> Response:
        """Set, change or (empty) remove the email, the password confirming it is the owner."""
        password = str(form.get("password", ""))[:256]
        if not await run_in_threadpool(verify, user["password_hash"], password):
            return _notice("Wrong password; the email is unchanged.")
        email = normal_address(str(form.get("email", "")))
        problem = address_problem(email) if email else ""
        if problem:
            return _notice(problem)
        with write_transaction(self.db) as conn:
            saved = user_store.set_email(conn, user["id"], email or None)
        if not saved:
            return _notice("That email belongs to another account; yours is unchanged.")
        log.info("accounts: %s %s their email", user["name"], "set" if email else "removed")
        return _notice("Email saved." if email else "Email removed.")

    async def export(self, request: Request) -> Response:
        """GET /settings/export.json: everything the account holds."""
        data = self._holdings(request)
        if data is None:
            return RedirectResponse(SIGN_IN_FIRST, status_code=303)
        return JSONResponse(
            to_jsonable(data),
            headers={"content-disposition": 'attachment; filename="broadsheet-account.json"'},
        )


def _notice(message: str) -> Response:
    """Back to /settings, with the message shown at its top."""
    return RedirectResponse(f"/settings?m={quote_plus(message)}", status_code=303)


def _apply_setting(conn: Any, user_id: int, action: str, form: FormData) -> str:
    if action == "home":
        key = str(form.get("place", "")).strip()
        if not key:
            user_store.set_home_place(conn, user_id, None)
            return "Home+place+cleared."
        parsed = parse_key(key)
        if parsed is None or parsed.kind != "place" or not channel_store.get_channel(conn, key):
            return "That+is+not+a+place+we+know."
        user_store.set_home_place(conn, user_id, key)
        return "Home+place+saved."
    if action == "rule":
        try:
            rule = rules.parse_rule(form)
        except rules.RuleError as exc:
            return quote_plus(str(exc))
        if len(user_store.rules(conn, user_id)) >= rules.MAX_RULES:
            return quote_plus(f"At most {rules.MAX_RULES} rules.")
        user_store.add_rule(conn, user_id, rule, utc_now())
        return "Rule+saved."
    if action == "unrule" and str(form.get("rule", "")).isdigit():
        user_store.remove_rule(conn, user_id, int(str(form["rule"])))
        return "Rule+removed."
    target = valid_target(form.get("target"))
    if action in ("mute", "unmute") and target is not None:
        if action == "mute":
            user_store.add_target(conn, mutes, user_id, target, utc_now())
        else:
            user_store.remove_target(conn, mutes, user_id, target)
        return "Saved."
    return "Nothing+changed."
