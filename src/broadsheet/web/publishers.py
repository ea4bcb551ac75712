"""Publishers' pages: claim a publisher's page by proving control of its site, then edit its
card, manage its feeds, mark corrections and read its dashboard (/publishers/...).

- A claim is a row tying a reader to a publisher for CLAIM_DAYS; its token is an HMAC of the
  row (secret key, claim id, user, publisher, a random nonce), so it is shown again on every
  visit yet never stored. The site proves control by serving it at WELL_KNOWN_PATH under the
  publisher's home origin, or in a <meta name="broadsheet-verification"> on its home page;
  both are fetched through the app's Fetcher (the SSRF guard, robots.txt and size caps apply).
- A verified claim makes the reader a manager; a publisher may have several. Every manager
  page answers 403 to anyone else. These pages are never in the page cache.
- A publisher is one sources row; a manager may add further feeds of its own site, each a
  sources row tied to it (publisher_feeds), polled on its own and counted on its dashboard.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import quote_plus, urlsplit

import lxml.html
from lxml.etree import ParserError
from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.templating import Jinja2Templates

from broadsheet.ingest.discover import classify_url_document
from broadsheet.ingest.fetch import Fetcher, FetchError
from broadsheet.ingest.urls import UrlError, validate_source_url
from broadsheet.models import Source, to_jsonable
from broadsheet.store import articles as article_store
from broadsheet.store import publishers as store
from broadsheet.store import sources as source_store
from broadsheet.store import write_transaction
from broadsheet.web.accounts import Accounts
from broadsheet.web.sessions import SignInLimiter
from broadsheet.web.views import is_valid_id, iso_time

CLAIM_DAYS = 7
WELL_KNOWN_PATH = "/.well-known/broadsheet-verification.txt"
META_NAME = "broadsheet-verification"
MAX_SCANNED_CHARS = 200_000  # of a verification page: the token is near its start
DASHBOARD_DAYS = 30
LIMITS = {"name": 300, "logo_url": 2000, "home_city": 200, "about": 2000}
MAX_LINKS, LABEL_CHARS, URL_CHARS = 5, 100, 2000
TOP_CHANNELS, TOP_STORIES = 12, 10  # the dashboard's lists, of all articles in its window
CORRECTION_CHARS = 1000
MAX_FEEDS = 20
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
TITLES = {400: "Not saved", 403: "Not allowed", 404: "Not found"}
_LABELS = {"name": "name", "logo_url": "logo address", "home_city": "home city", "about": "about"}


class PublisherError(Exception):
    """An action refused, with the status and what the publisher can do about it."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


# -- claims -----------------------------------------------------------------------------------


VERIFY_TRIES = 10  # failed verifications per account in 15 minutes


def claim_token(secret_key: str, claim: dict[str, Any]) -> str:
    """The token a claim's site must show: signed over the claim, never stored."""
    message = f"publisher-claim:{claim['id']}:{claim['user_id']}:{claim['source_id']}"
    digest = hmac.new(
        secret_key.encode(), f"{message}:{claim['nonce']}".encode(), hashlib.sha256
    ).hexdigest()
    return f"broadsheet-verify-{digest[:40]}"


def same_site(url: str, home_url: str) -> bool:
    """True when url is on the home's host and port (a leading "www." and http/https aside)."""
    if not (_web_url(url) and _web_url(home_url)):
        return False
    return _host(url) == _host(home_url) and urlsplit(url).port == urlsplit(home_url).port


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")


def check_site(fetcher: Fetcher, home_url: str, token: str) -> tuple[str, list[str]]:
    """("well-known" or "meta", []) when the publisher's site shows the token, else ("",
    what each place said)."""
    parts = urlsplit(home_url)
    well_known = f"{parts.scheme}://{parts.netloc}{WELL_KNOWN_PATH}"
    problems = []
    for method, url in (("well-known", well_known), ("meta", home_url)):
        try:
            page = fetcher.fetch_page(url)
        except FetchError as exc:
            problems.append(f"{url} could not be reached ({exc.reason})")
            continue
        if not same_site(page.final_url, home_url):
            problems.append(f"{url} sent us to another site, {page.final_url}")
        elif _shows(method, page.text[:MAX_SCANNED_CHARS], token):
            return method, []
        else:
            problems.append(f"{url} does not contain your token")
    return "", problems


