"""What the public face tells caches: a published digest and the feed are the same for everyone,
so browsers and shared caches may keep them for five minutes and they set no cookie; every page
behind the login, and whatever is not published, stays ``no-store``."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from mediadigest.web.csrf import ANON_COOKIE
from web_support import WEEK, login, token_of

PUBLIC = "public, max-age=300"


def post(client: TestClient, path: str, **data):
    response = client.post(path, data={**data, "csrf_token": token_of(client)})
    assert response.status_code == 303, response.text
    return response


@pytest.fixture
def editor_published(app, seeded) -> TestClient:
    """The seeded editor, signed in, having published the week's draft as version 1."""
    editor = login(TestClient(app, follow_redirects=False), "editor")
    post(editor, "/editor/start", week=WEEK)
    post(editor, "/editor/publish", week=WEEK, revision="1")
    return editor


@pytest.fixture
def anyone(app) -> TestClient:
    return TestClient(app, follow_redirects=False)


@pytest.mark.parametrize("path", ["/public/digests/1", "/feed.atom"])
def test_published_pages_may_be_cached_by_anyone_for_five_minutes(editor_published, anyone, path):
    response = anyone.get(path)
    assert response.status_code == 200
    assert response.headers["cache-control"] == PUBLIC


@pytest.mark.parametrize("path", ["/public/digests/1", "/feed.atom"])
def test_published_pages_set_no_cookie_for_a_visitor(editor_published, anyone, path):
    response = anyone.get(path)
    assert "set-cookie" not in response.headers
    assert ANON_COOKIE not in anyone.cookies


def test_a_signed_in_editor_gets_the_same_public_page_as_a_visitor(editor_published, anyone):
    """A page a shared cache keeps must not carry the editor's name, sign-out form or token."""
    mine, theirs = editor_published.get("/public/digests/1"), anyone.get("/public/digests/1")
    assert mine.text == theirs.text
    assert "set-cookie" not in mine.headers
    assert 'name="csrf_token"' not in mine.text and ">editor</a>" not in mine.text


def test_the_public_page_leaves_a_pending_message_for_the_editors_next_page(editor_published):
    """Publishing set a flash message; reading it on the public page would clear the cookie
    (a Set-Cookie on a cacheable page) and the editor would never see it."""
    assert "set-cookie" not in editor_published.get("/public/digests/1").headers
    assert "Published version 1." in editor_published.get("/digests").text


@pytest.mark.parametrize(
    "path", [f"/editor?week={WEEK}", "/digests", "/digests/1", "/digests/1/export.md", "/"]
)
def test_editors_pages_stay_out_of_every_cache(editor_published, path):
    assert editor_published.get(path).headers["cache-control"] == "no-store"


def test_the_api_feed_needs_a_token_so_it_stays_out_of_shared_caches(editor_published):
    editor_published.post(
        "/account/tokens", data={"name": "reader", "csrf_token": token_of(editor_published)}
    )
    html = editor_published.get("/account").text  # shown once, after the redirect
    token = html.split('class="token">')[1].split("<")[0]
    feed = editor_published.get("/api/feed.atom", headers={"Authorization": f"Bearer {token}"})
    assert feed.status_code == 200
    assert feed.headers["cache-control"] == "no-store"


def test_a_digest_never_published_is_not_cached_and_sets_no_cookie(anyone):
    response = anyone.get("/public/digests/7")
    assert response.status_code == 404
    assert response.headers["cache-control"] == "no-store"
    assert "set-cookie" not in response.headers


def test_the_sign_in_page_still_gets_its_anonymous_form_cookie(anyone):
    response = anyone.get("/login")
    assert response.headers["cache-control"] == "no-store"
    assert ANON_COOKIE in response.headers["set-cookie"]
