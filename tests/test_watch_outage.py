"""`collect --watch` outlives its database going away: the press office's unattended polling.

A PostgreSQL restart (or a network blip) used to end the watch with a 150-line traceback, and
nothing polled again until someone noticed. Now the round says so on one line and the next
round, on new connections, collects as before.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from dbs import restart_cluster
from mediadigest import store
from mediadigest.collect.fetch import Fetcher, FetchPolicy
from mediadigest.model import Source
from mediadigest.profile import load_profile
from mediadigest.run.collect import Round, watch
from mediadigest.store import schema as t


@pytest.fixture
def cluster(own_cluster):
    return own_cluster  # see tests/dbs.py


def test_watch_reports_a_lost_database_on_one_line_and_collects_again(cluster, site):
    url = cluster.create_database("press")
    engine = store.open_store(url)
    with engine.begin() as conn:
        store.add_source(conn, Source(site.url("/feeds/atom.xml")))
    rounds: list[Round] = []

    def on_round(done: Round) -> None:
        rounds.append(done)
        if done.number == 1:  # the database goes away between two rounds...
            cluster.stop(remove=False)
        elif done.number == 2:  # ...and comes back on the same address
            restart_cluster(cluster)

    def sources() -> list[Source]:
        with engine.connect() as conn:
            return [Source(r["url"], r["kind"], r["title"], r["id"])
                    for r in store.list_sources(conn)]  # fmt: skip

    with Fetcher(FetchPolicy(allow_private=True, delay=0)) as fetcher:
        done = watch(engine, load_profile("kazakhstan"), sources, fetcher,
                     interval=timedelta(seconds=0.1), rounds=3, on_round=on_round)  # fmt: skip
    assert done == 3
    first, lost, back = (r.report for r in rounds)
    assert first.ok and first.articles > 0
    assert lost.errors == [lost.errors[0]] and lost.errors[0].startswith(
        "round 2: the store is unavailable ("
    )
    assert "\n" not in lost.errors[0] and "trying again in 0.1s" in lost.errors[0]
    assert back.ok and back.not_modified == 1  # the feed asked with its stored validators
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(t.articles)).scalar() == (
            first.articles
        )
    assert all(r.started is not None for r in rounds)
