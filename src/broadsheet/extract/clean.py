"""Paragraph cleaning of extracted text: code, repeated headlines, link teasers, chrome lines."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

import lxml.html

# Blocks whose text can come out of the extractor as one paragraph.
_MIN_LINK_CHARS = 4
_LINK_SHARE = 0.7  # a block whose text is mostly link text is a teaser for another page
_MIN_HEADLINE_WORDS = 5  # shorter link lines are names, sources or URLs the story cites
_URLISH = re.compile(r"https?://|www\.|@\w|\w@\w")
_CODE_START = re.compile(
    r"^\s*(?:[{\[]\s*[\"'{\[]|(?:var|let|const|function|window\.|document\.|if\s*\(|"
    r"\(function|googletag|dataLayer|!function)\b)"
)
# Section labels and widget chrome, in the languages Broadsheet serves; matched whole-line only
# (or as a "Label:" prefix of a line), so prose that merely uses these words is kept.
_LABELS = (
    r"comments?|\d+\s+comments?|leave a (?:comment|reply)|tell us what you think\W*|"
    r"related(?: (?:stories|articles|posts|content|coverage))?|more(?: on this| stories)?|"
    r"read (?:more|also|next)|see (?:more|also)|also (?:read|on [\w.]+)|don'?t miss|"
    r"you may also like|you might also like|recommended(?: for you)?|most read(?: in [\w ]+)?|"
    r"tags|filed under|share(?: this(?: (?:story|article))?)?|advertisement|sponsored|"
    r"kommentare?|mehr zum thema|lesen sie auch|auch interessant|weitere artikel|teilen|anzeige|"
    r"commentaires?|lire aussi|à lire aussi|sur le même sujet|partager|publicité|"
    r"comentarios?|lee también|leer más|te puede interesar|noticias relacionadas|compartir|"
    r"publicidad|komentarze|czytaj (?:także|też|więcej)|zobacz (?:też|także)|polecamy|"
    r"udostępnij|reklama"
)
_LABEL_LINE = re.compile(rf"^\W*(?:{_LABELS})\W*$", re.IGNORECASE)
_LABEL_PREFIX = re.compile(rf"^\W*(?:{_LABELS})\s*[:|]", re.IGNORECASE)
# Calls to follow, subscribe or share, which end many articles (only dropped at the very end).
_CALLS = re.compile(
    r"^(?:follow\b|subscribe (?:to|for|now)|sign up (?:for|to)|get the .{0,40}\binbox|"
    r"like this (?:story|article)|share (?:it|this) with|listen (?:to|live|here)|email \w+|"
    r"reach (?:the )?(?:reporter|writer|author)s?|more \w+ \w*:? *https?://|"
    r"folgen sie uns|abonnieren sie|suivez-nous|abonnez-vous|inscrivez-vous|síguenos|"
    r"suscríbete|obserwuj nas|zapisz się|subskrybuj)|\bmay be reached at\b",
    re.IGNORECASE,
)
# Wire and staff credits that close a story; bylines are kept apart from the text.
_CREDITS = re.compile(
    r"^\(?(?:additional )?(?:reporting|writing|editing) by\b|contributed (?:to )?(?:this )?"
    r"(?:report|reporting|story)\W*$|^(?:source|quelle|fuente|źródło)\s*:.{0,60}$|"
    r"^mit material von\b|^avec (?:afp|reuters|ap)\b|^con información de\b",
    re.IGNORECASE,
)
_CONTACT = re.compile(r"^(?:\S+@\S+\.\w+|(?:https?://)?(?:www\.)?\w+\.com/\w+/?)$")
# A line that is only a date or time, in the languages served (leading datelines are chrome).
_DATE_TEXT = (
    "jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june "
    "july august september october november december monday tuesday wednesday thursday friday "
    "saturday sunday am pm a.m. p.m. at on updated published gmt utc est edt pst pdt cet cest "
    "bst ist amt januar februar märz mai juni juli oktober dezember montag dienstag mittwoch "
    "donnerstag freitag samstag sonntag um uhr aktualisiert janvier février mars avril juin "
    "juillet août septembre octobre novembre décembre lundi mardi mercredi jeudi vendredi "
    "samedi dimanche le à mis jour publié enero febrero marzo abril mayo junio julio agosto "
    "septiembre octubre noviembre diciembre lunes martes miércoles jueves viernes sábado "
    "domingo de del a las actualizado publicado janeiro fevereiro março maio junho julho "
    "setembro outubro dezembro segunda-feira terça-feira quarta-feira quinta-feira sexta-feira "
    "às stycznia lutego marca kwietnia maja czerwca lipca sierpnia września października "
    "listopada grudnia poniedziałek wtorek środa czwartek piątek sobota niedziela godz"
)
_DATE_WORDS = frozenset(_DATE_TEXT.split())
_DATE_TOKEN = re.compile(r"[^\W\d_][\w.\-]*|\d")
_CLOCK = re.compile(r"\d|h\d*")
_READING_TIME = re.compile(
    r"^\W*(?:\d+\s*(?:min(?:ute)?s?\.?|minuten|minutos|minutes)\s*(?:read|de lecture|"
    r"de lectura|lesezeit|czytania)?|(?:reading time|lesezeit|temps de lecture|tiempo de "
    r"lectura|tempo de leitura|czas czytania)\W+.{0,20})\W*$",
    re.IGNORECASE,
)
_TAIL_WINDOW = 4  # closing calls to action are only looked for in the last lines
_MAX_DATELINE_CHARS = 80
_MIN_TITLE_CHARS = 10  # a shorter line inside the headline is a word, not the headline


def normalise(text: str) -> str:
    """Whitespace collapsed to single spaces."""
    return " ".join(text.split())


def link_texts(tree: lxml.html.HtmlElement) -> set[str]:
    """The texts of the page's links, long enough to tell a teaser from a word."""
    texts = (normalise(a.text_content()) for a in tree.iter("a"))
    return {text for text in texts if len(text) >= _MIN_LINK_CHARS}


