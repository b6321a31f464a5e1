"""WARC reading: response records only, streamed, in ranges; damage reported with the offset."""

from __future__ import annotations

import gzip
import itertools
import signal
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from mediadigest.collect import files, warc, warc_ranges
from mediadigest.errors import FormatError
from mediadigest.model import Document
from warc_files import fixture_pages, mixed_pages, write_warc


@pytest.fixture(scope="module")
def warcs(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("warcs")
    pages = mixed_pages(filler=60)
    return {
        "gz": write_warc(folder / "crawl.warc.gz", pages),
        "plain": write_warc(folder / "crawl.warc", pages, gzip_members=False),
        "mixed": write_warc(folder / "mixed.warc.gz", fixture_pages(), extra_types=True),
    }


@pytest.fixture
def no_hang():
    """Fail a test that runs over 10 s (a parser looping for ever) instead of hanging."""

    def stop(signum, frame):
        raise TimeoutError("still running after 10 s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(10)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def _records(path: Path, start: int = 0, end: int | None = None) -> list:
    return list(warc.iter_records(path, start, end))


def test_every_response_record_is_read_with_its_uri(warcs):
    records = _records(warcs["gz"])
    with open(warcs["gz"], "rb") as fh:
        expected = [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(fh)
                    if r.rec_type == "response"]  # fmt: skip
    assert [r.uri for r in records] == expected


def test_payload_is_the_page_without_http_headers(warcs):
    first = next(r for r in _records(warcs["gz"]) if "kazakhstan-wind" in r.uri)
    assert first.payload.lstrip().startswith(b"<!DOCTYPE html") or first.payload.startswith(b"<")
    assert b"HTTP/1.1 200" not in first.payload
    assert first.status == 200 and first.content_type == "text/html; charset=utf-8"


def test_warc_date_is_kept_as_a_utc_datetime(warcs):
    record = _records(warcs["gz"])[0]
    assert record.date == datetime(2025, 12, 18, 10, 0, tzinfo=UTC)


def test_other_record_types_are_skipped(warcs):
    stats = warc.Stats()
    records = list(warc.iter_records(warcs["mixed"], stats=stats))
    assert len(records) == len(fixture_pages())
    # warcinfo + request, response and metadata per page
    assert stats.records == 1 + 3 * len(fixture_pages())


def test_plain_and_gzipped_archives_give_the_same_records(warcs):
    gz = [(r.uri, r.payload) for r in _records(warcs["gz"])]
    plain = [(r.uri, r.payload) for r in _records(warcs["plain"])]
    assert gz == plain


def test_non_utf8_page_is_passed_on_as_its_bytes(warcs):
    page = next(r for r in _records(warcs["gz"]) if r.uri.endswith("cp1251.html"))
    assert "Казахстан".encode("cp1251") in page.payload
    assert page.content_type == "text/html; charset=windows-1251"


@pytest.mark.parametrize("kind", ["gz", "plain"])
def test_ranges_cover_every_record_exactly_once(warcs, kind):
    path = warcs[kind]
    ranges = warc_ranges.split(path, 20_000)
    assert len(ranges) > 3
    assert ranges[0][0] == 0 and ranges[-1][1] == path.stat().st_size
    assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))
    pieces = [r.uri for start, end in ranges for r in _records(path, start, end)]
    assert pieces == [r.uri for r in _records(path)]


def test_a_range_can_start_where_a_previous_split_ended(warcs):
    path = warcs["gz"]
    first = warc_ranges.split(path, 20_000)
    resumed = warc_ranges.split(path, 20_000, start=first[2][0])
    assert resumed[0][0] == first[2][0] and resumed[-1][1] == path.stat().st_size


