"""Every route, every role: anonymous visitors sign in first, a role below the route's is refused.

The routes come from the app itself (``route_table``), so a new route is tested here without
anyone adding it; the app refuses to start if a route declares no role at all.
"""

from __future__ import annotations

import re

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient

from mediadigest.web import app as webapp
from mediadigest.web.persist import Role
from web_support import WEEK, csrf_of, login, seed

ROUTES = [r for r in webapp.route_table() if r[2] is not None]
ROLES = [None, *Role]
# Harmless values for every form field and query parameter any route reads.
FORM = {
    "week": WEEK,
    "revision": "999",
    "on": "true",
    "story": ["1", "2"],
    "article_id": "0",
    "delta": "1",
    "headline": "h",
    "attribution": "a",
    "summary": "s",
    "text": "t",
    "url": "https://nowhere.example/feed",
    "kind": "feed",
    "name": "nobody",
    "role": "viewer",
    "password": "long enough password",
}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    return seed(tmp_path_factory.mktemp("roles"))


@pytest.fixture(scope="module")
def app(seeded):
    return webapp.create_app(seeded.settings, engine=seeded.engine, login_limits=(1000, 1000, 60))


def _path(path: str, seeded) -> str:
    values = {
        "article_id": seeded.ids[0],
        "story_id": seeded.ids[1],
        "index": 0,
        "version_id": 1,
        "token_id": 1,
        "kind": "country",
        "fmt": "md",
    }
    return re.sub(r"\{(\w+)\}", lambda m: str(values[m[1]]), path)


def _call(app, seeded, method: str, path: str, role: Role | None):
    client = TestClient(app, follow_redirects=False)
    headers = {}
    if role is not None:
        login(client, role.value)
        api_token = None
        if path.startswith("/api/"):
            client.post(
                "/account/tokens",
                data={"name": "t", "csrf_token": csrf_of(client.get("/account").text)},
            )
            html = client.get("/account").text  # shown once, after the redirect
            api_token = re.search(r'class="token">([^<]+)<', html)[1]
            headers["Authorization"] = f"Bearer {api_token}"
    url = _path(path, seeded)
    if method == "GET":
        return client.get(url, headers=headers)
    if method == "DELETE":
        return client.delete(url, params={"url": FORM["url"]}, headers=headers)
    if path.startswith("/api/"):
        return client.post(
            url, json={"on": True, "week": WEEK, "url": FORM["url"]}, headers=headers
        )
    token = csrf_of(client.get("/account").text) if role else csrf_of(client.get("/login").text)
    return client.post(url, data={**FORM, "csrf_token": token}, headers=headers)


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "anonymous")
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r[0]} {r[1]}")
def test_route_admits_exactly_the_roles_that_may_use_it(app, seeded, route, role):
    method, path, needed = route
    response = _call(app, seeded, method, path, role)
    if role is None and path.startswith("/api/"):
        assert response.status_code == 401
    elif role is None:
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")
    elif not role.allows(needed):
        assert response.status_code == 403
        assert f"needs an {needed}" in response.text  # refused for the role, not for CSRF
    else:
        assert response.status_code not in (401, 403), response.text[:300]
        assert response.status_code < 500


def test_every_route_declares_a_role_or_is_public():
    public = {(m, p) for m, p, role in webapp.route_table() if role is None}
    assert public == webapp.PUBLIC


def test_app_refuses_to_start_with_a_route_that_declares_no_role(monkeypatch, seeded):
    stray = APIRouter()
    stray.get("/forgotten")(lambda: "open to all")
    routers = webapp.routers()
    monkeypatch.setattr(webapp, "routers", lambda: [*routers, stray])
    with pytest.raises(RuntimeError, match="GET /forgotten declares no role"):
        webapp.create_app(seeded.settings, engine=seeded.engine)
