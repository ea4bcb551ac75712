"""Channel keys: one typed key, parsed and formatted in one place, in the stored format."""

from __future__ import annotations

import dataclasses

import pytest

from broadsheet.keys import ChannelKey, is_subject_key, parse_key, slugify

STORED_KEYS = [
    "person:maria-okafor",
    "org:nato",
    "other:republicans",
    "place:4887398",
    "place:middle-east",
    "place:us-oh-franklin",
    "topic:politics",
]


@pytest.mark.parametrize("text", STORED_KEYS)
def test_stored_keys_read_and_write_back_unchanged(text: str) -> None:
    key = ChannelKey.parse(text)
    assert str(key) == text
    assert key == parse_key(text)


def test_keys_are_built_from_names_in_the_stored_format() -> None:
    assert str(ChannelKey.for_entity("person", "Maria Okafor")) == "person:maria-okafor"
    assert str(ChannelKey.for_entity("organization", "NATO")) == "org:nato"
    assert str(ChannelKey.for_entity("other", "Republicans")) == "other:republicans"
    assert str(ChannelKey.for_entity("place", "the Middle East")) == "place:the-middle-east"
    assert str(ChannelKey.for_entity("country", "Atlantis")) == "place:atlantis"
    assert str(ChannelKey.for_place(4887398)) == "place:4887398"
    assert str(ChannelKey.for_topic("politics")) == "topic:politics"


def test_a_place_key_knows_its_geonames_id() -> None:
    assert ChannelKey.parse("place:4887398").geonameid == 4887398
    assert ChannelKey.parse("place:middle-east").geonameid is None
    assert ChannelKey.parse("person:4887398").geonameid is None


def test_slugs_fold_accents_keep_other_scripts_and_stay_bounded() -> None:
    assert slugify("Zürich  Café!") == "zurich-cafe"
    assert slugify("Владимир Путин") == "владимир-путин"
    assert len(slugify("a" * 1000)) == 200


@pytest.mark.parametrize(
    "text", ["nocolon", "", ":", "x:y", "person:", "person:a\x00b", "person:a\nb", "p:" * 200]
)
def test_anything_else_is_not_a_key(text: str) -> None:
    assert parse_key(text) is None
    with pytest.raises(ValueError, match="keys:"):
        ChannelKey.parse(text)


def test_over_long_keys_are_refused() -> None:
    assert parse_key("person:" + "a" * 5000) is None
    assert parse_key("person:" + "a" * 293) is not None  # 300 characters in all


def test_only_people_organisations_and_places_are_subjects() -> None:
    assert all(is_subject_key(k) for k in ("person:a", "org:b", "place:1", "place:c"))
    assert not any(is_subject_key(k) for k in ("other:democrat", "topic:world", "junk"))


def test_keys_are_values_usable_in_sets_and_never_change() -> None:
    key = ChannelKey.parse("org:nato")
    assert {key, ChannelKey.for_entity("organization", "Nato")} == {key}
    with pytest.raises(dataclasses.FrozenInstanceError):
        key.id = "un"  # type: ignore[misc]
