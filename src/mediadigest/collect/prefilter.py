"""Collect stage, cheap first: can these raw bytes mention the profile at all? One scan decides.

Before any HTML is parsed, a record's raw bytes are scanned once for byte patterns of the
profile's aliases. Only a record that can match goes on to extraction and analysis; the
final relevance decision stays with analyse, so the prefilter may let through too much,
never too little.

The patterns: for each alias key (normalised, as ``Profile.scan`` matches it), its longest
word: any mention of a multi-word alias contains it, whatever spacing, hyphen or apostrophe
the page used. Each word is written in the forms raw HTML can carry it:

- letter case: lower, UPPER, Title (ASCII letters: any case, the scan is caseless);
- characters normalisation merges: ё for е, Arabic kaf/yeh for Persian, Turkish İ/ı for i,
  final ς for σ, and decomposed accents (NFD);
- encodings: UTF-8 and the legacy encodings of its script (cp1251, KOI8-R, cp1256, GB18030,
  Big5, Shift_JIS, EUC-KR, ...); a UTF-16 page (BOM or NUL-interleaved) is scanned as UTF-8;
- HTML character references (decimal, hex, named) and JSON \\u escapes for non-ASCII letters.

Known gaps (the analyse stage would match, the bytes here would not): markup or a soft
hyphen inside a word ("Kazakh<b>stan</b>"), mixed-case non-ASCII ("КаЗаХсТаН"), full-width
Latin letters, and the German ß folded to "ss".

Backends, fastest first: Hyperscan (literal mode, caseless, stops at the first hit),
ahocorasick-rs over bytes, and pyahocorasick (a core dependency) over the bytes read as
Latin-1 after ASCII lower-casing. All three get the same patterns and decide the same.
"""

from __future__ import annotations

import contextlib
import functools
import html.entities
import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

import ahocorasick

from mediadigest.profile import Profile

log = logging.getLogger(__name__)

__all__ = ["BACKENDS", "Prefilter", "Word", "alias_words", "byte_patterns", "for_profile"]

# Hits of these kinds only lower a score (exclusions, peers): they never make a record relevant.
_NEUTRAL_KINDS = frozenset({"exclude", "peer"})
_WORD_GAPS = re.compile(r"[ \-']+")
ENCODINGS = (
    "utf-8",
    "cp1252", "cp1250", "cp1254", "iso-8859-2", "iso-8859-9", "iso-8859-15", "mac-roman",
    "cp1251", "koi8-r", "koi8-u", "iso-8859-5", "cp866", "mac-cyrillic",
    "cp1256", "iso-8859-6", "cp1253", "iso-8859-7", "cp1255", "iso-8859-8",
    "gb18030", "big5", "shift_jis", "euc-jp", "iso-2022-jp", "euc-kr", "cp949",
)  # fmt: skip
# What a normalised key character may have been in the raw text (besides its case forms).
_MERGED = {"е": "ё", "ک": "ك", "ی": "يى", "i": "İı", "σ": "ς"}


# Words too common to stand for a multi-word alias ("Halyk Bank": scan for "halyk").
_GENERIC_WORDS = """bank savings city group company national university airlines railways
    oil gas pipeline consortium minerals republic government capital president state new of the and
    банк город группа компания национальный университет трубопроводный консорциум
    республика правительство"""
_GENERIC = frozenset(_GENERIC_WORDS.split())
MAX_CHECKS = 200  # occurrences of one word checked per record before giving up (and passing)
_REACH = 800  # bytes either side of a hit in which the rest of a multi-word alias must be
_ALNUM = frozenset(bytes([c]) for c in b"0123456789abcdefghijklmnopqrstuvwxyz")
SHORT = 4  # ASCII words this short occur inside other words and in scripts: check the start
# What may sit between two words of an alias in raw HTML: punctuation, spaces, non-ASCII
# bytes (no-break spaces, dashes), character references and tags.
_GAP = rb"(?:[^0-9a-z]|&#?[0-9a-z]{1,8};|<[^<>]{0,300}>){1,40}"


@dataclass(frozen=True, slots=True)
class Word:
    """A word the scan looks for, and what a hit on it still has to show.

    A hit on a plain word passes the record at once. ``keys`` (multi-word aliases this word
    stands for) need one of them in full, words in order with gaps between; a ``bounded``
    word (short, ASCII) must start a word, as the analyse stage's word boundary requires.
    """

    text: str
    keys: tuple[tuple[str, ...], ...] = ()
    bounded: bool = False

    @property
    def direct(self) -> bool:
        return not self.keys and not self.bounded


