"""Extractive summaries: sentences taken verbatim from the article, each with its span."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Abbreviations that end in a period but do not end a sentence.
_ABBREV = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|St|Jr|Sr|Gen|Col|Lt|Sen|Rep|Gov|Inc|Ltd|Co|Corp|No|vs|etc|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|U\.S|U\.K|e\.g|i\.e)|\b[A-Z])\.$"
)
_BOUNDARY = re.compile(r"(?<=[.!?…])[\"”»’]?\s+(?=[\"“«‘(]?[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ0-9])")


@dataclass(slots=True)
class Sentence:
    text: str
    start: int
    end: int


def sentences(text: str) -> list[Sentence]:
    """Split text into sentences with offsets; paragraphs always end a sentence."""
    out: list[Sentence] = []
    for para in re.finditer(r"[^\n]+", text):
        base, chunk = para.start(), para.group()
        start = 0
        for m in _BOUNDARY.finditer(chunk):
            if _ABBREV.search(chunk[start : m.start()].rstrip('"”»’')):
                continue
            _append(out, chunk, base, start, m.start())
            start = m.end()
        _append(out, chunk, base, start, len(chunk))
    return out


def _append(out: list[Sentence], chunk: str, base: int, start: int, end: int) -> None:
    piece = chunk[start:end]
    stripped = piece.strip()
    if stripped:
        offset = start + piece.index(stripped)
        out.append(Sentence(stripped, base + offset, base + offset + len(stripped)))


def lead_sentences(text: str, count: int = 3, max_chars: int = 600) -> list[Sentence]:
    """The first ``count`` sentences (within ``max_chars``): the v0 summary of one article."""
    picked: list[Sentence] = []
    total = 0
    for sent in sentences(text):
        if len(sent.text.split()) < 5:  # datelines, bylines, photo credits
            continue
        if picked and total + len(sent.text) > max_chars:
            break
        picked.append(sent)
        total += len(sent.text)
        if len(picked) == count:
            break
    return picked
