"""Mailing from the web app: Publish's "Mail it to the list", Mail it again after a failed
send, the API's publish with ``mail``, and renaming a source on the Sources page.

`publish --mail` mailed a published digest, but editors work in the web app, which could
not; nor could it rename a source, which `sources rename` did. A real SMTP server (aiosmtpd,
tests/smtp_server.py) on 127.0.0.1 receives what is sent.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from mediadigest import store
from mediadigest.config import MailSettings
from mediadigest.web import persist, versions
from mediadigest.web.app import create_app
from mediadigest.write.render import from_dict, to_html
from smtp_server import free_port, serving
from test_web_editor import followed, post
from web_support import WEEK, login

SENDER = "Press Office <press@example.org>"
LIST = ("a@example.org", "b@example.org", "c@example.net")


@pytest.fixture
def inbox():
    with serving(refuse=("nobody@example.org",)) as box:
        yield box


def _mail_at(port: int, to: tuple[str, ...] = LIST) -> MailSettings:
    return MailSettings(host="127.0.0.1", port=port, security="none", sender=SENDER, to=to,
                        timeout=5)  # fmt: skip


@pytest.fixture
def app(seeded, inbox):
    """The web app, its [mail] settings pointing at ``inbox``."""
    seeded.settings.mail = _mail_at(inbox.port)
    return create_app(seeded.settings, engine=seeded.engine)


def _flash(html: str) -> str:
    found = re.search(r'<p class="flash flash-(\w+)"[^>]*>([^<]*)</p>', html)
    assert found, "the page has no flash message"
    return f"{found[1]}: {found[2]}"


def _versions(seeded) -> list[dict]:
    with seeded.engine.connect() as conn:
        return versions.list_versions(conn)


def _audited(seeded, action: str) -> list[tuple]:
    a = persist.audit_log.c
    query = sa.select(a.user_name, a.target, a.detail).where(a.action == action)
    with seeded.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(query.order_by(a.id))]


def _start(editor) -> None:
    assert post(editor, "/editor/start", week=WEEK).status_code == 303


# -- Publish with "Mail it to the list" -------------------------------------------------------


def test_the_publish_form_offers_to_mail_the_list_unticked(editor):
    _start(editor)
    html = editor.get(f"/editor?week={WEEK}").text
    form = html[html.index('action="/editor/publish"') :]
    form = form[: form.index("</form>")]
    assert '<input type="checkbox" name="mail" value="true">' in form  # not checked
    assert "Mail it to the list (<b>3</b> recipients)" in form


def test_without_mail_settings_nothing_is_offered(seeded):
    app = create_app(seeded.settings, engine=seeded.engine)
    editor = login(TestClient(app, follow_redirects=False), "editor")
    _start(editor)
    assert 'name="mail"' not in editor.get(f"/editor?week={WEEK}").text


def test_publish_with_the_box_ticked_mails_the_version_published(editor, seeded, inbox):
    _start(editor)
    response = post(editor, "/editor/publish", week=WEEK, revision="1", mail="true")
    html = followed(editor, response)
    assert _flash(html) == (
        f"ok: Published version 1. Version 1 mailed to 3 recipients via 127.0.0.1:{inbox.port}."
    )
    assert len(inbox.envelopes) == 1 and inbox.envelopes[0].rcpt_tos == list(LIST)
    with seeded.engine.connect() as conn:
        content = (versions.get_version(conn, _versions(seeded)[0]["id"]) or {})["content"]
    received = inbox.message()
    assert received.get_body(("html",)).get_content().replace("\r\n", "\n") == to_html(
        from_dict(content)
    )
    published = _versions(seeded)[0]
    target = f"kazakhstan {published['period_from']}..{published['period_to']}"
    assert _audited(seeded, "digest.mail") == [
        ("editor", target, {"version": 1, "recipients": 3, "refused": 0, "to": "list"})
    ]


def test_publish_without_the_box_mails_nothing(editor, seeded, inbox):
    _start(editor)
    html = followed(editor, post(editor, "/editor/publish", week=WEEK, revision="1"))
    assert _flash(html) == "ok: Published version 1."
    assert inbox.envelopes == [] and 'id="mail-again"' not in html


def test_a_failed_send_leaves_it_published_and_mail_it_again_publishes_nothing(
    editor, seeded, inbox
):
    _start(editor)
    seeded.settings.mail = _mail_at(free_port())  # nothing listens there
    html = followed(editor, post(editor, "/editor/publish", week=WEEK, revision="1", mail="true"))
    said = _flash(html)
    assert said.startswith("error: Published version 1. Version 1 was not mailed: mail server ")
    assert said.endswith(": connection refused. It stays published.")
    assert len(_versions(seeded)) == 1
    form = html[html.index('<form method="post" action="/editor/mail" id="mail-again">') :]
    assert f'name="week" value="{WEEK}"' in form and "Mail it again</button>" in form
    assert _audited(seeded, "digest.mail") == []  # nothing sent, nothing logged
    seeded.settings.mail = _mail_at(inbox.port)
    html = followed(editor, post(editor, "/editor/mail", week=WEEK))
    assert _flash(html) == f"ok: Version 1 mailed to 3 recipients via 127.0.0.1:{inbox.port}."
    assert 'id="mail-again"' not in html
    assert len(_versions(seeded)) == 1 and len(inbox.envelopes) == 1


def test_a_refused_recipient_is_named_and_the_others_get_it(editor, seeded, inbox):
    seeded.settings.mail = _mail_at(inbox.port, to=("a@example.org", "nobody@example.org"))
    _start(editor)
    html = followed(editor, post(editor, "/editor/publish", week=WEEK, revision="1", mail="true"))
    listed = "`mediadigest mail refused` lists them, `mediadigest mail enable ADDR` tries one again"
    assert _flash(html) == (
        f"error: Published version 1. Version 1 mailed to 1 recipient; mail server "
        f"127.0.0.1:{inbox.port} refused nobody@example.org (550 5.1.1 no such user here). "
        f"1 address refused for good (5xx) skipped from now on ({listed})."
    )
    assert inbox.envelopes[0].rcpt_tos == ["a@example.org"]
    # Refused for good: a second try could reach no one, so none is offered.
    assert 'id="mail-again"' not in html
    # A later send to the list skips it, and the message says so.
    html = followed(editor, post(editor, "/editor/mail", week=WEEK))
    assert _flash(html) == (
        f"ok: Version 1 mailed to 1 recipient via 127.0.0.1:{inbox.port}. "
        f"Skipped 1 address refused for good (5xx) by earlier sends ({listed})."
    )
    assert inbox.envelopes[1].rcpt_tos == ["a@example.org"]


def test_no_mail_it_again_where_every_address_is_skipped(editor, seeded, inbox):
    # Every address of the list refused for good by earlier sends: Mail it again would skip
    # them all again; the message says where to list and enable them instead.
    seeded.settings.mail = _mail_at(inbox.port, to=("a@example.org", "nobody@example.org"))
    _start(editor)
    followed(editor, post(editor, "/editor/publish", week=WEEK, revision="1", mail="true"))
    seeded.settings.mail = _mail_at(inbox.port, to=("nobody@example.org",))
    html = followed(editor, post(editor, "/editor/mail", week=WEEK))
    said = _flash(html)
    assert said.startswith("error: Version 1 was not mailed: mail server 127.0.0.1:")
    assert "the 1 address to mail refused for good by earlier sends: nothing sent" in said
    assert "`mediadigest mail refused` lists them" in said
    assert "`mediadigest mail enable ADDR` tries one again" in said
    assert 'id="mail-again"' not in html and "Mail it again" not in html


def test_every_recipient_refused_by_the_server_keeps_none_and_offers_mail_it_again(editor, seeded):
    with serving(every="550 5.7.1 Relaying denied") as relay:
        seeded.settings.mail = _mail_at(relay.port)
        _start(editor)
        html = followed(
            editor, post(editor, "/editor/publish", week=WEEK, revision="1", mail="true")
        )
    said = _flash(html)
    assert "the server refused every recipient (550 5.7.1 Relaying denied)" in said
    assert "nothing was remembered" in said
    assert 'id="mail-again"' in html
    with seeded.engine.connect() as conn:
        assert conn.execute(sa.text("select count(*) from mail_refused")).scalar() == 0


def test_the_box_ticked_without_a_mail_server_set_publishes_nothing(editor, seeded):
    _start(editor)
    seeded.settings.mail = MailSettings(sender=SENDER, to=LIST)  # no host
    html = followed(editor, post(editor, "/editor/publish", week=WEEK, revision="1", mail="true"))
    assert _flash(html).startswith(
        "error: Nothing was published: cannot mail the digest: set [mail] host"
    )
    assert _versions(seeded) == []


def test_mail_it_again_of_a_week_with_nothing_published_says_so(editor, inbox):
    html = followed(editor, post(editor, "/editor/mail", week=WEEK))
    assert _flash(html) == "error: This week has no published version to mail."
    assert inbox.envelopes == []


def test_publishing_over_a_newer_version_carries_the_box(editor, seeded, inbox):
    from test_editor_weeks import mediadigest

    _start(editor)
    post(editor, "/editor/intro", week=WEEK, revision="1", text="The desk's own intro.")
    assert mediadigest(seeded, "publish", "--week", WEEK, "--rebuild").exit_code == 0
    asked = post(editor, "/editor/publish", week=WEEK, revision="2", mail="true")
    assert (
        asked.status_code == 409 and '<input type="hidden" name="mail" value="true">' in asked.text
    )
    over = post(editor, "/editor/publish", week=WEEK, revision="2", replace_newer="1", mail="true")
    assert "Version 2 mailed to 3 recipients" in _flash(followed(editor, over))


# -- the API: POST /api/digests/publish with "mail" -------------------------------------------


def _api(app, seeded) -> TestClient:
    """A client with an editor's API token."""
    users = persist.users.c
    with seeded.engine.begin() as conn:
        editor = conn.execute(sa.select(users.id).where(users.name == "editor")).scalar_one()
        token = persist.create_token(conn, editor, "weekly script")[1]
    return TestClient(app, headers={"Authorization": f"Bearer {token}"})


