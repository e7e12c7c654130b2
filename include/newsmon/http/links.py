"""Which stored URLs may be shown as clickable links (News Monitor pages, alert emails), and why not.

A stored URL came from a feed or a page, so from a stranger. It is a link only when it is a web
address (http/https with a host) that newsmon itself did not refuse: not an address literal on a
loopback, private or link-local network, and not a URL whose fetch the SSRF guard stopped (a name that
resolved to such an address, or a redirect that led to one — the stored outcome says so, because a
page must not resolve names to decide). A refused link is shown as text, with the reason.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from newsmon.http.errors import HttpError
from newsmon.http.ssrf import blocked_reason


@dataclass(frozen=True)
class Link:
    href: str | None  # the URL to link to, or None
    refused: str | None  # why it is not a link (None when it is one, or when there is no URL at all)


def _not_web(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        return "not a valid web address"
    if parts.scheme.lower() not in ("http", "https"):
        return f"not a web address ({parts.scheme} scheme)" if parts.scheme else "not a web address"
    if not parts.hostname:
        return "not a web address (no host)"
    return None


def _private_literal(url: str) -> str | None:
    """Why the URL's host, an address literal, is not public (loopback, private, ...), or None."""
    try:
        ip = ipaddress.ip_address(urlsplit(url).hostname or "")
    except ValueError:
        return None
    return blocked_reason(ip)


def link_for(url: str | None, failure_kind: str | None = None, *, outcome_known: bool = False) -> Link:
    """How to show ``url``.

    ``failure_kind`` is the stored kind of its fetch failure; ``outcome_known`` says the caller knows how
    the fetch went (a copy: ``failure_kind`` None means fetched). Then an address literal that was fetched
    is one the operator opened (the demo server, ``allow_private``) and stays a link; without the outcome
    (an email), every non-public address literal is text.
    """
    if not url or not url.strip():
        return Link(None, None)
    url = url.strip()
    refusal = _not_web(url)
    private = None if refusal else _private_literal(url)
    if refusal is None and failure_kind == HttpError.SSRF_BLOCKED:
        refusal = f"{private} address, refused" if private else "leads to a private address, refused"
    elif refusal is None and failure_kind == HttpError.BAD_URL:
        refusal = "not a web address, refused"
    elif refusal is None and private and not outcome_known:
        refusal = f"{private} address, refused"
    return Link(None if refusal else url, refusal)


def safe_href(url: str | None, failure_kind: str | None = None) -> str | None:
    """The URL when it may be a link, else None (see :func:`link_for`; the outcome is not known here)."""
    return link_for(url, failure_kind).href
