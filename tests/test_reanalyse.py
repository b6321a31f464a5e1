"""`db reanalyse` judges stored articles again, in place: ids kept, stories following.

Found in two walks: an upgraded store kept the older version's analysis in every digest (a
quote's speaker "Storony" where the current analyser names Kassym-Jomart Tokayev), and after
an admin added an alias to the profile, stored articles kept their old relevance (`ingest
--fresh`: "already stored"). No command analysed them again.
"""

from __future__ import annotations

import json
import textwrap
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from typer.testing import CliRunner

from mediadigest import store
from mediadigest.cli import app
from mediadigest.store import schema as t
from mediadigest.stories import persist

SINCE, UNTIL = "2025-12-01", "2025-12-07"

TOKAYEV = {
    "url": "https://steppe.example/news/investors",
    "outlet": "Steppe Post",
    "title": "Kazakhstan's president promises investors lower taxes",
    "text": "Kazakhstan will cut taxes for foreign investors next year, its president said on "
    'Monday. "We will keep our economy open to every partner," Kassym-Jomart Tokayev said '
    "at a forum in Astana. Kazakhstan attracted record foreign investment this year.",
    "published": "2025-12-02T09:00:00+00:00",
}

# Relevant under NEW (its title and lead name Zembla), naming nothing under OLD.
ZEMBLA = {
    "url": "https://wind.example/zembla",
    "outlet": "Wind Weekly",
    "title": "Zembla opens its largest wind farm",
    "text": "Zembla opened its largest wind farm on Monday. The farm will supply power to "
    "200,000 homes, the energy ministry said. " * 3,
    "published": "2025-12-02T09:00:00+00:00",
}
# Relevant under NEW; a passing mention of Testland under OLD.
NEAR_ZEMBLA = {
    "url": "https://wind.example/near-zembla",
    "outlet": "Grid News",
    "title": "A wind farm opens near Zembla",
    "text": "Zembla opened its largest wind farm on Monday. The farm will supply power to "
    "200,000 homes. "
    + "More words follow here about turbines and grids and the weather. " * 12
    + "Neighbouring Testland is building one too.",
    "published": "2025-12-02T10:00:00+00:00",
}
# Relevant under both.
TESTLAND = {
    "url": "https://wind.example/testland",
    "outlet": "Wind Weekly",
    "title": "Testland plans a wind farm of its own",
    "text": "Testland will build a wind farm of its own, Testland's energy ministry said on "
    "Tuesday, after its neighbour opened one.",
    "published": "2025-12-03T09:00:00+00:00",
}

OLD = """\
name: testland
country: Testland
country_code: TL
adjective: Testish
threshold: 2
names:
  Testland: [Testland*]
"""
NEW = OLD.replace("[Testland*]", "[Testland*, Zembla*]")


def _profile(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "profile.yaml"  # one path: an admin edits the profile in place
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _ingest(tmp_path: Path, url: str, profile: str, *reports: dict, fresh: bool = False):
    jsonl = tmp_path / "reports.jsonl"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in reports), encoding="utf-8")
    return _cli(url, profile, "ingest", str(jsonl), *(["--fresh"] if fresh else []))


def _cli(url: str, profile: str, *args: str):
    done = CliRunner().invoke(app, ["--db", url, "--profile", profile, *args])
    assert done.exit_code == 0, (done.output, done.exception)
    return done


def _article(url: str, link: str) -> dict:
    engine = store.open_store(url)
    try:
        with engine.connect() as conn:
            row = conn.execute(sa.select(t.articles).where(t.articles.c.url == link)).mappings()
            found = dict(row.one())
            matches = conn.execute(
                sa.select(t.article_matches.c.alias).where(
                    t.article_matches.c.article_id == found["id"]
                )
            )
            found["matches"] = sorted(matches.scalars())
    finally:
        engine.dispose()
    return found


def _stories(url: str, profile: str) -> list[dict]:
    done = _cli(url, profile, "stories", "--json", "--since", SINCE, "--until", UNTIL)
    return json.loads(done.stdout)


def _stale(url: str, link: str, **values) -> None:
    """What an older version stored: the analysis written over, as it was then."""
    engine = store.open_store(url)
    with engine.begin() as conn:
        conn.execute(sa.update(t.articles).where(t.articles.c.url == link).values(**values))
    engine.dispose()


