"""Collect stage, cheap first: can these raw bytes mention the profile at all? One scan decides.

Before any HTML is parsed, a record's raw bytes are scanned once for byte patterns of the
profile's aliases. Only a record that can match goes on to extraction and analysis; the
final relevance decision stays with analyse, so the prefilter may let through too much,
never too little.

The patterns: for each alias key (normalised, as ``Profile.scan`` matches it), its longest
word: any mention of a multi-word alias contains it, whatever spacing, hyphen or apostrophe
the page used (``collect/aliaswords.py``; a word every spelling of which holds another's
gets no patterns of its own). Each word is written in the forms raw HTML can carry it:

- every spelling analyse folds into it (``collect/spellings.py``): lower, UPPER, Title and
  the alias as the profile writes it (ASCII letters: any case, the scan is caseless); letter
  by letter what folding merges (i, ı and İ; е and ё; Arabic kaf and yeh; ß; final ς; the
  ligatures և and ﬁ); composed and decomposed accents, half-width katakana, Arabic
  presentation forms. A word with too many such spellings is looked for by its longest part
  with few enough;
- encodings: every one a web page can be in that analyse reads (``collect/codepages.py``:
  UTF-8, cp1251, KOI8-R, kz1048, PTCP154, cp1256, GB18030, Big5, Shift_JIS, EUC-KR, ...
  nearly ninety); a UTF-16 or UTF-32 page (BOM, or NULs where ASCII would be) is scanned
  as UTF-8; one whose ``<meta>`` names UTF-7 or unicode-escape is let through;
- JSON \\u escapes of the whole word.

Character references (``&#1050;азахстан``, ``&#x4b;azakhstan``, ``&Kcy;``) and soft hyphens,
zero-width marks or Arabic vowel marks inside a word are not written out: the scan looks for
the marks themselves, and the bytes around one are scanned again as analyse reads them, and
then the whole page (``collect/escapes.py``).

Known gaps (the analyse stage would match, the bytes here would not): markup inside a word
("Kaza<b>khstan</b>"), a soft hyphen or an Arabic vowel mark or tatweel written as a byte of
an 8-bit code page (not UTF-8), mixed-case non-ASCII ("КаЗаХсТаН") unless the profile
spells the alias so, full-width and the other compatibility letters ``spellings.GAPS`` lists
("Ｋａｚａｋｈ"), UTF-7 named only in the HTTP header, and EBCDIC. ``--no-prefilter`` reads
every page.

Backends, fastest first: Hyperscan (literal mode, caseless, stops at the first hit),
ahocorasick-rs over bytes, and pyahocorasick (a core dependency) over the bytes read as
Latin-1 after ASCII lower-casing (``collect/scanners.py``). All three get the same patterns
and decide the same.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from mediadigest.collect import aliaswords, codepages, compiled, escapes, scanners, spellings
from mediadigest.collect.aliaswords import Word, affordable, alias_words
from mediadigest.collect.codepages import ENCODINGS
from mediadigest.collect.scanners import BACKENDS
from mediadigest.profile import Profile

log = logging.getLogger(__name__)

__all__ = ["BACKENDS", "Prefilter", "Word", "alias_words", "byte_patterns", "for_profile"]
__all__ += ["pattern_encodings"]

_REACH = 800  # bytes either side of a hit in which the rest of a multi-word alias must be
_ALNUM = frozenset(bytes([c]) for c in b"0123456789abcdefghijklmnopqrstuvwxyz")
# What may sit between two words of an alias in raw HTML: punctuation, spaces, non-ASCII
# bytes (no-break spaces, dashes; in CJK encodings a letter or digit may end one: a dash in
# GB18030 is 81 36 a5 33, in Big5 a1 56, a quote in Shift_JIS 81 65), character references
# and tags.
_GAP = rb"(?:[^0-9a-z]|[\x80-\xff][0-9a-z]|&#?[0-9a-z]{1,8};|<[^<>]{0,300}>){1,40}"


# Owners of the marks' patterns, after the words; a page a mark lets through says so.
_MARKS = [Word(f"({kind})", mark=kind) for kind in escapes.KINDS]
_UNREAD = "(a character reference in a page that is not UTF-8)"
_COMPILED_BY = (aliaswords, scanners, codepages, escapes, spellings)  # besides this module
# Marks of a page checked one by one, each in the bytes around it (a word hidden by
# references, the longest, fits in _WINDOW on either side); past that the page is read whole.
_LOCAL_CHECKS = 32
_WINDOW = 256


@dataclass(slots=True)
class _Marked:
    """How many marks one scan checked in the bytes around them."""

    checked: int = 0


def _escaped_forms(form: str) -> set[str]:
    """JSON escapes for the non-ASCII characters of ``form`` (character references are
    marks: escapes.py)."""
    if form.isascii() or any(ord(c) >= 0x10000 for c in form):  # JSON: surrogate pairs
        return set()
    return {"".join(c if c.isascii() else f"\\u{ord(c):04x}" for c in form)}


def _letters(words: Iterable[Word]) -> set[str]:
    """Every character of every form of ``words``: the ones a character reference can hide."""
    return {c for w in words for form in spellings.letter_forms(w.text, w.written) for c in form}


def pattern_encodings(word: str, written: tuple[str, ...] = ()) -> dict[bytes, frozenset[str]]:
    """Every byte form of ``word`` (ASCII lower-cased: the scan is ASCII-caseless), each with
    the encodings that write it so: the ones a page holding it can be in; ``written``: the
    alias's words as the profile writes them."""
    found: dict[bytes, int] = {}  # the encodings as bits: sets of ninety names cost
    for form in spellings.forms(word, written):
        for text in (form, *_escaped_forms(form)):
            encodings: Iterable[str] = ENCODINGS
            if text.isascii() and text:  # most forms (escapes, Latin names): one encode
                raw = text.encode("ascii").lower()
                found[raw] = found.get(raw, 0) | _ASCII_SAME
                encodings = codepages.ASCII_OTHER
            for encoding, raw in codepages.encoded(text, encodings):
                if raw:
                    found[raw.lower()] = found.get(raw.lower(), 0) | _BITS[encoding]
    return {raw: _named(bits) for raw, bits in found.items()}


