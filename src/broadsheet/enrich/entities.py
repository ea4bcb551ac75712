"""Named entities: spaCy spans cleaned, merged into one entity per thing, keyed and ranked."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field

from spacy.tokens import Doc

from broadsheet.enrich.places import Toponym, resolve_toponyms
from broadsheet.models import Entity, EntityKind, Mention

LABEL_KINDS: dict[str, EntityKind] = {
    "PERSON": "person",
    "ORG": "organization",
    "NORP": "other",
    "FAC": "other",
    "EVENT": "other",
    "WORK_OF_ART": "other",
    "LAW": "other",
    "PRODUCT": "other",
    "LANGUAGE": "other",
}
KEY_PREFIXES = {"person": "person", "organization": "org", "other": "other"}
# fmt: off
TITLES = frozenset({
    "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "dr", "dr.", "prof", "prof.", "professor",
    "president", "vice", "mayor", "gov", "gov.", "governor", "sen", "sen.", "senator", "rep",
    "rep.", "representative", "judge", "justice", "gen", "gen.", "general", "lt", "lt.", "col",
    "col.", "capt", "capt.", "sgt", "sgt.", "officer", "chief", "chancellor", "prime",
    "minister", "secretary", "king", "queen", "prince", "princess", "pope", "rev", "rev.",
    "pastor", "sheriff", "commissioner", "coach", "ceo", "chairman", "chairwoman", "speaker",
    "ambassador", "councilman", "councilwoman", "councilor", "detective", "attorney", "deputy",
    "superintendent", "sir", "dame", "lord", "lady",
})
# Words of a name that end in a period of their own (a sentence's period is not the name's).
ABBREVIATIONS = frozenset({
    "inc", "corp", "co", "ltd", "llc", "plc", "bros", "jr", "sr", "st", "mt", "ft", "dept",
    "univ", "assn", "intl",
})
# Page furniture and credit lines that the small model sometimes tags as names.
JUNK_NAMES = frozenset({
    "advertisement", "advertisements", "sponsored", "subscribe", "newsletter", "photo",
    "photos", "video", "getty", "images", "copyright", "related", "share", "email", "print",
    "comments", "getty images", "read more", "sign up", "click here", "all rights reserved",
    "story continues below",
})
# fmt: on
_LEADING_THE = re.compile(r"(?:the|The|THE)\s+")  # used with match(): anchored at pos
_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")
_SPACED_DASH = re.compile(r"\s[-–—]\s")
_EDGE_PUNCT = " \t\"“”‘'`.,;:!?()[]{}-—–|/*"


@dataclass
class EntityDraft:
    """The mentions of one entity as they are being gathered."""

    kind: EntityKind
    key: str
    names: list[str] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    name: str = ""  # fixed canonical name (places take the gazetteer's)


def recognize_entities(doc: Doc, title: str = "") -> list[Entity]:
    """People, organizations, places and other names in the doc, most salient first."""
    drafts: dict[str, EntityDraft] = {}
    text = doc.text  # spaCy joins the tokens again on every read of doc.text: read it once
    spans = [(ent.label_, *clean_span(text, ent.start_char, ent.end_char, ent.label_))
             for ent in doc.ents]  # fmt: skip
    spans = [(label, start, end) for label, start, end in spans if is_name(text[start:end])]
    add_people(text, spans, drafts)
    people = [d for d in drafts.values() if d.kind == "person"]
    add_named(text, spans, drafts, people)
    add_places(doc, [canonical_name(d) for d in people], drafts)
    add_surname_mentions(doc, people, drafts)
    entities = [to_entity(d, text, title) for d in drafts.values() if d.mentions]
    entities.sort(key=lambda e: (-e.salience, e.mentions[0].start))
    return entities


def clean_span(text: str, start: int, end: int, label: str) -> tuple[int, int]:
    """Offsets of a span without "the", titles ("Mayor", "Dr."), "'s" and stray punctuation."""
    first_line = text[start:end].split("\n", 1)[0]
    start, end = strip_edges(text, start, start + len(first_line))
    lead = _LEADING_THE.match(text, start, end)
    if lead:
        start = lead.end()
    if label == "PERSON":
        start = skip_titles(text, start, end)
    possessive = _POSSESSIVE.search(text, start, end)
    if possessive and possessive.end() == end:
        # "Fauci 's" (tokenized text) leaves a space or a stray quote before the "'s".
        start, end = strip_edges(text, start, possessive.start())
    return start, end


def strip_edges(text: str, start: int, end: int) -> tuple[int, int]:
    """Offsets without edge punctuation, keeping the period of "U.N.", "Inc." or "J.R.R."."""
    while start < end and text[start] in _EDGE_PUNCT:
        start += 1
    while end > start and text[end - 1] in _EDGE_PUNCT:
        if text[end - 1] == "." and ends_with_abbreviation(text[start:end]):
            break
        end -= 1
    return start, end


def ends_with_abbreviation(name: str) -> bool:
    """True when the name's final period belongs to it: "U.N.", "Acme Inc.", "John Smith Jr."."""
    last = name.rsplit(maxsplit=1)[-1]
    if "." in last[:-1]:  # "U.N.", "S.A.", "U.S."
        return True
    return last[:-1].lower() in ABBREVIATIONS or (len(last) == 2 and last[0].isupper())


