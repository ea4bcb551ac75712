"""Toponym resolution: which of its candidates each place name of an article means.

Each candidate scores its population prior plus its agreement with what the rest of the
article says about where it is: a qualifier written after it ("Springfield, Ill."), the states,
counties and countries the article names, and the areas of the other places it names.
Once resolved, a name is the same place wherever the text writes it (repeated_toponyms).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field, replace

from spacy.tokens import Doc, Span

from broadsheet.enrich.gazetteer import (
    ALIAS_POPULATION,
    SMALL_TOWN_POPULATION,
    US,
    GazetteerEntry,
    load_gazetteer,
    normalize_name,
)
from broadsheet.enrich.toponym_cues import (
    EMBEDDING_LABELS,
    MAX_NAME_TOKENS,
    PLACE_LABELS,
    RETYPED_LABELS,
    Match,
    Qualifier,
    Toponym,
    in_person_name,
    is_common_word,
    scan,
    split_parts,
    text_of,
)


@dataclass
class Context:
    """What the rest of the article says about where it is."""

    named_areas: set[Qualifier]  # (country, admin1) written out: "Springfield, Ill.", Ohio
    areas: set[Qualifier]  # (country, admin1) of the cities the article names
    countries: set[str]  # countries a place, state or qualifier lies in
    named_countries: set[str]  # countries only named as such ("the US", "France")
    counties: set[tuple[str, str, str]]  # (country, admin1, county) the article names
    # Counties some reading of another name lies in or is: "Gainesville" and "Hall County"
    # together point at Georgia even before either is decided.
    possible_counties: set[tuple[str, str, str]]
    # Countries bordering one the text names or places: Georgia beside Armenia.
    neighbouring: set[str] = field(default_factory=set)


def read_context(toponyms: list[Toponym], name: str) -> Context:
    """The admin areas and countries the article names, except through `name` itself."""
    context = Context(set(), set(), set(), set(), set(), set())
    for toponym in toponyms:
        if normalize_name(toponym.text) == name:
            continue  # a guess must not vote for itself
        context.possible_counties.update(county_of(c) for c in toponym.candidates)
        for area in (toponym.qualifier, toponym.area):
            if area:
                context.countries.add(area[0])
                if area[1]:
                    context.named_areas.add(area)
        entry = toponym.choice
        if entry is None or normalize_name(toponym.text) == "washington":
            continue  # "Washington" is decided last, and must not vote for itself
        if entry.kind == "country":
            context.named_countries.add(entry.country)
            continue
        if entry.country:
            context.countries.add(entry.country)
        if entry.kind == "county":
            context.counties.add((entry.country, entry.admin1, entry.name))
        if entry.admin1:
            areas = context.named_areas if entry.kind in ("state", "county") else context.areas
            areas.add((entry.country, entry.admin1))
    neighbours = load_gazetteer().neighbours
    for country in context.countries | context.named_countries:
        context.neighbouring.update(neighbours.get(country, ()))
    return context


def county_of(entry: GazetteerEntry) -> tuple[str, str, str]:
    """(country, admin1, county) of a town, or of a county itself."""
    return (entry.country, entry.admin1, entry.name if entry.kind == "county" else entry.admin2)


def choose_by_score(toponyms: list[Toponym], context_from: list[Toponym] | None = None) -> None:
    """Pick each toponym's best candidate given the areas and countries the article names."""
    for toponym in toponyms:
        context = read_context(context_from or toponyms, normalize_name(toponym.text))
        scored = [(score_candidate(toponym, c, context), c) for c in toponym.candidates]
        best = max(scored, key=lambda item: item[0])[1]
        if is_unsupported_alias(toponym, best, context):
            toponym.choice = None  # "North Side" is an alternate name of Oildale, CA: not enough
            toponym.dropped = True
            continue
        if is_unsupported_town(toponym, best, context):
            toponym.choice = None  # "the Atlantic" is not Atlantic, Iowa: a name, not a place
            continue
        toponym.choice = prefer_city_over_state(toponym, best)


# A city this large is meant even by an alternate name ("Peking", "Seville", "Krakow").
ALIAS_TRUSTED_POPULATION = 100_000


