"""The archive search, on the page and in the API: what it says when a search cannot be run."""

from __future__ import annotations

import html
import re
from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from mediadigest import store
from mediadigest.model import Article, Document, Grade, Relevance
from mediadigest.store.search import WINDOW, search
from mediadigest.web.app import create_app
from mediadigest.web.articles import Filters, find
from web_support import csrf_of, login, seed


@pytest.fixture
def viewer(app) -> TestClient:
    return login(TestClient(app, follow_redirects=False), "viewer")


@pytest.fixture
def bearer(viewer) -> dict[str, str]:
    viewer.post(
        "/account/tokens", data={"name": "t", "csrf_token": csrf_of(viewer.get("/account").text)}
    )
    html = viewer.get("/account").text  # shown once, after the redirect
    token = re.search(r'class="token">([^<]+)<', html)[1]
    return {"Authorization": f"Bearer {token}"}


def _titles(html: str) -> list[str]:
    return re.findall(r'class="title" href="/articles/\d+">([^<]+)<', html)


def _ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'class="title" href="/articles/(\d+)">', html)]


def turbines(
    engine: sa.Engine, count: int, start: datetime = datetime(2025, 12, 1, 8), first: int = 0
) -> None:
    """``count`` reports on turbines, an hour apart back from ``start``, all from one outlet,
    stored in one go (numbered from ``first``)."""
    articles = [
        Article(
            url=f"https://turbine-news.example/{n}",
            canonical_url=f"https://turbine-news.example/{n}",
            content_hash=f"turbine{n}",
            title=f"Turbine report {n}",
            text=f"Report {n} on the turbines of the northern grid.",
            outlet="Turbine News",
            outlet_country="DE",
            published=start - timedelta(hours=n - first),
            language="en",
            relevance=Relevance(score=3.0, grade=Grade.SUBJECT, relevant=True),
        )
        for n in range(first, first + count)
    ]
    with engine.begin() as conn:
        store.save_articles(conn, articles)


def _link(html: str, rel: str) -> dict[str, list[str]] | None:
    """The query of the pager's prev or next link, or None if there is none."""
    found = re.search(rf'<a href="([^"]+)" rel="{rel}">', html)
    return parse_qs(urlsplit(found[1].replace("&amp;", "&")).query) if found else None


# -- a period that ends before it starts -----------------------------------------------------


def test_a_from_date_after_the_to_date_is_named_on_the_page(viewer):
    html = viewer.get(
        "/archive", params={"q": "Kazakhstan", "since": "2025-12-19", "until": "2025-12-15"}
    ).text
    assert (
        "From (2025-12-19) is after To (2025-12-15), so no article can match; swap the dates."
        in html
    )
    assert "Nothing found." not in html  # the reason, not an empty result


def test_a_from_date_after_the_to_date_is_a_400_naming_the_api_parameters(viewer, bearer):
    for path, query in (("/api/search", {"q": "wind"}), ("/api/articles", {})):
        response = viewer.get(
            path,
            params={**query, "since": "2025-12-19", "until": "2025-12-15"},
            headers=bearer,
        )
        assert response.status_code == 400, path
        assert response.json() == {
            "detail": "since (2025-12-19) is after until (2025-12-15), "
            "so no article can match; swap the dates."
        }


def test_a_one_day_period_is_fine(viewer, bearer):
    html = viewer.get("/archive", params={"since": "2025-12-19", "until": "2025-12-19"}).text
    assert _titles(html) == ["Caspian grain exports from Kazakhstan hit a record"]
    response = viewer.get(
        "/api/search",
        params={"q": "grain", "since": "2025-12-19", "until": "2025-12-19"},
        headers=bearer,
    )
    assert [h["outlet"] for h in response.json()] == ["Caspian Ledger"]


# -- a search too long -----------------------------------------------------------------------


def test_a_search_over_200_characters_gets_the_page_back_with_a_message(viewer):
    query = "wind " * 50  # 250 characters
    response = viewer.get("/archive", params={"q": query})
    assert response.status_code == 200
    assert "The search is 250 characters long; shorten it to 200 or fewer." in response.text
    assert f'value="{query}"' in response.text  # what was typed stays in the box to shorten
    assert _titles(response.text) == []


