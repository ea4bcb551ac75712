"""The section of an article: the publisher's own category when it names one, else its meaning."""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from broadsheet.enrich.embed import embed_texts
from broadsheet.enrich.taxonomy import SECTION_INFO
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
    **dict.fromkeys(["science", "space", "sci"], "science"),
    **dict.fromkeys(["health", "wellness", "medicine", "medical", "coronavirus"], "health"),
    **dict.fromkeys(["sports", "sport", "football", "soccer", "nfl", "nba", "mlb"], "sports"),
    **dict.fromkeys(["nhl", "cricket", "tennis", "golf", "rugby", "olympics"], "sports"),
    **dict.fromkeys(["entertainment", "arts", "art", "culture", "movies", "film"], "entertainment"),
    **dict.fromkeys(
        ["music", "tv", "television", "celebrity", "books", "showbiz"], "entertainment"
    ),
    **dict.fromkeys(["lifestyle", "living", "style", "food", "travel", "fashion"], "lifestyle"),
    **dict.fromkeys(["home-garden", "family", "parenting", "dining", "recipes"], "lifestyle"),
    **dict.fromkeys(["metro", "city", "community", "local", "neighborhoods"], "local"),
    **dict.fromkeys(["neighbourhoods", "regional"], "local"),
    **dict.fromkeys(["crime", "police", "courts", "justice", "safety", "public-safety"], "crime"),
    **dict.fromkeys(["weather", "forecast", "forecasts"], "weather"),
    **dict.fromkeys(["education", "schools", "school", "colleges", "campus"], "education"),
    **dict.fromkeys(["environment", "climate", "green", "nature", "wildlife"], "environment"),
}

