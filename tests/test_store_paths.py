"""A store's path is the file's name as typed: '%' and '?' in it are no URL's."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from mediadigest import store
from mediadigest.config import load_settings
from mediadigest.errors import ConfigError


def _write(url: str) -> None:
    engine = store.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x)")
    engine.dispose()


@pytest.mark.parametrize("name", ["pc%41", "q?x", "50%?%3F"])
def test_a_path_with_a_percent_sign_or_a_question_mark_is_opened_as_typed(
    tmp_path: Path, name: str
):
    """--db 'pc%41/s.db' made ./pcA/s.db and --db 'q?x/s.db' a store ./q, without a word."""
    _write(str(tmp_path / name / "s.db"))
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]
    assert (tmp_path / name / "s.db").is_file()
    assert store.engine.shown_url(store.parsed_url(str(tmp_path / name / "s.db"))) == (
        f"sqlite:///{tmp_path}/{name}/s.db"
    )


def test_a_url_whose_question_mark_begins_no_options_is_refused(tmp_path: Path):
    url = f"sqlite:///{tmp_path}/q?x/s.db"
    with pytest.raises(ConfigError) as raised:
        store.create_engine(url)
    assert str(raised.value) == (
        f"store URL {url}: '?' begins its options and 'x/s.db' is none (NAME=VALUE); in a URL "
        "a path's '?' is written %3F and its '%' %25, or give the path alone"
    )
    assert not list(tmp_path.iterdir())


def test_a_url_keeps_its_percent_escapes_and_options(tmp_path: Path):
    _write(f"sqlite:///{tmp_path}/q%3Fx%2541/s.db?timeout=5")
    assert (tmp_path / "q?x%41" / "s.db").is_file()
    _write(f"file:{tmp_path}/u.db?mode=rwc&uri=true")  # a SQLite URI, given bare
    assert (tmp_path / "u.db").is_file()


def test_a_config_files_relative_path_with_a_question_mark_is_beside_it(tmp_path: Path):
    (tmp_path / "mediadigest.toml").write_text('db = "q?x/s.db"\n', encoding="utf-8")
    settings = load_settings(db=None, profile=None, env={}, cwd=tmp_path)
    _write(settings.db)
    assert (tmp_path / "q?x" / "s.db").is_file()


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_an_in_memory_stores_errors_blame_no_folder(url: str):
    """Its database is no file: "is a folder; give the store's file" named the working
    folder under every error of a store in memory (a review)."""
    engine = store.create_engine(url)
    with pytest.raises(sa.exc.OperationalError) as info, engine.connect() as conn:
        conn.execute(sa.text("SELECT * FROM nothing_here"))
    assert not any("is a folder" in note for note in getattr(info.value, "__notes__", []))
