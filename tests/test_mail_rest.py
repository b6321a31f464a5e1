"""A retry of a send that reached part of the [mail] list mails only those it did not reach:
`publish --mail` again, the API's publish with ``mail``, the web's Mail it again.

A walk mailed a list through a server taking 100 recipients a message: every run mailed the
same first 100 again (a send counted only where nothing was refused), and never the rest.
A real SMTP server (aiosmtpd, tests/smtp_server.py) defers two of the list (451, as a
greylist does) until it is told to take them.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from mediadigest.cli import app as cli_app
from mediadigest.config import MailSettings
from mediadigest.web import persist
from mediadigest.web.app import create_app
from smtp_server import serving
from test_web_editor import followed, post
from web_support import WEEK, login

SENDER = "Press Office <press@example.org>"
LEAVE = "mailto:leave@example.org"


def _readers(count: int) -> tuple[str, ...]:
    return tuple(f"r{i:03}@example.org" for i in range(count))


def _settings(port: int, to: tuple[str, ...] = (), **kwargs) -> MailSettings:
    return MailSettings(host="127.0.0.1", port=port, security="none", sender=SENDER, to=to,
                        timeout=5, **kwargs)  # fmt: skip


def _mail_logged(seeded) -> list[dict]:
    a = persist.audit_log.c
    query = sa.select(a.detail).where(a.action == "digest.mail").order_by(a.id)
    with seeded.engine.connect() as conn:
        return list(conn.execute(query).scalars())


@pytest.fixture
def greylisting(monkeypatch):
    """A server deferring two of a list of 5 (451 on every try), the CLI's [mail] at it."""
    readers = _readers(5)
    with serving(defer=(readers[1], readers[3])) as box:
        for name, value in (("HOST", "127.0.0.1"), ("PORT", str(box.port)),
                            ("SECURITY", "none"), ("FROM", SENDER), ("TO", ",".join(readers)),
                            ("PER_MESSAGE", "2"), ("UNSUBSCRIBE", LEAVE)):  # fmt: skip
            monkeypatch.setenv(f"MEDIADIGEST_MAIL_{name}", value)
        box.readers = readers
        yield box


def _cli(seeded, *args: str):
    return CliRunner().invoke(cli_app, ["--db", seeded.settings.db, *args])


def test_publish_mail_again_mails_only_those_it_did_not_reach(seeded, greylisting):
    readers, box = greylisting.readers, greylisting
    first = _cli(seeded, "publish", "--week", WEEK, "--mail")
    assert first.exit_code == 1
    assert "version 1: mailed to 3 recipients via" in first.output
    assert f"refused 2 ({readers[1]} (451 4.7.1 Greylisted, try again later)" in first.output
    assert "the same `publish --mail` mails those not reached, and no one else" in first.output
    logged = _mail_logged(seeded)[-1]
    assert logged["recipients"] == 3 and logged["refused"] == 2
    assert logged["not_mailed"] == [readers[1], readers[3]]
    box.defer.clear()  # the greylist lets them through now
    taken = len(box.envelopes)
    retry = _cli(seeded, "publish", "--week", WEEK, "--mail")
    assert retry.exit_code == 0, retry.output
    assert "version 1 went to part of the list on " in retry.output
    assert "mailing the 2 readers it did not reach" in retry.output
    assert "version 1: mailed to 2 recipients via" in retry.output
    assert [e.rcpt_tos for e in box.envelopes[taken:]] == [[readers[1], readers[3]]]
    assert _mail_logged(seeded)[-1] == {
        "version": 1, "recipients": 2, "refused": 0, "to": "list", "rest": True,
    }  # fmt: skip
    # Mail to the list, as the first send was: its addresses in the envelope alone.
    assert box.message(taken)["To"] == SENDER
    assert box.message(taken)["List-Unsubscribe"] == f"<{LEAVE}>"
    again = _cli(seeded, "publish", "--week", WEEK, "--mail")
    assert again.exit_code == 0 and "version 1 went to the list on " in again.output
    assert len(box.envelopes) == taken + 1