def test_a_search_of_200_characters_is_searched(viewer):
    query = ("wind " * 40)[:200]
    html = viewer.get("/archive", params={"q": query}).text
    assert "characters long" not in html
    assert len(_titles(html)) == 2  # the two wind farm reports


# -- pages -----------------------------------------------------------------------------------


def test_results_come_in_pages_of_50_with_next_and_previous(viewer, seeded):
    turbines(seeded.engine, 120)
    params = {"q": "turbines", "country": "DE", "relevant": "true"}
    first = viewer.get("/archive", params=params).text
    assert len(_ids(first)) == 50 and "Results 1–50" in first
    assert _link(first, "prev") is None
    assert _link(first, "next") == {
        "q": ["turbines"], "country": ["DE"], "relevant": ["true"], "page": ["2"]
    }  # fmt: skip
    second = viewer.get("/archive", params={**params, "page": "2"}).text
    assert "Results 51–100" in second and '<ol class="results" start="51">' in second
    assert _link(second, "prev") == {"q": ["turbines"], "country": ["DE"], "relevant": ["true"]}
    third = viewer.get("/archive", params={**params, "page": "3"}).text
    assert "Results 101–120" in third and _link(third, "next") is None
    pages = _ids(first) + _ids(second) + _ids(third)
    assert len(pages) == len(set(pages)) == 120  # every match once


def test_browsing_without_a_query_pages_newest_first(viewer, seeded):
    turbines(seeded.engine, 60)
    first = viewer.get("/archive", params={"country": "DE"}).text
    second = viewer.get("/archive", params={"country": "DE", "page": "2"}).text
    assert _titles(first)[:2] == ["Turbine report 0", "Turbine report 1"]
    assert _titles(second) == [f"Turbine report {n}" for n in range(50, 60)]


def test_a_single_page_of_results_has_no_pager(viewer):
    html = viewer.get("/archive", params={"q": "grain"}).text
    assert "1 result in" in html
    assert 'aria-label="Result pages"' not in html


def test_a_page_that_is_no_number_is_named_and_the_first_page_shown(viewer):
    html = viewer.get("/archive", params={"q": "wind", "page": "two"}).text
    assert "page &#39;two&#39; is not a page number from 1 to 100,000" in html
    assert len(_titles(html)) == 2


