"""The Typer app: its global options, its command groups, and what every command shares."""

from __future__ import annotations

import logging
import os
import re
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import sqlalchemy as sa
import typer
from rich.console import Console
from rich.filesize import decimal
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text
from typer.core import TyperGroup

from mediadigest import __version__, store
from mediadigest.config import Settings, load_settings
from mediadigest.errors import ConfigError, StoreError
from mediadigest.logs import RedactURLs
from mediadigest.model import FIRST_DAY, LAST_DAY

if TYPE_CHECKING:
    import click

    from mediadigest import run


class _App(TyperGroup):
    """The top-level group; a global option given after the command says where it belongs."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as exc:  # Click's NoSuchOption, from whichever Click Typer bundles
            name, message = getattr(exc, "option_name", None), getattr(exc, "message", None)
            globals_ = {o for p in self.params for o in (*p.opts, *p.secondary_opts)}
            if name in globals_ and isinstance(message, str) and message.startswith("No such"):
                exc.message = (
                    f"{message} ({name} is a global option: give it before the command, "
                    "right after 'mediadigest')"
                )
            raise


app = typer.Typer(
    cls=_App,
    help="Monitor what the world's media write about one country; write a weekly digest.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
# Groups, listed in --help after the commands, in this order.
sources_app = typer.Typer(
    help="Manage feeds: add, import OPML, list, pause, resume, rename, remove, export."
)
db_app = typer.Typer(help="The store: upgrade, check, optimise; re-analyse its articles.")
stories_app = typer.Typer(
    help="Stories: list them, and editors' decisions (pin, hide, merge, split)."
)
users_app = typer.Typer(
    help="Web app accounts: add, list, password, remove, role (admin, editor, viewer)."
)
mail_app = typer.Typer(
    help="The mailing list (mail.to): addresses the server refused for good (refused, enable)."
)
app.add_typer(sources_app, name="sources")
app.add_typer(db_app, name="db")
app.add_typer(stories_app, name="stories")
app.add_typer(users_app, name="users")
app.add_typer(mail_app, name="mail")

out = Console(emoji=False)  # titles from the web: ":smile:" in one is text, not an emoji
err = Console(stderr=True)
log = logging.getLogger("mediadigest")
_LEVELS = {"error": "red", "warning": "yellow", "note": "yellow", "hint": "cyan"}


def write_out(body: str | bytes) -> None:
    """A rendered digest or feed on stdout, the bytes ``-o FILE`` writes. Not through rich:
    it turned ":smile:" in a headline into an emoji, expanded tabs and dropped control
    characters, so the Markdown on stdout was not the file's and the CLI's feed not the web's.
    """
    sys.stdout.flush()
    sys.stdout.buffer.write(body if isinstance(body, bytes) else body.encode("utf-8"))
    sys.stdout.flush()


def say(text: str, level: str | None = None) -> None:
    """One line to stderr exactly as given, never wrapped.

    Paths, URLs and error messages may hold ``[...]``, which rich would read as markup (a
    folder ``[draft]`` vanished, ``[/b]`` raised); logs of ``collect --watch`` are grepped,
    so a long line stays one line.
    """
    line = Text(text) if level is None else Text.assemble((f"{level}:", _LEVELS[level]), " ", text)
    err.print(line, soft_wrap=True, highlight=False)


def _print_version(value: bool) -> None:
    """``--version``: what ``mediadigest version`` prints, before any setting is read (an
    unusable store or profile is no reason not to say which mediadigest this is)."""
    if value:
        out.print(f"mediadigest {__version__}")
        raise typer.Exit


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
        int,
        # A flag given once or twice, which takes no value: the help's "<int>" and
        # "[default: 0]" had `--verbose 7` tried, and refused as "No such command '7'".
        typer.Option(
            "-v",
            "--verbose",
            count=True,
            metavar="",
            show_default=False,
            help="-v info, -vv debug.",
        ),
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
    _version: Annotated[
        bool,
        typer.Option(
            "--version",
            is_eager=True,
            callback=_print_version,
            help="Print the version and exit.",
        ),
    ] = False,
) -> None:
    """Global options, shared by every command."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(
        level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )
    # httpx logs each request's URL (-v): an LLM endpoint's key in its query, a password in it.
    httpx_log = logging.getLogger("httpx")
    if not any(isinstance(f, RedactURLs) for f in httpx_log.filters):
        httpx_log.addFilter(RedactURLs())
    if verbose < 2:
        # The pool logs, with a traceback, each connection it cannot reset once the database
        # has gone away; the command says that itself, on one line (-vv shows them).
        logging.getLogger("sqlalchemy.pool").setLevel(logging.CRITICAL)
        # So does psycopg, for the batch a lost server cut short: "error ignored terminating
        # <psycopg.Pipeline [BAD]>: the connection is lost" above the run's own line.
        logging.getLogger("psycopg").setLevel(logging.ERROR)
    # A setting that cannot be used (a flag, MEDIADIGEST_*, the config file) and a store URL
    # we cannot open are usage errors, said at once: `MEDIADIGEST_HOST_DELAY=abc` and a key
    # `databse` exited 1, as a failed input does, where `MEDIADIGEST_DB=mysql://...` exited 2.
    try:
        ctx.obj = load_settings(
            db=db, profile=profile, env=os.environ, cwd=Path.cwd(), allow_private=allow_private
        )
        if ctx.invoked_subcommand != "version":
            store.check_url(ctx.obj.db)
    except ConfigError as exc:
        say(str(exc), "error")
        raise typer.Exit(2) from None
    if ctx.invoked_subcommand == "version":
        return
    if ctx.invoked_subcommand not in {"sources", "db", "users"}:
        ctx.obj.profile  # noqa: B018 (fail fast on a bad --profile, before any work)


