"""Forged requests are refused and hostile text stays text, on every page that shows it; and
what `serve` believes of a request: its client address, its Host, its size.

The tests of `serve` run the app on a real server (uvicorn on 127.0.0.1, configured as
`serve` configures it) and send real requests, concurrent where a race is the question.
"""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from xml.etree import ElementTree as ET

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from mediadigest import store
from mediadigest.cli import app as cli_app
from mediadigest.web import persist, service
from mediadigest.web.app import create_app
from mediadigest.web.body_limit import MAX_BODY
from mediadigest.web.persist import Role
from mediadigest.web.routes.sources import MAX_OPML
from web_support import PASSWORD, PAYLOADS, RAW, WEEK, csrf_of, login, seed, served, token_of


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


def test_a_form_sent_after_the_editor_was_made_a_viewer_says_nothing_was_saved_and_keeps_it(
    editor, seeded
):
    """The 403 said only "editor is a viewer; this needs an editor": the typed text was lost."""
    token = token_of(editor)
    with seeded.engine.begin() as conn:
        persist.set_role(conn, "editor", Role.viewer)
    response = _save_typed(editor, token)
    assert response.status_code == 403
    assert "editor is a viewer; this needs an editor. Nothing was saved." in response.text
    assert _shows_typed_text(response.text)
    assert 'href="/editor?week=2025-W51">Back to the page' in response.text


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


# -- serve behind a proxy: whose address a request is from -----------------------------------


@contextmanager
def _served(app, trusted_proxies: Sequence[str] = service.LOOPBACK) -> Iterator[str]:
    """``app`` on uvicorn as `serve` runs it (`service.server_config`); its URL."""

    def configure(app, port: int):
        return service.server_config(app, port=port, trusted_proxies=trusted_proxies)

    with served(app, configure) as url:
        yield url


def _audited(seeded, action: str) -> list[str]:
    """The targets (for sign-ins: the client addresses) of the audit log's ``action`` rows."""
    log = persist.audit_log
    with seeded.engine.connect() as conn:
        query = sa.select(log.c.target).where(log.c.action == action).order_by(log.c.id)
        return list(conn.execute(query).scalars())


def _sign_in(client: httpx.Client, name: str, password: str, **headers: str) -> httpx.Response:
    token = csrf_of(client.get("/login").text)
    data = {"name": name, "password": password, "csrf_token": token}
    return client.post("/login", data=data, headers=headers)


def test_serve_behind_a_same_host_https_proxy_signs_in_by_default(seeded):
    """nginx doing TLS on this host: the browser names https://host as the origin; believing
    no X-Forwarded-Proto, the app saw http://host and refused every form, sign-in included."""
    app = create_app(seeded.settings, engine=seeded.engine)
    proxied = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.7"}
    with (
        _served(app, service.parse_proxies(None)) as url,
        httpx.Client(base_url=url, headers={"Host": "digest.example.org"}) as client,
    ):
        signed_in = _sign_in(
            client, "editor", PASSWORD, Origin="https://digest.example.org", **proxied
        )
    assert signed_in.status_code == 303
    assert "Secure" in signed_in.headers["set-cookie"]
    assert _audited(seeded, "login") == ["198.51.100.7"]


def test_an_appending_proxy_names_the_client_whatever_the_client_sent(seeded):
    """uvicorn takes the rightmost address that is no trusted proxy: a guess naming a new
    address ahead of the one the proxy appended is still counted against its sender."""
    app = create_app(seeded.settings, engine=seeded.engine, login_limits=(5, 3, 900))
    with _served(app) as url, httpx.Client(base_url=url) as client:
        codes = [
            _sign_in(client, f"name{n}", "a guess",
                     **{"X-Forwarded-For": f"203.0.113.{n}, 198.51.100.7"})
            for n in range(4)
        ]  # fmt: skip
    assert [r.status_code for r in codes] == [400, 400, 400, 429]
    assert _audited(seeded, "login.failed") == ["198.51.100.7"] * 3


def test_serve_with_no_trusted_proxy_believes_no_forwarded_address(seeded):
    """Each guess naming a new X-Forwarded-For was a new client: never throttled."""
    app = create_app(seeded.settings, engine=seeded.engine, login_limits=(5, 3, 900))
    with _served(app, service.parse_proxies(["none"])) as url, httpx.Client(base_url=url) as client:
        codes = [
            _sign_in(client, f"name{n}", "a guess", **{"X-Forwarded-For": f"203.0.113.{n}"})
            for n in range(4)
        ]
    assert [r.status_code for r in codes] == [400, 400, 400, 429]
    assert _audited(seeded, "login.failed") == ["127.0.0.1"] * 3


