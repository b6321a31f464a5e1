"""Archive search: full-text over every stored article, with filters and pages (a GET form)."""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from functools import partial
from typing import Annotated
from urllib.parse import urlencode

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response, StreamingResponse

from mediadigest.logs import redact_url
from mediadigest.store.search import (
    WINDOW,
    Hits,
    SearchHit,
    SearchTooLong,
    Spellings,
    parse_query,
    profile_spellings,
    query_problem,
)
from mediadigest.web import csrf
from mediadigest.web.articles import Filters, find, newest_after, period_problem
from mediadigest.web.auth import need
from mediadigest.web.persist import Role, User
from mediadigest.web.templating import http_url, page, snippet_markup
from mediadigest.write import search_csv

router = APIRouter(dependencies=[Depends(csrf.protect)], include_in_schema=False)
Viewer = Annotated[User, Depends(need(Role.viewer))]
Field = Annotated[str, Query(max_length=200)]
MAX_QUERY = 200  # characters of a search; the form's box takes no more
PER_PAGE = 50
MAX_PAGE = 100_000  # browsing a million articles newest first; beyond is a typing slip
# Rows of a CSV download browsing without words (a search gives its WINDOW at most): a
# spreadsheet's worth, read in batches; a last line says where it was cut.
MAX_CSV_ROWS = 10_000


def _day(
    value: str, problems: list[str], name: str, bad: dict[str, int], field: str
) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(f"{name} is not a date like 2025-12-15")
        bad.setdefault(field, len(problems))
        return None


def _page_number(value: str, problems: list[str]) -> int:
    """The page asked for (1 if none); a bad one is named and the first page shown."""
    if not value:
        return 1
    if value.isdecimal() and 1 <= int(value) <= MAX_PAGE:
        return int(value)
    problems.append(f"page {value[:20]!r} is not a page number from 1 to {MAX_PAGE:,}")
    return 1


def _unsearchable(q: str, filters: Filters, problems: list[str], bad: dict[str, int]) -> bool:
    """Whether the search cannot be run as asked, each reason added to ``problems`` and the
    field it is about to ``bad``: said on the page instead of a bare error or an empty result
    that reads as "no articles"."""
    before = len(problems)
    if len(q) > MAX_QUERY:
        problems.append(
            f"The search is {len(q):,} characters long; shorten it to {MAX_QUERY} or fewer."
        )
        bad.setdefault("q", len(problems))
    if q.strip() and (unsearchable := query_problem(q)):  # no query at all: browsing
        problems.append(unsearchable[0].upper() + unsearchable[1:] + ".")
        bad.setdefault("q", len(problems))
    backwards = period_problem(filters.since, filters.until, ("From", "To"))
    if backwards:
        problems.append(backwards)
        # "From (…) is after To (…)", "To (…) is outside the years …": the date it names first.
        bad.setdefault("since" if backwards.startswith("From") else "until", len(problems))
    return len(problems) > before


def _page_url(request: Request, number: int) -> str:
    """This search (query and filters as sent) at page ``number``."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "page"]
    return "/archive?" + urlencode([*params, *([("page", str(number))] if number > 1 else [])])


def _window_ended(conn: sa.Connection, q: str, filters: Filters, names: Spellings) -> bool:
    """Whether a search's last page ends where its window did: older matches were left out."""
    # The search's own answer (it fetched one match more than it ranks), as the API's header
    # and the CSV say it: WINDOW hits, or WINDOW matches, said "older ones may match" where
    # every match was ranked (a fact-checking walk).
    return bool(getattr(find(conn, q, filters, 1, names), "window_full", False))


def _filters(
    problems: list[str],
    bad: dict[str, int],
    since: str,
    until: str,
    theme: str,
    outlet: str,
    country: str,
    language: str,
    relevant: bool,
) -> Filters:
    """The form's filters; a date that is not one is added to ``problems``."""
    return Filters(
        _day(since, problems, "from", bad, "since"),
        _day(until, problems, "to", bad, "until"),
        theme or None,
        outlet or None,
        country or None,
        language or None,
        relevant,
    )


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
    page_: Annotated[str, Query(alias="page", max_length=200)] = "",
) -> HTMLResponse:
    web = request.app.state.web
    problems: list[str] = []
    bad: dict[str, int] = {}  # the fields of the form problems are about: field -> problem (from 1)
    filters = _filters(problems, bad, since, until, theme, outlet, country, language, relevant)
    number = _page_number(page_, problems)
    offset = (number - 1) * PER_PAGE
    asked = bool(q.strip()) or any([since, until, theme, outlet, country, language, relevant])
    searched = asked and not _unsearchable(q, filters, problems, bad)
    names = profile_spellings(web.settings.profile, country=True)
    also = parse_query(q).with_spellings(names)[1] if searched else []
    started = time.perf_counter()
    with web.engine.connect() as conn:
        try:
            # One more than a page: whether there is a next page, without counting every match.
            hits = find(conn, q, filters, PER_PAGE + 1, names, offset) if searched else []
            more = len(hits) > PER_PAGE
            hits = hits[:PER_PAGE]
            # A search ranks only its WINDOW newest matches: say so where its pages end for
            # that reason (a page captured again is one hit for two matches: the window may
            # end before WINDOW hits).
            window_end = (
                searched and bool(q.strip()) and not more and _window_ended(conn, q, filters, names)
            )
        except SearchTooLong as exc:  # stopped at its time limit: said as the form's problem
            problems.append(f"{str(exc)[0].upper()}{str(exc)[1:]}.")
            bad.setdefault("q", len(problems))
            hits, more, window_end, searched, also = [], False, False, False, []
        choices = web.choices.get(conn)
    took = time.perf_counter() - started
    # Tabs and the history list tell searches apart by their titles.
    named = f"Archive: {q.strip()[:80]}" if q.strip() else "Archive"
    return page(
        request,
        "archive.html",
        title=named + (f", page {number}" if number > 1 else ""),
        q=q,
        bad=bad,
        form=request.query_params,
        hits=[(h, snippet_markup(h.snippet)) for h in hits],
        searched=searched,
        also=also,
        problems=problems,
        took=took,
        choices=choices,
        themes=sorted(web.settings.profile.themes),
        number=number,
        offset=offset,
        prev_url=_page_url(request, number - 1) if searched and number > 1 else None,
        next_url=_page_url(request, number + 1) if more else None,
        window_end=window_end,
        window=WINDOW,
        csv_url=_csv_url(request) if searched else None,
        csv_rows=MAX_CSV_ROWS,
    )


