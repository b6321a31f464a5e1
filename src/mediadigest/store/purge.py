"""Dropping old material from the store (`mediadigest db purge --before DAY`): retention.

An article dated before the day goes (its ``dated``: the outlet's date, else when it was
stored), with every row that hangs on it: relevance matches, theme rows, story membership, the
full-text index (SQLite's ``articles_fts`` follows by trigger; PostgreSQL's tsvector is a column
of the row), and the stored copy of the page it came from (see below). A story left with no
article goes too, with the editors' decisions on it (pin, hide, merge, split) and the stories
merged into it; a story that keeps some articles keeps them, its dates narrowed.

What a digest cites is kept: an article that a published edition, a draft or a digest the CLI
wrote names (its item, evidence or copy), and the stories they name. The digest's text is
its own, but its evidence holds offsets into the article's text, and on SQLite the id of a
deleted article is given again to the next one stored when it was the highest: an edition
would then point at another article's text, not at nothing. So there is no option to purge
them; an edition cites a few dozen articles a week.

The work goes batch by batch, each in a transaction of its own under the store's writer lock:
a stop (Ctrl-C, kill -9) keeps the batches done and leaves a consistent store, and running it
again finishes. Feed items keep their ``seen_items`` marks, so collection never fetches a
purged article's page again from a source that listed it.

A page's row in ``documents`` stays, its body (the bulk of a store) emptied: deleting the row
makes both backends look for articles naming it (``articles.document_id`` has no index; SQLite
took 4 minutes per thousand pages of a 100,000-article store), and the row (URL, fetch time,
hash) is what tells collection from another source that the page was fetched already.

The fetch log (a row per read of a source: a hundred sources read every 15 minutes write ten
thousand rows a day) loses its rows from before the day too, but for each source's last
``FETCHES_KEPT`` (its health: failing or unreachable) and the reads of an address a source
has since moved from (what `sources add` and `remove` of the old address say).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

import sqlalchemy as sa

from mediadigest.store import schema as t
from mediadigest.store.transfer_ids import remap_digest
from mediadigest.store.writes import lock_for_writing
from mediadigest.stories import persist
from mediadigest.write.style import counted

__all__ = ["BATCH", "PurgeReport", "cited", "plan", "purge"]

FETCHES_KEPT = 10  # each source's last reads, which its health reads (web.routes.sources)
BATCH = 500  # articles per transaction: a short hold of the writer lock, however large the store
_CHUNK = 500  # ids per IN (...): SQLite's and the drivers' limits on bound values

# Every table whose JSON is a digest (items naming articles and stories): the CLI's digests,
# the web app's drafts and its published editions. Only ``content`` is read.
_DIGEST_TABLES = tuple(
    sa.table(name, sa.column("content", sa.JSON))
    for name in ("digests", "digest_drafts", "digest_versions")
)

Progress = Callable[[int], None]


@dataclass(slots=True)
class PurgeReport:
    """What a purge did (or, for a dry run, would do), for the summary line."""

    before: date
    articles: int = 0  # deleted
    stories: int = 0  # deleted: left with no article, or merged into one that was
    decisions: int = 0  # editors' decisions (pin, hide, merge, split) gone with their stories
    documents: int = 0  # stored pages emptied: no remaining article comes from them
    fetches: int = 0  # rows of the fetch log
    kept: int = 0  # articles dated before the day that a digest cites
    dry_run: bool = False

    def summary(self) -> str:
        verb = "would purge" if self.dry_run else "purged"
        if not self.articles and not self.stories and not self.fetches:
            said = f"nothing dated before {self.before} to purge"
        else:
            said = (f"{verb} {counted(self.articles, 'article')} dated before {self.before}, "
                    f"{counted(self.stories, 'story', 'stories')} and "
                    f"{counted(self.decisions, 'editor decision')} on them")  # fmt: skip
            if not self.dry_run:
                said += f", {counted(self.documents, 'stored page')} emptied"
        if self.fetches:
            entries = counted(self.fetches, "fetch log entry", "fetch log entries")
            said += f"; {verb} {entries} from before the day"
        if self.kept:
            kept = counted(self.kept, "article")
            said += f"; kept {kept} a digest cites"
        return said


def cited(conn: sa.Connection) -> tuple[set[int], set[int]]:
    """The ids of the articles and of the stories that any stored digest names: an item's
    article and story, its evidence's articles, its sources' copies (`remap_digest`'s walk),
    and the articles its sources list by their address (a syndicated copy is named by URL
    alone: purged, a digest of the week built again lost it from its sources)."""
    articles: set[int] = set()
    stories: set[int] = set()
    pages: set[str] = set()

    def note(into: set[int]) -> Callable[[int], int]:
        def keep(found: int) -> int:
            into.add(found)
            return found

        return keep

    for table in _DIGEST_TABLES:
        for content in conn.execute(sa.select(table.c.content)).scalars():
            # The walk writes each id back as found: on a copy, never on the row.
            remap_digest(copy.deepcopy(content), note(articles), note(stories))
            pages.update(_source_urls(content))
    articles |= _articles_at(conn, pages)
    return articles, stories


def _source_urls(content: object) -> Iterable[str]:
    items = content.get("items") if isinstance(content, dict) else None
    for item in items if isinstance(items, list) else ():
        for source in (item.get("sources") or []) if isinstance(item, dict) else ():
            if isinstance(source, dict) and isinstance(source.get("url"), str):
                yield source["url"]


def _articles_at(conn: sa.Connection, urls: set[str]) -> set[int]:
    """The articles a digest links by ``urls`` (`credit.web_address`: the page's URL less
    tracking parameters, or its canonical one): by the indexed canonical URL first, then by
    the URL as fetched."""
    from mediadigest.analyse.normalise import canonicalise_url

    a = t.articles
    keys = {canonicalise_url(u) for u in urls} | urls
    found: set[int] = set()
    seen: set[str] = set()
    for chunk in _chunks_of(sorted(keys)):
        for row in conn.execute(sa.select(a.c.id, a.c.canonical_url).where(
            a.c.canonical_url.in_(chunk)
        )):  # fmt: skip
            found.add(row.id)
            seen.add(row.canonical_url)
    rest = sorted(u for u in urls if u not in seen and canonicalise_url(u) not in seen)
    for chunk in _chunks_of(rest):
        found.update(conn.execute(sa.select(a.c.id).where(a.c.url.in_(chunk))).scalars())
    return found


def plan(conn: sa.Connection, before: date) -> PurgeReport:
    """What `purge` would delete, counted without writing (a dry run)."""
    report = PurgeReport(before, dry_run=True)
    keep_articles, keep_stories = cited(conn)
    a, sa_ = t.articles, persist.story_articles
    report.kept = _count_old(conn, keep_articles, before)
    report.articles = _count_before(conn, before) - report.kept
    # Stories all of whose articles are dated before the day, less those a digest holds on to.
    emptied = set(
        conn.execute(
            sa.select(sa_.c.story_id)
            .join(a, a.c.id == sa_.c.article_id)
            .group_by(sa_.c.story_id)
            .having(sa.func.max(a.c.dated) < _start(before))
        ).scalars()
    )
    emptied -= keep_stories | _stories_of(conn, keep_articles)
    doomed = _with_merged(conn, emptied) - keep_stories
    report.stories = len(doomed)
    report.decisions = _count_decisions(conn, doomed)
    keep_fetches = _fetches_kept(conn)
    report.fetches = sum(
        1 for i in conn.execute(_old_fetches(before)).scalars() if i not in keep_fetches
    )
    return report


def purge(
    engine: sa.Engine,
    before: date,
    *,
    batch: int = BATCH,
    planned: Progress | None = None,
    progress: Progress | None = None,
    report: PurgeReport | None = None,
) -> PurgeReport:
    """Delete what is dated before ``before`` (see the module), batch by batch.

    ``planned`` hears how many articles there are to go, ``progress`` how many each batch
    deleted. ``report`` is filled as batches commit, so a caller stopped midway knows what
    was done.
    """
    report = report if report is not None else PurgeReport(before)
    with engine.connect() as conn:
        # Read once: an edition published during a purge cites this week's articles, not ones
        # older than the day.
        keep_articles, keep_stories = cited(conn)
        report.kept = _count_old(conn, keep_articles, before)
        if planned:
            planned(_count_before(conn, before) - report.kept)
        keep_pages = _pages_of_staying(conn, before, keep_articles)
    while True:
        with persist.writing(engine) as conn:
            ids = _next_batch(conn, before, batch, keep_articles, report.kept)
            if ids:
                _delete_articles(conn, ids, keep_stories, keep_pages, report)
        if not ids:
            break
        if progress:
            progress(len(ids))
    # Pages fetched before the day that no article comes from (none named the country).
    with engine.connect() as conn:
        used = _pages_of_staying(conn, None, set())
    after_page = 0
    while True:
        with persist.writing(engine) as conn:
            after_page = _empty_old_pages(conn, before, after_page, batch, used, report)
        if not after_page:
            break
    with engine.connect() as conn:
        keep_fetches = _fetches_kept(conn)
    while True:
        with persist.writing(engine) as conn:
            lock_for_writing(conn)
            read = conn.execute(_old_fetches(before).limit(batch + len(keep_fetches))).scalars()
            ids = [i for i in read if i not in keep_fetches][:batch]
            if ids:
                f = t.fetch_log
                report.fetches += conn.execute(sa.delete(f).where(f.c.id.in_(ids))).rowcount
        if not ids:
            break
    return report


def _old_fetches(before: date) -> sa.Select:
    """The fetch log's rows from before the day, oldest first (ids grow with time)."""
    f = t.fetch_log
    return sa.select(f.c.id).where(f.c.at < _start(before)).order_by(f.c.id)


def _fetches_kept(conn: sa.Connection) -> set[int]:
    """Fetch log rows that stay however old: each source's last ``FETCHES_KEPT`` reads, and
    the reads of an address a source no longer has (it moved: `sources.moved_away`)."""
    f, src = t.fetch_log, t.sources
    ranked = (
        sa.select(
            f.c.id,
            sa.func.row_number()
            .over(partition_by=f.c.source_id, order_by=f.c.id.desc())
            .label("n"),
        )
        .where(f.c.source_id.is_not(None))
        .subquery()
    )
    last = conn.execute(sa.select(ranked.c.id).where(ranked.c.n <= FETCHES_KEPT)).scalars()
    moved = conn.execute(
        sa.select(f.c.id).join(src, src.c.id == f.c.source_id).where(f.c.url != src.c.url)
    ).scalars()
    return {*last, *moved}


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min)


