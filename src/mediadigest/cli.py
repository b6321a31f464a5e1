"""The command line: the user's verbs, each a thin face over one core function."""

from __future__ import annotations

import json
import logging
import os
import sys
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from mediadigest import __version__, run, store
from mediadigest.collect import opml
from mediadigest.collect.fetch import Fetcher
from mediadigest.config import Settings, load_settings
from mediadigest.errors import MediadigestError
from mediadigest.model import Article, Source
from mediadigest.write import compose
from mediadigest.write.render import Format, render, to_dict, write_file

app = typer.Typer(
    help="Monitor what the world's media write about one country; write a weekly digest.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
sources_app = typer.Typer(help="Manage feeds: add, import OPML, list, remove, export.")
db_app = typer.Typer(help="The store's schema: upgrade and check migrations.")
app.add_typer(sources_app, name="sources")
app.add_typer(db_app, name="db")

out = Console()
err = Console(stderr=True)
log = logging.getLogger("mediadigest")


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(help="Store URL (sqlite:///file.db or postgresql://...). Env MEDIADIGEST_DB."),
    ] = None,
    profile: Annotated[
        str | None,
        typer.Option(
            help="Country profile: a shipped name or a YAML file. Env MEDIADIGEST_PROFILE."
        ),
    ] = None,
    verbose: Annotated[
        int, typer.Option("-v", "--verbose", count=True, help="-v info, -vv debug.")
    ] = 0,
) -> None:
    """Global options, shared by every command."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(
        level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )
    ctx.obj = load_settings(db=db, profile=profile, env=os.environ, cwd=Path.cwd())
    if ctx.invoked_subcommand not in {"version", "sources", "db"}:
        ctx.obj.profile  # noqa: B018 (fail fast on a bad --profile, before any work)


def _settings(ctx: typer.Context) -> Settings:
    return ctx.obj


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


def _finish(report: run.RunReport) -> None:
    """Print each problem on one line, the summary, and exit 1 if anything failed."""
    for line in report.warnings:
        err.print(f"[yellow]warning:[/] {line}", highlight=False, soft_wrap=True)
    for line in report.errors:
        err.print(f"[red]error:[/] {line}", highlight=False, soft_wrap=True)
    err.print(report.summary(), highlight=False)
    if not report.ok:
        raise typer.Exit(1)


# -- sources ---------------------------------------------------------------------------------


@sources_app.command("add")
def sources_add(
    ctx: typer.Context,
    urls: Annotated[list[str], typer.Argument(help="Feed URLs (RSS or Atom).")],
    kind: Annotated[str, typer.Option(help="Kind of source.")] = "feed",
) -> None:
    """Add feeds to collect from."""
    engine = store.open_store(_settings(ctx).db)
    with engine.begin() as conn:
        for url in urls:
            _, added = store.add_source(conn, Source(url=url, kind=kind))
            err.print(f"{'added' if added else 'already present'}: {url}", highlight=False)


@sources_app.command("import")
def sources_import(
    ctx: typer.Context, path: Annotated[Path, typer.Argument(help="An OPML file.")]
) -> None:
    """Add every feed of an OPML file."""
    try:
        found = opml.parse_opml(path.read_bytes(), str(path))
    except OSError as exc:
        raise MediadigestError(f"{path}: {exc.strerror}") from exc
    engine = store.open_store(_settings(ctx).db)
    with engine.begin() as conn:
        added = sum(store.add_source(conn, s)[1] for s in found)
    err.print(f"imported {added} new sources ({len(found) - added} already present) from {path}")


@sources_app.command("export")
def sources_export(ctx: typer.Context) -> None:
    """Print the sources as OPML."""
    engine = store.open_store(_settings(ctx).db)
    with engine.connect() as conn:
        rows = store.list_sources(conn)
    out.print(opml.to_opml(Source(r["url"], r["kind"], r["title"]) for r in rows), end="")


@sources_app.command("list")
def sources_list(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="JSON output.")] = False,
) -> None:
    """List sources with their health (last success, last error)."""
    engine = store.open_store(_settings(ctx).db)
    with engine.connect() as conn:
        rows = store.list_sources(conn)
    if as_json:
        out.print_json(data=rows, default=str)
        return
    table = Table("url", "kind", "last ok", "last error")
    for r in rows:
        table.add_row(r["url"], r["kind"], _when(r["last_ok_at"]), r["last_error"] or "")
    out.print(table)


@sources_app.command("remove")
def sources_remove(ctx: typer.Context, urls: list[str]) -> None:
    """Remove sources (their stored articles stay)."""
    engine = store.open_store(_settings(ctx).db)
    with engine.begin() as conn:
        missing = [u for u in urls if not store.remove_source(conn, u)]
    for url in missing:
        err.print(f"[red]error:[/] {url}: no such source", highlight=False)
    if missing:
        raise typer.Exit(1)


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "never"


# -- collect, ingest, run --------------------------------------------------------------------


def _collect(settings: Settings, *, timeout: float) -> run.RunReport:
    engine = store.open_store(settings.db)
    with engine.begin() as conn:
        rows = store.list_sources(conn)
        if not rows:
            defaults = opml.default_sources()
            for src in defaults:
                store.add_source(conn, src)
            err.print(
                f"no sources configured: using the {len(defaults)} default feeds shipped with "
                "mediadigest (see `mediadigest sources list`; add your own with `sources add`)"
            )
            rows = store.list_sources(conn)
    sources = [Source(r["url"], r["kind"], r["title"], r["id"]) for r in rows]
    with _progress() as bar, Fetcher(timeout=timeout) as fetcher:
        task = bar.add_task("collecting", total=len(sources))
        return run.collect(
            engine, settings.profile, sources, fetcher, progress=lambda n: bar.advance(task, n)
        )


@app.command()
def collect(
    ctx: typer.Context,
    timeout: Annotated[float, typer.Option(help="Seconds before a fetch gives up.")] = 20.0,
) -> None:
    """Fetch new items from every source once, analyse and store them."""
    _finish(_collect(_settings(ctx), timeout=timeout))


@app.command()
def ingest(
    ctx: typer.Context,
    paths: Annotated[
        list[Path], typer.Argument(help="Files or folders: .html(.gz), .txt, .jsonl.")
    ],
    workers: Annotated[int, typer.Option(help="Analyse in N processes (0: in-process).")] = 0,
) -> None:
    """Ingest local files instead of the web."""
    settings = _settings(ctx)
    engine = store.open_store(settings.db)
    with _progress() as bar:
        task = bar.add_task("ingesting", total=None)
        report = run.ingest(
            engine,
            settings.profile,
            paths,
            workers=workers,
            progress=lambda n: bar.advance(task, n),
        )
    _finish(report)


Since = Annotated[
    datetime | None, typer.Option(formats=["%Y-%m-%d"], help="First day (default: 6 days ago).")
]
Until = Annotated[
    datetime | None, typer.Option(formats=["%Y-%m-%d"], help="Last day (default: today).")
]
Week = Annotated[str | None, typer.Option(help="An ISO week, e.g. 2025-W51 (instead of dates).")]


def _period(since: datetime | None, until: datetime | None, week: str | None) -> tuple[date, date]:
    if week:
        try:
            start = datetime.strptime(week + "-1", "%G-W%V-%u").date()
        except ValueError as exc:
            raise typer.BadParameter(f"{week!r} is not an ISO week like 2025-W51") from exc
        return start, start + timedelta(days=6)
    last = until.date() if until else datetime.now(UTC).date()
    first = since.date() if since else last - timedelta(days=6)
    if first > last:
        raise typer.BadParameter(f"--since {first} is after --until {last}")
    return first, last


@app.command("run")
def run_cmd(
    ctx: typer.Context,
    since: Since = None,
    until: Until = None,
    week: Week = None,
    timeout: Annotated[float, typer.Option(help="Seconds before a fetch gives up.")] = 20.0,
) -> None:
    """The main job: collect from the sources, analyse, and print this week's digest."""
    settings = _settings(ctx)
    report = _collect(settings, timeout=timeout)
    first, last = _period(since, until, week)
    engine = store.open_store(settings.db)
    with engine.begin() as conn:
        result = compose.build_digest(conn, settings.profile, first, last)
        store.save_digest(conn, first, last, settings.profile.name, to_dict(result))
    out.print(render(result, Format.md), end="", markup=False, highlight=False, soft_wrap=True)
    _finish(report)


