"""OPML subscription lists: read the feeds a reader exported, write ours for other readers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime

import lxml.etree

from broadsheet.ingest.entries import MAX_TITLE_CHARS, FeedError, absolute_url, clean_text
from broadsheet.ingest.urls import MAX_URL_LENGTH

MAX_OUTLINES = 10_000  # a subscription list longer than this is not one person's reading
_CATEGORY_SEPARATOR = " / "
# Characters XML 1.0 cannot carry at all, even escaped; writing them would make invalid OPML.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class OpmlError(FeedError):
    """A document could not be read as OPML."""


@dataclass
class OpmlOutline:
    """One subscription: its title, feed URL, site URL and category ("" when none)."""

    title: str
    xml_url: str
    html_url: str = ""
    category: str = ""


def read_opml(text: str, max_outlines: int = MAX_OUTLINES) -> list[OpmlOutline]:
    """The feed subscriptions of an OPML document; folders (nested outlines) become categories."""
    # xml_url is returned as written, for the caller to validate (urls.validate_source_url) and
    # report; html_url is shown to readers, so only an absolute http(s) one is kept.
    body = _parse(text).find("body")
    if body is None:
        return []
    found: list[OpmlOutline] = []
    for outline in body.iter("outline"):
        xml_url = _attr(outline, "xmlurl")
        if not xml_url or len(xml_url) > MAX_URL_LENGTH:
            continue
        html_url, _ = absolute_url(_attr(outline, "htmlurl"), "")
        found.append(
            OpmlOutline(
                title=clean_text(_title(outline) or xml_url, MAX_TITLE_CHARS),
                xml_url=xml_url,
                html_url=html_url,
                category=_category(outline),
            )
        )
        if len(found) >= max_outlines:
            break
    return found


def write_opml(title: str, outlines: list[OpmlOutline]) -> str:
    """An OPML 2.0 document of the outlines, one folder outline per category."""
    root = lxml.etree.Element("opml", version="2.0")
    head = lxml.etree.SubElement(root, "head")
    lxml.etree.SubElement(head, "title").text = _xml_safe(title)
    created = format_datetime(datetime.now(UTC), usegmt=True)
    lxml.etree.SubElement(head, "dateCreated").text = created
    body = lxml.etree.SubElement(root, "body")
    folders: dict[str, lxml.etree._Element] = {}
    for item in outlines:
        parent = body
        if item.category:
            if item.category not in folders:
                folders[item.category] = _outline(body, item.category)
            parent = folders[item.category]
        _outline(parent, item.title or item.xml_url, item.xml_url, item.html_url)
    xml = lxml.etree.tostring(root, encoding="unicode", pretty_print=True)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + xml


def _parse(text: str) -> lxml.etree._Element:
    """The <opml> root, parsed without entities, DTDs or network; small damage tolerated."""
    parser = lxml.etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        recover=True,  # exported lists often carry a bare '&' in a title
    )
    data = re.sub(r"^\s*<\?xml[^>]*\?>", "", text.lstrip("\ufeff"), count=1).encode("utf-8")
    try:
        root = lxml.etree.fromstring(data, parser)
    except lxml.etree.XMLSyntaxError as exc:
        raise OpmlError(f"opml: not an OPML file: unreadable XML ({exc})") from None
    if root is None or not isinstance(root.tag, str) or root.tag.lower() != "opml":
        raise OpmlError(
            "opml: not an OPML file: expected an <opml> document "
            "(export the subscription list from your reader as OPML)"
        )
    return root


def _attr(outline: lxml.etree._Element, name: str) -> str:
    """An attribute by case-insensitive name (writers spell xmlUrl several ways), stripped."""
    for key, value in outline.attrib.items():
        if str(key).lower() == name:
            return str(value).strip()
    return ""


def _title(outline: lxml.etree._Element) -> str:
    return _attr(outline, "text") or _attr(outline, "title")


def _category(outline: lxml.etree._Element) -> str:
    """The folders an outline sits in, outermost first, else its own category attribute."""
    folders = [
        _title(parent)
        for parent in outline.iterancestors("outline")
        if not _attr(parent, "xmlurl") and _title(parent)
    ]
    if folders:
        return clean_text(_CATEGORY_SEPARATOR.join(reversed(folders)), MAX_TITLE_CHARS)
    # OPML 2.0: a comma-separated list of slash-delimited paths; the first path is enough.
    first = _attr(outline, "category").split(",")[0].strip().strip("/")
    return clean_text(first.replace("/", _CATEGORY_SEPARATOR), MAX_TITLE_CHARS)


def _outline(
    parent: lxml.etree._Element, text: str, xml_url: str = "", html_url: str = ""
) -> lxml.etree._Element:
    """An <outline> child: a folder when no xml_url is given, else an RSS subscription."""
    outline = lxml.etree.SubElement(parent, "outline", text=_xml_safe(text))
    if xml_url:
        outline.set("type", "rss")
        outline.set("title", _xml_safe(text))
        outline.set("xmlUrl", _xml_safe(xml_url))
        if html_url:
            outline.set("htmlUrl", _xml_safe(html_url))
    return outline


def _xml_safe(text: str) -> str:
    return _XML_ILLEGAL.sub("", str(text))
