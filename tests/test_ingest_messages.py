"""What `mediadigest ingest` tells a researcher running a long job: progress in a log, where
a run resumed, a clean Ctrl-C, what became of every archive record, where a warning is."""

from __future__ import annotations

import importlib
import io
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from mediadigest import run, store
from mediadigest.cli import app
from mediadigest.collect import warc, warc_ranges
from mediadigest.profile import load_profile
from mediadigest.store import collect_state
from mediadigest.store.collect_state import Checkpoint
from test_ingest_archives import snapshot
from test_resume import _progress
from warc_files import Page, fixture_pages, mixed_pages, write_warc

app_module = importlib.import_module("mediadigest.cli.app")  # the package's `app` is the app


@pytest.fixture(scope="module")
def profile():
    return load_profile("kazakhstan")


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("m")
    return write_warc(folder / "crawl.warc.gz", mixed_pages(filler=60, every=4), extra_types=True)


def _cli(db: Path, *args: str) -> tuple[int, str]:
    done = CliRunner().invoke(app, ["--db", f"sqlite:///{db}", "ingest", *args])
    return done.exit_code, done.stderr


def test_without_a_terminal_progress_is_a_plain_line_now_and_then(tmp_path, archive, monkeypatch):
    monkeypatch.setattr(app_module, "PROGRESS_QUIET_S", 0.0)
    code, err = _cli(tmp_path / "s.db", "--workers", "0", "--shard-size", "12K", str(archive))
    assert code == 0, err
    lines = [line for line in err.splitlines() if line.startswith("ingesting: ")]
    assert 5 <= len(lines) <= 10  # one a tenth of the bytes, not one a task
    # The rate is "812.0 kB/s" or, on a quick machine, "1.2 MB/s" (a line once failed so).
    pattern = (r"ingesting: \d+% \([\d.]+ kB of [\d.]+ kB\), [\d,]+ records read, [\d,]+ articles "
               r"stored; [\d.]+ (?:bytes|[kMG]B)/s, about \d+ (s|min) left")  # fmt: skip
    assert all(re.fullmatch(pattern, line) for line in lines), lines
    shares = [int(line.split()[1].rstrip("%")) for line in lines]
    assert shares == sorted(shares) and shares[-1] < 100


def test_a_progress_line_comes_at_least_every_30_seconds_after_the_first_quiet_ones():
    now = [0.0]
    said: list[str] = []
    lines = app_module.ProgressLines("ingesting", clock=lambda: now[0])
    lines.start(1_000_000)
    for _ in range(4):  # slow: 1% a step, 20 s apart
        now[0] += 20
        lines.advance(10_000, lambda: (said.append("x"), "details")[1])
    assert len(said) == 2  # at 20 s (the quiet 5 s are over; nothing said yet) and at 60 s
    now[0] += 1
    lines.advance(5_000, lambda: said.append("y") or "")
    assert said == ["x", "x"]  # 1 s after the last line, and 0.5% more: nothing


def test_a_short_run_says_only_its_summary(tmp_path, archive):
    code, err = _cli(tmp_path / "s.db", "--workers", "0", "--shard-size", "12K", str(archive))
    assert code == 0 and "ingesting: " not in err


def test_a_resumed_input_says_where_it_resumes(tmp_path, profile, archive):
    db = tmp_path / "s.db"
    engine = store.open_store(f"sqlite:///{db}")
    run.ingest(engine, profile, [archive], shard_size=12_000)
    at = warc_ranges.split(archive, 12_000)[3][0]
    size = archive.stat().st_size
    with engine.begin() as conn:  # as a run killed after its fourth piece left it
        (key,) = collect_state.checkpoints(conn, profile.name)
        stat = archive.stat()
        collect_state.save_checkpoint(
            conn, Checkpoint(key, profile.name, stat.st_size, stat.st_mtime_ns, at, False)
        )
    code, err = _cli(db, "--workers", "0", str(archive))
    assert code == 0, err
    want = (
        f"resuming {archive} at byte {at:,} ({at * 100 // size}%), from an earlier run's checkpoint"
    )
    assert err.splitlines()[0] == want
    code, err = _cli(db, "--workers", "0", str(archive))
    assert "1 input already ingested by an earlier run: skipped (--fresh reads them again)" in err


def test_summary_says_how_many_records_were_read_and_why_others_were_skipped(tmp_path, profile):
    pages = [
        *mixed_pages(filler=6, every=3),
        Page("https://img.example/logo.png", b"\x89PNG....", "image/png"),
        Page("https://news.example/data.json", b"{}", "application/json"),
    ]
    path = write_warc(tmp_path / "c.warc.gz", pages, extra_types=True)
    engine = store.open_store(f"sqlite:///{tmp_path / 's.db'}")
    report = run.ingest(engine, profile, [path], workers=0)
    n = len(pages)
    assert report.records == 1 + 3 * n and report.pages == n - 2
    assert report.skipped_records == {"request": n, "metadata": n, "warcinfo": 1,
                                      "not a page type": 2}  # fmt: skip
    assert (f"{1 + 3 * n} archive records: {n - 2} pages ({report.prefiltered} ruled out "
            f"unread), {2 * n + 3} skipped ({n} metadata, {n} request, 2 not a page type, "
            "1 warcinfo)") in report.summary()  # fmt: skip