def test_truncated_gzip_archive_keeps_what_came_before_and_says_where(warcs, tmp_path):
    data = warcs["gz"].read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[: len(data) // 2])
    items = _records(cut)
    error = items[-1]
    assert isinstance(error, FormatError) and "truncated" in error.reason
    assert error.source == str(cut)
    assert "records before it were read" in error.reason
    kept = items[:-1]
    assert kept and all(not isinstance(r, FormatError) for r in kept)
    assert [r.uri for r in kept] == [r.uri for r in _records(warcs["gz"])][: len(kept)]


def test_truncated_plain_archive_names_the_offset_of_the_cut_record(warcs, tmp_path):
    data = warcs["plain"].read_bytes()
    cut = tmp_path / "cut.warc"
    cut.write_bytes(data[: len(data) // 2])
    error = _records(cut)[-1]
    assert isinstance(error, FormatError)
    assert "truncated: the record at offset" in error.reason


def test_garbage_in_the_middle_is_reported_with_its_offset(warcs, tmp_path):
    data = warcs["plain"].read_bytes()
    offset = warc_ranges.split(warcs["plain"], 20_000)[1][0]  # a record boundary
    bad = tmp_path / "bad.warc"
    bad.write_bytes(data[:offset] + b"this is not a record\r\n" + data[offset:])
    items = _records(bad)
    assert isinstance(items[-1], FormatError)
    assert f"not a WARC record at offset {offset}" in items[-1].reason
    assert len(items) > 1


def test_files_dispatch_warc_archives_to_documents(warcs):
    docs = list(files.iter_paths([warcs["gz"]]))
    assert docs and all(isinstance(d, Document) for d in docs)
    assert docs[0].fetched_at == datetime(2025, 12, 18, 10, 0, tzinfo=UTC)
    assert docs[0].hints["source"] == str(warcs["gz"])
    assert docs[0].hints["warc_record_id"].startswith("<urn:uuid:")


def test_not_a_warc_at_all_is_one_format_error(tmp_path):
    path = tmp_path / "x.warc"
    path.write_bytes(b"<html>hello</html>\n")
    (error,) = _records(path)
    assert isinstance(error, FormatError) and "not a WARC record at offset 0" in error.reason


def test_inflating_in_a_thread_or_not_keeps_the_same_records_before_damage(
    warcs, tmp_path, monkeypatch
):
    data = warcs["gz"].read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[: len(data) * 2 // 3])
    threaded = _records(cut)
    plain = list(warc.iter_records(cut, inflate_thread=False))
    monkeypatch.setattr(warc, "_threaded", None)  # as without isal
    assert [getattr(r, "uri", None) for r in _records(cut)[:-1]] == [r.uri for r in plain[:-1]]
    assert isinstance(threaded[-1], FormatError) and isinstance(plain[-1], FormatError)
    assert [r.uri for r in threaded[:-1]] == [r.uri for r in plain[:-1]]
    assert len(plain) > 1


def test_archive_pages_are_not_searched_for_a_date_their_crawl_date_stands_in(warcs):
    record = next(r for r in _records(warcs["gz"]) if not isinstance(r, FormatError))
    doc = warc.to_document(record, warcs["gz"])
    assert doc.hints["date_search"] == "off"
    assert doc.fetched_at == record.date


def _corrupt_member(path: Path, out: Path, k: int) -> tuple[int, set[str]]:
    """``path`` with the k-th gzip member's deflate data garbled: (its offset, the URIs it held)."""
    start, end = warc_ranges.split(path, 1)[k]
    lost = {r.uri for r in _records(path, start, end)}
    data = bytearray(path.read_bytes())
    middle = (start + end) // 2
    data[middle : middle + 16] = b"\xff" * 16
    out.write_bytes(bytes(data))
    return start, lost


@pytest.mark.parametrize("mode", ["thread", "one-thread", "no-isal"])
def test_a_corrupt_member_costs_only_its_own_record(warcs, tmp_path, monkeypatch, mode):
    """One record per gzip member (as crawlers write): the records before the damage, the one
    just before it included, and every record after it are read; the error says where."""
    whole = [r.uri for r in _records(warcs["gz"])]
    members = warc_ranges.split(warcs["gz"], 1)
    k = next(
        i for i in range(len(members) // 2, len(members)) if _records(warcs["gz"], *members[i])
    )
    offset, lost = _corrupt_member(warcs["gz"], tmp_path / "bad.warc.gz", k)
    if mode == "no-isal":
        monkeypatch.setattr(warc, "_threaded", None)
    items = list(warc.iter_records(tmp_path / "bad.warc.gz", inflate_thread=mode == "thread"))
    (error,) = [i for i in items if isinstance(i, FormatError)]
    assert f"corrupt gzip member at byte {offset} of the file" in error.reason
    assert f"read on from the next record, at byte {members[k + 1][0]}" in error.reason
    assert error.source == str(tmp_path / "bad.warc.gz")
    assert [i.uri for i in items if not isinstance(i, FormatError)] == [
        u for u in whole if u not in lost
    ]


def test_a_truncated_archive_keeps_the_record_just_before_the_cut(warcs, tmp_path):
    members = warc_ranges.split(warcs["gz"], 1)
    k = next(
        i for i in range(len(members) // 2, len(members)) if _records(warcs["gz"], *members[i])
    )
    data = warcs["gz"].read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[: members[k + 1][0] + 40])  # a few bytes into the next member
    items = _records(cut)
    assert isinstance(items[-1], FormatError) and "truncated" in items[-1].reason
    expected = [r.uri for r in _records(warcs["gz"], 0, members[k + 1][0])]
    assert [r.uri for r in items[:-1]] == expected


def _raw_record(kind: str, uri: str, block: bytes, length: str | None = None) -> bytes:
    """One WARC record written by hand, so its header can say what warcio would not."""
    head = (
        f"WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\n"
        "WARC-Date: 2025-12-18T10:00:00Z\r\nWARC-Record-ID: <urn:uuid:hand-made>\r\n"
        f"Content-Length: {len(block) if length is None else length}\r\n\r\n"
    )
    return head.encode() + block + b"\r\n\r\n"


def _with_record(path: Path, out: Path, raw: bytes, k: int = 2) -> tuple[Path, int]:
    """``path`` with ``raw`` put in before its k-th record (its own gzip member in a .warc.gz)."""
    gz = warc.is_gzip(path)
    at = warc_ranges.split(path, 1)[k][0] if gz else _records(path)[k].offset
    data = path.read_bytes()
    member = gzip.compress(raw) if gz else raw
    out.write_bytes(data[:at] + member + data[at:])
    return out, at


_CHUNKED_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"


@pytest.mark.parametrize("size", [b"-6", b"+6", b"0x6", b"6_0", b"\xd9\xa6", b"zz"])
def test_a_chunk_size_that_is_not_hex_digits_keeps_the_body_as_stored(
    warcs, tmp_path, size, no_hang
):
    """int(x, 16) takes "-6": the dechunker walked back to the start and looped for ever."""
    body = size + b"\r\n<html>Kazakhstan</html>\r\n"
    raw = _raw_record("response", "https://news.example/chunk", _CHUNKED_HEAD + body)
    path, _ = _with_record(warcs["plain"], tmp_path / "chunk.warc", raw)
    items = _records(path)
    assert not [i for i in items if isinstance(i, FormatError)]
    (page,) = [i for i in items if i.uri == "https://news.example/chunk"]
    assert page.payload == body
    assert len(items) == len(_records(warcs["plain"])) + 1


def test_a_chunked_body_is_joined_from_its_chunks(warcs, tmp_path):
    body = b"6;ext=1\r\n<html>\r\n0A\r\nKazakhstan\r\n0\r\n\r\n"
    raw = _raw_record("response", "https://news.example/chunk", _CHUNKED_HEAD + body)
    path, _ = _with_record(warcs["plain"], tmp_path / "chunk.warc", raw)
    (page,) = [i for i in _records(path) if i.uri == "https://news.example/chunk"]
    assert page.payload == b"<html>Kazakhstan"


@pytest.mark.parametrize("length", ["-1", "+5", "1_0", "\u0665"])
@pytest.mark.parametrize("kind", ["response", "metadata"])
def test_an_invalid_content_length_in_a_plain_warc_stops_there_saying_so(
    warcs, tmp_path, kind, length
):
    """A "-1" on a response read the rest of the file as its block, silently; on a metadata
    record it was reported as "not a WARC record" further on."""
    raw = _raw_record(kind, "https://news.example/bad", b"<html>x</html>", length)
    path, at = _with_record(warcs["plain"], tmp_path / "bad.warc", raw)
    items = _records(path)
    assert isinstance(items[-1], FormatError)
    assert items[-1].reason == f"record at offset {at}: invalid Content-Length {length}"
    before = [r.uri for r in _records(warcs["plain"], 0, at)]
    assert [r.uri for r in items[:-1]] == before and before


@pytest.mark.parametrize("kind", ["response", "metadata"])
def test_an_invalid_content_length_in_a_warc_gz_costs_only_its_member(warcs, tmp_path, kind):
    raw = _raw_record(kind, "https://news.example/bad", b"<html>x</html>", "-1")
    path, at = _with_record(warcs["gz"], tmp_path / "bad.warc.gz", raw)
    items = _records(path)
    (error,) = [i for i in items if isinstance(i, FormatError)]
    assert error.reason == (
        f"record at offset {at}: invalid Content-Length -1; read on from the next gzip member"
    )
    assert [i.uri for i in items if i is not error] == [r.uri for r in _records(warcs["gz"])]
