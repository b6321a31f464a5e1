"""Stories end to end: JSONL fixtures -> ingest -> stories -> ranked digest (real SQLite)."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from mediadigest import run, store
from mediadigest.profile import load_profile
from mediadigest.stories import for_period, persist, story_to_dict, update, update_period
from mediadigest.write import trend
from mediadigest.write.compose import build_digest
from mediadigest.write.render import to_dict

WEEK = Path(__file__).parent / "fixtures" / "stories" / "week.jsonl"
SINCE, UNTIL = date(2025, 12, 15), date(2025, 12, 21)


@pytest.fixture(scope="module")
def profile():
    return load_profile("kazakhstan")


@pytest.fixture(scope="module")
def template(tmp_path_factory, profile) -> Path:
    """The fixture week ingested once; each test gets its own copy of the file."""
    path = tmp_path_factory.mktemp("stories") / "week.db"
    engine = store.open_store(f"sqlite:///{path}")
    report = run.ingest(engine, profile, [WEEK])
    assert report.ok, report.errors
    engine.dispose()
    return path


@pytest.fixture
def engine(template: Path, tmp_path: Path) -> sa.Engine:
    copy = tmp_path / "s.db"
    shutil.copy(template, copy)
    return store.open_store(f"sqlite:///{copy}")


def _stories(engine: sa.Engine, profile):
    with engine.begin() as conn:
        update(conn, profile, until=UNTIL)
        return sorted(for_period(conn, profile, SINCE, UNTIL), key=lambda s: -len(s.articles))


def _digest(engine: sa.Engine, profile, **kw):
    with engine.begin() as conn:
        return build_digest(conn, profile, SINCE, UNTIL, **kw)


def test_three_outlets_on_one_event_and_one_on_another_make_two_stories(engine, profile):
    stories = _stories(engine, profile)
    assert len(stories) == 2
    assert {"Jiji Press", "TASS", "Reuters"} <= set(stories[0].outlets)
    assert stories[1].outlets == ["The Times of Central Asia"]


def test_the_story_in_more_outlets_ranks_first(engine, profile):
    items = _digest(engine, profile).items
    assert [i.outlet for i in items] == ["Jiji Press", "The Times of Central Asia"]
    assert items[0].score > items[1].score


def test_a_syndicated_copy_collapses_into_the_report_it_copies(engine, profile):
    big = _stories(engine, profile)[0]
    by_outlet = {a.outlet: a for a in big.articles}
    assert big.duplicates == {by_outlet["Japan Today"].id: by_outlet["Jiji Press"].id}
    assert "Japan Today" in big.outlets and by_outlet["Japan Today"] not in big.reports


def test_a_report_below_the_threshold_becomes_relevant_through_its_story(engine, profile):
    big = _stories(engine, profile)[0]
    mainichi = next(a for a in big.articles if a.outlet == "Mainichi")
    assert mainichi.relevance.relevant and mainichi.relevance.via_story == big.id
    assert mainichi.relevance.to_dict()["via_story"] == big.id


def test_an_ambiguous_mention_joins_no_story(engine, profile):
    titles = {a.title for s in _stories(engine, profile) for a in s.articles}
    assert not any("Great Ocean Classic" in t for t in titles)


def test_updating_again_changes_nothing(engine, profile):
    first = [(s.id, sorted(a.id for a in s.articles)) for s in _stories(engine, profile)]
    with engine.begin() as conn:
        report = update(conn, profile, until=UNTIL)
    assert report.articles == 0
    assert [(s.id, sorted(a.id for a in s.articles)) for s in _stories(engine, profile)] == first


def test_a_pinned_story_is_always_in_the_digest(engine, profile):
    small = _stories(engine, profile)[1]
    with engine.begin() as conn:
        persist.set_flag(conn, profile.name, small.id, "pinned")
    items = _digest(engine, profile, size=1).items
    assert [i.story_id for i in items] == [small.id]


def test_a_hidden_story_is_never_in_the_digest(engine, profile):
    big = _stories(engine, profile)[0]
    with engine.begin() as conn:
        persist.set_flag(conn, profile.name, big.id, "hidden")
    assert big.id not in {i.story_id for i in _digest(engine, profile).items}


def test_a_hidden_story_is_not_counted_in_the_week_over_week_line(engine, profile):
    """The line said "Of 14 stories this week" beside items chosen from 13: hidden stories
    are out of the digest, and out of its counts; past weeks' theme counts are the same
    counts (relevant reports, copies once), so a week compares like with like."""
    stories = _stories(engine, profile)
    week = datetime(2025, 12, 15), datetime(2025, 12, 22)
    with engine.connect() as conn:
        stored = persist.theme_counts(conn, profile.name, *week)
    assert stored == trend.theme_counts(stories, profile) and stored.total() >= 2
    big, small = stories
    with engine.begin() as conn:
        persist.set_flag(conn, profile.name, big.id, "hidden")
    digest = _digest(engine, profile)
    assert digest.trend == "Of 1 story this week, 1 is new and 0 continue from before."
    with engine.connect() as conn:
        stored = persist.theme_counts(conn, profile.name, *week)
    assert stored == trend.theme_counts([small], profile)


def test_evidence_spans_point_at_text_that_contains_the_sentence(engine, profile):
    data = to_dict(_digest(engine, profile))
    with engine.connect() as conn:
        texts = {a.id: a.text for a in store.list_articles(conn, relevant_only=False)}
    for item in data["items"]:
        told = " ".join([item["attribution"], *item["summary"]])
        for ev in item["evidence"]:
            span = texts[ev["article_id"]][ev["start"] : ev["end"]]
            if ev["sentence"] == "quote":
                assert span == item["quote"]["text"]
            elif ev["sentence"] == -1:  # the sentence the attribution line ends with
                assert item["attribution"].endswith(span[1:])
            else:
                # A sentence of another report than the attribution's follows its credit.
                assert item["summary"][ev["sentence"]].endswith(span) and span in told


def test_the_digest_json_keeps_the_design_shape(engine, profile):
    data = json.loads(json.dumps(to_dict(_digest(engine, profile))))
    assert data["period"] == {"from": "2025-12-15", "to": "2025-12-21"}
    item = data["items"][0]
    for key in (
        "headline",
        "outlet",
        "outlet_country",
        "published",
        "author",
        "summary",
        "quote",
        "themes",
        "sources",
        "evidence",
        "why",
    ):
        assert key in item
    assert item["quote"]["speaker"] == "Kassym-Jomart Tokayev"


def test_merging_two_stories_keeps_them_merged_on_the_next_update(engine, profile):
    big, small = _stories(engine, profile)
    with engine.begin() as conn:
        persist.merge(conn, profile.name, big.id, [small.id])
    stories = _stories(engine, profile)
    assert len(stories) == 1 and stories[0].id == big.id
    assert "The Times of Central Asia" in stories[0].outlets


def test_a_pinned_story_merged_into_another_keeps_the_pin(engine, profile):
    """`stories pin 5` then `stories merge 1 3 5` left story 1 unpinned: the pin was lost."""
    big, small = _stories(engine, profile)
    with engine.begin() as conn:
        persist.set_flag(conn, profile.name, small.id, "pinned")
        persist.merge(conn, profile.name, big.id, [small.id], by="ed")
        log = persist.overrides(conn, profile.name)
    (merged,) = _stories(engine, profile)
    assert merged.id == big.id and merged.pinned
    assert (log[-1]["action"], log[-1]["by"]) == ("pin", "ed")


def test_a_story_is_not_merged_into_a_hidden_one_unless_it_is_hidden_too(engine, profile):
    """Merged into a hidden story, a story that was not (pinned, here) left the digest, the
    editor told nothing; into one that is not, a hidden story came back."""
    big, small = _stories(engine, profile)
    with engine.begin() as conn:
        persist.set_flag(conn, profile.name, small.id, "pinned")
        persist.set_flag(conn, profile.name, big.id, "hidden", by="alice")
        effects = {
            big.id: f"merged into hidden story {big.id}, the articles of story {small.id} "
            "would be hidden with it",
            small.id: f"merged into story {small.id}, the articles of story {big.id} would be "
            "shown again",
        }
        for into, other in ((big.id, small.id), (small.id, big.id)):
            with pytest.raises(persist.HiddenAndShown) as refused:
                persist.merge(conn, profile.name, into, [other], by="bob")
            assert f"story {big.id} was hidden by alice on " in str(refused.value)
            assert effects[into] in str(refused.value)
    assert len(_stories(engine, profile)) == 2
    with engine.begin() as conn:
        persist.set_flag(conn, profile.name, small.id, "hidden")
        persist.merge(conn, profile.name, big.id, [small.id])
        row = persist.load(conn, profile.name, ids=[big.id])[0]
    assert row.hidden and not row.pinned


def test_splitting_an_article_out_makes_a_story_that_stays_apart(engine, profile):
    big = _stories(engine, profile)[0]
    reuters = next(a for a in big.articles if a.outlet == "Reuters")
    with engine.begin() as conn:
        new_id = persist.split(conn, profile.name, big.id, [reuters.id])
        log = persist.overrides(conn, profile.name)
    stories = {s.id: s for s in _stories(engine, profile)}
    assert [a.outlet for a in stories[new_id].articles] == ["Reuters"]
    assert "Reuters" not in stories[big.id].outlets
    assert log[-1]["action"] == "split" and log[-1]["article_ids"] == [reuters.id]


def test_publishing_again_adds_a_version_and_the_latest_is_listed(engine, profile):
    content = to_dict(_digest(engine, profile))
    with engine.begin() as conn:
        assert persist.publish(conn, profile.name, SINCE, UNTIL, content) == 1
        assert persist.publish(conn, profile.name, SINCE, UNTIL, content) == 2
        published = persist.published(conn, profile.name)
    assert [(p["version"], p["content"]["intro"]) for p in published] == [(2, content["intro"])]


def test_the_week_over_week_line_counts_new_and_continuing_stories(engine, profile):
    trend = _digest(engine, profile).trend
    assert trend == "Of 2 stories this week, 2 are new and 0 continue from before."


def test_a_digest_of_a_month_does_not_speak_of_this_week(engine, profile):
    with engine.begin() as conn:
        digest = build_digest(conn, profile, date(2025, 12, 1), date(2025, 12, 31))
    assert digest.trend.startswith("Of 2 stories in this period, 2 are new")
    assert "period’s foreign media digest" in digest.intro and "week" not in digest.intro


def test_stories_json_lists_each_story_with_its_articles(engine, profile):
    stories = _stories(engine, profile)
    data = json.loads(json.dumps([story_to_dict(s) for s in stories]))
    assert len(data[0]["articles"]) == 5 and len(data[1]["articles"]) == 1
    copies = [a for a in data[0]["articles"] if a["copy_of"] is not None]
    assert [a["outlet"] for a in copies] == ["Japan Today"]


def test_reports_without_a_date_make_one_lasting_story(tmp_path, profile):
    """Archive pages often carry no date: their story is dated by when they were stored, so
    the next update finds it (it used to make the story again, and list each copy alone)."""
    first = json.loads(WEEK.read_text(encoding="utf-8").splitlines()[0])
    undated = [{**first, "published": None, "url": f"https://{host}/kazakh-president-tokyo",
                "outlet": host} for host in ("a.example", "b.example")]  # fmt: skip
    path = tmp_path / "undated.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in undated), encoding="utf-8")
    engine = store.open_store(f"sqlite:///{tmp_path / 'u.db'}")
    assert run.ingest(engine, profile, [path]).ok
    today = datetime.now(UTC).date()  # the store's dates are UTC
    with engine.begin() as conn:
        assert update(conn, profile, until=today).new_stories == 0  # the ingest grouped them
        (story,) = for_period(conn, profile, today - timedelta(days=1), today)
    assert story.id is not None and story.last_seen is not None
    assert sorted(story.outlets) == ["a.example", "b.example"]


def _forget_stories(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.execute(sa.delete(persist.story_articles))
        conn.execute(sa.delete(persist.stories))


def test_an_ingest_groups_what_it_stored_into_stories(tmp_path, profile):
    """The review page and the API read stored stories: an ingest (or collect) must leave its
    articles grouped, not listed one story each until somebody writes a digest."""
    engine = store.open_store(f"sqlite:///{tmp_path / 'g.db'}")
    report = run.ingest(engine, profile, [WEEK])
    assert "2 new stories" in report.summary()
    with engine.connect() as conn:
        found = for_period(conn, profile, SINCE, UNTIL)
    assert sorted(len(s.articles) for s in found) == [1, 5]
    assert all(s.id is not None for s in found)


def test_a_run_groups_what_an_earlier_run_left_ungrouped(engine, profile, tmp_path):
    _forget_stories(engine)  # as if the run that stored the week was stopped before grouping
    later = tmp_path / "later.jsonl"
    later.write_text(json.dumps({"url": "https://x.example/a", "title": "Astana opera tour",
        "text": "Kazakhstan's Astana Opera begins a tour of Italy.",
        "published": "2026-03-02T10:00:00"}) + "\n", encoding="utf-8")  # fmt: skip
    assert run.ingest(engine, profile, [later]).ok
    with engine.connect() as conn:
        week = for_period(conn, profile, SINCE, UNTIL)
    assert sorted(len(s.articles) for s in week) == [1, 5] and all(s.id for s in week)


def test_a_period_longer_than_the_window_is_grouped_whole(engine, profile):
    """`stories --since 2025-12-01 --until 2025-12-31` grouped only the last 7 days."""
    _forget_stories(engine)
    with engine.begin() as conn:
        report = update_period(conn, profile, date(2025, 12, 1), date(2025, 12, 31))
        found = for_period(conn, profile, date(2025, 12, 1), date(2025, 12, 31))
    assert report.new_stories == 2
    assert sorted(len(s.articles) for s in found) == [1, 5] and all(s.id for s in found)


def test_a_report_from_the_same_port_on_another_subject_is_not_drawn_into_a_story(
    tmp_path, profile
):
    """The grain record in Aktau shares "Aktau", "Astana" and "Caspian" with the reports of
    Tokayev's Tokyo visit (he spoke of the Caspian's shallowing ports): places say where, not
    what, and it joined that story until they stopped counting as names."""
    grain = WEEK.parent.parent / "site" / "pages" / "caspian-ledger" / "kazakhstan-grain.html"
    engine = store.open_store(f"sqlite:///{tmp_path / 'g.db'}")
    assert run.ingest(engine, profile, [WEEK, grain]).ok
    with engine.connect() as conn:
        found = for_period(conn, profile, SINCE, UNTIL)
    by_title = {a.title: s for s in found for a in s.articles}
    story = by_title["Kazakhstan's grain exports across the Caspian hit a record"]
    assert [a.outlet for a in story.articles] == ["Caspian Ledger"]
    assert (
        len(
            by_title[
                "Emperor Naruhito receives Kazakh President Tokayev at the Imperial Palace"
            ].articles
        )
        == 5
    )
