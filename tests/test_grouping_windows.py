"""Grouping a long period commits window by window, and reads only the stories it can use.

Found in a walk on a store of 200,000 articles: `stories --since 2024-01-01 --until 2025-12-31`
grouped two years in one transaction, holding SQLite's write lock for minutes (`users add`
failed "database is locked", the web's sign-in answered 503) and a Ctrl-C kept nothing; an
early week's listing read the 4,210 stories of the years after it; and `stories` on a
read-only snapshot failed "attempt to write a readonly database".
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from mediadigest import run, store
from mediadigest.cli import app
from mediadigest.profile import load_profile
from mediadigest.stories import for_period, grouping, persist

SINCE, UNTIL = date(2025, 12, 1), date(2025, 12, 21)

# One report about the country every four days, each on a subject of its own: a window of
# grouping's calendar each (`window_end`), each a story.
SUBJECTS = [
    ("2025-12-01", "Kazakhstan opens its largest wind farm near Astana",
     "Kazakhstan opened its largest wind farm on Monday. The farm near Astana will supply "
     "power to 200,000 homes, Kazakhstan's energy ministry said."),
    ("2025-12-05", "Kazatomprom cuts its uranium output forecast for Kazakhstan mines",
     "Kazatomprom, Kazakhstan's state uranium miner, cut its output forecast for next year, "
     "citing a shortage of sulphuric acid at its mines in the south of Kazakhstan."),
    ("2025-12-09", "Kazakhstan's grain harvest reaches a record 26 million tonnes",
     "Kazakhstan harvested a record 26 million tonnes of grain this year, the agriculture "
     "ministry said, and plans to export wheat through the Caspian port of Aktau."),
    ("2025-12-13", "Kazakhstan's parliament approves a new tax code",
     "The parliament of Kazakhstan approved a new tax code that raises value added tax and "
     "cuts the number of special regimes for small businesses from next year."),
    ("2025-12-17", "Kazakhstan and China sign a deal on a new railway crossing",
     "Kazakhstan and China signed an agreement to build a third railway crossing on their "
     "border, which the transport ministry of Kazakhstan said would double freight."),
]  # fmt: skip


@pytest.fixture(scope="module")
def profile():
    return load_profile("kazakhstan")


def _reports(folder: Path) -> Path:
    jsonl = folder / "reports.jsonl"
    jsonl.write_text(
        "".join(
            json.dumps({
                "url": f"https://steppe.example/news/{day}", "outlet": "Steppe Post",
                "title": title, "text": text, "published": f"{day}T09:00:00+00:00",
            }) + "\n"
            for day, title, text in SUBJECTS
        ),
        encoding="utf-8",
    )  # fmt: skip
    return jsonl


def _ungroup(engine: sa.Engine) -> None:
    """What a run stopped before grouping leaves: articles that no story holds."""
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM story_articles"))
        conn.execute(sa.text("DELETE FROM stories"))


@pytest.fixture
def ungrouped(tmp_path: Path, profile) -> Path:
    """A SQLite store of the reports that no story holds."""
    path = tmp_path / "store.db"
    engine = store.open_store(f"sqlite:///{path}")
    assert run.ingest(engine, profile, [_reports(tmp_path)]).ok
    _ungroup(engine)
    engine.dispose()
    return path


def _stories(path: Path) -> list[list[str]]:
    """The stored stories as lists of their reports' addresses."""
    with closing(sqlite3.connect(path)) as conn:
        rows = conn.execute(
            "SELECT sa.story_id, a.url FROM story_articles sa JOIN articles a "
            "ON a.id = sa.article_id ORDER BY a.url"
        ).fetchall()
    found: dict[int, list[str]] = {}
    for story, url in rows:
        found.setdefault(story, []).append(url)
    return sorted(found.values())


def _list(path: Path, *more: str):
    return CliRunner().invoke(
        app,
        ["--db", f"sqlite:///{path}", "stories", "--since", str(SINCE), "--until", str(UNTIL),
         *more],
    )  # fmt: skip


def _writer_between_windows(path: Path, monkeypatch) -> list[tuple[int, str | None]]:
    """`users add` during a long grouping: whenever grouping looks for its next window, a
    write with a short busy timeout from another connection, and the articles it sees placed
    (what it failed with, if it did)."""
    looked = grouping._earliest_unplaced
    seen: list[tuple[int, str | None]] = []

    def next_window(conn, profile, after, through):
        with closing(sqlite3.connect(path, timeout=0.2)) as other:
            placed = other.execute("SELECT count(*) FROM story_articles").fetchone()[0]
            try:
                url = f"https://example.org/feed-{len(seen)}.xml"
                other.execute(
                    "INSERT INTO sources (url, added_at) VALUES (?, ?)", (url, "2025-12-22")
                )
                other.commit()
                failed = None
            except sqlite3.OperationalError as exc:
                failed = str(exc)
        seen.append((placed, failed))
        return looked(conn, profile, after, through)

    monkeypatch.setattr(grouping, "_earliest_unplaced", next_window)
    return seen


def test_a_writer_gets_in_between_the_windows_of_a_listing(ungrouped, monkeypatch):
    seen = _writer_between_windows(ungrouped, monkeypatch)
    done = _list(ungrouped)
    assert done.exit_code == 0, (done.output, done.exception)
    assert [failed for _, failed in seen] == [None] * len(seen)
    # Each window's story is there for others to see before the next window is grouped.
    assert [placed for placed, _ in seen] == list(range(len(SUBJECTS) + 1))


