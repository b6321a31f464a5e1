"""Collect stage, archives: stream response records out of WARC and WARC.gz files, in byte ranges.

One record is in memory at a time; other record types and non-page responses are skipped
without being held. A byte range of an archive (``warc_ranges.split`` finds ranges that start
and end on record boundaries) can be read on its own, so ranges can be read by different
workers and an interrupted ingest can resume at the end of the last range it stored. A
truncated or corrupt archive yields everything before the damage, then a FormatError saying
where it stopped.

Decompression uses isal's igzip when installed (about 3x faster than zlib), else gzip.
"""

from __future__ import annotations

import gzip
import io
import logging
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from mediadigest.analyse.normalise import parse_date
from mediadigest.collect.http import decode_payload, parse_head
from mediadigest.errors import FormatError
from mediadigest.model import Document

try:  # optional extra "fast"
    from isal import igzip as _gzip
    from isal import igzip_threaded as _threaded
    from isal import isal_zlib as _zlib
except ImportError:  # pragma: no cover - the pure-Python fallback
    _gzip, _zlib, _threaded = gzip, zlib, None  # type: ignore[assignment]

log = logging.getLogger(__name__)

GZIP_MAGIC = b"\x1f\x8b\x08"
MAX_HEADER_LINES = 200
MAX_HTTP_HEAD = 64 * 1024
MAX_PAYLOAD = 20_000_000  # bigger responses are videos and dumps, not articles
_SKIP_CHUNK = 1 << 20
# HTTP content types worth analysing; a response without one is kept (the page will tell).
PAGE_TYPES = ("text/html", "application/xhtml+xml", "text/plain")


@dataclass(slots=True)
class WarcRecord:
    """A response record: where it starts, what was fetched and when, and the page bytes."""

    offset: int  # in the file (.warc) or in the decompressed stream of its range (.warc.gz)
    uri: str
    date: datetime | None  # WARC-Date: when it was crawled
    record_id: str | None
    status: int
    content_type: str | None
    payload: bytes


@dataclass(slots=True)
class Stats:
    """What a pass over a range saw, for the summary line and the benchmark."""

    records: int = 0  # every record, any type
    responses: int = 0  # response records handed on
    skipped: int = 0  # responses skipped: not a page, not 2xx, too big
    bytes: int = 0  # decompressed bytes read


def is_warc(path: Path) -> bool:
    name = path.name.lower()
    return name.endswith((".warc", ".warc.gz"))


