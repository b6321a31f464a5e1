"""Running `ingest` again on inputs it finished: no workers started, and stories made good.

A re-run with nothing left to read started a local Dask cluster (17 s) just to say "1 input
already ingested". And a run stopped while grouping its articles into stories left them
ungrouped: the re-run skipped the finished inputs, stored nothing, and so grouped nothing.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from mediadigest import run, store
from mediadigest.cli import app
from mediadigest.profile import load_profile
from mediadigest.run import executors
from mediadigest.stories import grouping, persist
from warc_files import mixed_pages, write_warc

ingest_module = importlib.import_module("mediadigest.run.ingest")  # run.ingest is the function


@pytest.fixture(scope="module")
def profile():
    return load_profile("kazakhstan")


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    return write_warc(tmp_path_factory.mktemp("r") / "crawl.warc.gz", mixed_pages(filler=20))


@pytest.mark.parametrize("kind", ["dask", "process-pool"])
def test_a_rerun_with_every_input_ingested_starts_no_workers(
    tmp_path, profile, archive, monkeypatch, kind
):
    db = tmp_path / "s.db"
    run.ingest(store.open_store(f"sqlite:///{db}"), profile, [archive], workers=0)
    if kind == "process-pool":
        monkeypatch.setitem(sys.modules, "distributed", None)  # as if the extra were missing
    started: list[str] = []
    dask, pool, warm = executors._dask, executors.ProcessPoolExecutor, ingest_module.warm

    def a_dask_cluster(*args):
        started.append("a Dask cluster")
        return dask(*args)

    class APool(pool):
        def __init__(self, *args, **kwargs):
            started.append("a process pool")
            super().__init__(*args, **kwargs)

    def a_worker_warmed(*args):
        started.append("a worker warmed")
        return warm(*args)

    monkeypatch.setattr(executors, "_dask", a_dask_cluster)
    monkeypatch.setattr(executors, "ProcessPoolExecutor", APool)
    monkeypatch.setattr(ingest_module, "warm", a_worker_warmed)
    done = CliRunner().invoke(app, ["--db", f"sqlite:///{db}", "ingest", "--workers", "2",
                                    str(archive)])  # fmt: skip
    assert done.exit_code == 0, done.stderr
    assert "1 input already ingested by an earlier run: skipped" in done.stderr
    assert started == []


def test_executor_for_no_tasks_starts_nothing():
    def setup() -> None:
        raise AssertionError("a worker was set up")

    with executors.executor_for(2, tasks=0, setup=setup) as (executor, _, slots):
        assert isinstance(executor, executors.InlineExecutor) and slots == 1


def _placed(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(persist.story_articles)).scalar()


def test_a_run_stopped_while_grouping_is_grouped_by_the_rerun_that_skips_its_inputs(
    tmp_path, profile, archive, monkeypatch
):
    engine = store.open_store(f"sqlite:///{tmp_path / 's.db'}")

    def ctrl_c(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(grouping, "update_days", ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        run.ingest(engine, profile, [archive], workers=0)
    assert _placed(engine) == 0  # every article stored, none in a story yet
    monkeypatch.undo()
    report = run.ingest(engine, profile, [archive], workers=0)
    assert report.skipped_inputs == 1 and report.documents == 0
    assert _placed(engine) > 0 and "into stories" in report.stories
    again = run.ingest(engine, profile, [archive], workers=0)  # nothing left to group
    assert again.skipped_inputs == 1 and again.stories == ""
