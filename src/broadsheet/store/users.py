"""Readers' accounts: the user row, what they follow and mute, export and deletion.

A target is what a reader follows or mutes: "channel:<key>" (a person, organisation, place or
topic), "source:<id>" (a publisher) or "story:<id>".
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table, case, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from broadsheet.community import strikes as ladder
from broadsheet.community.policy import get_rule
from broadsheet.store import comments as comment_store
from broadsheet.store import posts as post_store
from broadsheet.store.database import as_utc, is_postgres
from broadsheet.store.schema import (
    article_channels,
    follows,
    mutes,
    reader_affinity,
    reader_rules,
    users,
)

USER_COLUMNS = (
    users.c.id,
    users.c.name,
    users.c.password_hash,
    users.c.created_at,
    users.c.session_version,
    users.c.home_place,
    users.c.email,
)


def create_user(
    conn: Connection, name: str, password_hash: str, now: datetime, email: str | None = None
) -> int | None:
    """The new user's id, or None when the name (or the email) is taken."""
    try:
        with conn.begin_nested():
            row = insert(users).values(
                name=name, password_hash=password_hash, created_at=now, email=email
            )
            return int(conn.execute(row).inserted_primary_key[0])  # type: ignore[index]
    except IntegrityError:
        return None


def get_user(conn: Connection, user_id: int) -> dict[str, Any] | None:
    """The user row, or None."""
    row = conn.execute(select(*USER_COLUMNS).where(users.c.id == user_id)).mappings().first()
    return _user(row)


def user_by_name(conn: Connection, name: str) -> dict[str, Any] | None:
    """The user of that (normalised) name, or None."""
    row = conn.execute(select(*USER_COLUMNS).where(users.c.name == name)).mappings().first()
    return _user(row)


def user_by_email(conn: Connection, email: str) -> dict[str, Any] | None:
    """The user with that (normalised) email, or None."""
    row = conn.execute(select(*USER_COLUMNS).where(users.c.email == email)).mappings().first()
    return _user(row)


def _user(row: Any) -> dict[str, Any] | None:
    if row is None:
        return None
    found = dict(row)
    found["created_at"] = as_utc(found["created_at"])
    return found


def set_password(conn: Connection, user_id: int, password_hash: str) -> None:
    """A new password; every session signed before it ends."""
    conn.execute(
        update(users)
        .where(users.c.id == user_id)
        .values(password_hash=password_hash, session_version=users.c.session_version + 1)
    )


def rehash(conn: Connection, user_id: int, password_hash: str) -> None:
    """The same password under stronger hash parameters (sessions stay)."""
    conn.execute(update(users).where(users.c.id == user_id).values(password_hash=password_hash))


def set_home_place(conn: Connection, user_id: int, key: str | None) -> None:
    """The reader's home place (a place channel key), or none."""
    conn.execute(update(users).where(users.c.id == user_id).values(home_place=key))


def set_email(conn: Connection, user_id: int, email: str | None) -> bool:
    """The reader's email (None: removed); False when another account has it."""
    try:
        with conn.begin_nested():
            conn.execute(update(users).where(users.c.id == user_id).values(email=email))
    except IntegrityError:
        return False
    return True


def add_target(conn: Connection, table: Table, user_id: int, target: str, now: datetime) -> None:
    """Follow (table=follows) or mute (table=mutes) a target; doing it twice is once."""
    if target in targets(conn, table, user_id, [target]):
        return
    try:
        with conn.begin_nested():
            conn.execute(insert(table).values(user_id=user_id, target=target, created_at=now))
    except IntegrityError:
        pass  # a concurrent request did it first


def remove_target(conn: Connection, table: Table, user_id: int, target: str) -> None:
    """Unfollow or unmute a target."""
    conn.execute(delete(table).where(table.c.user_id == user_id, table.c.target == target))


def targets(
    conn: Connection, table: Table, user_id: int, among: list[str] | None = None
) -> list[str]:
    """What the user follows (or mutes), oldest first; only those `among` when given."""
    query = select(table.c.target).where(table.c.user_id == user_id)
    if among is not None:
        query = query.where(table.c.target.in_(among))
    return [str(t) for (t,) in conn.execute(query.order_by(table.c.created_at, table.c.target))]


def export(conn: Connection, user_id: int) -> dict[str, Any] | None:
    """Everything the account holds, as plain data (the password hash left out)."""
    user = get_user(conn, user_id)
    if user is None:
        return None
    written = comment_store.export_of(conn, user_id)
    now = datetime.now(UTC)
    return {
        "name": user["name"],
        "created_at": user["created_at"],
        "email": user["email"],
        "home_place": user["home_place"],
        "follows": _dated(conn, follows, user_id),
        "mutes": _dated(conn, mutes, user_id),
        "rules": rules(conn, user_id),
        "affinities": affinities(conn, user_id, limit=None),
        "comments": written["comments"],
        "comment_votes": written["votes"],
        "comment_reports": written["reports"],
        "strikes": [_strike(s, now) for s in comment_store.strikes_of(conn, user_id)],
        "standing": _standing(conn, user_id, now),
        **post_store.export_of(conn, user_id),  # "contributor" and "posts"
    }


