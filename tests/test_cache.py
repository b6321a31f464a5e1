"""The cache folder: where it is, and that it is optional."""

from __future__ import annotations

import pytest

from mediadigest.cache import cache_dir, keep_newest, write_atomic


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
    import os

    for age, name in enumerate(["c.bin", "b.bin", "a.bin", "other.txt"]):
        (tmp_path / name).write_bytes(b"x")
        os.utime(tmp_path / name, (1_000_000 - age * 10, 1_000_000 - age * 10))
    keep_newest(tmp_path, "*.bin", 2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.bin", "c.bin", "other.txt"]
