"""The JSON API: bearer tokens only, roles as on the pages, and no input that makes it fail.

Schemathesis reads the app's OpenAPI schema and sends every operation generated requests
(valid and not) with an admin token; whatever it sends, the answer is never a 5xx.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from mediadigest.web import editions
from mediadigest.web.app import create_app
from web_support import WEEK, csrf_of, login, seed


def _token(client: TestClient) -> str:
    html = client.post(
        "/account/tokens",
        data={"name": "integration", "csrf_token": csrf_of(client.get("/account").text)},
    ).text
    return re.search(r'class="token">([^<]+)<', html)[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """An app, and a bearer header per role."""
    seeded = seed(tmp_path_factory.mktemp("api"))
    app = create_app(seeded.settings, engine=seeded.engine)
    headers = {
        name: {"Authorization": f"Bearer {_token(login(TestClient(app), name))}"}
        for name in ("viewer", "editor", "admin")
    }
    return app, headers


@pytest.fixture
def api(served):
    return TestClient(served[0])


def test_api_refuses_requests_without_a_token(api):
    response = api.get("/api/articles")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


def test_api_refuses_an_unknown_token(api):
    assert api.get("/api/me", headers={"Authorization": "Bearer mdt_nope"}).status_code == 401


def test_viewer_token_reads_articles_with_why_they_matched(api, served):
    found = api.get("/api/articles", headers=served[1]["viewer"]).json()
    assert len(found) == 4
    detail = api.get(f"/api/articles/{found[0]['id']}", headers=served[1]["viewer"]).json()
    assert detail["relevance"]["hits"][0]["alias"] == "Kazakhstan"


def test_viewer_token_searches_the_archive(api, served):
    hits = api.get("/api/search", params={"q": "grain"}, headers=served[1]["viewer"]).json()
    assert [h["outlet"] for h in hits] == ["Caspian Ledger"]
    fields = {"id", "url", "title", "outlet", "outlet_country", "published", "language"}
    fields |= {"published_offset"}  # minutes east of UTC; "published" states it too
    assert set(hits[0]) == fields | {"score", "snippet"} and "**" in hits[0]["snippet"]
    assert datetime.fromisoformat(hits[0]["published"]).year == 2025
    schema = api.get("/api/openapi.json").json()["components"]["schemas"]["SearchHit"]
    assert set(schema["properties"]) == set(hits[0])  # the response is documented


def test_viewer_token_cannot_pin_a_story(api, served):
    response = api.post("/api/stories/2/pin", json={"on": True}, headers=served[1]["viewer"])
    assert response.status_code == 403


def test_editor_token_pins_a_story(api, served):
    assert (
        api.post("/api/stories/3/pin", json={"on": True}, headers=served[1]["editor"]).status_code
        == 204
    )
    ranked = api.get("/api/stories", params={"week": WEEK}, headers=served[1]["viewer"]).json()
    assert ranked[0]["id"] == 3 and ranked[0]["pinned"]


def test_openapi_schema_describes_the_api_and_its_token_scheme(api):
    schema = api.get("/api/openapi.json").json()
    assert {"/api/articles", "/api/search", "/api/digests", "/api/sources"} <= set(schema["paths"])
    assert all(p.startswith("/api/") for p in schema["paths"])  # pages stay out of it
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture(scope="module")
def api_schema(served):
    return schemathesis.openapi.from_asgi("/api/openapi.json", served[0])


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_answers_with_a_server_error(case, served):
    response = case.call(headers=served[1]["admin"])
    case.validate_response(response, checks=[not_a_server_error])


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_answers_as_its_schema_says(case, served):
    """Every status it answers is declared, with the body and headers it declares: no
    operation listed 401 or 403, nor 404, 409 or 400 where they answer it, and POST
    /api/sources' 422 was a string where the schema says a list (schemathesis ST103, ST108).
    A viewer's token: the editors' operations answer 403, and nothing changes."""
    response = case.call(headers=served[1]["viewer"])
    checks = [status_code_conformance, response_schema_conformance, content_type_conformance]
    case.validate_response(response, checks=[*checks, response_headers_conformance])


def test_sources_come_with_their_folder(api, served, tmp_path):
    """Folders kept from an OPML were on the sources page and in `sources list`, not in the API."""
    from mediadigest import store
    from mediadigest.model import Source

    with served[0].state.web.engine.begin() as conn:
        store.add_source(conn, Source("https://kz.example/rss", folder="Central Asia/Wires"))
    listed = api.get("/api/sources", headers=served[1]["viewer"]).json()
    assert {s["url"]: s["folder"] for s in listed}["https://kz.example/rss"] == (
        "Central Asia/Wires"
    )


def test_a_viewer_is_not_shown_a_paid_feeds_password(api, served):
    """A security walk: a source's https://user:password@… and ?apikey= went to viewers, on
    the sources page, its OPML and the API; editors, who manage sources, see them whole."""
    from mediadigest import store
    from mediadigest.model import Source

    paid = "https://wire:s3cret@paid.example/rss?apikey=k3y&lang=en"
    with served[0].state.web.engine.begin() as conn:
        store.add_source(conn, Source(paid))
    seen = {s["url"] for s in api.get("/api/sources", headers=served[1]["viewer"]).json()}
    assert "https://wire:***@paid.example/rss?apikey=***&lang=en" in seen
    assert not any("s3cret" in url or "k3y" in url for url in seen)
    seen = {s["url"] for s in api.get("/api/sources", headers=served[1]["editor"]).json()}
    assert paid in seen
    viewer = login(TestClient(served[0]), "viewer")
    for path in ("/sources", "/sources/export.opml"):
        body = viewer.get(path).text
        assert "paid.example" in body and "s3cret" not in body and "k3y" not in body, path
    assert "s3cret" in login(TestClient(served[0]), "editor").get("/sources").text


def test_articles_page_with_offset_and_link_to_the_next_page(api, served):
    """limit and offset page the list, as /api/search pages: offset was ignored (the first
    page again) and nothing said the list had been cut."""
    viewer = served[1]["viewer"]
    everything = api.get("/api/articles", params={"relevant_only": False}, headers=viewer)
    assert "link" not in everything.headers  # nothing more
    ids = [a["id"] for a in everything.json()]
    assert len(ids) > 3
    first = api.get("/api/articles", params={"relevant_only": False, "limit": 2}, headers=viewer)
    assert [a["id"] for a in first.json()] == ids[:2]
    link = re.fullmatch(r'<(/api/articles\?[^>]+)>; rel="next"', first.headers["link"])
    assert link, first.headers["link"]
    second = api.get(link[1], headers=viewer)
    assert [a["id"] for a in second.json()] == ids[2:4]
    last = api.get(
        "/api/articles",
        params={"relevant_only": False, "limit": 2, "offset": len(ids) - 1},
        headers=viewer,
    )
    assert [a["id"] for a in last.json()] == ids[-1:] and "link" not in last.headers


def test_articles_offset_is_bounded_as_search_offset_is(api, served):
    response = api.get("/api/articles", params={"offset": 10**9}, headers=served[1]["viewer"])
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "offset"]


def test_search_links_to_its_next_page(api, served):
    viewer = served[1]["viewer"]
    every = api.get("/api/search", params={"q": ""}, headers=viewer).json()
    first = api.get("/api/search", params={"q": "", "limit": 1}, headers=viewer)
    assert len(every) > 1 and first.json()[0]["id"] == every[0]["id"]
    nxt = re.fullmatch(r'<([^>]+)>; rel="next"', first.headers["link"])[1]
    assert api.get(nxt, headers=viewer).json()[0]["id"] == every[1]["id"]


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/articles", {"relevant": "false"}),
        ("/api/articles", {"page": "2"}),
        ("/api/search", {"q": "grain", "lang": "ru"}),
        ("/api/me", {"x": "1"}),
        ("/api/digests", {"cursor": "x"}),
        ("/api/stories", {"week": WEEK, "limit": "5"}),
    ],
)
def test_an_unknown_query_parameter_is_refused_by_name(api, served, path, params):
    """relevant=false gave relevant articles only and lang=ru every language, with a 200."""
    response = api.get(path, params=params, headers=served[1]["viewer"])
    assert response.status_code == 422
    known = {"q", "week"}
    (error,) = response.json()["detail"]  # FastAPI's shape: a list of located errors
    (unknown,) = set(params) - known
    assert error["loc"] == ["query", unknown] and unknown in error["msg"]
    assert error["type"] == "extra_forbidden"


@pytest.mark.parametrize("day", ["0", "1735689600", "2025-1-1", "tomorrow"])
@pytest.mark.parametrize(("path", "extra"), [("/api/articles", {}), ("/api/search", {"q": ""})])
def test_a_day_that_is_not_written_as_one_is_refused(api, served, path, extra, day):
    """until=0 was read as a Unix time, 1970-01-01: every article was older, an empty 200."""
    response = api.get(path, params={**extra, "until": day}, headers=served[1]["viewer"])
    assert response.status_code == 422, day
    (error,) = response.json()["detail"]
    assert error["loc"] == ["query", "until"] and "2025-12-31" in error["msg"]


def test_the_last_week_is_asked_for_as_the_cli_asks_for_it(api, served):
    """It was a 400: a weekly script had to work out the week's name that `--week last` says."""
    assert api.get("/api/stories", params={"week": "last"}, headers=served[1]["viewer"]).is_success
    wednesday = date(2025, 12, 24)
    assert editions.week_of(" Last", today=wednesday) == (date(2025, 12, 15), date(2025, 12, 21))


