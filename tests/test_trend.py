"""The week-over-week line and the items' status: new or continuing, one judgement for both."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from mediadigest import store
from mediadigest.model import Article, Grade, Hit, Relevance, Story
from mediadigest.profile import load_profile
from mediadigest.stories.rank import rank
from mediadigest.write import trend
from mediadigest.write.compose import compose_story

SINCE, UNTIL = date(2025, 10, 13), date(2025, 10, 19)
LAST = {
    "story_id": 3,
    "headline": "Kazakhstan picks Rosatom to lead construction of its first nuclear power plant",
    "summary": ["Rosatom will lead a consortium to build the plant near Lake Balkhash."],
}


@pytest.fixture(scope="module")
def profile():
    return load_profile("kazakhstan")


def _story(sid: int, title: str) -> Story:
    rel = Relevance(6.0, Grade.SUBJECT, True, [Hit("Kazakhstan", "Kazakhstan", "country", "title")])
    art = Article(
        url=f"https://reuters.example/{sid}",
        canonical_url=f"u{sid}",
        content_hash=f"h{sid}",
        title=title,
        text=f"{title}. Engineers arrived at the site on Tuesday, officials said.",
        outlet="Reuters",
        outlet_country="GB",
        published=datetime(2025, 10, 14, 9, tzinfo=UTC),
        relevance=rel,
        id=sid,
    )
    when = datetime(2025, 10, 14, 9)
    return Story(sid, title, [art], first_seen=when, last_seen=when)


def test_a_follow_up_resembling_the_last_digest_is_continuing_everywhere(profile, tmp_path):
    """A report a week later became a story of its own: its `why` said it resembles last
    week's item, while its status and the trend line called it new."""
    follow_up = _story(12, "Kazakhstan begins site works for Rosatom-led nuclear power plant")
    fresh = _story(13, "Uranium price jumps after Kazatomprom trims output")
    ranked = rank([follow_up, fresh], profile, until=UNTIL, previous=[LAST])
    assert "resembles “Kazakhstan picks Rosatom" in follow_up.reasons[-1]
    assert fresh.reasons[-1] == "not in the last published digest"
    assert compose_story(follow_up, profile, since=SINCE).status == "continuing"
    assert compose_story(fresh, profile, since=SINCE).status == "new"
    engine = store.open_store(f"sqlite:///{tmp_path / 's.db'}")
    with engine.connect() as conn:
        line = trend.week_over_week(conn, profile, SINCE, UNTIL, ranked, [LAST])
    assert line.startswith("Of 2 stories this week, 1 is new and 1 continues from before")


def test_a_story_begun_before_the_period_is_continuing_without_a_last_digest(profile):
    story = _story(5, "Kazakhstan begins site works for Rosatom-led nuclear power plant")
    story.first_seen = datetime(2025, 10, 8, 9)
    rank([story], profile, until=UNTIL)
    assert trend.continuing(story, SINCE)
    assert compose_story(story, profile, since=SINCE).status == "continuing"
    assert compose_story(story, profile).status == "new"  # an item of its own has no period
