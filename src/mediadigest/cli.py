"""The command line: the user's verbs, each a thin face over one core function."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import sqlalchemy as sa
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from mediadigest import __version__, run, store, stories
from mediadigest.collect import opml, sitemaps
from mediadigest.collect.fetch import Fetcher, FetchPolicy
from mediadigest.collect.poll import KINDS
from mediadigest.config import Settings, load_settings
from mediadigest.errors import MediadigestError
from mediadigest.model import Article, Source
from mediadigest.run.collect import Round, parse_interval
from mediadigest.store import collect_state
from mediadigest.stories import persist as story_store
from mediadigest.stories import rank as story_rank
from mediadigest.write import compose
from mediadigest.write.llm import LLMConfig
from mediadigest.write.render import Format, from_dict, render, to_atom, to_dict, write_file

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
    allow_private: Annotated[
        bool | None,
        typer.Option(
            "--allow-private/--no-allow-private",
            help="Fetch from private, loopback and link-local addresses too (refused by "
            "default). Env MEDIADIGEST_ALLOW_PRIVATE=1.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Global options, shared by every command."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(
        level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )
    ctx.obj = load_settings(
        db=db, profile=profile, env=os.environ, cwd=Path.cwd(), allow_private=allow_private
    )
    if ctx.invoked_subcommand not in {"version", "sources", "db", "users"}:
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
    urls: Annotated[list[str], typer.Argument(help="Source URLs.")],
    kind: Annotated[
        str,
        typer.Option(
            help="feed (RSS/Atom), sitemap (sitemap, sitemap index or news sitemap), "
            "urllist (a text file of page URLs) or page (one page, stored when it changes)."
        ),
    ] = "feed",
) -> None:
    """Add feeds, sitemaps, URL lists or pages to collect from."""
    if kind not in KINDS:
        raise typer.BadParameter(f"{kind!r} is not one of {', '.join(KINDS)}", param_hint="--kind")
    engine = store.open_store(_settings(ctx).db)
    with engine.begin() as conn:
        for url in urls:
            _, added = store.add_source(conn, Source(url=url, kind=kind))
            err.print(f"{'added' if added else 'already present'}: {url}", highlight=False)


@sources_app.command("import")
def sources_import(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="An OPML file, or a text file of URLs.")],
    kind: Annotated[str, typer.Option(help="Kind of the sources of a URL list.")] = "feed",
) -> None:
    """Add every source of an OPML file, or every URL of a URL list (one a line)."""
    if kind not in KINDS:
        raise typer.BadParameter(f"{kind!r} is not one of {', '.join(KINDS)}", param_hint="--kind")
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise MediadigestError(f"{path}: {exc.strerror}") from exc
    if body.lstrip().startswith(b"<") or path.suffix.lower() in (".opml", ".xml"):
        found = opml.parse_opml(body, str(path))
    else:
        found = [Source(url, kind) for url in sitemaps.parse_url_list(body, str(path))]
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
    """List sources with their health: last success, last error, failures, items per day."""
    engine = store.open_store(_settings(ctx).db)
    with engine.connect() as conn:
        rows = collect_state.source_health(conn)
    if as_json:
        out.print_json(data=rows, default=str)
        return
    table = Table("url", "kind", "last ok", "last error", "items/day", "next try")
    for r in rows:
        error = r["last_error"] or ""
        if r["failures"] > 1:
            error = f"{error} ({r['failures']} times in a row)"
        due = _when(r["next_due_at"]) if r["next_due_at"] else "next run"
        table.add_row(r["url"], r["kind"], _when(r["last_ok_at"]), error,
                      f"{r['items_per_day']:g}", due)  # fmt: skip
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


def _fetcher(settings: Settings, timeout: float) -> Fetcher:
    return Fetcher(
        FetchPolicy(
            timeout=timeout,
            allow_private=settings.allow_private,
            delay=settings.host_delay,
            concurrency=settings.concurrency,
            per_host=settings.per_host,
            retries=settings.retries,
        )
    )


def _sources(settings: Settings) -> tuple[sa.Engine, list[Source]]:
    """The store and its sources; an empty store gets the default sources first."""
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
    return engine, [Source(r["url"], r["kind"], r["title"], r["id"]) for r in rows]


def _collect(settings: Settings, *, timeout: float) -> run.RunReport:
    engine, sources = _sources(settings)
    with _progress() as bar, _fetcher(settings, timeout) as fetcher:
        task = bar.add_task("collecting", total=len(sources))
        return run.collect(
            engine, settings.profile, sources, fetcher, progress=lambda n: bar.advance(task, n)
        )


def _interval(value: str | None) -> timedelta | None:
    if value is None:
        return None
    try:
        return parse_interval(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--watch") from exc


@app.command()
def collect(
    ctx: typer.Context,
    timeout: Annotated[float, typer.Option(help="Seconds before a fetch gives up.")] = 20.0,
    watch: Annotated[
        str | None,
        typer.Option(
            help="Keep collecting every INTERVAL (1h, 30m, 90s) until stopped (Ctrl-C). "
            "Sources that keep failing are tried less and less often."
        ),
    ] = None,
    rounds: Annotated[
        int | None, typer.Option(help="With --watch: stop after this many rounds.")
    ] = None,
) -> None:
    """Fetch new items from every source once (or every --watch interval), analyse, store."""
    settings = _settings(ctx)
    interval = _interval(watch)
    if interval is None:
        _finish(_collect(settings, timeout=timeout))
        return
    engine, _ = _sources(settings)

    def load() -> list[Source]:
        return _sources(settings)[1]

    def show(done: Round) -> None:
        for line in done.report.errors:
            err.print(f"[red]error:[/] {line}", highlight=False, soft_wrap=True)
        off = f"; {done.backing_off} sources backing off" if done.backing_off else ""
        err.print(
            f"round {done.number}: {done.report.summary()}{off}", highlight=False, soft_wrap=True
        )

    with _fetcher(settings, timeout) as fetcher:
        try:
            run.watch(engine, settings.profile, load, fetcher, interval=interval,
                      rounds=rounds, on_round=show)  # fmt: skip
        except KeyboardInterrupt:
            err.print("stopped")


@app.command()
def ingest(
    ctx: typer.Context,
    paths: Annotated[
        list[Path],
        typer.Argument(help="Files or folders: .html(.gz), .txt, .jsonl(.gz), .warc(.gz)."),
    ],
    workers: Annotated[
        int | None,
        typer.Option(
            help="Analyse on a local Dask cluster of N worker processes (a process pool of N "
            "without the dask extra); 0: in this process. Default: a process pool on all cores."
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(help="Analyse on an existing Dask cluster, e.g. tcp://host:8786."),
    ] = None,
    shard_size: Annotated[
        str | None,
        typer.Option(
            help="Bytes of input per task (large WARC and JSONL files are split), e.g. 64M. "
            "Default: about four tasks per worker, 4M to 64M."
        ),
    ] = None,
    fresh: Annotated[
        bool, typer.Option(help="Ignore checkpoints: read every input from its start.")
    ] = False,
    prefilter: Annotated[
        bool,
        typer.Option(help="Rule out archive records that cannot mention the country unread."),
    ] = True,
) -> None:
    """Ingest local files and web archives instead of the web; resumes an interrupted run.

    WARC archives keep only relevant articles; other files keep every article.
    """
    settings = _settings(ctx)
    engine = store.open_store(settings.db)
    with _progress() as bar:
        task = bar.add_task("ingesting", total=None)
        report = run.ingest(
            engine,
            settings.profile,
            paths,
            workers=workers,
            scheduler=scheduler,
            shard_size=None if shard_size is None else _size(shard_size),
            fresh=fresh,
            options=run.Options(prefilter=prefilter),
            progress=lambda n: bar.advance(task, n),
        )
    _finish(report)


def _size(text: str) -> int:
    """ "64M", "512K", "1G" or a number of bytes."""
    units = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
    value = text.strip().lower().removesuffix("b")
    try:
        if value[-1:] in units:
            return max(1, int(float(value[:-1]) * units[value[-1]]))
        return max(1, int(value))
    except ValueError as exc:
        raise typer.BadParameter(f"{text!r} is not a size like 64M", "--shard-size") from exc


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


class Writer(StrEnum):
    extractive = "extractive"
    llm = "llm"


@app.command()
def digest(
    ctx: typer.Context,
    since: Since = None,
    until: Until = None,
    week: Week = None,
    fmt: Annotated[
        Format, typer.Option("--format", help="md, html, json, atom or docx.")
    ] = Format.md,
    writer: Annotated[
        Writer, typer.Option(help="extractive, or llm (MEDIADIGEST_LLM_URL, _MODEL, _KEY).")
    ] = Writer.extractive,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write to a file.")] = None,
    size: Annotated[int, typer.Option(help="At most this many items.")] = compose.DEFAULT_SIZE,
) -> None:
    """Write the digest for a period from what is stored."""
    settings = _settings(ctx)
    first, last = _period(since, until, week)
    if fmt.binary and output is None:
        raise typer.BadParameter("DOCX is binary: give -o FILE", param_hint="--format")
    llm = LLMConfig.from_env(os.environ) if writer is Writer.llm else None
    engine = store.open_store(settings.db)
    with engine.begin() as conn:
        result = compose.build_digest(conn, settings.profile, first, last, size=size, llm=llm)
        store.save_digest(conn, first, last, settings.profile.name, to_dict(result))
    for note in result.notes:
        err.print(f"[yellow]note:[/] {note}", highlight=False, soft_wrap=True)
    if output is None:
        out.print(render(result, fmt), end="", markup=False, highlight=False, soft_wrap=True)
    else:
        write_file(result, fmt, output)
        err.print(f"wrote {len(result.items)} items to {output}")


@app.command()
def publish(
    ctx: typer.Context,
    since: Since = None,
    until: Until = None,
    week: Week = None,
    size: Annotated[int, typer.Option(help="At most this many items.")] = compose.DEFAULT_SIZE,
) -> None:
    """Publish the period's digest as its next version (the Atom feed lists published digests)."""
    settings = _settings(ctx)
    first, last = _period(since, until, week)
    with store.open_store(settings.db).begin() as conn:
        result = compose.build_digest(conn, settings.profile, first, last, size=size)
        version = story_store.publish(conn, settings.profile.name, first, last, to_dict(result))
    err.print(f"published version {version} of {first}..{last} ({len(result.items)} items)")