def test_the_last_week_is_published_as_the_cli_publishes_it(api, served):
    """The docs' weekly script publishes `last`; the body's pattern refused it (422)."""
    body = {"week": "last"}
    response = api.post("/api/digests/publish", json=body, headers=served[1]["editor"])
    assert response.status_code == 404  # the seeded store has no draft for it
    monday, _ = editions.week_of("last")
    assert response.json()["detail"] == f"no draft for {monday:%G-W%V}"


def test_known_query_parameters_are_still_taken(api, served):
    response = api.get(
        "/api/articles",
        params={"since": "2025-01-01", "relevant_only": "false", "limit": 1, "offset": 1},
        headers=served[1]["viewer"],
    )
    assert response.status_code == 200 and len(response.json()) == 1


# What each operation answers besides 200 (201, 204) and 422, 401 and 503 (every operation).
REFUSALS = {
    ("get", "/api/me"): set(),
    ("get", "/api/articles"): {"400"},
    ("get", "/api/articles/{article_id}"): {"404"},
    ("get", "/api/search"): {"400"},
    ("get", "/api/stories"): {"400"},
    ("post", "/api/stories/{story_id}/pin"): {"400", "403", "404", "413"},
    ("post", "/api/stories/{story_id}/hide"): {"400", "403", "404", "409", "413"},
    ("get", "/api/digests"): set(),
    ("get", "/api/digests/{version_id}"): {"404"},
    ("post", "/api/digests/publish"): {"400", "403", "404", "409", "413"},
    ("get", "/api/feed.atom"): set(),
    ("get", "/api/sources"): set(),
    ("post", "/api/sources"): {"400", "403", "409", "413"},
    ("delete", "/api/sources"): {"403", "404"},
    ("post", "/api/sources/pause"): {"403", "404"},
    ("post", "/api/sources/resume"): {"403", "404"},
    ("post", "/api/sources/rename"): {"400", "403", "404", "413"},
}


