"""Contributors, the use cases: become one, keep a profile, post. The web app calls them in a
transaction; each refuses with a CommentError (status and what to tell the reader).

- Becoming one gives the reader a sources row of kind "contributor" named after them
  (store/posts.py); its About is their profile (up to ABOUT_CHARS, plain text).
- A post: a title (one line, up to TITLE_CHARS), a body in the comments' Markdown subset up to
  text.POST_MAX_CHARS, up to MAX_IMAGES uploaded images with captions (web/contributors.py
  checks, re-encodes and keeps them), a place from the gazetteer or none, and the author's
  answer whether AI tools wrote it: required, and shown on the post ("Written with AI tools").
- Who may post: a contributor whose account may take part now (the strike ladder, as for
  comments: a suspended or terminated account may not). POST_LIMITS count the author's posts
  in the database, so they hold across processes; a new account has a lower one.
- The automatic first pass (screening.py) reads title, body and captions. A held post waits
  for a moderator in the moderation queue and is no article until approved (publish).
- A published post is at once an article of the contributor's source, its place linked (so
  the place's Local feed shows it), and an entry for the models (pipeline/posts.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from sqlalchemy import Connection

from broadsheet.community.comments import CommentError, author_of
from broadsheet.community.screening import NEW_ACCOUNT_DAYS, Screening, screen
from broadsheet.community.text import CommentTextError, normal_text, plain_paragraphs, render_post
from broadsheet.extract.language import detect_language
from broadsheet.models import Article, ArticleDraft, Image
from broadsheet.pipeline.posts import provisional_enrichment
from broadsheet.store import articles as article_store
from broadsheet.store import comments as comment_store
from broadsheet.store import posts as store

TITLE_CHARS = 200
ABOUT_CHARS = 1000
CAPTION_CHARS = 300
MAX_IMAGES = 4
POST_LIMITS = ((3, timedelta(minutes=10)), (20, timedelta(days=1)))
NEW_ACCOUNT_LIMIT = (3, timedelta(days=1))
AI_ANSWERS = {"yes": True, "no": False}
RECENT = timedelta(days=1)  # the author's posts a new one is compared with


@dataclass(frozen=True)
class CheckedPost:
    """A post that passed every check but screening, ready to be saved."""

    user_id: int
    source_id: int
    title: str
    body_md: str
    body_html: str
    ai_assisted: bool
    age_days: float


@dataclass(frozen=True)
class Submitted:
    """A saved post: its id, its article (None while held) and what screening made of it."""

    id: int
    article_id: int | None
    screening: Screening


def contributor_of(conn: Connection, user_id: int) -> dict[str, Any] | None:
    """The account's contributor row (source_id, name, about, since), or None."""
    return store.contributor_for_user(conn, user_id)


def become_contributor(conn: Connection, user_id: int, about: str, now: datetime) -> int:
    """Make the reader a contributor named after their account; the source's id."""
    author = author_of(conn, user_id, now)
    return store.create_contributor(conn, user_id, author["name"], normal_about(about), now)


def update_about(conn: Connection, user_id: int, about: str, now: datetime) -> None:
    """The contributor's profile text."""
    source_id = _contributor(conn, user_id, now)[1]["source_id"]
    store.set_about(conn, source_id, normal_about(about))


def normal_about(raw: str) -> str:
    """The profile as stored (plain text, shown escaped); CommentError when too long."""
    about = normal_text(raw)
    if len(about) > ABOUT_CHARS:
        raise CommentError(400, f"Say who you are in at most {ABOUT_CHARS:,} characters.")
    return about


def _contributor(
    conn: Connection, user_id: int, now: datetime
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the account's standing row, its contributor row), or CommentError(403): not one, or
    suspended or closed."""
    author = author_of(conn, user_id, now)
    found = store.contributor_for_user(conn, user_id)
    if found is None:
        raise CommentError(403, "Become a contributor first, on the Contribute page.")
    return author, found


def check_post(
    conn: Connection, user_id: int, title: str, body: str, ai: object, now: datetime
) -> CheckedPost:
    """The post's text checked (and the author's standing and rate), or CommentError."""
    author, found = _contributor(conn, user_id, now)
    source_id, age = int(found["source_id"]), (now - author["created_at"]).total_seconds() / 86400
    headline = " ".join(normal_text(title).split())
    if not headline or len(headline) > TITLE_CHARS:
        raise CommentError(400, f"Give the post a title of 1 to {TITLE_CHARS} characters.")
    if str(ai or "") not in AI_ANSWERS:
        raise CommentError(
            400,
            "Say whether AI tools wrote any of this post (yes or no): readers see the answer.",
        )
    try:
        md, html = render_post(body)
    except CommentTextError as exc:
        raise CommentError(400, str(exc)) from exc
    _check_rate(conn, user_id, age, now)
    return CheckedPost(user_id, source_id, headline, md, html, AI_ANSWERS[str(ai)], age)


def _check_rate(conn: Connection, user_id: int, age_days: float, now: datetime) -> None:
    limits = [*POST_LIMITS, *([NEW_ACCOUNT_LIMIT] if age_days < NEW_ACCOUNT_DAYS else [])]
    for count, window in limits:
        if store.count_since(conn, user_id, now - window) >= count:
            who = "A new account" if (count, window) == NEW_ACCOUNT_LIMIT else "You"
            span = "a day" if window == timedelta(days=1) else f"{window.seconds // 60} minutes"
            raise CommentError(
                429, f"{who} can post {count} times in {span}, and that many are in. Wait a little."
            )


def normal_caption(raw: str) -> str:
    """An image's caption as stored: one line, at most CAPTION_CHARS."""
    return " ".join(normal_text(raw).split())[:CAPTION_CHARS]


