"""Reading articles for the pages: one by id, the archive's filters and its search.

Search itself is ``store.search``; this module adds what the archive page needs around it
(filter choices, browsing without a query). Every filter is part of the query, before its
limit: a filter tested on the hits afterwards would lose matches beyond the first ``limit``.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as dtime

import sqlalchemy as sa

from mediadigest.model import FIRST_DAY, LAST_DAY, Article
from mediadigest.store import repository
from mediadigest.store import schema as t
from mediadigest.store.search import (
    HIT_COLUMNS,
    SearchHit,
    Spellings,
    as_stored,
    outlet_spellings,
    search,
    theme_spellings,
    themed,
)


def get_article(conn: sa.Connection, article_id: int) -> Article | None:
    row = conn.execute(sa.select(t.articles).where(t.articles.c.id == article_id))
    found = row.mappings().first()
    return repository._article_from_row(found) if found else None


def theme_names(themes: object) -> list[str]:
    """Names of themes however they come: ``Theme`` records, their dicts, or plain names."""
    names = []
    for theme in themes or []:  # type: ignore[attr-defined]
        if isinstance(theme, str):
            names.append(theme)
        elif isinstance(theme, dict):
            names.append(str(theme.get("name", "")))
        else:
            names.append(str(getattr(theme, "name", theme)))
    return [n for n in names if n]


def themes_of(article: Article) -> list[str]:
    """The article's themes, once the analyse stage records them (empty before)."""
    return theme_names(getattr(article, "themes", None))


@dataclass(slots=True)
class Filters:
    """The archive's filters; empty strings from a form mean "any"."""

    since: date | None = None
    until: date | None = None
    theme: str | None = None
    outlet: str | None = None
    country: str | None = None
    language: str | None = None
    relevant_only: bool = False


def period_problem(
    since: date | None, until: date | None, names: tuple[str, str] = ("since", "until")
) -> str | None:
    """What is wrong with a period that ends before it starts, or a day outside the years we
    work with (None if nothing is).

    Such a search finds nothing at all, which reads as "no articles"; ``names`` are what the
    asker calls the two dates (the form's labels, the API's parameters).
    """
    for day, name in zip((since, until), names, strict=True):
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            return (
                f"{name} ({day.isoformat()}) is outside the years mediadigest works with "
                f"({FIRST_DAY.year} to {LAST_DAY.year})."
            )
    if since is None or until is None or since <= until:
        return None
    return (
        f"{names[0]} ({since.isoformat()}) is after {names[1]} ({until.isoformat()}), "
        "so no article can match; swap the dates."
    )


def find(
    conn: sa.Connection,
    query: str,
    filters: Filters,
    limit: int = 50,
    names: Spellings | None = None,
    offset: int = 0,
) -> list[SearchHit]:
    """Full-text search with the filters; without a query, the newest articles that pass them.

    ``names``: a name in the query matches in every spelling listed there. ``offset``: skip
    that many, for paging (a search pages within its ranked window, ``store.search.WINDOW``).
    """
    if not query.strip():
        return _newest(conn, filters, limit, offset)
    return search(
        conn,
        query,
        since=filters.since,
        until=filters.until,
        language=filters.language,
        outlet=filters.outlet,
        outlet_country=filters.country,
        relevant_only=filters.relevant_only,
        limit=limit,
        names=names,
        theme=filters.theme,
        offset=offset,
    )


def _newest(conn: sa.Connection, filters: Filters, limit: int, offset: int) -> list[SearchHit]:
    """The newest articles that pass ``filters``, one per page, as `store.search` lists them:
    a page (canonical URL) captured again is its newest capture among those passing
    (captured last, then stored last), in its place by date."""
    return [hit for hit, _ in _newest_keyed(conn, filters, limit, offset)]


# Where a listing of the newest articles is: its last row's (dated, id), its order's key.
Key = tuple[datetime, int]


def newest_after(
    conn: sa.Connection, filters: Filters, limit: int, after: Key | None
) -> list[tuple[SearchHit, Key]]:
    """What `find` lists without a query, ``limit`` of them after ``after`` (None: from the
    newest), each with its key: paging by key, not by offset, so that an article stored
    meanwhile (serve's scheduled collect) neither repeats a row nor pushes one out."""
    return _newest_keyed(conn, filters, limit, 0, after)


