"""Prefilter: what can hide a word from a byte scan, and the page with it undone.

analyse reads a page as a browser does: character references decoded (``&#1050;``,
``&#x041a;``, ``&#01050;``, ``&Kcy;``, ``&#75;`` for an ASCII "K", with or without the
semicolon), and inside a word soft hyphens, zero-width marks, Arabic tatweel and vowel
marks dropped. Writing each word with every letter in every such form would be millions of
patterns. Instead the scan looks for the marks themselves (``marks``): a reference to a
letter of some word, or an invisible character (in UTF-8) between two letters. The bytes
around a mark are read as analyse reads them (``cleaned``) and scanned again; where they hold
a word, so is the whole page. That is exact where the page is UTF-8 or ASCII, or where no
such reference touches a raw non-ASCII byte (the letters around it are then ASCII or
references too). Otherwise (``&#1050;азахстан`` in windows-1251) the page's own encoding
would be needed, and the page is let through.

A page whose ``<meta charset>`` names UTF-7 or unicode-escape, in which a word has no fixed
bytes, is let through as well.
"""

from __future__ import annotations

import codecs
import functools
import html
import html.entities
import re
import string
from collections.abc import Iterable

from mediadigest.matching import ARABIC_MARKS

__all__ = ["CHARSET", "HIDDEN", "INVISIBLE", "KINDS", "NAMED", "REFERENCE", "cleaned", "counts"]
__all__ += ["marks", "wanted_codes"]

# The characters matching.matchable drops: analyse matches "Kaz\u00adakhstan" as Kazakhstan,
# and "كازاخـستان" (a tatweel) or a vowelled "كَازَاخِسْتَان" as كازاخستان.
INVISIBLE = "\u00ad\u200b\u200d\u2060\ufeff" + ARABIC_MARKS
# Kinds of mark.
REFERENCE = "numeric reference"
NAMED = "named reference"
HIDDEN = "invisible character"
CHARSET = "charset"
KINDS = (REFERENCE, NAMED, HIDDEN, CHARSET)

# A numeric reference as HTML parsers read one: leading zeros, any case, the semicolon
# optional, the longest run of digits.
_NUMERIC = re.compile(rb"&#(?:[xX]0*([0-9a-fA-F]{1,6})(?![0-9a-fA-F])|0*([0-9]{1,7})(?![0-9]))")
# What analyse reads a declared charset from (analyse/decoding.py), and how far into a page.
_META_CHARSET = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([\w.:-]+)", re.IGNORECASE)
_SNIFF_BYTES = 16_384
_UNSCANNABLE = frozenset({"utf-7", "unicode-escape", "raw-unicode-escape"})
# Spellings of them that codecs.lookup accepts (raw-unicode-escape holds unicode-escape,
# unicode-1-1-utf-7 and csunicode11utf7 hold utf-7 or utf7), and "u7" after charset=.
_UNSCANNABLE_NAMES = (
    *(f"utf{sep}7" for sep in ("-", "_", ":", "")),
    *(f"unicode{sep}escape" for sep in ("-", "_", ":")),
    *(f"{quote}u7" for quote in ("=", '"', "'")),
)


def wanted_codes(letters: Iterable[str]) -> frozenset[int]:
    """The code points whose references can hide a word made of ``letters``: theirs in
    either case, and the invisible characters'."""
    chars = {c for letter in letters for c in (letter, letter.lower(), letter.upper())}
    return frozenset(ord(c) for c in chars | set(INVISIBLE) if len(c) == 1)


def marks(wanted: frozenset[int]) -> dict[bytes, str]:
    """The byte patterns (lower case) of every mark, with the kind of each: numeric and
    named references to the code points ``wanted``, the invisible characters in UTF-8, and
    the names of charsets a page cannot be scanned in."""
    found: dict[bytes, str] = {}
    for code in wanted:
        for zeros in ("", "0", "00"):  # more zeros than that: the next two patterns
            found[f"&#{zeros}{code}".encode()] = REFERENCE
            found[f"&#x{zeros}{code:x}".encode()] = REFERENCE
    found[b"&#000"] = found[b"&#x000"] = REFERENCE
    for name, value in html.entities.html5.items():
        if any(ord(c) in wanted for c in value):
            found[f"&{name}".lower().encode()] = NAMED
    for char in INVISIBLE:
        if len(char.encode()) == 3:
            found[char.encode()] = HIDDEN
    # A two-byte pattern would slow Hyperscan by a third: the soft hyphen takes the first
    # byte of the letter after it along, an Arabic mark that of the Arabic letter after it.
    for start in _starts(wanted):
        found[b"\xc2\xad" + bytes([start]).lower()] = HIDDEN
        if 0xD8 <= start <= 0xDB:
            for char in ARABIC_MARKS:
                found[char.encode() + bytes([start])] = HIDDEN
    for name in _UNSCANNABLE_NAMES:
        found[name.encode()] = CHARSET
    return found