def settings_of(ctx: typer.Context) -> Settings:
    return ctx.obj


def require_store(url: str) -> None:
    """Refuse a SQLite store that is not there, for a command that only reads one.

    Opening it would create an empty store (and its folder): a mistyped --db then listed no
    articles, exit 0, and left a new file behind. Commands that write create it as before.
    """
    missing = missing_store(url)
    if missing is not None:
        raise StoreError(f"no store at {missing} (collect or ingest first, or check --db)")


def missing_store(url: str) -> Path | None:
    """The absolute path of a SQLite store that is not there yet; None otherwise (it is there,
    or the store is not a plain SQLite file)."""
    parsed = store.parsed_url(store.normalise_url(url))
    path = parsed.database if parsed.get_backend_name() == "sqlite" else None
    if not path or path == ":memory:" or "uri" in parsed.query:  # no file, or not a plain path
        return None
    return None if Path(path).exists() else Path(path).absolute()


def reading_store(settings: Settings) -> sa.Engine:
    """The store of a command that only reads it (see `require_store`)."""
    require_store(settings.db)
    return store.open_store(settings.db)


def progress_bar(data: bool = False) -> Progress:
    """A bar on stderr (when it is a terminal); ``data``: it counts bytes, with time left."""
    counts = (DownloadColumn(), TimeRemainingColumn()) if data else (MofNCompleteColumn(),)
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        *counts,
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


# Without a terminal (nohup, cron, a log file) there is no bar: a line now and then says the
# run is alive. At every tenth of the work, and at least every 30 s; none in a run's first
# seconds, so that a short run says only its summary.
PROGRESS_STEP = 0.1
PROGRESS_EVERY_S = 30.0
PROGRESS_QUIET_S = 5.0


