"""Polite, safe HTTP: the only module that touches the network.

Every request and every redirect hop passes the SSRF guard (guard.py) and connects only to
the addresses it checked (http.py); robots.txt is obeyed (robots.py); each host gets few
requests at a time, spaced out (politeness.py); bodies are capped before and after
decompression, requests end by a wall-clock deadline, and pages are decoded with the right
charset (decode.py) once recognised as text (sniff.py).
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType

import httpcore
import httpx

from broadsheet.ingest.decode import ACCEPT_ENCODING, BodyError, charset_of, decode_body
from broadsheet.ingest.errors import FetchError
from broadsheet.ingest.guard import (
    Guard,
    Resolver,
    address_problem,
    host_of,
    parse_url,
    port_of,
    resolve_host,
)
from broadsheet.ingest.http import Pinned, RawResponse, exchange, open_pool, pinned
from broadsheet.ingest.politeness import HostGate
from broadsheet.ingest.robots import RobotsCache
from broadsheet.ingest.sniff import page_kind
from broadsheet.models import Page

__all__ = ["MAX_REDIRECTS", "FetchError", "Fetcher", "address_problem", "decode_body"]

MAX_REDIRECTS = 5
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_ROBOTS_MAX_BYTES = 500_000
_WIRE_ERRORS = (
    BodyError,
    httpcore.TimeoutException,
    httpcore.NetworkError,
    httpcore.ProtocolError,
    httpcore.UnsupportedProtocol,
)
_PAGE_ACCEPT = (
    "text/html, application/xhtml+xml, application/rss+xml, application/atom+xml, "
    "application/xml;q=0.9, text/*;q=0.8, */*;q=0.5"
)


@dataclass
class _Response:
    url: str  # the final URL, after redirects
    status: int
    headers: httpx.Headers
    body: bytes


@dataclass
class _Budget:
    """The seconds a fetch may still spend on the network, over all its redirect hops."""

    left: float

    @contextmanager
    def spend(self) -> Iterator[float]:
        """Time the block against the budget; yields its deadline (a monotonic time)."""
        started = time.monotonic()
        try:
            yield started + self.left
        finally:
            self.left -= time.monotonic() - started


class Fetcher:
    """An HTTP client for publishers' pages, feeds and images; one is shared by many threads."""

    def __init__(
        self,
        *,
        allow_hosts: tuple[str, ...] = (),
        timeout: float = 15.0,
        max_bytes: int = 5_000_000,
        user_agent: str = "BroadsheetBot/0.1",
        obey_robots: bool = True,
        connect_timeout: float = 5.0,
        contact_url: str = "",
        host_concurrency: int = 2,
        host_delay: float = 0.0,
        robots_ttl: float = 3600.0,
        resolve: Resolver = resolve_host,
    ) -> None:
        self.timeout = timeout
        self.connect_timeout = min(connect_timeout, timeout)
        self.max_bytes = max_bytes
        self.user_agent = f"{user_agent} (+{contact_url})" if contact_url else user_agent
        self.obey_robots = obey_robots
        self.allow_hosts = tuple(entry.strip().lower() for entry in allow_hosts if entry.strip())
        self._guard = Guard(allow_hosts, resolve)  # ValueError on a malformed entry
        self._gate = HostGate(host_concurrency, host_delay)
        token = user_agent.split("/")[0].strip() or user_agent
        self._robots = RobotsCache(token, robots_ttl, self._fetch_robots)
        self._pool = open_pool()

    def fetch_page(self, url: str, *, etag: str = "", last_modified: str = "") -> Page:
        """A text page (HTML, XML, feed), decoded; binary content is refused.

        With `etag` or `last_modified` the GET is conditional; an unchanged page comes back
        as a Page with status 304 and no text (Page.not_modified).
        """
        headers = self._headers(_PAGE_ACCEPT)
        if etag:
            headers.append((b"If-None-Match", etag.encode()))
        if last_modified:
            headers.append((b"If-Modified-Since", last_modified.encode()))
        response = self._get(url, headers, self.max_bytes, conditional=bool(etag or last_modified))
        content_type = response.headers.get("content-type", "")
        if response.status == 304:
            return _page(url, response, content_type, etag=etag, last_modified=last_modified)
        declared = content_type.split(";")[0].strip().lower()
        kind = page_kind(declared, response.body, charset_of(content_type))
        if kind is None:
            raise FetchError(url, f"not a text page (content type {declared or 'unknown'})")
        if kind != declared:
            # Recorded as what the bytes are, so later stages read a feed sent as text/plain.
            params = content_type.partition(";")[2].strip()
            content_type = f"{kind}; {params}" if params else kind
        return _page(url, response, content_type)

    def fetch_bytes(self, url: str, accept: tuple[str, ...] = ("image/",)) -> tuple[bytes, str]:
        """The raw body and its content type, refused unless the type starts with `accept`."""
        wanted = ", ".join(f"{kind}*" if kind.endswith("/") else kind for kind in accept)
        response = self._get(url, self._headers(wanted), self.max_bytes)
        kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if not kind.startswith(accept):
            raise FetchError(
                url, f"content type {kind or 'unknown'} is not one of {', '.join(accept)}"
            )
        return response.body, kind

    def crawl_delay(self, url: str) -> float | None:
        """The Crawl-delay robots.txt asks of us for url's host (at most 60 s), or None."""
        if not self.obey_robots:
            return None
        return self._robots.crawl_delay(str(parse_url(url)))

    def close(self) -> None:
        """Close the connection pool."""
        self._pool.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _headers(self, accept: str) -> list[tuple[bytes, bytes]]:
        return [
            (b"User-Agent", self.user_agent.encode()),
            (b"Accept", accept.encode()),
            (b"Accept-Encoding", ACCEPT_ENCODING.encode()),
        ]

    def _get(
        self,
        url: str,
        headers: list[tuple[bytes, bytes]],
        max_bytes: int,
        *,
        conditional: bool = False,
        robots: bool = True,
    ) -> _Response:
        """GET with the guard, robots.txt and limits applied to the URL and every redirect."""
        budget = _Budget(self.timeout)
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            target = parse_url(current)
            # Checked before robots.txt too: nothing at all reaches a refused host.
            addresses = self._guard.check(target)
            obey = robots and self.obey_robots
            if obey and not self._robots.allows(str(target)):
                raise FetchError(current, "disallowed by robots.txt")
            delay = self._robots.crawl_delay(str(target)) if obey else None
            answer = self._hop(target, addresses, headers, max_bytes, budget, delay)
            if answer.status not in _REDIRECTS:
                _raise_for_status(current, answer, conditional)
                return _Response(str(target), answer.status, answer.headers, answer.body)
            location = answer.headers.get("location", "")
            if not location:
                raise FetchError(current, f"HTTP {answer.status} redirect without a Location")
            current = _redirect_target(target, location)
        raise FetchError(url, f"more than {MAX_REDIRECTS} redirects")

    def _hop(
        self,
        target: httpx.URL,
        addresses: tuple[str, ...],
        headers: list[tuple[bytes, bytes]],
        max_bytes: int,
        budget: _Budget,
        delay: float | None,
    ) -> RawResponse:
        """One request, in its turn for the host, pinned to the checked addresses, on time."""
        url, host, port = str(target), host_of(target), port_of(target)
        with self._gate.slot(f"{host}:{port}", delay), budget.spend() as deadline:
            if budget.left <= 0:
                raise FetchError(url, f"timed out after {self.timeout:g} s", transient=True)
            request = Pinned(url, host, port, addresses, deadline)
            try:
                with pinned(request):
                    return exchange(
                        self._pool,
                        target,
                        headers,
                        max_bytes=max_bytes,
                        connect_timeout=self.connect_timeout,
                    )
            except _WIRE_ERRORS as exc:
                raise self._failure(url, exc) from exc

    def _failure(self, url: str, exc: Exception) -> FetchError:
        """The FetchError for what went wrong on the wire, transient when a retry may work."""
        if isinstance(exc, BodyError):
            return FetchError(url, str(exc))
        if isinstance(exc, httpcore.TimeoutException):
            return FetchError(url, f"timed out after {self.timeout:g} s", transient=True)
        cause = exc.__cause__ or exc.__context__  # httpcore wraps the socket's error
        if isinstance(cause, ssl.SSLCertVerificationError):
            why = cause.verify_message or str(cause)
            return FetchError(url, f"the TLS certificate is not valid for this host ({why})")
        if isinstance(exc, httpcore.NetworkError | httpcore.RemoteProtocolError):
            return FetchError(
                url, f"connection failed: {exc or type(exc).__name__}", transient=True
            )
        return FetchError(url, f"request could not be sent: {exc}")

    def _fetch_robots(self, robots_url: str) -> str:
        """The text of a robots.txt (FetchError if it cannot be had)."""
        response = self._get(
            robots_url, self._headers("text/plain, */*;q=0.5"), _ROBOTS_MAX_BYTES, robots=False
        )
        return decode_body(response.body, response.headers.get("content-type", ""))