def test_serve_with_no_trusted_proxy_believes_no_forwarded_https(seeded):
    app = create_app(seeded.settings, engine=seeded.engine)
    with _served(app, service.parse_proxies([""])) as url, httpx.Client(base_url=url) as client:
        signed_in = _sign_in(client, "editor", PASSWORD, **{"X-Forwarded-Proto": "https"})
    assert signed_in.status_code == 303
    assert "Secure" not in signed_in.headers["set-cookie"]


def test_a_trusted_proxy_names_the_client_and_marks_cookies_secure_over_https(seeded):
    app = create_app(seeded.settings, engine=seeded.engine)
    forwarded = {"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https"}
    with (
        _served(app, trusted_proxies=("127.0.0.1",)) as url,
        httpx.Client(base_url=url) as client,
    ):
        failed = _sign_in(client, "editor", "a guess", **forwarded)
        signed_in = _sign_in(client, "editor", PASSWORD, **forwarded)
    assert failed.status_code == 400
    assert signed_in.status_code == 303
    assert "Secure" in signed_in.headers["set-cookie"]
    assert _audited(seeded, "login.failed") == _audited(seeded, "login") == ["198.51.100.7"]


def test_trusted_proxies_are_addresses_or_networks_in_a_list_or_repeated(tmp_path):
    given = ["127.0.0.1, ::1", "10.0.0.0/8"]
    assert service.parse_proxies(given) == ["127.0.0.1", "::1", "10.0.0.0/8"]
    assert service.parse_proxies(None) == ["127.0.0.1", "::1"]  # not given: this host
    assert service.parse_proxies(["none"]) == service.parse_proxies([""]) == []
    with pytest.raises(ValueError, match="'none' trusts no proxy"):
        service.parse_proxies(["none", "10.0.0.1"])
    db = f"sqlite:///{tmp_path / 'store.db'}"
    result = CliRunner().invoke(cli_app, ["--db", db, "serve", "--trusted-proxy", "proxy.example"])
    assert result.exit_code == 2
    said = " ".join(re.sub(r"[│╭╮╰╯─]", " ", result.stderr).split())  # out of its box
    assert "'proxy.example' is not an IP address or network" in said


# -- sign-in limits, under concurrent guesses ------------------------------------------------


def _guess_together(url: str, names: list[str]) -> list[int]:
    """Sign in as each of ``names`` with a wrong password, all at once from one address."""
    with httpx.Client(base_url=url) as first:
        token = csrf_of(first.get("/login").text)
        cookies = dict(first.cookies)
    start = threading.Barrier(len(names))

    def guess(name: str) -> int:
        with httpx.Client(base_url=url, cookies=cookies, timeout=60) as client:
            start.wait()
            data = {"name": name, "password": "a guess", "csrf_token": token}
            return client.post("/login", data=data).status_code

    with ThreadPoolExecutor(len(names)) as pool:
        return list(pool.map(guess, names))


# Names nobody has: each is checked against the dummy hash at argon2's full cost (~0.1 s),
# the time in which concurrent guesses passed the limit before the first failure counted.
def test_concurrent_guesses_at_one_name_get_no_more_checks_than_the_limit(seeded):
    app = create_app(seeded.settings, engine=seeded.engine, login_limits=(3, 100, 900))
    with _served(app) as url:
        codes = _guess_together(url, ["ghost"] * 8)
    assert sorted(codes) == [400] * 3 + [429] * 5
    assert len(_audited(seeded, "login.failed")) == 3


def test_concurrent_guesses_from_one_address_get_no_more_checks_than_its_limit(seeded):
    app = create_app(seeded.settings, engine=seeded.engine, login_limits=(100, 4, 900))
    with _served(app) as url:
        codes = _guess_together(url, [f"ghost{n}" for n in range(8)])
    assert sorted(codes) == [400] * 4 + [429] * 4
    assert len(_audited(seeded, "login.failed")) == 4


def test_signing_in_uses_up_none_of_an_addresses_attempts(seeded):
    """Attempts are counted before the check: one that succeeds must be given back."""
    app = create_app(seeded.settings, engine=seeded.engine, login_limits=(100, 2, 900))
    client = TestClient(app, follow_redirects=False)
    for _ in range(3):
        client.cookies.clear()
        assert login(client, "viewer")
    assert _sign_in(client, "viewer", "a guess").status_code == 400


# -- the feed's links (serve --base-url) -----------------------------------------------------