def _csv_url(request: Request) -> str:
    """This search (query and filters as sent, not the page) as a CSV download."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "page"]
    return "/archive/export.csv" + (f"?{urlencode(params)}" if params else "")


@router.get("/archive/export.csv")
def export_csv(
    request: Request,
    user: Viewer,
    q: str = "",  # a long one is said to be, in words (`_unsearchable`)
    since: Field = "",
    until: Field = "",
    theme: Field = "",
    outlet: Field = "",
    country: Field = "",
    language: Field = "",
    relevant: bool = False,
) -> Response:
    """The page's search as CSV (`search_csv`), every hit rather than a page: a search's
    ranked window (best first), or without words the newest ``MAX_CSV_ROWS`` articles that
    pass the filters. A last line starting with "#" says what the rows leave out."""
    web = request.app.state.web
    problems: list[str] = []
    filters = _filters(problems, {}, since, until, theme, outlet, country, language, relevant)
    if not _unsearchable(q, filters, problems, {}) and not problems:
        names = profile_spellings(web.settings.profile, country=True)
        try:
            with web.engine.connect() as conn:  # a search runs here, so that it can be refused
                hits = find(conn, q, filters, WINDOW, names) if q.strip() else None
        except SearchTooLong as exc:
            problems.append(f"{str(exc)[0].upper()}{str(exc)[1:]}.")
    if problems:  # the page's link sends none of these: a URL edited by hand
        return PlainTextResponse("\n".join(problems) + "\n", status_code=400)
    url = partial(shown_link, viewer=not user.role.allows(Role.editor))
    body = _csv_body(web.engine, hits, filters, url)
    name = f"archive-{datetime.now(UTC).date().isoformat()}.csv"
    return StreamingResponse(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def shown_link(url: str, *, viewer: bool) -> str:
    """An article's link as its page offers it (http and https only: a file's path is not
    shown), and to a viewer without a secret (`shown_url`, as the sources page does)."""
    link = http_url(url)
    if link == "#":
        return ""
    return redact_url(link) if viewer else link


def _csv_body(
    engine: sa.Engine, hits: Hits | None, filters: Filters, url: Callable[[str], str]
) -> Iterator[bytes]:
    """The CSV's lines as bytes, a byte order mark first (a spreadsheet opened by a double
    click reads UTF-8 only with it: Kazakh and Russian titles were mojibake); without a
    search (``hits`` None), the newest articles read a batch at a time as they are sent."""
    buf = io.StringIO()
    writer = search_csv.Writer(buf, lineterminator="\r\n")
    yield "\ufeff".encode()

    def flush() -> bytes:
        text = buf.getvalue()
        buf.seek(0)
        buf.truncate()
        return text.encode("utf-8")

    with engine.connect() as conn:
        listed = hits if hits is not None else _newest(conn, filters)
        for n, row in enumerate(search_csv.rows(conn, listed, url), 1):
            if n > MAX_CSV_ROWS:
                writer.note(
                    f"the newest {MAX_CSV_ROWS} articles only: more pass these filters; "
                    "narrow the period (an earlier To date for older ones)"
                )
                break
            writer.row(row)
            if n % search_csv.BATCH == 0:
                yield flush()
    if hits is not None and hits.window_full:
        writer.note(
            f"a search ranks the {WINDOW} most recently stored of its matches and older "
            "ones may match: narrow it (a period or an outlet or more words) to rank them"
        )
    yield flush()


def _newest(conn: sa.Connection, filters: Filters) -> Iterator[SearchHit]:
    """The newest articles that pass ``filters``, one more than ``MAX_CSV_ROWS`` at most
    (to tell whether there are more), a batch at a time: each batch after the last row's
    key (`articles.newest_after`), not at an offset, which an article collected during the
    download shifted (a row given twice, or one left out)."""
    after, left = None, MAX_CSV_ROWS + 1
    while left > 0:
        batch = newest_after(conn, filters, min(search_csv.BATCH, left), after)
        yield from (hit for hit, _ in batch)
        if len(batch) < search_csv.BATCH:
            return
        after, left = batch[-1][1], left - len(batch)
