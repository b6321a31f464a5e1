"""Server-rendered pages: the Jinja environment (autoescaped), page context, flash messages.

Everything from the web (titles, article text, outlet names, feed titles) reaches a template
as a plain string and is escaped there; the only ``Markup`` made in Python comes from
``highlight``, which escapes every piece of text it wraps.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from itsdangerous import BadSignature, URLSafeSerializer
from markupsafe import Markup, escape

from mediadigest.web import csrf
from mediadigest.web.auth import session_user
from mediadigest.web.persist import Role, User
from mediadigest.write import style
from mediadigest.write.render.html import part_language

FLASH_COOKIE = "md_flash"

NAV = [
    ("/", "This week", "viewer"),
    ("/review", "Review", "viewer"),
    ("/editor", "Digest", "editor"),
    ("/digests", "Published", "viewer"),
    ("/archive", "Archive", "viewer"),
    ("/sources", "Sources", "viewer"),
    ("/users", "Users", "admin"),
]
# Pages with no entry of their own, under the entry they are part of: the draft's preview
# is the editor's, the audit log the users page's, an article the archive's (of every article).
SECTIONS = {"/preview": "/editor", "/audit": "/users", "/articles/": "/archive"}


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("mediadigest.web", "templates"),
        autoescape=True,  # every template, whatever its extension
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["day"] = _day
    env.filters["period"] = style.period  # {{ since|period(until) }}: Dec. 15–21, 2025
    env.filters["when"] = _when
    env.filters["outlet_time"] = outlet_time
    env.filters["ago"] = _ago
    env.filters["http_url"] = http_url
    env.filters["rows"] = rows
    env.filters["lang"] = lang
    env.globals["counted"] = counted
    return env


def lang(code: str | None, text: str | None = None) -> Markup:
    """`` lang="ru"`` for an element holding text in ``code`` (an article's language), or
    nothing where it is English as the page is, or unknown; ``text``: the text it holds, which
    Latin letters alone show is not in a language of another script (an editor's English)."""
    found = part_language(text, code)
    return Markup(' lang="{}"').format(found) if found else Markup("")


def current(path: str, nav: list[tuple[str, str, str]]) -> dict[str, str]:
    """The navigation entry (its href) ``path`` is at, with its ``aria-current``: "page" for
    the entry's own page, "true" for a page within it (a published version, the audit log)."""
    for href, _, _ in nav:
        if path == href:
            return {href: "page"}
    hrefs = [h for h, _, _ in nav]
    for prefix, href in SECTIONS.items():
        if path.startswith(prefix) and href in hrefs:
            return {href: "true"}
    within = [h for h in hrefs if h != "/" and path.startswith(h.rstrip("/") + "/")]
    return {within[0]: "true"} if within else {}


def counted(n: int, noun: str, plural: str | None = None) -> Markup:
    """``<b>1,897</b> articles``, ``<b>1</b> outlet``: the number grouped, the noun agreeing."""
    return Markup("<b>{:,}</b> {}").format(n, style.agreeing(n, noun, plural))


def rows(text: str | None, least: int = 2, width: int = 60) -> int:
    """Rows a text box needs to show ``text`` whole at about ``width`` characters a line: a box
    of fixed height hid the end of a long attribution, and the editor published it unread."""
    lines = (text or "").splitlines() or [""]
    return max(least, sum(1 + len(line) // width for line in lines))


def http_url(value: str | None) -> str:
    """``value`` if it is an http(s) URL, else "#": hrefs from the web never run script."""
    if value and urlsplit(value.strip()).scheme.lower() in {"http", "https"}:
        return value.strip()
    return "#"


def _day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    return style.day(value.date() if isinstance(value, datetime) else value)


def _when(value: datetime | None) -> str:
    """``2025-12-18 09:30 UTC``. The store keeps naive UTC, and the app has no zone setting
    of its own, so every time is shown in UTC and says so (an aware one is converted)."""
    if value is None:
        return "never"
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%d %H:%M") + " UTC"


def outlet_time(value: datetime | None) -> str:
    """``2025-12-15 02:00 UTC+06:00``: a publication time on its outlet's own clock, as its
    page prints it (`Article.published_at`), not converted as `_when` does: the day the
    outlet printed is the one that counts. A naive time, or one the source gave without a
    zone, is UTC and says so."""
    if value is None:
        return "unknown"
    minutes = int((value.utcoffset() or timedelta(0)).total_seconds() // 60)
    sign, minutes = "+-"[minutes < 0], abs(minutes)
    zone = f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}" if minutes else "UTC"
    return f"{value:%Y-%m-%d %H:%M} {zone}"


def _ago(value: datetime | None) -> str:
    if value is None:
        return "never"
    from mediadigest.store import utcnow  # the store's clock: naive UTC

    seconds = int((utcnow() - value).total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit} ago"
    return "just now"


# What a page anyone may read, the same for everyone, tells browsers and shared caches.
PUBLIC_CACHE = "public, max-age=300"


@dataclass(frozen=True, slots=True)
class Flash:
    """A message from the action a redirect followed: ``kind`` is ok, error or warn.

    An error about one field of a form says which (``form``, ``field``) and brings back what
    was typed in that form (``typed``: never a password), so the page can show the form as
    it was sent with the field marked, instead of empty.
    """

    kind: str
    message: str
    at: str = ""  # the id of the element the redirect went to (its #anchor), if any
    form: str = ""  # the id of the form the message is about
    field: str = ""  # the name of its field the message is about
    typed: tuple[tuple[str, str], ...] = ()  # (name, value) of that form's fields as sent


def page(
    request: Request,
    template: str,
    status_code: int = 200,
    *,
    flash_places: Collection[str] = (),
    **context: Any,
) -> HTMLResponse:
    """Render a page with the signed-in user, navigation, CSRF field and flash messages.

    ``flash_places``: the ids of elements that show a flash of their own (``flash_at`` in the
    template). A redirect to ``#item-2`` scrolls the page there, out of sight of the messages
    at the top, so the message of an action on item 2 is shown in item 2; any other flash is
    shown at the top.
    """
    flashes = _read_flash(request)
    response = _render(
        request, template, status_code, session_user(request), flashes, context, flash_places
    )
    csrf.set_anon_cookie(request, response)  # if a form on it needed one made up
    if flashes:
        response.delete_cookie(FLASH_COOKIE)
    return response


def public_page(request: Request, template: str, **context: Any) -> HTMLResponse:
    """A page for anyone, and the same for everyone: rendered as to a visitor even for a
    signed-in editor (no name, navigation or form), reading and clearing no flash and setting
    no cookie, so that browsers and shared caches may keep it (``PUBLIC_CACHE``)."""
    response = visitor_page(request, template, 200, **context)
    response.headers["Cache-Control"] = PUBLIC_CACHE
    return response


def visitor_page(
    request: Request, template: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """``template`` as to a visitor, asking the store nothing (no user, no flash, no
    cookie): what `public_page` serves, and the page that says the store is unavailable."""
    return _render(request, template, status_code, None, [], context, ())


def _render(
    request: Request,
    template: str,
    status_code: int,
    user: User | None,
    flashes: list[Flash],
    context: dict[str, Any],
    flash_places: Collection[str],
) -> HTMLResponse:
    field = _Lazy(
        lambda: Markup('<input type="hidden" name="csrf_token" value="{}">').format(
            csrf.token_for(request)
        )
    )
    env: jinja2.Environment = request.app.state.web.templates
    nav = [n for n in NAV if user and user.role.allows(Role(n[2]))]
    top = [f for f in flashes if f.at not in flash_places]
    html = env.get_template(template).render(
        request=request,
        path=request.url.path,
        user=user,
        nav=nav,
        current=current(request.url.path, nav),
        can_edit=bool(user and user.role.allows(Role.editor)),
        csrf_token=_Lazy(lambda: escape(csrf.token_for(request))),
        csrf_field=field,
        flashes=top,
        flash_at={f.at: f for f in flashes if f.at in flash_places},
        typed=lambda form, name, default="": _typed(top, form, name, default),
        invalid=lambda form, name: _invalid(top, form, name),
        profile=request.app.state.web.settings.profile,
        **context,
    )
    return HTMLResponse(html, status_code=status_code)


def _typed(flashes: list[Flash], form: str, name: str, default: str = "") -> str:
    """What was typed in field ``name`` of ``form`` before the error a flash reports."""
    for f in flashes:
        if f.form == form:
            return dict(f.typed).get(name, default)
    return default


def _invalid(flashes: list[Flash], form: str, name: str) -> Markup:
    """The attributes of field ``name`` of ``form`` where a flash (``flash-N`` at the top of
    the page) reports an error about it: invalid, described by the message, and the element
    focused on loading (app.js), so a screen reader reads the field with what is wrong."""
    for n, f in enumerate(flashes, 1):
        if f.kind == "error" and (f.form, f.field) == (form, name):
            return Markup(' aria-invalid="true" aria-describedby="flash-{}" data-focus').format(n)
    return Markup("")


class _Lazy:
    """Markup made when a template first prints it: the CSRF token, which before login makes
    up an anonymous cookie, so a page without a form (an error, a published digest) sets none."""

    __slots__ = ("_made", "_make")

    def __init__(self, make: Callable[[], Markup]) -> None:
        self._make = make
        self._made: Markup | None = None

    def __html__(self) -> Markup:
        if self._made is None:
            self._made = self._make()
        return self._made

    def __str__(self) -> str:
        return str(self.__html__())


# A browser drops a cookie over 4096 bytes (name and attributes too): the flash goes without
# what was typed rather than not at all.
MAX_FLASH = 3800


def redirect(
    request: Request,
    to: str,
    message: str | None = None,
    kind: str = "ok",
    *,
    form: str = "",
    field: str = "",
    typed: dict[str, str] | None = None,
) -> RedirectResponse:
    """303 to a local path (the POST/redirect/GET pattern) with an optional flash message,
    which the page shows at the element ``to``'s #anchor names if it can (see `page`).

    ``form``, ``field``, ``typed``: the form (its id), the field an error is about and what
    was typed in the form, for the page to show again (no password: the cookie is signed,
    not encrypted)."""
    response = RedirectResponse(to, status_code=303)
    if message:
        at = to.partition("#")[2]
        sign = _serializer(request).dumps
        value = sign([kind, message, at, form, field, typed or {}])
        if len(value) > MAX_FLASH:
            value = sign([kind, message, at, form, field, {}])
        response.set_cookie(
            FLASH_COOKIE, value, httponly=True, samesite="lax", secure=request.url.scheme == "https"
        )
    return response


def _serializer(request: Request) -> URLSafeSerializer:
    return URLSafeSerializer(request.app.state.web.secret, salt="flash")


def _read_flash(request: Request) -> list[Flash]:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return []
    try:
        # Set before a flash had a place or a form: fewer items.
        kind, message, *more = _serializer(request).loads(raw)
        at, form, field, typed = [*more, *["", "", "", {}][len(more) :]][:4]
        kept = tuple((str(k), str(v)) for k, v in dict(typed).items())
    except (BadSignature, ValueError, TypeError):
        return []
    return [Flash(str(kind), str(message), str(at), str(form), str(field), kept)]


def local_path(target: str | None, default: str = "/") -> str:
    """``target`` if it is a path on this site, else ``default`` (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def snippet_markup(snippet: str, marks: tuple[str, str] = ("**", "**")) -> Markup:
    """A search snippet with its ``**word**`` marks as <mark>, every other character escaped."""
    parts = snippet.split(marks[0]) if marks[0] == marks[1] else [snippet]
    out = [
        escape(p) if i % 2 == 0 else Markup("<mark>{}</mark>").format(p)
        for i, p in enumerate(parts)
    ]
    return Markup("").join(out)
