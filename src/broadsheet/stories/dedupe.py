"""Wire copies: the same agency text carried by several publishers."""

from __future__ import annotations

from datetime import UTC, datetime

from broadsheet.models import ArticleSummary
from broadsheet.stories.similarity import containment, shingles

# A copy may be trimmed or retitled, so compare the shared share of the shorter text.
COPY_CONTAINMENT = 0.6
LATEST = datetime.max.replace(tzinfo=UTC)


def find_original(text: str, candidates: list[ArticleSummary]) -> int | None:
    """The id of the earliest stored article this text is a copy of, or None.

    The candidates are the articles sharing an LSH band with the text (store.copy_candidates,
    or CorpusLinker's own index), their texts loaded: the wording decides alone. No embedding
    veto: a copy with a local paper's paragraphs around it, or cut to its first half, moves
    far in meaning while its wording is the agency's (bench/dedupe.py).
    """
    mine = shingles(text)
    by_id = {other.id: other for other in candidates}
    best: tuple[datetime, int] | None = None
    for other in candidates:
        if containment(mine, shingles(other.text)) < COPY_CONTAINMENT:
            continue
        original = other.copy_of if other.copy_of is not None else other.id
        # The first published carrier heads the group; the first stored when dates are unknown.
        published = getattr(by_id.get(original), "published", None) or other.published
        rank = (published or LATEST, original)
        if best is None or rank < best:
            best = rank
    return best[1] if best else None
