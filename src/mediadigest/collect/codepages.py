"""Prefilter: the bytes a word takes in each encoding analyse can read a page in.

analyse decodes a page in whatever charset its Content-Type or ``<meta charset>`` names,
if Python has a codec by that name, and otherwise guesses among most of them; so the
prefilter writes each word in every text codec Python has (it skips the ones a word's
script cannot be written in), not only the common ones of the word's script: a Kazakh
page in kz1048 or PTCP154 is as readable to analyse as one in windows-1251.

Left out, and why: UTF-16 and UTF-32 (the prefilter re-encodes such a page as UTF-8 before
the scan, as their patterns would be full of NUL bytes), ascii and utf-8-sig (UTF-8's bytes),
UTF-7 and the unicode-escape codecs (a word has no fixed bytes in them: a page declaring one
is let through, ``collect/escapes.py``), idna, punycode, charmap and undefined (codecs for
host names and mapping tables, not pages), and the EBCDIC code pages (cp037, cp500, ...: no
web page is written in them, and no ``<meta>`` could name one, its bytes not being ASCII).
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Iterable, Iterator

__all__ = ["ASCII_OTHER", "ASCII_SAME", "ENCODINGS", "NOT_SCANNED", "STATEFUL", "encoded"]

ENCODINGS = (
    "utf-8",
    # Latin
    "cp1252", "cp1250", "cp1254", "cp1257", "cp1258", "iso8859-1", "iso8859-2", "iso8859-3",
    "iso8859-4", "iso8859-9", "iso8859-10", "iso8859-13", "iso8859-14", "iso8859-15",
    "iso8859-16", "mac-roman", "mac-latin2", "mac-croatian", "mac-iceland", "mac-romanian",
    "mac-turkish", "cp437", "cp850", "cp852", "cp857", "cp858", "cp860", "cp861", "cp863",
    "cp865", "cp775", "hp-roman8", "palmos",
    # Cyrillic (kz1048 and PTCP154 for Kazakh, koi8-t for Tajik, cp1125 for Ukrainian)
    "cp1251", "koi8-r", "koi8-u", "koi8-t", "kz1048", "ptcp154", "iso8859-5", "cp866",
    "cp855", "cp1125", "mac-cyrillic",
    # Greek, Arabic, Hebrew, Thai, Urdu
    "cp1253", "iso8859-7", "mac-greek", "cp737", "cp869", "cp1256", "iso8859-6", "cp720",
    "cp864", "mac-arabic", "mac-farsi", "cp1255", "iso8859-8", "cp856", "cp862", "cp874",
    "iso8859-11", "tis-620", "cp1006",
    # Chinese, Japanese, Korean
    "gb18030", "gbk", "gb2312", "hz", "big5", "big5hkscs", "cp950", "shift_jis", "cp932",
    "shift_jis_2004", "shift_jisx0213", "euc_jp", "euc_jis_2004", "euc_jisx0213",
    "iso2022_jp", "iso2022_jp_1", "iso2022_jp_2", "iso2022_jp_2004", "iso2022_jp_3",
    "iso2022_jp_ext", "euc_kr", "cp949", "johab", "iso2022_kr",
)  # fmt: skip
# Text codecs (by their codecs.lookup names) that ENCODINGS leaves out, for the reasons above.
NOT_SCANNED = frozenset({
    "utf-16", "utf-16-be", "utf-16-le", "utf-32", "utf-32-be", "utf-32-le", "ascii",
    "utf-8-sig", "utf-7", "unicode-escape", "raw-unicode-escape", "idna", "punycode",
    "charmap", "undefined", "cp037", "cp273", "cp424", "cp500", "cp875", "cp1026", "cp1140",
})  # fmt: skip
# Seven-bit encodings that switch character sets with escape sequences (ISO 2022) or "~{".
STATEFUL = frozenset(e for e in ENCODINGS if e.startswith("iso2022") or e == "hz")

_ALL_ASCII = "".join(map(chr, range(128)))
# The encodings that write ASCII as ASCII: an ASCII form is the same bytes in each, so the
# compile (once per worker) encodes it once, not once in each of them.
ASCII_SAME = frozenset(
    e for e in ENCODINGS if _ALL_ASCII.encode(e, errors="replace") == _ALL_ASCII.encode()
)
ASCII_OTHER = tuple(e for e in ENCODINGS if e not in ASCII_SAME)
# A switch of character set where a word starts or ends: mid-text the decoder is usually in
# that set already, so the word's bytes are what lies between.
_LEADING_SHIFTS = re.compile(rb"^(?:\x1b[\x20-\x2f]+[\x30-\x7e]|\x0e|~\{)+")
_TRAILING_SHIFTS = re.compile(rb"(?:\x1b[\x20-\x2f]+[\x30-\x7e]|\x0f|~\})+$")


@functools.cache
def _writers(char: str) -> int:
    """The encodings that can write ``char``, as bits (ENCODINGS' order)."""
    bits = 0
    for i, encoding in enumerate(ENCODINGS):
        try:
            char.encode(encoding)
        except UnicodeEncodeError:
            continue
        bits |= 1 << i
    return bits


_BIT = {encoding: 1 << i for i, encoding in enumerate(ENCODINGS)}


@functools.lru_cache(maxsize=1024)
def _able(able: int, encodings: tuple[str, ...]) -> tuple[str, ...]:
    """The ``encodings`` of the bits ``able``: worked out once per script, not per form."""
    return tuple(e for e in encodings if able & _BIT[e])


def encoded(text: str, encodings: Iterable[str] = ENCODINGS) -> Iterator[tuple[str, bytes]]:
    """``text`` in each of ``encodings`` that can write it, with the encoding."""
    # Asking per character (cached) is cheaper than the exception of a failed encode, which
    # most of the hundred encodings give for any one script.
    able = functools.reduce(operator.and_, map(_writers, set(text)), -1)
    for encoding in _able(able, tuple(encodings)):
        raw = text.encode(encoding)
        if encoding in STATEFUL:
            raw = _TRAILING_SHIFTS.sub(b"", _LEADING_SHIFTS.sub(b"", raw))
        yield encoding, raw