def test_every_operation_declares_the_errors_it_answers_with_their_shape(api):
    schema = api.get("/api/openapi.json").json()
    operations = {(m, p): op for p, ops in schema["paths"].items() for m, op in ops.items()}
    assert set(operations) == set(REFUSALS)
    for key, op in operations.items():
        errors = {code for code in op["responses"] if code[0] in "45"}
        assert errors == REFUSALS[key] | {"401", "422", "503"}, key
        for code in errors:
            body = op["responses"][code]["content"]["application/json"]["schema"]["$ref"]
            assert body.endswith("/Invalid" if code == "422" else "/Problem"), (key, code)
    assert "WWW-Authenticate" in operations[("get", "/api/me")]["responses"]["401"]["headers"]
    assert schema["components"]["schemas"]["Problem"]["properties"]["detail"]["type"] == "string"


def test_a_source_url_that_is_not_a_web_address_is_a_422_naming_the_field(api, served):
    """It was {"detail": "url must be an http(s) URL"}: a string where FastAPI's 422 (and
    the schema) gives a list of located errors."""
    for url in ("ftp://example.org/rss", "http://", "https://exa mple.org/rss"):
        response = api.post("/api/sources", json={"url": url}, headers=served[1]["editor"])
        assert response.status_code == 422, url
        (error,) = response.json()["detail"]
        assert error["loc"] == ["body", "url"], url


