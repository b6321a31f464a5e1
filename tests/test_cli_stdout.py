"""Standard output that cannot be written (a full disk under `> file`, /dev/full) is one
line on standard error and exit status 1; it was a traceback from rich's write."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from test_end_to_end import Cli

pytestmark = pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")


def _full(*args: str) -> subprocess.CompletedProcess:
    with open("/dev/full", "w") as full:
        return subprocess.run(
            [sys.executable, "-m", "mediadigest", *args],
            stdout=full, stderr=subprocess.PIPE, text=True, timeout=120,
        )  # fmt: skip


@pytest.mark.parametrize("json", [False, True])
def test_a_listing_into_a_full_device_says_so_in_one_line(tmp_path: Path, json: bool):
    store = tmp_path / "s.db"
    Cli(store)("db", "upgrade")
    run = _full("--db", f"sqlite:///{store}", "sources", "list", *(["--json"] if json else []))
    assert run.returncode == 1, run.stderr
    assert run.stderr.strip() == "error: standard output: No space left on device"


def test_help_into_a_full_device_says_so_in_one_line():
    run = _full("--help")
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert "error: standard output: No space left on device" in run.stderr
