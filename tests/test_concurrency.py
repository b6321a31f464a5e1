"""Several processes writing one store at once lose nothing and store nothing twice.

Real processes, as a newsroom deployment runs them: two ``mediadigest ingest`` commands over
overlapping files (one analysing with ``--workers 2``), and two writers calling the store's
functions directly, in opposite orders, over overlapping keys: the pattern that deadlocks
row locks on PostgreSQL unless writers are ordered (``store.lock_for_writing``).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from mediadigest import store
from mediadigest.cli import app
from mediadigest.model import Source
from mediadigest.store import schema

# One process of direct writes: batches of articles (each with one match), a source, seen items.
WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from mediadigest import store
    from mediadigest.model import Article, Grade, Hit, Relevance, Source

    url, first, last, step = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    stop, deadline = Path(sys.argv[5]), time.monotonic() + 240
    engine = store.open_store(url)
    keys = list(range(first, last, step))
    hit = Hit("Kazakhstan", "Kazakhstan", "country", "title", 1)
    # Rewrite the same keys until the ingests are done, so every write overlaps theirs.
    while not stop.exists() and time.monotonic() < deadline:
        for start in range(0, len(keys), 20):
            batch = [Article(f"https://writer.test/{k}", f"https://writer.test/{k}", f"h{k}",
                             f"Kazakhstan item {k}", f"Text {k}.",
                             relevance=Relevance(2.0, Grade.MAJOR, True, [hit]))
                     for k in keys[start:start + 20]]
            with engine.begin() as conn:
                store.save_articles(conn, batch)
                sid, _ = store.add_source(conn, Source("https://writer.test/feed"))
                store.mark_seen(conn, sid, [a.canonical_url for a in batch])
        time.sleep(0.2)  # leave the ingests some CPU
    """
)
ARTICLES = 240  # keys 0..239; the two writers overlap on 60..179


def _write_inputs(folder: Path, numbers: range) -> Path:
    """Text files and one JSONL file of Kazakhstan news, numbered so that sets can overlap."""
    folder.mkdir(parents=True)
    for n in numbers:
        (folder / f"story-{n:03}.txt").write_text(
            f"Kazakhstan wind farm {n} opens\n\nAstana said farm {n} near Almaty opened.\n"
        )
    lines = [
        {"url": f"https://wire.test/{n}", "title": f"Tokayev visit {n}",
         "text": f"President Tokayev of Kazakhstan visited plant {n}.", "outlet": "Wire"}
        for n in numbers
    ]  # fmt: skip
    (folder / "wire.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    return folder


def _start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def _keys(engine: sa.Engine, table: sa.Table, *columns: str) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(*(table.c[c] for c in columns)))]


@pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)
def test_ingests_and_writers_at_once_lose_nothing_and_duplicate_nothing(store_url, tmp_path):
    first = _write_inputs(tmp_path / "first", range(0, 40))
    second = _write_inputs(tmp_path / "second", range(20, 60))
    db = ["-m", "mediadigest", "--db", store_url]
    stop = tmp_path / "stop"
    writers = [
        _start("-c", WRITER, store_url, "0", "180", "1", str(stop)),
        _start("-c", WRITER, store_url, str(ARTICLES - 1), "59", "-1", str(stop)),
    ]
    ingests = [
        _start(*db, "ingest", str(first), "--workers", "2"),
        _start(*db, "ingest", str(second)),
    ]
    outputs = [p.communicate(timeout=300)[0] for p in ingests]
    stop.touch()
    outputs += [p.communicate(timeout=300)[0] for p in writers]
    assert [p.returncode for p in ingests + writers] == [0, 0, 0, 0], outputs

    # The same inputs ingested one after the other, in-process, are what to expect.
    expected_url = f"sqlite:///{tmp_path}/expected.db"
    for folder in (first, second):
        result = CliRunner().invoke(app, ["--db", expected_url, "ingest", str(folder)])
        assert result.exit_code == 0, result.output
    engine, expected = store.open_store(store_url), store.open_store(expected_url)
    a, d = schema.articles, schema.documents
    got = _keys(engine, a, "canonical_url", "content_hash")
    assert len(got) == len(set(got))
    from_files = [k for k in got if not k[0].startswith("https://writer.test/")]
    assert sorted(from_files) == sorted(_keys(expected, a, "canonical_url", "content_hash"))
    assert sorted(_keys(engine, d, "url", "content_hash")) == sorted(
        _keys(expected, d, "url", "content_hash")
    )
    m = schema.article_matches
    by_writer = a.c.canonical_url.like("https://writer.test/%")
    with engine.connect() as conn:
        per_article = conn.execute(
            sa.select(sa.func.count()).join_from(m, a, m.c.article_id == a.c.id)
            .where(by_writer).group_by(m.c.article_id)
        ).scalars().all()  # fmt: skip
        from_files_matches = conn.execute(
            sa.select(sa.func.count()).join_from(m, a, m.c.article_id == a.c.id).where(~by_writer)
        ).scalar_one()
        assert len(per_article) == ARTICLES and set(per_article) == {1}
        assert store.count_rows(conn, "sources") == 1
        assert store.count_rows(conn, "seen_items") == ARTICLES
    with expected.connect() as conn:
        assert from_files_matches == store.count_rows(conn, "article_matches")
    engine.dispose()
    expected.dispose()


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)
def test_serve_watch_and_ingest_at_once_lose_nothing_and_duplicate_nothing(
    store_url, tmp_path, site
):
    """The newsroom deployment: the web app (taking editors' writes through its API),
    ``collect --watch`` and ``ingest --workers 2``, three processes on one PostgreSQL store."""

    from mediadigest.web import persist as web

    inputs = _write_inputs(tmp_path / "inputs", range(0, 40))
    feeds = [site.url("/feeds/central-asia.xml"), site.url("/feeds/atom.xml")]
    db = ["-m", "mediadigest", "--db", store_url]
    engine = store.open_store(store_url)
    with engine.begin() as conn:
        for url in feeds:
            store.add_source(conn, Source(url))
        uid, _ = web.add_user(conn, "desk", web.Role.editor, "unused-hash")
        _, token = web.create_token(conn, uid, "test")
    port = _free_port()
    server = _start(*db, "serve", "--port", str(port), "--collect-every", "off")
    watch = _start(*db, "collect", "--watch", "0.5s", "--rounds", "4", "--timeout", "5")
    ingest = _start(*db, "ingest", str(inputs), "--workers", "2")
    try:
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}",
                              headers={"Authorization": f"Bearer {token}"}, timeout=10)  # fmt: skip
        deadline = time.monotonic() + 120  # a loaded machine starts four processes at once
        while True:  # the app is up when it answers
            try:
                client.get("/api/sources")
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.1)
        # Editors add sources while the others write: 30 URLs, each sent twice. They are the
        # first feed under other names, so whichever round collects them, the articles agree.
        added = [f"{feeds[0]}?desk={n % 30}" for n in range(60)]
        codes = [client.post("/api/sources", json={"url": url}).status_code for url in added]
        outputs = [p.communicate(timeout=300)[0] for p in (watch, ingest)]
        assert [watch.returncode, ingest.returncode] == [0, 0], outputs
    finally:
        server.terminate()
        server.communicate(timeout=30)
    assert codes == [201] * 30 + [200] * 30  # each sent again is there already

    # Expected: the same collect and ingest run alone, one after the other, on SQLite.
    expected_url = f"sqlite:///{tmp_path}/expected.db"
    for args in (["sources", "add", *feeds], ["collect"], ["ingest", str(inputs)]):
        result = CliRunner().invoke(app, ["--db", expected_url, *args])
        assert result.exit_code == 0, result.output
    expected = store.open_store(expected_url)
    a, s = schema.articles, schema.sources
    got = _keys(engine, a, "canonical_url", "content_hash")
    assert len(got) == len(set(got)) and sorted(got) == sorted(
        _keys(expected, a, "canonical_url", "content_hash")
    )
    urls = [u for (u,) in _keys(engine, s, "url")]
    assert sorted(urls) == sorted({*feeds, *added})
    with engine.connect() as conn:
        audit = conn.execute(sa.text("SELECT count(*) FROM audit_log")).scalar_one()
    assert audit == 30  # one per source actually added
    engine.dispose()
    expected.dispose()


