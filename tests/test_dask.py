"""Executors: a local Dask cluster of 2 workers stores exactly what the in-process run stores."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import warnings

import dask
import pytest
from distributed import LocalCluster

from mediadigest import run, store
from mediadigest.errors import ConfigError
from mediadigest.profile import load_profile
from mediadigest.run import executors
from mediadigest.run.executors import InlineExecutor, executor_for
from test_ingest_archives import snapshot
from warc_files import FIXTURES, mixed_pages, write_warc


def test_dask_cluster_with_two_workers_gives_the_same_store_as_one_process(tmp_path):
    profile = load_profile("kazakhstan")
    archive = write_warc(tmp_path / "crawl.warc.gz", mixed_pages(filler=40, every=3))
    inputs = [archive, FIXTURES / "files"]
    alone = store.open_store(f"sqlite:///{tmp_path / 'alone.db'}")
    cluster = store.open_store(f"sqlite:///{tmp_path / 'cluster.db'}")
    first = run.ingest(alone, profile, inputs, workers=0, shard_size=8_000)
    second = run.ingest(cluster, profile, inputs, workers=2, shard_size=8_000)
    assert snapshot(cluster) == snapshot(alone)
    assert (second.records, second.prefiltered, second.errors) == (
        first.records, first.prefiltered, first.errors)  # fmt: skip


def test_ingest_on_a_local_cluster_prints_its_summary_not_the_clusters_log(tmp_path):
    archive = write_warc(tmp_path / "crawl.warc.gz", mixed_pages(filler=4, every=2))
    command = [sys.executable, "-m", "mediadigest", "--db", f"sqlite:///{tmp_path / 's.db'}",
               "ingest", "--workers", "1", str(archive)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert "archive records" in done.stderr  # the summary
    assert "distributed" not in done.stderr  # Dask logged thirty INFO lines here


def test_two_local_clusters_at_once_do_not_compete_for_a_port():
    # e.g. two ingests with --workers; Dask warned that port 8787 was taken.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with executor_for(1) as (first, _, _), executor_for(1) as (second, _, _):
            assert first.submit(os.getpid).result() != second.submit(os.getpid).result()
    assert [str(w.message) for w in caught if "in use" in str(w.message)] == []


def test_local_workers_keep_malloc_thresholds_and_run_no_profiler():
    """Dask's MALLOC_TRIM_THRESHOLD_ made every large buffer an mmap: 40% more CPU a task."""
    with executor_for(1) as (executor, _, slots):
        assert slots == 1
        assert executor.submit(os.environ.get, "MALLOC_TRIM_THRESHOLD_").result() is None
        assert executor.submit(os.environ.get, "OMP_NUM_THREADS").result() == "1"  # the rest stays
        # No sampling profiler taking the GIL from the tasks every 10 ms (there is no dashboard).
        assert executor.submit(_worker_profiler_on).result() is False
    assert dask.config.get("distributed.worker.profile.enabled") is True  # set for the cluster only


def _worker_profiler_on() -> bool:
    from distributed import get_worker

    worker = get_worker()
    return bool(dask.config.get("distributed.worker.profile.enabled")) or bool(
        worker.periodic_callbacks.get("profile")
    )


def test_zero_workers_runs_in_this_process():
    with executor_for(0) as (executor, share, slots):
        assert isinstance(executor, InlineExecutor) and slots == 1
        assert share("x") == "x"


def test_one_task_needs_no_pool():
    with executor_for(None, tasks=1) as (executor, _, _):
        assert isinstance(executor, InlineExecutor)


def test_a_scheduler_without_dask_installed_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if the extra were missing
    with (
        pytest.raises(ConfigError, match=r"pip install 'mediadigest\[dask\]'"),
        executor_for(None, "tcp://127.0.0.1:8786"),
    ):
        pass


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("address", ["nonsense", "tcp://127.0.0.1:{port}"])
def test_a_scheduler_that_cannot_be_reached_is_an_error_naming_it(monkeypatch, address):
    monkeypatch.setattr(executors, "SCHEDULER_TIMEOUT_S", 1.0)
    address = address.format(port=_free_port())  # nobody listens there
    with (
        pytest.raises(ConfigError, match=f"--scheduler {address}: cannot reach it"),
        executor_for(None, address),
    ):
        pass


def test_a_cluster_without_workers_is_an_error_saying_so(monkeypatch):
    monkeypatch.setattr(executors, "SCHEDULER_TIMEOUT_S", 1.0)
    with LocalCluster(
        n_workers=0, threads_per_worker=1, processes=False, dashboard_address=None,
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
    ) as cluster:  # fmt: skip
        with (
            pytest.raises(ConfigError, match="no worker joined in 1 s"),
            executor_for(None, cluster.scheduler_address),
        ):
            pass
        cluster.scale(1)  # and once one is there, the cluster is used
        cluster.wait_for_workers(1)
        with executor_for(None, cluster.scheduler_address) as (executor, _, slots):
            assert slots == 1 and executor.submit(sum, [1, 2]).result() == 3


def _count_uses(profile):
    profile.cache["uses"] = profile.cache.get("uses", 0) + 1
    return os.getpid(), profile.cache["uses"]


def test_pool_workers_unpickle_the_shared_profile_once(monkeypatch):
    """A pool pickles a task's arguments per task; the profile's caches must survive that."""
    monkeypatch.setitem(sys.modules, "distributed", None)  # the process pool, not Dask
    profile = load_profile("kazakhstan")
    with executor_for(2, tasks=8) as (executor, share, slots):
        assert slots == 2
        shared = share(profile)
        results = [executor.submit(_count_uses, shared).result() for _ in range(8)]
    per_worker: dict[int, list[int]] = {}
    for pid, uses in results:
        per_worker.setdefault(pid, []).append(uses)
    assert pid != os.getpid()
    assert all(uses == list(range(1, len(uses) + 1)) for uses in per_worker.values())
    assert max(len(uses) for uses in per_worker.values()) > 1
    assert "uses" not in profile.cache  # the writer's own copy is not the workers'


def test_a_result_for_a_cancelled_task_is_not_a_traceback(caplog):
    """A run stopped early cancels the tasks not begun; distributed then sets the result of
    one that finished meanwhile on its cancelled future, and tornado logged the error with a
    traceback beside the run's one-line message (seen once when the store went away)."""
    import logging
    from concurrent.futures import Future, InvalidStateError

    from mediadigest.run import executors

    executors.quiet_cancelled_results()
    executors.quiet_cancelled_results()  # idempotent: one filter
    tornado = logging.getLogger("tornado.application")
    assert sum(isinstance(f, executors._CancelledResult) for f in tornado.filters) == 1
    future: Future[int] = Future()
    future.cancel()
    with caplog.at_level(logging.ERROR, logger="tornado.application"):
        try:
            future.set_result(1)
        except InvalidStateError:
            tornado.exception("Exception in callback")
        try:
            raise ValueError("a real error")
        except ValueError:
            tornado.exception("Exception in callback")
    assert [r.exc_info[0] for r in caplog.records] == [ValueError]
