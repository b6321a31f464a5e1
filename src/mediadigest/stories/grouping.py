"""Keep stories up to date as articles arrive, and read a period's stories back from the store.

``update`` runs after new articles are stored: copies collapse into the report they copy, and
the rest cluster with the stories of the last N days (which new articles may join, but which
never merge with each other). An article below the relevance threshold that joins a story
about the country becomes relevant through it (``via_story``).

Grouping follows what the store holds, not which commands ran: articles are placed in windows
on a fixed calendar (`window_end`), oldest first, whether one ingest, two ingests, a listing
or a digest placed them; a listing or digest places only relevant articles no story holds,
so it never regroups what an ingest left (a passing mention that joined no story waits for
new articles in its window). What still depends on order is the order articles arrive in:
a story started by the reports of one day is not merged with an older one that later
reports resemble (stories never merge), and a report stored after the windows after its own
were grouped does not regroup them.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from mediadigest import store
from mediadigest.model import FIRST_DAY, LAST_DAY, Article, Story
from mediadigest.profile import Profile
from mediadigest.store import schema as store_schema
from mediadigest.store.engine import sqlite_transaction
from mediadigest.stories import persist, rank
from mediadigest.stories.anchors import article_names
from mediadigest.stories.cluster import ClusterDoc, ClusterParams, cluster
from mediadigest.stories.dedup import find_duplicates
from mediadigest.stories.rank import article_themes, lead_article
from mediadigest.write.style import counted

log = logging.getLogger(__name__)

WINDOW_DAYS = 7  # a new article may join the stories of this many days up to it
TREND_DAYS = 7  # the week before a digest's, which its week-over-week line counts
BACKGROUND = 2000  # other articles of a window that clustering learns word weights from
STEM_MIN = 5  # shorter one-word names ("Kaz") would take ordinary words with them


@dataclass(slots=True)
class UpdateReport:
    """What one update did, for the summary line."""

    articles: int = 0  # new articles placed in stories
    copies: int = 0  # of which copies of another report
    via_story: int = 0  # of which relevant only through their story
    # Story ids, not counts: windows overlap, so a story made in one and extended in the
    # next was "1 new story, 1 grown" with one story in the store.
    created: set[int] = field(default_factory=set)
    grown: set[int] = field(default_factory=set)

    @property
    def new_stories(self) -> int:
        return len(self.created)

    @property
    def joined(self) -> int:
        """Stories that grew, made before this update (a new one is only new)."""
        return len(self.grown - self.created)

    def add(self, other: UpdateReport) -> None:
        self.articles += other.articles
        self.copies += other.copies
        self.via_story += other.via_story
        self.created |= other.created
        self.grown |= other.grown

    def summary(self) -> str:
        return (
            f"{counted(self.articles, 'article')} into stories ({self.copies} copied from "
            f"another report, {self.via_story} relevant through their story): "
            f"{counted(self.new_stories, 'new story', 'new stories')}, {self.joined} grown"
        )


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min)


def _day_end(day: date) -> datetime:
    """The end of ``day``: the start of the next (an upper bound that excludes it)."""
    return _day_start(day + timedelta(days=1))


def _when(art: Article) -> datetime | None:
    """When an article was published; for one that does not say (an archive page without
    date metadata), when its page was fetched or crawled (``dated``). A story of undated
    reports needs dates all the same: the window of stories to extend is chosen by them."""
    when = art.when
    return store.to_utc_naive(when) if when else None


def candidates(conn: sa.Connection, since: date, until: date) -> list[Article]:
    """The window's articles that name the country: relevant, or scored below the threshold
    (a story about the country may still take them in)."""
    return store.list_articles(conn, relevant_only=False, since=since, until=until, named=True)


def _background(conn: sa.Connection, since: date, until: date) -> list[Article]:
    """Up to ``BACKGROUND`` of the window's other articles, newest first."""
    return store.list_articles(
        conn, relevant_only=False, since=since, until=until, named=False, limit=BACKGROUND
    )


