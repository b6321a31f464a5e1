"""Collection on a schedule inside `serve`: one background thread, one run at a time.

The thread calls the same ``run.collect`` as the CLI's `collect`; the web app's pages read
its last report. "Collect now" on the sources page wakes it early.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from mediadigest import run, store
from mediadigest.config import Settings
from mediadigest.errors import StoreError
from mediadigest.model import Source

log = logging.getLogger(__name__)


@dataclass(slots=True)
class LastRun:
    started: datetime
    finished: datetime | None = None
    summary: str = "running"
    errors: int = 0


def collect_once(engine: sa.Engine, settings: Settings, every: timedelta | None) -> run.RunReport:
    """Fetch every stored source once (the scheduled job); sources are re-read each time."""
    with engine.connect() as conn:
        rows = store.list_sources(conn)
    sources = [Source(r["url"], r["kind"], r["title"], r["id"]) for r in rows]
    options = {"interval": every} if every is not None else {}
    with run.fetcher_for(settings) as fetcher:
        return run.collect(engine, settings.profile, sources, fetcher, **options)


class Collector:
    """Runs ``job`` every ``every`` (first run right away) until stopped; ``wake`` runs it now."""

    def __init__(self, job: Callable[[], run.RunReport], every: timedelta | None) -> None:
        self.job = job
        self.every = every
        self.last: LastRun | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._running = threading.Lock()

    @property
    def scheduled(self) -> bool:
        return self.every is not None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="collector", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def wake(self) -> None:
        """Collect now (from the thread, so the request that asked returns at once)."""
        self.start()
        self._wake.set()

    def _loop(self) -> None:
        if self.every is None:
            self._wake.wait()
        while not self._stop.is_set():
            self._wake.clear()
            self.run_once()
            timeout = self.every.total_seconds() if self.every else None
            self._wake.wait(timeout)

    def run_once(self) -> None:
        if not self._running.acquire(blocking=False):
            return  # one run at a time; the one in progress covers this request
        try:
            self.last = LastRun(started=store.utcnow())
            report = self.job()
            self.last.summary = report.summary()
            self.last.errors = len(report.errors)
        except StoreError as exc:  # run.collect's own line: the store gone away, or damaged
            log.error("scheduled collection failed: %s", exc)
            if self.last is not None:
                self.last.summary = f"failed: {exc}"
        except Exception as exc:  # keep the schedule alive whatever one run hit
            reason = store.unavailable_reason(exc)
            if reason is None:
                log.exception("scheduled collection failed")
            else:  # an outage: one line a run, not a traceback (the next run tries again)
                log.error("scheduled collection failed: the store is unavailable (%s)", reason)
            if self.last is not None:
                self.last.summary = f"failed: {reason or exc}"
        finally:
            if self.last is not None:
                self.last.finished = store.utcnow()
            self._running.release()
