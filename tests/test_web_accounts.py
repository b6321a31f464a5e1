"""Accounts: API tokens made once and shown once, passwords changed and reset, names in any case,
and the charts of a week without articles."""

from __future__ import annotations

import json
import logging
import re

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from mediadigest.cli import app as cli
from mediadigest.web import persist
from web_support import PASSWORD, csrf_of, login, token_of

NEW = "a brand new passphrase"


def _client(app) -> TestClient:
    return TestClient(app, follow_redirects=False)


def _tokens(seeded, name: str) -> list[str]:
    with seeded.engine.connect() as conn:
        user = persist.password_hash_of(conn, name)
        assert user
        return [t["name"] for t in persist.list_tokens(conn, user[0].id)]


def _audit(seeded, action: str) -> list[dict]:
    with seeded.engine.connect() as conn:
        return [e for e in persist.list_audit(conn) if e["action"] == action]


def _signs_in(app, name: str, password: str) -> bool:
    client = _client(app)
    token = csrf_of(client.get("/login").text)
    form = {"name": name, "password": password, "csrf_token": token}
    return client.post("/login", data=form).status_code == 303


# -- API tokens: post/redirect/get, the secret shown once ---------------------------------------


def _create_token(client: TestClient, name: str = "newsroom CMS"):
    return client.post("/account/tokens", data={"name": name, "csrf_token": token_of(client)})


def test_creating_a_token_redirects_so_a_reload_makes_no_second_one(editor, seeded):
    response = _create_token(editor)
    assert response.status_code == 303
    assert response.headers["location"] == "/account"
    editor.get("/account")
    editor.get("/account")  # the reload: a GET, which makes nothing
    assert _tokens(seeded, "editor") == ["newsroom CMS"]


def test_a_token_with_a_blank_name_is_refused(editor, seeded):
    response = _create_token(editor, "   ")
    assert response.status_code == 303
    assert "A token needs a name that is not blank." in editor.get("/account").text
    assert _tokens(seeded, "editor") == []


