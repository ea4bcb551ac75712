"""The rules for spaCy sm's known confusions, run on the real model's output."""

from __future__ import annotations

import pytest

from broadsheet.enrich.nlp import parse_text

pytestmark = pytest.mark.slow


def labels(text: str) -> dict[str, str]:
    """Each entity's text and label, as parse_text finds them."""
    return {ent.text: ent.label_ for ent in parse_text(text).ents}


def test_clubs_in_a_results_line_are_organisations_and_national_sides_countries() -> None:
    found = labels("Results on Saturday :\nLeeds 2 Chelsea 1\nScotland 3 Austria 0\n")
    assert found["Leeds"] == found["Chelsea"] == "ORG"
    assert found["Scotland"] == found["Austria"] == "GPE"


def test_a_standings_table_row_and_a_cricket_total_name_sides() -> None:
    found = labels("Standings :\nBolton 5 3 1 1 9 4 10\nDerby : Lancashire 312 and 140-6 .\n")
    assert found["Bolton"] == found["Lancashire"] == "ORG"


def test_a_fixture_names_both_sides() -> None:
    found = labels("Fixtures for next season :\nMay 20 v Durham\nJune 3 Kent v Sussex\n")
    assert found["Durham"] == found["Kent"] == found["Sussex"] == "ORG"
    assert "May" not in found and "June" not in found


def test_a_poll_or_a_dateline_is_no_results_line() -> None:
    found = labels("LONDON 1996-08-30\nThe poll gave Clinton 52 percent , Dole 38 percent .\n")
    assert found.get("LONDON") == "GPE"
    assert found.get("Clinton") != "ORG" and found.get("Dole") != "ORG"


def test_scorecard_players_and_ranked_athletes_are_people() -> None:
    found = labels(
        "Scoreboard :\nJ. Norton c Hayes b Pritchard 45\nBowling : Pritchard 8-0-39-3\n"
        "Women 's discus :\n3. Marta Kowalczyk ( Poland ) 61.20\n"
    )
    for name in ("J. Norton", "Hayes", "Pritchard", "Marta Kowalczyk"):
        assert found.get(name) == "PERSON", (name, found)
    assert found["Poland"] == "GPE"


def test_a_name_ending_in_an_organisation_word_is_an_organisation() -> None:
    found = labels(
        "Delegates of the Northern Rowing Association met the Bank of Canada on Friday ."
    )
    assert found.get("Northern Rowing Association") == "ORG", found
    assert found.get("Bank of Canada") == "ORG", found


def test_an_acronym_in_brackets_takes_its_name_and_keeps_it_later() -> None:
    doc = parse_text(
        "The Free Farmers Party ( FFP ) won the vote . Critics said the FFP had no plan ."
    )
    assert [ent.label_ for ent in doc.ents if ent.text == "FFP"] == ["ORG", "ORG"]


def test_shouted_country_names_in_a_headline_are_countries() -> None:
    found = labels("SOCCER - ICELAND BEAT MALTA IN QUALIFIER .\nIceland won easily .")
    assert found.get("ICELAND") == found.get("MALTA") == "GPE", found


def test_a_dateline_line_names_its_place_and_region() -> None:
    found = labels(
        "COLOMBO 1996-08-30\nRain stopped play .\nWIGAN , England 1996-08-31\nIt rained ."
    )
    assert found.get("COLOMBO") == found.get("WIGAN") == found.get("England") == "GPE", found


def test_a_country_is_a_country_even_run_into_a_score() -> None:
    found = labels("Romania beat Lithuania 2-1 in their under-21 match on Friday .")
    assert found.get("Lithuania") == "GPE", found


def test_a_name_keeps_one_label_across_the_article() -> None:
    doc = parse_text(
        "Standings :\nHartlepool 4 2 1 1 6 5 7\n"
        "Hartlepool have won two of their four matches this season ."
    )
    assert [ent.label_ for ent in doc.ents if ent.text == "Hartlepool"] == ["ORG", "ORG"]