def skip_titles(text: str, start: int, end: int) -> int:
    """Move past leading titles, leaving at least one word of the name."""
    while True:
        word, space, rest = text[start:end].partition(" ")
        if not space or not rest.strip() or word.lower() not in TITLES:
            return start
        start += len(word) + 1


def is_name(text: str) -> bool:
    """False for single characters, numbers, all-lowercase words and page furniture."""
    if len(text) < 2 or not any(ch.isalpha() for ch in text):
        return False
    if text == text.lower() or text.lower() in JUNK_NAMES:
        return False
    if _SPACED_DASH.search(text):  # "SOCCER - SHEARER NAMED": a headline run together, not a name
        return False
    return text[0].isalnum()


def add_people(
    text: str, spans: list[tuple[str, int, int]], drafts: dict[str, EntityDraft]
) -> None:
    """Person mentions, "Okafor" joined to the "Maria Okafor" written elsewhere."""
    persons = [(start, end) for label, start, end in spans if label == "PERSON"]
    full_names = [text[s:e] for s, e in persons if " " in text[s:e]]
    for start, end in persons:
        written = text[start:end]
        full = written if " " in written else match_full_name(written, full_names, text, start)
        key = make_key("person", full)
        draft = drafts.setdefault(key, EntityDraft("person", key))
        draft.names.append(full)
        draft.mentions.append(Mention(start, end, written))


def match_full_name(short: str, full_names: list[str], text: str, start: int) -> str:
    """The full name a lone surname (or first name) stands for, else the name itself."""
    matches = [
        n for n in full_names if short.lower() in (n.split()[-1].lower(), n.split()[0].lower())
    ]
    if not matches:
        return short
    before = text[:start]
    # The last full name written before this mention wins: "Maria Okafor ... Okafor said".
    return max(matches, key=lambda n: before.rfind(n))


def add_named(
    text: str,
    spans: list[tuple[str, int, int]],
    drafts: dict[str, EntityDraft],
    people: list[EntityDraft],
) -> None:
    """Organizations and other names; one that is a known person's surname joins that person."""
    surnames = {canonical_name(p).split()[-1]: p for p in people if " " in canonical_name(p)}
    for label, start, end in spans:
        kind = LABEL_KINDS.get(label)
        if kind is None or kind == "person":
            continue
        written = text[start:end]
        if written in surnames:
            surnames[written].mentions.append(Mention(start, end, written))
            continue
        key = make_key(kind, written)
        draft = drafts.setdefault(key, EntityDraft(kind, key))
        draft.names.append(written)
        draft.mentions.append(Mention(start, end, written))


def add_places(doc: Doc, person_names: list[str], drafts: dict[str, EntityDraft]) -> None:
    """Place and country entities keyed by their resolved GeoNames place."""
    for toponym in resolve_toponyms(doc, person_names):
        if toponym.dropped or not is_name(toponym.text):
            continue
        draft = place_draft(toponym, drafts)
        draft.mentions.append(Mention(toponym.start, toponym.end, toponym.text))