def _chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    return _chunks_of(sorted(ids))


def _chunks_of(ordered: list) -> Iterable[list]:
    for i in range(0, len(ordered), _CHUNK):
        yield ordered[i : i + _CHUNK]


def _count_before(conn: sa.Connection, before: date) -> int:
    a = t.articles
    query = sa.select(sa.func.count()).select_from(a).where(a.c.dated < _start(before))
    return int(conn.execute(query).scalar_one())


def _count_old(conn: sa.Connection, ids: set[int], before: date) -> int:
    """How many of the articles ``ids`` are dated before ``before``."""
    a = t.articles
    return sum(
        int(conn.execute(
            sa.select(sa.func.count()).select_from(a)
            .where(a.c.id.in_(chunk), a.c.dated < _start(before))
        ).scalar_one())
        for chunk in _chunks(ids)
    )  # fmt: skip


def _stories_of(conn: sa.Connection, article_ids: set[int]) -> set[int]:
    sa_ = persist.story_articles
    found: set[int] = set()
    for chunk in _chunks(article_ids):
        query = sa.select(sa_.c.story_id).where(sa_.c.article_id.in_(chunk)).distinct()
        found.update(conn.execute(query).scalars())
    return found


def _next_batch(
    conn: sa.Connection, before: date, limit: int, keep: set[int], kept: int
) -> list[int]:
    """The ids of up to ``limit`` articles dated before the day, oldest first, but ``keep``.

    No cursor: what a batch deletes is gone from the next one's walk, and the ``kept`` old
    articles that stay are read past (a few hundred: what digests cite). A cursor of (dated,
    id) compared stored text with a bound datetime on SQLite, and skipped rows whose text
    differs in form. By date, then id, as ``ix_articles_dated`` holds them: ordered by id
    alone, each batch sorted every article before the day (a temporary B-tree of them all).
    """
    a = t.articles
    query = sa.select(a.c.id).where(a.c.dated < _start(before))
    read = conn.execute(query.order_by(a.c.dated, a.c.id).limit(limit + kept)).scalars()
    return [i for i in read if i not in keep][:limit]


