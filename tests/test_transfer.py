"""Export and import of a whole store as JSON Lines: SQLite to PostgreSQL and back, idempotent."""

from __future__ import annotations

import contextlib
import io
import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from mediadigest import store
from mediadigest.cli import app
from mediadigest.errors import FormatError
from mediadigest.model import Article, Document, Grade, Hit, Quote, Relevance, Source
from mediadigest.store.transfer import export_file


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
    """``text`` imported as a store moves: its accounts too."""
    with engine.begin() as conn:
        return store.import_jsonl(conn, io.StringIO(text), accounts=True)


def _core(counts: dict[str, int]) -> dict[str, int]:
    return {kind: counts[kind] for kind in ("source", "document", "article", "digest")}


def _records(text: str) -> list[dict]:
    """The records between the header and the closing line."""
    return [json.loads(line) for line in text.splitlines()[1:-1]]


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


def _folders(engine: sa.Engine) -> list[tuple[str, str | None]]:
    with engine.connect() as conn:
        return [(r["url"], r["folder"]) for r in store.list_sources(conn)]


def test_sources_move_in_their_folders(engine, sqlite_engine):
    """An export then an import flattened a press office's folders."""
    filed = [("https://a.example/rss", "Russia/Business"), ("https://b.example/rss", None)]
    with sqlite_engine.begin() as conn:
        store.add_sources(conn, [Source(url, folder=folder) for url, folder in filed])
    _import(engine, _export(sqlite_engine))
    assert _folders(engine) == filed


def test_an_export_from_before_folders_imports_its_sources_at_the_top(engine, sqlite_engine):
    _fill(sqlite_engine)
    lines = _export(sqlite_engine).splitlines()
    header = {**json.loads(lines[0]), "revision": "0010"}
    records = [json.loads(line) for line in lines[1:]]
    for record in records:
        if record["type"] == "source":
            del record["folder"]
    old = "\n".join(json.dumps(r) for r in [header, *records]) + "\n"
    assert "folder" not in old
    assert _core(_import(engine, old))["source"] == 1
    assert _folders(engine) == [("https://news.example/feed", None)]


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


_HEADER = '{"mediadigest": "store-export", "format": 3}\n'


@pytest.mark.parametrize(
    ("record", "said"),
    [
        # A field of the wrong kind gave a traceback (TypeError in fromisoformat).
        ('{"type": "source", "url": "https://example.org/rss", "kind": "feed", '
         '"added_at": [1, 2]}\n', "x.jsonl:2: a source record cannot be read"),
        ('{"type": "document", "url": "https://example.org/a", "content_hash": "h", '
         '"body": "not base64!", "fetched_at": "2025-12-01T00:00:00"}\n',
         "x.jsonl:2: a document record cannot be read"),
        # A copy that stopped early was "not a record of a mediadigest export".
        ('{"type": "source", "url": "https://exa', "x.jsonl:2: the file ends in the middle"),
    ],
)  # fmt: skip
def test_a_damaged_export_is_refused_with_its_line_and_adds_nothing(engine, record, said):
    fp = io.StringIO(_HEADER + record)
    fp.name = "x.jsonl"
    with pytest.raises(FormatError) as refused, engine.begin() as conn:
        store.import_jsonl(conn, fp)
    assert said in str(refused.value)
    with engine.connect() as conn:
        assert store.count_rows(conn, "sources") == store.count_rows(conn, "documents") == 0


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


# -- the ids inside digests' JSON --------------------------------------------------------------

WEEK = (date(2025, 12, 15), date(2025, 12, 21))


def _page(n: int) -> Article:
    url = f"https://news.example/{n}"
    return Article(url, url, f"hash-{n}", f"Report {n}", f"Kazakhstan report number {n}.")


