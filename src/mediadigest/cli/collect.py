"""`mediadigest collect`, `ingest` and `run`: getting articles into the store.

The commands import the pipeline when they run, not when the CLI starts: its modules (numpy,
trafilatura, scikit-learn) take seconds to import, which ``--help`` and the quick commands
should not pay.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mediadigest import store
from mediadigest.cli.app import (
    Since,
    Until,
    Week,
    finish,
    period,
    progress_bar,
    progress_lines,
    say,
    settings_of,
    tracking,
    write_out,
)
from mediadigest.config import Settings
from mediadigest.errors import ConfigError, StoreDamaged, StoreError, WorkersLost
from mediadigest.model import Source
from mediadigest.write.style import counted

if TYPE_CHECKING:
    import sqlalchemy as sa

    from mediadigest import run
    from mediadigest.profile_model import Profile
    from mediadigest.run.collect import Round


def _sources(settings: Settings) -> tuple[sa.Engine, list[Source]]:
    """The store and its sources; an empty store gets the default sources first."""
    from mediadigest.collect import opml
    from mediadigest.stories import persist

    engine = store.open_store(settings.db)
    with engine.begin() as conn:
        # In the transaction that stores the defaults: of two profiles starting on a new store
        # at once, the one refused has stored none of its feeds.
        persist.require_profile(conn, settings.profile.name, claim=True)
        rows = store.list_sources(conn)
        if not rows:
            profile = settings.profile
            defaults = opml.default_sources(profile)
            for src in defaults:
                store.add_source(conn, src)
            what = (
                f"the {counted(len(defaults), 'default feed')} of the {profile.name} profile"
                if len(defaults) > 1
                else f"the default feed of the {profile.name} profile"
                if profile.sources
                else f"a news search for {profile.country} (the {profile.name} profile lists no "
                "sources)"
            )
            say(
                f"no sources configured: using {what} (see `mediadigest sources list`; add your "
                "own with `sources add`)"
            )
            rows = store.list_sources(conn)
        else:
            _refuse_another_profiles_defaults(settings.profile, {r["url"] for r in rows})
    return engine, [Source(r["url"], r["kind"], r["title"], r["id"]) for r in rows]


def _refuse_another_profiles_defaults(profile: Profile, urls: set[str]) -> None:
    """Refuse a store whose sources are only another shipped profile's default feeds.

    A first `run` (offline, say) stores the kazakhstan profile's feeds as the store's sources;
    `--profile georgia.yaml collect` on the same store then collected Kazakhstan's feeds, and
    never its own, before any article had tied the store to a country.
    """
    from mediadigest.collect import opml
    from mediadigest.profile import available_profiles, load_profile

    if urls <= {s.url for s in opml.default_sources(profile)}:
        return
    for name in available_profiles():
        other = load_profile(name)
        if other.country_code == profile.country_code:  # a tuned copy for the same country
            continue
        if urls <= {s.url for s in opml.default_sources(other)}:
            raise ConfigError(
                f"this store's sources are the default feeds of the '{name}' profile, not "
                f"'{profile.name}': give '{profile.name}' a store of its own with --db (or "
                "replace the sources with `sources remove` and `sources add`)"
            )


def _collect(
    settings: Settings, *, timeout: float, report: run.RunReport, retry: bool = False
) -> bool:
    """Collect into ``report``; whether none of the sources it read could be reached.

    ``retry``: the sources backing off after failures are tried too; else each is named.
    """
    from mediadigest import run
    from mediadigest.run.collect import fetcher_for
    from mediadigest.store import collect_state
    from mediadigest.store.sources import paused_ids

    engine, sources = _sources(settings)
    with engine.begin() as conn:
        if retry:
            collect_state.due_now(conn, [s.id for s in sources if s.id is not None])
        waiting = collect_state.not_due(conn)
        paused = paused_ids(conn)  # not tried either, and not for their failures
    # A one-off run that tried none of them said "0 failed" and exit 0: an admin who had just
    # mended a feed could not tell it was never asked.
    for src in sources:
        if src.id in waiting and src.id not in paused:
            say(f"{src.url}: not tried: backing off after failures until "
                f"{waiting[src.id]:%Y-%m-%d %H:%M} UTC (`collect --retry` tries it now)",
                "note")  # fmt: skip
    read = 0  # sources whose round ended (those backing off are not read)
    with progress_bar() as bar, fetcher_for(settings, timeout) as fetcher:
        task = bar.add_task("collecting", total=sum(s.id not in paused for s in sources))

        def progress(n: int) -> None:
            nonlocal read
            read += n
            bar.advance(task, n)

        run.collect(engine, settings.profile, sources, fetcher, report=report, progress=progress)
    return read > 0 and len(_unreached(report, sources)) == read


def _unreached(report: run.RunReport, sources: list[Source]) -> set[str]:
    """The sources that could not be reached, themselves or their robots.txt.

    Not a source whose page could not be reached (its error names the page), nor a sitemap
    index whose sitemap could not ("its sitemap URL: cannot connect"): that source answered.
    """
    found = set()
    for src in sources:
        for line in report.errors:
            reason = line.removeprefix(f"{src.url}: ")
            if reason != line and reason.removeprefix("robots.txt: ").startswith("cannot connect"):
                found.add(src.url)
    return found


def _interval(value: str | None) -> timedelta | None:
    from mediadigest.run.collect import parse_interval

    if value is None:
        return None
    try:
        return parse_interval(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--watch") from exc


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
        int | None, typer.Option(min=1, help="With --watch: stop after this many rounds.")
    ] = None,
    retry: Annotated[
        bool,
        typer.Option(
            "--retry",
            help="Try now the sources backing off after failures too (a one-off run names "
            "them and leaves them out).",
        ),
    ] = False,
) -> None:
    """Fetch new items from every source not paused once (or every --watch interval),
    analyse, store."""
    settings = settings_of(ctx)
    interval = _interval(watch)
    if retry and interval is not None:  # a watch tries them when they are due
        raise typer.BadParameter("only without --watch", param_hint="--retry")
    if interval is not None:
        _watch(settings, interval, rounds=rounds, timeout=timeout)
        return
    if rounds is not None:  # it was passed over: one round, exit 0, as if three had run
        raise typer.BadParameter(
            "only with --watch (without it, collect runs once)", param_hint="--rounds"
        )
    with _stopped_cleanly() as stored:
        none_reached = _collect(settings, timeout=timeout, report=stored.started(), retry=retry)
    finish(stored.started(), none_reached=none_reached)


def _watch(settings: Settings, interval: timedelta, *, rounds: int | None, timeout: float) -> None:
    """`collect --watch`: a round every ``interval`` until stopped, each said in a line."""

    failed: list[
        int
    ] = []  # rounds in which an input failed: a bounded watch exits 1, as one round does

    def load() -> list[Source]:
        return _sources(settings)[1]

    def show(done: Round) -> None:
        if not done.report.ok:
            failed.append(done.number)
        for line in done.report.warnings:
            say(line, "warning")
        for line in done.report.errors:
            say(line, "error")
        # A log of a watch that runs for weeks must say when each round ran.
        at = f" ({done.started:%Y-%m-%d %H:%M:%S} UTC)" if done.started else ""
        say(f"round {done.number}{at}: {done.report.summary()}")  # backing off: in it

    current: list[tuple[int, run.RunReport]] = []  # the round under way, once one started
    ended: set[int] = set()

    def start(number: int, report: run.RunReport) -> None:
        current[:] = [(number, report)]

    def end(done: Round) -> None:
        ended.add(done.number)
        show(done)

    try:
        with _sigterm_as_ctrl_c():  # from the start: the pipeline's imports take seconds
            engine, _ = _sources(settings)
            from mediadigest import run
            from mediadigest.run.collect import fetcher_for

            with fetcher_for(settings, timeout) as fetcher:
                run.watch(engine, settings.profile, load, fetcher, interval=interval,
                          rounds=rounds, on_round=end, on_start=start)  # fmt: skip
    except KeyboardInterrupt:  # each round's documents are stored as they come
        # Stopped in a round, it said only "stopped": not what that round had stored.
        if current and current[0][0] not in ended:
            number, report = current[0]
            stored = counted(report.articles, "article")
            say(f"stopped in round {number}: {stored} stored in it, not yet grouped into "
                "stories (`stories` or `digest` groups them)")  # fmt: skip
        else:
            say("stopped")
        raise typer.Exit(130) from None
    if failed:
        raise typer.Exit(1)


class _Stored:
    """What a one-shot run has stored so far, for the words of a stop."""

    def __init__(self) -> None:
        self.report: run.RunReport | None = None

    def started(self) -> run.RunReport:
        """The run's report, made on first use: its module imports the pipeline (seconds),
        and a stop must be clean from the command's start."""
        if self.report is None:
            from mediadigest.run.writer import RunReport

            self.report = RunReport()
        return self.report


