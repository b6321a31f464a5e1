"""Ranking explains itself; selection keeps pins, drops hidden stories, and diversifies."""

from datetime import UTC, date, datetime

import pytest

from mediadigest.model import GIVEN_WHOLE, Article, Entity, Grade, Hit, Relevance, Story
from mediadigest.profile import load_profile
from mediadigest.stories.rank import coverage, lead_article, rank, strays
from mediadigest.stories.select import Selection, select

UNTIL = date(2025, 12, 21)
TEXT = "Kazakhstan signed the deal on Tuesday. " * 40


@pytest.fixture(scope="module")
def profile():
    return load_profile("kazakhstan")


def _art(
    aid: int,
    outlet: str,
    country: str | None = None,
    *,
    field: str = "title",
    title: str = "Kazakhstan signs a deal",
    text: str = TEXT,
    day: int = 18,
) -> Article:
    rel = Relevance(6.0, Grade.SUBJECT, True, [Hit("Kazakhstan", "Kazakhstan", "country", field)])
    return Article(
        url=f"https://{outlet.lower()}.example/{aid}",
        canonical_url=f"u{aid}",
        content_hash=f"h{aid}",
        title=title,
        text=text,
        outlet=outlet,
        outlet_country=country,
        published=datetime(2025, 12, day, tzinfo=UTC),
        relevance=rel,
        id=aid,
    )


def _story(sid: int, *arts: Article, title: str = "A story") -> Story:
    return Story(sid, title, list(arts))


def test_a_story_in_three_outlets_and_countries_outranks_one_outlet(profile):
    broad = _story(1, _art(1, "Jiji Press", "JP"), _art(2, "TASS", "RU"), _art(3, "Reuters", "GB"))
    narrow = _story(2, _art(4, "Steppe Wire", "KZ"))
    assert [s.id for s in rank([narrow, broad], profile, until=UNTIL)] == [1, 2]
    assert "3 outlets in 3 countries" in broad.reasons


def test_the_country_in_the_headline_outranks_a_passing_mention(profile):
    headline = _story(1, _art(1, "Reuters", "GB", field="title"))
    passing = _story(2, _art(2, "Reuters", "GB", field="body"))
    assert [s.id for s in rank([passing, headline], profile, until=UNTIL)] == [1, 2]
    assert "Kazakhstan in the headline" in headline.reasons


def test_an_undated_story_is_as_recent_as_its_crawl(profile):
    """Archive pages without a date of their own count from when they were crawled."""
    fresh, stale = _art(1, "Reuters", "GB", day=20), _art(2, "Reuters", "GB", day=20)
    fresh.published, fresh.dated = None, datetime(2025, 12, 20, 9)  # as read from the store
    stale.published, stale.dated = None, datetime(2025, 12, 10, 9)
    ranked = rank([_story(2, stale), _story(1, fresh)], profile, until=UNTIL)
    assert [s.id for s in ranked] == [1, 2] and ranked[0].score > ranked[1].score


def test_a_story_already_in_the_last_digest_loses_novelty(profile):
    old = _story(1, _art(1, "Reuters", "GB"))
    new = _story(2, _art(2, "Reuters", "GB"))
    previous = [{"story_id": 1, "headline": "Kazakhstan signs a deal", "summary": []}]
    assert [s.id for s in rank([old, new], profile, until=UNTIL, previous=previous)] == [2, 1]
    assert any("from the last digest" in r for r in old.reasons)


def test_a_feed_summary_is_a_lead_and_a_bare_title_a_headline():
    summary = "Kazakhstan signed a deal for a wind farm with Gulf investors, the ministry said."
    assert coverage(_art(1, "A", text=TEXT)) == "text"
    assert coverage(_art(1, "A", text=summary)) == "lead"
    assert coverage(_art(1, "A", title="Kazakhstan signs", text="Kazakhstan signs")) == "headline"


def test_a_sentence_given_whole_is_the_article_and_one_from_the_web_a_headline():
    """'Only the headline was available' was said of a one-sentence JSONL record (a walk)."""
    sentence = "Le roi Abdallah II a reçu les dirigeants régionaux à Aqaba."
    given = _art(1, "A", text=sentence)
    given.explanations = {"text": [GIVEN_WHOLE]}
    assert coverage(given) == "text"
    assert coverage(_art(1, "A", text=sentence)) == "headline"  # a feed's or a page's
    cut = _art(1, "A", text="Le roi Abdallah II a reçu les dirigeants régionaux…")
    cut.explanations = {"text": [GIVEN_WHOLE]}
    assert coverage(cut) == "headline"
    again = _art(1, "A", title="Kazakhstan signs", text="Kazakhstan signs")
    again.explanations = {"text": [GIVEN_WHOLE]}
    assert coverage(again) == "headline"  # the title again is no text


