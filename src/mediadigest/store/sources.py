"""The sources collected from: their URLs as stored, lookups, health records, seen items."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import sqlalchemy as sa

from mediadigest.model import Source, is_web_url
from mediadigest.store import collect_state
from mediadigest.store import schema as t
from mediadigest.store.writes import insert_ignore, lock_for_writing, utcnow

_DEFAULT_PORTS = {"http": 80, "https": 443}


def source_url(url: str) -> str:
    """A source's URL as stored: scheme and host in lower case, no default port (``:443`` on
    https, ``:80`` on http), no ``.`` or ``..`` segments in its path, ``/`` for no path, no
    #fragment.

    "HTTP://Example.org/feed.xml", "…/feed.xml#top", "https://example.org:443/feed.xml" and
    "https://example.org/./feed.xml" are the feed already listed; each was added as a source
    of its own, fetched every round with a health row of its own. The fetcher (httpx) drops
    the same ports and segments, so the stored URL reads what was typed (but for a path
    ending in "/." or "/..", where httpx strays from the RFC: "/a/." is "/a" to it).
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url
    if not parts.scheme or not parts.netloc:
        return url
    scheme = parts.scheme.lower()
    userinfo, at, host = parts.netloc.rpartition("@")  # a password keeps its case
    host, path = host.lower(), parts.path
    if scheme in _DEFAULT_PORTS:
        name, colon, port = host.rpartition(":")
        # "]" in what follows the last colon: an IPv6 literal's own colon, no port
        if colon and "]" not in port and _is_port(port, _DEFAULT_PORTS[scheme]):
            host = name
        path = _remove_dot_segments(path) or "/"  # "https://h" asks for "/" (RFC 3986 6.2.3)
    return urlunsplit((scheme, f"{userinfo}{at}{host}", path, parts.query, ""))


