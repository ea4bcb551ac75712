"""The taxonomy: sections (one per article) and finer labels (FOREIGN POLICY ...), and hashtags.

Each article is filed under exactly one section of `SECTIONS` (models.py). A section has a
display name and a one-line scope, which is both its documentation and the first sentence of
its prototype in `topics.py`. Labels are finer subjects in capitals; an article gets every
label whose phrases it uses often enough, strongest first, and each label may appear only in
the sections listed with it (BASKETBALL in sports, never in business).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from broadsheet.enrich.labels import LABELS
from broadsheet.models import Entity, Place


@dataclass(frozen=True)
class Section:
    """A top-level section: slug, the name readers see, and what it covers."""

    slug: str
    name: str
    scope: str


SECTION_INFO: dict[str, Section] = {
    s.slug: s
    for s in (
        Section("world", "World", "International news: foreign countries, wars and diplomacy."),
        Section(
            "politics",
            "Politics",
            "Politics: governments, parties, elections, parliaments and legislation.",
        ),
        Section(
            "business", "Business", "Business: companies, markets, trade, jobs and the economy."
        ),
        Section(
            "technology",
            "Technology",
            "Technology: computers, software, the internet, phones, gadgets and games.",
        ),
        Section(
            "science", "Science", "Science: research, discoveries, space, physics and biology."
        ),
        Section(
            "health", "Health", "Health: medicine, disease, hospitals, patients and public health."
        ),
        Section("sports", "Sports", "Sports: matches, players, teams, coaches and championships."),
        Section(
            "entertainment",
            "Entertainment",
            "Entertainment: films, music, television, books, the arts and celebrities.",
        ),
        Section(
            "lifestyle",
            "Lifestyle",
            "Lifestyle: food, travel, fashion, home, family, relationships and well-being.",
        ),
        Section(
            "local",
            "Local",
            "Local news: a town's council, schools, roads, businesses and residents.",
        ),
        Section(
            "crime",
            "Crime & Safety",
            "Crime and safety: police, arrests, courts, trials, fires and accidents.",
        ),
        Section(
            "weather", "Weather", "Weather: forecasts, storms, floods, heat, snow and hurricanes."
        ),
        Section(
            "education",
            "Education",
            "Education: schools, teachers, pupils, universities and exams.",
        ),
        Section(
            "environment",
            "Environment",
            "Environment: climate change, pollution, wildlife, conservation and energy.",
        ),
    )
}


def section_name(slug: str) -> str:
    """The name readers see for a section slug: "crime" -> "Crime & Safety"."""
    info = SECTION_INFO.get(slug)
    return info.name if info else slug.replace("-", " ").replace("_", " ").title()


_FOREIGN_POLICY_SECTIONS = frozenset({"politics", "world"})


def count_countries(entities: list[Entity], places: list[Place]) -> int:
    """How many distinct countries the article's places and country entities name."""
    codes = {place.country for place in places if place.country}
    names = {e.key or e.name.lower() for e in entities if e.kind == "country"}
    return max(len(codes), len(names))


def _label_hits(
    section: str, entities: list[Entity], places: list[Place], text: str
) -> dict[str, int]:
    hits: dict[str, int] = {}
    for label in LABELS:
        if section not in label.sections:
            continue
        found = label.pattern.findall(text)
        # Two different phrases, not one word repeated: "police ... police" is not a crime story.
        distinct = len({phrase.casefold() for phrase in found})
        if len(found) >= label.min_hits and distinct >= min(2, label.min_hits):
            hits[label.name] = len(found)
    if section in _FOREIGN_POLICY_SECTIONS and count_countries(entities, places) >= 2:
        hits["FOREIGN POLICY"] = hits.get("FOREIGN POLICY", 0) + 3
    if section == "politics" and any(place.country == "US" for place in places):
        hits["U.S. POLITICS"] = hits.get("U.S. POLITICS", 0) + 2
    return hits


def labels_for(section: str, entities: list[Entity], places: list[Place], text: str) -> list[str]:
    """Every label the article earns, strongest first, ending with the section's own name."""
    hits = _label_hits(section, entities, places, text)
    ranked = sorted(hits, key=lambda name: -hits[name])  # stable: ties keep LABELS order
    section_label = section_name(section).upper()
    return [*[name for name in ranked if name != section_label], section_label]


def _contains_words(longer: str, shorter: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(shorter) + r"(?!\w)", longer) is not None


def _same_thing_possible(kind: str, other_kind: str) -> bool:
    # "Chicago" the place and "Chicago Bulls" the team are different things; a surname tagged
    # "other" by the recogniser may still be the person.
    return kind == other_kind or "other" in (kind, other_kind)


def _merge_hashtag(chosen: list[tuple[str, str]], name: str, kind: str) -> None:
    folded = name.casefold()
    for i, (other, other_kind) in enumerate(chosen):
        other_folded = other.casefold()
        if folded == other_folded:
            return
        related = _same_thing_possible(kind, other_kind)
        if related and _contains_words(other_folded, folded):
            return  # "Okafor" after "Maria Okafor": the same thing, already there
        if related and _contains_words(folded, other_folded):
            chosen[i] = (name, kind)  # keep the fuller name at the earlier, more salient place
            return
    chosen.append((name, kind))


def hashtags_for(entities: list[Entity], section: str, limit: int = 8) -> list[str]:
    """Hashtags (stored without "#"): salient entities' canonical names, then the topic."""
    chosen: list[tuple[str, str]] = []
    for entity in sorted(entities, key=lambda e: -e.salience):
        name = " ".join(entity.name.lstrip("#").split())
        if len(name) < 2 or not any(ch.isalpha() for ch in name):
            continue
        _merge_hashtag(chosen, name, entity.kind)
    names = [name for name, _ in chosen]
    topic = section_name(section)
    names = [name for name in names if name.casefold() != topic.casefold()][: max(limit - 1, 0)]
    return [*names, topic][:limit] if limit > 0 else []
