"""Decoding a web page: its bytes to text, by BOM, declared charset, UTF-8 or a guess.

Servers and pages often declare the wrong charset; each fallback is said in a warning.
UTF-16 and UTF-32 without a BOM are read only where declared (HTTP header or a <meta> in
the same encoding) and the bytes fit: undeclared, their NUL bytes mark binary content.
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

from mediadigest.errors import FormatError

__all__ = ["decode_page", "guess_encoding"]

_SNIFF_BYTES = 16_384  # where <meta charset> and binary signatures are looked for
_GUESS_BYTES = 65_536  # charset_normalizer is slow; a sample is enough to guess
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE, whose BOM is its prefix
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_BINARY_MAGIC = (b"%PDF-", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b")
# ESC is left out: ISO-2022-JP text is full of escape sequences.
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\x0c\x1b") + b"\x7f"
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
_META_CHARSET_TEXT = re.compile(_META_CHARSET.pattern.decode(), re.IGNORECASE)
# Encodings of two or four bytes a character: ASCII markup in them is full of NUL bytes.
_WIDE = ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")


def decode_page(body: bytes, url: str, content_type: str | None) -> tuple[str, list[str]]:
    """Bytes -> (text, warnings): BOM, then the declared charset, then UTF-8, then a guess
    (warned). Raises FormatError for a binary body (an image, a PDF, an archive)."""
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body.decode(encoding, errors="replace"), []
    head = body[:_SNIFF_BYTES]
    if head.startswith(_BINARY_MAGIC):
        raise FormatError(url, "binary content, not HTML")
    warnings: list[str] = []
    wide = _declared_wide(head, content_type) if b"\x00" in head else None
    if wide is not None:
        text = _try_decode(body, wide)
        if text is None:  # a page cut mid-character, a stray surrogate: the rest is readable
            warnings.append(f"declared charset {wide}: some bytes do not fit; replaced")
            text = body.decode(wide, errors="replace")
        return text, warnings
    _reject_binary(head, url)
    declared = _declared_charsets(body, content_type, warnings)
    utf8 = _try_decode(body, "utf-8")
    for charset in declared:
        if charset == "utf-8":
            if utf8 is not None:
                return utf8, warnings
        elif utf8 is not None and not body.isascii():
            # Valid non-ASCII UTF-8 is all but impossible in a legacy encoding's text, while
            # servers that label UTF-8 pages ISO-8859-1 by default are common.
            warnings.append(f"declared charset {charset} but the bytes are UTF-8; read as UTF-8")
            return utf8, warnings
        else:
            text = _try_decode(body, charset)
            if text is not None:
                return text, warnings
        warnings.append(f"declared charset {charset} does not fit the bytes")
    if utf8 is not None:
        return utf8, warnings
    return _guess(body, warnings)


def _reject_binary(head: bytes, url: str) -> None:
    if b"\x00" in head:
        raise FormatError(url, "binary content, not HTML")
    # Text has almost no C0 control bytes; images, archives and the like are full of them.
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    if controls > len(head) * 0.05:
        raise FormatError(url, "binary content, not HTML")


def _declared_wide(head: bytes, content_type: str | None) -> str | None:
    """The UTF-16 or UTF-32 codec (with its byte order) that the HTTP header or a <meta> of
    the page declares, where the bytes fit it; else None.

    A <meta> in UTF-16 is not ASCII bytes: the page's start is read in each wide encoding,
    and the one that shows one is the page's. "utf-16" without a byte order (and no BOM) is
    the byte order the page's text reads in.
    """
    names: list[str] = []
    header = _HEADER_CHARSET.search(content_type or "")
    if header:
        names.append(header.group(1))
    for codec in _WIDE:
        meta = _META_CHARSET_TEXT.search(_wide_text(head, codec) or "")
        if meta:
            names.append(meta.group(1))
            break
    for name in names:
        try:
            charset = codecs.lookup(name).name
        except LookupError:
            continue
        if charset in ("utf-16", "utf-32"):
            charset = _byte_order(head, charset)
        if charset in _WIDE and _wide_text(head, charset) is not None:
            return charset
    return None


def _byte_order(head: bytes, family: str) -> str:
    """The "utf-16" or "utf-32" codec in the byte order that reads ``head`` as the most
    ASCII (markup is ASCII; read in the wrong order it is CJK or nothing)."""

    def ascii_chars(codec: str) -> int:
        return sum(ch.isascii() for ch in _wide_text(head, codec) or "")

    return max((c for c in _WIDE if c.startswith(family)), key=ascii_chars)


def _wide_text(head: bytes, codec: str) -> str | None:
    """``head`` read in a wide ``codec``; None where it does not fit (random bytes do not:
    lone surrogates, code points past U+10FFFF)."""
    unit = 4 if codec.startswith("utf-32") else 2
    data = head[: len(head) - len(head) % unit]
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - unit:  # a surrogate pair cut by the end of the sniff
            return data[: exc.start].decode(codec)
        return None


# Codecs Python knows that no page is written in: 'undefined' fails on any bytes (a
# UnicodeError, not a UnicodeDecodeError, stopped the whole ingest), punycode and idna
# "decode" ASCII into garbage.
_NO_PAGE_CODEC = frozenset({"undefined", "punycode", "idna"})


def _declared_charsets(body: bytes, content_type: str | None, warnings: list[str]) -> list[str]:
    """The HTTP header's charset, then the page's <meta> one: normalised, known, distinct."""
    found: list[str] = []
    header = _HEADER_CHARSET.search(content_type or "")
    if header:
        found.append(header.group(1))
    meta = _META_CHARSET.search(body, 0, _SNIFF_BYTES)
    if meta:
        found.append(meta.group(1).decode("ascii", errors="replace"))
    charsets: list[str] = []
    for name in found:
        try:
            charset = codecs.lookup(name).name
        except LookupError:
            warnings.append(f"unknown charset {name!r} ignored")
            continue
        if charset in _NO_PAGE_CODEC:
            warnings.append(f"charset {name!r} is no encoding of pages; ignored")
            continue
        if charset.startswith(("utf-16", "utf-32")):  # bytes without NULs are not in it
            warnings.append(f"declared charset {charset} does not fit the bytes")
            continue
        # WHATWG: pages labelled latin-1 or ascii are really windows-1252.
        if charset in ("latin-1", "iso8859-1", "ascii"):
            charset = "cp1252"
        if charset not in charsets:
            charsets.append(charset)
    return charsets


def _try_decode(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeError, LookupError):  # UnicodeError: a codec of no bytes ('undefined')
        return None


# Legacy encodings by how common they are on the web. charset_normalizer ranks by chaos, then
# coherence, then name; on a short text coherence is noise: French in cp1252 came out as
# mac_latin2 ("prťsident") or cp1250 ("ŕ Paris", "crčme").
_COMMON = ("cp1252", "cp1251", "cp1250", "shift_jis", "gb18030", "euc_kr", "cp1256", "cp1254",
           "koi8_r", "big5", "iso8859_15", "cp1253", "cp1255", "cp1257")  # fmt: skip
_COHERENCE_NOISE = 0.1
# The bytes where cp1254 (Turkish) and cp1252 differ in letters; æ/Æ, which Icelandic has
# and Turkish lacks, says a text with them is cp1252's.
_TURKISH = re.compile(rb"[\xd0\xdd\xde\xf0\xfd\xfe]")
_ICELANDIC = re.compile(rb"[\xc6\xe6]")


def guess_encoding(raw: bytes) -> str | None:
    """The likeliest encoding of bytes that are not UTF-8: the least garbled, and of those
    about as coherent as the best, the commonest on the web."""
    matches = list(charset_normalizer.from_bytes(raw))
    if not matches:
        return None
    chaos = min(m.chaos for m in matches)
    clean = [m for m in matches if m.chaos == chaos]
    top = max(m.coherence for m in clean)
    near = [m.encoding for m in clean if m.coherence >= top - _COHERENCE_NOISE]
    choice = min(near, key=lambda e: _COMMON.index(e) if e in _COMMON else len(_COMMON))
    if (
        choice == "cp1252"
        and any(m.encoding == "cp1254" for m in matches)
        and _TURKISH.search(raw)
        and not _ICELANDIC.search(raw)
    ):
        # Turkish's ğ ı ş İ Ğ Ş are cp1252's Icelandic ð ý þ Ý Ð Þ: "MOÐOLÝSTAN" for MOĞOLİSTAN.
        # Asked among the least garbled only, a page whose ı and ş read as ý and þ looked a
        # little less garbled in cp1252 ("Cumhurbaþkaný Kasým") and stayed so.
        return "cp1254"
    return choice


def _guess(body: bytes, warnings: list[str]) -> tuple[str, list[str]]:
    encoding = guess_encoding(body[:_GUESS_BYTES]) or "utf-8"
    warnings.append(f"charset guessed as {encoding}")
    try:
        return body.decode(encoding, errors="replace"), warnings
    except LookupError:
        return body.decode("utf-8", errors="replace"), warnings
