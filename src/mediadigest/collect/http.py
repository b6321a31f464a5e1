"""Collect stage, archives: the HTTP response stored in a WARC record (head, and a decoded body)."""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

from mediadigest.errors import FormatError


@dataclass(slots=True)
class Head:
    """Status line and headers of a stored HTTP response; the body starts at ``body_start``."""

    status: int
    headers: dict[str, str]  # lower-case names
    body_start: int

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")


def parse_head(block: bytes) -> Head | None:
    """The HTTP head at the start of ``block``, or None if it is not an HTTP response."""
    end = block.find(b"\r\n\r\n")
    sep = 4
    if end < 0:
        end, sep = block.find(b"\n\n"), 2
        if end < 0:
            return None
    lines = block[:end].decode("latin-1").splitlines()
    if not lines or not lines[0].startswith("HTTP/"):
        return None
    parts = lines[0].split(None, 2)
    if len(parts) < 2 or not parts[1].isdigit():
        return None
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        key = name.strip().lower()
        headers[key] = f"{headers[key]}, {value.strip()}" if key in headers else value.strip()
    return Head(int(parts[1]), headers, end + sep)


def decode_payload(body: bytes, head: Head, cap: int) -> bytes:
    """Undo chunked transfer and the content encodings (gzip, deflate, br, zstd), at most
    ``cap`` bytes out.

    Common Crawl stores payloads already decoded (and renames the headers), so this is
    usually a no-op; other crawlers store what the server sent. "deflate" is read with its
    zlib header or without (raw deflate, as IIS sent it); br and zstd where the brotli
    (or brotlicffi) and zstandard modules are installed. A body that does not decode but
    looks like text is returned as stored (a crawler that decoded it and kept the header);
    one that looks compressed raises FormatError, so that the record is counted as
    undecodable with a warning rather than scanned as garbage and ruled out unseen.
    """
    if "chunked" in head.headers.get("transfer-encoding", "").lower():
        body = _dechunk(body)
    codings = [c.strip().lower() for c in head.headers.get("content-encoding", "").split(",")]
    for coding in reversed([c for c in codings if c and c != "identity"]):  # last applied first
        try:
            body = _decoded(body, coding, cap)
        except _Undecodable as exc:
            if _looks_like_text(body):
                return body
            raise FormatError("", f"content encoding {coding}: {exc}") from None
    return body


class _Undecodable(Exception):
    """A body that a content coding cannot undo; the message says why."""


def _decoded(body: bytes, coding: str, cap: int) -> bytes:
    if coding in ("gzip", "x-gzip", "deflate"):
        return _inflated(body, cap)
    if coding == "br":
        return _unbrotli(body, cap)
    if coding == "zstd":
        return _unzstd(body, cap)
    raise _Undecodable("not one this reader knows")


def _inflated(body: bytes, cap: int) -> bytes:
    # wbits 47: a gzip or zlib header; -15: none (raw deflate, which some servers send as
    # "deflate" and a few as "gzip").
    for wbits in (47, -zlib.MAX_WBITS):
        inflater = zlib.decompressobj(wbits)
        try:
            decoded = inflater.decompress(body, cap)
        except zlib.error:
            continue
        if inflater.unconsumed_tail:
            raise FormatError("", f"payload inflates beyond {cap} bytes")
        return decoded
    raise _Undecodable("not gzip, zlib or deflate data")


def _grow(out: bytearray, piece: bytes, cap: int) -> None:
    """Add what a decompressor gave; past ``cap`` bytes it is a bomb, not a page."""
    out += piece
    if len(out) > cap:
        raise FormatError("", f"payload inflates beyond {cap} bytes")


def _unbrotli(body: bytes, cap: int) -> bytes:
    try:
        import brotli  # optional: not a dependency
    except ImportError:
        try:
            import brotlicffi as brotli
        except ImportError:
            raise _Undecodable("install brotli to read it") from None
    decompressor = brotli.Decompressor()
    if not hasattr(decompressor, "can_accept_more_data"):  # before 1.2: output unbounded
        raise _Undecodable("install brotli 1.2 or later to read it")
    out = bytearray()
    taken = 0
    try:
        while not decompressor.is_finished():
            piece = b""
            if decompressor.can_accept_more_data():
                if taken >= len(body):
                    break  # cut short: keep what came out, as zlib does
                piece, taken = body[taken : taken + 65_536], taken + 65_536
            # The limit is what keeps a bomb from filling memory first.
            produced = decompressor.process(piece, output_buffer_limit=cap + 1 - len(out))
            if not piece and not produced:
                break
            _grow(out, produced, cap)
    except brotli.error as exc:
        raise _Undecodable(f"not brotli data ({exc})") from None
    return bytes(out)


def _unzstd(body: bytes, cap: int) -> bytes:
    try:
        import zstandard  # optional: not a dependency
    except ImportError:
        raise _Undecodable("install zstandard to read it") from None
    reader = zstandard.ZstdDecompressor().stream_reader(body, read_across_frames=True)
    out = bytearray()
    try:
        while chunk := reader.read(65_536):
            _grow(out, chunk, cap)
    except zstandard.ZstdError as exc:
        raise _Undecodable(f"not zstd data ({exc})") from None
    return bytes(out)


# C0 control bytes other than tab, newlines, form feed and ESC (ISO-2022 text has it).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\x0c\x1b")


def _looks_like_text(body: bytes) -> bool:
    """Text has almost no control bytes; compressed data is full of them (about one in ten)."""
    head = body[:1024]
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return controls <= len(head) // 50


# chunk-size = 1*HEXDIG (RFC 9112 7.1); int(x, 16) would also take "-6", "+6", "0x6", "6_0",
# and a negative size walks back over the body for ever.
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,16}")


def _dechunk(body: bytes) -> bytes:
    out: list[bytes] = []
    pos = 0
    while pos < len(body):
        eol = body.find(b"\r\n", pos)
        if eol < 0:
            break
        digits = body[pos:eol].split(b";")[0].strip() or b"0"
        if not _CHUNK_SIZE.fullmatch(digits):
            return body  # not chunked after all: keep what was stored
        size = int(digits, 16)
        if size == 0:
            break
        out.append(body[eol + 2 : eol + 2 + size])
        pos = eol + 2 + size + 2
    return b"".join(out)
