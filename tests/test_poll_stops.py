"""A round that stops midway (a store write fails while its pages are being fetched) ends
quietly: the page fetches it started stop with it.

A walk on a full disk: `collect` printed its one-line error among asyncio's "Task exception was
never retrieved" tracebacks, from page fetches that ran on after the round had stopped.
"""

from __future__ import annotations

import gc
import logging
import sqlite3
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
import sqlalchemy as sa

from http_support import LocalServer, serving
from mediadigest import run, store
from mediadigest.collect.fetch import Fetcher
from mediadigest.errors import MediadigestError
from mediadigest.model import Source
from mediadigest.profile import load_profile
from mediadigest.stories import persist

# Longer than a page of the store: storing the article needs pages the full store lacks.
PAGE = b"<html><body><article><p>" + b"Kazakhstan opened a wind farm. " * 400 + b"</p></article>"
SLOW = 0.5  # seconds before a slow page fails: the round has stopped by then
SLOW_PAGES = 6


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/feed.xml":
            status, body, ctype = 200, self.server.feed(), "application/rss+xml"
        elif self.path == "/fast.html":
            status, body, ctype = 200, PAGE, "text/html"
        elif self.path == "/robots.txt":
            status, body, ctype = 404, b"", "text/plain"
        else:  # a slow page, which then fails: its fetch ends in an error
            time.sleep(SLOW)
            status, body, ctype = 503, b"down for now", "text/plain"
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(LocalServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)

    def feed(self) -> bytes:
        paths = ["/fast.html", *(f"/slow-{n}.html" for n in range(SLOW_PAGES))]
        items = "".join(
            f"<item><title>Item {p}</title><link>{self.url(p)}</link><guid>{p}</guid></item>"
            for p in paths
        )
        return f'<rss version="2.0"><channel><title>Wire</title>{items}</channel></rss>'.encode()


@pytest.fixture
def server() -> Iterator[_Server]:
    with serving(_Server()) as srv:
        yield srv


def _full_store(path: Path, feed: str) -> sa.Engine:
    """A store with ``feed`` as its source, whose file can grow no more ("database or disk is
    full", as on a full disk) once this is set up."""
    engine = store.open_store(f"sqlite:///{path}")
    profile = load_profile("kazakhstan")
    with engine.begin() as conn:
        store.add_source(conn, Source(feed))
        persist.require_profile(conn, profile.name, claim=True)
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    engine.dispose()

    @sa.event.listens_for(engine, "connect")
    def _no_room(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")

    return engine


def test_a_round_stopped_by_a_failed_store_write_leaves_no_page_fetch_running(
    server, tmp_path, caplog
):
    engine = _full_store(tmp_path / "full.db", server.url("/feed.xml"))
    with engine.connect() as conn:
        sources = [
            Source(r["url"], r["kind"], r["title"], r["id"]) for r in store.list_sources(conn)
        ]
    caplog.set_level(logging.ERROR, logger="asyncio")
    with Fetcher(timeout=5.0, allow_private=True, delay=0, retries=0, per_host=8) as fetcher:
        # The fast page comes first and cannot be stored; the slow ones are still asked for.
        with pytest.raises(MediadigestError):
            run.collect(engine, load_profile("kazakhstan"), sources, fetcher)
        time.sleep(SLOW * 2)  # a fetch left running would fail now, its error never read
    gc.collect()  # a task's unread error is logged as the task is collected
    assert "exception was never retrieved" not in caplog.text