def test_a_story_is_not_told_from_a_report_that_strayed_into_it():
    # Headline-only entries (as an aggregator gives them): the earliest is a generic headline
    # that clustering let in; the story must take its headline from a report about it.
    heads = [
        (15, "Watch this if you liked:"),
        (16, "Tokayev meets Emperor Naruhito at the Imperial Palace in Tokyo"),
        (16, "Emperor Naruhito receives Kazakh President Tokayev in Tokyo"),
        (17, "Tokayev and the Emperor discuss the Caspian Sea in Tokyo"),
        (17, "Emperor Naruhito and President Tokayev meet at the palace"),
    ]
    arts = [_art(i, f"O{i}", title=t, text=t, day=d) for i, (d, t) in enumerate(heads)]
    assert strays(arts) == {0}
    assert lead_article(arts).title == heads[1][1]  # the earliest of the others
    # Three reports are too few to call one a stray: the earliest leads, as before.
    assert strays(arts[:3]) == set()
    assert lead_article(arts[:3]) is arts[0]


def _scored(sid: int, score: float, themes: list[str], title: str) -> Story:
    story = Story(sid, title, [], score=score)
    story.themes = themes
    return story


def test_a_pinned_story_is_selected_whatever_its_score():
    stories = [_scored(i, 1.0 - i / 10, ["energy"], f"Story {i}") for i in range(5)]
    stories[4].pinned = True
    picked = select(stories, Selection(size=2, minimum=1))
    assert stories[4] in picked and len(picked) == 2
    assert picked[0].reasons[0] == "pinned by an editor"


def test_a_hidden_story_is_never_selected():
    stories = [_scored(1, 0.9, ["energy"], "Top"), _scored(2, 0.5, ["sport"], "Other")]
    stories[0].hidden = True
    assert [s.id for s in select(stories)] == [2]


def test_diversity_prefers_another_theme_over_a_near_twin():
    stories = [
        _scored(1, 0.90, ["energy"], "Uranium output cut"),
        _scored(2, 0.85, ["energy"], "Uranium output cut again"),
        _scored(3, 0.80, ["education"], "New university campus"),
    ]
    assert [s.id for s in select(stories, Selection(size=2, minimum=1))] == [1, 3]


def test_selection_stops_at_the_size_and_every_pick_says_why():
    stories = [_scored(i, 0.9, [f"t{i}"], f"Story number {i}") for i in range(12)]
    picked = select(stories, Selection(size=10))
    assert len(picked) == 10
    assert all(s.reasons[0].startswith("chosen ") for s in picked)


def _named(sid: int, score: float, themes: list[str], title: str, *names: str) -> Story:
    """A story of one report that names ``names`` (a person, or a place where it says so)."""
    art = _art(sid, f"O{sid}", title=title)
    art.entities = [
        Entity(n.removeprefix("place:"), "place" if n.startswith("place:") else "person")
        for n in names
    ]
    story = Story(sid, title, [art], score=score)
    story.themes = themes
    return story


def test_a_story_in_another_language_is_alike_to_the_one_whose_names_it_shares():
    """Found in an editor's walk: Interfax's report of the grain record, a story of its own
    with no theme and no headline word in common with AP's, was picked right after it, ahead
    of a protest that shared a theme with an earlier pick. They share the port and the
    grain traders' union head, whose name the entity stage kept in Cyrillic."""
    stories = [
        _scored(1, 0.93, ["energy", "politics"], "Kazakhstan picks Rosatom"),
        _named(2, 0.83, ["economy"], "Kazakhstan's grain exports across the Caspian hit a "
               "record", "place:Aktau", "place:Mangystau", "Serik Zhaksybekov"),
        _named(3, 0.76, [], "Экспорт казахстанского зерна через Каспий достиг рекорда",
               "place:Aktau", "Серик Жаксыбеков"),
        _named(4, 0.896, ["politics"], "Protest over fuel prices revives memories",
               "Dimash Alzhanov", "place:Almaty"),
    ]  # fmt: skip
    picked = select(stories, Selection(size=4, minimum=4))
    assert [s.id for s in picked] == [1, 4, 2, 3]
    assert "kept despite likeness" in picked[3].reasons[0]
    assert "grain exports" in picked[3].reasons[0]


def test_the_picks_are_in_score_order_whatever_order_mmr_took_them_in():
    """Found in a walk: a story sharing a theme with the first pick was taken after a lesser
    one of another theme, and the digest showed it below that one."""
    stories = [
        _scored(1, 0.95, ["energy"], "Uranium output cut"),
        _scored(2, 0.90, ["energy"], "Pipeline tariff talks"),
        _scored(3, 0.60, ["education"], "New university campus"),
    ]
    stories.append(_scored(4, 0.20, ["sport"], "A pinned friendly"))
    stories[3].pinned = True
    picked = select(stories, Selection(size=4, minimum=4))
    assert [s.id for s in picked] == [4, 1, 2, 3]
    assert picked[2].reasons[0].startswith("chosen 4 of 4")  # taken after story 3


def test_a_chinese_article_is_text_not_a_headline():
    """A walk: words were counted by spaces, so a Chinese article was "only the headline"."""
    lead = (
        "哈萨克斯坦总统托卡耶夫周三在阿斯塔纳会见了中国外交部长，双方讨论了能源和交通领域的合作。"
    )
    assert coverage(_art(1, "A", title="哈萨克斯坦与中国加强能源合作", text=lead)) == "lead"
    text = "\n".join([lead] * 8)
    assert coverage(_art(1, "A", title="哈萨克斯坦与中国加强能源合作", text=text)) == "text"
