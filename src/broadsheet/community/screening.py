"""The automatic first pass over a comment: hold doubtful ones for a moderator, post the rest.

Each signal found gives a weight in 0..1 with the reason and the policy rule it points at;
the score is their noisy-OR, 1 - prod(1 - weight), so weak signals add up and no one weak
signal holds a comment alone. A comment is held when the score reaches HOLD_AT.

    signal                                   weight        rule
    links (http, https, www.)                1: 0.10  2: 0.30  3: 0.50  each more +0.15  spam
    a link shortener (bit.ly ...)            0.30                                        spam
    advertising and scam phrases             0.25 each, at most 0.60                     spam
    the same text as a recent comment        0.60 (0.30 under four words; 0.50 close)    spam
    repeated words or lines                  0.40                                        spam
    repeated characters ("!!!!!!", "sooooo") 1 run: 0.15, more: 0.30                     spam
    ALL CAPS (20 letters or more)            0.30                                        civil
    abusive words (better-profanity's list)  1: 0.55  2: 0.75  3+: 0.90                  civil
    rude words (damn, stupid ...)            1: 0.10  2: 0.25  3+: 0.40                  civil
    an insult aimed at a person              0.55                                        civil
    a threat of violence                     0.70                                        threats
    personal details (phone, email)          0.40                                        privacy
    a street address                         0.30                                        privacy

An account younger than a day lowers the bar: every weight is multiplied by 1.75 (two links
from a new account are held). The rule a held comment cites is that of its heaviest signal.
No classifier: none fits offline without a heavy dependency (the one packaged offline,
alt-profanity-check, needs scikit-learn and SciPy), and no labelled set of comments is at
hand to measure that one would be worth it; tests/community/test_screening.py holds the
cases the weights were set on.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from broadsheet.community import wordlists

HOLD_AT: float = 0.5
NEW_ACCOUNT_DAYS = 1.0
NEW_ACCOUNT_FACTOR = 1.75
MAX_WEIGHT = 0.99
# Two texts of 8 words or more are "the same" when this share of their word triples is.
NEAR = 0.6


@dataclass(frozen=True)
class Screening:
    """What screening made of a comment: held or not, why, and the rule it points at."""

    held: bool
    score: float
    reasons: tuple[str, ...]
    rule_id: str | None


@dataclass(frozen=True)
class Signal:
    """One thing found in the text: its weight, the reason shown, the rule it points at."""

    weight: float
    reason: str
    rule_id: str


LINK = re.compile(r"(?:https?://|www\.)[^\s<>()\[\]\"']+", re.IGNORECASE)
RUN = re.compile(r"([^\W\d_]|[!?.*$€£#])\1{5,}")
WORD = re.compile(r"[^\s,;/()\[\]{}<>\"“”‘’«»]+")
EDGE = ".:!?'’-_*~"
LEET = str.maketrans("013457@$!+", "oieastasit")
SPAM = re.compile(rf"\b(?:{wordlists.SPAM_CUES})", re.IGNORECASE)
_YOU = r"(?:you(?:'re|’re|re|r)?|u|ur|ya|what)"
_ARE = r"(?:\s+(?:are|r|is|were|an?|such))*"
_ADJ = r"(?:\s+(?:an?|the|total|complete|absolute|utter|real|fucking|bloody|stupid|big|"
_ADJ += r"little|pathetic|sad|dumb|ignorant|brainless|worthless|typical|useless))*"
INSULT = re.compile(
    rf"\b{_YOU}{_ARE}{_ADJ}\s+(?:{wordlists.INSULTS})\b"
    rf"|\b(?:{wordlists.INSULTS})\s+like\s+(?:you|u)\b",
    re.IGNORECASE,
)
_HARM = r"(?:kill|shoot|stab|hurt|beat|murder|strangle|hang|burn|rape)"
THREAT = re.compile(
    rf"\b(?:i|we)(?:'ll|’ll|\s+will|\s+am\s+going\s+to|'m\s+going\s+to|\s+gonna|\s+should)"
    rf"\s+(?:{_HARM}|find|hunt\s+down|track\s+down|come\s+for)\s+(?:you|u|him|her|them|your)\b"
    r"|\b(?:you|he|she|they)\s+(?:should|deserves?\s+to|ought\s+to|need\s+to)\s+"
    r"(?:die|be\s+(?:shot|killed|hanged|hung|lynched|executed))\b"
    r"|\bhope\s+(?:you|he|she|they)\s+(?:die|dies|get\s+(?:shot|killed))\b"
    r"|\bkill\s+yourself\b|\bkys\b",
    re.IGNORECASE,
)
PHONE = re.compile(
    r"(?<![\w+])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?!\d)"
    r"|(?<![\w+])\+\d{1,3}(?:[\s.-]?\d){8,12}(?!\d)"
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}", re.IGNORECASE)
STREET = re.compile(
    r"\b\d{1,5}\s+(?:[A-Z][a-z]+\s+){1,3}"
    r"(?:Street|St|Avenue|Ave|Road|Rd|Lane|Ln|Drive|Dr|Boulevard|Blvd|Court|Ct|Way)\b"
)
STOPWORDS = frozenset(wordlists.STOPWORDS.split())


def screen(text: str, *, account_age_days: float, recent_texts: Sequence[str] = ()) -> Screening:
    """Screen a comment's text, written by an account that old, against its recent texts."""
    signals = [
        *link_signals(text),
        *spam_signals(text),
        *repetition_signals(text, recent_texts),
        *word_signals(text),
        *personal_signals(text),
    ]
    new = account_age_days < NEW_ACCOUNT_DAYS
    factor = NEW_ACCOUNT_FACTOR if new else 1.0
    weights = [min(MAX_WEIGHT, s.weight * factor) for s in signals]
    score = round(1.0 - math.prod(1.0 - w for w in weights), 3)
    reasons = tuple(s.reason for s in signals)
    if new and signals:
        reasons += ("new account",)
    rule_id = max(signals, key=lambda s: s.weight).rule_id if signals else None
    return Screening(held=score >= HOLD_AT, score=score, reasons=reasons, rule_id=rule_id)