def test_the_last_page_of_a_search_says_older_matches_need_an_earlier_date(viewer, seeded):
    turbines(seeded.engine, WINDOW + 30)
    last = viewer.get("/archive", params={"q": "turbines", "page": str(WINDOW // 50)}).text
    assert len(_ids(last)) == 50 and _link(last, "next") is None
    assert f"A search ranks only the {WINDOW} most recently stored of its matches" in last
    beyond = viewer.get("/archive", params={"q": "turbines", "page": str(WINDOW // 50 + 1)}).text
    assert "Nothing found on page 5." in beyond
    assert f"A search ranks only the {WINDOW} most recently stored of its matches" in beyond


def test_search_pages_through_its_ranked_matches_on_both_backends(engine):
    turbines(engine, 70)
    with engine.connect() as conn:
        every = [h.id for h in search(conn, "turbines", limit=100)]
        pages = [[h.id for h in search(conn, "turbines", limit=30, offset=o)] for o in (0, 30, 60)]
        beyond = search(conn, "turbines", limit=10, offset=WINDOW)
    assert len(every) == 70
    assert pages[0] + pages[1] + pages[2] == every  # the same order, cut into pages
    assert beyond == []


# -- the country in another spelling ---------------------------------------------------------

IRAQ = """\
name: iraq
country: Iraq
country_code: IQ
adjective: Iraqi
threshold: 2.0
names:
  Iraq:
    aliases: [Iraq*, Republic of Iraq, Ирак*, Irak*, "*العراق*"]
"""


@pytest.mark.parametrize("query", ["Казахстан", "Qazaqstan", "Kasachstan"])
def test_the_country_in_another_spelling_finds_articles_that_use_its_main_name(viewer, query):
    html = viewer.get("/archive", params={"q": query}).text
    assert len(_titles(html)) == 4  # every report on Kazakhstan, all written in English
    assert "also searched for kazakhstan" in html


def test_the_api_finds_the_country_in_another_spelling(viewer, bearer):
    hits = viewer.get("/api/search", params={"q": "Казахстан"}, headers=bearer).json()
    assert len(hits) == 4 and all("Kazakhstan" in h["title"] for h in hits)


def test_a_word_that_is_no_alias_of_the_country_is_searched_as_it_is(viewer):
    html = viewer.get("/archive", params={"q": "students"}).text
    assert _titles(html) == ["Kazakhstan and China sign university exchange deal"]
    assert "also searched for" not in html


def test_the_alias_group_is_the_profile_the_app_serves(tmp_path):
    profile = tmp_path / "iraq.yaml"
    profile.write_text(IRAQ, encoding="utf-8")
    seeded = seed(tmp_path)
    seeded.settings.profile_name = str(profile)
    with seeded.engine.begin() as conn:
        store.save_articles(
            conn,
            [
                Article(
                    url="https://gulf-wire.example/iraq-votes",
                    canonical_url="https://gulf-wire.example/iraq-votes",
                    content_hash="iraq1",
                    title="Iraq votes in provincial elections",
                    text="Voters in Iraq chose provincial councils on Monday.",
                    outlet="Gulf Wire",
                    published=datetime(2025, 12, 16, 9),
                    language="en",
                )
            ],
        )
    viewer = login(TestClient(create_app(seeded.settings, engine=seeded.engine)), "viewer")
    html = viewer.get("/archive", params={"q": "Ирак"}).text
    assert _titles(html) == ["Iraq votes in provincial elections"]
    # "*": any ending ("Ирак*" finds "Ираке" too)
    assert "also searched for iraq*, republic of iraq, ирак*, irak*" in html


# -- browsing without a query: a page once, as search lists it --------------------------------


def _capture(engine: sa.Engine, n: int, url: str, fetched: datetime, **kw) -> None:
    """Article ``n`` stored as a fetch of ``url`` at ``fetched``, as a collection does."""
    art = Article(url=url, canonical_url=url, content_hash=f"capture{n}", title=f"Capture {n}",
                  text=f"Capture {n} of the page.", published=datetime(2025, 12, 10, 9),
                  **kw)  # fmt: skip
    with engine.begin() as conn:
        doc = Document(url, art.content_hash.encode(), fetched)
        store.save_articles(conn, [art], store.save_document(conn, doc), fetched)


def _browse(engine: sa.Engine, filters: Filters | None = None, **kw) -> list[str]:
    with engine.connect() as conn:
        return [hit.title for hit in find(conn, "", filters or Filters(), **kw)]


def test_browsing_lists_a_page_captured_twice_once_as_its_newest_capture(engine):
    page = "https://news.example/wind-farm"
    # The newer capture was stored first (an archive ingested late): capture time decides.
    _capture(engine, 1, page, datetime(2025, 12, 20), outlet_country="RU")
    _capture(engine, 2, page, datetime(2025, 12, 10), outlet_country="DE")
    _capture(engine, 3, "https://news.example/calm", datetime(2025, 12, 11), outlet_country="DE")
    assert sorted(_browse(engine)) == ["Capture 1", "Capture 3"]
    # As in a search: the newest capture among those that pass the filters.
    assert sorted(_browse(engine, Filters(country="DE"))) == ["Capture 2", "Capture 3"]


def test_browsing_pages_skip_the_older_captures(engine):
    for n in range(6):
        url = f"https://news.example/{n}"
        _capture(engine, n, url, datetime(2025, 12, 10 + n))
        _capture(engine, n + 10, url, datetime(2025, 12, 10 + n, 5))
    pages = [_browse(engine, limit=2, offset=offset) for offset in (0, 2, 4, 6)]
    assert pages == [["Capture 15", "Capture 14"], ["Capture 13", "Capture 12"],
                     ["Capture 11", "Capture 10"], []]  # fmt: skip


def test_the_archive_page_and_the_api_browse_a_page_once(viewer, bearer, seeded):
    page = "https://news.example/wind-farm"
    _capture(seeded.engine, 1, page, datetime(2025, 12, 20), outlet_country="DE")
    _capture(seeded.engine, 2, page, datetime(2025, 12, 21), outlet_country="DE")
    html = viewer.get("/archive", params={"country": "DE"}).text
    assert _titles(html) == ["Capture 2"]
    found = viewer.get("/api/search", params={"q": "", "outlet_country": "DE"}, headers=bearer)
    assert [hit["title"] for hit in found.json()] == ["Capture 2"]


# -- where a search's window ends ----------------------------------------------------------------


def _recaptured(engine: sa.Engine, pages: int, captures: int) -> None:
    """``pages`` reports on turbines, each stored ``captures`` times (each time re-written)."""
    start = datetime(2025, 12, 1, 8)
    with engine.begin() as conn:
        for n in range(pages):
            url = f"https://turbine-news.example/{n}"
            store.save_articles(conn, [
                Article(url=url, canonical_url=url, content_hash=f"turbine{n}-{c}",
                        title=f"Turbine report {n}", text=f"Turbine report {n}, version {c}.",
                        outlet="Turbine News", published=start - timedelta(hours=n))
                for c in range(captures)
            ])  # fmt: skip


_WINDOW_NOTE = f"A search ranks only the {WINDOW} most recently stored of its matches"


def test_the_window_note_shows_where_captures_again_end_the_window_early(viewer, seeded):
    _recaptured(seeded.engine, WINDOW - 50, 2)  # 300 matches; the window's 200 are 100 pages
    first = viewer.get("/archive", params={"q": "turbine"}).text
    assert len(_ids(first)) == 50 and _WINDOW_NOTE not in first  # more pages follow
    last = viewer.get("/archive", params={"q": "turbine", "page": "2"}).text
    assert len(_ids(last)) == 50 and _link(last, "next") is None
    assert _WINDOW_NOTE in last
    beyond = viewer.get("/archive", params={"q": "turbine", "page": "3"}).text
    assert "Nothing found on page 3." in beyond and _WINDOW_NOTE in beyond


def test_the_window_note_shows_on_a_single_page_that_ends_the_window(viewer, seeded):
    _recaptured(seeded.engine, 20, WINDOW // 10)  # 400 matches, all in 20 pages
    only = viewer.get("/archive", params={"q": "turbine"}).text
    assert len(_ids(only)) == 10 and _WINDOW_NOTE in only


def test_no_window_note_when_the_matches_end_first(viewer, seeded):
    _recaptured(seeded.engine, 60, 3)  # 180 matches: fewer than the window holds
    last = viewer.get("/archive", params={"q": "turbine", "page": "2"}).text
    assert len(_ids(last)) == 10 + 2 and _link(last, "next") is None  # and the seeded wind farm
    assert _WINDOW_NOTE not in last
    beyond = viewer.get("/archive", params={"q": "turbine", "page": "5"}).text
    assert "Nothing found on page 5." in beyond and _WINDOW_NOTE not in beyond


def test_the_window_is_judged_by_its_matches_on_both_backends(engine):
    _recaptured(engine, 70, 3)  # 210 matches in 70 pages
    with engine.connect() as conn:
        hits = find(conn, "turbine", Filters(), WINDOW)
        assert 0 < len(hits) < WINDOW and hits.window_full
        fewer = find(conn, "turbine", Filters(since=date(2025, 11, 29)), WINDOW)
        assert len(fewer) > 0 and not fewer.window_full


@pytest.mark.parametrize("q", ["the", "OR", "-"])
def test_a_query_without_words_is_said_so_by_the_page_and_the_api(viewer, bearer, q):
    """The API answered 200 [] and the page listed nothing: read as "nothing matched", where
    the CLI says the query has no words to search for."""
    said = f"{q!r} has no words to search for (common words like 'the' are left out)"
    response = TestClient(viewer.app).get("/api/search", params={"q": q}, headers=bearer)
    assert response.status_code == 400 and response.json()["detail"] == said
    page = html.unescape(viewer.get("/archive", params={"q": q}).text)
    assert said[0].upper() + said[1:] + "." in page


def test_a_day_beyond_the_years_we_work_with_is_a_400_naming_it(viewer, bearer):
    response = viewer.get("/api/articles", params={"until": "9999-12-31"}, headers=bearer)
    assert response.status_code == 400
    assert response.json() == {
        "detail": "until (9999-12-31) is outside the years mediadigest works with (1000 to 9998)."
    }
