"""Option values a command cannot honour are usage errors (exit 2) that name the option.

Each was accepted before and answered with something false or empty: a digest of 0 items
said no article was found, week 53 of a 52-week year became the next year's first week.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import Result

from test_end_to_end import Cli


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path / "store.db")


def usage(result: Result) -> str:
    """The message of a usage error, out of its box, on one line."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", result.stderr).split())


@pytest.mark.parametrize("command", ["digest", "publish"])
@pytest.mark.parametrize("size", ["0", "-3"])
def test_a_digest_of_no_items_is_a_usage_error(cli: Cli, command: str, size: str):
    result = cli(command, "--size", size, code=2)
    assert "Invalid value for '--size': Input should be greater than or equal to 1" in usage(result)


@pytest.mark.parametrize("command", [["articles"], ["search", "wind"], ["feed"]])
def test_a_limit_below_one_is_a_usage_error(cli: Cli, command: list[str]):
    result = cli(*command, "--limit", "0", code=2)
    assert "Invalid value for '--limit': Input should be greater than or equal to 1" in usage(
        result
    )
