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


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """An app taking bodies of up to 1 KiB."""
    seeded = seed(tmp_path_factory.mktemp("api-body"))
    return TestClient(create_app(seeded.settings, engine=seeded.engine, max_body=1024))


BIG = b'{"url": "https://feeds.example/' + b"a" * 2048 + b'", "kind": "feed"}'


def test_a_body_declared_too_large_for_the_api_is_refused_in_json(small):
    response = small.post("/api/sources", content=BIG, headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"detail": "request body too large: the limit is 1024 bytes"}


def test_a_chunked_body_too_large_for_the_api_is_refused_in_json(small):
    chunks = iter([BIG[:1000], BIG[1000:]])  # no length: sent chunked, refused as it passes
    response = small.post("/api/sources", content=chunks)
    assert response.status_code == 413
    assert response.json()["detail"].startswith("request body too large")


def test_a_body_too_large_for_a_page_is_refused_in_plain_text(small):
    response = small.post("/sources/import", content=BIG)
    assert response.status_code == 413
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
