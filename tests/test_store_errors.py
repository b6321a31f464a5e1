"""What a command says when the store fails under it: one line naming the reason."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from mediadigest import store
from mediadigest.errors import StoreError
from mediadigest.run.writer import unavailable


def _error(message: str) -> sa.exc.OperationalError:
    return sa.exc.OperationalError(
        "INSERT INTO articles (url) VALUES (?)", ("u",), sqlite3.OperationalError(message)
    )


def test_a_full_disk_is_the_store_out_of_reach_and_said_on_one_line():
    error = _error("database or disk is full")
    assert store.unavailable_reason(error) == "database or disk is full"
    assert unavailable(error) == "the store is unavailable (database or disk is full)"


def test_an_error_not_known_as_an_outage_is_said_on_one_line_without_the_sql():
    error = _error("attempt to write a readonly database")
    assert "\n" in str(error) and "INSERT" in str(error)  # SQLAlchemy's own text
    said = unavailable(error)
    assert said == "the store is unavailable (attempt to write a readonly database)"


def _tables(url: str) -> set[str]:
    engine = sa.create_engine(store.normalise_url(url))
    with engine.connect() as conn:
        names = set(sa.inspect(conn).get_table_names())
    engine.dispose()
    return names


def test_another_applications_database_is_refused_by_a_command_that_reads_and_left_alone(
    empty_url: str,
):
    """A mistyped --db in a cron line: `articles` exited 0 and added mediadigest's 28 tables
    to the other tool's file beside its own; only tables of mediadigest's names were refused."""
    with sa.create_engine(store.normalise_url(empty_url)).begin() as conn:
        conn.exec_driver_sql("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
        conn.exec_driver_sql("INSERT INTO invoices VALUES (1, 9.5)")
    done = subprocess.run(
        [sys.executable, "-m", "mediadigest", "--db", empty_url, "articles"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 1 and done.stderr.count("\n") == 1, done.stderr
    said = " ".join(done.stderr.split())
    assert f"{store.engine.shown_url(empty_url)} has no mediadigest schema but has tables " in said
    assert "(invoices): another application's database? Give mediadigest an empty" in said
    assert _tables(empty_url) == {"invoices"}


def test_a_database_of_many_tables_is_named_with_ten_of_them(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'crm.db'}"
    with sa.create_engine(url).begin() as conn:
        for n in range(12):
            conn.exec_driver_sql(f"CREATE TABLE t{n:02} (id INTEGER)")
    with pytest.raises(StoreError) as raised:
        store.open_store(url)
    assert "has tables (t00, t01, t02, t03, t04, t05, t06, t07, t08, t09 and 2 more)" in str(
        raised.value
    )
    assert len(_tables(url)) == 12


def test_a_first_upgrade_stopped_before_its_first_table_is_finished_by_the_next(empty_url: str):
    """Alembic makes its (empty) version table first: that alone is no other application's."""
    with sa.create_engine(store.normalise_url(empty_url)).begin() as conn:
        conn.exec_driver_sql("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
    store.open_store(empty_url).dispose()
    engine = store.create_engine(empty_url)
    assert store.check(engine)[0] == store.engine.HEAD and not store.missing_tables(engine)
    engine.dispose()


def test_db_check_refuses_another_applications_database_as_db_upgrade_does(empty_url: str):
    """`db check` said "the store has no schema yet: run ... db upgrade (safe to re-run)",
    and `db upgrade` then refused the file as another application's database."""
    with sa.create_engine(store.normalise_url(empty_url)).begin() as conn:
        conn.exec_driver_sql("CREATE TABLE users (id INTEGER)")
        conn.exec_driver_sql("CREATE TABLE sources (x INTEGER)")
    said = {}
    for command in ("check", "upgrade"):
        done = subprocess.run(
            [sys.executable, "-m", "mediadigest", "--db", empty_url, "db", command],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert done.returncode == 1 and done.stdout == "", done.stdout
        said[command] = " ".join(done.stderr.split())
    assert said["check"] == said["upgrade"]
    theirs = "has no mediadigest schema but already has tables of its names (sources, users)"
    assert theirs in said["check"]
    assert _tables(empty_url) == {"users", "sources"}


def test_a_store_path_naming_a_folder_says_it_is_one(tmp_path: Path):
    """`--db sqlite:///dbdir` said only "unable to open database file"."""
    done = subprocess.run(
        [sys.executable, "-m", "mediadigest", "--db", str(tmp_path), "articles"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert " ".join(done.stderr.split()) == (
        f"error: cannot open store sqlite:///{tmp_path}: unable to open database file "
        f"({tmp_path} is a folder; give the store's file, such as {tmp_path}/mediadigest.db)"
    )
    said = store.engine.not_writable(sa.make_url(f"sqlite:///{tmp_path}"), refused=False)
    assert (
        said == f"{tmp_path} is a folder; give the store's file, such as {tmp_path}/mediadigest.db"
    )
