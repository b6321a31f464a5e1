"""Reading and writing records: every write is an idempotent upsert on the record's natural key."""

from __future__ import annotations

import functools
import hashlib
import itertools
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from mediadigest.model import (
    Article,
    Attribution,
    Document,
    Entity,
    Quote,
    Relevance,
    Source,
    Theme,
)
from mediadigest.store import schema as t


def utcnow() -> datetime:
    """Naive UTC now: the store keeps every timestamp as naive UTC, on both backends."""
    return datetime.now(UTC).replace(tzinfo=None)


def to_utc_naive(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def _insert_ignore(conn: sa.Connection, table: sa.Table) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING for the connection's dialect (no check-then-insert)."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table).on_conflict_do_nothing()


# Any 64-bit number that no other application on the same database is likely to pick.
WRITER_LOCK = 0x6D65_6469_6167_6573  # "mediages"


def lock_for_writing(conn: sa.Connection) -> None:
    """Make this transaction the store's one writer until it ends (PostgreSQL; a no-op on SQLite).

    Writers in several processes (ingest, collect, the web app) insert overlapping keys in
    different orders; row locks taken in different orders deadlock. One advisory lock per
    write transaction orders them instead, as SQLite's database lock does. Every write function
    here calls it before its first write; it is re-entrant and released at commit or rollback.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(WRITER_LOCK)))


# -- sources ---------------------------------------------------------------------------------


def add_source(conn: sa.Connection, source: Source) -> tuple[int, bool]:
    """Add a source; returns (id, added). Adding an existing URL changes nothing."""
    lock_for_writing(conn)
    stmt = _insert_ignore(conn, t.sources).values(
        url=source.url, kind=source.kind, title=source.title, added_at=utcnow()
    )
    # RETURNING, not rowcount: psycopg reports -1 for INSERT ... ON CONFLICT DO NOTHING.
    new_id = conn.execute(stmt.returning(t.sources.c.id)).scalar()
    if new_id is not None:
        return int(new_id), True
    row_id = conn.execute(sa.select(t.sources.c.id).where(t.sources.c.url == source.url)).scalar()
    return int(row_id), False


def list_sources(conn: sa.Connection) -> list[dict[str, Any]]:
    rows = conn.execute(sa.select(t.sources).order_by(t.sources.c.id)).mappings()
    return [dict(r) for r in rows]


def remove_source(conn: sa.Connection, url: str) -> bool:
    lock_for_writing(conn)
    deleted = conn.execute(
        sa.delete(t.sources).where(t.sources.c.url == url).returning(t.sources.c.id)
    )
    return deleted.first() is not None


def record_fetch(
    conn: sa.Connection, source_id: int | None, url: str, *, error: str | None, items: int = 0
) -> None:
    """Log one fetch of a source and update its health columns."""
    lock_for_writing(conn)
    now = utcnow()
    conn.execute(
        sa.insert(t.fetch_log).values(
            source_id=source_id, url=url, at=now, ok=error is None, items=items, error=error
        )
    )
    if source_id is not None:
        values: dict[str, Any] = {"last_fetched_at": now, "last_error": error}
        if error is None:
            values["last_ok_at"] = now
        conn.execute(sa.update(t.sources).where(t.sources.c.id == source_id).values(**values))


def seen_keys(conn: sa.Connection, source_id: int) -> set[str]:
    rows = conn.execute(
        sa.select(t.seen_items.c.item_key).where(t.seen_items.c.source_id == source_id)
    )
    return {r[0] for r in rows}


def mark_seen(conn: sa.Connection, source_id: int, keys: Iterable[str]) -> None:
    now = utcnow()
    values = [{"source_id": source_id, "item_key": k, "seen_at": now} for k in keys]
    if values:
        lock_for_writing(conn)
        conn.execute(_insert_ignore(conn, t.seen_items), values)


# -- documents and articles ------------------------------------------------------------------


def save_document(conn: sa.Connection, doc: Document) -> int:
    """Store a document's raw bytes once per (url, body hash); returns its id."""
    digest = hashlib.sha1(doc.body).hexdigest()
    lock_for_writing(conn)
    conn.execute(
        _insert_ignore(conn, t.documents).values(
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
    conn: sa.Connection, articles: Sequence[Article], document_id: int | None = None
) -> int:
    """Insert articles that are not stored yet (key: canonical URL + content hash).

    Returns how many were new. Sets ``article.id`` on every article, new or already stored.
    """
    if not articles:
        return 0
    lock_for_writing(conn)
    now = utcnow()
    rows = [_article_row(art, document_id, now, to_utc_naive(art.published)) for art in articles]
    ids, new = insert_new(conn, t.articles, rows, ("canonical_url", "content_hash"))
    added = len(new)
    matches: list[dict[str, Any]] = []
    themes: list[dict[str, Any]] = []
    for art in articles:
        key = (art.canonical_url, art.content_hash)
        art.id = int(ids[key])
        if key in new:
            new.discard(key)  # an article given twice in one batch gets its matches once
            matches += [{"article_id": art.id, **asdict(h)} for h in art.relevance.hits]
            themes += [{"article_id": art.id, "theme": th.name, "score": th.score}
                       for th in art.themes]  # fmt: skip
    if matches:
        conn.execute(sa.insert(t.article_matches), matches)
    if themes:
        conn.execute(_insert_ignore(conn, t.article_themes), themes)
    return added


def insert_new(
    conn: sa.Connection,
    table: sa.Table,
    rows: Sequence[dict[str, Any]],
    key: tuple[str, ...],
    *,
    returning: bool = True,
) -> tuple[dict[tuple[Any, ...], int], set[tuple[Any, ...]]]:
    """Insert the rows whose ``key`` columns are not stored yet: ({key: id} of all, new keys).

    One multi-row INSERT ... ON CONFLICT DO NOTHING RETURNING per thousand rows, so a batch
    costs a few statements, not one per row, and concurrent writers never store a key twice.
    Then one SELECT for the keys that were already there. ``returning=False``: insert only
    (tables without an ``id``), and return nothing.
    """
    lock_for_writing(conn)
    if conn.dialect.name == "sqlite" and rows and _plain_columns(conn.dialect, table, key):
        return _insert_new_sqlite(conn, table, rows, key, returning)
    insert = _insert_ignore(conn, table)
    if not returning:
        conn.execute(insert, list(rows))
        return {}, set()
    key_columns = [table.c[name] for name in key]
    found = conn.execute(insert.returning(table.c.id, *key_columns), list(rows))
    return _with_stored_ids(conn, table, rows, key, {tuple(r[1:]): r[0] for r in found})


def _insert_new_sqlite(
    conn: sa.Connection,
    table: sa.Table,
    rows: Sequence[dict[str, Any]],
    key: tuple[str, ...],
    returning: bool,
) -> tuple[dict[tuple[Any, ...], int], set[tuple[Any, ...]]]:
    """`insert_new` on SQLite: the same statements, written out here and sent as driver SQL.

    A bulk load is mostly SQLAlchemy's per-value work otherwise (compiling the multi-row
    INSERT, a bind processor call per value, a JSON encoder for each empty list): about as
    much CPU as SQLite's own, full-text index included. The values are converted by the
    columns' own bind processors, so what is stored is exactly what SQLAlchemy would store.
    """
    names = tuple(rows[0])
    binds = _bind_processors(conn.dialect, table, names)
    per = max(1, min(1000, conn.dialect.insertmanyvalues_max_parameters // len(names)))
    ids: dict[tuple[Any, ...], int] = {}
    for chunk in _chunks(rows, per):
        sql = _insert_sql(conn.dialect, table.name, names, key if returning else (), len(chunk))
        result = conn.exec_driver_sql(sql, _flat_values(chunk, binds))
        if returning:
            ids.update({tuple(r[1:]): r[0] for r in result})
    if not returning:
        return {}, set()
    return _with_stored_ids(conn, table, rows, key, ids)


def _with_stored_ids(
    conn: sa.Connection,
    table: sa.Table,
    rows: Sequence[dict[str, Any]],
    key: tuple[str, ...],
    inserted: dict[tuple[Any, ...], int],
) -> tuple[dict[tuple[Any, ...], int], set[tuple[Any, ...]]]:
    """`insert_new`'s answer: the ``inserted`` ids plus those of the rows' keys that were
    already stored (one SELECT per 400 keys), and the set of new keys."""
    new = set(inserted)
    ids = dict(inserted)
    key_columns = [table.c[name] for name in key]
    missing = sorted({tuple(row[name] for name in key) for row in rows} - new)
    for part in _chunks(missing, 400):
        stored = sa.select(table.c.id, *key_columns).where(sa.tuple_(*key_columns).in_(part))
        ids.update({tuple(r[1:]): r[0] for r in conn.execute(stored)})
    return ids, new


def _flat_values(
    rows: Sequence[dict[str, Any]], binds: list[tuple[str, Callable[[Any], Any] | None]]
) -> tuple[Any, ...]:
    """The rows' values, row by row, converted by the binds: built column by column, so only
    the columns that have a processor cost a Python call per value (a bulk load's hot loop)."""
    columns = []
    for name, bind in binds:
        values = map(operator.itemgetter(name), rows)
        columns.append(list(values if bind is None else map(bind, values)))
    return tuple(itertools.chain.from_iterable(zip(*columns, strict=True)))


@functools.cache
def _plain_columns(dialect: sa.Dialect, table: sa.Table, key: tuple[str, ...]) -> bool:
    """Can `_insert_new_sqlite` write this table? No column computes its value in Python (it
    does not fill them in), and the key columns read back as stored (it compares them raw).
    """
    return all(c.default is None and c.onupdate is None for c in table.columns) and all(
        table.c[n].type.dialect_impl(dialect).result_processor(dialect, None) is None for n in key
    )


@functools.cache
def _bind_processors(
    dialect: sa.Dialect, table: sa.Table, names: tuple[str, ...]
) -> list[tuple[str, Callable[[Any], Any] | None]]:
    """(name, the column's bind processor or None) for each name, as SQLAlchemy would apply."""
    binds = []
    for name in names:
        column_type = table.c[name].type
        bind = column_type.dialect_impl(dialect).bind_processor(dialect)
        if isinstance(column_type, sa.JSON):
            bind = _json_bind(bind)
        elif isinstance(column_type, sa.DateTime | sa.Date) and bind is not None:
            # Pure formatters; a batch repeats its timestamps (created_at, dated) row after row.
            bind = functools.lru_cache(maxsize=1024)(bind)
        binds.append((name, bind))
    return binds


def _json_bind(bind: Callable[[Any], Any] | None) -> Callable[[Any], Any] | None:
    """The JSON column's processor, short-cut for the empty values most articles have."""
    if bind is None:
        return None
    empty = {type(None): bind(None), list: bind([]), dict: bind({})}

    def process(value: Any) -> Any:
        if not value:
            done = empty.get(type(value))
            if done is not None:
                return done
        return bind(value)

    return process


@functools.cache
def _insert_sql(
    dialect: sa.Dialect, table: str, names: tuple[str, ...], key: tuple[str, ...], count: int
) -> str:
    quote = dialect.identifier_preparer.quote
    row = "(" + ", ".join("?" * len(names)) + ")"
    returning = f" RETURNING id, {', '.join(map(quote, key))}" if key else ""
    return (
        f"INSERT INTO {quote(table)} ({', '.join(map(quote, names))}) "
        f"VALUES {', '.join([row] * count)} ON CONFLICT DO NOTHING{returning}"
    )


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _article_row(
    art: Article, document_id: int | None, now: datetime, published: datetime | None
) -> dict[str, Any]:
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
        "dated": published or now,
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


def list_articles(
    conn: sa.Connection,
    *,
    relevant_only: bool = True,
    since: date | None = None,
    until: date | None = None,
    limit: int | None = None,
    order: str = "dated",
) -> list[Article]:
    """Stored articles, newest first (``order='score'``: most relevant first).

    ``since``/``until`` are inclusive calendar days (UTC) on the article's date.
    """
    a = t.articles
    stmt = sa.select(a)
    if relevant_only:
        stmt = stmt.where(a.c.relevant.is_(True))
    if since is not None:
        stmt = stmt.where(a.c.dated >= datetime.combine(since, time.min))
    if until is not None:
        stmt = stmt.where(a.c.dated < datetime.combine(until + timedelta(days=1), time.min))
    if order == "score":
        stmt = stmt.order_by(a.c.score.desc(), a.c.dated.desc(), a.c.id)
    else:
        stmt = stmt.order_by(a.c.dated.desc(), a.c.id.desc())
    if limit is not None:
        stmt = stmt.limit(limit)
    return [_article_from_row(r) for r in conn.execute(stmt).mappings()]


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
