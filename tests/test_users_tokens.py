"""An admin sees every user's API tokens on /users and revokes any of them.

Only a token's owner could revoke it: a compromised editor's token could be stopped only by
removing the editor's account (a new password leaves tokens working).
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from mediadigest.web import persist
from web_support import login, token_of


def post(client: TestClient, path: str, **data: str):
    return client.post(path, data={**data, "csrf_token": token_of(client)})


@pytest.fixture
def admin(app) -> TestClient:
    return login(TestClient(app, follow_redirects=False), "admin")


@pytest.fixture
def leaked(app) -> tuple[TestClient, dict[str, str]]:
    """The seeded editor, signed in, with a token named "cms" and its Authorization header."""
    editor = login(TestClient(app, follow_redirects=False), "editor")
    post(editor, "/account/tokens", name="cms")
    token = re.search(r'class="token">([^<]+)<', editor.get("/account").text)[1]
    bearer = {"Authorization": f"Bearer {token}"}
    assert editor.get("/api/me", headers=bearer).status_code == 200
    return editor, bearer


def token_id(seeded, name: str) -> int:
    with seeded.engine.connect() as conn:
        query = sa.select(persist.api_tokens.c.id).where(persist.api_tokens.c.name == name)
        return int(conn.execute(query).scalar_one())


def test_the_users_page_lists_every_users_tokens(admin, leaked, seeded):
    html = admin.get("/users").text
    assert re.search(r"<td>editor</td><td>cms</td>", html)
    revoke = f'action="/users/tokens/{token_id(seeded, "cms")}/revoke"'
    assert revoke in html
    assert 'Revoke<span class="visually-hidden"> editor\'s token cms</span>' in html


def test_an_admin_revokes_an_editors_token_which_then_opens_nothing(admin, leaked, seeded):
    editor, bearer = leaked
    done = post(admin, f"/users/tokens/{token_id(seeded, 'cms')}/revoke")
    assert done.status_code == 303
    assert "Revoked editor&#39;s token cms." in admin.get(done.headers["location"]).text
    assert editor.get("/api/me", headers=bearer).status_code == 401
    assert editor.get("/account").status_code == 200  # the account itself stays signed in
    with seeded.engine.connect() as conn:
        (entry,) = [e for e in persist.list_audit(conn) if e["action"] == "token.revoke"]
    assert (entry["user_name"], entry["detail"]) == ("admin", {"owner": "editor"})


def test_only_an_admin_revokes_anothers_token_and_only_with_the_form(app, leaked, seeded):
    editor, bearer = leaked
    path = f"/users/tokens/{token_id(seeded, 'cms')}/revoke"
    assert post(editor, path).status_code == 403
    admin = login(TestClient(app, follow_redirects=False), "admin")
    assert admin.post(path).status_code == 403  # no CSRF token
    assert editor.get("/api/me", headers=bearer).status_code == 200


def test_revoking_no_such_token_says_so(admin):
    done = post(admin, "/users/tokens/999/revoke")
    assert "No such token." in admin.get(done.headers["location"]).text