@contextlib.contextmanager
def _stopped_cleanly() -> Iterator[_Stored]:
    """Ctrl-C and SIGTERM stop a one-shot `collect`, `ingest` or `run` in one line and exit 130.

    Each document (each piece of an archive, with its checkpoint) is stored in a transaction
    of its own, so what is stored is whole, and the same command again does the rest. A
    one-shot `collect` and `run` were killed by SIGTERM without a word (exit 143), and said
    nothing on Ctrl-C: a cron job's log could not tell a stop from a crash.
    """
    stored = _Stored()
    try:
        with _sigterm_as_ctrl_c():
            yield stored
    except KeyboardInterrupt:
        articles = stored.report.articles if stored.report is not None else 0
        say(f"interrupted: {counted(articles, 'article')} stored; "
            "run the same command again to resume")  # fmt: skip
        raise typer.Exit(130) from None


@contextlib.contextmanager
def _sigterm_as_ctrl_c() -> Iterator[None]:
    """SIGTERM stops a long command as cleanly as Ctrl-C, with the same words and exit status
    (130 for both, as `collect --watch` has exited since it first took SIGTERM): a service
    manager, `timeout`, `docker stop` or a batch scheduler stops with it, and it killed the
    command without a word."""
    if threading.current_thread() is not threading.main_thread():  # else signal() refuses
        yield
        return
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: object) -> None:
    # The stop is under way: a second SIGTERM (`timeout` signals the command, then its whole
    # process group) would interrupt its clean-up.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


