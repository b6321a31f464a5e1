"""CSRF protection for every form: a token bound to the session, checked on each POST.

The token is an HMAC of the session cookie (or, before login, of a random ``md_anon``
cookie) under the app's secret, so it needs no storage and a page from another site, which
can make the browser send our cookies but cannot read our pages, cannot know it. A request
whose ``Origin`` names another site is refused as well.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from fastapi import Request, Response

from mediadigest.web.auth import SESSION_COOKIE

ANON_COOKIE = "md_anon"
FIELD = "csrf_token"
HEADER = "x-csrf-token"
_SAFE = {"GET", "HEAD", "OPTIONS"}


class CsrfRefused(Exception):
    """A state-changing request without a valid token (or, ``foreign``, from another origin)."""

    def __init__(self, reason: str, *, foreign: bool = False) -> None:
        super().__init__(reason)
        self.foreign = foreign


def _sign(secret: str, value: str) -> str:
    return hmac.new(secret.encode(), b"csrf:" + value.encode(), hashlib.sha256).hexdigest()


def token_for(request: Request) -> str:
    """The token that forms on this page must send back (made before login too)."""
    secret = request.app.state.web.secret
    session = request.cookies.get(SESSION_COOKIE)
    if session:
        return _sign(secret, "s:" + session)
    anon = request.cookies.get(ANON_COOKIE) or request.scope.setdefault(
        "md_new_anon", secrets.token_urlsafe(24)
    )
    return _sign(secret, "a:" + anon)


def set_anon_cookie(request: Request, response: Response) -> None:
    """Send the anonymous cookie that ``token_for`` made up for this response, if any."""
    anon = request.scope.get("md_new_anon")
    if anon:
        response.set_cookie(
            ANON_COOKIE,
            anon,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    # Browsers send Origin on cross-site POSTs; a missing one is left to the token check.
    if origin is None or origin == f"{request.url.scheme}://{request.url.netloc}":
        return True
    # Where `serve --base-url` says readers reach the app is this site too, even through a
    # proxy that passes on neither the Host nor the scheme the browser used.
    base = request.app.state.web.base_url
    return base is not None and origin == _origin_of(base)


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


async def protect(request: Request) -> None:
    """Dependency on every page router: refuse an unsafe request without a valid token."""
    if request.method in _SAFE:
        return
    if not _same_origin(request):
        raise CsrfRefused("request from another origin", foreign=True)
    sent = request.headers.get(HEADER)
    if sent is None:
        form = await request.form()
        value = form.get(FIELD)
        sent = value if isinstance(value, str) else None
    # The same choice as token_for: the session if there is one, else the anonymous cookie.
    bound = request.cookies.get(SESSION_COOKIE)
    value = "s:" + bound if bound else "a:" + request.cookies.get(ANON_COOKIE, "")
    if bound is None and not request.cookies.get(ANON_COOKIE):
        raise CsrfRefused("missing CSRF cookie")
    expected = _sign(request.app.state.web.secret, value)
    if not sent or not hmac.compare_digest(sent, expected):
        raise CsrfRefused("missing or invalid CSRF token")
