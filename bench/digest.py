"""Digest builds: the fixture week, a week of real headlines, and 10,000 resampled articles.

1. The test fixture week (``tests/fixtures/stories/week.jsonl``), ingested and written up.
2. A week drawn from real data: 12 real stories of the UCI News Aggregator prefix (headlines,
   outlets and times as published, March 2014), each headline stored as a feed entry that is
   taken to be about the watched country; the digest is printed, so its items say they were
   written from headlines only.
3. Scale: ``--n`` (10,000) relevant articles resampled from real BBC News Summary bodies: each
   of n/8 base articles is reported by several outlets (real UCI outlet names) with sentences
   dropped and reordered, some as exact wire copies. Timed: ``stories.update`` (dedup +
   clustering, the step after ingest) and ``build_digest`` on the stored stories (the target:
   under 2 s). The week also holds ``--others`` (20,000) articles that do not name the
   country, as a store that keeps every article of its feeds does; ``stories.update`` is
   timed again when there is nothing new to place (what each collect round runs).

    python bench/digest.py                      # --data ../shared/data --n 10000 --others 20000
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from mediadigest import run, store
from mediadigest.analyse import content_hash
from mediadigest.model import Article, Grade, Hit, Relevance
from mediadigest.profile import Profile, load_profile
from mediadigest.stories import update
from mediadigest.write.compose import build_digest
from mediadigest.write.render import Format, render

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
FIXTURE = REPO / "tests" / "fixtures" / "stories" / "week.jsonl"
WEEK_START = date(2025, 12, 15)


def _relevance(field: str) -> Relevance:
    hit = Hit("Kazakhstan", "Kazakhstan", "country", field)
    return Relevance(4.0, Grade.SUBJECT, True, [hit], ["bench: taken as about the country"])


def _timed(label: str, fn, rows: list) -> object:
    start = time.perf_counter()
    result = fn()
    rows.append((label, time.perf_counter() - start))
    return result


def fixture_week(profile: Profile, folder: Path, rows: list) -> str:
    engine = store.open_store(f"sqlite:///{folder / 'fixture.db'}")
    run.ingest(engine, profile, [FIXTURE])
    with engine.begin() as conn:
        digest = _timed("fixture week: build_digest (with update)", lambda: build_digest(
            conn, profile, WEEK_START, WEEK_START + timedelta(days=6)), rows)  # fmt: skip
    return str(render(digest, Format.md))


def real_week(profile: Profile, data: Path, folder: Path, rows: list, stories: int = 12) -> str:
    """UCI headlines of ``stories`` real stories, moved to the digest's week, time order kept."""
    path = data / "uci-news-aggregator-prefix" / "uci-news-aggregator.rows1-6366.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        by_story: dict[str, list[dict]] = defaultdict(list)
        for row in csv.DictReader(fh):
            by_story[row["STORY"]].append(row)
    picked = random.Random(7).sample(sorted(by_story), stories)
    first = min(int(r["TIMESTAMP"]) for s in picked for r in by_story[s]) / 1000
    shift = datetime.combine(WEEK_START, datetime.min.time(), UTC).timestamp() + 3600 - first
    arts = [
        Article(url=r["URL"], canonical_url=r["URL"], content_hash=content_hash(r["TITLE"]),
                title=r["TITLE"], text=r["TITLE"], outlet=r["PUBLISHER"],
                published=datetime.fromtimestamp(int(r["TIMESTAMP"]) / 1000 + shift, UTC),
                relevance=_relevance("title"))
        for s in picked for r in by_story[s]
    ]  # fmt: skip
    engine = store.open_store(f"sqlite:///{folder / 'real.db'}")
    with engine.begin() as conn:
        store.save_articles(conn, arts)
        digest = _timed(f"real week ({len(arts)} headlines): build_digest (with update)",
                        lambda: build_digest(conn, profile, WEEK_START,
                                             WEEK_START + timedelta(days=6)), rows)  # fmt: skip
    return str(render(digest, Format.md))


