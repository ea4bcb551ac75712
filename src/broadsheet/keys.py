"""Channel keys: the one typed name of a channel ("person:maria-okafor", "place:4887398").

Stored rows, follows and page URLs (/c/<key>) carry these strings, so their format never
changes: a kind prefix, a colon, and an id (a slug, a GeoNames id, or a section).

The same thing gets the same key in every article (enrich/entities.py applies the rules):
a person is keyed by the full name as most articles write it, "First Last" ("Vladimir V.
Putin" joins a "Vladimir Putin" of the same article), titles and possessives dropped; an
organisation by its acronym when the article gives one (NATO for "North Atlantic Treaty
Organization (NATO)": after the first mention, and in headlines, articles use the acronym),
"U.N." as "un", without "the" or a company form ("Apple Inc." is org:apple); a place by its
gazetteer id (GeoNames id, or an area code for a county GeoNames has no id for), an
unresolved place by its name.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, get_args

from broadsheet.models import EntityKind

KeyKind = Literal["person", "org", "other", "place", "topic"]
KEY_KINDS: frozenset[str] = frozenset(get_args(KeyKind))
ENTITY_KEY_KINDS: dict[EntityKind, KeyKind] = {
    "person": "person",
    "organization": "org",
    "other": "other",
    "place": "place",
    "country": "place",
}
# Keys that do not say what an article is about: "other" names (nationalities, parties,
# events) and sections are shared by too many unrelated articles.
NON_SUBJECT_KINDS: frozenset[str] = frozenset({"other", "topic"})
# Bounded: the key is a column (channels.key, 300) and a URL path segment.
MAX_KEY_CHARS = 300
MAX_SLUG_CHARS = 200


@dataclass(frozen=True, order=True)
class ChannelKey:
    """A channel's stable key: its kind prefix and its id within that kind."""

    kind: KeyKind
    id: str

    def __post_init__(self) -> None:
        if self.kind not in KEY_KINDS:
            raise ValueError(f"keys: unknown channel kind {self.kind!r}")
        if not self.id or not self.id.isprintable() or len(str(self)) > MAX_KEY_CHARS:
            raise ValueError(f"keys: bad channel id {self.id!r} for kind {self.kind!r}")

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}"

    @classmethod
    def parse(cls, text: str) -> ChannelKey:
        """The key written as "kind:id"; ValueError when it cannot be one."""
        kind, colon, ident = text.partition(":")
        if not colon:
            raise ValueError(f"keys: {text[:40]!r} has no 'kind:' prefix")
        if kind not in KEY_KINDS:
            raise ValueError(f"keys: unknown channel kind {kind[:40]!r}")
        return cls(kind, ident)  # type: ignore[arg-type]  # checked just above

    @classmethod
    def for_name(cls, kind: KeyKind, name: str) -> ChannelKey:
        """The key of a named thing: ("person", "Maria Okafor") -> person:maria-okafor."""
        return cls(kind, slugify(name))

    @classmethod
    def for_entity(cls, kind: EntityKind, name: str) -> ChannelKey:
        """The key of an entity known only by its name (an unresolved place included)."""
        return cls.for_name(ENTITY_KEY_KINDS[kind], name)

    @classmethod
    def for_place(cls, ident: int | str) -> ChannelKey:
        """The key of a gazetteer place: its GeoNames id (place:4887398) or area code."""
        return cls("place", str(ident))

    @classmethod
    def for_topic(cls, section: str) -> ChannelKey:
        """The key of a section's topic channel: topic:politics."""
        return cls("topic", section)

    @property
    def is_subject(self) -> bool:
        """True for people, organisations and places: what an article is about."""
        return self.kind not in NON_SUBJECT_KINDS

    @property
    def geonameid(self) -> int | None:
        """The GeoNames id of a resolved place's key, else None."""
        return int(self.id) if self.kind == "place" and self.id.isdigit() else None


def parse_key(text: str) -> ChannelKey | None:
    """The key written as text, or None when it cannot be a channel key."""
    try:
        return ChannelKey.parse(text)
    except ValueError:
        return None


@lru_cache(maxsize=1 << 16)
def is_subject_key(text: str) -> bool:
    """True when text is the key of a person, organisation or place (cached: related lists
    ask it for every key of every candidate)."""
    key = parse_key(text)
    return key is not None and key.is_subject


def slugify(name: str) -> str:
    """ASCII, lower-case, dash-separated; non-Latin names keep their own letters."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return (slug or re.sub(r"[\W_]+", "-", name.lower()).strip("-"))[:MAX_SLUG_CHARS]
