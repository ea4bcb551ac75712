"""Category labels (FOREIGN POLICY, MARKETS ...) and hashtags for an understood article."""

from __future__ import annotations

import re
from dataclasses import dataclass

from broadsheet.models import Entity, Place

MAX_LABELS = 3


@dataclass(frozen=True)
class Label:
    """A finer label: the phrases that signal it and the sections it may be given in."""

    name: str
    pattern: re.Pattern[str]
    sections: frozenset[str]  # empty: any section
    min_hits: int = 2


def _label(name: str, phrases: str, sections: str = "", min_hits: int = 2) -> Label:
    # Phrases are "|"-separated; lower-case ones match any case, others only as written
    # (so "AI" and "WHO" do not match "ai" or "who").
    parts = [p.strip() for p in phrases.split("|") if p.strip()]
    alternatives = [re.escape(p) if p != p.lower() else "(?i:" + re.escape(p) + ")" for p in parts]
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")
    return Label(name, pattern, frozenset(sections.split()), min_hits)


_POLITICAL = "politics world"
LABELS: tuple[Label, ...] = (
    _label(
        "FOREIGN POLICY",
        "diplomat|diplomats|diplomacy|diplomatic|embassy|ambassador|foreign minister|"
        "foreign ministry|secretary of state|summit|sanctions|treaty|bilateral|NATO|"
        "United Nations|ceasefire|state visit",
        _POLITICAL,
    ),
    _label(
        "U.S. POLITICS",
        "Congress|White House|Senate|House of Representatives|Republican|Republicans|"
        "Democrat|Democrats|GOP|Capitol Hill|senator|congressman|congresswoman|Speaker",
        "politics",
    ),
    _label(
        "ELECTIONS",
        "election|elections|ballot|ballots|voters|polling|polls|campaign|campaigning|"
        "primary|candidate|candidates|referendum|general election",
        "politics world local",
    ),
    _label(
        "ECONOMY",
        "economy|economic|inflation|GDP|unemployment|interest rates|recession|central bank|"
        "Federal Reserve|growth forecast|jobs report|consumer spending|trade deficit",
        "business politics world",
    ),
    _label(
        "MARKETS",
        "shares|stocks|stock market|Dow|S&P 500|Nasdaq|FTSE|bond yields|investors|"
        "share price|stock exchange|Wall Street|traders",
        "business",
    ),
    _label(
        "AEROSPACE & DEFENSE",
        "missile|missiles|fighter jet|fighter jets|defense contractor|defence contractor|"
        "Pentagon|Ministry of Defence|warplanes|warship|Lockheed|Boeing|Airbus|"
        "drone strike|air force|rocket launch|military aircraft|arms deal",
        "world politics business technology science",
    ),
    _label(
        "CLIMATE",
        "climate change|global warming|emissions|carbon|greenhouse|heatwave|renewable|"
        "fossil fuels|net zero|climate",
        "world politics business science health local technology",
        3,
    ),
    _label(
        "PUBLIC HEALTH",
        "outbreak|vaccine|vaccines|vaccination|pandemic|epidemic|CDC|WHO|"
        "World Health Organization|public health|infections|flu|measles",
        "health world politics local science",
    ),
    _label(
        "EDUCATION",
        "school|schools|students|pupils|teachers|university|universities|college|"
        "school board|curriculum|tuition|exam|exams",
        "local politics health science technology",
        3,
    ),
    _label(
        "CRIME",
        "police|arrested|murder|shooting|charged|suspect|convicted|robbery|homicide|"
        "stabbing|detectives|sentenced|burglary",
        "local politics world business technology",
        3,
    ),
    _label(
        "TRANSPORTATION",
        "traffic|highway|motorway|transit|railway|rail|train|trains|airline|airlines|"
        "airport|bus|buses|subway|commuters",
        "local politics business world technology",
        3,
    ),
    _label(
        "PROTESTS",
        "protest|protests|protesters|protestors|demonstrators|demonstration|rally|marched",
        "local politics world",
    ),
    _label(
        "ARTS",
        "museum|gallery|theatre|theater|exhibition|opera|ballet|painting|sculpture|novel",
        "entertainment local",
    ),
    _label("MOVIES", "film|films|movie|movies|box office|Oscar|Oscars|cinema", "entertainment"),
    _label("MUSIC", "album|albums|singer|band|concert|tour|chart|songs|rapper", "entertainment"),
    _label("TELEVISION", "TV|television|series|episode|sitcom|BBC One|drama", "entertainment"),
    _label(
        "ARTIFICIAL INTELLIGENCE",
        "artificial intelligence|AI|machine learning|chatbot|neural network|OpenAI",
        "technology business science",
    ),
    _label(
        "CYBERSECURITY",
        "hackers|hacker|hacked|ransomware|malware|data breach|phishing|virus|viruses|spam",
        "technology business",
    ),
    _label(
        "VIDEO GAMES",
        "video game|video games|games console|gaming|gamers|Xbox|PlayStation|Nintendo",
        "technology entertainment",
    ),
    _label(
        "SPACE",
        "NASA|astronaut|astronauts|spacecraft|telescope|orbit|Mars|the Moon|satellite",
        "science technology",
    ),
    _label(
        "SOCCER",
        "soccer|Premier League|Champions League|FIFA|UEFA|striker|goalkeeper|midfielder|"
        "World Cup|FA Cup",
        "sports",
    ),
    _label("FOOTBALL", "NFL|touchdown|quarterback|Super Bowl|American football", "sports"),
    _label("BASKETBALL", "basketball|NBA|WNBA|slam dunk", "sports", 1),
    _label("BASEBALL", "baseball|MLB|home run|pitcher|innings|World Series", "sports"),
    _label("HOCKEY", "NHL|ice hockey|hockey|Stanley Cup", "sports", 1),
    _label("TENNIS", "tennis|Wimbledon|Grand Slam|Australian Open|French Open", "sports", 1),
    _label("GOLF", "golf|PGA|Ryder Cup|golfer", "sports", 1),
    _label("CRICKET", "cricket|Test match|wicket|wickets|batsman|bowler", "sports", 1),
    _label("RUGBY", "rugby|Six Nations|try line", "sports", 1),
    _label("ATHLETICS", "athletics|sprinter|marathon|100m|200m|Olympic|Olympics", "sports"),
    _label("FORMULA 1", "Formula One|Formula 1|F1|Grand Prix", "sports"),
    _label("BOXING", "boxing|boxer|heavyweight|knockout", "sports"),
)
_FOREIGN_POLICY_SECTIONS = frozenset({"politics", "world"})


