"""Standard output that is ASCII (``LC_ALL=C`` with Python's UTF-8 mode off, as some cron and
container setups have): a Cyrillic title failed `articles` and `articles --json` with a
UnicodeEncodeError traceback and nothing after it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from test_end_to_end import Cli

TITLE = "Тоқаев в Астане 🇰🇿"


@pytest.fixture
def store(tmp_path: Path) -> Path:
    article = {
        "url": "https://example.kz/a",
        "title": TITLE,
        "text": "Президент Казахстана Касым-Жомарт Токаев заявил в Астане о новых реформах.",
        "published": "2025-12-16",
    }
    (tmp_path / "a.jsonl").write_text(json.dumps(article, ensure_ascii=False), encoding="utf-8")
    path = tmp_path / "s.db"
    Cli(path)("ingest", str(tmp_path / "a.jsonl"))
    return path


def _ascii(store: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONIOENCODING": ""}
    env.pop("PYTHONIOENCODING")
    return subprocess.run(
        [sys.executable, "-m", "mediadigest", "--db", f"sqlite:///{store}", *args],
        capture_output=True, env=env, timeout=120,
    )  # fmt: skip


def test_json_on_an_ascii_output_is_escaped_json_of_the_same_text(store: Path):
    run = _ascii(store, "articles", "--json")
    assert run.returncode == 0, run.stderr.decode()
    run.stdout.decode("ascii")  # every byte ASCII
    (article,) = json.loads(run.stdout)
    assert article["title"] == TITLE


def test_a_table_on_an_ascii_output_is_written_with_escapes_not_a_traceback(store: Path):
    run = _ascii(store, "articles")
    assert run.returncode == 0, run.stderr.decode()
    assert b"Traceback" not in run.stderr
    assert b"\\u0422" in run.stdout  # the title's first letter, escaped


def test_a_command_started_with_standard_output_closed_still_runs(store: Path):
    # Python makes sys.stdout None then: reading its encoding was a traceback before any
    # command ran, where a command that writes only to standard error (`db check`) worked.
    run = subprocess.run(
        ["sh", "-c", '"$0" -m mediadigest --db "$1" db check >&-', sys.executable,
         f"sqlite:///{store}"],
        capture_output=True, timeout=120,
    )  # fmt: skip
    assert b"Traceback" not in run.stderr, run.stderr.decode()
    assert run.returncode == 0, run.stderr.decode()