@pytest.fixture
def published(app) -> None:
    editor = login(TestClient(app, follow_redirects=False), "editor")
    token = token_of(editor)
    editor.post("/editor/start", data={"week": WEEK, "csrf_token": token})
    editor.post("/editor/publish", data={"week": WEEK, "revision": "1", "csrf_token": token})


ATOM = "{http://www.w3.org/2005/Atom}"
BASE = "https://digest.example.org"


@pytest.fixture
def app(seeded):
    """The app as `serve --base-url https://digest.example.org` makes it."""
    return create_app(seeded.settings, engine=seeded.engine, base_url=BASE)


def test_the_feed_links_to_the_base_url_whatever_host_a_request_names(app, published):
    forged = TestClient(app).get("/feed.atom", headers={"Host": "attacker.example"})
    assert "attacker.example" not in forged.text
    feed = ET.fromstring(forged.text)
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == f"{BASE}/feed.atom"
    alternate = feed.find(f"{ATOM}entry/{ATOM}link[@rel='alternate']").get("href")
    assert alternate == f"{BASE}/public/digests/1"


def test_a_feed_linked_by_host_tells_caches_it_varies_with_host(seeded, published):
    by_host = create_app(seeded.settings, engine=seeded.engine)
    response = TestClient(by_host).get("/feed.atom", headers={"Host": "reader.example"})
    assert "http://reader.example/public/digests/1" in response.text
    assert "Host" in response.headers["vary"]


def test_forms_from_the_base_url_are_this_sites_even_through_a_proxy_that_drops_host(app):
    """The proxy passed neither Host nor scheme: the app saw http://testserver."""
    client = TestClient(app, follow_redirects=False)
    token = csrf_of(client.get("/login").text)
    data = {"name": "editor", "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=data, headers={"Origin": BASE}).status_code == 303
    evil = client.post("/login", data=data, headers={"Origin": "https://evil.example"})
    assert evil.status_code == 403


def test_a_base_url_is_an_http_address():
    assert service.parse_base_url("HTTPS://Digest.Example.org/news/") == f"{BASE}/news"
    for wrong in (
        "digest.example.org",
        "ftp://digest.example.org",
        "https://u:p@x.org",
        "https://x.org/?a=1",
    ):
        with pytest.raises(ValueError):
            service.parse_base_url(wrong)


# -- the request body limit ------------------------------------------------------------------


def _answer_to(url: str, head: bytes, body: bytes) -> bytes:
    """What the server says to ``head`` and the start of a ``body`` (the rest never sent)."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(head + body)
        answer = b""
        while chunk := conn.recv(65536):  # until the server closes: it reads no more
            answer += chunk
    return answer


_UPLOAD = (
    b"POST /sources/import HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    b"Content-Type: multipart/form-data; boundary=XB\r\n"
)
_PART = (
    b'--XB\r\nContent-Disposition: form-data; name="file"; filename="a.opml"\r\n'
    b"Content-Type: text/xml\r\n\r\n"
)


def test_an_anonymous_upload_declared_too_large_is_refused_before_its_body_is_read(app):
    """200 MB of a form nobody may send were read and spooled to disk before the 403."""
    with _served(app) as url:
        head = _UPLOAD + b"Content-Length: %d\r\n\r\n" % (200 * 1024 * 1024)
        answer = _answer_to(url, head, _PART + b"A" * 65536)
    assert answer.startswith(b"HTTP/1.1 413 ")


def test_a_chunked_upload_is_refused_once_it_passes_the_limit(seeded):
    app = create_app(seeded.settings, engine=seeded.engine, max_body=64 * 1024)
    chunk = b"A" * 16384
    chunks = [_PART, *[chunk] * 5]  # 80 KiB and more to come: no end chunk is sent
    with _served(app) as url:
        head = _UPLOAD + b"Transfer-Encoding: chunked\r\n\r\n"
        body = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks)
        answer = _answer_to(url, head, body)
    assert answer.startswith(b"HTTP/1.1 413 ")


def test_the_largest_opml_the_import_takes_is_within_the_limit(editor):
    opml = b'<?xml version="1.0"?><opml version="2.0"><body>'
    opml += b'<outline type="rss" xmlUrl="https://feeds.example/big.xml"/>'
    end = b"--></body></opml>"
    opml += b"<!--" + b"x" * (MAX_OPML - len(opml) - 4 - len(end)) + end
    assert len(opml) <= MAX_OPML < MAX_BODY
    response = editor.post(
        "/sources/import",
        files={"file": ("big.opml", opml, "text/xml")},
        data={"csrf_token": token_of(editor)},
    )
    assert response.status_code == 303
