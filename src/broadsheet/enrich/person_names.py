"""People's names the small model misses: known given names, initials, shouted surnames.

spaCy sm leaves many people of team sheets and lists untagged or calls them organisations
("8 - Zinzan Brooke", "P. Such 8-118") and reads shouted headlines badly ("SHEARER NAMED AS
CAPTAIN"). These rules read the model's doc after it ran, as ner_rules does.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span, Token

from broadsheet.enrich.gazetteer import load_gazetteer
from broadsheet.enrich.names import TITLES, first_names
from broadsheet.enrich.ner_rules import (
    ORG_SUFFIXES,
    countries_by_capitals,
    country_names,
    is_name_word,
    is_opening_word,
    is_score,
)
from broadsheet.enrich.toponyms import text_of

# Above this a place's name is more often the place's than a given name ("Paris Public
# Library", "Virginia Freedom of Information Act", but "Adrian Warner", "Marco Tonchetti").
PLACE_POPULATION = 100_000


# Lower-case words inside a person's name: "Aravinda de Silva", "Joost van der Westhuizen".
_PARTICLES = frozenset({"de", "da", "di", "del", "della", "der", "den", "van", "von", "du", "le"})
# Words after a given name that make the run a place's or a thing's name: "Kent County".
_PLACE_HEADS = frozenset(
    {"County", "Street", "Road", "Avenue", "City", "Park", "Square", "Island", "Islands",
     "Bay", "River", "Lake", "Valley", "Beach", "Airport", "Stadium", "Hospital", "Prize",
     "Cup", "Open", "Grand", "Prix", "Games", "Championship", "Championships", "Trophy"}
)  # fmt: skip
MAX_SURNAME_WORDS = 3


def given_name_spans(doc: Doc) -> list[Span]:
    """People written with a given name or an initial that the model missed: "Zinzan Brooke"."""
    lowered = set(_LOWER_WORD.findall(text_of(doc)))
    others = [ent for ent in doc.ents if ent.label_ != "PERSON"]
    names = first_names()
    found: list[Span] = []
    for token in doc:
        if token.text not in names and not token.text.endswith("."):
            continue  # the cheap test first: most words are neither
        if not is_given_name(token, lowered) and not is_initial(doc, token.i):
            continue
        end = person_end(doc, token.i)
        # "Paris Public Library", "Dallas Cowboys": a given name that is also a city's only
        # names a person where the model saw no other name.
        strict = is_big_place(token.text)
        if end - token.i >= 2 and takes_over(others, token.i, end, strict):
            found.append(Span(doc, token.i, end, "PERSON"))
    return found


_LOWER_WORD = re.compile(r"\b[a-z]+\b")


def is_big_place(name: str) -> bool:
    """True when a city or state of the gazetteer has this name and many people: "Paris"."""
    # The places step loads the same gazetteer for every article: reading it here is free.
    return any(
        entry.kind in ("city", "state") and entry.population >= PLACE_POPULATION
        for entry in load_gazetteer().lookup(name)
    )


def is_given_name(token: Token, lowered: set[str]) -> bool:
    """A capitalised word that is a given name and no ordinary word of this text ("Will")."""
    text = token.text
    return (
        text in first_names() and text[0].isupper() and not text.isupper()
        and token.lower_ not in lowered and not is_common_word(token)
        and text not in country_names()
    )  # fmt: skip


def is_initial(doc: Doc, i: int) -> bool:
    """An initial that opens a name ("J. Adams"), not the middle one of "George W. Bush"."""
    text = doc[i].text
    return (
        len(text) == 2
        and bool(_INITIAL.fullmatch(text))
        and (i == 0 or not is_name_word(doc[i - 1]))
    )


_INITIAL = re.compile(r"[A-Z]\.")


def is_middle_initial(doc: Doc, i: int) -> bool:
    """An initial followed by the rest of the name: the "F." of "John F. Kennedy"."""
    return bool(_INITIAL.fullmatch(doc[i].text)) and i + 1 < len(doc) and is_name_word(doc[i + 1])


def is_common_word(token: Token) -> bool:
    """A stop word, title or phrase opener: "The", "Minister", "August" are no part of a name."""
    return token.is_stop or token.lower_ in TITLES or is_opening_word(token)


def is_title_before(doc: Doc, i: int) -> bool:
    """True for a common word, or a title that starts another name: "Defence Minister Volker"."""
    token = doc[i]
    if token.lower_ not in TITLES:
        return is_common_word(token)
    # "Billie Jean King said": a title word that ends the name is the surname.
    return i + 1 < len(doc) and is_name_word(doc[i + 1])


def person_end(doc: Doc, start: int) -> int:
    """The end of the surname after the given name at start ("Danie van Schalkwyk"), or start."""
    i, words = hyphen_end(doc, start, first_names()), 0
    while i < len(doc) and words < MAX_SURNAME_WORDS:
        token = doc[i]
        if token.text in _PARTICLES and i + 1 < len(doc) and is_name_word(doc[i + 1]):
            i += 1
            continue
        if _ROMAN.fullmatch(token.text):  # "Henry VIII", "Baudouin I"
            return i + 1
        if not is_name_word(token) or token.text.isupper() or is_title_before(doc, i):
            break
        if token.text.endswith(".") and not is_middle_initial(doc, i):
            break  # "Major Mich. utilities": an abbreviation, no surname
        if token.text in ORG_SUFFIXES or token.text in _PLACE_HEADS:
            return start
        i, words = hyphen_end(doc, i, None), words + 1
    return i if words else start


def is_place_name(ent: Span) -> bool:
    """A place of two words or more: "Hong Kong" is no "Hong" followed by a surname."""
    return ent.label_ in ("GPE", "LOC", "FAC") and len(ent) > 1


_ROMAN = re.compile(r"[IVX]{1,4}")


def hyphen_end(doc: Doc, i: int, parts: frozenset[str] | None) -> int:
    """The end of the hyphenated word at i ("Tyler-Sharman", "Song-ho"), joining only parts."""
    end = i + 1
    while (
        end + 1 < len(doc) and doc[end].text == "-" and not doc[end - 1].whitespace_
        and not doc[end].whitespace_ and doc[end + 1].is_alpha
        and (parts is None or doc[end + 1].text in parts)
    ):  # fmt: skip
        end += 2
    return end


def takes_over(others: list[Span], start: int, end: int, strict: bool) -> bool:
    """True when the model's other spans there lie inside the name (if strict: there are none)."""
    for ent in others:
        if ent.end <= start or end <= ent.start:
            continue
        if strict:
            return False
        # The model runs a score into a name in tables: "H. Morris 69".
        past_end = ent.end > end and not all(is_score(t) for t in ent.doc[end : ent.end])
        if ent.start < start or past_end or ent.label_ == "NORP" or is_place_name(ent):
            return False
    return True


MAX_NAME_TOKENS = 3


def shouted_name_spans(doc: Doc) -> list[Span]:
    """Shouted mentions of people the article names in mixed case: "SHEARER NAMED AS CAPTAIN"."""
    # The model reads headlines badly even recased; the body names the same people plainly.
    # Full names only: the model takes a lone "Longyear" or "England" for a person now and then.
    people = [e for e in doc.ents if e.label_ == "PERSON" and len(e) > 1 and not e.text.isupper()]
    forms = {e.text.upper(): len(e) for e in people if len(e) <= MAX_NAME_TOKENS}
    forms |= {e[-1].text.upper(): 1 for e in people if not _ROMAN.fullmatch(e[-1].text)}
    firsts = {form.split(" ", 1)[0] for form in forms if len(form) >= 3}
    found: list[Span] = []
    for token in doc:
        if token.text not in firsts:
            continue
        spans = (doc[token.i : token.i + size] for size in range(MAX_NAME_TOKENS, 0, -1))
        span = next((s for s in spans if forms.get(s.text) == len(s)), None)
        if span is not None and span.text not in countries_by_capitals():
            found.append(Span(doc, span.start, span.end, "PERSON"))
    return found