def _input_path(text: str) -> Path:
    """A path to ingest; ``-`` (standard input, to many tools) is refused: an input is read by
    its name's suffix, in shards by byte offset, and resumed from its checkpoint, none of
    which a stream has. It was taken for a file named ``-`` ("no such file")."""
    if text == "-":
        raise typer.BadParameter(
            "'-' (standard input) cannot be ingested: save it to a file named for what it "
            "holds ('... > pages.jsonl') and ingest that"
        )
    return Path(text)


def ingest(
    ctx: typer.Context,
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Files or folders: .html(.gz), .txt, .jsonl(.gz), .warc(.gz).",
            parser=_input_path,
        ),
    ],
    workers: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="Analyse on a local Dask cluster of N worker processes (a process pool of N "
            "without the dask extra); 0: in this process. Default: a process pool on all cores.",
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
        bool, typer.Option(help="Ignore the checkpoints of these inputs: read each from its start.")
    ] = False,
    prefilter: Annotated[
        bool,
        typer.Option(help="Rule out archive records that cannot mention the country unread."),
    ] = True,
) -> None:
    """Ingest local files and web archives instead of the web; resumes an interrupted run.

    WARC archives keep only relevant articles; other files keep every article.
    """
    settings = settings_of(ctx)
    shard_bytes = None if shard_size is None else _size(shard_size)  # before creating a store
    lost: StoreError | WorkersLost | None = None
    with _stopped_cleanly() as stored:  # from the start: the pipeline's imports take seconds
        from mediadigest import run
        from mediadigest.run.executors import check_scheduler

        if scheduler is not None:  # before a store is made or an input read
            check_scheduler(scheduler)
        report = stored.started()  # filled as the run goes: a stopped run says what it stored
        options = run.Options(prefilter=prefilter)
        lost = _ingest_shown(settings, paths, report, workers=workers, scheduler=scheduler,
                             shard_size=shard_bytes, fresh=fresh, options=options)  # fmt: skip
    if isinstance(lost, StoreDamaged):  # no outage: a re-run would fail the same way
        say(f"{lost}; {counted(report.articles, 'article')} stored", "error")
        raise typer.Exit(1)
    if lost is not None:  # as for Ctrl-C: what is stored is whole, the checkpoints say where
        # (WorkersLost: the workers or the cluster gone; StoreError: the database.)
        say(f"{lost}; {counted(report.articles, 'article')} stored; "
            "run the same command again to resume", "error")  # fmt: skip
        raise typer.Exit(1)
    finish(report)


