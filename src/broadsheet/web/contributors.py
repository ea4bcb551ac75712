"""The contributors' pages: /contribute (become one, the profile, the post form, your posts),
/u/<name> (an author's page), /posts/<id> (a post's address: its article), the uploaded
images at /uploads/<name>, and moderators' decisions on held posts.

Uploads come with the post's form (multipart): at most MAX_BODY bytes in all, counted as
they arrive and refused past it, and MAX_IMAGES images of at most MAX_IMAGE_BYTES each.
Pillow reads an image's header first (the pixel cap before any pixel is decoded, raster
formats only), then decodes it, turns it upright, shrinks it to MAX_SIDE and encodes it
again, as PNG when it is transparent, else JPEG: nothing of the file survives but its pixels
(no EXIF, no GPS position, no trailing bytes). It is kept under data_dir/uploads by the
digest of its bytes and put into the image proxy's cache under its address, so pages show it
through /img like every other image.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

from markupsafe import Markup
from PIL import Image, ImageOps
from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.templating import Jinja2Templates
from starlette.types import Message

from broadsheet.community import moderation
from broadsheet.community import posts as use
from broadsheet.community.comments import CommentError
from broadsheet.community.text import POST_MAX_CHARS, clean_comment_html
from broadsheet.enrich.geodata import normalize_name
from broadsheet.models import to_jsonable
from broadsheet.store import posts as post_store
from broadsheet.store import sources as source_store
from broadsheet.store import users as user_store
from broadsheet.store import write_transaction
from broadsheet.store.comments import published_post
from broadsheet.web.accounts import Accounts
from broadsheet.web.comments import CommentForms
from broadsheet.web.imageproxy import ImageProxy, add_proxy_urls
from broadsheet.web.placefinder import KnownPlace, PlaceFinder, place_finder
from broadsheet.web.sessions import normal_name
from broadsheet.web.views import cards_for

MAX_IMAGE_BYTES = 5 << 20
MAX_BODY = use.MAX_IMAGES * MAX_IMAGE_BYTES + (256 << 10)
UPLOAD_MAX_PIXELS = 30_000_000
MAX_SIDE = 2000
UPLOAD_FORMATS = ("JPEG", "PNG", "GIF", "WEBP")
UPLOAD_NAME = re.compile(r"[0-9a-f]{64}\.(png|jpg)")
UPLOAD_TYPES = {"png": "image/png", "jpg": "image/jpeg"}
UPLOAD_HEADERS = {
    "Cache-Control": "public, max-age=31536000, immutable",
    "Content-Security-Policy": "default-src 'none'",
}
PLACE_CHOICES = 12
MAX_ID = 2**63 - 1
AUTHOR_POSTS = 30
STATUS_TEXT = {"held": "Held for review", "published": "Published", "removed": "Not published"}


class Refused(Exception):
    """The post was not taken: the status, what to tell its author, places to choose from."""

    def __init__(self, status: int, message: str, choices: list[dict[str, Any]] | None = None):
        super().__init__(message)
        self.status, self.message, self.choices = status, message, choices or []


@dataclass
class PostForm:
    """What the author typed, shown again when a post is refused."""

    title: str = ""
    body: str = ""
    ai: str = ""
    place: str = ""
    choices: list[dict[str, Any]] = field(default_factory=list)


# -- uploads ---------------------------------------------------------------------------------


def reencode_image(data: bytes, max_pixels: int) -> tuple[bytes, str]:
    """The uploaded image's pixels encoded again (PNG or JPEG, no metadata) and the file
    extension; Refused when it is too big or not an image we take."""
    if len(data) > MAX_IMAGE_BYTES:
        raise Refused(413, f"An image may be at most {MAX_IMAGE_BYTES >> 20} MB.")
    try:
        with Image.open(io.BytesIO(data), formats=UPLOAD_FORMATS) as image:
            width, height = image.size
            if width * height > max_pixels:
                raise Refused(
                    413, f"The image is {width} x {height} pixels; the limit is {max_pixels:,}."
                )
            image.load()
            upright = ImageOps.exif_transpose(image) or image
            alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
            pixels = upright.convert("RGBA" if alpha else "RGB")
    except Refused:
        raise
    except Exception as exc:  # Pillow raises many types for broken or hostile files
        raise Refused(
            400, "That file is not an image we take: send a JPEG, PNG, GIF or WebP."
        ) from exc
    pixels.thumbnail((MAX_SIDE, MAX_SIDE))
    pixels.info = {}  # nothing but the pixels is written out
    out = io.BytesIO()
    if alpha:
        pixels.save(out, "PNG", optimize=True)
        return out.getvalue(), "png"
    pixels.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue(), "jpg"


class TooLarge(Exception):
    """The request's body went past its limit."""


