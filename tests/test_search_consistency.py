"""Search lists the same hits in the same order on SQLite and PostgreSQL: ties by date, a page
captured twice once, and pages of results that neither repeat nor skip a hit."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from mediadigest import store
from mediadigest.model import Article, Document, Relevance, Story
from mediadigest.store.search import WINDOW, search
from mediadigest.web.routes.api import MAX_BROWSE
from web_support import articles, csrf_of, login

URL = "https://news.example/wind-farm"


def _article(n: int, title: str, text: str, url: str | None = None, **kw) -> Article:
    url = url or f"https://news.example/{n}"
    fields = {"canonical_url": url, "published": datetime(2025, 12, 10, 9, tzinfo=UTC)}
    fields.update(kw)
    return Article(url=url, content_hash=f"h{n}", title=title, text=text, **fields)


def _capture(engine: sa.Engine, art: Article, fetched: datetime) -> None:
    """Store ``art`` as a fetch of its page at ``fetched``, as a collection or an ingest does."""
    with engine.begin() as conn:
        doc = Document(art.url, art.content_hash.encode(), fetched)
        store.save_articles(conn, [art], store.save_document(conn, doc), fetched)


def _urls(engine: sa.Engine, query: str, **kw) -> list[str]:
    with engine.connect() as conn:
        return [hit.url for hit in search(conn, query, **kw)]


def test_ties_go_to_the_newest_published_then_to_the_last_stored(engine):
    # The same words everywhere: every backend gives every hit the same score.
    text = "Wind farms grew in the steppe."
    days = {1: 12, 2: 18, 3: 15, 4: 18}  # article n published on December days[n]
    with engine.begin() as conn:
        store.save_articles(
            conn,
            [
                _article(n, "Wind report", text, published=datetime(2025, 12, day, tzinfo=UTC))
                for n, day in days.items()
            ],
        )
    expected = [f"https://news.example/{n}" for n in (4, 2, 3, 1)]
    assert _urls(engine, "wind") == expected
    assert _urls(engine, "wind", limit=2) + _urls(engine, "wind", limit=2, offset=2) == expected


def test_a_page_captured_twice_is_listed_once_as_its_newest_capture(engine):
    # The newer capture was stored first (an archive ingested out of order): capture time
    # decides, not the order of storing.
    _capture(
        engine,
        _article(1, "Wind farm opens, 50 turbines turning", "The wind farm opened.", URL),
        datetime(2025, 12, 20, tzinfo=UTC),
    )
    _capture(
        engine,
        _article(2, "Wind farm opens", "The wind farm will open today.", URL),
        datetime(2025, 12, 10, tzinfo=UTC),
    )
    _capture(engine, _article(3, "Calm", "No wind."), datetime(2025, 12, 11, tzinfo=UTC))
    with engine.connect() as conn:
        hits = search(conn, "wind")
    assert [h.title for h in hits] == ["Wind farm opens, 50 turbines turning", "Calm"]


def test_a_page_reached_by_two_urls_is_listed_once(engine):
    shared = {"canonical_url": URL, "published": datetime(2025, 12, 10, tzinfo=UTC)}
    with engine.begin() as conn:
        store.save_articles(
            conn,
            [
                _article(1, "Wind farm opens", "Turbines.", f"{URL}?utm_source=rss", **shared),
                _article(2, "Wind farm opens", "Turbines turning.", f"{URL}?ref=home", **shared),
            ],
        )
    with engine.connect() as conn:
        (hit,) = search(conn, "wind")
    assert hit.url == f"{URL}?ref=home"  # stored last, with no capture time of its own


def test_a_roundup_item_linking_to_a_page_is_no_capture_of_it(engine):
    """A newsletter's blurb takes the canonical URL of the article it links to; it is another
    article (another outlet, another page), listed beside it, and the story keeps both."""
    full = _article(1, "Wind farm opens with 50 turbines", "The wind farm opened.", URL)
    blurb = _article(
        2, "Wind farm", "The wind farm opened, Reuters reports.", URL,
        outlet="Eurasia Newsletter", parent_url="https://letter.example/2025-12-11",
    )  # fmt: skip
    _capture(engine, full, datetime(2025, 12, 10, tzinfo=UTC))
    _capture(engine, blurb, datetime(2025, 12, 11, tzinfo=UTC))
    with engine.connect() as conn:
        assert {h.title for h in search(conn, "wind")} == {full.title, blurb.title}
        listed = store.list_articles(conn, relevant_only=False, one_per_page=True)
    assert {a.title for a in listed} == {full.title, blurb.title}
    story = Story(id=1, title="Wind", articles=listed)
    assert {a.title for a in story.reports} == {full.title, blurb.title}


def test_a_capture_that_no_longer_matches_leaves_the_page_to_the_one_that_does(engine):
    _capture(engine, _article(1, "Wind farm opens", "Turbines.", URL), datetime(2025, 12, 10))
    _capture(engine, _article(2, "Solar park opens", "Panels.", URL), datetime(2025, 12, 20))
    assert _urls(engine, "wind") == [URL]
    with engine.connect() as conn:
        assert [h.title for h in search(conn, "opens")] == ["Solar park opens"]


def test_pages_of_results_skip_the_older_captures(engine):
    """Each page of hits is a page of distinct pages: a re-capture takes no place on a page."""
    for n in range(6):
        url = f"https://news.example/{n}"
        fetched = datetime(2025, 12, 10 + n, tzinfo=UTC)
        _capture(engine, _article(n, f"Wind {n}", "Wind.", url), fetched)
        _capture(engine, _article(n + 10, f"Wind {n}", "Wind again.", url), fetched.replace(hour=5))
    pages = [_urls(engine, "wind", limit=2, offset=offset) for offset in (0, 2, 4, 6)]
    assert pages[-1] == []
    assert sorted(url for page in pages for url in page) == [
        f"https://news.example/{n}" for n in range(6)
    ]


# -- the API: the same search, paged -------------------------------------------------------------


@pytest.fixture
def api(app) -> tuple[TestClient, dict[str, str]]:
    """A client of the seeded app and a viewer's bearer header."""
    viewer = login(TestClient(app, follow_redirects=False), "viewer")
    csrf = csrf_of(viewer.get("/account").text)
    viewer.post("/account/tokens", data={"name": "t", "csrf_token": csrf})
    html = viewer.get("/account").text  # shown once, after the redirect
    token = re.search(r'class="token">([^<]+)<', html)[1]
    return TestClient(app), {"Authorization": f"Bearer {token}"}


