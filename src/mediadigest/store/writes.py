"""Write primitives of the store: naive-UTC timestamps, the one-writer lock, and inserts
that skip stored keys (``ON CONFLICT DO NOTHING``: concurrent writers never store a key twice,
and nothing checks before it inserts)."""

from __future__ import annotations

import functools
import itertools
import operator
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

__all__ = [
    "WRITER_LOCK",
    "insert_ignore",
    "insert_new",
    "lock_for_writing",
    "to_utc_naive",
    "utcnow",
]


def utcnow() -> datetime:
    """Naive UTC now: the store keeps every timestamp as naive UTC, on both backends, but
    an article's publication time (``published``, and ``dated`` from it), which is the
    outlet's wall time beside its offset (``published_offset``; see `model.wall_time`)."""
    return datetime.now(UTC).replace(tzinfo=None)


def to_utc_naive(value: datetime | None) -> datetime | None:
    """An aware time as naive UTC; a naive one is UTC already."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def insert_ignore(conn: sa.Connection, table: sa.Table) -> Any:
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
    insert = insert_ignore(conn, table)
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
