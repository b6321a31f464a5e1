"""The store: migrations, idempotent writes, period queries, on real SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from alembic import command

from mediadigest import store
from mediadigest.model import Article, Document, Grade, Hit, Quote, Relevance, Source
from mediadigest.store import engine as store_engine
from mediadigest.store import repository, schema
from mediadigest.store.search import search

# Backend-specific full-text columns that schema.py leaves out on purpose (migration 0002).
_SEARCH_COLUMNS = {"postgresql": {"articles": {"search"}}, "sqlite": {}}


def _article(url: str = "https://example.org/a", text: str = "Body text.", **kw) -> Article:
    rel = Relevance(
        3.0, Grade.SUBJECT, True, [Hit("Kazakhstan", "Kazakhstan", "country", "title", 1)]
    )
    fields = {"title": "Kazakhstan story", "published": datetime(2025, 12, 18, 9, tzinfo=UTC)}
    fields.update(kw)
    quotes = [Quote("We will grow", "Tokayev", 0, 12)]
    return Article(
        url=url,
        canonical_url=url,
        content_hash="h" + text[:10],
        text=text,
        relevance=rel,
        quotes=quotes,
        **fields,
    )


def test_opening_a_new_store_creates_the_newest_schema(empty_url):
    engine = store.open_store(empty_url)
    current, head = store.check(engine)
    assert current == head and current is not None
    tables = set(sa.inspect(engine).get_table_names())
    assert set(schema.metadata.tables) <= tables
    engine.dispose()


def test_migrations_create_exactly_the_schema_the_code_queries(engine):
    inspector = sa.inspect(engine)
    extra = _SEARCH_COLUMNS[engine.dialect.name]
    for name, table in schema.metadata.tables.items():
        migrated = {c["name"] for c in inspector.get_columns(name)}
        assert migrated == {c.name for c in table.columns} | extra.get(name, set()), name
        indexes = {i["name"] for i in inspector.get_indexes(name)}
        assert {i.name for i in table.indexes} <= indexes, name


def test_the_head_the_store_opens_without_alembic_is_alembics_head(empty_url):
    engine = store.open_store(empty_url)
    assert store.check(engine)[1] == store_engine.HEAD
    engine.dispose()


def test_a_sqlite_store_behind_the_newest_revision_is_upgraded_when_opened(tmp_path):
    # A PostgreSQL one is upgraded only by `db upgrade` (test_store_upgrade.py).
    empty_url = f"sqlite:///{tmp_path}/s.db"
    engine = store.create_engine(empty_url)
    with engine.begin() as conn:
        command.upgrade(store_engine._alembic_config(conn), "0007")
    engine.dispose()
    engine = store.open_store(empty_url)
    assert store.check(engine) == (store_engine.HEAD, store_engine.HEAD)
    engine.dispose()


def test_a_store_behind_the_newest_revision_fails_the_check(empty_url):
    engine = store.create_engine(empty_url)
    with engine.begin() as conn:
        command.upgrade(store_engine._alembic_config(conn), "0001")
    current, head = store.check(engine)
    assert current == "0001" and head != "0001"
    engine.dispose()


def test_upgrading_an_older_store_indexes_the_articles_it_holds(empty_url):
    engine = store.create_engine(empty_url)
    now = datetime(2025, 12, 18, 9)
    with engine.begin() as conn:
        command.upgrade(store_engine._alembic_config(conn), "0001")
        # Only the columns revision 0001 has: the code's schema may have grown since.
        conn.execute(
            sa.insert(schema.articles).values(
                url="https://e.org/a", canonical_url="https://e.org/a", content_hash="h",
                title="Steppe wind farm opens", text="Body.", score=0.0, grade="none",
                relevant=False, relevance={}, quotes=[], warnings=[], created_at=now, dated=now,
            )
        )  # fmt: skip
    store.migrate(engine)
    with engine.connect() as conn:
        assert [h.title for h in search(conn, "wind")] == ["Steppe wind farm opens"]
    engine.dispose()


def test_sqlite_store_runs_in_wal_mode(tmp_path):
    engine = store.open_store(f"sqlite:///{tmp_path}/s.db")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_a_bare_path_is_taken_as_sqlite(tmp_path):
    assert store.normalise_url(str(tmp_path / "x.db")) == f"sqlite:///{tmp_path}/x.db"
    assert store.normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"


def test_adding_a_source_twice_keeps_one(engine):
    with engine.begin() as conn:
        first = store.add_source(conn, Source("https://example.org/feed.xml"))
        second = store.add_source(conn, Source("https://example.org/feed.xml"))
        assert first[1] is True and second[1] is False and first[0] == second[0]
        assert len(store.list_sources(conn)) == 1


def test_removing_a_source_says_whether_there_was_one(engine):
    with engine.begin() as conn:
        store.add_source(conn, Source("https://example.org/feed.xml"))
        assert store.remove_source(conn, "https://example.org/feed.xml") is True
        assert store.remove_source(conn, "https://example.org/feed.xml") is False
        assert store.list_sources(conn) == []


def test_saving_the_same_article_twice_stores_it_once(engine):
    with engine.begin() as conn:
        assert store.save_articles(conn, [_article()]) == 1
    again = _article()
    with engine.begin() as conn:
        assert store.save_articles(conn, [again]) == 0
        assert again.id is not None
        assert store.count_rows(conn, "articles") == 1
        assert store.count_rows(conn, "article_matches") == 1


def test_a_batch_of_new_and_stored_articles_gets_every_id(engine):
    with engine.begin() as conn:
        store.save_articles(conn, [_article("https://e.org/1"), _article("https://e.org/2")])
        stored = {a.url: a.id for a in store.list_articles(conn)}
    batch = [_article(f"https://e.org/{n}") for n in (3, 1, 4, 2)]
    with engine.begin() as conn:
        assert store.save_articles(conn, batch) == 2
        assert batch[1].id == stored["https://e.org/1"] and batch[3].id == stored["https://e.org/2"]
        assert len({a.id for a in batch}) == 4
        assert store.count_rows(conn, "article_matches") == 4


def test_an_article_given_twice_in_one_batch_is_stored_once(engine):
    first, second = _article(), _article()
    with engine.begin() as conn:
        assert store.save_articles(conn, [first, second]) == 1
        assert first.id == second.id
        assert store.count_rows(conn, "article_matches") == 1


def test_a_changed_text_at_the_same_url_is_a_new_version(engine):
    with engine.begin() as conn:
        store.save_articles(conn, [_article(text="First version.")])
        assert store.save_articles(conn, [_article(text="Second version.")]) == 1


def test_documents_are_stored_once_per_url_and_body(engine):
    doc = Document("https://example.org/a", b"<html>x</html>", datetime.now(UTC), "text/html")
    with engine.begin() as conn:
        assert store.save_document(conn, doc) == store.save_document(conn, doc)
        assert store.count_rows(conn, "documents") == 1


def test_articles_round_trip_with_relevance_and_quotes(engine):
    with engine.begin() as conn:
        store.save_articles(conn, [_article()])
        (back,) = store.list_articles(conn)
    assert back.relevance.grade is Grade.SUBJECT
    assert back.relevance.hits[0].field == "title"
    assert back.quotes[0].speaker == "Tokayev"
    assert back.published == datetime(2025, 12, 18, 9)  # naive UTC in the store


def test_period_query_is_inclusive_of_both_days(engine):
    days = [datetime(2025, 12, d, 23, 30, tzinfo=UTC) for d in (14, 15, 21, 22)]
    with engine.begin() as conn:
        store.save_articles(conn, [_article(f"https://e.org/{d.day}", published=d) for d in days])
        found = store.list_articles(conn, since=date(2025, 12, 15), until=date(2025, 12, 21))
    assert sorted(a.published.day for a in found) == [15, 21]


def test_irrelevant_articles_are_listed_only_on_request(engine):
    other = _article("https://e.org/other")
    other.relevance = Relevance()
    with engine.begin() as conn:
        store.save_articles(conn, [_article(), other])
        assert len(store.list_articles(conn)) == 1
        assert len(store.list_articles(conn, relevant_only=False)) == 2


def test_seen_items_are_remembered_per_source(engine):
    with engine.begin() as conn:
        sid, _ = store.add_source(conn, Source("https://example.org/feed.xml"))
        store.mark_seen(conn, sid, ["a", "b"])
        store.mark_seen(conn, sid, ["b", "c"])
        assert store.seen_keys(conn, sid) == {"a", "b", "c"}


def test_fetch_records_update_source_health(engine):
    with engine.begin() as conn:
        sid, _ = store.add_source(conn, Source("https://example.org/feed.xml"))
        store.record_fetch(conn, sid, "https://example.org/feed.xml", error="HTTP 500")
        (row,) = store.list_sources(conn)
        assert row["last_error"] == "HTTP 500" and row["last_ok_at"] is None
        store.record_fetch(conn, sid, "https://example.org/feed.xml", error=None, items=3)
        (row,) = store.list_sources(conn)
        assert row["last_error"] is None and row["last_ok_at"] is not None


def test_a_failed_transaction_leaves_earlier_data_intact(engine):
    with engine.begin() as conn:
        store.save_articles(conn, [_article()])
    with pytest.raises(RuntimeError), engine.begin() as conn:
        store.save_articles(conn, [_article("https://e.org/b")])
        raise RuntimeError("crash mid-batch")
    with engine.connect() as conn:
        assert [a.url for a in store.list_articles(conn)] == ["https://example.org/a"]


def test_deleting_an_article_removes_it_from_search(engine):
    with engine.begin() as conn:
        store.save_articles(conn, [_article(title="Steppe wind farm opens")])
        conn.execute(sa.delete(schema.articles))
        assert search(conn, "wind") == []


def _full_article() -> Article:
    """An article with every field the store keeps set, to compare stored values exactly."""
    art = _article("https://e.org/full", "Lead line.\n\nBody of it.", author="A. Writer")
    art.outlet, art.outlet_country, art.language = "Example Times", "GB", "en"
    art.warnings = ["short"]
    art.kind, art.origin, art.reported_by = "report", "Reuters", "Reuters"
    art.reported_on, art.original_title = date(2025, 12, 17), "Original"
    art.parent_url, art.tone = "https://e.org/roundup", -0.25
    art.explanations = {"relevance": "named in the title"}
    return art


def test_sqlite_bulk_insert_stores_what_sqlalchemy_would(tmp_path):
    """save_articles writes SQLite rows as driver SQL (writes._insert_new_sqlite); the
    values must be exactly those SQLAlchemy's own INSERT stores (dates, JSON, booleans)."""
    engine = store.open_store(f"sqlite:///{tmp_path}/s.db")
    article = _full_article()
    now = repository.utcnow()
    row = repository._article_row(article, None, now, now)
    with engine.begin() as conn:
        store.save_articles(conn, [article, _article("https://e.org/empty")])
        conn.execute(sa.insert(schema.articles), [{**row, "canonical_url": "https://e.org/sa"}])
        raw = conn.exec_driver_sql("SELECT * FROM articles ORDER BY id").mappings().all()
    skip = {"id", "canonical_url", "created_at"}
    fast, empty, reference = ({k: v for k, v in r.items() if k not in skip} for r in raw)
    assert fast == reference
    assert (empty["attribution"], empty["warnings"]) == ("null", "[]")  # JSON, as SQLAlchemy's
    engine.dispose()


