"""Stories, editors' decisions and publishing on both backends (SQLite and PostgreSQL).

test_stories_e2e covers the behaviour in depth on SQLite; this runs the same flow once per
backend, so the story tables' SQL (upserts, JSON columns, booleans, merges) is proven on
PostgreSQL too.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from mediadigest import run
from mediadigest.profile import load_profile
from mediadigest.stories import for_period, persist, update
from mediadigest.write.compose import build_digest
from mediadigest.write.render import to_dict

WEEK = Path(__file__).parent / "fixtures" / "stories" / "week.jsonl"
SINCE, UNTIL = date(2025, 12, 15), date(2025, 12, 21)


@pytest.fixture(scope="module")
def profile():
    return load_profile("kazakhstan")


def _stories(engine: sa.Engine, profile) -> list:
    with engine.begin() as conn:
        update(conn, profile, until=UNTIL)
        return sorted(for_period(conn, profile, SINCE, UNTIL), key=lambda s: -len(s.articles))


def test_the_story_flow_gives_the_same_results_on_each_backend(engine, profile):
    assert run.ingest(engine, profile, [WEEK]).ok
    big, small = _stories(engine, profile)
    assert (len(big.articles), len(small.articles)) == (5, 1)
    assert [a.outlet for a in big.articles if a.relevance.via_story == big.id] == ["Mainichi"]
    assert _stories(engine, profile)[0].id == big.id  # a second update changes nothing

    with engine.begin() as conn:
        persist.set_flag(conn, profile.name, small.id, "pinned")
        persist.set_flag(conn, profile.name, big.id, "hidden")
    with engine.begin() as conn:
        digest = build_digest(conn, profile, SINCE, UNTIL)
    assert [i.story_id for i in digest.items] == [small.id]

    with engine.begin() as conn:
        persist.set_flag(conn, profile.name, big.id, "hidden", False)
        persist.merge(conn, profile.name, big.id, [small.id], by="editor")
    (merged,) = _stories(engine, profile)
    assert merged.id == big.id and len(merged.articles) == 6

    reuters = next(a for a in merged.articles if a.outlet == "Reuters")
    with engine.begin() as conn:
        new_id = persist.split(conn, profile.name, big.id, [reuters.id], by="editor")
        log = [(o["action"], o["by"]) for o in persist.overrides(conn, profile.name)]
    stories = {s.id: s for s in _stories(engine, profile)}
    assert [a.outlet for a in stories[new_id].articles] == ["Reuters"]
    # The pinned story merged in carries its pin to the merged one (logged as the merger's).
    assert log == [("pin", "cli"), ("hide", "cli"), ("unhide", "cli"),
                   ("merge", "editor"), ("pin", "editor"), ("split", "editor")]  # fmt: skip

    with engine.begin() as conn:
        content = to_dict(build_digest(conn, profile, SINCE, UNTIL))
        assert persist.publish(conn, profile.name, SINCE, UNTIL, content) == 1
        assert persist.publish(conn, profile.name, SINCE, UNTIL, content) == 2
        published = persist.published(conn, profile.name)
    assert [p["version"] for p in published] == [2]
    assert published[0]["content"]["items"] == content["items"]


def test_a_cluster_another_process_placed_first_leaves_no_empty_story(engine, profile):
    """Two ingests group the same days at once: the second's view of who holds what is stale."""
    from mediadigest.stories import grouping

    assert run.ingest(engine, profile, [WEEK]).ok
    before = _stories(engine, profile)
    with engine.begin() as conn:
        members = before[0].articles
        report = grouping.UpdateReport()
        grouping._place(conn, profile, None, members, {}, {}, report)  # owner: stale, empty
        rows = conn.execute(sa.select(sa.func.count()).select_from(persist.stories)).scalar()
    assert rows == len(before) and report.new_stories == 0


