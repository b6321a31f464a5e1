"""`mediadigest articles`, `search`, `export`, `import` and `db`: the store, read and moved."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shlex
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from mediadigest import store
from mediadigest.cli.app import (
    From,
    To,
    Week,
    _day,
    days,
    db_app,
    out,
    period,
    progress_bar,
    progress_lines,
    reading_store,
    require_store,
    say,
    settings_of,
    tracking,
)
from mediadigest.errors import FormatError, MediadigestError
from mediadigest.model import Article
from mediadigest.store.engine import shown_url
from mediadigest.store.repository import iter_articles
from mediadigest.store.search import (
    WINDOW,
    SearchTooLong,
    as_stored,
    parse_query,
    profile_spellings,
    query_problem,
    theme_spellings,
)
from mediadigest.store.transfer import export_file
from mediadigest.targets import refuse_store_target
from mediadigest.write import search_csv
from mediadigest.write.search_csv import why
from mediadigest.write.style import counted

# Articles read from the store at a time by `articles`, and rows to a table it prints: a
# listing of a whole store (200,000 articles) printed nothing for minutes, holding gigabytes.
BATCH = 500

# A file argument of export and import: standard output or input (a file named "-" is ./-;
# the arguments are strings, as a Path reads "./-" as "-").
STDIO = "-"


def article_to_dict(art: Article) -> dict[str, Any]:
    """The JSON shape of `articles --json`; ``why`` is the table's column (see `why`)."""
    return {
        "id": art.id,
        "url": art.url,
        "canonical_url": art.canonical_url,
        "title": art.title,
        "outlet": art.outlet,
        "outlet_country": art.outlet_country,
        "author": art.author,
        # The outlet's own clock, with its offset where the source gave one.
        "published": art.published_iso,
        # What periods and stories go by: published, else when its page was fetched or crawled.
        "dated": art.dated.isoformat() if art.dated else None,
        "language": art.language,
        # What the archive, the API and `export` give too (a researcher found them only there).
        "kind": art.kind,
        "themes": [th.to_dict() for th in art.themes],
        "tone": art.tone,
        "relevance": art.relevance.to_dict(),
        "why": why(art.relevance),
        "quotes": [asdict(q) for q in art.quotes],
        "source": art.source,
        "warnings": art.warnings,
        "text": art.text,
    }


def articles(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="JSON list for machines.")] = False,
    all_: Annotated[
        bool, typer.Option("--all", help="Include articles below the threshold.")
    ] = False,
    since: From = None,
    until: To = None,
    limit: Annotated[int | None, typer.Option(min=1, help="At most this many.")] = None,
) -> None:
    """List stored articles (relevant ones unless --all), with why each matched."""
    from mediadigest.stories import persist as story_store

    first, last = days(since, until)
    settings = settings_of(ctx)
    engine = reading_store(settings)
    with engine.connect() as conn:
        # Grades and reasons are those of the profile that ingested the articles.
        story_store.require_profile(conn, settings.profile.name)
        # A page captured twice (an archive's re-crawl) is listed once, as search lists it.
        batches = iter_articles(
            conn, BATCH, relevant_only=not all_, since=first, until=last, limit=limit,
            one_per_page=True,
        )  # fmt: skip
        if as_json:
            _write_json_list(article_to_dict(a) for batch in batches for a in batch)
        else:
            _print_tables(batches)


def _write_json_list(items: Iterable[dict[str, Any]]) -> None:
    """``items`` to standard output as one JSON list, each written as it comes: the bytes of
    ``json.dumps(list(items), ensure_ascii=False, indent=2)`` and a newline."""
    opened = False
    for item in items:
        # The list's indent before each line of the item: a newline in JSON is only ever
        # between tokens (one inside a string is written as an escape).
        text = json.dumps(item, ensure_ascii=False, indent=2).replace("\n", "\n  ")
        sys.stdout.write(("[\n  " if not opened else ",\n  ") + text)
        opened = True
    sys.stdout.write("\n]\n" if opened else "[]\n")


