"""Shared by the web tests: a seeded store with hostile articles, users of every role, clients.

The articles of week 2025-W51 carry XSS payloads in every field that comes from the web
(title, text, outlet, author, quote, URL), so any page that renders them unescaped shows it.
"""

from __future__ import annotations

import re
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from mediadigest import store
from mediadigest.config import Settings
from mediadigest.model import Article, Grade, Hit, Quote, Relevance, Source
from mediadigest.stories import persist as stories
from mediadigest.web import persist
from mediadigest.web.persist import Role

WEEK = "2025-W51"
PASSWORD = "correct horse battery"
# Cheap to verify: argon2 reads the cost from the hash, so logins in tests stay fast.
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
MARKER = "window.__xss"
PAYLOADS = [
    "<script>window.__xss=1</script>",
    '"><img src=x onerror="window.__xss=2">',
    '</textarea><svg onload="window.__xss=3">',
    '\'><iframe srcdoc="<script>parent.__xss=4</script>">',
]
# What must never appear in a page: the payloads' markup, unescaped.
RAW = ["<script>window.__xss", "<img src=x onerror", "<svg onload", "<iframe srcdoc"]


def slug(text: str) -> str:
    return "-".join(re.findall(r"[a-z]+", text.lower())[:6])


def _article(
    n: int,
    title: str,
    text: str,
    *,
    day: int,
    outlet: str,
    country: str,
    relevant: bool = True,
    author: str | None = None,
    url: str | None = None,
    quote: tuple[str, str] | None = None,
    tone: float | None = None,
) -> Article:
    hits = (
        [
            Hit("Kazakhstan", "Kazakhstan", "country", "title", 1),
            Hit("Astana", "Astana", "place", "body", 1),
        ]
        if relevant
        else []
    )
    quotes = []
    if quote:
        start = text.index(quote[0])
        quotes = [Quote(quote[0], quote[1], start, start + len(quote[0]))]
    return Article(
        url=url or f"https://{slug(outlet)}.example/2025/12/{day}/{slug(title)}",
        canonical_url=f"https://{slug(outlet)}.example/2025/12/{day}/{slug(title)}",
        content_hash=f"{n:040d}",
        title=title,
        text=text,
        outlet=outlet,
        outlet_country=country,
        author=author,
        published=datetime(2025, 12, day, 9, 30),
        language="en",
        relevance=Relevance(
            score=9.0 - n if relevant else 0.0,
            grade=Grade.SUBJECT if relevant else Grade.NONE,
            relevant=relevant,
            hits=hits,
            reasons=["“Kazakhstan” in the title"] if relevant else [],
        ),
        quotes=quotes,
        tone=tone,
    )


def articles() -> list[Article]:
    """Three events (a wind farm twice, a university deal, grain exports) and one off-topic."""
    evil = " ".join(PAYLOADS)
    return [
        _article(
            1,
            f"Kazakhstan opens wind farm {PAYLOADS[0]}",
            f"Kazakhstan opened a wind farm near Astana on Monday, officials said. {evil}\n"
            "The project adds one gigawatt of turbine capacity to the northern grid. "
            "“This is a turning point for our energy system,” minister Almas Aidarov said.",
            day=15,
            outlet=f"Steppe Wire {PAYLOADS[1]}",
            country="GB",
            author=f"Aigerim {PAYLOADS[2]}",
            url="javascript:window.__xss=5",
            quote=("This is a turning point for our energy system", "Almas Aidarov"),
            tone=0.0,
        ),
        _article(
            2,
            "Kazakhstan and China sign university exchange deal",
            "Kazakhstan and China agreed to expand student exchanges between universities, "
            "the education ministries said in a joint statement on Tuesday.\n"
            "More than two thousand students and lecturers are expected to take part in "
            "semester programmes, scholarships and joint laboratories next year.",
            day=16,
            outlet="Global Courier",
            country="CN",
        ),
        _article(
            3,
            "Caspian grain exports from Kazakhstan hit a record",
            "Grain shipments from Kazakhstan across the Caspian Sea reached a record in "
            "December, port operators in Aktau and Baku reported on Friday.\n"
            "Wheat and barley cargoes rose by a third as ferries and bulk carriers added "
            "sailings to Iranian and Azerbaijani ports.",
            day=19,
            outlet="Caspian Ledger",
            country="AZ",
            author="Farid Mammadli",
        ),
        _article(
            4,
            f"Kazakhstan wind farm praised {PAYLOADS[3]}",
            f"Analysts praised the new Kazakhstan wind farm near Astana, whose turbines "
            f"add a gigawatt to the northern grid. {evil}",
            day=17,
            outlet="Energy Daily",
            country="US",
            tone=0.6,  # "praised": told more warmly in the United States than in Britain
        ),
        _article(
            5,
            "Brazil wins the football final",
            "Atlético Cerrado won the title in the final round on Sunday afternoon.",
            day=18,
            outlet="Sports Now",
            country="BR",
            relevant=False,
        ),
    ]