def test_new_token_is_shown_once_after_the_redirect_and_then_never(editor, caplog):
    caplog.set_level(logging.DEBUG)
    response = _create_token(editor)
    assert "mdt_" not in response.headers["location"]
    shown = editor.get("/account").text
    assert "shown once" in shown
    secret = shown.split('<code class="token">')[1].split("</code>")[0]
    assert secret.startswith("mdt_")
    api = _client(editor.app).get("/api/articles", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 200
    assert secret not in editor.get("/account").text
    assert secret not in caplog.text


def test_new_token_is_not_shown_to_another_session(editor, app):
    _create_token(editor)
    cookie = editor.cookies["md_new_token"]
    other = login(_client(app), "editor")
    other.cookies.set("md_new_token", cookie, path="/account")
    assert "mdt_" not in other.get("/account").text


# -- changing one's own password -----------------------------------------------------------------


def _change(client: TestClient, current: str, new: str, again: str | None = None):
    form = {"current_password": current, "password": new, "password_again": again or new}
    response = client.post("/account/password", data=form | {"csrf_token": token_of(client)})
    assert response.status_code == 303
    return client.get("/account").text


def test_own_password_change_signs_in_with_the_new_one_only(editor, app):
    assert "Password changed" in _change(editor, PASSWORD, NEW)
    assert _signs_in(app, "editor", NEW)
    assert not _signs_in(app, "editor", PASSWORD)


def test_own_password_change_ends_other_sessions_and_keeps_this_one(editor, app):
    elsewhere = login(_client(app), "editor")
    _change(editor, PASSWORD, NEW)
    assert editor.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 303  # to the login form


def test_own_password_change_keeps_api_tokens_valid(editor, app):
    _create_token(editor)
    secret = editor.get("/account").text.split('<code class="token">')[1].split("</code>")[0]
    _change(editor, PASSWORD, NEW)
    api = _client(app).get("/api/articles", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 200


@pytest.mark.parametrize(
    ("current", "new", "again", "says"),
    [
        ("not my password", NEW, NEW, "Wrong current password"),
        (PASSWORD, NEW, NEW + "!", "differ"),
        (PASSWORD, "short", "short", "at least 8 characters"),
    ],
)
def test_own_password_change_is_refused(editor, app, current, new, again, says):
    assert says in _change(editor, current, new, again)
    assert _signs_in(app, "editor", PASSWORD)


def test_wrong_current_password_counts_as_a_failed_sign_in(seeded):
    from mediadigest.web.app import create_app

    app = create_app(seeded.settings, engine=seeded.engine, login_limits=(2, 30, 900))
    client = login(_client(app), "editor")
    _change(client, "guess one", NEW)
    _change(client, "guess two", NEW)
    assert "Too many failed attempts" in _change(client, PASSWORD, NEW)
    assert _audit(seeded, "user.password") == []


def test_password_change_is_audited_without_the_password(editor, seeded):
    _change(editor, PASSWORD, NEW)
    (entry,) = _audit(seeded, "user.password")
    assert (entry["user_name"], entry["target"]) == ("editor", "editor")
    assert NEW not in json.dumps(entry, default=str)


def test_a_refused_password_form_shows_none_of_the_passwords_typed(editor):
    form = {"current_password": PASSWORD, "password": NEW, "password_again": NEW + "!"}
    refused = editor.post("/account/password", data=form | {"csrf_token": "stale"})
    assert refused.status_code == 403
    assert PASSWORD not in refused.text and NEW not in refused.text


# -- an admin setting another user's password ---------------------------------------------------


def _set(admin: TestClient, name: str, password: str, again: str | None = None) -> str:
    form = {"name": name, "password": password, "password_again": again or password}
    response = admin.post("/users/password", data=form | {"csrf_token": token_of(admin)})
    assert response.status_code == 303
    return admin.get("/users").text


def test_admin_sets_another_users_password_and_signs_them_out(app, seeded):
    admin = login(_client(app), "admin")
    viewer = login(_client(app), "viewer")
    assert "Set a new password for viewer" in _set(admin, "viewer", NEW)
    assert viewer.get("/").status_code == 303
    assert _signs_in(app, "viewer", NEW) and not _signs_in(app, "viewer", PASSWORD)
    (entry,) = _audit(seeded, "user.password")
    assert (entry["user_name"], entry["target"]) == ("admin", "viewer")
    assert NEW not in json.dumps(entry, default=str)


def test_admin_sets_their_own_password_on_the_account_page_only(app):
    admin = login(_client(app), "admin")
    assert "account page" in _set(admin, "admin", NEW)
    assert _signs_in(app, "admin", PASSWORD)


def test_admin_password_form_keeps_the_rules_of_users_add(app):
    admin = login(_client(app), "admin")
    assert "at least 8 characters" in _set(admin, "viewer", "short")
    assert "differ" in _set(admin, "viewer", NEW, NEW + "!")
    assert _signs_in(app, "viewer", PASSWORD)


def test_only_an_admin_sets_another_users_password(editor, app):
    form = {"name": "viewer", "password": NEW, "password_again": NEW}
    response = editor.post("/users/password", data=form | {"csrf_token": token_of(editor)})
    assert response.status_code == 403
    assert _signs_in(app, "viewer", PASSWORD)


# -- the CLI's users password --------------------------------------------------------------------


def _cli(seeded, *args: str, input: str | None = None):
    return CliRunner().invoke(cli, ["--db", seeded.settings.db, "users", *args], input=input)


def test_users_password_sets_a_new_password_and_signs_the_user_out(seeded, app):
    signed_in = login(_client(app), "viewer")
    done = _cli(seeded, "password", "viewer", "--password-stdin", input=NEW + "\n")
    assert done.exit_code == 0, done.output
    assert "set a new password for viewer (1 session ended)" in done.output
    assert signed_in.get("/").status_code == 303
    assert _signs_in(app, "viewer", NEW) and not _signs_in(app, "viewer", PASSWORD)
    (entry,) = _audit(seeded, "user.password")
    assert (entry["user_name"], entry["target"]) == ("cli", "viewer")
    assert NEW not in json.dumps(entry, default=str)


def test_users_password_takes_the_name_in_any_case(seeded, app):
    done = _cli(seeded, "password", "VIEWER", "--password-stdin", input=NEW + "\n")
    assert done.exit_code == 0, done.output
    assert _signs_in(app, "viewer", NEW)


def test_users_password_prompts_twice_without_stdin(seeded, app):
    done = _cli(seeded, "password", "viewer", input=f"{NEW}\n{NEW}\n")
    assert done.exit_code == 0, done.output
    assert _signs_in(app, "viewer", NEW)


def test_users_password_refuses_a_short_password_and_an_unknown_user(seeded, app):
    short = _cli(seeded, "password", "viewer", "--password-stdin", input="short\n")
    assert short.exit_code != 0 and "at least 8 characters" in short.output
    unknown = _cli(seeded, "password", "nobody", "--password-stdin", input=NEW + "\n")
    assert unknown.exit_code == 1 and "nobody: no such user" in unknown.output
    assert _signs_in(app, "viewer", PASSWORD)


# -- names in any case ---------------------------------------------------------------------------


def test_users_add_refuses_a_name_with_a_control_character(seeded):
    odd = _cli(seeded, "add", "ed\tx", "--password-stdin", input=NEW + "\n")
    assert odd.exit_code != 0 and "(U+0009)" in odd.output
    assert "ed\tx" not in _cli(seeded, "list").output


def test_users_add_names_the_existing_user_as_stored(seeded):
    again = _cli(seeded, "add", "EDITOR", "--password-stdin", input=NEW + "\n")
    assert again.exit_code == 1
    assert "there is already a user editor" in again.output


def test_sign_in_takes_the_name_in_any_case(app):
    client = _client(app)
    token = csrf_of(client.get("/login").text)
    form = {"name": " Editor ", "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=form).status_code == 303
    assert "Account: editor" in client.get("/account").text


def test_two_old_accounts_differing_in_case_each_sign_in_by_their_own_name(seeded, app):
    from web_support import CHEAP

    with seeded.engine.begin() as conn:  # made before names had to differ in more than case
        persist.add_user(conn, "Desk", persist.Role.viewer, CHEAP.hash("desk one pass"))
        persist.add_user(conn, "desk", persist.Role.viewer, CHEAP.hash("desk two pass"))
    assert _signs_in(app, "Desk", "desk one pass") and _signs_in(app, "desk", "desk two pass")
    assert not _signs_in(app, "DESK", "desk one pass")


# -- charts of an empty week ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["theme", "country"])
def test_empty_week_chart_shows_the_days_and_says_no_articles(editor, kind):
    response = editor.get(f"/charts/{kind}.svg?week=2025-W52")
    assert response.status_code == 200
    texts = re.findall(r"<text\b[^>]*>([^<]*)</text>", response.text)
    assert "no articles" in texts
    days = ["Mon 22", "Tue 23", "Wed 24", "Thu 25", "Fri 26", "Sat 27", "Sun 28"]
    assert [t for t in texts if t[:3] in {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}] == days
    assert not [t for t in texts if "." in t]  # no 0.0 to 1.0 scale of nothing


def test_users_help_names_the_password_command():
    result = CliRunner().invoke(cli, ["users", "--help"])
    assert "add, list, password, remove, role" in result.output
    assert re.search(r"│ password +Set a password", result.output)


def test_serve_on_a_missing_store_and_a_store_without_accounts_says_so(tmp_path):
    """A mistyped --db served a new, empty store where every sign-in failed, saying nothing."""
    import subprocess
    import sys

    path = tmp_path / "typo" / "none.db"
    server = subprocess.Popen(
        [sys.executable, "-m", "mediadigest", "--db", str(path), "serve", "--port", "0",
         "--collect-every", "off"],
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    said = []
    try:
        for line in server.stderr:  # until the server is up (or it exits)
            said.append(line)
            if "Uvicorn running on" in line:
                break
    finally:
        server.terminate()
        server.communicate(timeout=30)
    text = "".join(said)
    assert f"warning: no store at {path}: starting a new, empty one (check --db)" in text
    assert "the store has no accounts, so nobody can sign in" in text
    assert "Uvicorn running on" in text
