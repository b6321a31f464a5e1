"""PostgreSQL deployments the walk w31 found wanting: a role that may only read the store, a
``--language`` given with a region or as ISO 639-3, and a URL that names no database."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from mediadigest import run, store
from mediadigest.cli import app
from mediadigest.cli.archive import why
from mediadigest.errors import ConfigError
from mediadigest.model import Grade, Hit, Relevance
from mediadigest.profile import load_profile
from mediadigest.store.search import as_stored, profile_spellings
from mediadigest.web import persist
from test_cli_errors import mediadigest
from test_grouping_windows import SINCE, UNTIL, _reports, _ungroup


@pytest.fixture(scope="module")
def profile():
    return load_profile("kazakhstan")


@pytest.fixture
def stored(store_url: str, tmp_path: Path, profile) -> str:
    """A store on each backend holding five English reports about Kazakhstan, ungrouped."""
    engine = store.open_store(store_url)
    assert run.ingest(engine, profile, [_reports(tmp_path)]).ok
    _ungroup(engine)
    engine.dispose()
    return store_url


@pytest.fixture
def reader(stored: str) -> Iterator[str]:
    """The URL of ``stored`` for a role granted SELECT only (PostgreSQL)."""
    if not stored.startswith("postgresql"):
        pytest.skip("a role that may only read is PostgreSQL's")
    role = f"reader_{os.getpid()}"
    admin = sa.create_engine(store.normalise_url(stored), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP ROLE IF EXISTS {role}")
        conn.exec_driver_sql(f"CREATE ROLE {role} LOGIN PASSWORD 'pw'")
        conn.exec_driver_sql(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}")
    url = sa.make_url(store.normalise_url(stored)).set(username=role, password="pw")
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP OWNED BY {role}")
            conn.exec_driver_sql(f"DROP ROLE {role}")
        admin.dispose()


# -- a role that may only read --------------------------------------------------------------


def test_stories_on_a_read_only_role_lists_without_grouping(reader: str):
    done = CliRunner().invoke(
        app, ["--db", reader, "stories", "--since", str(SINCE), "--until", str(UNTIL), "--json"]
    )
    assert done.exit_code == 0, (done.output, done.exception)
    assert [s["id"] for s in json.loads(done.stdout)] == [None] * 5
    assert "not grouped yet" in done.stderr


def test_a_command_that_writes_on_a_read_only_role_fails_in_one_line(reader: str, tmp_path):
    done = mediadigest("--db", reader, "digest", "--since", str(SINCE), "--until", str(UNTIL),
                       "-o", str(tmp_path / "x.md"))  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    line = done.stderr.strip()
    assert "\n" not in line, line
    assert line.startswith("error: the store failed (permission denied for table "), line


def test_the_signing_key_is_read_by_a_role_that_may_only_read(stored: str, reader: str):
    engine = store.open_store(stored)
    with engine.begin() as conn:
        key = persist.secret_key(conn)
    engine.dispose()
    engine = store.create_engine(reader)
    with engine.begin() as conn:
        assert persist.secret_key(conn) == key
    engine.dispose()


# -- --language as articles store it ---------------------------------------------------------


@pytest.mark.parametrize("given", ["en-GB", "eng", "EN_us"])
def test_search_language_with_a_region_or_three_letters_finds_what_en_finds(stored, given):
    def found(language: str) -> list[str]:
        done = CliRunner().invoke(
            app, ["--db", stored, "search", "kazakhstan", "--json", "--language", language]
        )
        assert done.exit_code == 0, (done.output, done.exception)
        return [hit["url"] for hit in json.loads(done.stdout)]

    assert len(found("en")) == 5
    assert found(given) == found("en")


def test_the_web_and_api_filter_takes_a_language_as_articles_store_it():
    assert as_stored("ru-RU", "gb") == ("ru", "GB")
    assert as_stored("rus", None) == ("ru", None)
    assert as_stored("kz", None) == ("kz", None)  # no language: finds nothing, as before


# -- a URL that names no database ----------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["postgresql://user:pw@127.0.0.1:5432/", "postgresql://user@127.0.0.1"]
)
def test_a_postgresql_url_without_a_database_is_refused(url: str):
    with pytest.raises(ConfigError, match=r"give the database name: postgresql://user@host/DB"):
        store.check_url(url)
    with pytest.raises(ConfigError, match="give the database name"):
        store.create_engine(url)


def test_a_postgresql_url_with_dbname_in_its_query_is_taken():
    store.check_url("postgresql://user@127.0.0.1/?dbname=md")


def test_a_read_only_command_on_a_url_without_a_database_says_so_in_one_line():
    with socket.socket() as sock:  # a port nothing listens on: no server is reached
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    done = mediadigest("--db", f"postgresql://postgres:pw@127.0.0.1:{port}/", "articles")
    assert done.returncode in (1, 2), done.stderr
    assert "Traceback" not in done.stderr
    assert "give the database name: postgresql://user@host/DBNAME" in done.stderr
    assert "pw@" not in done.stderr


# -- `articles`: why a relevant article is listed ------------------------------------------


def test_articles_text_says_of_a_relevant_article_that_an_ambiguous_name_counted_less():
    ambiguous = (
        "'Kazakh' (body ×2) is ambiguous (also a people and a language) and nothing "
        "unambiguous names Kazakhstan: counted at 40%"
    )
    rel = Relevance(
        score=0.8, grade=Grade.SUBJECT, relevant=True,
        hits=[Hit("Kazakh", "Kazakhstan", "ambiguous", "body", 2)],
        reasons=["grade subject: ...", ambiguous, "ignored 1 × 'Kazakh Khanate' (Kazakhstan)"],
    )  # fmt: skip
    assert why(rel) == (
        f"Kazakh (body ×2); {ambiguous}; ruled out: 1 × 'Kazakh Khanate' (Kazakhstan)"
    )


def test_articles_text_of_a_relevant_article_without_notes_is_its_names():
    rel = Relevance(
        score=2.0, grade=Grade.SUBJECT, relevant=True,
        hits=[Hit("Kazakhstan", "Kazakhstan", "country", "title", 1)],
        reasons=["grade subject: ...", "title names Kazakhstan"],
    )  # fmt: skip
    assert why(rel) == "Kazakhstan (title ×1)"


# -- search snippets mark what matched -------------------------------------------------------


def test_a_snippet_marks_the_name_searched_not_the_words_of_other_spellings(
    store_url: str, tmp_path: Path, profile
):
    """'Kazakh officials' is a spelling of Kazakhstan: PostgreSQL's ts_headline marked every
    'officials' of the text, mid-sentence, as SQLite's snippet does not."""
    report = {
        "url": "https://steppe.example/news/grain", "outlet": "Steppe Post",
        "title": "Grain exports rise", "published": "2025-12-09T09:00:00+00:00",
        "text": "Local officials said on Monday that grain exports from Kazakhstan rose by "
        "a fifth this year, helped by a record harvest in the north.",
    }  # fmt: skip
    jsonl = tmp_path / "report.jsonl"
    jsonl.write_text(json.dumps(report) + "\n", encoding="utf-8")
    engine = store.open_store(store_url)
    assert run.ingest(engine, profile, [jsonl]).ok
    with engine.connect() as conn:
        names = profile_spellings(profile, country=True)
        (hit,) = store.search(conn, "kazakhstan", names=names)
    engine.dispose()
    assert "**Kazakhstan**" in hit.snippet
    assert "**officials**" not in hit.snippet
