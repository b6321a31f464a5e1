"""Archive search: full-text over every stored article, with filters (a GET form)."""

from __future__ import annotations

import time
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from mediadigest.store.search import parse_query, profile_spellings
from mediadigest.web import csrf
from mediadigest.web.articles import Filters, find, period_problem
from mediadigest.web.auth import need
from mediadigest.web.persist import Role, User
from mediadigest.web.templating import page, snippet_markup

router = APIRouter(dependencies=[Depends(csrf.protect)], include_in_schema=False)
Viewer = Annotated[User, Depends(need(Role.viewer))]
Field = Annotated[str, Query(max_length=200)]
MAX_QUERY = 200  # characters of a search; the form's box takes no more


def _day(value: str, problems: list[str], name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(f"{name} is not a date like 2025-12-15")
        return None


@router.get("/archive")
def archive(
    request: Request,
    user: Viewer,
    q: str = "",  # any length: a long one gets the page back with a message, not a bare 400
    since: Field = "",
    until: Field = "",
    theme: Field = "",
    outlet: Field = "",
    country: Field = "",
    language: Field = "",
    relevant: bool = False,
) -> HTMLResponse:
    web = request.app.state.web
    problems: list[str] = []
    filters = Filters(
        _day(since, problems, "from"),
        _day(until, problems, "to"),
        theme or None,
        outlet or None,
        country or None,
        language or None,
        relevant,
    )
    searched = bool(q.strip()) or any([since, until, theme, outlet, country, language, relevant])
    if len(q) > MAX_QUERY:
        problems.append(
            f"The search is {len(q):,} characters long; shorten it to {MAX_QUERY} or fewer."
        )
        searched = False
    backwards = period_problem(filters.since, filters.until, ("From", "To"))
    if backwards:
        problems.append(backwards)
        searched = False  # nothing can match: say why instead of "Nothing found"
    names = profile_spellings(web.settings.profile)
    also = parse_query(q).with_spellings(names)[1] if searched else []
    started = time.perf_counter()
    with web.engine.connect() as conn:
        hits = find(conn, q, filters, names=names) if searched else []
        choices = web.choices.get(conn)
    took = time.perf_counter() - started
    return page(
        request,
        "archive.html",
        title="Archive",
        q=q,
        form=request.query_params,
        hits=[(h, snippet_markup(h.snippet)) for h in hits],
        searched=searched,
        also=also,
        problems=problems,
        took=took,
        choices=choices,
        themes=sorted(web.settings.profile.themes),
    )
