"""Collect stage, archives: stream page records out of WARC and WARC.gz files, in byte ranges.

Pages are ``response`` records (an HTTP response; its 2xx page types are read) and
``resource`` records of a page type (a page stored as it is, as warcit writes them), each
under its http(s) WARC-Target-URI: a page record without one is skipped with a note naming
it. One record is in memory at a time; other record types and non-page responses are skipped
without being held, and counted by why (``Stats``). A byte range of an archive
(``warc_ranges.split`` finds ranges that start and end on record boundaries) can be read on
its own, so ranges can be read by different workers and an interrupted ingest can resume at
the end of the last range it stored. A truncated archive yields everything before the cut,
then a FormatError saying where it stopped. Damage in the middle costs only what it spoils:
a corrupt gzip member of a .warc.gz costs its records, and reading goes on at the next gzip
member that holds a record; a record whose Content-Length is wrong, or a line that is no
record where one should start, is not read, and reading goes on at the next record start
(``warc_plain``'s rules; in a .warc.gz, found in the inflated bytes, so a file that is one
gzip member loses only the damaged record too); each damaged stretch is one FormatError.
Messages give a record's offset in the file (for a .warc.gz, that of the gzip member
holding it, and the offset inside it where the member holds more than one record).

Decompression uses isal's igzip when installed (about 3x faster than zlib), else gzip.
"""

from __future__ import annotations

import bisect
import dataclasses
import gzip
import io
import os
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from mediadigest.analyse.normalise import parse_date
from mediadigest.collect import warc_plain
from mediadigest.collect.http import decode_payload, parse_head
from mediadigest.collect.warc_plain import BLANK, DIGITS, MAX_HEADER_LINES, TERMINATOR
from mediadigest.errors import FormatError
from mediadigest.model import Document

try:  # optional extra "fast"
    from isal import igzip as _gzip
    from isal import igzip_threaded as _threaded
    from isal import isal_zlib as _zlib
except ImportError:  # pragma: no cover - the pure-Python fallback
    _gzip, _zlib, _threaded = gzip, zlib, None  # type: ignore[assignment]


GZIP_MAGIC = b"\x1f\x8b\x08"
MAX_HTTP_HEAD = warc_plain.MAX_LINE
MAX_PAYLOAD = 20_000_000  # bigger responses are videos and dumps, not articles
_SKIP_CHUNK = 1 << 20
_RECORD_START = b"\nWARC/1."
_PAST_END = 1 << 16  # read at a time past a range's end, to the end of a member running over
# HTTP content types worth analysing; a response without one is kept (the page will tell).
PAGE_TYPES = ("text/html", "application/xhtml+xml", "text/plain")


@dataclass(slots=True)
class WarcRecord:
    """A page record: where it starts, what was fetched and when, and the page bytes."""

    offset: int  # in the file (.warc) or in the decompressed stream of its range (.warc.gz)
    uri: str
    date: datetime | None  # WARC-Date: when it was crawled
    record_id: str | None
    status: int | None  # None: a resource record, stored without an HTTP exchange
    content_type: str | None
    payload: bytes


class ArchiveDamage(FormatError):
    """Damage that cut reading an archive short, and how many records came before it.

    ``before`` counts the records read whole before the damaged one, from byte ``since`` of
    the file; a reader of one range knows only its own, so the ingest's writer, which sees a
    file's ranges in order, makes it the file's count (`counted_from`).
    """

    def __init__(self, source: str, damage: str, before: int, then: str = "", since: int = 0):
        self.damage, self.before, self.then, self.since = damage, before, then, since
        super().__init__(source, "; ".join(filter(None, (damage, self._read(), then))))

    def _read(self) -> str:
        records = ("no record before it was" if not self.before else
                   "the 1 record before it was" if self.before == 1 else
                   f"the {self.before} records before it were")  # fmt: skip
        # Resumed, a run does not know the records before its checkpoint.
        since = f" from byte {self.since:,} (where this run resumed)" if self.since else ""
        return f"{records} read{since}"

    def __reduce__(self) -> tuple[type[ArchiveDamage], tuple[str, str, int, str, int]]:
        return type(self), (self.source, self.damage, self.before, self.then, self.since)

    def counted_from(self, earlier: int, since: int) -> ArchiveDamage:
        """The same damage, ``earlier`` more records read before its range, from ``since``."""
        return ArchiveDamage(self.source, self.damage, self.before + earlier, self.then, since)

    def named(self, source: str) -> ArchiveDamage:
        return ArchiveDamage(source, self.damage, self.before, self.then, self.since)


