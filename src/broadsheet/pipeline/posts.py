"""Contributors' posts in the pipeline: stored at once, understood by the same models later.

A post is saved as an article of its contributor's source the moment its author sends it,
with the place they picked linked (Local shows it at once) and a provisional section; its
source gets an entry in state "extracted" with the article set. That entry is due like any
other, so the runners take it as they take a feed's (in-process on SQLite, procrastinate
workers on PostgreSQL), and `process_entry` hands it to `enrich_post` (pipeline/entries.py).

The models read the stored text, not a page: extraction would only lose words (trafilatura
drops lines such as "Share this story" that an author may well write). `analyze_draft` runs
in a model process when the context's analyzer has them (ModelProcesses.run: the in-process
runner's default and every worker), else inline, one post at a time.

Measured (2026-12-02, this 2-core machine, SQLite): saving a post takes about 15 ms in the web
process; loading the models takes about 9 s and 280 MB, and then a 2,000-character post is
read in about 0.13 s. So the web process never loads them (each of N web processes would pay
the 280 MB, and the first post the 9 s); a post waits instead for the next run of the queue:
at most the runner's idle 30 s on SQLite, the workers' one-minute tick on PostgreSQL.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

from broadsheet.keys import ChannelKey
from broadsheet.models import ArticleDraft, Enrichment, Image, LocalChannel, Place
from broadsheet.pipeline.analysis import analyze_draft
from broadsheet.pipeline.context import Context
from broadsheet.store.channels import channel_name

# Inline analyses (an analyzer without model processes) one at a time: spaCy is not thread-safe.
_INLINE = threading.Lock()


def place_links(place: dict[str, Any]) -> tuple[Place, LocalChannel]:
    """The place (a place channel's row) as the article's place and its local channel."""
    key = str(place["key"])
    geonameid = ChannelKey.parse(key).geonameid
    found = Place(
        name=str(place["name"]),
        kind=place["kind"],
        geonameid=geonameid,
        lat=float(place["lat"]),
        lon=float(place["lon"]),
        country=str(place.get("country") or ""),
        admin1=str(place.get("admin1") or ""),
        key=key,
    )
    return found, LocalChannel(channel_name(place), place["kind"], geonameid, key)


def place_label(place: dict[str, Any] | None) -> str:
    """ "Chicago, IL": the home the models weigh local coverage against ('' for none)."""
    return channel_name(place) if place else ""


def provisional_enrichment(place: dict[str, Any] | None) -> Enrichment:
    """What a post is stored with until the models have read it: its place, a section."""
    links = place_links(place) if place else None
    return Enrichment(
        entities=[],
        places=[links[0]] if links else [],
        local_channels=[links[1]] if links else [],
        section="local" if place else "world",
        labels=[],
        hashtags=[],
        wire_source=None,
        embedding=[],
    )


def with_place(enrichment: Enrichment, place: dict[str, Any] | None) -> Enrichment:
    """The models' enrichment with the author's place kept first, whatever they found."""
    if not place:
        return enrichment
    found, local = place_links(place)
    places = [found, *(p for p in enrichment.places if p.key != found.key)]
    channels = [local, *(c for c in enrichment.local_channels if c.key != local.key)]
    return replace(enrichment, places=places, local_channels=channels)


def stored_draft(row: dict[str, Any]) -> ArticleDraft:
    """The draft of a stored article, as its author wrote it (the article row)."""
    return ArticleDraft(
        url=row["url"],
        canonical_url=row["canonical_url"],
        title=row["title"],
        byline=row["byline"],
        published=row["published"],
        language=row["language"],
        text=row["text"],
        images=[Image(str(i.get("url", "")), str(i.get("caption", ""))) for i in row["images"]],
        description=row["description"],
    )


def analyze_post(ctx: Context, draft: ArticleDraft, home: str) -> Enrichment:
    """The models' understanding of a post: in a model process when the analyzer has them."""
    run = getattr(ctx.analyzer, "run", None)
    max_chars = ctx.settings.nlp_max_chars
    if callable(run):
        found = run(analyze_draft, draft, (), max_chars, home)
        assert isinstance(found, Enrichment)
        return found
    with _INLINE:
        return analyze_draft(draft, (), max_chars, home)
