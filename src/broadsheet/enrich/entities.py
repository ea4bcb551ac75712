"""Named entities: spaCy spans cleaned, merged into one entity per thing, keyed and ranked."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field, replace

from spacy.tokens import Doc

from broadsheet.enrich.names import (
    TITLES,
    acronym_letters,
    fix_capitals,
    initials,
    is_acronym,
    key_form,
    name_ends,
    parenthesised_acronym,
    surname,
)
from broadsheet.enrich.places import Toponym, resolve_toponyms, role_of
from broadsheet.enrich.toponyms import text_of
from broadsheet.keys import ChannelKey
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
# fmt: off
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
# The lede is the first paragraph of prose; a headline or dateline line is shorter.
LEDE_MIN_CHARS = 100
LEDE_MAX_CHARS = 600
OTHER_WEIGHT = 0.8
_LEADING_THE = re.compile(r"(?:the|The|THE)\s+")  # used with match(): anchored at pos
_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")
_SPACED_DASH = re.compile(r"\s[-–—]\s")
_EDGE_PUNCT = " \t\"“”‘'`.,;:!?()[]{}-—–|/*"


Span = tuple[str, int, int]  # spaCy label, start, end


@dataclass
class EntityDraft:
    """The mentions of one entity as they are being gathered."""

    kind: EntityKind
    key: ChannelKey
    names: list[str] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    name: str = ""  # fixed canonical name (places take the gazetteer's)

    def add(self, name: str, mention: Mention) -> None:
        """One more mention, standing for the name (a lone "Okafor" stands for "Maria Okafor")."""
        self.names.append(name)
        self.mentions.append(mention)


def recognize_entities(doc: Doc, title: str = "") -> list[Entity]:
    """People, organizations, places and other names in the doc, most salient first."""
    text = text_of(doc)
    spans = clean_spans(doc, text)
    toponyms = standing_toponyms(doc, text, spans)
    toponyms += place_named_people(text, spans, toponyms)
    # A span that became a place ("Chinese" for China, "Gainesville" typed PERSON) is that
    # place only; a place inside a longer name ("Texas" in "Texas Legislature") is both.
    places = [(t.start, t.end) for t in toponyms if t.source not in ("civic", "embedded")]
    spans = [span for span in spans if not overlaps(span[1], span[2], places)]
    drafts: dict[ChannelKey, EntityDraft] = {}
    add_people(text, spans, drafts)
    people = list(drafts.values())
    add_named(text, spans, drafts, people)
    merge_acronyms(text, drafts)
    add_places(toponyms, drafts)
    add_surname_mentions(doc, people, drafts)
    lede = lede_end(text)
    entities = [to_entity(d, text, title, lede) for d in drafts.values() if d.mentions]
    entities.sort(key=lambda e: (-e.salience, e.mentions[0].start))
    return entities


def clean_spans(doc: Doc, text: str) -> list[Span]:
    """The doc's entity spans, cleaned, that can be names."""
    spans = [(ent.label_, *clean_span(text, ent.start_char, ent.end_char, ent.label_))
             for ent in doc.ents]  # fmt: skip
    return [(label, start, end) for label, start, end in spans if is_name(text[start:end])]


def overlaps(start: int, end: int, ranges: list[tuple[int, int]]) -> bool:
    """True when start..end shares a character with any of the ranges."""
    return any(s < end and start < e for s, e in ranges)


def standing_toponyms(doc: Doc, text: str, spans: list[Span]) -> list[Toponym]:
    """The doc's toponyms that name a place here: not dropped, names, not a surname."""
    people = [(start, text[start:end]) for label, start, end in spans if label == "PERSON"]
    toponyms = resolve_toponyms(doc, [name for _, name in people])
    # After "Todd Washington", a bare "Washington" is him (add_surname_mentions finds it).
    first_use = {surname(n): s for s, n in reversed(people) if " " in n}
    return [
        t
        for t in toponyms
        if not t.dropped and is_name(t.text)
        and (t.qualifier is not None or first_use.get(t.text, len(text)) >= t.start)
    ]  # fmt: skip


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


def place_named_people(text: str, spans: list[Span], toponyms: list[Toponym]) -> list[Toponym]:
    """ "People" written as a place the model tags as often or more here: that place."""
    # Only the model's own places vote: a retyped "Clinton" ("wrote to Clinton campaign
    # manager") must not turn the other Clintons into a town.
    places = [t for t in toponyms if t.choice is not None and t.source == "ner"]
    named = {t.text: t for t in places}
    people = [(s, e) for label, s, e in spans if label == "PERSON"]
    # "Jordan" after "Michael Jordan" is the person, whatever the country.
    words = {word for s, e in people if " " in text[s:e] for word in text[s:e].split()}
    covered = [(t.start, t.end) for t in toponyms]
    votes = Counter(t.text for t in places)
    votes.subtract(text[s:e] for s, e in people)
    return [
        replace(named[text[s:e]], start=s, end=e, source="retyped")
        for s, e in people
        if text[s:e] in named and votes[text[s:e]] >= 0 and text[s:e] not in words
        and not overlaps(s, e, covered)
    ]  # fmt: skip


