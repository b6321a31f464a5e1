"""Stopping a one-shot `collect` or `run`: Ctrl-C and SIGTERM (cron's `timeout`, systemd) stop it
as they stop `ingest` and `collect --watch`, in one line, exit 130, and the same command resumes.

Real processes, real signals, a real HTTP server: SIGTERM killed both without a word (exit 143),
Ctrl-C exited 130 with nothing said.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from mediadigest import store
from test_end_to_end import Cli
from test_ingest_archives import snapshot

RESUME = "run the same command again to resume"
# A second between two requests to the site: the feed's four pages take seconds, so that a
# stop lands midway, after some articles are stored and before the others.
SLOW = {"MEDIADIGEST_HOST_DELAY": "1"}


def _articles(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM articles").fetchone()[0]


def _stopped(db: Path, command: list[str], sig: signal.Signals) -> tuple[int, str, str]:
    """Start ``command`` on ``db``; once it has stored an article, send ``sig``."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "mediadigest", "--db", f"sqlite:///{db}", *command],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, **SLOW},
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while not (db.exists() and _stored_any(db)):
            assert proc.poll() is None, f"it ended before it could be stopped: {proc.stderr}"
            assert time.monotonic() < deadline, "no article was stored"
            time.sleep(0.02)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode, out, err


def _stored_any(db: Path) -> bool:
    try:
        return _articles(db) > 0
    except sqlite3.OperationalError:  # the schema is not there yet, or the store is busy
        return False


@pytest.fixture(scope="module")
def sources(site) -> list[str]:
    return [site.url("/feeds/central-asia.xml")]


@pytest.fixture(scope="module")
def reference(sources: list[str], tmp_path_factory: pytest.TempPathFactory) -> sa.Engine:
    """The store an uninterrupted `collect` of ``sources`` makes."""
    with pytest.MonkeyPatch.context() as env:  # the autouse fixture is per test
        env.setenv("MEDIADIGEST_ALLOW_PRIVATE", "1")
        env.setenv("MEDIADIGEST_HOST_DELAY", "0")
        cli = Cli(tmp_path_factory.mktemp("reference") / "s.db")
        cli("sources", "add", *sources)
        cli("collect")
    return store.create_engine(cli.db)


@pytest.mark.parametrize(
    ("command", "sig"),
    [(["collect"], signal.SIGTERM), (["run"], signal.SIGINT)],
    ids=["collect SIGTERM", "run Ctrl-C"],
)
def test_a_stopped_collect_says_what_it_stored_exits_130_and_the_same_command_resumes(
    tmp_path: Path,
    sources: list[str],
    reference: sa.Engine,
    command: list[str],
    sig: signal.Signals,
):
    db = tmp_path / "s.db"
    cli = Cli(db)
    cli("sources", "add", *sources)

    code, out, err = _stopped(db, command, sig)

    assert code == 130, err
    assert "Traceback" not in err, err
    stored = _articles(db)
    noun = "article" if stored == 1 else "articles"
    assert err.strip().splitlines()[-1] == f"interrupted: {stored} {noun} stored; {RESUME}"
    assert out == ""  # `run` prints no digest of what it had not finished collecting
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert 0 < stored < len(snapshot(reference)["articles"])

    cli(*command)  # the same command again: the rest is collected, and grouped
    resumed = store.create_engine(cli.db)
    assert snapshot(resumed)["articles"] == snapshot(reference)["articles"]
    assert _stories(resumed) == _stories(reference) > 0


def _stories(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT count(*) FROM stories")).scalar_one()
