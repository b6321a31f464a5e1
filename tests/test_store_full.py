"""A full disk under a SQLite store: every command says so in the same words, naming the
folder to free space in, the store, and what its -wal holds there."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from mediadigest import store
from mediadigest.run.writer import unavailable
from mediadigest.store.engine import full_disk, no_space, out_of_space


def _full_store(path: Path) -> sa.exc.OperationalError:
    """What SQLite raises when a write finds no room: SQLITE_FULL, provoked in-process by
    holding the connection's file to the pages it has (a real full disk needs a mount)."""
    engine = store.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE blobs (b BLOB)")
    with pytest.raises(sa.exc.OperationalError) as raised, engine.begin() as conn:
        (pages,) = conn.exec_driver_sql("PRAGMA page_count").one()
        conn.exec_driver_sql(f"PRAGMA max_page_count = {pages}")
        conn.exec_driver_sql("INSERT INTO blobs VALUES (randomblob(1000000))")
    engine.dispose()
    return raised.value


def test_a_write_finding_no_room_names_the_folder_the_store_and_its_wal(tmp_path: Path):
    """ingest and collect said "the store is unavailable (database or disk is full)", as if a
    server were down, and named neither the store nor the -wal that took the room."""
    error = _full_store(tmp_path / "s.db")
    said = full_disk(error)
    assert said is not None and "database or disk is full" in str(error.orig)
    assert said.startswith(
        f"no space left on device in {tmp_path}, the folder of the store sqlite:///{tmp_path}/s.db"
        " (its -wal holds "
    )
    assert said.endswith(": free some space there and run the command again")


def test_a_full_disk_is_said_in_the_same_words_by_every_command(tmp_path: Path):
    """import, digest, publish and db optimize said "the store cannot be used: database or
    disk is full"; ingest and collect "the store is unavailable (...)"."""
    error = _full_store(tmp_path / "s.db")
    assert unavailable(error) == full_disk(error)  # ingest, collect
    main = subprocess.run(
        [sys.executable, "-c", _MAIN_SAYS, str(tmp_path / "s.db")],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert main.returncode == 1
    said = " ".join(main.stderr.split())
    assert said.startswith(
        f"error: no space left on device in {tmp_path}, the folder of the store "
        f"sqlite:///{tmp_path}/s.db"
    )  # its -wal: the open store's, empty here (the first writer removed it as it closed)
    assert said.endswith(": free some space there and run the command again")


# The CLI's last resort for a store failing under any command (import, digest, publish, ...),
# with the store's write failing for want of room as above.
_MAIN_SAYS = """
import sys
import sqlalchemy as sa
from mediadigest import cli, store
from mediadigest.cli import app

def full(**_):
    engine = store.create_engine(f"sqlite:///{sys.argv[1]}")
    with engine.begin() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
        conn.exec_driver_sql(f"PRAGMA max_page_count = {pages}")
        conn.exec_driver_sql("INSERT INTO blobs VALUES (randomblob(1000000))")

cli.app = full
cli.main()
"""


def test_a_disk_io_error_with_no_room_left_is_a_full_disk(tmp_path: Path):
    """At 0 bytes free SQLite cannot make a store's -shm and says "disk I/O error", which
    every command, those that only read too, passed on as if the disk were failing."""
    io_error = sqlite3.OperationalError("disk I/O error")
    no_room = sa.make_url("sqlite:////proc/self/s.db")  # a file system with no free blocks
    assert out_of_space(io_error, no_room)
    assert no_space(no_room).startswith("no space left on device in /proc/self, the folder ")
    assert not out_of_space(io_error, sa.make_url(f"sqlite:///{tmp_path}/s.db"))


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 2 MB file system of its own (tmpfs): root only, and not in every container."""
    folder = tmp_path / "small"
    folder.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a tmpfs needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder)],
        capture_output=True, check=False,
    )  # fmt: skip
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_a_store_on_a_full_disk_says_where_to_free_space_even_to_a_command_that_reads(
    small_disk: Path, tmp_path: Path
):
    made = tmp_path / "made.db"
    store.open_store(f"sqlite:///{made}").dispose()
    shutil.copy(made, small_disk / "s.db")
    with open(small_disk / "fill", "wb") as fill, pytest.raises(OSError):
        while True:
            fill.write(b"\0" * 65536)
            fill.flush()
    url = f"sqlite:///{small_disk}/s.db"
    done = subprocess.run(
        [sys.executable, "-m", "mediadigest", "--db", url, "articles"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert " ".join(done.stderr.split()) == (
        f"error: no space left on device in {small_disk}, the folder of the store {url}: free "
        "some space there and run the command again"
    )
