"""Repairs over trafilatura, each on small handmade pages in several languages and page kinds."""

from __future__ import annotations

import pytest

from broadsheet.extract.article import ExtractError, extract_article

# Two parts of one story, in the languages (and page kinds) Broadsheet serves.
PARTS = {
    "en-news": (
        [
            "The city council met on Tuesday evening to debate the future of the old tram "
            "depot, which has stood empty since the last line closed nine years ago.",
            "Residents filled the public gallery and many carried hand-painted signs asking "
            "the council to keep the brick halls for a covered market.",
        ],
        [
            "After three hours of debate the councillors agreed to commission a study of the "
            "roof, which engineers say could be repaired for a modest sum.",
        ],
    ),
    "de-blog": (
        [
            "Am Wochenende bin ich mit dem Rad von Bamberg nach Würzburg gefahren, immer am "
            "Main entlang und fast ohne Steigungen, was ich jedem Anfänger empfehlen kann.",
            "Unterwegs gibt es viele kleine Dörfer mit Bäckereien, in denen man morgens "
            "frische Brezeln und einen Kaffee für wenig Geld bekommt.",
        ],
        [
            "Am zweiten Tag hat es leider geregnet, aber die Strecke war trotzdem gut "
            "befahrbar, weil der Radweg fast überall asphaltiert ist.",
        ],
    ),
    "fr-institution": (
        [
            "La mairie informe les habitants que la collecte des déchets verts reprendra le "
            "premier lundi d'avril dans tous les quartiers de la commune.",
            "Les sacs doivent être déposés la veille au soir devant les habitations et ne "
            "doivent pas dépasser vingt kilos chacun pour la sécurité des agents.",
        ],
        [
            "Pour les volumes plus importants, la déchetterie intercommunale reste ouverte du "
            "mardi au samedi, de neuf heures à dix-huit heures, sans rendez-vous.",
        ],
    ),
    "es-news": (
        [
            "El ayuntamiento aprobó el martes un plan para plantar dos mil árboles en los "
            "barrios del sur antes de que termine el próximo invierno.",
            "Los vecinos podrán proponer calles y plazas a través de una consulta que estará "
            "abierta durante todo el mes de marzo en la página municipal.",
        ],
        [
            "La concejala de medio ambiente explicó que se elegirán especies autóctonas que "
            "necesitan poca agua y resisten bien las olas de calor del verano.",
        ],
    ),
    "pl-forum": (
        [
            "Czy ktoś wie, kiedy otworzą nowy basen przy ulicy Lipowej? Byłem tam w sobotę i "
            "wciąż trwają prace przy dachu oraz przy parkingu.",
            "Z tego, co mówił radny na ostatniej sesji, otwarcie planują na koniec maja, ale "
            "wszystko zależy od odbioru instalacji wentylacyjnej.",
        ],
        [
            "Mój sąsiad pracuje przy tej budowie i twierdzi, że wewnątrz wszystko jest już "
            "gotowe, brakuje tylko pozwolenia straży pożarnej na otwarcie.",
        ],
    ),
}


