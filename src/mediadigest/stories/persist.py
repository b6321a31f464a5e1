"""Stories in the store: their articles, editors' decisions (pin, hide, merge, split), publishing.

Tables sit on the store's ``metadata``; migration 0004 creates them. Merge and split change the
stored grouping itself (and are logged in ``story_overrides``), so clustering, which never
merges two existing stories, keeps the editors' grouping on every later run.
Published digests go to ``digest_versions`` (created by migration 0005 with the web app), which
the web app's editions share.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

import sqlalchemy as sa

from mediadigest.errors import ConfigError, InputError
from mediadigest.model import Article
from mediadigest.store.engine import sqlite_transaction
from mediadigest.store.repository import newest_capture
from mediadigest.store.schema import articles, metadata, store_profile
from mediadigest.store.writes import insert_ignore, lock_for_writing, utcnow

stories = sa.Table(
    "stories",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("profile", sa.Text, nullable=False),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("first_seen", sa.DateTime),
    sa.Column("last_seen", sa.DateTime),
    sa.Column("pinned", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("hidden", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("merged_into", sa.Integer, sa.ForeignKey("stories.id", ondelete="SET NULL")),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Index("ix_stories_profile_last_seen", "profile", "last_seen"),
    # What deleting a story looks up (migration 0015): the stories merged into it.
    sa.Index(
        "ix_stories_merged_into",
        "merged_into",
        sqlite_where=sa.text("merged_into IS NOT NULL"),
        postgresql_where=sa.text("merged_into IS NOT NULL"),
    ),
)

story_articles = sa.Table(
    "story_articles",
    metadata,
    sa.Column(
        "story_id", sa.Integer, sa.ForeignKey("stories.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column(
        "article_id", sa.Integer, sa.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("profile", sa.Text, nullable=False),
    sa.Column("duplicate_of", sa.Integer),  # the article this one copies (same or near text)
    sa.Column("via_story", sa.Boolean, nullable=False, server_default=sa.false()),
    # The article's theme names, worked out once when it joined (ranking and trends read them).
    sa.Column("themes", sa.JSON, nullable=False),
    sa.Column("added_at", sa.DateTime, nullable=False),
    # One story per article and profile: the key that makes re-running update idempotent.
    sa.PrimaryKeyConstraint("profile", "article_id", name="pk_story_articles"),
    sa.Index("ix_story_articles_story", "story_id"),
    # What deleting an article looks up (migration 0015): the key leads with the profile.
    sa.Index("ix_story_articles_article", "article_id"),
)

story_overrides = sa.Table(
    "story_overrides",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("profile", sa.Text, nullable=False),
    sa.Column(
        "action", sa.String(8), nullable=False
    ),  # pin | unpin | hide | unhide | merge | split
    sa.Column("story_id", sa.Integer, nullable=False),
    sa.Column("other_id", sa.Integer),  # merge: the story merged in; split: the new story
    sa.Column("article_ids", sa.JSON, nullable=False),  # split: the articles moved out
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("by", sa.Text, nullable=False),
)

# Created by migration 0005 (web app editions); published digests are read and written here.
digest_versions = sa.table(
    "digest_versions",
    sa.column("id", sa.Integer),
    sa.column("profile", sa.Text),
    sa.column("period_from", sa.Date),
    sa.column("period_to", sa.Date),
    sa.column("version", sa.Integer),
    sa.column("content", sa.JSON),
    sa.column("published_at", sa.DateTime),
    sa.column("published_by", sa.String),
)


@dataclass(slots=True)
class StoryRow:
    """A stored story and its members: article id -> (duplicate_of, via_story, themes)."""

    id: int
    title: str
    first_seen: datetime | None
    last_seen: datetime | None
    pinned: bool
    hidden: bool
    members: dict[int, tuple[int | None, bool, list[str]]]


def require_profile(conn: sa.Connection, profile: str, *, claim: bool = False) -> None:
    """Refuse ``profile`` on a store whose articles were judged against another profile.

    An article's relevance is stored once, by the profile that ingested it: a second
    country's ingest finds the articles "already stored" and its digest would list the
    first country's stories as its own. ``claim``: the caller is about to store articles or
    sources for ``profile`` (collect, ingest, import), which becomes the store's profile if
    it has none yet. A store claimed before this revision's record (migration 0013) names
    its profile only in its stories and ingest checkpoints: those still refuse another.
    """
    owner = _recorded_profile(conn)
    if owner is None:
        owner = _profile_of_older_store(conn, profile)
    if owner is None and claim:
        owner = _record_profile(conn, profile)
    if owner is not None and owner != profile:
        raise ConfigError(
            f"this store's articles were judged against the '{owner}' profile, not "
            f"'{profile}': a store follows one country (an article's relevance is stored "
            f"once); give '{profile}' a store of its own with --db"
        )


def _recorded_profile(conn: sa.Connection) -> str | None:
    return conn.execute(sa.select(store_profile.c.profile).where(store_profile.c.id == 1)).scalar()


def _profile_of_older_store(conn: sa.Connection, profile: str) -> str | None:
    """Another profile that the stories or ingest checkpoints name, if any."""
    from mediadigest.store.collect_state import ingest_checkpoints  # the store's, not ours

    for table in (stories, ingest_checkpoints):
        other = conn.execute(
            sa.select(table.c.profile).where(table.c.profile != profile).limit(1)
        ).scalar()
        if other is not None:
            return other
    return None


def _record_profile(conn: sa.Connection, profile: str) -> str:
    """Make ``profile`` the store's unless another process has just made its own: the
    store's profile, whichever won."""
    lock_for_writing(conn)
    # One row under one key: of two processes claiming a new store at once, the second's
    # insert finds the first's row (SQLite's write lock, or PostgreSQL's writer lock and the
    # key, order them) and does nothing, with no duplicate key error.
    row = {"id": 1, "profile": profile, "recorded_at": utcnow()}
    conn.execute(insert_ignore(conn, store_profile).values(row))
    return conn.execute(sa.select(store_profile.c.profile)).scalar_one()


