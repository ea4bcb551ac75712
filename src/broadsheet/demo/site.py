"""HTML pages of the sample publishers: ordinary news-site markup around each article."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from broadsheet.demo.catalog import SECTIONS, Catalog, DemoArticle
from broadsheet.demo.feeds import feed_content_type

RELATED_LIMIT = 4

# Reader comments on the sample pages; extractors must leave them out of the article text.
_COMMENT_POOL = (
    (
        "Dorothy Vance",
        "Good to finally see this reported properly. My neighbours have been "
        "talking about it for months.",
    ),
    ("Raj Pemberton", "I'd like to know who is paying for all of this before anyone signs."),
    ("Lucia Fairbanks", "Thorough piece. The timeline near the end was especially helpful."),
    ("Tomasz Whitlow", "Same story every year, different headline. I'll believe it when I see it."),
    ("Greta Olumide", "Sharing this with my book club, we were just arguing about it."),
    ("Henri Castellane", "A balanced account, though I wish you had spoken to more residents."),
    ("Ama Kettering", "Does anyone know if there is a public meeting about this?"),
    ("Walt Brennigan", "Subscribed for stories like this one. Keep it up."),
)


@dataclass(frozen=True)
class SiteUrls:
    """Absolute URLs of every page and file the demo server serves."""

    base_url: str

    def root(self) -> str:
        """The home page listing all publishers."""
        return f"{self.base_url}/"

    def home(self, publisher_id: str) -> str:
        """A publisher's front page."""
        return f"{self.base_url}/{publisher_id}/"

    def section(self, publisher_id: str, section: str) -> str:
        """A publisher's section index."""
        return f"{self.base_url}/{publisher_id}/section/{section}/"

    def feed(self, publisher_id: str) -> str:
        """A publisher's RSS or Atom feed."""
        return f"{self.base_url}/{publisher_id}/feed.xml"

    def logo(self, publisher_id: str) -> str:
        """A publisher's logo."""
        return f"{self.base_url}/{publisher_id}/logo.png"

    def article(self, article: DemoArticle) -> str:
        """An article page."""
        return f"{self.base_url}/{article.publisher}/{article.slug}.html"

    def image(self, article: DemoArticle) -> str:
        """An article's lead image."""
        return f"{self.base_url}/{article.publisher}/images/{article.slug}.png"


def make_environment() -> Environment:
    """The Jinja2 environment for the demo templates (autoescaped)."""
    return Environment(
        loader=PackageLoader("broadsheet.demo", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def pick_comments(article: DemoArticle) -> list[dict[str, str]]:
    """Two or three fictional reader comments, the same ones every time for this article."""
    seed = hashlib.sha256(article.slug.encode("utf-8")).digest()
    count = 2 + seed[0] % 2
    start = seed[1] % len(_COMMENT_POOL)
    picked = [_COMMENT_POOL[(start + i * 3) % len(_COMMENT_POOL)] for i in range(count)]
    return [
        {"name": name, "text": text, "when": f"{1 + (seed[2 + i] % 9)} hours ago"}
        for i, (name, text) in enumerate(picked)
    ]


def pick_related(catalog: Catalog, article: DemoArticle) -> list[DemoArticle]:
    """Other stories of the same publisher, same section first, newest first."""
    others = [a for a in catalog.articles_of(article.publisher) if a.slug != article.slug]
    others.sort(key=lambda a: a.section != article.section)
    return others[:RELATED_LIMIT]


def build_json_ld(article: DemoArticle, urls: SiteUrls, publisher_name: str) -> Markup:
    """The NewsArticle JSON-LD block, safe to put inside a script element."""
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.summary,
        "datePublished": article.published.isoformat(),
        "dateModified": article.published.isoformat(),
        "articleSection": article.section,
        "author": {"@type": "Person", "name": article.author},
        "publisher": {
            "@type": "Organization",
            "name": publisher_name,
            "logo": {"@type": "ImageObject", "url": urls.logo(article.publisher)},
        },
        "image": [urls.image(article)],
        "mainEntityOfPage": urls.article(article),
        "url": urls.article(article),
    }
    text = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return Markup(text)


class DemoSite:
    """Renders the home page, publisher fronts and article pages for one base URL."""

    def __init__(self, catalog: Catalog, base_url: str) -> None:
        self.catalog = catalog
        self.urls = SiteUrls(base_url.rstrip("/"))
        self._env = make_environment()

    def render_home(self) -> str:
        """The page listing every sample publisher."""
        template = self._env.get_template("home.html")
        return template.render(publisher=None, publishers=self.catalog.publishers, urls=self.urls)

    def render_front(self, publisher_id: str, section: str | None = None) -> str | None:
        """A publisher's front page or one section of it; None when unknown."""
        publisher = self.catalog.publisher(publisher_id)
        if publisher is None or (section is not None and section not in SECTIONS):
            return None
        articles = self.catalog.articles_of(publisher_id)
        if section:
            articles = [a for a in articles if a.section == section]
        url = self.urls.section(publisher_id, section) if section else self.urls.home(publisher_id)
        return self._env.get_template("front.html").render(
            publisher=publisher,
            section=section,
            articles=articles,
            url=url,
            urls=self.urls,
            sections=self._sections_of(publisher_id),
            feed_type=feed_content_type(publisher).split(";")[0],
        )

    def render_article(self, publisher_id: str, slug: str) -> str | None:
        """An article page with the publisher's chrome around it; None when unknown."""
        publisher = self.catalog.publisher(publisher_id)
        article = self.catalog.article(publisher_id, slug)
        if publisher is None or article is None:
            return None
        return self._env.get_template("article.html").render(
            publisher=publisher,
            article=article,
            url=self.urls.article(article),
            image_url=self.urls.image(article),
            published_iso=article.published.isoformat(),
            published_label=article.published.strftime("%B %d, %Y %H:%M UTC"),
            json_ld=build_json_ld(article, self.urls, publisher.name),
            comments=pick_comments(article),
            related=pick_related(self.catalog, article),
            urls=self.urls,
            sections=self._sections_of(publisher_id),
            feed_type=feed_content_type(publisher).split(";")[0],
        )

    def _sections_of(self, publisher_id: str) -> list[str]:
        present = {a.section for a in self.catalog.articles_of(publisher_id)}
        return [s for s in SECTIONS if s in present]