def chunk(paragraphs: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f'<div class="article-body body-chunk">{body}</div>'


def page(body: str, head: str = "", lang: str = "en") -> str:
    return (
        f'<html lang="{lang}"><head><title>Page</title>{head}</head><body>'
        f'<nav><a href="/">Home</a> <a href="/about">About</a></nav>{body}'
        "<footer><p>Contact</p></footer></body></html>"
    )


@pytest.mark.parametrize("kind", PARTS)
def test_every_part_of_a_multi_part_body_is_kept(kind: str) -> None:
    first, second = PARTS[kind]
    # An advertisement between parts makes trafilatura stop at the first part.
    body = (
        f'<main><article><h1>Story</h1><div class="chunks">{chunk(first)}'
        f'<div class="ad-slot">Advertisement</div>{chunk(second)}</div></article></main>'
    )
    text = extract_article(page(body, lang=kind[:2]), f"https://{kind}.example/s/1").text
    assert text.split("\n\n") == [*first, *second]


def test_all_posts_of_a_forum_thread_are_kept() -> None:
    first, second = PARTS["pl-forum"]
    posts = "".join(
        f'<div class="post"><div class="author">user{i}</div>'
        f'<div class="post-body article-body"><p>{text}</p></div></div>'
        for i, text in enumerate([*first, *second])
    )
    html = page(f'<div id="thread"><h1>Nowy basen</h1>{posts}</div>', lang="pl")
    text = extract_article(html, "https://forum.example/t/1").text
    assert text.split("\n\n") == [*first, *second]


def story(paragraphs: list[str], extra: str = "", before: str = "") -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"<main><article>{before}{body}{extra}</article></main>"


@pytest.mark.parametrize(
    ("kind", "teasers"),
    [
        ("en-news", ["Read more: <a href='/x'>Mayor opens the new bridge over the river</a>"]),
        ("fr-institution", ["Lire aussi : <a href='/y'>Les horaires de la piscine changent</a>"]),
        ("es-news", ["<a href='/z'>Los vecinos de Triana celebran la fiesta del barrio</a>"]),
        ("de-blog", ["Kommentare", "Teilen"]),
        ("pl-forum", ["Czytaj także: <a href='/w'>Nowe linie autobusowe od września</a>"]),
    ],
)
def test_link_teasers_and_section_labels_are_dropped(kind: str, teasers: list[str]) -> None:
    first, second = PARTS[kind]
    extra = "".join(f"<p>{teaser}</p>" for teaser in teasers)
    html = page(story(first, extra=extra + "".join(f"<p>{p}</p>" for p in second)))
    text = extract_article(html, f"https://{kind}.example/s/2").text
    assert text.split("\n\n") == [*first, *second]


@pytest.mark.parametrize("kind", ["en-news", "de-blog", "es-news"])
def test_repeated_headline_and_reading_time_are_dropped(kind: str) -> None:
    first, second = PARTS[kind]
    headline = {"en": "Council debates", "de": "Radtour am Main", "es": "Dos mil árboles"}[kind[:2]]
    og = f'<meta property="og:title" content="{headline} | Example Times">'
    before = f"<h2>{headline}</h2><p>4 min read</p>"
    html = page(story([*first, *second], before=before), head=og)
    assert extract_article(html, f"https://{kind}.example/s/3").text.split("\n\n") == [
        *first,
        *second,
    ]


@pytest.mark.parametrize(
    "code",
    [
        "var dataLayer = window.dataLayer || []; dataLayer.push({'page': 'story'});",
        '{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "x"}',
    ],
)
def test_inline_code_is_not_text(code: str) -> None:
    first, second = PARTS["en-news"]
    html = page(story([code, *first, *second]))
    text = extract_article(html, "https://en.example/s/4").text
    assert text.split("\n\n") == [*first, *second]


def test_closing_calls_to_follow_and_subscribe_are_dropped() -> None:
    first, second = PARTS["en-news"]
    calls = ["Follow us on Twitter and Facebook.", "Subscribe to our newsletter for more."]
    html = page(story([*first, *second, *calls]))
    assert extract_article(html, "https://en.example/s/5").text.split("\n\n") == [*first, *second]


def test_short_real_article_is_kept() -> None:
    brief = "Fire crews put out a small blaze at the bakery on Elm Street; nobody was hurt."
    html = page(f"<main><article><h1>Bakery fire</h1><p>{brief}</p></article></main>")
    assert extract_article(html, "https://en.example/brief").text == brief


@pytest.mark.parametrize("html", ["", "<html><body></body></html>", "<html><body> </body></html>"])
def test_pages_without_text_are_refused(html: str) -> None:
    with pytest.raises(ExtractError, match="no article text"):
        extract_article(html, "https://en.example/empty")


def test_an_author_box_shaped_like_a_part_is_not_a_part() -> None:
    first, second = PARTS["en-news"]
    bio = (
        '<div class="article-body body-chunk"><div class="author-bio"><p>Ana Ruiz covers the '
        "city council and transport for the paper, and has reported from the town hall since "
        "2015.</p></div></div>"
    )
    body = (
        f'<main><article><div class="chunks">{chunk([*first, *second])}{bio}</div></article></main>'
    )
    text = extract_article(page(body), "https://en.example/s/6").text
    assert text.split("\n\n") == [*first, *second]


@pytest.mark.parametrize(
    ("kind", "dateline"),
    [
        ("en-news", "Tuesday, June 10, 2025 at 11:30 p.m. EDT"),
        ("de-blog", "Aktualisiert am 4. Juni 2025, 10:30 Uhr"),
        ("fr-institution", "Mardi 4 juin 2025 à 10h30"),
        ("es-news", "martes, 10 de junio de 2025"),
        ("pl-forum", "wtorek, 4 czerwca 2025, godz. 10:30"),
    ],
)
def test_leading_dateline_is_dropped(kind: str, dateline: str) -> None:
    first, second = PARTS[kind]
    html = page(story([dateline, *first, *second]), lang=kind[:2])
    assert extract_article(html, f"https://{kind}.example/s/7").text.split("\n\n") == [
        *first,
        *second,
    ]


def test_captions_are_left_to_the_images() -> None:
    first, second = PARTS["en-news"]
    figure = (
        '<figure><img src="/depot.jpg" alt="The empty tram depot seen from the street">'
        "<figcaption>The empty tram depot seen from the street</figcaption></figure>"
    )
    html = page(story(first, extra=figure + "".join(f"<p>{p}</p>" for p in second)))
    draft = extract_article(html, "https://en.example/s/8")
    assert draft.text.split("\n\n") == [*first, *second]
    assert draft.images[0].caption == "The empty tram depot seen from the street"


@pytest.mark.parametrize(
    "credit",
    [
        "(Reporting by Ana Ruiz; editing by Jo Berg)",
        "Jo Berg contributed to this report.",
        "Email the writer at ana@lakeside.example",
        "Source: Lakeside Gazette",
        "Quelle: Stadtverwaltung",
    ],
)
def test_closing_credits_and_contact_lines_are_dropped(credit: str) -> None:
    first, second = PARTS["en-news"]
    html = page(story([*first, *second, credit]))
    assert extract_article(html, "https://en.example/s/9").text.split("\n\n") == [*first, *second]
