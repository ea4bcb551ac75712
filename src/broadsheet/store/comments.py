"""Comments, their votes and reports, strikes and the moderation log (the SQL only; the rules
are in community/).

Reading a thread: one page of top-level comments of a target (newest, or best: the Wilson
lower bound kept in comments.score), then every reply of those threads at once by root_id.
A viewer also sees their own held comments; a removed or deleted comment is kept as a
placeholder while replies under it are visible.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Connection, and_, case, delete, exists, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql import ColumnElement

from broadsheet.community.ranking import wilson_lower_bound
from broadsheet.store.database import as_utc
from broadsheet.store.schema import (
    comment_reports,
    comment_votes,
    comments,
    moderation_log,
    posts,
    strikes,
    users,
)

Sort = Literal["newest", "best"]
SHOWN = ("visible",)
PLACEHOLDERS = ("removed", "deleted")
COMMENT_COLUMNS = (
    comments.c.id,
    comments.c.target,
    comments.c.parent_id,
    comments.c.root_id,
    comments.c.user_id,
    users.c.name.label("author"),
    comments.c.body_md,
    comments.c.body_html,
    comments.c.status,
    comments.c.ups,
    comments.c.downs,
    comments.c.score,
    comments.c.screening,
    comments.c.created_at,
    comments.c.edited_at,
)
_TIMES = (
    *("created_at", "edited_at", "expires_at", "appealed_at", "decided_at", "resolved_at"),
    *("suspended_until", "terminated_at"),
)


def _row(row: Any) -> dict[str, Any]:
    found = dict(row)
    for key in _TIMES:
        if key in found:
            found[key] = as_utc(found[key])
    return found


def _select_comments() -> Any:
    return select(*COMMENT_COLUMNS).select_from(
        comments.outerjoin(users, users.c.id == comments.c.user_id)
    )


# -- comments --------------------------------------------------------------------------------


def insert_comment(conn: Connection, **values: Any) -> int:
    """A new comment (target, parent_id, root_id, user_id, body_md, body_html, status,
    screening, created_at); its id."""
    row = conn.execute(insert(comments).values(**values))
    return int(row.inserted_primary_key[0])  # type: ignore[index]


def get_comment(conn: Connection, comment_id: int) -> dict[str, Any] | None:
    """The comment with its author's name, or None."""
    row = conn.execute(_select_comments().where(comments.c.id == comment_id)).mappings().first()
    return _row(row) if row else None


def update_comment(conn: Connection, comment_id: int, **values: Any) -> None:
    """Change a comment's columns (body, status, edited_at ...)."""
    conn.execute(update(comments).where(comments.c.id == comment_id).values(**values))


def count_visible(conn: Connection, target: str) -> int:
    """The target's visible comments, replies included ("Comments / N")."""
    query = select(func.count()).where(comments.c.target == target, comments.c.status == "visible")
    return int(conn.execute(query).scalar_one())


def _seen_by(viewer_id: int | None) -> ColumnElement[bool]:
    """Visible, or held and the viewer's own."""
    own = (
        and_(comments.c.status == "held", comments.c.user_id == viewer_id)
        if viewer_id is not None
        else None
    )
    visible = comments.c.status.in_(SHOWN)
    return or_(visible, own) if own is not None else visible


def _top_filter(target: str, viewer_id: int | None) -> ColumnElement[bool]:
    reply = comments.alias("reply")
    live_replies = exists().where(reply.c.root_id == comments.c.id, reply.c.status == "visible")
    placeholder = and_(comments.c.status.in_(PLACEHOLDERS), live_replies)
    return and_(
        comments.c.target == target,
        comments.c.parent_id.is_(None),
        or_(_seen_by(viewer_id), placeholder),
    )


