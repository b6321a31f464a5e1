"""What an editor's walk through the pages found unclear, fixed: where readers find a published
digest, and which account a Remove button removes."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from web_support import WEEK, login, token_of


def post(client: TestClient, path: str, **data):
    response = client.post(path, data={**data, "csrf_token": token_of(client)})
    assert response.status_code == 303, response.text
    return response


def publish(editor: TestClient) -> None:
    post(editor, "/editor/start", week=WEEK)
    post(editor, "/editor/publish", week=WEEK, revision="1")


def test_a_published_digest_links_to_its_public_page_for_readers(editor):
    publish(editor)
    html = editor.get("/digests/1").text
    assert '<a href="/public/digests/1">Public page</a>' in html
    assert editor.get("/public/digests/1").status_code == 200


def test_the_list_of_published_digests_links_each_to_its_public_page(editor):
    publish(editor)
    row = re.search(r"<tr><td><a href=\"/digests/1\">.*?</tr>", editor.get("/digests").text, re.S)
    assert row and '<a href="/public/digests/1">public page</a>' in row[0]


def test_removing_a_user_asks_about_that_user_by_name(app):
    admin = login(TestClient(app, follow_redirects=False), "admin")
    html = admin.get("/users").text
    assert 'data-confirm="Remove editor? Their sign-in and API tokens stop working."' in html
    assert "Remove admin" not in html  # yourself: refused, so not offered (test_web_pages)
    assert 'aria-label="Remove viewer"' in html