_BITS = {encoding: 1 << i for i, encoding in enumerate(ENCODINGS)}
_ASCII_SAME = sum(_BITS[encoding] for encoding in codepages.ASCII_SAME)


@functools.lru_cache(maxsize=1024)
def _named(bits: int) -> frozenset[str]:
    return frozenset(encoding for encoding, bit in _BITS.items() if bits & bit)


def byte_patterns(word: str, written: tuple[str, ...] = ()) -> list[bytes]:
    """Every byte form of ``word``, ASCII lower-cased (the scan is ASCII-caseless)."""
    return sorted(pattern_encodings(word, written))


def _alternation(word: str, written: tuple[str, ...]) -> bytes:
    return b"(?:" + b"|".join(re.escape(p) for p in byte_patterns(word, written)) + b")"


def _verifier(word: Word) -> re.Pattern[bytes] | None:
    """The regex a hit on ``word`` must also match, or None for a plain word."""
    if word.bounded:
        return re.compile(rb"(?<![0-9a-z])" + _alternation(word.text, word.written), re.IGNORECASE)
    if word.keys:
        seqs = (_GAP.join(_alternation(part, word.written) for part in key) for key in word.keys)
        return re.compile(b"|".join(seqs), re.IGNORECASE | re.DOTALL)
    return None


