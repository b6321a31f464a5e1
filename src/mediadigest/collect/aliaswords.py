"""Prefilter: the words of a profile the byte scan looks for, one per alias key at most.

The scan looks for one word of each alias: any mention of a multi-word alias holds its
longest specific word, whatever spacing, hyphen or apostrophe the page used, and the rest
of the alias is checked where that word is found. A word is looked for in every spelling
analyse folds into it (``spellings.py``), and the aliases' own (``Word.written``); a word
with too many spellings by a part of it; a word every spelling of which holds another's,
not at all (``held``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import ahocorasick

from mediadigest.collect import spellings
from mediadigest.profile import Profile, Term

__all__ = ["SHORT", "Word", "affordable", "alias_words", "held"]

# Hits of these kinds only lower a score (exclusions, peers): they never make a record relevant.
_NEUTRAL_KINDS = frozenset({"exclude", "peer"})
_WORD_GAPS = re.compile(r"[ \-']+")


# Words too common to stand for a multi-word alias ("Halyk Bank": scan for "halyk").
_GENERIC_WORDS = """bank savings city group company national university airlines railways
    oil gas pipeline consortium minerals republic government capital president state new of the and
    банк город группа компания национальный университет трубопроводный консорциум
    республика правительство"""
_GENERIC = frozenset(_GENERIC_WORDS.split())
SHORT = 4  # ASCII words this short occur inside other words and in scripts: check the start


@dataclass(frozen=True, slots=True)
class Word:
    """A word the scan looks for, and what a hit on it still has to show.

    A hit on a plain word passes the record at once. ``keys`` (multi-word aliases this word
    stands for) need one of them in full, words in order with gaps between; a ``bounded``
    word (short, ASCII) must start a word, as the analyse stage's word boundary requires;
    a ``tail`` word (only exact aliases, no "*") must end one: "семей" (Semey) is no hit in
    "семейный", "kazak" none in "Kazakov".
    """

    text: str
    keys: tuple[tuple[str, ...], ...] = ()
    bounded: bool = False
    tail: bool = False
    mark: str | None = None  # not a word: a kind of mark that can hide one (escapes.py)
    written: tuple[str, ...] = ()  # its aliases' words as the profile writes them

    @property
    def direct(self) -> bool:
        return not self.keys and not self.bounded and not self.tail and self.mark is None


def alias_words(profile: Profile) -> list[Word]:
    """The words scanned for: one per alias key, none for a key another word already covers.

    A single-word key is its own word. A multi-word key needs none when one of its words
    contains a single-word key ("kazakh authorities" has "kazakh") where that word's hits
    count; otherwise its longest word that is not a generic one ("bank", "city") stands for it.
    A word with too many spellings is cut to a part of it (``spellings.fragment``).
    """
    singles: dict[str, tuple[bool, bool]] = {}  # word -> (bounded, tail)
    multi: dict[str, set[tuple[str, ...]]] = {}
    written: dict[str, set[str]] = {}  # word -> the aliases' words as written
    keys = [(term, [p for p in _WORD_GAPS.split(term.key.strip()) if p])
            for term in profile.terms if term.kind not in _NEUTRAL_KINDS]  # fmt: skip
    for term, parts in keys:
        own = spellings.segments(term.alias)
        for part in parts:
            written.setdefault(part, set()).update(w for w in own if _spells(w, part))
    for term, parts in keys:
        if len(parts) == 1:
            word = parts[0]
            bounded = word.isascii() and len(word) <= SHORT and term.key.startswith(" ")
            tail = not term.stem and not term.cjk
            old = singles.get(word, (True, True))
            singles[word] = (old[0] and bounded, old[1] and tail)  # the laxest key rules
    for term, parts in keys:
        if len(parts) < 2 or _covered(term, parts, singles):
            continue
        specific = [p for p in parts if p not in _GENERIC] or parts
        multi.setdefault(max(specific, key=len), set()).add(tuple(parts))
    words = [Word(w, (), bounded, tail, written=_written(written, w))
             for w, (bounded, tail) in singles.items()]  # fmt: skip
    words += [Word(w, tuple(sorted(k)), written=_written(written, *{p for key in k for p in key}))
              for w, k in multi.items() if w not in singles]  # fmt: skip
    return affordable(words)


def _spells(written: str, part: str) -> bool:
    """Whether ``written`` (a word of an alias) is ``part`` in a spelling of its own: not in
    lower, upper or title case, which are spelt anyway."""
    plain = written in (part, part.upper(), part[:1].upper() + part[1:])
    return not plain and spellings.folded(written) == part


def _written(written: dict[str, set[str]], *parts: str) -> tuple[str, ...]:
    return tuple(sorted({w for part in parts for w in written.get(part, ())}))


def affordable(words: list[Word]) -> list[Word]:
    """``words``, each cut to the part of it that has at most CAP spellings; a multi-word
    alias with too many to check the other words of, passed on its word alone."""
    found: dict[str, Word] = {}
    for word in words:
        if any(spellings.count(part) > spellings.CAP for key in word.keys for part in key):
            word = Word(word.text, written=word.written)
        start, end = spellings.fragment(word.text)
        if (start, end) != (0, len(word.text)):
            bounded, tail = word.bounded and start == 0, word.tail and end == len(word.text)
            word = Word(word.text[start:end], (), bounded, tail, written=word.written)
        old = found.get(word.text)
        if old is not None:  # the laxest of the two
            keys = tuple(sorted({*old.keys, *word.keys})) if old.keys and word.keys else ()
            bounded, tail = old.bounded and word.bounded, old.tail and word.tail
            if keys or bool(old.keys) != bool(word.keys):
                bounded = tail = False
            written = tuple(sorted({*old.written, *word.written}))
            word = Word(word.text, keys, bounded, tail, written=written)
        found[word.text] = word
    return sorted(found.values(), key=lambda w: w.text)


def _covered(term: Term, parts: list[str], singles: dict[str, tuple[bool, bool]]) -> bool:
    """True when every mention of ``term`` holds a hit that a single word's check accepts."""
    for i, part in enumerate(parts):
        for word, (bounded, tail) in singles.items():
            at = part.find(word)
            while at >= 0:
                starts = at == 0 and (i > 0 or not term.infix)
                ends = at + len(word) == len(part) and (i < len(parts) - 1 or not term.stem)
                if (starts or not bounded) and (ends or not tail):
                    return True
                at = part.find(word, at + 1)
    return False


def held(words: list[Word]) -> set[int]:
    """The words each spelling of which holds a direct word's ("тенгизшевройл" holds
    "тенгиз"): the scan stops at that one first, so they need no patterns. A tenth of a
    profile's patterns, each of which costs Hyperscan's compile as much as any other. (Where
    two words share a spelling, the first keeps it.)"""
    forms = [spellings.forms(word.text, word.written) for word in words]
    owners: dict[str, list[int]] = {}
    for i, word in enumerate(words):
        if word.direct:
            for form in forms[i]:
                owners.setdefault(form, []).append(i)
    if not owners:
        return set()
    direct = ahocorasick.Automaton()
    for form, found in owners.items():
        direct.add_word(form, (len(form), min(found)))
    direct.make_automaton()

    def holds(i: int, form: str) -> bool:
        return any(j != i and (size < len(form) or j < i) for _, (size, j) in direct.iter(form))

    return {i for i in range(len(words)) if all(holds(i, form) for form in forms[i])}
