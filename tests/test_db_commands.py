"""`db check` and `db upgrade` as a newcomer meets them: a check says what to do next."""

from __future__ import annotations

from typer.testing import CliRunner

from mediadigest.cli import app


def _run(*args: str):
    return CliRunner().invoke(app, list(args))


def test_check_on_a_new_database_says_to_upgrade_and_upgrade_makes_it_pass(empty_url):
    if empty_url.startswith("sqlite"):
        open(empty_url.removeprefix("sqlite:///"), "wb").close()  # an empty file: a new store
    first = _run("--db", empty_url, "db", "check")
    assert first.exit_code == 1
    assert "store at revision none" in first.output
    assert "has no schema yet: run `mediadigest --db URL db upgrade`" in first.output
    assert _run("--db", empty_url, "db", "upgrade").exit_code == 0
    again = _run("--db", empty_url, "db", "check")
    assert again.exit_code == 0 and "db upgrade" not in again.output
