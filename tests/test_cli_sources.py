"""`mediadigest sources list`: every source's URL whole, as `sources remove` takes it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
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


# -- folders ---------------------------------------------------------------------------------

PRESS_OFFICE = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><body>
  <outline text="Russia">
    <outline type="rss" text="TASS" xmlUrl="https://tass.example/rss"/>
    <outline text="Business">
      <outline type="rss" text="Kommersant" xmlUrl="https://kommersant.example/rss"/>
    </outline>
  </outline>
  <outline type="rss" text="Reuters" xmlUrl="https://reuters.example/rss"/>
  <outline type="rss" text="Kazinform" xmlUrl="https://kazinform.example/rss"
           category="/Kazakhstan,/Tags/wire"/>
</body></opml>
"""


def _cli(db: Path, *args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "mediadigest", "--db", str(db), *args],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip
    assert done.returncode == code, done.stderr
    return done


def _imported(tmp_path: Path, text: str = PRESS_OFFICE) -> Path:
    db = tmp_path / "s.db"
    (tmp_path / "press.opml").write_text(text, encoding="utf-8")
    _cli(db, "sources", "import", str(tmp_path / "press.opml"))
    return db


def test_export_gives_back_the_folders_an_import_read(tmp_path: Path):
    """A round trip through mediadigest flattened the press office's folders."""
    from mediadigest.collect.opml import parse_opml

    db = _imported(tmp_path)
    exported = _cli(db, "sources", "export").stdout
    assert parse_opml(exported.encode("utf-8"), "export") == parse_opml(
        PRESS_OFFICE.encode("utf-8"), "press.opml"
    )
    assert '<outline text="Russia">\n      <outline type="rss" text="TASS"' in exported


def test_importing_the_same_opml_again_adds_and_moves_nothing(tmp_path: Path):
    db = _imported(tmp_path)
    again = _cli(db, "sources", "import", str(tmp_path / "press.opml"))
    assert (
        again.stderr == f"imported 0 new sources (4 already present) from {tmp_path}/press.opml\n"
    )
    assert len(json.loads(_cli(db, "sources", "list", "--json").stdout)) == 4


def test_an_opml_that_files_a_source_elsewhere_moves_it_and_says_so(tmp_path: Path):
    db = _imported(tmp_path)
    moved = tmp_path / "moved.opml"
    moved.write_text(PRESS_OFFICE.replace('"Business"', '"Economy"'), encoding="utf-8")
    said = _cli(db, "sources", "import", str(moved)).stderr.splitlines()
    assert said == [
        "moved: https://kommersant.example/rss from 'Russia/Business' to 'Russia/Economy'",
        f"imported 0 new sources (4 already present, 1 moved to another folder) from {moved}",
    ]
    listed = {
        r["url"]: r["folder"] for r in json.loads(_cli(db, "sources", "list", "--json").stdout)
    }
    assert listed["https://kommersant.example/rss"] == "Russia/Economy"


def test_a_url_list_leaves_sources_in_their_folders(tmp_path: Path):
    db = _imported(tmp_path)
    (tmp_path / "urls.txt").write_text("https://tass.example/rss\n", encoding="utf-8")
    _cli(db, "sources", "import", str(tmp_path / "urls.txt"))
    listed = {
        r["url"]: r["folder"] for r in json.loads(_cli(db, "sources", "list", "--json").stdout)
    }
    assert listed["https://tass.example/rss"] == "Russia"


def test_the_listing_has_a_folder_column_and_lists_one_folder_with_its_subfolders(tmp_path: Path):
    db = _imported(tmp_path)
    # A titled source's row: its title, folder, kind…; its URL on the line below.
    rows = [line for line in _cli(db, "sources", "list").stdout.splitlines() if "feed" in line]
    assert re.search(r"Kommersant +│ Russia/Business +│ feed", "\n".join(rows))
    assert re.search(r"Kazinform +│ Kazakhstan +│ feed", "\n".join(rows))
    russia = _cli(db, "sources", "list", "--folder", "Russia", "--json").stdout
    assert [r["url"] for r in json.loads(russia)] == [
        "https://tass.example/rss",
        "https://kommersant.example/rss",
    ]


