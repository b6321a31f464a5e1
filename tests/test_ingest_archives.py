"""Ingesting WARC archives: relevant articles only, prefilter-safe, checkpointed per input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from mediadigest import run, store
from mediadigest.collect import warc
from mediadigest.profile import load_profile
from mediadigest.store import collect_state
from warc_files import Page, mixed_pages, write_warc

SMALL = 16_000  # bytes per task: many ranges out of a small archive


@pytest.fixture(scope="module")
def profile():
    return load_profile("kazakhstan")


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    return write_warc(tmp_path_factory.mktemp("a") / "crawl.warc.gz", mixed_pages(filler=80))


def snapshot(engine: sa.Engine) -> dict[str, list]:
    """The store's content, without ids and the times rows were written."""
    with engine.connect() as conn:
        docs = conn.execute(
            sa.text(
                "SELECT url, content_hash, fetched_at, source, hints FROM documents ORDER BY url"
            )
        )
        arts = conn.execute(sa.text(
            "SELECT url, canonical_url, content_hash, title, text, score, grade, relevant, "
            "published, language FROM articles ORDER BY url, content_hash"))  # fmt: skip
        # A file's fetch time is when it was read; an archive record's is its WARC-Date.
        documents = [(u, h, at if "warc_record_id" in hints else None, src, hints)
                     for u, h, at, src, hints in docs]  # fmt: skip
        return {"documents": documents, "articles": [tuple(r) for r in arts]}


def _ingest(tmp_path: Path, name: str, profile, paths, **kw) -> tuple[sa.Engine, run.RunReport]:
    engine = store.open_store(f"sqlite:///{tmp_path / name}")
    return engine, run.ingest(engine, profile, paths, **kw)


def test_archive_ingest_stores_only_relevant_articles(tmp_path, profile, archive):
    engine, report = _ingest(tmp_path, "s.db", profile, [archive])
    arts = snapshot(engine)["articles"]
    assert arts and all(row[7] for row in arts)  # relevant
    assert report.relevant == len(arts) and report.ok


def test_an_archive_page_without_a_date_is_dated_when_it_was_crawled(tmp_path, profile, archive):
    # write_warc's records are all of 2025-12-18 10:00 (WARC-Date); ingested "now".
    engine, _ = _ingest(tmp_path, "s.db", profile, [archive])
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT published, dated FROM articles")).all()
    undated = [dated for published, dated in rows if published is None]
    assert undated and {str(d) for d in undated} == {"2025-12-18 10:00:00.000000"}


def test_articles_show_an_undated_page_by_its_crawl_day(tmp_path, archive):
    from test_end_to_end import Cli

    cli = Cli(tmp_path / "s.db")
    cli("ingest", str(archive), "--workers", "0")
    undated = [a for a in cli.json("articles", "--json") if a["published"] is None]
    assert undated and {a["dated"] for a in undated} == {"2025-12-18T10:00:00"}
    table = cli("articles").stdout
    assert "2025-12-18*" in table and "* no date of its own" in table


def test_prefilter_rules_out_most_records_unread(tmp_path, profile, archive):
    _, report = _ingest(tmp_path, "s.db", profile, [archive])
    assert report.records > 80
    assert report.prefiltered >= 80  # every filler page


def test_store_is_the_same_with_and_without_the_prefilter(tmp_path, profile, archive):
    fast, _ = _ingest(tmp_path, "a.db", profile, [archive], shard_size=SMALL)
    slow, _ = _ingest(tmp_path, "b.db", profile, [archive],
                      options=run.Options(prefilter=False))  # fmt: skip
    assert snapshot(fast) == snapshot(slow)


def test_every_prefilter_backend_gives_the_same_store(tmp_path, profile, archive):
    stores = [
        snapshot(
            _ingest(tmp_path, f"{b}.db", profile, [archive], options=run.Options(backend=b))[0]
        )
        for b in ("hyperscan", "pyahocorasick")
    ]
    assert stores[0] == stores[1]


def test_ranges_give_the_same_store_as_one_pass(tmp_path, profile, archive):
    whole, _ = _ingest(tmp_path, "a.db", profile, [archive])
    pieces, _ = _ingest(tmp_path, "b.db", profile, [archive], shard_size=SMALL)
    assert snapshot(whole) == snapshot(pieces)


def test_a_finished_input_is_skipped_next_time(tmp_path, profile, archive):
    engine, _ = _ingest(tmp_path, "s.db", profile, [archive])
    again = run.ingest(engine, profile, [archive])
    assert again.skipped_inputs == 1 and again.records == 0
    assert "1 input already ingested" in again.summary()


