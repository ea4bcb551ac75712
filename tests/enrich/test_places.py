"""Place resolution on real text: the right namesake, and no place where the text names none."""

from __future__ import annotations

from broadsheet.enrich.entities import recognize_entities
from broadsheet.enrich.gazetteer import DC_GEONAMEID
from broadsheet.enrich.nlp import parse_text
from broadsheet.enrich.places import home_place, local_channels, resolve_places
from broadsheet.models import Place

WASHINGTON_STATE = 5815135
SEATTLE = 5809844
PARIS_FRANCE = 2988507
PARIS_TEXAS = 4717560
SPRINGFIELD_IL = 4250542


def places_of(text: str, title: str = "") -> list[Place]:
    doc = parse_text(text)
    return resolve_places(doc, recognize_entities(doc, title))


def ids_of(text: str) -> set[int]:
    return {place.geonameid for place in places_of(text)}


def test_federal_washington_is_not_washington_state() -> None:
    text = (
        "Washington and Beijing traded accusations on Tuesday over tariffs, as officials in "
        "Washington said the sanctions would stay in place."
    )
    places = places_of(text)
    ids = {place.geonameid for place in places}
    assert WASHINGTON_STATE not in ids
    washington = next(p for p in places if p.geonameid == DC_GEONAMEID)
    # The text names the capital for its government: a place, never local news from there.
    assert {m.role for m in washington.mentions} == {"metonym"}
    assert DC_GEONAMEID not in {c.geonameid for c in local_channels(places)}
    assert 1816670 in ids  # Beijing


def test_white_house_story_does_not_tag_washington() -> None:
    text = (
        "The White House said Washington would not lift sanctions on Moscow. Congress is "
        "expected to vote next week, and allies in London welcomed the decision."
    )
    places = places_of(text)
    ids = {place.geonameid for place in places}
    assert WASHINGTON_STATE not in ids
    assert DC_GEONAMEID not in {c.geonameid for c in local_channels(places)}
    assert 2643743 in ids  # London


def test_seattle_story_is_washington_state() -> None:
    text = (
        "SEATTLE — Washington will expand light rail, Gov. Bob Ferguson said in Seattle on "
        "Monday. Lawmakers in Olympia approved the plan, and Spokane and Tacoma will get buses."
    )
    places = places_of(text)
    ids = {place.geonameid for place in places}
    assert {WASHINGTON_STATE, SEATTLE} <= ids
    channels = [(c.name, c.kind) for c in local_channels(places)]
    assert ("Seattle, WA", "city") in channels
    assert ("Washington", "state") in channels
    assert len(channels) == len(set(channels))


def test_washington_state_wording_wins_even_in_a_federal_story() -> None:
    text = "Washington state sued the administration in federal court on Friday."
    assert WASHINGTON_STATE in ids_of(text)


def test_washington_dc_is_the_city() -> None:
    text = (
        "The march ended in Washington, D.C., where thousands gathered near the Capitol. "
        "D.C. police said the crowd was peaceful."
    )
    places = places_of(text)
    assert [p.geonameid for p in places] == [DC_GEONAMEID]
    assert len(places[0].mentions) >= 2
    assert places[0].admin1 == "DC"
    assert [(c.name, c.kind) for c in local_channels(places)] == [("Washington, DC", "city")]


def test_paris_texas_is_not_paris_france() -> None:
    text = (
        "PARIS, Texas (AP) — A tornado tore through Paris on Monday, the county sheriff said. "
        "Paris is about 100 miles northeast of Dallas."
    )
    places = places_of(text)
    paris = next(p for p in places if p.name == "Paris")
    assert paris.geonameid == PARIS_TEXAS
    assert (paris.country, paris.admin1) == ("US", "TX")
    assert len(paris.mentions) == 3
    assert PARIS_FRANCE not in {p.geonameid for p in places}


def test_bare_paris_is_paris_france() -> None:
    text = "Paris was hit by strikes on Monday as unions protested pension cuts across France."
    ids = ids_of(text)
    assert PARIS_FRANCE in ids and PARIS_TEXAS not in ids


