"""The canonical URL of an article page, without tracking parameters or fragments."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import lxml.html

_TRACKING_PARAMS = frozenset({"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid"})


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
    """The URL without utm_* / click-id query parameters and without its fragment."""
    parts = urlsplit(url)
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not key.lower().startswith("utm_") and key.lower() not in _TRACKING_PARAMS
    ]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


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
    """Reject non-web canonicals and the common mistake of pointing every page at the home page."""
    parts = urlsplit(candidate)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return False
    pointing_home = parts.path in ("", "/") and not parts.query
    return not pointing_home or urlsplit(url).path in ("", "/")