def count_countries(entities: list[Entity], places: list[Place]) -> int:
    """How many distinct countries the article's places and country entities name."""
    codes = {place.country for place in places if place.country}
    names = {e.key or e.name.lower() for e in entities if e.kind == "country"}
    return max(len(codes), len(names))


def _label_hits(
    section: str, entities: list[Entity], places: list[Place], text: str
) -> dict[str, int]:
    hits: dict[str, int] = {}
    for label in LABELS:
        if label.sections and section not in label.sections:
            continue
        found = label.pattern.findall(text)
        # Two different phrases, not one word repeated: "police ... police" is not a crime story.
        distinct = len({phrase.casefold() for phrase in found})
        if len(found) >= label.min_hits and distinct >= min(2, label.min_hits):
            hits[label.name] = len(found)
    if section in _FOREIGN_POLICY_SECTIONS and count_countries(entities, places) >= 2:
        hits["FOREIGN POLICY"] = hits.get("FOREIGN POLICY", 0) + 3
    if section == "politics" and any(place.country == "US" for place in places):
        hits["U.S. POLITICS"] = hits.get("U.S. POLITICS", 0) + 2
    return hits


def labels_for(section: str, entities: list[Entity], places: list[Place], text: str) -> list[str]:
    """1-3 capitalised category labels, most specific first, ending with the section's own."""
    hits = _label_hits(section, entities, places, text)
    ranked = sorted(hits, key=lambda name: -hits[name])  # stable: ties keep LABELS order
    section_label = section.upper()
    finer = [name for name in ranked if name != section_label][: MAX_LABELS - 1]
    return [*finer, section_label]


def topic_name(section: str) -> str:
    """The followable topic a section stands for: "technology" -> "Technology"."""
    return section.capitalize()


def _contains_words(longer: str, shorter: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(shorter) + r"(?!\w)", longer) is not None


def _same_thing_possible(kind: str, other_kind: str) -> bool:
    # "Chicago" the place and "Chicago Bulls" the team are different things; a surname tagged
    # "other" by the recogniser may still be the person.
    return kind == other_kind or "other" in (kind, other_kind)


def _merge_hashtag(chosen: list[tuple[str, str]], name: str, kind: str) -> None:
    folded = name.casefold()
    for i, (other, other_kind) in enumerate(chosen):
        other_folded = other.casefold()
        if folded == other_folded:
            return
        related = _same_thing_possible(kind, other_kind)
        if related and _contains_words(other_folded, folded):
            return  # "Okafor" after "Maria Okafor": the same thing, already there
        if related and _contains_words(folded, other_folded):
            chosen[i] = (name, kind)  # keep the fuller name at the earlier, more salient place
            return
    chosen.append((name, kind))


def hashtags_for(entities: list[Entity], section: str, limit: int = 8) -> list[str]:
    """Hashtags (stored without "#"): salient entities' canonical names, then the topic."""
    chosen: list[tuple[str, str]] = []
    for entity in sorted(entities, key=lambda e: -e.salience):
        name = " ".join(entity.name.lstrip("#").split())
        if len(name) < 2 or not any(ch.isalpha() for ch in name):
            continue
        _merge_hashtag(chosen, name, entity.kind)
    names = [name for name, _ in chosen]
    topic = topic_name(section)
    names = [name for name in names if name.casefold() != topic.casefold()][: max(limit - 1, 0)]
    return [*names, topic][:limit] if limit > 0 else []
