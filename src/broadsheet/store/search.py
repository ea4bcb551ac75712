"""Full-text search: FTS5 on SQLite, tsvector on PostgreSQL, with filters, two orders and
highlighted snippets.

User words are never read as query syntax: FTS5 gets each word quoted, PostgreSQL
plainto_tsquery. A snippet marks its matched words with MARK_START / MARK_END, characters no
article text keeps (extraction drops control characters), so the page can escape the text and
mark the words safely.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, DateTime, bindparam, text

from broadsheet.store.database import is_postgres

_WORD = re.compile(r"\w+", re.UNICODE)
MARK_START, MARK_END = "\x02", "\x03"
SNIPPET_WORDS = 28


@dataclass(frozen=True)
class Filters:
    """What narrows a search: section, publisher, a channel (person, place ...), dates."""

    section: str | None = None
    source_id: int | None = None
    channel_key: str | None = None
    since: datetime | None = None
    until: datetime | None = None


NO_FILTERS = Filters()


@dataclass(frozen=True)
class Hit:
    id: int
    snippet: str  # with MARK_START / MARK_END around the matched words


def search(
    conn: Connection,
    query: str,
    filters: Filters = NO_FILTERS,
    by_date: bool = False,
    limit: int = 30,
    offset: int = 0,
) -> list[Hit]:
    """The originals best matching the query's words (or newest first), filtered."""
    words = _WORD.findall(query)
    if not words:
        return []
    where, params = _filters(filters)
    params.update(limit=limit, offset=offset)
    if is_postgres(conn):
        order = (
            "a.published DESC NULLS LAST, a.id DESC"
            if by_date
            else "ts_rank(a.search, q) DESC, a.id DESC"
        )
        sql = (
            "SELECT a.id, ts_headline('english', a.text, q, :options) FROM articles a, "
            "plainto_tsquery('english', :q) AS q WHERE a.search @@ q AND a.copy_of IS NULL"
            f"{where} ORDER BY {order} LIMIT :limit OFFSET :offset"
        )
        params.update(
            q=" ".join(words),
            options=f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords={SNIPPET_WORDS}, "
            "MinWords=12, MaxFragments=1",
        )
    else:
        order = "a.published DESC, a.id DESC" if by_date else "bm25(articles_fts, 4.0, 1.0)"
        sql = (
            f"SELECT a.id, snippet(articles_fts, 1, '{MARK_START}', '{MARK_END}', '…', "
            f"{SNIPPET_WORDS}) FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
            f"WHERE articles_fts MATCH :q AND a.copy_of IS NULL{where} "
            f"ORDER BY {order} LIMIT :limit OFFSET :offset"
        )
        # Quote every word so user input is never read as FTS5 syntax.
        params["q"] = " ".join('"' + word.replace('"', "") + '"' for word in words)
    statement = text(sql).bindparams(
        *(
            bindparam(name, type_=DateTime(timezone=True))
            for name in ("since", "until")
            if name in params
        )
    )
    return [Hit(int(i), str(snippet or "")) for i, snippet in conn.execute(statement, params)]


def _filters(filters: Filters) -> tuple[str, dict[str, Any]]:
    clauses: list[str] = []
    params: dict[str, Any] = {}
    if filters.section:
        clauses.append("a.section = :section")
        params["section"] = filters.section
    if filters.source_id is not None:
        clauses.append("a.source_id = :source_id")
        params["source_id"] = filters.source_id
    if filters.channel_key:
        clauses.append(
            "a.id IN (SELECT article_id FROM article_channels WHERE channel_key = :channel_key)"
        )
        params["channel_key"] = filters.channel_key
    if filters.since is not None:
        clauses.append("a.published >= :since")
        params["since"] = filters.since
    if filters.until is not None:
        clauses.append("a.published < :until")
        params["until"] = filters.until
    return "".join(f" AND {clause}" for clause in clauses), params