def _named(error: FormatError, source: str) -> FormatError:
    """``error`` as said of the archive ``source`` (the reader's errors name no file)."""
    if isinstance(error, ArchiveDamage):
        return error.named(source)
    return FormatError(source, error.reason)


@dataclass(slots=True)
class Stats:
    """What a pass over a range saw, for the summary line and the benchmark.

    Every record read whole is a page handed on or counted under one reason it was skipped.
    """

    records: int = 0  # every record read whole, any type
    responses: int = 0  # page records (responses and page resources) handed on
    other_types: dict[str, int] = field(default_factory=dict)  # by WARC-Type: request, ...
    not_ok: int = 0  # responses that are not 2xx (or have no HTTP head)
    not_page: int = 0  # responses of a type not analysed (images, scripts, PDFs)
    too_big: int = 0  # page records over MAX_PAYLOAD
    undecodable: int = 0  # responses whose Content-Encoding cannot be undone
    no_uri: int = 0  # page records without an http(s) WARC-Target-URI
    bytes: int = 0  # decompressed bytes read
    notes: list[str] = field(default_factory=list)  # records skipped for a reason to tell

    @property
    def skipped(self) -> int:
        """Page records skipped: not a page, not 2xx, too big, undecodable, no URL."""
        return self.not_ok + self.not_page + self.too_big + self.undecodable + self.no_uri

    def skipped_by_reason(self) -> dict[str, int]:
        """Records not handed on, by why: the WARC-Type of other records, or the reason a
        response is not a page to read."""
        reasons = {"not 2xx": self.not_ok, "not a page type": self.not_page,
                   "too big": self.too_big, "undecodable": self.undecodable,
                   "no http(s) URI": self.no_uri}  # fmt: skip
        return {**self.other_types, **{k: n for k, n in reasons.items() if n}}


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
    """Page records in bytes [start, end) of ``path`` (both on record boundaries).

    Ends with one FormatError (an `ArchiveDamage`) if the archive is truncated or corrupt;
    every record before the damage has been yielded by then. ``inflate_thread``: a .warc.gz
    is inflated in a thread of its own when isal is installed (``False``: in this one, as on
    a single core).
    """
    stats = stats if stats is not None else Stats()
    gz = is_gzip(path)
    threaded = inflate_thread and gz and _threaded is not None
    try:
        yield from _read_range(path, start, end, stats, gz, threaded=threaded)
    except _Damaged as damaged:
        # Inflating reads ahead: the record before the damage may not have come out whole.
        # Read the range again member by member, which also goes on past a corrupt member.
        yield from _salvage(path, start, end, stats, after=damaged.at)


class _Damaged(Exception):
    def __init__(self, at: int) -> None:
        self.at = at  # decompressed offset of the record being read


