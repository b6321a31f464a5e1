"""Text folding and multi-pattern keyword matching shared by profiles, relevance, themes and tone.

Everything matches over ``matchable(text)``: one normalisation (NFKC, casefold, one apostrophe,
one hyphen, word gaps as spaces, invisible marks and Arabic vowel marks dropped) and one
Aho-Corasick pass, whatever the language or script.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

import ahocorasick

# Month and weekday names: capitalised like names, never a person, a speaker or a framing word.
DATE_WORDS = (
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday"
)

__all__ = ["ARABIC_MARKS", "Keyword", "KeywordIndex", "is_cjk", "key_form", "matchable"]
__all__ += ["DATE_WORDS", "build_automata", "normalise", "scan_automata", "spelling_variants"]

# What NFKC would do to the compatibility characters common in news (no-break and thin
# spaces, ellipsis, CJK full-width punctuation), done first so that NFKC's quick check
# passes: a full NFKC pass costs 10-100x the check (2 ms for 10,000 Chinese characters).
_BEFORE_NFKC = (
    *((c, " ") for c in "\u00a0\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u3000"),
    *((c, chr(ord(c) - 0xFEE0)) for c in "，：；！？（）％"),
    ("\u2026", "..."),
    ("\u2122", "TM"),
)
# Arabic tatweel (stretches a letter to justify a line) and vowel marks (harakat, superscript
# alef), dropped: a vowelled "كَازَاخِسْتَان" or a stretched "كازاخـستان" is the same name.
ARABIC_MARKS = "\u0640\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670"
# Character unification applied after NFKC. İ/ı go before casefold, which would turn
# "İ" into "i" + combining dot and break Turkish matches ("KAZAKİSTAN").
_BEFORE_FOLD = (("İ", "i"), ("ı", "i"))
_AFTER_FOLD = (
    *((c, "'") for c in "\u2019\u2018\u02bc\u02bb\u02bd`\u00b4\u2032"),
    *((c, "-") for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"),
    *((c, "") for c in "\u00ad\u200b\u200d\u2060\ufeff"),  # soft hyphen, zero-width marks
    *((c, "") for c in ARABIC_MARKS),
    *((c, " ") for c in "\n\t\r\f\v\x1c\x1d\x1e\x85\u2028\u2029"),
    ("ё", "е"),
    ("ك", "ک"),  # Arabic and Persian spell kaf and yeh with different code points
    ("ي", "ی"),
    ("ى", "ی"),
)
_SPACES = re.compile("  +")
# Word gaps for matching: these only ever sit between words, so they become spaces; a word
# may also start right after a hyphen or apostrophe ("Russia-Kazakhstan", "d'Ouzbékistan").
_GAPS = (*((c, " ") for c in '()[]{}"«»“”„‹›/\\|#@*_~+=<>'), ("-", "- "), ("'", "' "))


def _replace(text: str, pairs: tuple[tuple[str, str], ...]) -> str:
    # The ``in`` test is nearly free when a character cannot occur (Cyrillic in an ASCII
    # string), so a few dozen guarded replaces beat one ``str.translate`` over the text.
    for old, new in pairs:
        if old in text:
            text = text.replace(old, new)
    return text


def _nfkc(text: str) -> str:
    text = _replace(text, _BEFORE_NFKC)
    if unicodedata.is_normalized("NFKC", text):
        return text
    # Pay for a full NFKC pass only in the paragraphs that need it.
    return "\n".join(unicodedata.normalize("NFKC", p) for p in text.split("\n"))


def _fold(text: str) -> str:
    text = _replace(_nfkc(text), _BEFORE_FOLD)
    return _replace(text.casefold(), _AFTER_FOLD)


def _gapped(folded: str) -> str:
    return _replace(folded, _GAPS)


def normalise(text: str) -> str:
    """Fold text for matching: NFKC, casefold, one apostrophe, one hyphen, single spaces, ё→е,
    Arabic tatweel and vowel marks dropped.

    Only counts are needed downstream, so offsets into the original text are not kept.
    """
    return _SPACES.sub(" ", _fold(text)).strip()


def matchable(text: str) -> str:
    """The form ``Profile.scan`` reads: normalised, word gaps spaced, one leading space.

    Word-bounded aliases are stored as " alias", so the automaton itself enforces the word
    boundary at the start and its root has one child for all alphabetic scripts; that keeps
    pyahocorasick (which searches a node's children linearly) fast on long texts.
    """
    # Runs of spaces are left alone (collapsing costs a regex pass over the text): they come
    # from line breaks and punctuation, across which no multi-word alias runs.
    return " " + _gapped(_fold(text))


# Scripts written without spaces between words (CJK, kana, Hangul): no boundary checks.
_CJK = ((0x2E80, 0x9FFF), (0x1100, 0x11FF), (0xAC00, 0xD7AF), (0xF900, 0xFAFF), (0x20000, 0x3FFFF))


def is_cjk(char: str) -> bool:
    return any(lo <= ord(char) <= hi for lo, hi in _CJK)


# For patterns: the letters of scripts written without spaces between words (Chinese, and
# Japanese kana and kanji), and Hangul (Korean, written with spaces), as character ranges.
UNSPACED_RANGES = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HANGUL_RANGES = "\uac00-\ud7af\u1100-\u11ff"


def is_hangul(char: str) -> bool:
    return "\uac00" <= char <= "\ud7af" or "\u1100" <= char <= "\u11ff"


def key_form(folded: str) -> str:
    return _SPACES.sub(" ", _gapped(folded)).strip()


def spelling_variants(key: str, cjk: bool) -> list[str]:
    """Spellings people use for the same alias: "Nur Sultan", "Ozbekiston", "Kazajistan"."""
    out = {key.replace("-", " "), key.replace("'", "")}
    if not cjk:  # stripping marks would break kana (ズ → ス)
        bare = "".join(c for c in unicodedata.normalize("NFD", key) if not unicodedata.combining(c))
        out.add(unicodedata.normalize("NFC", bare))
    out.discard(key)
    return sorted(out)


class Matchable(Protocol):
    """What the automata hold: a folded key and how it may match (Keyword, profile Term)."""

    @property
    def key(self) -> str: ...
    @property
    def stem(self) -> bool: ...
    @property
    def infix(self) -> bool: ...
    @property
    def cjk(self) -> bool: ...


# (word-bounded automaton or None, free automaton or None, first characters of the free keys)
Automata = tuple[Any, Any, str]


def build_automata(items: Iterable[Matchable]) -> Automata:
    """Two automata over the items' keys: CJK and "*" infix keys have no leading space, so in
    the word-bounded automaton they would widen the root and slow every character of every
    text. Latin keys go in first: pyahocorasick scans a node's children in insertion order,
    and most text the pipeline sees is in Latin script."""
    ordered = sorted(items, key=lambda item: not item.key.isascii())
    bounded, free = ahocorasick.Automaton(), ahocorasick.Automaton()
    for item in ordered:
        (free if item.cjk or item.infix else bounded).add_word(item.key, item)
    if len(bounded):
        bounded.make_automaton()
    starts = "".join(sorted({item.key[0] for item in ordered if item.cjk or item.infix}))
    if starts:
        free.make_automaton()
    return (bounded if len(bounded) else None, free if starts else None, starts)


def scan_automata(automata: Automata, norm: str) -> list[tuple[int, int, Any]]:
    """Matches in ``matchable`` text: (start, end inclusive, item), leftmost-longest, no
    overlaps. A "*" stem may run on into more letters; any other key must end at a word end."""
    bounded, free, starts = automata
    size = len(norm)
    found: list[tuple[int, int, Any]] = []
    if bounded is not None:
        for end, item in bounded.iter(norm):
            if item.stem or end + 1 >= size or not norm[end + 1].isalnum():
                found.append((end - len(item.key) + 1, end, item))
    if free is not None and not norm.isascii() and any(c in norm for c in starts):
        for end, item in free.iter(norm):
            if item.stem or item.cjk or end + 1 >= size or not norm[end + 1].isalnum():
                found.append((end - len(item.key) + 1, end, item))
    found.sort(key=lambda m: (m[0], -m[1]))
    kept: list[tuple[int, int, Any]] = []
    for match in found:
        if not kept or match[0] > kept[-1][1]:
            kept.append(match)
    return kept


@dataclass(slots=True, frozen=True, eq=False)
class Keyword:
    """One folded keyword and how it may match; ``payloads`` say what a match means."""

    text: str  # as written, without the * markers
    key: str  # the folded form the automaton matches (" word" for word-bounded keys)
    stem: bool = False  # "word*": any trailing letters
    infix: bool = False  # "*word": any leading letters
    cjk: bool = False  # no word boundaries in scripts without spaces
    payloads: tuple[Any, ...] = ()


def parse_keyword(alias: str) -> tuple[str, str, bool, bool, bool, list[str]]:
    """An alias with its * markers -> (text, key, stem, infix, cjk, variant keys)."""
    text = alias.strip()
    stem, infix = text.endswith("*"), text.startswith("*")
    text = text.strip("*").strip()
    folded = normalise(text)
    if not folded:
        return text, "", stem, infix, False, []
    cjk = is_cjk(folded[0])
    lead = "" if cjk or infix else " "  # the space is the word boundary; see matchable()
    key = lead + key_form(folded)
    variants = [lead + key_form(v) for v in spelling_variants(folded, cjk)]
    return text, key, stem, infix, cjk, [v for v in variants if v != key]


class KeywordIndex:
    """Keywords (with the profile's * markers) -> payloads, found in one pass over a text.

    The same key given twice keeps every payload (a keyword may belong to two themes).
    Picklable: the automata are built on first use and left out of the pickle.
    """

    def __init__(self, entries: Iterable[tuple[str, Any]] = ()) -> None:
        self._keys: dict[str, Keyword] = {}
        self._automata: Automata | None = None
        for alias, payload in entries:
            self.add(alias, payload)

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, alias: str, payload: Any) -> None:
        text, key, stem, infix, cjk, variants = parse_keyword(alias)
        if not key:
            return
        for k in (key, *variants):
            old = self._keys.get(k)
            if old and payload in old.payloads:
                continue  # one keyword listed for two languages ("石油" in zh and ja)
            payloads = (*old.payloads, payload) if old else (payload,)
            self._keys[k] = Keyword(text, k, stem or bool(old and old.stem), infix, cjk, payloads)
        self._automata = None

    def _build(self) -> Automata:
        if self._automata is None:
            self._automata = build_automata(self._keys.values())
        return self._automata

    def scan(self, norm: str) -> list[tuple[int, int, Keyword]]:
        """Matches in ``matchable`` text: (start, end inclusive, keyword), leftmost-longest."""
        return scan_automata(self._build(), norm)

    def __getstate__(self) -> dict[str, Any]:
        return {"_keys": self._keys, "_automata": None}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._keys, self._automata = state["_keys"], None
