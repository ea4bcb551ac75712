"""Politeness towards each host: few requests in flight at once, and a gap between them."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

_MAX_TRACKED = 2000  # hosts; those with no request due any more are forgotten beyond this


class HostGate:
    """Lets at most `concurrency` requests run per host, each `delay` seconds after the last."""

    def __init__(self, concurrency: int, delay: float) -> None:
        if concurrency < 1:
            raise ValueError("host_concurrency must be at least 1")
        self.concurrency = concurrency
        self.delay = delay
        self._changed = threading.Condition()
        self._active: dict[str, int] = {}
        self._next_start: dict[str, float] = {}

    @contextmanager
    def slot(self, host: str, delay: float | None = None) -> Iterator[None]:
        """Hold one of the host's slots for the block, after its turn has come."""
        gap = self.delay if delay is None else max(self.delay, delay)
        with self._changed:
            while self._active.get(host, 0) >= self.concurrency:
                self._changed.wait()
            self._active[host] = self._active.get(host, 0) + 1
            wait = self._reserve(host, gap)
        try:
            if wait > 0:
                time.sleep(wait)
            yield
        finally:
            with self._changed:
                self._active[host] -= 1
                if not self._active[host]:
                    del self._active[host]
                self._changed.notify_all()

    def _reserve(self, host: str, gap: float) -> float:
        """Book the host's next start time; the seconds to wait for it (called locked)."""
        now = time.monotonic()
        start = max(now, self._next_start.get(host, now))
        self._next_start[host] = start + gap
        if len(self._next_start) > _MAX_TRACKED:
            for done in [key for key, due in self._next_start.items() if due <= now]:
                del self._next_start[done]
        return start - now
