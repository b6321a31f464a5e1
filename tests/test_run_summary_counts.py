"""The one line a run ends with counts what it says it counts.

Found in a walk: "(2 failed)" read as two documents where it was two feeds, three pages, four
lines of a JSONL file or one archive; a plain `collect` and the web app's last-run line left
out the sources backing off; grouping said "1 new story, 1 grown" with one story in the store;
and a source that answered 200 with nothing new, or listed pages another source had stored,
was counted nowhere.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

import test_poll_rounds as rounds
from mediadigest import run, store
from mediadigest.model import Source
from mediadigest.profile import load_profile
from mediadigest.stories import persist
from mediadigest.web.schedule import Collector
from mediadigest.write.style import counted
from test_poll_rounds import PAGE, _rss
from warc_files import mixed_pages, write_warc

RSS = "application/rss+xml"
server, fetcher = rounds.server, rounds.fetcher  # its scripted server, and a fetcher for it


@pytest.fixture(scope="module")
def profile():
    return load_profile("kazakhstan")


@pytest.fixture
def engine(tmp_path):
    return store.open_store(f"sqlite:///{tmp_path / 's.db'}")


def _sources(engine: sa.Engine, *urls: str) -> list[Source]:
    with engine.begin() as conn:
        for url in urls:
            store.add_source(conn, Source(url))
        return [Source(r["url"], r["kind"], r["title"], r["id"]) for r in store.list_sources(conn)]


def test_failed_sources_are_said_as_sources(server, fetcher, engine, profile):
    server.routes["/good.xml"] = (200, _rss(server, "/a.html"), RSS)
    server.routes["/a.html"] = (200, PAGE, "text/html")
    server.routes["/broken.xml"] = (200, b"<rss><channel><item>", RSS)
    sources = _sources(engine, *(server.url(p) for p in ("/good.xml", "/broken.xml", "/gone")))
    report = run.collect(engine, profile, sources, fetcher)
    line = report.summary()
    assert line.startswith("collected 1 document, 1 new article"), line
    assert "; 2 sources failed;" in line and "(2 failed)" not in line, line


def test_failed_pages_are_said_as_pages(server, fetcher, engine, profile):
    server.routes["/feed.xml"] = (200, _rss(server, "/1.html", "/2.html", "/3.html"), RSS)
    for page in ("/1.html", "/2.html", "/3.html"):
        server.routes[page] = (500, b"oops", "text/plain")
    report = run.collect(engine, profile, _sources(engine, server.url("/feed.xml")), fetcher)
    line = report.summary()
    assert "; 3 pages failed;" in line and "source" not in line.split("; 3 pages")[0], line
    assert len(report.errors) == 3


def test_an_ingest_says_bad_lines_as_records_and_a_damaged_archive_as_a_file(
    tmp_path, engine, profile
):
    lines = tmp_path / "in.jsonl"
    good = {"url": "https://steppe.example/a", "title": "Kazakhstan wind farm",
            "text": "Kazakhstan opened a wind farm near Astana. " * 10}  # fmt: skip
    lines.write_text(json.dumps(good) + '\nnot json\n[1]\n{"url": 5}\n{bad\n')
    line = run.ingest(engine, profile, [lines]).summary()
    assert "; 4 records failed" in line and "(4 failed)" not in line, line

    archive = write_warc(tmp_path / "crawl.warc", mixed_pages(filler=20))
    cut = tmp_path / "cut.warc"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size * 3 // 4])
    line = run.ingest(engine, profile, [cut]).summary()
    assert "; 1 file failed" in line, line


def test_a_plain_collect_and_the_web_apps_last_run_say_the_sources_backing_off(
    server, fetcher, engine, profile
):
    server.routes["/feed.xml"] = (200, _rss(server), RSS)
    sources = _sources(engine, server.url("/feed.xml"), server.url("/gone"))
    for _ in range(2):  # the second failure backs it off
        run.collect(engine, profile, sources, fetcher)
    assert "1 source backing off" in run.collect(engine, profile, sources, fetcher).summary()
    schedule = Collector(lambda: run.collect(engine, profile, sources, fetcher), None)
    schedule.run_once()
    assert schedule.last is not None and "1 source backing off" in schedule.last.summary


def test_every_source_read_is_counted_and_items_stored_for_another(
    server, fetcher, engine, profile
):
    server.routes["/a.xml"] = (200, _rss(server, "/a.html"), RSS)
    server.routes["/b.xml"] = (200, _rss(server, "/b.html"), RSS)
    server.routes["/a.html"] = server.routes["/b.html"] = (200, PAGE, "text/html")
    sources = _sources(engine, server.url("/a.xml"), server.url("/b.xml"))
    run.collect(engine, profile, sources, fetcher)
    # Two more: one lists what the first two stored; one answers 200 with nothing new.
    server.routes["/both.xml"] = (200, _rss(server, "/a.html", "/b.html"), RSS)
    server.routes["/empty.xml"] = (200, _rss(server), RSS)
    sources = _sources(engine, server.url("/both.xml"), server.url("/empty.xml"))
    line = run.collect(engine, profile, sources, fetcher).summary()
    assert "; 4 sources read: 2 unchanged (304), 2 with nothing new;" in line, line
    assert "; 2 items already stored for another source" in line, line


def _story_reports(folder: Path, start: date, days: int) -> Path:
    """One report a day on one event, over ``days`` days: grouping's windows are four days
    apart, so the story one window starts the next extends."""
    path = folder / "visit.jsonl"
    text = (
        "President Tokayev of Kazakhstan met Prime Minister Ishiba in Tokyo to discuss uranium "
        "supplies, the Trans-Caspian route and Japanese investment in Kazakhstan. "
    )
    rows = [
        {
            "url": f"https://steppe.example/visit/{n}",
            "title": f"Tokayev in Tokyo: Kazakhstan and Japan talk uranium, day {n + 1}",
            "text": text * 6,
            "published": (start + timedelta(days=n)).isoformat() + "T09:00:00+00:00",
        }
        for n in range(days)
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_a_story_made_and_extended_in_one_run_is_one_new_story(tmp_path, engine, profile):
    start = date.today() - timedelta(days=9)
    report = run.ingest(engine, profile, [_story_reports(tmp_path, start, 8)])
    with engine.connect() as conn:
        stories = persist.load(conn, profile.name)
    made = counted(len(stories), "new story", "new stories")
    assert len(stories) < 8  # windows joined: a story was extended after it was made
    assert report.stories.endswith(f": {made}, 0 grown"), report.stories
