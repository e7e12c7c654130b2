"""Why an HTTP fetch failed: the one vocabulary for feeds, articles, robots.txt, storage, the UI and logs.

The values are what gets stored (``feeds.last_error_kind``, the kind before ": " in an entry's
``fetch_error`` and a copy's ``fetch_reason``), so they are stable words, never renamed lightly.
Whether a failure is worth retrying is a property of the kind, decided here and nowhere else.
"""

from __future__ import annotations

from enum import StrEnum


class HttpError(StrEnum):
    BAD_URL = "bad_url"  # not an http(s) URL (javascript:, file://, ...), or unparsable
    DNS = "dns"  # host name does not resolve
    REFUSED = "refused"  # TCP connection refused
    NETWORK = "network"  # other socket-level failure (unreachable, reset)
    TIMEOUT = "timeout"  # connect/read timeout, or the total time limit while streaming
    TLS = "tls"  # handshake or certificate failure
    SSRF_BLOCKED = "ssrf_blocked"  # resolves to a loopback/private/link-local/... address not allowed
    TOO_LARGE = "too_large"  # body (after decompression) over max_bytes, or a Content-Length announcing it
    TRUNCATED = "truncated"  # connection closed before Content-Length bytes arrived
    DECODE = "decode"  # broken gzip/deflate/br stream
    PROTOCOL = "protocol"  # malformed HTTP
    TOO_MANY_REDIRECTS = "too_many_redirects"
    BAD_REDIRECT = "bad_redirect"  # 3xx without a usable Location
    RATE_LIMITED = "rate_limited"  # 429
    NOT_FOUND = "not_found"  # 404
    GONE = "gone"  # 410
    HTTP_4XX = "http_4xx"  # any other 4xx (401, 403, ...)
    HTTP_5XX = "http_5xx"
    HTTP_OTHER = "http_other"  # 1xx/3xx we cannot use

    @property
    def final(self) -> bool:
        """Asking the same URL again cannot succeed: refused by policy, or the server said it is not there."""
        return self in _FINAL

    @property
    def refused(self) -> bool:
        """newsmon itself refused to request the URL (a private address, a scheme that is not the web)."""
        return self in (HttpError.SSRF_BLOCKED, HttpError.BAD_URL)


_FINAL = frozenset({HttpError.BAD_URL, HttpError.SSRF_BLOCKED, HttpError.NOT_FOUND, HttpError.GONE})


def status_error(status: int) -> HttpError | None:
    """The error kind of an HTTP status, or None for a usable answer (2xx, 304)."""
    if 200 <= status < 300 or status == 304:
        return None
    if status == 404:
        return HttpError.NOT_FOUND
    if status == 410:
        return HttpError.GONE
    if status == 429:
        return HttpError.RATE_LIMITED
    if 400 <= status < 500:
        return HttpError.HTTP_4XX
    if 500 <= status < 600:
        return HttpError.HTTP_5XX
    return HttpError.HTTP_OTHER
