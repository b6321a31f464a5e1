"""A search with exactly WINDOW matches ranked them all: the store, the CLI, the API's
Search-Window-Full header and the archive page say the window was not full; one match more
and they say it was, ranking WINDOW of them all the same (a fact-checking walk found the note
at exactly 200 matches, "others stored before them may match", where none was left out)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from mediadigest import store
from mediadigest.model import Article, Grade, Relevance
from mediadigest.store.search import WINDOW, search
from test_end_to_end import Cli
from test_web_archive import bearer, viewer  # noqa: F401 (fixtures)

NOTE = f"ranked the {WINDOW} most recently stored matches"
PAGE_NOTE = f"A search ranks only the {WINDOW} most recently stored of its matches"


def _gyrocopters(engine: sa.Engine, count: int) -> None:
    """``count`` reports on gyrocopters (a word no seeded article has), an hour apart."""
    start = datetime(2025, 12, 10, 8)
    articles = [
        Article(
            url=f"https://rotor.example/{n}",
            canonical_url=f"https://rotor.example/{n}",
            content_hash=f"gyro{n}",
            title=f"Gyrocopter report {n}",
            text=f"Report {n} on the gyrocopters of the steppe.",
            outlet="Rotor News",
            published=start - timedelta(hours=n),
            language="en",
            relevance=Relevance(score=3.0, grade=Grade.SUBJECT, relevant=True),
        )
        for n in range(count)
    ]
    with engine.begin() as conn:
        store.save_articles(conn, articles)


def test_exactly_a_window_of_matches_is_no_full_window(engine):
    _gyrocopters(engine, WINDOW)
    with engine.connect() as conn:
        hits = search(conn, "gyrocopters", limit=WINDOW)
        filtered = search(conn, "gyrocopters", outlet="Rotor News", limit=WINDOW)
    assert len(hits) == WINDOW and hits.window_full is False
    assert len(filtered) == WINDOW and filtered.window_full is False


def test_one_match_more_than_the_window_is_a_full_window_of_the_newest_stored(engine):
    _gyrocopters(engine, WINDOW + 1)
    with engine.connect() as conn:
        hits = search(conn, "gyrocopters", limit=WINDOW)
        filtered = search(conn, "gyrocopters", outlet="Rotor News", limit=WINDOW)
    for found in (hits, filtered):
        assert len(found) == WINDOW and found.window_full is True
        # The one match more only said there was more: the first stored is not ranked.
        assert "Gyrocopter report 0" not in {h.title for h in found}


def test_the_cli_says_nothing_of_the_window_at_exactly_a_window_of_matches(tmp_path: Path):
    cli = Cli(tmp_path / "store.db")
    engine = store.open_store(cli.db)
    _gyrocopters(engine, WINDOW)
    engine.dispose()
    result = cli("search", "gyrocopters", "--limit", "5")
    assert NOTE not in result.stderr
    cli_more = Cli(tmp_path / "more.db")
    engine = store.open_store(cli_more.db)
    _gyrocopters(engine, WINDOW + 1)
    engine.dispose()
    assert NOTE in cli_more("search", "gyrocopters", "--limit", "5").stderr


def _ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'class="title" href="/articles/(\d+)">', html)]


def test_the_api_and_the_archive_page_say_no_full_window_at_exactly_a_window(
    viewer,  # noqa: F811
    bearer,  # noqa: F811
    seeded,
):
    _gyrocopters(seeded.engine, WINDOW)
    api = viewer.get("/api/search", params={"q": "gyrocopters", "limit": 5}, headers=bearer)
    assert api.headers["Search-Window-Full"] == "false"
    last = viewer.get("/archive", params={"q": "gyrocopters", "page": "4"}).text
    assert len(_ids(last)) == WINDOW - 3 * 50 and PAGE_NOTE not in last
    beyond = viewer.get("/archive", params={"q": "gyrocopters", "page": "5"}).text
    assert PAGE_NOTE not in beyond


def test_the_api_and_the_archive_page_say_a_full_window_one_match_more(
    viewer,  # noqa: F811
    bearer,  # noqa: F811
    seeded,
):
    _gyrocopters(seeded.engine, WINDOW + 1)
    api = viewer.get("/api/search", params={"q": "gyrocopters", "limit": 5}, headers=bearer)
    assert api.headers["Search-Window-Full"] == "true"
    last = viewer.get("/archive", params={"q": "gyrocopters", "page": "4"}).text
    assert len(_ids(last)) == WINDOW - 3 * 50 and PAGE_NOTE in last
