"""Language stage: the ISO 639-1 code of an article's language, from py3langid's model."""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from functools import lru_cache
from itertools import islice

from py3langid.langid import MODEL_FILE, LanguageIdentifier

log = logging.getLogger(__name__)

__all__ = ["detect"]

SAMPLE_CHARS = 2_000  # the opening of an article says its language; more only costs time
MIN_LETTERS = 20  # below this a guess is noise (a headline fragment, a name, a date)
MIN_CONFIDENCE = 0.5
# Short texts (headlines) get flat probabilities from the model, so a clear leader is
# also accepted: names-only lines ("Astana Almaty Tokayev") stay below the floor.
LEAD_FLOOR, LEAD_FACTOR = 0.2, 2.5
_LETTER = re.compile(r"[^\W\d_]")

# The model labels regional varieties on their own (Wu and Cantonese, Egyptian and
# Moroccan Arabic, Arabic-script Uzbek...). News in those is news in the macrolanguage,
# so their probability is added to it; labels without an ISO 639-1 code are left out.
_FOLD = {
    "wuu": "zh",
    "yue": "zh",
    "ary": "ar",
    "arz": "ar",
    "uzs": "uz",
    "sdh": "ku",
    "gug": "gn",
    "hbo": "he",
    "ext": "es",  # Extremaduran: in practice, Spanish
}


@lru_cache(maxsize=1)
def _identifier() -> LanguageIdentifier:
    """The model, loaded once per process on first use (about a second)."""
    log.debug("loading the py3langid model")
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect(text: str) -> str | None:
    """ISO 639-1 code of ``text``'s language, from its first 2,000 characters.

    None when the text has fewer than 20 letters, or when no language reaches 0.5
    probability and none leads the runner-up clearly (0.2 and 2.5 times as likely).
    """
    sample = text[:SAMPLE_CHARS]
    letters = islice(_LETTER.finditer(sample), MIN_LETTERS)  # stops at the 20th
    if sum(1 for _ in letters) < MIN_LETTERS:
        return None
    totals: defaultdict[str, float] = defaultdict(float)
    for label, probability in _identifier().rank(sample):
        code = _FOLD.get(label, label)
        if len(code) == 2:
            totals[code] += probability
    ranked = sorted(totals.items(), key=lambda item: item[1], reverse=True)
    if not ranked:
        return None
    code, best = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    if best >= MIN_CONFIDENCE or (best >= LEAD_FLOOR and best >= LEAD_FACTOR * runner_up):
        return code
    return None