def test_an_older_versions_speaker_is_corrected_in_place(store_url, tmp_path):
    _ingest(tmp_path, store_url, "kazakhstan", TOKAYEV)
    before = _article(store_url, TOKAYEV["url"])
    speakers = [q["speaker"] for q in before["quotes"]]
    assert speakers == ["Kassym-Jomart Tokayev"]
    wrong = [{**q, "speaker": "Storony"} for q in before["quotes"]]
    _stale(store_url, TOKAYEV["url"], quotes=wrong, entities=[], themes=[])

    done = _cli(store_url, "kazakhstan", "db", "reanalyse")

    after = _article(store_url, TOKAYEV["url"])
    assert after["id"] == before["id"]
    assert after["quotes"] == before["quotes"]
    assert after["entities"] == before["entities"] and after["themes"] == before["themes"]
    assert "1 article: 1 changed, 0 now relevant, 0 no longer relevant" in done.output


def test_a_rerun_changes_nothing_and_says_so(store_url, tmp_path):
    _ingest(tmp_path, store_url, "kazakhstan", TOKAYEV)
    _stale(store_url, TOKAYEV["url"], quotes=[])
    _cli(store_url, "kazakhstan", "db", "reanalyse")
    stored = _article(store_url, TOKAYEV["url"])

    done = _cli(store_url, "kazakhstan", "db", "reanalyse")

    assert "reanalysed 1 article: nothing changed" in done.output
    assert _article(store_url, TOKAYEV["url"]) == stored


def test_an_alias_added_to_the_profile_makes_a_stored_article_relevant(store_url, tmp_path):
    profile = str(_profile(tmp_path, OLD))
    _ingest(tmp_path, store_url, profile, ZEMBLA)
    before = _article(store_url, ZEMBLA["url"])
    assert not before["relevant"] and _stories(store_url, profile) == []
    _profile(tmp_path, NEW)  # the admin adds the alias
    again = _ingest(tmp_path, store_url, profile, ZEMBLA, fresh=True)
    assert "already stored" in again.output  # what ingest cannot do

    done = _cli(store_url, profile, "db", "reanalyse", "--week", "2025-W49")

    after = _article(store_url, ZEMBLA["url"])
    assert after["id"] == before["id"]
    assert after["relevant"] and after["grade"] == "subject"
    assert after["matches"] and set(after["matches"]) == {"Zembla"}  # the match rows too
    assert "1 now relevant" in done.output
    [story] = _stories(store_url, profile)
    assert [a["id"] for a in story["articles"]] == [before["id"]]
    digest = _cli(store_url, profile, "digest", "--since", SINCE, "--until", UNTIL, "-o", "-")
    assert "Zembla opens its largest wind farm" in digest.stdout


def test_outside_the_period_nothing_is_reanalysed(store_url, tmp_path):
    profile = str(_profile(tmp_path, OLD))
    _ingest(tmp_path, store_url, profile, ZEMBLA)
    _profile(tmp_path, NEW)

    done = _cli(store_url, profile, "db", "reanalyse", "--since", "2025-12-03")

    assert "no stored articles in the period: nothing to reanalyse" in done.output
    assert not _article(store_url, ZEMBLA["url"])["relevant"]


def _one_story(url: str, profile: str, *links: str, via: tuple[str, ...] = ()) -> int:
    """The articles in one story, as grouping may have left them (``via``: relevant only
    through it)."""
    engine = store.open_store(url)
    with engine.begin() as conn:
        conn.execute(sa.delete(persist.story_articles))
        conn.execute(sa.delete(persist.stories))
        rows = conn.execute(sa.select(t.articles.c.id, t.articles.c.url)
                            .where(t.articles.c.url.in_(links)))  # fmt: skip
        story = persist.create(conn, profile, "Wind farms", datetime(2025, 12, 2, 9),
                               datetime(2025, 12, 3, 9))  # fmt: skip
        persist.add_members(conn, profile, story, {r.id: (None, r.url in via) for r in rows})
    engine.dispose()
    return story


def _via_story(url: str) -> dict[str, bool]:
    engine = store.open_store(url)
    sa_, a = persist.story_articles, t.articles
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(a.c.url, sa_.c.via_story).join(sa_, sa_.c.article_id == a.c.id)
        ).all()
    engine.dispose()
    return dict(rows)