def _api_search(api, **params) -> list[dict]:
    client, bearer = api
    response = client.get("/api/search", params={"q": "kazakhstan", **params}, headers=bearer)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_api_pages_a_search_with_offset(api):
    every = [hit["id"] for hit in _api_search(api)]
    assert len(every) == 4
    paged = [hit["id"] for offset in range(5) for hit in _api_search(api, limit=1, offset=offset)]
    assert paged == every


@pytest.mark.parametrize("offset", ["-1", str(WINDOW + 1), "ten"])
def test_the_api_refuses_an_offset_below_zero_or_past_the_ranked_window(api, offset):
    client, bearer = api
    response = client.get("/api/search", params={"q": "wind", "offset": offset}, headers=bearer)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "offset"]


def test_the_api_documents_its_offset(api):
    client, _ = api
    operation = client.get("/api/openapi.json").json()["paths"]["/api/search"]["get"]
    (offset,) = [p for p in operation["parameters"] if p["name"] == "offset"]
    # A search with words pages to WINDOW (a 422 past it); an empty q through every article.
    assert offset["schema"]["minimum"] == 0 and offset["schema"]["maximum"] == MAX_BROWSE
    assert "paging" in offset["description"] and f"up to {WINDOW}" in offset["description"]


def test_the_api_lists_a_page_captured_twice_once(api, seeded):
    first = articles()[0]
    again = replace(first, content_hash="f" * 40, title=first.title + " (updated)")
    with seeded.engine.begin() as conn:
        store.save_articles(conn, [again])
    titles = [hit["title"] for hit in _api_search(api)]
    assert len(titles) == 4 and again.title in titles and first.title not in titles


def test_the_weeks_coverage_counts_a_page_captured_twice_once(engine):
    """Found in a researcher's walk: the week page's figures and charts counted a page
    ingested again with a correction twice, where the article list, the archive and the API
    count it once."""
    from datetime import date

    from mediadigest.web.coverage import coverage

    when = datetime(2025, 12, 10, 9, tzinfo=UTC)
    yes = Relevance(score=0.9, relevant=True)
    first = _article(1, "Wind farm opens", "The wind farm opened.", URL, relevance=yes)
    again = _article(2, "Wind farm opens", "The wind farm opened. Correction.", URL, relevance=yes)
    _capture(engine, first, when)
    _capture(engine, again, datetime(2025, 12, 11, tzinfo=UTC))
    _capture(engine, _article(3, "Calm", "No wind.", relevance=yes, outlet="Other"), when)
    _capture(engine, _article(4, "Other news", "Nothing here."), when)
    with engine.connect() as conn:
        cov = coverage(conn, date(2025, 12, 8), date(2025, 12, 14))
    assert cov.counts["articles"] == 3
    assert cov.counts["relevant"] == 2
    assert sum(sum(series) for series in cov.by_country.values()) == 2
