"""WARC reading: response records only, streamed, in ranges; damage reported with the offset."""

from __future__ import annotations

import gzip
import itertools
import pickle
import re
import signal
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from mediadigest.collect import files, warc, warc_plain, warc_ranges
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


def test_garbage_in_the_middle_costs_only_itself_and_is_reported_with_its_offsets(warcs, tmp_path):
    data = warcs["plain"].read_bytes()
    offset = warc_ranges.split(warcs["plain"], 20_000)[1][0]  # a record boundary
    bad = tmp_path / "bad.warc"
    garbage = b"this is not a record\r\n"
    bad.write_bytes(data[:offset] + garbage + data[offset:])
    items = _records(bad)
    (error,) = [i for i in items if isinstance(i, FormatError)]
    after = offset + len(garbage)
    assert error.reason.startswith(
        f"not a WARC record at offset {offset}; offsets {offset} to {after} skipped (no record); "
    )
    assert error.reason.endswith(f"; read on from the next record, at offset {after}")
    assert [i.uri for i in items if i is not error] == [r.uri for r in _records(warcs["plain"])]


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


def _raw_record(
    kind: str,
    uri: str | None,
    block: bytes,
    length: str | None = None,
    content_type: str | None = None,
) -> bytes:
    """One WARC record written by hand, so its header can say what warcio would not (or leave
    out what it would write: ``uri`` None, no WARC-Target-URI)."""
    head = (
        f"WARC/1.0\r\nWARC-Type: {kind}\r\n"
        + ("" if uri is None else f"WARC-Target-URI: {uri}\r\n")
        + "WARC-Date: 2025-12-18T10:00:00Z\r\nWARC-Record-ID: <urn:uuid:hand-made>\r\n"
        + ("" if content_type is None else f"Content-Type: {content_type}\r\n")
        + f"Content-Length: {len(block) if length is None else length}\r\n\r\n"
    )
    return head.encode() + block + b"\r\n\r\n"


def _next_record(path: Path, at: int) -> int:
    """Where the record after the one at ``at`` starts (its gzip member, in a .warc.gz)."""
    return next(o for o in _record_offsets(path) if o > at)


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
def test_an_invalid_content_length_in_a_plain_warc_costs_only_its_record(
    warcs, tmp_path, kind, length
):
    """A "-1" on a response read the rest of the file as its block, silently; on a metadata
    record it was reported as "not a WARC record" further on; then every record after it
    was lost."""
    raw = _raw_record(kind, "https://news.example/bad", b"<html>x</html>", length)
    path, at = _with_record(warcs["plain"], tmp_path / "bad.warc", raw)
    items = _records(path)
    (error,) = [i for i in items if isinstance(i, FormatError)]
    before = [r.uri for r in _records(warcs["plain"], 0, at)]
    after = at + len(raw)
    assert error.reason == (
        f"record at offset {at}: invalid Content-Length {length}; offsets {at} to {after} "
        f"skipped (1 record); the {len(before) + 1} records before it were read; read on from "
        f"the next record, at offset {after}"
    )  # the records before it: the warcinfo and the responses
    assert [i.uri for i in items if i is not error] == [r.uri for r in _records(warcs["plain"])]


@pytest.mark.parametrize("kind", ["response", "metadata"])
def test_an_invalid_content_length_in_a_warc_gz_costs_only_its_member(warcs, tmp_path, kind):
    raw = _raw_record(kind, "https://news.example/bad", b"<html>x</html>", "-1")
    path, at = _with_record(warcs["gz"], tmp_path / "bad.warc.gz", raw)
    items = _records(path)
    (error,) = [i for i in items if isinstance(i, FormatError)]
    assert error.reason == (
        f"record at offset {at}: invalid Content-Length -1; the 2 records before it were read; "
        f"read on from the next record, at offset {_next_record(path, at)}"
    )  # the records before it: the warcinfo and the responses
    assert [i.uri for i in items if i is not error] == [r.uri for r in _records(warcs["gz"])]


# -- resource records, records without a URL ---------------------------------------------------

_PAGE = b"<html><head><title>Kazakhstan</title></head><body><p>Kazakhstan wheat</p></body></html>"
_HTTP_PAGE = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + _PAGE


