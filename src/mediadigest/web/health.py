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

from mediadigest.store import unavailable_reason

log = logging.getLogger(__name__)

UNAVAILABLE = "The store is unavailable; try again in a minute."
RETRY_AFTER = 60  # seconds, as the message says


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