def test_other_record_types_are_counted_by_type(tmp_path):
    path = write_warc(tmp_path / "m.warc", mixed_pages(filler=3), extra_types=True,
                      gzip_members=False)  # fmt: skip
    stats = warc.Stats()
    pages = list(warc.iter_records(path, stats=stats))
    assert stats.other_types == {"warcinfo": 1, "request": len(pages), "metadata": len(pages)}
    assert stats.records == stats.responses + sum(stats.skipped_by_reason().values())


def test_a_warning_about_an_archive_names_it_and_the_records_byte_in_the_file(
    tmp_path, profile, monkeypatch
):
    monkeypatch.setattr(warc, "MAX_PAYLOAD", 5_000)
    big = b"<html><body><p>" + b"Kazakhstan wheat. " * 5_000 + b"</p></body></html>"
    pages = mixed_pages(filler=30)
    pages.insert(20, Page("https://big.example/a", big))
    path = write_warc(tmp_path / "big.warc.gz", pages)
    with open(path, "rb") as fh:
        records = ArchiveIterator(fh)
        uri = "https://big.example/a"
        (offset,) = [records.get_record_offset() for r in records
                     if r.rec_headers.get_header("WARC-Target-URI") == uri]  # fmt: skip
    engine = store.open_store(f"sqlite:///{tmp_path / 's.db'}")
    # in ranges: the record is not at the start of the one it is read in
    report = run.ingest(engine, profile, [path], workers=0, shard_size=8_000)
    (note,) = [w for w in report.warnings if "skipped" in w]
    assert note.startswith(f"{path}: record at offset {offset} (https://big.example/a) skipped")


# -- damage: how many records came before it ---------------------------------------------------


def _record_offsets(path: Path) -> list[int]:
    with open(path, "rb") as fh:
        records = ArchiveIterator(fh, no_record_parse=True)  # a record without a URI, too
        return [records.get_record_offset() for _ in records]


def _damaged(path: Path, out: Path, how: str) -> tuple[Path, int]:
    """``path`` cut in the middle of a record three quarters in, or with that record's gzip
    member garbled; and the number of records before that one in the file."""
    offsets = _record_offsets(path)
    k = len(offsets) * 3 // 4
    data = bytearray(path.read_bytes())
    middle = (offsets[k] + offsets[k + 1]) // 2
    if how == "cut":
        del data[middle:]
    else:
        data[middle : middle + 16] = b"\xff" * 16
    out.write_bytes(bytes(data))
    return out, k


@pytest.mark.parametrize(
    ("name", "how"), [("a.warc", "cut"), ("a.warc.gz", "cut"), ("a.warc.gz", "corrupt")]
)
def test_the_records_said_read_before_damage_are_the_files_not_its_last_ranges(
    tmp_path, profile, name, how
):
    """In ranges, the count was of the damaged record's range (81 of 340 before a cut), and
    took in the damaged record itself."""
    pages = mixed_pages(filler=40, every=4)
    archive = write_warc(tmp_path / f"whole-{name}", pages, gzip_members=name.endswith(".gz"))
    path, before = _damaged(archive, tmp_path / name, how)
    engine = store.open_store(f"sqlite:///{tmp_path / 's.db'}")
    report = run.ingest(engine, profile, [path], workers=0, shard_size=8_000)
    (error,) = report.errors
    assert f"; the {before} records before it were read" in error, error
    whole = len(_record_offsets(archive)) - 1 if how == "corrupt" else before  # not the damaged
    assert report.records == whole

    # The next run resumes at the checkpoint before the damaged range: it counts from there.
    with engine.connect() as conn:
        (cp,) = collect_state.checkpoints(conn, profile.name).values()
    assert cp.position > 0 and not cp.done
    again = run.ingest(engine, profile, [path], workers=0, shard_size=8_000)
    n = before - sum(1 for at in _record_offsets(archive) if at < cp.position)
    read = ("no record before it was" if n == 0 else "the 1 record before it was" if n == 1
            else f"the {n} records before it were")  # fmt: skip
    (error,) = again.errors
    assert f"; {read} read from byte {cp.position:,} (where this run resumed)" in error, error


# -- pages in resource records, pages without a URL ---------------------------------------------


def _writer_records(path: Path, records: list[tuple[str, str, bytes, str]]) -> Path:
    """A .warc.gz of (WARC-Type, target URI or "" for none, page, content type) records."""
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for kind, uri, body, content_type in records:
            if kind == "response":
                head = StatusAndHeaders("200 OK", [("Content-Type", content_type)],
                                        protocol="HTTP/1.1")  # fmt: skip
                record = writer.create_warc_record(uri, kind, payload=io.BytesIO(body),
                                                   http_headers=head)  # fmt: skip
            else:
                record = writer.create_warc_record(uri, kind, payload=io.BytesIO(body),
                                                   warc_content_type=content_type)  # fmt: skip
            writer.write_record(record)
    return path


