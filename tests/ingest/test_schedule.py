"""Poll intervals follow how often a source publishes; errors back off; Retry-After wins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from broadsheet.ingest.schedule import DEFAULT_INTERVAL, Bounds, error_delay, poll_interval, spread

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
BOUNDS = Bounds(min_interval=300.0, max_interval=86400.0)


def _every(minutes: float, count: int) -> list[datetime]:
    return [NOW - timedelta(minutes=minutes * n) for n in range(1, count + 1)]


def test_a_busy_source_is_polled_often_and_a_slow_one_rarely() -> None:
    hourly = poll_interval(_every(60, 100), NOW, BOUNDS)
    daily = poll_interval(_every(1440, 6), NOW, BOUNDS)
    assert 1700 <= hourly <= 1900  # half the hour between its items
    assert 40_000 <= daily <= 45_000
    assert poll_interval(_every(1, 500), NOW, BOUNDS) == 300.0  # never below the bound


def test_silent_sources_are_polled_at_the_longest_interval_new_ones_at_the_default() -> None:
    assert poll_interval([], NOW, BOUNDS, has_history=True) == 86400.0
    assert poll_interval([], NOW, BOUNDS, has_history=False) == DEFAULT_INTERVAL
    old_only = [NOW - timedelta(days=30)]
    assert poll_interval(old_only, NOW, BOUNDS) == 86400.0
    assert poll_interval([NOW - timedelta(days=1)], NOW, BOUNDS) == 86400.0  # weekly at most


def test_errors_back_off_exponentially_and_retry_after_is_honoured() -> None:
    delays = [error_delay(n, 600.0, None, BOUNDS) for n in range(1, 6)]
    assert delays == [600.0, 1200.0, 2400.0, 4800.0, 9600.0]
    assert error_delay(1, 600.0, 7200.0, BOUNDS) == 7200.0
    assert error_delay(30, 600.0, None, BOUNDS) == 86400.0


def test_sources_added_together_are_spread_apart() -> None:
    spread_out = {round(spread(1800.0, source_id)) for source_id in range(50)}
    assert len(spread_out) > 40
    assert all(1620 <= s <= 1980 for s in spread_out)
