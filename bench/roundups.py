"""Evaluation: which real news pages the roundup splitter cuts into items.

A roundup (a press digest, a ministry's news page, a newsletter) becomes one article per item;
an ordinary article must stay whole, or its text is lost to its teasers and its sub-headings
become stories. The extraction benchmark's 181 pages are ordinary articles and blog posts
with a few listings among them, so every split is printed for a reader to judge, with the
splitter's reason, and counted.

Prints one row per split page (items, reason, URL) and ``metric=pages_split``.

    python bench/roundups.py [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from mediadigest.analyse import extract, roundup

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args(argv)
    folder = args.data / "extraction-benchmark"
    try:
        gold = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    except OSError as exc:
        print(f"error: {folder}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    table = Table("items", "why", "page")
    split = 0
    for key, page in gold.items():
        html = gzip.decompress((folder / "html" / f"{key}.html.gz").read_bytes())
        ex = extract.extract_html(html, page["url"], "text/html")
        found = roundup.split_html(html, page["url"], ex.text, ex.title or "")
        if found is not None:
            split += 1
            table.add_row(str(len(found.items)), found.reasons[-1], page["url"])
    Console(width=200).print(table)
    print(f"{split} of {len(gold)} pages split")
    print(f"metric=pages_split={split}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
