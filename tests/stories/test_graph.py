"""The story graph on made-up vectors: stories of any size, merges, the time window, eviction."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import numpy as np

from broadsheet.stories.graph import STORY_WINDOW, StoryGraph, lede_terms

NOW = datetime(2026, 11, 20, tzinfo=UTC)
RNG = np.random.default_rng(7)


def unit(v: np.ndarray) -> np.ndarray:
    return (v / np.linalg.norm(v)).astype(np.float32)


def near(centre: np.ndarray, spread: float = 0.04) -> np.ndarray:
    return unit(centre + spread * RNG.normal(size=centre.shape))


def test_near_identical_reports_are_one_story_whatever_its_size() -> None:
    # Reports this alike (likeness above SURE_LIKENESS) join whatever the density. Reports of
    # one event that are only moderately alike can still split a large story: the members of
    # a story of thirty are each other's nearest neighbours (docs/stories.md, "What would
    # move").
    graph = StoryGraph()
    events = [unit(RNG.normal(size=384)) for _ in range(5)]
    sizes = [3, 8, 30, 2, 12]  # a story of thirty is as much one story as one of two
    arrivals = [(e, n) for e, size in enumerate(sizes) for n in range(size)]
    order = RNG.permutation(len(arrivals))
    for key in order:
        event, _ = arrivals[key]
        # Reports of one event: close in meaning, sharing nearly all of their lede's words.
        lede = " ".join(
            [*(f"e{event}w{i}" for i in range(30)), *(f"own{key}w{i}" for i in range(2))]
        )
        graph.add(int(key), near(events[event], 0.02), lede_terms("", lede), NOW)
    stories = {}
    for key, (event, _) in enumerate(arrivals):
        stories.setdefault(event, set()).add(graph.story_of[key])
    assert all(len(found) == 1 for found in stories.values()), stories
    assert len({next(iter(found)) for found in stories.values()}) == len(sizes)


def test_shared_wording_joins_what_meaning_alone_leaves_apart() -> None:
    a, other = unit(RNG.normal(size=384)), unit(RNG.normal(size=384))
    c = unit(0.3 * a + 0.95 * unit(other - float(other @ a) * a))  # cosine 0.3 to a
    lede = lede_terms("Harbour bridge closes", "The Tarnow harbour bridge closed on Monday")
    apart = StoryGraph()
    assert apart.add(1, a, Counter(), NOW) != apart.add(2, c, Counter(), NOW)
    graph = StoryGraph()
    for key in range(20):  # other articles, so that the lede's words are rare ones
        graph.add(100 + key, unit(RNG.normal(size=384)), lede_terms("Voters", f"queue {key}"), NOW)
    assert graph.add(1, a, lede, NOW) == graph.add(2, c, lede, NOW)


def test_an_article_reaching_two_stories_merges_them_and_the_moves_are_recorded() -> None:
    graph = StoryGraph()
    for key in range(30):  # a neighbourhood to measure density against
        graph.add(1000 + key, unit(RNG.normal(size=384)), Counter(), NOW)
    a, b = unit(RNG.normal(size=384)), unit(RNG.normal(size=384))
    left = [graph.add(key, near(unit(a + 0.1 * b), 0.01), Counter(), NOW) for key in (1, 2)]
    right = [graph.add(key, near(unit(b + 0.1 * a), 0.01), Counter(), NOW) for key in (3, 4)]
    assert left[0] == left[1] and right[0] == right[1] and left[0] != right[0]
    joined = graph.add(5, unit(a + b), Counter(), NOW)  # cosine 0.77 to both sides
    assert {graph.story_of[key] for key in (1, 2, 3, 4, 5)} == {joined}
    moved = {move.article for move in graph.moves if move.reason == "merge"}
    assert moved in ({1, 2}, {3, 4})


def test_the_same_event_a_month_apart_is_two_stories_and_old_articles_leave_the_graph() -> None:
    graph = StoryGraph()
    event = unit(RNG.normal(size=384))
    first = graph.add(1, near(event), Counter(), NOW - timedelta(days=30))
    graph.add(2, near(event), Counter(), NOW - timedelta(days=30))
    later = graph.add(3, near(event), Counter(), NOW)
    assert later != first
    # Articles older than two windows are forgotten: what is kept is the window, not the corpus.
    assert NOW - timedelta(days=30) < NOW - 2 * STORY_WINDOW
    assert set(graph.nodes) == {3}
    assert graph.story_of == {3: later}


def test_lede_terms_are_bounded() -> None:
    terms = lede_terms("Title " * 10, " ".join(f"w{n}" for n in range(10_000)))
    assert sum(terms.values()) <= 10 + 100
    assert terms["title"] == 10