@app.command()
def digest(
    ctx: typer.Context,
    since: Since = None,
    until: Until = None,
    week: Week = None,
    fmt: Annotated[Format, typer.Option("--format", help="md or json.")] = Format.md,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write to a file.")] = None,
    size: Annotated[int, typer.Option(help="At most this many items.")] = compose.DEFAULT_SIZE,
) -> None:
    """Write the digest for a period from what is stored."""
    settings = _settings(ctx)
    first, last = _period(since, until, week)
    engine = store.open_store(settings.db)
    with engine.begin() as conn:
        result = compose.build_digest(conn, settings.profile, first, last, size=size)
        store.save_digest(conn, first, last, settings.profile.name, to_dict(result))
    if output is None:
        out.print(render(result, fmt), end="", markup=False, highlight=False, soft_wrap=True)
    else:
        write_file(result, fmt, output)
        err.print(f"wrote {len(result.items)} items to {output}")


# -- inspect ---------------------------------------------------------------------------------


def article_to_dict(art: Article) -> dict[str, Any]:
    """The JSON shape of `articles --json`."""
    return {
        "id": art.id,
        "url": art.url,
        "canonical_url": art.canonical_url,
        "title": art.title,
        "outlet": art.outlet,
        "outlet_country": art.outlet_country,
        "author": art.author,
        "published": art.published.isoformat() if art.published else None,
        "language": art.language,
        "relevance": art.relevance.to_dict(),
        "quotes": [asdict(q) for q in art.quotes],
        "source": art.source,
        "warnings": art.warnings,
        "text": art.text,
    }


