"""Drivers, collect: fetch all sources once (``collect``) or on a schedule (``watch``).

Sources are fetched concurrently by the async fetcher on its own loop; this thread analyses
what arrives and writes it, one transaction per document, then each source's health,
validators and backoff. A source that keeps failing is left alone for longer and longer
(``collect_state.backoff_delay``) and is tried again once it is due.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from mediadigest import store
from mediadigest.collect.fetch import Fetcher, FetchPolicy
from mediadigest.collect.poll import Mark, Notice, Outcome, Seen, SourcePlan, poll
from mediadigest.config import Settings
from mediadigest.errors import FetchError, FormatError, InputError, StoreError
from mediadigest.model import Document, Source
from mediadigest.profile import Profile
from mediadigest.run.writer import (
    STORE_FAILURES,
    RunReport,
    analyse_batch,
    group,
    store_analysed,
    store_failure,
)
from mediadigest.store import collect_state
from mediadigest.store import schema as t
from mediadigest.store import sources as store_sources
from mediadigest.stories import persist

log = logging.getLogger(__name__)

DEFAULT_INTERVAL = timedelta(hours=1)  # how often a plain `collect` is assumed to run (cron)
Progress = Callable[[int], None]


def fetcher_for(settings: Settings, timeout: float | None = None) -> Fetcher:
    """A fetcher with the settings' politeness limits (the CLI's and the web app's);
    ``timeout`` None keeps the policy's default."""
    policy = FetchPolicy(
        allow_private=settings.allow_private,
        delay=settings.host_delay,
        concurrency=settings.concurrency,
        per_host=settings.per_host,
        retries=settings.retries,
    )
    return Fetcher(policy if timeout is None else dataclasses.replace(policy, timeout=timeout))


@dataclass(slots=True)
class Round:
    """One round of ``watch``: its report and the sources it left out (backing off)."""

    number: int
    report: RunReport
    backing_off: int
    started: datetime | None = None  # UTC


def collect(
    engine: sa.Engine,
    profile: Profile,
    sources: list[Source],
    fetcher: Fetcher,
    *,
    interval: timedelta = DEFAULT_INTERVAL,
    progress: Progress | None = None,
    report: RunReport | None = None,
) -> RunReport:
    """Fetch every due source once: new items are fetched, analysed and stored as they come.

    Sources in backoff (failed repeatedly, not yet due) are skipped; ``interval`` is how
    often this runs, the unit of backoff. ``report``: filled as the run goes (each document
    once its transaction commits), so a caller whose run stopped midway (the store gone, a
    write that failed) still knows what was stored.
    """
    report = report if report is not None else RunReport()
    try:
        _collect(engine, profile, sources, fetcher, interval, progress, report)
    except STORE_FAILURES as exc:  # one line, as an ingest says it (a traceback before)
        raise store_failure(exc) from exc
    return report


def _collect(
    engine: sa.Engine,
    profile: Profile,
    sources: list[Source],
    fetcher: Fetcher,
    interval: timedelta,
    progress: Progress | None,
    report: RunReport,
) -> None:
    with engine.begin() as conn:
        persist.require_profile(conn, profile.name, claim=True)
        waiting = collect_state.not_due(conn)
        # Asked here, not of the caller's list: a watch's or the web app's list is read
        # before a round, and a source paused since is left out of it all the same.
        paused = store_sources.paused_ids(conn)
        left_out = set(waiting) | paused
        plans = [_plan(conn, src) for src in sources if src.id not in left_out]
    report.paused += sum(src.id in paused for src in sources)
    for src in sources:
        if src.id in waiting and src.id not in paused:
            report.backing_off += 1  # in the summary: a plain `collect` and the web app left it out
            log.info("%s: backing off after failures, due %s", src.url, waiting[src.id])
    source_urls = {plan.id: plan.url for plan in plans}
    own: dict[int, int] = {}  # errors naming the source itself, by source: counted at its end

    def stored(urls: list[str]) -> set[str]:
        with engine.connect() as conn:
            return store.stored_urls(conn, urls)

    for source_id, item in fetcher.stream(poll(fetcher.aio, plans, stored=stored)):
        if isinstance(item, Outcome):
            _count_source(report, item, own.pop(source_id, 0))
            _finish_source(engine, source_id, plans, item, report, interval)
            if progress:
                progress(1)
        elif isinstance(item, InputError) and item.source == source_urls[source_id]:
            own[source_id] = own.get(source_id, 0) + 1
            report.errors.append(str(item))  # counted once its outcome says which it was
        elif isinstance(item, InputError):  # one of its pages (or a child sitemap's own)
            report.error(item, "page" if isinstance(item, FetchError | FormatError) else "sitemap")
        elif isinstance(item, Notice):
            report.warnings.append(str(item))
        elif isinstance(item, Seen):  # its page came for another source: not fetched again
            report.shared_pages += 1
            with engine.begin() as conn:
                store.mark_seen(conn, source_id, [item.key])
        elif isinstance(item, Mark):  # a page's failed round, or the page given up
            with engine.begin() as conn:
                store.mark_seen(conn, source_id, [item.key])
        else:
            _store(engine, profile, source_id, item, report)
    group(engine, profile, report)


def _count_source(report: RunReport, outcome: Outcome, own_errors: int) -> None:
    """Count a source's round by unit: the source failed, or was read (unchanged, with
    nothing new, or with new items); its child sitemaps that failed name the source too."""
    sitemaps = len(outcome.failed_sitemaps)
    for unit, n in (("sitemap", min(sitemaps, own_errors)), ("source", own_errors > sitemaps)):
        if n:
            report.failed[unit] = report.failed.get(unit, 0) + int(n)
    if own_errors > sitemaps:
        return
    report.sources_read += 1
    if outcome.error is None and not outcome.not_modified and not outcome.items:
        report.nothing_new += not outcome.failed_pages


