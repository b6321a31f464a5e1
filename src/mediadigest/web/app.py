"""The web app factory: pages, the JSON API, static files, security headers, the collector."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from importlib import resources
from typing import Any
from urllib.parse import quote, urlsplit

import jinja2
import sqlalchemy as sa
from fastapi import APIRouter, FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from mediadigest import __version__, store
from mediadigest.config import Settings
from mediadigest.run import RunReport
from mediadigest.web import persist
from mediadigest.web.articles import Choices
from mediadigest.web.auth import (
    SESSION_COOKIE,
    Forbidden,
    LoginLimiter,
    NotAuthenticated,
    session_user,
)
from mediadigest.web.body_limit import MAX_BODY, BodyLimit
from mediadigest.web.csrf import CsrfRefused
from mediadigest.web.editions import BadWeek
from mediadigest.web.health import RETRY_AFTER, UNAVAILABLE, StoreWatch
from mediadigest.web.schedule import Collector, collect_once
from mediadigest.web.stories import StoryCache
from mediadigest.web.templating import environment, local_path, page, visitor_page

log = logging.getLogger(__name__)

# Routes anyone may reach: signing in, the health check, and what is published (the feed
# and each published version's read-only page; see routes/public.py).
PUBLIC = {
    ("GET", "/login"),
    ("POST", "/login"),
    ("GET", "/healthz"),
    ("GET", "/feed.atom"),
    ("HEAD", "/feed.atom"),
    ("GET", "/public/digests/{version_id}"),
}
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


@dataclass(slots=True)
class WebState:
    """What every request handler may use, kept on ``app.state.web``."""

    settings: Settings
    engine: sa.Engine
    secret: str
    templates: jinja2.Environment
    collector: Collector
    login_limits: tuple[LoginLimiter, LoginLimiter]  # per (name, address), per address
    watch: StoreWatch
    choices: Choices = field(default_factory=Choices)
    stories: StoryCache = field(default_factory=StoryCache)
    base_url: str | None = None  # where readers reach the app (`serve --base-url`), if said


def create_app(
    settings: Settings,
    *,
    engine: sa.Engine | None = None,
    collect_every: timedelta | None = None,
    login_limits: tuple[int, int, float] = (5, 30, 900.0),
    base_url: str | None = None,
    max_body: int = MAX_BODY,
) -> FastAPI:
    """The app for ``settings``; collects every ``collect_every`` while it runs, if given.

    ``login_limits``: failed logins allowed per (user name, client address) and per client
    address within a window of so many seconds (see `auth.LoginLimiter`). ``base_url``: where
    readers reach the app (``https://digest.example.org``), for the feed's absolute links;
    without it they are made from each request's Host. ``max_body``: the largest request
    body, in bytes (`body_limit`).
    """
    engine = engine or store.open_store(settings.db)
    with engine.begin() as conn:
        secret = persist.secret_key(conn)

    def job() -> RunReport:
        return collect_once(engine, settings, collect_every)

    per_name, per_address, window = login_limits
    state = WebState(
        settings,
        engine,
        secret,
        environment(),
        Collector(job, collect_every),
        (LoginLimiter(per_name, window), LoginLimiter(per_address, window)),
        StoreWatch(engine),
        base_url=base_url,
    )

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if collect_every is not None:
            state.collector.start()
        yield
        state.collector.stop()

    app = FastAPI(
        title="mediadigest",
        version=__version__,
        lifespan=lifespan,
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
        description="Articles, stories and published digests of mediadigest. "
        "Authenticate with `Authorization: Bearer <token>` (tokens are made on the "
        "account page).",
    )
    app.state.web = state
    static = resources.files("mediadigest.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    _include_routers(app)
    _handle_errors(app)
    app.add_middleware(BodyLimit, limit=max_body, json_for=is_api_path)
    app.middleware("http")(_security_headers)  # added last, it wraps BodyLimit's 413 too
    return app


def routers() -> list[APIRouter]:
    """Every router of the app: the pages, then the API."""
    from mediadigest.web.routes import (
        account,
        api,
        archive,
        digests,
        editor,
        items,
        public,
        review,
        sources,
        users,
        week,
    )

    pages = (account, week, review, editor, items, digests, archive, sources, users, public)
    return [m.router for m in (*pages, api)]


def route_table() -> list[tuple[str, str, persist.Role | None]]:
    """(method, path, least role) of every route; None for the ``PUBLIC`` ones."""
    table = []
    for router in routers():
        for route in router.routes:
            if isinstance(route, APIRoute):
                table += [(m, route.path, needed_role(route)) for m in sorted(route.methods)]
    return table


def _include_routers(app: FastAPI) -> None:
    """Mount every router, refusing to start if a route neither declares a role nor is public."""
    for method, path, role in route_table():
        if role is None and (method, path) not in PUBLIC:
            raise RuntimeError(f"{method} {path} declares no role")
    for router in routers():
        app.include_router(router)


def needed_role(route: APIRoute) -> persist.Role | None:
    """The role a route asks for (None: it declares none)."""
    for dep in route.dependant.dependencies:
        if hasattr(dep.call, "needed_role"):
            return dep.call.needed_role
    return None


async def _security_headers(request: Request, call_next: Callable[[Request], Any]) -> Response:
    response = await call_next(request)
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    if not request.url.path.startswith("/static/"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


async def _session_ended(request: Request, status: int) -> Response:
    """A form sent after its session ended: what was typed, and a way to sign in again."""
    back = _back(request)
    return page(
        request,
        "refused.html",
        status,
        title="Signed out",
        message="Your session ended; sign in again. Nothing was saved.",
        fields=await _typed(request),
        back=back,
        login=f"/login?next={quote(back, safe='')}",
    )


# Form fields that are no one's typing (or must never be shown again: any password field,
# "password", "password_again", "current_password", of the account and users pages).
_UNTYPED = {"csrf_token", "revision", "item_seen", "seen", "week", "delta", "next", "on"}


async def _typed(request: Request) -> list[tuple[str, str]]:
    """(name, value) of the text fields a refused form sent, so the editor can copy them."""
    try:
        form = await request.form()
    except (AssertionError, ValueError, RuntimeError):  # not a form, or its body is gone
        return []
    return [
        (name, value)
        for name, value in form.multi_items()
        if isinstance(value, str)
        and value.strip()
        and name not in _UNTYPED
        and "password" not in name
    ]


def _back(request: Request) -> str:
    """The page the form was on (from Referer, this site only), else the home page."""
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc != request.url.netloc:
        return "/"
    return local_path(referer.path + (f"?{referer.query}" if referer.query else ""))


def _a(noun: str) -> str:
    """``an editor``, ``a viewer``: the article agreeing with the noun's first sound."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def is_api_path(path: str) -> bool:
    """Whether ``path`` is the JSON API's: ``/api`` and what is under it, in any case, so that
    every answer there, a 404 of a mistyped path too, is JSON (``/api`` and ``/API/me`` got
    the HTML 404 page)."""
    head = path[:5].lower()
    return head == "/api" or head == "/api/"


def _is_api(request: Request) -> bool:
    return is_api_path(request.url.path)


def _handle_errors(app: FastAPI) -> None:
    @app.exception_handler(NotAuthenticated)
    async def not_authenticated(request: Request, exc: NotAuthenticated) -> Response:
        if exc.api or _is_api(request):
            return JSONResponse(
                {"detail": exc.detail},
                status_code=401,
                headers={"WWW-Authenticate": exc.challenge},
            )
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.method != "GET":
            if request.cookies.get(SESSION_COOKIE):  # it ended while a form was open
                return await _session_ended(request, 401)
            target = "/"
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        message = f"{exc.user.name} is {_a(exc.user.role)}; this needs {_a(exc.needed)}."
        if _is_api(request):
            return JSONResponse({"detail": message}, status_code=403)
        if request.method == "GET":
            return page(request, "error.html", 403, title="Not allowed", message=message)
        # A form sent after an admin changed the sender's role while it was open (no page
        # offers a role its forms): say nothing was saved, and keep what was typed.
        return page(
            request,
            "refused.html",
            403,
            title="Not allowed",
            message=f"{message} Nothing was saved.",
            fields=await _typed(request),
            back=_back(request),
            login=None,
        )

    @app.exception_handler(CsrfRefused)
    async def csrf_refused(request: Request, exc: CsrfRefused) -> Response:
        if exc.foreign:
            message = "This form did not come from this site, so nothing was changed."
            return page(request, "error.html", 403, title="Form refused", message=message)
        if request.url.path != "/login" and session_user(request) is None:
            # The token was bound to a session that has since ended (signed out elsewhere,
            # expired): say so, not "invalid token", and keep what was typed.
            return await _session_ended(request, 403)
        message = f"This form has expired ({exc}). Reload the page and send it again."
        return page(
            request,
            "refused.html",
            403,
            title="Form refused",
            message=message,
            fields=await _typed(request),
            back=_back(request),
            login=None,
        )

    async def store_unavailable(request: Request, exc: Exception) -> Response:
        reason = store.unavailable_reason(exc)
        if reason is None:
            raise exc  # a wrong query, not an outage: the server error it always was
        request.app.state.web.watch.failed(reason)
        headers = {"Retry-After": str(RETRY_AFTER)}
        if _is_api(request):
            return JSONResponse({"detail": UNAVAILABLE}, status_code=503, headers=headers)
        # No session, navigation or CSRF field: each of them would ask the store again.
        response = visitor_page(
            request, "error.html", 503, title="Store unavailable", message=UNAVAILABLE
        )
        response.headers.update(headers)
        return response

    for error in (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError):
        app.add_exception_handler(error, store_unavailable)

    @app.exception_handler(BadWeek)
    async def bad_week(request: Request, exc: BadWeek) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": str(exc)}, status_code=400)
        return page(request, "error.html", 400, title="No such week", message=str(exc))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if _is_api(request):
            return JSONResponse(
                {"detail": exc.detail},
                status_code=exc.status_code,
                headers=getattr(exc, "headers", None),
            )
        return page(
            request,
            "error.html",
            exc.status_code,
            title=f"Error {exc.status_code}",
            message=str(exc.detail),
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": jsonable_encoder(exc.errors())}, status_code=422)
        fields = ", ".join(".".join(map(str, e["loc"][1:])) for e in exc.errors())
        return page(
            request, "error.html", 400, title="Bad request", message=f"Check these fields: {fields}"
        )
