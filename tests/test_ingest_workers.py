"""Local workers leave Ctrl-C to the ingest's own process, whoever sets them up.

Ctrl-C in a terminal signals the whole process group; a pool worker it killed broke the pool
(and Python 3.11's pool hung on shutdown). The workers ignored it only because ingest's setup
function said so: any other use of the executors got workers that died of it.
"""

from __future__ import annotations

import os
import signal
import sys

import pytest

from mediadigest.errors import WorkersLost
from mediadigest.run.executors import executor_for, ordered_map


def _sigint_ignored() -> bool:
    return signal.getsignal(signal.SIGINT) == signal.SIG_IGN


def test_pool_workers_ignore_sigint_without_being_told(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # the process pool, not Dask
    with executor_for(2, tasks=4) as (executor, _, slots):
        assert slots == 2
        assert all(executor.submit(_sigint_ignored).result() for _ in range(4))


def test_local_dask_workers_ignore_sigint_without_being_told():
    pytest.importorskip("distributed")
    with executor_for(1) as (executor, _, _):
        assert executor.submit(_sigint_ignored).result()


def test_in_process_the_driver_keeps_its_ctrl_c(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    warmed = []
    with executor_for(2, tasks=1, setup=lambda: warmed.append(1)) as (executor, _, slots):
        assert slots == 1 and warmed == [1]  # set up here, in this process...
        assert executor.submit(signal.getsignal, signal.SIGINT).result() is (
            signal.default_int_handler  # ...and Ctrl-C still stops it
        )


def _die(n: int) -> int:
    os.kill(os.getpid(), signal.SIGKILL)  # as the OOM killer does
    return n


def test_a_pool_worker_killed_under_a_task_is_workers_lost_not_a_broken_pool(monkeypatch):
    """The ingest's caller says it in one line and that a re-run resumes (BrokenProcessPool
    came out as a traceback)."""
    monkeypatch.setitem(sys.modules, "distributed", None)
    with (
        pytest.raises(WorkersLost, match=r"^a worker process died \(killed, or out of memory\)$"),
        executor_for(2, tasks=2) as (executor, _, _),
    ):
        list(ordered_map(executor, _die, [1, 2], window=2))