def _delete_articles(
    conn: sa.Connection,
    ids: Sequence[int],
    keep_stories: set[int],
    keep_pages: set[int],
    report: PurgeReport,
) -> None:
    """The articles ``ids`` and what hangs on them, in the caller's write transaction."""
    lock_for_writing(conn)
    a, sa_ = t.articles, persist.story_articles
    touched = set(
        conn.execute(sa.select(sa_.c.story_id).where(sa_.c.article_id.in_(ids))).scalars()
    )
    pages = set(
        conn.execute(
            sa.select(a.c.document_id).where(a.c.id.in_(ids), a.c.document_id.is_not(None))
        ).scalars()
    )
    # Explicit, not left to ON DELETE CASCADE: SQLite enforces it only with foreign_keys=ON,
    # which a connection made by another tool (sqlite3 on the command line) lacks.
    for table in (t.article_matches, t.article_themes, sa_):
        conn.execute(sa.delete(table).where(table.c.article_id.in_(ids)))
    report.articles += conn.execute(sa.delete(a).where(a.c.id.in_(ids))).rowcount
    report.documents += _empty_pages(conn, pages - keep_pages)
    if not touched:
        return
    holding = set(
        conn.execute(sa.select(sa_.c.story_id).where(sa_.c.story_id.in_(touched))).scalars()
    )
    _remove_stories(conn, touched - holding - keep_stories, keep_stories, report)
    for story_id in sorted(touched & (holding | keep_stories)):
        persist.refresh_dates(conn, story_id)