def _print_tables(batches: Iterable[list[Article]]) -> None:
    """The articles as tables of at most BATCH rows, each printed as read (a table is
    measured whole before it prints), then what a starred date means, if one was."""
    crawled = printed = False
    for batch in batches:
        printed = True
        table = Table("date", "outlet", "grade", "score", "title", "why")
        for a in batch:
            day = a.published.date().isoformat() if a.published else ""
            if not day and a.dated:  # an archive page without a date of its own
                day, crawled = f"{a.dated.date().isoformat()}*", True
            table.add_row(
                day,
                escape(a.outlet or ""),
                str(a.relevance.grade),
                f"{a.relevance.score:.1f}",
                escape(a.title),
                escape(why(a.relevance)),
            )
        out.print(table)
    if not printed:  # nothing listed: the table's head all the same, as before
        out.print(Table("date", "outlet", "grade", "score", "title", "why"))
    if crawled:
        out.print("* no date of its own: the day its page was fetched or crawled")


def search_hit_to_dict(hit: store.SearchHit) -> dict[str, Any]:
    """The JSON shape of `search --json`."""
    data = asdict(hit)
    data["published"] = hit.published_iso  # with the outlet's offset where known
    return data


def search_cmd(
    ctx: typer.Context,
    query: Annotated[
        str, typer.Argument(help='Words (all must match), "a phrase", OR, -word, word* (prefix).')
    ],
    as_json: Annotated[bool, typer.Option("--json", help="JSON list for machines.")] = False,
    as_csv: Annotated[
        bool,
        typer.Option(
            "--csv",
            help="CSV for a spreadsheet, a header row: id, published, outlet, outlet_country, "
            "language, title, url, author, kind, themes, relevance_score, why, snippet.",
        ),
    ] = False,
    out_file: Annotated[
        Path | None, typer.Option("--out", metavar="FILE", help="Write the CSV or JSON to FILE.")
    ] = None,
    since: From = None,
    until: To = None,
    language: Annotated[
        str | None, typer.Option(help="Language code (ISO 639-1 or 639-3), e.g. en.")
    ] = None,
    outlet: Annotated[str | None, typer.Option(help="Outlet, in any case.")] = None,
    country: Annotated[str | None, typer.Option(help="Outlet's country code, e.g. GB.")] = None,
    theme: Annotated[
        str | None, typer.Option(help="Only articles of this theme (energy, diplomacy…), any case.")
    ] = None,
    limit: Annotated[
        int,
        typer.Option(
            min=1,
            help=f"At most this many; at most {WINDOW}, the matches a search ranks (as the "
            "web API's limit).",
        ),
    ] = 20,
    spellings: Annotated[
        bool,
        typer.Option(
            "--spellings/--exact",
            help="A name of the profile matches in every spelling it lists (Tokaev, Tokayev, "
            "Токаев), or only as written.",
        ),
    ] = True,
) -> None:
    """Search the stored articles' text, best matches first (title over lead over body).

    Only the 200 most recently stored matches are ranked (not the newest by date: an archive
    ingested later is stored later); where that many match, a note says so. Narrow the search
    with a period, an outlet, a country or more words to rank others.
    """
    if problem := query_problem(query):  # "", "the", "-": an empty table said nothing of why
        raise typer.BadParameter(problem, param_hint="QUERY")
    if as_csv and as_json:  # as `coverage` says it
        raise typer.BadParameter("give --csv or --json, not both", param_hint="--json")
    if out_file is not None and not (as_csv or as_json):
        raise typer.BadParameter("--out writes the --csv or --json output", param_hint="--out")
    if limit > WINDOW:  # 300 gave 200 of 395 matches, and said nothing of the others
        raise typer.BadParameter(
            f"{limit} is more than a search gives: it ranks at most {WINDOW} matches, the "
            "most recently stored; narrow it with --since/--until, --outlet, --country or "
            "more words to rank others",
            param_hint="--limit",
        )
    first, last = days(since, until)
    language = _language_code(language)
    settings = settings_of(ctx)
    names = profile_spellings(settings.profile, country=True) if spellings else None
    engine = reading_store(settings)
    with engine.connect() as conn:
        try:
            hits = store.search(
                conn, query, since=first, until=last, language=language, outlet=outlet,
                outlet_country=country, limit=limit, names=names, theme=theme,
            )  # fmt: skip
            # A theme no article carries matches nothing: say so, as for a language.
            unknown_theme = bool(theme) and not hits and not theme_spellings(conn, theme)
        except SearchTooLong as exc:  # stopped at its time limit, as the web app stops it
            say(str(exc), "error")
            raise typer.Exit(1) from None
        if as_csv:  # the rows' other columns are read as they are written
            _write_csv(search_csv.rows(conn, hits), out_file)
    if names and not as_json and (also := parse_query(query).with_spellings(names)[1]):
        say(f"also searched for other spellings: {', '.join(also)}")
    if hits.window_full:  # on standard error, so with --json too
        say(
            f"ranked the {WINDOW} most recently stored matches, and others stored before them "
            "may match: narrow the search (--since/--until, --outlet, --country, --language "
            "or more words) to rank them",
            "note",
        )
    if unknown_theme:
        say(f"no stored article has the theme {theme!r} (`coverage --split theme` lists them)",
            "note")  # fmt: skip
    if as_csv:
        return
    if as_json:
        body = json.dumps([search_hit_to_dict(h) for h in hits], ensure_ascii=False) + "\n"
        if out_file is None:
            sys.stdout.write(body)
        else:
            _write_file(out_file, lambda fp: fp.write(body))
        return
    if not hits and language:  # a code like "xx" has the right shape and matches nothing
        say(
            f"nothing matched in language {language!r} (articles carry the code of the "
            "language detected in them: en, ru, kk…)",
            "note",
        )
    table = Table("date", "outlet", "title", "snippet")
    for h in hits:
        day = h.published.date().isoformat() if h.published else ""
        # Snippets mark matched words **like this**; show them bold.
        snippet = re.sub(r"\*\*(.+?)\*\*", r"[bold]\1[/bold]", escape(h.snippet))
        table.add_row(day, escape(h.outlet or ""), escape(h.title), snippet)
    out.print(table)


