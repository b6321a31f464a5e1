"""Collection state in the store: ingest checkpoints, HTTP validators, per-source backoff, health.

Tables (on the store's metadata; migration 0003 creates them):

- ``ingest_checkpoints``: per input file and profile, how far ingest got (a byte offset at a
  record boundary) and whether the file is done; written in the same transaction as the
  results before that offset, so a killed ingest resumes exactly where its last commit was.
  Its fingerprint (migration 0012) tells a file that only grew since, which ingest reads on
  from there, from one replaced.
- ``http_validators``: ETag / Last-Modified per fetched URL that is not a source (pages,
  child sitemaps), so an unchanged one costs a 304. Sources keep theirs in ``sources``.
- ``source_schedule``: consecutive failures and when a failing source is due again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from mediadigest.store import schema as t
from mediadigest.store.writes import lock_for_writing, utcnow

ingest_checkpoints = sa.Table(
    "ingest_checkpoints",
    t.metadata,
    sa.Column("input", sa.Text, primary_key=True),  # absolute path of the file
    sa.Column("profile", sa.String(64), primary_key=True),
    sa.Column("size", sa.BigInteger, nullable=False),  # identity: a changed file starts over
    sa.Column("mtime_ns", sa.BigInteger, nullable=False),
    sa.Column("position", sa.BigInteger, nullable=False),  # next byte to read, a record boundary
    sa.Column("done", sa.Boolean, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    # A hash of samples of the bytes before ``position`` (run.ingest.fingerprint); NULL: not
    # known (stored before migration 0012), and a file that changed is read from its start.
    sa.Column("fingerprint", sa.String(64)),
)

http_validators = sa.Table(
    "http_validators",
    t.metadata,
    sa.Column("url", sa.Text, primary_key=True),
    sa.Column("etag", sa.Text),
    sa.Column("last_modified", sa.Text),
    sa.Column("checked_at", sa.DateTime, nullable=False),
)

source_schedule = sa.Table(
    "source_schedule",
    t.metadata,
    sa.Column(
        "source_id", sa.Integer, sa.ForeignKey("sources.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("failures", sa.Integer, nullable=False),  # consecutive, 0 after a success
    sa.Column("next_due_at", sa.DateTime),  # None: due whenever collect runs
)

ITEMS_WINDOW_DAYS = 7  # items per day: the average over the last week
# The seen items that are no item: "failed round 2: <key>" (collect.poll.failed_round).
FAILED_ROUND_MARKS = "failed round %: %"


@dataclass(slots=True)
class Checkpoint:
    """How far ingest got through one input file, for one profile."""

    input: str
    profile: str
    size: int
    mtime_ns: int
    position: int = 0
    done: bool = False
    fingerprint: str | None = None  # of the bytes before ``position``, as they were read

    def matches(self, size: int, mtime_ns: int) -> bool:
        return (self.size, self.mtime_ns) == (size, mtime_ns)


def _upsert(conn: sa.Connection, table: sa.Table, row: dict[str, Any], keys: list[str]) -> None:
    """INSERT ... ON CONFLICT (keys) DO UPDATE for the connection's dialect."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table).values(**row)
    changes = {k: stmt.excluded[k] for k in row if k not in keys}
    lock_for_writing(conn)
    conn.execute(stmt.on_conflict_do_update(index_elements=keys, set_=changes))


# -- ingest checkpoints ------------------------------------------------------------------------


def checkpoints(conn: sa.Connection, profile: str) -> dict[str, Checkpoint]:
    """Every checkpoint of ``profile``, by input path (one query for a folder of inputs)."""
    c = ingest_checkpoints.c
    rows = conn.execute(sa.select(ingest_checkpoints).where(c.profile == profile)).mappings()
    return {r["input"]: Checkpoint(**{k: v for k, v in r.items() if k != "updated_at"})
            for r in rows}  # fmt: skip


def save_checkpoint(conn: sa.Connection, cp: Checkpoint) -> None:
    row = {
        "input": cp.input,
        "profile": cp.profile,
        "size": cp.size,
        "mtime_ns": cp.mtime_ns,
        "position": cp.position,
        "done": cp.done,
        "fingerprint": cp.fingerprint,
        "updated_at": utcnow(),
    }
    _upsert(conn, ingest_checkpoints, row, ["input", "profile"])


# -- HTTP validators ---------------------------------------------------------------------------


def validators(conn: sa.Connection, urls: list[str]) -> dict[str, tuple[str | None, str | None]]:
    """(ETag, Last-Modified) stored for each of ``urls`` that has any."""
    v = http_validators.c
    found: dict[str, tuple[str | None, str | None]] = {}
    for start in range(0, len(urls), 500):
        chunk = urls[start : start + 500]
        rows = conn.execute(sa.select(v.url, v.etag, v.last_modified).where(v.url.in_(chunk)))
        found.update({r.url: (r.etag, r.last_modified) for r in rows})
    return found


def save_validators(
    conn: sa.Connection, url: str, etag: str | None, last_modified: str | None
) -> None:
    if not etag and not last_modified:  # none now (a sitemap index keeps none): forget any
        lock_for_writing(conn)
        conn.execute(sa.delete(http_validators).where(http_validators.c.url == url))
        return
    row = {"url": url, "etag": etag, "last_modified": last_modified, "checked_at": utcnow()}
    _upsert(conn, http_validators, row, ["url"])


