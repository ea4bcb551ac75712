"""Labels in capitals, most specific first; hashtags canonical, unique, ending with the topic."""

from __future__ import annotations

import pytest

from broadsheet.enrich.labels import LABELS
from broadsheet.enrich.taxonomy import (
    SECTION_INFO,
    hashtags_for,
    labels_for,
    section_name,
)
from broadsheet.models import SECTIONS, Entity, EntityKind, Place, PlaceKind


def place(name: str, country: str, kind: PlaceKind = "country") -> Place:
    return Place(name=name, kind=kind, geonameid=1, lat=0.0, lon=0.0, country=country, admin1="")


def entity(name: str, kind: EntityKind = "person", salience: float = 0.5) -> Entity:
    return Entity(name=name, kind=kind, key=f"{kind}:{name.lower()}", salience=salience)


DIPLOMACY = (
    "The foreign minister of China met his Russian counterpart in Beijing. The two diplomats "
    "discussed sanctions and a possible summit, the embassy said."
)
CONGRESS = (
    "Republicans in Congress clashed with the White House over the spending bill. "
    "Democrats said the Senate would vote next week."
)


def test_foreign_policy_for_two_countries_and_diplomacy() -> None:
    labels = labels_for("world", [], [place("China", "CN"), place("Russia", "RU")], DIPLOMACY)
    assert labels[0] == "FOREIGN POLICY"
    assert labels[-1] == "WORLD"
    assert 2 <= len(labels) <= 3


def test_two_countries_alone_make_foreign_policy_in_politics() -> None:
    text = "The leaders spoke by phone on Tuesday."
    labels = labels_for("politics", [], [place("France", "FR"), place("Germany", "DE")], text)
    assert labels == ["FOREIGN POLICY", "POLITICS"]


def test_us_politics_from_congress_words_and_us_places() -> None:
    assert labels_for("politics", [], [], CONGRESS)[0] == "U.S. POLITICS"
    dc = place("Washington, D.C.", "US", "city")
    assert labels_for("politics", [], [dc], "The governor signed it.")[0] == "U.S. POLITICS"


def test_section_label_alone_when_nothing_finer_applies() -> None:
    assert labels_for("science", [], [], "A quiet day.") == ["SCIENCE"]
    assert labels_for("local", [], [], "") == ["LOCAL"]


def test_labels_respect_their_sections() -> None:
    # Sports words in a business story do not make it a sports label.
    text = "The NBA and NBA teams signed a TV deal. Shares of the network and stocks rose."
    labels = labels_for("business", [], [], text)
    assert "BASKETBALL" not in labels
    assert labels == ["MARKETS", "BUSINESS"]


def test_sport_specific_label_first() -> None:
    text = "The quarterback threw a touchdown as the NFL season opened; another touchdown followed."
    assert labels_for("sports", [], [], text) == ["FOOTBALL", "SPORTS"]


def test_acronyms_match_only_in_capitals() -> None:
    text = "Who said the outbreak was over? Who knows. The ai of the matter."
    assert "PUBLIC HEALTH" not in labels_for("health", [], [], text)
    assert "PUBLIC HEALTH" in labels_for("health", [], [], "The WHO said the outbreak spread.")


def test_every_label_earned_strongest_first() -> None:
    text = (
        "Police arrested a suspect after the shooting. Police said he was charged. "
        "Students and teachers at the school were safe. Traffic on the highway stopped, "
        "buses were diverted and commuters waited."
    )
    labels = labels_for("local", [], [], text)
    assert labels == ["CRIME", "TRANSPORTATION", "EDUCATION", "LOCAL"]


def test_every_section_is_documented_and_named() -> None:
    assert list(SECTION_INFO) == list(SECTIONS)
    assert all(info.scope and info.name for info in SECTION_INFO.values())
    assert section_name("crime") == "Crime & Safety"
    assert section_name("technology") == "Technology"
    assert {"lifestyle", "crime", "weather", "education", "environment"} <= set(SECTIONS)