def load(
    conn: sa.Connection,
    profile: str,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    ids: Iterable[int] = (),
) -> list[StoryRow]:
    """Live (not merged away) stories seen since ``since`` and first seen before ``until``
    (an upper bound it excludes), or those with the given ``ids``.

    ``until``: without it, an early week's listing read every story of the years after it
    (4,210 stories for one week of a store of 200,000 articles, to keep a hundred).
    """
    s, sa_ = stories, story_articles
    stmt = sa.select(s).where(s.c.profile == profile, s.c.merged_into.is_(None))
    wanted = list(ids)
    if wanted:
        stmt = stmt.where(s.c.id.in_(wanted))
    else:
        if since is not None:
            stmt = stmt.where(s.c.last_seen >= since)
        if until is not None:  # a story of undated reports only has no first_seen: kept
            stmt = stmt.where(s.c.first_seen.is_(None) | (s.c.first_seen < until))
    rows = {r.id: r for r in conn.execute(stmt)}
    found = {
        i: StoryRow(i, r.title, r.first_seen, r.last_seen, r.pinned, r.hidden, {})
        for i, r in rows.items()
    }
    if found:
        members = sa.select(sa_).where(sa_.c.profile == profile, sa_.c.story_id.in_(list(found)))
        for m in conn.execute(members):
            found[m.story_id].members[m.article_id] = (m.duplicate_of, m.via_story, m.themes)
    return sorted(found.values(), key=lambda r: r.id)


