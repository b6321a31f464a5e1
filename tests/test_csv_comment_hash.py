"""A "#" in a CSV cell is quoted: the README advises ``pandas.read_csv(f, comment="#")`` to
skip the last ``# …`` line, and pandas takes a "#" anywhere in an unquoted cell for a
comment's start. A review found a title "#1 exporter" or an address ending ``#comments``
cut its row short; every text cell is now quoted, numbers left bare for a spreadsheet."""

from __future__ import annotations

import csv
import io
import re

from mediadigest.write.search_csv import COLUMNS, Writer
from test_search_csv import GRID, Cli, cli, save, table, turbine_article  # noqa: F401
from test_web_archive import viewer  # noqa: F401 (a fixture)

TITLE = "Kazakhstan is #1 wheat exporter"
URL = "https://grid.example/1#comments"
_QUOTED = re.compile(r'"(?:[^"]|"")*"')


def outside_quotes(line: str) -> str:
    """What a reader that honours quotes reads as the line's syntax, not its cells' text."""
    return _QUOTED.sub("", line)


def check(text: str) -> list[dict[str, str]]:
    """The rows of ``text``, after checking that the only "#" outside quotes opens its note."""
    lines = text.removeprefix("\ufeff").splitlines()
    body = [line for line in lines[1:] if not line.startswith("# ")]
    assert body and all("#" not in outside_quotes(line) for line in body), body
    return table("\n".join([lines[0], *body]))


def test_a_hash_in_a_cell_is_quoted_and_numbers_are_left_bare():
    buf = io.StringIO(newline="")
    w = Writer(buf)
    w.row([1, "2025-12-16T09:30:00+00:00", "Kazinform", "KZ", "en", TITLE, URL, "", "news",
           "economy", 6.0, "Kazakhstan (title ×1)", "snippet"])  # fmt: skip
    w.note("the newest 10000 articles only: more pass these filters")
    lines = buf.getvalue().splitlines()
    assert lines[0] == ",".join(COLUMNS)
    assert lines[1].startswith('1,"2025-12-16T09:30:00+00:00",') and ",6.0," in lines[1]
    assert f'"{TITLE}"' in lines[1] and f'"{URL}"' in lines[1]
    assert lines[2] == "# the newest 10000 articles only: more pass these filters"
    [row] = check(buf.getvalue())
    assert (row["title"], row["url"], row["id"]) == (TITLE, URL, "1")
    # The stdlib's own reading of quoted text and bare numbers: numbers come back as numbers.
    [read] = csv.reader(io.StringIO(lines[1]), quoting=csv.QUOTE_NONNUMERIC)
    assert read[0] == 1 and read[10] == 6.0 and read[5] == TITLE


def test_search_csv_quotes_a_hash(cli: Cli, engine):  # noqa: F811
    save(engine, turbine_article(1, f"{TITLE}: turbines", url=URL))
    [row] = check(cli("turbines", "--csv").stdout)
    assert (row["title"], row["url"]) == (f"{TITLE}: turbines", URL)


def test_the_archive_download_quotes_a_hash(viewer, seeded):  # noqa: F811
    save(seeded.engine, turbine_article(1, f"{TITLE}: turbines", url=URL))
    [row] = check(viewer.get("/archive/export.csv", params=GRID).text)
    assert (row["title"], row["url"]) == (f"{TITLE}: turbines", URL)
