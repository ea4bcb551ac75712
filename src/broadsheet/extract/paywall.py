"""Signs that a page shows a teaser or a paywall instead of the whole article."""

from __future__ import annotations

import re
from typing import Any

import lxml.html

from broadsheet.extract.dates import walk_for

# Phrases paywalls put where the story stops, in the languages Broadsheet serves.
_PAYWALL_TEXT = re.compile(
    r"subscribe to (?:continue|read)|(?:this|the) (?:article|story|content) is (?:only )?"
    r"(?:for|available to) (?:subscribers|members)|already a subscriber|to continue reading|"
    r"exclusive(?:ly)? for subscribers|subscriber[- ]only|"
    r"weiterlesen mit|nur für abonnenten|jetzt abonnieren|artikel ist exklusiv|"
    r"réservé aux abonnés|abonnez-vous pour lire|la suite est réservée|"
    r"exclusivo para suscriptores|suscríbete para (?:seguir leyendo|leer)|contenido exclusivo|"
    r"tylko dla (?:prenumeratorów|subskrybentów)|dostęp do (?:pełnej treści|artykułu)|"
    r"wykup (?:dostęp|subskrypcję)",
    re.IGNORECASE,
)
_PAYWALL_MARKUP = (
    "//*[contains(@class, 'paywall') or contains(@id, 'paywall')"
    " or contains(@class, 'subscriber-only') or contains(@class, 'premium-content')"
    " or contains(@class, 'article-locked') or @data-paywall]"
)
_TIER = "//meta[@property='article:content_tier' or @name='article:content_tier']/@content"
_TEASER_SHARE = 0.5  # a body under half of what the page itself announces is a teaser
_SHORT_TEXT = 1500  # marker phrases also appear under full stories; only short ones are walled


def is_paywalled(tree: lxml.html.HtmlElement, ld: list[Any], text: str, description: str) -> bool:
    """True when the page says, or shows, that the text is not the whole article."""
    if _declared_locked(tree, ld):
        return True
    if len(text) < len(description):
        return True
    if _promised_words(ld) * _TEASER_SHARE > len(text.split()):
        return True
    if len(text) >= _SHORT_TEXT:
        return False
    marked = bool(tree.xpath(_PAYWALL_MARKUP + "[1]"))
    return marked or bool(_PAYWALL_TEXT.search(text) or _PAYWALL_TEXT.search(_visible_text(tree)))


def _declared_locked(tree: lxml.html.HtmlElement, ld: list[Any]) -> bool:
    """schema.org isAccessibleForFree=false, or article:content_tier locked."""
    for value in walk_for(ld, "isAccessibleForFree"):
        if value is False or str(value).strip().lower() in ("false", "no", "0"):
            return True
    tiers = {str(tier).strip().lower() for tier in tree.xpath(_TIER)}
    return "locked" in tiers


def _promised_words(ld: list[Any]) -> int:
    """The article's length as its JSON-LD announces it (wordCount), or 0."""
    for value in walk_for(ld, "wordCount"):
        try:
            return int(str(value).strip())
        except ValueError:
            continue
    return 0


def _visible_text(tree: lxml.html.HtmlElement) -> str:
    body = tree.find("body")
    return " ".join(body.text_content().split())[:20000] if body is not None else ""
