"""The web app while its PostgreSQL is down, and after: the press office's database restart.

Every page answered a bare 500 "Internal Server Error" with a traceback per request, the
first requests on a kept-alive connection got it reset with no answer at all, and /healthz
said "ok" throughout. Now pages say the store is unavailable (503, Retry-After), the log
says so once, /healthz tells the truth, and all of it recovers when the server is back.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time

import httpx
import pytest
import sqlalchemy as sa

from dbs import restart_cluster
from mediadigest import store
from mediadigest.config import Settings
from mediadigest.web import persist
from mediadigest.web.app import create_app
from mediadigest.web.persist import Role
from web_support import CHEAP, PASSWORD, csrf_of, served

PAGES = ["/login", "/", "/review", "/feed.atom", "/public/digests/1"]
SAID = "The store is unavailable; try again in a minute"


@pytest.fixture
def cluster(own_cluster):
    return own_cluster  # see tests/dbs.py


@pytest.fixture
def logged(caplog):
    """Every record of the app and of uvicorn (whose logger does not propagate to root)."""
    server_log = logging.getLogger("uvicorn.error")
    server_log.addHandler(caplog.handler)
    caplog.set_level(logging.INFO)
    yield caplog
    server_log.removeHandler(caplog.handler)


def _signed_in(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, follow_redirects=False, timeout=20)
    token = csrf_of(client.get("/login").text)
    sent = client.post("/login", data={"name": "ed", "password": PASSWORD, "csrf_token": token})
    assert sent.status_code == 303, sent.text
    return client


def test_pages_say_the_store_is_unavailable_log_it_once_and_recover(cluster, logged):
    url = cluster.create_database("press")
    engine = store.open_store(url)
    with engine.begin() as conn:
        uid, _ = persist.add_user(conn, "ed", Role.editor, CHEAP.hash(PASSWORD))
        _, api_token = persist.create_token(conn, uid, "script")
    with served(create_app(Settings(db=url), engine=engine)) as base:
        client = _signed_in(base)  # one kept-alive connection throughout, as a browser's
        bearer = {"Authorization": f"Bearer {api_token}"}
        assert client.get("/healthz").text == "ok\n"
        assert client.get("/").status_code == 200

        cluster.stop(remove=False)
        for _ in range(2):  # the second round meets the pool the first one emptied
            for path in PAGES:
                answer = client.get(path)
                assert answer.status_code == 503, (path, answer.text[:200])
                assert answer.headers["content-type"].startswith("text/html")
                assert SAID in answer.text and answer.headers["retry-after"] == "60"
            api = client.get("/api/articles", headers=bearer)
            assert api.status_code == 503 and api.json() == {"detail": SAID + "."}
            assert api.headers["retry-after"] == "60"
        health = client.get("/healthz")
        assert health.status_code == 503
        assert health.text.startswith("store unavailable: ") and "refused" in health.text

        down = [r for r in logged.records if r.levelno >= logging.WARNING]
        assert [r.name for r in down] == ["mediadigest.web.health"], [r.msg for r in down]
        assert down[0].exc_info is None and "\n" not in down[0].getMessage()
        assert down[0].getMessage().startswith("the store is unavailable (")

        restart_cluster(cluster)
        deadline = time.monotonic() + 20
        while client.get("/healthz").status_code != 200:
            assert time.monotonic() < deadline, "the app did not find its store again"
            time.sleep(0.2)
        for path in PAGES[:3]:
            assert client.get(path).status_code == 200, path
        assert client.get("/api/articles", headers=bearer).status_code == 200
        assert client.get("/public/digests/1").status_code == 404  # none published: it asked
    back = [r.getMessage() for r in logged.records if r.name == "mediadigest.web.health"]
    assert len(back) == 2 and back[1].startswith("the store is back after ")
    engine.dispose()


def test_healthz_says_ok_while_the_store_answers(app):
    from fastapi.testclient import TestClient

    answer = TestClient(app).get("/healthz")
    assert (answer.status_code, answer.text) == (200, "ok\n")


def test_a_wrong_query_is_still_a_server_error_not_an_outage(app, editor):
    """SQLite's "no such table" is a bug to see in the log, not a store to wait for."""
    with app.state.web.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE digest_versions")
    with pytest.raises(sa.exc.OperationalError, match="no such table"):
        editor.get("/digests")
    assert not app.state.web.watch.down


def test_a_store_file_removed_while_the_app_runs_is_unavailable_not_a_new_empty_store(
    app, editor, seeded
):
    """Pooled connections went on with the unlinked file while each new one created an empty
    store in its place: bare 500s ("no such table: users") or old pages at random, /healthz ok,
    and an empty file left where the store had been."""
    from fastapi.testclient import TestClient

    assert editor.get("/review").status_code == 200
    path = seeded.engine.url.database
    kept = {}
    for name in (path, f"{path}-wal", f"{path}-shm"):
        with contextlib.suppress(FileNotFoundError), open(name, "rb") as f:
            kept[name] = f.read()
        with contextlib.suppress(FileNotFoundError):
            os.remove(name)
    for _ in range(3):
        answer = editor.get("/review")
        assert answer.status_code == 503 and SAID in answer.text
    health = TestClient(app).get("/healthz")
    assert health.status_code == 503
    assert not os.path.exists(path)
    for name, content in kept.items():  # put back (as from a backup): the app goes on
        with open(name, "wb") as f:
            f.write(content)
    assert editor.get("/review").status_code == 200
    assert TestClient(app).get("/healthz").status_code == 200
