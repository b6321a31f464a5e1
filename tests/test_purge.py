"""`db purge --before DAY`: old articles go, with all that hangs on them; what digests cite stays.

A store collecting for years grew without bound, and nothing dropped old material.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from mediadigest import store
from mediadigest.cli import app, archive
from mediadigest.store import purge
from mediadigest.store import schema as t
from mediadigest.stories import persist

TEXT = (
    "Kazakhstan will cut taxes for foreign investors next year, its president said on Monday. "
    '"We will keep our economy open to every partner," Kassym-Jomart Tokayev said at a forum '
    "in Astana. Kazakhstan attracted record foreign investment this year."
)
# One story of two reports, either side of the day purged before; another all before it.
OLD_TAX = {
    "url": "https://steppe.example/news/investors",
    "outlet": "Steppe Post",
    "title": "Kazakhstan's president promises investors lower taxes",
    "text": TEXT,
    "published": "2024-12-30T09:00:00+00:00",
}
NEW_TAX = {
    "url": "https://other.example/news/investors-tax",
    "outlet": "Other Daily",
    "title": "Kazakhstan promises investors lower taxes",
    "text": TEXT + " Officials added that the cut starts in March.",
    "published": "2025-01-02T09:00:00+00:00",
}
OLD_GRAIN = {
    "url": "https://grain.example/grain",
    "outlet": "Grain Weekly",
    "title": "Kazakhstan's grain exports across the Caspian hit a record",
    "text": "Kazakhstan exported a record amount of grain across the Caspian Sea this year, the "
    "agriculture ministry in Astana said on Tuesday. Ships from Aktau carried wheat to Baku.",
    "published": "2024-12-31T09:00:00+00:00",
}
BEFORE = "2025-01-01"


def _cli(url: str, *args: str, code: int = 0, input: str | None = None):
    done = CliRunner().invoke(app, ["--db", url, *args], input=input)
    assert done.exit_code == code, (done.output, done.exception)
    return done


def _ingest(tmp_path: Path, url: str, *reports: dict) -> dict[str, int]:
    """The reports stored and grouped; their ids by URL."""
    jsonl = tmp_path / "reports.jsonl"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in reports), encoding="utf-8")
    _cli(url, "ingest", str(jsonl))
    engine = store.open_store(url)
    with engine.connect() as conn:
        ids = dict(conn.execute(sa.select(t.articles.c.url, t.articles.c.id)).all())
    engine.dispose()
    return ids


def _stored(tmp_path: Path, url: str) -> dict[str, int]:
    ids = _ingest(tmp_path, url, OLD_TAX, NEW_TAX, OLD_GRAIN)
    assert _story_of(url, ids[OLD_TAX["url"]]) == _story_of(url, ids[NEW_TAX["url"]])
    return ids


def _story_of(url: str, article_id: int) -> int | None:
    engine = store.open_store(url)
    with engine.connect() as conn:
        sa_ = persist.story_articles
        found = conn.execute(sa.select(sa_.c.story_id).where(sa_.c.article_id == article_id))
        story = found.scalar()
    engine.dispose()
    return story


def _rows(url: str, table: sa.Table, *where: sa.ColumnElement[bool]) -> int:
    engine = store.open_store(url)
    with engine.connect() as conn:
        n = conn.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar_one()
    engine.dispose()
    return int(n)


def _urls(url: str) -> set[str]:
    engine = store.open_store(url)
    with engine.connect() as conn:
        found = set(conn.execute(sa.select(t.articles.c.url)).scalars())
    engine.dispose()
    return found


def _found(url: str, query: str) -> set[str]:
    return {h["url"] for h in json.loads(_cli(url, "search", query, "--json").stdout)}


def _consistent(url: str) -> None:
    """No row names an article or a story that is gone; SQLite's index agrees with its rows."""
    engine = store.open_store(url)
    a, s = t.articles, persist.stories
    with engine.connect() as conn:
        for table in (t.article_matches, t.article_themes, persist.story_articles):
            missing = ~sa.select(a.c.id).where(a.c.id == table.c.article_id).exists()
            assert not conn.execute(sa.select(table).where(missing)).first(), table.name
        sa_ = persist.story_articles
        lost = ~sa.select(s.c.id).where(s.c.id == sa_.c.story_id).exists()
        assert not conn.execute(sa.select(sa_).where(lost)).first()
        if conn.dialect.name == "sqlite":  # rank 1: checked against the articles themselves
            conn.exec_driver_sql(
                "INSERT INTO articles_fts (articles_fts, rank) VALUES ('integrity-check', 1)"
            )
    engine.dispose()


