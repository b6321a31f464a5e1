"""`mediadigest articles` reads the store in batches and writes each as it is read: `--all` on
200,000 articles held gigabytes and printed nothing for minutes. The output of a small store
is what it was: one JSON list (the same bytes), one table."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mediadigest import store
from mediadigest.cli import archive
from mediadigest.model import Article, Grade, Relevance
from mediadigest.store.repository import iter_articles
from test_end_to_end import Cli

COUNT = 7
HEAD = "┃ date"  # the table's head, once per table


def _article(n: int) -> Article:
    url = f"https://news.example/{n}"
    return Article(
        url=url, canonical_url=url, content_hash=f"h{n}", title=f"Report {n} «on» wind",
        text=f"Wind report {n}.\n\nA second paragraph, with \"quotes\" and a tab\there.",
        outlet="News", published=datetime(2025, 12, 1, 9, tzinfo=UTC) + timedelta(days=n),
        relevance=Relevance(score=float(n), grade=Grade.SUBJECT, relevant=n % 2 == 0),
    )  # fmt: skip


@pytest.fixture
def cli(tmp_path: Path, monkeypatch) -> Cli:
    monkeypatch.setenv("COLUMNS", "300")  # the table on one line per article
    cli = Cli(tmp_path / "store.db")
    engine = store.open_store(cli.db)
    with engine.begin() as conn:
        store.save_articles(conn, [_article(n) for n in range(COUNT)])
    engine.dispose()
    return cli


def _listed(cli: Cli, **filters) -> list[Article]:
    engine = store.open_store(cli.db)
    with engine.connect() as conn:
        found = store.list_articles(conn, one_per_page=True, **filters)
    engine.dispose()
    return found


def test_articles_json_is_the_bytes_it_was(cli: Cli):
    for args, filters in [(["--all"], {"relevant_only": False}), ([], {})]:
        before = json.dumps(
            [archive.article_to_dict(a) for a in _listed(cli, **filters)],
            ensure_ascii=False,
            indent=2,
        )
        assert cli("articles", "--json", *args).stdout == before + "\n"


def test_articles_json_of_nothing_is_an_empty_list(cli: Cli):
    assert cli("articles", "--json", "--since", "2030-01-01").stdout == "[]\n"
    table = cli("articles", "--since", "2030-01-01").stdout
    assert table.count(HEAD) == 1  # the table's head, as before


def test_a_small_listing_is_one_table(cli: Cli):
    table = cli("articles", "--all").stdout
    assert table.count(HEAD) == 1
    titles = [line for line in table.splitlines() if "«on» wind" in line]
    assert len(titles) == COUNT  # newest first
    assert all(f"Report {COUNT - 1 - i} «on» wind" in line for i, line in enumerate(titles))


def _recorded(monkeypatch, batch: int) -> list[str]:
    """Standard output as written so far, each time `articles` is handed a batch."""
    seen: list[str] = []

    def recording(conn, size, **filters) -> Iterator[list[Article]]:
        for found in iter_articles(conn, batch, **filters):
            sys.stdout.flush()
            seen.append(sys.stdout.buffer.getvalue().decode())
            yield found

    # Not raising: a command that reads no batches fails the test on what it wrote, not here.
    monkeypatch.setattr(archive, "iter_articles", recording, raising=False)
    monkeypatch.setattr(archive, "BATCH", batch, raising=False)
    return seen


def test_articles_json_writes_the_first_article_before_the_last_batch_is_read(cli, monkeypatch):
    seen = _recorded(monkeypatch, 2)
    out = cli("articles", "--all", "--json").stdout
    assert len(seen) == 4  # 7 articles, 2 at a time
    newest = f'"title": "Report {COUNT - 1} «on» wind"'
    assert seen[0] == "" and newest in seen[-1]  # written when read, not after the last
    assert [a["title"] for a in json.loads(out)] == [
        a.title for a in _listed(cli, relevant_only=False)
    ]


def test_the_articles_table_prints_each_batch_as_it_is_read(cli, monkeypatch):
    seen = _recorded(monkeypatch, 3)
    out = cli("articles", "--all").stdout
    assert len(seen) == 3 and f"Report {COUNT - 1} «on» wind" in seen[1]
    assert out.count(HEAD) == 3  # a table per batch
    assert sum("«on» wind" in line for line in out.splitlines()) == COUNT


def test_iter_articles_reads_what_list_articles_lists_in_batches(engine):
    with engine.begin() as conn:
        store.save_articles(conn, [_article(n) for n in range(COUNT)])
    with engine.connect() as conn:
        every = store.list_articles(conn, relevant_only=False)
        batches = list(iter_articles(conn, 3, relevant_only=False))
        relevant = [a for b in iter_articles(conn, 2) for a in b]
    assert [len(b) for b in batches] == [3, 3, 1]
    assert [a.id for b in batches for a in b] == [a.id for a in every]
    assert [a.id for a in relevant] == [a.id for a in every if a.relevance.relevant]
