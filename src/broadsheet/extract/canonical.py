"""The canonical URL of an article page, without tracking parameters or fragments."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit, urlunsplit

import lxml.html
from courlan import normalize_url

# Paths of listing pages; a story whose canonical points at one is mislabelled, not a copy.
_LISTING = re.compile(
    r"^/(?:tags?|category|categories|topics?|authors?|search|section|sections|archives?|"
    r"page|feed|rss)(?:/|$)",
    re.IGNORECASE,
)


def parse_html(html: str | lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """An lxml tree of the page (returned as is when already parsed); tolerates broken markup."""
    if isinstance(html, lxml.html.HtmlElement):
        return html
    # lxml refuses str input carrying an XML encoding declaration; strip it, the text is decoded.
    text = html.lstrip("\ufeff \t\r\n")
    if text.startswith("<?xml"):
        text = text[text.find("?>") + 2 :]
    try:
        return lxml.html.document_fromstring(text or "<html></html>")
    except lxml.etree.ParserError:
        return lxml.html.document_fromstring("<html></html>")


def base_url(tree: lxml.html.HtmlElement, url: str) -> str:
    """The URL relative links of the page resolve against (<base href> if present)."""
    for href in tree.xpath("//base/@href"):
        if href.strip():
            return urljoin(url, href.strip())
    return url


def strip_tracking(url: str) -> str:
    """The URL normalised by courlan, without tracking parameters (utm_*, fbclid...) or fragment."""
    try:
        normalised = normalize_url(url)
    except ValueError:
        normalised = url
    parts = urlsplit(normalised)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))


def canonical_url(html_tree_or_html: str | lxml.html.HtmlElement, url: str) -> str:
    """<link rel=canonical>, then og:url, else the page URL; absolute and without tracking."""
    tree = parse_html(html_tree_or_html)
    base = base_url(tree, url)
    candidates = [
        *tree.xpath(
            "//link[contains(concat(' ', normalize-space(@rel), ' '), ' canonical ')]/@href"
        ),
        *tree.xpath("//meta[@property='og:url' or @name='og:url']/@content"),
    ]
    for candidate in candidates:
        absolute = urljoin(base, candidate.strip())
        if _is_plausible(absolute, url):
            return strip_tracking(absolute)
    return strip_tracking(url)


def _is_plausible(candidate: str, url: str) -> bool:
    """Reject non-web canonicals and canonicals pointing at a home page or a listing page."""
    parts, page = urlsplit(candidate), urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return False
    pointing_home = parts.path in ("", "/") and not parts.query
    if pointing_home and page.path not in ("", "/"):
        return False
    # A story page claiming a tag, author or search page as its original is a template mistake.
    return not _LISTING.match(parts.path) or bool(_LISTING.match(page.path))
