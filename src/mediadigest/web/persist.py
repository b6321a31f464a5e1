"""The web app's tables and their reads and writes: users, sessions, tokens, audit, editions.

Tables sit on the store's ``metadata`` (migration 0005 creates them). Secrets never reach the
database in the clear: sessions and API tokens are stored as SHA-256 digests of the random
values handed to the browser or the integration, passwords as argon2 hashes (see ``auth``).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from mediadigest.store.engine import sqlite_transaction, unavailable_reason
from mediadigest.store.schema import metadata
from mediadigest.store.writes import insert_ignore, lock_for_writing, utcnow

log = logging.getLogger(__name__)


class Role(StrEnum):
    """What a user may do; each role may do everything the ones before it may."""

    viewer = "viewer"  # read every page, export published digests
    editor = "editor"  # + review stories, edit and publish digests, manage sources
    admin = "admin"  # + manage users, read the audit log

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def allows(self, needed: Role) -> bool:
        return self.rank >= needed.rank


class TokenScope(StrEnum):
    """What an API token may do, never more than its user's role allows."""

    read = "read"  # GET and HEAD only: a dashboard's token changes nothing, whoever made it
    full = "full"  # whatever the user's role may (every token made before scopes)


web_settings = sa.Table(
    "web_settings",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(64), nullable=False, unique=True),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

web_sessions = sa.Table(
    "web_sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=False),
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("last_used_at", sa.DateTime),
    # Migration 0016: what the token may do (`TokenScope`; tokens made before were "full")
    # and when it stops working (naive UTC; NULL: never).
    sa.Column("scope", sa.String(8), nullable=False, server_default="full"),
    sa.Column("expires_at", sa.DateTime),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.DateTime, nullable=False),
    # The name, not a key: the record outlives the account.
    sa.Column("user_name", sa.String(64), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("target", sa.Text, nullable=False),
    sa.Column("detail", sa.JSON, nullable=False),
    sa.Index("ix_audit_log_at", "at"),
)

