"""A search ranks only its WINDOW most recently stored matches: it says whether the window was
full (`Hits.window_full`), the CLI says so on standard error and refuses a --limit beyond it,
and the web says what the window is. An archive ingested after the feeds is stored after
them, whatever its dates: its older articles fill the window, not the newest by date."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

from mediadigest import store
from mediadigest.store.search import WINDOW, search
from test_end_to_end import Cli
from test_web_archive import turbines

NOTE = f"ranked the {WINDOW} most recently stored matches"


def test_the_window_is_the_most_recently_stored_matches_and_says_it_was_full(engine):
    turbines(engine, 20, datetime(2025, 12, 20, 8))  # the feeds' newest reports
    turbines(engine, WINDOW + 10, datetime(2024, 3, 1, 8), first=20)  # an archive, older
    with engine.connect() as conn:
        hits = search(conn, "turbines", limit=WINDOW)
        dated = search(conn, "turbines", since=datetime(2025, 12, 1).date(), limit=WINDOW)
    # The archive's 210 reports were stored last: 200 of them are the window, and none of
    # the feeds' 20 newest by date is ranked.
    assert len(hits) == WINDOW and hits.window_full is True
    assert max(h.published for h in hits) < datetime(2025, 1, 1)
    # A period narrows the matches to fewer than the window: all are ranked.
    assert len(dated) == 20 and dated.window_full is False


def test_a_search_with_fewer_matches_than_the_window_says_it_ranked_them_all(engine):
    turbines(engine, WINDOW - 1, datetime(2025, 12, 20, 8))
    with engine.connect() as conn:
        hits = search(conn, "turbines", limit=5)
        nothing = search(conn, "windmills")
        beyond = search(conn, "turbines", offset=WINDOW)
    assert len(hits) == 5 and hits.window_full is False
    assert nothing == [] and nothing.window_full is False
    assert beyond == [] and beyond.window_full is None  # past the window: no search was run


def _cli(tmp_path: Path, count: int) -> Cli:
    cli = Cli(tmp_path / "store.db")
    engine = store.open_store(cli.db)
    turbines(engine, count, datetime(2025, 12, 20, 8))
    engine.dispose()
    return cli


def test_the_cli_notes_a_full_window_on_standard_error(tmp_path: Path):
    cli = _cli(tmp_path, WINDOW + 50)
    table = cli("search", "turbines", "--limit", "5")
    assert NOTE in table.stderr and "--since/--until" in table.stderr
    as_json = cli("search", "turbines", "--limit", str(WINDOW), "--json")
    assert len(json.loads(as_json.stdout)) == WINDOW  # the list as before, the note beside it
    assert NOTE in as_json.stderr


def test_the_cli_says_nothing_of_the_window_when_every_match_was_ranked(tmp_path: Path):
    cli = _cli(tmp_path, 30)
    result = cli("search", "turbines", "--limit", str(WINDOW))
    assert "window" not in result.stderr and NOTE not in result.stderr


def test_a_limit_beyond_the_window_is_refused_as_the_api_refuses_it(tmp_path: Path):
    cli = _cli(tmp_path, 3)
    result = cli("search", "turbines", "--limit", str(WINDOW + 100), code=2)
    said = " ".join(re.sub(r"[│╭╮╰╯─]", " ", result.stderr).split())  # out of its box
    assert f"it ranks at most {WINDOW} matches, the most recently stored" in said
    assert len(cli.json("search", "turbines", "--limit", str(WINDOW), "--json")) == 3
