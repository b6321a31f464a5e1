"""Whether a period's draft still stands for it: stories that came after it, versions after it.

A draft is the digest as built when an editor started it (or rebuilt it), then edited; it never
takes in what the store receives later. A late article can make a story the digest built now
would have, and a ``publish --rebuild`` can publish such a digest: publishing the draft then
would leave the story out, or take it back out of the feed, without a word.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from mediadigest.model import Story
from mediadigest.profile import Profile
from mediadigest.store.schema import NAMES_COUNTRY, articles
from mediadigest.stories import grouping, select
from mediadigest.web import editions, persist, versions
from mediadigest.write import compose


def draft_made(conn: sa.Connection, profile: str, since: date, until: date) -> datetime | None:
    """When the period's draft was last built from the store (UTC): started, or rebuilt in the
    editor, as the audit log records each in the transaction that wrote the draft. Without
    such a record (a store imported without its accounts) its last save, which is later: what
    came after that came after the draft was made too. None: the period has no draft."""
    log = persist.audit_log
    made = conn.execute(
        sa.select(sa.func.max(log.c.at)).where(
            log.c.action.in_(("draft.create", "draft.rebuild")),
            log.c.target == f"{profile} {since}..{until}",
        )
    ).scalar()
    return made or versions.draft_saved(conn, profile, since, until)


def arrived_since(conn: sa.Connection, since: date, until: date, made: datetime) -> bool:
    """Whether an article of the period that names the country (as grouping takes them in)
    reached the store after ``made``: one query, where ranking the week takes seconds."""
    a = articles.c
    query = sa.select(a.id).where(
        a.dated >= datetime.combine(since, time.min),
        a.dated < datetime.combine(until + timedelta(days=1), time.min),
        NAMES_COUNTRY,
        a.created_at > made,
    )
    return conn.execute(query.limit(1)).first() is not None


def late_stories(
    conn: sa.Connection,
    profile: Profile,
    since: date,
    until: date,
    content: dict[str, Any],
    *,
    size: int,
    ranked: Callable[[], Sequence[Story]] | None = None,
) -> list[Story]:
    """The stories a digest of ``size`` built now would have that the draft ``content`` lacks,
    and whose articles of the period all reached the store after the draft was made.

    Picked as ``compose.build_digest`` picks (pins in, hides out, ranked, diversified), so each
    is one a rebuild brings in; a story the draft lacks because an editor took it out was
    there when the draft was made, and is not one of these. ``ranked``: the period's stories
    ranked (the web app's cache; else ranked here), asked for only where an article arrived
    after the draft, as picking writes its reasons into them.
    """
    made = draft_made(conn, profile.name, since, until)
    if made is None or not arrived_since(conn, since, until, made):
        return []
    found = ranked() if ranked else grouping.ranked_for_period(conn, profile, since, until)
    picked = select.select(found, select.Selection.of_size(size))
    items = content.get("items") or []
    held = {s.id for s in editions.item_stories(conn, profile.name, content) if s is not None}
    leads = {i.get("article_id") for i in items} - {None}
    missing = [s for s in picked if s.id not in held and not any(a.id in leads for a in s.articles)]
    ids = [a.id for s in missing for a in s.articles if a.id is not None]
    if not ids:
        return []
    query = sa.select(articles.c.id, articles.c.created_at).where(articles.c.id.in_(ids))
    stored = {r.id: r.created_at for r in conn.execute(query)}
    return [s for s in missing if all(stored.get(a.id or 0, made) > made for a in s.articles)]


def overtaken_by(
    conn: sa.Connection, profile: str, since: date, until: date, content: dict[str, Any]
) -> dict[str, Any] | None:
    """The period's latest published version where it was published after the draft was last
    saved and says something else (a ``publish --rebuild``, say): publishing the draft as it
    is would undo that version. None where the draft is newer, or is that version."""
    latest = versions.latest_version(conn, profile, since, until)
    saved = versions.draft_saved(conn, profile, since, until)
    if latest is None or saved is None or latest["content"] == content:
        return None
    return latest if saved < latest["published_at"] else None


def overtaken(revision: int, newer: dict[str, Any]) -> str:
    """Why publishing draft ``revision`` would undo version ``newer`` (`overtaken_by`)."""
    published = newer["published_at"].strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"the editors' draft (revision {revision}) was last saved before version "
        f"{newer['version']} was published ({published}, by {newer['published_by']}), which "
        f"says something else: publishing the draft would undo version {newer['version']}."
    )


def named(found: list[Story], most: int = 3) -> str:
    """'2 stories arrived …' with up to ``most`` of their titles: “A”, “B”."""
    titles = ", ".join(f"“{s.title}”" for s in found[:most])
    more = f" and {len(found) - most} more" if len(found) > most else ""
    return f"{titles}{more}"


def draft_notice(
    conn: sa.Connection,
    profile: Profile,
    since: date,
    until: date,
    content: dict[str, Any],
    *,
    ranked: Callable[[], Sequence[Story]] | None = None,
) -> str | None:
    """What the editor page says of a draft the store or the feed has moved past, or None;
    ``ranked`` as `late_stories` takes it."""
    notes = []
    size = compose.DEFAULT_SIZE
    late = late_stories(conn, profile, since, until, content, size=size, ranked=ranked)
    if late:
        one = len(late) == 1
        notes.append(
            f"{len(late)} {'story' if one else 'stories'} arrived after the draft was made "
            f"({named(late)}) and {'is' if one else 'are'} not in it: Rebuild the draft to take "
            f"{'it' if one else 'them'} in (its edits are lost), or publish it without "
            f"{'it' if one else 'them'}."
        )
    newer = overtaken_by(conn, profile.name, since, until, content)
    if newer is not None:
        notes.append(
            f"Version {newer['version']}, published after the draft was last saved, says "
            f"something else: publishing the draft as it is would undo it."
        )
    return " ".join(notes) or None