def test_the_windows_other_articles_keep_two_events_apart(engine, profile, tmp_path):
    """A charity told to leave Kazakhstan, and a steel maker cutting jobs whose report names
    Kazakhstan in passing: alone in a window, their shared boilerplate made them one story
    (and the steel report relevant through it); the window's other reports say it is
    boilerplate."""
    import json

    from mediadigest.store import list_articles

    said = "said on Monday in a statement that its chief executive would"
    rows = [
        ("charity", "Charity says it will close its office in Kazakhstan",
         f"The charity {said} leave Kazakhstan. Kazakhstan's government ordered it to close."),
        ("steel", "Steel maker says it will cut 45,000 jobs",
         f"The steel maker {said} cut costs. The company employs 90,000 people in many "
         "countries.\n\nIt has plants in Poland, Kazakhstan and South Africa."),
    ] + [
        (topic, f"The {topic} says it will raise prices", f"The {topic} {said} expand.")
        for topic in TOPICS
    ]  # fmt: skip
    path = tmp_path / "week.jsonl"
    path.write_text("".join(json.dumps({"url": f"https://news.example/{slug}", "title": title,
                    "text": text, "outlet": slug.title(), "published": "2025-12-18T09:00:00Z"})
                    + "\n" for slug, title, text in rows))  # fmt: skip
    assert run.ingest(engine, profile, [path]).ok
    with engine.begin() as conn:
        found = for_period(conn, profile, SINCE, UNTIL)
        steel = next(a for a in list_articles(conn, relevant_only=False) if "Steel" in a.title)
    assert [[a.title for a in s.articles] for s in found] == [[rows[0][1]]]
    assert not steel.relevance.relevant and steel.relevance.via_story is None


_TOPIC_WORDS = "bank airline brewer carmaker retailer insurer miner telecom chipmaker grocer"
TOPICS = _TOPIC_WORDS.split()


def test_grouping_reads_back_only_the_articles_it_needs(engine, profile, tmp_path, monkeypatch):
    """A press office stores every article of hundreds of feeds; a week's stories name the
    country in a few. Grouping reads those, plus at most ``BACKGROUND`` others for the word
    weights, and none when every report is placed: it used to read and decode the whole week
    on every update (8-12 s at 30,000 articles) and on every digest."""
    import json

    from mediadigest.store import repository
    from mediadigest.stories import grouping

    rows = [("kz", "Kazakhstan opens a wind farm", "Kazakhstan opened a wind farm on Monday.")]
    rows += [(f"o{i}", f"Council {i} repairs a bridge", f"Council {i} said the bridge would "
              "reopen in spring.") for i in range(40)]  # fmt: skip
    path = tmp_path / "week.jsonl"
    path.write_text("".join(json.dumps({"url": f"https://news.example/{slug}", "title": title,
                    "text": text, "outlet": "Daily", "published": "2025-12-18T09:00:00Z"})
                    + "\n" for slug, title, text in rows))  # fmt: skip
    assert run.ingest(engine, profile, [path]).ok
    read: list[str] = []
    real = repository._article_from_row
    monkeypatch.setattr(repository, "_article_from_row", lambda row: read.append(row["url"])
                        or real(row))  # fmt: skip
    monkeypatch.setattr(grouping, "BACKGROUND", 5)
    with engine.begin() as conn:
        update(conn, profile, until=UNTIL)  # the ingest placed it: nothing to do, nothing read
        assert read == []
        for row in persist.load(conn, profile.name):
            persist.drop(conn, row.id)
        update(conn, profile, until=UNTIL)  # clustering again: five others teach the weights
        assert len(read) == 1 + 5 and read[0] == "https://news.example/kz"
        read.clear()
        assert [s.title for s in for_period(conn, profile, SINCE, UNTIL)] == [rows[0][1]]
        assert read == ["https://news.example/kz"]


def test_a_pin_and_a_hide_reaching_a_later_period_are_found_on_each_backend(engine, profile):
    """`digest` names the pins and hides that reach a period from before it (`persist.carried`:
    sums over booleans and a GROUP BY that PostgreSQL holds to its rules)."""
    assert run.ingest(engine, profile, [WEEK]).ok
    big, small = _stories(engine, profile)  # big: Dec. 18 (four reports) and 19 (Reuters)
    later = date(2025, 12, 19)
    with engine.begin() as conn:
        persist.set_flag(conn, profile.name, big.id, "pinned")
        persist.set_flag(conn, profile.name, small.id, "hidden")
        (pinned,) = persist.carried(conn, profile.name, later, UNTIL)
        assert persist.carried(conn, profile.name, SINCE, UNTIL) == []  # the week decided on
        persist.set_flag(conn, profile.name, big.id, "hidden")
        (hidden,) = persist.carried(conn, profile.name, later, UNTIL)
    assert (pinned.story_id, pinned.flag, pinned.reports) == (big.id, "pinned", 1)
    assert (hidden.flag, hidden.reports) == ("hidden", 1) and hidden.decided is not None
