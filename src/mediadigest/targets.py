"""Files an output must not replace: a store, or a file SQLite keeps beside one.

``digest -o mediadigest.db`` (a tab completion one letter short) or ``export store.db``
replaced the store with a digest or an export, exit status 0: the store was lost.
"""

from __future__ import annotations

from pathlib import Path

from mediadigest.errors import MediadigestError

SQLITE_HEADER = b"SQLite format 3\x00"
# What SQLite keeps beside a database "x.db": x.db-wal, x.db-shm, x.db-journal.
_BESIDE = ("-wal", "-shm", "-journal")


def refuse_store_target(path: Path) -> None:
    """Raise a MediadigestError naming ``path`` if writing it would replace an SQLite
    database, or the write-ahead log, shared memory or journal of one beside it."""
    target = path.resolve()  # through a symlink: the file it names is what is replaced
    if _is_sqlite(target):
        raise MediadigestError(f"{path}: not written: it is an SQLite database (a store?); "
                               "give another file name")  # fmt: skip
    for suffix in _BESIDE:
        if target.name.endswith(suffix):
            database = target.with_name(target.name.removesuffix(suffix))
            if _is_sqlite(database):
                raise MediadigestError(f"{path}: not written: SQLite keeps it beside the "
                                       f"database {database}; give another file name")  # fmt: skip


def _is_sqlite(path: Path) -> bool:
    try:
        if not path.is_file():
            return False
        with path.open("rb") as fh:
            return fh.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False