def test_add_files_new_sources_and_moves_one_already_there(tmp_path: Path):
    db = _imported(tmp_path)
    said = _cli(db, "sources", "add", "--folder", "Wires", "https://reuters.example/rss",
                "https://ap.example/rss").stderr.splitlines()  # fmt: skip
    assert said == [
        "already present: https://reuters.example/rss",
        "moved: https://reuters.example/rss from no folder to 'Wires'",
        "added: https://ap.example/rss",
    ]
    wires = _cli(db, "sources", "list", "--folder", "Wires", "--json").stdout
    assert [r["url"] for r in json.loads(wires)] == [
        "https://reuters.example/rss",
        "https://ap.example/rss",
    ]


def test_add_without_a_folder_leaves_a_source_in_its_own(tmp_path: Path):
    db = _imported(tmp_path)
    assert "moved" not in _cli(db, "sources", "add", "https://tass.example/rss").stderr
    russia = _cli(db, "sources", "list", "--folder", "Russia", "--json").stdout
    assert "https://tass.example/rss" in russia


def test_a_typed_folder_with_a_control_character_is_refused(tmp_path: Path):
    done = _cli(tmp_path / "s.db", "sources", "add", "--folder", "Rus\x1bsia",
                "https://a.example/rss", code=2)  # fmt: skip
    assert "--folder: 'Rus\\x1bsia' holds a control character" in done.stderr
    assert not (tmp_path / "s.db").exists()


def test_an_opml_nested_ten_thousand_deep_imports_with_one_warning(tmp_path: Path):
    depth = 10_000
    deep = ('<opml version="2.0"><body>' + '<outline text="f">' * depth
            + '<outline text="A" xmlUrl="https://a.example/rss"/>'
            + "</outline>" * depth + "</body></opml>")  # fmt: skip
    (tmp_path / "deep.opml").write_text(deep, encoding="utf-8")
    done = _cli(tmp_path / "s.db", "sources", "import", str(tmp_path / "deep.opml"))
    assert done.stderr.splitlines() == [
        f"WARNING mediadigest.collect.opml: {tmp_path}/deep.opml: folders nested deeper than "
        "10 levels are filed in the one at level 10",
        f"imported 1 new source (0 already present) from {tmp_path}/deep.opml",
    ]


def test_source_times_in_json_are_rfc_3339_in_utc(tmp_path: Path):
    """They were "2026-11-24 04:28:51.598822": a space, microseconds and no zone, unlike the
    other JSON outputs."""
    db = _imported(tmp_path)
    (row, *_) = json.loads(_cli(db, "sources", "list", "--json").stdout)
    added = datetime.fromisoformat(row["added_at"])
    assert "T" in row["added_at"] and added.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - added) < timedelta(minutes=5)


def test_a_url_with_spaces_around_it_is_added_without_them(tmp_path: Path):
    """It was refused as "not an http(s) URL", though the store drops them."""
    db = tmp_path / "s.db"
    added = _cli(db, "sources", "add", " https://example.org/feed.xml\t")
    assert added.stderr == "added: https://example.org/feed.xml\n"
    listed = json.loads(_cli(db, "sources", "list", "--json").stdout)
    assert [s["url"] for s in listed] == ["https://example.org/feed.xml"]


def test_removing_a_source_by_the_address_it_moved_from_names_where_it_is(tmp_path: Path):
    """It said only "no such source", where `sources add` of that address names the source."""
    from mediadigest import store
    from mediadigest.model import Source

    db, old, new = tmp_path / "s.db", "https://example.org/old.xml", "https://example.org/new.xml"
    engine = store.open_store(f"sqlite:///{db}")
    with engine.begin() as conn:  # as a collect that followed a 301 leaves it
        source_id, _ = store.add_source(conn, Source(old))
        store.record_fetch(conn, source_id, old, error=None, items=1)
        store.move_source(conn, source_id, new)
    engine.dispose()
    refused = _cli(db, "sources", "remove", old, code=1)
    assert refused.stderr == f"error: {old}: no such source; it moved to {new} (remove that)\n"
    assert (
        "no such source\n"
        in _cli(db, "sources", "remove", "https://nowhere.example/", code=1).stderr
    )
    removed = _cli(db, "sources", "remove", new)
    assert removed.stderr == "removed 1 source (their articles stay)\n"