@app.command()
def articles(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="JSON list for machines.")] = False,
    all_: Annotated[
        bool, typer.Option("--all", help="Include articles below the threshold.")
    ] = False,
    since: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"])] = None,
    until: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"])] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many.")] = None,
) -> None:
    """List stored articles (relevant ones unless --all), with why each matched."""
    engine = store.open_store(_settings(ctx).db)
    with engine.connect() as conn:
        found = store.list_articles(
            conn,
            relevant_only=not all_,
            since=since.date() if since else None,
            until=until.date() if until else None,
            limit=limit,
        )
    if as_json:
        sys.stdout.write(
            json.dumps([article_to_dict(a) for a in found], ensure_ascii=False, indent=2)
        )
        sys.stdout.write("\n")
        return
    table = Table("date", "outlet", "grade", "score", "title", "why")
    for a in found:
        why = ", ".join(f"{h.alias} ({h.field} ×{h.count})" for h in a.relevance.hits[:3])
        day = a.published.date().isoformat() if a.published else ""
        table.add_row(
            day, a.outlet or "", str(a.relevance.grade), f"{a.relevance.score:.1f}", a.title, why
        )
    out.print(table)


# -- db --------------------------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Create the store or bring its schema to the newest revision."""
    engine = store.create_engine(_settings(ctx).db)
    store.migrate(engine)
    current, head = store.check(engine)
    err.print(f"store at revision {current} (newest {head})")


@db_app.command("check")
def db_check(ctx: typer.Context) -> None:
    """Exit 1 if the store's schema is not at the newest revision."""
    engine = store.create_engine(_settings(ctx).db)
    current, head = store.check(engine)
    err.print(f"store at revision {current or 'none'} (newest {head})")
    if current != head:
        raise typer.Exit(1)


@app.command()
def version() -> None:
    """Print the version."""
    out.print(f"mediadigest {__version__}")


def main() -> None:
    """Console entry point: our errors become one line and exit 1."""
    try:
        app()
    except MediadigestError as exc:
        err.print(f"[red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(1)
