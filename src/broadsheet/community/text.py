"""Comment text: a small Markdown subset in, sanitised HTML out.

Readers write paragraphs (a single newline is a line break), *emphasis*, **strong**,
`inline code`, links ([text](https://...), <https://...> or a bare https:// address),
> block quotes and lists. Nothing else is markup: no headings, images, tables or raw HTML
(a typed tag shows as text). Links are http or https only and carry
rel="nofollow ugc noopener". markdown-it renders, then nh3 (ammonia) keeps only those tags,
so a renderer bug still cannot let script through; pages clean the stored HTML once more
on the way out (clean_html).
"""

from __future__ import annotations

import re
import unicodedata

import lxml.html
import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

MAX_CHARS = 5000
POST_MAX_CHARS = 20_000  # a contributor's post: the same subset, longer (render_post)
ALLOWED_TAGS = frozenset({"p", "br", "em", "strong", "code", "a", "blockquote", "ul", "ol", "li"})
LINK_REL = "nofollow ugc noopener"
SCHEMES = ("http://", "https://")
# A bare address in the text becomes a link; trailing punctuation stays text.
BARE_URL = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
TRAILING = ".,;:!?)]}*_"
# C0 and C1 controls (but newline and tab) and bidirectional overrides, which can make a
# comment read differently from what it holds.
INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class CommentTextError(ValueError):
    """A comment text that cannot be posted: empty, or longer than MAX_CHARS."""


def normal_text(raw: str) -> str:
    """The text as stored: NFC, Unix newlines, no control or bidi-override characters."""
    text = unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n"))
    return INVISIBLE.sub("", text).strip()


def check_text(raw: str, limit: int = MAX_CHARS, what: str = "comment") -> str:
    """The normal text, or CommentTextError saying what to change."""
    text = normal_text(raw)
    if not text:
        raise CommentTextError(f"The {what} is empty: write something first.")
    if len(text) > limit:
        raise CommentTextError(
            f"The {what} is {len(text):,} characters long; the limit is {limit:,}. "
            "Shorten it and send it again."
        )
    return text


def render_comment(raw: str) -> tuple[str, str]:
    """(the stored Markdown, its sanitised HTML), or CommentTextError."""
    text = check_text(raw)
    return text, clean_comment_html(_MARKDOWN.render(text))


def render_post(raw: str) -> tuple[str, str]:
    """A contributor's post body: (the stored Markdown, its sanitised HTML), as a comment's
    but up to POST_MAX_CHARS; or CommentTextError."""
    text = check_text(raw, POST_MAX_CHARS, "post")
    return text, clean_comment_html(_MARKDOWN.render(text))


def plain_paragraphs(html: str) -> list[str]:
    """The sanitised HTML's text, one paragraph, list item or quoted paragraph per entry (what
    the models read, search indexes and the article page prints)."""
    root = lxml.html.fragment_fromstring(html or "<p></p>", create_parent="div")
    found: list[str] = []
    for block in root.iter("p", "li"):
        bullet = "• " if "li" in (block.tag, block.getparent().tag) else ""
        for line in _own_text(block).split("\n"):
            if line.strip():
                found.append(bullet + " ".join(line.split()))
    return found


_BLOCKS = frozenset({"p", "li", "ul", "ol", "blockquote"})


def _own_text(element: lxml.html.HtmlElement) -> str:
    """The element's text without that of the blocks inside it (they are paragraphs too)."""
    parts = [element.text or ""]
    for child in element:
        if child.tag in _BLOCKS or child.tag == "br":
            parts.append("\n")
        else:
            parts.append(child.text_content())
        parts.append(child.tail or "")
    return "".join(parts)


def clean_comment_html(html: str) -> str:
    """HTML reduced to the comment tags, links http(s) only with our rel."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={"a": {"href"}},
        link_rel=LINK_REL,
        url_schemes={"http", "https"},
        url_relative="deny",
        strip_comments=True,
    )


def excerpt(text: str, limit: int = 200) -> str:
    """The first `limit` characters of a comment's text, on one line."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def _is_web_link(url: str) -> bool:
    return url.strip().lower().startswith(SCHEMES)


def _bare_links(state: StateCore) -> None:
    """Make bare http(s) addresses in text into links (outside existing links and code)."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        inside = 0
        for token in block.children:
            inside += 1 if token.type == "link_open" else -1 if token.type == "link_close" else 0
            if token.type == "text" and not inside and BARE_URL.search(token.content):
                children.extend(_split_links(state, token))
            else:
                children.append(token)
        block.children = children


def _split_links(state: StateCore, token: Token) -> list[Token]:
    out: list[Token] = []
    text, start = token.content, 0
    for match in BARE_URL.finditer(text):
        url = match.group().rstrip(TRAILING)
        href = state.md.normalizeLink(url)
        if not state.md.validateLink(href):
            continue
        out.append(_text(text[start : match.start()]))
        link = Token("link_open", "a", 1)
        link.attrs = {"href": href}
        out += [link, _text(url), Token("link_close", "a", -1)]
        start = match.start() + len(url)
    out.append(_text(text[start:]))
    return [t for t in out if t.type != "text" or t.content]


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _make_markdown() -> MarkdownIt:
    md = MarkdownIt("zero", {"breaks": True, "html": False, "maxNesting": 20})
    md.enable(["emphasis", "backticks", "link", "autolink", "blockquote", "list"])
    md.enable(["newline", "escape", "entity"])
    md.validateLink = _is_web_link  # type: ignore[method-assign]
    md.core.ruler.after("inline", "bare_links", _bare_links)
    return md


_MARKDOWN = _make_markdown()