def _is_port(port: str, number: int) -> bool:
    """An empty port is the default one too (RFC 3986 section 6.2.3)."""
    return port == "" or (port.isascii() and port.isdigit() and int(port) == number)


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4 on an absolute path: ``/a/./b/../c`` is ``/a/c``."""
    segments = path.split("/")
    kept: list[str] = []
    for segment in segments:
        if segment == "..":
            if len(kept) > 1:  # never the root's empty first segment: "/../a" is "/a"
                kept.pop()
        elif segment != ".":
            kept.append(segment)
    if segments[-1] in (".", ".."):  # "/a/." and "/a/b/.." name a folder: "/a/"
        kept.append("")
    return "/".join(kept)


# Built once: a source is looked up for every one an OPML import adds.
_BY_URL = sa.select(t.sources.c.id, t.sources.c.url).where(
    t.sources.c.url.in_(sa.bindparam("urls", expanding=True))
)
# The rows whose URL begins with the scheme, user and host asked for, in any case.
_BY_SITE = (
    sa.select(t.sources.c.id, t.sources.c.url)
    .where(sa.func.lower(t.sources.c.url).startswith(sa.bindparam("site")))
    .order_by(t.sources.c.id)
)


def find_source(conn: sa.Connection, url: str) -> tuple[int, str] | None:
    """The source of ``url`` (as typed, or as `source_url` stores it): its id and URL as
    stored; None where there is none.

    A row stored before `source_url` dropped default ports and dot segments keeps the URL it
    had (no migration rewrites it): the same URL given now is that source, not a new one.
    """
    typed, key = url.strip(), source_url(url)
    exact = conn.execute(_BY_URL, {"urls": sorted({typed, key})}).all()
    # As typed first: of two rows an older mediadigest let in for one feed, the one named
    if exact:
        row = min(exact, key=lambda r: (r.url != typed, r.id))
        return int(row.id), row.url
    if not is_web_url(key):
        return None
    # No index answers "normalises to key": ask the rows of its scheme, user and host only
    # (an older source_url wrote those as now; a port or a path follows them).
    parts = urlsplit(key)
    # "%" and a backslash mean more to LIKE; "_" (any one character) asks more rows, no fewer.
    site = re.sub(r"[%\\]", "_", f"{parts.scheme}://{parts.netloc}".lower())
    for row in conn.execute(_BY_SITE, {"site": site}):
        if source_url(row.url) == key:
            return int(row.id), row.url
    return None


def add_source(conn: sa.Connection, source: Source) -> tuple[int, bool]:
    """Add a source; returns (id, added). Adding an existing URL changes nothing (to file it
    in another folder: `store.add_sources`)."""
    lock_for_writing(conn)
    if found := find_source(conn, source.url):
        return found[0], False
    url = source_url(source.url)
    stmt = insert_ignore(conn, t.sources).values(
        url=url, kind=source.kind, title=source.title, folder=source.folder, added_at=utcnow()
    )
    # RETURNING, not rowcount: psycopg reports -1 for INSERT ... ON CONFLICT DO NOTHING.
    new_id = conn.execute(stmt.returning(t.sources.c.id)).scalar()
    if new_id is not None:
        return int(new_id), True
    row_id = conn.execute(sa.select(t.sources.c.id).where(t.sources.c.url == url)).scalar()
    return int(row_id), False


def list_sources(conn: sa.Connection) -> list[dict[str, Any]]:
    rows = conn.execute(sa.select(t.sources).order_by(t.sources.c.id)).mappings()
    return [dict(r) for r in rows]


def remove_source(conn: sa.Connection, url: str) -> bool:
    """Remove the source of ``url`` (as typed, or as stored: `find_source`); False where
    there is none."""
    lock_for_writing(conn)
    found = find_source(conn, url)
    if found is not None:
        conn.execute(sa.delete(t.sources).where(t.sources.c.id == found[0]))
    return found is not None


MAX_TITLE = 500  # the Sources page's name field takes as many
# C0 and C1 controls but the blanks ``split`` turns into spaces (tab, line breaks), and the
# bidirectional overrides and isolates (a U+202E shows the rest of a name reversed, a spoof).
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def pause_source(conn: sa.Connection, url: str) -> tuple[str, bool] | None:
    """Pause the source of ``url`` (found as `find_source` finds it): collection leaves it
    out, and it keeps its health, folder and seen items. Its URL as stored and whether it
    was collected until now; None where there is no such source."""
    return _set_paused(conn, url, paused=True)


def resume_source(conn: sa.Connection, url: str) -> tuple[str, bool] | None:
    """Collect the source of ``url`` again; its URL as stored and whether it was paused. A
    source that was backing off after failures is due at once: it was most likely paused
    for them, and resumed once mended."""
    return _set_paused(conn, url, paused=False)


def _set_paused(conn: sa.Connection, url: str, *, paused: bool) -> tuple[str, bool] | None:
    lock_for_writing(conn)
    found = find_source(conn, url)
    if found is None:
        return None
    source_id, stored = found
    src = t.sources.c
    # Only a row in the other state changes: pausing again keeps the first pause's time.
    changed = conn.execute(
        sa.update(t.sources)
        .where(
            src.id == source_id, src.paused_at.is_(None) if paused else src.paused_at.isnot(None)
        )
        .values(paused_at=utcnow() if paused else None)
    ).rowcount
    if changed and not paused:
        collect_state.due_now(conn, [source_id])
    return stored, bool(changed)


def paused_ids(conn: sa.Connection) -> set[int]:
    """The ids of the sources paused: collection leaves them out."""
    src = t.sources.c
    return set(conn.execute(sa.select(src.id).where(src.paused_at.isnot(None))).scalars())


def source_name(title: str) -> str:
    """A name as `retitle_source` stores it: one line (a pasted title's line breaks broke the
    table), no control characters (an ESC sequence in a name took over the terminal that
    `sources list` printed it on), as long as the web form takes; "" for none."""
    return " ".join(_CONTROLS.sub("", title).split())[:MAX_TITLE].rstrip()


def retitle_source(conn: sa.Connection, url: str, title: str) -> str | None:
    """Name the source of ``url`` ``title``; "" gives it back the name its feed gives itself.
    Its URL as stored; None where there is no such source.

    A name given here stays (a feed's own title fills in only an empty one). Cleared, the
    source's validators go too: a feed that answers 304 sends no title, and its next read
    must be whole to name it again (its seen items keep its entries from being read twice).
    """
    lock_for_writing(conn)
    found = find_source(conn, url)
    if found is None:
        return None
    name = source_name(title)
    values: dict[str, Any] = {"title": name or None}
    if not name:
        values.update(etag=None, last_modified=None)
    conn.execute(sa.update(t.sources).where(t.sources.c.id == found[0]).values(**values))
    return found[1]


def move_source(conn: sa.Connection, source_id: int, url: str) -> bool:
    """Point a source at the URL it moved to (as `source_url` stores it); False when another
    source already has it."""
    lock_for_writing(conn)  # writers take turns: nothing adds that URL between check and move
    found = find_source(conn, url)
    if found is not None and found[0] != source_id:
        return False
    conn.execute(
        sa.update(t.sources).where(t.sources.c.id == source_id).values(url=source_url(url))
    )
    return True


def moved_away(conn: sa.Connection, urls: list[str]) -> dict[str, tuple[int, str]]:
    """Of ``urls`` (as `source_url` stores them), those no source has that a source was read
    from before it moved: each with that source's id and URL now. The fetch log keeps the URL
    every read was from."""
    log, src = t.fetch_log.c, t.sources.c
    present: set[str] = set()
    for start in range(0, len(urls), 500):  # the sources' own URLs are indexed: ask them first
        chunk = urls[start : start + 500]
        present.update(conn.execute(sa.select(src.url).where(src.url.in_(chunk))).scalars())
    urls = [url for url in dict.fromkeys(urls) if url not in present]  # an OPML again: none
    found: dict[str, tuple[int, str]] = {}
    for start in range(0, len(urls), 500):
        stmt = (
            sa.select(log.url, src.id, src.url.label("now"))
            .select_from(t.fetch_log.join(t.sources, src.id == log.source_id))
            .where(log.url.in_(urls[start : start + 500]), src.url != log.url)
            .distinct()
        )
        for row in conn.execute(stmt):
            found.setdefault(row.url, (row.id, row.now))
    return found


def record_fetch(
    conn: sa.Connection,
    source_id: int | None,
    url: str,
    *,
    error: str | None,
    items: int = 0,
    partly: str | None = None,
) -> None:
    """Log one fetch of a source and update its health columns.

    ``partly`` says what failed in a fetch that worked (some of its pages): the fetch counts
    as a success, and the note is its error, so source health shows it ("partly failing").
    """
    lock_for_writing(conn)
    now = utcnow()
    note = error if error is not None else partly
    conn.execute(
        sa.insert(t.fetch_log).values(
            source_id=source_id, url=url, at=now, ok=error is None, items=items, error=note
        )
    )
    if source_id is not None:
        values: dict[str, Any] = {"last_fetched_at": now, "last_error": note}
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
        conn.execute(insert_ignore(conn, t.seen_items), values)
