"""Option values a command cannot honour are usage errors (exit 2) that name the option.

Each was accepted before and answered with something false or empty: a digest of 0 items
said no article was found, week 53 of a 52-week year became the next year's first week.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import Result

from test_end_to_end import FIXTURE_FILES, Cli


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path / "store.db")


def usage(result: Result) -> str:
    """The message of a usage error, out of its box, on one line."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", result.stderr).split())


@pytest.mark.parametrize("command", ["digest", "publish"])
@pytest.mark.parametrize("size", ["0", "-3"])
def test_a_digest_of_no_items_is_a_usage_error(cli: Cli, command: str, size: str):
    result = cli(command, "--size", size, code=2)
    assert "Invalid value for '--size': Input should be greater than or equal to 1" in usage(result)


@pytest.mark.parametrize("command", [["articles"], ["search", "wind"], ["feed"]])
def test_a_limit_below_one_is_a_usage_error(cli: Cli, command: list[str]):
    result = cli(*command, "--limit", "0", code=2)
    assert "Invalid value for '--limit': Input should be greater than or equal to 1" in usage(
        result
    )


def test_week_53_of_a_year_of_52_weeks_is_a_usage_error(cli: Cli):
    result = cli("digest", "--week", "2025-W53", code=2)
    assert "Invalid value for --week: '2025-W53': 2025 has ISO weeks 1 to 52" in usage(result)


def test_week_53_of_a_year_that_has_one_is_that_week(cli: Cli):
    cli("db", "upgrade")
    md = cli("digest", "--week", "2026-W53").stdout
    assert "Dec. 28, 2026 – Jan. 3, 2027" in md


def test_run_refuses_a_week_before_collecting(cli: Cli):
    cli("sources", "add", "http://127.0.0.1:9/feed.xml")  # port 9: nothing should try it
    result = cli("run", "--week", "2025-W53", code=2)
    assert "2025 has ISO weeks 1 to 52" in usage(result)
    assert "collected" not in result.stderr


@pytest.mark.parametrize("command", ["digest", "stories", "publish"])
@pytest.mark.parametrize("dates", [["--since", "2025-12-01"], ["--until", "2025-12-31"]])
def test_a_week_with_since_or_until_is_a_usage_error(cli: Cli, command: str, dates: list[str]):
    result = cli(command, "--week", "2025-W51", *dates, code=2)
    assert "Invalid value for --week: a period is --week or --since/--until, not both" in (
        usage(result)
    )


@pytest.mark.parametrize(
    "command", [["search", "kazakhstan"], ["articles"], ["digest"], ["stories"], ["publish"]]
)
def test_a_since_after_the_until_is_a_usage_error(cli: Cli, command: list[str]):
    result = cli(*command, "--since", "2025-12-22", "--until", "2025-12-01", code=2)
    assert "--since 2025-12-22 is after --until 2025-12-01" in usage(result)


@pytest.mark.parametrize(
    "command", [["digest"], ["stories"], ["publish"], ["articles"], ["search", "wind"]]
)
def test_a_day_the_calendar_lacks_is_said_to_be_no_day(cli: Cli, command: list[str]):
    """Click said '2025-02-30' "does not match the format '%Y-%m-%d'", which it does."""
    result = cli(*command, "--since", "2025-02-30", code=2)
    assert "'2025-02-30' is no day of the calendar (day is out of range for month)" in usage(result)
    assert "is not a day like 2025-12-15" in usage(cli(*command, "--until", "15/12/2025", code=2))


def test_a_since_after_today_names_today_as_the_default_until(cli: Cli):
    result = cli("digest", "--since", "2999-01-01", code=2)
    today = datetime.now(UTC).date()
    assert f"--since 2999-01-01 is after today in UTC ({today}), the default --until" in (
        usage(result)
    )


def test_last_week_is_the_last_whole_iso_week_in_utc(cli: Cli):
    """For a weekly job: the default period ends today, a day not over yet, so what was
    published after the run fell in neither that digest nor the next."""
    cli("db", "upgrade")
    today = datetime.now(UTC).date()
    monday = today - timedelta(days=today.weekday() + 7)
    found = cli.json("digest", "--week", "last", "--format", "json")["period"]
    assert found == {"from": monday.isoformat(), "to": (monday + timedelta(days=6)).isoformat()}


_ENDS = [["--since", "0001-01-02", "--until", "0001-01-08"], ["--since", "9999-12-25"]]


@pytest.mark.parametrize(
    "args",
    [*(["stories", *p] for p in [*_ENDS, ["--week", "9999-W52"]]),
     *(["digest", "-o", "-", *p] for p in [*_ENDS, ["--week", "9999-W52"]]),
     *(["articles", *p] for p in _ENDS)],
)  # fmt: skip
def test_a_day_at_the_calendars_ends_is_a_usage_error(cli: Cli, args: list[str]):
    """Grouping's windows overflowed there: a traceback (an empty listing before them)."""
    result = cli(*args, code=2)
    assert "is outside the years mediadigest works with (1000 to 9998)" in usage(result)


@pytest.mark.parametrize("code", ["english", "e", "en-", "12", "en-GBR"])
def test_a_language_that_is_not_a_language_code_is_a_usage_error(cli: Cli, code: str):
    result = cli("search", "kazakhstan", "--language", code, code=2)
    assert f"Invalid value for --language: {code!r} is not a language code like en" in (
        usage(result)
    )


def test_a_language_code_is_read_in_any_case(cli: Cli):
    cli("ingest", str(FIXTURE_FILES / "export.jsonl"), code=1)
    english = cli.json("search", "kazakhstan", "--json", "--language", "en")
    assert english
    assert cli.json("search", "kazakhstan", "--json", "--language", "EN") == english


