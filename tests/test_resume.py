"""Resumable ingest: kill -9 a real ingest midway, run the same command, get the same store."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from mediadigest import run, store
from mediadigest.cli import app
from mediadigest.profile import load_profile
from test_ingest_archives import snapshot
from warc_files import mixed_pages, write_warc


def _command(db: Path, archive: Path) -> list[str]:
    return [sys.executable, "-m", "mediadigest", "--db", f"sqlite:///{db}", "ingest",
            "--workers", "0", "--shard-size", "12K", str(archive)]  # fmt: skip


def _progress(db: Path) -> tuple[int, bool] | None:
    """(position, done) of the archive's checkpoint, once there is one."""
    if not db.exists():
        return None
    engine = sa.create_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            row = conn.execute(sa.text("SELECT position, done FROM ingest_checkpoints")).first()
    except sa.exc.OperationalError:  # tables not created yet
        return None
    finally:
        engine.dispose()
    return (row[0], bool(row[1])) if row else None


def _kill_midway(db: Path, archive: Path, tries: int = 3) -> int:
    """Start the ingest and SIGKILL it once a checkpoint is stored and the archive not done;
    where it ran to the end between two looks, start again on a new store."""
    for _ in range(tries):
        for stale in (db, db.with_name(f"{db.name}-wal"), db.with_name(f"{db.name}-shm")):
            stale.unlink(missing_ok=True)
        log = db.with_suffix(".stderr")
        with log.open("wb") as err:
            proc = subprocess.Popen(_command(db, archive), stdout=subprocess.DEVNULL, stderr=err)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                found = _progress(db)
                if found and found[0] > 0 and not found[1]:
                    os.kill(proc.pid, signal.SIGKILL)
                    proc.wait()
                    return found[0]
                if proc.poll() is not None:
                    break
                time.sleep(0.01)
            else:
                pytest.fail("no checkpoint appeared")
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        if proc.returncode != 0:  # an error, not a race: say which
            pytest.fail(f"the ingest failed (exit {proc.returncode}): "
                        f"{log.read_text(errors='replace')[-2000:]}")  # fmt: skip
    pytest.fail(f"the ingest ran to the end before it could be killed, {tries} times")


def test_ingest_killed_midway_resumes_to_the_same_store(tmp_path):
    archive = write_warc(tmp_path / "crawl.warc.gz", mixed_pages(filler=60, every=4, copies=2))
    reference = store.open_store(f"sqlite:///{tmp_path / 'reference.db'}")
    run.ingest(reference, load_profile("kazakhstan"), [archive])

    db = tmp_path / "killed.db"
    position = _kill_midway(db, archive)
    assert 0 < position < archive.stat().st_size
    partial = snapshot(store.create_engine(f"sqlite:///{db}"))
    assert partial["articles"] != snapshot(reference)["articles"]  # it really was cut short

    # The same command again (in this process: a second interpreter start costs seconds).
    done = CliRunner().invoke(app, _command(db, archive)[3:])
    assert done.exit_code == 0, done.stderr
    assert snapshot(store.create_engine(f"sqlite:///{db}")) == snapshot(reference)
    assert _progress(db) == (archive.stat().st_size, True)


def test_ingest_killed_midway_of_an_archive_still_growing_reads_on_from_its_checkpoint(tmp_path):
    """A crawler still appending to its WARC: the next run read it again from byte 0."""
    pages = mixed_pages(filler=60, every=4, copies=2)
    archive = write_warc(tmp_path / "crawl.warc.gz", pages[:-20])
    db = tmp_path / "killed.db"
    position = _kill_midway(db, archive)
    more = write_warc(tmp_path / "more.warc.gz", pages[-20:])
    with archive.open("ab") as fh:  # the crawler writes on
        fh.write(more.read_bytes())

    done = CliRunner().invoke(app, _command(db, archive)[3:])
    assert done.exit_code == 0, done.stderr
    share = position * 100 // archive.stat().st_size
    assert done.stderr.splitlines()[0] == (
        f"resuming {archive} at byte {position:,} ({share}%), from an earlier run's checkpoint"
    )
    reference = store.open_store(f"sqlite:///{tmp_path / 'reference.db'}")
    run.ingest(reference, load_profile("kazakhstan"), [archive])
    assert snapshot(store.create_engine(f"sqlite:///{db}")) == snapshot(reference)
    assert _progress(db) == (archive.stat().st_size, True)