def save_source_validators(
    conn: sa.Connection,
    source_id: int,
    etag: str | None,
    last_modified: str | None,
    *,
    title: str | None = None,
) -> None:
    """A source's validators, and its own title as its name if it has none yet.

    A name the user gave (OPML import) stays: it is theirs, and feeds rename themselves.
    """
    lock_for_writing(conn)
    src = t.sources.c
    values: dict[str, Any] = {"etag": etag, "last_modified": last_modified}
    if title:
        values["title"] = sa.func.coalesce(src.title, title[:300])
    conn.execute(sa.update(t.sources).where(src.id == source_id).values(**values))


# -- per-source schedule -----------------------------------------------------------------------


def backoff_delay(failures: int, interval: timedelta, cap: timedelta) -> timedelta:
    """How long a source that failed ``failures`` times in a row is left alone.

    The first failure costs nothing (the next round tries again); then 1, 3, 7, ... rounds
    are skipped (2**(n-1) - 1), up to ``cap``.
    """
    if failures <= 1:
        return timedelta(0)
    return min(interval * (2 ** (failures - 1) - 1), cap)


def record_outcome(
    conn: sa.Connection,
    source_id: int,
    *,
    ok: bool,
    interval: timedelta,
    cap: timedelta = timedelta(days=1),
    now: datetime | None = None,
) -> int:
    """Count a success (resets) or a failure (backs off); returns consecutive failures."""
    now = now or utcnow()
    s = source_schedule.c
    row = conn.execute(sa.select(s.failures).where(s.source_id == source_id)).first()
    failures = 0 if ok else (row.failures if row else 0) + 1
    delay = backoff_delay(failures, interval, cap)
    due = now + delay if delay else None
    _upsert(conn, source_schedule, {"source_id": source_id, "failures": failures,
                                    "next_due_at": due}, ["source_id"])  # fmt: skip
    return failures


def not_due(conn: sa.Connection, now: datetime | None = None) -> dict[int, datetime]:
    """Sources in backoff: id -> when they are due again."""
    now = now or utcnow()
    s = source_schedule.c
    rows = conn.execute(sa.select(s.source_id, s.next_due_at).where(s.next_due_at > now))
    return {r.source_id: r.next_due_at for r in rows}


def due_now(conn: sa.Connection, source_ids: list[int], now: datetime | None = None) -> int:
    """Make sources in backoff due now (their failures still count); how many were waiting."""
    now = now or utcnow()
    s = source_schedule.c
    lock_for_writing(conn)
    waiting = (s.source_id.in_(source_ids)) & (s.next_due_at > now)
    return conn.execute(sa.update(source_schedule).where(waiting).values(next_due_at=None)).rowcount


def source_health(conn: sa.Connection, now: datetime | None = None) -> list[dict[str, Any]]:
    """Every source with its health: last success and error, failures, next try, items/day.

    Items per day count the items a source listed that were new to it (its seen items),
    whichever source fetched their pages: the fetch log's ``items`` counts only the pages a
    read fetched, so a feed listing what another feed brought first read 0 however active.
    Only what came after a source's first successful read counts: that read lists its whole
    backlog (a feed's 50 last items), not a day's flow. None until a second read.
    """
    now = now or utcnow()
    since = now - timedelta(days=ITEMS_WINDOW_DAYS)
    src, sched, log, seen = t.sources, source_schedule, t.fetch_log, t.seen_items
    first = (
        sa.select(
            log.c.source_id, sa.func.min(log.c.id).label("id"), sa.func.min(log.c.at).label("at")
        )
        .where(log.c.ok)
        .group_by(log.c.source_id)
        .subquery()
    )
    # Read again since its first success, within the week: its last read there came after.
    # (A join of each source's first read to the log's later rows walked the whole log once
    # per source: seconds for a busy install's sources list.)
    last = (
        sa.select(log.c.source_id, sa.func.max(log.c.id).label("id"))
        .where(log.c.at >= since)
        .group_by(log.c.source_id)
        .subquery()
    )
    # A read marks its items seen before it is logged: the first read's backlog is not later.
    listed = (
        sa.select(seen.c.source_id, sa.func.count().label("n"))
        .join(first, first.c.source_id == seen.c.source_id)
        .where(
            seen.c.seen_at >= since,
            seen.c.seen_at > first.c.at,
            # A page's failed round is kept among the seen items too (collect.poll.failed_round)
            ~seen.c.item_key.like(FAILED_ROUND_MARKS),
        )
        .group_by(seen.c.source_id)
        .subquery()
    )
    stmt = (
        sa.select(
            src,
            sched.c.failures,
            sched.c.next_due_at,
            first.c.at.label("first_ok_at"),
            sa.func.coalesce(listed.c.n, 0).label("items_week"),
            (last.c.id > first.c.id).label("reads"),
        )
        .outerjoin(sched, sched.c.source_id == src.c.id)
        .outerjoin(first, first.c.source_id == src.c.id)
        .outerjoin(last, last.c.source_id == src.c.id)
        .outerjoin(listed, listed.c.source_id == src.c.id)
        .order_by(src.c.id)
    )
    out = []
    for r in conn.execute(stmt).mappings():
        row = dict(r)
        first_ok, items, reads = row.pop("first_ok_at"), row.pop("items_week"), row.pop("reads")
        if first_ok is None or not reads:
            row["items_per_day"] = None
        else:
            # A source first read three days ago has had three days to produce items, not seven.
            days = (now - max(first_ok, since)).total_seconds() / 86400
            row["items_per_day"] = round(float(items) / max(days, 1.0), 2)
        row["failures"] = row["failures"] or 0
        if row["next_due_at"] is not None and row["next_due_at"] <= now:
            row["next_due_at"] = None
        out.append(row)
    return out
