"""Readers' comments, the use cases: post or reply, edit, delete, report, vote, appeal a
strike. The web app calls them in a write transaction; each refuses with a CommentError that
says what happened and what to do.

- A comment is on a target: "article:<id>", "story:<id>" or "post:<id>" (a contributor's
  published post, on its article's page; TARGET_KINDS, with its existence check in _EXISTS).
- The automatic first pass (screening.py) holds doubtful comments for a moderator; a held
  comment is shown to its author only, marked "held for review", and the hold is logged.
- Rate limits count the author's rows in the database, so they hold across processes:
  NEW_ACCOUNT_LIMIT for accounts younger than a day, MINUTE_LIMIT and HOUR_LIMIT for all.
- Edits are open for EDIT_WINDOW after posting and are screened again. Deleting keeps the
  thread: a deleted comment with replies shows "[deleted]", its text is erased.
- A comment reported by AUTO_HOLD_REPORTS readers is held until a moderator decides.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from broadsheet.community import strikes as ladder
from broadsheet.community.policy import RULE_IDS
from broadsheet.community.screening import NEW_ACCOUNT_DAYS, Screening, screen
from broadsheet.community.text import CommentTextError, normal_text, render_comment
from broadsheet.store import articles as article_store
from broadsheet.store import comments as store
from broadsheet.store import stories as story_store

TARGET_KINDS = ("article", "story", "post")
TARGET_PAGES = {"article": "/a/", "story": "/s/", "post": "/posts/"}  # /posts/<id>: its article
MAX_ID = 2**63 - 1
EDIT_WINDOW = timedelta(minutes=15)
NEW_ACCOUNT_LIMIT = (3, timedelta(minutes=10))
MINUTE_LIMIT = (5, timedelta(minutes=1))
HOUR_LIMIT = (60, timedelta(hours=1))
REPORT_LIMIT = (20, timedelta(hours=1))
VOTE_LIMIT = (60, timedelta(minutes=1))
AUTO_HOLD_REPORTS = 3
REASON_CHARS = 500
RECENT = timedelta(days=1)  # the author's texts a new comment is compared with


class CommentError(Exception):
    """A comment action refused: the HTTP status and what to tell the reader."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Target:
    """What a comment is on: an article, a story or a contributor's post."""

    kind: str
    id: int

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}"

    @property
    def url(self) -> str:
        """The page the comments are on."""
        return TARGET_PAGES.get(self.kind, "/") + str(self.id)


def parse_target(raw: object) -> Target | None:
    """The target named "article:<id>", "story:<id>" or "post:<id>", or None."""
    kind, _, rest = str(raw or "").partition(":")
    if kind not in TARGET_KINDS or not rest.isascii() or not rest.isdigit() or len(rest) > 19:
        return None
    number = int(rest)
    return Target(kind, number) if 0 < number <= MAX_ID else None


def target_title(conn: Connection, target: Target) -> str | None:
    """The headline of the article or post, or the title of the story; None when there is none."""
    row = _EXISTS[target.kind](conn, target.id)
    return str(row["title"]) if row else None


_EXISTS: dict[str, Callable[[Connection, int], dict[str, Any] | None]] = {
    "article": article_store.get_article,
    "story": story_store.get_story,
    "post": store.published_post,
}


@dataclass(frozen=True)
class Posted:
    """A comment as saved: its id, where it is, and what screening made of it."""

    id: int
    target: Target
    screening: Screening

    @property
    def held(self) -> bool:
        """True when the comment waits for a moderator."""
        return self.screening.held


def author_of(conn: Connection, user_id: int, now: datetime) -> dict[str, Any]:
    """The account's standing row; CommentError when it may not take part now."""
    row = store.standing(conn, user_id)
    if row is None:
        raise CommentError(403, "Sign in again: this account no longer exists.")
    refusal = ladder.Standing(row["suspended_until"], row["terminated_at"]).refusal(now)
    if refusal:
        raise CommentError(403, refusal)
    return row


def post_comment(
    conn: Connection, user_id: int, raw_target: object, raw_parent: object, body: str, now: datetime
) -> Posted:
    """Post a comment on the target, or a reply to a comment there (raw_parent its id)."""
    author = author_of(conn, user_id, now)
    target = parse_target(raw_target)
    if target is None or target_title(conn, target) is None:
        raise CommentError(404, "There is no article or story by that number to comment on.")
    parent = _parent(conn, target, raw_parent)
    md, html = _render(body)
    _check_rate(conn, author, now)
    found = _screen(conn, author, md, now)
    comment_id = store.insert_comment(
        conn,
        target=str(target),
        parent_id=parent["id"] if parent else None,
        root_id=(parent["root_id"] or parent["id"]) if parent else None,
        user_id=user_id,
        body_md=md,
        body_html=html,
        status="held" if found.held else "visible",
        screening=_screening_json(found),
        created_at=now,
    )
    if found.held:
        _log_hold(conn, comment_id, found, now)
    return Posted(comment_id, target, found)


