"""Language stage: the ISO 639-1 code of an article's language, from py3langid's model."""

from __future__ import annotations

import logging
import lzma
import re
import shutil
import zipfile
from array import array
from collections import defaultdict
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

from mediadigest.cache import cache_dir, keep_newest, write_atomic

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
    """The model, loaded once per process on first use."""
    parts = _unpacked_model()
    if parts is None:
        log.debug("loading the py3langid model")
        return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ptc, pc, classes, nextmove, row, output = parts
    return LanguageIdentifier(ptc, pc, classes, nextmove, output, norm_probs=True, tk_row=row)


_CACHED_PREFIX = "py3langid-model-"


def _unpacked_model() -> tuple[Any, ...] | None:
    """py3langid's model read from an unpacked copy in the cache folder, made on first use.

    py3langid ships it LZMA-compressed: unpacking costs about 0.5 s of the 0.65 s a load
    takes, in every process that detects a language (each ingest worker, each collect run).
    The copy is the same npz, read as py3langid reads it. None (the caller falls back to
    py3langid's own loader) when there is no cache folder or the copy is unusable.
    """
    folder = cache_dir()
    if folder is None:
        return None
    source = MODEL_DIR / MODEL_FILE
    try:
        stat = source.stat()
    except OSError:
        return None
    path = folder / f"{_CACHED_PREFIX}{stat.st_size}-{stat.st_mtime_ns}.npz"
    try:
        if not path.exists():
            _unpack(source, path)
        with np.load(path, allow_pickle=False) as data:
            return (data["ptc"], data["pc"], data["classes"].tolist(),
                    _as_array(data["nextmove"]), _as_array(data["nextmove_row"]),
                    data["out_feat"].tolist())  # fmt: skip
    except (OSError, ValueError, KeyError, EOFError, lzma.LZMAError, zipfile.BadZipFile) as exc:
        log.warning("unpacked language model %s unusable (%s): loading the packed one",
                    path, exc)  # fmt: skip
        path.unlink(missing_ok=True)  # the next process unpacks it again
        return None


def _unpack(source: Path, path: Path) -> None:
    def fill(out: Any) -> None:
        with lzma.open(source) as packed:
            shutil.copyfileobj(packed, out, length=1 << 20)

    write_atomic(path, fill)
    keep_newest(path.parent, f"{_CACHED_PREFIX}*.npz", 1)  # not an earlier py3langid's


def _as_array(values: np.ndarray) -> array:
    """An unsigned integer array as the stdlib array py3langid's tokenizer walks."""
    out = array({2: "H", 4: "I", 8: "L"}[values.dtype.itemsize])
    out.frombytes(np.ascontiguousarray(values).tobytes())
    return out


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