class Prefilter:
    """A compiled multi-pattern scan for one profile; ``maybe(raw)`` is True if it can match."""

    def __init__(self, words: list[Word], backend: str | None = None) -> None:
        words = affordable(words)  # as alias_words gives them: a word given here may not be
        self.words = words
        self._all = [*words, *_MARKS]  # what each pattern's owner index points at
        self._wanted = escapes.wanted_codes(_letters(words))
        # A change to any of these: compile anew.
        sources = [Path(__file__), *(Path(str(m.__file__)) for m in _COMPILED_BY)]
        key = compiled.make_key([backend, scanners.hyperscan_version(), *words], sources)
        stored = compiled.load(key)
        if stored is None:
            self.patterns, self._owner, self._encodings = _patterns(words)
            blob = None
        else:
            self.patterns, self._owner, self._encodings, blob = stored
        self._direct = [self._all[i].direct for i in self._owner]
        self._marks = [self._all[i].mark for i in self._owner]
        self._verifiers: dict[int, re.Pattern[bytes] | None] = {}
        self._backend = scanners.build(self.patterns, self._direct, backend, blob)
        self.backend = self._backend.name
        if stored is None or (blob is None and isinstance(self._backend, scanners.Hyperscan)):
            serialised = (
                self._backend.dump() if isinstance(self._backend, scanners.Hyperscan) else None
            )
            compiled.save(key, (self.patterns, self._owner, self._encodings, serialised))

    def maybe(self, data: bytes) -> bool:
        """True when ``data`` can mention the profile: the record must go on to analysis."""
        return self.why(data) is not None

    def why(self, data: bytes) -> str | None:
        """The word that let ``data`` through (or the mark, in parentheses), or None."""
        data = _wide_as_utf8(data)
        hit = self._backend.first(data, self._direct, functools.partial(self._check, _Marked()))
        if hit is None:
            return None
        if self._marks[hit] in (None, escapes.CHARSET):
            return self._all[self._owner[hit]].text
        # A reference or an invisible character may hide a word (or a mark was hit too
        # often to check each): read the page as analyse does, and scan that, where marks
        # no longer count (one still hit too often lets the page through).
        clean, exact = escapes.cleaned(data, self._wanted)
        if clean != data:
            hit = self._backend.first(clean, self._direct, functools.partial(self._check, None))
            if hit is not None:
                return self._all[self._owner[hit]].text
        return None if exact else _UNREAD

    def _check(self, marked: _Marked | None, pattern_id: int, data: bytes, pos: int) -> bool:
        """Does the hit at ``pos`` count? Checked where it occurs: one regex over the whole
        page costs more than the scan. A mark counts (and stops the scan) where it may hide
        a word, a charset's always; ``marked`` keeps count of them (None: marks are ignored,
        but a charset's)."""
        mark = self._marks[pattern_id]
        if mark is not None:
            return self._mark(mark, marked, data, pos)
        index = self._owner[pattern_id]
        word = self.words[index]
        if word.bounded and pos > 0 and data[pos - 1 : pos].lower() in _ALNUM:
            return False
        end = pos + len(self.patterns[pattern_id])
        if word.tail and not self._ends_word(pattern_id, data, end):
            return False
        verifier = self._verifier(index)
        if verifier is None:
            return True
        return verifier.search(data, max(0, pos - _REACH), pos + _REACH) is not None

    def _mark(self, mark: str, marked: _Marked | None, data: bytes, pos: int) -> bool:
        if mark == escapes.CHARSET:
            return escapes.counts(mark, data, pos, self._wanted)
        if marked is None or not escapes.counts(mark, data, pos, self._wanted):
            return False
        marked.checked += 1
        return marked.checked > _LOCAL_CHECKS or self._hides_word(data, pos)

    def _hides_word(self, data: bytes, pos: int) -> bool:
        """Whether the bytes around a mark, read as analyse reads them, hold some word:
        only then is the whole page read so and scanned again. Most marks hide nothing (a
        German soft hyphen, &#1077; in a Russian page): this costs microseconds, that
        a millisecond for a large page."""
        window = data[max(0, pos - _WINDOW) : pos + _WINDOW]
        clean, exact = escapes.cleaned(window, self._wanted)
        if not exact:
            return True
        return (
            clean != window and self._backend.first(clean, self._direct, self._a_word) is not None
        )

    def _a_word(self, pattern_id: int, data: bytes, pos: int) -> bool:
        return self._marks[pattern_id] is None

    def _ends_word(self, pattern_id: int, data: bytes, end: int) -> bool:
        """False only when the character after ``end`` is a letter or digit in every encoding
        the pattern can be written in: then analyse's word boundary fails there too."""
        following = data[end : end + 1]
        if not following:
            return True
        if following[0] < 0x80:
            return following.lower() not in _ALNUM
        chunk = data[end : end + 4]
        for encoding in self._encodings[pattern_id]:
            if encoding in codepages.STATEFUL and following[0] >= 0x80:
                continue  # seven-bit: a page in it cannot hold this byte
            char = _first_char(chunk, encoding)
            if char is None or not char.isalnum():  # undecodable: analyse may read U+FFFD
                return True
        return False

    def _verifier(self, index: int) -> re.Pattern[bytes] | None:
        if index not in self._verifiers:  # compiled on first need: most words never need it
            self._verifiers[index] = _verifier(self.words[index])
        return self._verifiers[index]


