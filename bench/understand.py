"""Benchmark: the analyse stage on a real roundup, the weekly foreign media digest example.

Runs ``mediadigest.analyse.analyse`` on ``../shared/examples/foreign-media-digest.txt`` as a
plain-text document of the outlet that published it and prints, per item: headline,
reported_by, reported_on, author, kind, people (with roles), quotes with their speakers,
themes and tone. Read it against the example: docs/benchmarks.md gives the per-field
accuracy found that way. The last line is ``metric=items=<number of items split out>``.

    python bench/understand.py [--example PATH] [--published 2025-12-20] [--profile kazakhstan]
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime
from pathlib import Path

from mediadigest.analyse import analyse
from mediadigest.model import Article, Document
from mediadigest.profile import load_profile

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
DEFAULT_EXAMPLE = ROOT.parent / "shared" / "examples" / "foreign-media-digest.txt"


def show(n: int, art: Article) -> None:
    print(f"[{n}] {art.title}")
    print(f"    url          {art.url}")
    print(f"    parent       {art.parent_url}")
    print(f"    reported_by  {art.reported_by}")
    print(f"    reported_on  {art.reported_on}")
    print(f"    author       {art.author}")
    print(f"    kind         {art.kind} ({'; '.join(art.explanations.get('kind', []))})")
    print(f"    relevance    {art.relevance.grade} {art.relevance.score:.2f}")
    for e in art.entities:
        if e.kind == "person":
            role = f", {e.role}" if e.role else ""
            print(f"    person       {e.name}{role} [{e.source}, {len(e.mentions)} mentions]")
    others = [f"{e.name} ({e.kind})" for e in art.entities if e.kind != "person"]
    print(f"    others       {', '.join(others)}")
    for q in art.quotes:
        cue = f" (text: {q.cue!r})" if q.cue and q.cue != q.speaker else ""
        print(f"    quote        {q.speaker}{cue}: “{q.text[:70]}…”")
    themes = ", ".join(f"{t.name} {t.score:.1f} {t.terms[:3]}" for t in art.themes)
    print(f"    themes       {themes}")
    print(f"    tone         {art.tone} {art.explanations.get('tone', [])[:4]}")
    if art.warnings:
        print(f"    warnings     {art.warnings}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="(unused; for symmetry)")
    parser.add_argument("--example", type=Path, default=DEFAULT_EXAMPLE)
    parser.add_argument("--published", default="2025-12-20", help="the page's date (ISO)")
    parser.add_argument("--outlet", default="The Astana Times")
    parser.add_argument("--profile", default="kazakhstan")
    args = parser.parse_args()
    profile = load_profile(args.profile)
    doc = Document(
        url=args.example.resolve().as_uri(),
        body=args.example.read_bytes(),
        fetched_at=datetime.now(UTC),
        content_type="text/plain",
        hints={"published": args.published, "outlet": args.outlet},
    )
    analyse(doc, profile)  # warm-up: automata, lexicon, language model
    start = time.perf_counter()
    articles = analyse(doc, profile)
    elapsed = time.perf_counter() - start
    items = [a for a in articles if a.parent_url]
    for n, art in enumerate(articles, 1):
        show(n, art)
    print(f"{len(articles)} articles ({len(items)} roundup items) in {1000 * elapsed:.1f} ms")
    print(f"metric=items={len(items)}")


if __name__ == "__main__":
    main()
