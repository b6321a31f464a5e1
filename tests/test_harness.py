"""The test run itself: what tests/conftest.py sets up for every test, whoever starts pytest."""

from __future__ import annotations

import signal
import subprocess
import sys


def test_ctrl_c_reaches_the_tests_and_the_processes_they_start():
    """A pytest started with SIGINT ignored (a background job of a script) passed that on to
    every child: the Ctrl-C tests hung or failed."""
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    child = subprocess.run(
        [sys.executable, "-c", "import signal; print(signal.getsignal(signal.SIGINT))"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "default_int_handler" in child.stdout  # "Handlers.SIG_IGN" before
