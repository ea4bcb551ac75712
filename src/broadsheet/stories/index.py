"""An approximate nearest-neighbour index over article embeddings (usearch's HNSW).

Story candidates come from here, never from a scan: the cost of a search grows with the
logarithm of the index's size (bench/cluster_scale.py measures it at 10k, 100k and 1M).
"""

from __future__ import annotations

import threading

import numpy as np
from usearch.index import Index

from broadsheet.enrich.embed import DIMENSIONS

# HNSW's graph degree and breadths (usearch's defaults, but a wider search: the graph asks for
# 50 neighbours). How many of an article's event-mates it finds: bench/cluster_scale.py.
CONNECTIVITY = 16
EXPANSION_ADD = 128
EXPANSION_SEARCH = 128


class VectorIndex:
    """Unit-length vectors keyed by article id; search gives (id, cosine) pairs, best first.

    Half-precision storage: 768 bytes a vector. Safe to share between threads.
    """

    def __init__(self, dimensions: int = DIMENSIONS) -> None:
        self._index = Index(
            ndim=dimensions,
            metric="cos",
            dtype="f16",
            connectivity=CONNECTIVITY,
            expansion_add=EXPANSION_ADD,
            expansion_search=EXPANSION_SEARCH,
        )
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, key: int) -> bool:
        return key in self._index

    def add(self, key: int, vector: np.ndarray) -> None:
        """Index (or re-index) one vector under key."""
        with self._lock:
            if key in self._index:
                self._index.remove(key)
            self._index.add(key, np.asarray(vector, dtype=np.float32), threads=1)

    def add_many(self, keys: np.ndarray, vectors: np.ndarray, threads: int = 1) -> None:
        """Index many new vectors at once (keys not yet in the index); threads 0: all cores."""
        with self._lock:
            self._index.add(keys.astype(np.uint64), vectors.astype(np.float32), threads=threads)

    def remove(self, key: int) -> None:
        with self._lock:
            if key in self._index:
                self._index.remove(key)

    def search(self, vector: np.ndarray, count: int) -> list[tuple[int, float]]:
        """The ids of the nearest vectors and their cosines, best first."""
        if len(self._index) == 0 or count <= 0:
            return []
        with self._lock:
            matches = self._index.search(np.asarray(vector, dtype=np.float32), count, threads=1)
        return [
            (int(key), 1.0 - float(distance))
            for key, distance in zip(matches.keys, matches.distances, strict=True)
        ]
