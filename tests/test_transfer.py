"""Export and import of a whole store as JSON Lines: SQLite to PostgreSQL and back, idempotent."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from mediadigest import store
from mediadigest.errors import FormatError
from mediadigest.model import Article, Document, Grade, Hit, Quote, Relevance, Source


def _fill(engine: sa.Engine) -> None:
    """A little of everything an export carries."""
    fetched = datetime(2025, 12, 18, 8, 30, tzinfo=UTC)
    doc = Document(
        "https://news.example/a",
        b"\x00<html>raw \xff bytes</html>",
        fetched,
        "text/html",
        {"title": "Wind", "source": "https://news.example/feed"},
    )
    hits = [
        Hit("Kazakhstan", "Kazakhstan", "country", "title", 2),
        Hit("Astana", "Astana", "place", "lead", 1),
    ]
    rel = Relevance(4.5, Grade.SUBJECT, True, hits, ["named in the title"])
    article = Article(
        "https://news.example/a",
        "https://news.example/a",
        "hash-a",
        "Kazakhstan opens a wind farm",
        "Astana said so.\n\nMore text.",
        outlet="Steppe Wire",
        outlet_country="GB",
        author="A. Writer",
        published=fetched,
        language="en",
        relevance=rel,
        quotes=[Quote("We will grow", "Tokayev", 0, 12)],
        warnings=["short"],
    )
    undated = Article(
        "https://other.example/b",
        "https://other.example/b",
        "hash-b",
        "Markets",
        "Nothing about it.",
    )
    with engine.begin() as conn:
        sid, _ = store.add_source(conn, Source("https://news.example/feed", title="News"))
        store.mark_seen(conn, sid, ["item-1", "item-2"])
        store.record_fetch(conn, sid, "https://news.example/feed", error=None, items=2)
        doc_id = store.save_document(conn, doc)
        store.save_articles(conn, [article], document_id=doc_id)
        store.save_articles(conn, [undated])
        store.save_digest(
            conn,
            date(2025, 12, 15),
            date(2025, 12, 21),
            "kazakhstan",
            {"intro": "A week.", "items": [{"headline": "Wind"}]},
        )


def _export(engine: sa.Engine) -> str:
    out = io.StringIO()
    with engine.connect() as conn:
        store.export_jsonl(conn, out)
    return out.getvalue()


def _import(engine: sa.Engine, text: str) -> dict[str, int]:
    with engine.begin() as conn:
        return store.import_jsonl(conn, io.StringIO(text))


def _records(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()[1:]]


@pytest.fixture
def sqlite_engine(tmp_path):
    engine = store.open_store(f"sqlite:///{tmp_path}/other.db")
    yield engine
    engine.dispose()


def test_an_export_imported_elsewhere_exports_the_same_records(engine, sqlite_engine):
    _fill(engine)
    exported = _export(engine)
    assert _import(sqlite_engine, exported) == {
        "source": 1,
        "document": 1,
        "article": 2,
        "digest": 1,
    }
    assert _records(_export(sqlite_engine)) == _records(exported)


def test_a_sqlite_store_moves_to_this_backend_unchanged(engine, sqlite_engine):
    _fill(sqlite_engine)
    exported = _export(sqlite_engine)
    _import(engine, exported)
    assert _records(_export(engine)) == _records(exported)


def test_an_imported_store_is_searchable_and_keeps_its_links(engine, sqlite_engine):
    _fill(sqlite_engine)
    _import(engine, _export(sqlite_engine))
    with engine.connect() as conn:
        (hit,) = store.search(conn, "wind farm")
        (article,) = store.list_articles(conn)
        assert article.relevance.hits[1].alias == "Astana"
        assert store.count_rows(conn, "article_matches") == 2
        sid = store.list_sources(conn)[0]["id"]
        assert store.seen_keys(conn, sid) == {"item-1", "item-2"}
        body = conn.execute(sa.text("SELECT body FROM documents")).scalar_one()
    assert hit.title == "Kazakhstan opens a wind farm"
    assert body == b"\x00<html>raw \xff bytes</html>"


def test_importing_twice_adds_nothing(engine, sqlite_engine):
    _fill(sqlite_engine)
    exported = _export(sqlite_engine)
    _import(engine, exported)
    assert _import(engine, exported) == {"source": 0, "document": 0, "article": 0, "digest": 0}
    with engine.connect() as conn:
        counts = [
            store.count_rows(conn, name)
            for name in (
                "sources",
                "seen_items",
                "documents",
                "articles",
                "article_matches",
                "digests",
            )
        ]
    assert counts == [1, 2, 1, 2, 2, 1]


def test_importing_into_a_store_that_has_some_of_it_adds_the_rest(engine, sqlite_engine):
    _fill(sqlite_engine)
    with engine.begin() as conn:
        store.add_source(conn, Source("https://news.example/feed"))
        store.save_articles(
            conn,
            [
                Article(
                    "https://other.example/b",
                    "https://other.example/b",
                    "hash-b",
                    "Markets",
                    "Nothing about it.",
                )
            ],
        )
    assert _import(engine, _export(sqlite_engine)) == {
        "source": 0,
        "document": 1,
        "article": 1,
        "digest": 1,
    }


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("", "x.jsonl:1"),
        ('{"some": "json"}\n', "x.jsonl:1"),
        ('{"mediadigest": "store-export", "format": 1}\nnot json\n', "x.jsonl:2"),
        ('{"mediadigest": "store-export", "format": 1}\n{"type": "spaceship"}\n', "x.jsonl:2"),
        ('{"mediadigest": "store-export", "format": 99}\n', "x.jsonl:1"),
    ],
)
def test_a_file_that_is_not_an_export_is_refused_with_its_line(engine, text, where):
    fp = io.StringIO(text)
    fp.name = "x.jsonl"
    with pytest.raises(FormatError, match=where), engine.begin() as conn:
        store.import_jsonl(conn, fp)
