"""`serve` starts only where it can work: on a port it can have, over a store of its profile.

A port in use still ran a collection round (the app's startup starts the collector, and
uvicorn bound only after it) and exited 3; another profile's store served an empty feed
under the wrong id, 500s on the review pages and a traceback each scheduled round.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from mediadigest import store
from mediadigest.errors import ConfigError
from mediadigest.model import Source
from mediadigest.store import schema
from mediadigest.stories import persist as stories
from mediadigest.web import service


def mediadigest(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The CLI as a user runs it: the console entry point turns our errors into one line."""
    return subprocess.run(
        [sys.executable, "-m", "mediadigest", *args],
        capture_output=True, text=True, timeout=timeout, check=False, env={**os.environ},
    )  # fmt: skip


@contextmanager
def held_port(host: str = "127.0.0.1") -> Iterator[int]:
    """A port another process has: bound and listening on ``host`` (no SO_REUSEADDR)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with closing(socket.socket(family)) as holder:
        holder.bind((host, 0))
        holder.listen()
        yield holder.getsockname()[1]


def test_serve_on_a_port_in_use_says_so_in_one_line_and_collects_nothing(tmp_path, site):
    db = f"sqlite:///{tmp_path / 'store.db'}"
    engine = store.open_store(db)
    with engine.begin() as conn:
        store.add_source(conn, Source(site.url("/feeds/atom.xml")))
    with held_port() as port:
        done = mediadigest("--db", db, "serve", "--port", str(port), "--collect-every", "1m")
    assert done.returncode == 1, done.stderr
    assert done.stderr.splitlines() == [
        f"error: cannot listen on 127.0.0.1:{port}: address already in use"
    ]
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.articles)).scalar() == 0
        fetched = conn.execute(sa.select(schema.sources.c.last_fetched_at)).scalars().all()
    assert fetched == [None]


def test_serve_on_a_port_in_use_makes_no_store(tmp_path):
    path = tmp_path / "new.db"
    with held_port() as port:
        done = mediadigest("--db", f"sqlite:///{path}", "serve", "--port", str(port))
    assert done.returncode == 1, done.stderr
    assert "cannot listen on" in done.stderr
    assert "no store at" not in done.stderr  # said only of a store it goes on to make
    assert not path.exists()


def test_listen_names_an_ipv6_address_in_brackets_and_leaves_nothing_open():
    with held_port("::1") as port, pytest.raises(ConfigError) as refused:
        service.listen("::1", port)
    assert str(refused.value) == f"cannot listen on [::1]:{port}: address already in use"


def test_listen_binds_each_address_of_a_host_name():
    sockets = service.listen("localhost", 0)
    try:
        found = {socket.getnameinfo(s.getsockname(), socket.NI_NUMERICHOST)[0] for s in sockets}
        expected = {
            info[4][0] for info in socket.getaddrinfo("localhost", 0, type=socket.SOCK_STREAM)
        }
        assert found == expected
    finally:
        for sock in sockets:
            sock.close()


def test_listen_refuses_a_host_that_names_no_address():
    with pytest.raises(ConfigError, match=r"^cannot listen on no-such-host\.invalid:8000: "):
        service.listen("no-such-host.invalid", 8000)


def test_serve_on_ipv6_answers_and_says_where(tmp_path):
    with socket.socket(socket.AF_INET6) as probe:
        probe.bind(("::1", 0))
        port = probe.getsockname()[1]
    args = ["--db", f"sqlite:///{tmp_path / 's.db'}", "serve", "--host", "::1"]
    server = subprocess.Popen(
        [sys.executable, "-m", "mediadigest", *args, "--port", str(port), "--collect-every",
         "off"],
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    said = []
    try:
        assert server.stderr is not None
        for line in server.stderr:  # until the server is up (or it exits)
            said.append(line)
            if "Uvicorn running on" in line:
                break
        answer = httpx.get(f"http://[::1]:{port}/healthz", timeout=10)
    finally:
        server.terminate()
        server.communicate(timeout=30)
    assert f"Uvicorn running on http://[::1]:{port} (Press CTRL+C to quit)" in "".join(said)
    assert answer.text == "ok\n"


# -- the store's profile ----------------------------------------------------------------------


@pytest.fixture
def kazakh_store(tmp_path: Path) -> str:
    """A store claimed by the kazakhstan profile (as its first collect claims it)."""
    db = f"sqlite:///{tmp_path / 'kz.db'}"
    with store.open_store(db).begin() as conn:
        stories.require_profile(conn, "kazakhstan", claim=True)
    return db


REFUSED = (
    "error: this store's articles were judged against the 'kazakhstan' profile, not "
    "'uzbekistan': a store follows one country (an article's relevance is stored once); "
    "give 'uzbekistan' a store of its own with --db"
)


def test_serve_under_another_profile_than_the_stores_refuses_to_start(kazakh_store):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    args = ["--profile", "uzbekistan", "--db", kazakh_store, "serve", "--port", str(port)]
    done = mediadigest(*args, "--collect-every", "off", timeout=60)
    assert done.returncode == 1, done.stderr
    assert done.stderr.splitlines() == [REFUSED]


def test_feed_under_another_profile_than_the_stores_is_refused(kazakh_store):
    done = mediadigest("--profile", "uzbekistan", "--db", kazakh_store, "feed")
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr.splitlines() == [REFUSED]
    assert mediadigest("--db", kazakh_store, "feed").returncode == 0  # its own profile's