def replaced_captures(conn: sa.Connection, arts: Iterable[Article]) -> dict[int, int]:
    """Of ``arts``, those that a newer capture of their page among them replaces: article id
    -> the id of its page's newest capture (`repository.newest_capture`'s order).

    A page ingested again (a correction: the same canonical URL, new text) is another
    article, and grouping keeps both in the story; a story's listing holds the page once, as
    the article list, the archive, coverage and the API count it (a walk found a story of 7
    articles and a week of 85 where every other view said 79). One statement, only where
    some page of ``arts`` has two captures.
    """
    pages: dict[tuple[str, str | None], list[int]] = {}
    for art in arts:
        if art.id is not None:
            pages.setdefault((art.canonical_url or art.url, art.parent_url), []).append(art.id)
    again = [ids for ids in pages.values() if len(ids) > 1]
    if not again:
        return {}
    among = [articles.c.id.in_([i for ids in again for i in ids])]
    query = sa.select(articles.c.id).where(*among, newest_capture(among))
    newest = set(conn.execute(query).scalars())
    replaced: dict[int, int] = {}
    for ids in again:
        kept = next((i for i in ids if i in newest), None)
        replaced.update({i: kept for i in ids if kept is not None and i != kept})
    return replaced


def spans(conn: sa.Connection, story_ids: Sequence[int]) -> dict[int, tuple[datetime, datetime]]:
    """Each story's first and last report as aware times, in the outlet's offset (UTC where
    it gave none): what ``first_seen``/``last_seen`` hold as the outlets' wall times, which
    a reader of `stories --json` could not place in any zone."""
    if not story_ids:
        return {}
    a, sa_ = articles, story_articles
    rows = conn.execute(
        sa.select(sa_.c.story_id, a.c.dated, a.c.published, a.c.published_offset)
        .select_from(sa_.join(a, a.c.id == sa_.c.article_id))
        .where(sa_.c.story_id.in_(list(story_ids)))
    )
    found: dict[int, list[datetime]] = {}
    for r in rows:
        # ``dated`` is the published wall time in the outlet's offset, else a UTC capture time.
        minutes = r.published_offset if r.published is not None else None
        when = r.dated.replace(tzinfo=timezone(timedelta(minutes=minutes or 0)))
        found.setdefault(r.story_id, []).append(when)
    return {sid: (min(times), max(times)) for sid, times in found.items()}


def create(
    conn: sa.Connection, profile: str, title: str, first: datetime | None, last: datetime | None
) -> int:
    lock_for_writing(conn)
    now = utcnow()
    stmt = sa.insert(stories).values(
        profile=profile,
        title=title,
        first_seen=first,
        last_seen=last,
        created_at=now,
        updated_at=now,
    )
    return int(conn.execute(stmt.returning(stories.c.id)).scalar_one())


def add_members(
    conn: sa.Connection,
    profile: str,
    story_id: int,
    members: dict[int, tuple[int | None, bool] | tuple[int | None, bool, list[str]]],
) -> int:
    """Attach articles: id -> (duplicate_of, via_story[, theme names]); returns how many.

    An article already in a story stays where it is (ON CONFLICT DO NOTHING).
    """
    if not members:
        return 0
    lock_for_writing(conn)
    now = utcnow()
    rows = [
        {
            "story_id": story_id,
            "article_id": a,
            "profile": profile,
            "duplicate_of": value[0],
            "via_story": value[1],
            "themes": list(value[2]) if len(value) > 2 else [],
            "added_at": now,
        }
        for a, value in members.items()
    ]
    stmt = insert_ignore(conn, story_articles).returning(story_articles.c.article_id)
    return len(conn.execute(stmt, rows).all())


def drop(conn: sa.Connection, story_id: int) -> None:
    """Delete a story that holds no article (one another process placed them in first)."""
    lock_for_writing(conn)
    conn.execute(sa.delete(stories).where(stories.c.id == story_id))


def touch(
    conn: sa.Connection, story_id: int, title: str, first: datetime | None, last: datetime | None
) -> None:
    lock_for_writing(conn)
    conn.execute(
        sa.update(stories)
        .where(stories.c.id == story_id)
        .values(title=title, first_seen=first, last_seen=last, updated_at=utcnow())
    )