def _fill_digests(engine: sa.Engine, *, gaps: bool = True) -> dict:
    """Pages 1 to 6 (1 and 3 deleted where ``gaps``), stories of {4, 2} and {6, 5} after a
    dropped one, and a draft and an edition whose items name them all by id: the lead, the
    story, each sentence's evidence (one from page 3, written before it was deleted), the
    report each source copies (one as a string, as digests stored before hold it)."""
    from mediadigest.stories import persist as stories
    from mediadigest.web import versions

    pages = {n: _page(n) for n in range(1, 7)}
    with engine.begin() as conn:
        store.save_articles(conn, list(pages.values()))
        ids = {n: a.id for n, a in pages.items()}
        when = datetime(2025, 12, 18, 9, 0)
        dropped = stories.create(conn, "kazakhstan", "Dropped", when, when)
        first = stories.create(conn, "kazakhstan", "First", when, when)
        second = stories.create(conn, "kazakhstan", "Second", when, when)
        stories.add_members(
            conn, "kazakhstan", first, {ids[4]: (None, False), ids[2]: (ids[4], False)}
        )
        stories.add_members(
            conn, "kazakhstan", second, {ids[6]: (None, False), ids[5]: (ids[6], False)}
        )

        def source(n: int, copy_of: int | str | None = None) -> dict:
            return {"url": pages[n].url, "outlet": None, "published": None, "copy_of": copy_of}

        def span(n: int, sentence: int | str) -> dict:
            return {
                "sentence": sentence,
                "part": "summary",
                "article_id": ids[n],
                "start": 0,
                "end": 9,
            }

        content = {
            "period": {"from": "2025-12-15", "to": "2025-12-21"},
            "profile": "kazakhstan",
            "intro": "A week.",
            "items": [
                {
                    "headline": "First",
                    "article_id": ids[4],
                    "story_id": first,
                    "evidence": [
                        span(4, 0),
                        span(2, 1),
                        span(3, 2),
                        {
                            "sentence": "quote",
                            "part": "quote",
                            "article_id": 0,
                            "start": 0,
                            "end": 1,
                        },
                    ],
                    "sources": [source(4), source(2, ids[4])],
                },
                {
                    "headline": "Second",
                    "article_id": ids[6],
                    "story_id": second,
                    "evidence": [span(5, 0), span(6, 1)],
                    "sources": [source(6), source(5, str(ids[6]))],
                },
            ],
        }
        versions.save_draft(conn, "kazakhstan", *WEEK, content, user="editor", revision=None)
        stories.publish(conn, "kazakhstan", *WEEK, content, by="editor")
        if gaps:
            stories.drop(conn, dropped)
            conn.execute(
                sa.delete(store.schema.articles).where(
                    store.schema.articles.c.id.in_([ids[1], ids[3]])
                )
            )
    return content


def _editions(engine: sa.Engine) -> list[dict]:
    """The period's draft and its latest edition."""
    from mediadigest.web import versions

    with engine.connect() as conn:
        draft, _ = versions.get_draft(conn, "kazakhstan", *WEEK)
        edition = versions.latest_version(conn, "kazakhstan", *WEEK)["content"]
    return [draft, edition]


def _named(engine: sa.Engine, content: dict) -> list[dict]:
    """The digest's ids as what they name in ``engine``: pages by URL, stories by their pages."""
    with engine.connect() as conn:
        urls = dict(conn.execute(sa.text("SELECT id, url FROM articles")).all())
        rows = conn.execute(
            sa.text(
                "SELECT m.story_id, a.url FROM story_articles m"
                " JOIN articles a ON a.id = m.article_id"
            )
        ).all()
    members: dict[int, set[str]] = {}
    for story_id, url in rows:
        members.setdefault(story_id, set()).add(url)

    def page(value: int | str | None) -> str | None:
        return urls.get(int(value)) if value else None

    return [
        {
            "lead": page(item["article_id"]),
            "story": sorted(members.get(item["story_id"], ())),
            "evidence": [page(e["article_id"]) for e in item["evidence"]],
            "copies": [page(s["copy_of"]) for s in item["sources"]],
        }
        for item in content["items"]
    ]


