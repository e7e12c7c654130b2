"""Who may see the page and what the browser may do with it.

Authentication is Airflow's own: `GetUserDep` reads the JWT from the `Authorization: Bearer` header or
the `_token` cookie that the Airflow UI sets at login (the iframe of the nav link sends it because it is
same-origin). Plugin apps get no protection by default, so `create_app` puts `requires_authenticated`
on every route. Stored text comes from the open web, so besides Jinja's autoescape the pages carry a
Content-Security-Policy that allows no inline script at all: even a missed escape could not run.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import Annotated

from airflow.api_fastapi.core_api.security import GetUserDep, requires_authenticated
from fastapi import Depends, HTTPException, Request, status
from starlette.middleware.base import BaseHTTPMiddleware

__all__ = ["ERROR_CSS", "CurrentUser", "SecurityHeaders", "require_same_origin", "requires_authenticated"]

# The error page cannot load the stylesheet (that route needs a login too), so its one inline <style>
# block is allowed by its hash; nothing else inline is.
ERROR_CSS = (Path(__file__).parent / "static" / "error.css").read_text(encoding="utf-8")
_ERROR_CSS_HASH = base64.b64encode(hashlib.sha256(ERROR_CSS.encode()).digest()).decode()

CSP = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        f"style-src 'self' 'sha256-{_ERROR_CSS_HASH}'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",  # the Airflow UI (same origin) may embed the page; nobody else
        "base-uri 'none'",
    )
)


class SecurityHeaders(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next):
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        if "cache-control" not in response.headers:
            # Pages and API answers are per-user and private.
            response.headers["Cache-Control"] = "no-store"
        return response


def user_name(user: GetUserDep) -> str:
    """The logged-in Airflow user's name: what feedback is stored under."""
    return user.get_name()


CurrentUser = Annotated[str, Depends(user_name)]


def require_same_origin(request: Request) -> None:
    """A browser form POST must come from a page of this site (CSRF defence on top of SameSite=Lax)."""
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "cross-site form posts are refused")
    origin = request.headers.get("origin")
    if origin is not None:
        expected = f"{request.url.scheme}://{request.url.netloc}"
        if origin != expected:
            raise HTTPException(status.HTTP_403_FORBIDDEN, "cross-site form posts are refused")