def link_share(paragraph: str, links: set[str]) -> float:
    """How much of the paragraph is the text of links on the page (0 to 1)."""
    chars = sum(len(link) for link in links if link in paragraph)
    return min(1.0, chars / len(paragraph)) if paragraph else 0.0


def is_code(paragraph: str) -> bool:
    """True for inline JavaScript or a JSON blob that leaked into the text."""
    if _CODE_START.match(paragraph):
        return True
    if paragraph[:1] in "{[" and paragraph[-1:] in "}]":
        try:
            json.loads(paragraph)
        except ValueError:
            return paragraph.count('":') >= 2
        return True
    return False


def _is_title(paragraph: str, titles: Iterable[str]) -> bool:
    folded = paragraph.casefold()
    for title in titles:
        if folded == title or (len(folded) >= _MIN_TITLE_CHARS and folded in title):
            return True
    return False


def _is_link_teaser(paragraph: str, links: set[str]) -> bool:
    """A headline-like line that is mostly a link to another page."""
    if len(paragraph.split()) < _MIN_HEADLINE_WORDS or _URLISH.search(paragraph):
        return False
    return link_share(paragraph, links) >= _LINK_SHARE


def _is_label(paragraph: str, links: set[str]) -> bool:
    if _LABEL_LINE.match(paragraph) or _READING_TIME.match(paragraph):
        return True
    # "Read more: <linked headline>" is a teaser; "More: the council said..." is prose.
    return bool(_LABEL_PREFIX.match(paragraph)) and (
        len(paragraph) < 120 or link_share(paragraph, links) > 0
    )


def is_dateline(paragraph: str) -> bool:
    """True for a short line holding only a date or time ("Monday, 3 June 2025 at 10:30")."""
    if len(paragraph) > _MAX_DATELINE_CHARS or not any(c.isdigit() for c in paragraph):
        return False
    # "10h30" is a French time: its "h30" is part of the time, not a word.
    words = [w for w in _DATE_TOKEN.findall(paragraph.casefold()) if not _CLOCK.fullmatch(w)]
    return sum(w.strip(".") not in _DATE_WORDS and w not in _DATE_WORDS for w in words) == 0


def _captions(tree: lxml.html.HtmlElement) -> set[str]:
    """Figure captions and image alt texts; images carry them, the text should not repeat them."""
    found = {normalise(c.text_content()) for c in tree.iter("figcaption")}
    found |= {normalise(str(alt)) for alt in tree.xpath("//img/@alt")}
    return {caption for caption in found if caption}


def clean_paragraphs(
    paragraphs: list[str], tree: lxml.html.HtmlElement, titles: Iterable[str]
) -> list[str]:
    """The paragraphs without code, leading headlines, link teasers and chrome lines."""
    folded_titles = {normalise(title).casefold() for title in titles if title.strip()}
    links, captions = link_texts(tree), _captions(tree)
    kept: list[str] = []
    for index, paragraph in enumerate(paragraphs):
        if is_code(paragraph) or _is_label(paragraph, links) or _is_link_teaser(paragraph, links):
            continue
        if paragraph in captions and len(paragraphs) > 1:
            continue
        # Headline, kicker and dateline repeat above the body; they are shown apart.
        leading = index < 3 and not kept
        if leading and (_is_title(paragraph, folded_titles) or is_dateline(paragraph)):
            continue
        kept.append(paragraph)
    return _trim_tail(kept)


def _is_closing_chrome(paragraph: str) -> bool:
    return bool(_CALLS.search(paragraph) or _CREDITS.search(paragraph) or _CONTACT.match(paragraph))


def _trim_tail(paragraphs: list[str]) -> list[str]:
    """Drop the closing calls to follow or subscribe, credits and contact lines."""
    end = len(paragraphs)
    while (
        end > 1 and len(paragraphs) - end < _TAIL_WINDOW and _is_closing_chrome(paragraphs[end - 1])
    ):
        end -= 1
    return paragraphs[:end]


def cap_text(paragraphs: list[str], max_chars: int) -> list[str]:
    """As many whole paragraphs as fit in max_chars (a first giant one is cut at a space)."""
    kept: list[str] = []
    total = 0
    for paragraph in paragraphs:
        if total + len(paragraph) > max_chars:
            if not kept:
                kept.append(paragraph[:max_chars].rsplit(" ", 1)[0])
            break
        kept.append(paragraph)
        total += len(paragraph) + 2
    return kept