def test_springfield_follows_its_state() -> None:
    assert SPRINGFIELD_IL in ids_of(
        "The mayor of Springfield, Illinois, said the budget was short."
    )
    assert SPRINGFIELD_IL in ids_of("Officials in Springfield said the Illinois budget was short.")
    assert SPRINGFIELD_IL in ids_of("SPRINGFIELD, Ill. — Lawmakers returned on Monday.")
    assert 4409896 in ids_of("Springfield, Missouri, opened a new library on Monday.")


def test_place_inside_a_person_name_is_dropped() -> None:
    text = "Paris Hilton flew to London, where Paris Hilton opened a hotel."
    ids = ids_of(text)
    assert PARIS_FRANCE not in ids and 2643743 in ids


def test_places_carry_mentions_and_keys() -> None:
    text = "Flooding hit Chicago on Sunday. Chicago officials said Texas sent help."
    places = places_of(text)
    chicago = next(p for p in places if p.geonameid == 4887398)
    assert chicago.key == "place:4887398" and chicago.kind == "city"
    assert [text[m.start : m.end] for m in chicago.mentions] == ["Chicago", "Chicago"]
    assert places[0].geonameid == 4887398  # most salient first


def test_local_channels_are_typed_deduplicated_and_skip_countries() -> None:
    text = (
        "Storms hit Chicago and Springfield, Illinois, on Sunday. Illinois asked for federal "
        "aid, officials in London and France said they were watching, and Chicago reopened."
    )
    channels = local_channels(places_of(text))
    pairs = [(c.name, c.kind) for c in channels]
    assert pairs[0] == ("Chicago, IL", "city")
    assert ("Illinois", "state") in pairs
    assert ("Springfield, IL", "city") in pairs
    assert ("London, GB", "city") in pairs
    assert len({c.geonameid for c in channels}) == len(channels)
    assert all(c.kind != "country" for c in channels)
    assert all(c.key == f"place:{c.geonameid}" for c in channels)
    assert pairs.index(("Chicago, IL", "city")) < pairs.index(("Illinois", "state"))


def test_places_named_in_passing_are_not_local_channels() -> None:
    text = (
        "When the Chicago City Council approved a network of flood gates on the Chicago River "
        "this week, it bet that Washington will eventually pay part of the bill. The city has "
        "asked the federal government for $400 million, but the grant is stuck in Congress.\n\n"
        "Representative Lena Marwick, whose district covers much of Chicago's North Side, said "
        "the city could not afford to wait for the storms to get bigger again next year.\n\n"
        "Chicago is not alone. Officials in Seattle, Houston and Miami have all drawn up "
        "flood-defence plans that depend on federal help from the capital."
    )
    places = places_of(text)
    channels = {channel.name for channel in local_channels(places)}
    assert channels == {"Chicago, IL", "Illinois"}
    assert "Washington" not in channels
    assert 5378870 not in {place.geonameid for place in places}  # "North Side" is not Oildale, CA


def test_a_place_in_the_title_is_a_local_channel() -> None:
    text = "Ferries were late again this week. " * 20 + "Riders in Seattle complained."
    names = {c.name for c in local_channels(places_of(text), title="Seattle ferries run late")}
    assert "Seattle, WA" in names
    assert "Seattle, WA" not in {c.name for c in local_channels(places_of(text))}


def test_a_city_named_only_inside_its_council_or_river_is_found() -> None:
    text = (
        "The Chicago City Council voted 41 to 8 on Wednesday to build movable flood gates along "
        "the Chicago River, the most expensive flood protection the council has approved."
    )
    assert {c.name for c in local_channels(places_of(text))} == {"Chicago, IL", "Illinois"}
    brand = places_of("Texas Instruments said its quarterly sales rose.")
    assert not local_channels(brand)  # a company named after a state is no Texas news


FRANKLIN_TN = 4623560
GENEVA_SWITZERLAND = 2660646
MANHATTAN_KS = 4274994
LONDON_ONTARIO = 6058560
LONDON_ENGLAND = 2643743
ONTARIO_CALIFORNIA = 5379439


def test_a_county_is_not_the_city_it_is_named_after() -> None:
    text = "Deputies in Franklin County, Ohio, closed the road near Columbus on Monday."
    places = places_of(text)
    assert FRANKLIN_TN not in {p.geonameid for p in places}
    assert not any(p.name == "Franklin" for p in places)
    assert 4509177 in {p.geonameid for p in places}  # Columbus, Ohio, helped by the county's state