def bounded(request: Request, limit: int) -> Request:
    """The request, its body refused (TooLarge) past `limit` bytes, declared or streamed."""
    declared = request.headers.get("content-length", "0")
    if not declared.isdigit() or int(declared) > limit:
        raise TooLarge
    received = 0

    async def receive() -> Message:
        nonlocal received
        message = await request.receive()
        received += len(message.get("body", b""))
        if received > limit:
            raise TooLarge
        return message

    return Request(request.scope, receive)


# -- places ----------------------------------------------------------------------------------


def pick_place(finder: PlaceFinder, typed: str, key: str) -> dict[str, Any] | None:
    """The place a post is about: the one picked from a list (key), else the one place the
    typed name means ("Springfield, IL" narrows it); None for no place; Refused (with the
    places to choose from) when the name means several or none."""
    if key:
        known = finder.get(key)
        if known is None:
            raise Refused(400, "That place is not in the gazetteer; type its name again.")
        return known.row()
    typed = " ".join(typed.split())[:200]
    if not typed:
        return None
    name, qualifier = typed, ""
    if "," in typed:
        name, qualifier = (part.strip() for part in typed.rsplit(",", 1))
    found = finder.named(name, 100)
    if qualifier:
        wanted = qualifier.casefold()
        found = [p for p in found if wanted in (p.admin1.casefold(), p.country.casefold())]
    whole = [p for p in found if normalize_name(p.name) == normalize_name(name)]
    if len(whole) == 1:
        return whole[0].row()
    choices = [{**p.row(), "label": _label(p)} for p in (whole or found)[:PLACE_CHOICES]]
    if not choices:
        raise Refused(400, f"No place called {typed!r} is known: check its spelling.")
    raise Refused(400, f"Several places are called {typed!r}: pick one below.", choices)


def _label(place: KnownPlace) -> str:
    region = ", ".join(
        p for p in (place.admin1 if place.country == "US" else "", place.country) if p
    )
    return f"{place.name} ({place.kind}, {region})" if region else f"{place.name} ({place.kind})"


# -- page data -------------------------------------------------------------------------------


def contribute_view(
    conn: Connection, user: dict[str, Any] | None, form: PostForm, error: str, notice: str
) -> dict[str, Any]:
    """The Contribute page: who is asking, their profile, the post form, their posts."""
    found = use.contributor_of(conn, user["id"]) if user else None
    posts = post_store.posts_of_source(conn, found["source_id"], limit=50) if found else []
    return {
        "signed_in": user is not None,
        "contributor": _profile(found, user) if found and user else None,
        "posts": [_own_post(p) for p in posts],
        "form": {**form.__dict__},
        "error": error,
        "notice": notice,
        "limits": {
            "title_chars": use.TITLE_CHARS,
            "body_chars": POST_MAX_CHARS,
            "about_chars": use.ABOUT_CHARS,
            "images": use.MAX_IMAGES,
            "image_mb": MAX_IMAGE_BYTES >> 20,
        },
    }


def _profile(found: dict[str, Any], user: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": found["name"],
        "about": found["about"],
        "since": found["since"].isoformat() if found["since"] else None,
        "publisher_id": found["source_id"],
        "url": use.author_ref(found["name"], user["name"])["url"],
    }


def _own_post(post: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": post["id"],
        "title": post["title"],
        "status": post["status"],
        "status_text": STATUS_TEXT.get(post["status"], post["status"]),
        "processing": post["status"] == "published" and post["enriched_at"] is None,
        "article_id": post["article_id"],
        "ai_assisted": post["ai_assisted"],
        "place": post["place"]["name"] if post["place"] else None,
        "created": post["created_at"],
    }


