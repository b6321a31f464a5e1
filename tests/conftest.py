"""Shared fixtures: ``site``, a real HTTP server on 127.0.0.1 serving tests/fixtures/site/.

Routes (all GET):

=========================  ============================================================
``/<path>``                a file under tests/fixtures/site/; in .xml/.html/.opml/.txt files
                           ``{{BASE}}`` is replaced by the server's base URL
                           (``http://127.0.0.1:PORT``) so feeds link back to this server
``/status/<code>``         answers with that status and a one-line text body
``/redirect/<n>/<path>``   a chain of ``n`` 302 redirects ending at ``/<path>`` (its query kept;
                           ``?wait=S``: each redirect answers after S seconds)
``/slow?s=N``              sleeps N seconds (float), then answers 200 text
``/binary``                4 KiB of (seeded) random bytes, application/octet-stream
``/empty``                 200 with an empty body
``/gzip/<path>``           the file at ``/<path>``, sent with Content-Encoding: gzip
``/big?n=N``               N bytes of text with a Content-Length; add ``&chunked=1`` to
                           stream them without one, ``&gzip=1`` to send them gzip-encoded
                           (a small download that inflates to N bytes)
``/headers``               the request's headers as a JSON object
``/flaky/<key>?fail=N``    answers ``status`` (default 503, ``&status=429``) N times per key,
                           with ``&retry_after=S`` a Retry-After header, then 200 text
``/reset/<key>?n=N``       resets the connection (TCP RST, no response) N times per key,
                           then 200 text
``/trickle?s=N``           sends headers at once, then one byte every 0.1 s for N seconds
``/redirect-to?url=U``     one 302 to the absolute URL ``U`` (another host, a private address)
``/robots.txt``            the server's ``robots`` text (404 on ``site``; see ``strict_site``)
=========================  ============================================================

Every file is served with an ETag and a Last-Modified header and answers a matching
``If-None-Match`` or ``If-Modified-Since`` with 304 Not Modified, as real servers do.
``strict_site`` is a second server (its own host:port) whose robots.txt disallows
``/pages/steppe-wire/`` and asks for a 0.2 s Crawl-delay.

Every request is recorded in ``site.requests`` (method, path with query, headers), so a test
can check what was fetched, e.g. that an already-seen feed item was not fetched again::

    def test_something(site):
        url = site.url("/feeds/central-asia.xml")
        ...
        assert site.fetched("/pages/steppe-wire/kazakhstan-wind.html") == 1
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import mimetypes
import os
import random
import signal
import socket
import struct
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

# Started from a background job of a non-interactive shell (`pytest &` in a script, CI steps
# run so), pytest inherits SIGINT ignored, and so does every child it starts: the ignored
# disposition survives exec. The Ctrl-C tests then wait for an exit that never comes (a watch
# sent SIGINT hung for good) or see no KeyboardInterrupt in-process. Python's own handler is
# reset to the default by exec, so children see Ctrl-C again too.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

# Property tests draw the same examples on every run (seeded from each test's code), keep no
# example database and have no deadline, so a run fails where the last one passed only because
# the code changed: not on a newly drawn example, nor on an example slow on a busy machine
# ("Unreliable test timings", "too slow" health checks). Hypothesis's own "ci" profile, which
# it loads only where $CI is set; `--hypothesis-profile=explore` draws new examples.
_NO_TIMING = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
_DEFAULT = hypothesis_settings.get_profile("default")
hypothesis_settings.register_profile(
    "ci", _DEFAULT, derandomize=True, database=None, print_blob=True, **_NO_TIMING
)
hypothesis_settings.register_profile("explore", _DEFAULT, **_NO_TIMING)
hypothesis_settings.load_profile("ci")

SITE_ROOT = Path(__file__).parent / "fixtures" / "site"
_TEMPLATED = {".xml", ".html", ".opml", ".txt"}
_TYPES = {
    ".xml": "application/xml",
    ".html": "text/html; charset=utf-8",
    ".opml": "text/x-opml",
    ".txt": "text/plain; charset=utf-8",
}


@dataclass(frozen=True, slots=True)
class Request:
    """One request the test site received."""

    method: str
    path: str  # path and query, as sent
    headers: dict[str, str]  # names lower-cased


@dataclass(slots=True)
class Site:
    """Handle on the running test site; ``base`` is ``http://127.0.0.1:PORT``."""

    base: str
    requests: list[Request] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    counters: dict[str, int] = field(default_factory=dict)

    def count(self, key: str) -> int:
        """How many times ``key`` was counted before this call (then count this one)."""
        with self.lock:
            seen = self.counters.get(key, 0)
            self.counters[key] = seen + 1
            return seen

    def url(self, path: str) -> str:
        """Absolute URL for ``path`` (with or without a leading slash)."""
        return f"{self.base}/{path.lstrip('/')}"

    def fetched(self, path: str) -> int:
        """How many times ``path`` (path and query, leading slash optional) was requested."""
        want = "/" + path.lstrip("/")
        with self.lock:
            return sum(1 for r in self.requests if r.path == want)

    def record(self, request: Request) -> None:
        with self.lock:
            self.requests.append(request)


