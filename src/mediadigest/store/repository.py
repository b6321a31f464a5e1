"""Reading and writing records: every write is an idempotent upsert on the record's natural key."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql import util as sql_util

from mediadigest.model import (
    Article,
    Attribution,
    Document,
    Entity,
    Quote,
    Relevance,
    Theme,
    wall_time,
)
from mediadigest.store import schema as t
from mediadigest.store.writes import (
    insert_ignore,
    insert_new,
    lock_for_writing,
    to_utc_naive,
    utcnow,
)

# -- documents and articles ------------------------------------------------------------------


def stored_urls(conn: sa.Connection, urls: Sequence[str]) -> set[str]:
    """Which of ``urls`` the store holds a document of (whatever source brought it)."""
    found: set[str] = set()
    for start in range(0, len(urls), 500):
        chunk = list(urls[start : start + 500])
        stmt = sa.select(t.documents.c.url).where(t.documents.c.url.in_(chunk)).distinct()
        found.update(conn.execute(stmt).scalars())
    return found


def save_document(conn: sa.Connection, doc: Document) -> int:
    """Store a document's raw bytes once per (url, body hash); returns its id."""
    digest = hashlib.sha1(doc.body).hexdigest()
    lock_for_writing(conn)
    conn.execute(
        insert_ignore(conn, t.documents).values(
            url=doc.url,
            content_hash=digest,
            content_type=doc.content_type,
            fetched_at=to_utc_naive(doc.fetched_at),
            source=doc.hints.get("source"),
            hints=dict(doc.hints),
            body=doc.body,
        )
    )
    key = (t.documents.c.url == doc.url) & (t.documents.c.content_hash == digest)
    return int(conn.execute(sa.select(t.documents.c.id).where(key)).scalar_one())


def save_articles(
    conn: sa.Connection,
    articles: Sequence[Article],
    document_id: int | None = None,
    fetched_at: datetime | None = None,
) -> int:
    """Insert articles that are not stored yet (key: canonical URL + content hash).

    An article is dated by its publication date (the outlet's wall time: periods and weeks
    follow the outlet's day), else by when its page was fetched (``fetched_at``: for an
    archive record, when it was crawled; UTC), else now.
    Returns how many were new. Sets ``article.id`` and ``article.dated`` (the day it is listed
    under) on every article, new or already stored.
    """
    if not articles:
        return 0
    lock_for_writing(conn)
    now = utcnow()
    undated = to_utc_naive(fetched_at) if fetched_at else now
    rows = [_article_row(art, document_id, now, undated) for art in articles]
    ids, new = insert_new(conn, t.articles, rows, ("canonical_url", "content_hash"))
    added = len(new)
    stored: list[Article] = []
    for art, row in zip(articles, rows, strict=True):
        key = (art.canonical_url, art.content_hash)
        art.id, art.dated = int(ids[key]), row["dated"]
        if key in new:
            new.discard(key)  # an article given twice in one batch gets its matches once
            stored.append(art)
    insert_matches_and_themes(conn, stored)
    return added


def insert_matches_and_themes(conn: sa.Connection, articles: Sequence[Article]) -> None:
    """The relevance matches and theme rows of stored articles (``id`` set), which the search
    filters and the themes' counts read."""
    matches = [{"article_id": art.id, **asdict(h)} for art in articles for h in art.relevance.hits]
    themes = [{"article_id": art.id, "theme": th.name, "score": th.score}
              for art in articles for th in art.themes]  # fmt: skip
    if matches:
        conn.execute(sa.insert(t.article_matches), matches)
    if themes:
        conn.execute(insert_ignore(conn, t.article_themes), themes)


