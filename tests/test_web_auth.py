"""Signing in: argon2 passwords, session cookies, login throttling, safe redirects, accounts."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from mediadigest.web import auth, persist, service
from mediadigest.web.app import create_app
from mediadigest.web.persist import Role
from web_support import PASSWORD, csrf_of, login


@pytest.fixture
def app(seeded):
    return create_app(seeded.settings, engine=seeded.engine, login_limits=(3, 4, 900))


@pytest.fixture
def client(app):
    return TestClient(app, follow_redirects=False)


def _try(client: TestClient, name: str, password: str, next_: str = "/"):
    token = csrf_of(client.get("/login").text)
    return client.post(
        "/login", data={"name": name, "password": password, "next": next_, "csrf_token": token}
    )


def test_pages_send_anonymous_visitors_to_the_login_form(client):
    response = client.get("/review?week=2025-W51")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Freview%3Fweek%3D2025-W51"


def test_right_password_signs_in_and_goes_where_the_visitor_was_headed(client):
    response = _try(client, "editor", PASSWORD, "/review?week=2025-W51")
    assert response.status_code == 303
    assert response.headers["location"] == "/review?week=2025-W51"
    assert client.get("/").status_code == 200


def test_wrong_password_and_unknown_name_get_the_same_answer(client):
    wrong = _try(client, "editor", "not the password")
    unknown = _try(client, "nobody", "not the password")
    assert wrong.status_code == unknown.status_code == 400
    assert "Wrong name or password." in wrong.text and "Wrong name or password." in unknown.text


def test_session_cookie_is_httponly_and_samesite(client):
    cookie = _try(client, "viewer", PASSWORD).headers["set-cookie"]
    assert cookie.startswith("md_session=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain http in this test


def test_session_cookie_is_secure_over_https(app):
    client = TestClient(app, base_url="https://testserver", follow_redirects=False)
    cookie = _try(client, "viewer", PASSWORD).headers["set-cookie"]
    assert "Secure" in cookie


def test_login_redirect_never_leaves_the_site(client):
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        client.cookies.clear()
        assert _try(client, "viewer", PASSWORD, target).headers["location"] == "/"


def test_sign_out_ends_the_session_on_the_server(client):
    login(client, "viewer")
    session = client.cookies["md_session"]
    client.post("/logout", data={"csrf_token": csrf_of(client.get("/account").text)})
    replay = TestClient(client.app, follow_redirects=False, cookies={"md_session": session})
    assert replay.get("/").status_code == 303


def test_failed_logins_are_throttled_per_name_at_an_address(client):
    for _ in range(3):
        assert _try(client, "editor", "guess").status_code == 400
    refused = _try(client, "editor", PASSWORD)  # even the right password, for now
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) > 0
    assert _try(client, "viewer", PASSWORD).status_code == 303  # other names are not locked


def test_failing_as_an_editor_elsewhere_does_not_lock_them_out(app):
    """Anyone could lock an editor out for 15 minutes by failing as them five times."""
    attacker = TestClient(app, follow_redirects=False, client=("203.0.113.9", 40000))
    for _ in range(3):
        assert _try(attacker, "editor", "guess").status_code == 400
    assert _try(attacker, "Editor", PASSWORD).status_code == 429  # the name in any case
    assert _try(attacker, " editor ", PASSWORD).status_code == 429  # and with spaces round it
    at_desk = TestClient(app, follow_redirects=False, client=("198.51.100.20", 40000))
    assert _try(at_desk, "editor", PASSWORD).status_code == 303


def test_failed_logins_are_throttled_per_client_address(client):
    for n in range(4):
        _try(client, f"name{n}", "guess")
    assert _try(client, "viewer", PASSWORD).status_code == 429


def test_throttle_forgets_failures_after_the_window():
    now = [0.0]
    limiter = auth.LoginLimiter(2, 60, clock=lambda: now[0])
    assert limiter.reserve("k") == limiter.reserve("k") == 0
    assert limiter.retry_after("k") == 61
    now[0] = 61
    assert limiter.retry_after("k") == 0


def test_passwords_are_stored_as_argon2_hashes(seeded):
    service.add_user(seeded.settings, "chief", Role.admin, "a long passphrase")
    with seeded.engine.connect() as conn:
        stored = conn.execute(
            sa.select(persist.users.c.password_hash).where(persist.users.c.name == "chief")
        ).scalar_one()
    assert stored.startswith("$argon2id$")
    assert "a long passphrase" not in stored


def test_first_admin_made_from_the_cli_can_sign_in(tmp_path):
    from mediadigest.config import Settings

    settings = Settings(db=f"sqlite:///{tmp_path / 'fresh.db'}")
    assert service.add_user(settings, "chief", Role.admin, "a long passphrase")
    client = TestClient(create_app(settings), follow_redirects=False)
    assert _try(client, "chief", "a long passphrase").status_code == 303
    assert client.get("/users").status_code == 200
    assert [(u.name, u.role) for u in service.list_users(settings)] == [("chief", Role.admin)]


def test_short_passwords_and_taken_names_are_refused(seeded):
    with pytest.raises(ValueError, match="at least 8"):
        service.add_user(seeded.settings, "shorty", Role.viewer, "short")
    assert service.add_user(seeded.settings, "editor", Role.viewer, "long enough!") is False
    # From the CLI as from the web form: a name in another case is taken, spaces are no name.
    assert service.add_user(seeded.settings, " EDITOR ", Role.viewer, "long enough!") is False
    with pytest.raises(ValueError, match="1 to 64"):
        service.add_user(seeded.settings, "   ", Role.viewer, "long enough!")
    assert service.add_user(seeded.settings, " desk ", Role.viewer, "long enough!")
    assert "desk" in [u.name for u in service.list_users(seeded.settings)]


def test_removing_a_user_ends_their_sessions(client, seeded):
    login(client, "viewer")
    assert service.remove_user(seeded.settings, "viewer")
    assert client.get("/").status_code == 303


def test_sessions_and_tokens_are_stored_hashed(client, seeded):
    login(client, "viewer")
    with seeded.engine.connect() as conn:
        stored = conn.execute(sa.select(persist.web_sessions.c.token_hash)).scalars().all()
    assert client.cookies["md_session"] not in stored
    assert persist.digest(client.cookies["md_session"]) in stored
