"""The section of an article: the publisher's own category when it names one, else its meaning."""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from broadsheet.enrich.embed import embed_texts
from broadsheet.models import SECTIONS

# Publisher categories and URL path words -> section. Words too vague to decide ("news",
# "us", "nation", "opinion") are left out on purpose: they fall through to the classifier.
HINT_WORDS: dict[str, str] = {
    **dict.fromkeys(["world", "international", "global", "foreign", "europe", "asia"], "world"),
    **dict.fromkeys(["africa", "americas", "middleeast", "middle-east"], "world"),
    **dict.fromkeys(["politics", "political", "election", "elections", "government"], "politics"),
    **dict.fromkeys(["congress", "whitehouse", "white-house", "policy", "campaign"], "politics"),
    **dict.fromkeys(["business", "money", "markets", "market", "economy", "finance"], "business"),
    **dict.fromkeys(["companies", "economics", "investing", "personal-finance"], "business"),
    **dict.fromkeys(["technology", "tech", "gadgets", "internet", "ai", "cyber"], "technology"),
    **dict.fromkeys(["science", "space", "environment", "climate", "sci"], "science"),
    **dict.fromkeys(["health", "wellness", "medicine", "medical", "coronavirus"], "health"),
    **dict.fromkeys(["sports", "sport", "football", "soccer", "nfl", "nba", "mlb"], "sports"),
    **dict.fromkeys(["nhl", "cricket", "tennis", "golf", "rugby", "olympics"], "sports"),
    **dict.fromkeys(["entertainment", "arts", "art", "culture", "movies", "film"], "entertainment"),
    **dict.fromkeys(
        ["music", "tv", "television", "celebrity", "books", "showbiz"], "entertainment"
    ),
    **dict.fromkeys(["metro", "city", "community", "local", "neighborhoods"], "local"),
    **dict.fromkeys(["neighbourhoods", "regional"], "local"),
}

# Short descriptions of each section; their mean embedding is the section's prototype.
PROTOTYPES: dict[str, tuple[str, ...]] = {
    "world": (
        "International news about foreign countries and their governments.",
        "Diplomats met to negotiate a ceasefire between the two nations.",
        "The war and the refugee crisis abroad continued to escalate.",
        "The United Nations condemned the military offensive.",
        "Foreign ministers discussed sanctions at the summit.",
    ),
    "politics": (
        "Politics: elections, parties, parliament and the government.",
        "The prime minister faced questions from opposition MPs in parliament.",
        "Voters head to the polls as the party leader campaigns.",
        "The senator introduced a bill and lawmakers debated the legislation.",
        "The minister announced a new government policy on immigration and taxes.",
    ),
    "business": (
        "Business news about companies, markets and the economy.",
        "Shares rose after the company reported higher quarterly profits.",
        "The central bank raised interest rates as inflation climbed.",
        "The firm agreed a takeover deal worth billions of dollars.",
        "Economic growth slowed and unemployment rose, figures showed.",
    ),
    "technology": (
        "Technology news about computers, software, the internet and gadgets.",
        "The tech company launched a new smartphone and mobile app.",
        "Hackers exploited a security flaw in the software.",
        "Video games, broadband, online services and digital music players.",
        "Artificial intelligence and new devices are changing how people use computers.",
    ),
    "science": (
        "Science news about research, discoveries, space and the environment.",
        "Scientists published a study in a journal describing the discovery.",
        "Astronomers observed a distant planet with a space telescope.",
        "Researchers measured rising temperatures caused by climate change.",
        "Fossils of a new dinosaur species were found by palaeontologists.",
    ),
    "health": (
        "Health news about medicine, disease, hospitals and patients.",
        "Doctors warned of a rise in flu cases as hospitals filled up.",
        "A new drug trial showed the treatment reduced cancer deaths.",
        "Public health officials urged people to get vaccinated.",
        "Diet, exercise and mental health advice from medical experts.",
    ),
    "sports": (
        "Sports news: matches, players, teams, coaches and championships.",
        "The striker scored twice as the team won the cup final.",
        "The tennis champion won the tournament in straight sets.",
        "The coach praised his players after the win in the league game.",
        "The athlete set a world record at the Olympic Games.",
    ),
    "entertainment": (
        "Entertainment news about films, music, television and celebrities.",
        "The movie topped the box office and its star won an award.",
        "The singer released a new album and announced a tour.",
        "The television series was nominated at the awards ceremony.",
        "The actor and the director spoke about the film at the festival.",
    ),
    "local": (
        "Local news about the city, its neighbourhoods and residents.",
        "The city council voted on the zoning plan for the neighbourhood.",
        "The county school board approved the budget for local schools.",
        "Police said a local man was arrested after the crash on Main Street.",
        "Residents gathered at the community centre for the town meeting.",
    ),
}


