"""The identity of an article URL: one key for every disguise the same page is linked under.

Feeds, newsletters and aggregators link one article under many spellings: http or https, with or without
``www.``, a trailing slash, ``:443``, a ``#fragment``, campaign parameters (``utm_*``, ``fbclid``...), the
AMP edition, or wrapped in a click-tracking or mail safe-link redirect. Two copies whose links differ only
like that are the same copy, so they must get the same ``url_key`` (the unique key of ``copies``).

Percent-encoding and query-order normalisation are left to ``w3lib.url.canonicalize_url`` (the library
Scrapy uses for request fingerprints); this module only adds the news-specific rules on top.
"""

from __future__ import annotations

import contextlib
import re
from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit

from w3lib.url import canonicalize_url, url_query_cleaner

#: Query parameters that say who sent the reader, never which article: dropped from the key.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "igshid",
        "twclid",
        "ttclid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "_openstat",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "wt_mc",
        "wt.mc_id",
        "ncid",
        "cmpid",
        "s_cid",
        "sr_share",
        "spm",
        "ref_src",
        "ref_url",
        "share",
        "smid",
        "rss",
        "rssfeed",
        "from_rss",
        "xtor",
        "at_medium",
        "at_campaign",
        "guccounter",
        "guce_referrer",
        "guce_referrer_sig",
        "utm",
        "amp",
        "outputtype",
        "output",
        "usqp",
        "amp_js_v",
        "amp_gsa",
        "__twitter_impression",
        "cid_source",
        "feature",
    }
)
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "at_", "ga_")
#: Output formats that only pick an edition of the same article (``?output=amp``, ``?outputType=amp``).
_EDITION_VALUES = frozenset({"amp", "1", "true", "rss", ""})

# Redirect and tracking wrappers: host pattern -> the query parameters that carry the real target.
_WRAPPERS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile(r"(^|\.)safelinks\.protection\.outlook\.com$"), ("url",)),
    (re.compile(r"(^|\.)google\.[a-z.]+$"), ("q", "url")),
    (re.compile(r"^(l|lm|m)\.facebook\.com$"), ("u",)),
    (re.compile(r"(^|\.)urldefense\.(com|proofpoint\.com)$"), ("u", "url")),
    (re.compile(r"^(out|away)\.vk\.com$|^vk\.com$"), ("to",)),
    (re.compile(r"(^|\.)news\.yandex\.[a-z]+$|^clck\.ru$"), ("url",)),
)
# Any other host: a parameter with one of these names whose value is itself an absolute http(s) URL.
_GENERIC_TARGET_PARAMS = (
    "url",
    "u",
    "target",
    "dest",
    "destination",
    "redirect",
    "redirect_url",
    "to",
    "link",
)
_MAX_UNWRAP = 5

_LEADING_HOST_LABELS = ("www.", "www1.", "www2.", "amp.", "m.", "mobile.")
_AMP_PATH_RE = re.compile(r"(/amp)+(?=/|$)|(\.amp)(?=$|\.html?$)", re.IGNORECASE)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _target_of(url: str) -> str | None:
    """The URL a redirect/tracking wrapper points at, or None when `url` is not a wrapper."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    params = dict(parse_qsl(parts.query, keep_blank_values=True))
    lowered = {k.lower(): v for k, v in params.items()}
    names: tuple[str, ...] = ()
    for pattern, carried in _WRAPPERS:
        if pattern.search(host):
            names = carried
            break
    if host.startswith("google.") or ".google." in host:
        # Only google's redirector (/url), never a search page whose q= is a search phrase.
        if parts.path.rstrip("/") not in ("/url", "/amp/s", "/amp"):
            return None
        if parts.path.startswith("/amp/s/"):
            return "https://" + parts.path[len("/amp/s/") :]
    for name in names or _GENERIC_TARGET_PARAMS:
        value = lowered.get(name)
        if not value:
            continue
        value = value.strip()
        if not re.match(r"^https?(:|%3a)", value, re.IGNORECASE):
            continue
        if value.lower().startswith(("http%3a", "https%3a")):
            value = unquote(value)
        return value
    return None


def unwrap(url: str) -> str:
    """Follow redirect/tracking wrappers (mail safe-links, google /url, ``?url=``/``?u=`` redirectors)
    offline, from the URL alone, so the key names the article and not the click-tracker."""
    current = url.strip()
    for _ in range(_MAX_UNWRAP):
        try:
            target = _target_of(current)
        except ValueError:
            return current
        if not target or target == current:
            break
        current = target
    return current


def _is_tracking(name: str, value: str) -> bool:
    low = name.lower()
    if low in ("amp", "outputtype", "output") and value.lower() not in _EDITION_VALUES:
        return False  # e.g. ?output=json changes the resource; only edition switches are dropped
    return low in TRACKING_PARAMS or low.startswith(_TRACKING_PREFIXES)


def url_key(url: str) -> str:
    """The canonical identity of an article URL (see the module docstring for what is folded together).

    The key keeps the shape of a URL (``https://host/path?query``) so it stays readable in the UI and
    logs; it is always ``https`` because no publisher serves different articles over http and https.
    Unparseable input returns the stripped input, so a hostile link can never crash the batch.
    """
    raw = unwrap(url)
    try:
        parts = urlsplit(raw)
        host = (parts.hostname or "").lower().rstrip(".")
        port = parts.port
    except ValueError:
        return raw.strip()
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not host:
        return raw.strip()
    with contextlib.suppress(UnicodeError):
        host = host.encode("idna").decode("ascii")
    changed = True
    while changed:
        changed = False
        for label in _LEADING_HOST_LABELS:
            if host.startswith(label) and host.count(".") >= 2:
                host = host[len(label) :]
                changed = True
    netloc = host if port in (None, _DEFAULT_PORTS.get(scheme)) else f"{host}:{port}"
    path = _AMP_PATH_RE.sub("", parts.path) or "/"
    path = re.sub(r"/{2,}", "/", path)
    if len(path) > 1:
        path = path.rstrip("/")
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        drop = sorted({name for name, value in pairs if _is_tracking(name, value)})
        if drop:
            query = url_query_cleaner("?" + query, drop, remove=True, unique=False).lstrip("?")
    rebuilt = urlunsplit(("https", netloc, path, query, ""))
    key = canonicalize_url(rebuilt, keep_fragments=False)
    if key.endswith("/") and urlsplit(key).path not in ("", "/"):
        key = key.rstrip("/")
    return key
