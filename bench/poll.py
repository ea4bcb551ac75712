"""Adaptive polling against a fixed 15-minute poll: requests spent, and how fast items are found.

2,000 simulated feeds on one loopback server publish at varied rates (log-uniform from one item
per 5 minutes to one per 3 days, and a tenth silent) on a simulated clock that the server and the
pipeline share. After a week of history, every source is polled once at t0 (so its rate is
learned); then the clock steps 30 s at a time through one hour and the due sources are polled
(`due_sources` + `discover_entries`, eight threads). A fixed 15-minute poller is computed on the
same clock steps and the same publication times. Prints one JSON line.

    .venv/bin/python bench/poll.py [--sources 2000] [--threads 8]
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
import json
import math
import random
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sqlalchemy import select

from broadsheet.config import load_settings
from broadsheet.pipeline import Context, PollReport, add_source, discover_entries, make_context
from broadsheet.store import open_database
from broadsheet.store.schema import entries
from broadsheet.store.sources import due_sources

T0 = datetime(2026, 11, 30, 12, tzinfo=UTC)
HOUR = 3600
STEP = 30
FIXED_INTERVAL = 900
HISTORY = timedelta(days=7)
FEED_ITEMS = 20  # a feed lists its newest 20 items, as most do
FASTEST, SLOWEST = 300.0, 3 * 86400.0  # mean seconds between items
SILENT_SHARE = 0.1


class SimClock:
    """The simulated time, shared by the feed server and the pipeline (thread-safe reads)."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def publication_times(rng: random.Random, count: int, end: datetime) -> list[list[datetime]]:
    """Per source, sorted publication times over the history week and the simulated hour."""
    start = T0 - HISTORY
    span = (end - start).total_seconds()
    sources: list[list[datetime]] = []
    for _ in range(count):
        if rng.random() < SILENT_SHARE:
            sources.append([T0 - timedelta(days=40), T0 - timedelta(days=30)])
            continue
        gap = math.exp(rng.uniform(math.log(FASTEST), math.log(SLOWEST)))
        moments, at = [], rng.expovariate(1 / gap)
        while at < span:
            moments.append(start + timedelta(seconds=int(at)))
            at += rng.expovariate(1 / gap)
        sources.append(moments)
    return sources


@dataclass
class FeedFarm:
    """One server answering /feed/<n> with the items published by the simulated now."""

    clock: SimClock
    times: list[list[datetime]]
    base: str = ""
    hits: list[tuple[datetime, int, int]] = field(default_factory=list)  # (sim time, status, n)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def visible(self, n: int) -> list[int]:
        """Indexes of source n's published items, newest first, as many as the feed lists."""
        shown = bisect.bisect_right(self.times[n], self.clock())
        return list(range(shown - 1, max(-1, shown - 1 - FEED_ITEMS), -1))

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        """Serve a feed (304 when the newest item is the one the client has), else 404."""
        parts = handler.path.strip("/").split("/")
        if len(parts) != 2 or parts[0] != "feed" or not parts[1].isdigit():
            return self._send(handler, 404, b"not found", "text/plain", {})
        n = int(parts[1])
        shown = self.visible(n)
        etag = '"' + hashlib.sha1(f"{n}:{shown[:1]}".encode()).hexdigest()[:16] + '"'
        with self.lock:
            status = 304 if handler.headers.get("If-None-Match") == etag else 200
            self.hits.append((self.clock(), status, n))
        body = b"" if status == 304 else self.render(n, shown).encode("utf-8")
        return self._send(handler, status, body, "application/rss+xml", {"ETag": etag})

    def render(self, n: int, shown: list[int]) -> str:
        """The RSS of source n listing the given items."""
        items = "".join(
            f"<item><title>Item {k} of feed {n}</title><link>{self.base}/item/{n}/{k}</link>"
            f"<guid>{self.base}/item/{n}/{k}</guid>"
            f"<pubDate>{format_datetime(self.times[n][k])}</pubDate></item>"
            for k in shown
        )
        return (
            "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
            f"<title>Feed {n}</title><link>{self.base}/</link>{items}</channel></rss>"
        )

    @staticmethod
    def _send(
        handler: BaseHTTPRequestHandler, status: int, body: bytes, kind: str, headers: dict
    ) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", kind)
        handler.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(body)