def test_sqlite_keeps_rare_filter_values_in_partial_indexes_that_queries_use(tmp_path):
    engine = store.open_store(f"sqlite:///{tmp_path}/s.db")
    a = schema.articles
    since = datetime(2025, 1, 1)
    queries = {
        "ix_articles_relevant_dated": sa.select(a.c.id).where(
            a.c.relevant.is_(True), a.c.dated >= since
        ),
        "ix_articles_outlet_country_dated": sa.select(a.c.id).where(
            a.c.outlet_country == "GB", a.c.dated >= since
        ),
        "ix_articles_parent_url": sa.select(a.c.id).where(a.c.parent_url == "https://e.org/r"),
    }
    with engine.connect() as conn:
        for name, query in queries.items():
            sql = str(query.compile(conn, compile_kwargs={"literal_binds": True}))
            plan = " ".join(r[-1] for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
            assert name in plan, (name, plan)
            ddl = conn.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name = ?", (name,)
            ).scalar_one()
            assert " WHERE " in ddl
    engine.dispose()


def test_upgrading_a_sqlite_store_to_partial_indexes_keeps_its_articles_findable(tmp_path):
    engine = store.create_engine(f"sqlite:///{tmp_path}/s.db")
    with engine.begin() as conn:
        command.upgrade(store_engine._alembic_config(conn), "0007")
        _save_before_0010(conn, [_full_article(), _article("https://e.org/b", title="Steppe")])
    store.migrate(engine)
    with engine.connect() as conn:
        assert store.check(engine)[0] == store.check(engine)[1]
        assert [h.url for h in search(conn, "kazakhstan", outlet_country="GB")] == [
            "https://e.org/full"
        ]
        found = search(conn, "steppe", relevant_only=True, since=date(2025, 1, 1))
        assert [h.url for h in found] == ["https://e.org/b"]
        automerge = conn.exec_driver_sql(
            "SELECT v FROM articles_fts_config WHERE k = 'automerge'"
        ).scalar()
        assert automerge == 16
    with engine.begin() as conn:
        command.downgrade(store_engine._alembic_config(conn), "0007")
    store.migrate(engine)
    engine.dispose()