def test_a_writer_gets_in_between_the_windows_of_an_ingest(tmp_path, profile, monkeypatch):
    path = tmp_path / "store.db"
    engine = store.open_store(f"sqlite:///{path}")
    seen = _writer_between_windows(path, monkeypatch)
    assert run.ingest(engine, profile, [_reports(tmp_path)]).ok
    engine.dispose()
    assert [failed for _, failed in seen] == [None] * len(seen)
    assert [placed for placed, _ in seen] == list(range(len(SUBJECTS) + 1))


@pytest.mark.parametrize("command", [["digest", "--format", "json"], ["publish", "--rebuild"]])
def test_a_writer_gets_in_between_the_windows_of_a_digest(ungrouped, monkeypatch, command):
    """`digest` and `publish` grouped inside the transaction that saves the digest."""
    seen = _writer_between_windows(ungrouped, monkeypatch)
    done = CliRunner().invoke(
        app,
        ["--db", f"sqlite:///{ungrouped}", *command, "--since", str(SINCE), "--until", str(UNTIL)],
    )
    assert done.exit_code == 0, (done.output, done.exception)
    assert [failed for _, failed in seen] == [None] * len(seen)
    assert [placed for placed, _ in seen] == list(range(len(SUBJECTS) + 1))


class Stopped(Exception):
    """A stop (Ctrl-C) in the middle of a window."""


def test_a_listing_stopped_midway_keeps_the_windows_it_grouped(ungrouped, monkeypatch):
    group = grouping._group

    def third_stops(conn, profile, since, until, params):
        if len(_stories(ungrouped)) == 2:
            raise Stopped
        return group(conn, profile, since, until, params)

    monkeypatch.setattr(grouping, "_group", third_stops)
    done = _list(ungrouped)
    assert isinstance(done.exception, Stopped)
    urls = [f"https://steppe.example/news/{day}" for day, _, _ in SUBJECTS]
    assert _stories(ungrouped) == [[urls[0]], [urls[1]]]
    monkeypatch.setattr(grouping, "_group", group)
    assert _list(ungrouped).exit_code == 0  # and the next listing goes on from there
    assert _stories(ungrouped) == [[u] for u in urls]


def test_window_by_window_groups_as_one_transaction_does(engine, tmp_path, profile):
    assert run.ingest(engine, profile, [_reports(tmp_path)]).ok
    found = []
    for by_window in (False, True):
        _ungroup(engine)
        if by_window:
            done = grouping.update_period(engine, profile, SINCE, UNTIL)
        else:
            with engine.begin() as conn:  # what `digest` and the web's decisions do
                done = grouping.update_period(conn, profile, SINCE, UNTIL)
        with engine.connect() as conn:
            stories = for_period(conn, profile, SINCE, UNTIL)
        found.append((done.summary(), sorted(sorted(a.url for a in s.articles) for s in stories)))
    assert found[0] == found[1]
    assert all(s.id is not None for s in stories) and len(stories) == len(SUBJECTS)


def test_stories_are_read_up_to_the_end_of_the_period(ungrouped, profile):
    engine = store.open_store(f"sqlite:///{ungrouped}")
    with engine.begin() as conn:
        grouping.update_period(conn, profile, SINCE, UNTIL)
    week = (date(2025, 12, 1), date(2025, 12, 7))
    with engine.connect() as conn:
        rows = persist.load(
            conn, profile.name, since=datetime(2025, 12, 1), until=datetime(2025, 12, 8)
        )
        assert [r.first_seen.date() for r in rows] == [date(2025, 12, 1), date(2025, 12, 5)]
        listed = for_period(conn, profile, *week)
        everything = persist.load(conn, profile.name, since=datetime(2025, 12, 1))
    engine.dispose()
    assert len(everything) == len(SUBJECTS)
    assert sorted(a.title for s in listed for a in s.articles) == sorted(
        t for d, t, _ in SUBJECTS if d <= "2025-12-07"
    )
    assert all(s.id is not None for s in listed)


def test_stories_on_a_read_only_store_lists_without_grouping(ungrouped, profile):
    """A snapshot of a store that a run left ungrouped: the listing says what is not grouped
    and lists its articles each as a story of its own, writing nothing."""
    engine = store.open_store(f"sqlite:///{ungrouped}")
    with engine.begin() as conn:
        grouping.update_period(conn, profile, SINCE, date(2025, 12, 7))  # the first week's
    engine.dispose()
    before = ungrouped.read_bytes()
    snapshot = f"sqlite:///file:{ungrouped}?mode=ro&immutable=1&uri=true"
    done = CliRunner().invoke(
        app, ["--db", snapshot, "stories", "--since", str(SINCE), "--until", str(UNTIL), "--json"]
    )
    assert done.exit_code == 0, (done.output, done.exception)
    listed = json.loads(done.stdout)
    assert sorted(s["id"] is None for s in listed) == [False, False, True, True, True]
    assert done.stderr.strip() == (
        "note: 3 relevant articles of the period not grouped yet, each listed as a story of "
        "its own (no id): the store is opened read-only; `stories` on a store it may write "
        "groups them"
    )
    assert ungrouped.read_bytes() == before
    assert sorted(p.name for p in ungrouped.parent.iterdir()) == ["reports.jsonl", "store.db"]