def add_people(text: str, spans: list[Span], drafts: dict[ChannelKey, EntityDraft]) -> None:
    """Person mentions; "Okafor" and "President Okafor" join a "Maria Okafor" written here."""
    persons = [(start, end) for label, start, end in spans if label == "PERSON"]
    full_names = [text[s:e] for s, e in persons if " " in text[s:e]]
    for start, end in persons:
        written = text[start:end]
        full = written if " " in written else match_full_name(written, full_names, text, start)
        key = ChannelKey.for_entity("person", key_name(full, full_names))
        draft = drafts.setdefault(key, EntityDraft("person", key))
        draft.add(full, Mention(start, end, written))


def match_full_name(short: str, full_names: list[str], text: str, start: int) -> str:
    """The full name a lone surname (or first name) stands for, else the name itself."""
    matches = [n for n in full_names if short.lower() in name_ends(n)]
    if not matches:
        return short
    before = text[:start]
    # The last full name written before this mention wins: "Maria Okafor ... Okafor said".
    return max(matches, key=lambda n: before.rfind(n))


def key_name(full: str, full_names: list[str]) -> str:
    """The name a person's key is made from: "Vladimir V. Putin" joins a "Vladimir Putin" here."""
    # Most articles write the plain "First Last": keying on it when the article has it too
    # keeps one key across the corpus; without it the name is keyed as written.
    if len(full.split()) <= 2:
        return full
    ends = name_ends(full)
    plain = [n for n in full_names if len(n.split()) == 2 and name_ends(n) == ends]
    return plain[0] if plain else full


def add_named(
    text: str, spans: list[Span], drafts: dict[ChannelKey, EntityDraft], people: list[EntityDraft]
) -> None:
    """Organizations and other names; one that is a person's name or surname joins that person."""
    forms = person_forms(people)
    for label, start, end in spans:
        kind = LABEL_KINDS.get(label)
        if kind is None or kind == "person":
            continue
        written = text[start:end]
        person = forms.get(written.lower())
        if person is not None:
            person.add(canonical_name(person), Mention(start, end, written))
            continue
        key = ChannelKey.for_entity(kind, key_form(kind, written))
        draft = drafts.setdefault(key, EntityDraft(kind, key))
        draft.add(written, Mention(start, end, written))


def person_forms(people: list[EntityDraft]) -> dict[str, EntityDraft]:
    """People by lower-cased written name, and by each end of their full name when known."""
    forms: dict[str, EntityDraft] = {}
    for person in people:
        name = canonical_name(person)
        if " " in name:
            forms.setdefault(surname(name).lower(), person)
            # Names written surname first: "Wang" after "Wang Donghai".
            forms.setdefault(name.split()[0].lower(), person)
        forms.update((n.lower(), person) for n in person.names)
    return forms


def merge_acronyms(text: str, drafts: dict[ChannelKey, EntityDraft]) -> None:
    """A long form joins its acronym's entity: "North Atlantic Treaty Organization" and NATO."""
    # The acronym's key wins: after the long form is spelled out once, articles (and the
    # headlines and articles that never spell it out) use the acronym, so "org:nato" is the
    # key most articles about NATO produce.
    orgs = [d for d in drafts.values() if d.kind == "organization"]
    acronyms = {acronym_letters(n): d for d in orgs for n in d.names if is_acronym(n)}
    targets = {id(d) for d in acronyms.values()}
    for draft in orgs:
        found = [acronyms[a] for a in spelled_acronyms(text, draft) if a in acronyms]
        if not found or id(draft) in targets:
            continue
        found[0].names.extend(draft.names)
        found[0].mentions.extend(draft.mentions)
        del drafts[draft.key]


def spelled_acronyms(text: str, draft: EntityDraft) -> list[str]:
    """Acronyms a long form stands for: written after it in parentheses, or its initials."""
    found = [parenthesised_acronym(text, mention.end) for mention in draft.mentions]
    return [a for a in found + [initials(name) for name in draft.names] if a]