def serve(farm: FeedFarm) -> ThreadingHTTPServer:
    """Start the farm's server on a free loopback port."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            farm.answer(self)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    farm.base = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def poll_due(ctx: Context, pool: ThreadPoolExecutor) -> list[PollReport]:
    """One clock step: poll every due source."""
    with ctx.engine.connect() as conn:
        due = due_sources(conn, ctx.clock())
    return list(pool.map(lambda source_id: discover_entries(ctx, source_id), due))


def simulate(ctx: Context, clock: SimClock, ids: list[int], threads: int) -> dict[str, Any]:
    """The seed poll at t0, then the hour in steps (and 15 minutes more to time late finds)."""
    reports: list[PollReport] = []
    with ThreadPoolExecutor(threads) as pool:
        clock.now = T0
        reports += pool.map(lambda source_id: discover_entries(ctx, source_id), ids)
        for step in range(1, (HOUR + FIXED_INTERVAL) // STEP):
            clock.now = T0 + timedelta(seconds=step * STEP)
            done = poll_due(ctx, pool)
            # Polls after the hour only time the items published late in it; not counted.
            reports += done if step * STEP < HOUR else []
    failed = [r for r in reports if r.status in ("failed", "paused")]
    return {"poll_failures": len(failed), "failure_sample": [r.error[:200] for r in failed[:3]]}


def found_delays(ctx: Context, farm: FeedFarm, ids: list[int]) -> dict[tuple[int, int], float]:
    """Seconds from publication to discovery, per (feed, item), for what the pipeline found."""
    source_of = {source_id: n for n, source_id in enumerate(ids)}
    delays: dict[tuple[int, int], float] = {}
    with ctx.engine.connect() as conn:
        rows = conn.execute(select(entries.c.source_id, entries.c.url, entries.c.discovered_at))
        for source_id, url, discovered in rows:
            n, k = (int(part) for part in url.rsplit("/", 2)[-2:])
            assert n == source_of[source_id], f"poll bench: {url} recorded for the wrong source"
            found = discovered.replace(tzinfo=UTC) if discovered.tzinfo is None else discovered
            delays[(n, k)] = (found - farm.times[n][k]).total_seconds()
    return delays


def hour_items(times: list[list[datetime]]) -> list[tuple[int, int]]:
    """(feed, item) of every item published during the simulated hour."""
    end = T0 + timedelta(seconds=HOUR)
    return [(n, k) for n, ts in enumerate(times) for k, t in enumerate(ts) if T0 <= t < end]


def fixed_poll(times: list[list[datetime]]) -> dict[str, Any]:
    """The fixed 15-minute poller on the same clock steps: requests, 304s, discovery delays."""
    polls = [T0 + timedelta(seconds=s) for s in range(0, HOUR + FIXED_INTERVAL, FIXED_INTERVAL)]
    in_hour = [p for p in polls if p < T0 + timedelta(seconds=HOUR)]
    requests = not_modified = 0
    for ts in times:
        for i, at in enumerate(in_hour):
            requests += 1
            if i and bisect.bisect_right(ts, at) == bisect.bisect_right(ts, in_hour[i - 1]):
                not_modified += 1
    delays = []
    for n, k in hour_items(times):
        found = polls[bisect.bisect_left(polls, times[n][k])]
        delays.append((found - times[n][k]).total_seconds())
    return {"requests": requests, "not_modified": not_modified, "delays": delays}


def summary(delays: list[float], items: int) -> dict[str, Any]:
    """Share found within one fixed interval, and the median and worst delay (seconds)."""
    ordered = sorted(delays)
    return {
        "found_within_interval": round(sum(d <= FIXED_INTERVAL for d in delays) / items, 4),
        "median_delay_s": ordered[len(ordered) // 2] if ordered else None,
        "max_delay_s": ordered[-1] if ordered else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    clock = SimClock(T0 - timedelta(days=1))
    times = publication_times(random.Random(args.seed), args.sources, T0 + timedelta(hours=2))
    farm = FeedFarm(clock, times)
    server = serve(farm)
    settings = load_settings(
        environ={},
        allow_hosts=("127.0.0.1",),
        host_delay=0.0,
        host_concurrency=args.threads,
        enrich=False,
    )
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="broadsheet-poll-") as tmp:
        ctx = make_context(settings, open_database(f"sqlite:///{Path(tmp) / 'poll.db'}"))
        ctx.clock = clock
        ids = register(ctx, farm, args.sources)
        farm.hits.clear()
        outcome = simulate(ctx, clock, ids, args.threads)
        delays = found_delays(ctx, farm, ids)
        ctx.fetcher.close()
        ctx.engine.dispose()
    server.shutdown()
    print(json.dumps(report(farm, times, delays, outcome, time.perf_counter() - started)))


def register(ctx: Context, farm: FeedFarm, count: int) -> list[int]:
    """Add every feed as a source (add_source reads each feed once, before t0)."""
    return [add_source(ctx, f"{farm.base}/feed/{n}", f"Feed {n}").ids[0] for n in range(count)]


def report(
    farm: FeedFarm,
    times: list[list[datetime]],
    delays: dict[tuple[int, int], float],
    outcome: dict[str, Any],
    seconds: float,
) -> dict[str, Any]:
    """The JSON record: adaptive against fixed, on the same hour."""
    end = T0 + timedelta(seconds=HOUR)
    hour_hits = [status for at, status, _n in farm.hits if T0 <= at < end]
    silent = {n for n, ts in enumerate(times) if not ts or ts[-1] < T0 - HISTORY}
    silent_hits = sum(1 for at, _s, n in farm.hits if T0 <= at < end and n in silent)
    items = hour_items(times)
    ours = summary([delays[item] for item in items if item in delays], len(items))
    fixed = fixed_poll(times)
    theirs = summary(fixed["delays"], len(items))
    return {
        "benchmark": "poll",
        "sources": len(times),
        "simulated_s": HOUR,
        "step_s": STEP,
        "requests": len(hour_hits),
        "fixed_requests": fixed["requests"],
        "request_ratio": round(len(hour_hits) / fixed["requests"], 3),
        "not_modified_share": round(hour_hits.count(304) / max(1, len(hour_hits)), 4),
        "fixed_not_modified_share": round(fixed["not_modified"] / fixed["requests"], 4),
        "items_in_hour": len(items),
        "found_within_interval": ours["found_within_interval"],
        "fixed_found_within_interval": theirs["found_within_interval"],
        "not_found_by_end": sum(1 for item in items if item not in delays),
        "median_delay_s": ours["median_delay_s"],
        "fixed_median_delay_s": theirs["median_delay_s"],
        "max_delay_s": ours["max_delay_s"],
        "silent_sources": len(silent),
        "silent_source_requests": silent_hits,
        **outcome,
        "real_seconds": round(seconds, 1),
    }


if __name__ == "__main__":
    main()