def _article_row(
    art: Article,
    document_id: int | None,
    now: datetime,
    undated: datetime,
) -> dict[str, Any]:
    published, offset = wall_time(art.published)  # an aware time: its own clock
    if offset is None and published is not None:
        offset = art.published_offset  # naive: the wall time already, its offset beside it
    return {
        "document_id": document_id,
        "url": art.url,
        "canonical_url": art.canonical_url,
        "content_hash": art.content_hash,
        "title": art.title,
        "text": art.text,
        "outlet": art.outlet,
        "outlet_country": art.outlet_country,
        "author": art.author,
        "published": published,
        "language": art.language,
        "score": art.relevance.score,
        "grade": str(art.relevance.grade),
        "relevant": art.relevance.relevant,
        "relevance": art.relevance.to_dict(),
        "quotes": [asdict(q) for q in art.quotes],
        "warnings": list(art.warnings),
        "source": art.source,
        "created_at": now,
        "dated": published or undated,
        "kind": art.kind,
        "origin": art.origin,
        "reported_by": art.reported_by,
        "reported_on": art.reported_on,
        "original_title": art.original_title,
        "parent_url": art.parent_url,
        "tone": art.tone,
        "attribution": art.attribution.to_dict() if art.attribution else None,
        "entities": [e.to_dict() for e in art.entities],
        "themes": [th.to_dict() for th in art.themes],
        "explanations": dict(art.explanations),
        "published_offset": offset,
    }


def _article_from_row(row: sa.RowMapping) -> Article:
    return Article(
        id=row["id"],
        url=row["url"],
        canonical_url=row["canonical_url"],
        content_hash=row["content_hash"],
        title=row["title"],
        text=row["text"],
        outlet=row["outlet"],
        outlet_country=row["outlet_country"],
        author=row["author"],
        published=row["published"],
        published_offset=row["published_offset"],
        dated=row["dated"],
        language=row["language"],
        relevance=Relevance.from_dict(row["relevance"]),
        quotes=[Quote(**q) for q in row["quotes"]],
        source=row["source"],
        warnings=list(row["warnings"]),
        kind=row["kind"] or "news",
        origin=row["origin"],
        reported_by=row["reported_by"],
        reported_on=row["reported_on"],
        attribution=Attribution.from_dict(row["attribution"]) if row["attribution"] else None,
        original_title=row["original_title"],
        parent_url=row["parent_url"],
        entities=[Entity.from_dict(e) for e in row["entities"] or []],
        themes=[Theme.from_dict(th) for th in row["themes"] or []],
        tone=row["tone"],
        explanations=dict(row["explanations"] or {}),
    )


def articles_query(
    *,
    relevant_only: bool = True,
    since: date | None = None,
    until: date | None = None,
    limit: int | None = None,
    order: str = "dated",
    named: bool | None = None,
    one_per_page: bool = False,
    offset: int = 0,
) -> sa.Select[Any]:
    """The statement of `list_articles`: stored articles, newest first (``order='score'``:
    most relevant first).

    ``since``/``until`` are inclusive calendar days on the article's date (the outlet's own
    day where it gave its offset; else UTC's). ``named``:
    only the articles relevance found the country in (relevant, or any score), or (False)
    only the others; filtered in SQL, so a week of a busy store's other articles is never
    read back to be thrown away. ``one_per_page``: a page captured more than once is listed
    once, as search lists it (see `newest_capture`); stories keep every capture, so it is
    asked for, not the default. ``offset``: leave out that many of the first, for paging.
    """
    a = t.articles
    clauses: list[sa.ColumnElement[bool]] = []
    if relevant_only:
        clauses.append(a.c.relevant.is_(True))
    if named is not None:
        found = t.NAMES_COUNTRY
        clauses.append(found if named else sa.not_(found))
    if since is not None:
        clauses.append(a.c.dated >= datetime.combine(since, time.min))
    if until is not None:
        clauses.append(a.c.dated < datetime.combine(until + timedelta(days=1), time.min))
    stmt = sa.select(a).where(*clauses)
    if one_per_page:
        stmt = stmt.where(newest_capture(clauses))
    if order == "score":
        stmt = stmt.order_by(a.c.score.desc(), a.c.dated.desc(), a.c.id)
    else:
        stmt = stmt.order_by(a.c.dated.desc(), a.c.id.desc())
    if limit is not None:
        stmt = stmt.limit(limit)
    if offset:
        stmt = stmt.offset(offset)
    return stmt


