"""The GeoNames gazetteer: built once, and common names resolve to the obvious place."""

from __future__ import annotations

import pytest

from broadsheet.enrich.admin1 import StateIndex, admin1_centres, distance_km, read_states
from broadsheet.enrich.gazetteer import DC_GEONAMEID, load_gazetteer
from broadsheet.enrich.geodata import group_areas, read_towns


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


# An approximate middle of each area's extent, written independently of the package:
# GeoNames' own points for Ontario and British Columbia, the geographic centres Queensland
# (near Muttaburra) and Texas (near Brady) name for themselves.
MIDDLES = {
    ("CA", "Ontario"): (49.25, -84.5),
    ("CA", "British Columbia"): (54.0, -125.0),
    ("AU", "Queensland"): (-22.5, 144.4),
    ("US", "Texas"): (31.14, -99.33),
}


@pytest.mark.parametrize(("country", "name"), list(MIDDLES))
def test_wide_divisions_sit_near_their_middle_not_their_towns_mean(country: str, name: str) -> None:
    division = next(
        e for e in load_gazetteer().lookup(name) if e.kind == "state" and e.country == country
    )
    # The mean of their towns lies 200 to 900 km off (Ontario's at 44.8N, near Toronto).
    assert distance_km((division.lat, division.lon), MIDDLES[(country, name)]) < 150


def test_a_province_the_package_lacks_keeps_the_mean_of_its_towns() -> None:
    # countrystatecity has France's regions since 2016; cities1000 still names Lorraine.
    towns = read_towns()
    centres = admin1_centres(towns, [])
    assert ("FR", "Lorraine") in centres.fallbacks
    assert ("CA", "Ontario") in centres.points
    lorraine = next(a for a in group_areas(towns) if (a.country, a.name) == ("FR", "Lorraine"))
    entry = next(e for e in load_gazetteer().lookup("Lorraine") if e.kind == "state")
    assert (entry.lat, entry.lon) == (round(lorraine.lat, 4), round(lorraine.lon, 4))


def test_a_city_point_does_not_stand_for_a_wide_state() -> None:
    # The package places New York State at New York City; the state keeps its towns' mean.
    gazetteer = load_gazetteer()
    state, city = gazetteer.states["NY"], gazetteer.lookup("New York City")[0]
    assert distance_km((state.lat, state.lon), (city.lat, city.lon)) > 50


@pytest.mark.parametrize(
    ("country", "geonames_name", "package_name"),
    [
        ("CN", "Jiangsu Sheng", "Jiangsu"),  # a rank word
        ("MX", "Veracruz", "Veracruz de Ignacio de la Llave"),  # the first words of the name
        ("BG", "Kurdzhali", "Kardzhali"),  # another transliteration
        ("DE", "Baden-Wuerttemberg", "Baden-Württemberg"),
        ("CH", "Saint Gallen", "St. Gallen"),
    ],
)
def test_divisions_match_package_states_spelled_otherwise(
    country: str, geonames_name: str, package_name: str
) -> None:
    index = StateIndex(read_states()[country])
    found = index.match(geonames_name, (0.0, 0.0))
    assert found is not None and found.name == package_name


def test_a_near_namesake_next_door_is_not_taken_for_the_division() -> None:
    # "Haut-Sassandra" spells like the package's "Bas-Sassandra", whose point lies south of it.
    centres = admin1_centres(read_towns(), [])
    assert ("CI", "Haut-Sassandra") in centres.fallbacks
    assert StateIndex(read_states()["BG"]).match("Nowhere Oblast", (0.0, 0.0)) is None


def test_region_adjectives_and_abbreviations_name_their_places() -> None:
    gazetteer = load_gazetteer()
    assert gazetteer.demonyms["korean"].country == "KR"
    assert gazetteer.demonyms["english"].name == "England"
    assert gazetteer.demonyms["kurdish"].name == "Kurdistan"
    assert gazetteer.lookup("T&T")[0].country == "TT"
    assert gazetteer.lookup("BC")[0].name == "British Columbia"
    assert {"AM", "AZ", "RU", "TR"} <= gazetteer.neighbours["GE"]
