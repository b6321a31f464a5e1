"""Language stage: the ISO 639-1 code of an article's language, from py3langid's model."""

from __future__ import annotations

import io
import logging
import lzma
import math
import mmap
import re
import shutil
import struct
import zipfile
from collections import defaultdict
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

from mediadigest.cache import cache_dir, keep_newest, write_atomic

log = logging.getLogger(__name__)

__all__ = ["detect", "normalise_code"]

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
_NPY_HEAD = 4096  # an npy header is padded to 64 bytes; a few hundred in practice
_NPY_HEADERS = {
    (1, 0): np.lib.format.read_array_header_1_0,
    (2, 0): np.lib.format.read_array_header_2_0,
}


def _unpacked_model() -> tuple[Any, ...] | None:
    """py3langid's model mapped from an unpacked copy in the cache folder, made on first use.

    py3langid ships it LZMA-compressed: unpacking costs about 0.5 s of the 0.65 s a load
    takes, in every process that detects a language (each ingest worker, each collect run).
    The copy is the same npz, whose members are stored uncompressed, so its arrays are
    mapped rather than read: a load is about 20 ms, and all processes share the pages (68 MB
    that each used to hold). None (the caller falls back to py3langid's own loader) when
    there is no cache folder or the copy is unusable.
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
        data = _mapped_npz(path)
        return (data["ptc"], data["pc"], data["classes"].tolist(),
                _as_sequence(data["nextmove"]), _as_sequence(data["nextmove_row"]),
                data["out_feat"].tolist())  # fmt: skip
    except (OSError, ValueError, KeyError, EOFError, struct.error, lzma.LZMAError,
            zipfile.BadZipFile) as exc:  # fmt: skip
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


def _mapped_npz(path: Path) -> dict[str, np.ndarray]:
    """The arrays of an npz of stored (uncompressed) members, as read-only views of a map.

    The copy is only ever replaced whole (``write_atomic``), never rewritten in place, so a
    map stays valid for the life of the process. Each member's size must be its header and
    data exactly: a copy cut short or garbled in its structure raises ValueError. An npz of
    compressed members (a py3langid that ships one) cannot be mapped: it is read.
    """
    with path.open("rb") as file, zipfile.ZipFile(file) as archive:
        if any(info.compress_type != zipfile.ZIP_STORED for info in archive.infolist()):
            with np.load(path, allow_pickle=False) as data:  # by path: it sniffs from the start
                return {name: data[name] for name in data.files}
        mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
        arrays: dict[str, np.ndarray] = {}
        for info in archive.infolist():
            if not info.filename.endswith(".npy"):
                raise ValueError(f"{info.filename}: not an array")
            name_len, extra_len = struct.unpack_from("<HH", mapped, info.header_offset + 26)
            start = info.header_offset + 30 + name_len + extra_len
            head = io.BytesIO(mapped[start : start + _NPY_HEAD])
            version = np.lib.format.read_magic(head)
            read_header = _NPY_HEADERS.get(version)
            if read_header is None:
                raise ValueError(f"{info.filename}: npy format {version} unknown")
            shape, fortran, dtype = read_header(head)
            count = math.prod(shape)
            if fortran or head.tell() + count * dtype.itemsize != info.file_size:
                raise ValueError(f"{info.filename}: size does not match its header")
            view = np.frombuffer(mapped, dtype, count, start + head.tell())
            arrays[info.filename[:-4]] = view.reshape(shape)
    return arrays


def _as_sequence(values: np.ndarray) -> memoryview:
    """An unsigned integer array as py3langid's tokenizer walks it: indexing gives ints
    (a numpy scalar per step would double the walk's time)."""
    if not values.dtype.isnative:
        raise ValueError(f"model array of byte order {values.dtype.byteorder!r}")
    return memoryview(values).cast("B").cast({2: "H", 4: "I", 8: "Q"}[values.dtype.itemsize])


def detect(text: str, declared: str | None = None) -> str | None:
    """ISO 639-1 code of ``text``'s language, from its first 2,000 characters.

    None when the text has fewer than 20 letters, or when no language reaches 0.5
    probability and none leads the runner-up clearly (0.2 and 2.5 times as likely).

    ``declared`` (a page's ``<html lang>``) settles a close call, no more: it is often a
    site's default (lang="en" on a Russian article), so it wins only over a close relative
    of it (``_RELATIVES``) that the model is not all but sure of, or where the model is
    unsure and its own first choice is such a relative. Kazakh in Latin script, which the
    model knows only in Cyrillic, reads as Turkmen (0.96) or Crimean Tatar; a page in
    Turkmen or Ukrainian, whatever its site declares, reads as itself at 1.0.
    """
    sample = text[:SAMPLE_CHARS]
    letters = islice(_LETTER.finditer(sample), MIN_LETTERS)  # stops at the 20th
    if sum(1 for _ in letters) < MIN_LETTERS:
        return None
    totals: defaultdict[str, float] = defaultdict(float)
    first_label = None
    for label, probability in _identifier().rank(sample):
        first_label = first_label or label
        code = _FOLD.get(label, label)
        if len(code) == 2:
            totals[code] += probability
    ranked = sorted(totals.items(), key=lambda item: item[1], reverse=True)
    found = _leader(ranked)
    hint = normalise_code(declared) if declared else None
    if hint is None or hint == found:
        return found
    if found is None:
        return hint if first_label and _related(hint, first_label) else None
    return hint if _related(hint, found) and totals[found] < SURE else found


def _leader(ranked: list[tuple[str, float]]) -> str | None:
    if not ranked:
        return None
    code, best = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    if best >= MIN_CONFIDENCE or (best >= LEAD_FLOOR and best >= LEAD_FACTOR * runner_up):
        return code
    return None


# Above this the model is right about a text in a language it knows, even against a page
# that declares a close relative (uk against lang="ru": 1.0); its confusions of relatives
# stay below (Latin Kazakh as Turkmen: 0.96; Bosnian, Croatian, Serbian: 0.57).
SURE = 0.99
# Languages the model confuses with each other (model labels, some without an ISO 639-1
# code: crh, Crimean Tatar). Families are wider; these are the near neighbours.
_GROUPS = (
    {"tr", "az", "tk", "uz", "kk", "ky", "tt", "ba", "ug", "crh", "gag", "kaa"},
    {"ru", "uk", "be", "rue"},
    {"bs", "hr", "sr", "sh", "me", "sl", "mk", "bg"},
    {"cs", "sk"},
    {"da", "no", "nb", "nn", "sv"},
    {"ms", "id", "jv"},
    {"es", "gl", "pt", "ca", "oc", "an", "ast"},
    {"nl", "af", "fy", "li"},
    {"de", "lb"},
    {"fa", "tg", "prs"},
    {"hi", "ur", "ne", "mr"},
    {"zh", "wuu", "yue"},
    {"ar", "ary", "arz"},
)
_RELATIVES = {code: group for group in _GROUPS for code in group}


def _related(a: str, b: str) -> bool:
    return a == b or b in _RELATIVES.get(a, ())


# Codes some sources still write for a language whose ISO 639-1 code changed.
_RETIRED = {"iw": "he", "in": "id", "ji": "yi", "jw": "jv", "mo": "ro"}


def normalise_code(value: str) -> str | None:
    """The ISO 639-1 code a language tag names, in ``detect``'s form (lower case, the
    primary subtag alone): "JA" -> "ja", "zh-Hant" -> "zh", "pt_BR" -> "pt"; a three-letter
    ISO 639-2/3 code or a language's English name as feeds and archives write them too
    ("kaz" -> "kk", "ger" -> "de", "English" -> "en"); None for what names no language
    ("kz", Kazakhstan's country code)."""
    primary = value.strip().replace("_", "-").split("-", 1)[0].casefold()
    primary = _RETIRED.get(primary, primary)
    if primary in _iso_639_1():
        return primary
    return _other_names().get(primary)


@lru_cache(maxsize=1)
def _other_names() -> dict[str, str]:
    """Three-letter codes (CLDR's aliases: "kaz", "rus", "fre" and "fra") and English names
    ("english", "persian"), casefolded, of the languages that have an ISO 639-1 code."""
    from babel import Locale
    from babel.core import get_global

    two = _iso_639_1()
    names = {
        name.casefold(): code
        for code, name in Locale("en").languages.items()
        if code in two and " " not in name
    }
    aliases = {
        alias: code
        for alias, code in get_global("language_aliases").items()
        if len(alias) == 3 and code in two
    }
    return names | aliases


@lru_cache(maxsize=1)
def _iso_639_1() -> frozenset[str]:
    """Every ISO 639-1 code (184): the two-letter codes CLDR names languages by."""
    from babel import Locale

    return frozenset(code for code in Locale("en").languages if len(code) == 2)