# Seed sentences in our own words; with each section's scope (taxonomy.py) their mean
# embedding is the section's prototype.
SEEDS: dict[str, tuple[str, ...]] = {
    "world": (
        "Diplomats met to negotiate a ceasefire between the two nations.",
        "The war and the refugee crisis abroad continued to escalate.",
        "The United Nations condemned the military offensive.",
        "Foreign ministers discussed sanctions at the summit.",
        "Rebels seized the capital as the president fled the country.",
        "Thousands were killed when the earthquake struck the region overseas.",
        "Leaders of eleven nations signed an agreement at talks hosted by the foreign ministry.",
        "The two governments agreed common rules after negotiations between their envoys.",
    ),
    "politics": (
        "The prime minister faced questions from opposition MPs in parliament.",
        "Voters head to the polls as the party leader campaigns.",
        "The senator introduced a bill and lawmakers debated the legislation.",
        "The minister announced a new government policy on immigration and taxes.",
        "The home secretary unveiled plans for new police powers, angering civil liberties groups.",
        "The education secretary set out government plans for schools and tuition fees.",
        "Ministers defended their record on hospitals and health spending before the election.",
        "The prime minister defended his decision to send troops and called for more overseas aid.",
        "The opposition leader accused the government of breaking its promises.",
        "Peers in the upper house voted against the government's bill.",
    ),
    "business": (
        "Shares rose after the company reported higher quarterly profits.",
        "The central bank raised interest rates as inflation climbed.",
        "The firm agreed a takeover deal worth billions of dollars.",
        "Economic growth slowed and unemployment rose, figures showed.",
        "The drugmaker's shares fell after its new medicine failed in trials.",
        "Finance ministers agreed to cancel the debts of the poorest countries.",
        "The airline cut fares and the carmaker cut jobs as sales fell.",
        "The energy firm won a contract to build a pipeline and power plants.",
        "Pension funds and insurers face a shortfall, the regulator warned.",
        "The two countries signed a trade deal cutting tariffs on imports.",
    ),
    "technology": (
        "The tech company launched a new smartphone and mobile app.",
        "Hackers exploited a security flaw in the software.",
        "Video games, broadband, online services and digital music players.",
        "Artificial intelligence and new devices are changing how people use computers.",
        "The games console sold millions of units as gamers queued for the launch.",
        "Bloggers and websites are changing how people get their news online.",
        "High-definition TV and digital video recorders will change how we watch.",
        "The regulator ordered mobile operators to cut call charges.",
        "Spam emails and phishing scams target web users' bank details.",
        "Engineers built a robot and a new chip that make the machines faster.",
    ),
    "science": (
        "Scientists published a study in a journal describing the discovery.",
        "Astronomers observed a distant planet with a space telescope.",
        "Physicists measured the particle in an experiment at the laboratory.",
        "Fossils of a new dinosaur species were found by palaeontologists.",
    ),
    "health": (
        "Doctors warned of a rise in flu cases as hospitals filled up.",
        "A new drug trial showed the treatment reduced cancer deaths.",
        "Public health officials urged people to get vaccinated.",
        "Patients waited months for surgery as the health service struggled.",
    ),
    "sports": (
        "The striker scored twice as the team won the cup final.",
        "The tennis champion won the tournament in straight sets.",
        "The coach praised his players after the win in the league game.",
        "The athlete set a world record at the Olympic Games.",
        "The club's manager signed a new contract and the owner's takeover bid was rejected.",
        "The sprinter was banned for two years after failing a drugs test.",
        "The winger is out injured and hopes to return for the start of next season.",
    ),
    "entertainment": (
        "The movie topped the box office and its star won an award.",
        "The singer released a new album and announced a tour.",
        "The television series was nominated at the awards ceremony.",
        "The actor and the director spoke about the film at the festival.",
        "The pop star's court case and the band's legal battle made headlines.",
        "The comic book writer and the studio disputed the film's profits.",
        "The novelist won the literary prize and the play opened in the West End.",
    ),
    "lifestyle": (
        "The chef shares an easy recipe for a weeknight dinner.",
        "Ten quiet beaches to visit on your next holiday.",
        "How to make your small flat feel bigger with a few design tricks.",
        "This season's fashion trends, from bold coats to comfortable trainers.",
    ),
    "local": (
        "The city council voted on the zoning plan for the neighbourhood.",
        "The county approved the budget for road repairs and the library.",
        "Residents gathered at the community centre for the town meeting.",
        "A new bakery opened on Main Street, the owners told neighbours.",
    ),
    "crime": (
        "Police arrested a man after a woman was stabbed outside a bar.",
        "The jury found the defendant guilty of murder and he was jailed for life.",
        "Detectives appealed for witnesses after the armed robbery.",
        "Firefighters rescued two people from the burning house after the crash.",
    ),
    "weather": (
        "Forecasters warned of heavy rain and strong winds this weekend.",
        "The hurricane made landfall, bringing storm surges and flooding.",
        "Snow and ice closed roads as temperatures fell below freezing.",
        "A heatwave is expected to bring record temperatures on Tuesday.",
    ),
    "education": (
        "Teachers and pupils returned to school as the new term began.",
        "The university raised tuition fees and students protested.",
        "Exam results improved at the district's high schools this year.",
        "The school board debated changes to the curriculum.",
    ),
    "environment": (
        "Rising emissions are driving climate change, scientists warned.",
        "Conservationists are trying to save the endangered species from extinction.",
        "Plastic pollution and sewage are harming rivers and the sea.",
        "The country pledged to cut carbon emissions and expand renewable energy.",
    ),
}