def test_one_mention_of_the_us_does_not_pull_geneva_to_a_us_town() -> None:
    text = "Officials from the US and Iran met in Geneva on Tuesday for another round of talks."
    assert GENEVA_SWITZERLAND in ids_of(text)


def test_a_named_state_beats_a_bigger_namesake() -> None:
    text = (
        "Kansas State University in Manhattan said enrollment rose. "
        "Kansas lawmakers praised the school."
    )
    assert MANHATTAN_KS in ids_of(text)
    assert 4647963 in ids_of("The mayor of Paris, Tennessee, said the Paris fire hall would grow.")


def test_a_canadian_province_qualifies_but_is_not_a_californian_town() -> None:
    places = places_of("Police in London, Ontario, said the fire started overnight.")
    ids = {p.geonameid for p in places}
    assert LONDON_ONTARIO in ids and LONDON_ENGLAND not in ids
    assert ONTARIO_CALIFORNIA not in ids
    assert ONTARIO_CALIFORNIA not in ids_of("The premier of Ontario spoke in Toronto on Monday.")


def test_provinces_abroad_are_places_of_their_own() -> None:
    text = "Floods hit Queensland and New South Wales, while fires burned in Alberta."
    places = places_of(text)
    assert {(p.name, p.kind, p.country, p.key) for p in places} >= {
        ("Queensland", "state", "AU", "place:au-04"),
        ("Alberta", "state", "CA", "place:ca-01"),
    }
    assert all(p.geonameid is None for p in places)  # keyed by their admin codes


def test_plain_ascii_spellings_of_accented_and_english_names_resolve() -> None:
    places = places_of("She studied in Zurich and Bruges before moving to Seville.")
    assert {(p.name, p.country) for p in places} >= {
        ("Zürich", "CH"),
        ("Brugge", "BE"),
        ("Sevilla", "ES"),
    }


def test_a_small_town_needs_support_in_the_text() -> None:
    text = "Hurricanes churned across the Atlantic toward Europe, forecasters said."
    assert not any(p.name == "Atlantic" and p.country == "US" for p in places_of(text))
    iowa = places_of("Atlantic, Iowa, opened a new library. Atlantic has about 6,000 people.")
    assert any(p.name == "Atlantic" and p.admin1 == "IA" for p in iowa)


def test_a_capital_beats_its_province_of_the_same_name_but_quebec_is_the_province() -> None:
    places = places_of("Officials in Tokyo and Moscow met delegates from Quebec.")
    kinds = {p.name: (p.kind, p.country) for p in places}
    assert kinds["Tokyo"] == ("city", "JP")
    assert kinds["Moscow"] == ("city", "RU")
    assert kinds["Quebec"] == ("state", "CA")


def test_a_county_resolves_to_the_county_of_the_state_named() -> None:
    text = "Deputies in Franklin County, Ohio, closed two roads near Columbus on Monday."
    places = places_of(text)
    county = next(p for p in places if p.kind == "county")
    assert (county.name, county.admin1, county.key) == ("Franklin County", "OH", "place:us-39049")
    assert 4623560 not in {p.geonameid for p in places}  # not Franklin, Tennessee
    assert ("Franklin County", "county") in {(c.name, c.kind) for c in local_channels(places)}


def test_datelines_demonyms_and_places_typed_as_people_are_found() -> None:
    text = (
        "Ohio to review tax deal . COLUMBUS, Ohio (AP) — Officials met Russian envoys. "
        "Later they drove from Gainesville to the coast."
    )
    places = places_of(text)
    roles = {p.name: {m.role for m in p.mentions} for p in places}
    assert "Columbus" in roles
    assert roles.get("Russia") == {"demonym"}
    assert "Russia" not in {c.name for c in local_channels(places)}


def test_a_capital_speaking_for_its_government_is_a_metonym_not_local_news() -> None:
    text = "Beijing warned on Monday that new tariffs would hurt trade, and Moscow denied it."
    places = places_of(text)
    roles = {p.name: {m.role for m in p.mentions} for p in places}
    assert roles["Beijing"] == {"metonym"} and roles["Moscow"] == {"metonym"}
    assert local_channels(places) == []