def link_signals(text: str) -> list[Signal]:
    """The links in the text, and any to a link shortener."""
    links = LINK.findall(text)
    if not links:
        return []
    n = len(links)
    weight = {1: 0.10, 2: 0.30}.get(n, 0.50 + 0.15 * (n - 3))
    found = [Signal(min(weight, 0.95), f"{n} link{'s' if n > 1 else ''}", "spam")]
    hosts = {re.sub(r"^(?:https?://)?(?:www\.)?", "", url.lower()).split("/")[0] for url in links}
    if hosts & wordlists.LINK_SHORTENERS:
        found.append(Signal(0.30, "a link shortener", "spam"))
    return found


def spam_signals(text: str) -> list[Signal]:
    """Phrases of advertising and scams, each distinct one counted."""
    cues = {m.group().lower() for m in SPAM.finditer(text)}
    if not cues:
        return []
    return [Signal(min(0.60, 0.25 * len(cues)), "advertising phrases", "spam")]


def repetition_signals(text: str, recent_texts: Sequence[str]) -> list[Signal]:
    """Repeated characters, words or lines, shouting, and text the author posted recently."""
    found: list[Signal] = []
    runs = len(RUN.findall(text))
    if runs:
        found.append(Signal(0.15 if runs == 1 else 0.30, "repeated characters", "spam"))
    words = [w.lower().strip(EDGE) for w in WORD.findall(text)]
    words = [w for w in words if w]
    if _repeats_words(words) or _repeats_lines(text):
        found.append(Signal(0.40, "repeated words", "spam"))
    letters = [c for c in text if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    if len(letters) >= 20 and upper >= 0.7 * len(letters):
        found.append(Signal(0.30, "all caps", "civil"))
    repeat = _recent_repeat(words, recent_texts)
    if repeat:
        found.append(Signal(repeat, "repeated text", "spam"))
    return found


def _repeats_words(words: list[str]) -> bool:
    """The same word three times running, or one word (not "the") as 40% of ten or more."""
    for i in range(len(words) - 2):
        if words[i] == words[i + 1] == words[i + 2] and words[i] not in STOPWORDS:
            return True
    content = [w for w in words if w not in STOPWORDS]
    if len(words) < 10 or not content:
        return False
    _, top = Counter(content).most_common(1)[0]
    return top >= 0.4 * len(words)


def _repeats_lines(text: str) -> bool:
    """The same line or sentence of three words or more, three times or more."""
    parts = [" ".join(p.lower().split()) for p in re.split(r"[\n.!?]+", text)]
    counted = Counter(p for p in parts if len(p.split()) >= 3)
    return bool(counted) and counted.most_common(1)[0][1] >= 3


def _recent_repeat(words: list[str], recent_texts: Sequence[str]) -> float:
    """The weight of repeating a recent text: same words 0.6 (0.3 when short), close 0.5."""
    if not words:
        return 0.0
    mine = _shingles(words)
    for other in recent_texts:
        theirs = [w.lower().strip(EDGE) for w in WORD.findall(other)]
        theirs = [w for w in theirs if w]
        if theirs == words:
            return 0.60 if len(words) >= 4 else 0.30
        if len(words) >= 8 and len(theirs) >= 8:
            others = _shingles(theirs)
            if len(mine & others) >= NEAR * len(mine | others):
                return 0.50
    return 0.0


def _shingles(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + 3]) for i in range(max(1, len(words) - 2))}