def is_unsupported_alias(toponym: Toponym, entry: GazetteerEntry, context: Context) -> bool:
    """A small city matched only through an alternate name, with nothing in the text behind it."""
    if entry.kind != "city" or toponym.qualifier:
        return False
    if normalize_name(entry.name) == normalize_name(toponym.text):
        return False
    if entry.population >= ALIAS_TRUSTED_POPULATION:
        return False
    if entry.country == US:
        return (US, entry.admin1) not in context.areas | context.named_areas
    return entry.country not in context.countries | context.named_countries


def is_unsupported_town(toponym: Toponym, entry: GazetteerEntry, context: Context) -> bool:
    """A town under 15,000 people with no qualifier and nothing in the text near it."""
    if entry.kind != "city" or toponym.qualifier or entry.population >= ALIAS_POPULATION:
        return False
    area = (entry.country, entry.admin1)
    if entry.country == US:
        return area not in context.areas | context.named_areas
    if is_sole_town(toponym, entry):
        return False
    # Outside the US the country named as such is enough: "Nenagh" in a story naming Ireland.
    return entry.country not in context.countries | context.named_countries


def is_sole_town(toponym: Toponym, entry: GazetteerEntry) -> bool:
    """The model's own place, and the only one of its name anywhere ("Nenagh"); not a hamlet
    of cities1000 (whose names are too often something else's too) nor a US town, which the
    text must place in its state ("Atlantic" is an ocean before it is a town in Iowa)."""
    sole = toponym.source == "ner" and len(toponym.candidates) == 1
    return sole and entry.country != US and entry.population > SMALL_TOWN_POPULATION


# A named state or province outweighs a namesake up to 1,000 times larger: "Manhattan" in a
# story that names Kansas is Manhattan, KS. Other cities of a state are weaker evidence (a
# Louisville story naming Cincinnati is not about Louisville, Ohio). A country only named
# ("the US") weighs less than places in it: one "US" must not pull Geneva to New York.
NAMED_AREA_WEIGHT = 3.0
AREA_WEIGHT = 1.5
COUNTRY_WEIGHT = 1.0
NAMED_COUNTRY_WEIGHT = 0.5


def score_candidate(toponym: Toponym, entry: GazetteerEntry, context: Context) -> float:
    """Population prior plus agreement with the qualifier and the rest of the article."""
    score = math.log10(entry.population + 10)
    own_name = is_own_name(toponym, entry)
    if entry.kind == "city" and not own_name:
        score -= 0.5  # matched through an alternate name only ("Bruges" for Brugge)
    if entry.kind in ("city", "county") and toponym.qualifier:
        country, admin1 = toponym.qualifier
        agrees = entry.country == country and (not admin1 or entry.admin1 == admin1)
        score += 10.0 if agrees else -5.0
    if entry.kind in ("city", "county") and own_name:  # an alias gets no area help
        area = (entry.country, entry.admin1)
        county = county_of(entry)
        if county in context.counties:
            score += NAMED_AREA_WEIGHT + AREA_WEIGHT  # a town of the county the text names
        elif county[2] and county in context.possible_counties:
            score += NAMED_AREA_WEIGHT  # another name here may lie in the same county
        elif area in context.named_areas:
            score += NAMED_AREA_WEIGHT
        elif area in context.areas:
            score += AREA_WEIGHT
    if entry.country in context.countries:  # a country whose places the text names too
        score += COUNTRY_WEIGHT
    elif entry.kind != "country" and entry.country in context.named_countries:
        score += NAMED_COUNTRY_WEIGHT
    elif entry.kind == "country" and entry.country in context.neighbouring:
        score += COUNTRY_WEIGHT  # "Georgia" in a story naming Armenia and Azerbaijan
    return score


def is_own_name(toponym: Toponym, entry: GazetteerEntry) -> bool:
    """The entry's own name is the one written: "Barrow" of "Jackson and Barrow counties" too."""
    name, written = normalize_name(entry.name), normalize_name(toponym.text)
    if entry.kind == "county":
        return name in (written, f"{written} county", f"{written} parish")
    return name == written


