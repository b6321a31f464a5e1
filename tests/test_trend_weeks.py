"""The week-over-week line's numbers: the weeks the store covers, like counted with like,
and an average printed as it is (a numbers walk found each wrong). Real SQLite, ingested JSONL."""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from mediadigest import run, store
from mediadigest.model import Article, Grade, Hit, Relevance, Story
from mediadigest.profile import load_profile
from mediadigest.stories import persist, update_period
from mediadigest.stories.rank import rank
from mediadigest.write.compose import build_digest, compose_story

WEEK = date(2026, 11, 9)  # a Monday: the digest's week is WEEK..WEEK+6
OUTLETS = ["Reuters", "TASS", "Xinhua", "Al Jazeera", "Eurasianet", "Anadolu Agency"]


@pytest.fixture(scope="module")
def profile():
    return load_profile("kazakhstan")


def _words(rng: random.Random, n: int) -> str:
    """Made-up words, so that no two reports read as copies of each other."""
    letters = "bcdfghklmnprstvz"
    return " ".join(
        "".join(rng.choice(letters) + rng.choice("aeiou") for _ in range(3)) for _ in range(n)
    )


def _report(n: int, day: date) -> dict:
    rng = random.Random(n)
    return {
        "url": f"https://{OUTLETS[n % len(OUTLETS)].lower().replace(' ', '')}.example/{n}",
        "title": f"Kazakhstan parliament election: {_words(rng, 3)}",
        "outlet": OUTLETS[n % len(OUTLETS)],
        "published": f"{day.isoformat()}T10:00:00+00:00",
        "text": (
            f"Kazakhstan holds a parliament election. {_words(rng, 40)}.\n\n"
            f"Parliament deputies and election officials {_words(rng, 40)}.\n\n"
            f"The opposition party said the election {_words(rng, 30)}."
        ),
    }


def _store(tmp_path: Path, profile, per_week: list[int], extra: list[dict] = ()) -> sa.Engine:
    """``per_week``: politics reports in each week, the digest's week last; each week
    grouped in turn, as weekly digests would."""
    records, n = list(extra), 1000
    weeks = len(per_week)
    for k, count in enumerate(per_week):
        monday = WEEK - timedelta(weeks=weeks - 1 - k)
        for i in range(count):
            records.append(_report(n, monday + timedelta(days=i % 7)))
            n += 1
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    engine = store.open_store(f"sqlite:///{tmp_path / 's.db'}")
    report = run.ingest(engine, profile, [path])
    assert report.ok, report.errors
    with engine.begin() as conn:
        for k in range(weeks):
            monday = WEEK - timedelta(weeks=weeks - 1 - k)
            update_period(conn, profile, monday, monday + timedelta(days=6))
    return engine


def _counts(engine: sa.Engine, profile, monday: date) -> int:
    start = datetime.combine(monday, datetime.min.time())
    with engine.connect() as conn:
        return persist.theme_counts(conn, profile.name, start, start + timedelta(days=7))[
            "politics"
        ]


def _line(engine: sa.Engine, profile) -> str:
    with engine.begin() as conn:
        return build_digest(conn, profile, WEEK, WEEK + timedelta(days=6)).trend


def test_the_average_is_over_the_weeks_the_store_covers(tmp_path, profile):
    """A store begun two weeks ago: 6 and 6 reports before, 6 now is no rise (the line said
    "rose (6 articles against a four-week average of 3)", dividing by four weeks always)."""
    engine = _store(tmp_path, profile, [6, 6, 6])
    assert [_counts(engine, profile, WEEK - timedelta(weeks=k)) for k in (2, 1, 0)] == [6, 6, 6]
    line = _line(engine, profile)
    assert line.endswith("continue from before.") and "rose" not in line


def test_the_line_says_over_how_many_weeks_it_averages(tmp_path, profile):
    engine = _store(tmp_path, profile, [4, 5, 12])
    line = _line(engine, profile)
    assert (
        "coverage of politics and governance rose (12 reports mainly on it against an average"
        " of 4.5 over the previous 2 weeks)" in line
    )


def test_a_single_week_before_is_no_average(tmp_path, profile):
    engine = _store(tmp_path, profile, [3, 9])
    assert "rose (9 reports mainly on it against 3 the week before)" in _line(engine, profile)


