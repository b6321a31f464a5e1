"""Story grouping follows what the store holds, not the order of the commands that grouped it.

Found in an editor's walk: listing two weeks' stories regrouped the second week (three passing
mentions, one from the week before, joined a story, and the week's digest said one of its
stories continued from before); and two ingests of two weeks grouped otherwise than one ingest
of both (a report stayed alone that one ingest put with the reports four days after it).
"""

from __future__ import annotations

import json
from datetime import date
from itertools import pairwise
from pathlib import Path

import pytest
import sqlalchemy as sa

from mediadigest import run, store
from mediadigest.profile import load_profile
from mediadigest.stories import for_period, update_period
from mediadigest.write.compose import build_digest
from mediadigest.write.render import to_dict

WEEK1, WEEK2 = (date(2025, 12, 8), date(2025, 12, 14)), (date(2025, 12, 15), date(2025, 12, 21))

# An airliner lost on a flight over Kazakhstan: a passing mention the week before (the country
# named once, in the body), the report about the country's part in the search, and reports of
# another event at each end of the second week.
AIRLINER = [
    ("https://wire.example/2025/12/12/airliner-ak502-what-we-know", "Wire Daily",
     "Missing airliner AK502: what we know about the lost flight",
     "Flight AK502 vanished from radar on Thursday with 180 people on board. Search teams "
     "from four countries are looking for the missing airliner and its flight recorders.\n\n"
     "The last radar contact placed the airliner over the steppe near the border with "
     "Kazakhstan, investigators said.", "2025-12-12T10:00:00Z"),
    ("https://steppe.example/news/kazakhstan-joins-search-for-airliner-ak502", "Steppe Post",
     "Kazakhstan joins search for missing airliner AK502",
     "Kazakhstan sent rescue teams and helicopters to join the search for the missing "
     "airliner AK502, which vanished from radar with 180 people on board. Kazakhstan's "
     "emergencies ministry said the lost flight's recorders had not yet been found.",
     "2025-12-15T08:00:00Z"),
    ("https://steppe.example/news/kazakhstan-opens-wind-farm-near-astana", "Steppe Post",
     "Kazakhstan opens its largest wind farm near Astana",
     "Kazakhstan opened its largest wind farm on Sunday. The farm near Astana will supply "
     "power to 200,000 homes, Kazakhstan's energy ministry said.", "2025-12-21T09:00:00Z"),
]  # fmt: skip

# A launch from Baikonur: the crew named on Thursday, the launch reported on Monday and Tuesday
# (four and five days later, within the seven days a report looks back), and a report of
# another event at the end of the second week.
LAUNCH = [
    ("https://orbit.example/baikonur-soyuz-crew-named-for-space-station", "Orbit Weekly",
     "Soyuz crew named for launch to the space station from Baikonur in Kazakhstan",
     "Russia named the three-person Soyuz crew that will launch to the International Space "
     "Station from the Baikonur cosmodrome in Kazakhstan.", "2025-12-11T10:00:00Z"),
    ("https://news.example/soyuz-crew-launches-to-space-station-from-baikonur", "News Today",
     "Soyuz crew launches to the space station from Baikonur in Kazakhstan",
     "A Soyuz rocket carrying a three-person crew to the International Space Station lifted "
     "off from the Baikonur cosmodrome in Kazakhstan.", "2025-12-15T09:00:00Z"),
    ("https://radio.example/soyuz-crew-reaches-space-station-after-baikonur-launch",
     "World Radio", "Soyuz crew reaches the space station after launch from Baikonur",
     "The three-person Soyuz crew that lifted off from Baikonur in Kazakhstan docked with the "
     "International Space Station on Tuesday.", "2025-12-16T11:00:00Z"),
    ("https://steppe.example/news/kazakhstan-opens-wind-farm-near-astana", "Steppe Post",
     "Kazakhstan opens its largest wind farm near Astana",
     "Kazakhstan opened its largest wind farm on Sunday. The farm near Astana will supply "
     "power to 200,000 homes, Kazakhstan's energy ministry said.", "2025-12-21T09:00:00Z"),
]  # fmt: skip


@pytest.fixture(scope="module")
def profile():
    return load_profile("kazakhstan")


def _jsonl(path: Path, rows: list[tuple[str, ...]]) -> Path:
    path.write_text(
        "".join(
            json.dumps({"url": u, "outlet": o, "title": t, "text": x, "published": p}) + "\n"
            for u, o, t, x, p in rows
        ),
        encoding="utf-8",
    )
    return path


