"""The API's refusals are JSON, whichever layer makes them, and say what went wrong."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from mediadigest.web.app import create_app
from web_support import seed


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    seeded = seed(tmp_path_factory.mktemp("api-errors"))
    return create_app(seeded.settings, engine=seeded.engine)


@pytest.fixture
def client(app):
    return TestClient(app)


@pytest.mark.parametrize("path", ["/api", "/API/me", "/Api/articles", "/api/", "/api/nope"])
def test_a_path_of_the_api_that_does_not_exist_is_a_json_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"detail": "Not Found"}


def test_a_path_that_only_begins_like_the_api_is_a_page(client):
    response = client.get("/apis")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
