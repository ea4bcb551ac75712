"""The Jinja environment of the pages: autoescaped templates with our filters registered."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import jinja2
import nh3
from markupsafe import Markup

from broadsheet.enrich.taxonomy import SECTION_INFO
from broadsheet.models import SECTIONS
from broadsheet.web import format as fmt
from broadsheet.web.imageproxy import ImageProxy

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"


def safe_href(url: str | None) -> str:
    """url when it is an http(s) address, else '' (a javascript: link must never reach a page)."""
    if not url or urlsplit(url).scheme not in ("http", "https"):
        return ""
    return url


def site_host(url: str | None) -> str:
    """The host of a site address, for link text: 'https://www.x.com/a' -> 'www.x.com'."""
    return urlsplit(url or "").netloc


def clean_html(html: str | None) -> Markup:
    """Comment HTML reduced to harmless tags, whatever the store holds (defence in depth)."""
    return Markup(nh3.clean(html or ""))


def initials(name: str | None) -> str:
    """Up to two capital letters for a logo placeholder, skipping a leading 'The'."""
    words = [w for w in (name or "").split() if w.lower() != "the"]
    return "".join(w[0].upper() for w in words[:2]) or "?"


def section_title(section: str | None) -> str:
    """The name readers see for a section: the taxonomy's ("Crime & Safety"), else formatted."""
    slug = (section or "").strip().lower()
    return SECTION_INFO[slug].name if slug in SECTION_INFO else fmt.section_name(section)


def _make_ago(now: Callable[[], datetime]) -> Callable[[object], str]:
    def ago(value: object) -> str:
        when = fmt.parse_datetime(value) if isinstance(value, str | datetime) else None
        return fmt.relative_time(when, now()) if when else ""

    return ago


def _exact(value: object) -> str:
    when = fmt.parse_datetime(value) if isinstance(value, str | datetime) else None
    return fmt.exact_time(when) if when else ""


def create_environment(
    proxy: ImageProxy,
    *,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    strict: bool = False,
) -> jinja2.Environment:
    """The template environment; strict=True makes a missing variable an error (for tests)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined if strict else jinja2.Undefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        proxied=proxy.proxy_url,
        ago=_make_ago(now),
        exact_time=_exact,
        rounded_count=fmt.rounded_count,
        section_name=section_title,
        kind_name=fmt.kind_name,
        channel_url=fmt.channel_url,
        safe_href=safe_href,
        site_host=site_host,
        clean_html=clean_html,
        initials=initials,
    )
    env.globals.update(
        sections=SECTIONS, link_hashtags=fmt.link_hashtags, search_url=fmt.search_url
    )
    return env
