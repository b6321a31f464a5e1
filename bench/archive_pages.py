"""Benchmark: CPU per page on the archive path, for the pages it keeps and those it drops.

An archive ingest analyses the records that pass the prefilter with ``keep: relevant`` and
fast extraction: a first pass reads text and title only, and a page that turns out not to be
about the country stops there. This times ``analyse`` on that path, page by page, over the
pages of ``bench/warc_scan.py``'s archive: the 181 real pages of the extraction benchmark and
the real articles from ``--data`` that mention Kazakhstan (BBC News, WikiRef220, AG News,
wrapped as HTML). As in an ingest, only the pages that pass the profile's prefilter are
analysed. Each page's time is the best of ``--repeat`` runs of thread CPU time.

``--profile`` takes another profile: ``bench/profiles/united-states.yaml`` keeps a fifth of the
extraction pages (American news), so the kept path is timed on full news pages too.

Prints a table (pages kept; dropped though they name the country; dropped, their match being
in markup or a word the profile rules out) and ``metric=kept_page_cpu_ms``,
``metric=dropped_page_cpu_ms``.

    python bench/archive_pages.py [--data ../shared/data] [--repeat 5] [--profile NAME|PATH]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from mediadigest.analyse import analyse
from mediadigest.collect import prefilter
from mediadigest.model import Document, Grade
from mediadigest.profile import load_profile
from warc_scan import DEFAULT_DATA, _country_articles, _pages

HINTS = {"keep": "relevant", "extraction": "fast", "date_search": "off"}  # as an ingest sets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", default="kazakhstan")
    args = parser.parse_args()
    for name in ("trafilatura", "htmldate", "courlan"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    profile = load_profile(args.profile)
    check = prefilter.for_profile(profile)
    fetched = datetime(2025, 12, 1, tzinfo=UTC)
    pages = _pages(args.data) + _country_articles(args.data)
    bodies = [body for body in pages if check.maybe(body)]
    docs = [
        Document(f"https://bench.example/page/{i}", body, fetched, "text/html", dict(HINTS))
        for i, body in enumerate(bodies)
    ]
    groups: dict[str, list[float]] = {"kept": [], "named, dropped": [], "not named": []}
    for doc in docs:
        articles = analyse(doc, profile)  # warm-up, and which group the page is in
        if any(a.relevance.relevant for a in articles):
            group = "kept"
        elif articles[0].relevance.grade is not Grade.NONE:
            group = "named, dropped"
        else:
            group = "not named"
        best = float("inf")
        for _ in range(max(1, args.repeat)):
            start = time.thread_time()
            analyse(doc, profile)
            best = min(best, time.thread_time() - start)
        groups[group].append(best * 1000)
    print(f"{'pages':<20} {'count':>6} {'ms/page':>8} {'median':>8} {'total ms':>9}")
    for name, times in groups.items():
        if times:
            print(f"{name:<20} {len(times):>6} {statistics.mean(times):>8.1f} "
                  f"{statistics.median(times):>8.1f} {sum(times):>9.0f}")  # fmt: skip
    ruled_out = len(pages) - len(bodies)
    print(f"{ruled_out} of {len(pages)} pages ruled out by the prefilter; best of "
          f"{args.repeat} runs of thread CPU a page (keep: relevant, fast extraction)")  # fmt: skip
    dropped = groups["named, dropped"] + groups["not named"]
    print(f"metric=kept_page_cpu_ms={statistics.mean(groups['kept']):.1f}")
    print(f"metric=dropped_page_cpu_ms={statistics.mean(dropped):.1f}")


if __name__ == "__main__":
    main()