@pytest.mark.parametrize("kind", ["plain", "gz"])
@pytest.mark.parametrize("content_type", ["text/html; charset=utf-8", "text/plain"])
def test_a_resource_record_of_a_page_type_is_read_as_a_page(warcs, tmp_path, kind, content_type):
    """warcit stores a site's files so; they were counted as 'resource' and never read."""
    raw = _raw_record("resource", "https://kz.example/page.html", _PAGE, content_type=content_type)
    path, _ = _with_record(warcs[kind], tmp_path / f"r.{'warc.gz' if kind == 'gz' else 'warc'}",
                           raw)  # fmt: skip
    stats = warc.Stats()
    items = list(warc.iter_records(path, stats=stats))
    (page,) = [i for i in items if i.uri == "https://kz.example/page.html"]
    assert (page.payload, page.content_type, page.status) == (_PAGE, content_type, None)
    assert page.date == datetime(2025, 12, 18, 10, 0, tzinfo=UTC)
    assert len(items) == len(_records(warcs[kind])) + 1
    assert "resource" not in stats.other_types and stats.skipped_by_reason().get("resource") is None
    doc = warc.to_document(page, path)
    assert (doc.url, doc.content_type) == ("https://kz.example/page.html", content_type)


@pytest.mark.parametrize("content_type", [None, "image/png", "text/dns", "application/pdf"])
def test_a_resource_record_of_another_type_is_counted_by_its_type(warcs, tmp_path, content_type):
    raw = _raw_record("resource", "https://kz.example/x", b"\x89PNG....", content_type=content_type)
    path, _ = _with_record(warcs["plain"], tmp_path / "r.warc", raw)
    stats = warc.Stats()
    items = list(warc.iter_records(path, stats=stats))
    assert [i.uri for i in items] == [r.uri for r in _records(warcs["plain"])]
    assert stats.other_types["resource"] == 1 and not stats.notes


@pytest.mark.parametrize(
    ("kind", "block", "content_type"),
    [("response", _HTTP_PAGE, "application/http; msgtype=response"),
     ("resource", _PAGE, "text/html")],
    ids=["response", "resource"],
)  # fmt: skip
@pytest.mark.parametrize("archive", ["plain", "gz"])
def test_a_page_record_without_a_target_uri_is_skipped_with_a_note_naming_it(
    warcs, tmp_path, kind, block, content_type, archive
):
    """It was stored with an empty URL: 'An unnamed outlet reported…', 'Sources: source'."""
    raw = _raw_record(kind, None, block, content_type=content_type)
    name = "n.warc.gz" if archive == "gz" else "n.warc"
    path, at = _with_record(warcs[archive], tmp_path / name, raw)
    stats = warc.Stats()
    items = list(warc.iter_records(path, stats=stats))
    assert [i.uri for i in items] == [r.uri for r in _records(warcs[archive])]
    assert stats.notes == [
        f"record at offset {at} (<urn:uuid:hand-made>) skipped: no WARC-Target-URI"
    ]
    assert stats.skipped_by_reason()["no http(s) URI"] == 1


@pytest.mark.parametrize("uri", ["file:///pages/a.html", "urn:uuid:1234", "dns:kz.example",
                                 "https://", "news.example/a.html", "http://[::1"])  # fmt: skip
def test_a_page_record_whose_target_uri_is_no_web_address_is_skipped(warcs, tmp_path, uri):
    raw = _raw_record("response", uri, _HTTP_PAGE)
    path, at = _with_record(warcs["plain"], tmp_path / "n.warc", raw)
    stats = warc.Stats()
    items = list(warc.iter_records(path, stats=stats))
    assert [i.uri for i in items] == [r.uri for r in _records(warcs["plain"])]
    assert stats.notes == [f"record at offset {at} (<urn:uuid:hand-made>) skipped: its "
                           f"WARC-Target-URI {uri!r} is not an http(s) URL"]  # fmt: skip


def test_a_target_uri_in_angle_brackets_is_the_url_inside(warcs, tmp_path):
    # WARC 1.0's grammar wrote it so, and some writers still do.
    raw = _raw_record("response", "<https://kz.example/a>", _HTTP_PAGE)
    path, _ = _with_record(warcs["plain"], tmp_path / "b.warc", raw)
    assert "https://kz.example/a" in [i.uri for i in _records(path)]


# -- how many records came before the damage ---------------------------------------------------


