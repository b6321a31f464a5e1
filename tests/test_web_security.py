"""Forged requests are refused and hostile text stays text, on every page that shows it."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from mediadigest import store
from mediadigest.web.app import create_app
from web_support import PAYLOADS, RAW, WEEK, csrf_of, login, seed, token_of


@pytest.fixture
def seeded(tmp_path):
    return seed(tmp_path)


@pytest.fixture
def editor(seeded):
    app = create_app(seeded.settings, engine=seeded.engine)
    return login(TestClient(app, follow_redirects=False), "editor")


def _sources(seeded) -> int:
    with seeded.engine.connect() as conn:
        return len(store.list_sources(conn))


# -- CSRF ------------------------------------------------------------------------------------


def test_form_without_csrf_token_is_refused_and_changes_nothing(editor, seeded):
    response = editor.post("/sources/add", data={"url": "https://new.example/feed"})
    assert response.status_code == 403
    assert "Form refused" in response.text
    assert _sources(seeded) == 1


def test_form_with_a_forged_csrf_token_is_refused(editor, seeded):
    response = editor.post(
        "/sources/add", data={"url": "https://new.example/feed", "csrf_token": "0" * 64}
    )
    assert response.status_code == 403
    assert _sources(seeded) == 1


def test_csrf_token_of_another_session_is_refused(editor, seeded):
    other = login(TestClient(editor.app), "admin")
    response = editor.post(
        "/sources/add", data={"url": "https://new.example/feed", "csrf_token": token_of(other)}
    )
    assert response.status_code == 403
    assert _sources(seeded) == 1


def test_request_from_another_origin_is_refused_even_with_a_token(editor, seeded):
    response = editor.post(
        "/sources/add",
        headers={"Origin": "https://evil.example"},
        data={"url": "https://new.example/feed", "csrf_token": token_of(editor)},
    )
    assert response.status_code == 403
    assert _sources(seeded) == 1


def test_form_with_its_own_token_goes_through(editor, seeded):
    response = editor.post(
        "/sources/add",
        headers={"Origin": "http://testserver"},
        data={"url": "https://new.example/feed", "csrf_token": token_of(editor)},
    )
    assert response.status_code == 303
    assert _sources(seeded) == 2


def test_login_form_needs_its_csrf_token(seeded):
    client = TestClient(create_app(seeded.settings, engine=seeded.engine))
    client.get("/login")
    response = client.post("/login", data={"name": "editor", "password": "x" * 20})
    assert response.status_code == 403


_EDITOR_PAGE = f"http://testserver/editor?week={WEEK}"
_TYPED = {"headline": "My <b>careful</b> headline", "summary": "A long edit.\nTwo lines."}


def _save_typed(client: TestClient, token: str):
    return client.post(
        "/editor/items/0/edit",
        headers={"Referer": _EDITOR_PAGE},
        data={"week": WEEK, "revision": "1", "csrf_token": token, **_TYPED},
    )


def _shows_typed_text(html: str) -> bool:
    return (
        ">My &lt;b&gt;careful&lt;/b&gt; headline</textarea>" in html
        and ">A long edit.\nTwo lines.</textarea>" in html
    )


def test_a_form_sent_after_signing_out_elsewhere_says_so_and_keeps_the_text(editor):
    token = token_of(editor)  # the editor page stays open in one tab...
    editor.post("/logout", data={"csrf_token": token})  # ...while another signs out
    response = _save_typed(editor, token)
    assert response.status_code == 403
    assert "Your session ended; sign in again." in response.text
    assert _shows_typed_text(response.text)
    assert 'href="/login?next=%2Feditor%3Fweek%3D2025-W51"' in response.text


def test_a_form_sent_after_the_session_expired_says_so_and_keeps_the_text(editor, seeded):
    token = token_of(editor)
    with seeded.engine.begin() as conn:
        conn.execute(sa.delete(sa.table("web_sessions")))
    response = _save_typed(editor, token)
    assert response.status_code == 401
    assert "Your session ended; sign in again." in response.text
    assert _shows_typed_text(response.text)


def test_a_refused_form_shows_what_was_typed_but_never_a_password(editor):
    response = _save_typed(editor, "0" * 64)
    assert "Form refused" in response.text
    assert _shows_typed_text(response.text)
    refused = editor.post("/login", data={"name": "editor", "password": "secret words"})
    assert "secret words" not in refused.text


def test_session_cookie_alone_does_not_authorise_the_api(editor):
    response = editor.post("/api/stories/1/pin", json={"on": True})
    assert response.status_code == 401


# -- XSS -------------------------------------------------------------------------------------


def _pages(client: TestClient, seeded) -> dict[str, str]:
    """Every page that shows text from the web, with a draft and a published version made."""
    token = token_of(client)
    client.post("/editor/start", data={"week": WEEK, "csrf_token": token})
    client.post("/editor/publish", data={"week": WEEK, "revision": "1", "csrf_token": token})
    client.post("/account/tokens", data={"name": PAYLOADS[0], "csrf_token": token})
    paths = [
        "/",
        f"/?week={WEEK}",
        f"/review?week={WEEK}",
        f"/editor?week={WEEK}",
        f"/preview?week={WEEK}",
        "/digests",
        "/digests/1",
        "/archive?q=wind",
        "/archive?q=&relevant=true",
        "/sources",
        "/users",
        "/audit",
        "/account",
        *(f"/articles/{i}" for i in seeded.ids),
        *(f"/articles/{i}?hl=0-80" for i in seeded.ids),
    ]
    return {p: client.get(p).text for p in paths}


@pytest.fixture
def admin_pages(seeded):
    client = login(TestClient(create_app(seeded.settings, engine=seeded.engine)), "admin")
    return _pages(client, seeded)


def test_no_page_renders_a_payload_as_markup(admin_pages):
    for path, html in admin_pages.items():
        assert not [r for r in RAW if r in html], path


def test_payloads_are_shown_as_text(admin_pages):
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in admin_pages["/articles/1"]
    assert "&lt;/textarea&gt;&lt;svg onload" in admin_pages[f"/editor?week={WEEK}"]
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in admin_pages["/digests/1"]


def test_links_from_the_web_never_carry_a_script_url(admin_pages):
    for path, html in admin_pages.items():
        assert 'href="javascript:' not in html.lower(), path


def test_pages_forbid_inline_script_by_policy(editor):
    policy = editor.get("/").headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("style-src")[0]
    assert "frame-ancestors 'none'" in policy


def test_charts_are_svg_without_scripts(editor):
    response = editor.get(f"/charts/country.svg?week={WEEK}")
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert "<script" not in response.text
    assert response.headers["content-security-policy"].startswith("default-src 'none'")


def test_hostile_search_syntax_is_a_search_not_an_error(editor):
    for query in ('"unbalanced', "OR OR -", "NEAR(a b)", "*", "title:wind", "a\x00b"):
        assert editor.get("/archive", params={"q": query}).status_code == 200


def test_article_text_is_never_stored_or_served_as_html(editor, seeded):
    html = editor.get(f"/articles/{seeded.ids[0]}").text
    with seeded.engine.connect() as conn:
        text = conn.execute(
            sa.text("select text from articles where id = :i"), {"i": seeded.ids[0]}
        ).scalar_one()
    assert PAYLOADS[0] in text  # the store keeps what the web said
    assert PAYLOADS[0] not in html  # the page shows it escaped


def test_csrf_field_is_in_every_form(admin_pages):
    for path, html in admin_pages.items():
        forms = html.count('method="post"')
        assert html.count('name="csrf_token"') >= forms, path
        if forms:
            assert csrf_of(html)
