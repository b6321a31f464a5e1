"""Digest drafts and published versions in the store: compare-and-swap edits, immutable versions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from mediadigest.store.writes import insert_ignore, lock_for_writing, utcnow
from mediadigest.stories import persist as stories_persist
from mediadigest.web.persist import digest_drafts, digest_versions


def _period(profile: str, since: date, until: date, table: sa.Table) -> sa.ColumnElement[bool]:
    return (
        (table.c.profile == profile) & (table.c.period_from == since) & (table.c.period_to == until)
    )


def get_draft(
    conn: sa.Connection, profile: str, since: date, until: date
) -> tuple[dict[str, Any], int] | None:
    """(content, revision) of the period's draft, or None if nobody started one."""
    query = sa.select(digest_drafts.c.content, digest_drafts.c.revision)
    row = conn.execute(query.where(_period(profile, since, until, digest_drafts))).first()
    return (dict(row.content), int(row.revision)) if row else None


def draft_saved(conn: sa.Connection, profile: str, since: date, until: date) -> datetime | None:
    """When the period's draft was last saved (UTC), or None without one."""
    query = sa.select(digest_drafts.c.updated_at)
    return conn.execute(query.where(_period(profile, since, until, digest_drafts))).scalar()


def save_draft(
    conn: sa.Connection,
    profile: str,
    since: date,
    until: date,
    content: dict[str, Any],
    *,
    user: str,
    revision: int | None,
) -> int | None:
    """Store the draft if nobody saved since ``revision`` (None: create); the new revision.

    Returns None when the draft changed in between, so the caller can say so instead of
    silently overwriting another editor's work.
    """
    lock_for_writing(conn)
    now = utcnow()
    if revision is None:
        row = dict(
            profile=profile,
            period_from=since,
            period_to=until,
            content=content,
            revision=1,
            updated_at=now,
            updated_by=user,
        )
        # RETURNING, not rowcount: psycopg reports -1 for INSERT ... ON CONFLICT DO NOTHING,
        # which read as "created" when another editor's draft was already there.
        stmt = insert_ignore(conn, digest_drafts).values(**row).returning(digest_drafts.c.id)
        return 1 if conn.execute(stmt).scalar() is not None else None
    stmt = (
        sa.update(digest_drafts)
        .where(_period(profile, since, until, digest_drafts))
        .where(digest_drafts.c.revision == revision)
        .values(content=content, revision=revision + 1, updated_at=now, updated_by=user)
    )
    return revision + 1 if conn.execute(stmt).rowcount == 1 else None


def publish(
    conn: sa.Connection, profile: str, since: date, until: date, content: dict[str, Any], user: str
) -> int:
    """Publish ``content`` as the period's next version; returns the version number."""
    return stories_persist.publish(conn, profile, since, until, content, by=user)


_VERSION_COLS = [
    digest_versions.c[n]
    for n in (
        "id",
        "profile",
        "period_from",
        "period_to",
        "version",
        "published_at",
        "published_by",
    )
]


def list_versions(
    conn: sa.Connection, profile: str | None = None, limit: int = 100
) -> list[dict[str, Any]]:
    """Published versions, newest first (without their content)."""
    query = sa.select(*_VERSION_COLS).order_by(
        digest_versions.c.published_at.desc(), digest_versions.c.id.desc()
    )
    if profile is not None:
        query = query.where(digest_versions.c.profile == profile)
    return [dict(r) for r in conn.execute(query.limit(limit)).mappings()]


def get_version(conn: sa.Connection, version_id: int) -> dict[str, Any] | None:
    row = conn.execute(sa.select(digest_versions).where(digest_versions.c.id == version_id))
    found = row.mappings().first()
    return dict(found) if found else None


def latest_version(
    conn: sa.Connection, profile: str, since: date, until: date
) -> dict[str, Any] | None:
    query = (
        sa.select(digest_versions)
        .where(_period(profile, since, until, digest_versions))
        .order_by(digest_versions.c.version.desc())
        .limit(1)
    )
    found = conn.execute(query).mappings().first()
    return dict(found) if found else None


def newer_version(conn: sa.Connection, version: dict[str, Any]) -> dict[str, Any] | None:
    """The latest version of ``version``'s period if it replaced ``version``, else None."""
    latest = latest_version(conn, version["profile"], version["period_from"], version["period_to"])
    return latest if latest is not None and latest["version"] > version["version"] else None


def latest_per_period(conn: sa.Connection, profile: str, limit: int = 20) -> list[dict[str, Any]]:
    """The latest version of each published period, newest period first (what the feed shows)."""
    return stories_persist.published(conn, profile, limit=limit)