def _ingest_shown(
    settings: Settings,
    paths: list[Path],
    report: run.RunReport,
    **how: Any,
) -> StoreError | WorkersLost | None:
    """`run.ingest` with a progress bar (or lines); the StoreError of a store gone midway, or
    the WorkersLost of workers gone."""
    from mediadigest import run

    lines = progress_lines("ingesting")

    def detail() -> str:
        records = f"{report.records:,} records read, " if report.records else ""
        return f"{records}{report.articles:,} articles stored"

    with progress_bar(data=True) as bar:
        engine = store.open_store(settings.db)
        task = bar.add_task("ingesting", total=None)
        planned, progress = tracking(bar, task, lines, detail, lambda: _say_plan(report))
        try:
            run.ingest(engine, settings.profile, paths, progress=progress, planned=planned,
                       report=report, **how)  # fmt: skip
        except (StoreError, WorkersLost) as exc:  # the database or the workers went away
            return exc
    return None


def _say_plan(report: run.RunReport) -> None:
    """What earlier runs' checkpoints changed in the plan, said before the work starts."""
    for path, at, size in report.resumed:
        share = at * 100 // size
        say(f"resuming {path} at byte {at:,} ({share}%), from an earlier run's checkpoint")
    for path in report.changed_inputs:
        say(f"{path} changed since an earlier run's checkpoint: reading it from the start")
    if report.skipped_inputs:
        done = counted(report.skipped_inputs, "input")
        say(f"{done} already ingested by an earlier run: skipped (--fresh reads them again)")


def _size(text: str) -> int:
    """ "64M", "512K", "1G" or a number of bytes."""
    units = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
    value = text.strip().lower().removesuffix("b")
    try:
        if value[-1:] in units:
            return max(1, int(float(value[:-1]) * units[value[-1]]))
        return max(1, int(value))
    except ValueError as exc:
        raise typer.BadParameter(
            f"{text!r} is not a size like 64M", param_hint="--shard-size"
        ) from exc


def run_cmd(
    ctx: typer.Context,
    since: Since = None,
    until: Until = None,
    week: Week = None,
    timeout: Annotated[float, typer.Option(help="Seconds before a fetch gives up.")] = 20.0,
) -> None:
    """The main job: collect from the sources, analyse, and print this week's digest."""
    settings = settings_of(ctx)
    first, last = period(since, until, week)  # a period it cannot use is said before collecting
    # A stop while the digest is written stores none: `digest` writes it from what is stored.
    with _stopped_cleanly() as stored:
        from mediadigest.write import compose
        from mediadigest.write.render import Format, render, to_dict

        report = stored.started()
        none_reached = _collect(settings, timeout=timeout, report=report)
        engine = store.open_store(settings.db)
        with engine.begin() as conn:
            result = compose.build_digest(
                conn, settings.profile, first, last, publisher=settings.publisher
            )
            store.save_digest(conn, first, last, settings.profile.name, to_dict(result))
        text = render(result, Format.md)
    write_out(text)
    finish(report, none_reached=none_reached)