def alias_words(profile: Profile) -> list[Word]:
    """The words scanned for: one per alias key, none for a key another word already covers.

    A single-word key is its own word. A multi-word key needs none when one of its words
    contains a single-word key ("kazakh authorities" has "kazakh"); otherwise its longest
    word that is not a generic one ("bank", "city") stands for it.
    """
    singles: dict[str, bool] = {}  # word -> bounded
    multi: dict[str, set[tuple[str, ...]]] = {}
    keys = [(term, [p for p in _WORD_GAPS.split(term.key.strip()) if p])
            for term in profile.terms if term.kind not in _NEUTRAL_KINDS]  # fmt: skip
    for term, parts in keys:
        if len(parts) == 1:
            word = parts[0]
            bounded = word.isascii() and len(word) <= SHORT and term.key.startswith(" ")
            singles[word] = singles.get(word, True) and bounded
    for _term, parts in keys:
        if len(parts) < 2 or any(w in part for part in parts for w in singles):
            continue
        specific = [p for p in parts if p not in _GENERIC] or parts
        multi.setdefault(max(specific, key=len), set()).add(tuple(parts))
    words = [Word(w, (), bounded) for w, bounded in singles.items()]
    words += [Word(w, tuple(sorted(k))) for w, k in multi.items() if w not in singles]
    return sorted(words, key=lambda w: w.text)


def _case_forms(word: str) -> set[str]:
    forms = {word, word.upper(), word[:1].upper() + word[1:]}
    for char, alternatives in _MERGED.items():
        if char in word:
            for alt in alternatives:
                forms |= {f.replace(char, alt) for f in list(forms)}
                forms.add(word.replace(char, alt).upper())
    if word.endswith("σ"):
        forms.add(word[:-1] + "ς")
    forms |= {unicodedata.normalize("NFD", f) for f in list(forms)}
    return forms


def _escaped_forms(form: str) -> set[str]:
    """HTML character references and JSON escapes for the non-ASCII characters of ``form``."""
    if form.isascii():
        return set()
    dec = "".join(c if c.isascii() else f"&#{ord(c)};" for c in form)
    hexa = "".join(c if c.isascii() else f"&#x{ord(c):x};" for c in form)
    out = {dec, hexa}
    if all(ord(c) < 0x10000 for c in form):  # beyond the BMP JSON needs surrogate pairs
        out.add("".join(c if c.isascii() else f"\\u{ord(c):04x}" for c in form))
    names = html.entities.codepoint2name
    if all(c.isascii() or ord(c) in names for c in form):
        out.add("".join(c if c.isascii() else f"&{names[ord(c)]};" for c in form))
    return out


def _encoded(text: str) -> Iterable[bytes]:
    for encoding in ENCODINGS:
        try:
            raw = text.encode(encoding)
        except UnicodeEncodeError:
            continue
        if encoding == "iso-2022-jp":
            # Mid-text the decoder is usually already in JIS mode: drop the mode switches.
            raw = raw.replace(b"\x1b$B", b"").replace(b"\x1b(B", b"")
        yield raw


def byte_patterns(word: str) -> list[bytes]:
    """Every byte form of ``word``, ASCII lower-cased (the scan is ASCII-caseless)."""
    patterns: set[bytes] = set()
    for form in _case_forms(word):
        for text in (form, *_escaped_forms(form)):
            patterns.update(raw.lower() for raw in _encoded(text) if raw)
    return sorted(patterns)


def _alternation(word: str) -> bytes:
    return b"(?:" + b"|".join(re.escape(p) for p in byte_patterns(word)) + b")"


def _verifier(word: Word) -> re.Pattern[bytes] | None:
    """The regex a hit on ``word`` must also match, or None for a plain word."""
    if word.bounded:
        return re.compile(rb"(?<![0-9a-z])" + _alternation(word.text), re.IGNORECASE)
    if word.keys:
        seqs = (_GAP.join(_alternation(part) for part in key) for key in word.keys)
        return re.compile(b"|".join(seqs), re.IGNORECASE | re.DOTALL)
    return None


class _Backend(Protocol):
    name: str

    def hits(self, data: bytes, direct: list[bool]) -> tuple[bool, set[int]]:
        """(a direct pattern hit, ids of the other patterns hit); stops at a direct hit."""
        ...


class _Hyperscan:
    name = "hyperscan"

    def __init__(self, patterns: list[bytes]) -> None:
        import hyperscan  # optional extra "fast"

        self._stop = hyperscan.ScanTerminated
        self.db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        flags = hyperscan.HS_FLAG_CASELESS | hyperscan.HS_FLAG_SINGLEMATCH
        self.db.compile(expressions=patterns, ids=list(range(len(patterns))),
                        elements=len(patterns), flags=flags, literal=True)  # fmt: skip
        self.scratch = hyperscan.Scratch(self.db)

    def hits(self, data: bytes, direct: list[bool]) -> tuple[bool, set[int]]:
        found: set[int] = set()
        stopped = False

        def on_match(pattern_id: int, start: int, end: int, flags: int, ctx: object) -> bool:
            nonlocal stopped
            stopped = direct[pattern_id]
            found.add(pattern_id)
            return stopped  # True stops the scan: one direct hit is enough

        with contextlib.suppress(self._stop):  # raised when on_match asks to stop
            self.db.scan(data, match_event_handler=on_match, scratch=self.scratch)
        return stopped, found


