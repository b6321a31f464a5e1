"""What anyone may read without signing in: the Atom feed of published digests and a read-only
page of each published version; and what stays behind the login (drafts, the review queue, who
published)."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest
from fastapi.testclient import TestClient

from mediadigest.web.auth import add_user
from mediadigest.web.persist import Role
from web_support import PASSWORD, RAW, WEEK, login, token_of

ATOM = "{http://www.w3.org/2005/Atom}"
PUBLISHER = "Zhanara Publisher"  # a name no digest text contains, to look for leaks
DRAFT_ONLY = "Draft-only headline nobody published"


@pytest.fixture
def published(app, seeded) -> TestClient:
    """Version 1 published by PUBLISHER, then a draft edit nobody published (signed in)."""
    add_user(seeded.engine, PUBLISHER, Role.editor, PASSWORD)
    editor = login(TestClient(app, follow_redirects=False), PUBLISHER)
    token = token_of(editor)
    editor.post("/editor/start", data={"week": WEEK, "csrf_token": token})
    editor.post("/editor/publish", data={"week": WEEK, "revision": "1", "csrf_token": token})
    edit = {"week": WEEK, "revision": "1", "headline": DRAFT_ONLY, "csrf_token": token}
    assert editor.post("/editor/items/0/edit", data=edit).status_code == 303
    return editor


@pytest.fixture
def anyone(app) -> TestClient:
    return TestClient(app, follow_redirects=False)


def test_the_feed_is_served_without_a_session(published, anyone):
    feed = anyone.get("/feed.atom")
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("application/atom+xml")
    assert len(ET.fromstring(feed.text).findall(f"{ATOM}entry")) == 1


def test_a_reader_polling_with_the_etag_gets_304_until_a_digest_is_published(published, anyone):
    first = anyone.get("/feed.atom")
    etag = first.headers["etag"]
    again = anyone.get("/feed.atom", headers={"If-None-Match": f'"other", W/{etag}'})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert "public" in again.headers["cache-control"]
    assert anyone.get("/feed.atom", headers={"If-None-Match": "*"}).status_code == 304
    token = token_of(published)
    published.post("/editor/publish", data={"week": WEEK, "revision": "2", "csrf_token": token})
    changed = anyone.get("/feed.atom", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert DRAFT_ONLY in changed.text  # the edit, published now


def test_the_feed_answers_head_as_get_without_the_body(published, anyone):
    head = anyone.head("/feed.atom")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == anyone.get("/feed.atom").headers["etag"]


def test_each_feed_entry_links_to_a_public_page_of_the_digest(published, anyone):
    entry = ET.fromstring(anyone.get("/feed.atom").text).find(f"{ATOM}entry")
    alternate = entry.find(f"{ATOM}link[@rel='alternate']")
    assert alternate is not None and alternate.get("type") == "text/html"
    assert alternate.get("href") == "http://testserver/public/digests/1"
    page = anyone.get("/public/digests/1")
    assert page.status_code == 200
    assert "<h1>Foreign media digest: Dec. 15–21, 2025</h1>" in page.text


def test_the_api_feed_links_its_entries_to_the_public_pages_too(published):
    published.post("/account/tokens", data={"name": "reader", "csrf_token": token_of(published)})
    html = published.get("/account").text  # shown once, after the redirect
    token = html.split('class="token">')[1].split("<")[0]
    feed = published.get("/api/feed.atom", headers={"Authorization": f"Bearer {token}"}).text
    alternate = ET.fromstring(feed).find(f"{ATOM}entry/{ATOM}link[@rel='alternate']")
    assert alternate is not None
    assert alternate.get("href") == "http://testserver/public/digests/1"


def test_the_feed_and_public_page_show_published_text_never_the_draft(published, anyone):
    feed, page = anyone.get("/feed.atom").text, anyone.get("/public/digests/1").text
    assert "Kazakhstan opens wind farm" in page  # the headline as published
    assert DRAFT_ONLY not in feed and DRAFT_ONLY not in page
    assert DRAFT_ONLY in published.get(f"/editor?week={WEEK}").text  # the draft does have it


def test_the_feed_and_public_page_never_name_who_published(published, anyone):
    for text in (anyone.get("/feed.atom").text, anyone.get("/public/digests/1").text):
        assert PUBLISHER not in text
    assert PUBLISHER in published.get("/digests/1").text  # editors still see who it was


def test_a_public_page_of_a_version_never_published_is_not_found(published, anyone):
    response = anyone.get("/public/digests/2")
    assert response.status_code == 404
    assert "no published digest 2" in response.text


def test_an_empty_feed_is_still_a_feed(anyone):
    feed = anyone.get("/feed.atom")
    assert feed.status_code == 200
    assert ET.fromstring(feed.text).findall(f"{ATOM}entry") == []


@pytest.mark.parametrize(
    "path",
    [
        f"/editor?week={WEEK}",
        f"/preview?week={WEEK}",
        f"/review?week={WEEK}",
        f"/?week={WEEK}",
        "/digests",
        "/digests/1",
        "/digests/1/export.json",
        "/archive?q=wind",
        "/audit",
        "/users",
    ],
)
def test_drafts_the_review_queue_and_the_editors_pages_still_need_a_session(
    published, anyone, path
):
    response = anyone.get(path)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize("path", ["/api/feed.atom", "/api/digests", f"/api/stories?week={WEEK}"])
def test_the_api_still_needs_a_token(published, anyone, path):
    assert anyone.get(path).status_code == 401


def test_the_public_page_shows_no_navigation_or_forms_to_a_visitor(published, anyone):
    page = anyone.get("/public/digests/1").text
    assert '<nav class="main">' not in page
    assert 'method="post"' not in page
    assert 'href="/feed.atom"' in page


def test_hostile_text_in_a_published_digest_stays_text_on_the_public_page(published, anyone):
    page = anyone.get("/public/digests/1").text
    assert not [r for r in RAW if r in page]
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in page
    assert 'href="javascript:' not in page.lower()
