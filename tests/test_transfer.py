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


def _core(counts: dict[str, int]) -> dict[str, int]:
    return {kind: counts[kind] for kind in ("source", "document", "article", "digest")}


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
    assert _core(_import(sqlite_engine, exported)) == {
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
    assert sum(_import(engine, exported).values()) == 0
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
    assert _core(_import(engine, _export(sqlite_engine))) == {
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


def _fill_editorial(engine: sa.Engine) -> None:
    """Stories with editors' decisions, accounts, editions and operational state."""
    from mediadigest.store import collect_state
    from mediadigest.stories import persist as stories
    from mediadigest.web import persist as web

    _fill(engine)
    with engine.begin() as conn:
        (a_id,) = conn.execute(
            sa.text("SELECT id FROM articles WHERE canonical_url = 'https://news.example/a'")
        ).scalars()
        (b_id,) = conn.execute(
            sa.text("SELECT id FROM articles WHERE canonical_url = 'https://other.example/b'")
        ).scalars()
        conn.execute(
            sa.insert(store.schema.article_themes),
            [{"article_id": a_id, "theme": "energy", "score": 2.5}],
        )
        when = datetime(2025, 12, 18, 9, 0)
        first = stories.create(conn, "kazakhstan", "Wind farm opens", when, when)
        second = stories.create(conn, "kazakhstan", "Markets", when, when)
        stories.add_members(conn, "kazakhstan", first, {a_id: (None, False, ["energy"])})
        stories.add_members(conn, "kazakhstan", second, {b_id: (a_id, True, [])})
        stories.set_flag(conn, "kazakhstan", first, "pinned", by="editor")
        stories.merge(conn, "kazakhstan", first, [second], by="editor")
        stories.split(conn, "kazakhstan", first, [b_id], by="editor")
        uid, _ = web.add_user(conn, "editor", web.Role.editor, "argon2-hash")
        web.create_token(conn, uid, "newsletter")
        web.secret_key(conn)
        web.audit(conn, "editor", "publish", "kazakhstan 2025-12-15", version=1)
        stories.publish(
            conn, "kazakhstan", date(2025, 12, 15), date(2025, 12, 21), {"items": []}, by="editor"
        )
        collect_state.save_checkpoint(
            conn, collect_state.Checkpoint("/data/cc.warc.gz", "kazakhstan", 10, 5, 7, False)
        )


def test_stories_editors_work_and_accounts_move_too(engine, sqlite_engine):
    _fill_editorial(sqlite_engine)
    exported = _export(sqlite_engine)
    kinds = {r["type"] for r in _records(exported)}
    expected = "fetch theme user token setting edition audit story membership override checkpoint"
    assert set(expected.split()) <= kinds
    added = _import(engine, exported)
    assert added["story"] == 3 and added["membership"] == 2 and added["override"] == 3
    assert _records(_export(engine)) == _records(exported)

    def stories_of(e: sa.Engine) -> list[tuple]:
        with e.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT s.title, s.pinned, a.canonical_url, m.via_story"
                    " FROM story_articles m JOIN stories s ON s.id = m.story_id"
                    " JOIN articles a ON a.id = m.article_id ORDER BY a.canonical_url"
                )
            ).all()
        return [(title, bool(pinned), url, bool(via)) for title, pinned, url, via in rows]

    assert (
        stories_of(engine)
        == stories_of(sqlite_engine)
        == [
            ("Wind farm opens", True, "https://news.example/a", False),
            ("Markets", False, "https://other.example/b", True),
        ]
    )
    with engine.connect() as conn:
        user = conn.execute(sa.text("SELECT name, role FROM users")).one()
    assert tuple(user) == ("editor", "editor")


def test_importing_editorial_state_twice_adds_nothing(engine, sqlite_engine):
    _fill_editorial(sqlite_engine)
    exported = _export(sqlite_engine)
    _import(engine, exported)
    again = _import(engine, exported)
    assert sum(again.values()) == 0
    with engine.connect() as conn:
        tables = "stories story_articles story_overrides fetch_log audit_log digest_versions"
        counts = [store.count_rows(conn, name) for name in (*tables.split(), "api_tokens")]
    assert counts == [3, 2, 3, 1, 1, 1, 1]


def test_a_record_naming_an_unknown_story_is_refused_with_its_line(engine):
    text = (
        '{"mediadigest": "store-export", "format": 2}\n'
        '{"type": "override", "profile": "kazakhstan", "action": "pin", "story_id": 7,'
        ' "other_id": null, "article_ids": [], "at": "2025-12-18T09:00:00", "by": "x"}\n'
    )
    fp = io.StringIO(text)
    fp.name = "x.jsonl"
    with pytest.raises(FormatError, match=r"x.jsonl:2.*story 7"), engine.begin() as conn:
        store.import_jsonl(conn, fp)
