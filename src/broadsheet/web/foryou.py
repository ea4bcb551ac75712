"""For You: a reader's feed from what they follow, their home place and what is trending,
each item with the reason it is there and a link to the control that changes it.

Score of a candidate article = affinity x freshness, then one item per story and a
diversity discount per publisher:
- affinity: the strongest of its reasons: a followed story 3.0, a followed person,
  organisation, place or topic 2.0, a match of a saved search 2.0, a followed publisher
  1.5, the home place 1.5, a trending story 1.0 (scaled by how many publishers carry it, up
  to ten);
- freshness: halves every FRESH_HALF_LIFE_HOURS since publication;
- taste: what the reader's reads (+0.25 per channel of an article read) and "more / fewer
  like this" (+1 / -1) taught, summed over the article's channels s, as exp(0.2 s) within
  0.3 .. 3; a channel learned to 1.0 or more brings candidates of its own ("Because you read
  stories about ...", affinity 1.0 plus a fifth of the weight);
- each story shows once (its best article), copies never (their original stands for them);
- the n-th item of one publisher is worth PUBLISHER_DISCOUNT ** n of its score.
Muted publishers and channels never appear: a candidate from a muted source, or linked to a
muted channel, is dropped before ranking, and so is one the reader's rules hide.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from broadsheet.store import articles as article_store
from broadsheet.store import channels as channel_store
from broadsheet.store import feeds
from broadsheet.store import search as search_store
from broadsheet.store import sources as source_store
from broadsheet.web import rules, saved_search
from broadsheet.web.views import cards_for

FRESH_HALF_LIFE_HOURS = 24.0
PUBLISHER_DISCOUNT = 0.7
TRENDING_HOURS = 24
FEED_SIZE = 30
WEIGHTS = {
    "learned": 1.0,  # plus a fifth of the learned weight: up to 2.0
    "story": 3.0,
    "channel": 2.0,
    "search": 2.0,
    "source": 1.5,
    "home": 1.5,
    "trending": 1.0,
}
SEARCH_CANDIDATES = 50  # a saved search's newest matches
LEARNED_FLOOR = 1.0  # a learned weight from which a channel brings candidates of its own
LEARNED_CHANNELS = 5
TASTE_RATE, TASTE_MIN, TASTE_MAX = 0.2, 0.3, 3.0


@dataclass
class Interests:
    """What the reader follows and mutes ("channel:<key>", "source:<id>", "story:<id>")."""

    follows: list[str] = field(default_factory=list)
    mutes: list[str] = field(default_factory=list)
    home: str | None = None  # a place channel key
    rules: list[dict[str, Any]] = field(default_factory=list)  # keep/block (web/rules.py)
    affinities: dict[str, float] = field(default_factory=dict)  # learned (store/users.py)


@dataclass(frozen=True)
class Reason:
    kind: str  # a WEIGHTS key
    target: str  # what it names: a channel key, "source:<id>", "story:<id>"
    weight: float
    publishers: int = 0  # of a trending story


def for_you_view(conn: Connection, interests: Interests, now: datetime) -> dict[str, Any]:
    """The reader's feed: cards, each with `reason` {text, href}."""
    reasons = _candidates(conn, interests, now)
    rows = feeds.candidate_rows(conn, sorted(reasons))
    muted_sources = {t for t in interests.mutes if t.startswith("source:")}
    muted_channels = {
        t.removeprefix("channel:") for t in interests.mutes if t.startswith("channel:")
    }
    kept = [
        row
        for row in rows
        if row["copy_of"] is None
        and f"source:{row['source_id']}" not in muted_sources
        and not row["keys"] & muted_channels
    ]
    kept = rules.visible(kept, interests.rules, None)
    ranked = rank(kept, reasons, now, interests.affinities)
    cards = {c["id"]: c for c in cards_for(conn, [row["id"] for row, _ in ranked])}
    names = _names(conn, [reason.target for _, reason in ranked])
    items = [
        {**cards[row["id"]], "reason": _explain(reason, names)}
        for row, reason in ranked
        if row["id"] in cards
    ]
    return {
        "title": "For You",
        "personal": bool(interests.follows or interests.home),
        "articles": items,
    }


def _candidates(conn: Connection, interests: Interests, now: datetime) -> dict[int, list[Reason]]:
    found: dict[int, list[Reason]] = {}

    def add(ids: list[int], reason: Reason) -> None:
        for article_id in ids:
            found.setdefault(article_id, []).append(reason)

    for target in interests.follows:
        kind, _, rest = target.partition(":")
        if kind == "channel":
            add(feeds.under_channel(conn, rest), Reason("channel", rest, WEIGHTS["channel"]))
        elif kind == "source":
            add(feeds.from_source(conn, int(rest)), Reason("source", target, WEIGHTS["source"]))
        elif kind == "story":
            add(feeds.in_story(conn, int(rest)), Reason("story", target, WEIGHTS["story"]))
        elif kind == "search" and (params := saved_search.from_target(target)) is not None:
            q, filters, _ = saved_search.parse(params)
            hits = search_store.search(conn, q, filters, by_date=True, limit=SEARCH_CANDIDATES)
            add([hit.id for hit in hits], Reason("search", target, WEIGHTS["search"]))
    followed = {t.removeprefix("channel:") for t in interests.follows}
    learned = [(k, w) for k, w in interests.affinities.items() if w >= LEARNED_FLOOR]
    for key, weight in [(k, w) for k, w in learned if k not in followed][:LEARNED_CHANNELS]:
        reason = Reason("learned", key, WEIGHTS["learned"] + weight / 5)
        add(feeds.under_channel(conn, key), reason)
    if interests.home:
        home = Reason("home", interests.home, WEIGHTS["home"])
        add(feeds.under_channel(conn, interests.home), home)
    for story, publishers in feeds.trending(conn, now - timedelta(hours=TRENDING_HOURS)).items():
        weight = WEIGHTS["trending"] * min(1.0, math.log(1 + publishers) / math.log(11))
        add(feeds.in_story(conn, story), Reason("trending", f"story:{story}", weight, publishers))
    return found


