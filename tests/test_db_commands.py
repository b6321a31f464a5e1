"""`db check` and `db upgrade` as a newcomer meets them: a check says what to do next."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from mediadigest.cli import app


def _run(*args: str):
    return CliRunner().invoke(app, list(args))


def _new_store(url: str) -> None:
    """A database with nothing in it: on SQLite, an empty file (a new store)."""
    if url.startswith("sqlite"):
        open(url.removeprefix("sqlite:///"), "wb").close()


def _run_process(*args: str) -> tuple[int, str]:
    """The command in a process of its own, as a user runs it: its exit code and what it
    printed, on one line (rich wraps long ones)."""
    done = subprocess.run(
        [sys.executable, "-m", "mediadigest", *args], capture_output=True, text=True, timeout=120
    )
    return done.returncode, " ".join((done.stdout + done.stderr).split())


def test_check_on_a_new_database_says_to_upgrade_and_upgrade_makes_it_pass(empty_url):
    """The command to run names the store (it said `--db URL`), its password masked."""
    import shlex

    import sqlalchemy as sa

    _new_store(empty_url)  # an empty file: a new store
    if empty_url.startswith("postgresql"):  # the test cluster trusts, and ignores it
        empty_url = sa.make_url(empty_url).set(password="s3cret").render_as_string(False)
    first = _run("--db", empty_url, "db", "check")
    assert first.exit_code == 1
    assert "store at revision none" in first.output
    if empty_url.startswith("postgresql"):
        # A masked password made a command that could not be run: the user gives it again.
        upgrade = "mediadigest db upgrade` with the same --db"
    else:
        upgrade = f"mediadigest --db {shlex.quote(empty_url)} db upgrade`"
    assert f"has no schema yet: run `{upgrade} (safe to re-run)" in first.output
    assert "s3cret" not in first.output and "URL" not in first.output and "***" not in first.output
    assert _run("--db", empty_url, "db", "upgrade").exit_code == 0
    again = _run("--db", empty_url, "db", "check")
    assert again.exit_code == 0 and "db upgrade" not in again.output


def test_check_of_a_store_from_the_environment_says_to_upgrade_without_naming_it(empty_url):
    """The store is found again as it was: `--db 'postgresql://u:***@h/db'` cannot be run."""
    import sqlalchemy as sa

    _new_store(empty_url)
    if empty_url.startswith("postgresql"):
        empty_url = sa.make_url(empty_url).set(password="s3cret").render_as_string(False)
    first = CliRunner().invoke(app, ["db", "check"], env={"MEDIADIGEST_DB": empty_url})
    assert first.exit_code == 1
    assert "has no schema yet: run `mediadigest db upgrade` (safe to re-run)" in first.output
    assert "s3cret" not in first.output and "--db" not in first.output


def test_a_store_missing_a_table_fails_the_check_and_an_ingest_says_so_without_resume(
    empty_url, tmp_path
):
    """A table dropped by hand is damage, not an outage: `db check` names it, and an ingest
    says the store failed once, without "run the same command again to resume"."""
    import sqlalchemy as sa

    _new_store(empty_url)
    assert _run("--db", empty_url, "db", "upgrade").exit_code == 0
    with sa.create_engine(empty_url).begin() as conn:
        conn.exec_driver_sql("DROP TABLE article_matches")
    check = _run("--db", empty_url, "db", "check")
    assert check.exit_code == 1
    assert "lacks 1 table of its schema (article_matches)" in check.output
    page = tmp_path / "page.txt"
    page.write_text("Wind in Kazakhstan\n\nKazakhstan opened a wind farm in Zhambyl.\n")
    ingest = _run("--db", empty_url, "ingest", str(page))
    assert ingest.exit_code == 1
    assert "the store failed (" in ingest.output and "article_matches" in ingest.output
    assert "unavailable" not in ingest.output and "resume" not in ingest.output


def test_upgrade_refuses_another_applications_database_naming_its_tables(empty_url):
    """Its own `users` and `sources` tables: a clear refusal, the tables left as they were
    (PostgreSQL's DuplicateTable was a traceback)."""
    import sqlalchemy as sa

    _new_store(empty_url)
    with sa.create_engine(empty_url).begin() as conn:
        conn.exec_driver_sql("CREATE TABLE users (login TEXT PRIMARY KEY)")
        conn.exec_driver_sql("CREATE TABLE sources (href TEXT)")
        conn.exec_driver_sql("INSERT INTO users VALUES ('cms-admin')")
    code, said = _run_process("--db", empty_url, "db", "upgrade")
    assert code == 1 and "Traceback" not in said, said
    assert "already has tables of its names (sources, users)" in said
    assert "another application's database?" in said
    with sa.create_engine(empty_url).connect() as conn:
        assert conn.exec_driver_sql("SELECT login FROM users").scalars().all() == ["cms-admin"]
        assert set(sa.inspect(conn).get_table_names()) == {"users", "sources"}


def test_check_names_a_missing_table_of_the_web_app_too(tmp_path):
    """In a process of its own, as a user runs it: `db check` knew only the tables of the
    modules it happened to have imported, and passed a store without `users`."""
    import sqlalchemy as sa

    url = f"sqlite:///{tmp_path / 'store.db'}"
    assert _run("--db", url, "db", "upgrade").exit_code == 0
    with sa.create_engine(url).begin() as conn:
        conn.exec_driver_sql("DROP TABLE web_sessions")
    code, said = _run_process("--db", url, "db", "check")
    assert code == 1 and "(web_sessions)" in said, said


@pytest.mark.parametrize("watch", [[], ["--watch", "1s", "--rounds", "3"]], ids=["once", "watch"])
def test_a_collection_into_a_store_missing_a_table_says_so_on_one_line(empty_url, site, watch):
    """As an ingest does: a traceback before, on both backends (PostgreSQL's UndefinedTable
    under --watch too; SQLite's was called an outage there, "the store is unavailable")."""
    import sqlalchemy as sa

    _new_store(empty_url)
    assert _run("--db", empty_url, "db", "upgrade").exit_code == 0
    feed = site.url("/feeds/central-asia.xml")
    assert _run("--db", empty_url, "sources", "add", feed).exit_code == 0
    with sa.create_engine(empty_url).begin() as conn:
        conn.exec_driver_sql("DROP TABLE fetch_log")
    code, said = _run_process("--db", empty_url, "collect", *watch)
    assert "Traceback" not in said, said
    assert "the store failed (" in said and "fetch_log" in said and "db check" in said
    if watch:  # each round says so and the watch goes on, as through an outage
        assert "round 2: the store failed (" in said and "trying again in 1s" in said
    else:
        assert code == 1


def test_a_first_upgrade_cut_short_is_named_as_such_not_as_another_application(empty_url):
    """SQLite keeps the tables a first migration made before it was stopped; they are ours."""
    import sqlalchemy as sa

    _new_store(empty_url)
    with sa.create_engine(empty_url).begin() as conn:  # as a Ctrl-C at the 4th table leaves it
        conn.exec_driver_sql("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        conn.exec_driver_sql("CREATE TABLE sources (id INTEGER PRIMARY KEY)")
        conn.exec_driver_sql("CREATE TABLE documents (id INTEGER PRIMARY KEY)")
    code, said = _run_process("--db", empty_url, "db", "upgrade")
    assert code == 1 and "Traceback" not in said, said
    assert "part of a mediadigest schema (documents, sources)" in said
    assert "a first `db upgrade` was interrupted" in said
    assert "another application" not in said


def test_a_store_at_a_revision_this_version_does_not_know_is_named_not_called_behind(empty_url):
    """Upgraded by a newer mediadigest (hosts sharing one database), or another application's
    Alembic table: `db check` said "behind: run db upgrade (safe)", and that upgrade and every
    other command were a traceback ("Can't locate revision")."""
    import sqlalchemy as sa

    _new_store(empty_url)
    assert _run("--db", empty_url, "db", "upgrade").exit_code == 0
    with sa.create_engine(empty_url).begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0999'")
    for command in (["db", "check"], ["db", "upgrade"], ["articles"]):
        code, said = _run_process("--db", empty_url, *command)
        assert code == 1 and "Traceback" not in said, (command, said)
        assert "is at schema revision '0999', which this mediadigest does not know" in said
        assert "behind" not in said


def test_the_known_revisions_are_the_migrations():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from mediadigest.store import engine

    config = Config()
    config.set_main_option("script_location", "mediadigest.store:migrations")
    scripts = ScriptDirectory.from_config(config)
    assert {s.revision for s in scripts.walk_revisions()} == engine._REVISIONS
    assert scripts.get_current_head() == engine.HEAD


def test_optimize_merges_the_full_text_index_and_search_still_finds(tmp_path):
    """`store.optimize` was run only by the bench: no command let a user do what the search
    figures in docs/benchmarks.md are measured after."""
    import sqlalchemy as sa

    db = f"sqlite:///{tmp_path / 's.db'}"
    for n in range(3):  # three ingests, three transactions: three full-text segments at least
        page = tmp_path / f"p{n}.txt"
        page.write_text(f"Kazakhstan opens bridge {n}\n\nKazakhstan opened bridge {n} in Atyrau.")
        assert _run("--db", db, "ingest", "--workers", "0", str(page)).exit_code == 0

    def segments() -> int:
        with sa.create_engine(db).connect() as conn:
            return conn.exec_driver_sql(
                "SELECT count(DISTINCT segid) FROM articles_fts_idx"
            ).scalar()

    assert segments() >= 3
    done = _run("--db", db, "db", "optimize")
    assert done.exit_code == 0 and "store optimised in" in done.stderr, done.output
    assert segments() == 1
    assert "Atyrau" in _run("--db", db, "search", "bridge").stdout
    assert _run("--db", db, "db", "optimize").exit_code == 0  # again: safe


def test_optimize_of_no_store_says_so_and_creates_none(tmp_path):
    code, said = _run_process("--db", f"sqlite:///{tmp_path / 'none.db'}", "db", "optimize")
    assert code == 1 and "no store at" in said, said
    assert not (tmp_path / "none.db").exists()
