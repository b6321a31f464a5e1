"""A source paused is left out of collection and keeps what removing it loses; resumed, it is
collected again; renamed, it keeps its name over its feed's. In the store (SQLite and
PostgreSQL), on the command line, in the web app and its API, and through export/import."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from alembic import command
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from mediadigest import run, store
from mediadigest.cli import app as cli_app
from mediadigest.collect.fetch import Fetcher
from mediadigest.model import Source
from mediadigest.profile import load_profile
from mediadigest.store import collect_state
from mediadigest.store import engine as store_engine
from mediadigest.store import schema as t
from mediadigest.store.sources import (
    pause_source,
    paused_ids,
    resume_source,
    retitle_source,
)
from mediadigest.web import persist
from mediadigest.web.app import create_app
from mediadigest.web.routes.sources import health
from web_support import csrf_of, login, seed, token_of

FEED = "https://wires.example/rss.xml"


@pytest.fixture(scope="module")
def profile():
    return load_profile("kazakhstan")


@pytest.fixture(scope="module")
def fetcher():
    with Fetcher(timeout=2.0, allow_private=True, delay=0, retries=0) as f:
        yield f


def _add(engine, url: str, kind: str = "feed", **extra) -> int:
    with engine.begin() as conn:
        return store.add_source(conn, Source(url, kind, **extra))[0]


def _row(engine, source_id: int) -> dict:
    with engine.connect() as conn:
        return dict(
            conn.execute(sa.select(t.sources).where(t.sources.c.id == source_id)).mappings().one()
        )


def _sources(engine) -> list[Source]:
    with engine.connect() as conn:
        return [Source(r["url"], r["kind"], r["title"], r["id"]) for r in store.list_sources(conn)]


# -- the store -------------------------------------------------------------------------------


def test_a_paused_source_keeps_its_folder_health_and_seen_items(engine):
    source_id = _add(engine, FEED, folder="Russia/Business")
    with engine.begin() as conn:
        store.mark_seen(conn, source_id, ["item-1", "item-2"])
        store.record_fetch(conn, source_id, FEED, error="HTTP 503", items=0)
        assert pause_source(conn, FEED) == (FEED, True)
    row = _row(engine, source_id)
    assert row["paused_at"] is not None
    assert (row["folder"], row["last_error"]) == ("Russia/Business", "HTTP 503")
    with engine.connect() as conn:
        assert store.seen_keys(conn, source_id) == {"item-1", "item-2"}
        assert paused_ids(conn) == {source_id}


def test_pausing_a_paused_source_says_so_and_keeps_when_it_was_paused(engine):
    source_id = _add(engine, FEED)
    with engine.begin() as conn:
        pause_source(conn, FEED)
    first = _row(engine, source_id)["paused_at"]
    with engine.begin() as conn:
        assert pause_source(conn, FEED) == (FEED, False)
    assert _row(engine, source_id)["paused_at"] == first


def test_a_source_is_paused_by_its_url_written_another_way(engine):
    source_id = _add(engine, FEED)
    with engine.begin() as conn:
        assert pause_source(conn, "HTTPS://Wires.example:443/rss.xml#top") == (FEED, True)
        assert pause_source(conn, "https://elsewhere.example/rss") is None
    assert _row(engine, source_id)["paused_at"] is not None


def test_resuming_collects_it_again_and_tries_a_backing_off_source_at_once(engine):
    source_id = _add(engine, FEED)
    with engine.begin() as conn:
        for _ in range(3):
            collect_state.record_outcome(conn, source_id, ok=False, interval=timedelta(hours=1))
        assert source_id in collect_state.not_due(conn)
        pause_source(conn, FEED)
        assert resume_source(conn, FEED) == (FEED, True)
        assert resume_source(conn, FEED) == (FEED, False)
        assert not paused_ids(conn) and source_id not in collect_state.not_due(conn)
    assert _row(engine, source_id)["paused_at"] is None


def test_a_name_given_stays_and_an_empty_one_gives_the_feeds_back(engine, site, profile, fetcher):
    """Cleared, its validators go too: an unchanged feed answers 304, without its title."""
    url = site.url("/feeds/atom.xml?renamed")
    source_id = _add(engine, url)
    run.collect(engine, profile, _sources(engine), fetcher)
    assert _row(engine, source_id)["title"] == "Caspian Ledger"
    with engine.begin() as conn:
        assert retitle_source(conn, url, "  Caspian\n Ledger (Baku) ") == url
    run.collect(engine, profile, _sources(engine), fetcher)
    assert _row(engine, source_id)["title"] == "Caspian Ledger (Baku)"  # one line, its own
    with engine.begin() as conn:
        retitle_source(conn, url, "")
    assert (_row(engine, source_id)["title"], _row(engine, source_id)["etag"]) == (None, None)
    run.collect(engine, profile, _sources(engine), fetcher)
    assert _row(engine, source_id)["title"] == "Caspian Ledger"
    with engine.begin() as conn:
        assert retitle_source(conn, "https://elsewhere.example/rss", "x") is None


# -- collection ------------------------------------------------------------------------------


def test_collection_skips_a_paused_source_and_says_how_many_it_skipped(
    engine, site, profile, fetcher
):
    paused, kept = site.url("/feeds/rdf.xml?paused"), site.url("/feeds/rdf.xml?kept")
    _add(engine, paused)
    _add(engine, kept)
    # Paused after the list was read, as a watch or the web app's schedule holds one.
    sources = _sources(engine)
    with engine.begin() as conn:
        pause_source(conn, paused)
    before = {path: site.fetched(path) for path in ("/feeds/rdf.xml?paused", "/feeds/rdf.xml?kept")}
    report = run.collect(engine, profile, sources, fetcher)
    assert site.fetched("/feeds/rdf.xml?paused") == before["/feeds/rdf.xml?paused"]
    assert site.fetched("/feeds/rdf.xml?kept") == before["/feeds/rdf.xml?kept"] + 1
    assert report.paused == 1 and "1 paused source skipped" in report.summary()
    with engine.begin() as conn:
        resume_source(conn, paused)
    again = run.collect(engine, profile, _sources(engine), fetcher)
    assert site.fetched("/feeds/rdf.xml?paused") == before["/feeds/rdf.xml?paused"] + 1
    assert "paused" not in again.summary()


def test_a_watch_round_leaves_a_paused_source_out_of_its_backing_off_count(
    engine, site, profile, fetcher
):
    failing = site.url("/status/503?paused-watch")
    source_id = _add(engine, failing)
    with engine.begin() as conn:
        for _ in range(3):
            collect_state.record_outcome(conn, source_id, ok=False, interval=timedelta(hours=1))
        pause_source(conn, failing)
    rounds = []
    run.watch(engine, profile, lambda: _sources(engine), fetcher,
              interval=timedelta(seconds=1), rounds=1, on_round=rounds.append)  # fmt: skip
    assert rounds[0].backing_off == 0 and rounds[0].report.paused == 1


# -- the command line ------------------------------------------------------------------------


def _cli(url: str, *args: str):
    return CliRunner().invoke(cli_app, ["--db", url, *args])


def test_sources_pause_does_every_source_it_can_and_names_the_one_it_cannot(store_url):
    assert _cli(store_url, "sources", "add", FEED, "https://b.example/feed").exit_code == 0
    done = _cli(
        store_url,
        "sources",
        "pause",
        "https://nowhere.example/rss",
        "HTTPS://Wires.example/rss.xml",
    )
    assert done.exit_code == 1
    assert "https://nowhere.example/rss: no such source" in done.output
    assert f"paused: {FEED}" in done.output
    again = _cli(store_url, "sources", "pause", FEED)
    assert again.exit_code == 0 and f"already paused: {FEED}" in again.output
    listed = {r["url"]: r for r in json.loads(_cli(store_url, "sources", "list", "--json").stdout)}
    assert listed[FEED]["paused_at"].endswith("+00:00")
    assert listed["https://b.example/feed"]["paused_at"] is None
    table = _cli(store_url, "sources", "list").stdout
    assert "paused since" in next(line for line in table.splitlines() if FEED in line)


def test_sources_resume_and_rename_say_what_they_did(store_url):
    _cli(store_url, "sources", "add", FEED)
    _cli(store_url, "sources", "pause", FEED)
    resumed = _cli(store_url, "sources", "resume", FEED, FEED)
    assert resumed.exit_code == 0
    assert f"resumed: {FEED}" in resumed.output and f"not paused: {FEED}" in resumed.output
    renamed = _cli(store_url, "sources", "rename", FEED, "Wires")
    assert renamed.exit_code == 0 and "Wires" in renamed.output
    assert _cli(store_url, "sources", "rename", "https://nowhere.example/rss", "x").exit_code == 1
    cleared = _cli(store_url, "sources", "rename", FEED, "")
    assert cleared.exit_code == 0 and "its feed's own name" in cleared.output
    listed = json.loads(_cli(store_url, "sources", "list", "--json").stdout)
    assert [r["title"] for r in listed] == [None]


def test_a_name_given_loses_control_characters_and_is_cut_to_the_web_forms_length(store_url):
    # An ESC sequence in a name took over the terminal that `sources list` printed it on.
    _cli(store_url, "sources", "add", FEED)
    said = _cli(
        store_url, "sources", "rename", FEED, "Evil\x1b]0;pwned\x07 \x9b31mRed\x7f\t\u202eWire"
    )
    assert said.output.strip().endswith("is now named Evil]0;pwned 31mRed Wire"), said.output
    listed = json.loads(_cli(store_url, "sources", "list", "--json").stdout)
    assert [r["title"] for r in listed] == ["Evil]0;pwned 31mRed Wire"]
    _cli(store_url, "sources", "rename", FEED, "W" * 600)
    listed = json.loads(_cli(store_url, "sources", "list", "--json").stdout)
    assert len(listed[0]["title"]) == 500


def test_adding_a_paused_source_again_says_it_is_paused(store_url):
    """Added again, it stays paused: the editor expecting it collected is told why not."""
    _cli(store_url, "sources", "add", FEED)
    _cli(store_url, "sources", "pause", FEED)
    again = _cli(store_url, "sources", "add", FEED)
    assert f"already present, paused (`sources resume` collects it): {FEED}" in again.output


def test_a_paused_source_moved_away_is_named_at_its_new_address(engine, store_url):
    source_id = _add(engine, "https://old.example/rss")
    with engine.begin() as conn:
        store.record_fetch(conn, source_id, "https://old.example/rss", error=None)
        store.move_source(conn, source_id, "https://new.example/rss")
    done = _cli(store_url, "sources", "pause", "https://old.example/rss")
    assert done.exit_code == 1 and "it moved to https://new.example/rss (pause that)" in done.output


# -- the web app -----------------------------------------------------------------------------


def test_a_paused_source_is_not_failing_in_its_health():
    row = {"paused_at": "x", "last_fetched_at": "x", "last_error": "HTTP 503", "last_ok_at": None}
    assert health(row, (10, 10)) == "paused"


@pytest.fixture
def web(tmp_path):
    seeded = seed(tmp_path)
    return seeded, create_app(seeded.settings, engine=seeded.engine)


def _seeded_url(seeded) -> str:
    with seeded.engine.connect() as conn:
        return store.list_sources(conn)[0]["url"]


def test_an_editor_pauses_and_resumes_a_source_on_the_sources_page(web):
    seeded, app = web
    editor = login(TestClient(app, follow_redirects=False), "editor")
    url = _seeded_url(seeded)
    page = editor.get("/sources").text
    assert 'action="/sources/pause"' in page and 'action="/sources/resume"' not in page
    paused = editor.post("/sources/pause", data={"url": url, "csrf_token": token_of(editor)})
    assert paused.status_code == 303
    page = editor.get("/sources").text
    assert 'class="health health-paused">paused<' in page and 'action="/sources/resume"' in page
    assert "Paused " in page  # the message
    with seeded.engine.connect() as conn:
        assert paused_ids(conn)
    editor.post("/sources/resume", data={"url": url, "csrf_token": token_of(editor)})
    with seeded.engine.connect() as conn:
        assert not paused_ids(conn)
        actions = conn.execute(sa.text("SELECT action FROM audit_log ORDER BY id")).scalars()
        assert [a for a in actions if a.startswith("source.")] == ["source.pause", "source.resume"]


def test_adding_a_paused_source_again_on_the_page_says_it_is_paused(web):
    seeded, app = web
    editor = login(TestClient(app), "editor")
    _add(seeded.engine, FEED)
    with seeded.engine.begin() as conn:
        pause_source(conn, FEED)
    page = editor.post("/sources/add", data={"url": FEED, "csrf_token": token_of(editor)}).text
    assert "Already there, paused:" in page and "Resume collects it" in page


def test_a_viewer_has_no_pause_button_and_a_pause_without_its_csrf_token_is_refused(web):
    seeded, app = web
    viewer = login(TestClient(app, follow_redirects=False), "viewer")
    assert 'action="/sources/pause"' not in viewer.get("/sources").text
    url = _seeded_url(seeded)
    refused = viewer.post("/sources/pause", data={"url": url, "csrf_token": token_of(viewer)})
    assert refused.status_code == 403
    editor = login(TestClient(app, follow_redirects=False), "editor")
    assert editor.post("/sources/pause", data={"url": url}).status_code == 403
    with seeded.engine.connect() as conn:
        assert not paused_ids(conn)


def _api_token(client: TestClient) -> dict[str, str]:
    html = client.post(
        "/account/tokens",
        data={"name": "pause", "csrf_token": csrf_of(client.get("/account").text)},
        follow_redirects=True,
    ).text
    token = re.search(r'class="token">([^<]+)<', html)[1]
    return {"Authorization": f"Bearer {token}"}


def test_the_api_pauses_and_resumes_a_source_and_lists_when_it_was_paused(web):
    seeded, app = web
    editor = _api_token(login(TestClient(app), "editor"))
    viewer = _api_token(login(TestClient(app), "viewer"))
    api = TestClient(app)
    url = _seeded_url(seeded)
    assert api.post("/api/sources/pause", params={"url": url}, headers=viewer).status_code == 403
    paused = api.post("/api/sources/pause", params={"url": url}, headers=editor)
    assert paused.status_code == 200 and paused.json()["paused_at"].endswith("Z")
    again = api.post("/api/sources/pause", params={"url": url}, headers=editor)
    assert again.json()["paused_at"] == paused.json()["paused_at"]
    listed = api.get("/api/sources", headers=viewer).json()
    assert listed[0]["paused_at"] == paused.json()["paused_at"]
    resumed = api.post("/api/sources/resume", params={"url": url}, headers=editor)
    assert resumed.status_code == 200 and resumed.json()["paused_at"] is None
    missing = api.post("/api/sources/resume", params={"url": FEED}, headers=editor)
    assert missing.status_code == 404


def test_the_api_renames_a_source_as_the_page_and_the_cli_do(web):
    """Pause and resume were in the API, renaming only on the page and in the CLI."""
    seeded, app = web
    editor = _api_token(login(TestClient(app), "editor"))
    viewer = _api_token(login(TestClient(app), "viewer"))
    api = TestClient(app)
    url = _seeded_url(seeded)
    asked = {"params": {"url": url}, "json": {"title": "Reuters,\x07 Central Asia\u202e"}}
    assert api.post("/api/sources/rename", headers=viewer, **asked).status_code == 403
    renamed = api.post("/api/sources/rename", headers=editor, **asked)
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["title"] == "Reuters, Central Asia"
    assert api.get("/api/sources", headers=viewer).json()[0]["title"] == "Reuters, Central Asia"
    cleared = api.post("/api/sources/rename", headers=editor, params={"url": url},
                       json={"title": ""})  # fmt: skip
    assert cleared.status_code == 200 and cleared.json()["title"] is None
    too_long = api.post("/api/sources/rename", headers=editor, params={"url": url},
                        json={"title": "x" * 501})  # fmt: skip
    assert too_long.status_code == 422
    missing = api.post("/api/sources/rename", headers=editor, params={"url": FEED},
                       json={"title": "x"})  # fmt: skip
    assert missing.status_code == 404
    with seeded.engine.connect() as conn:
        logged = conn.execute(
            sa.select(persist.audit_log.c.detail).where(
                persist.audit_log.c.action == "source.rename"
            )
        ).scalars()
        assert [d.get("title") for d in logged] == ["Reuters, Central Asia", None]


def test_opml_export_keeps_a_paused_source(web):
    """OPML has no standard mark for it: a paused source is exported as any other."""
    seeded, app = web
    url = _seeded_url(seeded)
    with seeded.engine.begin() as conn:
        pause_source(conn, url)
    editor = login(TestClient(app), "editor")
    assert "feeds.example/rss" in editor.get("/sources/export.opml").text


# -- export, import and upgrade --------------------------------------------------------------


def test_an_export_carries_when_a_source_was_paused(engine, tmp_path):
    source_id = _add(engine, FEED)
    _add(engine, "https://b.example/feed")
    with engine.begin() as conn:
        pause_source(conn, FEED)
        out = io.StringIO()
        store.export_jsonl(conn, out)
    when = _row(engine, source_id)["paused_at"]
    other = store.open_store(f"sqlite:///{tmp_path / 'copy.db'}")
    with other.begin() as conn:
        store.import_jsonl(conn, io.StringIO(out.getvalue()))
    with other.connect() as conn:
        rows = {r["url"]: r["paused_at"] for r in store.list_sources(conn)}
    assert rows == {FEED: when, "https://b.example/feed": None}
    other.dispose()


def test_an_export_from_before_pausing_imports_its_sources_collected(engine):
    header = {"mediadigest": "store-export", "format": 3, "revision": "0013"}
    source = {"type": "source", "url": FEED, "kind": "feed", "title": None,
              "added_at": "2026-01-05T10:00:00", "folder": None, "seen": []}  # fmt: skip
    text = f"{json.dumps(header)}\n{json.dumps(source)}\n"
    with engine.begin() as conn:
        store.import_jsonl(conn, io.StringIO(text))
        assert [r["paused_at"] for r in store.list_sources(conn)] == [None]


def test_upgrading_a_store_keeps_its_sources_collected(empty_url):
    old = store.create_engine(empty_url)
    with old.begin() as conn:
        command.upgrade(store_engine._alembic_config(conn), "0013")
        conn.execute(sa.text("INSERT INTO sources (url, kind, added_at) VALUES "
                             "(:u, 'feed', CURRENT_TIMESTAMP)"), {"u": FEED})  # fmt: skip
    old.dispose()
    with old.begin() as conn:
        command.upgrade(store_engine._alembic_config(conn), "0014")
    with old.connect() as conn:
        assert [r["paused_at"] for r in store.list_sources(conn)] == [None]
    with old.begin() as conn:  # and back: the column goes, the source stays
        command.downgrade(store_engine._alembic_config(conn), "0013")
        assert conn.execute(sa.text("SELECT url FROM sources")).scalars().all() == [FEED]
    old.dispose()


def test_importing_a_list_that_holds_a_paused_source_says_so(store_url, tmp_path):
    _cli(store_url, "sources", "add", FEED, "https://other.example/rss")
    _cli(store_url, "sources", "pause", FEED)
    listed = tmp_path / "feeds.txt"
    listed.write_text(f"{FEED}\nhttps://other.example/rss\nhttps://new.example/rss\n")
    done = _cli(store_url, "sources", "import", str(listed))
    assert "imported 1 new source (2 already present, 1 of them paused: `sources resume URL`" in (
        done.output
    ), done.output
