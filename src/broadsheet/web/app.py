"""Every route of the web app; each page has a JSON twin at its path + ".json"."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import anyio.to_thread
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from broadsheet.config import Settings
from broadsheet.ingest.fetch import Fetcher
from broadsheet.pipeline.context import Context, make_fetcher
from broadsheet.web import placefinder, saved_search, story_views, syndication, views
from broadsheet.web.account_pages import AccountPages
from broadsheet.web.accounts import FOLLOWS_COOKIE, SESSION_COOKIE, Accounts
from broadsheet.web.admin import Admin
from broadsheet.web.comments import CommentForms, comment_query
from broadsheet.web.contributors import Contributors
from broadsheet.web.foryou import Interests, for_you_view, trending_view
from broadsheet.web.imageproxy import ImageProxy, add_proxy_urls
from broadsheet.web.local import NEAR_ME_KM, local_view, nearest_place, parse_point
from broadsheet.web.mail import make_mailer
from broadsheet.web.moderation import ModerationPages
from broadsheet.web.pagecache import PageCache
from broadsheet.web.placefinder import place_finder
from broadsheet.web.publishers import PublisherPages
from broadsheet.web.sessions import ReaderCookie
from broadsheet.web.templating import STATIC_DIR, create_environment

MAX_PAGE_DIGITS = 6
_NOT_FOUND = {
    "article": "No article has that number. It may have been removed by its publisher.",
    "channel": "No channel by that name. Channels appear once an article mentions them.",
    "publisher": "No publisher has that number.",
    "story": "No story has that number. Stories appear once articles are grouped into them.",
}
# No script but our own files (the search box's suggestions and "near me" on /local; every
# page works without them), no inline script, and images only from our own proxy: the pages
# never hot-link. connect-src 'self' lets the suggestions ask /suggest.json.
_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
    (
        b"content-security-policy",
        b"default-src 'none'; script-src 'self'; connect-src 'self'; img-src 'self'; "
        b"style-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    ),
]


class IdConvertor(Convertor[int]):
    """A row id in a path: at most 19 digits, so a hostile 5000-digit number is a plain 404
    (int() refuses that many digits, and SQLite refuses ids past 2**63-1; views check that)."""

    regex = "[0-9]{1,19}"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(value)


register_url_convertor("id", IdConvertor())


class SecurityHeaders:
    """ASGI middleware adding the same protective headers to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [h for h in _SECURITY_HEADERS if h[0] not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def is_json(request: Request) -> bool:
    """True for a JSON twin: the path ends in '.json'."""
    return request.url.path.endswith(".json")


def json_twin_url(request: Request) -> str:
    """The JSON twin's address of an HTML page (/ -> /index.json, /a/1 -> /a/1.json)."""
    path = request.url.path
    twin = "/index.json" if path == "/" else path.rstrip("/") + ".json"
    return twin + ("?" + request.url.query if request.url.query else "")


def public_base_url(settings: Settings) -> str:
    """The site's address for absolute links; never the request's Host header, which anyone
    can forge (a cache in front would then keep feeds pointing at the forger's site)."""
    return settings.public_url.rstrip("/") or f"http://{settings.host}:{settings.port}"


def slash_redirect(request: Request, routes: list[BaseRoute]) -> Response | None:
    """A relative redirect from '/about/' to '/about' when that is a page, else None.

    Starlette's own slash redirect writes the Host header into Location; this one does not."""
    raw = request.scope.get("raw_path") or request.url.path.encode()
    path = raw.decode("latin-1")
    stripped = path.rstrip("/")
    if stripped == path or not stripped or stripped.startswith("//"):
        return None  # '//host' would be read as another site
    scope = {**request.scope, "path": request.url.path.rstrip("/")}
    if not any(route.matches(scope)[0] == Match.FULL for route in routes):
        return None
    query = request.url.query
    return RedirectResponse(stripped + ("?" + query if query else ""), status_code=307)


def page_number(request: Request) -> int:
    """The ?page= of a paged list, 1 when absent; anything but a page number is a 400."""
    raw = request.query_params.get("page", "1")
    if not raw.isascii() or not raw.isdigit() or len(raw) > MAX_PAGE_DIGITS or int(raw) < 1:
        raise HTTPException(400, "The page number must be a whole number from 1.")
    return int(raw)


class Pages:
    """The endpoints: each reads one view in a short connection, then renders HTML or JSON."""

    def __init__(
        self,
        db: Engine,
        templates: Jinja2Templates,
        proxy: ImageProxy,
        base_url: str,
        related_limit: int = 12,
        accounts: Accounts | None = None,
    ) -> None:
        self.db = db
        self.accounts = accounts  # counts each reader's first read of an article
        self.templates = templates
        self.proxy = proxy
        self.base_url = base_url
        self.related_limit = related_limit

    def read(self, view: Callable[..., dict[str, Any] | None], *args: Any) -> dict[str, Any] | None:
        """The view's dict, read in its own connection (sync: Starlette runs us in a thread)."""
        with self.db.connect() as conn:
            return view(conn, *args)

    def render(
        self, request: Request, template: str, name: str, data: dict[str, Any] | None, **extra: Any
    ) -> Response:
        """The page, or its JSON twin; a None view means 404."""
        if data is None:
            raise HTTPException(404, _NOT_FOUND.get(name, "Nothing here."))
        if is_json(request):
            return JSONResponse(add_proxy_urls(data, self.proxy))
        context = {name: data, "json_url": json_twin_url(request), **extra}
        return self.templates.TemplateResponse(request, template, context)

    def home(self, request: Request) -> Response:
        return self.render(request, "home.html", "home", self.read(views.home_view))

    def article(self, request: Request) -> Response:
        article_id = request.path_params["article_id"]
        query = comment_query(request, self.accounts)
        data = self.read(views.article_view, article_id, self.related_limit, query)
        section = data["section"] if data else ""
        response = self.render(request, "article.html", "article", data, current_section=section)
        if data is not None and not is_json(request) and self.accounts is not None:
            response.background = self.accounts.view_counter(request, article_id)
        return response

    def for_you(self, request: Request) -> Response:
        interests = self.accounts.interests(request) if self.accounts else Interests()
        data = self.read(for_you_view, interests, datetime.now(UTC))
        return self.render(request, "foryou.html", "foryou", data, current_section="foryou")

    def local(self, request: Request) -> Response:
        near = request.query_params.get("near")
        if near is not None:  # "near me": the nearest town in the news, as its own address
            point = parse_point(near)
            if point is None:
                raise HTTPException(400, "near must be a latitude and a longitude: 47.61,-122.33")
            with self.db.connect() as conn:
                found = nearest_place(conn, *point)
            if found is None:
                far = f"No town in the news here is within {NEAR_ME_KM:.0f} km of you yet."
                raise HTTPException(404, far)
            return RedirectResponse(f"{request.url.path}?{urlencode({'place': found})}", 303)
        key = request.query_params.get("place", "").strip()[:300] or None
        if key is None and self.accounts is not None:
            key = self.accounts.interests(request).home
        name = request.query_params.get("q", "").strip()[: saved_search.MAX_QUERY_CHARS]
        if key is not None and not views.is_valid_key(key):
            raise HTTPException(
                400, "The place must be a place channel's key, such as place:4887398."
            )
        finder = place_finder() if key or name else None
        data = self.read(local_view, key, name, finder)
        if data is not None and self.accounts is not None and not is_json(request):
            data["articles"] = self.accounts.apply_rules(request, data["articles"], None)
        return self.render(request, "local.html", "local", data, current_section="local-feed")

    def trending(self, request: Request) -> Response:
        data = self.read(trending_view, datetime.now(UTC))
        return self.render(request, "trending.html", "trending", data, current_section="trending")

    def story(self, request: Request) -> Response:
        page = page_number(request)
        query = comment_query(request, self.accounts)
        data = self.read(story_views.story_view, request.path_params["story_id"], page, query)
        if data is not None and page > data["timeline"]["pages"]:
            pages = data["timeline"]["pages"]
            raise HTTPException(404, f"This story has {pages} page{'s' if pages > 1 else ''}.")
        return self.render(request, "story.html", "story", data)

    def revisions(self, request: Request) -> Response:
        data = self.read(views.revisions_view, request.path_params["article_id"])
        return self.render(request, "revisions.html", "article", data)

    def channel(self, request: Request) -> Response:
        key = request.path_params["key"]
        data = self.read(views.channel_view, key)
        if data is not None and self.accounts is not None and not is_json(request):
            data["articles"] = self.accounts.apply_rules(request, data["articles"], key)
        topic = key.removeprefix("topic:") if key.startswith("topic:") else ""
        return self.render(request, "channel.html", "channel", data, current_section=topic)

    def feed(self, request: Request) -> Response:
        """A channel's, a publisher's or a search's RSS, Atom or JSON Feed (the path's last
        part says which format)."""
        name = request.url.path.rsplit("/", 1)[-1]
        data: dict[str, Any] | None
        if request.url.path.startswith("/search/"):
            try:
                q, filters, _ = saved_search.parse(request.query_params)
            except saved_search.SearchError as exc:
                raise HTTPException(400, str(exc)) from exc
            data = self.read(views.search_view, q, filters, True)
            if data is not None:
                data["query_string"] = saved_search.query_string(dict(request.query_params))
            missing = "search"
        elif "key" in request.path_params:
            data, missing = self.read(views.channel_view, request.path_params["key"]), "channel"
        else:
            data = self.read(views.publisher_view, request.path_params["publisher_id"])
            missing = "publisher"
        if data is None:
            raise HTTPException(404, _NOT_FOUND.get(missing, "Nothing here."))
        body = syndication.render(data, self.base_url, name)
        return Response(body, media_type=syndication.FORMATS[name])

    def publisher(self, request: Request) -> Response:
        data = self.read(views.publisher_view, request.path_params["publisher_id"])
        return self.render(request, "publisher.html", "publisher", data)

    def search(self, request: Request) -> Response:
        try:
            q, filters, by_date = saved_search.parse(request.query_params)
        except saved_search.SearchError as exc:
            raise HTTPException(400, str(exc)) from exc
        page = page_number(request)
        data = self.read(views.search_view, q, filters, by_date, page)
        if data is not None:
            more = {**request.query_params, "page": str(page + 1)}
            data["next"] = "/search?" + urlencode(more) if data["more"] else None
            data["saved_as"] = saved_search.target(request.query_params) if q else None
        return self.render(request, "search.html", "search", data, search_query=q)

    def suggest(self, request: Request) -> Response:
        q = request.query_params.get("q", "")[: saved_search.MAX_QUERY_CHARS]
        return JSONResponse(self.read(views.suggest_view, q))

    def static_page(self, template: str) -> Callable[[Request], Response]:
        """An endpoint for a page with no data (policy, about)."""

        def endpoint(request: Request) -> Response:
            return self.templates.TemplateResponse(request, template, {})

        return endpoint

    def error(self, request: Request, exc: Exception) -> Response:
        """The 404/500 page, as JSON for a JSON twin."""
        if isinstance(exc, HTTPException) and exc.status_code == 404:
            redirect = slash_redirect(request, request.app.router.routes)
            if redirect is not None:
                return redirect
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        detail = exc.detail if isinstance(exc, HTTPException) else "Something broke on our side."
        if status == 404 and detail == "Not Found":
            detail = "There is no page at this address."
        if is_json(request):
            return JSONResponse({"error": detail, "status": status}, status_code=status)
        title = "Page not found" if status == 404 else f"Error {status}"
        context = {"status_code": status, "title": title, "message": detail}
        return self.templates.TemplateResponse(request, "error.html", context, status_code=status)


def close_on_shutdown(fetcher: Fetcher, threads: int) -> Callable[[Starlette], Any]:
    """A lifespan that bounds the threads pages run on, and closes the image fetcher's
    connection pool when the app stops.

    Pages are sync code on anyio's worker threads. Forty of them (anyio's default) convoy on
    the GIL: each of a page's many short SQLite calls waits for the lock again, and 50
    connections got 26 article pages/s where 1 to 4 threads got 43-67 (bench/serve.py's load,
    2026-12-01). Images have their own limiter (imageproxy.py)."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = max(1, threads)
        placefinder.preload()
        try:
            yield
        finally:
            fetcher.close()

    return lifespan


async def healthz(request: Request) -> Response:
    """Liveness for load balancers and the demo launcher (async: it needs no thread)."""
    return PlainTextResponse("ok")


def create_app(db: Engine, settings: Settings) -> Starlette:
    """The Starlette app serving pages, JSON twins, feeds and the image proxy."""
    if not settings.secret_key:
        raise ValueError(
            "config: BROADSHEET_SECRET_KEY is empty; set it to a long random string "
            "(it signs image-proxy URLs, sessions and form tokens) before starting the web app"
        )
    fetcher = make_fetcher(settings)
    proxy = ImageProxy(
        secret_key=settings.secret_key,
        cache_dir=Path(settings.data_dir) / "images",
        fetcher=fetcher,
        concurrency=settings.image_concurrency,
        max_pixels=settings.image_max_pixels,
    )
    templates = Jinja2Templates(env=create_environment(proxy))
    secure = public_base_url(settings).startswith("https://")
    mailer = make_mailer(settings, public_base_url(settings))  # None: reset links to the log
    accounts = Accounts(db, templates, settings.secret_key, secure, mailer)
    templates.context_processors.append(accounts.template_context)
    account_pages = AccountPages(accounts)
    pages = Pages(db, templates, proxy, public_base_url(settings), settings.related_limit, accounts)
    admin = Admin(Context(engine=db, fetcher=fetcher, settings=settings), templates)
    comment_forms = CommentForms(accounts, templates)
    moderation_pages = ModerationPages(accounts, templates)
    contributors = Contributors(
        accounts, templates, proxy, settings.data_dir, pages.base_url, settings.image_max_pixels
    )
    publisher_pages = PublisherPages(accounts, templates, fetcher, settings.secret_key)
    routes = [
        Route("/", pages.home),
        Route("/index.json", pages.home),
        Route("/foryou", pages.for_you),
        Route("/trending", pages.trending),
        Route("/local", pages.local),
        Route("/local.json", pages.local),
        Route("/trending.json", pages.trending),
        Route("/foryou.json", pages.for_you),
        Route("/a/{article_id:id}", pages.article),
        Route("/a/{article_id:id}.json", pages.article),
        Route("/a/{article_id:id}/revisions", pages.revisions),
        Route("/a/{article_id:id}/revisions.json", pages.revisions),
        Route("/s/{story_id:id}", pages.story),
        Route("/s/{story_id:id}.json", pages.story),
        *(Route(f"/c/{{key:path}}/{name}", pages.feed) for name in syndication.FORMATS),
        *(Route(f"/p/{{publisher_id:id}}/{name}", pages.feed) for name in syndication.FORMATS),
        *(Route(f"/search/{name}", pages.feed) for name in syndication.FORMATS),
        Route("/c/{key:path}.json", pages.channel),
        Route("/c/{key:path}", pages.channel),
        Route("/p/{publisher_id:id}", pages.publisher),
        Route("/p/{publisher_id:id}.json", pages.publisher),
        Route("/search", pages.search),
        Route("/search.json", pages.search),
        Route("/suggest.json", pages.suggest),
        Route("/signup", accounts.signup_page, methods=["GET"]),
        Route("/signup", accounts.signup, methods=["POST"]),
        Route("/signin", accounts.signin_page, methods=["GET"]),
        Route("/signin", accounts.signin, methods=["POST"]),
        Route("/signout", accounts.signout, methods=["POST"]),
        Route("/reset", accounts.reset_page, methods=["GET"]),
        Route("/reset", accounts.reset_request, methods=["POST"]),
        Route("/reset/{token}", accounts.new_password_page, methods=["GET"]),
        Route("/reset/{token}", accounts.new_password, methods=["POST"]),
        Route("/follow", accounts.follow, methods=["POST"]),
        Route("/unfollow", accounts.follow, methods=["POST"]),
        Route("/feedback", account_pages.feedback, methods=["POST"]),
        Route("/settings", account_pages.settings, methods=["GET"]),
        Route("/settings", account_pages.change_settings, methods=["POST"]),
        Route("/settings/export.json", account_pages.export),
        Route("/comments", comment_forms.post, methods=["POST"]),
        Route("/comments/{comment_id:id}/edit", comment_forms.edit, methods=["POST"]),
        Route("/comments/{comment_id:id}/delete", comment_forms.delete, methods=["POST"]),
        Route("/comments/{comment_id:id}/report", comment_forms.report, methods=["POST"]),
        Route("/comments/{comment_id:id}/vote", comment_forms.vote, methods=["POST"]),
        Route("/strikes/{strike_id:id}/appeal", comment_forms.appeal, methods=["POST"]),
        Route("/moderation", moderation_pages.queue, methods=["GET"]),
        Route("/moderation.json", moderation_pages.queue, methods=["GET"]),
        Route("/moderation/comments/{comment_id:id}", moderation_pages.decide, methods=["POST"]),
        Route(
            "/moderation/strikes/{strike_id:id}", moderation_pages.decide_appeal, methods=["POST"]
        ),
        Route("/community-policy", moderation_pages.policy),
        Route("/community-policy.json", moderation_pages.policy),
        # Publishers' own pages: never in the page cache (not in pagecache.CACHED_PATHS).
        Route("/publishers/claim", publisher_pages.claim_index, methods=["GET"]),
        Route("/publishers/{publisher_id:id}/claim", publisher_pages.claim_page, methods=["GET"]),
        Route("/publishers/{publisher_id:id}/claim", publisher_pages.start_claim, methods=["POST"]),
        Route("/publishers/{publisher_id:id}/verify", publisher_pages.verify, methods=["POST"]),
        Route("/publishers/{publisher_id:id}/dashboard", publisher_pages.dashboard),
        Route("/publishers/{publisher_id:id}/dashboard.json", publisher_pages.dashboard),
        Route("/publishers/{publisher_id:id}/manage", publisher_pages.manage, methods=["GET"]),
        Route("/publishers/{publisher_id:id}/card", publisher_pages.edit_card, methods=["POST"]),
        Route("/publishers/{publisher_id:id}/feeds", publisher_pages.add_feed, methods=["POST"]),
        Route(
            "/publishers/{publisher_id:id}/feeds/{feed_id:id}",
            publisher_pages.toggle_feed,
            methods=["POST"],
        ),
        Route(
            "/publishers/{publisher_id:id}/corrections",
            publisher_pages.add_correction,
            methods=["POST"],
        ),
        # Contributors: /contribute is never cached (not in pagecache.CACHED_PATHS); /u/ is.
        Route("/contribute", contributors.page, methods=["GET"]),
        Route("/contribute.json", contributors.page, methods=["GET"]),
        Route("/contribute/join", contributors.join, methods=["POST"]),
        Route("/contribute/profile", contributors.profile, methods=["POST"]),
        Route("/contribute/posts", contributors.submit, methods=["POST"]),
        Route("/u/{name}.json", contributors.author),
        Route("/u/{name}", contributors.author),
        Route("/posts/{post_id:id}", contributors.post),
        Route("/uploads/{name}", contributors.upload),
        Route("/moderation/posts/{post_id:id}", contributors.decide, methods=["POST"]),
        Route("/about", pages.static_page("about.html")),
        Route("/img", proxy.respond),
        Route("/healthz", healthz),
        Route("/admin/sources", admin.sources, methods=["GET"]),
        Route("/admin/sources", admin.change, methods=["POST"]),
        Route("/admin/sources.json", admin.sources),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    middleware = [
        Middleware(SecurityHeaders),
        Middleware(ReaderCookie, secret_key=settings.secret_key, secure=secure),
    ]
    if settings.page_cache_seconds > 0:
        middleware.append(
            Middleware(
                PageCache,
                fresh_seconds=settings.page_cache_seconds,
                stale_seconds=settings.page_cache_stale_seconds,
                max_bytes=settings.page_cache_mb << 20,
                reader_of=accounts.nonce,
                token_for=accounts.form_token,
                count_view=accounts.view_counter,
                private_cookies=(SESSION_COOKIE, FOLLOWS_COOKIE),
                secure=secure,
            )
        )
    app = Starlette(
        debug=settings.debug,
        routes=routes,
        middleware=middleware,
        exception_handlers={404: pages.error, 500: pages.error},
        lifespan=close_on_shutdown(fetcher, settings.web_threads),
    )
    # Starlette's slash redirect builds an absolute URL from the Host header: slash_redirect
    # (called by the 404 handler) answers with a relative one instead.
    app.router.redirect_slashes = False
    app.state.fetcher = fetcher
    app.state.image_proxy = proxy
    return app