def prefer_city_over_state(toponym: Toponym, best: GazetteerEntry) -> GazetteerEntry:
    """Bare "New York" or "Moscow" is the city; the state needs "New York state"-like wording."""
    if best.kind != "state" or normalize_name(toponym.text).endswith(" state"):
        return best
    for entry in toponym.candidates:
        same_name = normalize_name(entry.name).startswith(normalize_name(best.name))
        if entry.kind != "city" or entry.country != best.country or not same_name:
            continue
        if city_stands_for_state(entry, best):
            return entry
    return best


def city_stands_for_state(city: GazetteerEntry, state: GazetteerEntry) -> bool:
    """A US city of the state's name, or elsewhere one that is a large part of its province."""
    if state.country == US:
        return city.admin1 == state.admin1
    return city.population * 10 >= state.population  # Moscow; not Quebec City for "Quebec"


def follow_one_sense(toponyms: list[Toponym]) -> None:
    """A name written once as "Paris, Texas" means the same Paris everywhere in the text."""
    qualified = {normalize_name(t.text): t.choice for t in toponyms if t.qualifier and t.choice}
    for toponym in toponyms:
        name = normalize_name(toponym.text)
        if not toponym.qualifier and name in qualified:
            toponym.choice = qualified[name]


# Sources whose resolved toponyms vouch for their name written elsewhere in the same text
# (not a bare cue like "of Police": one guess must not be copied across the text).
VOUCHING_SOURCES = frozenset({"ner", "retyped", "civic"})


def repeated_toponyms(doc: Doc, resolved: list[Toponym]) -> list[Toponym]:
    """Other writings of a name the text already resolved to a place: "Fargo raised".

    One sense per text: a town named "in Alexandria" is still Alexandria where the model
    took it for an organisation or a person, or left it untagged; each copy keeps the
    place chosen for the name. A name the model tags as something else (a person, a club)
    as often as it is a place here is not copied.
    """
    vouching = [
        t for t in resolved
        if t.choice is not None and not t.dropped and t.source in VOUCHING_SOURCES
    ]  # fmt: skip
    # A span resolved here ("in Immokalee", tagged ORG) is a vote, not also a vote against.
    spans = {(t.start, t.end) for t in vouching}
    others = Counter(
        e.text
        for e in doc.ents
        if e.label_ not in PLACE_LABELS and (e.start_char, e.end_char) not in spans
    )
    votes = Counter(t.text for t in vouching)
    named = {t.text: t for t in vouching if votes[t.text] > others[t.text]}
    if not named:
        return []
    return scan(0, len(doc), lambda i: repeated_match(doc, i, named))


def repeated_match(doc: Doc, index: int, named: dict[str, Toponym]) -> Match | None:
    """The longest name of `named` written from this token, as a new toponym of its source."""
    if not (doc[index].is_title or doc[index].is_upper):
        return None
    for size in range(min(MAX_NAME_TOKENS, len(doc) - index), 0, -1):
        span = doc[index : index + size]
        known = named.get(span.text)
        if known is None or is_common_word(span):
            continue  # "The", "As": a stray tag of a common word is no name to copy
        source = repeat_source(doc, span)
        if source is None:
            return None
        start, end = span.start_char, span.end_char
        return replace(known, start=start, end=end, text=span.text, source=source), span.end
    return None


def repeat_source(doc: Doc, span: Span) -> str | None:
    """How a repeated name stands: untagged words ("gazetteer"), a whole person span
    ("retyped"), or inside another name ("embedded"); None in a place span or a person's name."""
    if in_person_name(doc, span):
        return None
    if all(token.ent_iob_ == "O" for token in span):
        return "gazetteer"
    ent = next((e for e in doc.ents if e.start <= span.start and span.end <= e.end), None)
    if ent is None or ent.label_ in PLACE_LABELS:
        return None
    if ent.label_ == "PERSON":
        whole = split_parts(text_of(doc), ent.start_char, ent.end_char)
        return "retyped" if whole == [(span.start_char, span.end_char)] else None
    # An organisation stays one ("Mansfield patrol program"): the place is named inside it.
    return "embedded" if ent.label_ in EMBEDDING_LABELS | RETYPED_LABELS else None
