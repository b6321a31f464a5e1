"""Collection inside `serve`: on a schedule, on demand, one run at a time, never fatal."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from mediadigest import store
from mediadigest.errors import StoreDamaged
from mediadigest.model import Source
from mediadigest.run import RunReport
from mediadigest.web import service
from mediadigest.web.app import create_app
from mediadigest.web.schedule import Collector
from web_support import seed


def _wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_serve_collects_from_the_sources_as_soon_as_it_starts(tmp_path, site, monkeypatch):
    seeded = seed(tmp_path)
    for name, value in (("allow_private", True), ("host_delay", 0.0)):
        if hasattr(seeded.settings, name):
            monkeypatch.setattr(seeded.settings, name, value)
    with seeded.engine.begin() as conn:
        store.remove_source(conn, store.list_sources(conn)[0]["url"])
        store.add_source(conn, Source(site.url("/feeds/central-asia.xml")))
    app = create_app(seeded.settings, engine=seeded.engine, collect_every=timedelta(hours=1))
    collector = app.state.web.collector
    with TestClient(app):  # runs the app's lifespan: the collector starts with it
        _wait_for(lambda: collector.last is not None and collector.last.finished is not None)
    assert "documents" in collector.last.summary
    with seeded.engine.connect() as conn:
        urls = {a.url for a in store.list_articles(conn)}
    assert site.url("/pages/steppe-wire/kazakhstan-wind.html") in urls


def test_collect_now_runs_the_job_without_a_schedule():
    ran = threading.Event()

    def job() -> RunReport:
        ran.set()
        return RunReport()

    collector = Collector(job, every=None)
    collector.wake()
    assert ran.wait(10)
    collector.stop()


def test_a_failing_run_is_reported_and_the_schedule_goes_on():
    calls = []

    def job() -> RunReport:
        calls.append(1)
        raise RuntimeError("database is locked")

    collector = Collector(job, every=None)
    collector.run_once()
    collector.run_once()
    assert len(calls) == 2
    assert collector.last.summary == "failed: database is locked"


def test_a_run_that_cannot_reach_the_store_logs_one_line(caplog):
    """PostgreSQL down: each scheduled run said so with a full traceback."""
    import socket

    with socket.socket() as probe:  # a port nothing listens on: connection refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    engine = store.create_engine(f"postgresql://nobody@127.0.0.1:{port}/press")

    def job() -> RunReport:
        with engine.connect():
            return RunReport()

    collector = Collector(job, every=None)
    with caplog.at_level("ERROR", logger="mediadigest.web.schedule"):
        collector.run_once()
    (record,) = caplog.records
    assert record.exc_info is None and "\n" not in record.getMessage()
    assert record.getMessage().startswith(
        "scheduled collection failed: the store is unavailable (connection"
    )
    assert collector.last.summary.startswith("failed: connection")


def test_a_run_whose_store_failed_logs_the_collections_one_line(caplog):
    """`run.collect` says what failed on one line (an outage, or a table missing: a
    `StoreDamaged`); the schedule logs that line, not a traceback."""

    def job() -> RunReport:
        raise StoreDamaged("the store failed (no such table: fetch_log); `db check` says more")

    collector = Collector(job, every=None)
    with caplog.at_level("ERROR", logger="mediadigest.web.schedule"):
        collector.run_once()
    (record,) = caplog.records
    assert record.exc_info is None
    assert record.getMessage() == (
        "scheduled collection failed: the store failed (no such table: fetch_log); "
        "`db check` says more"
    )
    assert collector.last.summary.startswith("failed: the store failed (no such table")


def test_only_one_run_at_a_time():
    release = threading.Event()
    calls = []

    def job() -> RunReport:
        calls.append(1)
        release.wait(10)
        return RunReport()

    collector = Collector(job, every=None)
    first = threading.Thread(target=collector.run_once)
    first.start()
    _wait_for(lambda: calls)
    collector.run_once()  # returns at once: the first run covers it
    release.set()
    first.join(10)
    assert len(calls) == 1


@pytest.mark.parametrize(
    ("text", "every"),
    [("1h", timedelta(hours=1)), ("30m", timedelta(minutes=30)), ("off", None), ("0", None)],
)
def test_collect_every_reads_intervals_and_off(text, every):
    assert service.parse_every(text) == every


def test_collect_every_refuses_less_than_a_minute():
    with pytest.raises(ValueError, match="once a minute"):
        service.parse_every("10s")
