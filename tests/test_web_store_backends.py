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
