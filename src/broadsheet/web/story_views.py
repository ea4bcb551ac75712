"""The story page's data ("full coverage"): its JSON twin and its template context."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from broadsheet.community.threads import CommentQuery
from broadsheet.store import channels as channel_store
from broadsheet.store import stories as story_store
from broadsheet.store import story_moves as move_store
from broadsheet.web.views import (
    article_ref,
    channel_name,
    comments_part,
    is_valid_id,
    iso_time,
    outlet_ref,
)

# Long lists are paged (the timeline) or shown in part with the rest counted ("N more"):
# nothing is left out without saying so.
TIMELINE_PAGE_SIZE = 50
GROUPS_SHOWN = 30
OUTLETS_SHOWN = 12
PUBLISHERS_SHOWN = 30
HOMES_SHOWN = 20
CHANNELS_SHOWN = 12


def story_view(
    conn: Connection, story_id: int, page: int = 1, comments: CommentQuery | None = None
) -> dict[str, Any] | None:
    """Everything the story page shows, with one page of its timeline and of its comments
    (`comments`: whose page, which comments); None if no story.

    A page past the last still answers, with timeline.page > timeline.pages (a 404 to
    the reader)."""
    if not is_valid_id(story_id):
        return None
    story = story_store.get_story(conn, story_id)
    if story is None:
        return None
    totals = story_store.story_totals(conn, story_id)
    return {
        "id": story["id"],
        "title": story["title"],
        "created_at": iso_time(story["created_at"]),
        "updated_at": iso_time(story["updated_at"]),
        "coverage": _coverage(conn, story_id, totals),
        "takes": _takes(conn, story_id),
        "timeline": _timeline(conn, story_id, totals["articles"], page),
        "people": _channels(conn, story_id, "people"),
        "places": _channels(conn, story_id, "places"),
        # A story merged into another keeps its address: it points the reader on.
        "merged_into": move_store.merged_into(conn, story_id) if not totals["articles"] else None,
        "followers": channel_store.followers_of(conn, f"story:{story_id}"),
        **comments_part(conn, f"story:{story_id}", comments or CommentQuery()),
    }


def _coverage(conn: Connection, story_id: int, totals: dict[str, Any]) -> dict[str, Any]:
    homes, homes_count, homeless = story_store.story_homes(conn, story_id, HOMES_SHOWN)
    publishers = story_store.story_publishers(conn, story_id, PUBLISHERS_SHOWN)
    return {
        "articles": totals["articles"],
        "originals": totals["originals"],
        "copies": totals["copies"],
        "publishers": totals["publishers"],
        "first_published": iso_time(totals["first_published"]),
        "last_published": iso_time(totals["last_published"]),
        "homes": [{"name": h["home"], "publishers": h["publishers"]} for h in homes],
        "homes_count": homes_count,
        "homes_more": homes_count - len(homes),
        "publishers_without_home": homeless,
        "publishers_list": [
            {"id": p["id"], "name": p["name"], "home": p["home_city"], "articles": p["articles"]}
            for p in publishers
        ],
        "publishers_more": totals["publishers"] - len(publishers),
    }


def _takes(conn: Connection, story_id: int) -> dict[str, Any]:
    """Each original with the other outlets whose copies of it are in the story."""
    count = story_store.count_copy_groups(conn, story_id)
    heads = story_store.copy_group_rows(conn, story_id, limit=GROUPS_SHOWN)
    outlets = story_store.group_outlets(conn, story_id, [h["id"] for h in heads], OUTLETS_SHOWN)
    groups = []
    for head in heads:
        in_story = head["story_id"] == story_id
        carried = outlets.get(head["id"], {"count": 0, "outlets": []})
        groups.append(
            {
                "original": {
                    **article_ref(head),
                    "wire_source": head["wire_source"],
                    "in_story": in_story,
                },
                "copies": head["members"] - (1 if in_story else 0),
                "outlets_count": carried["count"],
                "outlets": [outlet_ref(o) for o in carried["outlets"]],
                "outlets_more": carried["count"] - len(carried["outlets"]),
            }
        )
    return {"count": count, "groups": groups, "more": count - len(groups)}


def _timeline(conn: Connection, story_id: int, total: int, page: int) -> dict[str, Any]:
    pages = max(1, -(-total // TIMELINE_PAGE_SIZE))
    rows = []
    if 1 <= page <= pages:
        offset = (page - 1) * TIMELINE_PAGE_SIZE
        rows = story_store.timeline_rows(conn, story_id, limit=TIMELINE_PAGE_SIZE, offset=offset)
    return {
        "page": page,
        "pages": pages,
        "per_page": TIMELINE_PAGE_SIZE,
        "total": total,
        "articles": [
            {**article_ref(row), "copy_of": row["copy_of"], "wire_source": row["wire_source"]}
            for row in rows
        ],
    }


def _channels(conn: Connection, story_id: int, subject: story_store.Subject) -> dict[str, Any]:
    rows, count = story_store.story_channels(conn, story_id, subject, CHANNELS_SHOWN)
    top = [
        {"key": r["key"], "name": channel_name(r), "kind": r["kind"], "articles": r["articles"]}
        for r in rows
    ]
    return {"top": top, "count": count, "more": count - len(top)}