def author_view(conn: Connection, name: str) -> dict[str, Any] | None:
    """An author's page: their profile and published posts, each in full; None if none."""
    user = user_store.user_by_name(conn, normal_name(name))
    found = use.contributor_of(conn, user["id"]) if user else None
    if user is None or found is None:
        return None
    posts = post_store.posts_of_source(conn, found["source_id"], "published", AUTHOR_POSTS)
    cards = {c["id"]: c for c in cards_for(conn, [p["article_id"] for p in posts])}
    shown = [
        {**cards[p["article_id"]], "post_id": p["id"], "body_html": _html(p["body_html"])}
        for p in posts
        if p["article_id"] in cards
    ]
    stats = source_store.source_stats(conn, found["source_id"])
    return {"author": {**_profile(found, user), **stats}, "posts": shown}


def _html(stored: str) -> Markup:
    return Markup(clean_comment_html(stored))  # cleaned again on the way out


# -- endpoints -------------------------------------------------------------------------------


class Contributors:
    """The contributors' endpoints, over community/posts.py."""

    def __init__(
        self,
        accounts: Accounts,
        templates: Jinja2Templates,
        proxy: ImageProxy,
        data_dir: Path,
        base_url: str,
        max_pixels: int,
    ) -> None:
        self.accounts, self.db, self.templates = accounts, accounts.db, templates
        self.proxy, self.uploads, self.base_url = proxy, Path(data_dir) / "uploads", base_url
        self.max_pixels = min(max_pixels, UPLOAD_MAX_PIXELS)
        self.forms = CommentForms(accounts, templates)  # for its refusal page

    def _page(
        self,
        request: Request,
        form: PostForm | None = None,
        error: str = "",
        status: int = 200,
    ) -> Response:
        user = self.accounts.reader(request).user
        notice = request.query_params.get("m", "")[:300]
        with self.db.connect() as conn:
            data = contribute_view(conn, user, form or PostForm(), error, notice)
        if request.url.path.endswith(".json"):
            return JSONResponse(to_jsonable(data), status_code=status)
        context = {"contribute": data, "json_url": "/contribute.json"}
        return self.templates.TemplateResponse(
            request, "contribute.html", context, status_code=status
        )

    async def page(self, request: Request) -> Response:
        """GET /contribute: become a contributor, or post and see your posts."""
        return await run_in_threadpool(self._page, request)

    async def join(self, request: Request) -> Response:
        """POST /contribute/join: the reader becomes a contributor (with an About)."""
        done = "You are a contributor: write your first post below."
        return await self._profile(request, use.become_contributor, done)

    async def profile(self, request: Request) -> Response:
        """POST /contribute/profile: the contributor's About."""
        return await self._profile(request, use.update_about, "Your profile is saved.")

    async def _profile(self, request: Request, act: Any, done: str) -> Response:
        form = await self.accounts.form(request)
        user = self.accounts.reader(request).user
        if user is None:
            return RedirectResponse("/signin?next=/contribute", status_code=303)

        def write() -> None:
            with write_transaction(self.db) as conn:
                act(conn, int(user["id"]), _text(form, "about"), datetime.now(UTC))

        try:
            await run_in_threadpool(write)
        except CommentError as exc:
            return await run_in_threadpool(self._page, request, None, exc.message, exc.status)
        return RedirectResponse(f"/contribute?m={quote_plus(done)}", status_code=303)

    async def submit(self, request: Request) -> Response:
        """POST /contribute/posts: a new post, with its images (multipart)."""
        user = self.accounts.reader(request).user
        if user is None:
            return RedirectResponse("/signin?next=/contribute", status_code=303)
        try:
            form = await self.accounts.form(bounded(request, MAX_BODY))
        except TooLarge:
            limit = f"{use.MAX_IMAGES} images of at most {MAX_IMAGE_BYTES >> 20} MB"
            return self.forms.refused(request, 413, f"The post is too large: send {limit}.")
        title, body, ai, place = (_text(form, name) for name in ("title", "body", "ai", "place"))
        typed = PostForm(title, body, ai, place)
        try:
            images = await _images(form)
            posted = await run_in_threadpool(
                self._submit, int(user["id"]), typed, _text(form, "place_key"), images
            )
        except (CommentError, Refused) as exc:
            typed.choices = getattr(exc, "choices", [])
            return await run_in_threadpool(self._page, request, typed, exc.message, exc.status)
        if posted.article_id is not None:
            return RedirectResponse(f"/a/{posted.article_id}", status_code=303)
        held = "Your post waits for a moderator: the automatic check held it. It is not public yet."
        return RedirectResponse(f"/contribute?m={quote_plus(held)}#post-{posted.id}", 303)

    def _submit(
        self, user_id: int, typed: PostForm, place_key: str, images: list[tuple[bytes, str]]
    ) -> use.Submitted:
        now = datetime.now(UTC)
        with self.db.connect() as conn:
            checked = use.check_post(conn, user_id, typed.title, typed.body, typed.ai, now)
        place = pick_place(place_finder(), typed.place, place_key[:300])
        kept = [self._keep(data, caption) for data, caption in images]
        with write_transaction(self.db) as conn:
            return use.submit_post(conn, checked, place, kept, now, self.base_url)

    def _keep(self, data: bytes, caption: str) -> dict[str, str]:
        """Keep an upload; its address and caption, as a post's image."""
        body, extension = reencode_image(data, self.max_pixels)
        name = f"{hashlib.sha256(body).hexdigest()}.{extension}"
        path = self.uploads / name
        if not path.exists():
            self.uploads.mkdir(parents=True, exist_ok=True)
            path.with_suffix(".part").write_bytes(body)
            path.with_suffix(".part").replace(path)
        url = f"{self.base_url}/uploads/{name}"
        # Pages read images from the proxy's cache: an upload is put there, never fetched.
        self.proxy._write_cache(url, body, UPLOAD_TYPES[extension])
        return {"url": url, "caption": use.normal_caption(caption)}

    def upload(self, request: Request) -> Response:
        """GET /uploads/<name>: a kept upload (the proxy's cache refills from here)."""
        name = request.path_params["name"]
        if not UPLOAD_NAME.fullmatch(name):
            raise HTTPException(404, "No image by that name.")
        try:
            body = (self.uploads / name).read_bytes()
        except FileNotFoundError as exc:
            raise HTTPException(404, "No image by that name.") from exc
        kind = UPLOAD_TYPES[name.rsplit(".", 1)[1]]
        return Response(body, media_type=kind, headers=UPLOAD_HEADERS)

    def author(self, request: Request) -> Response:
        """GET /u/<name>: the author's profile and posts (and its JSON twin)."""
        name = request.path_params["name"]
        with self.db.connect() as conn:
            data = author_view(conn, name)
        if data is None:
            raise HTTPException(404, "No contributor has that name.")
        if request.url.path.endswith(".json"):
            return JSONResponse(to_jsonable(add_proxy_urls(data, self.proxy)))
        context = {"author": data, "json_url": f"/u/{quote_plus(name)}.json"}
        return self.templates.TemplateResponse(request, "author.html", context)

    def post(self, request: Request) -> Response:
        """GET /posts/<id>: a published post's article page."""
        post_id = int(request.path_params["post_id"])
        with self.db.connect() as conn:
            found = published_post(conn, post_id) if post_id <= MAX_ID else None
        if found is None:
            raise HTTPException(404, "No published post has that number.")
        return RedirectResponse(f"/a/{found['article_id']}", status_code=302)

    async def decide(self, request: Request) -> Response:
        """POST /moderation/posts/<id>: a moderator approves or removes a held post."""
        post_id = int(request.path_params["post_id"])
        form = await self.accounts.form(request)
        user = self.accounts.reader(request).user
        if user is None:
            return self.forms.refused(request, 403, "Only moderators decide; sign in first.")
        decision = (_text(form, "action"), _text(form, "rule"), _text(form, "note"))

        def write() -> str:
            with write_transaction(self.db) as conn:
                return moderation.decide_post(
                    conn, int(user["id"]), post_id, decision, datetime.now(UTC), self.base_url
                )

        try:
            message = await run_in_threadpool(write)
        except CommentError as exc:
            return self.forms.refused(request, exc.status, exc.message)
        return RedirectResponse(f"/moderation?m={quote_plus(message)}", status_code=303)


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


async def _images(form: FormData) -> list[tuple[bytes, str]]:
    """The uploaded images (bytes, caption), at most MAX_IMAGES; Refused when one is too big."""
    found = []
    for n in range(use.MAX_IMAGES):
        upload = form.get(f"image{n}")
        if not isinstance(upload, UploadFile) or not upload.filename:
            continue
        if upload.size is not None and upload.size > MAX_IMAGE_BYTES:
            raise Refused(413, f"An image may be at most {MAX_IMAGE_BYTES >> 20} MB.")
        found.append((await upload.read(MAX_IMAGE_BYTES + 1), _text(form, f"caption{n}")))
    return found
