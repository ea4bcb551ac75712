"""Story clusters: articles about the same event, from any publisher."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np

from broadsheet.models import ArticleSummary
from broadsheet.stories.similarity import cosine, overlap

STORY_WINDOW = timedelta(days=4)
# Same story: close in meaning and sharing who/where, or near-identical in meaning.
STORY_MIN_COSINE = 0.7
STORY_MIN_OVERLAP = 0.12
STORY_SURE_COSINE = 0.8


def story_score(embedding: np.ndarray | None, keys: frozenset[str], other: ArticleSummary) -> float:
    """How strongly another article belongs to the same story (0 when it does not)."""
    meaning = cosine(embedding, other.embedding)
    shared = overlap(keys, other.channel_keys)
    if meaning >= STORY_SURE_COSINE or (
        meaning >= STORY_MIN_COSINE and shared >= STORY_MIN_OVERLAP
    ):
        return meaning + shared
    return 0.0


def find_story(
    embedding: np.ndarray | None,
    keys: frozenset[str],
    published: datetime | None,
    candidates: list[ArticleSummary],
) -> int | None:
    """The story id of the best-matching recent article, or None for a new story."""
    best: tuple[float, int] | None = None
    for other in candidates:
        if other.story_id is None or not _near_in_time(published, other.published):
            continue
        score = story_score(embedding, keys, other)
        if score > 0 and (best is None or score > best[0]):
            best = (score, other.story_id)
    return best[1] if best else None


def _near_in_time(a: datetime | None, b: datetime | None) -> bool:
    if a is None or b is None:
        return True
    return abs(a - b) <= STORY_WINDOW
