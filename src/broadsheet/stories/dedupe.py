"""Wire copies: the same agency text carried by several publishers."""

from __future__ import annotations

import numpy as np

from broadsheet.models import ArticleSummary
from broadsheet.stories.similarity import containment, cosine, shingles

# A copy may be trimmed or retitled, so compare the shared share of the shorter text.
COPY_CONTAINMENT = 0.6
# Cheap pre-filter: copies say the same thing, so their embeddings are close.
COPY_MIN_COSINE = 0.75


def find_original(
    text: str, embedding: np.ndarray | None, candidates: list[ArticleSummary]
) -> int | None:
    """The id of the earliest stored article this text is a copy of, or None."""
    mine = shingles(text)
    best: tuple[float, int] | None = None
    for other in candidates:
        both = embedding is not None and other.embedding is not None
        if both and cosine(embedding, other.embedding) < COPY_MIN_COSINE:
            continue
        score = containment(mine, shingles(other.text))
        if score < COPY_CONTAINMENT:
            continue
        original = other.copy_of if other.copy_of is not None else other.id
        if best is None or original < best[1]:
            best = (score, original)
    return best[1] if best else None