class _Handler(BaseHTTPRequestHandler):
    server: _SiteServer
    protocol_version = "HTTP/1.1"  # keep-alive, as real servers do
    # Headers and body go out in separate writes; with Nagle on, each keep-alive response
    # waits ~40 ms for a delayed ACK.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep pytest output clean; site.requests records what happened

    def do_GET(self) -> None:
        site = self.server.site
        site.record(Request("GET", self.path, {k.lower(): v for k, v in self.headers.items()}))
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        path = parts.path
        if path.startswith("/status/"):
            self._status(path.removeprefix("/status/"))
        elif path.startswith("/redirect/"):
            self._redirect(path.removeprefix("/redirect/"), parts.query)
        elif path == "/slow":
            time.sleep(float(query.get("s", ["1"])[0]))
            self._send(200, b"slow but here\n", "text/plain; charset=utf-8")
        elif path == "/binary":
            self._send(200, random.Random(20251215).randbytes(4096), "application/octet-stream")
        elif path == "/empty":
            self._send(200, b"", "text/plain; charset=utf-8")
        elif path == "/big":
            body = b"x" * int(query.get("n", ["1000"])[0])
            ctype = "text/plain; charset=utf-8"
            if "chunked" in query:
                self._send_chunked(body, ctype)
            else:
                self._send(200, body, ctype, gzipped="gzip" in query)
        elif path == "/headers":
            body = json.dumps(dict(self.headers.items())).encode()
            self._send(200, body, "application/json")
        elif path.startswith("/gzip/"):
            self._file(path.removeprefix("/gzip"), gzipped=True)
        elif path.startswith(("/flaky/", "/reset/", "/trickle", "/redirect-to", "/robots.txt")):
            self._misbehave(path, query)
        else:
            self._file(path, gzipped=False)

    def _misbehave(self, path: str, query: dict[str, list[str]]) -> None:
        site = self.server.site
        arg = lambda name, default: query.get(name, [default])[0]  # noqa: E731
        if path.startswith("/flaky/"):
            if site.count(path) < int(arg("fail", "1")):
                status = int(arg("status", "503"))
                extra = {"Retry-After": arg("retry_after", "")} if "retry_after" in query else {}
                self._send(status, b"try later\n", "text/plain; charset=utf-8", headers=extra)
            else:
                self._send(200, b"recovered\n", "text/plain; charset=utf-8")
        elif path.startswith("/reset/"):
            if site.count(path) < int(arg("n", "1")):
                # SO_LINGER 0: close() sends RST, the client sees the connection reset.
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
                self.close_connection = True
                self.connection.close()
            else:
                self._send(200, b"after the reset\n", "text/plain; charset=utf-8")
        elif path == "/trickle":
            self._trickle(float(arg("s", "2")))
        elif path == "/redirect-to":
            self.send_response(302)
            self.send_header("Location", arg("url", "/"))
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.server.robots is None:
            self._send(404, b"not found\n", "text/plain; charset=utf-8")
        else:
            self._send(200, self.server.robots, "text/plain; charset=utf-8")

    def _trickle(self, seconds: float) -> None:
        steps = int(seconds * 10)
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(steps))
        self.end_headers()
        with contextlib.suppress(ConnectionError):
            for _ in range(steps):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.1)

    def _status(self, code: str) -> None:
        status = int(code) if code.isdigit() else 400
        self._send(status, f"status {status}\n".encode(), "text/plain; charset=utf-8")

    def _redirect(self, rest: str, query: str) -> None:
        count, _, target = rest.partition("/")
        hops = int(count) if count.isdigit() else 0
        location = f"/redirect/{hops - 1}/{target}" if hops > 1 else f"/{target}"
        if query:  # kept along the chain; ``wait=S`` holds each redirect S seconds
            location += "?" + query
            time.sleep(float(parse_qs(query).get("wait", ["0"])[0]))
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _file(self, path: str, *, gzipped: bool) -> None:
        file = (SITE_ROOT / path.lstrip("/")).resolve()
        if not file.is_file() or not file.is_relative_to(SITE_ROOT.resolve()):
            self._send(404, b"not found\n", "text/plain; charset=utf-8")
            return
        body = file.read_bytes()
        if file.suffix in _TEMPLATED:
            body = body.replace(b"{{BASE}}", self.server.site.base.encode())
        ctype = _TYPES.get(file.suffix) or mimetypes.guess_type(file.name)[0]
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        validators = {"ETag": etag, "Last-Modified": _LAST_MODIFIED}
        if self.headers.get("If-None-Match") == etag or (
            "If-None-Match" not in self.headers
            and self.headers.get("If-Modified-Since") == _LAST_MODIFIED
        ):
            self.send_response(304)
            for name, value in validators.items():
                self.send_header(name, value)
            self.end_headers()
            return
        ctype = ctype or "application/octet-stream"
        self._send(200, body, ctype, gzipped=gzipped, headers=validators)

    def _send(
        self,
        status: int,
        body: bytes,
        ctype: str,
        *,
        gzipped: bool = False,
        headers: dict[str, str] | None = None,
    ) -> None:
        if gzipped:
            body = gzip.compress(body)
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
        self.end_headers()
        # The client may hang up first (timeout, size cap): expected in those tests.
        with contextlib.suppress(ConnectionError):
            self.wfile.write(body)

    def _send_chunked(self, body: bytes, ctype: str) -> None:
        # No Content-Length: the client cannot refuse up front and must count as it reads.
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        step = 64 * 1024
        # The client stops reading once it has seen enough: that is the point.
        with contextlib.suppress(ConnectionError):
            for start in range(0, len(body), step):
                chunk = body[start : start + step]
                self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")