class ProgressLines:
    """Progress of a long command as plain lines on stderr, for when no bar can be drawn:
    ``ingesting: 61% (123.5 MB of 201.2 MB), 45,678 records read, 1,234 articles stored;
    12.3 MB/s, about 6 min left``."""

    def __init__(
        self, what: str, clock: Callable[[], float] = time.monotonic, unit: str | None = None
    ) -> None:
        """``unit``: what is counted ("article"), None for bytes."""
        self.what, self.clock, self.unit = what, clock, unit
        self.total = self.done = 0
        self.started = self.last_time = clock()
        self.last_done = 0

    def start(self, total: int) -> None:
        """The amount of work planned (bytes or units); the clock of the rate starts here."""
        self.total = total
        self.started = self.last_time = self.clock()

    def advance(self, n: int, detail: Callable[[], str]) -> None:
        """``n`` more done; ``detail`` (records, articles) is asked only for a line."""
        self.done += n
        now = self.clock()
        if now - self.started < PROGRESS_QUIET_S or self.done >= self.total:
            return  # the summary follows at the end
        step = self.total > 0 and self.done - self.last_done >= PROGRESS_STEP * self.total
        if not step and now - self.last_time < PROGRESS_EVERY_S:
            return
        self.last_time, self.last_done = now, self.done
        rate = self.done / max(now - self.started, 1e-9)
        left = (self.total - self.done) / rate if rate else 0.0
        share = f"{self.done * 100 // self.total}% " if self.total else ""
        if self.unit is None:
            done, speed = f"{decimal(self.done)} of {decimal(self.total)}", decimal(int(rate))
        else:  # "1,200 of 5,000 articles", "150 articles/s"
            units = f"{self.unit}s"
            done, speed = f"{self.done:,} of {self.total:,} {units}", f"{rate:,.0f} {units}"
        say(f"{self.what}: {share}({done}), {detail()}; {speed}/s, about {_duration(left)} left")


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"


def progress_lines(what: str, unit: str | None = None) -> ProgressLines | None:
    """Plain progress lines where stderr is not a terminal, else None (the bar shows it);
    ``unit``: what is counted, None for bytes."""
    return None if err.is_terminal else ProgressLines(what, unit=unit)


def tracking(
    bar: Progress,
    task: TaskID,
    lines: ProgressLines | None,
    detail: Callable[[], str],
    before: Callable[[], None] | None = None,
) -> tuple[Callable[[int], None], Callable[[int], None]]:
    """A long job's ``planned(total)`` and ``progress(n)``, moving ``bar``'s ``task`` and the
    plain ``lines`` (with ``detail``); ``before``: said once the plan is known."""

    def planned(total: int) -> None:
        bar.update(task, total=total)
        if before is not None:
            before()
        if lines:
            lines.start(total)

    def progress(n: int) -> None:
        bar.advance(task, n)
        if lines:
            lines.advance(n, detail)

    return planned, progress


def finish(report: run.RunReport, *, none_reached: bool = False) -> None:
    """Print each problem on one line, the summary, and exit 1 if anything failed.

    ``none_reached``: a collect reached none of its sources, which the summary follows with
    what to do offline.
    """
    for line in report.warnings:
        say(line, "warning")
    for line in report.errors:
        say(line, "error")
    say(report.summary())
    if none_reached:
        # The README's first command on a machine without internet: seventeen identical
        # errors and an empty digest said what failed, not what to do instead.
        say(
            "no source could be reached: is this machine offline? "
            "`mediadigest ingest PATHS` reads pages, text, JSON Lines and web archives from disk",
            "hint",
        )
    if not report.ok:
        raise typer.Exit(1)


def _day(text: str) -> datetime:
    """A day as YYYY-MM-DD; one the calendar lacks (2025-02-30) says so, where click said it
    "does not match the format '%Y-%m-%d'", which it does."""
    found = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text.strip(), re.ASCII)
    if found is None:
        raise typer.BadParameter(f"{text!r} is not a day like 2025-12-15")
    try:
        return datetime(*map(int, found.groups()))
    except ValueError as exc:
        raise typer.BadParameter(f"{text!r} is no day of the calendar ({exc})") from None