def _parent(conn: Connection, target: Target, raw: object) -> dict[str, Any] | None:
    text = str(raw or "").strip()
    if not text:
        return None
    parent = store.get_comment(conn, int(text)) if text.isdigit() and len(text) < 19 else None
    if parent is None or parent["target"] != str(target):
        raise CommentError(404, "The comment you replied to is not on this page.")
    if parent["status"] != "visible":
        raise CommentError(400, "That comment is no longer shown, so it cannot take replies.")
    return parent


def _render(body: str) -> tuple[str, str]:
    try:
        return render_comment(body)
    except CommentTextError as exc:
        raise CommentError(400, str(exc)) from exc


def _check_rate(conn: Connection, author: dict[str, Any], now: datetime) -> None:
    new = _age_days(author, now) < NEW_ACCOUNT_DAYS
    limits = [MINUTE_LIMIT, HOUR_LIMIT] + ([NEW_ACCOUNT_LIMIT] if new else [])
    for count, window in limits:
        if store.count_since(conn, author["id"], now - window) >= count:
            who = "A new account" if (count, window) == NEW_ACCOUNT_LIMIT else "You"
            raise CommentError(
                429,
                f"{who} can post {count} comments in {_span(window)}, and that many are in. "
                "Wait a little and send it again.",
            )


