"""A target's comments as the page shows them: threads, their order and pages.

- "Comments / N" counts the visible comments, replies included.
- Top-level comments come PER_PAGE at a time (?comments_page=), newest first or best first
  (?comments=best: the Wilson lower bound of the votes, ranking.py); every reply of a shown
  thread is shown, nested under its parent, oldest first so a conversation reads in order.
- The viewer sees their own held comments, marked; a removed or deleted comment stays as a
  "[removed]" / "[deleted]" placeholder while a reply under it is shown, so no thread breaks.
- body_html is the stored HTML cleaned again on the way out, as Markup: the templates print
  it as it is, and print any plain string (never cleaned) escaped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from markupsafe import Markup
from sqlalchemy import Connection

from broadsheet.community.comments import EDIT_WINDOW
from broadsheet.community.policy import RULES
from broadsheet.community.strikes import Standing
from broadsheet.community.text import clean_comment_html
from broadsheet.store import comments as store

PER_PAGE = 50
SORTS = ("newest", "best")
PLACEHOLDER = {"removed": "[removed]", "deleted": "[deleted]"}


@dataclass(frozen=True)
class CommentQuery:
    """Which comments a page shows: for whom, in which order, which page of threads."""

    viewer_id: int | None = None
    sort: str = "newest"
    page: int = 1
    now: datetime = field(default_factory=lambda: datetime.now(UTC))


def thread_view(conn: Connection, target: str, query: CommentQuery) -> dict[str, Any]:
    """The target's comment count and one page of its threads for the viewer."""
    sort: store.Sort = "best" if query.sort == "best" else "newest"
    offset = (query.page - 1) * PER_PAGE
    tops, total = store.top_level(conn, target, query.viewer_id, sort, PER_PAGE, offset)
    replies = store.replies_of(conn, [t["id"] for t in tops], query.viewer_id)
    ids = [r["id"] for r in (*tops, *replies)]
    votes: dict[int, int] = {}
    reported: set[int] = set()
    if query.viewer_id is not None:
        votes = store.my_votes(conn, query.viewer_id, ids)
        reported = store.my_reports(conn, query.viewer_id, ids)
    nodes = {r["id"]: _comment(r, query, votes, reported) for r in (*tops, *replies)}
    for row in replies:
        parent = nodes.get(row["parent_id"])
        if parent is not None:
            parent["replies"].append(nodes[row["id"]])
    shown = [node for node in (nodes[t["id"]] for t in tops) if _prune(node)]
    return {
        "target": target,
        "count": store.count_visible(conn, target),
        "sort": sort,
        "page": query.page,
        "pages": max(1, math.ceil(total / PER_PAGE)),
        "per_page": PER_PAGE,
        "threads": total,
        "comments": shown,
        # What a report can cite, for the report form.
        "rules": [{"id": r.id, "label": r.label} for r in RULES],
        # Why the viewer may not comment now ("" when they may, or are not signed in).
        "refusal": _refusal(conn, query),
    }


def _refusal(conn: Connection, query: CommentQuery) -> str:
    if query.viewer_id is None:
        return ""
    row = store.standing(conn, query.viewer_id)
    if row is None:
        return ""
    return Standing(row["suspended_until"], row["terminated_at"]).refusal(query.now)


def _prune(node: dict[str, Any]) -> bool:
    """Drop placeholder replies with nothing shown under them; True when node stays."""
    node["replies"] = [child for child in node["replies"] if _prune(child)]
    return node["status"] not in PLACEHOLDER or bool(node["replies"])


def _comment(
    row: dict[str, Any], query: CommentQuery, votes: dict[int, int], reported: set[int]
) -> dict[str, Any]:
    mine = query.viewer_id is not None and row["user_id"] == query.viewer_id
    gone = row["status"] in PLACEHOLDER
    editable = mine and not gone and row["status"] != "removed"
    until = row["created_at"] + EDIT_WINDOW
    return {
        "id": row["id"],
        "parent_id": row["parent_id"],
        "author": None if gone else row["author"],
        "body_html": Markup("") if gone else Markup(clean_comment_html(row["body_html"])),
        "placeholder": PLACEHOLDER.get(row["status"]),
        "status": row["status"],
        "held": row["status"] == "held",
        "created": row["created_at"].isoformat(),
        "edited": row["edited_at"].isoformat() if row["edited_at"] else None,
        "ups": row["ups"],
        "downs": row["downs"],
        "score": round(float(row["score"]), 4),
        "mine": mine,
        "my_vote": votes.get(row["id"], 0),
        "reported": row["id"] in reported,
        "body_md": row["body_md"] if editable else None,
        "editable_until": until.isoformat() if editable and query.now < until else None,
        "replies": [],
    }
