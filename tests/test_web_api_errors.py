"""The API's refusals are JSON, whichever layer makes them, and say what went wrong."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from mediadigest.web import persist
from mediadigest.web.app import create_app
from mediadigest.web.persist import Role
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


def _new_token(app, user: str) -> tuple[int, int, str]:
    """(user id, token id, token) of a new token of a new viewer ``user``."""
    with app.state.web.engine.begin() as conn:
        user_id, _ = persist.add_user(conn, user, Role.viewer, "hash")
        return user_id, *persist.create_token(conn, user_id, "integration")


@pytest.mark.parametrize("sent", [{}, {"Authorization": "Basic dmlld2VyOnB3"}])
def test_a_request_with_no_bearer_token_is_told_one_is_needed_with_no_error_code(client, sent):
    response = client.get("/api/me", headers=sent)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"  # RFC 6750 3.1: no error code
    assert response.json()["detail"].startswith("an API token is required")


def test_a_bearer_header_with_no_token_says_so(client):
    response = client.get("/api/me", headers={"Authorization": "Bearer "})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith('Bearer error="invalid_token"')
    assert response.json()["detail"] == "the Authorization header has no token after 'Bearer'"


def test_unknown_revoked_and_removed_users_tokens_are_refused_alike_as_invalid(app, client):
    _, revoked_id, revoked = _new_token(app, "gone-token")
    _, _, orphan = _new_token(app, "gone-user")
    _, _, valid = _new_token(app, "still-here")
    with app.state.web.engine.begin() as conn:
        assert persist.revoke_token(conn, revoked_id, persist.find_token(conn, revoked).user.id)
        assert persist.remove_user(conn, "gone-user")
    answers = [
        client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
        for token in ("mdt_never-issued", revoked, orphan)
    ]
    for response in answers:
        assert response.status_code == 401
        challenge = response.headers["www-authenticate"]
        assert challenge.startswith('Bearer error="invalid_token", error_description="')
        assert response.json() == {
            "detail": "the API token is not valid: it was revoked, or never issued by this server"
        }
    assert len({(r.text, r.headers["www-authenticate"]) for r in answers}) == 1
    ok = client.get("/api/me", headers={"Authorization": f"bearer  {valid}"})
    assert ok.status_code == 200 and ok.json()["name"] == "still-here"
