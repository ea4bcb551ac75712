"""Moderation, the use cases: the queue moderators work, their decisions on comments and on
appeals, and the moderator role (the CLI's `broadsheet moderator add NAME`).

- The queue holds comments the automatic check or readers' reports held, and visible
  comments with open reports, oldest first; each shows the rules cited, the reporters'
  reasons, what screening found and the author's history; appeals wait beside them.
- remove (a rule required) hides the comment, closes its reports and gives its author a
  strike per the ladder (strikes.py); approve shows a held comment and closes its reports;
  dismiss closes the reports and changes nothing else.
- An appeal is decided by a moderator other than the one who removed the comment (and never
  by its author): uphold keeps the strike; overturn stops it counting, lifts what it carried
  and shows the comment again.
- Every decision is logged with the moderator, the rule and the note.
- Contributors' posts the automatic check held wait in the same queue ("posts"): approve
  publishes one (community/posts.py), remove (a rule required) refuses it for good. No strike:
  strikes count removed comments.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from broadsheet.community import posts as contributions
from broadsheet.community import strikes as ladder
from broadsheet.community.comments import CommentError, facts, parse_target, target_title
from broadsheet.community.policy import RULE_IDS, rule_label
from broadsheet.store import comments as store
from broadsheet.store import posts as post_store

ROLES = ("reader", "moderator")
QUEUE_PAGE = 50
NOTE_CHARS = 1000
ACTIONS = ("remove", "approve", "dismiss")
APPEAL_ACTIONS = ("uphold", "overturn")


def set_role(conn: Connection, name: str, role: str) -> bool:
    """Give the account of that name a role (reader, moderator); False when there is none."""
    if role not in ROLES:
        raise ValueError(f"moderation: unknown role {role!r}; roles are {', '.join(ROLES)}")
    return store.set_role(conn, name.strip().casefold(), role)


def is_moderator(conn: Connection, user_id: int) -> bool:
    """True when the account has the moderator role."""
    row = store.standing(conn, user_id)
    return row is not None and row["role"] == "moderator"


def require_moderator(conn: Connection, user_id: int | None) -> None:
    """CommentError(403) unless the reader is a moderator."""
    if user_id is None or not is_moderator(conn, user_id):
        raise CommentError(403, "Only moderators can see the moderation queue.")


def queue_view(conn: Connection, now: datetime) -> dict[str, Any]:
    """The moderation page: held and reported comments, pending appeals, the latest log."""
    rows, total = store.queue(conn, QUEUE_PAGE)
    reports = store.open_reports(conn, [r["id"] for r in rows])
    logs = store.log_entries(conn, [r["id"] for r in rows], limit=10 * len(rows) + 10)
    items = [_item(conn, row, reports, logs, now) for row in rows]
    appeals, appeals_total = store.pending_appeals(conn, QUEUE_PAGE)
    held_posts, posts_total = post_store.held(conn, QUEUE_PAGE)
    return {
        "items": items,
        "total": total,
        "more": total - len(items),
        "appeals": [_appeal(row) for row in appeals],
        "appeals_total": appeals_total,
        "appeals_more": appeals_total - len(appeals),
        "log": [_log_entry(e) for e in store.log_entries(conn, limit=30)],
        "posts": [_post_item(conn, row, now) for row in held_posts],
        "posts_total": posts_total,
        "posts_more": posts_total - len(held_posts),
    }


def _post_item(conn: Connection, row: dict[str, Any], now: datetime) -> dict[str, Any]:
    screening = row["screening"] or {}
    return {
        "id": row["id"],
        "author": row["author"],
        "title": row["title"],
        "body_md": row["body_md"],
        "images": row["images"],
        "place": row["place"]["name"] if row["place"] else None,
        "ai_assisted": row["ai_assisted"],
        "created": row["created_at"],
        "screening": {
            "score": screening.get("score", 0.0),
            "reasons": screening.get("reasons", []),
            "rule_id": screening.get("rule_id"),
            "rule": rule_label(screening.get("rule_id")) if screening.get("rule_id") else None,
        },
        "history": author_history(conn, row["user_id"], now) if row["user_id"] else None,
    }


def _item(
    conn: Connection,
    row: dict[str, Any],
    reports: list[dict[str, Any]],
    logs: list[dict[str, Any]],
    now: datetime,
) -> dict[str, Any]:
    target = parse_target(row["target"])
    screening = row["screening"] or {}
    mine = [r for r in reports if r["comment_id"] == row["id"]]
    return {
        "id": row["id"],
        "target": row["target"],
        "url": target.url if target else "/",
        "title": (target_title(conn, target) if target else None) or row["target"],
        "author": row["author"],
        "body_md": row["body_md"],
        "body_html": row["body_html"],
        "status": row["status"],
        "created": row["created_at"],
        "edited": row["edited_at"],
        "screening": {
            "score": screening.get("score", 0.0),
            "reasons": screening.get("reasons", []),
            "rule_id": screening.get("rule_id"),
            "rule": rule_label(screening.get("rule_id")) if screening.get("rule_id") else None,
        },
        "reports": [
            {
                "reporter": r["reporter"],
                "rule_id": r["rule_id"],
                "rule": rule_label(r["rule_id"]),
                "reason": r["reason"],
                "created": r["created_at"],
            }
            for r in mine
        ],
        "rules_cited": sorted({r["rule_id"] for r in mine}),
        "history": author_history(conn, row["user_id"], now) if row["user_id"] else None,
        "log": [_log_entry(e) for e in logs if e["comment_id"] == row["id"]],
    }


def author_history(conn: Connection, user_id: int, now: datetime) -> dict[str, Any]:
    """The author's record: account age, comments by status, strikes active and in all."""
    account = store.standing(conn, user_id) or {}
    given = store.strikes_of(conn, user_id)
    active = [s for s in given if ladder.is_active(facts(s), now)]
    standing = ladder.Standing(account.get("suspended_until"), account.get("terminated_at"))
    state = "terminated" if standing.terminated_at else "active"
    if state == "active" and standing.refusal(now):
        state = "suspended"
    return {
        **store.author_history(conn, user_id),
        "joined": account.get("created_at"),
        "strikes": len(given),
        "active_strikes": len(active),
        "active_rules": [rule_label(s["rule_id"]) for s in active],
        "state": state,
        "suspended_until": standing.suspended_until,
    }


