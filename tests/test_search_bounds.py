"""Bounded searches and honest paging (walk h32).

A query of many short prefixes OR'd kept a server busy for 40 s: each hit's snippet ran the
whole MATCH again. A page's snippets are now one statement, and every search stops at
``search.TIME_LIMIT`` with a message the CLI, the API and the archive page give. An empty API
query pages through every article that passes the filters (it stopped at the ranking window,
silently); a ranked search says whether it filled its window; the API's theme filter takes
any case (test_search_theme.py tests search's).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from mediadigest import store
from mediadigest.store.search import TOO_LONG, WINDOW, SearchTooLong, search
from mediadigest.web.app import create_app
from test_end_to_end import Cli
from test_search_theme import label_newest
from test_web_archive import turbines
from web_support import csrf_of, login, seed

# The module, not the function `store.search` that its package's name gives.
search_module = sys.modules[search.__module__]

# Two-letter prefixes OR'd, as the walk's query (80 of them): each expands to many words.
# Within the archive box's 200 characters; "re*" and "tu*" find the turbine reports.
HEAVY = " OR ".join([f"{c}{v}*" for c in "rtbcdgkmps" for v in "aeiou" if c + v != "to"][:26])


@contextmanager
def _statements(engine: sa.Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(conn, cursor, statement, *args) -> None:
        seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def _sqlite(tmp_path: Path, count: int) -> sa.Engine:
    engine = store.open_store(f"sqlite:///{tmp_path / 'store.db'}")
    turbines(engine, count)
    return engine


def test_a_pages_snippets_are_one_statement_whatever_its_hits(tmp_path: Path):
    """Each hit ran `articles_fts MATCH` again for its snippet: hits x the query's expansion."""
    engine = _sqlite(tmp_path, 60)
    with _statements(engine) as seen, engine.connect() as conn:
        hits = search(conn, "turbines OR grid", limit=50)
    assert len(hits) == 50
    assert sum("MATCH" in s for s in seen) == 2  # the window, then the page with its snippets
    for hit in hits:  # each its own article's snippet, in the ranked order
        number = re.fullmatch(r"Turbine report (\d+)", hit.title)[1]
        assert hit.snippet == f"Report {number} on the **turbines** of the northern **grid**."
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    engine.dispose()


def test_a_search_past_its_time_limit_is_stopped_and_the_connection_left_as_it_was(
    engine, monkeypatch
):
    turbines(engine, 300)
    with engine.connect() as conn:
        expected = [h.id for h in search(conn, HEAVY, limit=5)]
    locker = engine.connect()
    if engine.dialect.name == "postgresql":
        # A statement that waits is one that runs long, without a store big enough to be slow.
        monkeypatch.setattr(search_module, "TIME_LIMIT", 0.3)
        locker.execute(sa.text("LOCK TABLE articles IN ACCESS EXCLUSIVE MODE"))
    else:
        monkeypatch.setattr(search_module, "TIME_LIMIT", 0.0)
    with engine.connect() as conn:
        with pytest.raises(SearchTooLong, match=re.escape(TOO_LONG)):
            search(conn, HEAVY, limit=5)
        locker.rollback()
        monkeypatch.setattr(search_module, "TIME_LIMIT", 60.0)
        # The limit was lifted and nothing was left aborted: the same connection searches on.
        assert [h.id for h in search(conn, HEAVY, limit=5)] == expected
        if engine.dialect.name == "postgresql":
            assert conn.execute(sa.text("SHOW statement_timeout")).scalar_one() == "0"
    locker.close()


def test_the_cli_says_a_search_took_too_long(tmp_path: Path, monkeypatch):
    _sqlite(tmp_path, 300).dispose()
    monkeypatch.setattr(search_module, "TIME_LIMIT", 0.0)
    result = Cli(tmp_path / "store.db")("search", HEAVY, code=1)
    assert f"error: {TOO_LONG}" in result.stderr


@pytest.fixture
def seeded(tmp_path: Path):
    found = seed(tmp_path)
    turbines(found.engine, WINDOW * 2 + 50)  # 450 from one outlet, more than a window
    return found


@pytest.fixture
def bearer(seeded) -> tuple[TestClient, dict[str, str]]:
    """A viewer signed in (for the archive page) and its API token's header."""
    client = login(TestClient(create_app(seeded.settings, engine=seeded.engine)), "viewer")
    html = client.post(
        "/account/tokens",
        data={"name": "t", "csrf_token": csrf_of(client.get("/account").text)},
    ).text
    token = re.search(r'class="token">([^<]+)<', html)[1]
    return client, {"Authorization": f"Bearer {token}"}


def test_the_api_says_a_search_took_too_long(bearer, monkeypatch):
    client, headers = bearer
    monkeypatch.setattr(search_module, "TIME_LIMIT", 0.0)
    response = client.get("/api/search", params={"q": HEAVY}, headers=headers)
    assert response.status_code == 400 and response.json() == {"detail": TOO_LONG}


def test_the_archive_page_says_a_search_took_too_long(bearer, monkeypatch):
    client, _ = bearer
    monkeypatch.setattr(search_module, "TIME_LIMIT", 0.0)
    response = client.get("/archive", params={"q": HEAVY})
    assert response.status_code == 200
    assert "The search took too long; use fewer or longer words." in response.text


def test_an_empty_query_pages_through_every_article_by_its_links(bearer):
    """offset=200 gave 200 rows and no Link, offset=201 a 422: 450 articles, 200 listed."""
    client, headers = bearer
    url = "/api/search?" + "q=&outlet=turbine+news&limit=200"
    ids: list[int] = []
    while url:
        response = client.get(url, headers=headers)
        assert response.status_code == 200 and "search-window-full" not in response.headers
        ids += [hit["id"] for hit in response.json()]
        link = response.headers.get("link")
        url = re.fullmatch(r'<([^>]+)>; rel="next"', link)[1] if link else ""
    assert len(ids) == len(set(ids)) == WINDOW * 2 + 50
    beyond = {"q": "", "offset": WINDOW + 1}
    assert client.get("/api/search", params=beyond, headers=headers).status_code == 200


def test_a_ranked_search_says_whether_it_filled_its_window(bearer):
    client, headers = bearer
    full = client.get("/api/search", params={"q": "turbines", "limit": 5}, headers=headers)
    assert full.headers["search-window-full"] == "true"
    ranked_all = client.get("/api/search", params={"q": "grain"}, headers=headers)
    assert ranked_all.json() and ranked_all.headers["search-window-full"] == "false"
    beyond = client.get("/api/search", params={"q": "turbines", "offset": WINDOW + 1},
                        headers=headers)  # fmt: skip
    assert beyond.status_code == 422
    assert beyond.json()["detail"][0]["loc"] == ["query", "offset"]


def test_the_api_theme_filter_takes_any_case(bearer, seeded):
    client, headers = bearer
    labelled = label_newest(seeded.engine, "economy")
    for q in ("", "turbines"):
        hits = client.get("/api/search", params={"q": q, "theme": "Economy"}, headers=headers)
        assert [h["id"] for h in hits.json()] == [labelled], q
