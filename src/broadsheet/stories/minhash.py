"""MinHash LSH bands of a text: near-copies share a band, so copies are found by index."""

from __future__ import annotations

import hashlib
import re
import zlib
from functools import lru_cache

import numpy as np

SHINGLE_WORDS = 5
PERMUTATIONS = 64
ROWS_PER_BAND = 2  # 32 bands: texts with Jaccard 0.3 share a band 95% of the time
_PRIME = np.uint64((1 << 31) - 1)
_RNG = np.random.default_rng(20261201)  # fixed: stored bands must stay comparable
_A = _RNG.integers(1, int(_PRIME), size=(PERMUTATIONS, 1), dtype=np.uint64)
_B = _RNG.integers(0, int(_PRIME), size=(PERMUTATIONS, 1), dtype=np.uint64)
_WORD = re.compile(r"\w+", re.UNICODE)


def stable_shingles(text: str) -> np.ndarray:
    """CRC32 hashes of the text's overlapping word 5-grams, case-folded (same in every process)."""
    words = _WORD.findall(text.lower())
    grams = {" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}
    return np.fromiter((zlib.crc32(g.encode()) for g in grams), dtype=np.uint64, count=len(grams))


@lru_cache(maxsize=16)
def text_bands(text: str) -> tuple[int, ...]:
    """The text's distinct LSH band keys (signed 64-bit), sorted; () for a text too short.

    Cached: storing an article asks for its bands twice (candidates, then the index row).
    """
    hashes = stable_shingles(text)
    if hashes.size == 0:
        return ()
    signature = ((_A * hashes[np.newaxis, :] + _B) % _PRIME).min(axis=1)
    bands = []
    for band in range(PERMUTATIONS // ROWS_PER_BAND):
        rows = signature[band * ROWS_PER_BAND : (band + 1) * ROWS_PER_BAND]
        digest = hashlib.blake2b(f"{band}:{rows.tolist()}".encode(), digest_size=8).digest()
        bands.append(int.from_bytes(digest, "big", signed=True))
    return tuple(sorted(set(bands)))