def set_via_story(conn: sa.Connection, profile: str, article_ids: Sequence[int], via: bool) -> None:
    if article_ids:
        lock_for_writing(conn)
        sa_ = story_articles
        conn.execute(
            sa.update(sa_)
            .where(sa_.c.profile == profile, sa_.c.article_id.in_(list(article_ids)))
            .values(via_story=via)
        )


def theme_counts(
    conn: sa.Connection,
    profile: str,
    since: datetime,
    before: datetime,
    *,
    story_ids: Collection[int] | None = None,
) -> Counter:
    """Reports dated ``since`` <= d < ``before`` per first theme: the week-over-week line's
    count, for the digest's own week (its stories: ``story_ids``) and the weeks before alike.

    Relevant reports (or relevant through their story) of shown stories, each distinct report
    once, in the week of its first capture: no copy (``duplicate_of``), no page captured again
    after a relevant capture the profile's stories hold. A week so counts the same as its
    digest's "now" and, later, as a baseline (the digest counted a copy of an earlier week's
    report that the baseline left out: 25 became 22). The first capture, not the newest: a
    page captured again later must not move a counted report out of a past week.
    """
    sa_, a, s = story_articles, articles, stories
    earlier, held = a.alias("earlier"), sa_.alias("held")
    captured_before = (
        sa.select(earlier.c.id)
        .select_from(earlier.join(held, held.c.article_id == earlier.c.id))
        .where(
            earlier.c.canonical_url == a.c.canonical_url,
            # A roundup's item that links to the page is no capture of it (another parent).
            earlier.c.parent_url.is_not_distinct_from(a.c.parent_url),
            earlier.c.id < a.c.id,
            held.c.profile == profile,
            sa.or_(earlier.c.relevant.is_(True), held.c.via_story.is_(True)),
        )
        .correlate(a)
        .exists()
    )
    rows = conn.execute(
        sa.select(sa_.c.story_id, sa_.c.themes)
        .select_from(sa_.join(a, a.c.id == sa_.c.article_id).join(s, s.c.id == sa_.c.story_id))
        .where(
            sa_.c.profile == profile,
            a.c.dated >= since,
            a.c.dated < before,
            sa_.c.duplicate_of.is_(None),
            sa.or_(a.c.relevant.is_(True), sa_.c.via_story.is_(True)),
            s.c.hidden.is_(False),
            ~captured_before,
        )
    )
    wanted = None if story_ids is None else set(story_ids)
    return Counter(
        r.themes[0] for r in rows if r.themes and (wanted is None or r.story_id in wanted)
    )


def first_dated(conn: sa.Connection) -> datetime | None:
    """The date of the store's earliest article: the weeks before it are not covered, and
    count as no baseline for the week-over-week line (rather than as weeks of no news)."""
    return conn.execute(sa.select(sa.func.min(articles.c.dated))).scalar_one()


# -- editors' decisions ----------------------------------------------------------------------


@dataclass(slots=True)
class Carried:
    """A pin or hide that reaches a period from an earlier one: decisions live on the story,
    not on a week, so the story, with articles before the period, is pinned or hidden in it."""

    story_id: int
    title: str
    flag: str  # pinned | hidden
    reports: int  # its reports dated in the period (copies left out)
    decided: datetime | None  # when an editor last pinned or hid it, where the log says


