"""Sides and players in sports results: tables, fixtures, scorecards and ranked lists.

spaCy sm reads results ("Pohang 3 Ulsan 2", "Essex 372 and 100-5", "Durham v Kent") as people
or places run into the scores, and misses the players of "Trine Hattesta ( Norway ) 65.12" or
"Salim Malik c Stewart b Hollioake 23". Results have a shape of their own, and these rules read
it on the model's doc after it ran.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span, Token

from broadsheet.enrich.ner_rules import (
    country_names,
    is_name_word,
    is_opening_word,
    is_score,
    line_ranges,
    read_name,
)


def team_spans(doc: Doc) -> list[Span]:
    """Sides in results lines and tables: "Pohang 3 Ulsan 2", "Essex 372 and 100-5 ."."""
    found: list[Span] = []
    for start, end in line_ranges(doc):
        found += line_teams(doc, start, end)
    # A two-word person in a table is a player ("Mark Roe 69 71"), a one-word one a misread side.
    return [span for span in found if not inside_person(doc, span.start, span.end)]


def line_teams(doc: Doc, start: int, end: int) -> list[Span]:
    """The sides of one line: names at a clause's start (outside brackets) before a score."""
    found: list[Span] = []
    depth, opens_clause, i = 0, True, start
    while i < end:
        token = doc[i]
        stop = read_name(doc, i, end) if opens_clause and depth == 0 else i
        if i < stop < end and not is_opening_word(token) and is_result(doc, stop, end):
            found.append(team_span(doc, i, stop))
            i, opens_clause = stop, False
            continue
        depth += (token.text == "(") - (token.text == ")")
        # A score opens the next side only once the line has shown one: "Pohang 3 Ulsan 2",
        # not the ranking of "287 Ian Woosnam 70 76 71 70".
        opens_clause = token.text in (",", ":", ";") or (is_score(token) and bool(found))
        i += 1
    return found


# What may follow a side's score in a table; "Clinton 52 percent" is a poll, not a result.
_AFTER_SCORE = frozenset({"and", "not", "for", "points", "pts", "v", "runs", "in", "after"})


def is_result(doc: Doc, i: int, end: int) -> bool:
    """True when the token at i is a score (not bowling figures) followed as results are."""
    if not is_score(doc[i]) or is_bowling(doc, i):
        return False
    if i + 1 >= end:
        return True
    after = doc[i + 1]
    return after.is_punct or is_score(after) or is_name_word(after) or after.text in _AFTER_SCORE


def team_span(doc: Doc, start: int, end: int) -> Span:
    """A side's span: its country's label for a national side, ORG for a club."""
    span = doc[start:end]
    return Span(doc, start, end, "GPE" if span.text in country_names() else "ORG")


def inside_person(doc: Doc, start: int, end: int) -> bool:
    """True when the model read a person of two or more words (and no score) over these tokens."""
    return any(
        e.label_ == "PERSON" and len(e) > 1 and e.start < end and start < e.end
        and not any(is_score(t) for t in e)
        for e in doc.ents
    )  # fmt: skip


def venue_spans(doc: Doc) -> list[Span]:
    """The ground a results line opens with: "Hove : Sussex 363", "At Headingley ( Leeds ) :"."""
    found: list[Span] = []
    for colon in (t.i for t in doc if t.text == ":"):
        start = line_start(doc, colon)
        if start is None:
            continue
        i = start + (doc[start].lower_ == "at")
        if is_opening_word(doc[i]):  # "Scores : Australia 228-9"
            continue
        places = [(i, read_name(doc, i, colon))]
        after = places[0][1]
        if after + 1 < colon and doc[after].text == "(":  # the ground and its town
            places.append((after + 1, read_name(doc, after + 1, colon)))
            after = places[1][1] + 1 if doc[places[1][1]].text == ")" else start
        if after != colon or any(e <= s for s, e in places):
            continue
        side = read_name(doc, colon + 1, len(doc))
        # The side's name may run to the end of the text, with no score after it.
        if colon + 1 < side < len(doc) and is_result(doc, side, len(doc)):
            found += [Span(doc, s, e, "GPE") for s, e in places]
    return found


MAX_VENUE_TOKENS = 8


def line_start(doc: Doc, i: int) -> int | None:
    """The first token of the line of token i, if it is at most a venue's length before it."""
    start = i
    while start > 0 and i - start <= MAX_VENUE_TOKENS:
        before = doc[start - 1]
        if "\n" in before.text or "\n" in before.whitespace_:
            return start
        start -= 1
    return start if start == 0 else None


_VERSUS = frozenset({"v", "V", "v.", "vs", "vs.", "versus"})