def _shows(method: str, text: str, token: str) -> bool:
    if method == "well-known":
        return token in text
    try:
        found = lxml.html.fromstring(text or "<html></html>").xpath(
            f'//meta[@name="{META_NAME}"]/@content'
        )
    except (ParserError, ValueError):
        return False
    return any(hmac.compare_digest(str(value).strip(), token) for value in found)


# -- the card ---------------------------------------------------------------------------------


def read_card(form: FormData) -> tuple[dict[str, str], list[dict[str, str]]]:
    """The card and links a manager sent, cleaned; PublisherError saying what to fix."""
    card = {key: _clean(form.get(key), one_line=key != "about") for key in LIMITS}
    for key, limit in LIMITS.items():
        if len(card[key]) > limit:
            label = _LABELS[key]
            raise PublisherError(
                400, f"The {label} is {len(card[key]):,} characters; at most {limit:,} fit."
            )
    if not card["name"]:
        raise PublisherError(400, "The name is empty; give the publisher's name.")
    if card["logo_url"] and not _web_url(card["logo_url"]):
        raise PublisherError(400, "The logo must be an http:// or https:// address of an image.")
    links = []
    for n in range(1, MAX_LINKS + 1):
        label, url = _clean(form.get(f"link_label_{n}")), _clean(form.get(f"link_url_{n}"))
        if not url and not label:
            continue
        if not _web_url(url) or len(url) > URL_CHARS:
            raise PublisherError(
                400,
                f"Link {n} must be an http:// or https:// address of at most {URL_CHARS} "
                "characters.",
            )
        if len(label) > LABEL_CHARS:
            raise PublisherError(400, f"Link {n}'s label is longer than {LABEL_CHARS} characters.")
        links.append({"label": label or _host(url), "url": url})
    return card, links


def _clean(value: object, one_line: bool = True) -> str:
    """A form field without control characters (NUL is an error on PostgreSQL), trimmed;
    one_line: runs of white space made one space."""
    text = _CONTROL.sub("", str(value or "")).replace("\r\n", "\n").strip()
    return " ".join(text.split()) if one_line else text


def _web_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
    except ValueError:  # a bad port or IPv6 literal
        return False


# -- page data --------------------------------------------------------------------------------


def dashboard_view(conn: Connection, publisher_id: int, today: date) -> dict[str, Any] | None:
    """The publisher's dashboard (and its JSON twin): counts by day over DASHBOARD_DAYS,
    totals, top articles, the channels and stories it feeds, its feeds and their errors."""
    source = source_store.get_source(conn, publisher_id)
    if source is None:
        return None
    ids = store.feed_ids(conn, publisher_id)
    first = today - timedelta(days=DASHBOARD_DAYS - 1)
    since = datetime.combine(first, time(), UTC)
    posts, views = store.posts_by_day(conn, ids, since), store.views_by_day(conn, ids, since)
    followers, new_followers = store.follows_by_day(conn, ids, since)
    days = []
    for n in range(DASHBOARD_DAYS):
        day = (first + timedelta(days=n)).isoformat()
        followers += new_followers.get(day, 0)
        days.append(
            {
                "date": day,
                "followers": followers,
                "new_followers": new_followers.get(day, 0),
                "posts": posts.get(day, 0),
                "views": views.get(day, 0),
            }
        )
    stats = [source_store.source_stats(conn, i) for i in ids]
    return {
        "publisher": _card_of(conn, source),
        "from": first.isoformat(),
        "to": today.isoformat(),
        "days": days,
        "totals": {key: sum(s[key] for s in stats) for key in ("followers", "posts", "views")},
        "top_articles": [_article(row) for row in store.top_articles(conn, ids)],
        "channels": store.channel_counts(conn, ids, since, TOP_CHANNELS),
        "stories": store.story_counts(conn, ids, since, TOP_STORIES),
        "feeds": [_feed(row) for row in store.feed_rows(conn, ids)],
        "errors": [
            {**row, "created_at": iso_time(row["created_at"])}
            for row in store.feed_errors(conn, ids)
        ],
    }