def _save_before_0010(conn: sa.Connection, articles: list[Article]) -> None:
    """Articles as a store before migration 0010 held them: ``published`` in UTC, no offset."""
    now = repository.utcnow()
    rows = []
    for art in articles:
        row = repository._article_row(art, None, now, now)
        del row["published_offset"]
        row["published"] = row["dated"] = repository.to_utc_naive(art.published_at)
        rows.append(row)
    conn.execute(sa.insert(schema.articles), rows)


def test_an_article_without_a_date_is_dated_by_its_fetch_then_by_now(tmp_path):
    """An archive page without date metadata belongs to the week it was crawled in."""
    engine = store.open_store(f"sqlite:///{tmp_path}/s.db")
    crawled = datetime(2024, 3, 5, 12, 0, tzinfo=UTC)
    undated = [_article(f"https://e.org/{i}") for i in range(3)]
    for art in undated:
        art.published = None
    dated = _article("https://e.org/dated")
    with engine.begin() as conn:
        store.save_articles(conn, [undated[0], dated], fetched_at=crawled)
        store.save_articles(conn, undated[1:2])
        found = {a.url: a for a in store.list_articles(conn, relevant_only=False)}
        week = store.list_articles(
            conn, relevant_only=False, since=date(2024, 3, 4), until=date(2024, 3, 10)
        )
    assert found["https://e.org/0"].dated == datetime(2024, 3, 5, 12, 0)  # naive UTC, stored
    assert found["https://e.org/dated"].dated == repository.to_utc_naive(dated.published)
    assert found["https://e.org/1"].dated.date() == datetime.now(UTC).date()
    assert [a.url for a in week] == ["https://e.org/0"]
    engine.dispose()


