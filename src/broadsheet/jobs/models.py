"""The models in worker processes: an Analyzer that sends each page to a pool of processes.

Extraction and enrichment are the CPU-heavy part of ingestion and hold the GIL; in processes
of their own they use every core while the caller's threads fetch and store. Both the
in-process runner and the procrastinate workers analyse pages this way.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from threadpoolctl import threadpool_limits

from broadsheet.enrich.gazetteer import load_gazetteer
from broadsheet.enrich.nlp import load_nlp
from broadsheet.enrich.topics import load_prototypes
from broadsheet.models import ArticleDraft, Enrichment, FeedEntry
from broadsheet.pipeline import analyze_page
from broadsheet.pipeline.context import Analyzer

T = TypeVar("T")


def start_model_process(enrich: bool) -> None:
    """Set up a model process: one BLAS thread (the parallelism is the processes), models loaded.

    Without the limit each process's numpy would start a thread per core, and N processes on
    N cores would fight over them.
    """
    threadpool_limits(limits=1)
    if enrich:
        warm_models()


def warm_models() -> None:
    """Load the models once in this process, before its first page."""
    # The section prototypes are embedded with MiniLM, which loads it: the first page pays
    # for neither.
    load_nlp(), load_gazetteer(), load_prototypes()


class ModelProcesses:
    """An Analyzer (see pipeline.context) running `analyze_page` in a pool of processes."""

    def __init__(self, processes: int, *, enrich: bool) -> None:
        self._processes = max(1, processes)
        self._enrich = enrich
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def __call__(
        self,
        html: str,
        url: str,
        entry: FeedEntry | None,
        *,
        enrich: bool,
        max_chars: int,
        home: str = "",
    ) -> tuple[ArticleDraft, Enrichment]:
        return self.run(
            analyze_page, html, url, entry, enrich=enrich, max_chars=max_chars, home=home
        )

    def run(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """function(*args, **kwargs) in a model process (a picklable, module-level function)."""
        pool = self._pool_now()
        try:
            return pool.submit(function, *args, **kwargs).result()
        except BrokenProcessPool:
            # A model process died (killed, out of memory): this entry's failure is recorded
            # and retried; the next page gets a fresh pool.
            with self._lock:
                if self._pool is pool:
                    self._pool = None
            raise

    def close(self) -> None:
        """Stop the processes."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    def _pool_now(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    self._processes,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=start_model_process,
                    initargs=(self._enrich,),
                )
            return self._pool


class SerialAnalyzer:
    """An Analyzer running the models inline, one page at a time (spaCy is not thread-safe),
    with one BLAS thread: numpy's extra threads only fight the fetching threads for cores."""

    def __init__(self, analyzer: Analyzer) -> None:
        self._analyzer = analyzer
        self._lock = threading.Lock()

    def __call__(
        self,
        html: str,
        url: str,
        entry: FeedEntry | None,
        *,
        enrich: bool,
        max_chars: int,
        home: str = "",
    ) -> tuple[ArticleDraft, Enrichment]:
        with self._lock, threadpool_limits(limits=1):
            return self._analyzer(html, url, entry, enrich=enrich, max_chars=max_chars, home=home)
