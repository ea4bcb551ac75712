"""The word lists screening reads: better-profanity's list (from its data file; we keep no
copy of its words here), less the ordinary words news discussion needs, with the mild ones
counted lightly; and the cues of insults, spam and link shorteners.

better-profanity's list is a general one: it holds "murder", "nazi", "gay", "virgin",
"strip" (the Gaza Strip), "enlargement" (NATO's), "wang" (a surname) and many more words a
news comment uses in earnest. ORDINARY takes them out; MILD marks rude but common words
(one "damn" is not abuse). Every other word of the list counts as abusive.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words of the list that news discussion uses in earnest: never counted.
ORDINARY = _words(
    """
    anus areole arian aryan asanchez bestial breasts cipa clitoris cowgirl cowgirls crotch
    dogging dong drunk enlargement erect erection erotic erotism extacy extasy facial fanny
    fat fingering flange fondle foobar foreskin gai ganja gay gays gigolo glans god gonad gonads
    guido hemp heroin herpes hitler hiv hoar homey homoerotic hooch hookah hooker hooter hooters
    hump humped humping hymen inbred incest jerked junkie junky kill kinky kinkyjesus kkk klan
    knob labia len lesbians lmao lmfao loin loins lust lusting lusty maxi menses menstruate
    menstruation meth molest murder naked napalm nazi nazism niggle nob nude nudes omg opiate
    opium oral orally organ ovary ovum ovums paddy pastie pasty pawn pcp pedophile pedophilia
    pedophiliac pee penetrate penetration penial penile penis perversion peyote phalli phallic
    pimp playboy pms pollock porn pornography pot potty prig prostitute prude pubic pubis punky
    puss queer queers quicky racy rape raped raper raping rapist raunch rectal rectum rectus
    reefer reich revue rum rump sadism sadist sandbar scantily scrotum seaman seamen seduce
    semen sex sexual slave sleaze sleazy slope smut smutty snatch sniper snuff sodom souse
    soused sperm spunk steamy stoned strip stripclub stroke tampon tawdry teat teste testee
    testes testical testicle testis thrust thug tinkle toke toots tramp transsexual trashy tush
    ugly undies unwed urinal urine uterus uzi vagina valium viagra virgin vixen vodka vomit
    voyeur vulgar vulva wad wang wazoo wedgie weed weenie weiner wench whiz willies willy womb
    woody xx yury
    """
)
# Phrases of the list that are ordinary ("Deep Throat" of Watergate, a strip club licence).
ORDINARY_PHRASES = frozenset({("deep", "throat"), ("strip", "club"), ("cow", "girl")})
ORDINARY_PHRASES |= {("cow", "girls")}
# Rude but common: counted lightly, and only several together weigh much.
MILD = _words(
    """
    arrse arse ass asses boner bimbo bimbos bullshit crap crappy damn dammit dopey doofus doosh
    douch3 douche douchebag douchebags douchey duche dumass dumbass dumbasses dummy fart floozy
    fubar god-dam god-damned godamn godamnit goddam goddammit goddamn goddamned gtfo he11
    hussy idiot idiotic idiots jackass jackhole jerk jerks moron morons nimrod ninny numbnuts
    piss piss-off pissed pisser pissers pisses pissin pissing pissoff poop screw screwed
    screwing scum shag sissy stfu stupid suck sucked sucking sucks terd tosser turd weirdo wtf
    """
)
MILD_PHRASES = frozenset({("bull", "shit")})
# Names that are words of the list: counted only when written in lower case.
NAME_WORDS = frozenset({"dick"})
# What an insult aimed at a person calls them ("you are an idiot").
INSULTS = (
    "idiots?|morons?|fools?|losers?|clowns?|imbeciles?|cretins?|scum|jerks?|trolls?|"
    "dumbass(?:es)?|jackass(?:es)?|dimwits?|halfwits?|nitwits?|numbskulls?|twits?|pigs?|"
    "sheep|hypocrites?|liars?|stupid|dumb|pathetic|worthless|disgusting|brain-?dead|"
    "brainless|ignorant|retarded|trash|garbage|filth|vermin|parasites?"
)
# Words of advertising and scams, each counted once.
SPAM_CUES = (
    "buy now|order now|click here|click the link|limited offer|special offer|act now|"
    "free trial|promo code|discount code|coupon|100% free|risk free|work from home|"
    "earn \\$?\\d+|make money|cash prize|you have won|claim your|whatsapp|telegram|"
    "dm me|crypto|bitcoin|forex|casino|betting tips|viagra|cialis|weight loss|"
    "cheap pills|followers|subscribe to my|check out my|visit my"
)
# Words too common to count as repeated.
STOPWORDS = "the a an and or of to in on at is it that this for with as be was are not but"
LINK_SHORTENERS = _words(
    """
    bit.ly tinyurl.com t.co goo.gl ow.ly is.gd buff.ly rebrand.ly cutt.ly shorturl.at
    tiny.cc rb.gy t.ly s.id v.gd
    """
)


@lru_cache(maxsize=1)
def abusive_words() -> tuple[frozenset[str], frozenset[tuple[str, ...]], tuple[str, ...]]:
    """(words, phrases, prefixes) of better-profanity's list that count as abusive."""
    raw = files("better_profanity").joinpath("profanity_wordlist.txt").read_text("utf-8")
    words: set[str] = set()
    phrases: set[tuple[str, ...]] = set()
    prefixes: set[str] = set()
    for line in raw.splitlines():
        entry = line.strip().lower()
        if not entry:
            continue
        if entry.endswith("*"):
            prefixes.add(entry.rstrip("*"))
        elif " " in entry:
            phrase = tuple(entry.split())
            if phrase not in ORDINARY_PHRASES and phrase not in MILD_PHRASES:
                phrases.add(phrase)
        elif entry not in ORDINARY and entry not in MILD:
            words.add(entry)
    return frozenset(words), frozenset(phrases), tuple(sorted(prefixes))