def _pages_of_staying(conn: sa.Connection, before: date | None, keep: set[int]) -> set[int]:
    """The pages (document ids) of the articles dated on or after ``before`` (of all the
    articles without it) and of the articles ``keep``: one read of them, as no index leads
    from a page to its articles."""
    a = t.articles
    query = sa.select(a.c.document_id).where(a.c.document_id.is_not(None)).distinct()
    if before is not None:
        query = query.where(a.c.dated >= _start(before))
    pages = set(conn.execute(query).scalars())
    for chunk in _chunks(keep):
        pages.update(conn.execute(query.where(a.c.id.in_(chunk))).scalars())
    return pages


def _empty_pages(conn: sa.Connection, ids: set[int]) -> int:
    """Empty the stored bodies of the pages ``ids`` (see the module); how many were not yet."""
    d = t.documents
    return sum(
        conn.execute(
            sa.update(d).where(d.c.id.in_(chunk), sa.func.length(d.c.body) > 0).values(body=b"")
        ).rowcount
        for chunk in _chunks(ids)
    )


def _empty_old_pages(
    conn: sa.Connection, before: date, after: int, limit: int, used: set[int], report: PurgeReport
) -> int:
    """Empty the next ``limit`` pages fetched before the day (by id, above ``after``) that no
    article comes from; the last id read, 0 when none was left."""
    lock_for_writing(conn)
    d = t.documents
    read = list(
        conn.execute(
            sa.select(d.c.id)
            .where(d.c.fetched_at < _start(before), d.c.id > after)
            .order_by(d.c.id)
            .limit(limit)
        ).scalars()
    )
    report.documents += _empty_pages(conn, set(read) - used)
    return read[-1] if read else 0


def _with_merged(conn: sa.Connection, ids: set[int]) -> set[int]:
    """``ids`` and the stories merged into them, and into those: a story merged away has no
    article of its own, and its row pointing at a deleted one (``merged_into`` set to NULL)
    would list it as a live, empty story."""
    s = persist.stories
    found, new = set(ids), set(ids)
    while new:
        merged = set()
        for chunk in _chunks(new):
            query = sa.select(s.c.id).where(s.c.merged_into.in_(chunk))
            merged.update(conn.execute(query).scalars())
        new = merged - found
        found |= new
    return found


def _decisions_on(ids: Sequence[int]) -> sa.ColumnElement[bool]:
    o = persist.story_overrides
    return o.c.story_id.in_(ids) | o.c.other_id.in_(ids)


def _count_decisions(conn: sa.Connection, ids: set[int]) -> int:
    o = persist.story_overrides
    return sum(
        int(conn.execute(sa.select(sa.func.count()).select_from(o).where(_decisions_on(chunk)))
            .scalar_one())
        for chunk in _chunks(ids)
    )  # fmt: skip


def _remove_stories(
    conn: sa.Connection, emptied: set[int], keep: set[int], report: PurgeReport
) -> None:
    """Delete the stories ``emptied`` (left with no article), those merged into them but
    ``keep``, and the editors' decisions that name any of them: a log of a story that is gone
    explains nothing."""
    if not emptied:
        return
    s, sa_, o = persist.stories, persist.story_articles, persist.story_overrides
    doomed = _with_merged(conn, emptied) - keep
    for chunk in _chunks(doomed):
        report.decisions += conn.execute(sa.delete(o).where(_decisions_on(chunk))).rowcount
        conn.execute(sa.delete(sa_).where(sa_.c.story_id.in_(chunk)))
    for chunk in _chunks(doomed):
        report.stories += conn.execute(sa.delete(s).where(s.c.id.in_(chunk))).rowcount