def _kazakh_page() -> bytes:
    return next(p.body for p in fixture_pages() if p.url.endswith("cp1251.html"))


def test_a_page_in_a_resource_record_is_stored_under_its_target_uri(tmp_path, profile):
    """A site converted to WARC (warcit) is resource records: it gave 0 articles."""
    page = "https://kz.example/wheat.html"
    path = _writer_records(tmp_path / "site.warc.gz", [
        ("resource", page, _kazakh_page(), "text/html; charset=windows-1251"),
        ("resource", "https://kz.example/logo.png", b"\x89PNG....", "image/png"),
    ])  # fmt: skip
    engine = store.open_store(f"sqlite:///{tmp_path / 's.db'}")
    report = run.ingest(engine, profile, [path], workers=0)
    assert report.errors == [] and report.pages == 1
    assert report.skipped_records == {"resource": 1}
    assert {a[0] for a in snapshot(engine)["articles"]} == {page}


def test_a_page_without_a_target_uri_is_not_stored_and_a_warning_names_it(tmp_path, profile):
    """It was stored under an empty URL: the digest said 'An unnamed outlet reported…'."""
    path = _writer_records(tmp_path / "nouri.warc.gz", [
        ("response", "", _kazakh_page(), "text/html; charset=windows-1251"),
        ("resource", "file:///pages/wheat.html", _kazakh_page(), "text/html; charset=cp1251"),
    ])  # fmt: skip
    offsets = _record_offsets(path)
    with open(path, "rb") as fh:
        records = ArchiveIterator(fh, no_record_parse=True)
        ids = [r.rec_headers.get_header("WARC-Record-ID") for r in records]
    engine = store.open_store(f"sqlite:///{tmp_path / 's.db'}")
    report = run.ingest(engine, profile, [path], workers=0)
    assert snapshot(engine)["articles"] == [] and report.pages == 0
    assert report.warnings == [
        f"{path}: record at offset {offsets[0]} ({ids[0]}) skipped: no WARC-Target-URI",
        f"{path}: record at offset {offsets[1]} ({ids[1]}) skipped: its WARC-Target-URI "
        "'file:///pages/wheat.html' is not an http(s) URL",
    ]
    assert report.skipped_records == {"no http(s) URI": 2}


# -- Ctrl-C -------------------------------------------------------------------------------------


def _command(db: Path, archive: Path, workers: str | None) -> list[str]:
    flags = ["--workers", workers] if workers is not None else []
    return [sys.executable, "-m", "mediadigest", "--db", f"sqlite:///{db}", "ingest",
            *flags, "--shard-size", "12K", str(archive)]  # fmt: skip


@pytest.mark.parametrize("workers", ["0", None], ids=["in-process", "process-pool"])
def test_ctrl_c_stops_cleanly_says_what_was_stored_and_the_same_command_resumes(
    tmp_path, profile, workers
):
    archive = write_warc(tmp_path / "crawl.warc.gz", mixed_pages(filler=150, every=3, copies=3))
    reference = store.open_store(f"sqlite:///{tmp_path / 'reference.db'}")
    run.ingest(reference, profile, [archive])
    db = tmp_path / "s.db"
    # A session of its own: Ctrl-C in a terminal signals the whole group, workers too.
    proc = subprocess.Popen(_command(db, archive, workers), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not ((found := _progress(db)) and found[0] > 0):
            assert proc.poll() is None, "the ingest ended before it could be interrupted"
            assert time.monotonic() < deadline, "no checkpoint appeared"
            time.sleep(0.01)
        assert not found[1]
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130, err
    assert "Traceback" not in err, err
    (last,) = err.strip().splitlines()[-1:]
    stored = len(snapshot(store.create_engine(f"sqlite:///{db}"))["articles"])
    noun = "article" if stored == 1 else "articles"
    assert last == f"interrupted: {stored} {noun} stored; run the same command again to resume"
    position = _progress(db)
    assert position is not None and not position[1]

    code, err = _cli(db, *_command(db, archive, "0")[6:])
    assert code == 0, err
    assert err.startswith(f"resuming {archive} at byte {position[0]:,} (")
    assert snapshot(store.create_engine(f"sqlite:///{db}")) == snapshot(reference)


def test_progress_lines_of_counted_work_say_what_they_count(capsys):
    now = [0.0]
    lines = app_module.ProgressLines("reanalysing", clock=lambda: now[0], unit="article")
    lines.start(5_000)
    now[0] += 20
    lines.advance(1_000, lambda: "10 changed")
    err = capsys.readouterr().err
    assert "(1,000 of 5,000 articles), 10 changed; 50 articles/s" in err, err
    assert "kB" not in err