def manage_view(conn: Connection, publisher_id: int, user_id: int) -> dict[str, Any] | None:
    """The card, feeds, managers (for the first one) and recent articles of the manage page."""
    source = source_store.get_source(conn, publisher_id)
    if source is None:
        return None
    ids = store.feed_ids(conn, publisher_id)
    everyone = store.managers(conn, publisher_id)
    first = bool(everyone) and everyone[0]["user_id"] == user_id
    return {
        "publisher": _card_of(conn, source),
        "feeds": [_feed(row) for row in store.feed_rows(conn, ids)],
        "managers": [
            {"name": m["name"], "method": m["method"], "verified_at": iso_time(m["verified_at"])}
            for m in everyone
        ]
        if first
        else None,
        "articles": [_article(row) for row in store.latest_articles(conn, ids, 50)],
        "limits": {**LIMITS, "links": MAX_LINKS, "correction": CORRECTION_CHARS},
    }


def _card_of(conn: Connection, source: Source) -> dict[str, Any]:
    assert source.id is not None
    return {
        "id": source.id,
        "name": source.name,
        "home": source.home_city,
        "about": source.about,
        "site": source.home_url,
        "logo_url": source.logo_url,
        "links": store.links_of(conn, source.id),
    }


def _article(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "title": row["title"],
        "published": iso_time(row["published"]),
        **({"views": row["views"]} if "views" in row else {}),
    }


def _feed(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "feed_url": row["feed_url"],
        "kind": row["kind"],
        "paused": row["paused_at"] is not None,
        "last_fetched_at": iso_time(row["last_fetched_at"]),
        "last_success_at": iso_time(row["last_success_at"]),
        "last_error": row["last_error"],
        "failures": row["failures"],
    }


# -- endpoints --------------------------------------------------------------------------------