def list_articles(conn: sa.Connection, **filters: Any) -> list[Article]:
    """Stored articles, newest first (``filters``: the arguments of `articles_query`, as
    `iter_articles` takes them)."""
    return [_article_from_row(r) for r in conn.execute(articles_query(**filters)).mappings()]


def iter_articles(conn: sa.Connection, batch: int = 500, **filters: Any) -> Iterator[list[Article]]:
    """`list_articles` in batches of ``batch`` articles (``filters``: its arguments), each
    read from the store as the one before has been handled: a listing of a whole store
    (200,000 articles, 4 GB as one list) holds one batch at a time. One statement, read
    within the connection's transaction."""
    result = conn.execution_options(yield_per=batch).execute(articles_query(**filters))
    for rows in result.mappings().partitions():
        yield [_article_from_row(r) for r in rows]


def newest_capture(clauses: Sequence[sa.ColumnElement[bool]]) -> sa.ColumnElement[bool]:
    """A filter: the article is its page's newest capture among the articles passing
    ``clauses`` (the listing's other filters), so that a listing holds a page once, as
    `store.search` does.

    A page is a canonical URL: captured again with other content (an archive's re-crawl), or
    reached by another URL, it is another article. The newest capture is the one captured
    last (when its page was fetched, else when it was stored), then the one stored last.
    A NOT EXISTS per article walked, a seek into the (canonical_url, content_hash) index that
    mostly finds only the article itself; the walk newest first by ``dated`` (or a filter's
    index) stays as it was, however large the store.
    """
    a, d = t.articles, t.documents
    # A scalar subquery, not a join: read only for the few pages that have another capture.
    fetched = (
        sa.select(d.c.fetched_at).where(d.c.id == a.c.document_id).correlate(a).scalar_subquery()
    )
    captured = sa.func.coalesce(fetched, a.c.created_at)
    later = a.alias("later")
    later_document = d.alias("later_document")
    when = sa.func.coalesce(later_document.c.fetched_at, later.c.created_at)
    on_later = sql_util.ClauseAdapter(later).traverse
    recaptured = (
        sa.select(later.c.id)
        .select_from(later.outerjoin(later_document, later_document.c.id == later.c.document_id))
        .where(
            later.c.canonical_url == a.c.canonical_url,
            # A roundup's item that links to the page is no capture of it (another parent).
            later.c.parent_url.is_not_distinct_from(a.c.parent_url),
            later.c.id != a.c.id,
            sa.or_(when > captured, sa.and_(when == captured, later.c.id > a.c.id)),
            # Tested on each capture found, never used to find them: SQLite took the filter's
            # index (every article of a country) over the page's, 1 ms became a second.
            sa.case((sa.and_(sa.true(), *map(on_later, clauses)), True), else_=False),
        )
        .correlate(a)
        .exists()
    )
    return ~recaptured


def count_rows(conn: sa.Connection, table: str) -> int:
    return int(
        conn.execute(sa.select(sa.func.count()).select_from(t.metadata.tables[table])).scalar()
    )


# -- digests ---------------------------------------------------------------------------------


def save_digest(
    conn: sa.Connection, period_from: date, period_to: date, profile: str, content: dict[str, Any]
) -> int:
    lock_for_writing(conn)
    result = conn.execute(
        sa.insert(t.digests)
        .values(
            period_from=period_from,
            period_to=period_to,
            profile=profile,
            created_at=utcnow(),
            content=content,
        )
        .returning(t.digests.c.id)
    )
    return int(result.scalar_one())
