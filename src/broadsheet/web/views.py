"""Page data read from the store: each dict is a page's JSON twin and its template context."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from broadsheet.community import posts as contributions
from broadsheet.community.threads import CommentQuery, thread_view
from broadsheet.enrich.taxonomy import section_name
from broadsheet.keys import ChannelKey, parse_key
from broadsheet.models import SECTIONS
from broadsheet.pipeline import related
from broadsheet.store import articles as article_store
from broadsheet.store import channels as channel_store
from broadsheet.store import cooccurrence
from broadsheet.store import posts as post_store
from broadsheet.store import publishers as publisher_store
from broadsheet.store import related as related_store
from broadsheet.store import search as search_store
from broadsheet.store import sources as source_store
from broadsheet.store import stories as story_store
from broadsheet.store.channels import channel_name
from broadsheet.store.cooccurrence import leading_keys

SNIPPET_CHARS = 220
SEARCH_PAGE = 30
SUGGESTED_KINDS = ("person", "org", "city", "state", "country", "region", "topic")
PEOPLE_KINDS = ("person",)
ALSO_LIKE_KINDS = ("person", "city", "state", "country", "region", "topic")
ALSO_LIKE = 10
# Outlets named under "Also published by N outlets"; the rest are counted, never dropped.
OUTLETS_SHOWN = 20
# Ids are 64-bit signed integers in both databases; a larger number names nothing.
MAX_ID = 2**63 - 1


def is_valid_id(value: int) -> bool:
    """True when value can be a row id: 1 .. 2**63-1."""
    return 0 < value <= MAX_ID


def is_valid_key(key: str) -> bool:
    """True when key could be a channel key: a known kind, a short printable id."""
    # Anything else names no channel (and a NUL byte would be an error, not a miss, on
    # PostgreSQL), so it is never sent to the database.
    return parse_key(key) is not None


def home_view(conn: Connection) -> dict[str, Any]:
    """Latest articles, grouped by section."""
    sections = []
    for section in SECTIONS:
        rows = article_store.card_rows(conn, section=section, limit=6, originals_only=True)
        if rows:
            sections.append(
                {"section": section, "name": section_name(section), "articles": _cards(conn, rows)}
            )
    latest = _cards(conn, article_store.card_rows(conn, limit=12, originals_only=True))
    return {"title": "Broadsheet", "sections": sections, "latest": latest}


def article_view(
    conn: Connection, article_id: int, limit: int = 12, comments: CommentQuery | None = None
) -> dict[str, Any] | None:
    """Everything the article page shows (PRODUCT.md's anatomy), or None; `comments` says
    whose page it is and which comments it shows (community/threads.py)."""
    if not is_valid_id(article_id):
        return None
    row = article_store.get_article(conn, article_id)
    if row is None:
        return None
    links = article_store.links_for(conn, article_id)
    entities = [_entity(link) for link in links if link["role"] == "entity"]
    places = [_place(link) for link in links if link["role"] == "place"]
    local = [_channel(link) for link in links if link["role"] == "local"]
    story = article_store.story_info(conn, row["story_id"]) if row["story_id"] else None
    people = [_chip(e) for e in entities if e["kind"] in PEOPLE_KINDS]
    query = comments or CommentQuery()
    post = post_store.post_for_article(conn, article_id)  # None: a publisher's article
    return {
        "id": row["id"],
        "url": row["url"],
        "canonical_url": row["canonical_url"],
        "title": row["title"],
        "byline": row["byline"],
        "published": iso_time(row["published"]),
        "updated": iso_time(row["updated"]),
        "revisions_count": article_store.count_revisions(conn, article_id),
        "corrections": _corrections(conn, article_id),
        "paywalled": bool(row["paywalled"]),
        "paragraphs": _paragraphs(row["text"]),
        "images": row["images"],
        "publisher": _publisher(conn, row["source_id"]),
        "section": row["section"],
        "labels": row["labels"],
        "hashtags": row["hashtags"],
        "entities": entities,
        "places": places,
        "local_channels": local,
        "related_people": people,
        "related": _related(conn, row, limit),
        "you_may_also_like": _also_like(
            conn, row, links, _shown_chips(local, people, entities + places, row["hashtags"])
        ),
        "copy_of": row["copy_of"],
        "copies": _copies(conn, row),
        "also_published": _also_published(conn, row),
        "wire_source": row["wire_source"],
        "story": story,
        **contributions.post_part(post, query.viewer_id),
        **comments_part(conn, contributions.comment_target(post, article_id), query),
    }


def comments_part(conn: Connection, target: str, query: CommentQuery) -> dict[str, Any]:
    """A page's comments: "comments_count" (visible, replies included), "comments" (one page
    of threads, replies nested) and "comments_thread" (target, order, pages)."""
    thread = thread_view(conn, target, query)
    paging = {k: v for k, v in thread.items() if k not in ("count", "comments")}
    return {
        "comments_count": thread["count"],
        "comments": thread["comments"],
        "comments_thread": paging,
    }


def revisions_view(conn: Connection, article_id: int) -> dict[str, Any] | None:
    """An article's current text and every earlier version its publisher replaced, or None."""
    if not is_valid_id(article_id):
        return None
    row = article_store.get_article(conn, article_id)
    if row is None:
        return None
    earlier = [
        {
            "title": rev["title"],
            "byline": rev["byline"],
            "published": iso_time(rev["published"]),
            "updated": iso_time(rev["updated"]),
            "fetched_at": iso_time(rev["fetched_at"]),
            "replaced_at": iso_time(rev["replaced_at"]),
            "paragraphs": _paragraphs(rev["text"]),
        }
        for rev in article_store.revisions_of(conn, article_id)
    ]
    return {
        "id": row["id"],
        "title": row["title"],
        "url": row["url"],
        "publisher": _publisher(conn, row["source_id"]),
        "updated": iso_time(row["updated"]),
        "current": {"title": row["title"], "paragraphs": _paragraphs(row["text"])},
        "revisions": earlier,
        "corrections": _corrections(conn, article_id),
    }


