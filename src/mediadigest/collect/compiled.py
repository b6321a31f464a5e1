"""The prefilter's compiled form, kept in the cache folder between processes.

Compiling a profile's prefilter (every byte form of every alias in some ninety encodings,
the marks that can hide one, then the Hyperscan database) costs about half a second of CPU,
in every ingest worker, before its first record. The result depends only on the words, this
code and the libraries, so it is stored once under a key made of all of them and read back
in a millisecond. A missing, stale or damaged entry is simply compiled again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import struct
import sys
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from mediadigest.cache import cache_dir, keep_newest, write_atomic

log = logging.getLogger(__name__)

__all__ = ["Compiled", "load", "make_key", "save"]

FORMAT = 1
KEEP = 8  # compiled prefilters kept (a few profiles, backends and versions)
_HEADER = struct.Struct("<I")  # length of the JSON part; the backend's blob follows it

# (patterns, owner of each (a word, or a kind of mark), encodings of each, the backend's
# serialised form or None)
Compiled = tuple[list[bytes], list[int], list[frozenset[str]], bytes | None]


def make_key(parts: Iterable[object], sources: Iterable[Path]) -> str:
    """A key over ``parts`` (reprs), the ``sources``' bytes and the Python and Unicode
    versions (codecs and case mappings come with them)."""
    digest = hashlib.sha256()
    for part in (FORMAT, sys.version, unicodedata.unidata_version, *parts):
        digest.update(repr(part).encode() + b"\0")
    for source in sources:
        digest.update(source.read_bytes())
    return digest.hexdigest()[:40]


def _path(key: str) -> Path | None:
    folder = cache_dir()
    return None if folder is None else folder / f"prefilter-{key}.bin"


def load(key: str) -> Compiled | None:
    path = _path(key)
    if path is None or not path.exists():
        return None
    try:
        raw = path.read_bytes()
        (size,) = _HEADER.unpack_from(raw)
        head = json.loads(raw[_HEADER.size : _HEADER.size + size])
        blob = raw[_HEADER.size + size :] or None
        patterns = [p.encode("latin-1") for p in head["patterns"]]
        encodings = [frozenset(e) for e in head["encodings"]]
        owner = [int(i) for i in head["owner"]]
        if not len(patterns) == len(encodings) == len(owner):
            raise ValueError("lists of different lengths")
    except (OSError, ValueError, KeyError, TypeError, struct.error) as exc:
        log.warning("compiled prefilter %s unusable (%s): compiling it again", path, exc)
        path.unlink(missing_ok=True)
        return None
    return patterns, owner, encodings, blob


def save(key: str, compiled: Compiled) -> None:
    path = _path(key)
    if path is None:
        return
    patterns, owner, encodings, blob = compiled
    head = json.dumps({
        "patterns": [p.decode("latin-1") for p in patterns],
        "owner": owner,
        "encodings": [sorted(e) for e in encodings],
    }).encode()  # fmt: skip
    try:
        write_atomic(path, lambda fh: fh.write(_HEADER.pack(len(head)) + head + (blob or b"")))
        keep_newest(path.parent, "prefilter-*.bin", KEEP)  # other profiles', older code's
    except OSError as exc:  # a full or read-only disk costs the next process a compile
        log.debug("cannot keep the compiled prefilter in %s: %s", path, exc)