def _record_offsets(path: Path) -> list[int]:
    """Where each record of ``path`` starts (the gzip member's offset in a .warc.gz)."""
    with open(path, "rb") as fh:
        records = ArchiveIterator(fh)
        return [records.get_record_offset() for _ in records]


@pytest.mark.parametrize("kind", ["plain", "gz"])
def test_the_records_said_read_before_a_cut_are_those_before_the_cut_record(warcs, tmp_path, kind):
    """The record cut short was counted too (341 for the 340 before a cut)."""
    path = warcs[kind]
    offsets = _record_offsets(path)
    k = len(offsets) // 2
    cut = tmp_path / path.name
    cut.write_bytes(path.read_bytes()[: offsets[k] + (offsets[k + 1] - offsets[k]) // 2])
    stats = warc.Stats()
    error = list(warc.iter_records(cut, stats=stats))[-1]
    assert isinstance(error, warc.ArchiveDamage)
    assert f"; the {k} records before it were read" in error.reason
    assert stats.records == k  # the summary's count: whole records only


def test_the_count_before_damage_in_a_range_is_of_that_range_until_the_writer_adds_the_rest(
    warcs, tmp_path
):
    path = warcs["plain"]
    offsets = _record_offsets(path)
    k = len(offsets) * 3 // 4
    cut = tmp_path / "cut.warc"
    cut.write_bytes(path.read_bytes()[: offsets[k] + 10])
    start = offsets[k - 5]  # a range of five whole records, then the cut one
    error = list(warc.iter_records(cut, start))[-1]
    assert isinstance(error, warc.ArchiveDamage) and error.before == 5
    assert pickle.loads(pickle.dumps(error)).reason == error.reason  # it comes from a worker
    whole = error.counted_from(k - 5, 0)
    assert f"; the {k} records before it were read" in whole.reason
    assert whole.source == str(cut) and whole.damage == error.damage
    resumed = error.counted_from(2, offsets[3])
    assert (
        f"; the 7 records before it were read from byte {offsets[3]:,} (where this run "
        "resumed)" in resumed.reason
    )


# -- a Content-Length that is wrong ------------------------------------------------------------


def _with_length(path: Path, out: Path, k: int, how: str) -> tuple[int, int, int]:
    """``path`` with its k-th record's Content-Length made wrong (``how``), written to ``out``:
    (where that record starts, its new Content-Length, where the record after it starts)."""
    offsets = _record_offsets(path)
    data = path.read_bytes()
    if warc.is_gzip(path):
        member = (offsets[k], offsets[k + 1])
        head = gzip.decompress(data[member[0] : member[1]])
    else:
        member, head = (offsets[k], offsets[k]), b""
    record = head or data[offsets[k] :]
    n = int(re.search(rb"Content-Length: (\d+)\r\n", record)[1])
    # Lengths count the records' bytes, inflated in a .warc.gz: measured in its compressed
    # bytes, a length could end exactly where a later record ends (1 run in 6), which no
    # reader can tell from a record that swallowed a few others by right.
    starts = offsets
    if head:
        ends = [*offsets[1:], len(data)]
        sizes = [len(gzip.decompress(data[a:b])) for a, b in zip(offsets, ends, strict=True)]
        starts = [sum(sizes[:i]) for i in range(len(sizes) + 1)]
    wrong = {
        "short": n - 200,  # ends inside its own page
        "long": n + 7,  # ends inside the next record's first line
        "swallows-two": n + starts[k + 3] - starts[k + 1] + 50,  # ends inside the third
        "past-the-end": n + (starts[-1] if head else len(data)),
    }[how]
    old, new = b"Content-Length: %d\r\n" % n, b"Content-Length: %d\r\n" % wrong
    if head:
        edited = gzip.compress(head.replace(old, new, 1))
        out.write_bytes(data[: member[0]] + edited + data[member[1] :])
        return offsets[k], wrong, offsets[k + 1] + len(edited) - (member[1] - member[0])
    out.write_bytes(data[: offsets[k]] + record.replace(old, new, 1))
    return offsets[k], wrong, offsets[k + 1] + len(new) - len(old)


@pytest.mark.parametrize("how", ["short", "long", "swallows-two", "past-the-end"])
def test_a_wrong_content_length_in_a_plain_warc_costs_only_its_record(warcs, tmp_path, how):
    """Every record after it was lost ("not a WARC record" where the wrong length led), and
    one too short was handed on with its page cut."""
    offsets = _record_offsets(warcs["plain"])
    k = len(offsets) - 4 if how == "past-the-end" else len(offsets) // 2
    path = tmp_path / "bad.warc"
    at, length, after = _with_length(warcs["plain"], path, k, how)
    items = _records(path)
    (error,) = [i for i in items if isinstance(i, FormatError)]
    assert error.source == str(path)
    assert error.reason == (
        f"record at offset {at} does not end where its Content-Length ({length}) says; offsets "
        f"{at} to {after} skipped (1 record); the {k} records before it were read; read on "
        f"from the next record, at offset {after}"
    )
    whole = _records(warcs["plain"])
    damaged = next(r for r in whole if r.offset == at)
    assert [(i.uri, i.payload) for i in items if i is not error] == [
        (r.uri, r.payload) for r in whole if r is not damaged
    ]


def test_records_with_wrong_lengths_one_after_the_other_are_one_stretch(warcs, tmp_path):
    offsets = _record_offsets(warcs["plain"])
    k = len(offsets) // 2
    once, path = tmp_path / "once.warc", tmp_path / "twice.warc"
    _with_length(warcs["plain"], once, k + 1, "short")
    at, length, _ = _with_length(once, path, k, "long")
    items = _records(path)
    (error,) = [i for i in items if isinstance(i, FormatError)]
    after = _record_offsets(once)[k + 2] + len(str(length)) - len(str(length - 7))
    assert f"offsets {at} to {after} skipped (2 records)" in error.reason
    assert len(items) == len(_records(warcs["plain"])) - 2 + 1


def test_a_quoted_warc_header_in_a_damaged_record_is_not_taken_for_a_record(warcs, tmp_path):
    quoted = (b"<html><pre>WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 5\r\n\r\nhello"
              b"</pre>" + b"<p>filler</p>" * 40 + b"</html>")  # fmt: skip
    raw = _raw_record("response", "https://news.example/quote", _HTTP_PAGE[:44] + quoted)
    raw = raw.replace(b"Content-Length: %d" % (44 + len(quoted)), b"Content-Length: 60", 1)
    path, at = _with_record(warcs["plain"], tmp_path / "quote.warc", raw)
    items = _records(path)
    assert [i.uri for i in items if not isinstance(i, FormatError)] == [
        r.uri for r in _records(warcs["plain"])
    ]
    (error,) = [i for i in items if isinstance(i, FormatError)]
    assert f"offsets {at} to {at + len(raw)} skipped" in error.reason


@pytest.mark.parametrize("how", ["short", "long"])
def test_a_wrong_content_length_in_a_warc_gz_costs_only_its_member(warcs, tmp_path, how):
    """A length too short handed the page on cut and stopped; one too long stopped."""
    offsets = _record_offsets(warcs["gz"])
    k = len(offsets) // 2
    path = tmp_path / "bad.warc.gz"
    at, length, after = _with_length(warcs["gz"], path, k, how)
    items = _records(path)
    (error,) = [i for i in items if isinstance(i, FormatError)]
    assert error.reason == (
        f"record at offset {at} does not end where its Content-Length ({length}) says; the {k} "
        f"records before it were read; read on from the next record, at offset {after}"
    )
    whole = _records(warcs["gz"])  # responses only, after the warcinfo record
    del whole[k - 1]
    assert [(i.uri, i.payload) for i in items if i is not error] == [
        (r.uri, r.payload) for r in whole
    ]


@pytest.mark.parametrize("how", ["short", "long", "swallows-two", "past-the-end"])
@pytest.mark.parametrize("size", [1, 3_000, 20_000])
def test_ranges_of_a_plain_warc_with_a_wrong_length_start_on_records_and_read_as_one_pass(
    warcs, tmp_path, how, size
):
    """The splitter stopped at the damage: the rest of the file was one range."""
    offsets = _record_offsets(warcs["plain"])
    k = len(offsets) - 4 if how == "past-the-end" else len(offsets) // 2
    path = tmp_path / "bad.warc"
    at, _, after = _with_length(warcs["plain"], path, k, how)
    starts = {o if o <= at else o - offsets[k + 1] + after for o in offsets}
    ranges = warc_ranges.split(path, size)
    assert {start for start, _ in ranges} <= starts
    assert len(ranges) >= (len(offsets) - 1 if size == 1 else 4)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))
    one_pass = _records(path)
    pieces = [i for start, end in ranges for i in _records(path, start, end)]
    assert [getattr(i, "uri", None) for i in pieces] == [getattr(i, "uri", None) for i in one_pass]
    (error,) = [i for i in pieces if isinstance(i, FormatError)]
    (whole,) = [i for i in one_pass if isinstance(i, FormatError)]
    assert (error.damage, error.then) == (whole.damage, whole.then)


