"""Language of an article text, guessed from the frequency of common function words."""

from __future__ import annotations

import re

# Function words that are frequent in one language and rare in the others; words shared by
# several of these languages ("de", "la", "en", "a", "in", "die") are left out on purpose.
_WORDS = {
    "en": (
        "the and of to is that was for with are this have from by not but they his her "
        "which were been has their will would there what when who said an at it"
    ),
    "es": (
        "el los las del y que por con una para es su al lo como más pero sus le ya o fue "
        "este ha muy también entre cuando sin sobre ser tiene hay donde desde está"
    ),
    "fr": (
        "le les des du et est une dans pour qui pas sur au avec sont ce il elle ont mais "
        "été aux cette ces leur nous vous était fait plus comme où être"
    ),
    "de": (
        "der und das ist den nicht von zu mit sich auf für dem ein eine auch es an als "
        "nach wird bei sie einer um noch wie über hat oder aus werden wurde sind"
    ),
    "it": (
        "il di che e è per una sono del della non con gli le si al nel alla dei anche "
        "come più ma questo ha delle sul tra stato essere nella ci"
    ),
    "pt": (
        "o os do da das dos e que não uma para com em no na por mais ao se como mas foi "
        "ele ela também pelo pela são está isso seu sua já há nos"
    ),
    "nl": (
        "het een van en is dat op te zijn niet met voor ook aan er maar om werd bij nog "
        "wordt dit deze naar hij zij uit wel worden heeft hebben door kan"
    ),
}
_STOPWORDS = {lang: frozenset(words.split()) for lang, words in _WORDS.items()}
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_MIN_HITS = 5  # fewer function words than this is too little evidence to name a language
_MIN_LEAD = 1.3  # the winner must beat the runner-up by this factor


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language (en, es, fr, de, it, pt, nl), or "und" if unsure."""
    words = [w.lower() for w in _WORD.findall(text[:20_000])]
    scores = {lang: sum(1 for w in words if w in stops) for lang, stops in _STOPWORDS.items()}
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    (best, best_hits), (_, second_hits) = ranked[0], ranked[1]
    if best_hits < _MIN_HITS or best_hits < _MIN_LEAD * second_hits:
        return "und"
    # Text in a language we don't know still shares a few short words with ours by chance.
    if best_hits < 0.08 * len(words):
        return "und"
    return best
