"""Signing in and out, the account page and its API tokens, and the health check."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from mediadigest.store.writes import utcnow
from mediadigest.web import auth, csrf, health, persist
from mediadigest.web.auth import SESSION_COOKIE, SESSION_TTL, need
from mediadigest.web.persist import Role, TokenScope, User
from mediadigest.web.routes import PathId
from mediadigest.web.templating import local_path, page, redirect

router = APIRouter(dependencies=[Depends(csrf.protect)], include_in_schema=False)


@router.get("/healthz")
def healthz(request: Request) -> PlainTextResponse:
    """200 "ok" if the store runs a trivial query, else 503 and why (one round trip)."""
    web = request.app.state.web
    reason = health.check(web.engine, web.watch)
    if reason is None:
        return PlainTextResponse("ok\n")
    return PlainTextResponse(
        f"store unavailable: {reason}\n",
        status_code=503,
        headers={"Retry-After": str(health.RETRY_AFTER)},
    )


@router.get("/login")
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return page(request, "login.html", title="Sign in", next=local_path(next))


@router.post("/login")
def login(
    request: Request,
    name: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Check the password; throttle guessing per (name, client address) and per address.

    Not per name alone: then anyone anywhere could lock an editor out by failing as them.
    """
    web = request.app.state.web
    by_name, by_address = web.login_limits
    address = auth.client_address(request)
    # As sign-in reads the name (trimmed, any case), or " ed " would be a fresh five tries.
    name_here = f"{name.strip().casefold()}\n{address}"  # no address has a newline in it
    keys = ((by_name, name_here), (by_address, address))
    wait = auth.reserve_attempt(keys)  # counted as failed until the password proves right
    if wait:
        refused = page(
            request,
            "login.html",
            429,
            title="Sign in",
            next=local_path(next),
            name=name,
            error=f"Too many failed attempts. Try again in {wait} seconds.",
        )
        refused.headers["Retry-After"] = str(wait)
        return refused
    try:
        with web.engine.begin() as conn:
            user = auth.check_password(conn, name, password)
            if user is None:
                persist.audit(conn, name[:64] or "?", "login.failed", address)
            else:
                token = persist.create_session(conn, user.id, SESSION_TTL)
                persist.audit(conn, user.name, "login", address)
    except Exception:
        auth.release_attempt(keys)  # no answer (the store is down): no attempt used
        raise
    if user is None:
        return page(
            request,
            "login.html",
            400,
            title="Sign in",
            next=local_path(next),
            name=name,
            error="Wrong name or password.",
        )
    by_name.reset(name_here)
    by_address.release(address)
    response = redirect(request, local_path(next))
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(SESSION_TTL.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response


@router.post("/logout")
def logout(request: Request, user: Annotated[User, Depends(need(Role.viewer))]) -> Response:
    with request.app.state.web.engine.begin() as conn:
        persist.end_session(conn, request.cookies.get(SESSION_COOKIE, ""))
    response = redirect(request, "/login", "Signed out.")
    response.delete_cookie(SESSION_COOKIE)
    return response


# The value of a token just made, for the one view of the account page after the redirect:
# signed and bound to the session that made it, sent back only to /account, and deleted by
# the page that shows it, so a reload shows it no more (and makes no second token).
NEW_TOKEN_COOKIE = "md_new_token"
NEW_TOKEN_TTL = 120  # seconds: the redirect is followed at once


@router.get("/account")
def account(request: Request, user: Annotated[User, Depends(need(Role.viewer))]) -> HTMLResponse:
    with request.app.state.web.engine.connect() as conn:
        tokens = persist.list_tokens(conn, user.id)
    new_token = _new_token(request)
    response = page(request, "account.html", title="Account", tokens=tokens, new_token=new_token)
    if NEW_TOKEN_COOKIE in request.cookies:
        response.delete_cookie(NEW_TOKEN_COOKIE, path="/account")
    return response


def _token_cookies(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(request.app.state.web.secret, salt="new-token")


def _new_token(request: Request) -> str | None:
    """The token this session made just before, if this is the view that shows it."""
    raw = request.cookies.get(NEW_TOKEN_COOKIE)
    if not raw:
        return None
    try:
        session, token = _token_cookies(request).loads(raw, max_age=NEW_TOKEN_TTL)
    except (BadSignature, ValueError, TypeError):
        return None
    mine = session == persist.digest(request.cookies.get(SESSION_COOKIE, ""))
    return str(token) if mine else None


# What the account page offers a new token's life: the form's value -> days (None: never).
TOKEN_LIVES: dict[str, int | None] = {"never": None, "30": 30, "90": 90, "365": 365}


def token_expiry(expires_in: str, now: datetime | None = None) -> datetime | None:
    """When a token made ``now`` with the form's ``expires_in`` expires (naive UTC; None:
    never); ValueError for a choice the form does not offer."""
    if expires_in not in TOKEN_LIVES:
        raise ValueError(f"an expiry is one of: {', '.join(TOKEN_LIVES)} (days)")
    days = TOKEN_LIVES[expires_in]
    return None if days is None else (now or utcnow()) + timedelta(days=days)


@router.post("/account/tokens")
def create_token(
    request: Request,
    user: Annotated[User, Depends(need(Role.viewer))],
    name: Annotated[str, Form(min_length=1, max_length=100)],
    # Defaults as before scopes: a form or script that sends a name alone gets what it did.
    scope: Annotated[str, Form(max_length=8)] = TokenScope.full,
    expires_in: Annotated[str, Form(max_length=8)] = "never",
) -> Response:
    """Make an API token of ``scope`` that expires as chosen; the account page shows it once
    (it is stored hashed)."""

    def refused(message: str, field: str) -> Response:
        return redirect(request, "/account", message, "error", form="new-token", field=field)

    name = name.strip()
    if not name:  # a list of unnamed tokens cannot say which one to revoke
        return refused("A token needs a name that is not blank.", "name")
    if scope not in [str(s) for s in TokenScope]:
        return refused(f"A token's scope is {' or '.join(TokenScope)}.", "scope")
    try:
        expires_at = token_expiry(expires_in)
    except ValueError as exc:
        return refused(f"{str(exc).capitalize()}.", "expires_in")
    with request.app.state.web.engine.begin() as conn:
        token_id, token = persist.create_token(conn, user.id, name, TokenScope(scope), expires_at)
        expiry = expires_at.isoformat() if expires_at else None
        detail = dict(name=name, scope=scope, expires_at=expiry)
        persist.audit(conn, user.name, "token.create", f"token {token_id}", **detail)
    response = redirect(request, "/account")
    session = persist.digest(request.cookies.get(SESSION_COOKIE, ""))
    response.set_cookie(
        NEW_TOKEN_COOKIE,
        _token_cookies(request).dumps([session, token]),
        max_age=NEW_TOKEN_TTL,
        path="/account",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


PASSWORD_FORM = "change-password"  # the account page's form, by its id


@router.post("/account/password")
def change_password(
    request: Request,
    user: Annotated[User, Depends(need(Role.viewer))],
    current_password: Annotated[str, Form(max_length=1024)],
    password: Annotated[str, Form(max_length=1024)],
    password_again: Annotated[str, Form(max_length=1024)],
) -> Response:
    """Change one's own password, given the current one; one's other sessions end.

    A wrong current password counts as a failed sign-in (the same limits), or a stolen
    session could guess the password at full speed here.
    """
    web = request.app.state.web
    by_name, by_address = web.login_limits
    address = auth.client_address(request)
    keys = ((by_name, f"{user.name.casefold()}\n{address}"), (by_address, address))

    def refused(message: str, field: str) -> Response:
        return redirect(request, "/account", message, "error", form=PASSWORD_FORM, field=field)

    if password != password_again:
        return refused("The two new passwords differ; nothing was changed.", "password_again")
    try:
        auth.check_new_password(password)
    except ValueError as exc:
        return refused(f"{str(exc).capitalize()}.", "password")
    wait = auth.reserve_attempt(keys)  # as at sign-in: counted before the check
    if wait:
        return refused(
            f"Too many failed attempts. Try again in {wait} seconds.", "current_password"
        )
    session = request.cookies[SESSION_COOKIE]  # need() found the session by it
    try:
        with web.engine.begin() as conn:
            right = auth.check_password(conn, user.name, current_password)
            changed = right is not None and right.id == user.id
            if changed:
                auth.set_password(conn, user, password, by=user.name, keep_session=session)
            else:
                persist.audit(conn, user.name, "password.failed", address)
    except Exception:
        auth.release_attempt(keys)  # as at sign-in
        raise
    if changed:
        auth.release_attempt(keys)
        message = "Password changed; your other sessions are signed out."
        return redirect(request, "/account", message)
    return refused("Wrong current password; nothing was changed.", "current_password")


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(
    request: Request, token_id: PathId, user: Annotated[User, Depends(need(Role.viewer))]
) -> Response:
    with request.app.state.web.engine.begin() as conn:
        done = persist.revoke_token(conn, token_id, user.id)
        if done:
            persist.audit(conn, user.name, "token.revoke", f"token {token_id}")
    return redirect(
        request,
        "/account",
        "Token revoked." if done else "No such token.",
        "ok" if done else "error",
    )