def test_fresh_reads_a_finished_input_again(tmp_path, profile, archive):
    engine, first = _ingest(tmp_path, "s.db", profile, [archive])
    again = run.ingest(engine, profile, [archive], fresh=True)
    assert again.records == first.records and again.articles == 0


def test_fresh_keeps_the_checkpoints_of_the_other_inputs(tmp_path, profile, archive):
    """On a shared store, one user's `--fresh small.jsonl` dropped every checkpoint: a
    colleague's archive was read again from its start."""
    other = write_warc(tmp_path / "other.warc.gz", mixed_pages(filler=5))
    engine, _ = _ingest(tmp_path, "s.db", profile, [archive, other])
    again = run.ingest(engine, profile, [other], fresh=True)
    assert again.records > 0  # read again, as asked
    after = run.ingest(engine, profile, [archive])
    assert after.skipped_inputs == 1 and after.records == 0  # still known to be done


def test_a_changed_file_starts_over(tmp_path, profile):
    path = write_warc(tmp_path / "c.warc.gz", mixed_pages(filler=5))
    engine, _ = _ingest(tmp_path, "s.db", profile, [path])
    write_warc(path, mixed_pages(filler=9))
    again = run.ingest(engine, profile, [path])
    assert again.skipped_inputs == 0 and again.records > 9