def _write_csv(rows: Iterable[list[Any]], out_file: Path | None) -> None:
    """The rows as CSV (`search_csv.Writer`), each written as it comes: to ``out_file`` or
    standard output as UTF-8."""

    def write(fp: IO[str]) -> None:
        writer = search_csv.Writer(fp)
        for row in rows:
            writer.row(row)

    if out_file is not None:
        _write_file(out_file, write)
        return
    sys.stdout.flush()
    fp = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
    try:
        write(fp)
        fp.flush()
    except BrokenPipeError:  # `search --csv | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    finally:
        with contextlib.suppress(ValueError, OSError):
            fp.detach()  # closing the wrapper would close standard output


def _write_file(path: Path, write: Callable[[IO[str]], object]) -> None:
    """What ``write`` writes, to ``path`` as UTF-8, whole or not at all (a failure leaves no
    temporary file), never over a store: as `coverage --out` writes."""
    refuse_store_target(path)
    tmp = path.with_name(path.name + ".tmp")
    try:
        with tmp.open("w", encoding="utf-8", newline="") as fp:
            write(fp)
        tmp.replace(path)
    except OSError as exc:
        raise MediadigestError(f"{path}: cannot write ({exc.strerror or exc})") from exc
    finally:  # gone once it replaced the file; left by a failure, or a search stopped
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


# ISO 639-1 or 639-3, maybe with a script and a region: en, kaz, en-GB, zh-Hant-TW, es-419.
_LANGUAGE = re.compile(r"([a-z]{2,3})((?:-[a-z]{4})?(?:-(?:[a-z]{2}|[0-9]{3}))?)", re.IGNORECASE)


def _language_code(text: str | None) -> str | None:
    """``--language`` as stored: the ISO 639-1 code alone, as articles hold it ("ru-RU" and
    "rus" are "ru"; kept whole they matched nothing), or a usage error. A code of the right
    shape that names no language ("xx") stays as given: the search says it matched nothing."""
    if text is None:
        return None
    found = _LANGUAGE.fullmatch(text.strip().replace("_", "-"))
    if found is None:
        raise typer.BadParameter(
            f"{text!r} is not a language code like en, ru or kk (ISO 639-1 or 639-3, maybe "
            "with a region: en-GB)",
            param_hint="--language",
        )
    return as_stored(found[1].lower() + found[2], None)[0]