def versus_spans(doc: Doc) -> list[Span]:
    """Both sides of a fixture: "Durham v Kent", "May 20 v Somerset"."""
    found: list[Span] = []
    for token in doc:
        if token.text not in _VERSUS:
            continue
        start = token.i
        while start > 0 and is_name_word(doc[start - 1]):
            start -= 1
        end = read_name(doc, token.i + 1, len(doc))
        if end == token.i + 1:  # "Henry V" is a king; "May 20 v Durham" a fixture
            continue
        for s, e in ((start, token.i), (token.i + 1, end)):
            if e > s and not any(
                x.label_ == "PERSON" and x.start < e and s < x.end for x in doc.ents
            ):
                found.append(team_span(doc, s, e))
    return found


def athlete_spans(doc: Doc) -> list[Span]:
    """A competitor and the country after the name: "Trine Hattesta ( Norway ) 65.12"."""
    found: list[Span] = []
    countries = country_names()
    for token in doc:
        if token.text != "(" or token.i < 2:
            continue
        close = next((t.i for t in doc[token.i + 1 : token.i + 5] if t.text == ")"), 0)
        country = doc[token.i + 1 : close] if close else None
        if country is None or country.text not in countries:
            continue
        start = token.i
        while start > 0 and token.i - start < 4 and is_person_word(doc[start - 1]):
            start -= 1
        name = doc[start : token.i]
        whole = len(name) >= 2 or (len(name) == 1 and is_lone_surname(doc, start, close))
        if whole and name.text not in countries:
            found += [Span(doc, start, token.i, "PERSON"), Span(doc, country.start, close, "GPE")]
    return found


def is_lone_surname(doc: Doc, start: int, close: int) -> bool:
    """True for one word that is an athlete's whole name: "Fredericks ( Namibia ) ,"."""
    # Not the end of a longer name ("Tyler-Sharman", "de Ferran"), nor a club before its score
    # ("Dinamo ( Russia ) 81"): athletes' results are times and distances.
    before = doc[start - 1] if start > 0 else None
    if before is not None and (before.text == "-" or before.is_lower):
        return False
    after = doc[close + 1] if close + 1 < len(doc) else None
    return after is None or not after.text.isdigit()


def is_person_word(token: Token) -> bool:
    """A word of a person's name: "Trine", "O'Brien", "P.", "Van"."""
    return (is_name_word(token) and not token.text.isupper()) or bool(
        re.fullmatch(r"[A-Z]\.", token.text)
    )


# Cricket scorecards: "Salim Malik c Stewart b Hollioake 23", "Bowling : Law 2-0-23-0".
_DISMISSALS = frozenset({"c", "b", "lbw", "st"})
_BOWLING = re.compile(r"\d+(?:\.\d)?-\d+-\d+-\d+\b")


def is_bowling(doc: Doc, i: int) -> bool:
    """True when bowling figures start at token i (the tokenizer splits "8-0-39-3")."""
    if not doc[i].text[:1].isdigit() or (i > 0 and doc[i - 1].text[-1:].isdigit()):
        return False
    return bool(_BOWLING.match(doc[i : i + 7].text))


def scorecard_spans(doc: Doc) -> list[Span]:
    """Players of a cricket scorecard: batsmen, fielders and bowlers around c/b and figures."""
    found: list[Span] = []
    for start, end in line_ranges(doc):
        last = doc[end - 1]
        batting = is_score(last) and any(t.text in _DISMISSALS for t in doc[start:end])
        for token in doc[start:end]:
            if batting and token.text in _DISMISSALS:
                found += person_around(doc, token.i, start, end)
            elif is_out(doc, token.i) or is_bowling(doc, token.i):
                found += person_before(doc, token.i, start)
    return found


def is_out(doc: Doc, i: int) -> bool:
    """True at the "run out" or "not out" of a batsman's line."""
    return doc[i].text in ("run", "not") and doc[i + 1 : i + 2].text == "out"


def person_around(doc: Doc, marker: int, start: int, end: int) -> list[Span]:
    """The player named after a dismissal marker, and the batsman before the first one."""
    stop = marker + 1
    while stop < end and is_person_word(doc[stop]):
        stop += 1
    after = [Span(doc, marker + 1, stop, "PERSON")] if stop > marker + 1 else []
    return after + person_before(doc, marker, start)


def person_before(doc: Doc, i: int, start: int) -> list[Span]:
    """The run of name words that ends just before token i, as a person."""
    first = i
    while first > start and is_person_word(doc[first - 1]):
        first -= 1
    return [Span(doc, first, i, "PERSON")] if first < i else []
