"""Collect stage, archives: cut a WARC or WARC.gz file into byte ranges on record boundaries.

Ranges of about a given size let different workers read one large archive, and an
interrupted ingest resume at the end of the last range it stored. In a .warc.gz a boundary
is a gzip member holding whole records (Common Crawl writes one record per member); in a
.warc it is where a record starts, found by the Content-Lengths of those before it.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import BinaryIO

from mediadigest.collect import warc_plain
from mediadigest.collect.warc import is_gzip, next_record_member

__all__ = ["split"]


def split(path: Path, size: int, start: int = 0) -> list[tuple[int, int]]:
    """Byte ranges of about ``size`` bytes covering [start, end of file), on record boundaries.

    ``start`` must be a record boundary (0, or the end of a range this function gave).
    A .warc.gz that is one gzip stream rather than one member per record cannot be split
    and comes back as one range.
    """
    total = path.stat().st_size
    if total - start <= size:
        return [(start, total)] if start < total else []
    with open(path, "rb") as fh:
        if is_gzip(path):
            bounds = [start]
            while (found := next_record_member(fh, bounds[-1] + size, total)) is not None:
                bounds.append(found)
        else:
            bounds = _record_bounds(fh, start, size, total)
    bounds.append(total)
    return list(itertools.pairwise(bounds))


def _record_bounds(fh: BinaryIO, start: int, size: int, total: int) -> list[int]:
    """Record starts of an uncompressed WARC, about ``size`` bytes apart.

    Walks the records via their Content-Length, seeking over the bodies, so boundaries are
    exact: a payload that contains "WARC/1.0" cannot fool it. Past a damaged record it goes
    on where the reader does (``warc_plain``), so a boundary is never inside a record the
    reader would read, and a damaged file is still cut into ranges.
    """
    bounds = [start]
    for at in warc_plain.record_starts(fh, start, total):
        if at - bounds[-1] >= size:
            bounds.append(at)
    return bounds