def export_cmd(
    ctx: typer.Context,
    file: Annotated[
        str, typer.Argument(help="JSON Lines file to write; - for standard output (a pipe).")
    ],
    no_accounts: Annotated[
        bool,
        typer.Option(
            "--no-accounts",
            help="Leave out the web app's users, API tokens, signing key and audit log: a "
            "file of the articles, stories and editions to share.",
        ),
    ] = False,
) -> None:
    """Write the whole store to a JSON Lines file: articles, stories, editions, users, state.

    The file is readable by you only (mode 0600; a file already there is replaced).

    It holds the web app's signing key, password and API token hashes and the audit log.

    Keep it as you keep the store, or leave those out with --no-accounts. With - it goes to
    standard output, whose keeping is yours (`export - | gzip > store.jsonl.gz`).
    """
    if file == STDIO and sys.stdout.isatty():  # secrets on a screen, and in its scrollback
        raise typer.BadParameter(
            "standard output is a terminal: pipe it ('export - | gzip > store.jsonl.gz') or "
            "give a file",
            param_hint="FILE",
        )
    engine = reading_store(settings_of(ctx))
    where = "standard output" if file == STDIO else file
    try:
        with engine.connect() as conn, _export_to(file) as fp:
            counts = store.export_jsonl(conn, fp, accounts=not no_accounts)
    except BrokenPipeError:
        # `export - | head`: the reader left. Python would say so again at exit, flushing.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise MediadigestError(f"{where}: the reading end of the pipe closed") from None
    except OSError as exc:
        raise MediadigestError(f"{where}: {exc.strerror}") from exc
    if any(counts.values()):
        say(f"exported to {where}: {_counts(counts)}")
    elif no_accounts:
        say(f"exported to {where}: nothing, the store is empty (but for any accounts left out)")
    else:
        say(f"exported to {where}: nothing, the store is empty")


@contextlib.contextmanager
def _export_to(file: str) -> Iterator[IO[str]]:
    """The file (see `export_file`), or standard output as UTF-8 text, left open."""
    if file != STDIO:
        with export_file(Path(file)) as fp:
            yield fp
        return
    sys.stdout.flush()
    fp = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="\n")
    try:
        yield fp
        fp.flush()
    finally:
        fp.detach()  # closing the wrapper would close standard output


def import_cmd(
    ctx: typer.Context,
    file: Annotated[
        str, typer.Argument(help="A file written by export; - for standard input (a pipe).")
    ],
    accounts: Annotated[
        bool,
        typer.Option(
            "--accounts",
            help="Take the file's users, API tokens, signing key and audit log too (moving a "
            "store); never over an account this store has.",
        ),
    ] = False,
) -> None:
    """Add an export to this store; records it already has are left as they are.

    Its accounts (users, API tokens, signing key, audit log) are left out, and counted, but
    with --accounts. A file cut short or damaged (its last line counts its records) imports
    nothing, from standard input too (`gunzip -c store.jsonl.gz | mediadigest import -`).
    """
    if file == STDIO and sys.stdin.isatty():  # it waited for an export typed by hand
        raise typer.BadParameter(
            "standard input is a terminal: pipe an export into it "
            "('gunzip -c store.jsonl.gz | mediadigest import -') or give a file",
            param_hint="FILE",
        )
    where = "standard input" if file == STDIO else file
    engine = store.open_store(settings_of(ctx).db)
    try:
        with engine.begin() as conn, _import_from(file) as fp:
            added = store.import_jsonl(conn, fp, accounts=accounts)
    except OSError as exc:
        raise MediadigestError(f"{where}: {exc.strerror}") from exc
    except FormatError as exc:  # one transaction, rolled back by now
        raise FormatError(exc.source, f"{exc.reason}; nothing was imported") from None
    say(f"imported from {where}, new records: {_counts(added) or 'none'}")


