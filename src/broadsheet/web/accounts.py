"""Readers' accounts: sign up, sign in and out, password reset, follows; who is asking
(web/account_pages.py holds the signed-in reader's own pages).

- Sessions are signed cookies (itsdangerous) holding the user id and the user's session
  version: HttpOnly, SameSite=Lax, Secure when the public URL is https. Changing the password
  bumps the version, which ends every session signed before.
- Every form carries a CSRF token signed over the reader's nonce, the `bs_reader` cookie that
  the first HTML page a browser gets sets (`ReaderCookie`); a POST whose token does not match
  its cookie is refused.
- Passwords are hashed with argon2id (argon2-cffi's defaults), rehashed when they change.
- Sign-in is rate-limited per client address and per name: after 5 failures in 15 minutes,
  further tries are refused until the window passes. The count lives in the process (each
  worker process of a large deployment counts its own).
- A password reset makes a one-time link: signed, valid an hour, void once the password has
  changed. It is mailed to the account's email when mail is on (the smtp_url setting) and the
  account has one; else, or when sending fails, it goes to the operator's log (no mail server
  needed). It is sent after the page, which is the same whoever was asked for.
- Anonymous readers follow into a signed cookie (up to ANON_FOLLOWS targets) that is merged
  into the account when they sign up or sign in.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from itsdangerous import BadSignature, Signer, URLSafeSerializer, URLSafeTimedSerializer
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from broadsheet.store import articles as article_store
from broadsheet.store import channels as channel_store
from broadsheet.store import feeds, write_transaction
from broadsheet.store import sources as source_store
from broadsheet.store import stories as story_store
from broadsheet.store import users as user_store
from broadsheet.store.schema import follows, mutes
from broadsheet.web import rules
from broadsheet.web.foryou import Interests
from broadsheet.web.mail import (
    Mailer,
    MailError,
    address_problem,
    mask_address,
    normal_address,
)
from broadsheet.web.sessions import (
    HASHER,
    PASSWORD_CHARS,
    SignInLimiter,
    cookie_header,
    is_bot,
    name_problem,
    normal_name,
    password_problem,
    reader_nonce,
    safe_next,
    valid_target,
    verify,
)

log = logging.getLogger(__name__)
SESSION_COOKIE = "bs_session"
FOLLOWS_COOKIE = "bs_follows"
SESSION_DAYS = 30
RESET_SECONDS = 3600
CSRF_SECONDS = 86400
ANON_FOLLOWS = 20
READ_NUDGE = 0.25  # what a first read of an article adds to each of its channels
RESET_NOTICE = {  # by whether mail is on; the same for every name and address asked for
    False: "If that account exists, the operator's log now holds a link to reset it.",
    True: "If that account exists, a link to reset it is on its way: to its email, or, for an "
    "account without one, to the operator's log.",
}


def utc_now() -> datetime:
    return datetime.now(UTC)


def _fingerprint(password_hash: str) -> str:
    """What a reset link holds of the password it replaces: a digest, void once it changes."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


@dataclass
class Reader:
    """Who is asking: the browser's nonce, the signed-in user if any, anonymous follows."""

    nonce: str
    user: dict[str, Any] | None = None
    anon_follows: list[str] = field(default_factory=list)


