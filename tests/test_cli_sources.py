"""`mediadigest sources list`: every source's URL whole, as `sources remove` takes it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

# Two feeds of one site, alike for their first 50 characters, and one longer than a terminal.
URLS = [
    "https://www.reuters.com/arc/outboundfeeds/rss/category/world/",
    "https://www.reuters.com/arc/outboundfeeds/rss/category/business/",
    "https://example.org/" + "/".join(["a-rather-long-segment"] * 6) + "/feed.xml?x=1",
]


def _sources_list(db: Path, **env: str) -> str:
    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "mediadigest", "--db", str(db), *args],
            capture_output=True, text=True, timeout=120, check=False,
            env={**os.environ, **env},
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done

    cli("sources", "add", *URLS)
    return cli("sources", "list").stdout


def test_a_listing_into_a_pipe_has_each_url_whole_on_its_row(tmp_path: Path):
    """Cut at the width of the table ("https://www.reuters.com/arc/outboundfeeds/…"), the two
    feeds looked the same, and `sources list | grep business` found nothing."""
    listing = _sources_list(tmp_path / "s.db", COLUMNS="80")
    assert "…" not in listing
    for url in URLS:
        (row,) = [line for line in listing.splitlines() if url in line]
        assert "feed" in row and "next run" in row


@pytest.mark.parametrize("columns", ["60", "100"])
def test_a_listing_on_a_terminal_folds_a_long_url_rather_than_cut_it(tmp_path: Path, columns):
    listing = _sources_list(tmp_path / "s.db", COLUMNS=columns, FORCE_COLOR="1")
    rows = [line for line in re.sub(r"\x1b\[[0-9;]*m", "", listing).splitlines()
            if line.startswith("│")]  # fmt: skip
    assert rows and not any("…" in row for row in rows)
    # The source column's pieces, row after row, put back together.
    assert "".join(row.split("│")[1].strip() for row in rows) == "".join(URLS)
