"""Every place the gazetteer knows, by name, for Local's place picker: the towns of 1,000
people and more, counties, states, provinces, countries and regions, whether or not the news
has named them yet. Their keys are the channel keys the understanding stage gives them, so a
place picked here is the channel its news will carry.

Built once per web process from the gazetteer (about 4 s of CPU, the first time Local is
asked for a name; `create_app` starts it in the background), then only the names, keys and
points are kept: a sorted array of folded names, each with its place, and a binary search for
the range that starts with what the reader typed.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from broadsheet.enrich.gazetteer import load_gazetteer
from broadsheet.enrich.geodata import normalize_name
from broadsheet.store.channels import PLACE_KINDS


@dataclass(frozen=True)
class KnownPlace:
    """A gazetteer place as Local shows it (the fields of a place channel's row)."""

    key: str
    name: str
    kind: str
    country: str
    admin1: str
    lat: float
    lon: float
    population: int

    def row(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "kind": self.kind,
            "country": self.country,
            "admin1": self.admin1,
            "lat": self.lat,
            "lon": self.lon,
        }


class PlaceFinder:
    """Places by the start of their name (aliases included), the likeliest first."""

    def __init__(self, named: list[tuple[str, KnownPlace]]) -> None:
        named.sort(key=lambda pair: pair[0])
        self._names = [name for name, _ in named]
        self._places = [place for _, place in named]
        self._by_key = {place.key: place for place in self._places}

    def __len__(self) -> int:
        return len(self._by_key)

    def named(self, text: str, limit: int = 10) -> list[KnownPlace]:
        """The places with a name starting with the text: a whole-name match first, then the
        most populous (every place in the name range is weighed, none left out)."""
        typed = normalize_name("".join(ch for ch in text if ch.isprintable())[:100])
        if not typed:
            return []
        start = bisect_left(self._names, typed)
        end = bisect_left(self._names, typed + "\U0010ffff", lo=start)
        found: dict[str, tuple[bool, KnownPlace]] = {}
        for name, place in zip(self._names[start:end], self._places[start:end], strict=True):
            whole = name == typed
            if place.key not in found or whole:
                found[place.key] = (whole, place)
        ranked = sorted(found.values(), key=lambda f: (not f[0], -f[1].population, f[1].name))
        return [place for _, place in ranked[:limit]]

    def get(self, key: str) -> KnownPlace | None:
        return self._by_key.get(key)


_BUILDING = threading.Lock()


def place_finder() -> PlaceFinder:
    """The process's finder (built on first use, once however many threads ask)."""
    with _BUILDING:
        return _build()


@lru_cache(maxsize=1)
def _build() -> PlaceFinder:
    # A build of its own, not load_gazetteer()'s cached one: the web process keeps only this.
    gazetteer = load_gazetteer.__wrapped__()
    places: dict[int, KnownPlace] = {}
    named: list[tuple[str, KnownPlace]] = []
    for name, candidates in gazetteer.by_name.items():
        for _, entry in candidates:
            if entry.kind not in PLACE_KINDS:
                continue
            place = places.get(id(entry))
            if place is None:
                place = places[id(entry)] = KnownPlace(
                    entry.key,
                    entry.name,
                    entry.kind,
                    entry.country,
                    entry.admin1,
                    entry.lat,
                    entry.lon,
                    entry.population,
                )
            named.append((name, place))
    return PlaceFinder(named)


def preload() -> None:
    """Build the finder in a background thread, so that the first reader does not wait."""
    threading.Thread(target=place_finder, name="place-finder", daemon=True).start()
