"""Collect stage, archives: where the records of an uncompressed WARC start, past damage too.

The reader (``warc``) streams records and the range splitter (``warc_ranges``) seeks over
them; both keep these rules, so a range boundary lies where a reader of the whole file would
start a record, and reading a file in ranges gives what reading it in one pass gives:

- A record's block is the Content-Length bytes after its header. It *ends well* if its
  CRLF CRLF terminator follows, or blank lines up to the next ``WARC/`` line or the end.
- A record that does not end well (a Content-Length edited by hand, or written wrong) is
  damaged: it is not read, and reading goes on at the first record start after its header
  (`next_record_start`), so the records a too long Content-Length swallowed are read.
- A line that is no record where one should start, and a header that cannot say where its
  record ends (no Content-Length, or not digits), are passed over the same way.

Looking for the next record happens only on damage; an intact archive is read by its
Content-Lengths alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

MAX_HEADER_LINES = 200
MAX_LINE = 64 * 1024
# ASCII digits only: int() also takes "-1" (reading back or to the end of the range), "+5",
# "5_0" and other scripts' digits.
DIGITS = re.compile(r"[0-9]{1,18}")
BLANK = (b"\r\n", b"\n")
TERMINATOR = [b"\r\n", b"\r\n"]  # the two blank lines a record's block ends with
STARTS = (b"WARC/1.0\r\n", b"WARC/1.1\r\n")  # what a record found by looking starts with
_WINDOW = 1 << 20


def header_field(line: bytes) -> tuple[str, str]:
    """(name in lower case, value) of a WARC header line."""
    name, _, value = line.decode("utf-8", errors="replace").partition(":")
    return name.strip().lower(), value.strip()


def content_length(value: str) -> int | None:
    return int(value) if DIGITS.fullmatch(value) else None


@dataclass(slots=True)
class Header:
    end: int  # where the record's block starts
    length: int | None  # its Content-Length; None: none, or not a number
    typed: bool  # it has a WARC-Type


def read_header(fh: BinaryIO, at: int) -> Header | None:
    """The header of the record whose first line is at ``at``; None if it does not end (the
    file ends in it, or it runs over MAX_HEADER_LINES lines)."""
    fh.seek(at)
    pos = at + len(fh.readline(MAX_LINE))
    fields: dict[str, str] = {}
    for _ in range(MAX_HEADER_LINES):
        line = fh.readline(MAX_LINE)
        pos += len(line)
        if not line:
            return None
        if line in BLANK:
            length = content_length(fields.get("content-length", ""))
            return Header(pos, length, bool(fields.get("warc-type")))
        name, value = header_field(line)
        fields[name] = value
    return None


def ends_well(fh: BinaryIO, block_end: int) -> bool:
    """Whether a block ending at ``block_end`` is followed by its terminator, or by blank
    lines up to a ``WARC/`` line or the end of the file."""
    fh.seek(block_end)
    blanks: list[bytes] = []
    while (line := fh.readline(MAX_LINE)) in BLANK:
        blanks.append(line)
    return not line or line.startswith(b"WARC/") or blanks[:2] == TERMINATOR


def starts_record(fh: BinaryIO, at: int) -> bool:
    fh.seek(at)
    return fh.read(5) == b"WARC/"


def next_record_start(fh: BinaryIO, pos: int, end: int, total: int) -> tuple[int | None, int]:
    """The first record start in [pos, end), and how many record headers before it could not
    be read (they are counted as records lost). ``pos`` is a line start; ``total`` the file's
    size.

    A record start is ``WARC/1.0`` or ``WARC/1.1`` and CRLF at a line start, with a header
    that has a WARC-Type and a Content-Length, whose block ends well: a page that quotes a
    WARC header is not taken for one.
    """
    lost = 0
    for base in range(pos, end, _WINDOW):
        lead = 1 if base > pos else 0  # the byte before the window: is a hit at a line start?
        fh.seek(base - lead)
        chunk = fh.read(lead + min(_WINDOW, end - base) + len(STARTS[0]))
        i = chunk.find(b"WARC/1.", lead)
        while i >= 0 and i - lead < _WINDOW and base + i - lead < end:
            at = base + i - lead
            if chunk.startswith(STARTS, i) and (at == pos or chunk[i - 1] == ord("\n")):
                if _readable(fh, at, total):
                    return at, lost
                lost += 1
            i = chunk.find(b"WARC/1.", i + 1)
    return None, lost


def _readable(fh: BinaryIO, at: int, total: int) -> bool:
    header = read_header(fh, at)
    if header is None or header.length is None or not header.typed:
        return False
    block_end = header.end + header.length
    return block_end <= total and ends_well(fh, block_end)


def record_starts(fh: BinaryIO, start: int, total: int) -> Iterator[int]:
    """Where each record a reader would start from ``start`` (a record boundary) on starts,
    seeking over the blocks: by Content-Length, and past damage as the reader goes on."""
    at = start
    while at < total:
        fh.seek(at)
        while (line := fh.readline(MAX_LINE)) in BLANK:
            at += len(line)
        if not line:
            return
        if not line.startswith(b"WARC/"):
            search_from = at
        elif (header := read_header(fh, at)) is None or header.length is None:
            search_from = at + len(line)
        else:
            yield at
            block_end = header.end + header.length
            if block_end <= total and ends_well(fh, block_end):
                at = block_end
                continue
            search_from = header.end
        found, _ = next_record_start(fh, search_from, total, total)
        if found is None:
            return
        at = found
