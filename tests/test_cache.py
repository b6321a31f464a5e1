"""The cache folder: where it is, that it is optional, and that it cleans up after a killed
writer."""

from __future__ import annotations

import fnmatch
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mediadigest.analyse import language
from mediadigest.cache import KINDS, cache_dir, keep_newest, write_atomic
from mediadigest.collect import compiled


def test_cache_folder_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDIADIGEST_CACHE", str(tmp_path / "mine"))
    assert cache_dir() == tmp_path / "mine" and (tmp_path / "mine").is_dir()
    monkeypatch.delenv("MEDIADIGEST_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "mediadigest"
    monkeypatch.setenv("MEDIADIGEST_CACHE", "off")
    assert cache_dir() is None


def test_no_usable_cache_folder_means_none(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("MEDIADIGEST_CACHE", str(blocker / "cache"))
    assert cache_dir() is None
    monkeypatch.delenv("MEDIADIGEST_CACHE")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.delenv("HOME", raising=False)
    monkeypatch.setattr("pathlib.Path.home", lambda: (_ for _ in ()).throw(RuntimeError("no home")))
    assert cache_dir() is None


def test_write_atomic_leaves_no_partial_file(tmp_path):
    target = tmp_path / "entry.bin"

    def fail(fh):
        fh.write(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, fail)
    assert list(tmp_path.iterdir()) == []
    write_atomic(target, lambda fh: fh.write(b"whole"))
    assert target.read_bytes() == b"whole" and list(tmp_path.iterdir()) == [target]


def test_keep_newest_deletes_only_older_matching_files(tmp_path):
    for age, name in enumerate(["c.bin", "b.bin", "a.bin", "other.txt"]):
        (tmp_path / name).write_bytes(b"x")
        os.utime(tmp_path / name, (1_000_000 - age * 10, 1_000_000 - age * 10))
    keep_newest(tmp_path, "*.bin", 2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.bin", "c.bin", "other.txt"]


_KILLED_MID_WRITE = """
import os, signal, sys
from pathlib import Path
from mediadigest.cache import write_atomic

def fill(fh):
    fh.write(b"half a model")
    fh.flush()
    os.kill(os.getpid(), signal.SIGKILL)  # as kill -9 while the model is unpacked

write_atomic(Path(sys.argv[1]), fill)
"""


def _killed_mid_write(target: Path) -> Path:
    """The temporary file a process killed while it wrote ``target`` leaves."""
    run = subprocess.run([sys.executable, "-c", _KILLED_MID_WRITE, str(target)], check=False)
    assert run.returncode == -signal.SIGKILL
    (left,) = target.parent.glob(f".{target.name}.*.tmp")
    return left


def test_a_temporary_file_a_killed_writer_left_is_deleted_once_stale(tmp_path, monkeypatch):
    """A process killed while it unpacked the language model left its 68 MB temporary file
    for ever: write_atomic deletes it only on an exception, keep_newest does not match it."""
    monkeypatch.setenv("MEDIADIGEST_CACHE", str(tmp_path))
    left = _killed_mid_write(tmp_path / "py3langid-model-68-1.npz")
    an_hour_and_more = time.time() - 3700
    os.utime(left, (an_hour_and_more, an_hour_and_more))
    assert cache_dir() == tmp_path
    assert list(tmp_path.iterdir()) == []


def test_a_temporary_file_still_being_written_is_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDIADIGEST_CACHE", str(tmp_path))
    left = _killed_mid_write(tmp_path / "prefilter-abc.bin")  # as young as a live writer's
    assert cache_dir() == tmp_path
    assert list(tmp_path.iterdir()) == [left]


def test_only_the_caches_own_temporary_files_are_deleted(tmp_path, monkeypatch):
    """The folder may be a shared one (MEDIADIGEST_CACHE=/tmp): another program's old
    temporary file stays."""
    monkeypatch.setenv("MEDIADIGEST_CACHE", str(tmp_path))
    theirs = tmp_path / ".report.pdf.x1y2z3.tmp"
    theirs.write_bytes(b"not ours")
    os.utime(theirs, (1_000_000, 1_000_000))
    assert cache_dir() == tmp_path
    assert theirs.exists()


def test_every_file_the_cache_holds_is_of_a_kind_it_sweeps(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDIADIGEST_CACHE", str(tmp_path))
    model = f"{language._CACHED_PREFIX}68-1.npz"
    prefilter = compiled._path(compiled.make_key(["words"], []))
    assert prefilter is not None
    for name in (model, prefilter.name):
        assert any(fnmatch.fnmatchcase(name, kind) for kind in KINDS), name
