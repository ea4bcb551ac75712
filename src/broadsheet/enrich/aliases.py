"""Canonical entities across the corpus: "Putin" alone is the Vladimir Putin other articles name.

Within one article `entities.py` joins "Putin" to "Vladimir Putin" when both appear. An article
that only ever writes "Putin", or only the long form "North Atlantic Treaty Organization",
would key a channel of its own (`person:putin`). Every stored article therefore records the
shorter keys its entities stand behind (a person's surname, an organisation's other written
forms), and a later article's entity whose key is such an alias takes the canonical key when
the corpus agrees on it: seen in at least MIN_ARTICLES articles, and at least MIN_SHARE of the
articles using that alias mean the same one ("Johnson" split between two people stays as it is).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from broadsheet.enrich.names import key_form
from broadsheet.enrich.taxonomy import hashtags_for
from broadsheet.keys import ChannelKey
from broadsheet.models import Enrichment, Entity

MIN_ARTICLES = 2
MIN_SHARE = 0.75
ALIASED_KINDS = ("person", "organization")

# alias key -> {canonical key: number of articles that used the alias for it}
Sightings = Mapping[str, Mapping[str, int]]


def alias_keys(entity: Entity) -> set[str]:
    """The keys a shorter or other reference to this entity gets in an article of its own."""
    if entity.kind not in ALIASED_KINDS:
        return set()
    keys = {
        str(ChannelKey.for_entity(entity.kind, key_form(entity.kind, mention.text)))
        for mention in entity.mentions
    }
    words = entity.name.split()
    if entity.kind == "person" and len(words) >= 2:
        keys.add(str(ChannelKey.for_entity("person", words[-1])))
    keys.discard(entity.key)
    return keys


def alias_pairs(entities: list[Entity]) -> list[tuple[str, str]]:
    """Each (alias key, canonical key) an article's entities stand behind, once, in order."""
    return sorted({(alias, entity.key) for entity in entities for alias in alias_keys(entity)})


def may_be_alias(entity: Entity) -> bool:
    """True for an entity whose key might be another's alias: a one-word person, any org."""
    if entity.kind == "person":
        return len(entity.name.split()) == 1
    return entity.kind == "organization"


def canonical_key(sightings: Mapping[str, int]) -> str | None:
    """The key the corpus agrees an alias stands for, or None when it does not agree."""
    if not sightings:
        return None
    best = max(sorted(sightings), key=sightings.__getitem__)
    total = sum(sightings.values())
    if sightings[best] >= MIN_ARTICLES and sightings[best] >= MIN_SHARE * total:
        return best
    return None


def chosen_keys(sightings: Sightings) -> dict[str, str]:
    """Per alias the corpus agrees on, its canonical key."""
    chosen = {alias: canonical_key(seen) for alias, seen in sightings.items()}
    return {alias: key for alias, key in chosen.items() if key is not None and key != alias}


def canonicalize(
    enrichment: Enrichment, chosen: Mapping[str, str], names: Mapping[str, str]
) -> Enrichment:
    """The enrichment with aliased entities under their canonical keys and names, merged.

    `chosen` maps alias keys to canonical keys (chosen_keys), `names` canonical keys to their
    channel names; an entity whose canonical key has no name keeps its own. Hashtags are made
    again from the new names.
    """
    merged: dict[str, Entity] = {}
    changed = False
    for entity in enrichment.entities:
        target = chosen.get(entity.key) if may_be_alias(entity) else None
        if target is not None:
            entity = replace(entity, key=target, name=names.get(target, entity.name))
            changed = True
        if entity.key in merged:
            held = merged[entity.key]
            merged[entity.key] = replace(
                held,
                salience=max(held.salience, entity.salience),
                mentions=sorted([*held.mentions, *entity.mentions], key=lambda m: m.start),
            )
        else:
            merged[entity.key] = entity
    if not changed:
        return enrichment
    entities = list(merged.values())
    return replace(
        enrichment, entities=entities, hashtags=hashtags_for(entities, enrichment.section)
    )


def lookup_keys(enrichment: Enrichment) -> list[str]:
    """The article's entity keys worth looking up as aliases."""
    return sorted({entity.key for entity in enrichment.entities if may_be_alias(entity)})