def test_the_splitter_finds_the_record_starts_the_reader_reads(warcs, tmp_path):
    offsets = _record_offsets(warcs["plain"])
    path = tmp_path / "bad.warc"
    _with_length(warcs["plain"], path, len(offsets) // 2, "swallows-two")
    with open(path, "rb") as fh:
        starts = list(warc_plain.record_starts(fh, 0, path.stat().st_size))
    stats = warc.Stats()
    read = [
        r.offset for r in warc.iter_records(path, stats=stats) if isinstance(r, warc.WarcRecord)
    ]
    assert set(read) <= set(starts) and len(starts) == stats.records + 1  # + the damaged one


# -- damage in a .warc.gz: read whole or in ranges, the same records and messages ---------------


def _read_whole_and_in_ranges(path: Path, sizes=(1, 3_000, 20_000)) -> list:
    """The items of ``path`` read in one pass, checked against reading it in ranges of each
    size: the same records, and the same damage said the same way (a range counts the
    records before the damage in itself only: the ingest's writer adds the rest)."""
    whole = _records(path)
    for size in sizes:
        ranges = warc_ranges.split(path, size)
        pieces = [i for start, end in ranges for i in _records(path, start, end)]
        assert [(getattr(i, "uri", None), getattr(i, "payload", None)) for i in pieces] == [
            (getattr(i, "uri", None), getattr(i, "payload", None)) for i in whole
        ], size
        damage = [(i.damage, i.then) for i in pieces if isinstance(i, FormatError)]
        assert damage == [(i.damage, i.then) for i in whole if isinstance(i, FormatError)], size
    return whole


def _with_member(path: Path, out: Path, k: int, edit) -> tuple[int, int]:
    """``path`` (one record per gzip member) with its k-th record edited by ``edit`` and
    compressed again: (where its member starts, where the next one starts)."""
    offsets = _record_offsets(path)
    data = path.read_bytes()
    member = gzip.compress(edit(gzip.decompress(data[offsets[k] : offsets[k + 1]])))
    out.write_bytes(data[: offsets[k]] + member + data[offsets[k + 1] :])
    return offsets[k], offsets[k] + len(member)


def test_a_record_that_does_not_start_with_warc_in_a_warc_gz_costs_only_its_member(warcs, tmp_path):
    """'WARX/1.0' for 'WARC/1.0' in one member stopped the read: every record after it lost."""
    k = len(_record_offsets(warcs["gz"])) // 2
    path = tmp_path / "bad.warc.gz"
    at, after = _with_member(warcs["gz"], path, k, lambda r: r.replace(b"WARC/", b"WARX/", 1))
    items = _read_whole_and_in_ranges(path)
    (error,) = [i for i in items if isinstance(i, FormatError)]
    assert error.reason == (
        f"not a WARC record at offset {at}; the {k} records before it were read; read on from "
        f"the next record, at offset {after}"
    )
    whole = _records(warcs["gz"])
    del whole[k - 1]  # responses only, after the warcinfo record
    assert [i.uri for i in items if i is not error] == [r.uri for r in whole]


@pytest.mark.parametrize("how", ["swallows-two", "past-the-end"])
def test_a_content_length_past_its_member_in_a_warc_gz_costs_only_its_member(warcs, tmp_path, how):
    """One running past the end of the file stopped the read, said to be a truncated archive
    ('the record … ends early'); what ranges kept depended on where they were cut."""
    k = len(_record_offsets(warcs["gz"])) // 2
    path = tmp_path / "bad.warc.gz"
    at, length, after = _with_length(warcs["gz"], path, k, how)
    items = _read_whole_and_in_ranges(path)
    (error,) = [i for i in items if isinstance(i, FormatError)]
    assert error.reason == (
        f"record at offset {at} does not end where its Content-Length ({length}) says; the {k} "
        f"records before it were read; read on from the next record, at offset {after}"
    )
    whole = _records(warcs["gz"])
    del whole[k - 1]
    assert [i.uri for i in items if i is not error] == [r.uri for r in whole]


def test_a_member_damaged_at_its_end_loses_its_record_read_whole_or_in_ranges(warcs, tmp_path):
    """A range ending after the member handed its record on ('truncated: the gzip member …
    ends early'); a whole read found the bad checksum first and lost the record."""
    offsets = _record_offsets(warcs["gz"])
    data = warcs["gz"].read_bytes()
    k = len(offsets) // 2
    end = offsets[k + 1]
    for back in range(9, 17):  # the last bytes of the deflate data, then the trailer's CRC
        for flip in (0x01, 0x80, 0xFF):
            damaged = bytearray(data)
            damaged[end - back] ^= flip
            path = tmp_path / f"bad-{back}-{flip}.warc.gz"
            path.write_bytes(bytes(damaged))
            whole = _records(path)
            pieces = [i for s, e in ((0, end), (end, None)) for i in _records(path, s, e)]
            assert [getattr(i, "uri", None) for i in pieces] == [
                getattr(i, "uri", None) for i in whole
            ], (back, flip)
            damage = [i.damage for i in pieces if isinstance(i, FormatError)]
            assert damage == [i.damage for i in whole if isinstance(i, FormatError)], (back, flip)


@pytest.mark.parametrize("how", ["short", "long", "swallows-two"])
def test_a_wrong_content_length_in_a_warc_gz_of_one_member_is_passed_over_as_in_a_warc(
    warcs, tmp_path, how
):
    """`gzip -c crawl.warc` makes one member: nothing after the damage was read, though the
    error said reading went on at the next gzip member."""
    k = len(_record_offsets(warcs["plain"])) // 2
    plain = tmp_path / "bad.warc"
    at, length, after = _with_length(warcs["plain"], plain, k, how)
    path = tmp_path / "bad.warc.gz"
    path.write_bytes(gzip.compress(plain.read_bytes()))
    items = _records(path)
    (error,) = [i for i in items if isinstance(i, FormatError)]
    assert error.reason == (
        f"record at offset {at} inside the gzip member at offset 0 does not end where its "
        f"Content-Length ({length}) says; the {k} records before it were read; read on from "
        f"the next record, at offset {after} inside the gzip member at offset 0"
    )
    expected = [(i.uri, i.payload) for i in _records(plain) if not isinstance(i, FormatError)]
    assert [(i.uri, i.payload) for i in items if i is not error] == expected


def test_a_member_whose_record_ends_in_a_stray_cr_costs_only_its_record(warcs, tmp_path):
    """Inflated, the next member's 'WARC/1.0' follows the CR, not a line's end: the search
    for the next record passed over it, and the record after it was lost read whole (not in
    ranges, which start at that member)."""
    k = len(_record_offsets(warcs["gz"])) // 2
    path = tmp_path / "bad.warc.gz"
    at, after = _with_member(warcs["gz"], path, k, lambda r: r[:-1] + b"\r")
    items = _read_whole_and_in_ranges(path)
    (error,) = [i for i in items if isinstance(i, FormatError)]
    assert error.reason.startswith(f"record at offset {at} does not end where its Content-Length")
    assert error.reason.endswith(f"; read on from the next record, at offset {after}")
    whole = _records(warcs["gz"])
    del whole[k - 1]
    assert [i.uri for i in items if i is not error] == [r.uri for r in whole]


def test_a_corrupt_member_at_the_end_of_a_range_says_reading_goes_on_at_the_next(warcs, tmp_path):
    """Read in ranges, it said 'no readable record after it' where the next range read on."""
    offsets = _record_offsets(warcs["gz"])
    k = len(offsets) // 2
    data = warcs["gz"].read_bytes()
    path = tmp_path / "bad.warc.gz"
    garbage = b"\x1f\x8b\x08 not a member"
    path.write_bytes(data[: offsets[k]] + garbage + data[offsets[k] :])
    items = _read_whole_and_in_ranges(path)
    (error,) = [i for i in items if isinstance(i, FormatError)]
    assert error.damage.startswith(f"corrupt gzip member at byte {offsets[k]} of the file")
    assert error.then == f"read on from the next record, at byte {offsets[k] + len(garbage)}"
    assert [i.uri for i in items if i is not error] == [r.uri for r in _records(warcs["gz"])]
