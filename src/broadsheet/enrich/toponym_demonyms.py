"""Places named by their people or their money: "Russian", "Russian-American", "the
Hungarian Rhapsody", "Salvadoran migrant", "Kurdish enclave", "11 billion US dollars".

Each points at its country (or continent, or region of the atlas); a people's compound
("African-Americans") names no place.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span

from broadsheet.enrich.gazetteer import Gazetteer, normalize_name
from broadsheet.enrich.toponym_cues import EMBEDDING_LABELS, PLACE_LABELS, Toponym, text_of


def demonym_toponyms(doc: Doc, gazetteer: Gazetteer) -> list[Toponym]:
    """NORP spans that are a country's demonym ("Russian", "Palestinians")."""
    found = []
    for ent in doc.ents:
        # "Russian", or the first word of "Lebanese Army", "American Society of ..."; a
        # feature named for a people ("Indian Ocean", "English Channel") is not their country.
        named = ent.label_ in EMBEDDING_LABELS - PLACE_LABELS
        # "the Hungarian Rhapsody"; not a building, which stands where it is ("the Russian
        # Embassy" in Washington).
        first = 1 if len(ent) > 1 and ent[0].lower_ == "the" and ent.label_ != "FAC" else 0
        span = ent if ent.label_ == "NORP" else ent[first : first + 1] if named else None
        if ent.label_ == "MONEY":
            found += currency_toponyms(ent, gazetteer)
        if span is None:
            continue
        found += demonyms_of(text_of(doc), hyphen_parts(span), gazetteer)
    return found + modifier_demonyms(doc, gazetteer)


def modifier_demonyms(doc: Doc, gazetteer: Gazetteer) -> list[Toponym]:
    """A demonym the model left untagged or took for a person, before the noun it qualifies:
    "Salvadoran migrant", "Danish wave energy developer"; not a people ("Russians said")."""
    found = []
    for token in doc[:-1]:
        after = doc[token.i + 1]
        person = token.ent_type_ == "PERSON" and token.ent_iob_ == "B" and after.ent_iob_ != "I"
        if not (token.ent_iob_ == "O" or person) or not token.is_title:
            continue
        if not (after.is_lower and after.is_alpha):
            continue
        place = gazetteer.demonyms.get(token.lower_)
        plural = token.lower_.endswith("s") and token.lower_[:-1] in gazetteer.demonyms
        if place is not None and not plural:
            end = token.idx + len(token)
            found.append(Toponym(token.idx, end, token.text, (place,), source="demonym"))
    return found


# Currencies named for their country: "US dollars", "Egyptian pounds", "Hong Kong dollars".
CURRENCY_WORDS = frozenset(
    {"dollar", "dollars", "pound", "pounds", "euro", "euros", "yen", "yuan", "rupee", "rupees",
     "peso", "pesos", "franc", "francs", "ruble", "rubles", "rouble", "roubles", "rand", "lira",
     "shilling", "shillings", "dinar", "dinars", "riyal", "riyals", "dirham", "dirhams", "won",
     "naira", "ringgit", "krona", "kronor", "krone", "kroner", "zloty", "baht", "rupiah"}
)  # fmt: skip


def is_name(word: str) -> bool:
    """A capitalised or upper-case word ("US", "Egyptian"), not a lower-case one."""
    return word[:1].isupper()


def currency_toponyms(ent: Span, gazetteer: Gazetteer) -> list[Toponym]:
    """The country of a currency written in an amount: "one million US dollars"."""
    doc = ent.doc
    for index in range(ent.start + 1, ent.end):
        if doc[index].lower_ not in CURRENCY_WORDS:
            continue
        for size in (2, 1):
            words = doc[max(ent.start, index - size) : index]
            country = gazetteer.demonyms.get(normalize_name(words.text)) or next(
                (c for c in gazetteer.lookup(words.text) if c.kind == "country"), None
            )
            if country is not None and country.kind == "country" and is_name(words.text):
                start, end = words.start_char, words.end_char
                return [Toponym(start, end, words.text, (country,), source="demonym")]
    return []


def demonyms_of(text: str, parts: list[tuple[int, int]], gazetteer: Gazetteer) -> list[Toponym]:
    """The demonyms of the parts: "Russian-American crew", "Turkish-backed"; not a people's
    name ("African-Americans": a continent's demonym in a compound names no place)."""
    places = [gazetteer.demonyms.get(normalize_name(text[start:end])) for start, end in parts]
    if len(parts) > 1 and any(p is not None and p.kind == "region" for p in places):
        return []
    return [
        Toponym(start, end, text[start:end], (place,), source="demonym")
        for (start, end), place in zip(parts, places, strict=True)
        if place is not None
    ]


def hyphen_parts(span: Span) -> list[tuple[int, int]]:
    """Character offsets of the parts of a span joined by hyphens, or of the whole span."""
    parts, start = [], span.start_char
    for token in span:
        if token.text == "-":
            parts.append((start, token.idx))
            start = token.idx + 1
    return [*parts, (start, span.end_char)]