# Today in UTC, not in the machine's zone: a server's is arbitrary, and articles are dated by
# their outlets' own days whatever it is.
Since = Annotated[
    datetime | None,
    typer.Option(
        parser=_day, metavar="YYYY-MM-DD", help="First day (default: 6 days before the last)."
    ),
]
Until = Annotated[
    datetime | None,
    typer.Option(parser=_day, metavar="YYYY-MM-DD", help="Last day (default: today in UTC)."),
]
# The same days for a listing or a search, open at either end by default.
From = Annotated[
    datetime | None,
    typer.Option("--since", parser=_day, metavar="YYYY-MM-DD", help="First day (inclusive)."),
]
To = Annotated[
    datetime | None,
    typer.Option("--until", parser=_day, metavar="YYYY-MM-DD", help="Last day (inclusive)."),
]
Week = Annotated[
    str | None,
    typer.Option(
        help="An ISO week, e.g. 2025-W51, or 'last': the last whole week, Monday to Sunday, "
        "in UTC (for a weekly job: the default period runs to today, a day not over yet)."
    ),
]


_ISO_WEEK = re.compile(r"(\d{4})-W(\d{1,2})", re.IGNORECASE)


def period(since: datetime | None, until: datetime | None, week: str | None) -> tuple[date, date]:
    if week:
        if since or until:  # they were silently ignored
            raise typer.BadParameter(
                "a period is --week or --since/--until, not both", param_hint="--week"
            )
        start = _within_our_years(week_start(week), "--week", repr(week))
        return start, start + timedelta(days=6)
    first, last = days(since, until)
    if last is None:
        last = datetime.now(UTC).date()
        if first is not None and first > last:
            raise typer.BadParameter(f"--since {first} is after today in UTC ({last}), the "
                                     "default --until")  # fmt: skip
    first = first or last - timedelta(days=6)
    if first > last:
        raise typer.BadParameter(f"--since {first} is after --until {last}")
    return first, last


def days(since: datetime | None, until: datetime | None) -> tuple[date | None, date | None]:
    """``--since`` and ``--until`` as days, either one open; a since after the until is refused
    (a search for it found nothing, and said nothing of why)."""
    first, last = since.date() if since else None, until.date() if until else None
    for day, name in ((first, "--since"), (last, "--until")):
        if day is not None:
            _within_our_years(day, name)
    if first and last and first > last:
        raise typer.BadParameter(f"--since {first} is after --until {last}")
    return first, last


def _within_our_years(day: date, hint: str, said: str | None = None) -> date:
    """``day``, or a usage error where it is outside `model.FIRST_DAY`..`LAST_DAY`."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise typer.BadParameter(
            f"{said or day} is outside the years mediadigest works with ({FIRST_DAY.year} to "
            f"{LAST_DAY.year})",
            param_hint=hint,
        )
    return day


def week_start(week: str) -> date:
    """The Monday of an ISO week like 2025-W51; a week the year does not have is refused
    (strptime took 2025-W53 as the week of Dec. 29, 2025, which is 2026-W01). ``last``: the
    Monday of the last whole week in UTC, what a weekly job wants (the default period ends
    today, which is not over: what is published after the run fell in neither week's digest).
    """
    if week.strip().casefold() == "last":
        today = datetime.now(UTC).date()
        return today - timedelta(days=today.weekday() + 7)
    found = _ISO_WEEK.fullmatch(week.strip())
    if found is None or int(found[1]) < 1:
        raise typer.BadParameter(f"{week!r} is not an ISO week like 2025-W51", param_hint="--week")
    year, number = int(found[1]), int(found[2])
    try:
        return date.fromisocalendar(year, number, 1)
    except ValueError as exc:
        last = date(year, 12, 28).isocalendar().week  # Dec. 28 is always in a year's last week
        raise typer.BadParameter(
            f"{week!r}: {year} has ISO weeks 1 to {last}", param_hint="--week"
        ) from exc
