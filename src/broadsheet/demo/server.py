"""A real HTTP server for the sample publishers: pages, feeds, images, on a local port."""

from __future__ import annotations

import logging
import re
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

from broadsheet.demo.catalog import CONTENT_DIR, Catalog, DemoPublisher, load_catalog
from broadsheet.demo.feeds import feed_content_type, render_feed
from broadsheet.demo.images import render_article_image, render_logo
from broadsheet.demo.site import DemoSite

log = logging.getLogger(__name__)

HTML = "text/html; charset=utf-8"
PNG = "image/png"
ROBOTS_TXT = b"User-agent: *\nAllow: /\n"

Response = tuple[int, str, bytes]
_NOT_FOUND: Response = (404, "text/plain; charset=utf-8", b"Not found\n")
_ARTICLE = re.compile(r"^/([a-z0-9-]+)/([a-z0-9-]+)\.html$")
_IMAGE = re.compile(r"^/([a-z0-9-]+)/images/([a-z0-9-]+)\.png$")
_SECTION = re.compile(r"^/([a-z0-9-]+)/section/([a-z]+)/?$")
_PUBLISHER_FILE = re.compile(r"^/([a-z0-9-]+)/(|feed\.xml|logo\.png)$")


class DemoServer:
    """Serves the sample publishers over HTTP from a daemon thread; port=0 picks a free port."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        now: datetime | None = None,
        content_dir: Path = CONTENT_DIR,
    ) -> None:
        self.host = host
        self.port = port
        self.now = now or datetime.now(UTC)
        self.catalog: Catalog = load_catalog(self.now, content_dir)
        self._site: DemoSite | None = None
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Bind the port and serve in a background daemon thread."""
        if self._httpd is not None:
            return
        try:
            httpd = ThreadingHTTPServer((self.host, self.port), _make_handler(self))
        except OSError as exc:
            raise OSError(
                f"demo server: cannot listen on {self.host}:{self.port} ({exc}); "
                "choose another port (BROADSHEET_DEMO_PORT) or stop the program using it"
            ) from exc
        httpd.daemon_threads = True
        self.port = int(httpd.server_address[1])
        self._httpd = httpd
        self._site = DemoSite(self.catalog, self.base_url)
        self._thread = threading.Thread(
            target=httpd.serve_forever, name="broadsheet-demo-server", daemon=True
        )
        self._thread.start()
        log.info("demo server: serving %d publishers at %s", len(self.publishers()), self.base_url)

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> DemoServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """Where the server listens, e.g. http://127.0.0.1:8001 (known once started)."""
        if self.port == 0:
            raise RuntimeError("demo server: port 0 is picked at start(); call start() first")
        host = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host
        return f"http://{host}:{self.port}"

    def publishers(self) -> list[DemoPublisher]:
        """Every sample publisher, in catalog order."""
        return list(self.catalog.publishers)

    def feed_url(self, publisher_id: str) -> str:
        """The URL of this publisher's RSS or Atom feed."""
        return f"{self.base_url}/{self._known(publisher_id)}/feed.xml"

    def home_url(self, publisher_id: str) -> str:
        """The URL of this publisher's front page."""
        return f"{self.base_url}/{self._known(publisher_id)}/"

    def logo_url(self, publisher_id: str) -> str:
        """The URL of this publisher's logo."""
        return f"{self.base_url}/{self._known(publisher_id)}/logo.png"

    def respond(self, path: str) -> Response:
        """Status, content type and body for a GET of this path."""
        if self._site is None:
            raise RuntimeError("demo server: not started")
        route = urlsplit(path).path
        if route == "/":
            return 200, HTML, self._site.render_home().encode("utf-8")
        if route == "/robots.txt":
            return 200, "text/plain; charset=utf-8", ROBOTS_TXT
        for pattern, handler in (
            (_ARTICLE, self._article),
            (_IMAGE, self._image),
            (_SECTION, self._section),
            (_PUBLISHER_FILE, self._publisher_file),
        ):
            match = pattern.match(route)
            if match:
                return handler(match.group(1), match.group(2))
        return _NOT_FOUND

    def _known(self, publisher_id: str) -> str:
        if self.catalog.publisher(publisher_id) is None:
            raise KeyError(f"demo server: no sample publisher {publisher_id!r}")
        return publisher_id

    def _article(self, publisher_id: str, slug: str) -> Response:
        assert self._site is not None
        html = self._site.render_article(publisher_id, slug)
        return _NOT_FOUND if html is None else (200, HTML, html.encode("utf-8"))

    def _image(self, publisher_id: str, slug: str) -> Response:
        publisher = self.catalog.publisher(publisher_id)
        article = self.catalog.article(publisher_id, slug)
        if publisher is None or article is None:
            return _NOT_FOUND
        return 200, PNG, render_article_image(slug, publisher.color, article.section)

    def _section(self, publisher_id: str, section: str) -> Response:
        assert self._site is not None
        html = self._site.render_front(publisher_id, section)
        return _NOT_FOUND if html is None else (200, HTML, html.encode("utf-8"))

    def _publisher_file(self, publisher_id: str, name: str) -> Response:
        assert self._site is not None
        publisher = self.catalog.publisher(publisher_id)
        if publisher is None:
            return _NOT_FOUND
        if name == "logo.png":
            return 200, PNG, render_logo(publisher.initials, publisher.color)
        if name == "feed.xml":
            body = render_feed(
                publisher,
                self.catalog.articles_of(publisher_id),
                self._site.urls.home(publisher_id),
                self._site.urls.feed(publisher_id),
                self._site.urls.article,
            )
            return 200, feed_content_type(publisher), body
        html = self._site.render_front(publisher_id)
        return _NOT_FOUND if html is None else (200, HTML, html.encode("utf-8"))


def _make_handler(server: DemoServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "BroadsheetDemo/0.1"

        def do_GET(self) -> None:
            self._send(include_body=True)

        def do_HEAD(self) -> None:
            self._send(include_body=False)

        def _send(self, include_body: bool) -> None:
            status, content_type, body = server.respond(self.path)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "max-age=60")
            self.end_headers()
            if include_body:
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            # Quiet by default: the demo ingest makes hundreds of requests.
            log.debug("demo server: " + format, *args)

    return Handler