def _appeal(row: dict[str, Any]) -> dict[str, Any]:
    target = parse_target(row["target"])
    return {
        "strike_id": row["id"],
        "author": row["author"],
        "rule": rule_label(row["rule_id"]),
        "level": row["level"],
        "given": row["created_at"],
        "expires": row["expires_at"],
        "appeal_text": row["appeal_text"],
        "appealed": row["appealed_at"],
        "comment": {
            "id": row["comment_id"],
            "body_md": row["body_md"],
            "status": row["status"],
            "url": target.url if target else "/",
        },
    }


def _log_entry(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": entry["id"],
        "when": entry["created_at"],
        "moderator": entry["moderator"],
        "automatic": entry["moderator"] is None,
        "action": entry["action"],
        "comment_id": entry["comment_id"],
        "strike_id": entry["strike_id"],
        "rule": rule_label(entry["rule_id"]) if entry["rule_id"] else None,
        "note": entry["note"],
    }


def decide(
    conn: Connection,
    moderator_id: int,
    comment_id: int,
    action: str,
    rule_id: str,
    note: str,
    now: datetime,
) -> str:
    """A moderator's decision on a comment (remove, approve, dismiss); what was done."""
    require_moderator(conn, moderator_id)
    comment = store.get_comment(conn, comment_id)
    if comment is None or comment["status"] not in ("visible", "held"):
        raise CommentError(409, "That comment was decided already, or deleted by its author.")
    if comment["user_id"] == moderator_id:
        raise CommentError(403, "Another moderator decides on your own comments.")
    if action not in ACTIONS:
        raise CommentError(400, "A decision is remove, approve or dismiss.")
    if action == "remove" and rule_id not in RULE_IDS:
        raise CommentError(400, "Cite the rule of the Community Policy the comment breaks.")
    note = note.strip()[:NOTE_CHARS]
    log = {"moderator_id": moderator_id, "comment_id": comment_id, "note": note}
    if action == "remove":
        return _remove(conn, comment, rule_id, log, now)
    if action == "approve":
        store.update_comment(conn, comment_id, status="visible")
        store.resolve_reports(conn, comment_id, "approved", now)
        store.log_decision(conn, action="approved", rule_id=None, created_at=now, **log)
        return f"Comment #{comment_id} is shown; its reports are closed."
    closed = store.resolve_reports(conn, comment_id, "dismissed", now)
    store.log_decision(conn, action="dismissed", rule_id=None, created_at=now, **log)
    still = " It is still held for review." if comment["status"] == "held" else ""
    return f"Dismissed {closed} report{'s' if closed != 1 else ''} of comment #{comment_id}.{still}"


