"""Whether the store answers: the 503 the pages give while it does not, and ``/healthz``.

A PostgreSQL restart or a network blip makes every request that reads the store fail. The
app says so (503, "try again in a minute") and logs the outage once, on one line, and once
more when a statement runs again: a traceback per request buried the one line that mattered.
The pool (``pool_pre_ping``) reconnects by itself once the server is back.
"""

from __future__ import annotations

import logging
import threading
import time

import sqlalchemy as sa

log = logging.getLogger(__name__)

UNAVAILABLE = "The store is unavailable; try again in a minute."
RETRY_AFTER = 60  # seconds, as the message says
# SQLite's operational errors that are the database being out of reach, not a wrong query
# ("no such table" is a bug, and keeps its traceback).
_SQLITE_UNAVAILABLE = ("locked", "busy", "unable to open", "disk i/o")


def unavailable_reason(exc: BaseException) -> str | None:
    """Why the store cannot be used, on one line, if ``exc`` says it is out of reach (the
    server is down, restarting, unreachable, or the pool is exhausted); None otherwise."""
    if isinstance(exc, sa.exc.TimeoutError):
        return str(exc).splitlines()[0]
    if not isinstance(exc, sa.exc.OperationalError | sa.exc.InterfaceError):
        return None
    orig = getattr(exc, "orig", None) or exc
    # libpq's message runs over several lines; SQLAlchemy's adds the SQL and a link.
    reason = "; ".join(line.strip() for line in str(orig).splitlines() if line.strip())
    if type(orig).__module__.startswith("sqlite3") and not any(
        word in reason.lower() for word in _SQLITE_UNAVAILABLE
    ):
        return None
    return reason or type(orig).__name__


class StoreWatch:
    """Logs an outage of the store once when it starts and once when it ends.

    It ends when any statement completes again (``after_cursor_execute`` on the engine), so
    the line comes whichever request or health check first gets through.
    """

    def __init__(self, engine: sa.Engine) -> None:
        self._since: float | None = None
        self._lock = threading.Lock()
        sa.event.listen(engine, "after_cursor_execute", self._executed)

    @property
    def down(self) -> bool:
        return self._since is not None

    def failed(self, reason: str) -> None:
        with self._lock:
            if self._since is not None:
                return
            self._since = time.monotonic()
        log.error("the store is unavailable (%s); answering 503 until it is back", reason)

    def _executed(self, *_args: object) -> None:
        if self._since is None:  # the common case: no lock, one attribute read
            return
        with self._lock:
            if self._since is None:
                return
            lasted, self._since = time.monotonic() - self._since, None
        log.warning("the store is back after %.0f s", lasted)


def check(engine: sa.Engine, watch: StoreWatch) -> str | None:
    """Why the store cannot run a trivial query now, or None if it can (``/healthz``)."""
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except sa.exc.SQLAlchemyError as exc:
        reason = unavailable_reason(exc) or str(exc).splitlines()[0]
        watch.failed(reason)
        return reason
    return None