def test_a_source_url_is_added_without_the_spaces_around_it(api, served):
    response = api.post(
        "/api/sources", json={"url": "  https://wires.example/rss  "}, headers=served[1]["editor"]
    )
    assert response.status_code == 201 and response.json()["url"] == "https://wires.example/rss"


def test_a_digest_says_where_its_content_is_documented(api):
    op = api.get("/api/openapi.json").json()["paths"]["/api/digests/{version_id}"]["get"]
    assert "docs/digest-json.md" in op["description"]
    doc = Path(__file__).parents[1] / "docs" / "digest-json.md"
    assert doc.is_file()


def test_every_operation_is_in_the_api_docs_and_the_readme_links_them(api):
    """The API had no page: README and docs/ never named it nor /api/openapi.json."""
    root = Path(__file__).parents[1]
    doc = (root / "docs" / "api.md").read_text(encoding="utf-8")
    paths = api.get("/api/openapi.json").json()["paths"]
    for path, ops in paths.items():
        for method in ops:
            heading = re.sub(r"\{\w+\}", "{id}", f"### `{method.upper()} {path}")
            assert heading in doc, heading
    assert "/api/openapi.json" in doc
    assert "(docs/api.md)" in (root / "README.md").read_text(encoding="utf-8")


def test_adding_a_source_again_answers_200_with_the_source_and_adds_none(api, served):
    """It answered 201 Created every time, where `sources add` says "already present"."""
    editor = served[1]["editor"]
    url = "https://again.example/rss"
    first = api.post("/api/sources", json={"url": url}, headers=editor)
    again = api.post("/api/sources", json={"url": "HTTPS://again.example/rss"}, headers=editor)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    listed = api.get("/api/sources", headers=editor).json()
    assert [s["url"] for s in listed].count(url) == 1


def test_adding_a_source_as_another_kind_is_a_409_naming_the_kind_it_has(api, served):
    """A sitemap asked for answered 201 with the feed kept, as if it were what was asked."""
    editor = served[1]["editor"]
    url = "https://kinds.example/news.xml"
    assert api.post("/api/sources", json={"url": url}, headers=editor).status_code == 201
    response = api.post("/api/sources", json={"url": url, "kind": "sitemap"}, headers=editor)
    assert response.status_code == 409 and "as a feed" in response.json()["detail"]
    listed = {s["url"]: s["kind"] for s in api.get("/api/sources", headers=editor).json()}
    assert listed[url] == "feed"


def test_the_api_adds_every_kind_of_source_the_collector_reads(api, served):
    """urllist, a text file of page URLs, was refused (422) though `sources add` takes it."""
    from mediadigest.collect.poll import KINDS

    schema = api.get("/api/openapi.json").json()["components"]["schemas"]["Kind"]
    assert set(schema["enum"]) == set(KINDS)
    response = api.post(
        "/api/sources",
        json={"url": "https://lists.example/pages.txt", "kind": "urllist"},
        headers=served[1]["editor"],
    )
    assert response.status_code == 201 and response.json()["kind"] == "urllist"