def test_places_inside_names_are_named_but_only_civic_ones_are_local() -> None:
    text = (
        "Researchers at the University of Texas published the study on Tuesday. "
        "Deputies of the Madison County Sheriff's Office, Alabama, found the car."
    )
    places = places_of(text)
    texas = next(p for p in places if p.name == "Texas")
    assert {m.role for m in texas.mentions} == {"embedded"}
    county = next(p for p in places if p.kind == "county")
    assert county.name == "Madison County" and {m.role for m in county.mentions} == {"civic"}
    assert "Madison County" in {c.name for c in local_channels(places)}
    assert "Texas" not in {c.name for c in local_channels(places)}


def mentions_of(text: str) -> dict[str, set[int | None]]:
    """Each mention's text -> the GeoNames ids of the places it was resolved to."""
    found: dict[str, set[int | None]] = {}
    for place in places_of(text):
        for mention in place.mentions:
            found.setdefault(mention.text, set()).add(place.geonameid)
    return found


def test_a_town_the_model_calls_an_organisation_is_a_place_by_its_police() -> None:
    text = "Officers were sent to Roselle on Friday. Roselle police ticketed hundreds of drivers."
    places = places_of(text)
    roselle = next(p for p in places if p.name == "Roselle" and p.admin1 == "IL")
    assert len(roselle.mentions) == 2


def test_a_legislators_hometown_after_the_party_letter_is_a_place() -> None:
    text = "ST. PAUL, Minn. — Rep. Torrey Westrom, R-Elbow Lake, said the talk was premature."
    places = places_of(text)
    assert any(p.name == "Elbow Lake" and p.admin1 == "MN" for p in places)


def test_a_region_of_a_state_names_the_state() -> None:
    assert 4197000 in ids_of("Most Northeast Georgia school systems have not cut teachers.")


def test_each_demonym_of_a_hyphenated_pair_names_its_country() -> None:
    found = mentions_of("A Soyuz capsule carrying a Russian-American crew blasted off.")
    assert found["Russian"] == {2017370}
    assert found["American"] == {6252001}


def test_the_eu_as_an_organisation_names_europe_without_a_local_mention() -> None:
    places = places_of("The EU said it would encourage member states to act.")
    europe = next(p for p in places if p.geonameid == 6255148)
    assert [m.role for m in europe.mentions] == ["embedded"]


def test_a_place_named_once_is_the_same_place_where_the_model_tags_it_otherwise() -> None:
    text = (
        "Flood waters rose in Mansfield, Texas, on Monday. Mansfield police closed two roads, "
        "and the Mansfield Historical Society moved its archive."
    )
    found = mentions_of(text)
    assert len(found.get("Mansfield", ())) == 1
    starts = [m.start for p in places_of(text) for m in p.mentions if m.text == "Mansfield"]
    assert len(starts) == 3


def test_a_name_the_model_keeps_calling_an_organisation_is_not_copied() -> None:
    text = (
        "He was arrested in Bell on Friday. Officers said Bell ran, and Bell was tackled. "
        "Bell removed a handgun."
    )
    doc = parse_text(text)
    assert sum(e.text == "Bell" and e.label_ == "ORG" for e in doc.ents) >= 2  # the premise
    bell = [m for p in places_of(text) for m in p.mentions if m.text == "Bell"]
    assert len(bell) <= 1


def test_each_name_of_a_list_of_counties_is_its_county() -> None:
    places = places_of(
        "Growth has slowed in places like Jackson and Barrow counties, Georgia officials said."
    )
    counties = {p.name: p.admin1 for p in places if p.kind == "county"}
    assert counties == {"Jackson County": "GA", "Barrow County": "GA"}


def test_a_dateline_the_model_calls_an_organisation_is_the_city() -> None:
    places = places_of("WINNIPEG — Manitoba's Opposition New Democrats called for an inquiry.")
    assert 6183235 in {p.geonameid for p in places}  # Winnipeg


def test_a_dateline_before_a_spaced_hyphen_is_the_city() -> None:
    places = places_of("ROSWELL - A man police say shoplifted was struck by a car on Monday.")
    assert any(p.name == "Roswell" for p in places)


def test_a_province_the_model_calls_a_person_is_the_province() -> None:
    places = places_of("Officials met on Monday. Tamil Nadu said it had written to the Centre.")
    assert any(p.name == "Tamil Nadu" and p.country == "IN" for p in places)


