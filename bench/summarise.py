"""Extractive summaries against gold: ROUGE-1/2/L F1 of our summariser, Lead-k and TextRank-k.

Data: ``bbc-news-summary/`` (2,225 BBC articles with gold extractive summaries). Every method
picks as many sentences as the reference has (k), from the same sentence split (ours,
``write.summarise.sentences``), headline excluded; scores are rouge-score F1 x 100 with
stemming, averaged over articles. TextRank-k: TF-IDF cosine graph over the sentences and
PageRank (networkx), as in the data set's PROVENANCE.md.

    python bench/summarise.py                  # --data ../shared/data, --limit N
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import numpy as np
from rouge_score import rouge_scorer
from sklearn.feature_extraction.text import TfidfVectorizer

from mediadigest.write.summarise import sentences, summarise_text

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
_REF_SPLIT = re.compile(r"(?<=[.!?\"])(?=[A-Z\"'])")  # references run sentences together
Picker = Callable[[list[str], str, int], list[str]]


def _read(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:  # sport/199.txt is cp1252
        return raw.decode("cp1252")


def load(data: Path, limit: int | None) -> list[tuple[str, list[str]]]:
    """(body without the headline, reference sentences) per article, in a fixed order."""
    root = data / "bbc-news-summary" / "BBC News Summary"
    pairs = []
    for article in sorted((root / "News Articles").glob("*/*.txt")):
        body = _read(article).split("\n", 1)[-1].strip()
        summary = _read(root / "Summaries" / article.parent.name / article.name).strip()
        pairs.append((body, [s for s in _REF_SPLIT.split(summary) if s.strip()]))
    return pairs[:limit] if limit else pairs


def lead_k(sents: list[str], body: str, k: int) -> list[str]:
    return sents[:k]


def textrank_k(sents: list[str], body: str, k: int) -> list[str]:
    if len(sents) <= k:
        return sents
    x = TfidfVectorizer().fit_transform(sents)
    sim = (x @ x.T).toarray()
    np.fill_diagonal(sim, 0.0)
    rank = nx.pagerank(nx.from_numpy_array(sim))
    best = sorted(range(len(sents)), key=lambda i: -rank[i])[:k]
    return [sents[i] for i in sorted(best)]


def ours_k(sents: list[str], body: str, k: int) -> list[str]:
    return [s.text for s in summarise_text(body, k)]


def evaluate(pairs: list[tuple[str, list[str]]], pick: Picker) -> tuple[float, ...]:
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    totals = np.zeros(3)
    start = time.perf_counter()
    for body, ref in pairs:
        sents = [s.text for s in sentences(body)]
        got = pick(sents, body, min(len(ref), len(sents)))
        score = scorer.score(" ".join(ref), " ".join(got))
        totals += [score[m].fmeasure for m in ("rouge1", "rouge2", "rougeL")]
    return (*(100 * totals / len(pairs)), time.perf_counter() - start)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--limit", type=int, default=None, help="first N articles only")
    args = parser.parse_args(argv)
    pairs = load(args.data, args.limit)
    rows = [
        (name, *evaluate(pairs, pick))
        for name, pick in (("Lead-k", lead_k), ("TextRank-k", textrank_k), ("mediadigest", ours_k))
    ]
    print(f"BBC News Summary, {len(pairs)} articles, k = reference sentences")
    print(f"{'method':14} {'R1':>6} {'R2':>6} {'RL':>6} {'s':>7}")
    for name, r1, r2, rl, secs in rows:
        print(f"{name:14} {r1:6.2f} {r2:6.2f} {rl:6.2f} {secs:7.1f}")
    ours, textrank = rows[2][2], rows[1][2]
    print(f"metric=bbc_rouge2_over_textrank={ours - textrank:+.2f}")
    print(f"metric=bbc_rouge2={ours:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