@pytest.mark.parametrize("direction", ["from this backend", "to this backend"])
def test_drafts_and_editions_name_the_same_pages_and_stories_after_a_move(
    engine, sqlite_engine, direction
):
    source, target = (
        (engine, sqlite_engine) if direction == "from this backend" else (sqlite_engine, engine)
    )
    _fill_digests(source)
    _import(target, _export(source))
    before = [_named(source, content) for content in _editions(source)]
    after = [_named(target, content) for content in _editions(target)]
    assert after == before
    assert after[0][0] == {
        "lead": "https://news.example/4",
        "story": ["https://news.example/2", "https://news.example/4"],
        "evidence": ["https://news.example/4", "https://news.example/2", None, None],
        "copies": [None, "https://news.example/4"],
    }


def test_an_id_of_a_page_the_file_does_not_carry_becomes_null_and_is_counted(
    engine, sqlite_engine, caplog
):
    _fill_digests(sqlite_engine)
    with caplog.at_level("WARNING", logger="mediadigest.store.transfer"):
        _import(engine, _export(sqlite_engine))
    for content in _editions(engine):
        assert [e["article_id"] for e in content["items"][0]["evidence"]][2:] == [None, 0]
    assert "2 ids in the JSON of digests, drafts or editions" in caplog.text  # page 3, twice


def test_a_store_without_gaps_moves_with_the_ids_in_its_digests_unchanged(engine, sqlite_engine):
    content = _fill_digests(sqlite_engine, gaps=False)
    _import(engine, _export(sqlite_engine))
    assert _editions(engine) == [content, content]


def test_ids_in_drafts_follow_their_pages_into_a_store_that_has_some_already(engine, sqlite_engine):
    with engine.begin() as conn:
        store.save_articles(conn, [_page(10), _page(11), _page(5)])
    _fill_digests(sqlite_engine)
    _import(engine, _export(sqlite_engine))
    before = [_named(sqlite_engine, content) for content in _editions(sqlite_engine)]
    assert [_named(engine, content) for content in _editions(engine)] == before


def test_importing_digests_twice_adds_nothing_and_keeps_their_ids(engine, sqlite_engine):
    _fill_digests(sqlite_engine)
    exported = _export(sqlite_engine)
    _import(engine, exported)
    first = _editions(engine)
    assert sum(_import(engine, exported).values()) == 0
    assert _editions(engine) == first


def test_an_export_without_article_refs_points_ids_at_their_pages_where_the_file_tells(
    engine, sqlite_engine
):
    """A format 2 file: pages 2, 4, 5, 6 had ids 2, 4, 5, 6. The leads tie 4 and 6 to their
    URLs, so 5 lies between them; what 2 was cannot be known (1 or 3 might be the gap)."""
    _fill_digests(sqlite_engine)
    lines = _export(sqlite_engine).splitlines()
    records = [json.loads(line) for line in lines[1:-1]]  # format 2 had no closing line
    for record in records:
        if record["type"] == "article":
            del record["ref"]
    old = [json.dumps({"mediadigest": "store-export", "format": 2})] + [
        json.dumps(r) for r in records
    ]
    _import(engine, "\n".join(old) + "\n")
    first, second = _named(engine, _editions(engine)[0])
    assert first["lead"] == "https://news.example/4"
    assert first["evidence"] == ["https://news.example/4", None, None, None]
    assert first["copies"] == [None, "https://news.example/4"]
    assert first["story"] == ["https://news.example/2", "https://news.example/4"]
    assert second == {
        "lead": "https://news.example/6",
        "story": ["https://news.example/5", "https://news.example/6"],
        "evidence": ["https://news.example/5", "https://news.example/6"],
        "copies": [None, "https://news.example/6"],
    }


