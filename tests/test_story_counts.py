"""A story is counted, titled and dated alike wherever it is shown: the week page, the API's
/api/stories and `stories` (table and --json). Found in a fact-checking walk: a page ingested
again with a correction was two of a story's articles (85 in the week where the article list,
coverage and the API's articles said 79), and `stories` titled a story by the report it was
formed around where every other view titled it by its lead report."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa

from mediadigest import store
from mediadigest.model import Document
from mediadigest.stories import persist
from test_end_to_end import Cli
from test_web_archive import bearer, viewer  # noqa: F401 (fixtures)
from web_support import articles

WEEK = "2025-W51"
GRAIN = 2  # the grain exports report, a story of its own (``web_support.STORIES``)


def _story_of(engine: sa.Engine, article_id: int) -> int:
    sa_ = persist.story_articles
    with engine.connect() as conn:
        query = sa.select(sa_.c.story_id).where(sa_.c.article_id == article_id)
        return conn.execute(query).scalar_one()


def _recapture(seeded) -> tuple[int, int]:
    """The grain report ingested again with a correction, placed in its story as grouping
    places it (a copy of the first capture); its story's id and the new capture's."""
    first = seeded.ids[GRAIN]
    again = replace(
        articles()[GRAIN],
        content_hash="c" * 40,
        text=articles()[GRAIN].text + "\nCorrection: the record was for December, not the year.",
    )
    fetched = datetime.now(UTC)  # after the seeded store was made
    with seeded.engine.begin() as conn:
        doc = store.save_document(conn, Document(again.url, b"again", fetched))
        store.save_articles(conn, [again], doc, fetched)
        story = _story_of(seeded.engine, first)
        persist.add_members(conn, "kazakhstan", story, {again.id: (first, False)})
    return story, again.id or 0


def _cli(seeded) -> Cli:
    return Cli(Path(seeded.settings.db.removeprefix("sqlite:///")))


def test_a_page_captured_again_is_one_article_of_its_story_everywhere(viewer, bearer, seeded):  # noqa: F811
    story, again = _recapture(seeded)
    listed = viewer.get("/api/stories", params={"week": WEEK}, headers=bearer).json()
    assert next(s for s in listed if s["id"] == story)["article_ids"] == [again]
    page = viewer.get("/", params={"week": WEEK}).text
    meta = re.search(rf'href="/articles/{again}".*?<div class="meta">([^<]*)<', page, re.S)
    assert meta and "· 1 article" in meta[1] and "2 articles" not in meta[1]
    found = _cli(seeded).json("stories", "--week", WEEK, "--json")
    entry = next(s for s in found if s["id"] == story)
    # The newest capture stands for the page, and is no copy of the capture it replaces.
    assert [(a["id"], a["copy_of"]) for a in entry["articles"]] == [(again, None)]
    every = sum(len(s["articles"]) for s in found)
    assert every == len(_cli(seeded).json("articles", "--since", "2025-12-15", "--json"))


def test_stories_titles_a_story_as_the_api_and_the_week_page_do(viewer, bearer, seeded):  # noqa: F811
    wind = _story_of(seeded.engine, seeded.ids[0])
    with seeded.engine.begin() as conn:  # the report it was formed around, since displaced
        span = datetime(2025, 12, 15, 9, 30), datetime(2025, 12, 17, 9, 30)
        persist.touch(conn, wind, "Turbine plans announced", *span)
    listed = viewer.get("/api/stories", params={"week": WEEK}, headers=bearer).json()
    titles = {s["id"]: s["title"] for s in listed}
    assert titles[wind] != "Turbine plans announced"
    found = _cli(seeded).json("stories", "--week", WEEK, "--json")
    assert {s["id"]: s["title"] for s in found} == titles
    table = _cli(seeded)("stories", "--week", WEEK).stdout
    assert "Turbine plans announced" not in table


def test_stories_json_dates_a_story_with_its_offset(seeded):
    found = _cli(seeded).json("stories", "--week", WEEK, "--json")
    wind = next(s for s in found if s["id"] == _story_of(seeded.engine, seeded.ids[0]))
    first, last = (datetime.fromisoformat(wind[k]) for k in ("first_seen", "last_seen"))
    # Its reports of Dec. 15 and 17, 09:30, which named no zone: UTC's.
    assert first == datetime(2025, 12, 15, 9, 30, tzinfo=UTC) and first.utcoffset() is not None
    assert last == datetime(2025, 12, 17, 9, 30, tzinfo=UTC) and last.utcoffset() is not None


def test_a_story_holds_a_page_once_and_dates_it_with_its_offset_on_each_backend(engine):
    from mediadigest.profile import load_profile
    from mediadigest.stories import for_period

    grain = articles()[GRAIN]
    almaty = timezone(timedelta(hours=6))
    first = replace(grain, published=datetime(2025, 12, 19, 2, 0, tzinfo=almaty))
    again = replace(first, content_hash="c" * 40, text=grain.text + "\nCorrection: December.")
    copy = replace(first, url="https://mirror.example/grain", canonical_url="https://mirror.example/grain",
                   content_hash="d" * 40, outlet="Mirror")  # fmt: skip
    for art, fetched in ((first, 1), (copy, 2), (again, 3)):
        _capture(engine, art, datetime(2025, 12, 19, 20 + fetched, tzinfo=UTC))
    with engine.begin() as conn:
        story = persist.create(conn, "kazakhstan", grain.title, None, None)
        held = {first.id: (None, False), copy.id: (first.id, False), again.id: (first.id, False)}
        persist.add_members(conn, "kazakhstan", story, held)
        persist.refresh_dates(conn, story)
    with engine.connect() as conn:
        (found,) = for_period(
            conn, load_profile("kazakhstan"), date(2025, 12, 15), date(2025, 12, 21)
        )
        span = persist.spans(conn, [story])[story]
    # The newest capture stands for the page; the copy of the older capture copies it.
    assert sorted(a.id for a in found.articles) == sorted([again.id, copy.id])
    assert found.duplicates == {copy.id: again.id}
    assert span[0] == datetime(2025, 12, 19, 2, 0, tzinfo=almaty) and span[0].utcoffset()


def _capture(engine: sa.Engine, art, fetched: datetime) -> None:
    with engine.begin() as conn:
        doc = store.save_document(conn, Document(art.url, art.content_hash.encode(), fetched))
        store.save_articles(conn, [art], doc, fetched)
