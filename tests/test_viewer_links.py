"""A viewer is not shown a paid feed's password or key in an article's link anywhere: the
archive's CSV masked it (868bddb) while the API's JSON and the article page gave it whole.
Editors, who manage the sources those links come from, see it whole everywhere."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from test_search_csv import save, turbine_article
from web_support import csrf_of, login

SECRET = "https://wire:hunter2@paid.example/turbines?apikey=s3cr3t&id=7"
MASKED = "https://wire:***@paid.example/turbines?apikey=***&id=7"


def _token(client: TestClient) -> dict[str, str]:
    client.post(
        "/account/tokens", data={"name": "t", "csrf_token": csrf_of(client.get("/account").text)}
    )
    token = re.search(r'class="token">([^<]+)<', client.get("/account").text)[1]
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def clients(app, seeded):
    save(seeded.engine, turbine_article(1, url=SECRET))
    viewer = login(TestClient(app, follow_redirects=False), "viewer")
    editor = login(TestClient(app, follow_redirects=False), "editor")
    return {"viewer": (viewer, _token(viewer)), "editor": (editor, _token(editor))}


@pytest.mark.parametrize(("role", "shown"), [("viewer", MASKED), ("editor", SECRET)])
def test_the_apis_json_and_the_article_page_show_a_link_as_the_csv_does(clients, role, shown):
    client, bearer = clients[role]
    hits = client.get("/api/search", params={"q": "turbines"}, headers=bearer).json()
    [hit] = [h for h in hits if "paid.example" in h["url"]]
    assert hit["url"] == shown
    listed = client.get("/api/articles", params={"relevant_only": "false"}, headers=bearer)
    assert [a["url"] for a in listed.json() if a["id"] == hit["id"]] == [shown]
    assert client.get(f"/api/articles/{hit['id']}", headers=bearer).json()["url"] == shown
    html = client.get(f"/articles/{hit['id']}").text
    link = re.search(r'<a href="([^"]+)"[^>]*>Original article', html)[1]
    assert link.replace("&amp;", "&") == shown
    assert ("s3cr3t" in html) is (role == "editor")


def test_search_says_it_varies_by_accept(clients):
    client, bearer = clients["viewer"]
    response = client.get("/api/search", params={"q": "turbines"}, headers=bearer)
    assert response.headers["vary"] == "Accept"


@pytest.mark.parametrize(
    ("accept", "kind"),
    [
        ("text/csv", "text/csv"),
        ("text/csv, */*", "text/csv"),
        ("text/csv;q=0.1, */*", "application/json"),  # anything else preferred
        ("application/*, text/csv;q=0.5", "application/json"),
        ("*/*", "application/json"),
    ],
)
def test_search_answers_csv_only_where_it_is_preferred(clients, accept, kind):
    client, bearer = clients["viewer"]
    response = client.get(
        "/api/search", params={"q": "turbines"}, headers={**bearer, "Accept": accept}
    )
    assert response.headers["content-type"].split(";")[0] == kind