def test_a_language_that_matches_nothing_says_so(cli: Cli):
    cli("ingest", str(FIXTURE_FILES / "export.jsonl"), code=1)
    result = cli("search", "kazakhstan", "--language", "xx")
    assert "note: nothing matched in language 'xx'" in result.stderr


@pytest.mark.parametrize(
    ("command", "option"),
    [(["articles", "--db", "x.db"], "--db"), (["sources", "list", "--profile", "x"], "--profile")],
)
def test_a_global_option_after_the_command_says_where_it_goes(
    cli: Cli, command: list[str], option: str
):
    result = cli(*command, code=2)
    assert (
        f"No such option: {option} ({option} is a global option: give it before the command, "
        "right after 'mediadigest')"
    ) in usage(result)


def test_the_help_shows_verbose_as_a_flag_that_takes_no_value(cli: Cli):
    """It showed `--verbose -v <int> [default: 0]`: `--verbose 7 articles` was tried, and
    refused as "No such command '7'"."""
    help_ = " ".join(re.sub(r"[│╭╮╰╯─]", " ", cli("--help").stdout).split())
    assert "--verbose -v -v info, -vv debug." in help_
    assert "<int>" not in help_ and "[default: 0]" not in help_


@pytest.mark.parametrize("command", ["run", "digest", "publish"])
def test_the_help_says_the_default_period_ends_today_in_utc(cli: Cli, command: str):
    """It said "default: today": on a server in Almaty, 02:00 is still yesterday in UTC."""
    help_ = " ".join(re.sub(r"[│╭╮╰╯─]", " ", cli(command, "--help").stdout).split())
    assert "Last day (default: today in UTC)" in help_
    assert "First day (default: 6 days before the last)" in help_


def test_the_default_period_ends_today_in_utc_whatever_the_machines_zone():
    # Kiritimati is UTC+14: its day is another than UTC's for 14 hours of each day.
    code = "from mediadigest.cli.app import period; print(*period(None, None, None))"
    env = {**os.environ, "TZ": "Pacific/Kiritimati"}
    before = datetime.now(UTC).date()
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    after = datetime.now(UTC).date()
    first, last = (date.fromisoformat(d) for d in done.stdout.split())
    assert last in {before, after} and first == last - timedelta(days=6)


def test_an_unknown_option_is_only_unknown(cli: Cli):
    assert "No such option: --bogus" in usage(cli("articles", "--bogus", code=2))
    assert "global option" not in cli("articles", "--bogus", code=2).stderr


def test_the_pools_reset_tracebacks_are_kept_out_of_a_commands_output():
    """With the database gone, SQLAlchemy's pool logged a traceback for each connection it
    could not reset, around the command's own one-line error; -vv still shows them."""
    import logging

    from typer.testing import CliRunner

    from mediadigest.cli import app

    pool = logging.getLogger("sqlalchemy.pool")
    try:
        for args, level in ((["version"], logging.CRITICAL), (["-vv", "version"], logging.NOTSET)):
            pool.setLevel(logging.NOTSET)
            assert CliRunner().invoke(app, args).exit_code == 0
            assert pool.level == level, args
    finally:
        pool.setLevel(logging.NOTSET)


def test_psycopgs_warning_for_a_batch_the_lost_server_cut_short_is_left_to_the_run():
    """Once in a test run, "WARNING psycopg: error ignored terminating <psycopg.Pipeline
    [BAD]>" came above an ingest's one line saying the store went away; -vv still shows it."""
    import logging

    from typer.testing import CliRunner

    from mediadigest.cli import app

    psycopg = logging.getLogger("psycopg")
    try:
        assert CliRunner().invoke(app, ["version"]).exit_code == 0
        assert psycopg.level == logging.ERROR
        psycopg.setLevel(logging.NOTSET)
        assert CliRunner().invoke(app, ["-vv", "version"]).exit_code == 0
        assert psycopg.level == logging.NOTSET
    finally:
        psycopg.setLevel(logging.NOTSET)


def test_search_takes_a_theme_in_any_case_and_says_when_no_article_carries_it(cli: Cli):
    """A researcher's walk: the archive and the API filter by theme, the CLI could not."""
    import sqlite3

    cli("ingest", str(FIXTURE_FILES / "export.jsonl"), code=1)
    hits = {h["id"] for h in cli.json("search", "kazakhstan", "--json")}
    with sqlite3.connect(cli.db.removeprefix("sqlite:///")) as db:
        theme, _ = db.execute(
            "SELECT theme, count(*) FROM article_themes GROUP BY theme ORDER BY 2 LIMIT 1"
        ).fetchone()
        carry = {row[0] for row in db.execute(
            "SELECT article_id FROM article_themes WHERE theme = ?", (theme,))}  # fmt: skip
    found = {h["id"] for h in cli.json("search", "kazakhstan", "--json", "--theme", theme.upper())}
    assert found and found == hits & carry and len(found) < len(hits)
    result = cli("search", "kazakhstan", "--theme", "no-such-theme")
    assert "note: no stored article has the theme 'no-such-theme'" in result.stderr


def test_articles_json_gives_kind_themes_and_tone_as_the_api_does(cli: Cli):
    """A researcher's walk: themes were in `export` and the API only."""
    cli("ingest", str(FIXTURE_FILES / "export.jsonl"), code=1)
    listed = cli.json("articles", "--json")
    assert listed and all({"kind", "themes", "tone"} <= set(a) for a in listed)
    assert any(a["themes"] and {"name", "score", "terms"} <= set(a["themes"][0]) for a in listed)
