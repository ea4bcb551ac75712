"""Comment text: the Markdown subset renders, everything else stays text, links are safe."""

from __future__ import annotations

import lxml.html
import pytest

from broadsheet.community.text import (
    MAX_CHARS,
    CommentTextError,
    clean_comment_html,
    excerpt,
    render_comment,
)


def html_of(text: str) -> str:
    return render_comment(text)[1]


def test_the_subset_renders() -> None:
    html = html_of("*em* **strong** `code`\nnext line\n\n> quoted\n\n- one\n- two\n\n1. first")
    assert "<em>em</em>" in html and "<strong>strong</strong>" in html
    assert "<code>code</code>" in html and "<br>" in html
    assert "<blockquote>" in html and "<ul>" in html and "<ol>" in html


def test_links_are_http_only_with_our_rel() -> None:
    html = html_of("[a](https://example.org/x) <http://b.example> and https://c.example/y.")
    links = lxml.html.fromstring(html).xpath("//a")
    assert [a.get("href") for a in links] == [
        "https://example.org/x",
        "http://b.example",
        "https://c.example/y",  # the full stop stays text
    ]
    assert {a.get("rel") for a in links} == {"nofollow ugc noopener"}
    for text in ("[x](javascript:alert(1))", "[x](/relative)", "[x](ftp://a.b)", "[x](data:,x)"):
        assert "<a" not in html_of(text), text


def test_no_markup_beyond_the_subset() -> None:
    hostile = (
        "# Heading\n<script>alert(1)</script><img src=x onerror=alert(2)>"
        '<a href="javascript:alert(3)">x</a> ![img](https://x.example/p.png)\n\n| a | b |'
    )
    tree = lxml.html.fromstring(f"<div>{html_of(hostile)}</div>")
    assert not tree.xpath("//script | //img | //h1 | //table | //iframe")
    assert not [a for el in tree.iter() for a in el.attrib if a.startswith("on")]
    assert "<script>alert(1)</script>" in tree.text_content()  # shown, as text


def test_cleaning_again_keeps_only_the_subset() -> None:
    dirty = '<p onclick="x()">a<script>b</script><a href="javascript:y()">c</a><img src=x></p>'
    assert clean_comment_html(dirty) == '<p>a<a rel="nofollow ugc noopener">c</a></p>'


def test_bounds_and_normalising() -> None:
    with pytest.raises(CommentTextError, match="empty"):
        render_comment(" \n\t ")
    with pytest.raises(CommentTextError, match="5,001 characters"):
        render_comment("x" * (MAX_CHARS + 1))
    md, _ = render_comment("a\r\nb\u202etxt.exe\x00 ")
    assert md == "a\nbtxt.exe"  # Windows newlines, bidi overrides and NULs dropped
    assert render_comment("x" * MAX_CHARS)[0] == "x" * MAX_CHARS


def test_excerpt() -> None:
    assert excerpt("one\n\ntwo") == "one two"
    assert excerpt("word " * 100, 20) == "word word word word…"
