"""A micro-cache of rendered reading pages, in the web process.

What a news site's front cache (Varnish, nginx's proxy_cache) does for it, inside the app, so
that a laptop and every worker of a large deployment have it with no extra part to run:

- What: GET requests for the reading pages (home, article and its revisions, story, channel,
  publisher, search, Local, Trending, For You, about and policy), their JSON twins and feeds,
  and the search box's suggestions,
  whose response is a 200 that sets no cookie. Nothing else (forms, settings, admin, images).
- Whose: the key is the path with its query and who it was rendered for. A reader with no
  session, follows or state cookie gets the one shared copy; any other reader has copies of
  their own, keyed by a digest of those cookies. Every POST that succeeds (follow, mute,
  feedback, settings, sign in or out) sets a new `bs_state` cookie, so that reader's next page
  is rendered afresh whichever process serves it.
- Form tokens: a copy is kept with its form token cut out, and each response gets the
  reader's own token put back (signed over their own nonce): forms are as safe as uncached.
- Freshness: a copy is fresh for `page_cache_seconds`. After that the shared copy is still
  served, for up to `page_cache_stale_seconds` more, while one request renders it again in
  the background (nginx: `proxy_cache_use_stale updating`); a reader's own copy is never
  served stale. Requests for a page being rendered wait for that one render (nginx:
  `proxy_cache_lock`) instead of rendering it too.
- Bounds: `page_cache_mb` of copies in all, the least recently used dropped first; bodies
  over 1 MiB and keys over 2,000 characters are not kept.
- Views: an article page served from the cache counts the read as the page itself would
  (`Accounts.view_counter`).

What a copy costs: pages are up to `page_cache_seconds` behind the database (the shared copy
up to the stale window more while it is rendered again); a session ended elsewhere (password
changed on another device) can still be shown this process's copies of its pages until they
expire. `x-cache: hit` or `stale` on a response says it came from a copy.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anyio
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from broadsheet.web.sessions import cookie_header, is_bot

log = logging.getLogger(__name__)
STATE_COOKIE = "bs_state"
MAX_BODY = 1 << 20
MAX_KEY = 2000
CACHED_PATHS = re.compile(
    r"/|/index\.json|/(foryou|trending|local|search|suggest)(\.json)?|/search/[a-z]+\.[a-z]+"
    r"|/a/\d{1,19}(/revisions)?(\.json)?|/s/\d{1,19}(\.json)?|/c/.+"
    r"|/p/\d{1,19}(\.json|/[a-z]+\.[a-z]+)?|/about|/community-policy"
    r"|/u/[^/]{1,120}"  # a contributor's page and its twin (/contribute is never kept)
)
ARTICLE_PAGE = re.compile(r"/a/(\d{1,19})")


@dataclass
class Copy:
    """One kept 200 response: its headers, and its body cut at the form token."""

    headers: list[tuple[bytes, bytes]]
    parts: list[bytes]
    size: int
    fresh_until: float
    stale_until: float


class PageCache:
    """ASGI middleware keeping rendered pages for a few seconds (see the module's notes).

    `reader_of(scope)` gives the request's nonce (its cookie's, or the one ReaderCookie made
    for it); `token_for(nonce)` signs a form token; `count_view(request, article_id)` counts a
    read of an article page served from a copy (it may read the database: run in a thread);
    `private_cookies` are the cookies that make a reader's pages their own."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        fresh_seconds: float,
        stale_seconds: float,
        max_bytes: int,
        reader_of: Callable[[Request], str],
        token_for: Callable[[str], str],
        count_view: Callable[[Request, int], Any],
        private_cookies: tuple[str, ...],
        secure: bool,
    ) -> None:
        self.app = app
        self.fresh, self.stale, self.max_bytes = fresh_seconds, stale_seconds, max_bytes
        self.reader_of, self.token_for, self.count_view = reader_of, token_for, count_view
        self.private_cookies = (*private_cookies, STATE_COOKIE)
        self.secure = secure
        self.copies: OrderedDict[tuple[str, str], Copy] = OrderedDict()
        self.size = 0
        self.rendering: dict[tuple[str, str], anyio.Event] = {}
        self.refreshes: set[asyncio.Task[None]] = set()  # background renders, held until they end

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
        elif scope["method"] == "POST":
            await self.app(scope, receive, self._new_state(send))
        elif scope["method"] == "GET" and CACHED_PATHS.fullmatch(scope["path"]):
            await self._serve(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    def _new_state(self, send: Send) -> Send:
        """A send that gives the reader a new state cookie when the POST succeeded."""
        cookie = cookie_header(STATE_COOKIE, secrets.token_urlsafe(12), 365 * 86400, self.secure)

        async def send_state(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] < 400:
                message["headers"] = [*message.get("headers", []), (b"set-cookie", cookie.encode())]
            await send(message)

        return send_state

    def _key(self, request: Request) -> tuple[str, str] | None:
        """(whose, path?query), or None for a key too long to keep."""
        page = request.url.path + "?" + request.url.query
        if len(page) > MAX_KEY:
            return None
        own = [request.cookies.get(name, "") for name in self.private_cookies]
        whose = hashlib.sha256("\n".join(own).encode()).hexdigest() if any(own) else ""
        return whose, page

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope)
        key = self._key(request)
        if key is None:
            await self.app(scope, receive, send)
            return
        token = self.token_for(self.reader_of(request))
        while True:
            now = time.monotonic()
            copy = self.copies.get(key)
            if copy is not None and now < copy.fresh_until:
                await self._send_copy(request, key, copy, token, b"hit", send)
                return
            if copy is not None and not key[0] and now < copy.stale_until:
                if key not in self.rendering:
                    self._refresh_later(scope, key, token)
                await self._send_copy(request, key, copy, token, b"stale", send)
                return
            pending = self.rendering.get(key)
            if pending is None:
                break
            await pending.wait()  # another request renders this page: look again
        await self._render(scope, receive, send, key, token)

    async def _send_copy(
        self, request: Request, key: tuple[str, str], copy: Copy, token: str, how: bytes, send: Send
    ) -> None:
        self.copies.move_to_end(key)
        body = token.encode().join(copy.parts)
        headers = [
            *copy.headers,
            (b"content-length", str(len(body)).encode()),
            (b"x-cache", how),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        article = ARTICLE_PAGE.fullmatch(request.url.path)
        if article and not is_bot(request.headers.get("user-agent", "")):
            task = await run_in_threadpool(self.count_view, request, int(article.group(1)))
            if task is not None:
                await task()

    async def _render(
        self, scope: Scope, receive: Receive, send: Send, key: tuple[str, str], token: str
    ) -> None:
        """Render the page (and send it on), keeping a copy when it may be kept; requests for
        the same page wait for this render meanwhile."""
        done = self.rendering[key] = anyio.Event()
        try:
            await self._render_claimed(scope, receive, send, key, token)
        finally:
            del self.rendering[key]
            done.set()

    async def _render_claimed(
        self, scope: Scope, receive: Receive, send: Send, key: tuple[str, str], token: str
    ) -> None:
        scope.setdefault("state", {})["form_token"] = token
        start: Message = {}
        chunks: list[bytes] = []
        size = 0

        async def capture(message: Message) -> None:
            nonlocal start, size
            if message["type"] == "http.response.start":  # as sent: the middleware outside
                start = {**message, "headers": list(message.get("headers", []))}  # adds to it
            elif message["type"] == "http.response.body":
                size += len(message.get("body", b""))
                if size <= MAX_BODY:
                    chunks.append(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, capture)
        headers = start.get("headers", [])
        if (
            start.get("status") == 200
            and size <= MAX_BODY
            and not any(name.lower() == b"set-cookie" for name, _ in headers)
        ):
            body = b"".join(chunks)
            parts = body.split(token.encode()) if token else [body]
            kept = [(n, v) for n, v in headers if n.lower() != b"content-length"]
            self._keep(key, Copy(kept, parts, size, 0.0, 0.0))
        else:  # the page is no longer what an older copy says (gone, an error): drop it
            self._drop(key)

    def _refresh_later(self, scope: Scope, key: tuple[str, str], token: str) -> None:
        """Render the shared copy again in the background; the stale one is served meanwhile.
        The page is claimed now, so that one refresh runs at a time."""
        state = {"reader_nonce": scope.get("state", {}).get("reader_nonce", "")}
        # No user agent: the reader's view was counted with the stale copy, not again here.
        headers = [(n, v) for n, v in scope["headers"] if n.lower() != b"user-agent"]
        fresh_scope = {**scope, "state": state, "headers": headers}
        done = self.rendering[key] = anyio.Event()

        async def receive() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def discard(message: Message) -> None:
            return None

        async def refresh() -> None:
            try:
                await self._render_claimed(fresh_scope, receive, discard, key, token)
            except Exception:  # the page's own error handling logged it; keep serving
                log.warning("page cache: refreshing %s failed", key[1], exc_info=True)
            finally:
                del self.rendering[key]
                done.set()

        task = asyncio.get_running_loop().create_task(refresh())
        self.refreshes.add(task)
        task.add_done_callback(self.refreshes.discard)

    def _keep(self, key: tuple[str, str], copy: Copy) -> None:
        now = time.monotonic()
        copy.fresh_until, copy.stale_until = now + self.fresh, now + self.fresh + self.stale
        self._drop(key)
        self.copies[key] = copy
        self.size += copy.size
        while self.size > self.max_bytes and self.copies:
            _, dropped = self.copies.popitem(last=False)
            self.size -= dropped.size

    def _drop(self, key: tuple[str, str]) -> None:
        old = self.copies.pop(key, None)
        if old is not None:
            self.size -= old.size
