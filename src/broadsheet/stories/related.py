"""Related articles: the same story first, then the same people, places and subject, from
several publishers, recent."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from broadsheet.enrich.taxonomy import section_name
from broadsheet.models import ArticleSummary
from broadsheet.stories.similarity import cosine, overlap, subject_keys

MAX_PER_PUBLISHER = 3
RELATED_FLOOR = 0.25  # below it an article is related only as more of the same section
FILL_TO = 10  # lists are filled from the section up to this length
RECENCY_HALF_LIFE_DAYS = 7.0


@dataclass(frozen=True)
class RelatedArticle:
    id: int
    score: float
    reason: str


def rank_related(
    target: ArticleSummary,
    candidates: list[ArticleSummary],
    names: Mapping[str, str],
    limit: int = 12,
) -> list[RelatedArticle]:
    """The best related articles for target, at most MAX_PER_PUBLISHER from one publisher:
    the same story first, then articles close in subject (above RELATED_FLOOR), then, while
    fewer than FILL_TO are listed, the closest of the rest in the target's section."""
    tiered = []
    for other in candidates:
        if _same_copy_group(target, other):
            continue
        score = _relatedness(target, other)
        if _same_story(target, other):
            tiered.append((0, score, other))
        elif score > RELATED_FLOOR:
            tiered.append((1, score, other))
        elif target.section and other.section == target.section:
            tiered.append((2, score, other))
    tiered.sort(key=lambda item: (item[0], -item[1], -item[2].id))
    chosen: list[RelatedArticle] = []
    per_publisher: Counter[int | None] = Counter()
    groups_shown: set[int] = set()
    for tier, score, other in tiered:
        if len(chosen) == limit or (tier == 2 and len(chosen) >= FILL_TO):
            break
        if per_publisher[other.source_id] >= MAX_PER_PUBLISHER or copy_root(other) in groups_shown:
            continue  # wire copies are folded: one carrier of each text is enough
        per_publisher[other.source_id] += 1
        groups_shown.add(copy_root(other))
        reason = f"More in {section_name(target.section)}" if tier == 2 else None
        chosen.append(
            RelatedArticle(other.id, round(score, 4), reason or _reason(target, other, names))
        )
    return chosen


def copy_root(article: ArticleSummary) -> int:
    """The id of the first carrier of the article's text (itself when it is no copy)."""
    return article.copy_of if article.copy_of is not None else article.id


def _same_copy_group(a: ArticleSummary, b: ArticleSummary) -> bool:
    return copy_root(a) == copy_root(b)


def _same_story(a: ArticleSummary, b: ArticleSummary) -> bool:
    return a.story_id is not None and a.story_id == b.story_id


def _relatedness(a: ArticleSummary, b: ArticleSummary) -> float:
    meaning = cosine(a.embedding, b.embedding)
    shared = overlap(a.channel_keys, b.channel_keys)
    same_story = 0.2 if _same_story(a, b) else 0.0
    return (0.65 * meaning + 0.35 * min(1.0, shared * 3) + same_story) * _recency(a, b)


def _recency(a: ArticleSummary, b: ArticleSummary) -> float:
    if a.published is None or b.published is None:
        return 0.8
    days = abs((a.published - b.published).total_seconds()) / 86400
    return 0.6 + 0.4 * 0.5 ** (days / RECENCY_HALF_LIFE_DAYS)


def _reason(a: ArticleSummary, b: ArticleSummary, names: Mapping[str, str]) -> str:
    if _same_story(a, b):
        return "Same story"
    shared = sorted(
        subject_keys(a.channel_keys & b.channel_keys), key=lambda key: names.get(key, key)
    )
    if shared:
        return "Also about " + ", ".join(names.get(key, key) for key in shared[:3])
    return "Similar subject"
