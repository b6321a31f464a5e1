"""`mediadigest sources`: the feeds, sitemaps, URL lists and pages to collect from."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import sqlalchemy as sa
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Column, Table

from mediadigest import store
from mediadigest.cli.app import out, reading_store, say, settings_of, sources_app
from mediadigest.collect import folders
from mediadigest.errors import InputError, MediadigestError
from mediadigest.model import Source, is_web_url
from mediadigest.store import collect_state
from mediadigest.store import sources as store_sources
from mediadigest.store.sources import moved_away, source_url
from mediadigest.write.style import counted


@sources_app.command("add")
def sources_add(
    ctx: typer.Context,
    urls: Annotated[list[str], typer.Argument(help="Source URLs.")],
    kind: Annotated[
        str,
        typer.Option(
            help="feed (RSS/Atom), sitemap (sitemap, sitemap index or news sitemap), "
            "urllist (a text file of page URLs) or page (one page, stored when it changes)."
        ),
    ] = "feed",
    folder: Annotated[
        str | None,
        typer.Option(
            help="File them in this folder, 'Russia/Business' for a folder in a folder "
            "(sources already there move to it; '' for none). Default: new ones at the top, "
            "others where they are."
        ),
    ] = None,
) -> None:
    """Add feeds, sitemaps, URL lists or pages to collect from."""
    _check_kind(kind)
    path = _check_folder(folder)
    good = _web_urls(urls)
    engine = store.open_store(settings_of(ctx).db)
    with engine.begin() as conn:
        for url in good:
            done = store.add_sources(
                conn, [Source(url=url, kind=kind, folder=path)], refile=folder is not None
            )
            if done.added:
                say(f"added: {url}")
            elif _paused(conn, url):  # adding it again does not collect it: say what does
                say(f"already present, paused (`sources resume` collects it): {url}")
            else:
                say(f"already present: {url}")
            _say_moved(done)
    if len(good) < len(urls):
        raise typer.Exit(1)


@sources_app.command("import")
def sources_import(
    ctx: typer.Context,
    path: Annotated[
        str,
        typer.Argument(help="An OPML file, or a text file of URLs; - for standard input."),
    ],
    kind: Annotated[str, typer.Option(help="Kind of the sources of a URL list.")] = "feed",
) -> None:
    """Add every source of an OPML file, in its folders, or every URL of a URL list (one a
    line). Sources already there keep their kind and title; an OPML with folders moves them
    to the folders it files them in."""
    _check_kind(kind)
    # "-" was read as a file of that name (an `export -` had left one: the store's export);
    # a string, not a Path, which reads "./-", a file named "-", as "-".
    name = "<stdin>" if path == "-" else path  # as errors name a line of it: "<stdin>:3"
    if path == "-" and sys.stdin.isatty():  # it waited for a list typed by hand, silently
        raise typer.BadParameter(
            "standard input is a terminal: pipe a list into it ('cat feeds.opml | mediadigest "
            "sources import -') or give a file",
            param_hint="PATH",
        )
    try:
        body = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise MediadigestError(f"{name}: {exc.strerror}") from exc
    if body.lstrip().startswith(b"<") or Path(path).suffix.lower() in (".opml", ".xml"):
        from mediadigest.collect import opml

        listed = opml.parse_opml(body, name)
        good = set(_web_urls([s.url for s in listed]))
        found = [s for s in listed if s.url in good]
    else:
        from mediadigest.collect import sitemaps

        listed = found = [Source(url, kind) for url in sitemaps.parse_url_list(body, name)]
    engine = store.open_store(settings_of(ctx).db)
    with engine.begin() as conn:
        done = store.add_sources(conn, found)
        paused = _paused_among(conn, [s.url for s in found]) if done.present else 0
    _say_moved(done)
    moved = f", {len(done.moved)} moved to another folder" if done.moved else ""
    # As `sources add` says of one: an editor importing a list expects it all collected.
    held = f", {paused} of them paused: `sources resume URL` collects one" if paused else ""
    say(
        f"imported {counted(done.added, 'new source')} ({done.present} already present"
        f"{held}{moved}) from {'standard input' if path == '-' else path}"
    )
    if len(found) < len(listed):
        raise typer.Exit(1)


def _paused_among(conn: sa.Connection, urls: list[str]) -> int:
    from mediadigest.store import schema as t
    from mediadigest.store.sources import source_url

    src, keys = t.sources.c, sorted({source_url(u) for u in urls})
    return sum(
        conn.execute(
            sa.select(sa.func.count()).where(
                src.url.in_(keys[i : i + 500]), src.paused_at.isnot(None)
            )
        ).scalar_one()
        for i in range(0, len(keys), 500)
    )


@sources_app.command("export")
def sources_export(ctx: typer.Context) -> None:
    """Print the sources as OPML, in their folders."""
    engine = reading_store(settings_of(ctx))
    with engine.connect() as conn:
        rows = store.list_sources(conn)
    from mediadigest.collect import opml

    # As written: rich would wrap a long URL into two at the terminal's width.
    sources = (Source(r["url"], r["kind"], r["title"], folder=r["folder"]) for r in rows)
    text = opml.to_opml(sources)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


@sources_app.command("list")
def sources_list(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
    folder: Annotated[
        str | None,
        typer.Option(help="Only the sources in this folder and the folders in it."),
    ] = None,
) -> None:
    """List sources with their folder and health: last success, last error, failures, items
    per day (the items it listed that were new to it, whichever source fetched their pages,
    in the last week and after its first read's backlog; – until read twice), next try (or
    since when it is paused)."""
    engine = reading_store(settings_of(ctx))
    with engine.connect() as conn:
        rows = collect_state.source_health(conn)
    if folder is not None:
        rows = [r for r in rows if folders.within(r["folder"], folder)]
    if as_json:
        out.print_json(data=rows, default=_utc_time)
        return
    # The URL is what `sources remove` takes: never cut short (rich's ellipsis made two feeds
    # of one site the same "https://www.reuters.com/arc/outboundfeeds/…"). A terminal folds it
    # in its column; a pipe or a file gets each row on one line as wide as it needs, for grep.
    source = Column("source", overflow="fold")
    table = Table(source, "folder", "kind", "last ok", "last error", "items/day", "next try")
    for r in rows:
        error = r["last_error"] or ""
        if r["failures"] > 1:
            error = f"{error} ({r['failures']} times in a row)"
        due = _when(r["next_due_at"]) if r["next_due_at"] else "next run"
        if r["paused_at"] is not None:  # not tried at all: its backoff means nothing now
            due = f"paused since {_when(r['paused_at'])}"
        # Not known until a second read: the first lists a whole backlog.
        rate = "–" if r["items_per_day"] is None else f"{r['items_per_day']:g}"
        name = (
            escape(r["url"])
            if not r["title"]
            else f"{escape(r['title'])}\n[dim]{escape(r['url'])}[/]"
        )
        # Names cleaned again: an imported export file may have filed it anywhere.
        path = escape(folders.SEPARATOR.join(folders.names(r["folder"])))
        table.add_row(name, path, r["kind"], _when(r["last_ok_at"]), escape(error), rate, due)
    if out.is_terminal:
        out.print(table)
        return
    unbounded = out.options.update_width(sys.maxsize)
    wide = max(out.width, out.measure(table, options=unbounded).maximum)
    # out.print caps a width at out.width; emoji off as on `out`: ":smile:" in a title stays.
    Console(file=out.file, width=wide, emoji=False).print(table)


@sources_app.command("remove")
def sources_remove(ctx: typer.Context, urls: list[str]) -> None:
    """Remove sources (their stored articles stay; `sources pause` keeps the rest too)."""
    engine = reading_store(settings_of(ctx))
    with engine.begin() as conn:
        missing = [u for u in urls if not store.remove_source(conn, u)]
        moved = moved_away(conn, [source_url(u) for u in missing])
    _say_missing(missing, moved, "remove")
    if len(urls) > len(missing):
        say(f"removed {counted(len(urls) - len(missing), 'source')} (their articles stay)")
    if missing:
        raise typer.Exit(1)


@sources_app.command("pause")
def sources_pause(
    ctx: typer.Context, urls: Annotated[list[str], typer.Argument(help="Source URLs.")]
) -> None:
    """Leave sources out of collection until `sources resume`.

    A paused source keeps its health, folder and the items already read; `sources remove`
    loses them (added again, a source reads its whole backlog again).
    """
    _pause_or_resume(ctx, urls, pause=True)


@sources_app.command("resume")
def sources_resume(
    ctx: typer.Context, urls: Annotated[list[str], typer.Argument(help="Source URLs.")]
) -> None:
    """Collect paused sources again, from the next run.

    One that was backing off after failures is tried at once.
    """
    _pause_or_resume(ctx, urls, pause=False)


def _pause_or_resume(ctx: typer.Context, urls: list[str], *, pause: bool) -> None:
    change = store_sources.pause_source if pause else store_sources.resume_source
    engine = reading_store(settings_of(ctx))
    with engine.begin() as conn:
        done = [change(conn, url) for url in urls]  # a URL given twice: said twice
        missing = [url for url, found in zip(urls, done, strict=True) if found is None]
        moved = moved_away(conn, [source_url(u) for u in missing])
    for found in done:
        if found is not None:
            stored, changed = found
            if pause:
                say(f"paused: {stored}" if changed else f"already paused: {stored}")
            else:
                say(f"resumed: {stored}" if changed else f"not paused: {stored}")
    _say_missing(missing, moved, "pause" if pause else "resume")
    if missing:
        raise typer.Exit(1)


@sources_app.command("rename")
def sources_rename(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help="The source's URL.")],
    title: Annotated[str, typer.Argument(help="Its name; '' for the one its feed gives.")],
) -> None:
    """Give a source the name it is listed by (a feed's own title does not replace it)."""
    engine = reading_store(settings_of(ctx))
    with engine.begin() as conn:
        stored = store_sources.retitle_source(conn, url, title)
        moved = moved_away(conn, [source_url(url)]) if stored is None else {}
    if stored is None:
        _say_missing([url], moved, "rename")
        raise typer.Exit(1)
    name = store_sources.source_name(title)
    if name:
        say(f"renamed: {stored} is now named {name}")
    else:
        say(f"name cleared: {stored} takes its feed's own name at its next collect")


def _say_missing(missing: list[str], moved: dict[str, tuple[int, str]], verb: str) -> None:
    """A line for each URL that is no source; one a source moved away from names where.

    Not taken for the source by its old address, as `sources add` takes it: that is a no-op,
    these are not, and `sources list` names the source by its new one.
    """
    for url in missing:
        now = moved.get(source_url(url))
        where = f"; it moved to {now[1]} ({verb} that)" if now else ""
        say(f"{url}: no such source{where}", "error")


def _paused(conn: sa.Connection, url: str) -> bool:
    found = store_sources.find_source(conn, url)
    return found is not None and found[0] in store_sources.paused_ids(conn)


def _web_urls(urls: list[str]) -> list[str]:
    """The http(s) URLs of ``urls``, without spaces around them (a copied one has them, and
    the store drops them); each other one is reported on a line of its own."""
    good = []
    for url in urls:
        if is_web_url(url.strip()):
            good.append(url.strip())
        else:  # one line per refusal, even for a URL with a line break in it
            say(f"{url if url.isprintable() else ascii(url)}: not an http(s) URL", "error")
    return good


def _check_folder(folder: str | None) -> str | None:
    if folder is None:
        return None
    try:
        return folders.check(folder)
    except InputError as exc:
        raise typer.BadParameter(exc.reason, param_hint="--folder") from None


def _say_moved(done: store.Added) -> None:
    for url, now in done.redirected:
        say(f"{url}: moved permanently to {now}, a source already")
    for url, before, after in done.moved:
        say(f"moved: {url} from {folders.describe(before)} to {folders.describe(after)}")


def _check_kind(kind: str) -> None:
    from mediadigest.collect.poll import KINDS  # the fetcher and its HTTP stack: imported late

    if kind not in KINDS:
        raise typer.BadParameter(f"{kind!r} is not one of {', '.join(KINDS)}", param_hint="--kind")


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "never"


def _utc_time(value: object) -> str:
    """The store's times (naive UTC) as RFC 3339 with their zone: ``2026-11-24T04:28:51+00:00``
    (``str`` gave "2026-11-24 04:28:51.598822", no zone, unlike every other JSON of ours)."""
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.isoformat(timespec="seconds")
    return str(value)
