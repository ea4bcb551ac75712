"""Every route of the web app; each page has a JSON twin at its path + ".json"."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from broadsheet.config import Settings
from broadsheet.ingest.fetch import Fetcher
from broadsheet.web import views
from broadsheet.web.format import channel_url, parse_datetime
from broadsheet.web.imageproxy import ImageProxy, add_proxy_urls
from broadsheet.web.templating import STATIC_DIR, create_environment

MAX_QUERY_CHARS = 200
_NOT_FOUND = {
    "article": "No article has that number. It may have been removed by its publisher.",
    "channel": "No channel by that name. Channels appear once an article mentions them.",
    "publisher": "No publisher has that number.",
}
# No script at all, and images only from our own proxy: the pages never hot-link.
_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
    (
        b"content-security-policy",
        b"default-src 'none'; img-src 'self'; style-src 'self'; form-action 'self'; "
        b"base-uri 'none'; frame-ancestors 'none'",
    ),
]


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


def render_rss(data: dict[str, Any], base_url: str) -> bytes:
    """An RSS 2.0 document of a channel view's articles."""
    channel = data["channel"]
    rss = Element("rss", version="2.0")
    head = SubElement(rss, "channel")
    SubElement(head, "title").text = f"{channel['name']} · Broadsheet"
    SubElement(head, "link").text = base_url + channel_url(channel["key"])
    SubElement(head, "description").text = f"The latest articles about {channel['name']}."
    for article in data["articles"]:
        item = SubElement(head, "item")
        link = f"{base_url}/a/{article['id']}"
        SubElement(item, "title").text = article["title"]
        SubElement(item, "link").text = link
        SubElement(item, "guid", isPermaLink="true").text = link
        SubElement(item, "description").text = article.get("snippet") or ""
        SubElement(item, "source").text = (article.get("publisher") or {}).get("name", "")
        published = parse_datetime(article.get("published"))
        if published is not None:
            SubElement(item, "pubDate").text = format_datetime(published)
    return tostring(rss, encoding="utf-8", xml_declaration=True)


class Pages:
    """The endpoints: each reads one view in a short connection, then renders HTML or JSON."""

    def __init__(self, db: Engine, templates: Jinja2Templates, proxy: ImageProxy) -> None:
        self.db = db
        self.templates = templates
        self.proxy = proxy

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
        data = self.read(views.article_view, request.path_params["article_id"])
        section = data["section"] if data else ""
        return self.render(request, "article.html", "article", data, current_section=section)

    def channel(self, request: Request) -> Response:
        key = request.path_params["key"]
        data = self.read(views.channel_view, key)
        topic = key.removeprefix("topic:") if key.startswith("topic:") else ""
        return self.render(request, "channel.html", "channel", data, current_section=topic)

    def channel_feed(self, request: Request) -> Response:
        data = self.read(views.channel_view, request.path_params["key"])
        if data is None:
            raise HTTPException(404, _NOT_FOUND["channel"])
        base_url = str(request.base_url).rstrip("/")
        return Response(render_rss(data, base_url), media_type="application/rss+xml")

    def publisher(self, request: Request) -> Response:
        data = self.read(views.publisher_view, request.path_params["publisher_id"])
        return self.render(request, "publisher.html", "publisher", data)

    def search(self, request: Request) -> Response:
        q = request.query_params.get("q", "").strip()[:MAX_QUERY_CHARS]
        data = self.read(views.search_view, q) if q else {"query": "", "articles": []}
        return self.render(request, "search.html", "search", data, search_query=q)

    def static_page(self, template: str) -> Callable[[Request], Response]:
        """An endpoint for a page with no data (policy, about)."""

        def endpoint(request: Request) -> Response:
            return self.templates.TemplateResponse(request, template, {})

        return endpoint

    def error(self, request: Request, exc: Exception) -> Response:
        """The 404/500 page, as JSON for a JSON twin."""
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        detail = exc.detail if isinstance(exc, HTTPException) else "Something broke on our side."
        if status == 404 and detail == "Not Found":
            detail = "There is no page at this address."
        if is_json(request):
            return JSONResponse({"error": detail, "status": status}, status_code=status)
        title = "Page not found" if status == 404 else f"Error {status}"
        context = {"status_code": status, "title": title, "message": detail}
        return self.templates.TemplateResponse(request, "error.html", context, status_code=status)


def close_on_shutdown(fetcher: Fetcher) -> Callable[[Starlette], Any]:
    """A lifespan that closes the image fetcher's connection pool when the app stops."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            fetcher.close()

    return lifespan


def healthz(request: Request) -> Response:
    """Liveness for load balancers and the demo launcher."""
    return PlainTextResponse("ok")


def create_app(db: Engine, settings: Settings) -> Starlette:
    """The Starlette app serving pages, JSON twins, feeds and the image proxy."""
    if not settings.secret_key:
        raise ValueError(
            "config: BROADSHEET_SECRET_KEY is empty; set it to a long random string "
            "(it signs image-proxy URLs) before starting the web app"
        )
    fetcher = Fetcher(
        allow_hosts=settings.allow_hosts,
        timeout=settings.fetch_timeout,
        max_bytes=settings.fetch_max_bytes,
        user_agent=settings.user_agent,
    )
    proxy = ImageProxy(
        secret_key=settings.secret_key,
        cache_dir=Path(settings.data_dir) / "images",
        fetcher=fetcher,
    )
    pages = Pages(db, Jinja2Templates(env=create_environment(proxy)), proxy)
    routes = [
        Route("/", pages.home),
        Route("/index.json", pages.home),
        Route("/a/{article_id:int}", pages.article),
        Route("/a/{article_id:int}.json", pages.article),
        Route("/c/{key:path}/feed.xml", pages.channel_feed),
        Route("/c/{key:path}.json", pages.channel),
        Route("/c/{key:path}", pages.channel),
        Route("/p/{publisher_id:int}", pages.publisher),
        Route("/p/{publisher_id:int}.json", pages.publisher),
        Route("/search", pages.search),
        Route("/search.json", pages.search),
        Route("/community-policy", pages.static_page("policy.html")),
        Route("/about", pages.static_page("about.html")),
        Route("/img", proxy.respond),
        Route("/healthz", healthz),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    app = Starlette(
        debug=settings.debug,
        routes=routes,
        middleware=[Middleware(SecurityHeaders)],
        exception_handlers={404: pages.error, 500: pages.error},
        lifespan=close_on_shutdown(fetcher),
    )
    app.state.fetcher = fetcher
    app.state.image_proxy = proxy
    return app