_NAME_KINDS = frozenset({"person", "org"})
_PLACE = frozenset({"place"})


def cluster_doc(art: Article, key: int) -> ClusterDoc:
    """Title, lead, time, and names: the entity stage's, and the profile's people and
    organisations that relevance found (so "Tokaev" and "Tokayev" are one name).

    Not places: they say where, not what, and a country's reports share a few cities (a grain
    record in Aktau joined the president's Tokyo visit through "Aktau" and "Astana"). A place
    that matters to the story is in its headline or lead, which count as words; the places
    go apart, to be compared only between reports in two languages, whose words barely meet.
    """
    names = article_names(art, _NAME_KINDS)
    places = article_names(art, _PLACE)
    return ClusterDoc(
        key, art.title, art.lead, names, _when(art), art.url, art.outlet, art.language, places
    )


def stop_words(profile: Profile) -> frozenset[str]:
    """The country's own names: every story mentions them, so they tell stories apart least."""
    return frozenset(w for t in profile.terms if t.kind == "country" for w in t.key.split())


def stop_stems(profile: Profile) -> tuple[str, ...]:
    """The country's one-word names as stems ("казахстан" for "Казахстане", "Казахстана"):
    inflected, they are as common in a language's reports as the name itself."""
    words = {t.key.strip() for t in profile.terms if t.kind == "country"}
    return tuple(sorted(w for w in words if " " not in w and len(w) >= STEM_MIN))


def common_names(profile: Profile) -> frozenset[str]:
    """The profile's people and places (the president, the capital, the cities): reports of
    any two events about the country may both name them."""
    return frozenset(t.canonical for t in profile.terms if t.kind in ("person", "place"))


# Where grouping reads and writes: a connection, inside its caller's transaction; or an
# engine, which groups each window in a transaction of its own (`_grouping`).
Target = sa.Connection | sa.Engine


def update(
    target: Target,
    profile: Profile,
    *,
    until: date | None = None,
    window_days: int = WINDOW_DAYS,
    params: ClusterParams | None = None,
) -> UpdateReport:
    """Place the relevant articles no story holds yet, up to ``until`` (idempotent; safe to
    run often). See `update_period`."""
    until = until or datetime.now(UTC).date()
    return update_period(target, profile, until, until, window_days=window_days, params=params)


def update_period(
    target: Target,
    profile: Profile,
    since: date,
    until: date,
    *,
    window_days: int = WINDOW_DAYS,
    params: ClusterParams | None = None,
) -> UpdateReport:
    """Place the relevant articles no story holds yet, up to ``until``, in date order.

    Not only the period's: from the week before ``since`` (its digest's week-over-week line
    counts that week) and one window before that, so what a listing or a digest places does
    not hang on the period it was asked for. Placing earlier articles cannot change the
    period's stories (their windows end before it). Only relevant articles are looked for:
    a passing mention that joined no story when its window was grouped stays out until new
    articles arrive in its window (`update_days`), or every listing would group it afresh.
    With nothing to place, this is one indexed query.

    Given an engine (``target``), each window is grouped and committed in a transaction of
    its own, under the writer lock: a period of two years held every other writer (a sign-in,
    `users add`) off for minutes, and a stop kept nothing. Given a connection, all is done in
    its caller's transaction.
    """
    # Days of news, not the calendar's ends (`model.FIRST_DAY`): the windows' arithmetic.
    since, until = max(min(since, until), FIRST_DAY), min(until, LAST_DAY)
    if since > until:
        return UpdateReport()
    _, span = _window(window_days)
    first = since - timedelta(days=span - 1 + TREND_DAYS)
    return _walk(target, profile, first, until, (), window_days, params)


def update_days(
    target: Target,
    profile: Profile,
    days: Iterable[date],
    *,
    window_days: int = WINDOW_DAYS,
) -> UpdateReport:
    """Group after a run: the windows of the days it stored articles on (their passing
    mentions too, which may join a story now), and every relevant article that no story
    holds yet (a run stopped before it grouped), oldest first. ``target`` as in
    `update_period`."""
    arrived = set(days)
    with _reading(target) as conn:
        wanted = arrived | unplaced_days(conn, profile)
    if not wanted:
        return UpdateReport()
    return _walk(target, profile, min(wanted), max(wanted), arrived, window_days, None)


