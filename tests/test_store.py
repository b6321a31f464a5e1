"""The store: migrations, idempotent writes, period queries (real SQLite files)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa

from mediadigest import store
from mediadigest.model import Article, Document, Grade, Hit, Quote, Relevance, Source
from mediadigest.store import schema


def _article(url: str = "https://example.org/a", text: str = "Body text.", **kw) -> Article:
    rel = Relevance(
        3.0, Grade.SUBJECT, True, [Hit("Kazakhstan", "Kazakhstan", "country", "title", 1)]
    )
    fields = {"title": "Kazakhstan story", "published": datetime(2025, 12, 18, 9, tzinfo=UTC)}
    fields.update(kw)
    quotes = [Quote("We will grow", "Tokayev", 0, 12)]
    return Article(url=url, canonical_url=url, content_hash="h" + text[:10], text=text,
                   relevance=rel, quotes=quotes, **fields)  # fmt: skip


def test_opening_a_new_store_creates_the_newest_schema(tmp_path):
    engine = store.open_store(f"sqlite:///{tmp_path}/s.db")
    current, head = store.check(engine)
    assert current == head == "0001"
    tables = set(sa.inspect(engine).get_table_names())
    assert set(schema.metadata.tables) <= tables


def test_migrations_create_exactly_the_schema_the_code_queries(tmp_path):
    engine = store.open_store(f"sqlite:///{tmp_path}/s.db")
    inspector = sa.inspect(engine)
    for name, table in schema.metadata.tables.items():
        migrated = {c["name"] for c in inspector.get_columns(name)}
        assert migrated == {c.name for c in table.columns}, name


def test_sqlite_store_runs_in_wal_mode(tmp_path):
    engine = store.open_store(f"sqlite:///{tmp_path}/s.db")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_a_bare_path_is_taken_as_sqlite(tmp_path):
    assert store.normalise_url(str(tmp_path / "x.db")) == f"sqlite:///{tmp_path}/x.db"
    assert store.normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"


def test_adding_a_source_twice_keeps_one(tmp_path):
    engine = store.open_store(f"sqlite:///{tmp_path}/s.db")
    with engine.begin() as conn:
        first = store.add_source(conn, Source("https://example.org/feed.xml"))
        second = store.add_source(conn, Source("https://example.org/feed.xml"))
        assert first[1] is True and second[1] is False and first[0] == second[0]
        assert len(store.list_sources(conn)) == 1


def test_saving_the_same_article_twice_stores_it_once(tmp_path):
    engine = store.open_store(f"sqlite:///{tmp_path}/s.db")
    with engine.begin() as conn:
        assert store.save_articles(conn, [_article()]) == 1
    again = _article()
    with engine.begin() as conn:
        assert store.save_articles(conn, [again]) == 0
        assert again.id is not None
        assert store.count_rows(conn, "articles") == 1
        assert store.count_rows(conn, "article_matches") == 1


def test_a_changed_text_at_the_same_url_is_a_new_version(tmp_path):
    engine = store.open_store(f"sqlite:///{tmp_path}/s.db")
    with engine.begin() as conn:
        store.save_articles(conn, [_article(text="First version.")])
        assert store.save_articles(conn, [_article(text="Second version.")]) == 1


def test_documents_are_stored_once_per_url_and_body(tmp_path):
    engine = store.open_store(f"sqlite:///{tmp_path}/s.db")
    doc = Document("https://example.org/a", b"<html>x</html>", datetime.now(UTC), "text/html")
    with engine.begin() as conn:
        assert store.save_document(conn, doc) == store.save_document(conn, doc)
        assert store.count_rows(conn, "documents") == 1


def test_articles_round_trip_with_relevance_and_quotes(tmp_path):
    engine = store.open_store(f"sqlite:///{tmp_path}/s.db")
    with engine.begin() as conn:
        store.save_articles(conn, [_article()])
        (back,) = store.list_articles(conn)
    assert back.relevance.grade is Grade.SUBJECT
    assert back.relevance.hits[0].field == "title"
    assert back.quotes[0].speaker == "Tokayev"
    assert back.published == datetime(2025, 12, 18, 9)  # naive UTC in the store


def test_period_query_is_inclusive_of_both_days(tmp_path):
    engine = store.open_store(f"sqlite:///{tmp_path}/s.db")
    days = [datetime(2025, 12, d, 23, 30, tzinfo=UTC) for d in (14, 15, 21, 22)]
    with engine.begin() as conn:
        store.save_articles(conn, [_article(f"https://e.org/{d.day}", published=d) for d in days])
        found = store.list_articles(conn, since=date(2025, 12, 15), until=date(2025, 12, 21))
    assert sorted(a.published.day for a in found) == [15, 21]


def test_irrelevant_articles_are_listed_only_on_request(tmp_path):
    engine = store.open_store(f"sqlite:///{tmp_path}/s.db")
    other = _article("https://e.org/other")
    other.relevance = Relevance()
    with engine.begin() as conn:
        store.save_articles(conn, [_article(), other])
        assert len(store.list_articles(conn)) == 1
        assert len(store.list_articles(conn, relevant_only=False)) == 2


def test_seen_items_are_remembered_per_source(tmp_path):
    engine = store.open_store(f"sqlite:///{tmp_path}/s.db")
    with engine.begin() as conn:
        sid, _ = store.add_source(conn, Source("https://example.org/feed.xml"))
        store.mark_seen(conn, sid, ["a", "b"])
        store.mark_seen(conn, sid, ["b", "c"])
        assert store.seen_keys(conn, sid) == {"a", "b", "c"}


def test_fetch_records_update_source_health(tmp_path):
    engine = store.open_store(f"sqlite:///{tmp_path}/s.db")
    with engine.begin() as conn:
        sid, _ = store.add_source(conn, Source("https://example.org/feed.xml"))
        store.record_fetch(conn, sid, "https://example.org/feed.xml", error="HTTP 500")
        (row,) = store.list_sources(conn)
        assert row["last_error"] == "HTTP 500" and row["last_ok_at"] is None
        store.record_fetch(conn, sid, "https://example.org/feed.xml", error=None, items=3)
        (row,) = store.list_sources(conn)
        assert row["last_error"] is None and row["last_ok_at"] is not None


def test_a_failed_transaction_leaves_earlier_data_intact(tmp_path):
    engine = store.open_store(f"sqlite:///{tmp_path}/s.db")
    with engine.begin() as conn:
        store.save_articles(conn, [_article()])
    try:
        with engine.begin() as conn:
            store.save_articles(conn, [_article("https://e.org/b")])
            raise RuntimeError("crash mid-batch")
    except RuntimeError:
        pass
    with engine.connect() as conn:
        assert [a.url for a in store.list_articles(conn)] == ["https://example.org/a"]
