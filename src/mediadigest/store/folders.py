"""Sources in folders: adding a list of sources that files each, moving those filed elsewhere."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa

from mediadigest.model import Source
from mediadigest.store import schema as t
from mediadigest.store.sources import add_source, moved_away, source_url
from mediadigest.store.writes import lock_for_writing


@dataclass(slots=True)
class Added:
    """What `add_sources` did: how many sources were new, how many already stored, and which
    of those it moved to another folder, as (url, from, to); None is no folder."""

    added: int = 0
    present: int = 0
    moved: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    # (url, where it is now): a source read from that URL moved for good, and is counted present
    redirected: list[tuple[str, str]] = field(default_factory=list)


def add_sources(
    conn: sa.Connection, sources: Iterable[Source], *, refile: bool | None = None
) -> Added:
    """Add ``sources``, each in its folder; one already stored keeps its kind and title.

    With ``refile`` one already stored is moved to the folder it has in ``sources`` (the
    press office moved it in its OPML), no folder included. By default it is when any of
    ``sources`` has a folder: a list that files nothing (a URL list, an OPML without folders)
    says nothing about where sources belong, and leaves them where they are. A URL given
    twice (as written, or as stored: ``source_url``) counts once, in its first folder.

    A URL that a source was read from before it moved for good (a 301 followed by collect)
    is that source: an OPML imported again, as it was, added the old address back, and every
    round then warned that it moved onto a source.
    """
    listed = list(sources)
    if refile is None:
        refile = any(s.folder for s in listed)
    # Before the lock: the fetch log has no index on its URLs, and collectors wait on it.
    away = moved_away(conn, [source_url(s.url) for s in listed])
    lock_for_writing(conn)
    done = Added()
    seen: set[str] = set()
    for source in listed:
        url = source_url(source.url)
        if url in seen:
            continue
        seen.add(url)
        if url in away:
            source_id, now = away[url]
            done.redirected.append((url, now))
            if now in seen:  # listed at both addresses
                continue
            seen.add(now)
            url, added = now, False
        else:
            source_id, added = add_source(conn, source)
        if added:
            done.added += 1
            continue
        done.present += 1
        if refile and (before := _folder(conn, source_id)) != source.folder:
            where = t.sources.c.id == source_id
            conn.execute(sa.update(t.sources).where(where).values(folder=source.folder))
            done.moved.append((url, before, source.folder))
    return done


def _folder(conn: sa.Connection, source_id: int) -> str | None:
    return conn.execute(sa.select(t.sources.c.folder).where(t.sources.c.id == source_id)).scalar()