def rank(
    rows: list[dict[str, Any]],
    reasons: dict[int, list[Reason]],
    now: datetime,
    affinities: dict[str, float] | None = None,
) -> list[tuple[dict[str, Any], Reason]]:
    """The feed's articles, best first, each with its strongest reason (see the module)."""
    scored = []
    learned = affinities or {}
    for row in rows:
        best = max(reasons[row["id"]], key=lambda r: r.weight)
        published = row["published"] or now
        hours = max(0.0, (now - published).total_seconds() / 3600)
        taste = sum(learned.get(key, 0.0) for key in row["keys"])
        factor = min(TASTE_MAX, max(TASTE_MIN, math.exp(TASTE_RATE * taste)))
        fresh = 0.5 ** (hours / FRESH_HALF_LIFE_HOURS)
        scored.append((best.weight * fresh * factor, row, best))
    scored.sort(key=lambda item: (-item[0], -item[1]["id"]))
    best_of_story: dict[object, tuple[float, dict[str, Any], Reason]] = {}
    for item in scored:
        story = item[1]["story_id"] or ("article", item[1]["id"])
        best_of_story.setdefault(story, item)
    chosen: list[tuple[dict[str, Any], Reason]] = []
    shown: dict[int | None, int] = {}
    pending = sorted(best_of_story.values(), key=lambda item: (-item[0], -item[1]["id"]))
    while pending and len(chosen) < FEED_SIZE:
        # The best after the discount of what each publisher has shown already.
        index = max(
            range(len(pending)),
            key=lambda i: (
                pending[i][0] * PUBLISHER_DISCOUNT ** shown.get(pending[i][1]["source_id"], 0)
            ),
        )
        _, row, reason = pending.pop(index)
        shown[row["source_id"]] = shown.get(row["source_id"], 0) + 1
        chosen.append((row, reason))
    return chosen


def _names(conn: Connection, targets: list[str]) -> dict[str, str]:
    keys = sorted(
        {t for t in targets if ":" in t and not t.startswith(("source:", "story:", "search:"))}
    )
    names = {
        k: channel_store.channel_name(c)
        for k, c in channel_store.channels_by_keys(conn, keys).items()
    }
    for target in targets:
        if target.startswith("source:"):
            source = source_store.get_source(conn, int(target.removeprefix("source:")))
            names[target] = source.name if source else target
        elif target.startswith("story:"):
            story = article_store.story_info(conn, int(target.removeprefix("story:")))
            names[target] = str(story["title"]) if story else "a story"
    return names


def _explain(reason: Reason, names: dict[str, str]) -> dict[str, str]:
    """The reason's words and the page holding the control that changes it."""
    name = names.get(reason.target, reason.target)
    if reason.kind == "channel":
        return {"text": f"You follow {name}", "href": f"/c/{reason.target}"}
    if reason.kind == "source":
        return {"text": f"From {name}, which you follow", "href": f"/p/{reason.target[7:]}"}
    if reason.kind == "story":
        return {"text": "A story you follow", "href": f"/s/{reason.target[6:]}"}
    if reason.kind == "learned":
        return {"text": f"Because you read stories about {name}", "href": f"/c/{reason.target}"}
    if reason.kind == "search":
        params = saved_search.from_target(reason.target) or {}
        text = f"Matches your saved search “{params.get('q', '')}”"
        return {"text": text, "href": "/search?" + saved_search.query_string(params)}
    if reason.kind == "home":
        return {"text": f"Near your home place, {name}", "href": "/settings"}
    text = f"Trending: {reason.publishers} publishers in the last day"
    return {"text": text, "href": f"/s/{reason.target[6:]}"}


TRENDING_WINDOW_HOURS = 6.0


def trending_view(conn: Connection, now: datetime) -> dict[str, Any]:
    """Stories gaining publishers and readers fastest: those of the last TRENDING_WINDOW_HOURS
    against the hours before (store/feeds.py `momentum`), each with its newest article."""
    stories = []
    for row in feeds.momentum(conn, now, TRENDING_WINDOW_HOURS):
        info = article_store.story_info(conn, row["story_id"])
        newest = cards_for(conn, feeds.in_story(conn, row["story_id"])[:1])
        if info is None or not newest:
            continue
        stories.append(
            {
                "id": row["story_id"],
                "title": info["title"],
                "articles": info["size"],
                "publishers": row["publishers"],
                "new_publishers": row["publishers"] - row["publishers_before"],
                "readers": row["readers"],
                "newest": newest[0],
            }
        )
    return {"title": "Trending", "hours": TRENDING_WINDOW_HOURS, "stories": stories}