def _span(window: timedelta) -> str:
    minutes = int(window.total_seconds() // 60)
    if minutes % 60 == 0:
        return "an hour" if minutes == 60 else f"{minutes // 60} hours"
    return "a minute" if minutes == 1 else f"{minutes} minutes"


def _age_days(author: dict[str, Any], now: datetime) -> float:
    return (now - author["created_at"]).total_seconds() / 86400


def _screen(
    conn: Connection, author: dict[str, Any], md: str, now: datetime, skip: int | None = None
) -> Screening:
    recent = store.recent_texts(conn, author["id"], now - RECENT, exclude=skip)
    return screen(md, account_age_days=_age_days(author, now), recent_texts=recent)


def _screening_json(found: Screening) -> dict[str, Any]:
    return {"score": found.score, "reasons": list(found.reasons), "rule_id": found.rule_id}


def _log_hold(conn: Connection, comment_id: int, found: Screening, now: datetime) -> None:
    note = f"Score {found.score:.2f}: " + ", ".join(found.reasons)
    store.log_decision(
        conn,
        moderator_id=None,
        comment_id=comment_id,
        action="held",
        rule_id=found.rule_id,
        note=note,
        created_at=now,
    )


def own_comment(conn: Connection, user_id: int, comment_id: int) -> dict[str, Any]:
    """The author's own comment, or CommentError."""
    comment = store.get_comment(conn, comment_id)
    if comment is None or (comment["status"] == "deleted" and comment["user_id"] is None):
        raise CommentError(404, "No comment has that number.")
    if comment["user_id"] != user_id:
        raise CommentError(403, "Only its author can change a comment.")
    if comment["status"] == "removed":
        raise CommentError(
            409,
            "A moderator removed this comment; it cannot be changed. See the strike in your "
            "settings, where you can appeal it.",
        )
    return comment


def edit_comment(
    conn: Connection, user_id: int, comment_id: int, body: str, now: datetime
) -> Posted:
    """Replace the text of the author's comment within EDIT_WINDOW (screened again)."""
    author = author_of(conn, user_id, now)
    comment = own_comment(conn, user_id, comment_id)
    if comment["status"] == "deleted":
        raise CommentError(409, "This comment was deleted.")
    if now - comment["created_at"] > EDIT_WINDOW:
        minutes = int(EDIT_WINDOW.total_seconds() // 60)
        raise CommentError(403, f"Comments can be edited for {minutes} minutes after posting.")
    md, html = _render(body)
    found = _screen(conn, author, md, now, skip=comment_id)
    held = found.held or comment["status"] == "held"
    store.update_comment(
        conn,
        comment_id,
        body_md=md,
        body_html=html,
        edited_at=now,
        status="held" if held else "visible",
        screening=_screening_json(found),
    )
    if found.held and comment["status"] != "held":
        _log_hold(conn, comment_id, found, now)
    target = parse_target(comment["target"])
    assert target is not None
    return Posted(comment_id, target, found)


def delete_comment(conn: Connection, user_id: int, comment_id: int, now: datetime) -> Target:
    """Delete the author's comment: its text is erased, its replies stay."""
    comment = own_comment(conn, user_id, comment_id)
    store.update_comment(conn, comment_id, status="deleted", body_md="", body_html="")
    store.resolve_reports(conn, comment_id, "deleted", now)
    target = parse_target(comment["target"])
    assert target is not None
    return target


def report_comment(
    conn: Connection, user_id: int, comment_id: int, rule_id: str, reason: str, now: datetime
) -> tuple[Target, bool]:
    """A reader's report of a comment citing a rule: (its target, False if reported before)."""
    author_of(conn, user_id, now)
    comment = _shown_comment(conn, comment_id)
    if comment["user_id"] == user_id:
        raise CommentError(400, "You cannot report your own comment; you can delete it.")
    if rule_id not in RULE_IDS:
        raise CommentError(400, "Pick the rule of the Community Policy the comment breaks.")
    text = normal_text(reason)
    if len(text) > REASON_CHARS:
        raise CommentError(400, f"Say why in at most {REASON_CHARS} characters.")
    count, window = REPORT_LIMIT
    if store.reports_since(conn, user_id, now - window) >= count:
        raise CommentError(429, f"You can report {count} comments an hour; wait a little.")
    target = parse_target(comment["target"])
    assert target is not None
    values = {"comment_id": comment_id, "reporter_id": user_id, "rule_id": rule_id}
    if not store.add_report(conn, reason=text, created_at=now, **values):
        return target, False
    reports = store.count_open_reports(conn, comment_id)
    if comment["status"] == "visible" and reports >= AUTO_HOLD_REPORTS:
        store.update_comment(conn, comment_id, status="held")
        note = f"Held after {reports} readers reported it, until a moderator decides."
        store.log_decision(
            conn,
            moderator_id=None,
            comment_id=comment_id,
            action="held",
            rule_id=rule_id,
            note=note,
            created_at=now,
        )
    return target, True


def _shown_comment(conn: Connection, comment_id: int) -> dict[str, Any]:
    comment = store.get_comment(conn, comment_id)
    if comment is None or comment["status"] not in ("visible", "held"):
        raise CommentError(404, "No comment has that number, or it is no longer shown.")
    return comment


def vote_comment(
    conn: Connection, user_id: int, comment_id: int, direction: str, now: datetime
) -> Target:
    """Vote a comment up or down; the same vote again takes it back."""
    author_of(conn, user_id, now)
    comment = _shown_comment(conn, comment_id)
    if comment["status"] != "visible":
        raise CommentError(404, "No comment has that number, or it is no longer shown.")
    if comment["user_id"] == user_id:
        raise CommentError(400, "You cannot vote on your own comment.")
    value = {"up": 1, "down": -1}.get(direction)
    if value is None:
        raise CommentError(400, "A vote is up or down.")
    count, window = VOTE_LIMIT
    if store.votes_since(conn, user_id, now - window) >= count:
        raise CommentError(429, f"You can vote {count} times a minute; wait a little.")
    current = store.my_votes(conn, user_id, [comment_id]).get(comment_id, 0)
    store.set_vote(conn, comment_id, user_id, 0 if current == value else value, now)
    target = parse_target(comment["target"])
    assert target is not None
    return target


def appeal_strike(conn: Connection, user_id: int, strike_id: int, text: str, now: datetime) -> None:
    """The author's one appeal of a strike, for a moderator to decide."""
    strike = store.get_strike(conn, strike_id)
    if strike is None or strike["user_id"] != user_id:
        raise CommentError(404, "You have no strike by that number.")
    if strike["appeal_state"] is not None:
        raise CommentError(409, "You appealed this strike already: each strike is appealed once.")
    if not ladder.is_active(facts(strike), now):
        raise CommentError(409, "This strike has expired: it no longer counts.")
    appeal = normal_text(text)
    if not appeal or len(appeal) > ladder.APPEAL_CHARS:
        limit = ladder.APPEAL_CHARS
        raise CommentError(400, f"Say why the decision was wrong, in 1 to {limit} characters.")
    store.update_strike(
        conn, strike_id, appeal_text=appeal, appealed_at=now, appeal_state="pending"
    )


def facts(strike: dict[str, Any]) -> ladder.StrikeFacts:
    """The ladder's view of a strike row."""
    return ladder.StrikeFacts(
        strike["level"], strike["created_at"], strike["expires_at"], strike["appeal_state"]
    )