class PublisherPages:
    """The /publishers/... endpoints: claim, verify, dashboard, card, feeds, corrections."""

    def __init__(
        self, accounts: Accounts, templates: Jinja2Templates, fetcher: Fetcher, secret_key: str
    ) -> None:
        self.accounts = accounts
        self.db = accounts.db
        self.templates = templates
        self.fetcher = fetcher  # the app's: the SSRF guard applies to every site we check
        self.verify_limiter = SignInLimiter(limit=VERIFY_TRIES)
        self.secret_key = secret_key

    # -- claiming ---------------------------------------------------------------------------

    async def claim_index(self, request: Request) -> Response:
        """GET /publishers/claim: find a publisher to claim; the ones the reader manages."""
        words = request.query_params.get("q", "").strip()[:100]
        user = self.accounts.reader(request).user

        def read() -> dict[str, Any]:
            with self.db.connect() as conn:
                return {
                    "query": words,
                    "found": store.find_publishers(conn, words) if words else [],
                    "managed": store.managed_by(conn, user["id"]) if user else [],
                }

        context = {"claim": await run_in_threadpool(read), "signed_in": user is not None}
        return self.templates.TemplateResponse(request, "publisher_claim.html", context)

    async def claim_page(self, request: Request, error: str = "", status: int = 200) -> Response:
        """GET /publishers/<id>/claim: the reader's claim, its token and how to show it."""
        publisher_id = _publisher_id(request)
        user = self.accounts.reader(request).user
        data = await run_in_threadpool(self._claim_state, publisher_id, user)
        if data is None:
            return self.refused(request, 404, "No publisher has that number.")
        if data.get("part_of"):  # a feed a manager added: its publisher is what is claimed
            return RedirectResponse(f"/publishers/{data['part_of']}/claim", status_code=303)
        context = {"claim": data, "signed_in": user is not None, "error": error}
        return self.templates.TemplateResponse(
            request, "publisher_claim.html", context, status_code=status
        )

    def _claim_state(self, publisher_id: int, user: dict[str, Any] | None) -> dict[str, Any] | None:
        with self.db.connect() as conn:
            source = source_store.get_source(conn, publisher_id)
            if source is None:
                return None
            parent = store.publisher_of_feed(conn, publisher_id)
            if parent is not None:
                return {"part_of": parent}
            claim = store.latest_claim(conn, publisher_id, user["id"]) if user else None
            manager = user is not None and store.is_manager(conn, publisher_id, user["id"])
        now = datetime.now(UTC)
        live = claim is not None and claim["verified_at"] is None and claim["expires_at"] > now
        parts = urlsplit(source.home_url)
        return {
            "publisher": {"id": source.id, "name": source.name, "site": source.home_url},
            "manager": manager,
            "token": claim_token(self.secret_key, claim) if claim and live else None,
            "expires_at": iso_time(claim["expires_at"]) if claim and live else None,
            "expired": claim is not None and claim["verified_at"] is None and not live,
            "well_known_url": f"{parts.scheme}://{parts.netloc}{WELL_KNOWN_PATH}"
            if _web_url(source.home_url)
            else "",
        }

    async def start_claim(self, request: Request) -> Response:
        """POST /publishers/<id>/claim: a new claim token (an unexpired one is kept)."""
        publisher_id = _publisher_id(request)
        await self.accounts.form(request)
        user = self.accounts.reader(request).user
        if user is None:
            return self.refused(request, 403, "Sign in first: a claim belongs to an account.")

        def write() -> bool:
            now = datetime.now(UTC)
            with write_transaction(self.db) as conn:
                if source_store.get_source(conn, publisher_id) is None:
                    return False
                if store.publisher_of_feed(conn, publisher_id) is not None:
                    return False  # one of a publisher's added feeds: claim the publisher
                claim = store.latest_claim(conn, publisher_id, user["id"])
                if claim is None or claim["verified_at"] or claim["expires_at"] <= now:
                    until = now + timedelta(days=CLAIM_DAYS)
                    store.create_claim(
                        conn, publisher_id, user["id"], secrets.token_hex(16), now, until
                    )
                return True

        if not await run_in_threadpool(write):
            return self.refused(request, 404, "No publisher has that number.")
        return RedirectResponse(f"/publishers/{publisher_id}/claim", status_code=303)

    async def verify(self, request: Request) -> Response:
        """POST /publishers/<id>/verify: fetch the site; a manager when it shows the token."""
        publisher_id = _publisher_id(request)
        await self.accounts.form(request)
        user = self.accounts.reader(request).user
        if user is None:
            return self.refused(request, 403, "Sign in first: a claim belongs to an account.")
        # Each try fetches another site: a few failed tries per account in 15 minutes.
        key = f"verify:{user['id']}"
        if self.verify_limiter.blocked(key):
            message = "Too many tries that failed. Wait fifteen minutes, then verify again."
            return await self.claim_page(request, message, 429)
        try:
            await run_in_threadpool(self._verify, publisher_id, user["id"])
        except PublisherError as exc:
            self.verify_limiter.failed(key)
            return await self.claim_page(request, exc.message, exc.status)
        return RedirectResponse(f"/publishers/{publisher_id}/dashboard", status_code=303)

    def _verify(self, publisher_id: int, user_id: int) -> None:
        with self.db.connect() as conn:
            source = source_store.get_source(conn, publisher_id)
            claim = store.latest_claim(conn, publisher_id, user_id)
        if source is None:
            raise PublisherError(404, "No publisher has that number.")
        if claim is None or claim["verified_at"] is not None:
            raise PublisherError(400, "Start a claim first: it gives you the token to show.")
        if claim["expires_at"] <= datetime.now(UTC):
            raise PublisherError(
                400,
                f"Your claim expired (they last {CLAIM_DAYS} days). "
                "Start a new claim and show its new token.",
            )
        if not _web_url(source.home_url):
            raise PublisherError(
                400,
                "Broadsheet has no web address for this publisher's "
                "site, so it cannot be verified; ask the operator to set it.",
            )
        method, problems = check_site(
            self.fetcher, source.home_url, claim_token(self.secret_key, claim)
        )
        if not method:
            raise PublisherError(
                400,
                "Not verified: " + "; ".join(problems) + ". Put the "
                "token in place and press Verify again.",
            )
        with write_transaction(self.db) as conn:
            store.verify_claim(conn, claim, method, datetime.now(UTC))

    # -- manager pages ----------------------------------------------------------------------

    async def dashboard(self, request: Request) -> Response:
        """GET /publishers/<id>/dashboard (and .json): the publisher's numbers."""
        publisher_id = _publisher_id(request)
        try:
            await self._manager(request, publisher_id)
        except PublisherError as exc:
            return self.refused(request, exc.status, exc.message)
        data = await run_in_threadpool(
            self._read, dashboard_view, publisher_id, datetime.now(UTC).date()
        )
        if request.url.path.endswith(".json"):
            return JSONResponse(to_jsonable(data))
        context = {"dashboard": data, "json_url": f"/publishers/{publisher_id}/dashboard.json"}
        return self.templates.TemplateResponse(request, "publisher_dashboard.html", context)

    async def manage(
        self,
        request: Request,
        error: str = "",
        status: int = 200,
        sent: dict[str, Any] | None = None,
    ) -> Response:
        """GET /publishers/<id>/manage: the card form, the feeds, corrections, managers."""
        publisher_id = _publisher_id(request)
        try:
            user_id = await self._manager(request, publisher_id)
        except PublisherError as exc:
            return self.refused(request, exc.status, exc.message)
        data = await run_in_threadpool(self._read, manage_view, publisher_id, user_id)
        context = {
            "manage": data,
            "error": error,
            "sent": sent,
            "notice": request.query_params.get("m", "")[:300] if not error else "",
        }
        return self.templates.TemplateResponse(
            request, "publisher_manage.html", context, status_code=status
        )

    async def edit_card(self, request: Request) -> Response:
        """POST /publishers/<id>/card: name, logo, home city, about and links."""
        return await self._act(request, self._save_card)

    async def add_feed(self, request: Request) -> Response:
        """POST /publishers/<id>/feeds: one more feed or sitemap of the publisher's site."""
        return await self._act(request, self._add_feed)

    async def toggle_feed(self, request: Request) -> Response:
        """POST /publishers/<id>/feeds/<feed_id>: pause or resume its polling."""
        return await self._act(request, self._toggle_feed)

    async def add_correction(self, request: Request) -> Response:
        """POST /publishers/<id>/corrections: a correction on one of its articles."""
        return await self._act(request, self._correct)

    async def _act(self, request: Request, action: Any) -> Response:
        publisher_id = _publisher_id(request)
        form = await self.accounts.form(request)
        try:
            user_id = await self._manager(request, publisher_id)
            message = await run_in_threadpool(action, publisher_id, user_id, form, request)
        except PublisherError as exc:
            if exc.status == 400:
                return await self.manage(request, exc.message, 400, dict(form))
            return self.refused(request, exc.status, exc.message)
        return RedirectResponse(
            f"/publishers/{publisher_id}/manage?m={quote_plus(message)}", status_code=303
        )

    def _save_card(self, publisher_id: int, user_id: int, form: FormData, _: Request) -> str:
        card, links = read_card(form)
        with write_transaction(self.db) as conn:
            store.update_card(conn, store.feed_ids(conn, publisher_id), card)
            store.set_links(conn, publisher_id, links)
        return "Card saved."

    def _add_feed(self, publisher_id: int, user_id: int, form: FormData, _: Request) -> str:
        with self.db.connect() as conn:
            source = source_store.get_source(conn, publisher_id)
            count = len(store.feed_ids(conn, publisher_id))
        assert source is not None  # _manager found it
        try:
            url = validate_source_url(str(form.get("feed_url", ""))[: URL_CHARS + 100])
        except UrlError as exc:
            raise PublisherError(400, str(exc).removeprefix("urls: ")) from exc
        if not _web_url(source.home_url) or not same_site(url, source.home_url):
            raise PublisherError(400, f"The feed must be on your site, {source.home_url or '—'}.")
        if count >= MAX_FEEDS:
            raise PublisherError(400, f"A publisher has at most {MAX_FEEDS} feeds.")
        try:
            kind = classify_url_document(self.fetcher.fetch_page(url))
        except FetchError as exc:
            raise PublisherError(400, f"{url} could not be read: {exc.reason}.") from exc
        if kind not in ("feed", "sitemap"):
            raise PublisherError(400, f"{url} is not an RSS, Atom or JSON feed, nor a sitemap.")
        feed = Source(
            source.name,
            url,
            source.home_url,
            source.home_city,
            source.about,
            source.logo_url,
            kind=kind,
        )
        with write_transaction(self.db) as conn:
            if store.source_for_feed_url(conn, url) is not None:
                raise PublisherError(400, f"{url} is already read by Broadsheet.")
            new_id = source_store.upsert_source(conn, feed)
            store.add_feed(conn, publisher_id, new_id, user_id, datetime.now(UTC))
        return f"Feed added: {url}. It is read on the next round of polling."

    def _toggle_feed(self, publisher_id: int, user_id: int, form: FormData, req: Request) -> str:
        feed_id = int(req.path_params["feed_id"])
        action = str(form.get("action", ""))
        with write_transaction(self.db) as conn:
            if feed_id not in store.feed_ids(conn, publisher_id):
                raise PublisherError(404, "That feed is not one of this publisher's.")
            if action == "pause":
                store.pause_feed(conn, feed_id, datetime.now(UTC))
                return f"Feed #{feed_id} paused: it is not read until you resume it."
            if action == "resume":
                source_store.resume_source(conn, feed_id, datetime.now(UTC))
                return f"Feed #{feed_id} resumed: it is read on the next round of polling."
        raise PublisherError(400, "Choose pause or resume.")

    def _correct(self, publisher_id: int, user_id: int, form: FormData, _: Request) -> str:
        raw = str(form.get("article", ""))
        text = _clean(form.get("text"), one_line=False)
        if not text:
            raise PublisherError(400, "The correction is empty; say what was corrected.")
        if len(text) > CORRECTION_CHARS:
            raise PublisherError(
                400,
                f"The correction is {len(text):,} characters; at most {CORRECTION_CHARS:,} fit.",
            )
        article_id = int(raw) if raw.isdigit() and len(raw) <= 19 else 0
        with write_transaction(self.db) as conn:
            row = article_store.get_article(conn, article_id) if is_valid_id(article_id) else None
            if row is None or row["source_id"] not in store.feed_ids(conn, publisher_id):
                raise PublisherError(400, "Choose one of this publisher's articles.")
            store.add_correction(conn, article_id, user_id, text, datetime.now(UTC))
        return f"Correction added to article #{article_id}."

    # -- common -----------------------------------------------------------------------------

    async def _manager(self, request: Request, publisher_id: int) -> int:
        """The signed-in reader's id when they manage the publisher, else PublisherError."""
        user = self.accounts.reader(request).user
        if user is None:
            raise PublisherError(403, "Sign in with an account that manages this publisher.")

        def check() -> bool | None:
            with self.db.connect() as conn:
                if source_store.get_source(conn, publisher_id) is None:
                    return None
                return store.is_manager(conn, publisher_id, user["id"])

        allowed = await run_in_threadpool(check)
        if allowed is None:
            raise PublisherError(404, "No publisher has that number.")
        if not allowed:
            raise PublisherError(
                403,
                "Only this publisher's managers see this page: claim "
                f"it first at /publishers/{publisher_id}/claim.",
            )
        return int(user["id"])

    def _read(self, view: Any, *args: Any) -> Any:
        with self.db.connect() as conn:
            return view(conn, *args)

    def refused(self, request: Request, status: int, message: str) -> Response:
        """The page (or JSON) saying why a page or an action was refused."""
        if request.url.path.endswith(".json"):
            return JSONResponse({"error": message, "status": status}, status_code=status)
        context = {
            "status_code": status,
            "title": TITLES.get(status, "Not done"),
            "message": message,
        }
        return self.templates.TemplateResponse(request, "error.html", context, status_code=status)


def _publisher_id(request: Request) -> int:
    value = int(request.path_params["publisher_id"])
    return value if is_valid_id(value) else 0