def test_truncated_archive_is_reported_kept_and_retried(tmp_path, profile, archive):
    cut = tmp_path / "cut.warc.gz"
    data = archive.read_bytes()
    cut.write_bytes(data[: len(data) * 3 // 4])
    engine, report = _ingest(tmp_path, "s.db", profile, [cut], shard_size=SMALL)
    assert len(report.errors) == 1 and "truncated" in report.errors[0]
    assert report.relevant > 0  # what came before the damage is stored
    with engine.connect() as conn:
        (cp,) = collect_state.checkpoints(conn, profile.name).values()
    assert not cp.done and 0 < cp.position < cut.stat().st_size
    again = run.ingest(engine, profile, [cut], shard_size=SMALL)
    assert len(again.errors) == 1 and again.records < report.records  # resumed, not redone


@pytest.mark.parametrize("how", ["short", "long"])
def test_a_wrong_content_length_in_a_plain_warc_costs_only_its_own_record(tmp_path, profile, how):
    """Every record after it was lost: the read stopped at the damage."""
    from test_warc import _with_length

    pages = mixed_pages(filler=40, every=4)
    whole = write_warc(tmp_path / "whole.warc", pages, gzip_members=False)
    # A page about nothing, just before one about the country (record 0 is the warcinfo).
    k = next(i for i in range(1, len(pages)) if "filler" in pages[i - 1].url
             and "news.example" in pages[i].url and i > len(pages) // 3)  # fmt: skip
    bad = tmp_path / "bad.warc"
    at, _, after = _with_length(whole, bad, k, how)
    expected, _ = _ingest(tmp_path, "whole.db", profile, [whole], shard_size=8_000)
    engine, report = _ingest(tmp_path, "bad.db", profile, [bad], shard_size=8_000)
    (error,) = report.errors
    assert f"record at offset {at} does not end where its Content-Length" in error
    assert f"offsets {at} to {after} skipped (1 record)" in error
    assert snapshot(engine)["articles"] == snapshot(expected)["articles"]


def test_plain_files_beside_an_archive_keep_every_article(tmp_path, profile, archive):
    page = tmp_path / "chile.html"
    page.write_text("<html><title>Chile wine</title><body><p>Wine from Chile.</p></body></html>")
    engine, _ = _ingest(tmp_path, "s.db", profile, [archive, page])
    titles = {row[3] for row in snapshot(engine)["articles"]}
    assert "Chile wine" in titles


def test_ingest_report_times_start_work_stop_and_group(tmp_path, profile, archive):
    _, report = _ingest(tmp_path, "s.db", profile, [archive])
    assert set(report.seconds) == {"start", "work", "stop", "group", "task_cpu"}
    assert all(s >= 0 for s in report.seconds.values())


_WARMED: list[str] = []


def _warm_up() -> None:
    _WARMED.append("warm")


def _warmed(_item: int) -> int:
    return len(_WARMED)


@pytest.mark.parametrize("workers", [0, None], ids=["in-process", "process-pool"])
def test_every_worker_is_warmed_once_before_its_first_task(workers):
    _WARMED.clear()
    with run.executor_for(workers, tasks=2, setup=_warm_up) as (executor, _, _):
        seen = [executor.submit(_warmed, i).result() for i in range(4)]
    assert seen == [1, 1, 1, 1]


def test_default_task_size_gives_each_local_worker_about_four_tasks(tmp_path):
    from mediadigest.run.ingest import MIN_SHARD_SIZE, SHARD_SIZE, auto_shard_size, local_slots

    def sparse(name: str, size: int) -> Path:
        path = tmp_path / name
        with path.open("wb") as fh:
            fh.truncate(size)  # the size on record, no blocks on disk
        return path

    archive = sparse("crawl.warc.gz", 200 << 20)
    assert auto_shard_size([archive], 2) == 25 << 20  # 8 tasks: neither worker waits
    assert auto_shard_size([archive], local_slots(0)) == 50 << 20  # in process: one slot
    assert auto_shard_size([tmp_path], 2) == 25 << 20  # a folder counts its files
    assert auto_shard_size([sparse("small.jsonl", 1 << 20)], 2) == MIN_SHARD_SIZE
    month = sparse("month.warc.gz", 40 << 30)
    assert auto_shard_size([month], 2) == SHARD_SIZE  # a result batch stays bounded
    assert auto_shard_size([tmp_path / "missing"], 2) == MIN_SHARD_SIZE


def test_a_response_too_big_to_be_a_page_is_skipped_with_a_warning(tmp_path, profile, monkeypatch):
    monkeypatch.setattr(warc, "MAX_PAYLOAD", 5_000)
    big = b"<html><body><p>" + b"Kazakhstan wheat. " * 5_000 + b"</p></body></html>"
    path = write_warc(tmp_path / "big.warc.gz", [Page("https://big.example/a", big)])
    _, report = _ingest(tmp_path, "s", profile, [path], workers=0)
    (note,) = [w for w in report.warnings if "skipped" in w]
    assert note.startswith(f"{path}: record at offset ") and "(https://big.example/a)" in note
    size = int(re.search(r"skipped: ([\d,]+) bytes", note)[1].replace(",", ""))
    assert size > len(big) and "over the 5,000 a page may have" in note


def test_progress_counts_the_bytes_of_input_to_the_planned_end(tmp_path, profile, archive):
    """The bar has an end (it showed "12/?") and reaches it; a finished input is not planned."""
    engine = store.open_store(f"sqlite:///{tmp_path / 's.db'}")
    planned: list[int] = []
    done: list[int] = []
    run.ingest(engine, profile, [archive], shard_size=SMALL, planned=planned.append,
               progress=done.append)  # fmt: skip
    assert planned == [archive.stat().st_size] and sum(done) == planned[0] and len(done) > 1
    again: list[int] = []
    run.ingest(engine, profile, [archive], planned=again.append)
    assert again == [0]


# -- inputs that grew since their checkpoint ---------------------------------------------------


def _append(path: Path, pages: list[Page]) -> None:
    """``pages`` added at the end of ``path``, as a crawler still writing it adds them (after a
    warcinfo record of their own)."""
    more = write_warc(path.with_name(f"more-{path.name}"), pages, gzip_members=warc.is_gzip(path))
    with path.open("ab") as fh:
        fh.write(more.read_bytes())
    more.unlink()


def _grown(tmp_path: Path, name: str, profile) -> tuple[Path, sa.Engine, int, list[Page]]:
    """An archive ingested whole, then grown: (it, the store, its size then, the pages added)."""
    pages = mixed_pages(filler=30, every=5)
    path = write_warc(tmp_path / name, pages[:20], gzip_members=name.endswith(".gz"))
    engine, _ = _ingest(tmp_path, "s.db", profile, [path], shard_size=SMALL)
    size = path.stat().st_size
    _append(path, pages[20:])
    return path, engine, size, pages[20:]


@pytest.mark.parametrize("name", ["grows.warc.gz", "grows.warc"])
def test_an_archive_that_grew_since_it_was_ingested_is_read_on_from_where_it_ended(
    tmp_path, profile, name
):
    """A crawl still being written was read again from its first byte at every ingest."""
    path, engine, size, added = _grown(tmp_path, name, profile)
    again = run.ingest(engine, profile, [path], shard_size=SMALL)
    assert again.resumed == [(str(path), size, path.stat().st_size)]
    assert again.skipped_inputs == 0 and not again.changed_inputs and again.ok
    assert again.records == len(added) + 1  # and the added warcinfo record
    whole, _ = _ingest(tmp_path, "whole.db", profile, [path], shard_size=SMALL)
    assert snapshot(engine) == snapshot(whole)
    with engine.connect() as conn:
        (cp,) = collect_state.checkpoints(conn, profile.name).values()
    assert (cp.position, cp.done) == (path.stat().st_size, True) and cp.fingerprint


def _changed_at(path: Path, where: str) -> None:
    """``path`` with one byte changed (another letter or digit, so it still reads): in its
    warcinfo record's id (its first block), or in the page of its last record."""
    data = bytearray(path.read_bytes())
    at = data.index(b"urn:uuid:") + 9 if where == "first block" else data.rindex(b"</p>") - 1
    data[at] = ord("a") if data[at] != ord("a") else ord("b")
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("where", ["first block", "last block"])
def test_a_larger_archive_that_differs_in_what_was_read_is_read_from_its_start(
    tmp_path, profile, where
):
    """Another crawl's file of the same name, or one rewritten: not read on as if appended."""
    path, engine, size, _ = _grown(tmp_path, "grows.warc", profile)
    data = path.read_bytes()
    head = tmp_path / "head.warc"
    head.write_bytes(data[:size])
    _changed_at(head, where)
    path.write_bytes(head.read_bytes() + data[size:])
    again = run.ingest(engine, profile, [path], shard_size=SMALL)
    assert again.changed_inputs == [str(path)] and not again.resumed
    assert again.records == _record_count(path)


def _record_count(path: Path) -> int:
    stats = warc.Stats()
    list(warc.iter_records(path, stats=stats))
    return stats.records


def test_a_grown_archive_whose_checkpoint_has_no_fingerprint_is_read_from_its_start(
    tmp_path, profile
):
    """A checkpoint stored before they were kept cannot tell: as before, from byte 0."""
    path, engine, _, _ = _grown(tmp_path, "grows.warc.gz", profile)
    with engine.begin() as conn:
        (cp,) = collect_state.checkpoints(conn, profile.name).values()
        cp.fingerprint = None
        collect_state.save_checkpoint(conn, cp)
    again = run.ingest(engine, profile, [path], shard_size=SMALL)
    assert again.changed_inputs == [str(path)] and not again.resumed
    assert again.records == _record_count(path)


def test_a_jsonl_file_that_grew_is_read_on_from_where_it_ended(tmp_path, profile):
    text = (Path(__file__).parent / "fixtures" / "files" / "export.jsonl").read_bytes()
    lines = [line for line in text.splitlines(keepends=True) if line.startswith(b'{"url": ')]
    assert len(lines) >= 3
    path = tmp_path / "feed.jsonl"
    path.write_bytes(b"".join(lines[:2]))
    engine, first = _ingest(tmp_path, "s.db", profile, [path])
    with path.open("ab") as fh:
        fh.write(b"".join(lines[2:]))
    again = run.ingest(engine, profile, [path])
    assert again.resumed == [(str(path), len(b"".join(lines[:2])), path.stat().st_size)]
    assert again.already_stored == 0 and first.documents + again.documents == len(lines)
    whole, _ = _ingest(tmp_path, "whole.db", profile, [path])
    assert snapshot(engine)["articles"] == snapshot(whole)["articles"]


@pytest.mark.parametrize("shard_size", [None, SMALL])
@pytest.mark.parametrize("damage", ["not-warc", "length-past-the-end"])
def test_a_bad_record_in_a_warc_gz_costs_only_its_own_article(
    tmp_path, profile, damage, shard_size
):
    """'WARX/1.0' for 'WARC/1.0', or a Content-Length past the end of the file, in one gzip
    member stopped the read: 0 of 15 articles were kept from such a crawl, or as many as the
    ranges' cut happened to leave."""
    from test_warc import _with_length, _with_member

    pages = mixed_pages(filler=40, every=4)
    # A page about the country past the first third (record 0 is the warcinfo).
    k = next(i for i in range(len(pages) // 3, len(pages)) if "news.example" in pages[i].url)
    whole = write_warc(tmp_path / "whole.warc.gz", pages)
    bad = tmp_path / "bad.warc.gz"
    if damage == "not-warc":
        at, _ = _with_member(whole, bad, k + 1, lambda r: r.replace(b"WARC/", b"WARX/", 1))
    else:
        at, _, _ = _with_length(whole, bad, k + 1, "past-the-end")
    expected, _ = _ingest(
        tmp_path, "e.db", profile, [write_warc(tmp_path / "e.warc.gz", pages[:k] + pages[k + 1 :])]
    )
    engine, report = _ingest(tmp_path, "bad.db", profile, [bad], shard_size=shard_size)
    (error,) = report.errors
    assert f"at offset {at}" in error and f"; the {k + 1} records before it were read; " in error
    assert "read on from the next record, at offset" in error
    assert snapshot(engine)["articles"] == snapshot(expected)["articles"]