def carried(conn: sa.Connection, profile: str, since: date, until: date) -> list[Carried]:
    """The pinned and hidden stories with reports dated in ``since``..``until`` and before it.

    A pin of week 1 put the story first in week 2 on one follow-up article, and a hide of week 1
    kept a new development out of week 2, both without a word: the digest says so now. Only
    the reports a digest counts (relevant, or relevant through the story; no copies).
    """
    s, sa_, a = stories, story_articles, articles
    start, end = (
        datetime.combine(since, time()),
        datetime.combine(until + timedelta(days=1), time()),
    )
    in_period = (a.c.dated >= start) & (a.c.dated < end) & sa_.c.duplicate_of.is_(None)
    query = (
        sa.select(
            s.c.id,
            s.c.title,
            s.c.pinned,
            _count(in_period & (a.c.relevant.is_(True) | sa_.c.via_story.is_(True))).label("now"),
            _count(a.c.dated < start).label("before"),
        )
        .select_from(s.join(sa_, sa_.c.story_id == s.c.id).join(a, a.c.id == sa_.c.article_id))
        .where(
            s.c.profile == profile,
            s.c.merged_into.is_(None),
            s.c.pinned.is_(True) | s.c.hidden.is_(True),
            s.c.last_seen >= start,
        )
        .group_by(s.c.id, s.c.title, s.c.pinned)
        .order_by(s.c.id)
    )
    rows = [r for r in conn.execute(query) if r.now and r.before]
    if not rows:
        return []
    o = story_overrides
    last = (
        sa.select(o.c.story_id, sa.func.max(o.c.at).label("at"))
        .where(o.c.story_id.in_([r.id for r in rows]), o.c.action.in_(("pin", "hide")))
        .group_by(o.c.story_id)
    )
    decided = {r.story_id: r.at for r in conn.execute(last)}
    return [
        Carried(r.id, r.title, "pinned" if r.pinned else "hidden", int(r.now), decided.get(r.id))
        for r in rows
    ]


