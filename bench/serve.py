"""Pages served under load at 100k stored articles, beside a bare endpoint; one JSON line.

Usage: python bench/serve.py [--articles 100000] [--seconds 10] [--connections 50]
Needs wrk (`apt-get install wrk`).

Corpus (synthetic scale-up, no models run): `--articles` articles from 40 sample publishers
over 60 days, in stories of 1 to 5, each with a headline of 8 and a text of 120 words drawn
from a made-up vocabulary of 600 syllable words (Zipf), a random unit embedding, a section,
and 2 to 5 of 3,000 channels (people, topics, and places with coordinates around four
cities; Zipf), inserted in bulk into a fresh SQLite database with the app's own schema (the
FTS index fills through its triggers). Channel co-occurrence is counted as store time would
count it, and the related lists of the articles the load asks for are ranked as store time
ranks them (pipeline/related.py); every other list is due, as after a migration.

Load: the web app (create_app, as `broadsheet serve` runs it: one uvicorn process, its page
cache at the defaults) and a bare Starlette endpoint returning the bytes of one article page
from memory (another uvicorn process, same settings) are driven by `wrk -t2 -c<connections>
-d<seconds>s` on loopback, one page at a time, each over 200 different paths where it has
them (articles, channels, search words; For You as one signed-in reader following five
channels and two publishers). Before each page's run every path is asked for once, as the
readers of a running site have asked for them. `pages` are what readers get (anonymous
readers from the shared copies, the signed-in reader from their own: web/pagecache.py);
`pages_uncached` are the same loads on a second app process with the page cache off, that is
the cost of rendering each page. Reported per page: requests/s and p50/p99 latency from wrk's
own distribution; the bars (issue 8): article and channel pages at least 0.4 of the bare
endpoint's requests/s, p99 under 100 ms on every page. `article_parts_filled`: the oldest
article's page, with 100k newer articles stored, still has related articles, people,
hashtags, "you may also like" and its story.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import uvicorn
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import insert
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from broadsheet.config import load_settings
from broadsheet.models import SECTIONS
from broadsheet.pipeline import related
from broadsheet.store import open_database, write_transaction
from broadsheet.store.schema import (
    article_channels,
    articles,
    channel_pairs,
    channels,
    follows,
    sources,
    stories,
    users,
)
from broadsheet.web.app import create_app

START = datetime(2026, 9, 1, tzinfo=UTC)
SECRET = "serve-bench-secret"
PUBLISHERS, CHANNELS, WORDS, PATHS = 40, 3000, 600, 200
CITIES = [(41.85, -87.65), (47.61, -122.33), (51.51, -0.13), (39.90, 116.40)]


def vocabulary(rng: random.Random) -> list[str]:
    syllables = ["ba", "lo", "ki", "tem", "ra", "vu", "sen", "dor", "mi", "pal", "go", "tre"]
    words: set[str] = set()
    while len(words) < WORDS:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 3))))
    return sorted(words)


def zipf_weights(n: int) -> list[float]:
    return [1 / (i + 1) for i in range(n)]


def build(db: str, count: int, rng: random.Random) -> dict[str, Any]:
    """The corpus in a fresh database; what the load needs to ask for."""
    engine = open_database(f"sqlite:///{db}")
    words = vocabulary(rng)
    word_w = zipf_weights(len(words))
    keys: list[str] = []
    channel_rows: list[dict[str, Any]] = []
    for i in range(CHANNELS):
        if i % 3 == 0:
            key = f"person:person-{i}"
            channel_rows.append({"key": key, "name": f"Person {i}", "kind": "person"})
        elif i % 3 == 1:
            lat, lon = CITIES[i % len(CITIES)]
            key = f"place:{900000 + i}"
            channel_rows.append(
                {
                    "key": key,
                    "name": f"Town {i}",
                    "kind": "city",
                    "geonameid": 900000 + i,
                    "lat": lat + rng.uniform(-1, 1),
                    "lon": lon + rng.uniform(-1, 1),
                    "country": "US",
                    "admin1": "IL",
                }
            )
        else:
            key = f"org:org-{i}"
            channel_rows.append({"key": key, "name": f"Organisation {i}", "kind": "org"})
        keys.append(key)
    channel_rows += [{"key": f"topic:{x}", "name": x.title(), "kind": "topic"} for x in SECTIONS]
    key_w = zipf_weights(len(keys))
    article_rows: list[dict[str, Any]] = []
    link_rows: list[dict[str, Any]] = []
    story_rows: list[dict[str, Any]] = []
    pairs: Counter[tuple[str, str]] = Counter()
    n = 0
    while n < count:
        story = len(story_rows) + 1
        day = START + timedelta(days=rng.randrange(60))
        story_rows.append(
            {"id": story, "title": f"Story {story}", "created_at": day, "updated_at": day}
        )
        shared = rng.choices(keys, weights=key_w)[0]
        section = rng.choice(SECTIONS)
        for _ in range(min(rng.randint(1, 5), count - n)):
            n += 1
            named = sorted({shared, *rng.choices(keys, weights=key_w, k=rng.randint(1, 4))})
            article_rows.append(
                {
                    "id": n,
                    "source_id": rng.randrange(PUBLISHERS) + 1,
                    "url": f"http://127.0.0.1/a/{n}",
                    "canonical_url": f"http://127.0.0.1/a/{n}",
                    "title": " ".join(rng.choices(words, weights=word_w, k=8)).capitalize(),
                    "published": day + timedelta(seconds=rng.uniform(0, 86400)),
                    "fetched_at": day,
                    "text": " ".join(rng.choices(words, weights=word_w, k=120)),
                    "images": [],
                    "section": section,
                    "labels": [],
                    "hashtags": [],
                    "story_id": story,
                }
            )
            article_rows[-1]["keys"] = [*named, f"topic:{section}"]
    # Ids in publication order, as ingestion gives them; random unit embeddings.
    article_rows.sort(key=lambda row: row["published"])
    vectors = np.random.default_rng(rng.randrange(2**32)).normal(size=(count, 384))
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    names = {row["key"]: row["name"] for row in channel_rows}
    for number, row in enumerate(article_rows, start=1):
        row["id"], row["url"], row["canonical_url"] = number, *[f"http://127.0.0.1/a/{number}"] * 2
        leading = row.pop("keys")
        row["embedding"] = vectors[number - 1].tobytes()
        row["hashtags"] = [names[k] for k in leading if not k.startswith("topic:")]
        link_rows += [
            _link(number, key, "topic" if key.startswith("topic:") else "entity", p)
            for p, key in enumerate(leading)
        ]
        pairs.update((a, b) for a in leading for b in leading)
    with write_transaction(engine) as conn:
        conn.execute(
            insert(sources),
            [
                {
                    "id": p + 1,
                    "name": f"Sample publisher {p}",
                    "feed_url": f"http://127.0.0.1/{p}",
                    "created_at": START,
                }
                for p in range(PUBLISHERS)
            ],
        )
        conn.execute(insert(channels), channel_rows)
        conn.execute(insert(stories), story_rows)
        for rows, table in ((article_rows, articles), (link_rows, article_channels)):
            for start in range(0, len(rows), 5000):
                conn.execute(insert(table), rows[start : start + 5000])
        conn.execute(
            insert(channel_pairs),
            [{"key": a, "other_key": b, "articles": c} for (a, b), c in pairs.items()],
        )
        conn.execute(insert(users).values(id=1, name="reader", password_hash="-", created_at=START))
        targets = [f"channel:{k}" for k in keys[:5]] + ["source:1", "source:2"]
        conn.execute(
            insert(follows), [{"user_id": 1, "target": t, "created_at": START} for t in targets]
        )
    ids = [1, *rng.sample(range(2, count + 1), PATHS - 1)]
    with write_transaction(engine) as conn:
        for article_id in ids:
            related.store(conn, article_id, START + timedelta(days=60))
    engine.dispose()
    return {
        "articles": [f"/a/{i}" for i in ids],
        "channels": [f"/c/{k}" for k in keys[:PATHS]],
        "search": [f"/search?q={w}" for w in words[:PATHS]],
    }


def _link(article_id: int, key: str, role: str, position: int) -> dict[str, Any]:
    return {
        "article_id": article_id,
        "channel_key": key,
        "role": role,
        "position": position,
        "salience": 1.0 - position / 10,
        "name": key,
        "kind": key.split(":")[0],
        "mentions": [],
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve_app(db: str, data_dir: str, port: int, cache_seconds: float | None) -> None:
    """The app as `broadsheet serve` runs it; cache_seconds None keeps the default page cache."""
    cache = {} if cache_seconds is None else {"page_cache_seconds": cache_seconds}
    settings = load_settings(environ={}, data_dir=Path(data_dir), secret_key=SECRET, **cache)
    engine = open_database(f"sqlite:///{db}")
    uvicorn.run(create_app(engine, settings), host="127.0.0.1", port=port, log_level="warning")


def serve_bare(body: bytes, port: int) -> None:
    async def page(request: Request) -> Response:
        return Response(body, media_type="text/html; charset=utf-8")

    app = Starlette(routes=[Route("/a/{n}", page)])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def start(target: Any, *args: Any) -> Any:
    process = multiprocessing.get_context("spawn").Process(target=target, args=args, daemon=True)
    process.start()
    return process


def wait_up(url: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=5).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"serve: {url} did not come up")


def wrk(
    base: str, paths: list[str], seconds: int, connections: int, cookie: str = ""
) -> dict[str, float]:
    """Requests/s and p50/p99 ms of wrk over the paths, round robin."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        quoted = ",".join(json.dumps(p) for p in paths)
        header = f'wrk.headers["Cookie"] = {json.dumps(cookie)}\n' if cookie else ""
        script.write(
            f"{header}paths = {{{quoted}}}\ncounter = 0\n"
            "request = function()\n  counter = counter + 1\n"
            "  return wrk.format('GET', paths[(counter % #paths) + 1])\nend\n"
        )
    out = subprocess.run(
        [
            "wrk",
            "--timeout",
            "10s",
            f"-t{min(2, connections)}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            script.name,
            base,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    Path(script.name).unlink()
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    timeouts = re.search(r"timeout (\d+)", out)
    return {
        "rps": round(float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), 1),  # type: ignore[union-attr]
        "p50_ms": _ms(out, "50%"),
        "p99_ms": _ms(out, "99%"),
        "errors": int(errors.group(1)) if errors else 0,
        "timeouts": int(timeouts.group(1)) if timeouts else 0,
    }


def warm(base: str, paths: list[str], cookie: str) -> None:
    """Ask for each path once, as readers of a running site have: the copies exist."""
    headers = {"cookie": cookie} if cookie else {}
    with httpx.Client(base_url=base, timeout=60, headers=headers) as client:
        for path in paths:
            client.get(path)


def _ms(out: str, percentile: str) -> float:
    value, unit = re.search(rf"{percentile}\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    return round(float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit], 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("serve: wrk is missing; install it with `apt-get install wrk`")
    rng = random.Random(args.seed)
    cache = load_settings(environ={})
    with tempfile.TemporaryDirectory() as tmp:
        db = f"{tmp}/serve.db"
        built = time.perf_counter()
        paths = build(db, args.articles, rng)
        build_seconds = round(time.perf_counter() - built, 1)
        app_port, bare_port, uncached_port = free_port(), free_port(), free_port()
        app = start(serve_app, db, tmp, app_port, None)
        uncached = start(serve_app, db, tmp, uncached_port, 0.0)
        base, uncached_base = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{uncached_port}"
        for up in (base, uncached_base):
            wait_up(up + "/healthz")
            httpx.get(up + "/local?q=a", timeout=300)  # Local's place finder is built: idle
        oldest = httpx.get(base + "/a/1.json", timeout=30).json()
        filled = all(
            oldest[k]
            for k in ("related", "related_people", "hashtags", "you_may_also_like", "story")
        )
        body = httpx.get(base + paths["articles"][1], timeout=30).content
        bare = start(serve_bare, body, bare_port)
        wait_up(f"http://127.0.0.1:{bare_port}/a/1")
        cookie = "bs_session=" + URLSafeTimedSerializer(SECRET, salt="session").dumps([1, 0])
        try:
            load = {
                "home": (["/"], ""),
                "article": (paths["articles"], ""),
                "channel": (paths["channels"], ""),
                "search": (paths["search"], ""),
                "for_you": (["/foryou"], cookie),
            }
            pages, pages_uncached = {}, {}
            for name, (asked, with_cookie) in load.items():
                warm(base, asked, with_cookie)
                pages[name] = wrk(base, asked, args.seconds, args.connections, with_cookie)
                pages_uncached[name] = wrk(
                    uncached_base, asked, args.seconds, args.connections, with_cookie
                )
            bare_rps = wrk(
                f"http://127.0.0.1:{bare_port}", ["/a/1"], args.seconds, args.connections
            )["rps"]
        finally:
            for process in (app, uncached, bare):
                process.terminate()
    print(
        json.dumps(
            {
                "benchmark": "serve",
                "articles": args.articles,
                "connections": args.connections,
                "pages": pages,
                "bare_rps": bare_rps,
                "page_cache": {
                    "fresh_seconds": cache.page_cache_seconds,
                    "stale_seconds": cache.page_cache_stale_seconds,
                },
                "pages_uncached": pages_uncached,
                "uncached_article_ratio": round(pages_uncached["article"]["rps"] / bare_rps, 3),
                "article_ratio": round(pages["article"]["rps"] / bare_rps, 3),
                "channel_ratio": round(pages["channel"]["rps"] / bare_rps, 3),
                "article_parts_filled": filled,
                "build_seconds": build_seconds,
            }
        )
    )


if __name__ == "__main__":
    main()
