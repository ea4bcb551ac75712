"""Multi-part bodies and threads: the parts after the block the extractor kept."""

from __future__ import annotations

import re

import lxml.html

from broadsheet.extract.clean import normalise

_TEXT_BLOCKS = ("p", "blockquote", "h2", "h3", "h4", "li", "pre")
_MAX_LEVELS = 4  # how far above a kept paragraph its part container may sit
_MIN_PROSE = 80  # a part must hold at least one sentence-sized paragraph
_MAX_LINK_SHARE = 0.3  # a run of sibling teasers is a link list, not a part of the story
# Containers of author boxes, share bars and teasers, which repeat the body's markup.
_CHROME = re.compile(
    r"author|bio|byline|related|share|social|newsletter|promo|comment|sidebar|footer|recommend|"
    r"more-|advert|sponsor",
    re.IGNORECASE,
)
_ROW_WORDS = frozenset({"odd", "even", "first", "last", "alt", "active"})


def missing_parts(tree: lxml.html.HtmlElement, paragraphs: list[str]) -> list[str]:
    """Paragraphs of the sibling parts (same tag and class) of the block the text came from."""
    anchor = _anchor(tree, paragraphs)
    if anchor is None:
        return []
    have = set(paragraphs)
    container: lxml.html.HtmlElement | None = anchor.getparent()
    for _ in range(_MAX_LEVELS):
        if container is None or container.tag in ("body", "html"):
            return []
        siblings = _same_kind_after(container)
        if siblings:
            found = [text for part in siblings for text in _part_text(part) if text not in have]
            if found:
                return found
        container = container.getparent()
    return []


def _anchor(tree: lxml.html.HtmlElement, paragraphs: list[str]) -> lxml.html.HtmlElement | None:
    """The page <p> holding the last sentence-sized paragraph of the text."""
    probes = [p for p in paragraphs if len(p) >= _MIN_PROSE]
    if not probes:
        return None
    probe = probes[-1]
    for element in tree.iter("p"):
        if normalise(element.text_content()) == probe:
            return element
    return None


def _kind(element: lxml.html.HtmlElement) -> tuple[str, frozenset[str]]:
    """Tag and class words, without numbered or alternating ones (post-12, odd, even)."""
    words = (element.get("class") or "").split()
    stable = frozenset(w for w in words if not any(c.isdigit() for c in w) and w not in _ROW_WORDS)
    return str(element.tag), stable


def _same_kind_after(element: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """Later siblings of the same tag and classes, when the element carries a class."""
    kind = _kind(element)
    if not kind[1]:
        return []
    return [s for s in element.itersiblings() if isinstance(s.tag, str) and _kind(s) == kind]


def _part_text(part: lxml.html.HtmlElement) -> list[str]:
    """The text blocks of one part, or nothing when it is a teaser or link list."""
    if _is_chrome(part):
        return []
    texts: list[str] = []
    total = 0
    for block in part.iter(*_TEXT_BLOCKS):
        # Only innermost blocks, so a <p> inside an <li> is not read twice.
        if next(block.iterdescendants(*_TEXT_BLOCKS), None) is not None or _inside_chrome(
            block, part
        ):
            continue
        text = normalise(block.text_content())
        link_chars = sum(len(normalise(a.text_content())) for a in block.iter("a"))
        total += len(text)
        if text and link_chars < 0.5 * len(text):
            texts.append(text)
    links = sum(len(normalise(a.text_content())) for a in part.iter("a"))
    if not any(len(text) >= _MIN_PROSE for text in texts) or links > _MAX_LINK_SHARE * total:
        return []
    return texts


def _is_chrome(element: lxml.html.HtmlElement) -> bool:
    return bool(_CHROME.search(f"{element.get('class', '')} {element.get('id', '')}"))


def _inside_chrome(block: lxml.html.HtmlElement, part: lxml.html.HtmlElement) -> bool:
    """True when a container between the block and its part is an author box, share bar..."""
    element = block
    while element is not None and element is not part:
        if _is_chrome(element):
            return True
        element = element.getparent()
    return False