@dataclass
class Seeded:
    settings: Settings
    engine: sa.Engine
    ids: list[int]  # article ids, in the order of ``articles()``


_template: tuple[Path, list[int]] | None = None


def _make_template() -> tuple[Path, list[int]]:
    """Migrate and fill one store per test session; each test gets a copy of the file."""
    path = Path(tempfile.mkdtemp(prefix="mediadigest-web-")) / "template.db"
    engine = store.open_store(f"sqlite:///{path}")
    arts = articles()
    with engine.begin() as conn:
        store.save_articles(conn, arts)
        store.add_source(
            conn, Source(f"https://feeds.example/rss?{PAYLOADS[1]}", "feed", f"Feed {PAYLOADS[0]}")
        )
        for role in Role:
            persist.add_user(conn, role.value, role, CHEAP.hash(PASSWORD))
        _group(conn, [a.id or 0 for a in arts])
    with engine.connect() as conn:  # fold the WAL into the file before copying it
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path, [a.id or 0 for a in arts]


STORIES = [[0, 3], [1], [2]]  # by index into ``articles()``: the wind farm twice, then one each


def _group(conn: sa.Connection, ids: list[int]) -> None:
    """Stories as grouping would store them, so tests do not hang on clustering's judgement."""
    for members in STORIES:
        first = datetime(2025, 12, 15)
        story = stories.create(conn, "kazakhstan", articles()[members[0]].title, first, first)
        stories.add_members(conn, "kazakhstan", story, {ids[m]: (None, False) for m in members})


def seed(tmp_path: Path) -> Seeded:
    """A store on a temp SQLite file with the articles, a source, and one user per role."""
    global _template
    if _template is None:
        _template = _make_template()
    target = tmp_path / "web.db"
    shutil.copyfile(_template[0], target)
    settings = Settings(db=f"sqlite:///{target}")
    return Seeded(settings, store.create_engine(settings.db), list(_template[1]))


_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _TOKEN.search(html)
    assert found, "page has no CSRF field"
    return found.group(1)


def login(client: TestClient, name: str, password: str = PASSWORD) -> TestClient:
    """Sign ``client`` in through the login form, as a browser would."""
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login",
        data={"name": name, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return client


def token_of(client: TestClient) -> str:
    """A CSRF token valid for ``client``'s current session (from any page it may read)."""
    return csrf_of(client.get("/account").text)


@contextmanager
def served(app, configure: Callable[[Any, int], Any] | None = None) -> Iterator[str]:
    """``app`` on a real server (uvicorn, 127.0.0.1, a free port) for a real browser; its URL.
    ``configure(app, port)``: the server's uvicorn.Config (as `serve` makes it, say)."""
    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    if configure is None:
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    else:
        config = configure(app, port)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="web-under-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