def _count(cond: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.sum(sa.case((cond, 1), else_=0))


def _log(
    conn: sa.Connection,
    profile: str,
    action: str,
    story_id: int,
    *,
    other: int | None = None,
    articles: Sequence[int] = (),
    by: str = "cli",
) -> None:
    conn.execute(
        sa.insert(story_overrides).values(
            profile=profile,
            action=action,
            story_id=story_id,
            other_id=other,
            article_ids=list(articles),
            at=utcnow(),
            by=by,
        )
    )


def _require(conn: sa.Connection, profile: str, story_id: int) -> None:
    s = stories
    found = conn.execute(
        sa.select(s.c.merged_into).where(s.c.id == story_id, s.c.profile == profile)
    ).first()
    if found is None:
        raise InputError(f"story {story_id}", f"no such story for profile {profile}")
    if found.merged_into is not None:
        raise InputError(f"story {story_id}", f"merged into story {found.merged_into}")


def set_flag(
    conn: sa.Connection,
    profile: str,
    story_id: int,
    flag: str,
    value: bool = True,
    *,
    by: str = "cli",
) -> None:
    """Pin (always in the digest) or hide (never in it); ``value=False`` undoes it."""
    if flag not in {"pinned", "hidden"}:
        raise ValueError(flag)
    lock_for_writing(conn)
    _require(conn, profile, story_id)
    values: dict[str, Any] = {flag: value, "updated_at": utcnow()}
    if value:  # pinned and hidden exclude each other: the latest decision wins
        values["hidden" if flag == "pinned" else "pinned"] = False
    conn.execute(sa.update(stories).where(stories.c.id == story_id).values(**values))
    action = {"pinned": "pin", "hidden": "hide"}[flag]
    _log(conn, profile, action if value else f"un{action}", story_id, by=by)


class HiddenAndShown(ValueError):
    """A merge of hidden stories with stories that are not: refused, as one of the two
    decisions would be undone without a word."""


def merge(
    conn: sa.Connection, profile: str, into: int, others: Sequence[int], *, by: str = "cli"
) -> None:
    """Fold ``others`` into story ``into``: their articles move, they are marked merged.

    Raises `HiddenAndShown` where some of the stories are hidden and some not: the merged
    story is one or the other, so the hidden articles came back into the digest (merged into
    a story that is not hidden) or the others left it (into a hidden one), said nowhere; an
    editor whose Review page was loaded before another's hide could not know.
    """
    lock_for_writing(conn)
    for sid in (into, *others):
        _require(conn, profile, sid)
    _refuse_hidden_and_shown(conn, into, [o for o in others if o != into])
    for other in others:
        if other == into:
            continue
        conn.execute(
            sa.update(story_articles)
            .where(story_articles.c.story_id == other)
            .values(story_id=into)
        )
        conn.execute(
            sa.update(stories)
            .where(stories.c.id == other)
            .values(merged_into=into, updated_at=utcnow())
        )
        _log(conn, profile, "merge", into, other=other, by=by)
    refresh_dates(conn, into)
    # An editor's pin is on the report it pinned, wherever it now is ("merge 1 3 5" with 5
    # pinned left story 1 unpinned); a story hidden on purpose stays hidden.
    query = sa.select(stories.c.id, stories.c.pinned, stories.c.hidden)
    flags = {r.id: r for r in conn.execute(query.where(stories.c.id.in_([into, *others])))}
    target = flags[into]
    if not (target.pinned or target.hidden) and any(flags[o].pinned for o in others):
        set_flag(conn, profile, into, "pinned", by=by)


def _refuse_hidden_and_shown(conn: sa.Connection, into: int, others: Sequence[int]) -> None:
    s, o = stories, story_overrides
    rows = conn.execute(sa.select(s.c.id, s.c.hidden).where(s.c.id.in_([into, *others])))
    hidden = {r.id: r.hidden for r in rows}
    if len(set(hidden.values())) < 2:
        return
    on = sorted(i for i, h in hidden.items() if h)
    off = sorted(i for i, h in hidden.items() if not h)
    last = (
        sa.select(o.c.story_id, o.c.by, o.c.at)
        .where(o.c.story_id.in_(on), o.c.action == "hide")
        .order_by(o.c.id)
    )
    who = {r.story_id: f" by {r.by} on {r.at:%Y-%m-%d %H:%M} UTC" for r in conn.execute(last)}
    hides = "; ".join(f"story {i} was hidden{who.get(i, '')}" for i in on)
    if hidden[into]:
        effect = f"merged into hidden story {into}, the articles of {_stories_named(off)} would be"
        effect += " hidden with it"
    else:
        effect = f"merged into story {into}, the articles of {_stories_named(on)} would be shown"
        effect += " again"
    raise HiddenAndShown(
        f"{hides}, and {_stories_named(off)} {'is' if len(off) == 1 else 'are'} not: {effect}. "
        f"Show {_stories_named(on)} again, or hide {_stories_named(off)} too, then merge"
    )


def _stories_named(ids: Sequence[int]) -> str:
    if len(ids) == 1:
        return f"story {ids[0]}"
    return f"stories {', '.join(map(str, ids[:-1]))} and {ids[-1]}"


def split(
    conn: sa.Connection, profile: str, story_id: int, article_ids: Sequence[int], *, by: str = "cli"
) -> int:
    """Move ``article_ids`` out of a story into a new one; returns the new story's id.

    Some article must stay behind. Moving them all would leave the story empty with its pin or
    hide, while the new story, unflagged, came back into the digest (a hidden story shown
    again); and the drafts, published items and Review pages that name the story would point
    at nothing. Refused rather than the flags moved: the old id is the story the editors know.
    """
    lock_for_writing(conn)
    _require(conn, profile, story_id)
    sa_ = story_articles
    held = [
        r.article_id
        for r in conn.execute(sa.select(sa_.c.article_id).where(sa_.c.story_id == story_id))
    ]
    wanted = set(article_ids)
    moving = [a for a in held if a in wanted]
    if not moving or len(moving) != len(wanted):
        missing = sorted(wanted - set(moving))
        raise InputError(f"story {story_id}", f"articles {missing} are not in this story")
    if len(moving) == len(held):  # a ValueError, as merging a story into itself: no 404
        raise ValueError(
            f"story {story_id}: {_all_of(held)}, and a split leaves at least one in the story: "
            "nothing of it would remain (hide the story to keep it out of the digest)"
        )
    title = conn.execute(sa.select(articles.c.title).where(articles.c.id == moving[0])).scalar()
    new_id = create(conn, profile, title or f"Split from story {story_id}", None, None)
    conn.execute(
        sa.update(sa_)
        .where(sa_.c.article_id.in_(moving), sa_.c.profile == profile)
        .values(story_id=new_id, duplicate_of=None)
    )
    for sid in (story_id, new_id):
        refresh_dates(conn, sid)
    _log(conn, profile, "split", story_id, other=new_id, articles=moving, by=by)
    return new_id


def _all_of(held: Sequence[int]) -> str:
    if len(held) == 1:
        return f"article {held[0]} is its only article"
    if len(held) <= 6:
        return f"articles {', '.join(map(str, sorted(held)))} are all its articles"
    return f"those are all its {len(held)} articles"


def refresh_dates(conn: sa.Connection, story_id: int) -> None:
    """A story spans the dates of the articles it has now, and is stamped as updated (the
    web app's story cache keys on that)."""
    a = articles
    span = conn.execute(
        sa.select(sa.func.min(a.c.dated), sa.func.max(a.c.dated))
        .select_from(a.join(story_articles, story_articles.c.article_id == a.c.id))
        .where(story_articles.c.story_id == story_id)
    ).one()
    conn.execute(
        sa.update(stories)
        .where(stories.c.id == story_id)
        .values(first_seen=span[0], last_seen=span[1], updated_at=utcnow())
    )


def overrides(conn: sa.Connection, profile: str) -> list[dict[str, Any]]:
    """The log of editors' decisions, oldest first."""
    o = story_overrides
    rows = conn.execute(sa.select(o).where(o.c.profile == profile).order_by(o.c.id)).mappings()
    return [dict(r) for r in rows]


# -- published digests -----------------------------------------------------------------------


@contextlib.contextmanager
def writing(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A transaction that is the store's one writer from its first statement, reads included,
    and commits at the end: what a publish reads and checks (the draft's revision, hidden
    stories, the latest version) stays true until it has written.

    Publishing read and checked first and took the lock only to write: two presses of Publish
    at once both found the draft unpublished (duplicate versions, or on SQLite a 500 on the
    version's unique key), and a story hidden meanwhile went out with the version. SQLite:
    ``BEGIN IMMEDIATE`` (pysqlite begins a transaction only at the first write, so the reads
    were outside it); PostgreSQL: the writer lock before the first read.
    """
    with engine.connect() as conn:
        if conn.dialect.name != "sqlite":
            with conn.begin():
                lock_for_writing(conn)
                yield conn
            return
        with sqlite_transaction(conn, "BEGIN IMMEDIATE"):
            yield conn


def publish(
    conn: sa.Connection,
    profile: str,
    period_from: date,
    period_to: date,
    content: dict[str, Any],
    *,
    by: str = "cli",
) -> int:
    """Store a digest as the next published version of its period; returns the version.

    The caller checks what it publishes in the same transaction, opened by `writing`.
    """
    lock_for_writing(conn)
    v = digest_versions
    latest = conn.execute(
        sa.select(sa.func.max(v.c.version)).where(
            v.c.profile == profile, v.c.period_from == period_from, v.c.period_to == period_to
        )
    ).scalar()
    version = (latest or 0) + 1
    conn.execute(
        sa.insert(v).values(
            profile=profile,
            period_from=period_from,
            period_to=period_to,
            version=version,
            content=content,
            published_at=utcnow(),
            published_by=by,
        )
    )
    return version


def published(
    conn: sa.Connection, profile: str, *, before: date | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """Published digests, newest period first, the latest version of each period only."""
    v = digest_versions
    stmt = sa.select(v).where(v.c.profile == profile)
    if before is not None:
        stmt = stmt.where(v.c.period_to < before)
    rows = conn.execute(stmt.order_by(v.c.period_to.desc(), v.c.version.desc())).mappings()
    seen: set[tuple[date, date]] = set()
    out: list[dict[str, Any]] = []
    for r in rows:
        if (r["period_from"], r["period_to"]) not in seen:
            seen.add((r["period_from"], r["period_to"]))
            out.append(dict(r))
        if limit is not None and len(out) >= limit:
            break
    return out