@app.command()
def feed(
    ctx: typer.Context, limit: Annotated[int, typer.Option(help="Newest N published digests.")] = 20
) -> None:
    """Print the Atom feed of published digests."""
    settings = _settings(ctx)
    with store.open_store(settings.db).connect() as conn:
        rows = story_store.published(conn, settings.profile.name, limit=limit)
    entries = [(from_dict(r["content"]), r["version"], r["published_at"]) for r in rows]
    out.print(to_atom(entries), end="", markup=False, highlight=False, soft_wrap=True)


# -- stories ---------------------------------------------------------------------------------

stories_app = typer.Typer(
    help="Stories: list them, and editors' decisions (pin, hide, merge, split)."
)
app.add_typer(stories_app, name="stories")


@stories_app.callback(invoke_without_command=True)
def stories_list(
    ctx: typer.Context,
    since: Since = None,
    until: Until = None,
    week: Week = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON list for machines.")] = False,
) -> None:
    """List the period's stories, best first, with their articles and why each ranks there."""
    if ctx.invoked_subcommand is not None:
        return
    settings = _settings(ctx)
    first, last = _period(since, until, week)
    engine = store.open_store(settings.db)
    with engine.begin() as conn:
        stories.update(conn, settings.profile, until=last)
        found = stories.for_period(conn, settings.profile, first, last)
    ranked = story_rank.rank(found, settings.profile, until=last)
    if as_json:
        sys.stdout.write(
            json.dumps([stories.story_to_dict(s) for s in ranked], ensure_ascii=False, indent=2)
            + "\n"
        )
        return
    table = Table("id", "score", "outlets", "title", "flags")
    for s in ranked:
        flags = " ".join(f for f, on in (("pinned", s.pinned), ("hidden", s.hidden)) if on)
        table.add_row(str(s.id or ""), f"{s.score:.2f}", str(len(s.outlets)), s.title, flags)
    out.print(table)


