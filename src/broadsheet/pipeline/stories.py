"""The story graph of one process, kept in step with the database it places articles in.

The database is the record (articles.story_id, story_moves); the graph is this process's
working copy of the story window. It is built on first use from the articles published in
the last two story windows (bounded by the window's volume, not the corpus), and before each
placement it takes in what other processes stored and moved since (by id, from indexes).
Two processes placing two articles of a new story at the same moment may each open a story;
the next article that reaches both merges them. A transaction that fails after the graph
changed drops the graph: the next placement builds it again from the database.
"""

from __future__ import annotations

import threading
from datetime import datetime

import numpy as np
from sqlalchemy import Connection, update

from broadsheet.models import Article
from broadsheet.store import articles as article_store
from broadsheet.store import related as related_store
from broadsheet.store import story_moves as move_store
from broadsheet.store.schema import articles
from broadsheet.stories.graph import StoryGraph, lede_terms


class LiveStories:
    """Places stored articles in stories; one per process (pipeline.Context holds it)."""

    def __init__(self) -> None:
        self._graph: StoryGraph | None = None
        self._article_id = 0  # the newest article id the graph has taken in
        self._move_id = 0  # the newest story_moves id it has followed
        self._lock = threading.Lock()

    def reset(self) -> None:
        """Forget the graph (after a failed transaction): it is built again when next needed."""
        with self._lock:
            self._graph = None

    def place(self, conn: Connection, article_id: int, article: Article, now: datetime) -> int:
        """The story of a just-saved original; saves it and every move the graph made.

        An article without an embedding (enrichment off) is a story of its own.
        """
        published = article.draft.published or now

        def open_story(key: int) -> int:
            """A story named after the article that opens it (this one, or a split's oldest)."""
            row = None if key == article_id else article_store.get_article(conn, key)
            title = row["title"] if row else article.draft.title
            return article_store.create_story(conn, title, published)

        if not article.enrichment.embedding:
            return self._set_story(conn, article_id, open_story(article_id))
        with self._lock:
            graph = self._catch_up(conn)
            graph.new_story = open_story
            story = graph.add(
                article_id,
                np.asarray(article.enrichment.embedding, dtype=np.float32),
                lede_terms(article.draft.title, article.draft.text),
                published,
            )
            self._set_story(conn, article_id, story)
            move_store.apply_moves(conn, graph.moves, now)  # the merges and splits it made
            grown = (
                {story} | {m.old_story for m in graph.moves} | {m.new_story for m in graph.moves}
            )
            related_store.mark_due(conn, grown)  # their related lists are ranked again
            graph.moves.clear()
            self._article_id = max(self._article_id, article_id)
            self._move_id = move_store.last_move_id(conn)
            return story

    @staticmethod
    def _set_story(conn: Connection, article_id: int, story: int) -> int:
        conn.execute(update(articles).where(articles.c.id == article_id).values(story_id=story))
        return story

    def _catch_up(self, conn: Connection) -> StoryGraph:
        """The graph, built if need be, with what others stored and moved taken in."""
        graph = self._graph
        since = None
        if graph is None or move_store.last_article_id(conn) < self._article_id:
            # New, or the database is not the one the graph was built from: build it.
            graph = self._graph = StoryGraph()
            self._article_id = 0
            self._move_id = move_store.last_move_id(conn)
            newest = move_store.newest_published(conn)
            since = newest - 2 * graph.window if newest else None
        for row in move_store.graph_rows(conn, after_id=self._article_id, since=since):
            if row["id"] in graph.nodes or not row["embedding"]:
                continue
            graph.add_known(
                row["id"],
                np.frombuffer(row["embedding"], dtype=np.float32),
                lede_terms(row["title"], row["lede"]),
                row["published"],
                row["story_id"],
            )
            self._article_id = max(self._article_id, row["id"])
        for move in move_store.moves_after(conn, self._move_id):
            graph.restory(move["article_id"], move["new_story_id"])
            self._move_id = move["id"]
        return graph
