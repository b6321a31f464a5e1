"""Benchmark: graded relevance on real streams that are almost all about something else.

Runs ``relevance.score`` over ``fwd-news-headlines`` (10,037 headlines, scored as titles) and
``ag-news-test`` (7,600 title + description items) and prints every item with any hit, with
its grade and reasons, then the counts per grade. To establish recall it also lists the
"candidates": items whose raw lower-cased text contains the folded stem of any profile name
(a plain substring search, no word boundaries, independent of the matcher), so that an item
the matcher missed shows up as ``MISSED``. Read both lists: docs/benchmarks.md gives the
precision and recall found that way. Last line: ``metric=relevant=<items judged relevant>``.

    python bench/relevance.py [--data ../shared/data] [--profile kazakhstan] [--quiet]
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from collections import Counter
from pathlib import Path

from mediadigest.analyse import relevance
from mediadigest.matching import normalise
from mediadigest.model import Grade, Relevance
from mediadigest.profile import Profile, load_profile

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
MIN_STEM = 5  # shorter names ("KTZ", "Oral") give substring noise, not candidates


def fwd_headlines(data: Path) -> list[tuple[str, str, str]]:
    path = data / "fwd-news-headlines" / "headlines.2022-07-11.json"
    rows = json.loads(path.read_text(encoding="utf-8"))
    return [(f"fwd:{i}", r["title"], "") for i, r in enumerate(rows)]


def ag_news(data: Path) -> list[tuple[str, str, str]]:
    with (data / "ag-news-test" / "test.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    # "\" marks line breaks and "#36;" a dollar sign in the original export
    return [
        (f"ag:{i}", r["title"], r["description"].replace("\\", " ").replace("#36;", "$"))
        for i, r in enumerate(rows)
    ]


def candidate_stems(profile: Profile) -> list[str]:
    """Every name of the profile (not peers or exclusions), folded, as a bare substring."""
    stems = {normalise(t.alias) for t in profile.terms if t.kind not in ("peer", "exclude")}
    return sorted(s for s in stems if len(s) >= MIN_STEM)


def run(name: str, items: list[tuple[str, str, str]], profile: Profile, quiet: bool) -> Counter:
    stems = candidate_stems(profile)
    grades: Counter[str] = Counter()
    start = time.perf_counter()
    print(f"== {name}: {len(items)} items")
    for key, title, text in items:
        rel = relevance.score(text, profile, title=title)
        grades[str(rel.grade)] += 1
        grades["relevant"] += rel.relevant
        folded = normalise(f"{title} {text}")
        stem = next((s for s in stems if s in folded), None)
        if rel.grade is Grade.NONE and stem is None:
            continue
        if rel.grade is Grade.NONE:
            grades["missed"] += 1
            print(f"MISSED  {key} [{stem}] {title} | {text[:120]}")
            continue
        if not quiet:
            _show(key, title, text, rel)
    elapsed = time.perf_counter() - start
    counts = ", ".join(f"{g}: {grades[str(g)]}" for g in Grade)
    print(f"-- {name}: {counts}; relevant: {grades['relevant']}; substring-only: "
          f"{grades['missed']}; {1e6 * elapsed / len(items):.0f} µs/item")  # fmt: skip
    return grades


def _show(key: str, title: str, text: str, rel: Relevance) -> None:
    mark = "REL" if rel.relevant else "   "
    print(f"{mark} {rel.grade:<8} {rel.score:5.2f} {key} {title} | {text[:100]}")
    print(f"        {'; '.join(rel.reasons)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="shared data folder")
    parser.add_argument("--profile", default="kazakhstan")
    parser.add_argument("--quiet", action="store_true", help="print only misses and counts")
    args = parser.parse_args()
    profile = load_profile(args.profile)
    total: Counter[str] = Counter()
    for name, loader in (("fwd-news-headlines", fwd_headlines), ("ag-news-test", ag_news)):
        total.update(run(name, loader(args.data), profile, args.quiet))
    print(f"metric=relevant={total['relevant']}")


if __name__ == "__main__":
    main()
