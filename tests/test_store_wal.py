"""The store's -wal after a command: written back and cut to nothing when the command wrote,
without waiting for (or failing) another process that has the store open."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

# A command that writes some 2 MB to the store and ends, as `collect` does.
_WRITER = """
import sys
from mediadigest.store import engine
store = engine.create_engine(sys.argv[1])
with store.begin() as conn:
    conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS blobs (b BLOB)")
    for _ in range(20):
        conn.exec_driver_sql("INSERT INTO blobs VALUES (randomblob(100000))")
"""


def _command_that_writes(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _WRITER, f"sqlite:///{path}"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.fixture
def served(tmp_path: Path):
    """A store that another process keeps open all along, as `serve` does: SQLite removes the
    -wal as the last connection closes, and that is this one's."""
    path = tmp_path / "s.db"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE kept (x)")
    yield path, conn
    conn.close()


def test_a_command_that_wrote_leaves_no_wal_behind_beside_a_store_kept_open(served):
    """Each collect left a -wal of its largest write beside a store `serve` had open (29 MB
    for 2.5 MB of articles), and the next ones reused it at that size."""
    path, reader = served
    done = _command_that_writes(path)
    assert done.returncode == 0, done.stderr
    assert Path(f"{path}-wal").stat().st_size == 0
    assert reader.execute("SELECT count(*) FROM blobs").fetchone() == (20,)


def test_the_checkpoint_neither_waits_for_nor_fails_a_reader_of_an_older_snapshot(served):
    path, reader = served
    reader.execute("BEGIN")
    assert reader.execute("SELECT count(*) FROM kept").fetchone() == (0,)  # its snapshot
    started = time.monotonic()
    done = _command_that_writes(path)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert time.monotonic() - started < 20  # no wait on the busy timeout (30 s)
    assert reader.execute("SELECT count(*) FROM kept").fetchone() == (0,)
    reader.execute("COMMIT")
    assert reader.execute("SELECT count(*) FROM blobs").fetchone() == (20,)
    assert Path(f"{path}-wal").stat().st_size > 0  # put off: the next command's to do


def test_a_command_that_only_read_leaves_the_wal_to_the_writer(served):
    path, reader = served
    reader.execute("INSERT INTO kept VALUES (1)")
    size = Path(f"{path}-wal").stat().st_size
    done = subprocess.run(
        [sys.executable, "-c", _READER, f"sqlite:///{path}"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0 and done.stdout == "1\n", done.stderr
    assert Path(f"{path}-wal").stat().st_size == size


_READER = """
import sys
from mediadigest.store import engine
store = engine.create_engine(sys.argv[1])
with store.connect() as conn:
    print(conn.exec_driver_sql("SELECT count(*) FROM kept").scalar())
"""
