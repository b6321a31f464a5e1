"""The test run itself: what tests/conftest.py sets up for every test, whoever starts pytest."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st


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


def test_property_tests_draw_the_same_examples_on_every_run(request):
    """Each CI run drew new examples: a run could fail where the last one passed, the code
    unchanged."""
    if request.config.getoption("hypothesis_profile", None) not in (None, "ci"):
        pytest.skip("another Hypothesis profile was asked for")
    drawn: list[list[str]] = []

    @given(st.text())
    def draw(text: str) -> None:
        drawn[-1].append(text)

    for _ in range(2):
        drawn.append([])
        draw()
    assert len(drawn[0]) >= 50  # the usual number of examples, not fewer
    assert drawn[0] == drawn[1]


def test_the_shells_mediadigest_variables_and_width_do_not_reach_the_tests():
    """A MEDIADIGEST_CONFIG or a narrow COLUMNS in the shell failed tests that pass in CI."""
    pinned = {"MEDIADIGEST_ALLOW_PRIVATE": "1", "MEDIADIGEST_HOST_DELAY": "0"}  # conftest's own
    harness = ("MEDIADIGEST_TEST_", "MEDIADIGEST_PG_BIN")  # tests/dbs.py reads them
    seen = {k: v for k, v in os.environ.items() if k.startswith("MEDIADIGEST_")}
    assert {k: v for k, v in seen.items() if not k.startswith(harness)} == pinned
    assert "COLUMNS" not in os.environ
