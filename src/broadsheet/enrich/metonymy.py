"""Metonymy: a capital or a seat of power named for its government is not local news from there.

"Washington warned Beijing", "the Kremlin said", "Tehran denied": the text names places, and
a reader may follow them, but the story is not about the city. Such a toponym keeps its place
and is marked `metonym`, so it never makes a local channel. Bare "Washington" is decided here
too: the state, the city, or the US government.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from broadsheet.enrich.gazetteer import DC_GEONAMEID, US, load_gazetteer, normalize_name
from broadsheet.enrich.toponym_cues import Toponym, text_of

# Evidence about which "Washington" a text means.
_WA_STATE_CUES = re.compile(
    r"\bWashington[- ]state\b|\bstate of Washington\b|\bWashington State\b"
    r"|\bWashington(?:'s|’s)\s+(?:governor|legislature|attorney general|secretary of state)"
    r"|\b(?:eastern|western|central|southwest|northwest) Washington\b"
    r"|\bWashington (?:Legislature|governor|Gov\.)",
    re.IGNORECASE,
)
_FEDERAL_CUES = re.compile(
    r"\b(?:White House|Congress|Capitol Hill|Pentagon|State Department|Oval Office"
    r"|administration|federal government|U\.S\. officials|American officials|Beijing"
    r"|Moscow|Kremlin|Tehran|Pyongyang|NATO|Nato|diplomat\w*|sanctions|tariffs)\b"
)
_DC_CUES = re.compile(r"\bD\.\s?C\.|\bDistrict of Columbia\b|\bWashington,? DC\b")
# What a government does and a city does not: "Beijing warned", "Moscow denied".
GOVERNMENT_VERBS = frozenset(
    {"said", "says", "warned", "warns", "accused", "accuses", "denied", "denies", "demanded",
     "demands", "rejected", "rejects", "insisted", "insists", "claimed", "claims", "vowed",
     "vows", "threatened", "threatens", "urged", "urges", "responded", "retaliated",
     "condemned", "condemns", "protested", "announced", "announces", "imposed", "imposes",
     "recognized", "recognised", "sanctioned", "expelled", "backed", "backs", "agreed",
     "refused", "refuses", "wants", "sought", "seeks", "hopes", "signaled", "signalled"}
)  # fmt: skip


AUXILIARIES = frozenset({"has", "have", "had", "will", "would", "also", "again", "quickly"})


def mark_metonyms(doc: Doc, toponyms: list[Toponym]) -> None:
    """Mark capitals used as their government's subject; decide bare "Washington"."""
    capitals = load_gazetteer().capitals
    for toponym in toponyms:
        entry = toponym.choice
        if entry is not None and entry.geonameid in capitals and acts_as_government(doc, toponym):
            toponym.metonym = True
    decide_washington(text_of(doc), toponyms)


def acts_as_government(doc: Doc, toponym: Toponym) -> bool:
    """A government's verb right after the name: "Beijing warned", "Moscow has denied"."""
    span = doc.char_span(toponym.start, toponym.end, alignment_mode="expand")
    if span is None:
        return False
    # The pipeline has no parser (see nlp.py): a short window after the name stands in.
    window = doc[span.end : span.end + 2]
    if window and window[0].lower_ in AUXILIARIES:
        window = doc[span.end + 1 : span.end + 2]
    return bool(window) and window[0].lower_ in GOVERNMENT_VERBS


def decide_washington(text: str, toponyms: list[Toponym]) -> None:
    """Bare "Washington": the state, the city, or (US-government metonymy) the capital as such."""
    gazetteer = load_gazetteer()
    others = [t for t in toponyms if normalize_name(t.text) != "washington"]
    wa_places = any(t.choice and t.choice.admin1 == "WA" for t in others)
    state_cue = bool(_WA_STATE_CUES.search(text))
    federal = bool(_FEDERAL_CUES.search(text))
    for toponym in toponyms:
        if normalize_name(toponym.text) != "washington" or not toponym.candidates:
            continue
        if toponym.qualifier == (US, "DC"):
            toponym.choice = gazetteer.by_id[DC_GEONAMEID]
        elif toponym.qualifier == (US, "WA") or state_cue or (wa_places and not federal):
            toponym.choice = gazetteer.states["WA"]
        elif _DC_CUES.search(text):
            toponym.choice = gazetteer.by_id[DC_GEONAMEID]
        else:
            toponym.choice = gazetteer.by_id[DC_GEONAMEID]
            toponym.metonym = True  # "Washington" for the US government