def _strike(row: dict[str, Any], now: datetime) -> dict[str, Any]:
    """A strike as its author sees it: the rule, what it did, until when, the appeal."""
    facts = ladder.StrikeFacts(
        row["level"], row["created_at"], row["expires_at"], row["appeal_state"]
    )
    rule = get_rule(row["rule_id"])
    return {
        "id": row["id"],
        "comment_id": row["comment_id"],
        "target": row["target"],
        "comment_text": row["body_md"],
        "rule_id": row["rule_id"],
        "rule": rule.label if rule else row["rule_id"],
        "rule_text": rule.text if rule else "",
        "level": row["level"],
        "consequence": ladder.describe(row["level"]),
        "created_at": row["created_at"],
        "expires_at": row["expires_at"],
        "active": ladder.is_active(facts, now),
        "appeal_text": row["appeal_text"],
        "appealed_at": row["appealed_at"],
        "appeal_state": row["appeal_state"],
        "decided_at": row["decided_at"],
        "can_appeal": ladder.can_appeal(facts, now),
    }


def _standing(conn: Connection, user_id: int, now: datetime) -> dict[str, Any]:
    """The account's role, and whether it may comment (and if not, why)."""
    row = comment_store.standing(conn, user_id) or {}
    standing = ladder.Standing(row.get("suspended_until"), row.get("terminated_at"))
    return {
        "role": row.get("role", "reader"),
        "suspended_until": standing.suspended_until,
        "terminated_at": standing.terminated_at,
        "refusal": standing.refusal(now),
    }


def _dated(conn: Connection, table: Table, user_id: int) -> list[dict[str, Any]]:
    query = select(table.c.target, table.c.created_at).where(table.c.user_id == user_id)
    rows = conn.execute(query.order_by(table.c.created_at, table.c.target)).mappings()
    return [{"target": row["target"], "since": as_utc(row["created_at"])} for row in rows]


def delete_user(conn: Connection, user_id: int) -> None:
    """Delete the account and everything it holds: follows, mutes, rules, its votes, reports
    and strikes; its comments' text is erased, their place in threads kept as "[deleted]"
    (store/comments.py erase_user)."""
    comment_store.erase_user(conn, user_id)
    for table in (follows, mutes, reader_rules, reader_affinity):
        conn.execute(delete(table).where(table.c.user_id == user_id))
    conn.execute(delete(users).where(users.c.id == user_id))


def add_rule(conn: Connection, user_id: int, rule: dict[str, Any], now: datetime) -> int:
    """A keep/block rule (action, field, value, scope) for the reader."""
    row = insert(reader_rules).values(user_id=user_id, created_at=now, **rule)
    return int(conn.execute(row).inserted_primary_key[0])  # type: ignore[index]


def remove_rule(conn: Connection, user_id: int, rule_id: int) -> None:
    """Drop one of the reader's rules (another reader's is left alone)."""
    conn.execute(
        delete(reader_rules).where(reader_rules.c.id == rule_id, reader_rules.c.user_id == user_id)
    )


def rules(conn: Connection, user_id: int) -> list[dict[str, Any]]:
    """The reader's rules, oldest first."""
    query = (
        select(
            reader_rules.c.id,
            reader_rules.c.action,
            reader_rules.c.field,
            reader_rules.c.value,
            reader_rules.c.scope,
        )
        .where(reader_rules.c.user_id == user_id)
        .order_by(reader_rules.c.id)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


AFFINITY_LIMIT = 5.0  # a learned weight stays within -5 .. 5
SUBJECT_ROLES = ("entity", "place", "topic")


def nudge(conn: Connection, user_id: int, article_id: int, delta: float) -> None:
    """Move the reader's weight of each of the article's subjects by delta (reads, feedback)."""
    keys = sorted(
        {
            str(k)
            for (k,) in conn.execute(
                select(article_channels.c.channel_key).where(
                    article_channels.c.article_id == article_id,
                    article_channels.c.role.in_(SUBJECT_ROLES),
                )
            )
        }
    )
    if not keys:
        return
    dialect_insert = pg_insert if is_postgres(conn) else sqlite_insert
    low, high = -AFFINITY_LIMIT, AFFINITY_LIMIT
    total = reader_affinity.c.weight + delta
    moved = case((total > high, high), (total < low, low), else_=total)
    statement = dialect_insert(reader_affinity).on_conflict_do_update(
        index_elements=["user_id", "channel_key"], set_={"weight": moved}
    )
    start = max(low, min(high, delta))
    conn.execute(statement, [{"user_id": user_id, "channel_key": k, "weight": start} for k in keys])


def affinities(conn: Connection, user_id: int, limit: int | None = 50) -> dict[str, float]:
    """The reader's learned weights, strongest first (positive and negative)."""
    query = (
        select(reader_affinity.c.channel_key, reader_affinity.c.weight)
        .where(reader_affinity.c.user_id == user_id, reader_affinity.c.weight != 0)
        .order_by(func.abs(reader_affinity.c.weight).desc(), reader_affinity.c.channel_key)
    )
    if limit is not None:
        query = query.limit(limit)
    return {str(k): float(w) for k, w in conn.execute(query)}
