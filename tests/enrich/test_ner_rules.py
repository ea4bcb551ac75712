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


def test_a_known_given_name_and_a_surname_are_a_person() -> None:
    found = labels(
        "Line-ups :\nNorway - 8 - Zinzan Quarrie , 7 - Hakan Ostbye , 6 - Dirk Vandamme .\n"
    )
    assert found.get("Hakan Ostbye") == found.get("Dirk Vandamme") == "PERSON", found


def test_an_initial_and_a_surname_are_a_person() -> None:
    found = labels("Somerset 83 and 174 ( P. Ardmore 4-38 ) , Leicestershire 296 .\n")
    assert found.get("P. Ardmore") == "PERSON", found


def test_a_shouted_surname_is_the_person_the_article_names() -> None:
    found = labels(
        "SOCCER - BRAMWELL NAMED AS CAPTAIN .\nLONDON 1996-08-30\n"
        "Defender Kieran Bramwell was named captain on Friday .\n"
    )
    assert found.get("BRAMWELL") == "PERSON", found


def test_no_name_runs_across_a_spaced_dash() -> None:
    found = labels("Scorers :\nNorway - Hakan Ostbye ( 31st ) , Dirk Vandamme ( 75th )\n")
    assert found.get("Norway") == "GPE" and found.get("Hakan Ostbye") == "PERSON", found


def test_no_name_runs_on_to_the_next_line() -> None:
    found = labels("Leading scorers :\nMaria\nPedrosa ( Portugal ) , Anna Kowalczyk ( Poland )\n")
    assert found.get("Maria") == found.get("Pedrosa") == "PERSON", found


def test_a_place_ends_before_its_possessive() -> None:
    found = labels("He praised South Africa 's new constitution and Hong Kong 's port .")
    assert found.get("South Africa") == found.get("Hong Kong") == "GPE", found


def test_the_ground_a_results_line_opens_with_is_a_place() -> None:
    found = labels("Hove : Sussex 363 and 120-4 , Kent 197-8 .\n")
    assert found.get("Hove") == "GPE" and found.get("Sussex") == "ORG", found


def test_a_results_line_may_end_the_text_without_a_score() -> None:
    # The side's name runs to the last token: no score to read, and no reading past the end.
    assert parse_text("Scores from the weekend.\nHove : Sussex").text.endswith("Sussex")


def test_a_one_word_athlete_before_a_country_is_a_person() -> None:
    found = labels(
        "Men 's 400 metres :\nOkonkwo ( Nigeria ) , Linford Baptiste ( Britain ) 38.87\n"
    )
    assert found.get("Okonkwo") == "PERSON" and found.get("Nigeria") == "GPE", found


def test_a_big_city_as_a_given_name_leaves_the_model_its_names() -> None:
    found = labels("Officials said the Paris Walmart store stepped up patrols .")
    assert found.get("Paris Walmart") == "ORG", found
