"""Story clusters grown online over a graph of near neighbours, split and merged as it grows.

Each new article is compared with its NEIGHBOURS nearest earlier articles in meaning (from the
vector index, never a scan) that are near in time. Their likeness mixes meaning (MiniLM cosine)
and wording (TF-IDF cosine of headline and lede, document frequencies counted as the stream
goes). How alike is "alike enough" depends on the neighbourhood: a hundred stories about one
president are all close to one another, a story about a small town has no close neighbour
but its own. So a pair's likeness is measured against both articles' local density (the mean
likeness of each one's LOCAL_K nearest neighbours): the cross-domain similarity local scaling
(CSLS) of Conneau et al. 2018, "Word translation without parallel data".

An article belongs in a story when, on average over the story's members, its likeness beats
both densities by STORY_MARGIN (or one member is near-identical to it): a test of the whole
story, not of one edge, so one close pair no longer chains two stories together.

The evidence changes as articles arrive, and stories follow it:
- an article that belongs in two stories joins them into one (a merge);
- an article's local density rises as closer neighbours arrive; when it no longer belongs in
  its story it leaves, for the story it now belongs in or a story of its own (a split).
Every move of an article from one story to another is recorded in `moves`.

Measured on AllSides roundups (bench/stories.py): LOCAL_K, STORY_MARGIN and MEANING_WEIGHT
were chosen on the train split; the val split and the whole set are reported.
"""

from __future__ import annotations

import heapq
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
# An article belongs in a story when the mean over the members of 2 * likeness - both
# densities is at least this (a story-level CSLS margin).
STORY_MARGIN = 0.02
# A member leaves its story only below this: a story that an article joining two halves made
# one does not fall apart at the next small rise in density.
LEAVE_MARGIN = 0.02
SURE_MARGIN = 0.45
# A story is judged by at most this many members: those among the article's neighbours
# first, then the newest. The cost of a placement is bounded whatever the story's size.
MAX_COMPARED = 50
MEANING_WEIGHT = 0.5  # likeness = w * meaning + (1 - w) * wording
# Below this mean likeness an article is not in a story, whatever the neighbourhood: where
# every article is unlike every other, densities near 0 would let noise clear the margin.
# On AllSides train, 5% of same-story pairs are below 0.26 and 1% of all pairs above it.
LIKENESS_FLOOR = 0.2
# Above this an article belongs in the story of the member it is this alike to, whatever the
# neighbourhood: the members of a story of fifty articles are each other's nearest
# neighbours, and no pair stands out from the density they make. (On AllSides train it costs
# 0.002 of BCubed F1 and 0.008 of pairwise F1.)
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


def _tf(count: int) -> float:
    """A word's weight grows with the log of its count: a headline's word said again in the
    lede is not twice the evidence (AllSides train: +0.003 BCubed F1, +0.006 pairwise)."""
    return 1.0 + math.log(count)


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
        """Put the node in the story it belongs in, merging the others it belongs in too."""
        story = self._place(node, leaving=None)
        self.story_of[node.key] = story
        self.members.setdefault(story, set()).add(node.key)
        return story

    def _place(self, node: Node, leaving: int | None) -> int:
        """The story the node belongs in most (a new one if none), the others it belongs in
        merged into it. Candidates: the stories of its NEIGHBOURS likeliest articles."""
        nearest = heapq.nlargest(NEIGHBOURS, node.edges.items(), key=lambda edge: edge[1])
        stories = {self.story_of[key] for key, _ in nearest if key in self.story_of}
        stories.discard(leaving)
        scored = sorted(((self.belonging(node, s), -s) for s in stories), reverse=True)
        held = [-negated for score, negated in scored if score >= STORY_MARGIN]
        if not held:
            return self._open_story(node.key)
        for other in held[1:]:
            self._move(set(self.members[other]), held[0], "merge")
        return held[0]

    def _recheck(self, node: Node, before: float) -> None:
        """After the node's density rose: if it no longer belongs in its story, it leaves."""
        story = self.story_of[node.key]
        if self.density(node) <= before or len(self.members[story]) < 2:
            return
        if self.belonging(node, story) >= LEAVE_MARGIN:
            return
        self._move({node.key}, self._place(node, leaving=story), "split")

    def belonging(self, node: Node, story: int) -> float:
        """Mean over the story's members (at most MAX_COMPARED) of 2 * likeness - both
        densities; 1.0 when one member is near-identical, -1.0 when no member is compared or
        their mean likeness is below LIKENESS_FLOOR."""
        members = [key for key in self.members.get(story, ()) if key != node.key]
        near = [key for key in members if key in node.edges]
        newest = heapq.nlargest(MAX_COMPARED - len(near), set(members) - set(near))
        compared = [self.nodes[key] for key in near[:MAX_COMPARED] + newest]
        if not compared:
            return -1.0
        likenesses = [self._likeness(node, other) for other in compared]
        densities = [self.density(other) for other in compared]
        own = self.density(node)
        margins = [2 * li - own - d for li, d in zip(likenesses, densities, strict=True)]
        if max(likenesses) >= SURE_LIKENESS or max(margins) >= SURE_MARGIN:
            return 1.0
        if sum(likenesses) < LIKENESS_FLOOR * len(compared):
            return -1.0
        return sum(margins) / len(compared)

    # -- likeness and density ----------------------------------------------------------

    def density(self, node: Node) -> float:
        """Mean likeness of the node's LOCAL_K nearest neighbours; those not met yet count at
        the prior (the mean density of the articles that have met LOCAL_K)."""
        prior = (self._density[0] + PRIOR_DENSITY * PRIOR_WEIGHT) / (
            self._density[1] + PRIOR_WEIGHT
        )
        known = node.tops
        return (sum(known) + (LOCAL_K - len(known)) * prior) / LOCAL_K

    def _likeness(self, a: Node, b: Node) -> float:
        """The pair's likeness, kept on both nodes once worked out (a member not a neighbour)."""
        if b.key not in a.edges:
            meaning = float(a.vector @ b.vector)
            likeness = MEANING_WEIGHT * meaning + (1 - MEANING_WEIGHT) * self._wording(a, b)
            a.edges[b.key] = b.edges[a.key] = likeness
        return a.edges[b.key]

    def _wording(self, a: Node, b: Node) -> float:
        """TF-IDF cosine of the two ledes (sublinear TF, smoothed IDF, every word counted).

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
                dot += _tf(count) * _tf(large.terms[word]) * self._idf(word) ** 2
        if not dot:
            return 0.0
        norms = self._norm(a) * self._norm(b)
        return min(1.0, dot / norms) if norms else 0.0

    def _idf(self, word: str) -> float:
        return math.log((1 + self._docs) / (1 + self._df[word])) + 1.0

    def _norm(self, node: Node) -> float:
        if node.normed_at == 0 or self._docs > 2 * node.normed_at:
            node.norm = math.sqrt(sum((_tf(n) * self._idf(w)) ** 2 for w, n in node.terms.items()))
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