def test_the_api_publishes_and_mails_and_says_so(app, editor, seeded, inbox):
    _start(editor)
    response = _api(app, seeded).post("/api/digests/publish", json={"week": WEEK, "mail": True})
    assert response.status_code == 201, response.text
    assert response.json()["version"] == 1
    assert response.json()["mail"] == {
        "mailed": True, "recipients": 3, "refused": {}, "error": None, "rest": False,
    }  # fmt: skip
    assert inbox.envelopes[0].rcpt_tos == list(LIST)
    assert _audited(seeded, "digest.mail")[0][2] == {
        "version": 1, "recipients": 3, "refused": 0, "to": "list", "via": "api",
    }  # fmt: skip


def test_the_api_without_mail_mails_nothing_and_says_null(app, editor, seeded, inbox):
    _start(editor)
    response = _api(app, seeded).post("/api/digests/publish", json={"week": WEEK})
    assert response.status_code == 201 and response.json()["mail"] is None
    assert inbox.envelopes == []


def test_an_api_send_that_fails_is_still_the_publishs_success_and_a_retry_mails_it(
    app, editor, seeded, inbox
):
    _start(editor)
    api = _api(app, seeded)
    seeded.settings.mail = _mail_at(free_port())
    failed = api.post("/api/digests/publish", json={"week": WEEK, "mail": True})
    assert failed.status_code == 201  # published: the version is out
    mailed = failed.json()["mail"]
    assert mailed["mailed"] is False and mailed["error"].endswith(": connection refused")
    seeded.settings.mail = _mail_at(inbox.port)
    again = api.post("/api/digests/publish", json={"week": WEEK, "mail": True})
    assert again.status_code == 200, again.text  # nothing changed: nothing published
    assert again.json()["version"] == 1 and again.json()["mail"]["mailed"] is True
    assert len(_versions(seeded)) == 1 and len(inbox.envelopes) == 1
    unasked = api.post("/api/digests/publish", json={"week": WEEK})
    assert unasked.status_code == 409  # as before: nothing new to publish
    # A client's retry once the whole list has it mailed every reader again.
    retried = api.post("/api/digests/publish", json={"week": WEEK, "mail": True})
    assert retried.status_code == 409, retried.text
    assert "went to the whole list on" in retried.json()["detail"]
    forced = api.post("/api/digests/publish", json={"week": WEEK, "mail": True, "mail_again": True})
    assert forced.status_code == 200 and forced.json()["mail"]["mailed"] is True
    assert len(_versions(seeded)) == 1 and len(inbox.envelopes) == 2


