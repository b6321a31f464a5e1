"""An output never replaces the store: `digest -o STORE` and `export STORE` wrote a digest
or an export over the store's file, exit status 0, and the store was lost (a walk)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from mediadigest.errors import MediadigestError
from mediadigest.store.transfer import export_file
from mediadigest.targets import refuse_store_target
from test_digest_outputs import floods  # noqa: F401 (a fixture)
from test_end_to_end import WEEK, Cli


def _whole(db: Path) -> tuple[str, int]:
    with sqlite3.connect(db) as conn:
        checked = conn.execute("PRAGMA integrity_check").fetchone()[0]
        return checked, conn.execute("SELECT count(*) FROM articles").fetchone()[0]


def test_digest_and_export_refuse_the_store_and_leave_it_whole(floods: Cli, tmp_path):  # noqa: F811
    db = tmp_path / "store.db"
    out = floods("digest", *WEEK, "-o", str(db), code=1)
    assert f"{db}: not written: it is an SQLite database (a store?)" in str(out.exception)
    out = floods("export", str(db), code=1)
    assert f"{db}: not written: it is an SQLite database (a store?)" in str(out.exception)
    assert _whole(db) == ("ok", 1)
    assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob(".store.db.*"))
    floods("digest", *WEEK, "-o", str(tmp_path / "d.md"))  # any other name is written


@pytest.mark.parametrize("suffix", ["-wal", "-shm", "-journal"])
def test_the_files_sqlite_keeps_beside_a_store_are_refused(tmp_path, suffix):
    db = tmp_path / "s.db"
    sqlite3.connect(db).execute("CREATE TABLE t (x)").connection.close()
    beside = tmp_path / f"s.db{suffix}"
    beside.write_bytes(b"\x37\x7f\x06\x82")
    with pytest.raises(MediadigestError, match=f"SQLite keeps it beside the database {db}"):
        refuse_store_target(beside)
    with pytest.raises(MediadigestError), export_file(beside):
        pass
    assert beside.read_bytes() == b"\x37\x7f\x06\x82"
    refuse_store_target(tmp_path / f"notes.txt{suffix}")  # no database beside it: written


def test_a_symlink_to_a_store_is_refused_and_other_files_are_not(tmp_path):
    db = tmp_path / "s.db"
    sqlite3.connect(db).execute("CREATE TABLE t (x)").connection.close()
    link = tmp_path / "digest.md"
    link.symlink_to(db)
    with pytest.raises(MediadigestError, match=r"digest\.md: not written"):
        refuse_store_target(link)
    text = tmp_path / "old.md"
    text.write_text("SQLite is not this file's first word")
    refuse_store_target(text)
    refuse_store_target(tmp_path / "missing.md")
