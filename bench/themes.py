"""Benchmark: theme labels against the five BBC sections (business, entertainment, politics,
sport, tech) of ``bbc-news-summary``.

Each section maps to one theme of the taxonomy (business -> economy, entertainment -> culture,
politics -> politics, sport -> sport, tech -> ai_digital). An article labelled with a mapped
theme counts as correct when the theme is its section's; other themes (energy, diplomacy, ...)
have no gold label here and are only counted. Prints per-theme precision and recall, the
share of articles whose top theme is right, and ``metric=theme_macro_f1=<value>``.

    python bench/themes.py [--data ../shared/data] [--profile kazakhstan] [--limit N]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

from mediadigest.analyse import language, themes
from mediadigest.profile import load_profile

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SECTIONS = {
    "business": "economy",
    "entertainment": "culture",
    "politics": "politics",
    "sport": "sport",
    "tech": "ai_digital",
}


def load(data: Path, limit: int | None) -> list[tuple[str, str, str]]:
    """(section, title, text) for every article; the files are UTF-8 but for one cp1252."""
    root = data / "bbc-news-summary" / "BBC News Summary" / "News Articles"
    items = []
    for section in SECTIONS:
        for path in sorted((root / section).glob("*.txt"))[:limit]:
            raw = path.read_bytes()
            try:
                body = raw.decode("utf-8")
            except UnicodeDecodeError:
                body = raw.decode("cp1252")
            title, _, text = body.strip().partition("\n")
            items.append((section, title.strip(), text.strip()))
    return items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="shared data folder")
    parser.add_argument("--profile", default="kazakhstan")
    parser.add_argument("--limit", type=int, default=None, help="only N articles per section")
    parser.add_argument("--errors", type=int, default=0, help="print N wrong labels per theme")
    args = parser.parse_args()
    profile = load_profile(args.profile)
    items = load(args.data, args.limit)
    predicted, correct, top_right, unlabelled = Counter(), Counter(), 0, 0
    other = Counter()
    errors: dict[str, list[str]] = {}
    # The language as the analyse stage detects it (untimed): it chooses the terms that apply.
    languages = [language.detect(f"{title}\n{text}") for _, title, text in items]
    start = time.perf_counter()
    for (section, title, text), lang in zip(items, languages, strict=True):
        labels = themes.classify(text, profile, title=title, language=lang)
        names = [t.name for t in labels]
        gold = SECTIONS[section]
        if not names:
            unlabelled += 1
        top_right += bool(names) and names[0] == gold
        for theme in labels:
            if theme.name in SECTIONS.values():
                predicted[theme.name] += 1
                correct[theme.name] += theme.name == gold
                if theme.name != gold:
                    errors.setdefault(theme.name, []).append(f"{section}: {title} {theme.terms}")
            else:
                other[theme.name] += 1
        # recall: did the article get its section's theme at all
        correct["_recall_" + gold] += gold in names
    elapsed = time.perf_counter() - start
    gold_counts = Counter(SECTIONS[s] for s, _, _ in items)
    print(f"{'section':<14}{'theme':<12}{'gold':>6}{'labelled':>10}{'P':>7}{'R':>7}{'F1':>7}")
    f1s = []
    for section, theme in SECTIONS.items():
        p = correct[theme] / predicted[theme] if predicted[theme] else 0.0
        r = correct["_recall_" + theme] / gold_counts[theme] if gold_counts[theme] else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        f1s.append(f1)
        row = f"{section:<14}{theme:<12}{gold_counts[theme]:>6}{predicted[theme]:>10}"
        print(f"{row}{p:>7.3f}{r:>7.3f}{f1:>7.3f}")
    print(f"other themes (no gold here): {dict(other.most_common())}")
    print(f"articles without a theme: {unlabelled} of {len(items)}")
    print(f"top theme right: {top_right / len(items):.3f}")
    print(f"{len(items)} articles in {elapsed:.2f} s ({1000 * elapsed / len(items):.2f} ms each)")
    for theme, lines in errors.items():
        for line in lines[: args.errors]:
            print(f"  wrong {theme}: {line}")
    print(f"metric=theme_macro_f1={sum(f1s) / len(f1s):.3f}")


if __name__ == "__main__":
    main()
