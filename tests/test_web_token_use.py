"""An API token's use is recorded without making API reads wait for the store's writers.

Every API request updated ``api_tokens.last_used_at`` in the transaction that read the token,
so a GET waited behind any writer (an ingest, a collect): 30 s (SQLite's busy timeout), then a
503 and an outage in the log, while pages signed in by session answered at once. Now the use is
recorded at most every `persist.TOKEN_USE_EVERY` per token, in a transaction of its own that
gives up at once if the store is busy.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient

from mediadigest import store
from mediadigest.config import Settings
from mediadigest.store.writes import WRITER_LOCK, utcnow
from mediadigest.web import persist
from mediadigest.web.app import create_app
from mediadigest.web.persist import Role
from web_support import login, seed

# Half the 30 s busy timeout a read used to wait, far above what a read takes on a loaded
# machine: CI under load 8 (a whole suite in 55 minutes) took over 5 s for one first request.
PROMPT = 15.0


def _answer_within(seconds: float, call: Callable[[], Any]) -> Any:
    """What ``call()`` returns, or an AssertionError if it has not returned in ``seconds``
    (it runs on in its thread: the caller releases what it waits for)."""
    result: list[Any] = []
    worker = threading.Thread(target=lambda: result.append(call()), daemon=True)
    worker.start()
    worker.join(seconds)
    assert result, f"no answer within {seconds} s"
    return result[0]


def _token(engine: sa.Engine, name: str = "viewer") -> tuple[int, dict[str, str]]:
    with engine.begin() as conn:
        user_id = conn.execute(
            sa.select(persist.users.c.id).where(persist.users.c.name == name)
        ).scalar_one()
        token_id, token = persist.create_token(conn, user_id, "integration")
    return token_id, {"Authorization": f"Bearer {token}"}


def _last_used(engine: sa.Engine, token_id: int):
    query = sa.select(persist.api_tokens.c.last_used_at).where(persist.api_tokens.c.id == token_id)
    with engine.connect() as conn:
        return conn.execute(query).scalar_one()


def _set_last_used(engine: sa.Engine, token_id: int, when) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.update(persist.api_tokens)
            .where(persist.api_tokens.c.id == token_id)
            .values(last_used_at=when)
        )


def test_an_api_read_answers_at_once_while_another_process_writes_to_the_store(tmp_path):
    seeded = seed(tmp_path)
    client = TestClient(create_app(seeded.settings, engine=seeded.engine))
    token_id, bearer = _token(seeded.engine)
    writer = sqlite3.connect(seeded.settings.db.removeprefix("sqlite:///"), timeout=0)
    writer.execute("BEGIN IMMEDIATE")  # as an ingest's batch holds it
    try:
        response = _answer_within(PROMPT, lambda: client.get("/api/me", headers=bearer))
        assert response.status_code == 200, response.text
        assert response.json()["name"] == "viewer"
        assert _last_used(seeded.engine, token_id) is None  # not recorded: the store was busy
    finally:
        writer.rollback()
        writer.close()
    assert client.get("/api/me", headers=bearer).status_code == 200
    assert _last_used(seeded.engine, token_id) is not None  # the next use records it


def test_a_token_s_use_is_recorded_at_most_every_few_minutes(tmp_path):
    seeded = seed(tmp_path)
    client = TestClient(create_app(seeded.settings, engine=seeded.engine))
    token_id, bearer = _token(seeded.engine)
    assert client.get("/api/me", headers=bearer).status_code == 200
    first = _last_used(seeded.engine, token_id)
    assert first is not None and abs(utcnow() - first) < timedelta(minutes=1)
    assert client.get("/api/me", headers=bearer).status_code == 200
    assert _last_used(seeded.engine, token_id) == first  # a read within minutes writes nothing

    earlier = utcnow() - persist.TOKEN_USE_EVERY - timedelta(seconds=1)
    _set_last_used(seeded.engine, token_id, earlier)
    assert client.get("/api/me", headers=bearer).status_code == 200
    assert _last_used(seeded.engine, token_id) > earlier


def test_the_account_page_shows_the_last_use_and_how_exact_it_is(tmp_path):
    seeded = seed(tmp_path)
    client = TestClient(create_app(seeded.settings, engine=seeded.engine))
    _, bearer = _token(seeded.engine)
    client.get("/api/me", headers=bearer)
    page = login(client, "viewer").get("/account").text
    minutes = int(persist.TOKEN_USE_EVERY.total_seconds() // 60)
    assert f"recorded to within {minutes} minutes" in page
    assert utcnow().strftime("%Y-%m-%d") in page.split("integration", 1)[1]
    assert "never" not in page.split("integration", 1)[1].split("</tr>", 1)[0]


def test_an_api_read_never_waits_for_a_writer_on_either_backend(engine: sa.Engine, store_url):
    """PostgreSQL: neither the writers' advisory lock nor a transaction holding the token's
    row (a revoke under way) makes the read wait; SQLite: a writer's lock does not."""
    with engine.begin() as conn:
        persist.add_user(conn, "reader", Role.viewer, "hash")
    token_id, bearer = _token(engine, "reader")
    client = TestClient(create_app(Settings(db=store_url), engine=engine))
    other = store.create_engine(store_url)
    with other.connect() as holder:
        if engine.dialect.name == "postgresql":
            holder.execute(sa.select(sa.func.pg_advisory_xact_lock(WRITER_LOCK)))
            mine = persist.api_tokens.c.id == token_id
            holder.execute(sa.select(persist.api_tokens.c.id).where(mine).with_for_update())
        else:
            holder.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            response = _answer_within(PROMPT, lambda: client.get("/api/me", headers=bearer))
            assert response.status_code == 200, response.text
            assert _last_used(engine, token_id) is None
        finally:
            holder.rollback()
    other.dispose()
    assert client.get("/api/me", headers=bearer).status_code == 200
    assert _last_used(engine, token_id) is not None