def top_level(
    conn: Connection, target: str, viewer_id: int | None, sort: Sort, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """One page of the target's top-level comments in that order, and how many there are."""
    where = _top_filter(target, viewer_id)
    total = int(conn.execute(select(func.count()).select_from(comments).where(where)).scalar_one())
    order = [comments.c.created_at.desc(), comments.c.id.desc()]
    if sort == "best":
        order = [comments.c.score.desc(), *order]
    query = _select_comments().where(where).order_by(*order).limit(limit).offset(offset)
    return [_row(r) for r in conn.execute(query).mappings()], total


def replies_of(
    conn: Connection, root_ids: Sequence[int], viewer_id: int | None
) -> list[dict[str, Any]]:
    """Every reply in those threads the viewer may see, and placeholders, oldest first."""
    if not root_ids:
        return []
    query = (
        _select_comments()
        .where(
            comments.c.root_id.in_(root_ids),
            or_(_seen_by(viewer_id), comments.c.status.in_(PLACEHOLDERS)),
        )
        .order_by(comments.c.created_at, comments.c.id)
    )
    return [_row(r) for r in conn.execute(query).mappings()]


def recent_texts(
    conn: Connection, user_id: int, since: datetime, exclude: int | None = None, limit: int = 10
) -> list[str]:
    """The author's newest comment texts since then (screening compares a new one to them),
    but the one excluded (an edit is not a repeat of itself)."""
    query = (
        select(comments.c.body_md)
        .where(comments.c.user_id == user_id, comments.c.created_at >= since)
        .order_by(comments.c.created_at.desc())
        .limit(limit)
    )
    if exclude is not None:
        query = query.where(comments.c.id != exclude)
    return [str(t) for (t,) in conn.execute(query)]


def count_since(conn: Connection, user_id: int, since: datetime) -> int:
    """How many comments the author posted since then (rate limits)."""
    query = select(func.count()).where(
        comments.c.user_id == user_id, comments.c.created_at >= since
    )
    return int(conn.execute(query).scalar_one())


def published_post(conn: Connection, post_id: int) -> dict[str, Any] | None:
    """{id, title, article_id} of a contributor's published post (a "post:<id>" target)."""
    query = select(posts.c.id, posts.c.title, posts.c.article_id).where(
        posts.c.id == post_id, posts.c.status == "published"
    )
    row = conn.execute(query).mappings().first()
    return dict(row) if row else None


# -- votes -----------------------------------------------------------------------------------


def my_votes(conn: Connection, user_id: int, comment_ids: Sequence[int]) -> dict[int, int]:
    """The reader's vote (+1 / -1) on each of those comments they voted on."""
    if not comment_ids:
        return {}
    query = select(comment_votes.c.comment_id, comment_votes.c.value).where(
        comment_votes.c.user_id == user_id, comment_votes.c.comment_id.in_(comment_ids)
    )
    return {int(c): int(v) for c, v in conn.execute(query)}


def set_vote(conn: Connection, comment_id: int, user_id: int, value: int, now: datetime) -> None:
    """The reader's vote on the comment (0 takes it back), then the comment's counts."""
    mine = (comment_votes.c.comment_id == comment_id) & (comment_votes.c.user_id == user_id)
    conn.execute(delete(comment_votes).where(mine))
    if value:
        row = {"comment_id": comment_id, "user_id": user_id, "value": value, "created_at": now}
        try:
            with conn.begin_nested():
                conn.execute(insert(comment_votes).values(**row))
        except IntegrityError:
            pass  # the same reader's other request (a double click) voted first
    recount_votes(conn, comment_id)


def recount_votes(conn: Connection, comment_id: int) -> None:
    """The comment's ups, downs and best score from its votes."""
    up = case((comment_votes.c.value > 0, 1), else_=0)
    query = select(func.coalesce(func.sum(up), 0), func.count()).where(
        comment_votes.c.comment_id == comment_id
    )
    ups, total = (int(v) for v in conn.execute(query).one())
    downs = total - ups
    score = wilson_lower_bound(ups, downs)
    update_comment(conn, comment_id, ups=ups, downs=downs, score=score)


def votes_since(conn: Connection, user_id: int, since: datetime) -> int:
    """How many votes the reader cast since then (rate limits)."""
    query = select(func.count()).where(
        comment_votes.c.user_id == user_id, comment_votes.c.created_at >= since
    )
    return int(conn.execute(query).scalar_one())


# -- reports ---------------------------------------------------------------------------------


def add_report(conn: Connection, **values: Any) -> bool:
    """A report (comment_id, reporter_id, rule_id, reason, created_at); False when that
    reader reported the comment already."""
    mine = (comment_reports.c.comment_id == values["comment_id"]) & (
        comment_reports.c.reporter_id == values["reporter_id"]
    )
    if conn.execute(select(comment_reports.c.id).where(mine)).first() is not None:
        return False
    try:
        with conn.begin_nested():
            conn.execute(insert(comment_reports).values(**values))
    except IntegrityError:
        return False  # the same reader's other request reported it first
    return True


def open_reports(conn: Connection, comment_ids: Sequence[int]) -> list[dict[str, Any]]:
    """The unresolved reports of those comments, with the reporters' names, oldest first."""
    if not comment_ids:
        return []
    query = (
        select(
            comment_reports.c.id,
            comment_reports.c.comment_id,
            comment_reports.c.rule_id,
            comment_reports.c.reason,
            comment_reports.c.created_at,
            users.c.name.label("reporter"),
        )
        .select_from(comment_reports.join(users, users.c.id == comment_reports.c.reporter_id))
        .where(
            comment_reports.c.comment_id.in_(comment_ids), comment_reports.c.resolved_at.is_(None)
        )
        .order_by(comment_reports.c.created_at, comment_reports.c.id)
    )
    return [_row(r) for r in conn.execute(query).mappings()]


def my_reports(conn: Connection, reporter_id: int, comment_ids: Sequence[int]) -> set[int]:
    """Which of those comments the reader reported."""
    if not comment_ids:
        return set()
    query = select(comment_reports.c.comment_id).where(
        comment_reports.c.reporter_id == reporter_id,
        comment_reports.c.comment_id.in_(comment_ids),
    )
    return {int(c) for (c,) in conn.execute(query)}


def count_open_reports(conn: Connection, comment_id: int) -> int:
    """How many readers' reports of the comment are unresolved."""
    query = select(func.count()).where(
        comment_reports.c.comment_id == comment_id, comment_reports.c.resolved_at.is_(None)
    )
    return int(conn.execute(query).scalar_one())


def resolve_reports(conn: Connection, comment_id: int, resolution: str, now: datetime) -> int:
    """Close the comment's open reports with that resolution; how many there were."""
    result = conn.execute(
        update(comment_reports)
        .where(comment_reports.c.comment_id == comment_id, comment_reports.c.resolved_at.is_(None))
        .values(resolved_at=now, resolution=resolution)
    )
    return int(result.rowcount)


def reports_since(conn: Connection, reporter_id: int, since: datetime) -> int:
    """How many reports the reader made since then (rate limits)."""
    query = select(func.count()).where(
        comment_reports.c.reporter_id == reporter_id, comment_reports.c.created_at >= since
    )
    return int(conn.execute(query).scalar_one())


# -- the moderation queue and log -----------------------------------------------------------


def queue(conn: Connection, limit: int) -> tuple[list[dict[str, Any]], int]:
    """Held comments and comments with open reports, oldest first (up to limit), and how
    many there are."""
    reported = select(comment_reports.c.comment_id).where(comment_reports.c.resolved_at.is_(None))
    where = or_(
        comments.c.status == "held",
        and_(comments.c.status == "visible", comments.c.id.in_(reported)),
    )
    total = int(conn.execute(select(func.count()).select_from(comments).where(where)).scalar_one())
    query = _select_comments().where(where).order_by(comments.c.created_at, comments.c.id)
    return [_row(r) for r in conn.execute(query.limit(limit)).mappings()], total


def log_decision(conn: Connection, **values: Any) -> int:
    """One entry of the moderation log (moderator_id, comment_id, strike_id, action,
    rule_id, note, created_at)."""
    row = conn.execute(insert(moderation_log).values(**values))
    return int(row.inserted_primary_key[0])  # type: ignore[index]


def log_entries(
    conn: Connection, comment_ids: Sequence[int] | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """The log, newest first: of those comments, or all of it."""
    query = (
        select(
            moderation_log.c.id,
            moderation_log.c.comment_id,
            moderation_log.c.strike_id,
            moderation_log.c.action,
            moderation_log.c.rule_id,
            moderation_log.c.note,
            moderation_log.c.created_at,
            users.c.name.label("moderator"),
        )
        .select_from(moderation_log.outerjoin(users, users.c.id == moderation_log.c.moderator_id))
        .order_by(moderation_log.c.created_at.desc(), moderation_log.c.id.desc())
        .limit(limit)
    )
    if comment_ids is not None:
        query = query.where(moderation_log.c.comment_id.in_(comment_ids))
    return [_row(r) for r in conn.execute(query).mappings()]


def author_history(conn: Connection, user_id: int) -> dict[str, int]:
    """How many comments the author wrote, and how many are held, removed, deleted."""
    query = (
        select(comments.c.status, func.count())
        .where(comments.c.user_id == user_id)
        .group_by(comments.c.status)
    )
    counts = {str(status): int(n) for status, n in conn.execute(query)}
    return {"comments": sum(counts.values()), **{s: counts.get(s, 0) for s in _STATUSES}}


_STATUSES = ("visible", "held", "removed", "deleted")


# -- accounts: role and standing -------------------------------------------------------------


def standing(conn: Connection, user_id: int) -> dict[str, Any] | None:
    """The account's name, role, age and strike-ladder times, or None."""
    query = select(
        users.c.id,
        users.c.name,
        users.c.role,
        users.c.created_at,
        users.c.suspended_until,
        users.c.terminated_at,
    ).where(users.c.id == user_id)
    row = conn.execute(query).mappings().first()
    return _row(row) if row else None


def set_standing(
    conn: Connection, user_id: int, suspended_until: datetime | None, terminated_at: datetime | None
) -> None:
    """The account's suspension and termination (None: none)."""
    conn.execute(
        update(users)
        .where(users.c.id == user_id)
        .values(suspended_until=suspended_until, terminated_at=terminated_at)
    )


def set_role(conn: Connection, name: str, role: str) -> bool:
    """Give the named account a role; False when no account has that name."""
    result = conn.execute(update(users).where(users.c.name == name).values(role=role))
    return bool(result.rowcount)


def names_with_role(conn: Connection, role: str) -> list[str]:
    """The names of the accounts with that role, alphabetically."""
    query = select(users.c.name).where(users.c.role == role).order_by(users.c.name)
    return [str(n) for (n,) in conn.execute(query)]


# -- strikes ---------------------------------------------------------------------------------

STRIKE_COLUMNS = (
    strikes.c.id,
    strikes.c.user_id,
    strikes.c.comment_id,
    strikes.c.rule_id,
    strikes.c.level,
    strikes.c.created_at,
    strikes.c.expires_at,
    strikes.c.appeal_text,
    strikes.c.appealed_at,
    strikes.c.appeal_state,
    strikes.c.decided_at,
    strikes.c.decided_by,
)


def add_strike(conn: Connection, **values: Any) -> int:
    """A strike (user_id, comment_id, rule_id, level, created_at, expires_at); its id."""
    row = conn.execute(insert(strikes).values(**values))
    return int(row.inserted_primary_key[0])  # type: ignore[index]


def strikes_of(conn: Connection, user_id: int) -> list[dict[str, Any]]:
    """The account's strikes, newest first, each with its comment's target and text."""
    query = (
        select(*STRIKE_COLUMNS, comments.c.target, comments.c.body_md)
        .select_from(strikes.join(comments, comments.c.id == strikes.c.comment_id))
        .where(strikes.c.user_id == user_id)
        .order_by(strikes.c.created_at.desc(), strikes.c.id.desc())
    )
    return [_row(r) for r in conn.execute(query).mappings()]


def get_strike(conn: Connection, strike_id: int) -> dict[str, Any] | None:
    """The strike, or None."""
    row = conn.execute(select(*STRIKE_COLUMNS).where(strikes.c.id == strike_id)).mappings().first()
    return _row(row) if row else None


def update_strike(conn: Connection, strike_id: int, **values: Any) -> None:
    """Change a strike's appeal columns."""
    conn.execute(update(strikes).where(strikes.c.id == strike_id).values(**values))


def removal_of(conn: Connection, strike_id: int) -> int | None:
    """The moderator whose removal gave the strike (None: unknown or deleted)."""
    query = select(moderation_log.c.moderator_id).where(
        moderation_log.c.strike_id == strike_id, moderation_log.c.action == "removed"
    )
    found = conn.execute(query).scalar()
    return int(found) if found is not None else None


def pending_appeals(conn: Connection, limit: int) -> tuple[list[dict[str, Any]], int]:
    """Appealed strikes awaiting a decision, oldest appeal first, and how many there are."""
    pending = strikes.c.appeal_state == "pending"
    total = int(conn.execute(select(func.count()).where(pending)).scalar_one())
    query = (
        select(*STRIKE_COLUMNS, users.c.name.label("author"), comments.c.target)
        .add_columns(comments.c.body_md, comments.c.status)
        .select_from(
            strikes.join(users, users.c.id == strikes.c.user_id).join(
                comments, comments.c.id == strikes.c.comment_id
            )
        )
        .where(pending)
        .order_by(strikes.c.appealed_at, strikes.c.id)
        .limit(limit)
    )
    return [_row(r) for r in conn.execute(query).mappings()], total


# -- export and erasure ----------------------------------------------------------------------


def export_of(conn: Connection, user_id: int) -> dict[str, list[dict[str, Any]]]:
    """The reader's comments, votes and reports (strikes: strikes_of)."""
    written = select(
        comments.c.id,
        comments.c.target,
        comments.c.parent_id,
        comments.c.body_md,
        comments.c.body_html,
        comments.c.status,
        comments.c.created_at,
        comments.c.edited_at,
    ).where(comments.c.user_id == user_id)
    votes = select(comment_votes.c.comment_id, comment_votes.c.value, comment_votes.c.created_at)
    reports = select(
        comment_reports.c.comment_id,
        comment_reports.c.rule_id,
        comment_reports.c.reason,
        comment_reports.c.created_at,
        comment_reports.c.resolved_at,
        comment_reports.c.resolution,
    ).where(comment_reports.c.reporter_id == user_id)
    return {
        "comments": _rows(conn, written.order_by(comments.c.id)),
        "votes": _rows(conn, votes.where(comment_votes.c.user_id == user_id)),
        "reports": _rows(conn, reports.order_by(comment_reports.c.id)),
    }


def _rows(conn: Connection, query: Any) -> list[dict[str, Any]]:
    return [_row(r) for r in conn.execute(query).mappings()]


def erase_user(conn: Connection, user_id: int) -> None:
    """Everything of the account in comments: its comments' text erased (threads keep a
    "[deleted]" placeholder), its votes (counts redone), reports, strikes; the log keeps
    its entries without the account."""
    voted = [
        int(c)
        for (c,) in conn.execute(
            select(comment_votes.c.comment_id).where(comment_votes.c.user_id == user_id)
        )
    ]
    conn.execute(delete(comment_votes).where(comment_votes.c.user_id == user_id))
    for comment_id in voted:
        recount_votes(conn, comment_id)
    mine = select(comments.c.id).where(comments.c.user_id == user_id)
    conn.execute(delete(comment_reports).where(comment_reports.c.reporter_id == user_id))
    conn.execute(delete(comment_reports).where(comment_reports.c.comment_id.in_(mine)))
    own_strikes = select(strikes.c.id).where(strikes.c.user_id == user_id)
    conn.execute(
        update(moderation_log)
        .where(moderation_log.c.strike_id.in_(own_strikes))
        .values(strike_id=None)
    )
    conn.execute(delete(strikes).where(strikes.c.user_id == user_id))
    conn.execute(update(strikes).where(strikes.c.decided_by == user_id).values(decided_by=None))
    conn.execute(
        update(moderation_log)
        .where(moderation_log.c.moderator_id == user_id)
        .values(moderator_id=None)
    )
    conn.execute(
        update(comments)
        .where(comments.c.user_id == user_id)
        .values(user_id=None, body_md="", body_html="", status="deleted", screening=None)
    )
