"""Executors: a local Dask cluster of 2 workers stores exactly what the in-process run stores."""

from __future__ import annotations

import importlib
import os
import socket
import subprocess
import sys
import warnings
from pathlib import Path

import dask
import pytest
from distributed import LocalCluster
from typer.testing import CliRunner

from mediadigest import run, store
from mediadigest.cli import app as cli
from mediadigest.errors import ConfigError
from mediadigest.profile import load_profile
from mediadigest.run import executors
from mediadigest.run.executors import InlineExecutor, executor_for
from mediadigest.store import collect_state
from test_ingest_archives import snapshot
from warc_files import FIXTURES, mixed_pages, write_warc

run_ingest = importlib.import_module("mediadigest.run.ingest")  # `run.ingest` is the function


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


# -- an existing cluster: --scheduler ------------------------------------------------------------


def _in_process_cluster(threads: int = 1) -> LocalCluster:
    """A cluster of one worker in this process's threads: seconds faster to start."""
    return LocalCluster(
        n_workers=1, threads_per_worker=threads, processes=False, dashboard_address=None,
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
    )  # fmt: skip


def test_an_input_given_relative_is_read_by_workers_running_elsewhere(tmp_path, monkeypatch):
    """`ingest edge.warc.gz --scheduler ...` sent "edge.warc.gz" to workers started in
    another directory: a FileNotFoundError traceback."""
    profile = load_profile("kazakhstan")
    (tmp_path / "crawl").mkdir()
    archive = write_warc(tmp_path / "crawl" / "crawl.warc.gz", mixed_pages(filler=6, every=2))
    reference = run.ingest(store.open_store(f"sqlite:///{tmp_path / 'a.db'}"), profile, [archive])
    monkeypatch.chdir(tmp_path)  # the worker processes start here...
    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None,
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
    ) as cluster:  # fmt: skip
        monkeypatch.chdir(tmp_path / "crawl")  # ...and the ingest runs here
        engine = store.open_store(f"sqlite:///{tmp_path / 'b.db'}")
        report = run.ingest(engine, profile, [Path("crawl.warc.gz")],
                            scheduler=cluster.scheduler_address)  # fmt: skip
    assert report.errors == [] and report.relevant == reference.relevant > 0


def test_an_input_a_worker_cannot_read_is_one_error_naming_it_and_the_rest_is_stored(tmp_path):
    profile = load_profile("kazakhstan")
    gone = write_warc(tmp_path / "gone.warc.gz", mixed_pages(filler=4, every=2))
    kept = write_warc(tmp_path / "kept.warc.gz", mixed_pages(filler=4, every=2))
    engine = store.open_store(f"sqlite:///{tmp_path / 's.db'}")
    with _in_process_cluster() as cluster:
        # Planned here, then gone before a worker reads it (as on a worker without the file).
        report = run.ingest(engine, profile, [gone, kept], scheduler=cluster.scheduler_address,
                            planned=lambda _: gone.unlink())  # fmt: skip
        (worker,) = cluster.workers.values()
        address = worker.address
    assert report.errors == [f"{gone}: no such file or directory on the Dask worker at {address}"]
    assert report.relevant > 0 and {u for u, *_ in snapshot(engine)["articles"]}


def test_tasks_on_a_cluster_are_sized_by_its_threads(tmp_path, monkeypatch):
    """Always 64 MB on a cluster: an 11 MB archive was one task, one thread busy, and no
    checkpoint until the end."""
    monkeypatch.setattr(run_ingest, "MIN_SHARD_SIZE", 1)  # this archive is KBs, not MBs
    archive = write_warc(tmp_path / "crawl.warc.gz", mixed_pages(filler=60))
    engine = store.open_store(f"sqlite:///{tmp_path / 's.db'}")
    tasks: list[int] = []
    with _in_process_cluster(threads=2) as cluster:
        run.ingest(engine, load_profile("kazakhstan"), [archive],
                   scheduler=cluster.scheduler_address, progress=tasks.append)  # fmt: skip
    # About four a thread, as on local workers (gzip members decide where ranges end).
    assert 6 <= len(tasks) <= 10 and sum(tasks) == archive.stat().st_size


def test_a_cluster_that_loses_its_workers_ends_the_run_in_one_line_and_a_rerun_resumes(
    tmp_path, monkeypatch
):
    archive = write_warc(tmp_path / "crawl.warc.gz", mixed_pages(filler=60, every=2))
    db = f"sqlite:///{tmp_path / 's.db'}"
    save = collect_state.save_checkpoint
    with _in_process_cluster() as cluster:

        def worker_lost_after_the_second_piece(conn, cp):
            save(conn, cp)
            if cp.position and not hasattr(cluster, "lost"):
                cluster.lost = cp.position
                (worker,) = cluster.workers.values()
                cluster.sync(worker.close)  # its data too: the profile every task needs

        monkeypatch.setattr(collect_state, "save_checkpoint", worker_lost_after_the_second_piece)
        args = ["--db", db, "ingest", "--shard-size", "8K", str(archive)]
        done = CliRunner().invoke(cli, [*args, "--scheduler", cluster.scheduler_address])
    assert done.exit_code == 1, (done.stderr, done.exception)
    (line,) = [line for line in done.stderr.splitlines() if not line.startswith("ingesting")]
    stored = len(snapshot(store.open_store(db))["articles"])
    noun = "article" if stored == 1 else "articles"
    assert line == (f"error: the cluster lost its workers; {stored} {noun} stored; run the same "
                    "command again to resume")  # fmt: skip
    monkeypatch.setattr(collect_state, "save_checkpoint", save)
    again = CliRunner().invoke(cli, [*args, "--workers", "0"])
    assert again.exit_code == 0, again.stderr
    assert again.stderr.startswith(f"resuming {archive} at byte {cluster.lost:,} (")


@pytest.mark.parametrize(
    ("address", "said"),
    [("", "--scheduler needs an address (e.g. tcp://host:8786)"),
     ("  ", "--scheduler needs an address (e.g. tcp://host:8786)"),
     ("tcp://127.0.0.1:99999", "--scheduler tcp://127.0.0.1:99999: port 99999 is out of range "
      "(1-65535)"),
     ("127.0.0.1:notaport", "--scheduler 127.0.0.1:notaport: 'notaport' is not a port number"),
     ("tls://[::1]:87x6", "--scheduler tls://[::1]:87x6: '87x6' is not a port number")],
    ids=["empty", "blank", "port-out-of-range", "port-not-a-number", "ipv6-port-not-a-number"],
)  # fmt: skip
def test_a_scheduler_address_that_cannot_be_one_is_refused_before_anything_starts(
    tmp_path, address, said
):
    """An empty one was ignored (a local pool ran), port 99999 timed out after 10 s,
    "notaport" was an int() error."""
    db = tmp_path / "s.db"
    page = tmp_path / "p.html"
    page.write_text("<html><body><p>Kazakhstan</p></body></html>")
    done = CliRunner().invoke(cli, ["--db", f"sqlite:///{db}", "ingest", str(page),
                                    "--scheduler", address])  # fmt: skip
    assert isinstance(done.exception, ConfigError) and str(done.exception) == said
    assert not db.exists()  # refused before a store was made


@pytest.mark.parametrize("address", ["tcp://[::1]:8786", "tcp://[::1]", "host:8786", "::1",
                                     "inproc://192.0.2.1/1/2", "tcp://host:8786/"])  # fmt: skip
def test_a_scheduler_address_that_may_be_one_is_left_to_dask(address):
    executors.check_scheduler(address)