@contextlib.contextmanager
def _import_from(file: str) -> Iterator[IO[str]]:
    """The file, or standard input as UTF-8 text, left open."""
    if file != STDIO:
        with Path(file).open(encoding="utf-8") as fp:
            yield fp
        return
    fp = _Stdin(sys.stdin.buffer, encoding="utf-8")
    try:
        yield fp
    finally:
        fp.detach()


class _Stdin(io.TextIOWrapper):
    """Standard input as text, named as errors name it (``<stdin>:12: ...``) however it is
    given (a pipe, a file, a test's bytes)."""

    name = "<stdin>"


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{kind} {n}" for kind, n in counts.items() if n)


# -- db --------------------------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Create the store or bring its schema to the newest revision."""
    engine = store.create_engine(settings_of(ctx).db)
    store.migrate(engine)
    current, head = store.check(engine)
    say(f"store at revision {current} (newest {head})")


@db_app.command("check")
def db_check(ctx: typer.Context) -> None:
    """Exit 1 if the store's schema is not at the newest revision."""
    settings = settings_of(ctx)
    require_store(settings.db)
    engine = store.create_engine(settings.db)
    current, head = store.check(engine)
    say(f"store at revision {current or 'none'} (newest {head})")
    if problem := store.unknown_revision(engine.url, current):  # not "behind": upgrade fails
        say(problem, "error")
        raise typer.Exit(1)
    if current != head:
        what = "has no schema yet" if current is None else "is behind this version"
        if engine.dialect.name == "sqlite" and store.opened_read_only(engine.url):
            # The command it named failed: "attempt to write a readonly database".
            say(f"the store {what}, and its URL opens it read-only: upgrade a writable copy "
                "with `db upgrade`")  # fmt: skip
        else:
            say(f"the store {what}: run {_upgrade_command(ctx)} (safe to re-run)")
        raise typer.Exit(1)
    if missing := store.missing_tables(engine):
        say(f"the store lacks {counted(len(missing), 'table')} of its schema "
            f"({', '.join(missing)}): it is damaged (a table dropped by hand, a broken "
            "file); restore it from a backup", "error")  # fmt: skip
        raise typer.Exit(1)


@db_app.command("optimize")
def db_optimize(ctx: typer.Context) -> None:
    """Tidy the store after a bulk ingest or import: merge SQLite's full-text index into one
    segment, refresh the planner's statistics (PostgreSQL: ANALYZE). Safe to re-run."""
    settings = settings_of(ctx)
    require_store(settings.db)
    engine = store.open_store(settings.db)
    started = time.perf_counter()
    store.optimize(engine)
    say(f"store optimised in {time.perf_counter() - started:.1f} s")


@db_app.command("reanalyse")
def db_reanalyse(
    ctx: typer.Context,
    since: From = None,
    until: To = None,
    week: Week = None,
) -> None:
    """Judge stored articles again with this version and the profile as it is now: relevance,
    quotes and their speakers, entities, themes, tone, type. Articles keep their ids and text
    (nothing is extracted again); stories follow what changed. All articles unless a period is
    given. Safe to stop and to re-run."""
    from mediadigest.cli.collect import _sigterm_as_ctrl_c
    from mediadigest.run.reanalyse import ReanalyseReport, reanalyse

    # Open at both ends unless asked: a profile's edit or a new version concerns every week.
    first, last = period(since, until, week) if week else days(since, until)
    settings = settings_of(ctx)
    require_store(settings.db)
    report = ReanalyseReport()
    lines = progress_lines("reanalysing", unit="article")

    def detail() -> str:
        return f"{report.changed:,} changed"

    try:
        with _sigterm_as_ctrl_c(), progress_bar() as bar:
            engine = store.open_store(settings.db)
            task = bar.add_task("reanalysing", total=None)
            planned, progress = tracking(bar, task, lines, detail)
            reanalyse(engine, settings.profile, since=first, until=last, planned=planned,
                      progress=progress, report=report)  # fmt: skip
    except KeyboardInterrupt:  # each batch is committed as it is done
        say(f"interrupted after {counted(report.articles, 'article')} ({report.changed} "
            "changed); run the same command again to finish")  # fmt: skip
        raise typer.Exit(130) from None
    say(report.summary())


