"""The images of an article body, with their captions."""

from __future__ import annotations

import re
from urllib.parse import urljoin

import lxml.html

from broadsheet.extract.canonical import base_url, parse_html
from broadsheet.models import Image

# Words that mark decoration, chrome or advertising rather than editorial pictures; the
# look-behind keeps "silicon" or "head-shot" from matching "icon" or "ad-".
_JUNK = re.compile(r"(?<![a-z])(logo|icons?|avatar|sprite|pixel|spacer|ads?[-_/]|advert)", re.I)
_LAZY_ATTRS = ("data-src", "data-lazy-src", "data-original", "data-url")
_CONTAINERS = ("//article", "//main", "//*[@role='main']", "//*[@itemprop='articleBody']")


def extract_images(html: str | lxml.html.HtmlElement, url: str, main_text: str = "") -> list[Image]:
    """Figures of the article body with captions; og:image as the lead image when none."""
    tree = parse_html(html)
    base = base_url(tree, url)
    images: list[Image] = []
    seen: set[str] = set()
    container = _find_container(tree, main_text)
    for figure in container.iter("figure") if container is not None else ():
        image = _figure_image(figure, base)
        if image is not None and image.url not in seen:
            seen.add(image.url)
            images.append(image)
    if not images:
        for content in tree.xpath("//meta[@property='og:image' or @name='og:image']/@content"):
            src = _absolute(content, base)
            if src and not _JUNK.search(src):
                images.append(Image(url=src, caption=_og_caption(tree)))
                break
    return images


def _find_container(tree: lxml.html.HtmlElement, main_text: str) -> lxml.html.HtmlElement | None:
    """The element holding the article body: <article>, <main>, else the text's parent."""
    for xpath in _CONTAINERS:
        found = [el for el in tree.xpath(xpath) if el.xpath(".//figure")]
        if found:
            # With several <article> (teasers), the one with the most text is the story.
            return max(found, key=lambda el: len(el.text_content()))
    probe = next((p.strip() for p in main_text.split("\n\n") if len(p.strip()) > 60), "")
    if probe:
        for paragraph in tree.iter("p"):
            if probe[:60] in " ".join(paragraph.text_content().split()):
                parent = paragraph.getparent()
                return (
                    parent.getparent()
                    if parent is not None and parent.getparent() is not None
                    else parent
                )
    return None


def _figure_image(figure: lxml.html.HtmlElement, base: str) -> Image | None:
    """The first editorial image of a <figure> and its caption, or None for junk."""
    if _is_junk(figure):
        return None
    for img in figure.iter("img"):
        if _is_junk(img) or _is_pixel(img):
            continue
        src = _absolute(_image_source(img), base)
        if src:
            captions = figure.xpath(".//figcaption")
            caption = _clean(captions[0].text_content()) if captions else ""
            return Image(url=src, caption=caption or _clean(img.get("alt", "")))
    return None


def _image_source(img: lxml.html.HtmlElement) -> str:
    """The real source of an image, looking past lazy-loading placeholders and srcset."""
    src = (img.get("src") or "").strip()
    if src and not src.startswith("data:"):
        return src
    for attr in _LAZY_ATTRS:
        if img.get(attr):
            return str(img.get(attr)).strip()
    srcset = img.get("srcset") or img.get("data-srcset") or ""
    candidates = [part.split()[0] for part in srcset.split(",") if part.strip()]
    return candidates[-1] if candidates else ""


def _is_junk(element: lxml.html.HtmlElement) -> bool:
    attrs = " ".join(element.get(name, "") for name in ("class", "id", "alt", "src"))
    return bool(_JUNK.search(attrs))


def _is_pixel(img: lxml.html.HtmlElement) -> bool:
    return img.get("width", "").strip() in ("0", "1") or img.get("height", "").strip() in ("0", "1")


def _absolute(src: str, base: str) -> str:
    src = src.strip()
    if not src or src.startswith("data:"):
        return ""
    absolute = urljoin(base, src)
    return absolute if absolute.startswith(("http://", "https://")) else ""


def _og_caption(tree: lxml.html.HtmlElement) -> str:
    alts = tree.xpath("//meta[@property='og:image:alt' or @name='twitter:image:alt']/@content")
    return _clean(alts[0]) if alts else ""


def _clean(text: str) -> str:
    return " ".join(text.split())
