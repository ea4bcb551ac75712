"""robots.txt per origin (protego: wildcards, Crawl-delay), cached with an expiry."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from protego import Protego

from broadsheet.ingest.errors import FetchError

MAX_CRAWL_DELAY = 60.0  # seconds; a larger Crawl-delay would stall a source for good
_MAX_CACHED = 2000  # origins; expired entries are dropped beyond this
_DISALLOW_ALL = "User-agent: *\nDisallow: /\n"


def origin_of(url: str) -> str:
    """scheme://host[:port] of a URL, the unit robots.txt applies to."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2].lower()}"


class RobotsCache:
    """The robots.txt rules of each origin, loaded once per `ttl` seconds, shared by threads."""

    def __init__(self, agent: str, ttl: float, load: Callable[[str], str]) -> None:
        self._agent = agent  # the product token robots.txt groups are matched against
        self._ttl = ttl
        self._load = load  # robots.txt URL -> its text; raises FetchError
        self._lock = threading.Lock()
        self._rules: dict[str, tuple[float, Protego]] = {}
        self._loading: dict[str, threading.Lock] = {}

    def allows(self, url: str) -> bool:
        """Whether robots.txt lets our user agent fetch `url`."""
        return self._parser(origin_of(url)).can_fetch(url, self._agent)

    def crawl_delay(self, url: str) -> float | None:
        """The Crawl-delay robots.txt asks of us on url's origin (capped at 60 s), or None."""
        delay = self._parser(origin_of(url)).crawl_delay(self._agent)
        return None if delay is None else min(float(delay), MAX_CRAWL_DELAY)

    def _parser(self, origin: str) -> Protego:
        cached = self._cached(origin)
        if cached is not None:
            return cached
        with self._lock:
            loading = self._loading.setdefault(origin, threading.Lock())
        # One load per origin at a time: the other threads wait for it and use its result.
        with loading:
            cached = self._cached(origin)
            if cached is None:
                cached = self._fetch(origin)
                with self._lock:
                    self._store(origin, cached)
        return cached

    def _cached(self, origin: str) -> Protego | None:
        with self._lock:
            entry = self._rules.get(origin)
        if entry is None or entry[0] <= time.monotonic():
            return None
        return entry[1]

    def _store(self, origin: str, parser: Protego) -> None:
        now = time.monotonic()
        if len(self._rules) >= _MAX_CACHED:
            for stale in [key for key, (expires, _) in self._rules.items() if expires <= now]:
                del self._rules[stale]
                self._loading.pop(stale, None)
        self._rules[origin] = (now + self._ttl, parser)

    def _fetch(self, origin: str) -> Protego:
        try:
            return Protego.parse(self._load(origin + "/robots.txt"))
        except FetchError as exc:
            # 401/403 keep us out, as urllib reads them; a missing file (other 4xx) allows
            # all (RFC 9309), and so, by our choice, does a server error or no answer.
            if exc.status in (401, 403):
                return Protego.parse(_DISALLOW_ALL)
            return Protego.parse("")
