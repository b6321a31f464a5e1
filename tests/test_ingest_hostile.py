"""Ingest given odd things in a folder or on the command line: links that lead nowhere or
to themselves, named pipes, empty archives. Each is that file's error; the rest is stored."""

from __future__ import annotations

import json
import os
import shutil
import socket
from pathlib import Path

import pytest

from mediadigest import run, store
from mediadigest.profile import load_profile
from warc_files import fixture_pages, write_warc

NOTES = Path(__file__).parent / "fixtures" / "files" / "notes.txt"


@pytest.fixture(scope="module")
def profile():
    return load_profile("kazakhstan")


def _ingest(tmp_path: Path, profile, *paths: Path) -> run.RunReport:
    engine = store.open_store(f"sqlite:///{tmp_path / 's.db'}")
    try:
        return run.ingest(engine, profile, list(paths), workers=0)
    finally:
        engine.dispose()


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(NOTES, folder / "ok.txt")
    return folder


def test_a_broken_link_in_a_folder_is_its_own_error_and_the_rest_is_stored(tmp_path, profile):
    """path.stat() outside the plan's try: a traceback, nothing stored."""
    folder = _folder(tmp_path)
    (folder / "broken.html").symlink_to(tmp_path / "nowhere.html")
    report = _ingest(tmp_path, profile, folder)
    assert report.errors == [
        f"{folder / 'broken.html'}: broken symbolic link (to {tmp_path / 'nowhere.html'})"
    ]
    assert report.documents == 1 and report.relevant == 1


def test_a_link_to_itself_in_a_folder_is_a_loop_and_the_rest_is_stored(tmp_path, profile):
    folder = _folder(tmp_path)
    (folder / "self.html").symlink_to(folder / "self.html")
    report = _ingest(tmp_path, profile, folder)
    assert report.errors == [f"{folder / 'self.html'}: symbolic link loop"]
    assert report.documents == 1


@pytest.mark.parametrize("kind", ["named pipe", "socket"])
def test_a_pipe_or_socket_is_not_read_and_not_called_empty(tmp_path, profile, kind):
    folder = _folder(tmp_path)
    odd = folder / "odd.html"
    if kind == "named pipe":
        os.mkfifo(odd)
        report = _ingest(tmp_path, profile, folder)
    else:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.bind(str(odd))
            report = _ingest(tmp_path, profile, folder)
    assert report.errors == [f"{odd}: not a regular file (a {kind})"]
    assert report.documents == 1


def test_an_empty_archive_is_an_empty_file_as_an_empty_text_is(tmp_path, profile):
    """A .warc of no bytes said nothing and exited 0; an empty .txt was an error."""
    (tmp_path / "empty.warc").write_bytes(b"")
    (tmp_path / "empty.txt").write_bytes(b"")
    report = _ingest(tmp_path, profile, tmp_path / "empty.warc", tmp_path / "empty.txt")
    names = ("empty.warc", "empty.txt")
    assert report.errors == [f"{tmp_path / name}: empty file" for name in names]


def test_an_archive_with_records_is_still_read(tmp_path, profile):
    path = write_warc(tmp_path / "crawl.warc", fixture_pages(), gzip_members=False)
    report = _ingest(tmp_path, profile, path)
    assert report.ok and report.relevant > 0


def test_a_link_loop_named_on_the_command_line_is_called_a_loop(tmp_path, profile):
    """It was 'no such file or directory', which sends one looking for a missing file."""
    loop = tmp_path / "self.txt"
    loop.symlink_to(loop)
    report = _ingest(tmp_path, profile, loop)
    assert report.errors == [f"{loop}: symbolic link loop"]


def test_hostile_text_files_are_stored_on_either_backend(tmp_path, profile, engine):
    """A NUL (which PostgreSQL refuses in a text column), a lone surrogate in a JSONL record,
    a file name that is not UTF-8 and a line nested too deeply: each file or line on its own,
    the piece's other files stored (one UnicodeEncodeError lost the whole piece)."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "nul.txt").write_bytes(
        NOTES.read_bytes().replace(b"Kazakhstan", b"Kazakh\x00stan", 1)
    )
    lines = [
        json.dumps({"url": "https://x.example/a", "title": "Kazakh\u0000stan wind",
                    "text": NOTES.read_text().replace("minimum", "min\udfffimum")}),
        "[" * 100_000,
    ]  # fmt: skip
    (folder / "a.jsonl").write_text("\n".join(lines) + "\n", errors="surrogatepass")
    Path(os.fsdecode(bytes(folder) + b"/bad\xffname.txt")).write_bytes(NOTES.read_bytes())
    report = run.ingest(engine, profile, [folder], workers=0)
    assert report.errors == [f"{folder / 'a.jsonl'}:2: not JSON (nested too deeply)"]
    assert report.documents == 3
    with engine.connect() as conn:
        titles = [a.title for a in store.list_articles(conn, relevant_only=False)]
        sources = {a.source for a in store.list_articles(conn, relevant_only=False)}
    assert "Kazakhstan to raise minimum wage in 2026" in titles
    assert "Kazakhstan wind" in titles
    assert any(s.endswith("bad\\xffname.txt") for s in sources)
