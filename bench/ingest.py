"""Benchmark: the full analyse stage against trafilatura alone, for speed and extraction F1.

Reads the ScrapingHub article-extraction benchmark (181 pages with gold article bodies)
from ``--data``, runs ``mediadigest.analyse.analyse`` and ``trafilatura.extract(...,
with_metadata=True, include_comments=False)`` on every page, and prints a table and
``metric=analyse_over_trafilatura=<analyse time / trafilatura time>``.

Fairness: both get the same raw bytes; both are warmed up with one untimed pass; the
timed passes interleave the two per page, alternating which goes first; each page's
time is its best of ``--repeat`` runs (robust to other processes on a shared machine).

    python bench/ingest.py [--data ../shared/data] [--repeat 3] [--limit N]
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import trafilatura

from mediadigest.analyse import analyse
from mediadigest.errors import InputError
from mediadigest.model import Document
from mediadigest.profile import Profile, load_profile

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
_TOKEN = re.compile(r"\w+")
_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)


@dataclass(slots=True)
class Page:
    key: str
    url: str
    html: bytes
    gold: str


@dataclass(slots=True)
class Runner:
    """One contestant: a function page -> text, its outputs and best time per page."""

    name: str
    run: Callable[[Page], str]
    texts: dict[str, str] = field(default_factory=dict)
    best: dict[str, float] = field(default_factory=dict)

    def timed(self, page: Page) -> None:
        start = time.perf_counter()
        self.run(page)
        elapsed = time.perf_counter() - start
        self.best[page.key] = min(elapsed, self.best.get(page.key, elapsed))


def load_pages(data: Path, limit: int | None) -> list[Page]:
    folder = data / "extraction-benchmark"
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for key in sorted(truth)[:limit]:
        html = gzip.decompress((folder / "html" / f"{key}.html.gz").read_bytes())
        pages.append(Page(key, truth[key]["url"], html, truth[key]["articleBody"]))
    return pages


def analyse_runner(profile: Profile) -> Runner:
    fetched_at = datetime(2019, 11, 20, tzinfo=UTC)

    def run(page: Page) -> str:
        doc = Document(
            url=page.url, body=page.html, fetched_at=fetched_at, content_type="text/html"
        )
        try:
            return "\n".join(article.text for article in analyse(doc, profile))
        except InputError:
            return ""

    return Runner("analyse", run)


def trafilatura_runner() -> Runner:
    def run(page: Page) -> str:
        text = trafilatura.extract(
            page.html, url=page.url, with_metadata=True, include_comments=False
        )
        # with_metadata prepends a YAML header; score the article text only, as for ours
        return _FRONT_MATTER.sub("", text or "", count=1)

    return Runner("trafilatura", run)


def measure(runners: list[Runner], pages: list[Page], repeat: int) -> None:
    for runner in runners:  # warm-up pass, which also gives the texts to score
        for page in pages:
            runner.texts[page.key] = runner.run(page)
    for rep in range(repeat):
        for i, page in enumerate(pages):
            order = runners if (rep + i) % 2 == 0 else runners[::-1]
            for runner in order:
                runner.timed(page)
        print(f"  pass {rep + 1}/{repeat} done", file=sys.stderr)


# --- the benchmark's scoring (upstream evaluate.py, re-implemented) ------------------------


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text or "")
    # a text shorter than n tokens is one short shingle; an empty one has none
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens)


def page_counts(gold: str, predicted: str) -> tuple[float, float, float]:
    """Per-page TP, FP, FN over shingle multisets, normalised to sum to 1."""
    true, pred = shingles(gold), shingles(predicted)
    tp, fp, fn = (
        sum((true & pred).values()),
        sum((pred - true).values()),
        sum((true - pred).values()),
    )
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _ratio(hit: float, miss: float, other_miss: float) -> float:
    if miss == other_miss == 0:
        return 1.0
    if hit == miss == 0:
        return 0.0
    return hit / (hit + miss)


def f1_score(counts: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """F1 from mean precision (pages that predicted something) and mean recall (pages with
    gold text): an empty prediction lowers recall and is left out of precision, as upstream.
    """
    precision = statistics.mean(_ratio(tp, fp, fn) for tp, fp, fn in counts if tp + fp > 0)
    recall = statistics.mean(_ratio(tp, fn, fp) for tp, fp, fn in counts if tp + fn > 0)
    return 2 * precision * recall / (precision + recall), precision, recall


# --- report --------------------------------------------------------------------------------


def report(runners: list[Runner], pages: list[Page], repeat: int) -> float:
    """Print the table; return the first runner's total time over the second's."""
    header = ("extractor", "pages", "pages/s", "ms/page", "F1", "P", "R", "empty")
    lines, totals = [], []
    for runner in runners:
        total = sum(runner.best.values())
        f1, p, r = f1_score([page_counts(pg.gold, runner.texts[pg.key]) for pg in pages])
        empty = sum(1 for pg in pages if not runner.texts[pg.key].strip())
        speed = [f"{len(pages) / total:.1f}", f"{1000 * total / len(pages):.1f}"]
        lines.append(
            (runner.name, str(len(pages)), *speed, f"{f1:.3f}", f"{p:.3f}", f"{r:.3f}", str(empty))
        )
        totals.append(total)
    _print_table(header, lines, f"best of {repeat} runs per page")
    return totals[0] / totals[1]


def _print_table(header: tuple[str, ...], lines: list[tuple[str, ...]], caption: str) -> None:
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:
        print(" | ".join(header))
        for line in lines:
            print(" | ".join(line))
        print(caption)
        return
    table = Table(*header, caption=caption)
    for line in lines:
        table.add_row(*line)
    Console().print(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="shared data folder")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per page (best kept)")
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages")
    args = parser.parse_args(argv)
    # trafilatura and htmldate log every discarded page; the table is the output here
    for name in ("trafilatura", "htmldate", "courlan"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    pages = load_pages(args.data, args.limit)
    runners = [analyse_runner(load_profile("kazakhstan")), trafilatura_runner()]
    measure(runners, pages, max(1, args.repeat))
    ratio = report(runners, pages, max(1, args.repeat))
    print(f"metric=analyse_over_trafilatura={ratio:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
