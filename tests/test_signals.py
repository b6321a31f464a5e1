"""Stopping long commands: SIGTERM (`timeout`, systemd, `docker stop`, a batch scheduler) is the
same clean stop as Ctrl-C, and so is a Ctrl-C while a local Dask cluster is still starting.

Real processes and real signals: a stop said "interrupted: N articles stored", exited 130,
left no worker behind, and the same command again gives the store an uninterrupted run gives.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from typer.testing import CliRunner

from mediadigest import run, store
from mediadigest.cli import app
from mediadigest.profile import load_profile
from test_ingest_archives import snapshot
from test_resume import _progress
from warc_files import mixed_pages, write_warc

RESUME = "run the same command again to resume"


@pytest.fixture(scope="module")
def profile():
    return load_profile("kazakhstan")


def _command(db: Path, archive: Path, workers: str | None) -> list[str]:
    flags = ["--workers", workers] if workers is not None else []
    return [sys.executable, "-m", "mediadigest", "--db", f"sqlite:///{db}", "ingest",
            *flags, "--shard-size", "12K", str(archive)]  # fmt: skip


def _start(command: list[str]) -> subprocess.Popen[str]:
    # A session of its own: a process group to signal, as a terminal, `timeout` or systemd do.
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)  # fmt: skip


def _family(proc: subprocess.Popen[str]) -> list[psutil.Process]:
    try:
        return psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def _alive(proc: psutil.Process) -> bool:
    try:
        return proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _ended(proc: subprocess.Popen[str], children: list[psutil.Process]) -> str:
    """stderr once the command has ended and its workers with it; killed if it hangs."""
    try:
        _, err = proc.communicate(timeout=90)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    deadline = time.monotonic() + 10
    while any(map(_alive, children)) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [c.pid for c in children if _alive(c)]
    for child in children:
        if _alive(child):
            child.kill()
    assert left == [], f"workers left running after the stop: {left}\n{err}"
    return err


# -- SIGTERM during an ingest --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("workers", "to_group"),
    [("0", False), (None, True)],
    ids=["in-process, signalled alone (docker stop)", "process pool, and its group (timeout)"],
)
def test_sigterm_stops_an_ingest_as_ctrl_c_does_and_the_same_command_resumes(
    tmp_path, profile, workers, to_group
):
    archive = write_warc(tmp_path / "crawl.warc.gz", mixed_pages(filler=150, every=3, copies=3))
    reference = store.open_store(f"sqlite:///{tmp_path / 'reference.db'}")
    run.ingest(reference, profile, [archive])
    db = tmp_path / "s.db"
    proc = _start(_command(db, archive, workers))
    children: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 120
        while not ((found := _progress(db)) and found[0] > 0):
            assert proc.poll() is None, f"the ingest ended before it could be stopped: {proc}"
            assert time.monotonic() < deadline, "no checkpoint appeared"
            time.sleep(0.01)
        assert not found[1]
        children = _family(proc)
        os.kill(proc.pid, signal.SIGTERM)
        if to_group:  # as `timeout` does: the command, then its whole process group
            os.killpg(proc.pid, signal.SIGTERM)
    finally:
        err = _ended(proc, children)
    # It was killed without a word (exit -15 here, 143 in a shell).
    assert proc.returncode == 130, err
    assert "Traceback" not in err, err
    stored = len(snapshot(store.create_engine(f"sqlite:///{db}"))["articles"])
    noun = "article" if stored == 1 else "articles"
    assert err.strip().splitlines()[-1] == f"interrupted: {stored} {noun} stored; {RESUME}"
    position = _progress(db)
    assert position is not None and not position[1]

    done = CliRunner().invoke(app, _command(db, archive, "0")[3:])
    assert done.exit_code == 0, done.stderr
    assert done.stderr.startswith(f"resuming {archive} at byte {position[0]:,} (")
    assert snapshot(store.create_engine(f"sqlite:///{db}")) == snapshot(reference)


# -- Ctrl-C while a local Dask cluster starts --------------------------------------------------


def _spawned_workers(proc: subprocess.Popen[str]) -> list[psutil.Process]:
    """The processes Dask's nannies spawn (multiprocessing's resource tracker is not one)."""
    found = []
    for child in _family(proc):
        try:
            line = " ".join(child.cmdline())
        except psutil.Error:
            continue
        if "spawn_main" in line:
            found.append(child)
    return found


@pytest.mark.parametrize("after", [0.0, 1.0], ids=["as workers spawn", "a second later"])
def test_ctrl_c_while_a_local_cluster_starts_is_a_clean_stop_in_one_line(tmp_path, after):
    pytest.importorskip("distributed")
    archive = write_warc(tmp_path / "crawl.warc.gz", mixed_pages(filler=40, every=3))
    proc = _start(_command(tmp_path / "s.db", archive, "2"))
    children: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 120
        while not _spawned_workers(proc):  # the cluster is starting: its workers import Dask
            assert proc.poll() is None, "the ingest ended before its cluster was seen"
            assert time.monotonic() < deadline, "no Dask worker appeared"
            time.sleep(0.01)
        time.sleep(after)
        children = _family(proc)
        assert _progress(tmp_path / "s.db") is None  # nothing stored: still starting
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C: the terminal signals the whole group
    finally:
        err = _ended(proc, children)
    # Dask's workers died of it while importing, a traceback each, and the half-started
    # cluster could not be closed at exit (an AssertionError); or, busy setting up, they were
    # killed after 4 s with a warning each.
    assert proc.returncode == 130, err
    assert err == f"interrupted: 0 articles stored; {RESUME}\n"


def test_a_local_workers_lost_scheduler_at_the_end_is_not_printed():
    """The heartbeat that fails as the driver's scheduler closes was an ERROR with a
    traceback below the run's one line (seen once in a full run, Ctrl-C as workers spawned)."""
    import logging

    from mediadigest.run.executors import _SchedulerGone

    def record(message: str) -> logging.LogRecord:
        error = logging.ERROR
        return logging.LogRecord("distributed.worker", error, __file__, 1, message, (), None)

    gone = _SchedulerGone()
    assert not gone.filter(record("Failed to communicate with scheduler during heartbeat."))
    assert gone.filter(record("Compute Failed"))  # a worker's other errors still show
