"""Ingest rate of the demo corpus (articles/s), against fetch + plain trafilatura as the peer.

Prints one JSON line. The peer does only what every aggregator must (fetch and extract the same
pages); the ratio says what understanding and storing costs on top of that.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import trafilatura

from broadsheet.cli import make_fetcher, register_demo_sources
from broadsheet.config import load_settings
from broadsheet.demo import DemoServer
from broadsheet.enrich.embed import embed_texts
from broadsheet.enrich.gazetteer import load_gazetteer
from broadsheet.enrich.nlp import load_nlp
from broadsheet.ingest.feeds import parse_feed
from broadsheet.pipeline import ingest_source
from broadsheet.store import open_database


def main() -> None:
    settings = load_settings(environ={}, allow_hosts=("127.0.0.1",))
    load_nlp(), load_gazetteer(), embed_texts(["warm up"])  # model loads are not ingest
    with DemoServer() as site, tempfile.TemporaryDirectory() as tmp:
        engine = open_database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        ids = register_demo_sources(engine, site)
        with make_fetcher(settings) as fetcher:
            start = time.perf_counter()
            new = sum(ingest_source(engine, fetcher, source_id).new for source_id in ids)
            ours = time.perf_counter() - start
            start = time.perf_counter()
            pages = 0
            for publisher in site.publishers():
                for entry in parse_feed(fetcher.fetch_page(site.feed_url(publisher.id))).entries:
                    trafilatura.extract(fetcher.fetch_page(entry.url).text)
                    pages += 1
            peer = time.perf_counter() - start
    print(
        json.dumps(
            {
                "benchmark": "ingest",
                "articles": new,
                "seconds": round(ours, 2),
                "articles_per_s": round(new / ours, 2),
                "peer": "fetch+trafilatura.extract",
                "peer_articles_per_s": round(pages / peer, 2),
                "ratio": round((new / ours) / (pages / peer), 3),
            }
        )
    )


if __name__ == "__main__":
    main()
