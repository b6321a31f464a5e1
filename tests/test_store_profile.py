"""A store follows one country: another profile on it is refused, before it stores or lists."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from mediadigest import run, store
from mediadigest.cli import app
from mediadigest.config import Settings
from mediadigest.errors import ConfigError
from mediadigest.model import Source
from mediadigest.profile import load_profile
from mediadigest.store import schema
from mediadigest.stories import grouping, persist

FILES = Path(__file__).parent / "fixtures" / "files"


def _rows(engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return store.count_rows(conn, "documents"), store.count_rows(conn, "articles")


@pytest.fixture
def kazakh_store(tmp_path):
    engine = store.open_store(f"sqlite:///{tmp_path / 's.db'}")
    report = run.ingest(engine, load_profile("kazakhstan"), [FILES / "export.jsonl"], workers=0)
    assert report.relevant
    return engine


def test_another_profile_cannot_ingest_collect_or_list_stories_of_the_store(kazakh_store):
    other = load_profile("uzbekistan")
    before = _rows(kazakh_store)
    with pytest.raises(ConfigError, match="judged against the 'kazakhstan' profile, not 'uzb"):
        run.ingest(kazakh_store, other, [FILES / "notes.txt"], workers=0)
    with pytest.raises(ConfigError, match="give 'uzbekistan' a store of its own with --db"):
        run.collect(kazakh_store, other, [], fetcher=None)  # type: ignore[arg-type]
    with kazakh_store.connect() as conn, pytest.raises(ConfigError):
        grouping.for_period(conn, other, date(2025, 12, 1), date(2025, 12, 31))
    assert _rows(kazakh_store) == before  # nothing stored on the way


def test_the_same_profile_goes_on_as_before(kazakh_store):
    report = run.ingest(kazakh_store, load_profile("kazakhstan"), [FILES / "notes.txt"], workers=0)
    assert report.ok


def test_the_command_line_says_so_in_one_line(tmp_path):
    db = f"sqlite:///{tmp_path / 's.db'}"
    base = [sys.executable, "-m", "mediadigest", "--db", db]
    subprocess.run([*base, "ingest", str(FILES / "pages")], check=True, capture_output=True)
    done = subprocess.run(
        [*base, "--profile", "uzbekistan", "digest", "--since", "2025-12-15", "--until",
         "2025-12-21"], capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1].startswith("error: this store's articles were")
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "command",
    [["stories"], ["digest"], ["publish", "--rebuild"]],
)
def test_a_refused_profile_leaves_no_story_behind(tmp_path, command):
    """Grouping commits window by window: refused only after it (by the listing), another
    profile's stories were left in the store, and an older store then refused its own."""
    db = f"sqlite:///{tmp_path / 's.db'}"
    base = [sys.executable, "-m", "mediadigest", "--db", db]
    subprocess.run([*base, "ingest", str(FILES / "pages")], check=True, capture_output=True)
    with sa.create_engine(db).begin() as conn:  # as grouping finds it after a stopped run
        conn.exec_driver_sql("DELETE FROM story_articles")
        conn.exec_driver_sql("DELETE FROM stories")
    done = subprocess.run(
        [*base, "--profile", "uzbekistan", *command, "--since", "2025-12-15", "--until",
         "2025-12-21"], capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 1 and "this store's articles were" in done.stderr
    with sa.create_engine(db).connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM stories").scalar() == 0


def test_articles_under_another_profile_are_refused_not_listed_as_its_own(kazakh_store):
    """`--profile uzbekistan articles` listed Kazakhstan's articles, graded and explained by
    the Kazakhstan profile, as if they were Uzbekistan's."""
    base = [sys.executable, "-m", "mediadigest", "--db", str(kazakh_store.url)]
    listed = subprocess.run(
        [*base, "--profile", "uzbekistan", "articles", "--json"], capture_output=True, text=True
    )
    assert listed.returncode == 1 and listed.stdout == ""
    assert "judged against the 'kazakhstan' profile, not 'uzbekistan'" in listed.stderr
    own = subprocess.run([*base, "articles", "--json"], capture_output=True, text=True)
    assert own.returncode == 0 and '"title"' in own.stdout


# -- the store records its profile (the documentation walk): a first collect under a Georgia
# profile found nothing relevant, so wrote no story; the default profile's collect then took
# the store over without a word, its feeds "unchanged" and its articles Georgia's verdicts.

GEORGIA = (
    "name: georgia\ncountry: Georgia\ncountry_code: GE\nadjective: Georgian\n"
    "threshold: 2\nnames:\n  Georgia: [Tbilisi]\n"
)


@pytest.fixture
def georgia(tmp_path) -> Path:
    path = tmp_path / "georgia.yaml"
    path.write_text(GEORGIA, encoding="utf-8")
    return path


def _stories(engine) -> int:
    with engine.connect() as conn:
        return store.count_rows(conn, "stories")


def test_a_store_whose_first_ingest_found_nothing_relevant_refuses_another_profile(
    tmp_path, georgia
):
    engine = store.open_store(f"sqlite:///{tmp_path / 'g.db'}")
    report = run.ingest(engine, load_profile(georgia), [FILES / "notes.txt"], workers=0)
    assert report.articles and not report.relevant and _stories(engine) == 0
    before = _rows(engine)
    kazakhstan = load_profile("kazakhstan")
    with pytest.raises(ConfigError, match="judged against the 'georgia' profile, not 'kazakh"):
        run.ingest(engine, kazakhstan, [FILES / "pages"], workers=0)
    with engine.connect() as conn, pytest.raises(ConfigError, match="'georgia' profile"):
        grouping.for_period(conn, kazakhstan, date(2025, 12, 1), date(2025, 12, 31))
    assert _rows(engine) == before


def test_a_store_whose_first_collect_found_nothing_relevant_refuses_another_profile(
    tmp_path, georgia, site
):
    """The walk's steps: `--profile georgia.yaml collect`, then `collect`, which exited 0."""
    db = f"sqlite:///{tmp_path / 'g.db'}"
    runner = CliRunner()

    def cli(*args: str):
        return runner.invoke(app, ["--db", db, "--allow-private", *args])

    assert cli("sources", "add", site.url("/feeds/central-asia.xml")).exit_code == 0
    first = cli("--profile", str(georgia), "collect", "--timeout", "5")
    assert "articles" in first.stderr, first.stderr
    assert _stories(store.open_store(db)) == 0
    fetched = len(site.requests)
    again = cli("collect", "--timeout", "5")
    assert isinstance(again.exception, ConfigError)  # one line, as `main` says every one
    assert str(again.exception) == (
        "this store's articles were judged against the 'georgia' profile, not "
        "'kazakhstan': a store follows one country (an article's relevance is stored once); "
        "give 'kazakhstan' a store of its own with --db"
    )
    assert len(site.requests) == fetched  # refused before a feed was asked for
    listed = cli("articles", "--json")
    assert "'georgia' profile, not 'kazakhstan'" in str(listed.exception)
    assert listed.stdout == ""


def test_the_first_profile_to_store_sources_is_the_stores(tmp_path, georgia):
    """Default feeds stored (a first `collect` offline) tie the store to their profile: a
    user's feed added beside them no longer hands it to the next profile."""
    from mediadigest.cli.collect import _sources

    db = f"sqlite:///{tmp_path / 's.db'}"
    _sources(Settings(db=db, profile_name=str(georgia)))  # its news search, stored
    with store.open_store(db).begin() as conn:
        store.add_source(conn, Source("https://civil.ge/feed"))
    with pytest.raises(ConfigError, match="judged against the 'georgia' profile, not 'kaz"):
        _sources(Settings(db=db))
    _, sources = _sources(Settings(db=db, profile_name=str(georgia)))
    assert len(sources) == 2


def test_reading_does_not_record_a_profile(engine):
    with engine.connect() as conn:
        grouping.for_period(conn, load_profile("uzbekistan"), date(2025, 12, 1), date(2025, 12, 7))
    with engine.begin() as conn:
        persist.require_profile(conn, "kazakhstan", claim=True)
        persist.require_profile(conn, "kazakhstan")
    with engine.connect() as conn:
        assert conn.execute(sa.select(schema.store_profile.c.profile)).scalars().all() == [
            "kazakhstan"
        ]


def _claim_at_once(engine, names: list[str]) -> dict[str, Exception | None]:
    """Each name claims the store in a thread of its own, all released together: what each
    raised (None: it won)."""
    start = threading.Barrier(len(names))
    outcomes: dict[str, Exception | None] = {}

    def claim(name: str) -> None:
        try:
            with engine.begin() as conn:
                start.wait(timeout=10)
                persist.require_profile(conn, name, claim=True)
            outcomes[name] = None
        except Exception as exc:  # any but ConfigError is the failure the test looks for
            outcomes[name] = exc

    threads = [threading.Thread(target=claim, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_profiles_starting_on_a_new_store_at_once_leave_it_to_one(engine):
    """Writers claiming an empty store together: one wins, every other is refused naming it,
    and none fails on the key (both backends)."""
    names = ["kazakhstan", "uzbekistan", "georgia", "mongolia"]
    for _ in range(5):
        with engine.begin() as conn:
            conn.execute(sa.delete(schema.store_profile))
        outcomes = _claim_at_once(engine, names)
        winners = [name for name, exc in outcomes.items() if exc is None]
        assert len(winners) == 1, outcomes
        for name, exc in outcomes.items():
            if exc is not None:
                assert isinstance(exc, ConfigError), exc
                assert f"against the '{winners[0]}' profile, not '{name}'" in str(exc)
        with engine.connect() as conn:
            stored = conn.execute(sa.select(schema.store_profile.c.profile)).all()
        assert stored == [(winners[0],)]


def test_a_store_from_before_the_record_follows_its_stories_then_its_first_writer(tmp_path):
    """Stores upgraded to revision 0013 have no record: their stories and checkpoints still
    name their profile; one with neither is recorded by the first profile that collects or
    ingests into it."""
    engine = store.open_store(f"sqlite:///{tmp_path / 's.db'}")
    with engine.begin() as conn:
        persist.create(conn, "kazakhstan", "A story", None, None)
    with engine.begin() as conn, pytest.raises(ConfigError, match="'kazakhstan' profile, not"):
        persist.require_profile(conn, "uzbekistan", claim=True)
    with engine.begin() as conn:
        persist.require_profile(conn, "kazakhstan", claim=True)
        conn.execute(sa.delete(persist.stories))  # the record holds now, stories or not
    with engine.begin() as conn, pytest.raises(ConfigError, match="'kazakhstan' profile, not"):
        persist.require_profile(conn, "uzbekistan", claim=True)


# -- export and import carry the record


def _export(engine) -> str:
    out = io.StringIO()
    with engine.connect() as conn:
        store.export_jsonl(conn, out)
    return out.getvalue()


def _import(engine, text: str) -> dict[str, int]:
    with engine.begin() as conn:
        return store.import_jsonl(conn, io.StringIO(text))


def _ingested(engine, name: str) -> None:
    run.ingest(engine, load_profile(name), [FILES / "notes.txt"], workers=0)


def test_an_export_carries_the_stores_profile_to_the_store_it_is_imported_into(
    kazakh_store, engine
):
    exported = _export(kazakh_store)
    assert {"type": "profile", "id": 1, "profile": "kazakhstan"}.items() <= next(
        json.loads(line) for line in exported.splitlines() if '"type": "profile"' in line
    ).items()
    assert _import(engine, exported)["profile"] == 1
    with engine.begin() as conn, pytest.raises(ConfigError, match="'kazakhstan' profile, not"):
        persist.require_profile(conn, "uzbekistan", claim=True)
    assert _export(engine).splitlines()[1:] == exported.splitlines()[1:]
    assert sum(_import(engine, exported).values()) == 0


def test_an_export_of_another_profiles_store_is_refused_and_imports_nothing(kazakh_store, engine):
    _ingested(engine, "uzbekistan")
    with engine.connect() as conn:
        before = {name: store.count_rows(conn, name) for name in ("articles", "stories")}
    with pytest.raises(ConfigError, match="judged against the 'uzbekistan' profile, not 'kaz"):
        _import(engine, _export(kazakh_store))
    with engine.connect() as conn:
        after = {name: store.count_rows(conn, name) for name in ("articles", "stories")}
    assert after == before


def test_an_export_from_before_the_record_is_refused_by_the_profile_its_stories_name(
    kazakh_store, engine
):
    """A file written before stores recorded their profile names it in its stories."""
    old = "".join(
        line + "\n"
        for line in _export(kazakh_store).splitlines()
        if '"type": "profile"' not in line and '"type": "end"' not in line
    ).replace('"format": 4', '"format": 3')
    _ingested(engine, "uzbekistan")
    with pytest.raises(ConfigError, match="judged against the 'uzbekistan' profile, not 'kaz"):
        _import(engine, old)


def test_every_table_is_exported_but_the_web_sessions():
    from mediadigest.store.transfer_tables import SPECS, _tables

    core = {"sources", "seen_items", "documents", "articles", "article_matches"}
    exported = core | {spec.table for spec in SPECS}
    assert set(_tables()) - exported == {"web_sessions"}