def _bbc_bodies(data: Path) -> list[tuple[str, list[str]]]:
    root = data / "bbc-news-summary" / "BBC News Summary" / "News Articles"
    out = []
    for file in sorted(root.glob("*/*.txt")):
        raw = file.read_bytes()
        text = raw.decode("utf-8", errors="replace")
        title, _, body = text.partition("\n")
        paras = [p.strip() for p in body.split("\n") if p.strip()]
        if len(paras) >= 3:
            out.append((title.strip(), paras))
    return out


def _outlets(data: Path) -> list[str]:
    path = data / "uci-news-aggregator-prefix" / "uci-news-aggregator.rows1-6366.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        return sorted({r["PUBLISHER"] for r in csv.DictReader(fh) if r["PUBLISHER"]})


def resampled(data: Path, n: int, seed: int = 1) -> list[Article]:
    """``n`` articles: base BBC reports retold by 1-15 outlets across the week."""
    rng = random.Random(seed)
    bodies, outlets = _bbc_bodies(data), _outlets(data)
    arts: list[Article] = []
    while len(arts) < n:
        title, paras = rng.choice(bodies)
        day = datetime.combine(WEEK_START, datetime.min.time(), UTC) + timedelta(
            hours=rng.uniform(0, 24 * 7 - 30))  # fmt: skip
        lead = f"Kazakhstan was drawn into the story on {day:%A}. {paras[0]}"
        for k in range(min(rng.choice([1, 1, 2, 3, 5, 8, 15]), n - len(arts))):
            if k and rng.random() < 0.3:
                text = arts[-1].text  # an exact wire copy
            else:
                rest = paras[1:]
                rng.shuffle(rest)
                text = "\n\n".join([lead, *rest[: max(2, len(rest) - rng.randint(0, 3))]])
            url = f"https://bench{len(arts)}.example/{title.lower().replace(' ', '-')[:60]}"
            when = day + timedelta(hours=rng.uniform(0, 30))
            arts.append(Article(url=url, canonical_url=url, content_hash=content_hash(text),
                                title=title if k == 0 else f"{title} ({rng.choice(outlets)})",
                                text=text, outlet=rng.choice(outlets), published=when,
                                relevance=_relevance("lead")))  # fmt: skip
    return arts


def scale(profile: Profile, data: Path, folder: Path, n: int, others: int, rows: list) -> float:
    arts = resampled(data, n)
    unnamed = Relevance(0.0, Grade.NONE, False, [], [])
    arts += [replace(a, url=f"{a.url}/other", canonical_url=f"{a.url}/other", relevance=unnamed)
             for a in resampled(data, others, seed=2)]  # fmt: skip
    engine = store.open_store(f"sqlite:///{folder / 'scale.db'}")
    with engine.begin() as conn:
        _timed(f"scale: store {n} + {others} articles", lambda: store.save_articles(conn, arts),
               rows)  # fmt: skip
    until = WEEK_START + timedelta(days=6)
    with engine.begin() as conn:
        report = _timed(f"scale: stories.update ({n} articles)",
                        lambda: update(conn, profile, until=until), rows)  # fmt: skip
    print(f"scale: {report.summary()}")
    with engine.begin() as conn:
        _timed("scale: stories.update again, nothing new",
               lambda: update(conn, profile, until=until), rows)  # fmt: skip
    best = float("inf")
    for _ in range(3):
        with engine.begin() as conn:
            start = time.perf_counter()
            digest = build_digest(conn, profile, WEEK_START, until, update=False)
            best = min(best, time.perf_counter() - start)
    rows.append((f"scale: build_digest, {n} articles (best of 3)", best))
    print(f"scale: {len(digest.items)} items from {n} articles")
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--others", type=int, default=20_000)
    args = parser.parse_args(argv)
    profile = load_profile("kazakhstan")
    rows: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(fixture_week(profile, folder, rows))
        print(real_week(profile, args.data, folder, rows))
        best = scale(profile, args.data, folder, args.n, args.others, rows)
    print(f"{'step':60} {'s':>8}")
    for label, secs in rows:
        print(f"{label:60} {secs:8.2f}")
    print(f"metric=digest_build_s_{args.n}={best:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
