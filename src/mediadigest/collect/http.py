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
    """Undo chunked transfer and gzip/deflate content encoding, at most ``cap`` bytes out.

    Common Crawl stores payloads already decoded (and renames the headers), so this is
    usually a no-op; other crawlers store what the server sent. A body that does not decode
    is returned as stored: the prefilter and the extractor cope with odd bytes.
    """
    if "chunked" in head.headers.get("transfer-encoding", "").lower():
        body = _dechunk(body)
    encoding = head.headers.get("content-encoding", "").strip().lower()
    if encoding in ("gzip", "x-gzip", "deflate"):
        wbits = 47 if encoding != "deflate" else zlib.MAX_WBITS  # 47: gzip or zlib header
        try:
            inflater = zlib.decompressobj(wbits)
            decoded = inflater.decompress(body, cap)
        except zlib.error:
            return body
        if inflater.unconsumed_tail:
            raise FormatError("", f"payload inflates beyond {cap} bytes")
        return decoded
    return body


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
