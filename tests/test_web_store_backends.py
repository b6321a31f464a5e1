"""The web app's own tables on both backends (SQLite and PostgreSQL).

psycopg reports -1 rows for INSERT ... ON CONFLICT DO NOTHING, so whether such an insert
added a row must come from RETURNING: on PostgreSQL ``users add`` said "there is already a
user" for a new account (and exited 1), and a second editor's "new draft" counted as created.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from typer.testing import CliRunner

from mediadigest.cli import app
from mediadigest.web import persist, versions

WEEK = (date(2025, 12, 15), date(2025, 12, 21))


def test_users_add_says_what_it_did_on_each_backend(store_url):
    runner = CliRunner()
    first = runner.invoke(app, ["--db", store_url, "users", "add", "chief", "--role", "admin",
                                "--password-stdin"], input="Adm1n-pass-2026!\n")  # fmt: skip
    assert first.exit_code == 0, first.output
    assert "added chief (admin)" in first.output
    again = runner.invoke(app, ["--db", store_url, "users", "add", "chief", "--password-stdin"],
                          input="Other-pass-2026!\n")  # fmt: skip
    assert again.exit_code == 1 and "already a user chief" in again.output


def test_add_user_and_a_new_draft_report_whether_they_added_a_row(engine: sa.Engine):
    with engine.begin() as conn:
        uid, added = persist.add_user(conn, "dana", persist.Role.editor, "hash")
        assert added
        assert persist.add_user(conn, "dana", persist.Role.viewer, "other") == (uid, False)
        content = {"intro": "first"}
        assert versions.save_draft(conn, "kz", *WEEK, content, user="a", revision=None) == 1
        # Another editor started the same week's draft meanwhile: not created, not overwritten.
        other = {"intro": "second"}
        assert versions.save_draft(conn, "kz", *WEEK, other, user="b", revision=None) is None
        stored = conn.execute(sa.select(persist.digest_drafts.c.content)).scalar_one()
    assert stored == content


def test_two_admins_demoting_each_other_at_once_leave_one_admin(
    engine: sa.Engine, store_url, monkeypatch
):
    """The last-admin guard counted the admins before its write, outside the store's lock:
    two admins demoting each other at the same moment each counted two and left none."""
    import threading

    from fastapi.testclient import TestClient

    from mediadigest.config import Settings
    from mediadigest.web.app import create_app
    from web_support import CHEAP, PASSWORD, login, token_of

    with engine.begin() as conn:
        for name in ("boss", "temp"):
            persist.add_user(conn, name, persist.Role.admin, CHEAP.hash(PASSWORD))
    client = login(TestClient(create_app(Settings(db=store_url), engine=engine)), "boss")
    set_role = persist.set_role

    def temp_demotes_boss_meanwhile(conn, name, role):
        def demote() -> None:
            with engine.begin() as other:
                set_role(other, "boss", persist.Role.editor)

        # Between boss's request reading the users and writing: temp's own request commits.
        meanwhile = threading.Thread(target=demote)
        meanwhile.start()
        meanwhile.join(30)
        return set_role(conn, name, role)

    monkeypatch.setattr(persist, "set_role", temp_demotes_boss_meanwhile)
    answer = client.post(
        "/users/role", data={"name": "temp", "role": "viewer", "csrf_token": token_of(client)}
    )
    assert "The last admin must stay an admin." in answer.text
    with engine.connect() as conn:
        roles = {u.name: u.role for u in persist.list_users(conn)}
    assert roles == {"boss": "editor", "temp": "admin"}