_LAST_MODIFIED = "Mon, 15 Dec 2025 08:00:00 GMT"
STRICT_ROBOTS = b"User-agent: *\nDisallow: /pages/steppe-wire/\nCrawl-delay: 0.2\n"


class _SiteServer(ThreadingHTTPServer):
    daemon_threads = True  # a /slow request must not hold up the end of the test session

    def __init__(self, robots: bytes | None = None) -> None:
        self.robots = robots
        super().__init__(("127.0.0.1", 0), _Handler)
        host, port = self.server_address[:2]
        self.site = Site(base=f"http://{host}:{port}")

    def handle_error(self, request: object, client_address: object) -> None:
        # Clients that hang up early (timeouts, size caps) are part of the tests, not errors.
        if not isinstance(sys.exception(), ConnectionError):
            super().handle_error(request, client_address)


@pytest.fixture(scope="session")
def site() -> Iterator[Site]:
    """A real HTTP server on 127.0.0.1 (random free port) serving tests/fixtures/site/."""
    yield from _serve(_SiteServer())


@pytest.fixture(scope="session")
def strict_site() -> Iterator[Site]:
    """The same site on another port, with a robots.txt that keeps us out of steppe-wire."""
    yield from _serve(_SiteServer(robots=STRICT_ROBOTS))


# What a developer's shell or CI job may hold, and a test would read: the application's own
# variables (MEDIADIGEST_DB, a MEDIADIGEST_CONFIG naming a desk's file, an LLM endpoint) and
# the terminal's width, which wraps the tables. Not the harness's own, which tests/dbs.py reads
# (MEDIADIGEST_TEST_PG, MEDIADIGEST_TEST_PG_REQUIRED, MEDIADIGEST_PG_BIN).
_HARNESS = ("MEDIADIGEST_TEST_", "MEDIADIGEST_PG_BIN")


def _outside_variables() -> list[str]:
    return [
        name
        for name in os.environ
        if name == "COLUMNS" or (name.startswith("MEDIADIGEST_") and not name.startswith(_HARNESS))
    ]


# Gone for the whole run too, before the test modules import the CLI: its consoles read
# COLUMNS once, as they are made (a shell's COLUMNS=40 wrapped the articles table whatever
# width a test set).
for _name in _outside_variables():
    del os.environ[_name]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts without MEDIADIGEST_* variables or COLUMNS, whatever an earlier test
    set through os.environ (the shell's are gone already); a test sets what it needs."""
    for name in _outside_variables():
        monkeypatch.delenv(name)


@pytest.fixture(autouse=True)
def allow_private(clean_environment: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI refuses private addresses by default; every test server is on 127.0.0.1.

    No delay between requests either: the test site is one host, and politeness to it
    would only make the suite slow. Tests of those defaults build their own settings.
    """
    monkeypatch.setenv("MEDIADIGEST_ALLOW_PRIVATE", "1")
    monkeypatch.setenv("MEDIADIGEST_HOST_DELAY", "0")


def _serve(server: _SiteServer) -> Iterator[Site]:
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="test-site", daemon=True
    )
    thread.start()
    try:
        yield server.site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# Database fixtures (store_url, engine, empty_url, pg_admin): every store test runs on SQLite
# and on PostgreSQL; see tests/dbs.py.
pytest_plugins = ["dbs"]


# -- the web app over a seeded store (tests/web_support.py) -------------------------------------
# Imported inside the fixtures: only the web tests need the web stack.


@pytest.fixture
def seeded(tmp_path: Path):
    """A store with a week of stories and one user per role (``web_support.seed``)."""
    from web_support import seed

    return seed(tmp_path)


@pytest.fixture
def app(seeded):
    """The web app over ``seeded``; a test module may define its own (other limits)."""
    from mediadigest.web.app import create_app

    return create_app(seeded.settings, engine=seeded.engine)


@pytest.fixture
def editor(app):
    """A client signed in as the seeded editor."""
    from fastapi.testclient import TestClient

    from web_support import login

    return login(TestClient(app, follow_redirects=False), "editor")
