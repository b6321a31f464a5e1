"""Scanners behind the prefilter: one pass of many byte patterns over a record.

Three interchangeable backends, fastest first: Hyperscan (the ``fast`` extra, about 3 GB/s,
caseless, stops at the first hit that counts), ahocorasick-rs, and pyahocorasick (always
installed). Each reports the first pattern whose hit counts: a direct pattern at once, the
others once the prefilter's ``check`` accepts the place they occur.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterable
from typing import Protocol

import ahocorasick

log = logging.getLogger(__name__)

__all__ = ["BACKENDS", "MAX_CHECKS", "Backend", "Check", "Hyperscan", "build"]

MAX_CHECKS = 200  # occurrences of one word checked per record before giving up (and passing)

Check = Callable[[int, bytes, int], bool]  # (pattern id, data, start) -> the hit counts


class Backend(Protocol):
    name: str

    def first(self, data: bytes, direct: list[bool], check: Check) -> int | None:
        """The id of the first pattern hit that counts (direct, or ``check`` accepts it)."""
        ...


def _first_checked(
    data: bytes, found: Iterable[int], patterns: list[bytes], check: Check
) -> int | None:
    """Check each hit pattern where it occurs, up to MAX_CHECKS places (for the backends
    that give no positions)."""
    lowered = data.lower()
    for pattern_id in sorted(found):
        pattern = patterns[pattern_id]
        pos = lowered.find(pattern)
        for _ in range(MAX_CHECKS):
            if pos < 0:
                break
            if check(pattern_id, data, pos):
                return pattern_id
            pos = lowered.find(pattern, pos + 1)
        else:
            return pattern_id  # a word this frequent: let analyse judge rather than check on
    return None


class Hyperscan:
    """Direct patterns report once and stop the scan; the others report every place, which
    is checked there and then (no second search of the page, no lower-cased copy of it)."""

    name = "hyperscan"

    def __init__(self, patterns: list[bytes], direct: list[bool], blob: bytes | None = None):
        import hyperscan  # optional extra "fast"

        self._stop = hyperscan.ScanTerminated
        self._sizes = [len(p) for p in patterns]
        self.db = None
        if blob is not None:
            try:  # a database compiled earlier (compiled.py), for the same patterns
                self.db = hyperscan.loadb(blob, mode=hyperscan.HS_MODE_BLOCK)
            except hyperscan.error as exc:  # e.g. made on a CPU with other features
                log.debug("stored Hyperscan database unusable (%s): compiling", exc)
        if self.db is None:
            self.db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
            caseless = hyperscan.HS_FLAG_CASELESS
            flags = [caseless | (hyperscan.HS_FLAG_SINGLEMATCH if d else 0) for d in direct]
            self.db.compile(expressions=patterns, ids=list(range(len(patterns))),
                            elements=len(patterns), flags=flags, literal=True)  # fmt: skip
        # A scratch serves one scan at a time: each thread has its own (a Dask worker runs
        # tasks in several threads over one prefilter: ScratchInUseError), and within a thread
        # each depth (a check may scan again: the prefilter reads the bytes around a mark).
        self._local = threading.local()

    def dump(self) -> bytes:
        import hyperscan

        return bytes(hyperscan.dumpb(self.db))

    def first(self, data: bytes, direct: list[bool], check: Check) -> int | None:
        passed: int | None = None
        checks: dict[int, int] = {}
        sizes = self._sizes
        import hyperscan

        local = self._local
        if not hasattr(local, "scratches"):
            local.scratches, local.depth = [], 0
        depth = local.depth
        if len(local.scratches) <= depth:
            local.scratches.append(hyperscan.Scratch(self.db))
        scratch = local.scratches[depth]

        def on_match(pattern_id: int, start: int, end: int, flags: int, ctx: object) -> bool:
            nonlocal passed
            if not direct[pattern_id]:
                checks[pattern_id] = seen = checks.get(pattern_id, 0) + 1
                if seen <= MAX_CHECKS and not check(pattern_id, data, end - sizes[pattern_id]):
                    return False
            passed = pattern_id
            return True  # True stops the scan: one hit that counts is enough

        local.depth = depth + 1
        try:
            with contextlib.suppress(self._stop):  # raised when on_match asks to stop
                self.db.scan(data, match_event_handler=on_match, scratch=scratch)
        finally:
            local.depth = depth
        return passed


class _AhoCorasickRs:
    name = "ahocorasick-rs"

    def __init__(self, patterns: list[bytes], direct: list[bool]) -> None:
        import ahocorasick_rs  # optional

        self.patterns = patterns
        self.ac = ahocorasick_rs.BytesAhoCorasick(patterns)

    def first(self, data: bytes, direct: list[bool], check: Check) -> int | None:
        found = {
            i for i, _start, _end in self.ac.find_matches_as_indexes(data.lower(), overlapping=True)
        }
        hit = next((i for i in sorted(found) if direct[i]), None)
        return hit if hit is not None else _first_checked(data, found, self.patterns, check)


class _PyAhoCorasick:
    name = "pyahocorasick"

    def __init__(self, patterns: list[bytes], direct: list[bool]) -> None:
        self.patterns = patterns
        self.ac = ahocorasick.Automaton()
        for i, pattern in enumerate(patterns):
            self.ac.add_word(pattern.decode("latin-1"), i)
        self.ac.make_automaton()

    def first(self, data: bytes, direct: list[bool], check: Check) -> int | None:
        found: set[int] = set()
        # Latin-1 maps each byte to one character, so byte patterns match as text.
        for _end, i in self.ac.iter(data.lower().decode("latin-1")):
            if direct[i]:
                return i
            found.add(i)
        return _first_checked(data, found, self.patterns, check)


BACKENDS = {
    "hyperscan": Hyperscan,
    "ahocorasick-rs": _AhoCorasickRs,
    "pyahocorasick": _PyAhoCorasick,
}


def hyperscan_version() -> str | None:
    try:
        import hyperscan
    except ImportError:
        return None
    return str(getattr(hyperscan, "__version__", "?"))


def build(
    patterns: list[bytes], direct: list[bool], backend: str | None, blob: bytes | None = None
) -> Backend:
    """The named backend, or the first one installed; ``blob``: a Hyperscan database
    serialised earlier for the same patterns."""
    names = [backend] if backend else list(BACKENDS)
    for name in names:
        try:
            if name == "hyperscan":
                return Hyperscan(patterns, direct, blob)
            return BACKENDS[name](patterns, direct)
        except ImportError:
            log.debug("prefilter backend %s not installed", name)
    raise ImportError(f"prefilter backend {backend!r} is not installed")