def _words(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


# Strong single words per section for a light vote; counted in the title and the opening.
KEYWORDS: dict[str, frozenset[str]] = {
    "world": _words(
        "foreign embassy diplomat diplomats ceasefire refugees sanctions un nato troops "
        "invasion militants insurgents summit"
    ),
    "politics": _words(
        "election elections minister mps parliament senate congress lawmakers party labour "
        "tory tories conservative democrats republicans vote voters campaign governor "
        "legislation bill opposition"
    ),
    "business": _words(
        "shares profits profit revenue economy economic market markets investors bank "
        "inflation sales company firm firms stock stocks deal takeover earnings prices"
    ),
    "technology": _words(
        "software computer computers internet online digital broadband mobile phones "
        "smartphone gadgets apps app games gaming hackers virus microsoft apple google "
        "technology tech users website devices"
    ),
    "science": _words(
        "scientists researchers study species planet astronomers telescope climate nasa "
        "fossil physics experiment"
    ),
    "health": _words(
        "health patients hospital hospitals doctors disease vaccine virus cancer drug drugs "
        "nhs medical treatment infection"
    ),
    "sports": _words(
        "match team coach players player league cup championship tournament season win "
        "victory goal goals scored olympic athlete champion football rugby tennis cricket "
        "striker"
    ),
    "entertainment": _words(
        "film films movie album singer band actor actress music festival oscar oscars "
        "awards tv television star comedy show chart director"
    ),
    "local": _words(
        "council county residents neighborhood neighbourhood mayor township school district"
    ),
}

KEYWORD_WEIGHT = 0.15  # how far a unanimous keyword vote can move the cosine scores
TITLE_REPEAT = 3  # a word in the headline counts as three in the body
OPENING_WORDS = 300
LOCAL_MARGIN = 0.05  # a local story goes to a topic only when the topic beats "local" by this
_WORD = re.compile(r"[a-z]+")


def section_for_hint(hint: str) -> str | None:
    """The section a publisher category or URL path word names ("Tech" -> technology), or None."""
    words = _WORD.findall(hint.lower().replace("white house", "whitehouse"))
    for word in words:
        if word in HINT_WORDS:
            return HINT_WORDS[word]
    return None


@lru_cache(maxsize=1)
def load_prototypes() -> np.ndarray:
    """One unit vector per section (rows in SECTIONS order), embedded once per process."""
    rows = [embed_texts(list(PROTOTYPES[name])).mean(axis=0) for name in SECTIONS]
    matrix = np.stack(rows)
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def vote_keywords(title: str, text: str) -> np.ndarray:
    """Share of section keywords among the words of the title and opening, per section."""
    words = _WORD.findall(title.lower()) * TITLE_REPEAT
    words += _WORD.findall(text.lower())[:OPENING_WORDS]
    counts = np.array(
        [sum(1 for word in words if word in KEYWORDS[name]) for name in SECTIONS], dtype=float
    )
    total = counts.sum()
    return counts / total if total else counts


def score_sections(title: str, text: str, embedding: np.ndarray) -> np.ndarray:
    """A score per section (SECTIONS order): prototype cosine plus the keyword vote."""
    cosine = load_prototypes() @ np.asarray(embedding, dtype=np.float32)
    return cosine + KEYWORD_WEIGHT * vote_keywords(title, text)


def classify_section(
    title: str, text: str, embedding: np.ndarray, hints: list[str], is_local: bool = False
) -> str:
    """The article's section: a publisher hint naming one wins, else the embedding classifier."""
    for hint in hints:
        section = section_for_hint(hint)
        if section is not None:
            return section
    scores = score_sections(title, text, embedding)
    local = SECTIONS.index("local")
    topical = int(np.argmax(np.delete(scores, local)))
    topical += topical >= local  # index back into SECTIONS
    if is_local and scores[local] + LOCAL_MARGIN >= scores[topical]:
        return "local"
    return SECTIONS[topical]
