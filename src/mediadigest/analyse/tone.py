"""Tone: how an article portrays things, from -1 (negative) to +1 (positive), by lexicon.

The lexicon (``data/tone-lexicon.tsv``, written for mediadigest) scores news words from -3
to +3 in English, Russian, Kazakh, Turkish, Chinese and Japanese; it matches with the
profile's folding and stems in one Aho-Corasick pass. A negation just before a term ("not",
"не", "емес", "değil") flips it at half strength. The sum is squashed as VADER does,
``s / sqrt(s² + 15)``, so a few strong words move the score and many do not saturate it.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache
from importlib import resources

from mediadigest.matching import KeywordIndex, matchable

__all__ = ["score"]

MAX_CHARS = 20_000  # the opening of a long text sets its tone; more only costs time
ALPHA = 15.0  # VADER's normaliser: a sum of 4 (two "strong" words) gives about +0.7
NEGATION_FLIP = -0.5
_NEGATION = re.compile(r"(?:\b(?:not|no|never|without|hardly|не|нет|без|емес|değil)\s+\S*\s?)$")


@lru_cache(maxsize=1)
def _lexicon() -> KeywordIndex:
    """The shipped lexicon, parsed once per process."""
    raw = resources.files("mediadigest.analyse").joinpath("data", "tone-lexicon.tsv")
    entries = []
    for line in raw.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        term, weight = line.rsplit("\t", 1)
        entries.append((term, float(weight)))
    return KeywordIndex(entries)


def score(text: str, *, title: str = "") -> tuple[float | None, list[str]]:
    """The tone of ``title`` and ``text`` and the terms that set it ("+cooperat ×3").

    The tone is None when no lexicon word is found: no evidence is not neutrality.
    """
    norm = matchable(f"{title}\n{text[:MAX_CHARS]}")
    total = 0.0
    seen: Counter[str] = Counter()
    signed: dict[str, float] = {}
    for start, _, keyword in _lexicon().scan(norm):
        weight = keyword.payloads[0]
        if _NEGATION.search(norm, max(0, start - 20), start + 1):  # keys open with a space
            weight *= NEGATION_FLIP
        total += weight
        seen[keyword.text] += 1
        signed[keyword.text] = signed.get(keyword.text, 0.0) + weight
    if not seen:
        return None, []
    value = total / math.sqrt(total * total + ALPHA)
    ranked = sorted(signed, key=lambda t: -abs(signed[t]))[:8]
    terms = [f"{'+' if signed[t] > 0 else '-'}{t} ×{seen[t]}" for t in ranked]
    return round(value, 3), terms
