"""Polite, safe HTTP: the only module that touches the network.

Every request and every redirect hop is checked against an SSRF guard (no loopback, private,
link-local ... addresses unless allowed), robots.txt is obeyed, bodies are size- and
time-limited, and pages are decoded with the right charset.
"""

from __future__ import annotations

import codecs
import ipaddress
import re
import socket
import time
import urllib.robotparser
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from urllib.parse import urljoin, urlsplit

import charset_normalizer
import httpx

from broadsheet.models import Page

MAX_REDIRECTS = 5
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_TEXT_TYPES = ("text/", "application/xhtml", "application/xml", "application/json")
_ROBOTS_MAX_BYTES = 500_000
_DECLARED = re.compile(
    rb"""<\?xml[^>]*encoding=["']?([\w.:-]+)|<meta[^>]+charset=["']?([\w.:-]+)""", re.IGNORECASE
)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Browsers read these labels as windows-1252, which is what publishers actually send.
_LATIN1_LABELS = frozenset({"iso-8859-1", "latin-1", "latin1", "ascii", "us-ascii", "cp1252"})


class FetchError(Exception):
    """A URL could not be fetched; `reason` says why in words a person can act on."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"fetch: {url}: {reason}")
        self.url = url
        self.reason = reason


@dataclass
class _Response:
    url: str
    status: int
    content_type: str
    body: bytes
    location: str = ""


class Fetcher:
    """An HTTP client for publishers' pages, feeds and images; reuse one for many requests."""

    def __init__(
        self,
        *,
        allow_hosts: tuple[str, ...] = (),
        timeout: float = 15.0,
        max_bytes: int = 5_000_000,
        user_agent: str = "BroadsheetBot/0.1",
        obey_robots: bool = True,
    ) -> None:
        self.allow_hosts = tuple(host.strip().lower() for host in allow_hosts if host.strip())
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.user_agent = user_agent
        self.obey_robots = obey_robots
        self._robots: dict[str, urllib.robotparser.RobotFileParser] = {}
        # Redirects are followed by hand so that every hop passes the SSRF guard.
        self._client = httpx.Client(
            timeout=timeout, follow_redirects=False, headers={"User-Agent": user_agent}
        )

    def fetch_page(self, url: str) -> Page:
        """A text page (HTML, XML, feed), decoded; binary content is refused."""
        response = self._get(url, self.max_bytes)
        kind = response.content_type.split(";")[0].strip().lower()
        if not _is_text(kind, response.body):
            raise FetchError(url, f"not a text page (content type {kind or 'unknown'})")
        return Page(
            url=url,
            final_url=response.url,
            status=response.status,
            content_type=response.content_type,
            text=decode_body(response.body, response.content_type),
            fetched_at=datetime.now(UTC),
        )

    def fetch_bytes(self, url: str, accept: tuple[str, ...] = ("image/",)) -> tuple[bytes, str]:
        """The raw body and its content type, refused unless the type starts with `accept`."""
        response = self._get(url, self.max_bytes)
        kind = response.content_type.split(";")[0].strip().lower()
        if not kind.startswith(accept):
            wanted = ", ".join(accept)
            raise FetchError(url, f"content type {kind or 'unknown'} is not one of {wanted}")
        return response.body, kind

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _get(self, url: str, max_bytes: int, *, robots: bool = True) -> _Response:
        """GET with the guard, robots.txt and limits applied to the URL and every redirect."""
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            self._check_url(current)
            if robots and self.obey_robots and not self._robots_allow(current):
                raise FetchError(current, "disallowed by robots.txt")
            response = self._request(current, max_bytes)
            if response.status not in _REDIRECTS:
                if response.status >= 400:
                    raise FetchError(current, f"HTTP {response.status}")
                return response
            location = response.location
            if not location:
                raise FetchError(current, f"HTTP {response.status} redirect without a Location")
            current = urljoin(current, location)
        raise FetchError(url, f"more than {MAX_REDIRECTS} redirects")

    def _request(self, url: str, max_bytes: int) -> _Response:
        """One GET, streamed and cut off at max_bytes or after the timeout."""
        deadline = time.monotonic() + self.timeout
        try:
            with self._client.stream("GET", url) as response:
                if response.status_code in _REDIRECTS:
                    location = response.headers.get("location", "")
                    return _Response(url, response.status_code, "", b"", location)
                if response.status_code >= 400:
                    return _Response(url, response.status_code, "", b"")
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise FetchError(url, f"response larger than {max_bytes} bytes")
                body = bytearray()
                for chunk in response.iter_bytes():
                    body.extend(chunk)
                    if len(body) > max_bytes:
                        raise FetchError(url, f"response larger than {max_bytes} bytes")
                    if time.monotonic() > deadline:
                        raise FetchError(url, f"timed out after {self.timeout:g} s")
                content_type = response.headers.get("content-type", "")
                return _Response(str(response.url), response.status_code, content_type, bytes(body))
        except httpx.TimeoutException as exc:
            raise FetchError(url, f"timed out after {self.timeout:g} s") from exc
        except httpx.HTTPError as exc:
            raise FetchError(url, f"{type(exc).__name__}: {exc}") from exc

    def _check_url(self, url: str) -> None:
        """Refuse non-web schemes and hosts that resolve to internal addresses (SSRF guard)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise FetchError(url, f"refused: scheme {parts.scheme or 'missing'!r} is not http(s)")
        host = (parts.hostname or "").lower()
        if not host:
            raise FetchError(url, "refused: no host in URL")
        if host in self.allow_hosts:
            return
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, ValueError) as exc:
            raise FetchError(url, f"cannot resolve host {host}: {exc}") from exc
        # DNS rebinding: httpx resolves the name again when it connects, so a hostile DNS
        # server could answer differently then. Pinning the connection to the checked address
        # would close that gap; until then the guard stops ordinary SSRF, not a rebinding attack.
        for info in infos:
            address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
            problem = address_problem(address)
            if problem and not self._is_allowed(address):
                raise FetchError(
                    url,
                    f"refused: {address} is a {problem} address "
                    "(allow it with BROADSHEET_ALLOW_HOSTS)",
                )

    def _is_allowed(self, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        for entry in self.allow_hosts:
            try:
                if address in ipaddress.ip_network(entry, strict=False):
                    return True
            except ValueError:
                continue  # a host name, already compared before resolving
        return False

    def _robots_allow(self, url: str) -> bool:
        """Whether robots.txt of the URL's host lets our user agent fetch it (cached per host)."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            self._robots[origin] = self._load_robots(origin)
        return self._robots[origin].can_fetch(self.user_agent, url)

    def _load_robots(self, origin: str) -> urllib.robotparser.RobotFileParser:
        parser = urllib.robotparser.RobotFileParser(origin + "/robots.txt")
        try:
            response = self._get(origin + "/robots.txt", _ROBOTS_MAX_BYTES, robots=False)
            parser.parse(decode_body(response.body, response.content_type).splitlines())
        except FetchError as exc:
            # As urllib does: 401/403 forbid everything; a missing or unreachable file allows all.
            if exc.reason in ("HTTP 401", "HTTP 403"):
                parser.parse(["User-agent: *", "Disallow: /"])
            else:
                parser.parse([])
        return parser


