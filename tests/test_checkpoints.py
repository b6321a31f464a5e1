"""Ingest checkpoints in the store: their fingerprint (migration 0012) is kept, upgraded into,
and carried by export and import, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import command

from mediadigest import store
from mediadigest.store import collect_state
from mediadigest.store import engine as store_engine
from mediadigest.store.collect_state import Checkpoint
from test_transfer import _export, _import

GROWING = Checkpoint("/data/crawl.warc.gz", "kazakhstan", 10_000, 5, 7_000, False, "ab" * 16)
OLD = Checkpoint("/data/old.warc", "kazakhstan", 20, 6, 20, True)  # stored before 0012


def _saved(engine: sa.Engine, *cps: Checkpoint) -> None:
    with engine.begin() as conn:
        for cp in cps:
            collect_state.save_checkpoint(conn, cp)


def _checkpoints(engine: sa.Engine) -> dict[str, Checkpoint]:
    with engine.connect() as conn:
        return collect_state.checkpoints(conn, "kazakhstan")


def test_a_checkpoint_keeps_its_fingerprint(engine):
    _saved(engine, GROWING, OLD)
    assert _checkpoints(engine) == {GROWING.input: GROWING, OLD.input: OLD}


def test_a_store_from_before_fingerprints_keeps_its_checkpoints_without_one(empty_url):
    engine = store.create_engine(empty_url)
    with engine.begin() as conn:
        command.upgrade(store_engine._alembic_config(conn), "0011")
        conn.execute(
            sa.text(
                "INSERT INTO ingest_checkpoints (input, profile, size, mtime_ns, position, done,"
                " updated_at) VALUES (:input, :profile, :size, :mtime, :position, :done, :at)"
            ),
            {"input": OLD.input, "profile": OLD.profile, "size": OLD.size,
             "mtime": OLD.mtime_ns, "position": OLD.position, "done": OLD.done,
             "at": "2026-11-20 10:00:00"},
        )  # fmt: skip
    store_engine.migrate(engine)  # `db upgrade`
    try:
        assert _checkpoints(engine) == {OLD.input: OLD}
        _saved(engine, GROWING)
        with engine.begin() as conn:  # and back: the column goes, the rows stay
            command.downgrade(store_engine._alembic_config(conn), "0011")
            rows = conn.execute(sa.text("SELECT input FROM ingest_checkpoints")).scalars()
            assert sorted(rows) == sorted([GROWING.input, OLD.input])
            columns = {c["name"] for c in sa.inspect(conn).get_columns("ingest_checkpoints")}
            assert "fingerprint" not in columns
    finally:
        engine.dispose()


def test_checkpoints_move_through_export_and_import_with_their_fingerprints(engine, sqlite_engine):
    _saved(sqlite_engine, GROWING, OLD)
    exported = _export(sqlite_engine)
    assert _import(engine, exported)["checkpoint"] == 2
    assert _checkpoints(engine) == _checkpoints(sqlite_engine)
    assert _import(sqlite_engine, _export(engine))["checkpoint"] == 0  # the same rows


def test_checkpoints_of_an_export_from_before_fingerprints_import_without_one(
    engine, sqlite_engine
):
    _saved(sqlite_engine, GROWING)
    lines = _export(sqlite_engine).splitlines()
    header = {**json.loads(lines[0]), "revision": "0011"}
    records = [json.loads(line) for line in lines[1:]]
    for record in records:
        record.pop("fingerprint", None)
    text = "\n".join(json.dumps(r) for r in [header, *records]) + "\n"
    assert _import(engine, text)["checkpoint"] == 1
    (cp,) = _checkpoints(engine).values()
    assert cp.fingerprint is None and cp.position == GROWING.position
