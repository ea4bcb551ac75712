"""How names are written: a person's name parts, acronyms and their long forms, company forms."""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from broadsheet.models import EntityKind

# fmt: off
# Name endings that are not the surname, and company forms that are not the company's name.
NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
CORPORATE_SUFFIXES = frozenset({
    "inc", "incorporated", "corp", "corporation", "co", "company", "ltd", "limited", "llc",
    "plc", "lp", "llp", "ag", "gmbh", "sa", "s.a", "nv", "n.v", "se",
})
# Words an acronym skips: "Organization of the Petroleum Exporting Countries" is OPEC.
LINK_WORDS = frozenset({"of", "the", "and", "for", "on", "in", "to", "&", "de", "du", "des"})
# Words before a person's name that are not the name: "Mayor", "Dr.", "Prime Minister".
TITLES = frozenset({
    "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "dr", "dr.", "prof", "prof.", "professor",
    "president", "vice", "mayor", "gov", "gov.", "governor", "sen", "sen.", "senator", "rep",
    "rep.", "representative", "judge", "justice", "gen", "gen.", "general", "lt", "lt.", "col",
    "col.", "capt", "capt.", "sgt", "sgt.", "officer", "chief", "chancellor", "prime",
    "minister", "secretary", "king", "queen", "prince", "princess", "pope", "rev", "rev.",
    "pastor", "sheriff", "commissioner", "coach", "ceo", "chairman", "chairwoman", "speaker",
    "ambassador", "councilman", "councilwoman", "councilor", "detective", "attorney", "deputy",
    "superintendent", "sir", "dame", "lord", "lady",
})
# fmt: on
_ACRONYM = re.compile(r"(?:[A-Z]\.){2,}|[A-Z][A-Z&]{1,7}")
_DOTTED_ACRONYM = re.compile(r"(?:[A-Z]\.){2,}")
# gender-guesser's dictionary of given names (Jörg Michael's nam_dict, GFDL), 45,000 names from
# 50 countries; a line is its gender code, the name ("+" joins "Abd+al"), then from column 30 a
# hex digit per country for how common the name is there (1 rare .. D very common).
FIRST_NAMES_FILE = ("gender_guesser", "data/nam_dict.txt")
FREQUENCY_COLUMN = 30
# Names at 1 everywhere are as often words written as names: "Price", "Red", "General", "Viva".
MIN_NAME_FREQUENCY = 2
_PARENTHESISED = re.compile(r"\s*\(\s*((?:[A-Z]\.){2,}|[A-Z][A-Z&]{1,7})\s*\)")


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    """Given names common somewhere ("Hakan", "Zinzan", "Abd-al"), from the packaged dictionary."""
    package, path = FIRST_NAMES_FILE
    text = resources.files(package).joinpath(path).read_text(encoding="utf-8")
    return frozenset(
        line.split()[1].replace("+", "-")
        for line in text.splitlines()
        if line[:1] not in "#=" and name_frequency(line) >= MIN_NAME_FREQUENCY
    )


def name_frequency(line: str) -> int:
    """How common a dictionary line's name is in the country where it is most common."""
    digits = [int(ch, 16) for ch in line[FREQUENCY_COLUMN:] if ch in _HEX_DIGITS]
    return max(digits, default=0)


_HEX_DIGITS = frozenset("0123456789ABCDEF")


def surname(name: str) -> str:
    """The last word of a person's name that is not a suffix: "King" of "Martin Luther King Jr."."""
    words = name.split()
    kept = [w for w in words[1:] if w.lower().rstrip(".") not in NAME_SUFFIXES]
    return kept[-1] if kept else words[-1]


def name_ends(name: str) -> tuple[str, str]:
    """First name and surname, lower-case: the same for "Vladimir V. Putin" and "Vladimir Putin"."""
    return name.split()[0].lower(), surname(name).lower()


def key_form(kind: EntityKind, name: str) -> str:
    """The form a name is keyed by: "U.N." as "UN", "Acme Inc." as "Acme"."""
    if kind == "organization":
        words = name.replace(",", " ").split()
        while len(words) > 1 and words[-1].lower().rstrip(".") in CORPORATE_SUFFIXES:
            words.pop()
        name = " ".join(words)
    return name.replace(".", "") if _DOTTED_ACRONYM.fullmatch(name) else name


def is_acronym(name: str) -> bool:
    """True for "NATO", "FBI", "U.N.", "AT&T"."""
    return _ACRONYM.fullmatch(name) is not None


def acronym_letters(name: str) -> str:
    """An acronym without its periods: "U.N." -> "UN"."""
    return name.replace(".", "")


def parenthesised_acronym(text: str, end: int) -> str:
    """The acronym written in parentheses right after text[:end] ("... Organization (NATO)")."""
    match = _PARENTHESISED.match(text, end)
    return acronym_letters(match.group(1)) if match else ""


def initials(name: str) -> str:
    """ "North Atlantic Treaty Organization" -> "NATO"; "" unless every main word is capitalised."""
    words = [w for w in name.split() if w.lower() not in LINK_WORDS]
    if len(words) < 2 or not all(w[0].isupper() for w in words):
        return ""
    return "".join(w[0] for w in words)


def fix_capitals(name: str, kind: EntityKind) -> str:
    """ "MARIA OKAFOR" -> "Maria Okafor"; short all-capital acronyms (NATO, FBI) stay."""
    if not name.isupper():
        return name
    if kind != "person" and " " not in name and len(name) <= 5:
        return name
    return " ".join(w if len(w) <= 3 and "." in w else w.capitalize() for w in name.split())
