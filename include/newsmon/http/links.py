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


def _static_refusal(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        return "not a valid web address"
    if parts.scheme.lower() not in ("http", "https"):
        return f"not a web address ({parts.scheme or 'no'} scheme)" if parts.scheme else "not a web address"
    if not host:
        return "not a web address (no host)"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return None
    reason = blocked_reason(ip)
    return f"{reason} address, refused" if reason else None


def link_for(url: str | None, failure_kind: str | None = None) -> Link:
    """How to show ``url``; ``failure_kind`` is the stored kind of its fetch failure, if any."""
    if not url or not url.strip():
        return Link(None, None)
    url = url.strip()
    refusal = _static_refusal(url)
    if refusal is None and failure_kind == HttpError.SSRF_BLOCKED:
        refusal = "leads to a private address, refused"
    if refusal is None and failure_kind == HttpError.BAD_URL:
        refusal = "not a web address, refused"
    return Link(None if refusal else url, refusal)


def safe_href(url: str | None, failure_kind: str | None = None) -> str | None:
    """The URL when it may be a link, else None (see :func:`link_for`)."""
    return link_for(url, failure_kind).href