def submit_post(
    conn: Connection,
    post: CheckedPost,
    place: dict[str, Any] | None,
    images: list[dict[str, str]],
    now: datetime,
    base_url: str,
) -> Submitted:
    """Save a checked post: published at once, or held for a moderator by screening."""
    _check_rate(conn, post.user_id, post.age_days, now)  # again, in the writing transaction
    captions = " ".join(image["caption"] for image in images)
    text = f"{post.title}\n\n{post.body_md}\n\n{captions}".strip()
    recent = store.recent_texts(conn, post.user_id, now - RECENT)
    found = screen(text, account_age_days=post.age_days, recent_texts=recent)
    post_id = store.insert_post(
        conn,
        source_id=post.source_id,
        user_id=post.user_id,
        title=post.title,
        body_md=post.body_md,
        body_html=post.body_html,
        images=images[:MAX_IMAGES],
        place=place,
        ai_assisted=post.ai_assisted,
        status="held",
        screening={"score": found.score, "reasons": list(found.reasons), "rule_id": found.rule_id},
        created_at=now,
    )
    if found.held:
        note = f"Post #{post_id} held, score {found.score:.2f}: " + ", ".join(found.reasons)
        comment_store.log_decision(
            conn, moderator_id=None, action="held", rule_id=found.rule_id, note=note, created_at=now
        )
        return Submitted(post_id, None, found)
    return Submitted(post_id, publish(conn, post_id, now, base_url), found)


def post_url(base_url: str, name: str, post_id: int) -> str:
    """The post's address as an article: on its author's page, where it reads as written."""
    return f"{base_url}/u/{quote(name, safe='')}#post-{post_id}"


def publish(conn: Connection, post_id: int, now: datetime, base_url: str) -> int:
    """Make the post an article of its contributor's source now, its place linked, and queue
    it for the models; the article's id."""
    post = store.get_post(conn, post_id)
    if post is None:
        raise CommentError(404, "No post has that number.")
    url = post_url(base_url, str(post["author"]), post_id)
    text = "\n\n".join(plain_paragraphs(post["body_html"]))
    draft = ArticleDraft(
        url=url,
        canonical_url=url,
        title=post["title"],
        byline="",
        published=now,
        language=detect_language(text),
        text=text,
        images=[Image(i["url"], i.get("caption", "")) for i in post["images"]],
    )
    enrichment = provisional_enrichment(post["place"])
    article = Article(draft, enrichment, post["source_id"], fetched_at=now)
    article_id = article_store.save_article(conn, article)
    store.update_post(conn, post_id, status="published", article_id=article_id)
    store.add_entry(conn, post["source_id"], post_id, url, post["title"], article_id, now)
    return article_id


# -- what pages show of posts ----------------------------------------------------------------


def author_ref(author: str, account: str | None) -> dict[str, Any]:
    """{name, url}: the contributor and their page (url None once the account is deleted)."""
    return {"name": author, "url": f"/u/{quote(account, safe='')}" if account else None}


def post_part(post: dict[str, Any] | None, viewer_id: int | None) -> dict[str, Any]:
    """An article page's "contributor" ({name, url}, or None for a publisher's article),
    "ai_assisted" (the author's answer; None for a publisher's) and "post" (its id, whether
    the models have read it yet, whether it is the viewer's own)."""
    if post is None:
        return {"contributor": None, "ai_assisted": None, "post": None}
    return {
        "contributor": author_ref(post["author"], post["account"]),
        "ai_assisted": bool(post["ai_assisted"]),
        "post": {
            "id": post["id"],
            "processing": post["enriched_at"] is None,
            "mine": viewer_id is not None and post["user_id"] == viewer_id,
        },
    }


def comment_target(post: dict[str, Any] | None, article_id: int) -> str:
    """Where an article page's comments are: its post's ("post:<id>"), else the article's."""
    return f"post:{post['id']}" if post else f"article:{article_id}"


def label_cards(conn: Connection, cards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Cards with "contributor" and "ai_assisted" (None on a publisher's article)."""
    labels = store.labels_for(conn, [card["id"] for card in cards])
    for card in cards:
        found = labels.get(card["id"])
        card["contributor"] = author_ref(found["author"], found["account"]) if found else None
        card["ai_assisted"] = found["ai_assisted"] if found else None
    return cards
