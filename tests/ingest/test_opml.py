"""OPML subscription lists: reading what readers export, writing what they import."""

from __future__ import annotations

import contextlib
import time
import xml.etree.ElementTree as ET

import pytest

from broadsheet.ingest.opml import OpmlError, OpmlOutline, read_opml, write_opml

EXPORT = """<?xml version="1.0" encoding="ISO-8859-1"?>
<opml version="1.0">
  <head><title>My feeds</title></head>
  <body>
    <outline text="Local">
      <outline text="Lakeside Gazette" type="rss" xmlUrl="https://lake.example/feed"
               htmlUrl="https://lake.example/"/>
      <outline text="Weather">
        <outline title="Hill Times" xmlURL="https://hill.example/atom.xml"/>
      </outline>
    </outline>
    <outline type="rss" xmlurl="https://solo.example/rss"/>
    <outline text="Tagged" xmlUrl="https://tag.example/rss" category="/World/Europe,/Other"/>
    <outline text="A folder with no feeds"/>
    <outline text="Tom &amp; Jerry's" xmlUrl="https://cartoon.example/rss?a=1&amp;b=2"
             htmlUrl="javascript:alert(1)"/>
  </body>
</opml>"""


def test_read_opml_titles_urls_and_folders_as_categories() -> None:
    assert read_opml(EXPORT) == [
        OpmlOutline(
            "Lakeside Gazette", "https://lake.example/feed", "https://lake.example/", "Local"
        ),
        OpmlOutline("Hill Times", "https://hill.example/atom.xml", "", "Local / Weather"),
        OpmlOutline("https://solo.example/rss", "https://solo.example/rss", "", ""),
        OpmlOutline("Tagged", "https://tag.example/rss", "", "World / Europe"),
        OpmlOutline("Tom & Jerry's", "https://cartoon.example/rss?a=1&b=2", "", ""),
    ]


def test_round_trip_keeps_every_field_and_escapes_properly() -> None:
    outlines = [
        OpmlOutline('Quotes "and" <tags> & ampersands', "https://a.example/rss?x=1&y=<2>", "", ""),
        OpmlOutline("Café Zürich", "https://b.example/feed", "https://b.example/", "Europe"),
        OpmlOutline("Second in folder", "https://c.example/feed", "", "Europe"),
        OpmlOutline("Nested", "https://d.example/feed", "", "Local / Weather"),
    ]
    text = write_opml("Broadsheet <export> & more", outlines)
    assert read_opml(text) == outlines


def test_written_opml_is_valid_opml_2_for_other_readers() -> None:
    text = write_opml(
        "Mine", [OpmlOutline("A", "https://a.example/rss", "https://a.example/", "News")]
    )
    root = ET.fromstring(text.encode())  # a different XML parser than ours
    assert (root.tag, root.get("version")) == ("opml", "2.0")
    assert root.findtext("head/title") == "Mine"
    assert root.find("head/dateCreated") is not None
    [folder] = root.find("body")  # type: ignore[union-attr]
    assert folder.get("text") == "News"
    [feed] = folder
    assert feed.attrib == {
        "text": "A",
        "type": "rss",
        "title": "A",
        "xmlUrl": "https://a.example/rss",
        "htmlUrl": "https://a.example/",
    }


def test_characters_xml_cannot_carry_are_dropped_when_writing() -> None:
    text = write_opml("T\x00\x07", [OpmlOutline("Bell\x07 \ud800", "https://a.example/rss")])
    assert read_opml(text)[0].title == "Bell"


def test_long_titles_are_cut_and_long_urls_skipped() -> None:
    text = (
        f'<opml><body><outline text="{"t" * 5000}" xmlUrl="https://a.example/1"/>'
        f'<outline text="long" xmlUrl="https://a.example/{"x" * 2100}"/></body></opml>'
    )
    [outline] = read_opml(text)
    assert len(outline.title) <= 1001


def test_outline_count_is_bounded() -> None:
    body = "".join(f'<outline xmlUrl="https://a.example/{n}"/>' for n in range(20))
    assert len(read_opml(f"<opml><body>{body}</body></opml>", max_outlines=5)) == 5


def test_small_damage_is_tolerated() -> None:
    text = '<opml><body><outline text="A & B" xmlUrl="https://a.example/rss"/></body></opml>'
    assert [o.xml_url for o in read_opml(text)] == ["https://a.example/rss"]


def test_entity_bombs_and_external_entities_are_not_expanded() -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa">'
        + "".join(
            f'<!ENTITY {b} "{("&" + a + ";") * 10}">'
            for a, b in zip("abcdefgh", "bcdefghi", strict=True)
        )
        + '<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<opml><body><outline text="&i;&x;" xmlUrl="https://a.example/rss"/></body></opml>'
    )
    started = time.monotonic()
    try:
        outlines = read_opml(bomb)
    except OpmlError:
        outlines = []
    assert time.monotonic() - started < 5
    assert all("aaaaaaaaaa" not in o.title and "root:" not in o.title for o in outlines)


@pytest.mark.parametrize(
    "text", ["", "\x00\xff garbage", "<rss><channel/></rss>", "<html>hi</html>"]
)
def test_documents_that_are_not_opml_are_refused_clearly(text: str) -> None:
    with pytest.raises(OpmlError, match="not an OPML file"):
        read_opml(text)


def test_deep_nesting_is_bounded() -> None:
    text = "<opml><body>" + "<outline text='f'>" * 5000 + "</outline>" * 5000 + "</body></opml>"
    started = time.monotonic()
    with contextlib.suppress(OpmlError):
        read_opml(text)
    assert time.monotonic() - started < 5