def _first_char(chunk: bytes, encoding: str) -> str | None:
    """The first character of ``chunk`` in ``encoding``, or None if it does not decode."""
    for size in range(1, len(chunk) + 1):
        try:
            text = chunk[:size].decode(encoding)
        except UnicodeDecodeError:
            continue
        if text:
            return text[0]
    return None


def _wide_as_utf8(data: bytes) -> bytes:
    """UTF-16 or UTF-32 text re-encoded as UTF-8; anything else unchanged (and not copied).

    Their patterns would be full of NUL bytes, which Hyperscan's literal API cannot take;
    such pages are rare and announce themselves (a BOM, or NULs where ASCII would be).
    """
    head = data[:64]
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return data.decode("utf-32", errors="replace").encode("utf-8")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace").encode("utf-8")
    if len(head) < 16 or head.count(0) * 3 <= len(head):
        return data
    whole = head[: len(head) // 4 * 4]
    if not whole[2::4].strip(b"\0") and not whole[3::4].strip(b"\0"):  # BMP text: 2 NULs in 4
        return data.decode("utf-32-le", errors="replace").encode()
    if not whole[0::4].strip(b"\0") and not whole[1::4].strip(b"\0"):
        return data.decode("utf-32-be", errors="replace").encode()
    odd_nuls = head[1::2].count(0) > head[0::2].count(0)
    return data.decode("utf-16-le" if odd_nuls else "utf-16-be", errors="replace").encode()


def _patterns(words: list[Word]) -> tuple[list[bytes], list[int], list[frozenset[str]]]:
    """Every byte form of the words, and the marks that can hide them, sorted; the owner of
    each (an index into the words and then _MARKS) and its encodings."""
    owned: dict[bytes, int] = {}
    writers: dict[bytes, frozenset[str]] = {}
    held = aliaswords.held(words)
    for i, word in enumerate(words):
        if i in held:
            continue
        for pattern, encodings in pattern_encodings(word.text, word.written).items():
            if pattern not in owned or not words[owned[pattern]].direct:  # the laxer owns it
                owned[pattern], writers[pattern] = i, encodings
    kinds = [m.mark for m in _MARKS]
    for pattern, kind in escapes.marks(escapes.wanted_codes(_letters(words))).items():
        if pattern not in owned:  # a word's own pattern passes a page by itself
            owned[pattern] = len(words) + kinds.index(kind)
            writers[pattern] = frozenset()
    patterns = sorted(owned)
    return patterns, [owned[p] for p in patterns], [writers[p] for p in patterns]


@functools.lru_cache(maxsize=8)
def _cached(words: tuple[Word, ...], backend: str | None) -> Prefilter:
    return Prefilter(list(words), backend)


def for_profile(profile: Profile, backend: str | None = None) -> Prefilter:
    """The prefilter of ``profile``, compiled once per process (workers reuse it across tasks)."""
    key = f"prefilter:{backend}"
    if key not in profile.cache:  # working out the words costs ~10 ms: once per profile object
        profile.cache[key] = _cached(tuple(alias_words(profile)), backend)
    return profile.cache[key]  # type: ignore[no-any-return]