# One command, run once the file ``go`` appears (after saying it is ``ready``): the imports take
# a second or more, and staggered the processes started one after the other.
TOGETHER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from mediadigest.cli import main

    go, deadline = Path(sys.argv[1]), time.monotonic() + 120
    Path(sys.argv[2]).touch()
    while not go.exists() and time.monotonic() < deadline:
        time.sleep(0.002)
    sys.argv = ["mediadigest", *sys.argv[3:]]
    main()
    """
)


def _all_at_once(folder: Path, *commands: list[str]) -> list[tuple[int, str]]:
    """Each command in a process of its own, all let go at the same moment: (exit code, output)."""
    go, ready = folder / "go", [folder / f"ready-{n}" for n in range(len(commands))]
    for path in (go, *ready):
        path.unlink(missing_ok=True)
    started = [
        _start("-c", TOGETHER, str(go), str(flag), *command)
        for flag, command in zip(ready, commands, strict=True)
    ]
    deadline = time.monotonic() + 120
    while not all(flag.exists() for flag in ready) and time.monotonic() < deadline:
        time.sleep(0.01)
    go.touch()
    said = [p.communicate(timeout=300)[0] for p in started]
    return [(p.returncode, out) for p, out in zip(started, said, strict=True)]


def _drop_everything(url: str) -> None:
    """The PostgreSQL database as new: no tables, no schema of ours."""
    engine = sa.create_engine(store.normalise_url(url))
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


def test_commands_started_together_on_a_new_store_all_succeed_and_leave_it_whole(
    empty_url: str, tmp_path: Path
):
    """A first deployment's cron starts `collect` and `ingest` at once on a store that does not
    exist yet: each made the schema under the other ("table digests already exists"), or found
    the other's tables half made and called the store a first upgrade interrupted, "delete the
    file" (which the other was filling)."""
    for attempt in range(3):
        url = empty_url
        if url.startswith("sqlite"):
            url = f"sqlite:///{tmp_path}/new-{attempt}.db"
        elif attempt:
            _drop_everything(url)
        done = _all_at_once(
            tmp_path,
            ["--db", url, "db", "upgrade"],
            ["--db", url, "db", "upgrade"],
            ["--db", url, "sources", "add", "https://a.test/rss"],  # any command makes a store
        )
        assert [code for code, _ in done] == [0, 0, 0], done
        engine = store.create_engine(url)
        assert store.check(engine)[0] == store.engine.HEAD and not store.missing_tables(engine)
        with engine.connect() as conn:
            assert store.count_rows(conn, "sources") == 1
        engine.dispose()


def test_upgrades_started_together_on_an_older_store_both_succeed(empty_url: str, tmp_path):
    """Two `db upgrade` at once (two hosts after a deploy): both ran the same migrations, and
    the second failed on the first's work, a traceback ("Online migration expected to match one
    row when updating '0007' to '0008'")."""
    from alembic import command

    engine = store.create_engine(empty_url)
    with engine.begin() as conn:  # as a mediadigest whose newest migration was 0007 left it
        command.upgrade(store.engine._alembic_config(conn), "0007")
        conn.execute(
            sa.text("INSERT INTO sources (url, kind, added_at) VALUES (:u, 'feed', :t)"),
            {"u": "https://a.test/rss", "t": store.utcnow()},
        )
    done = _all_at_once(
        tmp_path, ["--db", empty_url, "db", "upgrade"], ["--db", empty_url, "db", "upgrade"]
    )
    assert [code for code, _ in done] == [0, 0], done
    assert store.check(engine)[0] == store.engine.HEAD and not store.missing_tables(engine)
    with engine.connect() as conn:
        assert [s["url"] for s in store.list_sources(conn)] == ["https://a.test/rss"]
    engine.dispose()
