"""A researcher's walk of the CLI: where `digest -o` writes, JSONL as Windows and other tools
write it, and profile slips that were taken without a word.

Each case runs the command as a user types it, on a real SQLite store, and reads what it
printed and what it left on disk.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mediadigest.cli import app

FILES = Path(__file__).parent / "fixtures" / "files"
WEEK = ["--since", "2025-12-15", "--until", "2025-12-21"]
NAME = "digest-kazakhstan-2025-12-15_2025-12-21"  # what a folder given to -o gets


def mediadigest(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The console entry point, which turns our errors into one line."""
    return subprocess.run(
        [sys.executable, "-m", "mediadigest", *args],
        capture_output=True, text=True, timeout=120, check=False, cwd=cwd,
    )  # fmt: skip


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    db = tmp_path_factory.mktemp("store") / "store.db"
    url = f"sqlite:///{db}"
    done = CliRunner().invoke(app, ["--db", url, "ingest", str(FILES / "export.jsonl")])
    assert done.exit_code == 1, done.output  # export.jsonl has two bad lines on purpose
    return url


def digest_to(store: str, where: Path, output: str, *more: str) -> CliRunner:
    done = CliRunner().invoke(app, ["--db", store, "digest", *WEEK, *more, "-o", output])
    assert done.exit_code == 0, (done.output, done.exception)
    return done


# -- digest -o --------------------------------------------------------------------------------


def test_digest_o_into_a_folder_that_does_not_exist_makes_it(store, tmp_path):
    target = tmp_path / "new" / "digest.html"
    done = digest_to(store, tmp_path, str(target), "--format", "html")
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html")
    assert f"to {target}" in done.stderr
    assert [p.name for p in target.parent.iterdir()] == ["digest.html"]


def test_digest_o_an_existing_folder_writes_into_it_and_says_the_name(store, tmp_path):
    folder = tmp_path / "digests"
    folder.mkdir()
    done = digest_to(store, tmp_path, str(folder), "--format", "docx")
    written = folder / f"{NAME}.docx"
    assert written.read_bytes()[:2] == b"PK"
    assert f"to {written}" in done.stderr
    assert [p.name for p in folder.iterdir()] == [written.name]  # was a stray out.tmp


def test_digest_o_with_a_trailing_slash_is_a_folder_even_a_new_one(store, tmp_path):
    # It made a FILE named "weekly" and said "wrote 4 items to weekly".
    done = digest_to(store, tmp_path, f"{tmp_path / 'weekly'}/")
    written = tmp_path / "weekly" / f"{NAME}.md"
    assert written.read_text(encoding="utf-8").startswith("# Foreign media digest")
    assert f"to {written}" in done.stderr


def test_digest_o_that_cannot_be_written_is_one_error_line_and_no_tmp(store, tmp_path):
    (tmp_path / "notes.txt").write_text("a file, not a folder")
    done = mediadigest("--db", store, "digest", *WEEK, "-o", "notes.txt/digest.md", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert done.stderr.splitlines() == [
        "error: notes.txt/digest.md: cannot write (notes.txt is a file, not a folder)"
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


# -- JSONL ------------------------------------------------------------------------------------


def record(n: int, **fields: object) -> str:
    base = {
        "url": f"https://wire.example/{n}",
        "title": f"Kazakhstan report {n}",
        "text": f"Kazakhstan's government in Astana announced measure {n} on Tuesday.",
        "published": "2025-12-16",
    }
    return json.dumps({**base, **fields}, ensure_ascii=False)


@pytest.mark.parametrize("workers", [[], ["--workers", "2", "--shard-size", "1K"]])
def test_a_jsonl_file_with_a_bom_and_odd_fields_is_ingested_with_a_message_per_problem(
    tmp_path, workers
):
    lines = [record(n) for n in range(12)]
    lines[3] = record(3, text=12345)
    lines[4] = record(4, author=["Aigerim Nurlanova", "Marat Ali"], outlet=7)
    lines[5] = record(5, published="last Friday")
    lines[6] = record(6, url="not a url")
    lines[7] = lines[7][:60]  # cut off
    path = tmp_path / "windows.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + "\n".join(lines).encode() + b"\n")
    db = f"sqlite:///{tmp_path / 'store.db'}"
    done = mediadigest("--db", db, "ingest", *workers, str(path), cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    problems = [x for x in done.stderr.splitlines() if x.startswith(("error:", "warning:"))]
    assert sorted(problems) == sorted(
        [
            f"warning: {path}: line 5: 'outlet' is a number (7), not text; ignored",
            f"warning: {path}: line 6: 'published' 'last Friday' is not a date (ISO 8601 or "
            "RFC 2822); stored without a publication date",
            f"error: {path}:4: 'text' is a number (12345), not text",
            f"error: {path}:7: 'url' 'not a url' is not an absolute http(s) address",
            f"error: {path}:8: not JSON (Unterminated string starting at column 44; the line "
            "ends before the record does: cut off?)",
        ]
    )
    shown = mediadigest("--db", db, "articles", "--all", "--json", cwd=tmp_path)
    stored = {a["url"].rsplit("/", 1)[1]: a for a in json.loads(shown.stdout)}
    # "0" is line 1, after the BOM; 3, 6 and 7 are the errors.
    assert sorted(stored, key=int) == ["0", "1", "2", "4", "5", "8", "9", "10", "11"]
    assert stored["4"]["author"] == "Aigerim Nurlanova and Marat Ali"
    assert stored["5"]["published"] is None  # as for a record without a date


# -- profiles ---------------------------------------------------------------------------------

PROFILE = """\
name: mongolia
country: Mongolia
country_code: MN
adjective: Mongolian
threshold: 2.0
names:
  Mongolia: [Mongolia, Монголи*]
places:
  Erdenet: [Erdenet*, Эрдэнэт*]
  Darkhan: [Darkhan*]
peers: [Kazakhstan*, China]
"""


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("  Darkhan: [Darkhan*]", "  Erdenet: [Erdenet City]"),
            "line 10: key 'Erdenet' is given twice (first at line 9)",
        ),
        (
            ("threshold: 2.0", "threshold: -1"),
            "threshold: -1 would make every article relevant: give a score above 0",
        ),
        (
            ("[Kazakhstan*, China]", "[Mongolia, Kazakhstan*, China]"),
            "peers: 'Mongolia' names the country itself (names.Mongolia)",
        ),
    ],
)
def test_a_profile_slip_is_one_error_line_naming_the_file(tmp_path, change, message):
    profile = tmp_path / "mongolia.yaml"
    profile.write_text(PROFILE.replace(*change), encoding="utf-8")
    done = mediadigest("--db", f"sqlite:///{tmp_path / 's.db'}", "--profile", str(profile),
                       "articles", cwd=tmp_path)  # fmt: skip
    assert done.returncode != 0
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"error: profile {profile}: {message}")