def address_problem(address: str | ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """What makes an address unsafe to fetch from ("private", "loopback", ...; "" if public)."""
    if isinstance(address, str):
        address = ipaddress.ip_address(address)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address_problem(address.ipv4_mapped)
    checks = (
        ("loopback", address.is_loopback),
        ("unspecified", address.is_unspecified),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
        ("non-public", not address.is_global),
    )
    return next((name for name, hit in checks if hit), "")


def _is_text(kind: str, body: bytes) -> bool:
    """Text by its content type, or, when the server sent none, by the absence of NUL bytes."""
    if not kind:
        return b"\x00" not in body[:1024]
    return kind.startswith(_TEXT_TYPES) or kind.endswith(("+xml", "+json"))


def decode_body(body: bytes, content_type: str = "") -> str:
    """Text of a body: BOM, HTTP charset, in-document declaration, then detection; never fails."""
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body.decode(encoding, errors="replace")
    header = re.search(r"charset=[\"']?([\w.:-]+)", content_type, re.IGNORECASE)
    declared = _DECLARED.search(body[:4096])
    candidates = [
        header.group(1) if header else "",
        (declared.group(1) or declared.group(2)).decode("ascii") if declared else "",
    ]
    for label in candidates:
        text = _try_decode(body, label)
        if text is not None:
            return text
    best = charset_normalizer.from_bytes(body[:200_000]).best()
    encoding = best.encoding if best is not None else "utf-8"
    return body.decode(encoding, errors="replace")


def _try_decode(body: bytes, label: str) -> str | None:
    """The body decoded with `label`, or None when the label is unknown or plainly wrong."""
    try:
        name = codecs.lookup(label).name if label else ""
    except LookupError:
        return None
    if not name:
        return None
    if label.lower() in _LATIN1_LABELS or name in ("latin-1", "iso8859-1", "ascii", "cp1252"):
        if not body.isascii():
            try:
                # A single-byte label on a valid multi-byte UTF-8 body is a misconfigured server.
                return body.decode("utf-8")
            except UnicodeDecodeError:
                pass
        try:
            return body.decode("cp1252")
        except UnicodeDecodeError:
            return body.decode("latin-1")
    try:
        return body.decode(name)
    except UnicodeDecodeError:
        return None
