"""The user's cache folder: files derived from installed packages that are costly to rebuild
in every process (an unpacked model). Anything in it can be deleted at any time."""

from __future__ import annotations

import logging
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

__all__ = ["cache_dir", "keep_newest", "write_atomic"]

log = logging.getLogger(__name__)

ENV = "MEDIADIGEST_CACHE"  # a folder, or "off"
# What the cache holds (analyse/language.py's model, collect/compiled.py's prefilters): a
# temporary file of one of these that a process killed mid-write left is swept; nothing
# else is, as the folder may be one the user shares (MEDIADIGEST_CACHE=/tmp).
KINDS = ("py3langid-model-*.npz", "prefilter-*.bin")
# A writer touches its temporary file at every MB (an unpacked model: a second or two), so
# one untouched this long has none left; one younger may be another process's, still writing.
STALE_AFTER = 3600.0


def cache_dir() -> Path | None:
    """``$MEDIADIGEST_CACHE``, else ``$XDG_CACHE_HOME/mediadigest``, else
    ``~/.cache/mediadigest``; created on first use. None when it is "off" or cannot be made."""
    chosen = os.environ.get(ENV, "").strip()
    if chosen.lower() in {"off", "0", "false", "no"}:
        return None
    try:
        if chosen:
            folder = Path(chosen).expanduser()
        else:
            base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
            folder = Path(base) / "mediadigest"
        folder.mkdir(parents=True, exist_ok=True)
    except (OSError, RuntimeError):  # RuntimeError: a service user without a home folder
        return None
    _drop_stale_temporaries(folder)
    return folder


def write_atomic(path: Path, fill: Callable[[BinaryIO], object]) -> None:
    """Write ``path`` through ``fill`` so that readers see the whole file or none: processes
    that fill the same path at once each write their own temporary file, and the last
    rename wins. One a killed process left is deleted by ``cache_dir`` after STALE_AFTER,
    when ``path`` is of one of the KINDS."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fill(fh)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def keep_newest(folder: Path, pattern: str, count: int) -> None:
    """Delete the files matching ``pattern`` in ``folder`` beyond the ``count`` newest (what
    older versions of the code or of a library left behind)."""
    found = sorted(folder.glob(pattern), key=_mtime, reverse=True)
    for old in found[count:]:
        try:
            old.unlink(missing_ok=True)
        except OSError:  # in use elsewhere (a mapped file on Windows): the next run retries
            log.debug("cannot delete %s from the cache", old, exc_info=True)


def _drop_stale_temporaries(folder: Path) -> None:
    """Delete what write_atomic left of a process killed while it wrote (up to 68 MB each):
    its exception handler never ran, and keep_newest's patterns do not match the names."""
    now = time.time()
    for kind in KINDS:
        for tmp in folder.glob(f".{kind}.*.tmp"):
            if now - _mtime(tmp) > STALE_AFTER:
                try:
                    tmp.unlink(missing_ok=True)
                except OSError:  # another user's file in a shared folder: not ours to delete
                    log.debug("cannot delete %s from the cache", tmp, exc_info=True)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:  # deleted by another process meanwhile
        return 0.0