def _remove(
    conn: Connection, comment: dict[str, Any], rule_id: str, log: dict[str, Any], now: datetime
) -> str:
    store.update_comment(conn, comment["id"], status="removed")
    store.resolve_reports(conn, comment["id"], "removed", now)
    strike_id = None
    outcome = ""
    author = comment["user_id"]
    if author is not None:
        given = store.strikes_of(conn, author)
        strike = ladder.new_strike([facts(s) for s in given], now)
        strike_id = store.add_strike(
            conn,
            user_id=author,
            comment_id=comment["id"],
            rule_id=rule_id,
            level=strike.level,
            created_at=strike.created_at,
            expires_at=strike.expires_at,
        )
        _restand(conn, author)
        outcome = f" {comment['author']} got {ladder.describe(strike.level)}."
    store.log_decision(
        conn, action="removed", rule_id=rule_id, strike_id=strike_id, created_at=now, **log
    )
    return f"Removed comment #{comment['id']} under {rule_label(rule_id)}.{outcome}"


def _restand(conn: Connection, user_id: int) -> None:
    """The account's suspension and termination as its strikes now say."""
    standing = ladder.standing_of(facts(s) for s in store.strikes_of(conn, user_id))
    store.set_standing(conn, user_id, standing.suspended_until, standing.terminated_at)


def decide_post(
    conn: Connection,
    moderator_id: int,
    post_id: int,
    decision: tuple[str, str, str],
    now: datetime,
    base_url: str,
) -> str:
    """A moderator's decision (action, rule, note) on a held post: approve publishes it,
    remove refuses it; what was done."""
    action, rule_id, note = decision
    require_moderator(conn, moderator_id)
    post = post_store.get_post(conn, post_id)
    if post is None or post["status"] != "held":
        raise CommentError(409, "That post was decided already, or there is none.")
    if post["user_id"] == moderator_id:
        raise CommentError(403, "Another moderator decides on your own posts.")
    if action not in ("approve", "remove"):
        raise CommentError(400, "A decision on a post is approve or remove.")
    if action == "remove" and rule_id not in RULE_IDS:
        raise CommentError(400, "Cite the rule of the Community Policy the post breaks.")
    post_store.update_post(conn, post_id, decided_at=now, decided_by=moderator_id)
    text = f"Post #{post_id}: {note.strip()[:NOTE_CHARS]}".rstrip(": ")
    log = {"moderator_id": moderator_id, "note": text, "created_at": now}
    if action == "approve":
        article_id = contributions.publish(conn, post_id, now, base_url)
        store.log_decision(conn, action="approved", rule_id=None, **log)
        return f"Post #{post_id} is published as article #{article_id}."
    post_store.update_post(conn, post_id, status="removed")
    store.log_decision(conn, action="removed", rule_id=rule_id, **log)
    return f"Removed post #{post_id} under {rule_label(rule_id)}."


def decide_appeal(
    conn: Connection, moderator_id: int, strike_id: int, action: str, note: str, now: datetime
) -> str:
    """A moderator's decision on an appealed strike (uphold, overturn); what was done."""
    require_moderator(conn, moderator_id)
    strike = store.get_strike(conn, strike_id)
    if strike is None or strike["appeal_state"] != "pending":
        raise CommentError(409, "That appeal was decided already, or there is none.")
    if strike["user_id"] == moderator_id:
        raise CommentError(403, "Another moderator decides on your own appeal.")
    if store.removal_of(conn, strike_id) == moderator_id:
        raise CommentError(403, "A moderator other than the one who removed it decides.")
    if action not in APPEAL_ACTIONS:
        raise CommentError(400, "An appeal is upheld or overturned.")
    state = "overturned" if action == "overturn" else "upheld"
    store.update_strike(
        conn, strike_id, appeal_state=state, decided_at=now, decided_by=moderator_id
    )
    if state == "overturned":
        comment = store.get_comment(conn, strike["comment_id"])
        if comment is not None and comment["status"] == "removed":
            store.update_comment(conn, comment["id"], status="visible")
        _restand(conn, strike["user_id"])
    store.log_decision(
        conn,
        moderator_id=moderator_id,
        comment_id=strike["comment_id"],
        strike_id=strike_id,
        action=state,
        rule_id=strike["rule_id"],
        note=note.strip()[:NOTE_CHARS],
        created_at=now,
    )
    if state == "overturned":
        return f"Strike #{strike_id} is overturned: it no longer counts; the comment is back."
    return f"Strike #{strike_id} is upheld."