class _AhoCorasickRs:
    name = "ahocorasick-rs"

    def __init__(self, patterns: list[bytes]) -> None:
        import ahocorasick_rs  # optional

        self.ac = ahocorasick_rs.BytesAhoCorasick(patterns)

    def hits(self, data: bytes, direct: list[bool]) -> tuple[bool, set[int]]:
        found = {
            i for i, _start, _end in self.ac.find_matches_as_indexes(data.lower(), overlapping=True)
        }
        return any(direct[i] for i in found), found


class _PyAhoCorasick:
    name = "pyahocorasick"

    def __init__(self, patterns: list[bytes]) -> None:
        self.ac = ahocorasick.Automaton()
        for i, pattern in enumerate(patterns):
            self.ac.add_word(pattern.decode("latin-1"), i)
        self.ac.make_automaton()

    def hits(self, data: bytes, direct: list[bool]) -> tuple[bool, set[int]]:
        found: set[int] = set()
        # Latin-1 maps each byte to one character, so byte patterns match as text.
        for _end, i in self.ac.iter(data.lower().decode("latin-1")):
            if direct[i]:
                return True, {i}
            found.add(i)
        return False, found


BACKENDS = {
    "hyperscan": _Hyperscan,
    "ahocorasick-rs": _AhoCorasickRs,
    "pyahocorasick": _PyAhoCorasick,
}


class Prefilter:
    """A compiled multi-pattern scan for one profile; ``maybe(raw)`` is True if it can match."""

    def __init__(self, words: list[Word], backend: str | None = None) -> None:
        self.words = words
        owned = {p: i for i, w in enumerate(words) for p in byte_patterns(w.text)}
        self.patterns = sorted(owned)
        self._owner = [owned[p] for p in self.patterns]
        self._direct = [words[i].direct for i in self._owner]
        self._verifiers: dict[int, re.Pattern[bytes] | None] = {}
        self._backend = _build(self.patterns, backend)
        self.backend = self._backend.name

    def maybe(self, data: bytes) -> bool:
        """True when ``data`` can mention the profile: the record must go on to analysis."""
        return self.why(data) is not None

    def why(self, data: bytes) -> str | None:
        """The word that let ``data`` through, or None."""
        data = _utf16_as_utf8(data)
        direct, found = self._backend.hits(data, self._direct)
        if direct:
            return self.words[self._owner[next(i for i in found if self._direct[i])]].text
        lowered = data.lower() if found else b""
        for pattern_id in sorted(found):
            if self._verified(pattern_id, data, lowered):
                return self.words[self._owner[pattern_id]].text
        return None

    def _verified(self, pattern_id: int, data: bytes, lowered: bytes) -> bool:
        """Check a hit where it occurs: one regex over the whole page costs more than the scan."""
        word = self.words[self._owner[pattern_id]]
        pattern = self.patterns[pattern_id]
        verifier = self._verifier(self._owner[pattern_id])
        pos = lowered.find(pattern)
        for _ in range(MAX_CHECKS):
            if pos < 0:
                return False
            if word.bounded:
                if pos == 0 or lowered[pos - 1 : pos] not in _ALNUM:
                    return True
            elif verifier is not None and verifier.search(data, max(0, pos - _REACH), pos + _REACH):
                return True
            pos = lowered.find(pattern, pos + 1)
        return True  # a word this frequent: let analyse judge rather than check on and on

    def _verifier(self, index: int) -> re.Pattern[bytes] | None:
        if index not in self._verifiers:  # compiled on first need: most words never need it
            self._verifiers[index] = _verifier(self.words[index])
        return self._verifiers[index]


def _utf16_as_utf8(data: bytes) -> bytes:
    """UTF-16 text re-encoded as UTF-8; anything else unchanged (and not copied).

    UTF-16 patterns would be full of NUL bytes, which Hyperscan's literal API cannot take;
    UTF-16 pages are rare and announce themselves (a BOM, or NULs at every other byte).
    """
    head = data[:64]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace").encode("utf-8")
    if len(head) >= 16 and head.count(0) * 3 > len(head):
        odd_nuls = head[1::2].count(0) > head[0::2].count(0)
        return data.decode("utf-16-le" if odd_nuls else "utf-16-be", errors="replace").encode()
    return data


def _build(patterns: list[bytes], backend: str | None) -> _Backend:
    names = [backend] if backend else list(BACKENDS)
    for name in names:
        try:
            return BACKENDS[name](patterns)
        except ImportError:
            log.debug("prefilter backend %s not installed", name)
    raise ImportError(f"prefilter backend {backend!r} is not installed")


@functools.lru_cache(maxsize=8)
def _cached(words: tuple[Word, ...], backend: str | None) -> Prefilter:
    return Prefilter(list(words), backend)


def for_profile(profile: Profile, backend: str | None = None) -> Prefilter:
    """The prefilter of ``profile``, compiled once per process (workers reuse it across tasks)."""
    return _cached(tuple(alias_words(profile)), backend)
