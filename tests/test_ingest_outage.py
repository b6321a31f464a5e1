"""`ingest` outlives its database going away: one line, whole pieces, and the same command resumes.

PostgreSQL stopped during `ingest --workers 2 archive.warc.gz` printed a 135-line traceback.
Now the run stops its workers and says on one line what happened and how many articles are
stored, that number being the rows in the store: a piece whose transaction the outage (or a
Ctrl-C that also reached the server) rolled back is not counted ("interrupted: 149 articles
stored" over a store of 141).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator

from dbs import restart_cluster
from mediadigest import store
from mediadigest.cli import app
from mediadigest.store import collect_state
from warc_files import FILLER_WORDS, Page, write_warc

SHARD = "8K"  # about ten pages a piece


@pytest.fixture
def cluster(own_cluster):
    return own_cluster  # see tests/dbs.py


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    """Relevant wire reports, each its own article: the store's rows tell which were stored."""
    rng = random.Random(11)
    pages = []
    for n in range(600):
        title = f"Kazakhstan report {n}: " + " ".join(rng.choice(FILLER_WORDS) for _ in range(4))
        paras = "".join(
            "<p>" + " ".join(rng.choice(FILLER_WORDS) for _ in range(50))
            + f". Kazakhstan's ministry said so in report {n}.</p>"
            for _ in range(4)
        )  # fmt: skip
        html = (f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
                f"{paras}</article></body></html>")  # fmt: skip
        pages.append(Page(f"https://wire.example/{n}.html", html.encode()))
    return write_warc(tmp_path_factory.mktemp("outage") / "wire.warc.gz", pages)


def _offsets(archive: Path) -> dict[str, int]:
    """Each page's URL and the byte its record starts at."""
    with archive.open("rb") as fh:
        records = ArchiveIterator(fh)
        return {r.rec_headers.get_header("WARC-Target-URI"): records.get_record_offset()
                for r in records if r.rec_type == "response"}  # fmt: skip


def _stored(url: str) -> tuple[set[str], tuple[int, bool] | None]:
    """The URLs of the stored articles, and the checkpoint's (position, done)."""
    engine = sa.create_engine(store.normalise_url(url))
    try:
        with engine.connect() as conn:
            urls = set(conn.execute(sa.text("SELECT url FROM articles")).scalars())
            row = conn.execute(sa.text("SELECT position, done FROM ingest_checkpoints")).first()
    finally:
        engine.dispose()
    return urls, (row[0], bool(row[1])) if row else None


def _checkpoint(url: str) -> tuple[int, bool] | None:
    try:
        return _stored(url)[1]
    except sa.exc.DBAPIError:  # the ingest has not created its tables yet
        return None


def _alive(proc: psutil.Process) -> bool:
    try:
        return proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_a_lost_database_ends_the_ingest_in_one_line_and_the_same_command_resumes(cluster, archive):
    url = cluster.create_database("crawl")
    command = [sys.executable, "-m", "mediadigest", "--db", url, "ingest", "--workers", "2",
               "--shard-size", SHARD, str(archive)]  # fmt: skip
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)  # fmt: skip
    workers: set[psutil.Process] = set()
    try:
        deadline = time.monotonic() + 180
        while not ((found := _checkpoint(url)) and found[0] > 0):
            assert proc.poll() is None, proc.communicate()[1]
            assert time.monotonic() < deadline, "no checkpoint appeared"
            workers |= set(psutil.Process(proc.pid).children(recursive=True))
            time.sleep(0.01)
        assert not found[1], "the ingest was done before the database could go away"
        workers |= set(psutil.Process(proc.pid).children(recursive=True))
        cluster.stop(remove=False)  # fast: the server ends every session, mid-transaction or not
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 1, err
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if not line.startswith("ingesting: ")]
    assert len(lines) == 1, err  # what else was said, where a test run once found more
    (line,) = lines
    restart_cluster(cluster)
    urls, (position, done) = _stored(url)
    noun = "article" if len(urls) == 1 else "articles"
    assert line.startswith("error: the store is unavailable (")
    assert line.endswith(f"); {len(urls)} {noun} stored; run the same command again to resume")
    # Whole pieces only: exactly the pages before the checkpoint, each piece being a transaction.
    offsets = _offsets(archive)
    assert not done and urls == {u for u, at in offsets.items() if at < position}
    deadline = time.monotonic() + 10  # the Dask cluster's nannies and workers are gone
    while any(map(_alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert workers and [w.pid for w in workers if _alive(w)] == []

    # The same command (in this process, with no cluster: a second one takes seconds to start).
    done_again = CliRunner().invoke(app, [*command[3:7], "0", *command[8:]])
    assert done_again.exit_code == 0, done_again.stderr
    assert done_again.stderr.startswith(f"resuming {archive} at byte {position:,} (")
    assert _stored(url) == (set(offsets), (archive.stat().st_size, True))


def test_the_articles_said_stored_after_a_ctrl_c_are_the_rows_in_the_store(
    cluster, archive, monkeypatch
):
    """A Ctrl-C that also reached the server (one started from the same terminal) rolled back
    the piece being stored, and its articles were counted all the same."""
    url = cluster.create_database("crawl")
    save = collect_state.save_checkpoint
    calls = []

    def ctrl_c_on_the_third_piece(conn: sa.Connection, cp: collect_state.Checkpoint) -> None:
        calls.append(cp)
        if len(calls) == 3:  # inside the piece's transaction, its articles written
            signal.raise_signal(signal.SIGINT)  # held back until the pieces are stored
            cluster.stop(remove=False)  # the server's own SIGINT: a fast shutdown
        save(conn, cp)

    monkeypatch.setattr(collect_state, "save_checkpoint", ctrl_c_on_the_third_piece)
    done = CliRunner().invoke(
        app, ["--db", url, "ingest", "--workers", "0", "--shard-size", SHARD, str(archive)]
    )
    assert done.exit_code == 130, done.stderr
    restart_cluster(cluster)
    urls, (position, _) = _stored(url)
    assert position == calls[1].position and len(urls) > 0
    last = done.stderr.strip().splitlines()[-1]
    assert last == f"interrupted: {len(urls)} articles stored; run the same command again to resume"