# One working draft per profile and period; ``revision`` guards against two editors saving
# over each other (compare-and-swap on every write).
digest_drafts = sa.Table(
    "digest_drafts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("profile", sa.Text, nullable=False),
    sa.Column("period_from", sa.Date, nullable=False),
    sa.Column("period_to", sa.Date, nullable=False),
    sa.Column("content", sa.JSON, nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Column("updated_by", sa.String(64), nullable=False),
    sa.UniqueConstraint("profile", "period_from", "period_to", name="uq_digest_drafts_period"),
)

# Published editions are immutable: rows are inserted, never updated.
digest_versions = sa.Table(
    "digest_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("profile", sa.Text, nullable=False),
    sa.Column("period_from", sa.Date, nullable=False),
    sa.Column("period_to", sa.Date, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("content", sa.JSON, nullable=False),
    sa.Column("published_at", sa.DateTime, nullable=False),
    sa.Column("published_by", sa.String(64), nullable=False),
    sa.UniqueConstraint(
        "profile", "period_from", "period_to", "version", name="uq_digest_versions_period"
    ),
    sa.Index("ix_digest_versions_published_at", "published_at"),
)


def digest(secret: str) -> str:
    """What the store keeps of a session or API token: its SHA-256, never the value."""
    return hashlib.sha256(secret.encode()).hexdigest()


# -- settings --------------------------------------------------------------------------------


def secret_key(conn: sa.Connection) -> str:
    """The app's signing key, made once and shared by every process serving the same store.

    Read first, written only when missing: a role that may only read the store (GRANT
    SELECT) was refused the INSERT ... ON CONFLICT DO NOTHING even with the key there, and
    ``serve`` died at startup."""
    query = sa.select(web_settings.c.value).where(web_settings.c.name == "secret_key")
    if (key := conn.execute(query).scalar()) is not None:
        return str(key)
    lock_for_writing(conn)
    conn.execute(
        insert_ignore(conn, web_settings).values(name="secret_key", value=secrets.token_hex(32))
    )
    return str(conn.execute(query).scalar_one())


# -- users -----------------------------------------------------------------------------------


@dataclass(slots=True, frozen=True)
class User:
    id: int
    name: str
    role: Role


def _user(row: Any) -> User:
    return User(int(row.id), str(row.name), Role(row.role))


def add_user(conn: sa.Connection, name: str, role: Role, password_hash: str) -> tuple[int, bool]:
    """Add an account; returns (id, added). An existing name is left as it is."""
    lock_for_writing(conn)
    values = dict(name=name, role=str(role), password_hash=password_hash, created_at=utcnow())
    # RETURNING, not rowcount: psycopg reports -1 for INSERT ... ON CONFLICT DO NOTHING.
    new_id = conn.execute(insert_ignore(conn, users).values(**values).returning(users.c.id))
    added = new_id.scalar() is not None
    row_id = conn.execute(sa.select(users.c.id).where(users.c.name == name)).scalar_one()
    return int(row_id), added


def password_hash_of(conn: sa.Connection, name: str) -> tuple[User, str] | None:
    row = conn.execute(sa.select(users).where(users.c.name == name)).first()
    return (_user(row), str(row.password_hash)) if row else None


def list_users(conn: sa.Connection) -> list[User]:
    return [_user(r) for r in conn.execute(sa.select(users).order_by(users.c.name))]


def set_role(conn: sa.Connection, name: str, role: Role) -> bool:
    lock_for_writing(conn)
    stmt = sa.update(users).where(users.c.name == name).values(role=str(role))
    return conn.execute(stmt).rowcount > 0


def remove_user(conn: sa.Connection, name: str) -> bool:
    """Remove an account with its sessions and tokens (the audit log keeps its name)."""
    lock_for_writing(conn)
    user_id = conn.execute(sa.select(users.c.id).where(users.c.name == name)).scalar()
    if user_id is None:
        return False
    # Explicit deletes: SQLite enforces ON DELETE CASCADE only with foreign_keys=ON.
    conn.execute(sa.delete(web_sessions).where(web_sessions.c.user_id == user_id))
    conn.execute(sa.delete(api_tokens).where(api_tokens.c.user_id == user_id))
    conn.execute(sa.delete(users).where(users.c.id == user_id))
    return True


def count_admins(conn: sa.Connection) -> int:
    query = sa.select(sa.func.count()).where(users.c.role == str(Role.admin))
    return int(conn.execute(query).scalar_one())


def no_admin_left(conn: sa.Connection) -> bool:
    """Whether the change just made in ``conn``'s transaction (a role set, a user removed)
    left no admin; if so it is rolled back. The web's /users page and the CLI's `users`
    both ask, so that nobody is left to manage the accounts.

    Counted after the write, inside its transaction (the write took the store's lock): two
    admins demoting each other at once, each counting two admins first, left none.
    """
    if count_admins(conn) > 0:
        return False
    conn.rollback()
    return True


# -- sessions and API tokens -----------------------------------------------------------------


def create_session(conn: sa.Connection, user_id: int, ttl: timedelta) -> str:
    """A new session for ``user_id``; returns the token for the cookie (stored hashed)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    lock_for_writing(conn)
    conn.execute(sa.delete(web_sessions).where(web_sessions.c.expires_at < now))
    conn.execute(
        sa.insert(web_sessions).values(
            token_hash=digest(token), user_id=user_id, created_at=now, expires_at=now + ttl
        )
    )
    return token


def session_user(conn: sa.Connection, token: str) -> User | None:
    """The user of a live session, or None for an unknown or expired token."""
    query = (
        sa.select(users)
        .join(web_sessions, web_sessions.c.user_id == users.c.id)
        .where(web_sessions.c.token_hash == digest(token), web_sessions.c.expires_at > utcnow())
    )
    row = conn.execute(query).first()
    return _user(row) if row else None


def end_session(conn: sa.Connection, token: str) -> None:
    lock_for_writing(conn)
    conn.execute(sa.delete(web_sessions).where(web_sessions.c.token_hash == digest(token)))


def create_token(
    conn: sa.Connection,
    user_id: int,
    name: str,
    scope: TokenScope = TokenScope.full,
    expires_at: datetime | None = None,
) -> tuple[int, str]:
    """A new API token acting as ``user_id`` within ``scope`` until ``expires_at`` (naive UTC;
    None: until revoked); the value is shown once and stored hashed."""
    token = "mdt_" + secrets.token_urlsafe(32)
    lock_for_writing(conn)
    values = dict(user_id=user_id, name=name, token_hash=digest(token), created_at=utcnow())
    values |= dict(scope=str(scope), expires_at=expires_at)
    row_id = conn.execute(
        sa.insert(api_tokens).values(**values).returning(api_tokens.c.id)
    ).scalar_one()
    return int(row_id), token


# A token's use is recorded at most this often, so an API read writes to the store once in
# so long per token, not every time: each write waited behind any other writer (an ingest, a
# collect), up to the 30 s busy timeout and then a 503. The account page says so.
TOKEN_USE_EVERY = timedelta(minutes=5)


@dataclass(slots=True, frozen=True)
class ApiToken:
    """A stored API token: its row, whose it is, when its use was last recorded, what it may
    do and until when (`expired` says whether it still may)."""

    id: int
    user: User
    last_used_at: datetime | None
    scope: TokenScope = TokenScope.full
    expires_at: datetime | None = None

    def expired(self, now: datetime | None = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or utcnow())


def find_token(conn: sa.Connection, token: str) -> ApiToken | None:
    """The API token ``token`` is, or None for one that is not (never was, or revoked, or its
    user removed); an expired one too, for the caller to say so. Reads only: see
    `record_token_use`."""
    cols = [api_tokens.c[n] for n in ("last_used_at", "scope", "expires_at")]
    query = (
        sa.select(users, api_tokens.c.id.label("token_id"), *cols)
        .join(api_tokens, api_tokens.c.user_id == users.c.id)
        .where(api_tokens.c.token_hash == digest(token))
    )
    row = conn.execute(query).first()
    if row is None:
        return None
    # Fails closed: a scope this version does not know (written by hand) only reads.
    scope = TokenScope.full if row.scope == TokenScope.full else TokenScope.read
    return ApiToken(int(row.token_id), _user(row), row.last_used_at, scope, row.expires_at)


def record_token_use(engine: sa.Engine, token: ApiToken, now: datetime | None = None) -> bool:
    """Record that ``token`` was used ``now``, if its last record is ``TOKEN_USE_EVERY`` old or
    there is none, in a transaction of its own that waits for no one: on SQLite it gives up at
    once while another connection writes, on PostgreSQL while another transaction holds the
    token's row; a later use records it then. True if it was recorded.

    Not under `lock_for_writing`: one row updated by its key takes no other lock, so it cannot
    deadlock, and the writers' advisory lock would make the read wait for any writer.
    """
    now = now or utcnow()
    due = now - TOKEN_USE_EVERY
    if token.last_used_at is not None and token.last_used_at > due:
        return False
    stale = api_tokens.c.last_used_at.is_(None) | (api_tokens.c.last_used_at <= due)
    # FOR UPDATE SKIP LOCKED is PostgreSQL's way of not waiting; SQLite compiles it to nothing.
    free = sa.select(api_tokens.c.id).where(api_tokens.c.id == token.id, stale)
    stamp = sa.update(api_tokens).where(api_tokens.c.id.in_(free.with_for_update(skip_locked=True)))
    try:
        with engine.connect() as conn, _without_waiting(conn):
            recorded = conn.execute(stamp.values(last_used_at=now)).rowcount > 0
    except sa.exc.OperationalError as exc:
        if unavailable_reason(exc) is None:
            raise  # a wrong query, not a busy store
        log.debug("use of API token %d not recorded: %s", token.id, unavailable_reason(exc))
        return False
    return recorded


def _without_waiting(conn: sa.Connection) -> AbstractContextManager[Any]:
    """A write transaction that fails at once, not after the busy timeout, if SQLite's writer
    lock is held (BEGIN IMMEDIATE takes it before the UPDATE needs it)."""
    if conn.dialect.name == "sqlite":
        return sqlite_transaction(conn, "BEGIN IMMEDIATE", wait_ms=0)
    return conn.begin()


# What the token lists show of each token (never its value or hash).
_LISTED = ("id", "name", "created_at", "last_used_at", "scope", "expires_at")


def _listed(rows: Any) -> list[dict[str, Any]]:
    """Rows of ``_LISTED`` columns, each with ``expired``: whether it works no more."""
    now = utcnow()
    return [dict(r, expired=r["expires_at"] is not None and r["expires_at"] <= now) for r in rows]


def list_tokens(conn: sa.Connection, user_id: int) -> list[dict[str, Any]]:
    cols = [api_tokens.c[n] for n in _LISTED]
    query = sa.select(*cols).where(api_tokens.c.user_id == user_id).order_by(api_tokens.c.id)
    return _listed(conn.execute(query).mappings())


def revoke_token(conn: sa.Connection, token_id: int, user_id: int) -> bool:
    lock_for_writing(conn)
    mine = (api_tokens.c.id == token_id) & (api_tokens.c.user_id == user_id)
    return conn.execute(sa.delete(api_tokens).where(mine)).rowcount > 0


def list_all_tokens(conn: sa.Connection) -> list[dict[str, Any]]:
    """Every user's API tokens (never their values), by user and age: the /users page's."""
    cols = [api_tokens.c[n] for n in _LISTED]
    query = (
        sa.select(*cols, users.c.name.label("user_name"))
        .join(users, users.c.id == api_tokens.c.user_id)
        .order_by(users.c.name, api_tokens.c.id)
    )
    return _listed(conn.execute(query).mappings())


def revoke_any_token(conn: sa.Connection, token_id: int) -> tuple[str, str] | None:
    """An admin's revoke: the token ``token_id`` of whichever user; (its user's name, its
    name), or None if there is no such token."""
    lock_for_writing(conn)
    query = (
        sa.select(users.c.name.label("user_name"), api_tokens.c.name)
        .join(users, users.c.id == api_tokens.c.user_id)
        .where(api_tokens.c.id == token_id)
    )
    row = conn.execute(query).first()
    if row is None:
        return None
    conn.execute(sa.delete(api_tokens).where(api_tokens.c.id == token_id))
    return str(row.user_name), str(row.name)


# -- audit log -------------------------------------------------------------------------------


def audit(conn: sa.Connection, user: str, action: str, target: str, **detail: Any) -> None:
    """Record who did what to which thing, in the same transaction as the change itself."""
    lock_for_writing(conn)
    row = dict(at=utcnow(), user_name=user, action=action, target=target, detail=detail)
    conn.execute(sa.insert(audit_log).values(**row))


def _audit_filter(action: str | None, user: str | None) -> list[sa.ColumnElement[bool]]:
    where = []
    if action:
        where.append(audit_log.c.action == action)
    if user:
        where.append(audit_log.c.user_name == user)
    return where


def list_audit(
    conn: sa.Connection,
    limit: int = 200,
    *,
    before: int | None = None,
    after: int | None = None,
    action: str | None = None,
    user: str | None = None,
) -> list[dict[str, Any]]:
    """Audit entries, newest first: the ``limit`` newest older than entry ``before``, or the
    ``limit`` oldest newer than entry ``after`` (keyset pages: entries logged meanwhile
    shift no page); only those of ``action`` and of ``user`` where given."""
    a = audit_log.c
    where = _audit_filter(action, user)
    if after is not None:
        query = sa.select(audit_log).where(a.id > after, *where).order_by(a.id).limit(limit)
        return [dict(r) for r in conn.execute(query).mappings()][::-1]
    if before is not None:
        where.append(a.id < before)
    query = sa.select(audit_log).where(*where).order_by(a.id.desc()).limit(limit)
    return [dict(r) for r in conn.execute(query).mappings()]


@dataclass(slots=True)
class AuditCounts:
    """Where a page of the audit log lies among the entries of its filter."""

    total: int  # entries of the filter
    newer: int  # of those, newer than the page's newest
    older: int  # and older than its oldest


def count_audit(
    conn: sa.Connection,
    newest: int | None,
    oldest: int | None,
    *,
    action: str | None = None,
    user: str | None = None,
) -> AuditCounts:
    """Count the entries of a filter, and those either side of a page (ids ``newest`` and
    ``oldest``; None for an empty page: all are newer)."""
    a = audit_log.c
    where = _audit_filter(action, user)
    top = newest if newest is not None else -1
    bottom = oldest if oldest is not None else -1
    row = conn.execute(
        sa.select(
            sa.func.count(),
            sa.func.count().filter(a.id > top),
            sa.func.count().filter(a.id < bottom),
        ).where(*where)
    ).one()
    return AuditCounts(int(row[0]), int(row[1]), int(row[2]))


def audit_actions(conn: sa.Connection) -> list[str]:
    """The actions the audit log holds, for a filter's choices."""
    query = sa.select(audit_log.c.action).distinct().order_by(audit_log.c.action)
    return list(conn.execute(query).scalars())
