"""Story clusters grown online over a graph of near neighbours, split and merged as it grows.

Each new article is compared with its NEIGHBOURS nearest earlier articles in meaning (from the
vector index, never a scan) that are near in time. Their likeness mixes meaning (MiniLM cosine)
and wording (TF-IDF cosine of headline and lede, document frequencies counted as the stream
goes). How alike is "alike enough" depends on the neighbourhood: a hundred stories about one
president are all close to one another, a story about a small town has no close neighbour
but its own. So an edge counts when the pair's likeness beats both articles' local density
(the mean likeness of each one's LOCAL_K nearest neighbours) by STORY_MARGIN: the cross-domain
similarity local scaling (CSLS) of Conneau et al. 2018, "Word translation without parallel
data". A story is a set of articles joined by such edges.

The evidence changes as articles arrive, and stories follow it:
- an article whose edges reach two stories joins them into one (a merge);
- an article's local density rises as closer neighbours arrive; an edge that no longer counts
  may leave a story in two parts, and the part without the story's oldest article becomes a
  story of its own (a split).
Every move of an article from one story to another is recorded in `moves`.

Measured on AllSides roundups (bench/stories.py): LOCAL_K, STORY_MARGIN and MEANING_WEIGHT
were chosen on the train split; the val split and the whole set are reported.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np

from broadsheet.stories.index import VectorIndex

NEIGHBOURS = 50
LOCAL_K = 5
# Until enough articles have met LOCAL_K neighbours, the density of a neighbourhood is taken
# to be this, counted as PRIOR_WEIGHT articles: a young corpus's few articles are not alike
# just because nothing else is there yet.
PRIOR_DENSITY = 0.3
PRIOR_WEIGHT = 20
STORY_MARGIN = 0.05
MEANING_WEIGHT = 0.5  # likeness = w * meaning + (1 - w) * wording
# Below this no pair is one story, whatever the neighbourhood: an empty corpus has no density
# to compare with. On AllSides train, 5% of same-story pairs are below 0.26 and 1% of all
# pairs above it.
LIKENESS_FLOOR = 0.2
# Above this a pair is one story whatever the neighbourhood: the members of a story of fifty
# articles are each other's nearest neighbours, and no pair stands out from the density they
# make. (On AllSides train it costs 0.0005 of BCubed F1; 0.65 would cost 0.002 and 0.08 of
# pairwise F1.)
SURE_LIKENESS = 0.7
LEDE_WORDS = 100  # wording is read from the headline and the first words of the text
STORY_WINDOW = timedelta(days=4)
MAX_TERMS = 200  # distinct words kept per article (bounded whatever the input)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def lede_terms(title: str, text: str) -> Counter[str]:
    """Word counts of the headline and the lede, case-folded, at most MAX_TERMS words."""
    words = (
        _WORD.findall(title.lower()) + _WORD.findall(text[: LEDE_WORDS * 12].lower())[:LEDE_WORDS]
    )
    counts = Counter(words)
    return Counter(dict(counts.most_common(MAX_TERMS)))


@dataclass
class Node:
    """One article in the graph."""

    key: int
    vector: np.ndarray
    terms: Counter[str]
    published: datetime | None
    tops: list[float] = field(default_factory=list)  # the LOCAL_K best likenesses, best first
    edges: dict[int, float] = field(default_factory=dict)  # likeness to each neighbour met
    norm: float = 0.0  # of the lede's TF-IDF vector, when the corpus had normed_at articles
    normed_at: int = 0


@dataclass(frozen=True)
class Move:
    """An article that changed story, and why ("merge" or "split")."""

    article: int
    old_story: int
    new_story: int
    reason: str


class StoryGraph:
    """Articles in, story ids out.

    `new_story(key)` hands out the id of each story opened, given the article that opens it
    (a new article, or the oldest of a part split off), so its caller can name the story.
    """

    def __init__(
        self, new_story: Callable[[int], int] | None = None, window: timedelta = STORY_WINDOW
    ) -> None:
        self.window = window
        opened = itertools.count()
        self.new_story = new_story or (lambda _key: next(opened))
        self.index = VectorIndex()
        self.nodes: dict[int, Node] = {}
        self.story_of: dict[int, int] = {}
        self.members: dict[int, set[int]] = {}
        self.moves: list[Move] = []
        self._df: Counter[str] = Counter()
        self._docs = 0
        self._density = [0.0, 0]  # sum and count of densities known in full: the prior
        self._arrivals: deque[tuple[datetime, int]] = deque()  # dated articles, as they came

    # -- placing an article ------------------------------------------------------------

    def add(
        self, key: int, vector: np.ndarray, terms: Counter[str], published: datetime | None
    ) -> int:
        """Place a new article; returns its story id (which later arrivals may change)."""
        risen = self._insert(key, vector, terms, published)
        self._join(self.nodes[key])
        self._learn_prior(self.nodes[key])
        for other, before in risen:
            self._recheck(other, before)
        return self.story_of[key]

    def add_known(
        self,
        key: int,
        vector: np.ndarray,
        terms: Counter[str],
        published: datetime | None,
        story: int,
    ) -> None:
        """An article placed before (by another process, or before a restart) in its story."""
        self._insert(key, vector, terms, published)
        self.story_of[key] = story
        self.members.setdefault(story, set()).add(key)
        self._learn_prior(self.nodes[key])

    def _learn_prior(self, node: Node) -> None:
        """Count the density of an article that has met LOCAL_K neighbours into the prior."""
        if len(node.tops) >= LOCAL_K:
            self._density[0] += self.density(node)
            self._density[1] += 1

    def restory(self, key: int, story: int) -> None:
        """Follow a move another process made (its story_moves row)."""
        if key in self.story_of and self.story_of[key] != story:
            self._move({key}, story, reason=None)

    def _insert(
        self, key: int, vector: np.ndarray, terms: Counter[str], published: datetime | None
    ) -> list[tuple[Node, float]]:
        """The node added with its edges; the neighbours whose density rose, with the old one."""
        node = Node(key, np.asarray(vector, dtype=np.float32), terms, published)
        if published is not None:
            self._forget_before(published - 2 * self.window)
            self._arrivals.append((published, key))
        self._df.update(terms.keys())
        self._docs += 1
        found = [
            (other, meaning)
            for other, meaning in self.index.search(node.vector, NEIGHBOURS)
            if other in self.nodes and self._near_in_time(node, self.nodes[other])
        ]
        risen: list[tuple[Node, float]] = []  # neighbours whose density rose, old value
        for other_key, meaning in found:
            other = self.nodes[other_key]
            likeness = MEANING_WEIGHT * meaning + (1 - MEANING_WEIGHT) * self._wording(node, other)
            node.edges[other_key] = other.edges[key] = likeness
            before = self.density(other)
            if self._offer(other, likeness):
                risen.append((other, before))
            self._offer(node, likeness)
        self.nodes[key] = node
        self.index.add(key, node.vector)
        return risen

    def _join(self, node: Node) -> int:
        """Put the node in the story its edges lead to, merging the stories they reach."""
        reached: Counter[int] = Counter()
        for other, likeness in node.edges.items():
            if self.strong(node, self.nodes[other], likeness):
                reached[self.story_of[other]] += 1
        if not reached:
            story = self._open_story(node.key)
        else:
            # The story with most edges to the article stays; the others fold into it.
            story = max(reached, key=lambda s: (reached[s], len(self.members[s]), -s))
            for other_story in reached:
                if other_story != story:
                    self._move(set(self.members[other_story]), story, "merge")
        self.story_of[node.key] = story
        self.members.setdefault(story, set()).add(node.key)
        return story

    def _recheck(self, node: Node, before: float) -> None:
        """After the node's density rose: split its story if an edge it lost held it together."""
        story = self.story_of[node.key]
        now = self.density(node)
        if now <= before:
            return
        for other, likeness in node.edges.items():
            if self.story_of.get(other) != story:
                continue
            theirs = self.density(self.nodes[other])
            if self._strong_at(before, theirs, likeness) and not self._strong_at(
                now, theirs, likeness
            ):
                self._split(story)
                return

    def _split(self, story: int) -> None:
        members = self.members[story]
        parts: list[set[int]] = []
        unseen = set(members)
        while unseen:
            start = unseen.pop()
            part, todo = {start}, [start]
            while todo:
                current = self.nodes[todo.pop()]
                for other, likeness in current.edges.items():
                    if other in unseen and self.strong(current, self.nodes[other], likeness):
                        unseen.discard(other)
                        part.add(other)
                        todo.append(other)
            parts.append(part)
        if len(parts) < 2:
            return
        oldest = min(members)
        for part in parts:
            if oldest not in part:
                self._move(part, self._open_story(min(part)), "split")

    # -- likeness and density ----------------------------------------------------------

    def density(self, node: Node) -> float:
        """Mean likeness of the node's LOCAL_K nearest neighbours; those not met yet count at
        the prior (the mean density of the articles that have met LOCAL_K)."""
        prior = (self._density[0] + PRIOR_DENSITY * PRIOR_WEIGHT) / (
            self._density[1] + PRIOR_WEIGHT
        )
        known = node.tops
        return (sum(known) + (LOCAL_K - len(known)) * prior) / LOCAL_K

    def strong(self, a: Node, b: Node, likeness: float) -> bool:
        """True when the pair is more alike than both their neighbourhoods, or near-identical."""
        return self._strong_at(self.density(a), self.density(b), likeness)

    @staticmethod
    def _strong_at(density_a: float, density_b: float, likeness: float) -> bool:
        if likeness >= SURE_LIKENESS:
            return True
        return likeness >= LIKENESS_FLOOR and 2 * likeness - density_a - density_b >= STORY_MARGIN

    def _wording(self, a: Node, b: Node) -> float:
        """TF-IDF cosine of the two ledes (smoothed IDF, every word counted).

        Every word, those no other article uses too: with only the shared ones in the norm,
        the first articles of a corpus, whose words are nearly all unique so far, would look
        alike on the few they share. The dot product takes today's document frequencies;
        each lede's norm is kept from when it was last worked out, and worked out again once
        the corpus has doubled since.
        """
        small, large = (a, b) if len(a.terms) <= len(b.terms) else (b, a)
        dot = 0.0
        for word, count in small.terms.items():
            if word in large.terms:
                dot += count * large.terms[word] * self._idf(word) ** 2
        if not dot:
            return 0.0
        norms = self._norm(a) * self._norm(b)
        return min(1.0, dot / norms) if norms else 0.0

    def _idf(self, word: str) -> float:
        return math.log((1 + self._docs) / (1 + self._df[word])) + 1.0

    def _norm(self, node: Node) -> float:
        if node.normed_at == 0 or self._docs > 2 * node.normed_at:
            node.norm = math.sqrt(sum((n * self._idf(w)) ** 2 for w, n in node.terms.items()))
            node.normed_at = self._docs
        return node.norm

    @staticmethod
    def _offer(node: Node, likeness: float) -> bool:
        """Keep a likeness among the node's LOCAL_K best; True when it is kept."""
        if len(node.tops) == LOCAL_K and likeness <= node.tops[-1]:
            return False
        node.tops.append(likeness)
        node.tops.sort(reverse=True)
        del node.tops[LOCAL_K:]
        return True

    def _forget_before(self, when: datetime) -> None:
        """Drop articles that arrived dated before `when`: no new article can join them.

        What is kept is the window's articles, whatever the corpus's size. Arrival order
        stands in for time: a late-found old article is kept until those before it go.
        """
        while self._arrivals and self._arrivals[0][0] < when:
            _, key = self._arrivals.popleft()
            node = self.nodes.pop(key, None)
            if node is None:
                continue
            self.index.remove(key)
            for other in node.edges:
                if other in self.nodes:
                    self.nodes[other].edges.pop(key, None)
            story = self.story_of.pop(key)
            self.members[story].discard(key)
            if not self.members[story]:
                del self.members[story]
            for word in node.terms:
                self._df[word] -= 1
                if not self._df[word]:
                    del self._df[word]
            self._docs -= 1

    def _near_in_time(self, a: Node, b: Node) -> bool:
        if a.published is None or b.published is None:
            return True
        return abs(a.published - b.published) <= self.window

    # -- stories -----------------------------------------------------------------------

    def _open_story(self, key: int) -> int:
        story = self.new_story(key)
        self.members[story] = set()
        return story

    def _move(self, keys: set[int], story: int, reason: str | None) -> None:
        """Move articles to a story, recording each move unless reason is None."""
        for key in sorted(keys):
            old = self.story_of[key]
            self.members[old].discard(key)
            if not self.members[old]:
                del self.members[old]
            self.story_of[key] = story
            self.members.setdefault(story, set()).add(key)
            if reason is not None:
                self.moves.append(Move(key, old, story, reason))