def test_an_old_article_goes_with_every_row_that_hangs_on_it(store_url, tmp_path):
    ids = _stored(tmp_path, store_url)
    old = [ids[OLD_TAX["url"]], ids[OLD_GRAIN["url"]]]
    assert _rows(store_url, t.article_matches, t.article_matches.c.article_id.in_(old))
    assert _found(store_url, "grain") == {OLD_GRAIN["url"]}

    done = _cli(store_url, "db", "purge", "--before", BEFORE, "--yes")

    assert f"purged 2 articles dated before {BEFORE}" in done.output
    assert "db optimize" in done.output
    assert _urls(store_url) == {NEW_TAX["url"]}
    for table in (t.article_matches, t.article_themes, persist.story_articles):
        assert not _rows(store_url, table, table.c.article_id.in_(old)), table.name
    # The pages they came from: emptied, their rows kept (see store.purge)
    d = t.documents
    assert _rows(store_url, d) == 3
    assert _rows(store_url, d, sa.func.length(d.c.body) > 0) == 1
    assert _found(store_url, "grain") == set()  # the full-text index followed
    assert _found(store_url, "taxes") == {NEW_TAX["url"]}
    _consistent(store_url)


def test_a_story_partly_purged_keeps_its_other_articles_and_spans_them(store_url, tmp_path):
    ids = _stored(tmp_path, store_url)
    story = _story_of(store_url, ids[NEW_TAX["url"]])

    _cli(store_url, "db", "purge", "--before", BEFORE, "--yes")

    engine = store.open_store(store_url)
    with engine.connect() as conn:
        row = conn.execute(sa.select(persist.stories).where(persist.stories.c.id == story)).one()
    engine.dispose()
    assert _story_of(store_url, ids[NEW_TAX["url"]]) == story
    assert row.first_seen == row.last_seen == datetime(2025, 1, 2, 9)


def test_a_story_left_with_no_article_goes_with_the_editors_decisions_on_it(store_url, tmp_path):
    ids = _stored(tmp_path, store_url)
    grain = _story_of(store_url, ids[OLD_GRAIN["url"]])
    kept = _story_of(store_url, ids[NEW_TAX["url"]])
    engine = store.open_store(store_url)
    with engine.begin() as conn:
        persist.set_flag(conn, "kazakhstan", grain, "pinned", True, by="editor")
        persist.set_flag(conn, "kazakhstan", kept, "hidden", True, by="editor")
        other = persist.create(conn, "kazakhstan", "Grain, again", None, None)
        persist.merge(conn, "kazakhstan", grain, [other], by="editor")
    engine.dispose()

    done = _cli(store_url, "db", "purge", "--before", BEFORE, "--yes")

    assert "2 stories and 2 editor decisions on them" in done.output
    s, o = persist.stories, persist.story_overrides
    assert not _rows(store_url, s, s.c.id.in_([grain, other]))  # and the story merged into it
    assert not _rows(store_url, o, o.c.story_id.in_([grain, other]))
    assert _rows(store_url, o, o.c.story_id == kept) == 1  # the hide of a story that stays
    _consistent(store_url)


def test_what_a_published_edition_cites_is_kept(store_url, tmp_path):
    ids = _stored(tmp_path, store_url)
    _cli(store_url, "publish", "--week", "2025-W01")
    engine = store.open_store(store_url)
    with engine.connect() as conn:
        cited, _ = purge.cited(conn)
    engine.dispose()
    assert {ids[OLD_TAX["url"]], ids[OLD_GRAIN["url"]]} <= cited

    done = _cli(store_url, "db", "purge", "--before", BEFORE, "--yes")

    assert "kept 2 articles a digest cites" in done.output
    assert _urls(store_url) == {OLD_TAX["url"], NEW_TAX["url"], OLD_GRAIN["url"]}
    assert _story_of(store_url, ids[OLD_GRAIN["url"]]) is not None


def test_a_dry_run_says_what_would_go_and_deletes_nothing(store_url, tmp_path):
    _stored(tmp_path, store_url)

    done = _cli(store_url, "db", "purge", "--before", BEFORE, "--dry-run")

    assert (
        f"would purge 2 articles dated before {BEFORE}, 1 story and 0 editor decisions on them"
        in done.output
    )
    assert len(_urls(store_url)) == 3


