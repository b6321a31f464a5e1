"""Grouping holds the store's writer lock only to write a window, not while it clusters it.

Found in a soak walk (serve, collect --watch, ingests and editors on one SQLite store): an
editor's pin or hide waited up to 7 s whenever a round grouped stories, as each window was
read and clustered (a week of articles) under the lock. Now a window is clustered from a
read, then checked under the lock and written; where a merge or another grouper changed it
meanwhile, it is clustered again under the lock.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from mediadigest import run, store
from mediadigest.model import Source
from mediadigest.profile import load_profile
from mediadigest.stories import grouping, persist, update_period

WEEK = Path(__file__).parent / "fixtures" / "stories" / "week.jsonl"
SINCE, UNTIL = date(2025, 12, 15), date(2025, 12, 21)
PROMPTLY = 1.0  # seconds another writer may wait while a window is clustered
AGAIN = "changed while it was clustered"  # grouping's note that it clusters a window again


@pytest.fixture(scope="module")
def profile():
    return load_profile("kazakhstan")


class _Meanwhile:
    """Runs ``action`` on another thread while the first window is clustered (the clustering
    waits for it, ``PROMPTLY`` at most), and says whether it was done by then."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, action: Callable[[], object]) -> None:
        self.action, self.result, self.error = action, None, None
        self.done = threading.Event()
        self.in_time = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        original = grouping.cluster

        def clustering(*args, **kwargs):
            if self.thread.ident is None:  # the first clustering only, not the action's
                self.thread.start()
                self.in_time = self.done.wait(PROMPTLY)
            return original(*args, **kwargs)

        monkeypatch.setattr(grouping, "cluster", clustering)

    def _run(self) -> None:
        try:
            self.result = self.action()
        except Exception as exc:  # reported by finish()
            self.error = exc
        finally:
            self.done.set()

    def finish(self) -> object:
        self.thread.join(60)
        assert self.error is None, self.error
        return self.result


def _ingested(store_url: str, profile) -> sa.Engine:
    """The week's six reports (one story of five, one of one), stored and grouped."""
    engine = store.open_store(store_url)
    assert run.ingest(engine, profile, [WEEK]).ok
    return engine


def _ungroup(engine: sa.Engine, urls: list[str] | None = None) -> None:
    """What a run stopped before grouping leaves: reports no story holds (``urls``, or all)."""
    with engine.begin() as conn:
        if urls is None:
            conn.execute(sa.text("DELETE FROM story_articles"))
            conn.execute(sa.text("DELETE FROM stories"))
            return
        ids = sa.select(store.schema.articles.c.id).where(store.schema.articles.c.url.in_(urls))
        conn.execute(
            sa.delete(persist.story_articles).where(persist.story_articles.c.article_id.in_(ids))
        )


def _stories(engine: sa.Engine) -> dict[int, list[str]]:
    """The live stories as {id: their reports' addresses}, empty ones too."""
    found: dict[int, list[str]] = {}
    with engine.connect() as conn:
        for (sid,) in conn.execute(sa.text("SELECT id FROM stories WHERE merged_into IS NULL")):
            found[sid] = []
        rows = conn.execute(
            sa.text(
                "SELECT sa.story_id, a.url FROM story_articles sa "
                "JOIN articles a ON a.id = sa.article_id ORDER BY a.url"
            )
        )
        for sid, url in rows:
            found.setdefault(sid, []).append(url)
    return found


def _add_source(engine: sa.Engine) -> None:
    """A write that takes the writer lock as an editor's click does."""
    with persist.writing(engine) as conn:
        store.add_source(conn, Source("https://example.org/feed.xml"))


def test_another_writer_commits_while_a_window_is_clustered(
    store_url, profile, monkeypatch, caplog
):
    """And the window is written as it was clustered: a write elsewhere does not change it."""
    engine = _ingested(store_url, profile)
    grouped = sorted(_stories(engine).values())
    _ungroup(engine)
    meanwhile = _Meanwhile(monkeypatch, lambda: _add_source(engine))
    with caplog.at_level(logging.DEBUG, logger=grouping.__name__):
        report = update_period(engine, profile, SINCE, UNTIL)
    meanwhile.finish()
    assert meanwhile.in_time, "the write waited for the clustering"
    assert AGAIN not in caplog.text
    assert report.articles == 6
    assert sorted(_stories(engine).values()) == grouped
    engine.dispose()


def test_a_story_merged_while_a_window_is_clustered_gets_its_report(
    store_url, profile, monkeypatch, caplog
):
    """The window is clustered again: written as planned, the report would join the story
    merged away, where no listing shows it."""
    engine = _ingested(store_url, profile)
    stories = _stories(engine)
    big, small = sorted(stories, key=lambda sid: -len(stories[sid]))
    late = stories[big][-1]
    _ungroup(engine, [late])

    def merge() -> None:
        with persist.writing(engine) as conn:
            persist.merge(conn, profile.name, small, [big])

    meanwhile = _Meanwhile(monkeypatch, merge)
    with caplog.at_level(logging.DEBUG, logger=grouping.__name__):
        report = update_period(engine, profile, SINCE, UNTIL)
    meanwhile.finish()
    assert meanwhile.in_time, "the merge waited for the clustering"
    assert AGAIN in caplog.text
    assert report.articles == 1
    assert _stories(engine) == {small: sorted(stories[big] + stories[small])}
    engine.dispose()


def test_another_grouper_placing_the_window_first_leaves_no_copy_or_empty_story(
    store_url, profile, monkeypatch, caplog
):
    engine = _ingested(store_url, profile)
    grouped = sorted(_stories(engine).values())
    _ungroup(engine)
    meanwhile = _Meanwhile(monkeypatch, lambda: update_period(engine, profile, SINCE, UNTIL))
    with caplog.at_level(logging.DEBUG, logger=grouping.__name__):
        report = update_period(engine, profile, SINCE, UNTIL)
    other = meanwhile.finish()
    assert meanwhile.in_time, "the other grouper waited for the clustering"
    assert AGAIN in caplog.text
    assert (report.articles, report.new_stories, other.articles) == (0, 0, 6)
    assert sorted(_stories(engine).values()) == grouped
    engine.dispose()
