"""Who upgrades a store an older mediadigest left: any command a SQLite one (one user's file),
only `db upgrade` a PostgreSQL one (shared), and nothing a store opened read-only."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from mediadigest import store
from mediadigest.errors import StoreError
from mediadigest.model import Source
from mediadigest.store import engine as store_engine


def _left_at(url: str, revision: str) -> None:
    """The store as a mediadigest whose newest migration was ``revision`` left it."""
    engine = store.create_engine(url)
    with engine.begin() as conn:
        command.upgrade(store_engine._alembic_config(conn), revision)
    engine.dispose()


def _revision(url: str) -> str | None:
    engine = store.create_engine(url)
    try:
        return store.check(engine)[0]
    finally:
        engine.dispose()


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mediadigest", *args],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.parametrize("empty_url", ["postgresql"], indirect=True)
def test_a_shared_postgresql_store_behind_is_upgraded_only_by_db_upgrade(empty_url: str):
    """A newer mediadigest run for `articles` migrated production under every older process."""
    _left_at(empty_url, "0007")
    with pytest.raises(StoreError) as raised:
        store.open_store(empty_url)
    said = str(raised.value)
    assert f"is at schema revision 0007, behind this mediadigest's {store_engine.HEAD}" in said
    assert "upgraded only by `mediadigest db upgrade`" in said
    assert _revision(empty_url) == "0007"
    done = _cli("--db", empty_url, "articles")
    assert done.returncode == 1 and done.stderr.count("\n") == 1, done.stderr
    assert "behind this mediadigest's" in done.stderr
    assert _cli("--db", empty_url, "db", "upgrade").returncode == 0
    assert _revision(empty_url) == store_engine.HEAD
    store.open_store(empty_url).dispose()


def test_a_sqlite_store_behind_is_upgraded_by_any_command(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 's.db'}"
    _left_at(url, "0007")
    done = _cli("--db", url, "articles")
    assert done.returncode == 0, done.stderr
    assert _revision(url) == store_engine.HEAD


def test_a_snapshot_opened_read_only_behind_is_refused_not_migrated(tmp_path: Path):
    path = tmp_path / "s.db"
    _left_at(f"sqlite:///{path}", "0007")
    with pytest.raises(StoreError, match=r"behind this mediadigest's \d+, and opened read-only"):
        store.open_store(f"sqlite:///file:{path}?mode=ro&immutable=1&uri=true")
    assert _revision(f"sqlite:///{path}") == "0007"


def test_db_check_of_a_snapshot_behind_says_to_upgrade_a_writable_copy(tmp_path: Path):
    """It named `mediadigest --db '...mode=ro&immutable=1...' db upgrade`, which then failed:
    "attempt to write a readonly database"."""
    path = tmp_path / "s.db"
    _left_at(f"sqlite:///{path}", "0007")
    done = _cli("--db", f"sqlite:///file:{path}?mode=ro&immutable=1&uri=true", "db", "check")
    assert done.returncode == 1
    assert "opens it read-only: upgrade a writable copy with `db upgrade`" in done.stderr
    assert "immutable=1&uri=true' db upgrade" not in done.stderr


def test_sources_stored_before_folders_keep_their_seen_items_and_stand_at_the_top(
    empty_url: str,
):
    """Migration 0011 adds `sources.folder`: every source of an older store is at the top of
    the list, and what was collected from it is still known (a copy of the table would have
    dropped the seen items with it)."""
    _left_at(empty_url, "0010")
    engine = store.create_engine(empty_url)
    with engine.begin() as conn:
        conn.execute(
            sa.text("INSERT INTO sources (url, kind, added_at) VALUES (:u, 'feed', :t)"),
            {"u": "https://a.example/rss", "t": store.utcnow()},
        )
        conn.execute(
            sa.text("INSERT INTO seen_items VALUES (1, 'item-1', :t)"), {"t": store.utcnow()}
        )
    store.migrate(engine)
    with engine.begin() as conn:
        (row,) = store.list_sources(conn)
        assert row["folder"] is None and store.seen_keys(conn, row["id"]) == {"item-1"}
        store.add_sources(conn, [Source("https://a.example/rss", folder="Russia")])
        assert store.list_sources(conn)[0]["folder"] == "Russia"
    engine.dispose()
    assert _revision(empty_url) == store_engine.HEAD


def test_a_sqlite_store_left_at_each_older_revision_is_upgraded_whole(tmp_path: Path):
    """The upgrade runs in one exclusive transaction now: every step of every older store
    still runs in it (SQLite ignores some statements inside a transaction)."""
    for revision in sorted(store_engine._REVISIONS - {store_engine.HEAD}):
        url = f"sqlite:///{tmp_path / f'at-{revision}.db'}"
        _left_at(url, revision)
        store.open_store(url).dispose()
        engine = store.create_engine(url)
        assert store.check(engine)[0] == store_engine.HEAD, revision
        assert not store.missing_tables(engine), revision
        engine.dispose()


@pytest.mark.parametrize("query", ["mode=ro", "mode=ro&immutable=1"])
def test_db_upgrade_of_a_current_store_opened_read_only_says_it_is_current(
    tmp_path: Path, query: str
):
    """Nothing to migrate, so nothing to lock: the lock is a write."""
    path = tmp_path / "s.db"
    store.open_store(f"sqlite:///{path}").dispose()
    done = _cli("--db", f"sqlite:///file:{path}?{query}&uri=true", "db", "upgrade")
    assert done.returncode == 0, done.stderr
    assert f"store at revision {store_engine.HEAD}" in done.stderr


def _migrating(path: Path) -> str | None:
    """What a probe sees of a process migrating the SQLite store: "tables" once it committed
    one of mediadigest's (Alembic's own comes first), "locked" while it holds the write lock."""
    if not path.exists():
        return None
    probe = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        tables = (
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name <> 'alembic_version'"
        )
        if probe.execute(tables).fetchone()[0]:
            return "tables"
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return None
    except sqlite3.OperationalError:  # "database is locked"
        return "locked"
    finally:
        probe.close()


def test_a_first_upgrade_killed_halfway_leaves_a_new_store_that_the_next_command_makes(
    tmp_path: Path,
):
    """SQLite ran each CREATE TABLE of a first migration as a commit of its own: a process
    killed among them left part of a schema that every command then refused ("a first `db
    upgrade` was interrupted ... delete the file"). Now the schema is made whole or not at all."""
    path = tmp_path / "s.db"
    upgrade = subprocess.Popen(
        [sys.executable, "-m", "mediadigest", "--db", f"sqlite:///{path}", "db", "upgrade"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    # Killed once a table is there, or once the lock has been held for 0.1 s: the migration
    # is under way (setting up WAL takes the lock for an instant).
    locked_since, deadline = None, time.monotonic() + 60
    while upgrade.poll() is None and time.monotonic() < deadline:
        seen, now = _migrating(path), time.monotonic()
        locked_since = (locked_since or now) if seen == "locked" else None
        if seen == "tables" or (locked_since and now - locked_since > 0.1):
            break
        time.sleep(0.001)
    upgrade.kill()
    _, said = upgrade.communicate()
    # What it said, where it ended by itself: it did once in a clean-clone CI run (exit 1).
    assert upgrade.returncode == -signal.SIGKILL, f"the upgrade ended before it was killed: {said}"
    done = _cli("--db", f"sqlite:///{path}", "db", "upgrade")
    assert done.returncode == 0, done.stderr
    assert _revision(f"sqlite:///{path}") == store_engine.HEAD
