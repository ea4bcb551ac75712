"""When to poll a source next: learned from how often it publishes, backed off on errors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

RATE_WINDOW = timedelta(days=7)
# A source unheard of polls at this interval until it has a publishing history.
DEFAULT_INTERVAL = 1800.0
# The longest a server may ask us to stay away with Retry-After.
MAX_RETRY_AFTER = 86400.0


@dataclass(frozen=True)
class Bounds:
    """The shortest and longest poll intervals, in seconds (from settings)."""

    min_interval: float
    max_interval: float

    def clamp(self, seconds: float) -> float:
        """Seconds within the bounds."""
        return max(self.min_interval, min(self.max_interval, seconds))


def mean_gap(published: list[datetime], now: datetime) -> float | None:
    """Average seconds between the source's items over the rate window (None: no item in it).

    One item in the window says the source publishes about once a window at most.
    """
    recent = sorted(p for p in published if now - RATE_WINDOW <= p <= now)
    if not recent:
        return None
    if len(recent) == 1:
        return RATE_WINDOW.total_seconds()
    return (now - recent[0]).total_seconds() / len(recent)


def poll_interval(
    published: list[datetime], now: datetime, bounds: Bounds, *, has_history: bool = True
) -> float:
    """The interval for a healthy source: half its mean gap between items, within bounds.

    Polling twice per expected gap finds a new item within half a gap on average, while a
    source that publishes weekly is not asked every few minutes. A source silent for the whole
    window is polled at the longest interval; one never polled before at the default.
    """
    gap = mean_gap(published, now)
    if gap is None:
        return bounds.clamp(bounds.max_interval if has_history else DEFAULT_INTERVAL)
    return bounds.clamp(gap / 2)


def error_delay(failures: int, interval: float, retry_after: float | None, bounds: Bounds) -> float:
    """Seconds to wait after the n-th consecutive failure: exponential, Retry-After honoured."""
    backoff = bounds.clamp(interval * 2 ** max(0, failures - 1))
    if retry_after is not None:
        backoff = max(backoff, min(retry_after, MAX_RETRY_AFTER))
    return backoff


def spread(seconds: float, source_id: int) -> float:
    """The interval nudged by up to ±10% per source, so sources added at once poll apart."""
    nudge = ((source_id * 2654435761) % 1000) / 1000 - 0.5  # deterministic, in [-0.5, 0.5)
    return seconds * (1 + nudge / 5)
