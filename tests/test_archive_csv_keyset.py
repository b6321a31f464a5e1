"""The archive's CSV download without search words pages by key, not by offset: a review
found that an article stored mid-download (serve's scheduled collect) shifted every later
OFFSET batch, so that a row was given twice (or, an article purged, one left out)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import sqlalchemy as sa

from mediadigest.store import schema as t
from mediadigest.web.articles import Filters, newest_after
from mediadigest.web.routes import archive
from mediadigest.write import search_csv
from test_search_csv import save, turbine_article

NOON = datetime(2025, 12, 8, 12, 0, tzinfo=UTC)


def _ids(chunks: list[bytes]) -> list[int]:
    text = b"".join(chunks).decode("utf-8-sig")
    return [int(r["id"]) for r in csv.DictReader(io.StringIO(text)) if r["id"].isdigit()]


def _stored(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return dict(conn.execute(sa.select(t.articles.c.content_hash, t.articles.c.id)).all())


def test_an_article_stored_mid_download_repeats_no_row_and_pushes_none_out(engine, monkeypatch):
    monkeypatch.setattr(search_csv, "BATCH", 2)
    # Three at one time (the key's id breaks the tie), two older.
    save(engine, *(turbine_article(n, published=NOON) for n in range(3)))
    save(engine, turbine_article(3), turbine_article(4))
    before = _stored(engine)
    body = archive._csv_body(engine, None, Filters(), str)
    chunks = [next(body), next(body)]  # the byte order mark, then the first batch's 2 rows
    # A collect stores a newer article and one older than those sent, then the rest is sent.
    save(engine, turbine_article(5, published=datetime(2030, 1, 1, tzinfo=UTC)), turbine_article(9))
    chunks += list(body)
    ids = _ids(chunks)
    later = _stored(engine)
    assert len(ids) == len(set(ids)), ids
    # Every article there when it began, once, newest first; the older newcomer in its place.
    assert set(before.values()) <= set(ids) and later["grid9"] in ids
    assert later["grid5"] not in ids  # newer than what was sent: the next download's
    assert ids[:3] == sorted(ids[:3], reverse=True)  # one time: by id, newest first


def test_paging_by_key_gives_what_one_read_gives(engine):
    save(engine, *(turbine_article(n, published=NOON) for n in range(3)))
    save(engine, *(turbine_article(n) for n in range(3, 7)))
    with engine.connect() as conn:
        whole = [h.id for h, _ in newest_after(conn, Filters(), 100, None)]
        paged, after = [], None
        while batch := newest_after(conn, Filters(), 2, after):
            paged += [h.id for h, _ in batch]
            after = batch[-1][1]
    assert paged == whole and len(whole) == 7
