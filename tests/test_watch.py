"""`collect --watch`: rounds at an interval, backing off sources that keep failing."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from mediadigest import store
from mediadigest.collect.fetch import Fetcher, FetchPolicy
from mediadigest.model import Source
from mediadigest.profile import load_profile
from mediadigest.run.collect import Round, parse_interval, watch
from mediadigest.store import schema
from test_collect_sources import refuse_documents_after
from test_end_to_end import Cli


def test_watch_polls_every_round_and_backs_off_a_failing_source(tmp_path, site):
    cli = Cli(tmp_path / "s.db")
    # Round 2's failure puts the source off for one interval from when it is recorded; round
    # 3 asks which sources wait one interval after round 2 began, plus its own start-up. A
    # failure that comes one second into the round (the redirect waits, the 404 is not retried)
    # leaves a second either side: round 3 looks before the source is due, and round 2 ends
    # well within its interval. A 503 failed after its retries' jittered waits, at times at
    # once, and round 3 then found the source due again.
    failing = f"/redirect/1/status/404?wait=1&watch={uuid.uuid4().hex}"
    cli("sources", "add", site.url("/feeds/atom.xml"), site.url(failing))
    # A bounded watch in which a source failed exits 1, as one round does (it said 0).
    # Every 4 s, not 2: under a loaded CI round 2 outlasted 3 s (the failure at 1 s plus one
    # interval) and round 3 found the source due again.
    result = cli("collect", "--watch", "4s", "--rounds", "3", "--timeout", "5", code=1)
    rounds = [line for line in result.stderr.splitlines() if line.startswith("round ")]
    assert [r.split(" (")[0] for r in rounds] == ["round 1", "round 2", "round 3"]
    # Each says when it ran, for a log that runs for weeks.
    assert all(re.match(r"round \d \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\): ", r) for r in rounds)
    assert "1 source backing off" in rounds[2]
    assert "backing off" not in rounds[1]
    assert site.fetched(failing) == 2  # in rounds 1 and 2, left alone in round 3


def test_watch_prints_each_rounds_warnings(tmp_path, site):
    cli = Cli(tmp_path / "s.db")
    cli("sources", "add", site.url("/feeds/refused.xml"))
    result = cli("collect", "--watch", "0.1s", "--rounds", "1", code=1)  # two links fail
    assert f"warning: {site.url('/status/403')}: HTTP 403 Forbidden" in result.stderr


def test_unchanged_sources_cost_304s_in_later_rounds(tmp_path, site):
    cli = Cli(tmp_path / "s.db")
    cli("sources", "add", site.url("/feeds/rdf.xml"))
    result = cli("collect", "--watch", "0.1s", "--rounds", "2", "--timeout", "2")
    assert "1 source read: 1 unchanged (304)" in result.stderr.splitlines()[-1]


def test_sources_list_shows_items_per_day_and_next_try(tmp_path, site):
    cli = Cli(tmp_path / "s.db")
    cli("sources", "add", site.url("/feeds/atom.xml"), site.url("/status/404"))
    cli("collect", "--watch", "0.1s", "--rounds", "2", "--timeout", "2", code=1)
    rows = {r["url"]: r for r in cli.json("sources", "list", "--json")}
    assert rows[site.url("/feeds/atom.xml")]["items_per_day"] == 0.0  # its 2 were a backlog
    assert rows[site.url("/status/404")]["failures"] == 2
    assert rows[site.url("/status/404")]["items_per_day"] is None  # never read
    table = cli("sources", "list").stdout
    assert "items/day" in table and "next try" in table
    assert "Caspian" in table  # the feed's own title ("Caspian Ledger", wrapped) names it


def test_bad_watch_interval_is_a_usage_error(tmp_path):
    Cli(tmp_path / "s.db")("collect", "--watch", "soon", code=2)


def test_rounds_without_watch_is_a_usage_error_and_collects_nothing(tmp_path, site):
    """It was passed over: one round, exit 0, as if three had run."""
    cli = Cli(tmp_path / "s.db")
    feed = f"/feeds/atom.xml?rounds={uuid.uuid4().hex}"
    cli("sources", "add", site.url(feed))
    done = cli("collect", "--rounds", "3", code=2)
    assert "--rounds" in done.stderr and "only with --watch" in done.stderr
    assert site.fetched(feed) == 0


@pytest.mark.parametrize("rounds", ["0", "-1"])
def test_rounds_below_one_is_a_usage_error_and_collects_nothing(tmp_path, site, rounds):
    """`--watch 1s --rounds 0` exited 0 at once, having collected nothing."""
    cli = Cli(tmp_path / "s.db")
    feed = f"/feeds/atom.xml?rounds={uuid.uuid4().hex}"
    cli("sources", "add", site.url(feed))
    done = cli("collect", "--watch", "1s", "--rounds", rounds, code=2)
    assert "--rounds" in done.stderr
    assert site.fetched(feed) == 0


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("1h", 3600), ("30m", 1800), ("1h30m", 5400), ("90s", 90), ("0.5s", 0.5), ("45", 45),
     ("1d", 86400)],
)  # fmt: skip
def test_intervals_are_read_as_people_write_them(text, seconds):
    assert parse_interval(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "h", "1x", "-5m", "0s"])
def test_nonsense_intervals_are_refused(text):
    with pytest.raises(ValueError, match="duration"):
        parse_interval(text)


@pytest.mark.parametrize("text", ["0", "-5", "nan", "inf"])
def test_a_bare_number_of_seconds_must_be_more_than_zero(text):
    with pytest.raises(ValueError, match="more than 0 seconds"):
        parse_interval(text)


def test_sources_can_be_added_by_kind_and_unknown_kinds_are_refused(tmp_path, site):
    cli = Cli(tmp_path / "s.db")
    cli("sources", "add", "--kind", "sitemap", site.url("/sitemaps/news.xml"))
    cli("sources", "add", "--kind", "podcast", site.url("/x"), code=2)
    assert [r["kind"] for r in cli.json("sources", "list", "--json")] == ["sitemap"]


def test_a_url_list_file_imports_one_source_per_line(tmp_path):
    listing = tmp_path / "feeds.txt"
    listing.write_text("# my feeds\nhttps://a.example/rss\n\nhttps://b.example/atom.xml\n")
    cli = Cli(tmp_path / "s.db")
    cli("sources", "import", str(listing))
    assert [r["url"] for r in cli.json("sources", "list", "--json")] == [
        "https://a.example/rss", "https://b.example/atom.xml"]  # fmt: skip


def test_private_addresses_are_refused_unless_allowed(tmp_path, site, monkeypatch):
    monkeypatch.delenv("MEDIADIGEST_ALLOW_PRIVATE")
    cli = Cli(tmp_path / "s.db")
    cli("sources", "add", site.url("/feeds/rdf.xml"))
    refused = cli("collect", "--timeout", "2", code=1)
    assert "private address 127.0.0.1" in refused.stderr and "--allow-private" in refused.stderr
    cli("--allow-private", "collect", "--timeout", "2")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_watch_stops_cleanly_on_sigterm_as_on_ctrl_c(tmp_path, site, sig):
    db = f"sqlite:///{tmp_path / 's.db'}"
    Cli(tmp_path / "s.db")("sources", "add", site.url("/feeds/rdf.xml"))
    env = {**os.environ, "MEDIADIGEST_ALLOW_PRIVATE": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "mediadigest", "--db", db, "collect", "--watch", "1h"],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stderr is not None
    # A child that never reaches round 1 is killed rather than waited for: readline then ends.
    watchdog = threading.Timer(60, proc.kill)
    watchdog.start()
    try:
        line = proc.stderr.readline()
        while line and not line.startswith("round 1"):
            line = proc.stderr.readline()
    finally:
        watchdog.cancel()
    assert line.startswith("round 1"), proc.communicate(timeout=20)
    proc.send_signal(sig)  # while it waits for the next round
    try:
        _, rest = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:  # a missed signal fails the test; it hung the run
        proc.kill()
        proc.communicate()
        pytest.fail(f"the watch was still running 20 s after {sig.name}")
    # A service manager's SIGTERM killed it without a word (exit 143).
    assert proc.returncode == 130, (line, rest)
    assert "stopped" in rest


def test_a_round_that_loses_the_store_midway_counts_what_it_stored(tmp_path, site):
    engine = store.open_store(f"sqlite:///{tmp_path / 's.db'}")
    with engine.begin() as conn:
        store.add_source(conn, Source(site.url("/sitemaps/news.xml"), "sitemap"))  # two pages
        sources = [Source(r["url"], r["kind"], r["title"], r["id"])
                   for r in store.list_sources(conn)]  # fmt: skip
    refuse_documents_after(engine, 1)
    rounds: list[Round] = []
    with Fetcher(FetchPolicy(allow_private=True, delay=0)) as fetcher:
        watch(engine, load_profile("kazakhstan"), lambda: sources, fetcher,
              interval=timedelta(hours=1), rounds=1, on_round=rounds.append)  # fmt: skip
    (lost,) = [r.report for r in rounds]
    # The write that failed is no outage here (a function raised): "the store failed (…)".
    assert lost.errors[0].startswith("round 1: the store failed (")
    assert lost.errors[0].endswith("; trying again in 1h")
    # The round said "collected 0 documents" over the one it had stored.
    with engine.connect() as conn:
        stored = conn.execute(sa.select(sa.func.count()).select_from(schema.documents)).scalar()
    assert lost.documents == stored == 1


def test_a_one_off_collect_names_the_sources_it_leaves_out_and_retry_tries_them(tmp_path, site):
    """A source backing off was left out of a one-off `collect` without a word ("0 failed",
    exit 0): an admin who had mended its feed could not tell it was never asked."""
    cli = Cli(tmp_path / "s.db")
    failing = f"/status/404?retry={uuid.uuid4().hex}"
    cli("sources", "add", site.url(failing))
    for _ in range(2):  # the second failure backs it off
        cli("collect", "--timeout", "2", code=1)
    left_out = cli("collect", "--timeout", "2")
    assert site.fetched(failing) == 2
    assert re.search(
        rf"note: {re.escape(site.url(failing))}: not tried: backing off after failures until "
        r"\d{4}-\d\d-\d\d \d\d:\d\d UTC \(`collect --retry` tries it now\)",
        left_out.stderr,
    ), left_out.stderr
    cli("collect", "--timeout", "2", "--retry", code=1)
    assert site.fetched(failing) == 3
    rows = {r["url"]: r for r in cli.json("sources", "list", "--json")}
    assert rows[site.url(failing)]["failures"] == 3  # its failures still count


def test_a_watch_stopped_in_a_round_says_what_that_round_stored(tmp_path, site):
    """It said only "stopped": not that the round under way had stored articles (which it
    had not grouped into stories yet)."""
    path = tmp_path / "s.db"
    cli = Cli(path)
    cli("sources", "add", site.url("/feeds/rdf.xml"))
    cli("sources", "add", "--kind", "page", site.url("/slow?s=60"))  # holds the round open
    env = {**os.environ, "MEDIADIGEST_ALLOW_PRIVATE": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "mediadigest", "--db", f"sqlite:///{path}", "collect",
         "--watch", "1h", "--timeout", "90"],
        stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        engine = store.create_engine(f"sqlite:///{path}")
        for _ in range(600):  # the feed's articles stored, the slow page still coming
            with engine.connect() as conn:
                if conn.execute(sa.text("SELECT count(*) FROM articles")).scalar_one():
                    break
            time.sleep(0.1)
        engine.dispose()
        proc.send_signal(signal.SIGTERM)
        _, rest = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, rest
    assert re.search(r"stopped in round 1: [1-9]\d* articles? stored in it, not yet grouped",
                     rest), rest  # fmt: skip