def counts(kind: str, data: bytes, pos: int, wanted: frozenset[int]) -> bool:
    """Whether the mark of ``kind`` found at ``pos`` is one: a numeric reference to a code
    point in ``wanted`` (not "&#8217;" for "&#82"), not the BOM that opens a page, a charset
    named in a ``<meta>`` where analyse looks for it."""
    if kind == REFERENCE:
        ref = _NUMERIC.match(data, pos)
        if ref is None:
            return False
        code = int(ref[1], 16) if ref[1] else int(ref[2])
        return code in wanted
    if kind == HIDDEN:  # in UTF-8: two bytes for U+00AD and Arabic marks, three for the others
        return _inside_word(data, pos, pos + (2 if data[pos] < 0xE0 else 3), _starts(wanted))
    if kind == CHARSET:
        return _declares_unscannable(data, pos)
    return True


_LETTER_BYTES = frozenset(string.ascii_letters.encode())
# Bytes a letter (or a reference to one) can end with: ASCII, a byte of UTF-8 or of an 8-bit
# code page, the semicolon of a reference.
_ENDS = _LETTER_BYTES | frozenset(range(0x80, 0x100)) | {ord(";")}


@functools.lru_cache(maxsize=8)
def _starts(wanted: frozenset[int]) -> frozenset[int]:
    """The bytes that one of the characters ``wanted`` (or a reference) starts with in UTF-8."""
    return _LETTER_BYTES | {ord("&")} | {chr(c).encode()[0] for c in wanted if c >= 0x80}


def _inside_word(data: bytes, start: int, end: int, following: frozenset[int]) -> bool:
    """Whether data[start:end] sits between letters: it only hides a word there (a
    zero-width joiner in an emoji, a BOM at a page's start, a soft hyphen before a space
    hide nothing, and are common)."""
    return start > 0 and end < len(data) and data[start - 1] in _ENDS and data[end] in following


def _declares_unscannable(data: bytes, pos: int) -> bool:
    if pos >= _SNIFF_BYTES:
        return False
    start = max(0, data.rfind(b"<", 0, pos))
    meta = _META_CHARSET.match(data, start, min(len(data), pos + 64))
    if meta is None or not meta.start(1) - 1 <= pos < meta.end(1):
        return False
    try:
        return codecs.lookup(meta[1].decode("ascii")).name in _UNSCANNABLE
    except (LookupError, UnicodeDecodeError):
        return False


def cleaned(data: bytes, wanted: frozenset[int]) -> tuple[bytes, bool]:
    """``data`` as analyse reads it, for a word of the code points ``wanted``: numeric
    references and the named ones to those code points decoded to UTF-8 (all numeric ones:
    so that none is left to hit a mark's pattern, "&#8217;" that of "&#82"), invisible
    characters dropped; and whether that is exact (see the module's docstring), False
    where a reference to one of ``wanted`` touches a raw non-ASCII byte of a page that is
    not UTF-8."""
    touching = False
    legacy: bool | None = None  # neither ASCII nor UTF-8: worked out at the first need

    def decode(ref: re.Match[bytes]) -> bytes:
        nonlocal touching, legacy
        out, code = _decoded(ref.group())
        if code >= 0x80 and code in wanted and not touching:
            if legacy is None:
                legacy = not data.isascii() and not _is_utf8(data)
            if legacy:
                start, end = ref.span()
                touching = (start > 0 and data[start - 1] >= 0x80) or (
                    end < len(data) and data[end] >= 0x80
                )
        return out

    out = _references(wanted).sub(decode, data)
    for char in INVISIBLE:  # decoded references may have brought some
        out = out.replace(char.encode(), b"")
    return out, not touching


@functools.lru_cache(maxsize=4096)  # a page repeats its references ("&#8217;" hundreds of times)
def _decoded(raw: bytes) -> tuple[bytes, int]:
    """A reference's character in UTF-8, and its code point (-1: not a reference after all)."""
    text = html.unescape(raw.decode("ascii"))
    if not text or text == raw.decode("ascii"):
        return raw, -1
    return text.encode("utf-8", errors="replace"), ord(text[0])


@functools.lru_cache(maxsize=8)
def _references(wanted: frozenset[int]) -> re.Pattern[bytes]:
    """Numeric references, and the named ones of the code points ``wanted`` (only those: a
    page full of &amp; or &quot; is not taken apart for nothing)."""
    names = [n for n, value in html.entities.html5.items() if any(ord(c) in wanted for c in value)]
    named = b"|".join(re.escape(n.encode()) for n in sorted(names, key=len, reverse=True))
    return re.compile(rb"&(?:#[0-9]+;?|#[xX][0-9a-fA-F]+;?|" + named + rb")")


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
