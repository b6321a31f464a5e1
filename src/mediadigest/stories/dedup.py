"""Collapse copies: the same text (hash) and near-copies (wire copy, light edits) via MinHash LSH.

A syndicated report runs in many outlets with its own headline, dateline and boilerplate; the
body's word shingles stay mostly the same, so their Jaccard similarity stays high. MinHash LSH
finds such pairs without comparing every pair; each group keeps every member, so the story
still knows every outlet that ran the report.
"""

from __future__ import annotations

import hashlib
import string
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from datasketch import MinHash, MinHashLSH

__all__ = ["DuplicateGroup", "find_duplicates", "text_hash"]

NUM_PERM = 64
SHINGLE = 4  # words per shingle
MAX_WORDS = 250  # the opening decides: a copy that differs further on is still a copy
# Punctuation becomes space; str.translate + split is several times faster than a \w+ regex.
_PUNCT = str.maketrans(dict.fromkeys(string.punctuation + "“”‘’«»„—–…·", " "))
_MAX_HASH = np.uint64((1 << 32) - 1)


@dataclass(slots=True)
class DuplicateGroup:
    """Indexes of articles that are one report: ``primary`` first, then its ``copies``."""

    primary: int
    copies: list[int] = field(default_factory=list)
    exact: list[int] = field(default_factory=list)  # the copies that are word-for-word equal

    @property
    def members(self) -> list[int]:
        return [self.primary, *self.copies]


def text_hash(text: str) -> str:
    """Hash of the words, case- and whitespace-insensitive: equal for exact copies."""
    return _hash_words(_words(text))


def _words(text: str) -> list[str]:
    return text.casefold().translate(_PUNCT).split()


def _hash_words(words: list[str]) -> str:
    return hashlib.sha1(" ".join(words).encode()).hexdigest()


def _shingle_hashes(words: list[str]) -> np.ndarray:
    words = words[:MAX_WORDS]
    if len(words) < SHINGLE:
        words = [*words, *[""] * (SHINGLE - len(words))]
    ids = np.array([zlib.crc32(w.encode()) for w in words], dtype=np.uint64)
    # Polynomial hash of each window of SHINGLE word hashes, in 32 bits.
    acc = np.zeros(len(ids) - SHINGLE + 1, dtype=np.uint64)
    for k in range(SHINGLE):
        acc = (acc * np.uint64(1_000_003) + ids[k : len(ids) - SHINGLE + 1 + k]) & _MAX_HASH
    return np.unique(acc)


def _minhash(hashes: np.ndarray, permutations: np.ndarray) -> MinHash:
    # Shingles are hashed already (vectorised above): ``int`` as the hash function skips
    # datasketch's per-item SHA-1, which would cost more than everything else here.
    sig = MinHash(
        hashfunc=int,
        permutations=permutations,
        scheme="affine32",
        hashvalues=np.full(NUM_PERM, _MAX_HASH, dtype=np.uint32),
    )
    sig.update_batch(hashes.tolist())
    return sig


def find_duplicates(
    texts: Sequence[str], *, threshold: float = 0.6, order: Sequence[int] | None = None
) -> list[DuplicateGroup]:
    """Groups of copies among ``texts``, each led by its first member in ``order``.

    ``order`` (default: as given) decides which copy leads a group: pass the indexes sorted
    by publication time so the group's primary is the earliest, usually the original.
    """
    order = list(order) if order is not None else list(range(len(texts)))
    rank = {i: r for r, i in enumerate(order)}
    exact_of: dict[str, int] = {}
    leader: dict[int, int] = {}
    exact: set[int] = set()
    words = {i: _words(texts[i]) for i in order}
    for i in order:
        key = _hash_words(words[i])
        if key in exact_of:
            leader[i] = exact_of[key]
            exact.add(i)
        else:
            exact_of[key] = i
    permutations = MinHash(num_perm=NUM_PERM).permutations
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    signatures: dict[int, MinHash] = {}
    for i in order:
        if i in leader or not words[i]:
            continue
        sig = _minhash(_shingle_hashes(words[i]), permutations)
        near = [j for j in lsh.query(sig) if sig.jaccard(signatures[j]) >= threshold]
        if near:
            leader[i] = min(near, key=rank.__getitem__)
        else:
            lsh.insert(i, sig)
            signatures[i] = sig
    return _groups(order, leader, exact)


def _groups(order: list[int], leader: dict[int, int], exact: set[int]) -> list[DuplicateGroup]:
    groups: dict[int, DuplicateGroup] = {}
    for i in order:
        head = i
        while head in leader:
            head = leader[head]
        if head == i:
            groups[i] = DuplicateGroup(i)
        else:
            groups[head].copies.append(i)
            if i in exact:
                groups[head].exact.append(i)
    return list(groups.values())