def _newest_keyed(
    conn: sa.Connection, filters: Filters, limit: int, offset: int, after: Key | None = None
) -> list[tuple[SearchHit, Key]]:
    a = t.articles
    cols = list(HIT_COLUMNS)
    lead = sa.func.substr(a.c.text, 1, 240).label("snippet")
    clauses = _clauses(conn, filters)
    if clauses is None:
        return []
    # Newest first by date, then by id (dated is not null): strictly after the key given.
    keyset = (
        [sa.or_(a.c.dated < after[0], sa.and_(a.c.dated == after[0], a.c.id < after[1]))]
        if after
        else []
    )
    query = (
        sa.select(*cols, lead, a.c.dated.label("_dated"))
        .where(*clauses, repository.newest_capture(clauses), *keyset)
        .order_by(a.c.dated.desc(), a.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    out = []
    for r in conn.execute(query).mappings():
        row = {k: v for k, v in r.items() if k != "_dated"}
        hit = SearchHit(**{**row, "score": 0.0, "snippet": " ".join(r["snippet"].split())})
        out.append((hit, (r["_dated"], r["id"])))
    return out


def _clauses(conn: sa.Connection, f: Filters) -> list[sa.ColumnElement[bool]] | None:
    """The filters as SQL; None when none can pass (no outlet or theme of that name is stored).

    The outlet in any case, as search takes it: its stored spellings (`outlet_spellings`), so
    the filter stays an equality on ix_articles_outlet_dated.
    """
    a = t.articles
    out: list[sa.ColumnElement[bool]] = []
    if f.since:
        out.append(a.c.dated >= datetime.combine(f.since, dtime.min))
    if f.until:
        out.append(a.c.dated < datetime.combine(f.until + timedelta(days=1), dtime.min))
    if f.outlet:
        outlets = outlet_spellings(conn, f.outlet)
        if not outlets:
            return None
        out.append(a.c.outlet == outlets[0] if len(outlets) == 1 else a.c.outlet.in_(outlets))
    language, country = as_stored(f.language, f.country)
    for column, value in (("outlet_country", country), ("language", language)):
        if value:
            out.append(a.c[column] == value)
    if f.relevant_only:
        out.append(a.c.relevant.is_(True))
    if f.theme:  # in any case, as search takes it ("Economy" found nothing)
        themes = theme_spellings(conn, f.theme)
        if not themes:
            return None
        out.append(themed(themes))
    return out


# The archive's Outlet box suggests this many outlets, those with the most articles: all of a
# bench store's 3,531 were 110 KB of every archive page (uncompressed), and the most stored
# 1,000 hold 81% of its articles; any other outlet is typed (in any case, as search takes it).
OUTLET_CHOICES = 1000
# Country and language codes stay menus: two-letter country codes, a few hundred at most, and
# the languages pages declare; a code given in the URL is shown even beyond this.
CODE_CHOICES = 500


class Choices:
    """Outlets, countries and languages the archive's filters offer, refreshed now and then.

    Listing them walks a whole index (a million rows on a large store): they can be minutes old.
    """

    def __init__(self, ttl: float = 300.0) -> None:
        self.ttl = ttl
        self._at = -ttl
        self._value: dict[str, list[str]] = {}
        self._lock = threading.Lock()

    def get(self, conn: sa.Connection) -> dict[str, list[str]]:
        with self._lock:
            if time.monotonic() - self._at > self.ttl:
                self._value = _distinct_values(conn)
                self._at = time.monotonic()
            return self._value

    def forget(self) -> None:
        with self._lock:
            self._at = -self.ttl


def _distinct_values(conn: sa.Connection) -> dict[str, list[str]]:
    """The ``OUTLET_CHOICES`` outlets with the most articles, and the first ``CODE_CHOICES``
    countries and languages, each in alphabetical order.

    The first 500 outlets by name ended at "Fort Leavenworth Lamp" on a store of 3,531: Reuters
    could not be chosen. The most stored are the ones a filter is likely to want.
    """
    a = t.articles
    most = (
        sa.select(a.c.outlet)
        .where(a.c.outlet.is_not(None))
        .group_by(a.c.outlet)
        .order_by(sa.func.count().desc(), a.c.outlet)
        .limit(OUTLET_CHOICES)
    )
    outlets = sorted(
        (str(v) for v in conn.execute(most).scalars()), key=lambda o: (o.casefold(), o)
    )
    out = {"outlets": outlets}
    for key, column in (("countries", a.c.outlet_country), ("languages", a.c.language)):
        query = sa.select(column).where(column.is_not(None)).distinct().order_by(column)
        out[key] = [str(v) for v in conn.execute(query.limit(CODE_CHOICES)).scalars()]
    return out