def _weeks(tmp_path: Path, rows: list[tuple[str, ...]]) -> tuple[Path, Path]:
    first = [r for r in rows if r[4] < "2025-12-15"]
    second = [r for r in rows if r[4] >= "2025-12-15"]
    return _jsonl(tmp_path / "week1.jsonl", first), _jsonl(tmp_path / "week2.jsonl", second)


def _grouping(engine: sa.Engine, profile, since: date, until: date) -> list[list[str]]:
    """The stored stories of the period as lists of their reports' addresses."""
    with engine.connect() as conn:
        found = for_period(conn, profile, since, until)
    assert all(s.id is not None for s in found)
    return sorted(sorted(a.url for a in s.articles) for s in found)


def _digest(engine: sa.Engine, profile) -> dict:
    with engine.begin() as conn:
        return to_dict(build_digest(conn, profile, *WEEK2))


def test_listing_two_weeks_does_not_change_the_second_weeks_digest(engine, profile, tmp_path):
    week1, week2 = _weeks(tmp_path, AIRLINER)
    assert run.ingest(engine, profile, [week1]).ok
    assert run.ingest(engine, profile, [week2]).ok
    before = _digest(engine, profile)
    with engine.begin() as conn:  # what `stories --since 2025-12-08 --until 2025-12-21` does
        listed = update_period(conn, profile, WEEK1[0], WEEK2[1])
    assert _digest(engine, profile) == before
    assert listed.articles == 0


def test_the_passing_mention_the_week_before_joins_the_story_when_it_arrives(
    engine, profile, tmp_path
):
    """The ingest of the second week groups its reports with the stories of the seven days
    before them, the first week's passing mention too: not a listing later."""
    week1, week2 = _weeks(tmp_path, AIRLINER)
    assert run.ingest(engine, profile, [week1]).ok
    assert run.ingest(engine, profile, [week2]).ok
    grouped = _grouping(engine, profile, WEEK1[0], WEEK2[1])
    assert sorted([AIRLINER[0][0], AIRLINER[1][0]]) in grouped


def test_two_ingests_group_as_one_ingest_of_both(profile, tmp_path):
    week1, week2 = _weeks(tmp_path, LAUNCH)
    apart = store.open_store(f"sqlite:///{tmp_path / 'apart.db'}")
    assert run.ingest(apart, profile, [week1]).ok
    assert run.ingest(apart, profile, [week2]).ok
    together = store.open_store(f"sqlite:///{tmp_path / 'together.db'}")
    assert run.ingest(together, profile, [week1, week2]).ok
    grouped = _grouping(apart, profile, WEEK1[0], WEEK2[1])
    assert grouped == _grouping(together, profile, WEEK1[0], WEEK2[1])
    assert sorted(r[0] for r in LAUNCH[:3]) in grouped  # the crew named, the launch, the docking


def test_a_digest_places_what_a_listing_of_a_longer_period_would_the_same_way(profile, tmp_path):
    """Stored but never grouped (a run stopped before grouping): a week's digest places the
    week before too, in the same windows a listing of both weeks uses."""
    week1, week2 = _weeks(tmp_path, AIRLINER)
    stores = []
    for name in ("digest", "listing"):
        engine = store.open_store(f"sqlite:///{tmp_path / name}.db")
        assert run.ingest(engine, profile, [week1, week2]).ok
        with engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM story_articles"))
            conn.execute(sa.text("DELETE FROM stories"))
        stores.append(engine)
    _digest(stores[0], profile)
    with stores[1].begin() as conn:
        update_period(conn, profile, WEEK1[0], WEEK2[1])
    assert _grouping(stores[0], profile, *WEEK2) == _grouping(stores[1], profile, *WEEK2)
    assert _digest(stores[0], profile) == _digest(stores[1], profile)


def test_windows_sit_on_the_calendar_not_on_the_period_asked_for():
    from mediadigest.stories.grouping import window_end  # scikit-learn: only where needed

    ends = sorted({window_end(date(2025, 12, d)) for d in range(1, 32)})
    assert all((b - a).days == 4 for a, b in pairwise(ends))
    assert window_end(window_end(date(2025, 12, 13))) == window_end(date(2025, 12, 13))
