"""``-`` as a file argument: standard output for `export`, standard input for `import` and
`sources import`; refused by `ingest`. A file named ``-`` is ``./-``.

`export -` wrote the whole export, secrets included, to a file named ``-`` and nothing to
standard output; `import -`, `ingest -` and `sources import -` read that file, or said there was
none.
"""

from __future__ import annotations

import os
import pty
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from mediadigest import store
from mediadigest.cli import app
from test_transfer import _fill_editorial, _records

EXPORT = '{"mediadigest": "store-export"'


@pytest.fixture(autouse=True)
def in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test in a folder of its own: a file named "-" lands there, not in the checkout."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def filled(tmp_path: Path) -> str:
    """A store of a little of everything an export carries, accounts too."""
    url = f"sqlite:///{tmp_path / 'filled.db'}"
    engine = store.open_store(url)
    _fill_editorial(engine)
    engine.dispose()
    return url


def _cli(*args: str, stdin: bytes | None = None, code: int = 0):
    result = CliRunner().invoke(app, list(args), input=stdin)
    assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
    return result


def _count(url: str, table: str) -> int:
    engine = store.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
    finally:
        engine.dispose()


# -- export - and import - ---------------------------------------------------------------------


def test_export_dash_writes_to_standard_output_and_no_file(filled, tmp_path):
    done = _cli("--db", filled, "export", "-")
    assert done.stdout.startswith(EXPORT) and '{"type": "end"' in done.stdout
    assert {"user", "token", "setting"} <= {r["type"] for r in _records(done.stdout)}
    assert done.stderr.startswith("exported to standard output: ")
    assert not (tmp_path / "-").exists()


def test_what_export_dash_writes_imports_from_standard_input(filled, tmp_path):
    exported = _cli("--db", filled, "export", "-").stdout_bytes
    other = f"sqlite:///{tmp_path / 'other.db'}"
    done = _cli("--db", other, "import", "--accounts", "-", stdin=exported)
    assert done.stderr.startswith("imported from standard input, new records: ")
    assert _count(other, "articles") == _count(filled, "articles") == 2
    again = _cli("--db", other, "export", "-").stdout
    assert _records(again) == _records(exported.decode())


def test_an_export_cut_short_on_standard_input_imports_nothing(filled, tmp_path):
    """A pipe from another machine that broke off: its closing line is missing."""
    lines = _cli("--db", filled, "export", "-").stdout_bytes.splitlines(keepends=True)
    other = f"sqlite:///{tmp_path / 'other.db'}"
    done = subprocess.run(
        [sys.executable, "-m", "mediadigest", "--db", other, "import", "-"],
        input=b"".join(lines[:-1]), capture_output=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert done.stderr.decode().startswith(
        f"error: <stdin>: cut short: it ends at line {len(lines) - 1} without the closing line"
    )
    assert done.stderr.decode().endswith("; nothing was imported\n")
    assert _count(other, "articles") == 0


def test_a_file_named_dash_is_dot_slash_dash(filled, tmp_path):
    done = _cli("--db", filled, "export", "./-")
    assert done.stdout == ""
    written = tmp_path / "-"
    assert written.read_text(encoding="utf-8").startswith(EXPORT)
    assert stat.S_IMODE(written.stat().st_mode) == 0o600  # a file, kept as files are
    other = f"sqlite:///{tmp_path / 'other.db'}"
    _cli("--db", other, "import", "./-", stdin=b"not this\n")
    assert _count(other, "articles") == 2


def _on_a_terminal(args: list[str], stream: str) -> subprocess.CompletedProcess[str]:
    """The CLI with its standard ``stream`` (stdin or stdout) a terminal."""
    main, terminal = pty.openpty()
    try:
        return subprocess.run(
            [sys.executable, "-m", "mediadigest", *args],
            **{stream: terminal},
            **({"stdout": subprocess.PIPE} if stream == "stdin" else {}),
            stderr=subprocess.PIPE, text=True, timeout=60, check=False,
        )  # fmt: skip
    finally:
        os.close(terminal)
        os.close(main)


def test_export_dash_to_a_terminal_is_refused(filled, tmp_path):
    """The signing key and the password hashes, on the screen and in its scrollback."""
    done = _on_a_terminal(["--db", filled, "export", "-"], "stdout")
    assert done.returncode == 2, done.stderr
    assert "standard output is a terminal" in done.stderr
    assert not (tmp_path / "-").exists()


def test_import_dash_from_a_terminal_is_refused_rather_than_waiting(tmp_path):
    url = f"sqlite:///{tmp_path / 's.db'}"
    done = _on_a_terminal(["--db", url, "import", "-"], "stdin")
    assert done.returncode == 2, done.stderr
    assert "standard input is a terminal" in done.stderr


# -- ingest - and sources import - ------------------------------------------------------------


def test_ingest_dash_is_a_usage_error_and_creates_no_store(tmp_path):
    db = tmp_path / "s.db"
    done = _cli("--db", f"sqlite:///{db}", "ingest", "-", stdin=b"Kazakhstan\n", code=2)
    assert "'-' (standard input) cannot be ingested" in " ".join(done.stderr.split())
    assert not db.exists()


def test_sources_import_dash_reads_standard_input(tmp_path):
    url = f"sqlite:///{tmp_path / 's.db'}"
    urls = b"https://a.example/rss\nhttps://b.example/rss\n"
    done = _cli("--db", url, "sources", "import", "-", stdin=urls)
    assert done.stderr == "imported 2 new sources (0 already present) from standard input\n"
    opml = (
        b'<opml version="2.0"><body><outline text="Russia">'
        b'<outline text="c" xmlUrl="https://c.example/rss"/></outline></body></opml>'
    )
    _cli("--db", url, "sources", "import", "-", stdin=opml)
    listed = _cli("--db", url, "sources", "list", "--json").stdout
    assert '"https://c.example/rss"' in listed and '"Russia"' in listed


def test_sources_import_of_a_file_named_dash_reads_the_file(tmp_path):
    (tmp_path / "-").write_text("https://a.example/rss\n")
    url = f"sqlite:///{tmp_path / 's.db'}"
    done = _cli("--db", url, "sources", "import", "./-", stdin=b"https://b.example/rss\n")
    assert done.stderr == "imported 1 new source (0 already present) from ./-\n"


def test_sources_import_dash_from_a_terminal_is_refused_rather_than_waiting(tmp_path):
    """It waited, saying nothing, for a list typed by hand (review)."""
    url = f"sqlite:///{tmp_path / 's.db'}"
    done = _on_a_terminal(["--db", url, "sources", "import", "-"], "stdin")
    assert done.returncode == 2, done.stderr
    assert "standard input is a terminal" in done.stderr


def test_export_dash_into_a_pipe_closed_early_says_so_in_one_line(filled):
    """`export - | head -c 100`: Python's "Exception ignored ... BrokenPipeError" followed."""
    from web_support import _article

    engine = store.create_engine(filled)
    with engine.begin() as conn:  # well over a pipe's 64 KB buffer
        store.save_articles(conn, [_article(100 + n, f"Kazakhstan story {n}", "Astana. " * 300,
                                            day=16, outlet="Daily", country="GB")
                                   for n in range(200)])  # fmt: skip
    engine.dispose()
    shell = f"{sys.executable} -m mediadigest --db {filled} export - | head -c 100 >/dev/null"
    done = subprocess.run(["bash", "-c", shell], capture_output=True, text=True, timeout=120,
                          check=False)  # fmt: skip
    assert "Exception ignored" not in done.stderr and "Traceback" not in done.stderr
    assert "error: standard output: the reading end of the pipe closed" in done.stderr