def _corrections(conn: Connection, article_id: int) -> list[dict[str, Any]]:
    """The corrections the publisher marked on the article, oldest first: text, created_at."""
    return [
        {"text": c["text"], "created_at": iso_time(c["created_at"])}
        for c in publisher_store.corrections_of(conn, article_id)
    ]


def _paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n") if p.strip()]


def channel_view(conn: Connection, key: str) -> dict[str, Any] | None:
    """A channel's page: its articles and the channels near it."""
    if not is_valid_key(key):
        return None
    channel = channel_store.get_channel(conn, key)
    if channel is None:
        return None
    rows = article_store.card_rows(conn, channel_key=key, limit=30, originals_only=True)
    return {
        "channel": {
            "key": key,
            "name": channel_name(channel),
            "kind": channel["kind"],
            "followers": channel["followers"],
            "articles_count": channel["articles_count"],
        },
        "articles": _cards(conn, rows),
        "related_channels": [_chip(c) for c in cooccurrence.seen_with(conn, [key])[:12]],
    }


def publisher_view(conn: Connection, publisher_id: int) -> dict[str, Any] | None:
    """A publisher's page: its card and its latest articles."""
    if not is_valid_id(publisher_id):
        return None
    publisher = _publisher(conn, publisher_id)
    if publisher is None:
        return None
    rows = article_store.card_rows(conn, source_id=publisher_id, limit=30)
    return {"publisher": publisher, "articles": _cards(conn, rows)}


def search_view(
    conn: Connection,
    q: str,
    filters: search_store.Filters = search_store.NO_FILTERS,
    by_date: bool = False,
    page: int = 1,
) -> dict[str, Any]:
    """Originals matching the query (best or newest first), each with its highlighted snippet;
    the publishers and sections a reader can narrow it to."""
    hits = search_store.search(
        conn, q, filters, by_date, limit=SEARCH_PAGE, offset=(page - 1) * SEARCH_PAGE
    )
    cards = {c["id"]: c for c in cards_for(conn, [hit.id for hit in hits])}
    articles = [
        {**cards[hit.id], "highlight": highlight_parts(hit.snippet)}
        for hit in hits
        if hit.id in cards
    ]
    return {
        "query": q,
        "sort": "date" if by_date else "relevance",
        "page": page,
        "filters": {
            "section": filters.section,
            "publisher": filters.source_id,
            "channel": filters.channel_key,
            "from": filters.since.date().isoformat() if filters.since else None,
            "to": filters.until.date().isoformat() if filters.until else None,
        },
        "publishers": [{"id": s.id, "name": s.name} for s in source_store.list_sources(conn)],
        "sections": [{"key": s, "name": section_name(s)} for s in SECTIONS],
        "articles": articles,
        "more": len(hits) == SEARCH_PAGE,
        # Channels named like the words: a reader who typed "xi" may mean Xi Jinping's page.
        "suggestions": [_chip(c) for c in channel_store.channels_named(conn, q, SUGGESTED_KINDS, 6)]
        if q
        else [],
    }


