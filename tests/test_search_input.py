"""What users type into a search finds what they meant, on SQLite and on PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from mediadigest import store
from mediadigest.model import Article
from mediadigest.store.search import search


def _article(n: int, title: str, outlet: str) -> Article:
    url = f"https://news.example/{n}"
    return Article(
        url=url, canonical_url=url, content_hash=f"h{n}", title=title, text=f"{title}.",
        published=datetime(2025, 12, 10 + n, 9, tzinfo=UTC), language="en", outlet=outlet,
    )  # fmt: skip


def _save(engine: sa.Engine, *articles: Article) -> None:
    with engine.begin() as conn:
        store.save_articles(conn, list(articles))


def _titles(engine: sa.Engine, query: str, **filters) -> list[str]:
    with engine.connect() as conn:
        return sorted(hit.title for hit in search(conn, query, **filters))


def test_an_outlet_is_found_in_any_case(engine):
    _save(
        engine,
        _article(1, "Wind one", "BBC"),
        _article(2, "Wind two", "Jiji Press"),
        _article(3, "Wind three", "Новая газета"),
    )
    assert _titles(engine, "wind", outlet="bbc") == ["Wind one"]
    assert _titles(engine, "wind", outlet="JIJI PRESS") == ["Wind two"]
    assert _titles(engine, "wind", outlet="НОВАЯ ГАЗЕТА") == ["Wind three"]  # not ASCII
    assert _titles(engine, "wind", outlet="BBC") == ["Wind one"]
    assert _titles(engine, "wind", outlet="CNN") == []


def test_an_outlet_stored_in_two_cases_is_found_in_both_from_a_third(engine):
    _save(engine, _article(1, "Wind one", "BBC"), _article(2, "Wind two", "Bbc"))
    assert _titles(engine, "wind", outlet="bbc") == ["Wind one", "Wind two"]


def test_a_word_ending_in_a_star_finds_the_words_that_start_so(engine):
    _save(
        engine,
        _article(1, "Kazakhstan signs a deal", "BBC"),
        _article(2, "Kazakhstani grain exports", "BBC"),
        _article(3, "Kazakh steppe wind", "BBC"),
    )
    assert _titles(engine, "kazakhst*") == ["Kazakhstan signs a deal", "Kazakhstani grain exports"]
    assert _titles(engine, "kazakhst") == []
    assert _titles(engine, "kaz* -kazakhstani*") == [
        "Kazakh steppe wind",
        "Kazakhstan signs a deal",
    ]
    assert _titles(engine, "grain OR stepp*") == ["Kazakh steppe wind", "Kazakhstani grain exports"]


def test_a_prefix_search_marks_the_words_it_matched(engine):
    _save(engine, _article(1, "Kazakhstan signs a deal", "BBC"))
    with engine.connect() as conn:
        (hit,) = search(conn, "kazakhst*")
    assert "**Kazakhstan**" in hit.snippet