class Accounts:
    """The account endpoints, the reader of each request, and the templates' view of it."""

    def __init__(
        self,
        db: Engine,
        templates: Jinja2Templates,
        secret_key: str,
        secure: bool,
        mailer: Mailer | None = None,
    ):
        self.db = db
        self.mailer = mailer  # None: mail is off, reset links go to the log
        self.templates = templates
        self.secure = secure
        self.limiter = SignInLimiter()
        self._reader = Signer(secret_key, salt="reader")
        self._session = URLSafeTimedSerializer(secret_key, salt="session")
        self._csrf = URLSafeTimedSerializer(secret_key, salt="csrf")
        self._follows = URLSafeSerializer(secret_key, salt="follows")
        self._reset = URLSafeTimedSerializer(secret_key, salt="password-reset")

    # -- who is asking ----------------------------------------------------------------------

    def nonce(self, request: Request) -> str:
        """The browser's nonce: its cookie's, or the one ReaderCookie gave this response."""
        return reader_nonce(self._reader, request) or request.scope.get("state", {}).get(
            "reader_nonce", ""
        )

    def form_token(self, nonce: str) -> str:
        """A CSRF token signed over the reader's nonce ("" without one)."""
        return self._csrf.dumps(nonce) if nonce else ""

    def reader(self, request: Request) -> Reader:
        """The request's reader (a database read when a session cookie is present)."""
        found = Reader(nonce=self.nonce(request), anon_follows=self._anon_follows(request))
        session = request.cookies.get(SESSION_COOKIE)
        if session:
            try:
                user_id, version = self._session.loads(session, max_age=SESSION_DAYS * 86400)
            except (BadSignature, ValueError, TypeError):
                return found
            with self.db.connect() as conn:
                user = user_store.get_user(conn, int(user_id))
            if user is not None and user["session_version"] == version:
                found.user = user
        return found

    def _anon_follows(self, request: Request) -> list[str]:
        try:
            value = self._follows.loads(request.cookies.get(FOLLOWS_COOKIE, ""))
        except BadSignature:
            return []
        return [t for t in value if isinstance(t, str) and valid_target(t)][:ANON_FOLLOWS]

    def interests(self, request: Request) -> Interests:
        """What the reader follows and mutes, and their home place (anonymous: the cookie's)."""
        reader = self.reader(request)
        if reader.user is None:
            return Interests(follows=reader.anon_follows)
        with self.db.connect() as conn:
            return Interests(
                follows=user_store.targets(conn, follows, reader.user["id"]),
                mutes=user_store.targets(conn, mutes, reader.user["id"]),
                home=reader.user["home_place"],
                rules=user_store.rules(conn, reader.user["id"]),
                affinities=user_store.affinities(conn, reader.user["id"]),
            )

    def apply_rules(
        self, request: Request, cards: list[dict[str, Any]], scope: str | None
    ) -> list[dict[str, Any]]:
        """The cards the reader's keep/block rules let through on this page."""
        reader = self.reader(request)
        if reader.user is None or not cards:
            return cards
        with self.db.connect() as conn:
            held = user_store.rules(conn, reader.user["id"])
            if not held:
                return cards
            rows = {row["id"]: row for row in feeds.candidate_rows(conn, [c["id"] for c in cards])}
        passed = {row["id"] for row in rules.visible(rows.values(), held, scope)}
        return [card for card in cards if card["id"] in passed]

    def view_counter(self, request: Request, article_id: int) -> BackgroundTask | None:
        """A task counting this read of the article after the page is sent (none for bots)."""
        if is_bot(request.headers.get("user-agent", "")):
            return None
        reader = self.reader(request)
        user_id = reader.user["id"] if reader.user is not None else None
        if reader.user is not None:
            who = f"user:{reader.user['id']}"
        elif reader.nonce:
            who = f"reader:{reader.nonce}"
        else:
            return None

        def count() -> None:
            try:
                with write_transaction(self.db) as conn:
                    first = article_store.record_view(conn, article_id, who, utc_now())
                    if first and user_id is not None:  # a read teaches For You a little
                        user_store.nudge(conn, user_id, article_id, READ_NUDGE)
            except SQLAlchemyError:  # a busy or lost database costs one view, never the page
                log.warning(
                    "accounts: a view of article #%s was not counted", article_id, exc_info=True
                )

        return BackgroundTask(count)

    def template_context(self, request: Request) -> dict[str, Any]:
        """What every page's templates know of the reader: name, follows, the form token."""
        reader = self.reader(request)
        following: list[str] = reader.anon_follows
        if reader.user is not None:
            with self.db.connect() as conn:
                following = user_store.targets(conn, follows, reader.user["id"])
        return {
            "viewer": {"name": reader.user["name"]} if reader.user else None,
            "following": set(following),
            # The page cache signs the token itself, to put each reader's own into a copy.
            "form_token": request.scope.get("state", {}).get("form_token")
            or self.form_token(reader.nonce),
            # Where a form sends the reader back: this page, its query included.
            "here": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        }

    async def form(self, request: Request) -> FormData:
        """The POSTed form, once its CSRF token matches the reader's cookie (else 403)."""
        form = await request.form()
        nonce = reader_nonce(self._reader, request)
        try:
            signed = self._csrf.loads(str(form.get("csrf", "")), max_age=CSRF_SECONDS)
        except BadSignature:
            signed = None
        if not nonce or signed != nonce:
            raise HTTPException(403, "This form expired or was not sent from our page; reload it.")
        return form

    # -- pages ------------------------------------------------------------------------------

    def page(
        self, request: Request, mode: str, error: str = "", status: int = 200, **extra: Any
    ) -> Response:
        """The sign-up, sign-in or reset form (account.html)."""
        context = {
            "mode": mode,
            "error": error,
            "next": safe_next(request.query_params.get("next")),
            "mail_on": self.mailer is not None,
        }
        return self.templates.TemplateResponse(
            request, "account.html", {**context, **extra}, status_code=status
        )

    async def signup_page(self, request: Request) -> Response:
        return self.page(request, "signup")

    async def signin_page(self, request: Request) -> Response:
        return self.page(request, "signin")

    async def reset_page(self, request: Request) -> Response:
        return self.page(request, "reset")

    async def signup(self, request: Request) -> Response:
        """POST /signup: a new account (email optional), signed in, anonymous follows merged."""
        form = await self.form(request)
        name, password = normal_name(str(form.get("name", ""))), str(form.get("password", ""))
        email = normal_address(str(form.get("email", "")))
        problem = name_problem(name) or password_problem(password)
        problem = problem or (address_problem(email) if email else "")
        if problem:
            return self.page(request, "signup", problem, 400, name=name, email=email)
        hashed = await run_in_threadpool(HASHER.hash, password)
        with write_transaction(self.db) as conn:
            user_id = user_store.create_user(conn, name, hashed, utc_now(), email or None)
        if user_id is None:
            with self.db.connect() as conn:
                held = bool(email) and user_store.user_by_email(conn, email) is not None
            taken = "That email belongs to another account." if held else "That name is taken."
            return self.page(
                request, "signup", f"{taken} Pick another.", 409, name=name, email=email
            )
        log.info("accounts: %s signed up", name)
        return self._signed_in(request, user_id, 0, safe_next(form.get("next")))

    async def signin(self, request: Request) -> Response:
        """POST /signin: the session cookie, or the same message for any wrong name or password."""
        form = await self.form(request)
        name, password = normal_name(str(form.get("name", ""))), str(form.get("password", ""))
        keys = (f"addr:{request.client.host if request.client else ''}", f"name:{name}")
        if self.limiter.blocked(*keys):
            message = "Too many failed sign-ins. Wait fifteen minutes, or reset your password."
            return self.page(request, "signin", message, 429, name=name)
        with self.db.connect() as conn:
            user = user_store.user_by_name(conn, name)
        password = password[: PASSWORD_CHARS[1]]  # as verified, so as rehashed
        verified = user is not None and await run_in_threadpool(
            verify, user["password_hash"], password
        )
        if user is None or not verified:
            self.limiter.failed(*keys)
            return self.page(request, "signin", "Wrong name or password.", 401, name=name)
        if HASHER.check_needs_rehash(user["password_hash"]):
            hashed = await run_in_threadpool(HASHER.hash, password)
            with write_transaction(self.db) as conn:
                user_store.rehash(conn, user["id"], hashed)
        return self._signed_in(
            request, user["id"], user["session_version"], safe_next(form.get("next"))
        )

    def _signed_in(self, request: Request, user_id: int, version: int, to: str) -> Response:
        anonymous = self._anon_follows(request)
        if anonymous:
            with write_transaction(self.db) as conn:
                for target in anonymous:
                    user_store.add_target(conn, follows, user_id, target, utc_now())
        response = RedirectResponse(to, status_code=303)
        session = self._session.dumps([user_id, version])
        response.headers.append(
            "set-cookie", cookie_header(SESSION_COOKIE, session, SESSION_DAYS * 86400, self.secure)
        )
        response.headers.append("set-cookie", cookie_header(FOLLOWS_COOKIE, "", 0, self.secure))
        return response

    async def signout(self, request: Request) -> Response:
        """POST /signout: the session cookie cleared."""
        await self.form(request)
        response = RedirectResponse("/", status_code=303)
        response.headers.append("set-cookie", cookie_header(SESSION_COOKIE, "", 0, self.secure))
        return response

    async def reset_request(self, request: Request) -> Response:
        """POST /reset (a name or an email): a one-time link; the same answer for anyone."""
        form = await self.form(request)
        who = str(form.get("name", ""))
        with self.db.connect() as conn:
            if "@" in who:  # names have none
                user = user_store.user_by_email(conn, normal_address(who))
            else:
                user = user_store.user_by_name(conn, normal_name(who))
        response = self.page(request, "reset", notice=RESET_NOTICE[self.mailer is not None])
        if user is not None:
            token = self._reset.dumps([user["id"], _fingerprint(user["password_hash"])])
            # After the page: a slow mail server neither holds it nor tells who has an account.
            response.background = BackgroundTask(self._send_reset, user, f"/reset/{token}")
        return response

    async def _send_reset(self, user: dict[str, Any], path: str) -> None:
        """The link to the account's email; to the log when mail is off, it has none, or fails."""
        name, email = user["name"], user["email"]
        if self.mailer is not None and email:
            try:
                await self.mailer.send_reset_link(email, name, path)
            except MailError as exc:
                log.warning("accounts: password reset for %s: %s; the link follows here", name, exc)
            else:
                log.info(
                    "accounts: password reset for %s: a link was mailed to %s",
                    name,
                    mask_address(email),
                )
                return
        log.warning("accounts: password reset for %s: %s (valid one hour)", name, path)

    def _reset_user(self, token: str) -> dict[str, Any] | None:
        try:
            user_id, fingerprint = self._reset.loads(token, max_age=RESET_SECONDS)
        except (BadSignature, ValueError, TypeError):
            return None
        with self.db.connect() as conn:
            user = user_store.get_user(conn, int(user_id))
        if user is None or _fingerprint(user["password_hash"]) != fingerprint:
            return None  # used already: the password changed since the link was made
        return user

    async def new_password_page(self, request: Request) -> Response:
        if self._reset_user(request.path_params["token"]) is None:
            return self.page(request, "reset", "This link expired or was used already.", 400)
        return self.page(request, "new-password")

    async def new_password(self, request: Request) -> Response:
        """POST /reset/<token>: the new password; every old session ends."""
        form = await self.form(request)
        user = self._reset_user(request.path_params["token"])
        if user is None:
            return self.page(request, "reset", "This link expired or was used already.", 400)
        password = str(form.get("password", ""))
        problem = password_problem(password)
        if problem:
            return self.page(request, "new-password", problem, 400)
        hashed = await run_in_threadpool(HASHER.hash, password)
        with write_transaction(self.db) as conn:
            user_store.set_password(conn, user["id"], hashed)
        return self._signed_in(request, user["id"], user["session_version"] + 1, "/settings")

    # -- follows ----------------------------------------------------------------------------

    async def follow(self, request: Request) -> Response:
        """POST /follow and /unfollow (the path says which), from any Follow button."""
        form = await self.form(request)
        target = valid_target(form.get("target"))
        if target is None or not await run_in_threadpool(self._exists, target):
            raise HTTPException(404, "There is nothing by that name to follow.")
        on = request.url.path == "/follow"
        reader = self.reader(request)
        response = RedirectResponse(safe_next(form.get("next")), status_code=303)
        if reader.user is not None:
            with write_transaction(self.db) as conn:
                if on:
                    user_store.add_target(conn, follows, reader.user["id"], target, utc_now())
                else:
                    user_store.remove_target(conn, follows, reader.user["id"], target)
            return response
        kept = [t for t in reader.anon_follows if t != target] + ([target] if on else [])
        if len(kept) > ANON_FOLLOWS:
            raise HTTPException(400, f"Sign up to follow more than {ANON_FOLLOWS} things.")
        value = self._follows.dumps(kept)
        response.headers.append(
            "set-cookie", cookie_header(FOLLOWS_COOKIE, value, 365 * 86400, self.secure)
        )
        return response

    def _exists(self, target: str) -> bool:
        kind, _, rest = target.partition(":")
        if kind == "search":
            return True  # valid_target parsed it; a search may match nothing yet
        with self.db.connect() as conn:
            if kind == "channel":
                return channel_store.get_channel(conn, rest) is not None
            if kind == "source":
                return source_store.get_source(conn, int(rest)) is not None
            return story_store.get_story(conn, int(rest)) is not None
