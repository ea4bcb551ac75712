"""URLs of sources and entries: validated, normalised, and keyed for de-duplication."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import courlan

MAX_URL_LENGTH = 2000  # longer URLs are refused: browsers, proxies and indexes choke on them

# Schemes a user might paste that must never be fetched; named in the error so they can fix it.
_REFUSED_SCHEMES = frozenset(
    {"javascript", "vbscript", "file", "data", "ftp", "ftps", "mailto", "about", "blob", "chrome"}
)
# Query parameters that only track the click; dropping them never changes the article served.
# An explicit list because courlan's strict mode keeps only a short allow-list (so
# ?story=123 and ?v=abc vanish and distinct articles collide) and its loose mode's regex
# also drops real parameters such as ?game=5 and ?cid=77.
_TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "twclid", "yclid",
        "ttclid", "li_fat_id", "igshid", "igsh", "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc",
        "_hsmi", "__hstc", "__hssc", "__hsfp", "mkt_tok", "oly_anon_id", "oly_enc_id", "vero_id",
        "vero_conv", "rb_clickid", "s_cid", "wt_mc", "cmpid", "ncid", "ocid", "sr_share",
        "spm", "share", "ref_src", "ref_url", "at_medium", "at_campaign", "guccounter",
    }
)  # fmt: skip
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "matomo_", "hsa_", "itm_", "stm_")
_HOSTLIKE = re.compile(r"^[\w.-]+\.[a-z]{2,}(:\d+)?(/|$)|^localhost(:\d+)?(/|$)", re.I)
_UNUSABLE_GUIDS = frozenset({"", "0", "-1", "null", "none", "undefined", "nil", "n/a"})


class UrlError(ValueError):
    """A URL that cannot be used, with what to do about it."""


def validate_source_url(text: str) -> str:
    """The normalised http(s) URL a user typed for a source, or UrlError saying what to fix."""
    url = text.strip()
    if not url:
        raise UrlError(
            "urls: empty URL: give the address of the feed, e.g. https://example.com/feed"
        )
    if len(url) > MAX_URL_LENGTH:
        raise UrlError(
            f"urls: URL is {len(url)} characters, longer than {MAX_URL_LENGTH}: "
            "give the feed's own short address"
        )
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme in _REFUSED_SCHEMES:
        raise UrlError(f"urls: {scheme}: URLs cannot be sources: give an http:// or https:// URL")
    if "://" not in url:
        raise UrlError(_no_scheme(url))
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise UrlError(
            f"urls: {parts.scheme}: URLs cannot be sources: give an http:// or https:// URL"
        )
    _check_authority(url)
    return _normalise(url, keep_query=True)


def normalize_entry_url(url: str, base: str = "") -> str:
    """An entry's URL made absolute (against base), tracking parameters and fragment removed."""
    joined = urljoin(base, url.strip()) if base else url.strip()
    if len(joined) > MAX_URL_LENGTH:
        raise UrlError(f"urls: URL longer than {MAX_URL_LENGTH} characters: {_short(joined)}")
    if urlsplit(joined).scheme.lower() not in ("http", "https"):
        raise UrlError(f"urls: not an absolute http(s) URL: {_short(joined)}")
    _check_authority(joined)
    return _normalise(joined, keep_query=False)


def entry_key(guid: str, url: str) -> str:
    """A stable sha256 hex key for an entry: of its GUID when usable, else of its normalised URL."""
    guid = (guid or "").strip()
    if guid.lower() not in _UNUSABLE_GUIDS and len(guid) <= MAX_URL_LENGTH:
        if urlsplit(guid).scheme.lower() in ("http", "https"):
            # A permalink GUID keys like the URL, so a feed that later drops its GUIDs keeps keys.
            try:
                return _sha256(normalize_entry_url(guid))
            except UrlError:
                return _sha256("guid:" + guid)
        return _sha256("guid:" + guid)
    return _sha256(normalize_entry_url(url))


def is_tracking_param(name: str) -> bool:
    """True for a query parameter that only tracks the click (utm_*, fbclid, gclid, ...)."""
    lowered = name.lower()
    return lowered in _TRACKING_PARAMS or lowered.startswith(_TRACKING_PREFIXES)


def _check_authority(url: str) -> None:
    """Refuse URLs with no host, with credentials, or with a port that is not a number."""
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None:
        raise UrlError(
            "urls: URL carries a user name or password: remove the 'user:password@' part "
            "(credentials would be stored and sent in the clear)"
        )
    if not parts.hostname:
        raise UrlError(f"urls: URL has no host name: {_short(url)}")
    if any(c.isspace() for c in parts.netloc):
        raise UrlError(f"urls: host name contains spaces: {_short(url)}")
    try:
        parts.port  # noqa: B018  (raises ValueError for a port that is not a number)
    except ValueError as exc:
        raise UrlError(f"urls: bad port in {_short(url)}: {exc}") from None


def _normalise(url: str, *, keep_query: bool) -> str:
    """Scheme and host lower-cased, default port and fragment dropped, path cleaned by courlan."""
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if not keep_query:
        pairs = sorted((k, v) for k, v in pairs if not is_tracking_param(k))
    # urljoin resolves "/a/../b" (courlan only drops leading "/.."); courlan cleans scheme,
    # host (case, punycode, default port) and path quoting; the query is ours.
    path = urlsplit(urljoin(url, parts.path)).path if "/." in parts.path else parts.path
    base = courlan.normalize_url(urlunsplit((parts.scheme, parts.netloc, path or "/", "", "")))
    if keep_query:
        return base + ("?" + parts.query if parts.query else "")
    return base + ("?" + urlencode(pairs) if pairs else "")


def _no_scheme(url: str) -> str:
    """The error for a URL typed without http(s)://, with the likely fix."""
    stripped = url.lstrip("/")
    if _HOSTLIKE.match(stripped):
        return f"urls: {_short(url)} has no scheme: did you mean https://{_short(stripped)}?"
    return f"urls: {_short(url)} is not a URL: give an address such as https://example.com/feed"


def _short(url: str) -> str:
    return url if len(url) <= 80 else url[:77] + "..."


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
