"""Full-text search: FTS5 on SQLite, tsvector on PostgreSQL."""

from __future__ import annotations

import re

from sqlalchemy import Connection, text

from broadsheet.store.database import is_postgres

_WORD = re.compile(r"\w+", re.UNICODE)


def search_article_ids(conn: Connection, query: str, limit: int = 30) -> list[int]:
    """Ids of the articles best matching the words of the query, best first."""
    words = _WORD.findall(query)
    if not words:
        return []
    if is_postgres(conn):
        sql = text(
            "SELECT id FROM articles, plainto_tsquery('english', :q) AS q "
            "WHERE search @@ q ORDER BY ts_rank(search, q) DESC, id DESC LIMIT :limit"
        )
        rows = conn.execute(sql, {"q": " ".join(words), "limit": limit})
    else:
        # Quote every word so user input is never read as FTS5 syntax.
        match = " ".join('"' + word.replace('"', "") + '"' for word in words)
        sql = text(
            "SELECT rowid FROM articles_fts WHERE articles_fts MATCH :q "
            "ORDER BY bm25(articles_fts, 4.0, 1.0) LIMIT :limit"
        )
        rows = conn.execute(sql, {"q": match, "limit": limit})
    return [int(row[0]) for row in rows]