def test_labels_name_real_sections_and_are_unique() -> None:
    names = [label.name for label in LABELS]
    assert len(names) == len(set(names))
    for label in LABELS:
        assert label.sections and label.sections <= set(SECTIONS), label.name
        assert label.name == label.name.upper()


@pytest.mark.parametrize(
    ("section", "text", "expected"),
    [
        (
            "weather",
            "The storm brought high winds and heavy rain; flooding closed roads as the "
            "hurricane moved inland and river levels rose.",
            ["STORMS", "FLOODING", "WEATHER"],
        ),
        (
            "crime",
            "The jury returned its verdict after a two-week trial and the judge will hand "
            "down the sentence on Friday, prosecutors said.",
            ["COURTS", "CRIME & SAFETY"],
        ),
        (
            "education",
            "Pupils and teachers at the primary school welcomed the new curriculum.",
            ["SCHOOLS", "EDUCATION"],
        ),
        (
            "environment",
            "Conservationists said the endangered frog's habitat is shrinking, and plastic "
            "waste and sewage have polluted the river.",
            ["CONSERVATION", "POLLUTION", "ENVIRONMENT"],
        ),
        (
            "lifestyle",
            "The chef's new restaurant serves a short menu of dishes built around local wine.",
            ["FOOD & DRINK", "LIFESTYLE"],
        ),
        (
            "politics",
            "Labour MPs and Tory backbenchers clashed in the Commons over the budget.",
            ["U.K. POLITICS", "POLITICS"],
        ),
    ],
)
def test_labels_of_the_new_sections(section: str, text: str, expected: list[str]) -> None:
    assert labels_for(section, [], [], text) == expected


def test_crime_section_does_not_repeat_crime_as_a_label() -> None:
    text = "Police arrested a suspect; detectives said he was charged with robbery."
    assert labels_for("crime", [], [], text) == ["CRIME & SAFETY"]
    assert labels_for("local", [], [], text) == ["CRIME", "LOCAL"]


def test_hashtags_by_salience_ending_with_topic() -> None:
    entities = [
        entity("Ukraine", "country", 0.6),
        entity("NATO", "organization", 0.9),
        entity("Xinhua News Agency", "organization", 0.3),
        entity("Kremlin", "organization", 0.5),
    ]
    tags = hashtags_for(entities, "world")
    assert tags == ["NATO", "Ukraine", "Kremlin", "Xinhua News Agency", "World"]


def test_hashtags_drop_duplicates_and_surname_repeats() -> None:
    entities = [
        entity("Okafor", "person", 0.9),
        entity("Maria Okafor", "person", 0.8),
        entity("maria okafor", "person", 0.1),
        entity("Chicago", "place", 0.7),
        entity("Chicago Bulls", "organization", 0.6),
        entity("Sports", "other", 0.5),
    ]
    tags = hashtags_for(entities, "sports")
    assert tags == ["Maria Okafor", "Chicago", "Chicago Bulls", "Sports"]


def test_hashtags_limit_keeps_topic() -> None:
    entities = [entity(f"Person {chr(65 + i)}", "person", 1 - i / 20) for i in range(12)]
    tags = hashtags_for(entities, "technology", limit=4)
    assert tags == ["Person A", "Person B", "Person C", "Technology"]
    assert hashtags_for([], "health") == ["Health"]


def test_one_repeated_word_or_off_section_words_give_no_label() -> None:
    swim = "Police will patrol the new swimming spots, police said, and lifeguards will too."
    assert labels_for("local", [], [], swim) == ["LOCAL"]
    race = "Runners took trains and buses to the start; traffic on the highway was closed."
    assert labels_for("sports", [], [], race) == ["SPORTS"]
    assert labels_for("local", [], [], race) == ["TRANSPORTATION", "LOCAL"]
