"""Finer labels (FOREIGN POLICY, U.S. POLITICS, STORMS ...): the phrases that signal each one
and the sections it may be given in (see taxonomy.py for how an article earns them)."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Label:
    """A finer label: the phrases that signal it and the sections it may be given in."""

    name: str
    pattern: re.Pattern[str]
    sections: frozenset[str]
    min_hits: int = 2


def _label(name: str, phrases: str, sections: str, min_hits: int = 2) -> Label:
    # Phrases are "|"-separated; lower-case ones match any case, others only as written
    # (so "AI" and "WHO" do not match "ai" or "who").
    parts = [p.strip() for p in phrases.split("|") if p.strip()]
    alternatives = [re.escape(p) if p != p.lower() else "(?i:" + re.escape(p) + ")" for p in parts]
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")
    return Label(name, pattern, frozenset(sections.split()), min_hits)


# Each label is listed under the section it belongs to most; ties in strength keep this order.
LABELS: tuple[Label, ...] = (
    # world
    _label(
        "FOREIGN POLICY",
        "diplomat|diplomats|diplomacy|diplomatic|embassy|ambassador|foreign minister|"
        "foreign ministry|secretary of state|summit|sanctions|treaty|bilateral|NATO|"
        "United Nations|ceasefire|state visit",
        "politics world",
    ),
    _label(
        "WAR & CONFLICT",
        "war|troops|soldiers|airstrike|airstrikes|shelling|offensive|militants|rebels|"
        "insurgents|insurgency|fighting|frontline|front line|invasion|civilians",
        "world politics",
        3,
    ),
    _label(
        "HUMAN RIGHTS",
        "human rights|Amnesty International|Human Rights Watch|torture|political prisoners|"
        "freedom of speech|crackdown|dissidents|persecution",
        "world politics",
    ),
    _label(
        "IMMIGRATION",
        "immigration|immigrants|migrants|migrant|asylum|asylum seekers|deportation|"
        "deported|border patrol|refugees|visas",
        "politics world local",
    ),
    _label(
        "PROTESTS",
        "protest|protests|protesters|protestors|demonstrators|demonstration|rally|marched",
        "local politics world",
    ),
    # politics
    _label(
        "U.S. POLITICS",
        "Congress|White House|Senate|House of Representatives|Republican|Republicans|"
        "Democrat|Democrats|GOP|Capitol Hill|senator|congressman|congresswoman|Speaker",
        "politics",
    ),
    _label(
        "U.K. POLITICS",
        "Westminster|Downing Street|MPs|House of Commons|Commons|House of Lords|Labour|Tory|"
        "Tories|Liberal Democrats|Lib Dems|Whitehall|shadow chancellor|Chancellor",
        "politics",
    ),
    _label(
        "ELECTIONS",
        "election|elections|ballot|ballots|voters|polling|polls|campaign|campaigning|"
        "primary|candidate|candidates|referendum|general election",
        "politics world local",
    ),
    _label(
        "TAXES",
        "tax|taxes|taxation|taxpayers|income tax|council tax|tax cuts|tax rise|VAT|"
        "property tax|sales tax",
        "politics business local lifestyle",
        3,
    ),
    _label(
        "COURTS",
        "court|courts|judge|judges|trial|jury|verdict|appeal|Supreme Court|High Court|"
        "lawsuit|prosecutors|prosecution|defendant|plea|ruling",
        "crime politics business local technology",
        3,
    ),
    # business
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
        "MERGERS & ACQUISITIONS",
        "takeover|takeovers|merger|mergers|acquisition|acquisitions|buyout|bid for|"
        "hostile bid|agreed to buy",
        "business technology",
    ),
    _label(
        "BANKING",
        "bank|banks|banking|banker|bankers|lender|lenders|loans|deposits|mortgage lender",
        "business",
        3,
    ),
    _label(
        "ENERGY",
        "oil|gas|crude|OPEC|barrel|barrels|electricity|power plant|power station|"
        "nuclear power|pipeline|refinery|solar power|wind farm|wind farms",
        "business environment world politics science",
        3,
    ),
    _label(
        "RETAIL",
        "retailer|retailers|shoppers|stores|high street|supermarket|supermarkets|"
        "department store|online shopping|sales",
        "business local lifestyle",
        3,
    ),
    _label(
        "AUTOS",
        "carmaker|carmakers|automaker|automakers|car sales|electric vehicle|"
        "electric vehicles|Toyota|General Motors|Volkswagen|Nissan|Tesla",
        "business technology",
    ),
    _label(
        "LABOR",
        "strike|strikes|union|unions|trade union|workers|wages|minimum wage|layoffs|"
        "job cuts|redundancies|pay rise",
        "business politics local education health",
        3,
    ),
    _label(
        "TRADE",
        "tariff|tariffs|exports|imports|trade deal|trade talks|WTO|World Trade Organization|"
        "free trade|trade war",
        "business politics world",
    ),
    _label(
        "AEROSPACE & DEFENSE",
        "missile|missiles|fighter jet|fighter jets|defense contractor|defence contractor|"
        "Pentagon|Ministry of Defence|warplanes|warship|Lockheed|Boeing|Airbus|"
        "drone strike|air force|rocket launch|military aircraft|arms deal",
        "world politics business technology science",
    ),
    # technology
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
        "PHONES & GADGETS",
        "smartphone|smartphones|iPhone|iPod|handset|handsets|mobile phone|mobile phones|"
        "gadget|gadgets|tablet|laptop|laptops|MP3 player|digital camera",
        "technology business",
    ),
    _label(
        "SOCIAL MEDIA",
        "Facebook|Twitter|Instagram|TikTok|YouTube|social media|social network|"
        "social networking|blog|blogs|bloggers|influencers",
        "technology business entertainment politics",
    ),
    _label(
        "TELECOM",
        "broadband|telecoms|telecom|telecommunications|5G|3G|wireless|Wi-Fi|wifi|"
        "mobile operator|network operator|fibre|fiber",
        "technology business",
    ),
    _label(
        "PRIVACY",
        "privacy|personal data|surveillance|data protection|GDPR|tracking|ID cards",
        "technology politics business",
    ),
    _label(
        "VIDEO GAMES",
        "video game|video games|games console|gaming|gamers|Xbox|PlayStation|Nintendo",
        "technology entertainment",
    ),
    # science
    _label(
        "SPACE",
        "NASA|astronaut|astronauts|spacecraft|telescope|orbit|Mars|the Moon|satellite",
        "science technology",
    ),
    _label(
        "GENETICS",
        "gene|genes|genetic|genetics|DNA|genome|stem cell|stem cells|cloning",
        "science health",
    ),
    _label(
        "ARCHAEOLOGY",
        "archaeologists|archaeological|archaeology|excavation|excavations|tomb|artefacts|"
        "artifacts|fossil|fossils|dinosaur|dinosaurs",
        "science",
    ),
    _label(
        "PHYSICS",
        "physics|physicists|particle|particles|quantum|CERN|Large Hadron Collider|laser",
        "science technology",
    ),
    # health
    _label(
        "PUBLIC HEALTH",
        "outbreak|vaccine|vaccines|vaccination|pandemic|epidemic|CDC|WHO|"
        "World Health Organization|public health|infections|flu|measles",
        "health world politics local science education",
    ),
    _label(
        "HEALTH CARE",
        "NHS|hospital|hospitals|health insurance|Medicare|Medicaid|nurses|waiting lists|"
        "GP|GPs|Obamacare|Affordable Care Act|health service",
        "health politics local business",
        3,
    ),
    _label(
        "MEDICAL RESEARCH",
        "clinical trial|clinical trials|drug trial|researchers|new drug|treatment|"
        "treatments|FDA|medical journal|The Lancet",
        "health science",
        3,
    ),
    _label(
        "MENTAL HEALTH",
        "mental health|depression|anxiety|suicide|therapy|psychiatric|loneliness|"
        "wellbeing|well-being",
        "health lifestyle education",
    ),
    # environment and weather
    _label(
        "CLIMATE",
        "climate change|global warming|emissions|carbon|greenhouse|heatwave|renewable|"
        "fossil fuels|net zero|climate",
        "world politics business science health local technology environment weather",
        3,
    ),
    _label(
        "CONSERVATION",
        "wildlife|endangered|species|conservation|habitat|habitats|national park|extinction|"
        "biodiversity|poaching|conservationists",
        "environment science local",
    ),
    _label(
        "POLLUTION",
        "pollution|polluted|air quality|smog|plastic waste|plastics|sewage|toxic|"
        "contamination|contaminated",
        "environment health local",
    ),
    _label(
        "STORMS",
        "storm|storms|hurricane|hurricanes|typhoon|cyclone|tornado|tornadoes|thunderstorm|"
        "thunderstorms|gale|gales|high winds",
        "weather local environment",
    ),
    _label(
        "FLOODING",
        "flood|floods|flooding|flooded|flash flood|flash floods|heavy rain|rainfall|river levels",
        "weather local environment",
    ),
    _label(
        "WILDFIRES",
        "wildfire|wildfires|bushfire|bushfires|forest fire|forest fires|brush fire|"
        "evacuation order|evacuation orders",
        "weather environment local crime",
    ),
    _label(
        "HEAT & DROUGHT",
        "heatwave|heat wave|heat advisory|record temperatures|scorching|drought|droughts|"
        "hosepipe ban",
        "weather environment health local",
    ),
    _label(
        "WINTER WEATHER",
        "snow|snowfall|blizzard|blizzards|ice|icy|freezing|frost|sleet|winter storm",
        "weather local",
    ),
    # crime and safety
    _label(
        "CRIME",
        "police|arrested|murder|shooting|charged|suspect|convicted|robbery|homicide|"
        "stabbing|detectives|sentenced|burglary",
        "local politics world business technology education sports entertainment",
        3,
    ),
    _label(
        "GUN VIOLENCE",
        "shooting|shootings|gunman|gunmen|gunfire|shot dead|firearm|firearms|gun|guns|"
        "mass shooting",
        "crime local politics education",
    ),
    _label(
        "TERRORISM",
        "terrorism|terrorist|terrorists|terror attack|terror|bombing|suicide bomber|"
        "extremists|extremist|jihadist|jihadists",
        "crime world politics",
    ),
    _label(
        "FRAUD",
        "fraud|fraudulent|scam|scams|scammers|embezzlement|money laundering|bribery|"
        "corruption|insider trading|Ponzi",
        "crime business politics technology",
    ),
    _label(
        "FIRES & ACCIDENTS",
        "fire|blaze|firefighters|fire crews|crash|collision|injured|accident|rescue|"
        "rescued|paramedics|ambulance",
        "crime local weather",
        3,
    ),
    _label(
        "TRANSPORTATION",
        "traffic|highway|motorway|transit|railway|rail|train|trains|airline|airlines|"
        "airport|bus|buses|subway|commuters",
        "local politics business world technology crime weather environment",
        3,
    ),
    # education
    _label(
        "EDUCATION",
        "school|schools|students|pupils|teachers|university|universities|college|"
        "school board|curriculum|tuition|exam|exams",
        "local politics health science technology",
        3,
    ),
    _label(
        "SCHOOLS",
        "school|schools|pupils|teachers|classroom|classrooms|headteacher|head teacher|"
        "principal|curriculum|school board|kindergarten|primary school|high school",
        "education",
    ),
    _label(
        "HIGHER EDUCATION",
        "university|universities|college|colleges|tuition|tuition fees|student loans|"
        "campus|undergraduates|graduates|professors|professor",
        "education politics",
    ),
    # lifestyle
    _label(
        "FOOD & DRINK",
        "restaurant|restaurants|chef|chefs|recipe|recipes|cooking|wine|beer|menu|dishes|"
        "cuisine|baking",
        "lifestyle local entertainment business",
    ),
    _label(
        "TRAVEL",
        "travel|travellers|travelers|tourists|tourism|holiday|holidays|vacation|hotel|"
        "hotels|resort|destination|cruise",
        "lifestyle business local",
        3,
    ),
    _label(
        "FASHION",
        "fashion|designer|designers|catwalk|runway|clothing|couture|fashion week|"
        "collection|wardrobe",
        "lifestyle entertainment business",
    ),
    _label(
        "HOME & GARDEN",
        "garden|gardens|gardening|gardeners|home improvement|interior design|renovation|"
        "decor|houseplants|DIY",
        "lifestyle local",
    ),
    _label(
        "FAMILY & RELATIONSHIPS",
        "parents|parenting|toddler|toddlers|marriage|wedding|dating|relationship|"
        "relationships|divorce|grandparents",
        "lifestyle health education",
        3,
    ),
    _label(
        "WELLNESS",
        "fitness|exercise|workout|workouts|diet|diets|sleep|yoga|meditation|nutrition",
        "lifestyle health",
    ),
    _label(
        "PERSONAL FINANCE",
        "savings|savers|pension|pensions|retirement|credit card|credit cards|budgeting|"
        "household debt|mortgage|mortgages",
        "lifestyle business",
    ),
    # entertainment
    _label(
        "ARTS",
        "museum|gallery|theatre|theater|exhibition|opera|ballet|painting|sculpture",
        "entertainment local lifestyle",
    ),
    _label("MOVIES", "film|films|movie|movies|box office|Oscar|Oscars|cinema", "entertainment"),
    _label("MUSIC", "album|albums|singer|band|concert|tour|chart|songs|rapper", "entertainment"),
    _label("TELEVISION", "TV|television|series|episode|sitcom|BBC One|drama", "entertainment"),
    _label(
        "BOOKS",
        "novel|novels|novelist|author|authors|book|books|bestseller|Booker|literary|poetry",
        "entertainment lifestyle",
    ),
    _label(
        "AWARDS",
        "award|awards|nominated|nomination|nominations|Oscar|Oscars|Grammy|Grammys|Bafta|"
        "Baftas|Emmy|Emmys|Golden Globe|Golden Globes|ceremony",
        "entertainment",
        3,
    ),
    _label(
        "CELEBRITY",
        "celebrity|celebrities|red carpet|paparazzi|tabloid|tabloids|superstar|heartthrob",
        "entertainment lifestyle",
    ),
    # sports
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
    _label("CYCLING", "cycling|cyclist|cyclists|Tour de France|peloton", "sports", 1),
    _label("FORMULA 1", "Formula One|Formula 1|F1|Grand Prix", "sports"),
    _label("BOXING", "boxing|boxer|heavyweight|knockout", "sports"),
)