def test_a_town_in_the_publishers_coverage_is_local_news_from_one_mention() -> None:
    text = (
        "The county's libraries will stay open until nine on weeknights from January, the "
        "library board decided on Tuesday after a year of complaints from students and "
        "parents who said the early closing left them nowhere to study after school. The "
        "board said longer hours would cost about $2 million a year, paid from reserves, and "
        "that it would review the change after six months. Staff will be hired for the "
        "evening shifts, and the board will ask volunteers to help with homework clubs.\n\n"
        "A similar programme in Evanston drew twice the expected number of visitors."
    )
    places = places_of(text)
    assert "Evanston, IL" not in {c.name for c in local_channels(places)}  # once, late
    near = {c.name for c in local_channels(places, home="Chicago, IL")}
    assert "Evanston, IL" in near
    assert "Evanston, IL" not in {c.name for c in local_channels(places, home="Seattle, WA")}


def test_a_publishers_home_label_names_its_town() -> None:
    found = {
        label: (entry.country, entry.admin1) if (entry := home_place(label)) else None
        for label in (
            "Portland, Maine",
            "Portland, OR",
            "London, Ontario",
            "London, GB",
            "Atlantis, XX",
        )
    }
    assert found == {
        "Portland, Maine": ("US", "ME"),
        "Portland, OR": ("US", "OR"),
        "London, Ontario": ("CA", "08"),
        "London, GB": ("GB", "ENG"),
        "Atlantis, XX": None,
    }


def test_country_named_with_and_is_one_place() -> None:
    places = places_of(
        "The prime minister said that Trinidad and Tobago failed to attend the meeting. "
        "T&T was not represented in Washington."
    )
    country = next(p for p in places if p.name == "Trinidad and Tobago")
    assert [m.text for m in country.mentions] == ["Trinidad and Tobago", "T&T"]
    assert all(p.country == "TT" or p.name == "Washington" for p in places)  # not Bolivia's


def test_province_abbreviation_places_its_towns() -> None:
    places = places_of(
        "The opening of a FrontCounter BC office in Nelson is great news, said the minister. "
        "Nelson residents will find it easier to reach government services."
    )
    names = {(p.name, p.country) for p in places}
    assert ("British Columbia", "CA") in names
    assert ("Nelson", "CA") in names  # not Nelson, New Zealand


def test_currency_and_demonym_modifiers_name_their_country() -> None:
    places = places_of(
        "Salvadoran migrant Alexis Cea, 25, said the projects cost 11 billion US dollars."
    )
    assert {"El Salvador", "United States"} <= {p.name for p in places}


def test_ocean_inside_a_brand_and_a_bare_ocean_name_no_town() -> None:
    places = places_of(
        "Atlantic Records signed the band, and wind shear across the tropical Atlantic "
        "creates hostile conditions for hurricanes, forecasters said."
    )
    assert not any(p.name == "Atlantic" and p.country == "US" for p in places)


def test_landmark_stands_for_its_city_not_local_news() -> None:
    places = places_of("More than 75,000 flights arrived at Schiphol from nearby airports in 2017.")
    amsterdam = next(p for p in places if p.geonameid == 2759794)
    assert amsterdam.mentions[0].text == "Schiphol"
    assert amsterdam.mentions[0].role == "embedded"
    assert local_channels(places) == []


def test_sole_town_of_its_name_abroad_needs_no_country_named() -> None:
    places = places_of(
        "The highest number of applicants are in Nenagh at 430, the council said. A Nenagh "
        "councillor has said he cannot stand over some of the houses."
    )
    assert any(p.name == "Nenagh" and p.country == "IE" for p in places)


def test_georgia_beside_its_neighbours_is_the_country() -> None:
    places = places_of(
        "Azerbaijan puts pressure on Georgia and prevents demining, experts believe, while "
        "Armenia objected to the plan."
    )
    georgia = next(p for p in places if p.name == "Georgia")
    assert georgia.kind == "country" and georgia.country == "GE"


def test_seat_of_government_as_its_government_names_no_place() -> None:
    spoken = places_of(
        "The White House said it would act, White House aides said, and it was denied by "
        "the Kremlin."
    )
    assert spoken == []
    places = places_of("He was barred from the White House before a dinner there last October.")
    washington = next(p for p in places if p.geonameid == DC_GEONAMEID)
    assert [m.text for m in washington.mentions] == ["White House"]
