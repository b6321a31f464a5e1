"""Rewriting stored articles' analysis in place (`mediadigest db reanalyse`): same ids, same text.

`save_articles` never rewrites an article it has (its key is the text's), so an analysis an
older version or an older profile wrote stays. Here the columns the analyse stage fills, and
the rows derived from them (``article_matches``, ``article_themes``), are replaced as one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from mediadigest.model import Article
from mediadigest.store import schema as t
from mediadigest.store.repository import (
    _article_from_row,
    _article_row,
    insert_matches_and_themes,
)
from mediadigest.store.writes import lock_for_writing

__all__ = [
    "ANALYSIS_COLUMNS",
    "analysis_of",
    "articles_after",
    "count_in_period",
    "rewrite",
    "same_analysis",
]

# What the analyse stage writes from an article's text; the rest (its URL, text, dates, the
# extraction's title and language) comes from the page and is never rewritten.
ANALYSIS_COLUMNS = (
    "score", "grade", "relevant", "relevance", "quotes", "warnings", "author", "kind", "origin",
    "reported_by", "reported_on", "tone", "attribution", "entities", "themes", "explanations",
)  # fmt: skip


def analysis_of(art: Article) -> dict[str, Any]:
    """The article's analysis as its row stores it (JSON columns in their stored form)."""
    row = _article_row(art, None, datetime.min, datetime.min)
    return {name: row[name] for name in ANALYSIS_COLUMNS}


def same_analysis(stored: Article, fresh: Article) -> bool:
    """Whether ``fresh`` would store what ``stored`` has. A stored article's score is read
    back from its relevance JSON, rounded to 3 places (`Relevance.to_dict`): compared so, or
    every article with a score like 1/3 was "changed" on every run."""
    old, new = analysis_of(stored), analysis_of(fresh)
    new["score"] = round(new["score"], 3)
    old["score"] = round(old["score"], 3)
    return old == new


def _period(since: date | None, until: date | None) -> list[sa.ColumnElement[bool]]:
    a = t.articles.c
    clauses = []
    if since is not None:
        clauses.append(a.dated >= datetime.combine(since, time.min))
    if until is not None:
        clauses.append(a.dated < datetime.combine(until + timedelta(days=1), time.min))
    return clauses


def count_in_period(conn: sa.Connection, since: date | None, until: date | None) -> int:
    stmt = sa.select(sa.func.count()).select_from(t.articles).where(*_period(since, until))
    return int(conn.execute(stmt).scalar_one())


def articles_after(
    conn: sa.Connection, after: int, limit: int, since: date | None, until: date | None
) -> list[Article]:
    """Up to ``limit`` articles of the period with ids above ``after``, by id: a walk that a
    stop can resume, and that articles stored meanwhile (higher ids) join at its end."""
    a = t.articles
    stmt = sa.select(a).where(a.c.id > after, *_period(since, until)).order_by(a.c.id).limit(limit)
    return [_article_from_row(r) for r in conn.execute(stmt).mappings()]


def rewrite(conn: sa.Connection, articles: Sequence[Article]) -> None:
    """Replace the analysis of stored articles (by ``id``) with theirs: the columns, the
    relevance matches and the theme rows. Call inside the caller's write transaction."""
    if not articles:
        return
    lock_for_writing(conn)
    a = t.articles
    ids = [art.id for art in articles]
    update = (
        sa.update(a)
        .where(a.c.id == sa.bindparam("_id"))
        .values({name: sa.bindparam(name) for name in ANALYSIS_COLUMNS})
    )
    conn.execute(update, [{"_id": art.id, **analysis_of(art)} for art in articles])
    conn.execute(sa.delete(t.article_matches).where(t.article_matches.c.article_id.in_(ids)))
    conn.execute(sa.delete(t.article_themes).where(t.article_themes.c.article_id.in_(ids)))
    insert_matches_and_themes(conn, articles)