def _decide(ctx: typer.Context, action: Callable[[sa.Connection, str], object]) -> None:
    settings = _settings(ctx)
    with store.open_store(settings.db).begin() as conn:
        action(conn, settings.profile.name)


@stories_app.command("pin")
def stories_pin(
    ctx: typer.Context,
    story_id: int,
    undo: Annotated[bool, typer.Option("--undo", help="Unpin.")] = False,
) -> None:
    """Always put a story in the digest."""
    _decide(ctx, lambda conn, p: story_store.set_flag(conn, p, story_id, "pinned", not undo))


@stories_app.command("hide")
def stories_hide(
    ctx: typer.Context,
    story_id: int,
    undo: Annotated[bool, typer.Option("--undo", help="Unhide.")] = False,
) -> None:
    """Never put a story in the digest."""
    _decide(ctx, lambda conn, p: story_store.set_flag(conn, p, story_id, "hidden", not undo))


@stories_app.command("merge")
def stories_merge(
    ctx: typer.Context,
    into: int,
    others: Annotated[list[int], typer.Argument(help="Stories to fold in.")],
) -> None:
    """Fold stories into one (their articles move; the others disappear)."""
    _decide(ctx, lambda conn, p: story_store.merge(conn, p, into, others))


@stories_app.command("split")
def stories_split(
    ctx: typer.Context,
    story_id: int,
    articles: Annotated[list[int], typer.Argument(help="Article ids to move out.")],
) -> None:
    """Move articles out of a story into a new one; prints the new story's id."""
    _decide(ctx, lambda conn, p: out.print(story_store.split(conn, p, story_id, articles)))


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


def search_hit_to_dict(hit: store.SearchHit) -> dict[str, Any]:
    """The JSON shape of `search --json`."""
    data = asdict(hit)
    data["published"] = hit.published.isoformat() if hit.published else None
    return data


