"""Shared fixtures: ``site``, a real HTTP server on 127.0.0.1 serving tests/fixtures/site/.

Routes (all GET):

=========================  ============================================================
``/<path>``                a file under tests/fixtures/site/; in .xml/.html/.opml files
                           ``{{BASE}}`` is replaced by the server's base URL
                           (``http://127.0.0.1:PORT``) so feeds link back to this server
``/status/<code>``         answers with that status and a one-line text body
``/redirect/<n>/<path>``   a chain of ``n`` 302 redirects ending at ``/<path>``
``/slow?s=N``              sleeps N seconds (float), then answers 200 text
``/binary``                4 KiB of (seeded) random bytes, application/octet-stream
``/empty``                 200 with an empty body
``/gzip/<path>``           the file at ``/<path>``, sent with Content-Encoding: gzip
``/big?n=N``               N bytes of text with a Content-Length; add ``&chunked=1`` to
                           stream them without one, ``&gzip=1`` to send them gzip-encoded
                           (a small download that inflates to N bytes)
``/headers``               the request's headers as a JSON object
=========================  ============================================================

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
import json
import mimetypes
import random
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

SITE_ROOT = Path(__file__).parent / "fixtures" / "site"
_TEMPLATED = {".xml", ".html", ".opml"}
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
            self._redirect(path.removeprefix("/redirect/"))
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
        else:
            self._file(path, gzipped=False)

    def _status(self, code: str) -> None:
        status = int(code) if code.isdigit() else 400
        self._send(status, f"status {status}\n".encode(), "text/plain; charset=utf-8")

    def _redirect(self, rest: str) -> None:
        count, _, target = rest.partition("/")
        hops = int(count) if count.isdigit() else 0
        location = f"/redirect/{hops - 1}/{target}" if hops > 1 else f"/{target}"
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
        self._send(200, body, ctype or "application/octet-stream", gzipped=gzipped)

    def _send(self, status: int, body: bytes, ctype: str, *, gzipped: bool = False) -> None:
        if gzipped:
            body = gzip.compress(body)
        self.send_response(status)
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


class _SiteServer(ThreadingHTTPServer):
    daemon_threads = True  # a /slow request must not hold up the end of the test session

    def __init__(self) -> None:
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
    server = _SiteServer()
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
