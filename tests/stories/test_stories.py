"""Wire copies and related articles on hand-made summaries."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np

from broadsheet.models import ArticleSummary
from broadsheet.stories.dedupe import find_original
from broadsheet.stories.related import rank_related

NOW = datetime(2026, 11, 20, tzinfo=UTC)
WIRE = (
    "LONDON (Meridian Wire) — Negotiators from twelve countries agreed early on Tuesday to cut "
    "shipping emissions by a third before 2035, after talks that ran through the night. The deal "
    "sets a levy on heavy fuel oil and a fund for ports in poorer nations. Delegates applauded "
    "as the chair, Helena Marsh, read the final text. Shipping firms said the timetable was tight "
    "but workable. With Meridian Wire reporting."
)


def vector(*hot: int) -> np.ndarray:
    v = np.zeros(384, dtype=np.float32)
    for i in hot:
        v[i] = 1.0
    return v / np.linalg.norm(v)


def summary(
    id: int,
    text: str,
    emb: np.ndarray,
    keys: set[str],
    source: int = 1,
    story: int | None = None,
    hours: int = 0,
    copy_of: int | None = None,
) -> ArticleSummary:
    return ArticleSummary(
        id=id,
        source_id=source,
        title=f"t{id}",
        text=text,
        published=NOW - timedelta(hours=hours),
        wire_source=None,
        embedding=emb,
        copy_of=copy_of,
        story_id=story,
        channel_keys=frozenset(keys),
    )


def test_trimmed_wire_copy_points_to_the_first_carrier() -> None:
    first = summary(1, WIRE, vector(1), {"person:helena-marsh"}, story=7)
    trimmed = WIRE.rsplit(" Shipping firms", 1)[0]
    assert find_original(trimmed, [first]) == 1
    second = summary(2, WIRE, vector(1), set(), source=2, copy_of=1)
    assert find_original(WIRE, [second]) == 1


def test_the_first_published_carrier_heads_the_copy_group() -> None:
    stored_first = summary(1, WIRE, vector(1), set(), hours=1)  # stored first, published later
    published_first = summary(2, WIRE, vector(1), set(), source=2, hours=3)
    assert find_original(WIRE, [stored_first, published_first]) == 2
    undated = [summary(n, WIRE, vector(1), set()) for n in (4, 3)]
    for item in undated:
        item.published = None
    assert find_original(WIRE, undated) == 3  # no dates: the first stored


def test_different_story_on_same_subject_is_not_a_copy() -> None:
    other = (
        "Port workers in Rotterdam said the new shipping emissions levy agreed in London would "
        "raise costs for small operators, and unions asked for a transition fund."
    )
    assert find_original(other, [summary(1, WIRE, vector(1), set())]) is None


def test_related_prefers_shared_subject_spreads_publishers_and_skips_copies() -> None:
    target = summary(1, "", vector(1, 2), {"person:a", "place:1"}, source=1)
    pool = [
        summary(1 + n, "", vector(1, 2), {"person:a", "place:1"}, source=2, hours=n)
        for n in range(1, 6)
    ]
    pool.append(summary(10, "", vector(1, 2), {"person:a"}, source=3))
    pool.append(summary(11, "", vector(1, 2), {"person:a"}, source=4, copy_of=1))
    pool.append(summary(12, "", vector(50), {"person:z"}, source=5))
    ranked = rank_related(target, pool, {"person:a": "Ana", "place:1": "Chicago, IL"})
    ids = [r.id for r in ranked]
    assert 11 not in ids and 12 not in ids
    assert sum(1 for r in ranked if r.id in range(2, 7)) == 3
    assert 10 in ids
    reasons = {r.id: r.reason for r in ranked}
    assert reasons[2] == "Also about Ana, Chicago, IL"
    assert reasons[10] == "Also about Ana"


def test_party_and_nationality_keys_do_not_make_articles_related() -> None:
    target = summary(1, "", vector(1), {"other:democrat", "other:republicans", "person:a"})
    unrelated = summary(2, "", vector(7), {"other:democrat", "other:republicans"}, source=2)
    related = summary(3, "", vector(7), {"person:a"}, source=3)
    ranked = {r.id: r for r in rank_related(target, [unrelated, related], {"person:a": "Ana"})}
    assert 2 not in ranked
    assert ranked[3].reason == "Also about Ana"


def test_related_shows_one_carrier_of_each_wire_text() -> None:
    target = summary(1, "", vector(1), {"person:a"})
    original = summary(2, "", vector(1), {"person:a"}, source=2)
    copies = [
        summary(3 + n, "", vector(1), {"person:a"}, source=3 + n, copy_of=2) for n in range(2)
    ]
    ranked = [r.id for r in rank_related(target, [original, *copies], {"person:a": "Ana"})]
    assert len(ranked) == 1 and ranked[0] in (2, 3, 4)


def test_a_short_list_is_filled_from_the_section_same_story_first() -> None:
    def in_section(s: ArticleSummary, section: str) -> ArticleSummary:
        return replace(s, section=section)

    target = in_section(summary(1, "", vector(1), {"person:a"}, story=9), "sports")
    take = in_section(summary(2, "", vector(80), set(), source=2, story=9), "sports")
    about_a = in_section(summary(3, "", vector(1), {"person:a"}, source=3), "sports")
    # Unlike the target in meaning and subjects: related only as more of its section.
    same_section = [
        in_section(summary(10 + n, "", vector(20 + n), set(), source=10 + n), "sports")
        for n in range(20)
    ]
    elsewhere = [
        in_section(summary(40 + n, "", vector(20 + n), set(), source=40 + n), "business")
        for n in range(5)
    ]
    ranked = rank_related(target, [*elsewhere, *same_section, about_a, take], {"person:a": "Ana"})
    assert [r.id for r in ranked[:2]] == [2, 3]  # the same story first, though unlike in words
    assert [r.reason for r in ranked[:2]] == ["Same story", "Also about Ana"]
    assert len(ranked) == 10  # filled to ten, not to the limit of twelve
    assert {r.reason for r in ranked[2:]} == {"More in Sports"}
    assert not {r.id for r in ranked} & {e.id for e in elsewhere}