def is_gzip(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(3) == GZIP_MAGIC


class _Range(io.RawIOBase):
    """A read-only view of bytes [start, end) of a file."""

    def __init__(self, path: Path, start: int, end: int | None) -> None:
        self._file = open(path, "rb")  # noqa: SIM115 (closed by close())
        self._file.seek(start)
        self._left = None if end is None else end - start

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:
        want = len(buffer) if self._left is None else min(len(buffer), self._left)
        if want <= 0:
            return 0
        got = self._file.readinto(memoryview(buffer)[:want])
        if self._left is not None:
            self._left -= got
        return got

    def tell(self) -> int:
        return self._file.tell()

    def close(self) -> None:
        self._file.close()
        super().close()


def iter_records(
    path: Path,
    start: int = 0,
    end: int | None = None,
    stats: Stats | None = None,
    *,
    inflate_thread: bool = True,
) -> Iterator[WarcRecord | FormatError]:
    """Response records in bytes [start, end) of ``path`` (both on record boundaries).

    Ends with one FormatError if the archive is truncated or corrupt; every record before
    the damage has been yielded by then. ``inflate_thread``: a .warc.gz is inflated in a
    thread of its own when isal is installed (``False``: in this one, as on a single core).
    """
    stats = stats if stats is not None else Stats()
    gz = is_gzip(path)
    threaded = inflate_thread and gz and _threaded is not None
    try:
        yield from _read_range(path, start, end, stats, gz, threaded=threaded)
    except _Damaged as damaged:
        # The inflating thread reads ahead and drops the block it was inflating when the
        # damage came: read from the record it hit on again, in this thread, to keep every
        # record before the damage.
        yield from _read_range(path, start, end, stats, gz, threaded=False, resume=damaged.at)


class _Damaged(Exception):
    def __init__(self, at: int) -> None:
        self.at = at  # decompressed offset of the record being read


def _read_range(
    path: Path,
    start: int,
    end: int | None,
    stats: Stats,
    gz: bool,
    *,
    threaded: bool,
    resume: int = 0,
) -> Iterator[WarcRecord | FormatError]:
    raw = _Range(path, start, end)
    stream = _open(raw, gz, threaded)
    reader = _Reader(stream, start=0 if gz else start, stats=stats)
    try:
        if resume:
            reader.skip_to(resume)
        yield from reader.records()
    except FormatError as exc:
        yield FormatError(str(path), exc.reason)
    except (EOFError, gzip.BadGzipFile, zlib.error, _zlib.error, OSError) as exc:
        if threaded:
            raise _Damaged(reader.record_start) from exc
        yield FormatError(str(path), _damage(exc, raw.tell(), reader))
    finally:
        stream.close()
        raw.close()


def _open(raw: _Range, gz: bool, threaded: bool) -> BinaryIO:
    if not gz:
        return io.BufferedReader(raw, 1 << 20)
    if threaded and _threaded is not None:
        # Inflating in a thread of its own (isal releases the GIL) overlaps it with parsing
        # and scanning here: on two cores the pass costs little more than inflating alone.
        return _threaded.open(raw, "rb", threads=1)  # type: ignore[no-any-return]
    return _gzip.open(raw, "rb")  # type: ignore[return-value]


def _damage(exc: BaseException, compressed_at: int, reader: _Reader) -> str:
    what = "truncated" if isinstance(exc, EOFError) else f"corrupt ({exc})"
    return (
        f"{what} gzip data near byte {compressed_at} of the file, in the record at "
        f"decompressed offset {reader.record_start}; the {reader.stats.records} records "
        "before it were read"
    )


class _Reader:
    """Parses WARC records off a decompressed stream, counting offsets as it goes."""

    def __init__(self, stream: BinaryIO, start: int, stats: Stats) -> None:
        self.stream = stream
        self.pos = start
        self.record_start = start
        self.stats = stats

    def _line(self) -> bytes:
        line = self.stream.readline(MAX_HTTP_HEAD)
        self.pos += len(line)
        return line

    def _read(self, size: int) -> bytes:
        data = self.stream.read(size)
        self.pos += len(data)
        self.stats.bytes += len(data)
        return data

    def skip_to(self, pos: int) -> None:
        """Read on to decompressed offset ``pos`` (uncounted: it was read before)."""
        counted = self.stats.bytes
        self._skip(pos - self.pos)
        self.stats.bytes = counted
        self.record_start = self.pos

    def _skip(self, size: int) -> int:
        left = size
        while left > 0:
            got = len(self._read(min(left, _SKIP_CHUNK)))
            if not got:
                break
            left -= got
        return size - left

    def records(self) -> Iterator[WarcRecord]:
        while True:
            self.record_start = self.pos
            line = self._line()
            while line in (b"\r\n", b"\n"):  # the blank lines that end the previous record
                self.record_start = self.pos
                line = self._line()
            if not line:
                return
            if not line.startswith(b"WARC/"):
                raise FormatError("", f"not a WARC record at offset {self.record_start}")
            headers = self._headers()
            record = self._record(headers)
            if record is not None:
                yield record

    def _headers(self) -> dict[str, str]:
        headers: dict[str, str] = {}
        for _ in range(MAX_HEADER_LINES):
            line = self._line()
            if not line:
                raise self._truncated("in its header")
            if line in (b"\r\n", b"\n"):
                return headers
            name, _, value = line.decode("utf-8", errors="replace").partition(":")
            headers[name.strip().lower()] = value.strip()
        raise FormatError("", f"record at offset {self.record_start}: header too long")

    def _truncated(self, where: str) -> FormatError:
        return FormatError(
            "",
            f"truncated: the record at offset {self.record_start} ends {where}; "
            f"the {self.stats.records} records before it were read",
        )

    def _record(self, headers: dict[str, str]) -> WarcRecord | None:
        try:
            length = int(headers.get("content-length", ""))
        except ValueError:
            raise FormatError(
                "", f"record at offset {self.record_start}: no valid Content-Length"
            ) from None
        self.stats.records += 1
        offset = self.record_start
        if headers.get("warc-type") != "response" or length > MAX_PAYLOAD + MAX_HTTP_HEAD:
            if self._skip(length) < length:
                raise self._truncated("early")
            self.stats.skipped += headers.get("warc-type") == "response"
            return None
        block = self._read(length)
        if len(block) < length:
            raise self._truncated(f"after {len(block)} of {length} bytes")
        head = parse_head(block)
        if head is None or not 200 <= head.status < 300 or not _is_page(head.content_type):
            self.stats.skipped += 1
            return None
        try:
            payload = decode_payload(block[head.body_start :], head, MAX_PAYLOAD)
        except FormatError as exc:  # one bad record (a compression bomb) spoils only itself
            log.warning("record at offset %s skipped: %s", offset, exc.reason)
            self.stats.skipped += 1
            return None
        self.stats.responses += 1
        return WarcRecord(
            offset=offset,
            uri=headers.get("warc-target-uri", "").strip("<>"),
            date=parse_date(headers.get("warc-date") or ""),
            record_id=headers.get("warc-record-id"),
            status=head.status,
            content_type=head.content_type,
            payload=payload,
        )


def to_document(record: WarcRecord, path: Path) -> Document:
    """The page of a response record as a Document; the crawl date is its fetch time.

    The page text is not searched for a date: a page without date metadata keeps no
    published date rather than pay seconds of dateparser for one; its crawl date is known.
    Extraction is trafilatura's fast mode (no fallback extractors): a third less CPU a page,
    the same F1 on the extraction benchmark (docs/benchmarks.md).
    """
    hints = {"source": str(path), "date_search": "off", "extraction": "fast"}
    if record.record_id:
        hints["warc_record_id"] = record.record_id
    return Document(
        url=record.uri,
        body=record.payload,
        fetched_at=record.date or datetime.now(UTC),
        content_type=record.content_type,
        hints=hints,
    )


def iter_documents(
    path: Path, start: int = 0, end: int | None = None
) -> Iterator[Document | FormatError]:
    """Every page of bytes [start, end) of a WARC file as a Document (no prefilter)."""
    for item in iter_records(path, start, end):
        yield item if isinstance(item, FormatError) else to_document(item, path)


def _is_page(content_type: str | None) -> bool:
    return content_type is None or content_type.split(";")[0].strip().lower().startswith(PAGE_TYPES)