def _words(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


# Strong single words per section for a light vote; counted in the title and the opening.
KEYWORDS: dict[str, frozenset[str]] = {
    "world": _words(
        "foreign embassy diplomat diplomats ceasefire refugees sanctions un nato troops "
        "invasion militants insurgents summit rebels regime exiled junta peacekeepers "
        "humanitarian occupation hostages nations pact accord envoy envoys bilateral"
    ),
    "politics": _words(
        "election elections minister ministers mps mp parliament parliamentary senate congress "
        "lawmakers party parties labour tory tories conservative conservatives democrats "
        "republicans vote voters campaign governor legislation bill opposition manifesto "
        "chancellor secretary shadow whitehall downing commons lords peers cabinet "
        "backbench backbenchers government liberal dems politicians political premier "
        "referendum constituency"
    ),
    "business": _words(
        "shares profits profit revenue revenues economy economic market markets investors bank "
        "banks inflation sales company firm firms stock stocks deal takeover earnings prices "
        "dollar euro currency exports imports trade gdp growth debt debts budget oil "
        "analysts shareholders chief executive ceo quarterly rates interest pension "
        "pensions airline airlines retailer retailers bid merger jobs unemployment tax"
    ),
    "technology": _words(
        "software computer computers internet online digital broadband mobile phones phone "
        "smartphone gadgets apps app gaming gamers hackers virus microsoft apple google "
        "technology tech users website websites web devices device console consoles "
        "download downloads net blog blogs bloggers email spam search wireless networks "
        "network chip chips pc pcs laptop ipod sony nintendo playstation xbox broadband "
        "telecoms hi-tech hardware robot robots robotics semiconductor semiconductors ai "
        "driverless autonomous"
    ),
    "science": _words(
        "scientists researchers study species planet astronomers telescope nasa fossil "
        "physics experiment scientific laboratory discovery universe spacecraft mars"
    ),
    "health": _words(
        "health patients hospital hospitals doctors disease vaccine cancer drug drugs "
        "nhs medical treatment infection nurses illness surgery clinic diagnosis symptoms"
    ),
    "sports": _words(
        "match team coach players player league cup championship tournament season win "
        "victory goal goals scored olympic athlete champion football rugby tennis cricket "
        "striker manager club clubs squad injury fixtures final semi quarter-final "
        "midfielder defender goalkeeper referee sprinter athletics medal international "
        "captain seed seeded test nations premiership boxing golf title"
    ),
    "entertainment": _words(
        "film films movie movies album albums singer band actor actress music festival oscar "
        "oscars awards award tv television star stars comedy show chart director songs song "
        "box office hollywood studio actors celebrity theatre musical nominated nominations "
        "rock pop rapper novel author books drama sitcom series episode bafta grammy"
    ),
    "lifestyle": _words(
        "recipe recipes cooking restaurant chef fashion travel holiday garden gardening "
        "wellbeing dating parenting"
    ),
    "local": _words("council county residents neighborhood neighbourhood mayor township district"),
    "crime": _words(
        "police arrested murder jailed sentenced robbery stabbing detectives suspect jury "
        "burglary manslaughter"
    ),
    "weather": _words(
        "forecast forecasters storm storms rain snow hurricane temperatures flooding meteorologists"
    ),
    "education": _words("school schools pupils teachers students university exam exams"),
    "environment": _words("climate emissions pollution wildlife conservation environmental carbon"),
}

KEYWORD_WEIGHT = 0.6  # how far a unanimous keyword vote can move the cosine scores
MIN_VOTES = 10  # below this many keyword hits the vote counts for proportionally less
SEED_WEIGHT = 0.3  # weight of the single closest prototype sentence, beside the mean
TITLE_REPEAT = 3  # a word in the headline counts as three in the body
KEYWORD_WORDS = 2000  # words read for the vote: a long article's whole text, at bounded cost
LOCAL_MARGIN = 0.05  # a local story goes to a topic only when the topic beats "local" by this
# Narrow desks take an article only when it is clearly about their subject: a story that is
# as much business or politics as it is about the weather belongs to the broader desk.
NARROW = frozenset({"lifestyle", "crime", "weather", "education", "environment"})
NARROW_MARGIN = 0.1
# Who acts beats what it is about: a minister's school plan is politics, a drugmaker's failed
# trial is business. A subject desk yields to the actors' desk with at least as many keywords.
SUBJECT_DESKS = NARROW | {"world", "science", "health"}
ACTOR_DESKS = ("politics", "business")
MIN_ACTOR_VOTES = 3
_WORD = re.compile(r"[a-z]+")


def section_for_hint(hint: str) -> str | None:
    """The section a publisher category or URL path word names ("Tech" -> technology), or None."""
    words = _WORD.findall(hint.lower().replace("white house", "whitehouse"))
    for word in words:
        if word in HINT_WORDS:
            return HINT_WORDS[word]
    return None


def prototype_texts(section: str) -> list[str]:
    """The sentences whose mean embedding stands for a section: its scope, then its seeds."""
    return [SECTION_INFO[section].scope, *SEEDS[section]]


@lru_cache(maxsize=1)
def load_seed_vectors() -> tuple[np.ndarray, np.ndarray]:
    """Every prototype sentence as a unit vector, and the SECTIONS index of its section."""
    owned = [(i, text) for i, name in enumerate(SECTIONS) for text in prototype_texts(name)]
    vectors = embed_texts([text for _, text in owned])  # unit length already
    return vectors, np.array([i for i, _ in owned])


@lru_cache(maxsize=1)
def load_prototypes() -> np.ndarray:
    """One unit vector per section (rows in SECTIONS order): the mean of its sentences."""
    vectors, owners = load_seed_vectors()
    matrix = np.stack([vectors[owners == i].mean(axis=0) for i in range(len(SECTIONS))])
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def nearest_seeds(embedding: np.ndarray) -> np.ndarray:
    """Per section, the cosine of the article with its closest prototype sentence."""
    vectors, owners = load_seed_vectors()
    cosines = vectors @ np.asarray(embedding, dtype=np.float32)
    best = np.full(len(SECTIONS), -1.0)
    np.maximum.at(best, owners, cosines)
    return best


def count_keywords(title: str, text: str) -> np.ndarray:
    """Section keywords among the words of the title (weighted) and text, per section."""
    words = _WORD.findall(title.lower()) * TITLE_REPEAT
    words += _WORD.findall(text.lower())[:KEYWORD_WORDS]
    return np.array(
        [sum(1 for word in words if word in KEYWORDS[name]) for name in SECTIONS], dtype=float
    )


def score_sections(counts: np.ndarray, embedding: np.ndarray) -> np.ndarray:
    """A score per section (SECTIONS order): prototype cosines plus the keyword vote.

    `counts` are the article's keyword counts per section (count_keywords).
    """
    vector = np.asarray(embedding, dtype=np.float32)
    vote = counts / max(counts.sum(), MIN_VOTES)
    cosine = load_prototypes() @ vector
    return cosine + SEED_WEIGHT * nearest_seeds(vector) + KEYWORD_WEIGHT * vote


def pick_topical(scores: dict[str, float]) -> str:
    """The best section but local: a narrow desk only when clearly ahead of the broad ones."""
    broad = max((s for s in SECTIONS if s not in NARROW and s != "local"), key=scores.__getitem__)
    narrow = max(NARROW, key=scores.__getitem__)
    return narrow if scores[narrow] >= scores[broad] + NARROW_MARGIN else broad


def yield_to_actors(section: str, counts: dict[str, float]) -> str:
    """A subject desk's story goes to politics or business when their vocabulary dominates."""
    if section not in SUBJECT_DESKS:
        return section
    actor = max(ACTOR_DESKS, key=counts.__getitem__)
    if counts[actor] >= MIN_ACTOR_VOTES and counts[actor] >= counts[section]:
        return actor
    return section


def classify_section(
    title: str, text: str, embedding: np.ndarray, hints: list[str], is_local: bool = False
) -> str:
    """The article's section: a publisher hint naming one wins, else the embedding classifier."""
    for hint in hints:
        section = section_for_hint(hint)
        if section is not None:
            return section
    found = count_keywords(title, text)
    scores = dict(zip(SECTIONS, score_sections(found, embedding), strict=True))
    counts = dict(zip(SECTIONS, found, strict=True))
    topical = yield_to_actors(pick_topical(scores), counts)
    if is_local and scores["local"] + LOCAL_MARGIN >= scores[topical]:
        return "local"
    return topical