def test_off_a_terminal_without_yes_it_refuses_and_names_yes(store_url, tmp_path):
    _stored(tmp_path, store_url)

    done = _cli(store_url, "db", "purge", "--before", BEFORE, code=2)

    assert "add --yes to purge them" in done.output
    assert len(_urls(store_url)) == 3


def test_at_a_terminal_it_asks_first(store_url, tmp_path, monkeypatch):
    _stored(tmp_path, store_url)
    monkeypatch.setattr(archive, "_can_ask", lambda: True)  # CliRunner's input is no terminal

    declined = _cli(store_url, "db", "purge", "--before", BEFORE, input="n\n")
    assert "Purge 2 articles dated before" in declined.output
    assert "nothing purged" in declined.output and len(_urls(store_url)) == 3

    _cli(store_url, "db", "purge", "--before", BEFORE, input="y\n")
    assert _urls(store_url) == {NEW_TAX["url"]}


def test_a_day_after_today_is_refused(store_url):
    tomorrow = (datetime.now(UTC).date() + timedelta(days=1)).isoformat()
    done = _cli(store_url, "db", "purge", "--before", tomorrow, "--yes", code=2)
    said = " ".join(re.sub(r"[│╭╮╰╯─]", " ", done.output).split())  # out of rich's box
    assert "it would purge every article" in said


class _Killed(Exception):
    """A stop between two batches (Ctrl-C, kill -9): the batch done is committed."""


def test_a_purge_stopped_after_a_batch_leaves_a_sound_store_and_a_rerun_finishes(
    store_url, tmp_path
):
    ids = _stored(tmp_path, store_url)

    def stop(_: int) -> None:
        raise _Killed

    engine = store.open_store(store_url)
    with pytest.raises(_Killed):
        purge.purge(engine, date(2025, 1, 1), batch=1, progress=stop)
    engine.dispose()

    assert len(_urls(store_url)) == 2  # the first batch's article
    _consistent(store_url)
    _cli(store_url, "db", "check")
    done = _cli(store_url, "db", "purge", "--before", BEFORE, "--yes")
    assert f"purged 1 article dated before {BEFORE}" in done.output
    assert _urls(store_url) == {NEW_TAX["url"]}
    assert _story_of(store_url, ids[NEW_TAX["url"]]) is not None
    _consistent(store_url)


def test_articles_of_one_moment_are_all_purged_batch_by_batch(store_url, tmp_path):
    """The walk goes by date, then id: articles dated alike are stepped through, not skipped."""
    same = [
        {
            **OLD_GRAIN,
            "url": f"https://grain.example/grain-{n}",
            "title": f"{OLD_GRAIN['title']} {n}",
        }
        for n in range(3)
    ]
    _ingest(tmp_path, store_url, *same, NEW_TAX)

    engine = store.open_store(store_url)
    done = purge.purge(engine, date(2025, 1, 1), batch=1)
    engine.dispose()

    assert done.articles == 3
    assert _urls(store_url) == {NEW_TAX["url"]}


WIND = "/pages/steppe-wire/kazakhstan-wind.html"


def test_collect_never_fetches_a_purged_item_its_feed_still_lists(store_url, site):
    """Each source keeps its items' seen marks: the feed's next listing of a purged item is
    not fetched, and the article does not come back."""
    _cli(store_url, "sources", "add", site.url("/feeds/central-asia.xml"))
    _cli(store_url, "collect", "--timeout", "3")
    assert site.url(WIND) in _urls(store_url)
    fetched = site.fetched(WIND)

    _cli(store_url, "db", "purge", "--before", "2025-12-18", "--yes")
    assert site.url(WIND) not in _urls(store_url)
    engine = store.open_store(store_url)
    with engine.begin() as conn:  # the feed changed since: it is read again, not a 304
        conn.execute(sa.update(t.sources).values(etag=None, last_modified=None))
    engine.dispose()
    feed = site.fetched("/feeds/central-asia.xml")
    _cli(store_url, "collect", "--timeout", "3")

    assert site.fetched("/feeds/central-asia.xml") == feed + 1
    assert site.fetched(WIND) == fetched
    assert site.url(WIND) not in _urls(store_url)


def test_a_source_added_after_the_purge_does_not_bring_a_purged_page_back(store_url, site):
    """The purged page's row stays (its body emptied): collection's check for pages stored
    already, across sources, still finds it."""
    _cli(store_url, "sources", "add", site.url("/feeds/central-asia.xml"))
    _cli(store_url, "collect", "--timeout", "3")
    _cli(store_url, "db", "purge", "--before", "2025-12-18", "--yes")
    fetched = site.fetched(WIND)

    _cli(store_url, "sources", "add", site.url("/feeds/rdf.xml"))  # it lists the same page
    _cli(store_url, "collect", "--timeout", "3")

    assert site.fetched(WIND) == fetched
    assert site.url(WIND) not in _urls(store_url)