def test_upgrading_forgets_the_validators_a_sitemap_index_kept_before(tmp_path):
    """Kept, they made an index answer 304 for good, and its children were never read again."""
    engine = store.create_engine(f"sqlite:///{tmp_path}/s.db")
    with engine.begin() as conn:
        command.upgrade(store_engine._alembic_config(conn), "0008")
        for url, kind in (("https://e.org/sitemap.xml", "sitemap"), ("https://e.org/rss", "feed")):
            # Only the columns 0008 has: add_source writes those of the newest schema.
            row = {"url": url, "kind": kind, "added_at": store.utcnow()}
            conn.execute(sa.insert(schema.sources).values(**row))
        conn.execute(
            sa.update(schema.sources).values(etag='"abc"', last_modified="Mon, 1 Dec 2025")
        )
    store.migrate(engine)
    with engine.connect() as conn:
        rows = {r.kind: (r.etag, r.last_modified) for r in conn.execute(sa.select(schema.sources))}
    assert rows == {"sitemap": (None, None), "feed": ('"abc"', "Mon, 1 Dec 2025")}
    engine.dispose()


def test_a_postgresql_connection_gives_up_on_a_silent_host_after_ten_seconds(pg_store):
    """Without a connect timeout libpq waits minutes for a host that never answers, and every
    web request and collect round with it; a URL's own connect_timeout wins."""
    seen: list[dict] = []
    for url, wanted in ((pg_store, 10), (f"{pg_store}?connect_timeout=3", "3")):
        engine = store.create_engine(url)
        sa.event.listen(engine, "do_connect", lambda d, r, args, params: seen.append(params))
        with engine.connect():
            pass
        engine.dispose()
        assert seen.pop()["connect_timeout"] == wanted


def test_a_feed_added_again_in_another_case_or_with_a_fragment_is_the_same_source(engine):
    """ "HTTP://Host/feed.xml" and "…/feed.xml#top" were each a source of their own, fetched
    every round beside the one already listed."""
    with engine.begin() as conn:
        first, added = store.add_source(conn, Source("http://127.0.0.1:8766/feed.xml"))
        assert added
        for again in ("HTTP://127.0.0.1:8766/feed.xml", "http://127.0.0.1:8766/feed.xml#frag"):
            assert store.add_source(conn, Source(again)) == (first, False)
        store.add_source(conn, Source("https://User:Secret@Example.ORG/Feed.xml?Q=1#x"))
        urls = [r["url"] for r in store.list_sources(conn)]
        assert urls == [
            "http://127.0.0.1:8766/feed.xml",
            "https://User:Secret@example.org/Feed.xml?Q=1",
        ]
        assert store.remove_source(conn, "HTTP://127.0.0.1:8766/feed.xml#frag")
        assert len(store.list_sources(conn)) == 1
