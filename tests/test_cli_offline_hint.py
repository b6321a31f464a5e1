"""The hint that the machine may be offline comes only when no source could be reached: not when
a source answered and only a page it lists did not (a page that does not answer is asked for
again in the next rounds, and said so each round)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from http_support import LocalServer, serving
from test_end_to_end import Cli

HINT = "is this machine offline?"


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        body = self.server.routes.get(self.path)
        self.send_response(404 if body is None else 200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")


class _Server(LocalServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[str, bytes] = {}


@pytest.fixture
def cli(tmp_path: Path, monkeypatch) -> Cli:
    monkeypatch.setenv("COLUMNS", "400")  # each error on one line
    monkeypatch.setenv("MEDIADIGEST_RETRIES", "0")  # a refused connection is not asked again
    return Cli(tmp_path / "store.db")


@pytest.fixture
def server() -> Iterator[_Server]:
    with serving(_Server()) as srv:
        yield srv


@pytest.fixture
def nowhere() -> str:
    """The base URL of a port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def _rss(*links: str) -> bytes:
    items = "".join(
        f"<item><title>Item</title><link>{u}</link><guid>{u}</guid></item>" for u in links
    )
    return f'<rss version="2.0"><channel><title>Wire</title>{items}</channel></rss>'.encode()


def test_a_page_that_cannot_be_reached_is_no_hint_that_the_machine_is_offline(
    cli: Cli, server: _Server, nowhere: str
):
    server.routes["/feed.xml"] = _rss(f"{nowhere}/gone.html")
    cli("sources", "add", server.url("/feed.xml"))
    result = cli("collect", "--timeout", "3", code=1)
    assert "cannot connect" in result.stderr and "(1 of 3)" in result.stderr
    assert HINT not in result.stderr


def test_a_source_that_answered_is_no_hint_that_the_machine_is_offline(
    cli: Cli, server: _Server, nowhere: str
):
    server.routes["/feed.xml"] = _rss()  # nothing new: no error, no document
    cli("sources", "add", server.url("/feed.xml"), f"{nowhere}/feed.xml")
    result = cli("collect", "--timeout", "3", code=1)
    assert f"{nowhere}/feed.xml: robots.txt: cannot connect" in result.stderr
    assert HINT not in result.stderr


def test_sources_none_of_which_could_be_reached_are_a_hint_that_the_machine_is_offline(
    cli: Cli, nowhere: str
):
    cli("sources", "add", f"{nowhere}/one.xml", f"{nowhere}/two.xml")
    result = cli("collect", "--timeout", "3", code=1)
    assert f"{HINT} `mediadigest ingest PATHS`" in result.stderr