def _redirect_target(origin: httpx.URL, location: str) -> str:
    """The absolute URL a Location header points to (checked like any other URL next)."""
    try:
        return str(origin.join(location.strip()))
    except httpx.InvalidURL as exc:
        raise FetchError(str(origin), f"redirect to an invalid URL {location!r}") from exc


def _raise_for_status(url: str, answer: RawResponse, conditional: bool) -> None:
    """FetchError for anything but a 2xx answer (or a 304 to a conditional GET)."""
    status = answer.status
    if 200 <= status < 300 or (status == 304 and conditional):
        return
    transient = status >= 500 or status in (408, 429)
    retry_after = None
    if status in (429, 503):
        retry_after = parse_retry_after(answer.headers.get("retry-after", ""))
    raise FetchError(
        url, f"HTTP {status}", status=status, retry_after=retry_after, transient=transient
    )


def parse_retry_after(value: str, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None if absent."""
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _page(
    url: str, response: _Response, content_type: str, *, etag: str = "", last_modified: str = ""
) -> Page:
    """The Page of a response; a 304 keeps the validators it was asked with unless renewed."""
    not_modified = response.status == 304
    return Page(
        url=url,
        final_url=response.url,
        status=response.status,
        content_type=content_type,
        text="" if not_modified else decode_body(response.body, content_type),
        fetched_at=datetime.now(UTC),
        body=b"" if not_modified else response.body,
        etag=response.headers.get("etag", "") or etag,
        last_modified=response.headers.get("last-modified", "") or last_modified,
    )