@pytest.mark.parametrize(
    ("table", "column", "index"),
    [
        ("story_articles", "article_id", "ix_story_articles_article"),
        ("stories", "merged_into", "ix_stories_merged_into"),
    ],
)
def test_what_deleting_looks_up_is_indexed(tmp_path, table, column, index):
    """Each article or story deleted makes SQLite (its foreign keys) and PostgreSQL (their
    cascades) find the rows naming it: read whole, a purge of 100,000 articles beside 200,000
    story rows took some 45 minutes on SQLite (PostgreSQL: 30,000 in 102 s, growing as a
    square)."""
    engine = store.open_store(f"sqlite:///{tmp_path}/store.db")
    with engine.connect() as conn:
        plan = conn.exec_driver_sql(
            f"EXPLAIN QUERY PLAN SELECT 1 FROM {table} WHERE {column} = 7"
        ).all()
    engine.dispose()
    assert index in " ".join(str(step[-1]) for step in plan)


def test_the_fetch_log_before_the_day_goes_but_for_each_sources_last_reads_and_moves(store_url):
    engine = store.open_store(store_url)
    old, new = datetime(2024, 6, 1), datetime(2025, 2, 1)
    f = t.fetch_log
    with engine.begin() as conn:
        ids = {}
        for name in ("busy", "quiet", "moved"):
            ids[name] = conn.execute(
                sa.insert(t.sources)
                .values(url=f"https://{name}.example/feed", added_at=old)
                .returning(t.sources.c.id)
            ).scalar_one()

        def log(name: str | None, at: datetime, n: int, url: str = "") -> None:
            source_id = ids[name] if name else None
            url = url or f"https://{name}.example/feed"
            rows = [{"source_id": source_id, "url": url, "at": at, "ok": True}] * n
            conn.execute(sa.insert(f), rows)

        log("busy", old, 15)
        log("busy", new, 2)  # its last 10: these 2 and 8 old ones
        log("quiet", old, 3)  # no read since: all are its last
        log("moved", old, 4, url="https://moved.example/old-feed")  # before it moved
        log("moved", old, 12)
        log(None, old, 1, url="https://removed.example/feed")  # a removed source's
    engine.dispose()

    dry = _cli(store_url, "db", "purge", "--before", BEFORE, "--dry-run")
    assert "would purge 10 fetch log entries from before the day" in dry.output, dry.output
    assert _rows(store_url, f) == 37
    done = _cli(store_url, "db", "purge", "--before", BEFORE, "--yes")

    assert "purged 10 fetch log entries from before the day" in done.output, done.output
    assert _rows(store_url, f, f.c.source_id == ids["busy"]) == 10
    assert _rows(store_url, f, f.c.source_id == ids["quiet"]) == 3
    assert _rows(store_url, f, f.c.url == "https://moved.example/old-feed") == 4
    assert _rows(store_url, f, f.c.source_id == ids["moved"]) == 14
    assert _rows(store_url, f, f.c.source_id.is_(None)) == 0
    again = _cli(store_url, "db", "purge", "--before", BEFORE, "--yes")
    assert "nothing dated before" in again.output


def test_a_copy_an_edition_lists_among_its_sources_is_kept(store_url, tmp_path):
    # A syndicated copy is named in an item's sources by its address alone: purged, the same
    # week built again lost it, and publish made (and mailed) a version 2 of an old edition.
    copy = {**OLD_TAX, "url": "https://copies.example/wire/investors", "outlet": "Copy Times"}
    ids = _ingest(tmp_path, store_url, OLD_TAX, copy, NEW_TAX, OLD_GRAIN)
    _cli(store_url, "publish", "--week", "2025-W01", "--rebuild")
    engine = store.open_store(store_url)
    with engine.connect() as conn:
        cited, _ = purge.cited(conn)
    engine.dispose()
    assert {ids[OLD_TAX["url"]], ids[copy["url"]]} <= cited

    _cli(store_url, "db", "purge", "--before", BEFORE, "--yes")

    assert copy["url"] in _urls(store_url)
    again = _cli(store_url, "publish", "--week", "2025-W01", "--rebuild")
    assert "nothing changed since" in again.output, again.output