def _window(window_days: int) -> tuple[int, int]:
    """Days a window places (its step) and days it spans: the step's and the ``window_days``
    - 1 before them, so every article sees the stories of the ``window_days`` days up to it."""
    step = max(1, (window_days + 1) // 2)
    return step, window_days - 1 + step


def window_end(day: date, window_days: int = WINDOW_DAYS) -> date:
    """The last day of the window that places ``day``'s articles.

    Windows sit on a fixed calendar (their last days a step apart from day 1), not on the
    period a command asks for: a store's articles are placed in the same windows whichever
    commands placed them, and in one or several ingests.
    """
    step, _ = _window(window_days)
    return day + timedelta(days=-day.toordinal() % step)


def _walk(
    target: Target,
    profile: Profile,
    first: date,
    last: date,
    arrived: Iterable[date],
    window_days: int,
    params: ClusterParams | None,
) -> UpdateReport:
    """Group the windows from ``first``'s to ``last``'s, oldest first, that hold a relevant
    article no story holds, or (windows of ``arrived`` days) any unplaced one naming the
    country."""
    _, span = _window(window_days)
    final = window_end(last, window_days)
    fresh = sorted({window_end(d, window_days) for d in arrived})
    report = UpdateReport()
    # Before the first window: each is committed as it is grouped, so a refusal after them
    # (for_period's) left another profile's stories in the store, which then refused its own.
    with _reading(target) as conn:
        persist.require_profile(conn, profile.name)
    done = first - timedelta(days=1)  # the last day of the windows grouped so far
    while True:
        # Which window is next is read without the writer lock: a window found wanting is
        # grouped under it, and one another process grouped meanwhile places nothing.
        with _reading(target) as conn:
            pending = _earliest_unplaced(conn, profile, done, final)
            ends = [e for e in fresh if e > done]
            if pending is not None:
                ends.append(window_end(pending, window_days))
            if not ends or min(ends) > final:
                break
            end = min(ends)
            since = end - timedelta(days=span - 1)
            wanted = (
                pending is not None and window_end(pending, window_days) == end
            ) or _any_unplaced(conn, profile, since, end)
        if wanted:
            report.add(_group(target, profile, since, end, params))
        done = end
    if report.articles:
        log.info("stories: %s", report.summary())
    return report


@contextlib.contextmanager
def _reading(target: Target) -> Iterator[sa.Connection]:
    """A connection to read from: the caller's, or the engine's for as long as it is needed
    (no transaction left open between windows)."""
    if isinstance(target, sa.Connection):
        yield target
        return
    with target.connect() as conn:
        yield conn


@contextlib.contextmanager
def _grouping(target: Target) -> Iterator[sa.Connection]:
    """The transaction that writes one window: the caller's, or one of its own that holds the
    store's writer lock from its first read and commits when the window is written.

    The lock from the first read, not the first write (where SQLite takes it by itself): what
    `_group` checks under it must stay true until the window is written, and a SQLite
    transaction that read before another writer committed cannot write after it ("database is
    locked" at once, without waiting). ``BEGIN IMMEDIATE`` waits for the lock as any write does.
    """
    if isinstance(target, sa.Connection):
        yield target
        return
    with target.connect() as conn:
        if conn.dialect.name != "sqlite":
            with conn.begin():
                store.lock_for_writing(conn)
                yield conn
            return
        with sqlite_transaction(conn, "BEGIN IMMEDIATE"):
            yield conn


@contextlib.contextmanager
def _snapshot(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A read-only transaction: its reads see one state of the store, and no writer waits for
    it (SQLite's WAL readers take no lock a writer needs; PostgreSQL's ``REPEATABLE READ``
    reads one snapshot), so a window's read is not half before another's commit."""
    with engine.connect() as conn:
        if conn.dialect.name != "sqlite":
            # Set on the connection, not by SET TRANSACTION: pool_pre_ping's query may open
            # the transaction first. The pool resets the level when the connection returns.
            conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn
            return
        with sqlite_transaction(conn, "BEGIN DEFERRED"):
            yield conn


@dataclass(slots=True)
class _Window:
    """What a window's clustering is made from: the same inputs give the same stories."""

    arts: list[Article]  # the window's articles that name the country, oldest first
    owner: dict[int, int]  # article id -> id of the stored story that holds it
    stories: list[int]  # the window's live stories, those that hold none of its articles too
    background: list[Article] | None  # None where every article is placed: nothing to cluster


def _read(conn: sa.Connection, profile: Profile, since: date, until: date) -> _Window:
    """The window's articles and stories, as its clustering reads them."""
    arts = sorted(candidates(conn, since, until), key=lambda a: (_when(a) or datetime.max, a.id))
    rows = persist.load(conn, profile.name, since=_day_start(since), until=_day_end(until))
    owner = {aid: row.id for row in rows for aid in row.members}
    if all(a.id in owner for a in arts):
        return _Window(arts, owner, [row.id for row in rows], None)
    # The window's other articles teach the word weights: which words every report uses.
    return _Window(arts, owner, [row.id for row in rows], _background(conn, since, until))


@dataclass(slots=True)
class _Cluster:
    """One cluster to write (`_place`): its stored story, if any, members and their copies."""

    story_id: int | None
    members: list[Article]
    dup_of: dict[int, int]


def _group(
    target: Target,
    profile: Profile,
    since: date,
    until: date,
    params: ClusterParams | None,
) -> UpdateReport:
    """Cluster one window's unplaced articles with its stories, which they may join.

    Given an engine, under the writer lock only to write: clustering a window
    (`find_duplicates`, TF-IDF) takes a time that grows with the week's articles, not the
    batch's, and under the lock an editor's pin or hide waited seconds for every ingest and
    collect round. So the window is read and clustered first; then, under the lock, read
    again, and its clusters written only if it is as it was (its articles, with all they are
    clustered by, and which stories hold them: a merge, a split or another grouper changes
    that); otherwise it is clustered again under the lock. Pins and hides are not read: they
    decide a digest's stories, not how reports group. Given a connection, all is done in it.
    """
    if isinstance(target, sa.Connection):
        window = _read(target, profile, since, until)
        return _write(target, profile, window, _plan(window, profile, params))
    with _snapshot(target) as conn:
        seen = _read(conn, profile, since, until)
    if seen.background is None:
        return UpdateReport()  # another grouper placed them all
    plan = _plan(seen, profile, params)
    with _grouping(target) as conn:
        now = _read(conn, profile, since, until)
        if now != seen:
            log.debug("stories: %s..%s changed while it was clustered; again", since, until)
            plan = _plan(now, profile, params)
        return _write(conn, profile, now, plan)


def _plan(window: _Window, profile: Profile, params: ClusterParams | None) -> list[_Cluster]:
    """The window's clusters (reads and writes nothing: it may run outside any transaction)."""
    arts, owner = window.arts, window.owner
    if window.background is None:
        return []
    groups = find_duplicates([f"{a.title}\n{a.text}" for a in arts])
    primaries = [g.primary for g in groups]
    seeds: dict[int, list[int]] = {}
    for k, g in enumerate(groups):
        story = next((owner[arts[i].id] for i in g.members if arts[i].id in owner), None)
        if story is not None:
            seeds.setdefault(story, []).append(k)
    base = params or ClusterParams()
    params = replace(
        base,
        stop_words=base.stop_words | stop_words(profile),
        stop_stems=base.stop_stems + stop_stems(profile),
        common_names=base.common_names | common_names(profile),
    )
    docs = [cluster_doc(arts[i], k) for k, i in enumerate(primaries)]
    seed_of = {k: sid for sid, ks in seeds.items() for k in ks}
    background = [cluster_doc(a, -1) for a in window.background]
    out: list[_Cluster] = []
    for found in cluster(docs, params, seeds=list(seeds.values()), background=background):
        story_id = next((seed_of[k] for k in found if k in seed_of), None)
        members = [arts[m] for k in found for m in groups[k].members]
        dup_of = {
            arts[c].id: arts[g.primary].id for k in found for g in [groups[k]] for c in g.copies
        }
        out.append(_Cluster(story_id, members, dup_of))
    return out


def _write(
    conn: sa.Connection, profile: Profile, window: _Window, plan: list[_Cluster]
) -> UpdateReport:
    """Write the clusters planned from ``window``, which the store still holds as it was."""
    report = UpdateReport()
    owner = dict(window.owner)  # `_place` adds what it places
    for c in plan:
        _place(conn, profile, c.story_id, c.members, c.dup_of, owner, report)
    return report


def unplaced_days(conn: sa.Connection, profile: Profile) -> set[date]:
    """The days of relevant articles that no story of ``profile`` holds."""
    a, sa_ = store_schema.articles, persist.story_articles
    placed = sa.select(sa_.c.article_id).where(
        sa_.c.article_id == a.c.id, sa_.c.profile == profile.name
    )
    query = sa.select(a.c.dated).where(a.c.relevant.is_(True), ~placed.exists())
    return {when.date() for (when,) in conn.execute(query)}


def _earliest_unplaced(
    conn: sa.Connection, profile: Profile, after: date, through: date
) -> date | None:
    """The first day after ``after``, up to ``through``, of a relevant article that no story
    of ``profile`` holds."""
    a, sa_ = store_schema.articles, persist.story_articles
    placed = sa.select(sa_.c.article_id).where(
        sa_.c.article_id == a.c.id, sa_.c.profile == profile.name
    )
    query = sa.select(a.c.dated).where(
        a.c.relevant.is_(True),
        a.c.dated >= _day_start(after + timedelta(days=1)),
        a.c.dated < _day_start(through + timedelta(days=1)),
        ~placed.exists(),
    )
    found = conn.execute(query.order_by(a.c.dated).limit(1)).scalar()
    return found.date() if found is not None else None


def _any_unplaced(conn: sa.Connection, profile: Profile, since: date, until: date) -> bool:
    """Whether the window holds an article that names the country and no story holds."""
    a, sa_ = store_schema.articles, persist.story_articles
    placed = sa.select(sa_.c.article_id).where(
        sa_.c.article_id == a.c.id, sa_.c.profile == profile.name
    )
    query = sa.select(a.c.id).where(
        a.c.dated >= _day_start(since),
        a.c.dated < _day_start(until + timedelta(days=1)),
        store_schema.NAMES_COUNTRY,
        ~placed.exists(),
    )
    return conn.execute(query.limit(1)).first() is not None


def _place(
    conn: sa.Connection,
    profile: Profile,
    story_id: int | None,
    members: Sequence[Article],
    dup_of: dict[int, int],
    owner: dict[int, int],
    report: UpdateReport,
) -> None:
    """Write one cluster: a new story if it has no stored one and is about the country."""
    relevant = any(a.relevance.relevant for a in members)
    if story_id is None and not relevant:
        return  # a story of passing mentions only is not a story about the country
    fresh = [a for a in members if a.id not in owner]
    if not fresh:
        return
    dated = [d for d in (_when(a) for a in members) if d is not None]
    first, last = (min(dated), max(dated)) if dated else (None, None)
    new = story_id is None
    if story_id is None:
        story_id = persist.create(conn, profile.name, headline(members), first, last)
        report.created.add(story_id)
    else:
        row = persist.load(conn, profile.name, ids=[story_id])[0]
        first = min(d for d in (first, row.first_seen) if d) if first or row.first_seen else None
        last = max(d for d in (last, row.last_seen) if d) if last or row.last_seen else None
        persist.touch(conn, story_id, row.title, first, last)
        report.grown.add(story_id)
    placed = {
        a.id: (dup_of.get(a.id), not a.relevance.relevant, article_themes(a, profile)[:3])
        for a in fresh
    }
    if not persist.add_members(conn, profile.name, story_id, placed) and new:
        # Another process (a second ingest, the web's collector) placed them first: a story
        # left empty would linger in the store and its exports.
        persist.drop(conn, story_id)
        report.created.discard(story_id)
        return
    for aid in placed:
        owner[aid] = story_id
    report.articles += len(placed)
    report.copies += sum(1 for dup, _, _ in placed.values() if dup is not None)
    report.via_story += sum(1 for _, via, _ in placed.values() if via)


def headline(members: Sequence[Article]) -> str:
    """The story's working title: the headline of the report it is told from."""
    return lead_article(members).title or "(untitled)"


def ranked_for_period(
    conn: sa.Connection, profile: Profile, since: date, until: date
) -> list[Story]:
    """`for_period`'s stories ranked, best first, against the last digest published before
    the period: as the digest, Review and `stories` all see them."""
    found = for_period(conn, profile, since, until)
    previous = rank.previous_items(conn, profile, since)
    return rank.rank(found, profile, until=until, previous=previous)


def for_period(conn: sa.Connection, profile: Profile, since: date, until: date) -> list[Story]:
    """The stories with at least one article in ``since``..``until``, articles of the period.

    Relevant articles that no stored story holds (``update`` has not run over them) come back
    as stories of their own with ``id=None``.
    """
    persist.require_profile(conn, profile.name)
    arts = {a.id: a for a in candidates(conn, since, until)}
    # A page captured again (a correction) is one report, its newest capture, in every view
    # of the story; grouping itself keeps every capture. Copies of an older one copy it.
    replaced = persist.replaced_captures(conn, arts.values())
    for old in replaced:
        del arts[old]
    rows = persist.load(conn, profile.name, since=_day_start(since), until=_day_end(until))
    out: list[Story] = []
    placed: set[int] = set()
    for row in rows:
        members = [arts[aid] for aid in row.members if aid in arts]
        if not members:
            continue
        story = Story(
            row.id,
            row.title,
            sorted(members, key=_order),
            first_seen=row.first_seen,
            last_seen=row.last_seen,
            pinned=row.pinned,
            hidden=row.hidden,
        )
        for art in members:
            dup, via, themes = row.members[art.id]
            story.article_themes[art.id] = list(themes)
            dup = replaced.get(dup, dup) if dup is not None else None
            if dup is not None and dup in arts and dup != art.id:
                story.duplicates[art.id] = dup
            if via and not art.relevance.relevant:
                art.relevance.relevant, art.relevance.via_story = True, row.id
                story.via_story.add(art.id)
            placed.add(art.id)
        out.append(story)
    for art in arts.values():
        if art.id not in placed and art.relevance.relevant:
            out.append(Story(None, art.title, [art], first_seen=_when(art), last_seen=_when(art)))
    return out


def _order(art: Article) -> tuple:
    return (-art.relevance.score, _when(art) or datetime.max, art.id or 0)


def story_to_dict(story: Story) -> dict[str, Any]:
    """The JSON shape of `stories --json`: the story, why it ranks, and its articles."""
    return {
        "id": story.id,
        "title": story.title,
        "first_seen": story.first_seen.isoformat() if story.first_seen else None,
        "last_seen": story.last_seen.isoformat() if story.last_seen else None,
        "pinned": story.pinned,
        "hidden": story.hidden,
        "score": round(story.score, 3),
        "why": list(story.reasons),
        "themes": list(story.themes),
        "outlets": story.outlets,
        "articles": [
            {
                "id": a.id,
                "title": a.title,
                "outlet": a.outlet,
                "outlet_country": a.outlet_country,
                "published": a.published_iso,  # with the outlet's offset where known
                "url": a.url,
                "relevant": a.relevance.relevant,
                "via_story": a.id in story.via_story,
                "copy_of": story.duplicates.get(a.id or 0),
            }
            for a in story.articles
        ],
    }
