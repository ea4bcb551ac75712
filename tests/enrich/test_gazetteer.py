"""The GeoNames gazetteer: built once, and common names resolve to the obvious place."""

from __future__ import annotations

import pytest

from broadsheet.enrich.gazetteer import DC_GEONAMEID, load_gazetteer


def test_gazetteer_is_built_once_and_knows_towns() -> None:
    load_gazetteer.cache_clear()
    gazetteer = load_gazetteer()
    assert load_gazetteer() is gazetteer  # built once per process
    assert len(gazetteer.by_id) > 60_000  # towns of 5,000 people, not only cities of 15,000


@pytest.mark.parametrize(
    ("name", "geonameid", "kind"),
    [
        ("London", 2643743, "city"),
        ("Sydney", 2147714, "city"),
        ("Chicago", 4887398, "city"),
        ("Texas", 4736286, "state"),
        ("France", 3017382, "country"),
        ("U.S.", 6252001, "country"),
        ("Ill.", 4896861, "state"),
        ("D.C.", DC_GEONAMEID, "city"),
        ("  paris ", 2988507, "city"),
    ],
)
def test_lookup_puts_the_likely_place_first(name: str, geonameid: int, kind: str) -> None:
    best = load_gazetteer().lookup(name)[0]
    assert (best.geonameid, best.kind) == (geonameid, kind)


def test_lookup_keeps_smaller_namesakes_as_candidates() -> None:
    ids = [entry.geonameid for entry in load_gazetteer().lookup("Springfield")]
    assert 4250542 in ids  # Springfield, Illinois
    assert len(ids) >= 5
    assert load_gazetteer().lookup("Nowhereville Upon Tyne") == ()


def test_us_places_carry_state_codes_and_states_have_centroids() -> None:
    gazetteer = load_gazetteer()
    chicago = gazetteer.lookup("Chicago")[0]
    assert (chicago.country, chicago.admin1) == ("US", "IL")
    illinois = gazetteer.states.get(chicago.admin1)
    assert illinois is not None and illinois.name == "Illinois"
    assert 37.0 < illinois.lat < 42.5 and -91.5 < illinois.lon < -87.5
    # Countries sit at their own centre (countryinfo), not at their capital.
    france, russia = gazetteer.countries["FR"], gazetteer.countries["RU"]
    assert (france.lat, france.lon) == (46.0, 2.0)
    assert (russia.lat, russia.lon) == (60.0, 100.0)  # not Moscow


def test_towns_of_five_thousand_people_are_known() -> None:
    ids = [entry.geonameid for entry in load_gazetteer().lookup("Paris")]
    assert 4647963 in ids  # Paris, Tennessee (about 10,000 people)


def test_accents_fold_so_plain_spellings_find_the_place() -> None:
    gazetteer = load_gazetteer()
    assert "Zürich" in {entry.name for entry in gazetteer.lookup("Zurich")}
    assert gazetteer.lookup("zürich") == gazetteer.lookup("ZURICH")


def test_counties_and_foreign_provinces_are_places_with_code_keys() -> None:
    gazetteer = load_gazetteer()
    assert {"OH", "PA", "TN"} <= gazetteer.county_states("Franklin County")
    assert gazetteer.county_states("Licking County") == frozenset({"OH"})
    assert gazetteer.county_states("Nowhere County") == frozenset()
    franklin = {e.admin1: e for e in gazetteer.lookup("Franklin County") if e.kind == "county"}
    ohio = franklin["OH"]
    assert ohio.key == "place:us-39049"  # its FIPS code: GeoNames gives us no id for it
    assert abs(ohio.lat - 39.97) < 0.3 and abs(ohio.lon + 83.01) < 0.3  # around Columbus
    ontario = gazetteer.lookup("Ontario")[0]
    assert (ontario.kind, ontario.country, ontario.admin1, ontario.key) == (
        "state",
        "CA",
        "08",
        "place:ca-08",
    )
    assert gazetteer.lookup("Ont.")[0] == ontario
    wales = gazetteer.lookup("new south wales")[0]
    assert (wales.country, wales.admin1) == ("AU", "02")
    scotland = gazetteer.lookup("Scotland")[0]
    assert (scotland.kind, scotland.country) == ("state", "GB")  # not the United Kingdom
    suffolk = gazetteer.lookup("Suffolk")
    assert {(e.kind, e.country) for e in suffolk} >= {("county", "GB"), ("city", "US")}


def test_towns_know_their_county() -> None:
    columbus = load_gazetteer().lookup("Columbus")
    assert any(e.admin1 == "OH" and e.admin2 == "Franklin County" for e in columbus)


def test_demonyms_name_their_country() -> None:
    gazetteer = load_gazetteer()
    assert gazetteer.demonyms["russian"].country == "RU"
    assert gazetteer.demonyms["palestinians"].country == "PS"
    assert gazetteer.demonyms["chinese"].country == "CN"


def test_a_demonym_territories_share_names_the_most_populous_country() -> None:
    demonyms = load_gazetteer().demonyms
    assert demonyms["norwegian"].name == "Norway"  # not Svalbard
    assert demonyms["dominican"].country == "DO"  # the Dominican Republic, not Dominica


def test_the_eu_and_the_holy_see_are_places() -> None:
    gazetteer = load_gazetteer()
    assert gazetteer.lookup("EU")[0].geonameid == 6255148  # Europe, as GeoWebNews resolves it
    assert gazetteer.lookup("European Union")[0].geonameid == 6255148
    assert gazetteer.lookup("Holy See")[0].country == "VA"


def test_atlas_features_are_places_and_wide_regions_are_not() -> None:
    gazetteer = load_gazetteer()
    peninsula = gazetteer.lookup("Korean Peninsula")[0]
    assert (peninsula.kind, peninsula.is_feature) == ("region", True)
    assert peninsula.key == "place:feature-korean-peninsula"
    # An ocean has no single point a gazetteer agrees on: "the Atlantic" stays Iowa's town
    # name only, which resolution leaves unresolved without a cue for Iowa.
    assert all(not e.is_feature for e in gazetteer.lookup("Atlantic"))


def test_wide_provinces_sit_near_their_middle_not_their_southern_towns() -> None:
    gazetteer = load_gazetteer()
    ontario = next(e for e in gazetteer.lookup("Ontario") if e.kind == "state")
    assert ontario.country == "CA" and ontario.lat > 48  # the mean of its towns was 44.8N
    columbia = gazetteer.lookup("BC")[0]
    assert (columbia.name, columbia.lat) == ("British Columbia", 54.0)


def test_region_adjectives_and_abbreviations_name_their_places() -> None:
    gazetteer = load_gazetteer()
    assert gazetteer.demonyms["korean"].country == "KR"
    assert gazetteer.demonyms["english"].name == "England"
    assert gazetteer.demonyms["kurdish"].name == "Kurdistan"
    assert gazetteer.lookup("T&T")[0].country == "TT"
    assert {"AM", "AZ", "RU", "TR"} <= gazetteer.neighbours["GE"]
