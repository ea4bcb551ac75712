"""The pieces of readers' sessions that hold no state of their own: the reader-nonce cookie
middleware, cookie headers, sign-in rate limiting, and checks of names, passwords, targets
and redirects (web/accounts.py uses them)."""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections import OrderedDict, deque

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, Signer
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from broadsheet.keys import parse_key
from broadsheet.web import saved_search

READER_COOKIE = "bs_reader"
NAME = re.compile(r"[a-z0-9][a-z0-9_.-]{2,39}")
PASSWORD_CHARS = (8, 256)
MAX_FAILURES = 5
FAILURE_WINDOW = 900.0
HASHER = PasswordHasher()
# User agents that are programs, not readers: their reads are not views.
BOT = re.compile(
    r"bot|crawl|spider|slurp|curl|wget|python|httpx|go-http|java/|headless|preview|"
    r"facebookexternalhit|feed|monitor|lighthouse",
    re.IGNORECASE,
)


class SignInLimiter:
    """Failed sign-ins per key (address, name) in a sliding window, in this process."""

    def __init__(self, limit: int = MAX_FAILURES, window: float = FAILURE_WINDOW) -> None:
        self.limit, self.window = limit, window
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def blocked(self, *keys: str) -> bool:
        """True when any key has failed `limit` times within the window."""
        now = time.monotonic()
        with self._lock:
            for key in keys:
                seen = self._failures.get(key)
                while seen and now - seen[0] > self.window:
                    seen.popleft()
                if seen and len(seen) >= self.limit:
                    return True
        return False

    def failed(self, *keys: str) -> None:
        """Count one failure for each key (the oldest keys forgotten past 100k)."""
        with self._lock:
            for key in keys:
                self._failures.setdefault(key, deque()).append(time.monotonic())
                self._failures.move_to_end(key)
            while len(self._failures) > 100_000:
                self._failures.popitem(last=False)


class ReaderCookie:
    """ASGI middleware: an HTML response to a browser without a reader nonce sets one."""

    def __init__(self, app: ASGIApp, secret_key: str, secure: bool) -> None:
        self.app = app
        self.signer = Signer(secret_key, salt="reader")
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or reader_nonce(self.signer, Request(scope)):
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(18)
        scope.setdefault("state", {})["reader_nonce"] = nonce
        cookie = cookie_header(
            READER_COOKIE, self.signer.sign(nonce).decode(), 365 * 86400, self.secure
        )

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                html = any(
                    name.lower() == b"content-type" and value.startswith(b"text/html")
                    for name, value in headers
                )
                if html:
                    message["headers"] = [*headers, (b"set-cookie", cookie.encode())]
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def reader_nonce(signer: Signer, request: Request) -> str:
    try:
        return signer.unsign(request.cookies.get(READER_COOKIE, "")).decode()
    except BadSignature:
        return ""


def cookie_header(name: str, value: str, max_age: int, secure: bool) -> str:
    """A Set-Cookie value: HttpOnly, SameSite=Lax, Secure behind TLS."""
    return f"{name}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax" + (
        "; Secure" if secure else ""
    )


def normal_name(raw: str) -> str:
    """A user name as stored: trimmed, case-folded."""
    return raw.strip().casefold()[:100]


def safe_next(raw: object) -> str:
    """Where to go after a form: a path of this site, never another site ("//x", "\\x")."""
    value = str(raw or "")
    if not value.startswith("/") or value.startswith("//") or "\\" in value or len(value) > 500:
        return "/"
    return value


def valid_target(raw: object) -> str | None:
    """A followable target's text ("channel:<key>", "source:<id>", "story:<id>", a saved
    "search:<parameters>"), or None."""
    value = str(raw or "")
    kind, _, rest = value.partition(":")
    if kind == "channel" and parse_key(rest) is not None:
        return value
    if kind in ("source", "story") and rest.isdigit() and len(rest) <= 18 and int(rest) > 0:
        return value
    if kind == "search" and saved_search.from_target(value) is not None:
        return value
    return None


def verify(password_hash: str, password: str) -> bool:
    try:
        return bool(HASHER.verify(password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def name_problem(name: str) -> str:
    if NAME.fullmatch(name):
        return ""
    return "A name is 3 to 40 letters, digits, dots, dashes or underscores, starting with one."


def password_problem(password: str) -> str:
    low, high = PASSWORD_CHARS
    if low <= len(password) <= high:
        return ""
    return f"A password is {low} to {high} characters long."


def is_bot(user_agent: str) -> bool:
    """True for a program's user agent (or none at all)."""
    return not user_agent.strip() or BOT.search(user_agent) is not None