def suggest_view(conn: Connection, q: str) -> dict[str, Any]:
    """Channels whose name starts with what the reader is typing (/suggest.json, read by the
    search box's script as they type; a plain search shows the same on its results page)."""
    found = channel_store.channels_named(conn, q, SUGGESTED_KINDS, 8) if q.strip() else []
    return {"query": q, "suggestions": [{**_chip(c), "href": f"/c/{c['key']}"} for c in found]}


def highlight_parts(snippet: str) -> list[dict[str, Any]]:
    """A snippet as runs of text, the matched words marked: [{"text", "match"}]."""
    parts = []
    for n, run in enumerate(
        re.split(f"[{search_store.MARK_START}{search_store.MARK_END}]", snippet)
    ):
        if run:
            parts.append({"text": " ".join(run.split(" ")), "match": n % 2 == 1})
    return parts


def _related(conn: Connection, row: dict[str, Any], limit: int) -> list[dict[str, Any]]:
    """The stored related list; one that is due (its story grew) is ranked for this view."""
    stored = related_store.stored_list(conn, row["id"])
    if stored is None:
        stored = [{"related_id": r.id, "reason": r.reason} for r in related.rank(conn, row["id"])]
    stored = stored[:limit]
    ids = [item["related_id"] for item in stored]
    cards = {c["id"]: c for c in _cards(conn, article_store.card_rows(conn, ids=ids, limit=limit))}
    return [
        {**cards[i["related_id"]], "reason": i["reason"]}
        for i in stored
        if i["related_id"] in cards
    ]


def _also_like(
    conn: Connection, row: dict[str, Any], links: list[dict[str, Any]], shown: set[str]
) -> list[dict[str, Any]]:
    """Followable channels near this article that no other part of its page shows: its own
    places, then the people, places, countries and topics most often named with its leading
    subjects across the corpus (store/cooccurrence.py), then its topic."""
    own = {link["channel_key"] for link in links}
    chips: list[dict[str, Any]] = []
    for link in links:
        if link["role"] == "place" and link["channel_key"] not in shown:
            shown.add(link["channel_key"])
            chips.append(_chip({"key": link["channel_key"], **_place(link)}))
    seeds = leading_keys(
        (link["channel_key"], link["role"], float(link["salience"]), int(link["position"]))
        for link in links
    )
    for nearby in cooccurrence.seen_with(conn, seeds, ALSO_LIKE_KINDS):
        if len(chips) >= ALSO_LIKE - 1:
            break  # the last place is the topic's
        if nearby["key"] not in shown and nearby["key"] not in own:
            shown.add(nearby["key"])
            chips.append(_chip(nearby))
    topic = str(ChannelKey.for_topic(row["section"]))
    if topic not in shown:
        chips.append({"key": topic, "name": section_name(row["section"]), "kind": "topic"})
    return chips[:ALSO_LIKE]


def _shown_chips(
    local: list[dict[str, Any]],
    people: list[dict[str, Any]],
    tagged: list[dict[str, Any]],
    hashtags: list[str],
) -> set[str]:
    """Keys the page shows as chips or hashtag links outside "You may also like"."""
    tags = {tag.lstrip("#").strip().casefold() for tag in hashtags}
    named = {
        str(item["key"])
        for item in tagged
        if item.get("key") and str(item.get("name", "")).casefold() in tags
    }
    return {c["key"] for c in local} | {p["key"] for p in people} | named


def _copies(conn: Connection, row: dict[str, Any]) -> list[dict[str, Any]]:
    root = row["copy_of"] or row["id"]
    group = [{"id": root, "source_id": None}] if root != row["id"] else []
    group += [c for c in article_store.copies_of(conn, root) if c["id"] != row["id"]]
    copies = []
    for copy in group:
        source_id = copy["source_id"]
        if source_id is None:
            original = article_store.get_article(conn, copy["id"])
            source_id = original["source_id"] if original else None
        copies.append({"id": copy["id"], "publisher": _publisher_ref(conn, source_id)})
    return copies