def test_the_api_asked_to_mail_without_a_mail_server_publishes_nothing(app, editor, seeded):
    _start(editor)
    seeded.settings.mail = MailSettings(sender=SENDER, to=LIST)
    response = _api(app, seeded).post("/api/digests/publish", json={"week": WEEK, "mail": True})
    assert response.status_code == 409
    assert "cannot mail the digest: set [mail] host" in response.json()["detail"]
    assert _versions(seeded) == []


# -- renaming a source ------------------------------------------------------------------------


def _source(seeded) -> dict:
    with seeded.engine.connect() as conn:
        return store.list_sources(conn)[0]


def test_an_editor_renames_a_source_and_an_empty_name_gives_back_the_feeds(editor, seeded):
    url = _source(seeded)["url"]
    html = followed(
        editor, post(editor, "/sources/rename", url=url, title="  Steppe\nW\u202eire  ")
    )
    assert _flash(html).startswith("ok: Renamed: https://feeds.example/rss?")
    assert _flash(html).endswith(" is now listed as Steppe Wire.")
    assert _source(seeded)["title"] == "Steppe Wire"
    assert ">Steppe Wire</a>" in html
    html = followed(editor, post(editor, "/sources/rename", url=url, title=""))
    assert "Name cleared:" in _flash(html) and "its next collection." in _flash(html)
    assert _source(seeded)["title"] is None
    assert _audited(seeded, "source.rename") == [
        ("editor", url, {"title": "Steppe Wire"}),
        ("editor", url, {"title": None}),
    ]


def test_renaming_an_unknown_source_says_so(editor, seeded):
    html = followed(editor, post(editor, "/sources/rename", url="https://nowhere.example/rss",
                                 title="X"))  # fmt: skip
    assert _flash(html) == "error: No such source: https://nowhere.example/rss"
    assert _audited(seeded, "source.rename") == []


def test_a_viewer_may_not_rename_and_sees_no_rename_form(app, seeded):
    viewer = login(TestClient(app, follow_redirects=False), "viewer")
    assert 'action="/sources/rename"' not in viewer.get("/sources").text
    url = _source(seeded)["url"]
    assert post(viewer, "/sources/rename", url=url, title="X").status_code == 403
    assert _source(seeded)["title"] != "X"