def word_signals(text: str) -> list[Signal]:
    """Abusive and rude words (leetspeak and accents folded), insults and threats."""
    plain = _plain(text)
    severe, mild = _count_words(plain)
    found: list[Signal] = []
    if severe:
        weight = {1: 0.55, 2: 0.75}.get(severe, 0.90)
        found.append(Signal(weight, "abusive words", "civil"))
    if mild:
        found.append(Signal({1: 0.10, 2: 0.25}.get(mild, 0.40), "rude words", "civil"))
    if INSULT.search(plain):
        found.append(Signal(0.55, "insult aimed at a person", "civil"))
    if THREAT.search(plain):
        found.append(Signal(0.70, "threat of violence", "threats"))
    return found


def personal_signals(text: str) -> list[Signal]:
    """Phone numbers, email addresses and street addresses."""
    found: list[Signal] = []
    if PHONE.search(text):
        found.append(Signal(0.40, "personal details (a phone number)", "privacy"))
    if EMAIL.search(text):
        found.append(Signal(0.40, "personal details (an email address)", "privacy"))
    if STREET.search(text):
        found.append(Signal(0.30, "a street address", "privacy"))
    return found


def _plain(text: str) -> str:
    """The text without accents and with typographic apostrophes straightened."""
    if text.isascii():
        return text
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
    return "".join(c for c in folded if not unicodedata.combining(c)).replace("’", "'")


def _count_words(plain: str) -> tuple[int, int]:
    """(distinct abusive words, distinct rude words) in the (accent-free) text."""
    _, phrases, _ = wordlists.abusive_words()
    raw = [w.strip(EDGE) for w in WORD.findall(plain)]
    tokens = [w for w in raw if w]
    lowered = [t.lower() for t in tokens]
    severe: set[str] = set()
    mild: set[str] = set()
    for token, low in zip(tokens, lowered, strict=True):
        if low in wordlists.NAME_WORDS and token != low:
            continue
        kind, form = _classify(low)
        if kind == "severe":
            severe.add(form)
        elif kind == "mild":
            mild.add(form)
    for size in (2, 3, 4):
        for i in range(len(lowered) - size + 1):
            gram = tuple(lowered[i : i + size])
            if gram in phrases:
                severe.add(" ".join(gram))
            elif gram in wordlists.MILD_PHRASES:
                mild.add(" ".join(gram))
    return len(severe), len(mild)


@lru_cache(maxsize=65536)
def _classify(token: str) -> tuple[str, str]:
    """("severe" | "mild" | "", the spelling that matched) for a lower-case token."""
    words, _, prefixes = wordlists.abusive_words()
    for form in _forms(token):
        if form in wordlists.ORDINARY:
            return "", form
        if form in wordlists.MILD:
            return "mild", form
        if form in words or (len(form) > 4 and form.startswith(prefixes)):
            return "severe", form
    return "", token


def _forms(token: str) -> list[str]:
    """The token as written, then its leetspeak, stretched and masked spellings undone."""
    forms = [token, token.translate(LEET), token.replace("1", "l").translate(LEET)]
    squeezed = [re.sub(r"(.)\1{2,}", r"\1", f) for f in forms]
    doubled = [re.sub(r"(.)\1{2,}", r"\1\1", f) for f in forms]
    joined = [re.sub(r"(?<=\w)[._-](?=\w)", "", f) for f in forms]
    masked = [token.replace("*", v, 1) for v in "aeiou" if token.count("*") == 1]
    masked = [m for m in masked if len(m) >= 3]
    return list(dict.fromkeys([*forms, *doubled, *squeezed, *joined, *masked]))