def _also_published(conn: Connection, row: dict[str, Any]) -> dict[str, Any]:
    """The original (for a copy) and the other outlets that carried the same text, counted
    by publisher: neither this article's publisher nor the original's is among them."""
    root = row["copy_of"] or row["id"]
    original = story_store.article_ref(conn, root) if row["copy_of"] else None
    exclude = [row["source_id"], original["source_id"] if original else None]
    carriers, total = story_store.copy_carriers(conn, root, exclude, OUTLETS_SHOWN)
    return {
        "original": article_ref(original) if original else None,
        "outlets_count": total,
        "outlets": [outlet_ref(carrier) for carrier in carriers],
        "outlets_more": total - len(carriers),
    }


def article_ref(row: dict[str, Any]) -> dict[str, Any]:
    """{id, title, published, publisher {id, name}} of a store row with publisher_name."""
    return {
        "id": row["id"],
        "title": row["title"],
        "published": iso_time(row["published"]),
        "publisher": {"id": row["source_id"], "name": row["publisher_name"] or ""},
    }


def outlet_ref(row: dict[str, Any]) -> dict[str, Any]:
    """{id (its first copy), publisher {id, name}, copies} of a publisher carrying a text."""
    return {
        "id": row["article_id"],
        "publisher": {"id": row["source_id"], "name": row["publisher_name"] or ""},
        "copies": row["copies"],
    }


def cards_for(conn: Connection, ids: list[int]) -> list[dict[str, Any]]:
    """The cards of these articles, in the order given (ids not stored are left out)."""
    rows = {row["id"]: row for row in article_store.card_rows(conn, ids=ids, limit=len(ids) or 1)}
    return _cards(conn, [rows[i] for i in ids if i in rows])


def _cards(conn: Connection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    refs: dict[int | None, dict[str, Any]] = {}
    cards = []
    for row in rows:
        if row["source_id"] not in refs:
            refs[row["source_id"]] = _publisher_ref(conn, row["source_id"])
        images = row["images"] or []
        cards.append(
            {
                "id": row["id"],
                "title": row["title"],
                "publisher": refs[row["source_id"]],
                "snippet": _snippet(row["description"] or row["text"]),
                "label": (row["labels"] or [row["section"].upper()])[0],
                "section": row["section"],
                "published": iso_time(row["published"]),
                "image": images[0] if images else None,
            }
        )
    return contributions.label_cards(conn, cards)


def _publisher(conn: Connection, source_id: int | None) -> dict[str, Any] | None:
    source = source_store.get_source(conn, source_id) if source_id is not None else None
    if source is None or source_id is None:  # (both: for the type checker)
        return None
    return {
        "id": source.id,
        "name": source.name,
        "home": source.home_city,
        "about": source.about,
        "site": source.home_url,
        "logo_url": source.logo_url,
        "links": publisher_store.links_of(conn, source_id),  # set by its managers
        **source_store.source_stats(conn, source_id),
    }


def _publisher_ref(conn: Connection, source_id: int | None) -> dict[str, Any]:
    source = source_store.get_source(conn, source_id) if source_id is not None else None
    return {"id": source_id, "name": source.name if source else ""}


def _entity(link: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": link["name"],
        "kind": link["kind"],
        "key": link["channel_key"],
        "salience": link["salience"],
        "mentions": link["mentions"],
    }


def _place(link: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": link["name"],
        "kind": link["kind"],
        "geonameid": link["geonameid"],
        "lat": link["lat"],
        "lon": link["lon"],
        "country": link["country"],
        "admin1": link["admin1"],
        "key": link["channel_key"],
        "mentions": link["mentions"],
    }


def _channel(link: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": link["name"],
        "kind": link["kind"],
        "geonameid": link["geonameid"],
        "key": link["channel_key"],
    }


def _chip(item: dict[str, Any]) -> dict[str, Any]:
    return {"key": item["key"], "name": channel_name(item), "kind": item["kind"]}


def _snippet(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) <= SNIPPET_CHARS:
        return flat
    return flat[:SNIPPET_CHARS].rsplit(" ", 1)[0] + "…"


def iso_time(value: datetime | None) -> str | None:
    """The time as ISO 8601 text for a page's data, or None."""
    return value.isoformat() if value else None
