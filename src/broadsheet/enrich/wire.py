"""Wire copy: which news agency supplied an article, read from its dateline, byline or credit."""

from __future__ import annotations

import re

# Lower-case spellings -> the one name we store. Unknown agencies are kept as written.
KNOWN_AGENCIES: dict[str, str] = {
    "ap": "AP",
    "associated press": "AP",
    "the associated press": "AP",
    "reuters": "Reuters",
    "thomson reuters": "Reuters",
    "afp": "AFP",
    "agence france-presse": "AFP",
    "agence france presse": "AFP",
    "bloomberg": "Bloomberg",
    "bloomberg news": "Bloomberg",
    "dpa": "dpa",
    "deutsche presse-agentur": "dpa",
    "xinhua": "Xinhua",
    "xinhua news agency": "Xinhua",
    "kyodo": "Kyodo",
    "kyodo news": "Kyodo",
    "pa": "PA",
    "pa media": "PA",
    "pa wire": "PA",
    "press association": "PA",
    "the press association": "PA",
    "upi": "UPI",
    "united press international": "UPI",
    "cna": "CNA",
    "central news agency": "CNA",
    "ansa": "ANSA",
    "efe": "EFE",
    "yonhap": "Yonhap",
    "tass": "TASS",
    "pti": "PTI",
    "ani": "ANI",
    "aap": "AAP",
    "australian associated press": "AAP",
    "cp": "The Canadian Press",
    "the canadian press": "The Canadian Press",
    "anadolu": "Anadolu",
    "anadolu agency": "Anadolu",
}

# Words that make an unknown name in a credit line an agency rather than a person.
_AGENCY_WORDS = re.compile(
    r"\b(?:wires?|newswire|news|press|agency|service|services|media|presse|agence)\b", re.I
)

_NAME = r"(?:The\s+)?[A-Z][\w&.'’-]*(?:\s+[A-Z][\w&.'’-]*){0,4}"
_DASH = r"\s*(?:—|–|-{1,2}|_|:)\s*"
_CAPS_CITY = r"[A-Z][A-Z.'’ -]*[A-Z.]"
_TITLE_CITY = r"[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,2}"

# "WASHINGTON (AP) — ", "KYIV, Ukraine (AP) — ", "LONDON, March 3 (Reuters) - ".
_CAPS_DATELINE = re.compile(
    rf"^{_CAPS_CITY}(?:,[^()\n]{{1,40}}?)?\s*\((?P<name>[^()\n]{{2,40}})\){_DASH}"
)
# "Berlin (dpa) - ": mixed-case cities are only trusted with a known agency.
_TITLE_DATELINE = re.compile(rf"^{_TITLE_CITY}\s*\((?P<name>[^()\n]{{2,40}})\){_DASH}")

# A credit is a whole sentence at the end of a paragraph; a citation in mid-story is not.
_CREDIT_PATTERNS = (
    re.compile(rf"^With (?P<name>{_NAME}) (?:reporting|wires)\b[^.\n]*\.?$"),
    re.compile(rf"^(?P<name>{_NAME}) contributed (?:reporting|to this report)\b[^.\n]*\.?$"),
    re.compile(rf"^(?:Additional r|R)eporting by (?P<name>{_NAME})\.?$"),
    re.compile(rf"^Material from (?P<name>{_NAME}) (?:was|has been) used\b[^.\n]*\.?$"),
    re.compile(rf"^[—–-]\s*(?P<name>{_NAME})\.?$"),
)
# Reuters signs its copy "(Reporting by ...; Editing by ...)".
_REUTERS_SIGNOFF = re.compile(r"^\((?:Additional )?Reporting by [^()]+;[^()]*Editing by [^()]+\)$")
_SENTENCE_END = re.compile(r"(?<=[.!?”\"])\s+")
_GENERIC_WIRES = re.compile(r"^(?:With wires|With wire services|Wire services contributed\b.*)$")


def canonical_agency(name: str) -> str | None:
    """The stored name of a known agency spelling ("Associated Press" -> "AP"), else None."""
    return KNOWN_AGENCIES.get(" ".join(name.lower().split()))


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _from_dateline(paragraphs: list[str]) -> str | None:
    for paragraph in paragraphs[:3]:
        caps = _CAPS_DATELINE.match(paragraph)
        if caps and canonical_agency(caps["name"]):
            return canonical_agency(caps["name"])
        if caps and re.fullmatch(_NAME, caps["name"].strip()):
            return caps["name"].strip()
        title = _TITLE_DATELINE.match(paragraph)
        if title and canonical_agency(title["name"]):
            return canonical_agency(title["name"])
    return None


def _credit_name(sentence: str) -> str | None:
    if _REUTERS_SIGNOFF.match(sentence):
        return "Reuters"
    if _GENERIC_WIRES.match(sentence):
        return "Wire services"
    for pattern in _CREDIT_PATTERNS:
        found = pattern.match(sentence)
        if not found:
            continue
        name = found["name"].strip()
        known = canonical_agency(name)
        if known:
            return known
        # An unknown name counts only when it says it is an agency, or is "With <X> wires".
        if _AGENCY_WORDS.search(name) or sentence.lower().rstrip(". ").endswith("wires"):
            return name
    return None


def _from_credit(paragraphs: list[str]) -> str | None:
    for paragraph in reversed(paragraphs[-3:]):
        sentences = _SENTENCE_END.split(paragraph)
        found = _credit_name(sentences[-1].strip())
        if found:
            return found
    return None


def _from_byline(byline: str) -> str | None:
    cleaned = re.sub(r"^\s*by\s+", "", byline.strip(), flags=re.I)
    for part in re.split(r",|;|\band\b|&|/|\|", cleaned):
        name = re.sub(r"\s+(?:staff|wire|reporters?)$", "", part.strip(), flags=re.I)
        known = canonical_agency(name)
        if known:
            return known
    return None


def detect_wire_source(text: str, byline: str = "") -> str | None:
    """The agency that supplied this copy ("AP", "Reuters", "Meridian Wire" ...), or None."""
    paragraphs = _paragraphs(text)
    return _from_dateline(paragraphs) or _from_byline(byline) or _from_credit(paragraphs)