# An export holds the web app's signing key, the password and token hashes and the audit log
# (F7 of the security walk): the file is its owner's alone, and can be written without them.


@pytest.fixture
def umask_022():
    old = os.umask(0o022)  # the usual umask: files 0644, readable by everyone
    yield
    os.umask(old)


def _cli_export(db: sa.Engine, out: Path, *options: str) -> None:
    url = db.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(app, ["--db", url, "export", str(out), *options])
    assert result.exit_code == 0, (result.stdout, result.stderr)


def test_export_writes_a_file_only_its_owner_can_read(sqlite_engine, tmp_path, umask_022):
    _fill_editorial(sqlite_engine)
    out = tmp_path / "store.jsonl"
    _cli_export(sqlite_engine, out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert {"user", "token", "setting", "audit"} <= {r["type"] for r in _records(out.read_text())}


def test_export_over_a_readable_file_replaces_it_with_its_owners_alone(
    sqlite_engine, tmp_path, umask_022
):
    # A reader who opened the old file keeps reading that one, not the new secrets.
    _fill_editorial(sqlite_engine)
    out = tmp_path / "store.jsonl"
    out.write_text("an older export\n")
    out.chmod(0o644)
    with out.open() as held:
        _cli_export(sqlite_engine, out)
        assert held.read() == "an older export\n"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert out.read_text().startswith('{"mediadigest": "store-export"')
    assert [p.name for p in tmp_path.iterdir() if "jsonl" in p.name] == ["store.jsonl"]


def test_an_export_that_fails_leaves_no_part_of_itself(tmp_path):
    out = tmp_path / "store.jsonl"
    out.write_text("the last good export\n")
    with pytest.raises(RuntimeError), export_file(out) as fp:
        fp.write('{"mediadigest": "store-export"}\n')
        raise RuntimeError("the store went away")
    assert out.read_text() == "the last good export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["store.jsonl"]


def test_an_export_to_a_device_writes_to_it_as_it_is():
    null = Path(os.devnull)
    mode = null.stat().st_mode
    with export_file(null) as fp:
        fp.write("nothing\n")
    assert null.stat().st_mode == mode


def test_an_export_to_stdout_appends_to_the_file_it_was_sent_to(tmp_path):
    """`export /dev/stdout >> file`: /dev/stdout led to the file, which was replaced."""
    out = tmp_path / "log.jsonl"
    out.write_text("what was there\n")
    inode = out.stat().st_ino
    code = (
        "from pathlib import Path; from mediadigest.store.transfer import export_file\n"
        "with export_file(Path('/dev/stdout')) as fp: fp.write('the export\\n')"
    )
    with out.open("a") as appended:
        subprocess.run([sys.executable, "-c", code], stdout=appended, check=True)
    assert out.read_text() == "what was there\nthe export\n"
    assert out.stat().st_ino == inode


@contextlib.contextmanager
def _unwritable(folder: Path) -> Iterator[None]:
    """``folder`` as one this user cannot add a file to (root writes any: immutable, then)."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)
        return
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode:
        pytest.skip("root writes any folder, and chattr +i is not allowed here")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


def test_an_export_over_a_writable_file_in_a_folder_that_is_not_is_written_in_place(tmp_path):
    """A pre-created /var/backups/md.jsonl: the temporary file could not be made beside it."""
    folder = tmp_path / "backups"
    folder.mkdir()
    out = folder / "md.jsonl"
    out.write_text("an older export, longer than the new one\n")
    out.chmod(0o644)
    with _unwritable(folder):
        with export_file(out) as fp:
            fp.write("the export\n")
        assert [p.name for p in folder.iterdir()] == ["md.jsonl"]
    assert out.read_text() == "the export\n"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_export_without_accounts_leaves_out_users_tokens_key_and_audit(sqlite_engine, tmp_path):
    _fill_editorial(sqlite_engine)
    out = tmp_path / "articles.jsonl"
    _cli_export(sqlite_engine, out, "--no-accounts")
    text = out.read_text()
    kinds = {r["type"] for r in _records(text)}
    assert not kinds & {"user", "token", "setting", "audit"}
    assert {"source", "article", "story", "edition", "override"} <= kinds
    assert json.loads(text.splitlines()[0])["accounts"] is False
    with sqlite_engine.connect() as conn:
        key = conn.execute(sa.text("SELECT value FROM web_settings")).scalar_one()
    assert key not in text and "argon2-hash" not in text


def test_an_export_without_accounts_imports_everything_else(engine, sqlite_engine, tmp_path):
    _fill_editorial(sqlite_engine)
    with sqlite_engine.connect() as conn:
        with_accounts = io.StringIO()
        store.export_jsonl(conn, with_accounts)
        without = io.StringIO()
        store.export_jsonl(conn, without, accounts=False)
    added = _import(engine, without.getvalue())
    assert added["story"] == 3 and added["edition"] == 1 and added["article"] == 2
    assert added["user"] == added["token"] == added["audit"] == added["setting"] == 0
    expected = [
        r
        for r in _records(with_accounts.getvalue())
        if r["type"] not in {"user", "token", "setting", "audit"}
    ]
    assert _records(_export(engine)) == expected


# -- an export says where it ends (an operations walk): a file cut at a line's end, or with a
# line lost, imported "successfully" without users, editions or stories.


def _every_count(engine: sa.Engine) -> dict[str, int]:
    """Rows in every table of the store (the full-text index's own tables too)."""
    with engine.connect() as conn:
        names = sa.inspect(conn).get_table_names()
        return {n: conn.exec_driver_sql(f'SELECT count(*) FROM "{n}"').scalar() for n in names}


def _refused(engine: sa.Engine, text: str, name: str = "x.jsonl") -> str:
    """What importing ``text`` raised, having checked that it left the store as it was."""
    before = _every_count(engine)
    fp = io.StringIO(text)
    fp.name = name
    with pytest.raises(FormatError) as refused, engine.begin() as conn:
        store.import_jsonl(conn, fp)
    assert _every_count(engine) == before
    return str(refused.value)


def test_an_export_ends_with_how_many_records_of_each_type_it_holds(sqlite_engine):
    _fill_editorial(sqlite_engine)
    lines = _export(sqlite_engine).splitlines()
    assert json.loads(lines[0])["format"] == 4
    kinds = [json.loads(line)["type"] for line in lines[1:-1]]
    assert json.loads(lines[-1]) == {
        "type": "end",
        "records": {kind: kinds.count(kind) for kind in dict.fromkeys(kinds)},
    }


@pytest.mark.parametrize("keep", [12, -1], ids=["after 11 records", "all but the last line"])
def test_an_export_cut_at_a_lines_end_imports_nothing_and_says_where_it_ends(
    engine, sqlite_engine, keep
):
    _fill_editorial(sqlite_engine)
    lines = _export(sqlite_engine).splitlines(keepends=True)[:keep]
    said = _refused(engine, "".join(lines), "cut.jsonl")
    assert said == (
        f"cut.jsonl: cut short: it ends at line {len(lines)} without the closing line that "
        "counts its records (a copy or download stopped early?)"
    )


def test_an_export_missing_a_line_imports_nothing_and_says_what_its_end_promised(
    engine, sqlite_engine
):
    _fill_editorial(sqlite_engine)
    lines = _export(sqlite_engine).splitlines(keepends=True)
    del lines[next(i for i, line in enumerate(lines) if line.startswith('{"type": "user"'))]
    assert _refused(engine, "".join(lines)) == (
        f"x.jsonl: damaged: its closing line (line {len(lines)}) promises user 1, but the file "
        "holds user 0 (lines lost or added)"
    )


def test_two_exports_joined_import_nothing(engine, sqlite_engine):
    _fill(sqlite_engine)
    text = _export(sqlite_engine)
    said = _refused(engine, text + text)
    end = len(text.splitlines())
    assert said == f"x.jsonl:{end + 1}: a line after the closing line (line {end}): files joined?"


def test_an_export_cut_short_is_one_line_at_the_command_line_and_stores_nothing(
    engine, sqlite_engine, tmp_path
):
    from test_cli_errors import mediadigest, one_line_error

    _fill_editorial(sqlite_engine)
    cut = tmp_path / "cut.jsonl"
    cut.write_text("".join(_export(sqlite_engine).splitlines(keepends=True)[:-1]))
    before = _every_count(engine)
    url = engine.url.render_as_string(hide_password=False)
    line = one_line_error(mediadigest("--db", url, "import", str(cut)), 1)
    assert line.startswith(f"error: {cut}: cut short: it ends at line ")
    assert line.endswith("; nothing was imported")
    assert _every_count(engine) == before


def test_an_export_of_format_3_imports_with_a_warning_that_its_end_cannot_be_checked(
    engine, sqlite_engine, caplog
):
    _fill(sqlite_engine)
    lines = _export(sqlite_engine).splitlines()
    old = [json.dumps({**json.loads(lines[0]), "format": 3}), *lines[1:-1]]
    with caplog.at_level("WARNING", logger="mediadigest.store.transfer"):
        added = _import(engine, "\n".join(old) + "\n")
    assert _core(added) == {"source": 1, "document": 1, "article": 2, "digest": 1}
    assert (
        "import: an export of format 3 has no closing line with its record counts: whether it "
        "is whole cannot be checked" in caplog.text
    )


@pytest.mark.parametrize("revision", ["0999", ["0010"]])
def test_an_export_from_a_schema_revision_this_version_does_not_know_is_refused(engine, revision):
    """As a store at such a revision is: its records may hold columns this version would
    drop without a word (it imported, checking only the format)."""
    header = json.dumps({"mediadigest": "store-export", "format": 4, "revision": revision})
    said = _refused(engine, header + '\n{"type": "end", "records": {}}\n')
    assert said == (
        f"x.jsonl:1: written from a store at schema revision {revision!r}, which this "
        f"mediadigest does not know (its newest is {store.engine.HEAD}): import it with a "
        "mediadigest at least as new as the one that wrote it"
    )


def test_an_export_from_an_older_revision_imports(engine):
    header = json.dumps({"mediadigest": "store-export", "format": 4, "revision": "0006"})
    assert sum(_import(engine, header + '\n{"type": "end", "records": {}}\n').values()) == 0


def test_a_closing_line_without_counts_is_refused_with_its_line(engine):
    header = json.dumps({"mediadigest": "store-export", "format": 4})
    said = _refused(engine, header + '\n{"type": "end", "records": [3]}\n')
    assert said == "x.jsonl:2: the closing line holds no record counts"


def test_exporting_an_empty_store_says_it_holds_nothing(sqlite_engine, tmp_path):
    url = sqlite_engine.url.render_as_string(hide_password=False)
    out = tmp_path / "empty.jsonl"
    result = CliRunner().invoke(app, ["--db", url, "export", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == f"exported to {out}: nothing, the store is empty"
    assert _records(out.read_text()) == []


# -- importing into a store that has some of it already -----------------------------------------


def _group_here(engine: sa.Engine) -> dict[str, int]:
    """Pages 2, 4 and 6 in stories of this store's own ("Ours 4", "Ours 6"); page 5 in none."""
    from mediadigest.stories import persist as stories

    pages = {n: _page(n) for n in (2, 4, 5, 6)}
    with engine.begin() as conn:
        store.save_articles(conn, list(pages.values()))
        when = datetime(2025, 12, 19, 7, 0)
        ours = {
            "Ours 4": stories.create(conn, "kazakhstan", "Ours 4", when, when),
            "Ours 6": stories.create(conn, "kazakhstan", "Ours 6", when, when),
        }
        members = {pages[4].id: (None, False), pages[2].id: (pages[4].id, False)}
        stories.add_members(conn, "kazakhstan", ours["Ours 4"], members)
        stories.add_members(conn, "kazakhstan", ours["Ours 6"], {pages[6].id: (None, False)})
    return ours


def _story_sizes(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT s.title, count(m.article_id) FROM stories s"
                " LEFT JOIN story_articles m ON m.story_id = s.id GROUP BY s.title"
            )
        ).all()
    return dict(rows)


def test_a_story_whose_pages_are_in_stories_here_is_not_made_empty(engine, sqlite_engine, caplog):
    """Both stores grouped the same pages, each in stories of its own: the file's stories were
    made all the same, their members refused (a page is in one story per profile), and they
    stayed empty, listed and exported again. "First" {4, 2} is all here: not made, and the
    editions name "Ours 4"; "Second" {6, 5} is made with page 5, the one not grouped here."""
    from mediadigest.stories import persist as stories

    _fill_digests(sqlite_engine)
    with sqlite_engine.begin() as conn:
        first = conn.execute(sa.text("SELECT id FROM stories WHERE title = 'First'")).scalar()
        stories.set_flag(conn, "kazakhstan", first, "pinned", by="editor")
    ours = _group_here(engine)
    exported = _export(sqlite_engine)
    with caplog.at_level("WARNING", logger="mediadigest.store.transfer"):
        added = _import(engine, exported)
    assert _story_sizes(engine) == {"Ours 4": 2, "Ours 6": 1, "Second": 1}
    assert (added["story"], added["membership"], added["override"]) == (1, 1, 0)
    assert "import: 1 story of the file not made: every article of it is in a story" in caplog.text
    with engine.connect() as conn:
        second = conn.execute(sa.text("SELECT id FROM stories WHERE title = 'Second'")).scalar()
        assert store.count_rows(conn, "story_overrides") == 0  # the pin of "First" stays behind
    for content in _editions(engine):
        assert [item["story_id"] for item in content["items"]] == [ours["Ours 4"], second]
    assert sum(_import(engine, exported).values()) == 0
    assert _story_sizes(engine) == {"Ours 4": 2, "Ours 6": 1, "Second": 1}


def test_an_edition_or_draft_this_store_has_in_other_words_is_left_out_and_named(
    engine, sqlite_engine, caplog
):
    """They were skipped without a word (the file's version 1 of the week, and its draft, are
    not this store's)."""
    from mediadigest.stories import persist as stories
    from mediadigest.web import versions

    _fill_digests(sqlite_engine)
    ours = {"intro": "Our own week.", "items": []}
    with engine.begin() as conn:
        stories.publish(conn, "kazakhstan", *WEEK, ours, by="editor")
        versions.save_draft(conn, "kazakhstan", *WEEK, ours, user="editor", revision=None)
    with caplog.at_level("WARNING", logger="mediadigest.store.transfer"):
        added = _import(engine, _export(sqlite_engine))
    assert added["edition"] == added["draft"] == 0
    week = "kazakhstan 2025-12-15..2025-12-21"
    assert (
        f"import: version 1 of {week} left out: this store has a version 1 of that period with "
        "other content, kept as it is" in caplog.text
    )
    assert (
        f"import: the draft of {week} left out: this store has a draft of that period with "
        "other content, kept as it is" in caplog.text
    )
    assert _editions(engine) == [ours, ours]


def test_an_edition_imported_before_is_not_called_other_content(engine, sqlite_engine, caplog):
    """Its ids were pointed at this store's rows on the first import: the file's, pointed the
    same way, are the same edition."""
    _fill_digests(sqlite_engine)
    exported = _export(sqlite_engine)
    _import(engine, exported)
    with caplog.at_level("WARNING", logger="mediadigest.store.transfer"):
        _import(engine, exported)
    assert "left out" not in caplog.text
