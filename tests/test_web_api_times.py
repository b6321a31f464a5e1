"""The API states every time's offset: the store keeps naive UTC, the API says it is UTC.

A version's ``published_at`` went out as "2026-11-24T07:17:59.026583", no offset, though the
schema says date-time (RFC 3339 wants an offset) and a client reads a bare time as its own
clock's; so did a source's ``last_ok_at`` and an article's ``published`` where the outlet
gave no offset (read as UTC, as everywhere).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from mediadigest import store
from mediadigest.web.app import create_app
from web_support import WEEK, csrf_of, login, seed, token_of


def _bearer(app, name: str) -> dict[str, str]:
    client = login(TestClient(app), name)
    html = client.post(
        "/account/tokens",
        data={"name": "times", "csrf_token": csrf_of(client.get("/account").text)},
    ).text
    token = re.search(r'class="token">([^<]+)<', html)[1]
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """An app whose week has a published version (through the API), and a viewer's header."""
    seeded = seed(tmp_path_factory.mktemp("times"))
    app = create_app(seeded.settings, engine=seeded.engine)
    editor = login(TestClient(app), "editor")
    editor.post("/editor/start", data={"week": WEEK, "csrf_token": token_of(editor)})
    answer = TestClient(app).post(
        "/api/digests/publish", json={"week": WEEK}, headers=_bearer(app, "editor")
    )
    assert answer.status_code == 201, answer.text
    return app, answer.json(), _bearer(app, "viewer")


def _is_utc_now(text: str) -> bool:
    when = datetime.fromisoformat(text)
    return when.utcoffset() == timedelta(0) and abs(datetime.now(UTC) - when) < timedelta(minutes=5)


def test_publish_answers_published_at_in_utc_with_its_offset(published):
    assert _is_utc_now(published[1]["published_at"])


def test_digests_list_and_detail_state_published_at_in_utc(published):
    app, _, viewer = published
    api = TestClient(app)
    (listed,) = api.get("/api/digests", headers=viewer).json()
    assert _is_utc_now(listed["published_at"])
    detail = api.get(f"/api/digests/{listed['id']}", headers=viewer).json()
    assert detail["published_at"] == listed["published_at"]


def test_a_sources_last_success_is_stated_in_utc(published):
    app, _, viewer = published
    with app.state.web.engine.begin() as conn:
        (source,) = store.list_sources(conn)
        store.record_fetch(conn, source["id"], source["url"], error=None, items=1)
    (listed,) = TestClient(app).get("/api/sources", headers=viewer).json()
    assert _is_utc_now(listed["last_ok_at"])


def test_a_time_given_without_offset_is_stated_as_utc_and_says_so(published):
    """Seeded articles name no offset: read as UTC, as everywhere, and ``published_offset``
    (null) tells them from an outlet that gave +00:00, as search's hits do."""
    app, _, viewer = published
    api = TestClient(app)
    listed = api.get("/api/articles", headers=viewer).json()
    assert listed[0]["published"].endswith(("Z", "+00:00"))
    assert listed[0]["published_offset"] is None
    assert datetime.fromisoformat(listed[0]["published"]).utcoffset() == timedelta(0)
    (hit,) = api.get("/api/search", params={"q": "grain"}, headers=viewer).json()
    assert datetime.fromisoformat(hit["published"]).utcoffset() == timedelta(0)
