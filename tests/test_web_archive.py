"""The archive search, on the page and in the API: what it says when a search cannot be run."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from mediadigest.web.app import create_app
from web_support import csrf_of, login, seed


@pytest.fixture
def seeded(tmp_path):
    return seed(tmp_path)


@pytest.fixture
def app(seeded):
    return create_app(seeded.settings, engine=seeded.engine)


@pytest.fixture
def viewer(app) -> TestClient:
    return login(TestClient(app, follow_redirects=False), "viewer")


@pytest.fixture
def bearer(viewer) -> dict[str, str]:
    html = viewer.post(
        "/account/tokens", data={"name": "t", "csrf_token": csrf_of(viewer.get("/account").text)}
    ).text
    token = re.search(r'class="token">([^<]+)<', html)[1]
    return {"Authorization": f"Bearer {token}"}


def _titles(html: str) -> list[str]:
    return re.findall(r'class="title" href="/articles/\d+">([^<]+)<', html)


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
    for path in ("/api/search", "/api/articles"):
        response = viewer.get(
            path,
            params={"q": "wind", "since": "2025-12-19", "until": "2025-12-15"},
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