@db_app.command("purge")
def db_purge(
    ctx: typer.Context,
    before: Annotated[
        datetime,
        typer.Option(
            parser=_day,
            metavar="YYYY-MM-DD",
            help="Purge what is dated before this day (an article's own date, else the day "
            "it was collected).",
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would go, and delete nothing.")
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", help="Purge without asking (needed where no one can answer).")
    ] = False,
) -> None:
    """Delete articles dated before a day, with their matches, themes, search index rows and
    the stored copies of their pages, and the stories left with no article (with editors'
    decisions on them).

    What a digest cites (a published edition, a draft, a digest written by `digest`) is kept:
    its evidence points into those articles' text. Stories keep their other articles. Feeds'
    items stay marked as seen, so `collect` never fetches a purged article again. Safe to stop
    and to re-run; `--dry-run` first to see what would go.
    """
    from mediadigest.cli.collect import _sigterm_as_ctrl_c
    from mediadigest.store.purge import PurgeReport, plan, purge

    day = before.date()
    if day > datetime.now(UTC).date():  # a slip of the year purged the whole store
        raise typer.BadParameter(
            f"{day} is after today (UTC): it would purge every article; give a day already past",
            param_hint="--before",
        )
    settings = settings_of(ctx)
    require_store(settings.db)
    engine = store.open_store(settings.db)
    with engine.connect() as conn:
        planned = plan(conn, day)
    if dry_run or not (planned.articles or planned.stories or planned.fetches):
        say(planned.summary())
        return
    if not yes:
        if not _can_ask():  # a script's purge waited for an answer no one could give
            say(f"{planned.summary()}: add --yes to purge them (standard input is not a "
                "terminal: there is no one to ask)", "error")  # fmt: skip
            raise typer.Exit(2)
        if not typer.confirm(f"{planned.summary().replace('would purge', 'Purge', 1)}?"):
            say("nothing purged")
            return
    report = PurgeReport(day)
    lines = progress_lines("purging", unit="article")

    def detail() -> str:
        return f"{counted(report.stories, 'story', 'stories')} removed"

    try:
        with _sigterm_as_ctrl_c(), progress_bar() as bar:
            task = bar.add_task("purging", total=None)
            on_plan, progress = tracking(bar, task, lines, detail)
            purge(engine, day, planned=on_plan, progress=progress, report=report)
    except KeyboardInterrupt:  # each batch is committed as it is done
        say(f"interrupted after {counted(report.articles, 'article')} purged; run the same "
            "command again to finish")  # fmt: skip
        raise typer.Exit(130) from None
    say(report.summary())
    say(_after_purge(engine.dialect.name, engine.url.database), "hint")


def _can_ask() -> bool:
    """Whether someone at a terminal can answer the purge's question."""
    return sys.stdin.isatty()


def _after_purge(dialect: str, database: str | None) -> str:
    """What to run after a purge: the planner's statistics, and where SQLite's file stays as
    large as it was (its freed pages are reused by what is stored next), how to shrink it.
    Not done here: VACUUM rewrites the whole file and holds the store meanwhile."""
    said = "run `mediadigest db optimize` to refresh the search index and the planner's statistics"
    if dialect != "sqlite":
        return f"{said} (PostgreSQL's autovacuum reuses the space)"
    return (f"{said}; the file keeps its size, its free pages reused by what is stored next: "
            "to shrink it, with nothing else using the store, run "
            f"`sqlite3 {shlex.quote(str(database))} VACUUM`")  # fmt: skip


def _upgrade_command(ctx: typer.Context) -> str:
    """How to upgrade the store `db check` looked at, as a command that can be run: one with
    the password masked cannot. A store from the environment or the config file is found
    again by a plain command; a --db with a secret is the user's to give again."""
    given = ctx.find_root().params.get("db")
    if not given:
        return "`mediadigest db upgrade`"
    if shown_url(given) != given:
        return "`mediadigest db upgrade` with the same --db"
    return f"`mediadigest --db {shlex.quote(given)} db upgrade`"