def _plan(conn: sa.Connection, src: Source) -> SourcePlan:
    assert src.id is not None, "sources come from the store"
    row = conn.execute(
        sa.select(t.sources.c.etag, t.sources.c.last_modified).where(t.sources.c.id == src.id)
    ).first()
    seen = store.seen_keys(conn, src.id)
    plan = SourcePlan(src.id, src.url, src.kind, row.etag if row else None,
                      row.last_modified if row else None, seen)  # fmt: skip
    if src.kind == "sitemap":
        # Child sitemaps are not known before the index is read: load what we have for them.
        stmt = sa.select(collect_state.http_validators.c.url).where(
            collect_state.http_validators.c.url.startswith(_origin(src.url))
        )
        urls = [r.url for r in conn.execute(stmt)]
        plan.validators = collect_state.validators(conn, urls)
    return plan


def _origin(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}/"


def _store(
    engine: sa.Engine, profile: Profile, source_id: int, doc: Document, report: RunReport
) -> None:
    result = analyse_batch([doc], profile)[0]
    stored = RunReport()  # what this transaction stores: the run's report once it commits
    with engine.begin() as conn:
        store_analysed(conn, result, stored, source_id=source_id)
    report.add_stored(stored)


def _finish_source(
    engine: sa.Engine,
    source_id: int,
    plans: list[SourcePlan],
    outcome: Outcome,
    report: RunReport,
    interval: timedelta,
) -> None:
    url = next(p.url for p in plans if p.id == source_id)
    report.not_modified += outcome.not_modified
    moved: list[str] = []  # said once the move is committed
    with engine.begin() as conn:
        store.record_fetch(
            conn,
            source_id,
            url,
            error=outcome.error,
            items=outcome.items,
            partly=outcome.partly_failed,
        )
        collect_state.record_outcome(conn, source_id, ok=outcome.error is None, interval=interval)
        if outcome.error is None and outcome.moved_to:
            # Its validators belong to the new address: fetched from the old one, it was read
            # in full every round (a redirect's hop drops them).
            if store.move_source(conn, source_id, outcome.moved_to):
                moved.append(f"{url}: moved permanently to {outcome.moved_to}; "
                             "the source now reads from there")  # fmt: skip
            else:
                moved.append(f"{url}: moved permanently to {outcome.moved_to}, "
                             "which is a source too: remove one of them")  # fmt: skip
        if outcome.error is None:
            collect_state.save_source_validators(
                conn, source_id, outcome.etag, outcome.last_modified, title=outcome.title
            )
        for child, (etag, modified) in outcome.validators.items():
            collect_state.save_validators(conn, child, etag, modified)
    report.warnings.extend(moved)


def watch(
    engine: sa.Engine,
    profile: Profile,
    load_sources: Callable[[], list[Source]],
    fetcher: Fetcher,
    *,
    interval: timedelta,
    rounds: int | None = None,
    stop: threading.Event | None = None,
    on_round: Callable[[Round], None] | None = None,
    on_start: Callable[[int, RunReport], None] | None = None,
) -> int:
    """Collect every ``interval`` until ``stop`` is set (or after ``rounds``); returns rounds.

    Sources are re-read each round, so `sources add` takes effect without a restart.
    ``on_start``: given each round's number and its report as the round begins (filled as it
    goes), for the words of a stop in the middle of it.
    """
    stop = stop or threading.Event()
    number = 0
    while not stop.is_set() and (rounds is None or number < rounds):
        number += 1
        started, at = time.monotonic(), datetime.now(UTC)
        report, backing_off = RunReport(), 0
        if on_start:
            on_start(number, report)
        try:
            sources = load_sources()
            with engine.begin() as conn:
                waiting = set(collect_state.not_due(conn)) - store_sources.paused_ids(conn)
                backing_off = len(waiting & {s.id for s in sources})
            collect(engine, profile, sources, fetcher, interval=interval, report=report)
        except (*STORE_FAILURES, StoreError) as exc:
            # Gone away (a restart, the network): what the round stored is committed, one
            # document at a time, and counted in its report; the next round starts again on
            # new connections. Damaged (a table missing) says so, and the watch goes on too:
            # a press office's watch must not die overnight on one odd error.
            engine.dispose()
            failure = exc if isinstance(exc, StoreError) else store_failure(exc)
            report.errors.append(f"round {number}: {failure}; trying again in "
                                 f"{_duration(interval)}")  # fmt: skip
        if on_round:
            on_round(Round(number, report, backing_off, at))
        if rounds is not None and number >= rounds:
            break
        stop.wait(max(0.0, interval.total_seconds() - (time.monotonic() - started)))
    return number


def _duration(interval: timedelta) -> str:
    seconds = interval.total_seconds()
    for unit, size in (("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds / size:g}{unit}"
    return f"{seconds:g}s"


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_interval(text: str) -> timedelta:
    """ "1h", "30m", "1h30m", "90s", "0.5s" or a bare number of seconds -> timedelta."""
    value = text.strip().lower()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:  # "0" or "-5" polled every source back to back, without a pause
        if not 0 < seconds < float("inf"):
            raise ValueError(f"{text!r}: the interval must be more than 0 seconds")
        return timedelta(seconds=seconds)
    total, number = 0.0, ""
    for char in value:
        if char.isdigit() or char == ".":
            number += char
        elif char in _UNITS and number:
            total += float(number) * _UNITS[char]
            number = ""
        else:
            raise ValueError(f"{text!r} is not a duration like 1h, 30m, 1h30m or 90s")
    if number or total <= 0:
        raise ValueError(f"{text!r} is not a duration like 1h, 30m, 1h30m or 90s")
    return timedelta(seconds=total)