def test_a_copy_of_an_earlier_weeks_report_counts_in_neither_week_again(tmp_path, profile):
    """A syndicated copy dated this week of last week's report: the digest counted it now,
    while the same week as a baseline later left it out (25 now, 22 later)."""
    original = _report(1, WEEK - timedelta(days=1))
    copy = dict(original, url="https://copies.example/1", outlet="Kazinform")
    copy["published"] = f"{WEEK.isoformat()}T08:00:00+00:00"
    engine = _store(tmp_path, profile, [3, 9], extra=[original, copy])
    with engine.connect() as conn:
        copies = conn.execute(
            sa.select(sa.func.count()).where(persist.story_articles.c.duplicate_of.is_not(None))
        ).scalar_one()
    assert copies == 1  # grouping found the copy
    line = _line(engine, profile)
    assert "rose (9 reports mainly on it against 4 the week before)" in line
    assert _counts(engine, profile, WEEK) == 9


def test_a_page_captured_again_next_week_counts_once(tmp_path, profile):
    """The same page stored again (an edited version) a week later is not a second report."""
    first = _report(1, WEEK - timedelta(days=2))
    again = _report(2, WEEK + timedelta(days=1))  # other words: no copy by its text
    again["url"] = first["url"]
    engine = _store(tmp_path, profile, [3, 9], extra=[first, again])
    assert _counts(engine, profile, WEEK - timedelta(weeks=1)) == 4
    assert _counts(engine, profile, WEEK) == 9


def test_an_average_that_is_not_whole_keeps_its_decimal(tmp_path, profile):
    """``:.0f`` rounds half to even: 4.5 read "4" and 3.5 read "4"."""
    engine = _store(tmp_path, profile, [3, 4, 12])
    assert "against an average of 3.5 over the previous 2 weeks" in _line(engine, profile)


def _story(sid: int, first_seen: datetime) -> Story:
    rel = Relevance(6.0, Grade.SUBJECT, True, [Hit("Kazakhstan", "Kazakhstan", "country", "title")])
    when = datetime(2025, 10, 14, 9)
    art = Article(
        url=f"https://reuters.example/{sid}",
        canonical_url=f"u{sid}",
        content_hash=f"h{sid}",
        title="Uranium price jumps after Kazatomprom trims output",
        text="Uranium price jumps after Kazatomprom trims output. Traders said so on Tuesday.",
        outlet="Reuters",
        outlet_country="GB",
        published=when.replace(tzinfo=UTC),
        dated=when,
        relevance=rel,
        id=sid,
    )
    return Story(sid, art.title, [art], first_seen=first_seen, last_seen=when)


LAST = {"story_id": 3, "headline": "Rosatom to build a nuclear plant", "summary": ["By the lake."]}


def test_a_story_begun_before_the_week_is_not_called_new_in_its_reasons(profile):
    """Status "continuing" beside the reason "new since the last digest" (it was not in the
    last digest, but reported the week before): the reason says what it measures."""
    story = _story(7, first_seen=datetime(2025, 10, 8, 9))
    rank([story], profile, until=date(2025, 10, 19), previous=[LAST])
    assert story.reasons[-1] == "not in the last published digest; reported since Oct. 8"
    assert compose_story(story, profile, since=date(2025, 10, 13)).status == "continuing"


def test_a_story_of_the_week_is_new_and_not_in_the_last_digest(profile):
    story = _story(8, first_seen=datetime(2025, 10, 14, 9))
    rank([story], profile, until=date(2025, 10, 19), previous=[LAST])
    assert story.reasons[-1] == "not in the last published digest"
    assert compose_story(story, profile, since=date(2025, 10, 13)).status == "new"


def test_a_week_the_store_began_in_midweek_is_no_baseline(tmp_path, profile):
    """A store whose first report is on the Sunday before the digest's week covers one day of
    that week: it read as a whole week of 1 report, and 9 now "rose" against it."""
    engine = _store(tmp_path, profile, [9], extra=[_report(1, WEEK - timedelta(days=1))])
    line = _line(engine, profile)
    assert "rose" not in line and "the week before" not in line
    # Begun on that week's Monday, the week is covered whole.
    monday = tmp_path / "monday"
    monday.mkdir()
    engine = _store(monday, profile, [9], extra=[_report(1, WEEK - timedelta(days=7))])
    assert "rose (9 reports mainly on it against 1 the week before)" in _line(engine, profile)
