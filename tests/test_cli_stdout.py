"""Standard output that cannot be written (a full disk under `> file`, /dev/full) is one
line on standard error and exit status 1; it was a traceback from rich's write."""

from __future__ import annotations

import contextlib
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


def test_a_full_disk_under_another_file_is_not_blamed_on_standard_output():
    """Told from where the error was raised: a probe byte wrote to a healthy output, and a
    full disk under another file was said to be standard output's (a review)."""
    from mediadigest.cli import _stdout_fails

    other = open("/dev/full", "w", buffering=1)  # noqa: SIM115 (closed below, failing)
    saved = sys.stdout
    try:
        with pytest.raises(OSError) as raised:
            other.write("a line\n")
        assert not _stdout_fails(raised.value)
        sys.stdout = other
        with pytest.raises(OSError) as raised:
            sys.stdout.write("a line\n")
        sys.stdout = saved
        assert _stdout_fails(raised.value)
    finally:
        sys.stdout = saved
        with contextlib.suppress(OSError):
            other.close()