def test_an_article_no_longer_relevant_stays_in_its_story_relevant_through_it(store_url, tmp_path):
    profile = str(_profile(tmp_path, NEW))
    _ingest(tmp_path, store_url, profile, ZEMBLA, NEAR_ZEMBLA, TESTLAND)
    story = _one_story(store_url, "testland", ZEMBLA["url"], NEAR_ZEMBLA["url"], TESTLAND["url"])
    _profile(tmp_path, OLD)  # the alias is taken out again

    done = _cli(store_url, profile, "db", "reanalyse")

    assert "2 no longer relevant" in done.output
    [found] = _stories(store_url, profile)
    assert found["id"] == story
    shown = {a["url"]: (a["relevant"], a["via_story"]) for a in found["articles"]}
    # Zembla is no name of the country now: out; the passing mention is in through the story.
    assert shown == {NEAR_ZEMBLA["url"]: (True, True), TESTLAND["url"]: (True, False)}


def test_a_story_left_without_a_relevant_article_is_dissolved(store_url, tmp_path):
    profile = str(_profile(tmp_path, NEW))
    _ingest(tmp_path, store_url, profile, ZEMBLA, NEAR_ZEMBLA)
    _one_story(store_url, "testland", ZEMBLA["url"], NEAR_ZEMBLA["url"])
    _profile(tmp_path, OLD)

    done = _cli(store_url, profile, "db", "reanalyse")

    assert "1 story dissolved" in done.output
    assert _stories(store_url, profile) == []


def test_an_article_relevant_on_its_own_is_no_longer_so_only_through_its_story(store_url, tmp_path):
    profile = str(_profile(tmp_path, OLD))
    _ingest(tmp_path, store_url, profile, NEAR_ZEMBLA, TESTLAND)
    links = (NEAR_ZEMBLA["url"], TESTLAND["url"])
    _one_story(store_url, "testland", *links, via=(NEAR_ZEMBLA["url"],))
    _profile(tmp_path, NEW)

    _cli(store_url, profile, "db", "reanalyse")

    assert _via_story(store_url) == {NEAR_ZEMBLA["url"]: False, TESTLAND["url"]: False}


def test_a_story_emptied_by_its_articles_leaving_is_counted_and_its_pin_named(store_url, tmp_path):
    """Such a story counted as "0 stories dissolved", an editor's pin or hide on it was lost
    without a word (its articles, counted again later, form a new story), and the web app's
    story cache, keyed on stories' updated_at, kept showing it."""
    profile = str(_profile(tmp_path, NEW))
    _ingest(tmp_path, store_url, profile, ZEMBLA)
    story = _one_story(store_url, "testland", ZEMBLA["url"])
    engine = store.open_store(store_url)
    with engine.begin() as conn:
        persist.set_flag(conn, "testland", story, "pinned", True, by="editor")
        before = conn.execute(sa.select(persist.stories.c.updated_at)).scalar_one()
    _profile(tmp_path, OLD)

    done = _cli(store_url, profile, "db", "reanalyse")

    assert "1 article out of their stories, 1 story dissolved" in done.output
    assert f"emptied, with an editor's decision on it: story {story} “Wind farms” (pinned)" in (
        done.output
    )
    with engine.connect() as conn:
        assert conn.execute(sa.select(persist.stories.c.updated_at)).scalar_one() > before
    engine.dispose()


def test_a_run_stopped_while_it_grouped_is_finished_by_the_next(store_url, tmp_path):
    """The next run found nothing changed and grouped nothing: the relevant articles the
    stopped run had not grouped yet stayed in no story."""
    profile = str(_profile(tmp_path, NEW))
    _ingest(tmp_path, store_url, profile, ZEMBLA, TESTLAND)
    engine = store.open_store(store_url)
    with engine.begin() as conn:  # as a stop between the analysis and the grouping leaves it
        conn.execute(sa.delete(persist.story_articles))
    engine.dispose()

    done = _cli(store_url, profile, "db", "reanalyse")

    assert "nothing changed" in done.output
    # Read from the store: `stories` would group them itself.
    assert set(_via_story(store_url)) == {ZEMBLA["url"], TESTLAND["url"]}
