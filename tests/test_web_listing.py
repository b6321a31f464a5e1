"""Listing and browsing stored articles, in the API and on the archive page, on both backends:
a page captured more than once is listed once (its newest capture, as search lists it), and
the outlet filter takes an outlet in any case with or without a query. Also what the editor
shows of a digest without a week-over-week line."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from mediadigest import store
from mediadigest.config import Settings
from mediadigest.model import Article, Document, Grade, Relevance
from mediadigest.store.search import search
from mediadigest.web import editions, persist, versions
from mediadigest.web.app import create_app
from mediadigest.web.articles import Filters, find
from mediadigest.web.persist import Role
from web_support import CHEAP, PASSWORD, WEEK, login, token_of

PAGE = "https://news.example/wind-farm"


def _capture(
    engine: sa.Engine,
    n: int,
    url: str,
    fetched: datetime,
    *,
    relevant: bool = True,
    outlet: str | None = None,
) -> None:
    """Article ``n`` stored as a fetch of ``url`` at ``fetched``, as a collection does."""
    art = Article(
        url=url,
        canonical_url=url,
        content_hash=f"capture{n}",
        title=f"Capture {n}",
        text=f"Capture {n} of the wind farm report.",
        outlet=outlet,
        published=datetime(2025, 12, 10, 9),
        relevance=Relevance(
            score=5.0 if relevant else 0.0,
            grade=Grade.SUBJECT if relevant else Grade.NONE,
            relevant=relevant,
        ),
    )
    with engine.begin() as conn:
        doc = Document(url, art.content_hash.encode(), fetched)
        store.save_articles(conn, [art], store.save_document(conn, doc), fetched)


@pytest.fixture
def served(engine: sa.Engine, store_url: str) -> tuple[TestClient, dict[str, str]]:
    """The web app over the test's store (either backend): a client, and a viewer's bearer."""
    with engine.begin() as conn:
        user_id, _ = persist.add_user(conn, "viewer", Role.viewer, CHEAP.hash(PASSWORD))
        _, token = persist.create_token(conn, user_id, "listing")
    client = TestClient(create_app(Settings(db=store_url), engine=engine))
    return client, {"Authorization": f"Bearer {token}"}


def _listed(served: tuple[TestClient, dict[str, str]], **params: object) -> list[str]:
    client, bearer = served
    response = client.get("/api/articles", params=params, headers=bearer)
    assert response.status_code == 200, response.text
    return [a["title"] for a in response.json()]


# -- /api/articles: a page once, its newest capture ---------------------------------------------


def test_the_api_lists_a_page_captured_twice_once_as_its_newest_capture(engine, served):
    # The newer capture was stored first (an archive ingested late): capture time decides.
    _capture(engine, 1, PAGE, datetime(2025, 12, 20))
    _capture(engine, 2, PAGE, datetime(2025, 12, 10))
    _capture(engine, 3, "https://news.example/calm", datetime(2025, 12, 11))
    assert sorted(_listed(served)) == ["Capture 1", "Capture 3"]
    assert len(_listed(served, limit=1)) == 1


def test_the_api_lists_the_newest_capture_that_passes_its_filters(engine, served):
    # As search and the archive have it: the newer capture fell below the threshold, so a
    # listing of relevant articles shows the older one, and a listing of all the newer.
    _capture(engine, 1, PAGE, datetime(2025, 12, 10))
    _capture(engine, 2, PAGE, datetime(2025, 12, 20), relevant=False)
    assert _listed(served) == ["Capture 1"]
    assert _listed(served, relevant_only="false") == ["Capture 2"]


def test_the_api_and_browsing_the_archive_list_the_same_capture(engine, served):
    for n, day in enumerate((12, 20, 15), start=1):
        _capture(engine, n, PAGE, datetime(2025, 12, day))
    client, bearer = served
    browsed = client.get("/api/search", params={"q": ""}, headers=bearer).json()
    assert _listed(served) == [hit["title"] for hit in browsed] == ["Capture 2"]


def test_listing_articles_keeps_every_capture_unless_asked_for_one_per_page(engine):
    """Stories group every capture of a page (the digest names it once as a source)."""
    _capture(engine, 1, PAGE, datetime(2025, 12, 20))
    _capture(engine, 2, PAGE, datetime(2025, 12, 10))
    with engine.connect() as conn:
        every = store.list_articles(conn)
        once = store.list_articles(conn, one_per_page=True, order="score")
    assert sorted(a.title for a in every) == ["Capture 1", "Capture 2"]
    assert [a.title for a in once] == ["Capture 1"]


# -- browsing by outlet, in any case ------------------------------------------------------------


def _outlets(engine: sa.Engine) -> None:
    for n, outlet in enumerate(["Reuters", "Reuters", "Tass", "BBC", "Bbc", "Известия"]):
        _capture(engine, n, f"https://news.example/{n}", datetime(2025, 12, 10 + n), outlet=outlet)


def _browse(engine: sa.Engine, outlet: str) -> list[str]:
    with engine.connect() as conn:
        return [hit.title for hit in find(conn, "", Filters(outlet=outlet))]


@pytest.mark.parametrize("asked", ["reuters", "REUTERS", "Reuters", " reuters "])
def test_browsing_finds_an_outlet_in_any_case(engine, asked):
    _outlets(engine)
    assert _browse(engine, asked) == ["Capture 1", "Capture 0"]


def test_browsing_finds_an_outlet_in_any_case_beyond_ascii(engine):
    _outlets(engine)
    assert _browse(engine, "ИЗВЕСТИЯ") == ["Capture 5"]


def test_browsing_by_outlet_lists_what_search_finds(engine):
    """An outlet stored in two spellings is one outlet to search, and so to browsing."""
    _outlets(engine)
    with engine.connect() as conn:
        found = [hit.title for hit in search(conn, "wind farm", outlet="bbc")]
    assert sorted(_browse(engine, "bbc")) == sorted(found) == ["Capture 3", "Capture 4"]


def test_browsing_an_outlet_that_is_not_stored_finds_nothing(engine):
    _outlets(engine)
    assert _browse(engine, "Reuter") == []


def test_the_api_and_the_archive_page_browse_an_outlet_in_any_case(engine, served):
    _outlets(engine)
    client, bearer = served
    browsed = client.get("/api/search", params={"q": "", "outlet": "tass"}, headers=bearer)
    assert [hit["title"] for hit in browsed.json()] == ["Capture 2"]
    html = login(client, "viewer").get("/archive", params={"outlet": "tass"}).text
    assert re.findall(r'class="title" href="/articles/\d+">([^<]+)<', html) == ["Capture 2"]


def test_browsing_by_outlet_in_another_case_reads_indexes_only(tmp_path):
    """SQLite (the plans PostgreSQL picks for a table this small say nothing of a large one):
    the stored spellings come from a walk of ix_articles_outlet_dated, one seek per outlet,
    and the listing from a seek into it; no statement scans the articles."""
    engine = store.open_store(f"sqlite:///{tmp_path}/store.db")
    _outlets(engine)
    statements: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", record)
    assert _browse(engine, "reuters") == ["Capture 1", "Capture 0"]
    sa.event.remove(engine, "before_cursor_execute", record)
    with engine.connect() as conn:
        plans = [
            row[-1]
            for statement, parameters in statements
            for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        ]
    engine.dispose()
    assert any("ix_articles_outlet_dated" in step for step in plans)
    assert not [step for step in plans if re.match(r"SCAN (articles|later)\b", step)], plans


# -- the editor's week-over-week line when a digest has none ----------------------------------


def _start(editor: TestClient, week: str) -> None:
    response = editor.post("/editor/start", data={"week": week, "csrf_token": token_of(editor)})
    assert response.status_code == 303, response.text


def _trend_box(html: str) -> str:
    form = re.search(r'<form method="post" action="/editor/trend".*?</form>', html, re.S)
    assert form, "the editor page has no week-over-week form"
    return re.search(r'name="text" rows="\d+" maxlength="5000">(.*?)</textarea>', form[0], re.S)[1]


def test_a_week_without_stories_shows_an_empty_week_over_week_box(editor):
    _start(editor, "2020-W02")
    assert _trend_box(editor.get("/editor?week=2020-W02").text) == ""


def test_a_draft_stored_with_a_null_trend_shows_an_empty_box_and_no_line(editor, seeded):
    """Drafts stored while the writer gave a period without stories a null trend."""
    _start(editor, WEEK)
    period = editions.week_of(WEEK)
    with seeded.engine.begin() as conn:
        content, revision = versions.get_draft(conn, "kazakhstan", *period)
        content["trend"] = None
        versions.save_draft(conn, "kazakhstan", *period, content, user="editor", revision=revision)
    assert _trend_box(editor.get(f"/editor?week={WEEK}").text) == ""
    house = re.search(r'<article class="house">(.*?)</article>',
                      editor.get(f"/preview?week={WEEK}").text, re.S)[1]  # fmt: skip
    assert "None" not in house
    assert not re.search(r"<p>\s*</p>", house), house