@app.command("search")
def search_cmd(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help='Words (all must match), "a phrase", OR, -word.')],
    as_json: Annotated[bool, typer.Option("--json", help="JSON list for machines.")] = False,
    since: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"])] = None,
    until: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"])] = None,
    language: Annotated[str | None, typer.Option(help="Language code, e.g. en.")] = None,
    outlet: Annotated[str | None, typer.Option(help="Outlet, as stored.")] = None,
    country: Annotated[str | None, typer.Option(help="Outlet's country code, e.g. GB.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many.")] = 20,
) -> None:
    """Search the stored articles' text, best matches first (title over lead over body)."""
    engine = store.open_store(_settings(ctx).db)
    with engine.connect() as conn:
        hits = store.search(
            conn, query, since=since.date() if since else None,
            until=until.date() if until else None, language=language, outlet=outlet,
            outlet_country=country, limit=limit,
        )  # fmt: skip
    if as_json:
        sys.stdout.write(json.dumps([search_hit_to_dict(h) for h in hits], ensure_ascii=False))
        sys.stdout.write("\n")
        return
    table = Table("date", "outlet", "title", "snippet")
    for h in hits:
        day = h.published.date().isoformat() if h.published else ""
        # Snippets mark matched words **like this**; show them bold.
        snippet = re.sub(r"\*\*(.+?)\*\*", r"[bold]\1[/bold]", escape(h.snippet))
        table.add_row(day, escape(h.outlet or ""), escape(h.title), snippet)
    out.print(table)


@app.command("export")
def export_cmd(
    ctx: typer.Context, file: Annotated[Path, typer.Argument(help="JSON Lines file to write.")]
) -> None:
    """Write the whole store to a JSON Lines file: articles, stories, editions, users, state."""
    engine = store.open_store(_settings(ctx).db)
    try:
        with engine.connect() as conn, file.open("w", encoding="utf-8") as fp:
            counts = store.export_jsonl(conn, fp)
    except OSError as exc:
        raise MediadigestError(f"{file}: {exc.strerror}") from exc
    err.print(f"exported to {file}: {_counts(counts)}")


@app.command("import")
def import_cmd(
    ctx: typer.Context, file: Annotated[Path, typer.Argument(help="A file written by export.")]
) -> None:
    """Add everything in an export to this store; records it already has are left as they are."""
    engine = store.open_store(_settings(ctx).db)
    try:
        with engine.begin() as conn, file.open(encoding="utf-8") as fp:
            added = store.import_jsonl(conn, fp)
    except OSError as exc:
        raise MediadigestError(f"{file}: {exc.strerror}") from exc
    err.print(f"imported from {file}, new records: {_counts(added) or 'none'}")


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{kind} {n}" for kind, n in counts.items() if n)


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


# -- web app ---------------------------------------------------------------------------------

users_app = typer.Typer(help="Web app accounts: add, list, remove (admin, editor, viewer).")
app.add_typer(users_app, name="users")


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    collect_every: Annotated[
        str, typer.Option(help="Collect from the sources every INTERVAL (30m, 1h; 'off': never).")
    ] = "1h",
) -> None:
    """Run the editors' web app, collecting on a schedule (create an admin with `users add`)."""
    from mediadigest.web import service

    try:
        every = service.parse_every(collect_every)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--collect-every") from exc
    service.serve(_settings(ctx), host=host, port=port, collect_every=every)


@users_app.command("add")
def users_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="User name (sign-in name).")],
    role: Annotated[str, typer.Option(help="admin, editor or viewer.")] = "editor",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Add a web app account; the password is prompted for (or read with --password-stdin)."""
    from mediadigest.web import service
    from mediadigest.web.persist import Role

    if role not in Role.__members__:
        raise typer.BadParameter("admin, editor or viewer", param_hint="--role")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        added = service.add_user(_settings(ctx), name, Role(role), password)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    if not added:
        err.print(f"[red]error:[/] there is already a user {name}", highlight=False)
        raise typer.Exit(1)
    err.print(f"added {name} ({role})", highlight=False)


@users_app.command("list")
def users_list(ctx: typer.Context) -> None:
    """List web app accounts and their roles."""
    from mediadigest.web import service

    for user in service.list_users(_settings(ctx)):
        out.print(f"{user.name}\t{user.role}", highlight=False)


@users_app.command("remove")
def users_remove(ctx: typer.Context, names: list[str]) -> None:
    """Remove web app accounts (their sessions and API tokens end; the audit log keeps them)."""
    from mediadigest.web import service

    missing = [n for n in names if not service.remove_user(_settings(ctx), n)]
    for name in missing:
        err.print(f"[red]error:[/] {name}: no such user", highlight=False)
    if missing:
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