def place_draft(toponym: Toponym, drafts: dict[str, EntityDraft]) -> EntityDraft:
    """The draft a toponym belongs to: its GeoNames place, or its own name when unresolved."""
    entry = toponym.choice
    if entry is None:
        key = make_key("place", toponym.text)
        draft = drafts.setdefault(key, EntityDraft("place", key))
        draft.names.append(toponym.text)
        return draft
    key = f"place:{entry.geonameid}"
    kind: EntityKind = "country" if entry.kind == "country" else "place"
    return drafts.setdefault(key, EntityDraft(kind, key, name=entry.name))


def add_surname_mentions(
    doc: Doc, people: list[EntityDraft], drafts: dict[str, EntityDraft]
) -> None:
    """Later "Okafor" mentions the model missed or took for a place, found by the surname."""
    # A place-labelled span that did not become a place ("Washington" after "MaliVai
    # Washington") is free for the person; any other entity's span is not.
    taken = [(m.start, m.end) for d in drafts.values() for m in d.mentions]
    taken += [(e.start_char, e.end_char) for e in doc.ents if e.label_ not in ("GPE", "LOC")]
    text = doc.text
    for person in people:
        name = canonical_name(person)
        if " " not in name:
            continue
        surname = name.split()[-1]
        if len(surname) < 3:
            continue
        for match in re.finditer(rf"\b{re.escape(surname)}\b", text):
            if not any(s < match.end() and match.start() < e for s, e in taken):
                person.mentions.append(Mention(match.start(), match.end(), surname))
        person.mentions.sort(key=lambda m: m.start)


def canonical_name(draft: EntityDraft) -> str:
    """The fixed name, else the longest, most often written form, with sane capitals."""
    if draft.name:
        return draft.name
    forms = [fix_capitals(n, draft.kind) for n in draft.names]
    if draft.kind == "person":
        return max(forms, key=lambda n: (len(n.split()), forms.count(n), not n.isupper()))
    return max(forms, key=lambda n: (forms.count(n), not n.isupper(), len(n)))


def fix_capitals(name: str, kind: EntityKind) -> str:
    """ "MARIA OKAFOR" -> "Maria Okafor"; short all-capital acronyms (NATO, FBI) stay."""
    if not name.isupper():
        return name
    if kind != "person" and " " not in name and len(name) <= 5:
        return name
    return " ".join(w if len(w) <= 3 and "." in w else w.capitalize() for w in name.split())


def to_entity(draft: EntityDraft, text: str, title: str) -> Entity:
    """The finished entity with its canonical name and salience."""
    name = canonical_name(draft)
    mentions = sorted(draft.mentions, key=lambda m: m.start)
    return Entity(
        name=name,
        kind=draft.kind,
        key=draft.key,
        salience=score_salience(name, draft.kind, mentions, text, title),
        mentions=mentions,
    )


def score_salience(
    name: str, kind: EntityKind, mentions: list[Mention], text: str, title: str
) -> float:
    """0..1 from how often and how early the text names it, and whether the title does."""
    count = min(1.0, math.log1p(len(mentions)) / math.log1p(8))
    position = 1.0 - mentions[0].start / max(len(text), 1)
    if not title:
        return round(0.65 * count + 0.35 * position, 3)
    forms = {name, *(m.text for m in mentions)}
    if kind == "person":
        forms.add(name.split()[-1])  # headlines use surnames
    in_title = any(re.search(rf"\b{re.escape(f)}\b", title, re.IGNORECASE) for f in forms)
    return round(0.45 * count + 0.2 * position + 0.35 * in_title, 3)


def make_key(kind: str, name: str) -> str:
    """Stable channel key: "person:maria-okafor", "org:nato", "place:middle-east"."""
    prefix = KEY_PREFIXES.get(kind, kind)
    return f"{prefix}:{slugify(name)}"


def slugify(name: str) -> str:
    """ASCII, lower-case, dash-separated; non-Latin names keep their own letters."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    # Bounded: the key is a column (channels.key, 300) and a URL path segment.
    return (slug or re.sub(r"[\W_]+", "-", name.lower()).strip("-"))[:200]