def add_places(toponyms: list[Toponym], drafts: dict[ChannelKey, EntityDraft]) -> None:
    """Place and country entities keyed by their resolved GeoNames place."""
    for toponym in toponyms:
        draft = place_draft(toponym, drafts)
        mention = Mention(toponym.start, toponym.end, toponym.text, role_of(toponym))
        draft.mentions.append(mention)


def place_draft(toponym: Toponym, drafts: dict[ChannelKey, EntityDraft]) -> EntityDraft:
    """The draft a toponym belongs to: its GeoNames place, or its own name when unresolved."""
    entry = toponym.choice
    if entry is None:
        key = ChannelKey.for_entity("place", toponym.text)
        draft = drafts.setdefault(key, EntityDraft("place", key))
        draft.names.append(toponym.text)
        return draft
    key = ChannelKey.parse(entry.key)
    kind: EntityKind = "country" if entry.kind == "country" else "place"
    return drafts.setdefault(key, EntityDraft(kind, key, name=entry.name))


def add_surname_mentions(
    doc: Doc, people: list[EntityDraft], drafts: dict[ChannelKey, EntityDraft]
) -> None:
    """Later "Okafor" mentions the model missed or took for a place, found by the surname."""
    # A place-labelled span that did not become a place ("Washington" after "MaliVai
    # Washington") is free for the person; any other entity's span is not.
    taken = [(m.start, m.end) for d in drafts.values() for m in d.mentions]
    taken += [(e.start_char, e.end_char) for e in doc.ents if e.label_ not in ("GPE", "LOC")]
    text = text_of(doc)
    for person in people:
        name = canonical_name(person)
        if " " not in name or len(surname(name)) < 3:
            continue
        for match in re.finditer(rf"\b{re.escape(surname(name))}\b", text):
            if not overlaps(match.start(), match.end(), taken):
                person.mentions.append(Mention(match.start(), match.end(), match.group()))
        person.mentions.sort(key=lambda m: m.start)


def canonical_name(draft: EntityDraft) -> str:
    """The fixed name, else the longest, most often written form, with sane capitals."""
    if draft.name:
        return draft.name
    forms = [fix_capitals(n, draft.kind) for n in draft.names]
    if draft.kind == "person":
        return max(forms, key=lambda n: (len(n.split()), forms.count(n), not n.isupper()))
    # Ties go to the plain name: "Apple" rather than "Apple Inc.".
    plain = {n for n in forms if key_form(draft.kind, n) == n}
    return max(forms, key=lambda n: (forms.count(n), not n.isupper(), n in plain, len(n)))


def to_entity(draft: EntityDraft, text: str, title: str, lede: int) -> Entity:
    """The finished entity with its canonical name and salience."""
    name = canonical_name(draft)
    mentions = sorted(draft.mentions, key=lambda m: m.start)
    salience = score_salience(name, draft.kind, mentions, text, title, lede)
    return Entity(name=name, kind=draft.kind, key=str(draft.key), salience=salience,
                  mentions=mentions)  # fmt: skip


def lede_end(text: str) -> int:
    """Where the lede ends: after the first paragraph of prose (past a headline or dateline)."""
    position = 0
    for paragraph in text.split("\n"):
        position += len(paragraph) + 1
        if len(paragraph.strip()) >= LEDE_MIN_CHARS:
            break
    return min(position, LEDE_MAX_CHARS)


def score_salience(
    name: str, kind: EntityKind, mentions: list[Mention], text: str, title: str, lede: int
) -> float:
    """0..1 from how often, how early and whether in the lede the text names it, and the title."""
    count = min(1.0, math.log1p(len(mentions)) / math.log1p(8))
    position = 1.0 - mentions[0].start / max(len(text), 1)
    in_lede = float(mentions[0].start < lede)
    if title:
        named = in_title(name, kind, mentions, title)
        score = 0.4 * count + 0.15 * position + 0.15 * in_lede + 0.3 * named
    else:
        score = 0.5 * count + 0.25 * position + 0.25 * in_lede
    # Nationalities, parties and events are named by many unrelated articles: they say
    # less about this one than a person, organisation or place named as often.
    return round(score * (OTHER_WEIGHT if kind == "other" else 1.0), 3)


def in_title(name: str, kind: EntityKind, mentions: list[Mention], title: str) -> bool:
    """True when the title names it; acronyms must match in capitals ("US" is not "us")."""
    forms = {name, *(m.text for m in mentions)}
    if kind == "person" and " " in name:
        forms.add(surname(name))  # headlines use surnames
    for form in forms:
        flags = 0 if form.isupper() and len(form) <= 5 else re.IGNORECASE
        if re.search(rf"\b{re.escape(form)}\b", title, flags):
            return True
    return False