def test_a_list_changed_since_a_part_send_is_mailed_whole(seeded, greylisting, monkeypatch):
    readers, box = greylisting.readers, greylisting
    assert _cli(seeded, "publish", "--week", WEEK, "--mail").exit_code == 1
    box.defer.clear()
    grown = (*readers, "new@example.org")
    monkeypatch.setenv("MEDIADIGEST_MAIL_TO", ",".join(grown))
    taken = len(box.envelopes)
    retry = _cli(seeded, "publish", "--week", WEEK, "--mail")
    assert retry.exit_code == 0, retry.output
    assert "part of the list" not in retry.output
    assert sorted(a for e in box.envelopes[taken:] for a in e.rcpt_tos) == sorted(grown)


def test_the_api_retry_mails_only_the_rest_and_says_so(seeded, greylisting):
    readers, box = greylisting.readers, greylisting
    seeded.settings.mail = _settings(box.port, to=readers, per_message=2)
    web = create_app(seeded.settings, engine=seeded.engine)
    editor = login(TestClient(web, follow_redirects=False), "editor")
    assert post(editor, "/editor/start", week=WEEK).status_code == 303
    users = persist.users.c
    with seeded.engine.begin() as conn:
        uid = conn.execute(sa.select(users.id).where(users.name == "editor")).scalar_one()
        token = persist.create_token(conn, uid, "weekly script")[1]
    api = TestClient(web, headers={"Authorization": f"Bearer {token}"})
    first = api.post("/api/digests/publish", json={"week": WEEK, "mail": True})
    assert first.status_code == 201, first.text
    assert first.json()["mail"]["recipients"] == 3 and first.json()["mail"]["rest"] is False
    box.defer.clear()
    taken = len(box.envelopes)
    retry = api.post("/api/digests/publish", json={"week": WEEK, "mail": True})
    assert retry.status_code == 200, retry.text
    assert retry.json()["mail"] == {
        "mailed": True, "recipients": 2, "refused": {}, "error": None, "rest": True,
    }  # fmt: skip
    assert [e.rcpt_tos for e in box.envelopes[taken:]] == [[readers[1], readers[3]]]
    done = api.post("/api/digests/publish", json={"week": WEEK, "mail": True})
    assert done.status_code == 409 and "went to the whole list on" in done.json()["detail"]


def _flash(html: str) -> str:
    found = re.search(r'<p class="flash flash-(\w+)"[^>]*>([^<]*)</p>', html)
    assert found, "the page has no flash message"
    return f"{found[1]}: {found[2]}"


def test_the_webs_mail_it_again_mails_only_the_rest(seeded, greylisting):
    readers, box = greylisting.readers, greylisting
    seeded.settings.mail = _settings(box.port, to=readers, per_message=2, unsubscribe=(LEAVE,))
    editor = login(TestClient(create_app(seeded.settings, engine=seeded.engine),
                              follow_redirects=False), "editor")  # fmt: skip
    assert post(editor, "/editor/start", week=WEEK).status_code == 303
    html = followed(editor, post(editor, "/editor/publish", week=WEEK, revision="1", mail="true"))
    said = _flash(html)
    assert said.startswith("error: Published version 1. Version 1 mailed to 3 recipients; ")
    assert said.endswith("Mail it again mails those it did not reach, and no one else.")
    assert '<form method="post" action="/editor/mail" id="mail-again">' in html
    box.defer.clear()
    taken = len(box.envelopes)
    html = followed(editor, post(editor, "/editor/mail", week=WEEK))
    assert _flash(html) == (
        f"ok: Version 1 mailed to 2 recipients of the list it had not reached via "
        f"127.0.0.1:{box.port}."
    )
    assert [e.rcpt_tos for e in box.envelopes[taken:]] == [[readers[1], readers[3]]]
    assert box.message(taken)["List-Unsubscribe"] == f"<{LEAVE}>"
