"""A store follows one country: another profile on it is refused, before it stores or lists."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from mediadigest import run, store
from mediadigest.errors import ConfigError
from mediadigest.profile import load_profile
from mediadigest.stories import grouping

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
