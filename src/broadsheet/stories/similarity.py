"""How alike two articles are: by meaning (embeddings), by wording (shingles), by subject."""

from __future__ import annotations

import re

import numpy as np

from broadsheet.keys import is_subject_key

_WORD = re.compile(r"\w+", re.UNICODE)


def cosine(a: np.ndarray | None, b: np.ndarray | None) -> float:
    """Cosine of two unit-length embeddings; 0.0 when either is missing."""
    if a is None or b is None or len(a) == 0 or len(b) == 0:
        return 0.0
    return float(np.dot(a, b))


def shingles(text: str, size: int = 5) -> set[int]:
    """Hashes of the text's overlapping word n-grams, case-folded."""
    words = _WORD.findall(text.lower())
    if len(words) < size:
        return {hash(" ".join(words))} if words else set()
    return {hash(" ".join(words[i : i + size])) for i in range(len(words) - size + 1)}


def containment(a: set[int], b: set[int]) -> float:
    """Share of the smaller shingle set found in the larger: a trimmed copy still scores high."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def subject_keys(keys: frozenset[str]) -> frozenset[str]:
    """The keys that say what an article is about: people, organisations, places.

    "other:" keys (nationalities, parties, events: "Democrat", "Republicans") and topics are
    shared by too many unrelated articles to mean anything.
    """
    return frozenset(key for key in keys if is_subject_key(key))


def overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard overlap of two articles' subject keys."""
    a, b = subject_keys(a), subject_keys(b)
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)