class _BadRecord(Exception):
    """A record of a .warc.gz that is none (its first line is no ``WARC/``), that cannot say
    where it ends (no valid Content-Length), or that does not end where its Content-Length
    says (its block running past its member included).

    Reading goes on at the next record start after ``search_from`` (`_Members.next_record`):
    the next member's when each record has a member of its own (as crawlers write them). A
    .warc raises `_Resync` instead.
    """

    def __init__(self, reason: str, search_from: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.search_from = search_from  # where a search for the next record starts


class _Resync(Exception):
    """A stretch of a .warc from ``at`` that holds no record to read: reading goes on at the
    first record start after ``search_from`` (``warc_plain.next_record_start``).

    ``lost``: records lost in it so far (the damaged one, or none before bytes that are no
    record); ``cut``: what to say if no record follows, the damaged one being cut short by
    the end of the file (a truncated archive, not a wrong Content-Length).
    """

    def __init__(
        self, problem: str, at: int, search_from: int, lost: int, cut: ArchiveDamage | None = None
    ) -> None:
        super().__init__(problem)
        self.problem, self.at, self.search_from, self.lost, self.cut = (
            problem, at, search_from, lost, cut)  # fmt: skip


_GZIP_ERRORS = (EOFError, gzip.BadGzipFile, zlib.error, _zlib.error, OSError)


def _read_range(
    path: Path, start: int, end: int | None, stats: Stats, gz: bool, *, threaded: bool
) -> Iterator[WarcRecord | FormatError]:
    if not gz:
        yield from _read_plain(path, start, end, stats)
        return
    raw = _Range(path, start, end)
    stream = _open(raw, gz, threaded)
    places = _MemberMap(path, start, end)
    reader = _Reader(stream, start=0, stats=stats, where=places.where)
    try:
        yield from reader.records()
    except FormatError as exc:
        yield _named(exc, str(path))
    except (_BadRecord, *_GZIP_ERRORS) as exc:  # read member by member, which can go on after
        raise _Damaged(reader.record_start) from exc
    finally:
        stream.close()
        raw.close()
        places.close()


def _read_plain(
    path: Path, start: int, end: int | None, stats: Stats
) -> Iterator[WarcRecord | FormatError]:
    """Records of bytes [start, end) of a .warc; past each damaged stretch, one FormatError
    and on from the next record start in the range."""
    at: int | None = start
    while at is not None:
        raw = _Range(path, at, end)
        stream = io.BufferedReader(raw, 1 << 20)
        reader = _Reader(stream, start=at, stats=stats, where=_in_file, plain=True)
        try:
            yield from reader.records()
            return
        except _Resync as damage:
            error, at = _resynced(path, end, damage, stats.records)
            yield error
        except FormatError as exc:
            yield _named(exc, str(path))
            return
        except OSError as exc:
            yield FormatError(str(path), f"cannot read it ({exc})")
            return
        finally:
            stream.close()
            raw.close()


def _resynced(
    path: Path, end: int | None, damage: _Resync, before: int
) -> tuple[FormatError, int | None]:
    """What a damaged stretch of a .warc cost, and where the next record in the range starts
    (None: none does; the next range, if any, reads on)."""
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        limit = size if end is None else min(end, size)
        found, rejected = warc_plain.next_record_start(fh, damage.search_from, limit, size)
        # A range ends where the next one starts; a file still being written has more bytes
        # after the range planned, which start no record.
        goes_on = found is not None or (limit < size and warc_plain.starts_record(fh, limit))
    if not goes_on and damage.cut is not None:
        return damage.cut.named(str(path)), None
    stop = found if found is not None else limit
    lost = damage.lost + rejected
    records = "no record" if not lost else "1 record" if lost == 1 else f"{lost} records"
    then = f"read on from the next record, at offset {stop}" if goes_on else (
        "no readable record after it")  # fmt: skip
    skipped = f"{damage.problem}; offsets {damage.at} to {stop} skipped ({records})"
    return ArchiveDamage(str(path), skipped, before, then), found


def _salvage(
    path: Path, start: int, end: int | None, stats: Stats, *, after: int
) -> Iterator[WarcRecord | FormatError]:
    """Read a damaged .warc.gz range again, one gzip member at a time; yield the records from
    decompressed offset ``after`` on (those before came out already) and a FormatError for
    each stretch lost. ``stats`` is counted afresh over the whole range."""
    members = _Members(path, start, end)
    fresh = Stats()
    reader = _Reader(members, start=0, stats=fresh, where=members.where)  # type: ignore[arg-type]
    try:
        for item in reader.records():
            if isinstance(item, FormatError):
                yield _named(item, str(path))
            elif item.offset >= after:
                yield item
    except FormatError as exc:
        yield _named(exc, str(path))
    finally:
        members.close()
        for name in (f.name for f in dataclasses.fields(Stats)):
            setattr(stats, name, getattr(fresh, name))


def _in_file(pos: int) -> str:
    """Where a record of an uncompressed WARC is: its offset is the file's."""
    return f"offset {pos}"


class _Lost(Exception):
    """A stretch of a .warc.gz could not be read; ``_Members`` goes on after it."""

    def __init__(self, reason: str, then: str = "") -> None:
        super().__init__(reason)
        self.reason, self.then = reason, then  # what was lost; how reading went on


class _Members:
    """The decompressed bytes of a .warc.gz range, inflated one gzip member at a time.

    Crawlers write each record as a gzip member of its own, so a corrupt member costs only
    its record: ``_Lost`` says where it was and the stream goes on at the next member that
    holds a WARC record. Slower than igzip over the range, and needed only once that failed.
    """

    def __init__(self, path: Path, start: int, end: int | None) -> None:
        self._file = open(path, "rb")  # noqa: SIM115 (closed by close())
        self._file.seek(start)
        self._at = start  # file offset of the first byte of self._in
        self._end = end
        self._in = b""  # compressed bytes read, not inflated yet
        self._out = bytearray()  # inflated bytes not handed out yet
        self._inflate: Any = None  # the member being inflated
        self._member = start  # where it starts in the file
        self._handed = 0  # decompressed bytes handed out: the reader's offset
        # (decompressed offset, file offset) where each member read so far starts
        self._starts: list[int] = []
        self._offsets: list[int] = []

    def close(self) -> None:
        self._file.close()

    def where(self, pos: int) -> str:
        """Where the record at decompressed offset ``pos`` lies in the file: at the start of
        a gzip member (one record per member, as crawlers write), or inside one."""
        i = bisect.bisect_right(self._starts, pos) - 1
        if i < 0:
            return f"offset {pos} of the decompressed archive"
        inside = pos - self._starts[i]
        member = self._offsets[i]
        return f"offset {member}" if not inside else (
            f"offset {inside} inside the gzip member at offset {member}")  # fmt: skip

    def read(self, size: int) -> bytes:
        while len(self._out) < size and self._fill():
            pass
        data = bytes(self._out[:size])
        del self._out[:size]
        self._handed += len(data)
        return data

    def readline(self, limit: int) -> bytes:
        seen = 0
        while (i := self._out.find(b"\n", seen, limit)) < 0 and len(self._out) < limit:
            seen = len(self._out)
            if not self._fill():
                break
        n = i + 1 if i >= 0 else min(limit, len(self._out))
        data = bytes(self._out[:n])
        del self._out[:n]
        self._handed += len(data)
        return data

    def after_range(self) -> int | None:
        """Where the next range starts, if the file goes on after this one."""
        size = os.fstat(self._file.fileno()).st_size
        return self._end if self._end is not None and self._end < size else None

    def next_record(self, search_from: int) -> int | None:
        """Go on at the first record start at or after decompressed offset ``search_from``
        (a line start), by warc_plain's rules; None if none is left in the range.

        Members hold whole records, so the next member is found so too when each record
        has its own; a stream of one member (``gzip -c file.warc``) is searched as a .warc.
        """
        if search_from < self._handed:  # a Content-Length too long read past it: read again
            self._rewind(bisect.bisect_right(self._starts, search_from) - 1)
        while self._handed < search_from and self.read(
            min(search_from - self._handed, _SKIP_CHUNK)
        ):
            pass
        seen, first = 0, True
        while True:
            i = self._out.find(b"WARC/1.", seen)
            if i < 0:
                # Keep the byte before a start that may come with the next bytes.
                keep = len(_RECORD_START) if len(self._out) >= len(_RECORD_START) else 0
                self._discard(len(self._out) - keep)
                seen, first = 0, False
                if not self._fill():
                    self._discard(len(self._out))
                    return None
                continue
            if len(self._out) < i + len(warc_plain.STARTS[0]) and self._fill():
                continue
            # A member starts a record (a range starts at one) after whatever bytes end the
            # member before, a stray CR or garbage included.
            at_line = (self._out[i - 1] == ord("\n") if i else first) or self._starts_member(i)
            if at_line and self._out.startswith(warc_plain.STARTS, i) and self._readable(i):
                self._discard(i)
                return self._handed
            seen = i + 1

    def _starts_member(self, i: int) -> bool:
        at = self._handed + i
        k = bisect.bisect_left(self._starts, at)
        return k < len(self._starts) and self._starts[k] == at

    def _discard(self, n: int) -> None:
        del self._out[:n]
        self._handed += n

    def _readable(self, i: int) -> bool:
        """Whether a record starting at ``self._out[i]`` has a header that says where it
        ends, and ends there (``warc_plain``): inflated as far as needed to tell."""
        while (header := warc_plain.read_header(io.BytesIO(self._out[i:]), 0)) is None:
            if len(self._out) - i > MAX_HEADER_LINES * 1024 or not self._fill():
                return False
        if header.length is None or not header.typed:
            return False
        block_end = header.end + header.length
        if block_end > MAX_PAYLOAD + MAX_HTTP_HEAD:
            return True  # not held to be checked: a record that big is skipped unread
        while len(self._out) - i < block_end + MAX_HTTP_HEAD and self._fill():
            pass
        rest = io.BytesIO(self._out[i:])
        return block_end <= len(self._out) - i and warc_plain.ends_well(rest, block_end)

    def _input(self) -> bytes:
        if not self._in:
            left = _SKIP_CHUNK if self._end is None else min(_SKIP_CHUNK, self._end - self._at)
            if self._end is not None and self._at + left >= self._end:
                if left <= 0 and self._inflate is None:
                    return b""
                # Bytes past the range's end go with its last bytes, as a reader of the whole
                # file has them: a member whose deflate data or CRC is damaged then fails in
                # the same call, before its record is handed on (isal checks a trailer only
                # once it comes, and a damaged member may run on past it).
                left = max(left, 0) + _PAST_END
            self._in = self._file.read(left) if left > 0 else b""
        return self._in

    def _fill(self) -> bool:
        """Inflate some more; False at the end of the range."""
        data = self._input()
        if self._inflate is None:
            if not data:
                return False
            self._inflate, self._member = _zlib.decompressobj(31), self._at
            self._starts.append(self._handed + len(self._out))
            self._offsets.append(self._at)
        if not data:
            self._inflate = None
            self._drop()
            raise _Lost(f"truncated: the gzip member at byte {self._member} of the file ends early")
        try:
            out = self._inflate.decompress(data)
        except (zlib.error, _zlib.error) as exc:
            self._go_on_after(str(exc))
        if self._inflate.eof:
            rest = self._inflate.unused_data
            self._at += len(data) - len(rest)
            if self._end is not None and self._at >= self._end:
                rest = b""  # the bytes after the range are the next range's
            self._in, self._inflate = rest, None
        else:
            self._at += len(data)
            self._in = b""
        self._out += out
        return True

    def _rewind(self, i: int) -> None:
        """Inflate again from the start of the i-th member read (``_fill`` notes it again)."""
        self._at = self._offsets[i]
        self._file.seek(self._at)
        self._handed = self._starts[i]
        self._in, self._inflate = b"", None
        self._out.clear()
        del self._starts[i:], self._offsets[i:]

    def _drop(self) -> None:
        """Forget the bytes inflated but not handed out, and the members they came from."""
        self._out.clear()
        while self._starts and self._starts[-1] > self._handed:
            self._starts.pop()
            self._offsets.pop()

    def _go_on_after(self, problem: str) -> None:
        """Skip to the next member that starts a WARC record; raise _Lost saying so."""
        bad = self._member
        self._inflate = None
        self._drop()
        total = self._end if self._end is not None else os.fstat(self._file.fileno()).st_size
        found = next_record_member(self._file, bad + 1, total)
        if found is None:
            self._in, self._at = b"", self._end if self._end is not None else self._at
            self._file.seek(0, io.SEEK_END)
            # A range ends where the next one starts, at a member holding a record.
            after = self.after_range()
            then = ("no readable record after it" if after is None
                    else f"read on from the next record, at byte {after}")  # fmt: skip
            raise _Lost(f"corrupt gzip member at byte {bad} of the file ({problem})", then)
        self._file.seek(found)
        self._in, self._at = b"", found
        raise _Lost(f"corrupt gzip member at byte {bad} of the file ({problem})",
                    f"read on from the next record, at byte {found}")  # fmt: skip


class _MemberMap:
    """Where a record of a .warc.gz range lies in the file, for the fast reader.

    Inflating the range in one go (igzip) tells decompressed offsets only, which mean
    nothing to a user. The first time a record needs naming, the range is inflated again
    member by member (``_Members``), as far as that record: only for a range with something
    to say, and once for all its records, which come in order.
    """

    def __init__(self, path: Path, start: int, end: int | None) -> None:
        self._args = (path, start, end)
        self._members: _Members | None = None

    def where(self, pos: int) -> str:
        if self._members is None:
            self._members = _Members(*self._args)
        members = self._members
        try:
            while members._handed <= pos and members.read(_SKIP_CHUNK):
                pass
        except (_Lost, OSError):
            pass  # the damage is reported by the reader; name what was found before it
        return members.where(pos)

    def close(self) -> None:
        if self._members is not None:
            self._members.close()


def next_record_member(fh: BinaryIO, pos: int, total: int) -> int | None:
    """The first gzip member at or after ``pos`` that holds whole WARC records.

    Candidates are found by the gzip magic bytes and confirmed by inflating the member:
    it must decompress cleanly, start with "WARC/" and end where a record ends.
    """
    window = 1 << 20
    while pos < total:
        fh.seek(pos)
        chunk = fh.read(window + 2)
        hit = chunk.find(GZIP_MAGIC)
        while hit >= 0 and pos + hit < total:
            if _is_record_member(fh, pos + hit):
                return pos + hit
            hit = chunk.find(GZIP_MAGIC, hit + 1)
        pos += window
    return None


def _is_record_member(fh: BinaryIO, at: int) -> bool:
    fh.seek(at)
    inflater = _zlib.decompressobj(31)
    out = b""
    try:
        while not inflater.eof:
            data = fh.read(1 << 16)
            if not data:
                return False
            out += inflater.decompress(data)
            if not out.startswith(b"WARC/"[: len(out)]):
                return False
            if len(out) > MAX_PAYLOAD + MAX_HTTP_HEAD:
                return False
    except (zlib.error, _zlib.error):
        return False
    return out.startswith(b"WARC/") and out.endswith(b"\r\n\r\n")


def _open(raw: _Range, gz: bool, threaded: bool) -> BinaryIO:
    if not gz:
        return io.BufferedReader(raw, 1 << 20)
    if threaded and _threaded is not None:
        # Inflating in a thread of its own (isal releases the GIL) overlaps it with parsing
        # and scanning here: on two cores the pass costs little more than inflating alone.
        return _threaded.open(raw, "rb", threads=1)  # type: ignore[no-any-return]
    return _gzip.open(raw, "rb")  # type: ignore[return-value]


class _Reader:
    """Parses WARC records off a decompressed stream, counting offsets as it goes.

    A record is handed on once the line after its block shows that it ends where its
    Content-Length says (``warc_plain``): that line is the next record's first, read once.
    ``plain``: an uncompressed WARC, where damage raises `_Resync` for the caller to go on
    at the next record start; in a .warc.gz, `_BadRecord`, for the salvage to do the same.
    """

    def __init__(
        self,
        stream: BinaryIO,
        start: int,
        stats: Stats,
        where: Callable[[int], str],
        *,
        plain: bool = False,
    ) -> None:
        self.stream = stream
        self.pos = start
        self.record_start = start
        self.header_start = start  # the record's second line: where a search for the next goes
        self.block_start = start
        self.stats = stats
        self.where = where  # a record's offset as the user can find it in the file
        self.members = stream if isinstance(stream, _Members) else None
        self.plain = plain
        self._next_line: bytes | None = None  # the next record's first line, read already
        self._next_start = start  # and where it starts
        self._lost_next: _Lost | None = None  # a stretch lost right after the record read

    def _line(self) -> bytes:
        line = self.stream.readline(MAX_HTTP_HEAD)
        self.pos += len(line)
        return line

    def _read(self, size: int) -> bytes:
        data = self.stream.read(size)
        self.pos += len(data)
        self.stats.bytes += len(data)
        return data

    def _skip(self, size: int) -> int:
        left = size
        while left > 0:
            got = len(self._read(min(left, _SKIP_CHUNK)))
            if not got:
                break
            left -= got
        return size - left

    def records(self) -> Iterator[WarcRecord | FormatError]:
        """Every page record; a FormatError for each stretch a salvage lost (then on)."""
        while True:
            try:
                # The next record's first line, read already by the check of the last one's end.
                line = self._next_line
                if line is not None:
                    self.record_start, self._next_line = self._next_start, None
                else:
                    self.record_start = self.pos
                    line = self._line()
                while line in BLANK:
                    self.record_start = self.pos
                    line = self._line()
                if not line:
                    return
                if not line.startswith(b"WARC/"):
                    problem = f"not a WARC record at {self.where(self.record_start)}"
                    if self.plain:
                        raise _Resync(problem, self.record_start, self.record_start, 0)
                    raise _BadRecord(problem, self.record_start)
                self.header_start = self.pos
                headers = self._headers()
                self.block_start = self.pos
                record = self._record(headers)
            except _Lost as lost:
                yield self._lost(lost)
                continue
            except _BadRecord as bad:
                if self.members is None:
                    raise
                yield from self._resync(bad, self.members)
                continue
            if record is not None:
                yield record
            if self._lost_next is not None:
                lost, self._lost_next = self._lost_next, None
                yield self._lost(lost)

    def _resync(self, bad: _BadRecord, members: _Members) -> Iterator[FormatError]:
        """Go on at the next record start after a bad record of a .warc.gz, and say so."""
        before, lost_after, then = self.stats.records, None, ""
        try:
            found = members.next_record(bad.search_from)
        except _Lost as lost:  # a corrupt member met looking: it says where reading went on
            lost_after = lost
        else:
            if found is not None:
                then = f"read on from the next record, at {self.where(found)}"
            elif (after := members.after_range()) is not None:
                then = f"read on from the next record, at offset {after}"
            else:
                then = "no readable record after it"
        yield ArchiveDamage("", bad.reason, before, then)
        if lost_after is not None:
            yield self._lost(lost_after)
        self.pos = members._handed

    def _ends_well(self, length: int) -> None:
        """Check that the record whose block was just read ends there, reading on to the next
        record's first line; raise `_Resync` (.warc) or `_BadRecord` (.warc.gz) if not."""
        second = b""
        try:
            first = line = self._line()
            if line in BLANK:
                second = line = self._line()
                while line in BLANK:
                    line = self._line()
        except _Lost as lost:  # the record is whole; the stretch after it is lost
            self._lost_next = lost
            return
        if line and not line.startswith(b"WARC/") and [first, second] != TERMINATOR:
            problem = (f"record at {self.where(self.record_start)} does not end where its "
                       f"Content-Length ({length}) says")  # fmt: skip
            if self.plain:  # whatever its length swallowed is read: search from its block
                raise _Resync(problem, self.record_start, self.block_start, 1)
            raise _BadRecord(problem, self.block_start)
        # Bytes that are no record after a record that ends well: the next round says so.
        self._next_start, self._next_line = self.pos - len(line), line

    def _unreadable(self, problem: str) -> Exception:
        """A record whose header cannot say where it ends."""
        if self.plain:
            return _Resync(problem, self.record_start, self.header_start, 1)
        return _BadRecord(problem, self.header_start)

    def _cut(self, length: int, where: str) -> Exception:
        """A record whose block the stream ended in: a truncated archive, or in a .warc a
        Content-Length too long (if a record starts after its header)."""
        problem = (f"record at {self.where(self.record_start)} does not end where its "
                   f"Content-Length ({length}) says")  # fmt: skip
        if not self.plain:
            # A gzip member ends whole (its CRC checked), so a block running past it has a
            # length too long; reading goes on at the member after the record's.
            return _BadRecord(problem, self.block_start)
        return _Resync(problem, self.record_start, self.block_start, 1, self._truncated(where))

    def _lost(self, lost: _Lost) -> FormatError:
        return ArchiveDamage("", lost.reason, self.stats.records, lost.then)

    def _headers(self) -> dict[str, str]:
        headers: dict[str, str] = {}
        for _ in range(MAX_HEADER_LINES):
            line = self._line()
            if not line:
                raise self._truncated("in its header")
            if line in BLANK:
                return headers
            # warc_plain.header_field, written out: a call per line slows small records.
            name, _, value = line.decode("utf-8", errors="replace").partition(":")
            headers[name.strip().lower()] = value.strip()
        raise self._unreadable(f"record at {self.where(self.record_start)}: header too long")

    def _truncated(self, where: str) -> ArchiveDamage:
        # stats.records counts records read whole: the one cut short is not among them.
        at = self.where(self.record_start)
        return ArchiveDamage("", f"truncated: the record at {at} ends {where}", self.stats.records)

    def _record(self, headers: dict[str, str]) -> WarcRecord | None:
        value = headers.get("content-length", "")
        if not value:
            raise self._unreadable(f"record at {self.where(self.record_start)}: no Content-Length")
        if not DIGITS.fullmatch(value):
            raise self._unreadable(
                f"record at {self.where(self.record_start)}: invalid Content-Length {value[:40]}"
            )
        length = int(value)
        offset = self.record_start
        kind = headers.get("warc-type") or "untyped"
        # A resource is the page itself, typed by the record's Content-Type (one without it,
        # or of another type, is a DNS answer, a screenshot, a PDF: counted by its type).
        declared = headers.get("content-type")
        resource = kind == "resource" and declared is not None and _is_page(declared)
        page = kind == "response" or resource
        limit = MAX_PAYLOAD if resource else MAX_PAYLOAD + MAX_HTTP_HEAD
        if not page or length > limit:
            if self._skip(length) < length:
                raise self._cut(length, "early")
            self._ends_well(length)
            self.stats.records += 1
            if page:
                self.stats.too_big += 1
                uri = headers.get("warc-target-uri", "").strip("<>")
                self.stats.notes.append(f"record at {self.where(offset)} ({uri}) skipped: "
                                        f"{length:,} bytes, over the {MAX_PAYLOAD:,} a page "
                                        "may have")  # fmt: skip
            else:  # requests, metadata, warcinfo, revisits: counted by type, never parsed
                other = self.stats.other_types
                other[kind] = other.get(kind, 0) + 1
            return None
        block = self._read(length)
        if len(block) < length:
            raise self._cut(length, f"after {len(block)} of {length} bytes")
        self._ends_well(length)
        self.stats.records += 1
        if resource:
            payload, status, content_type = block, None, declared
        else:
            found = self._http_payload(block, headers, offset)
            if found is None:
                return None
            payload, status, content_type = found
        uri = headers.get("warc-target-uri", "").strip("<>")
        if not _is_web_url(uri):
            # Stored, it had no address to link to or to tell one copy from another by.
            self.stats.no_uri += 1
            name = headers.get("warc-record-id") or "no WARC-Record-ID"
            why = (f"its WARC-Target-URI {uri[:100]!r} is not an http(s) URL" if uri
                   else "no WARC-Target-URI")  # fmt: skip
            self.stats.notes.append(f"record at {self.where(offset)} ({name}) skipped: {why}")
            return None
        self.stats.responses += 1
        return WarcRecord(
            offset=offset,
            uri=uri,
            date=parse_date(headers.get("warc-date") or ""),
            record_id=headers.get("warc-record-id"),
            status=status,
            content_type=content_type,
            payload=payload,
        )

    def _http_payload(
        self, block: bytes, headers: dict[str, str], offset: int
    ) -> tuple[bytes, int, str | None] | None:
        """(page bytes, status, content type) of a response's block; None where it is no
        page to read (counted by why)."""
        head = parse_head(block)
        if head is None or not 200 <= head.status < 300:
            self.stats.not_ok += 1
            return None
        if not _is_page(head.content_type):
            self.stats.not_page += 1
            return None
        try:
            payload = decode_payload(block[head.body_start :], head, MAX_PAYLOAD)
        except FormatError as exc:  # one bad record (a compression bomb) spoils only itself
            uri = headers.get("warc-target-uri", "").strip("<>")
            where = self.where(offset)
            self.stats.notes.append(f"record at {where} ({uri}) skipped: {exc.reason}")
            self.stats.undecodable += 1
            return None
        return payload, head.status, head.content_type


def to_document(record: WarcRecord, path: Path) -> Document:
    """The page of a page record as a Document; the crawl date is its fetch time.

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


def _is_web_url(uri: str) -> bool:
    try:
        parts = urlsplit(uri)
    except ValueError:  # an invalid IPv6 host, a port out of range
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
