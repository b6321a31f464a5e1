"""Framing notes say only what is true of every outlet they name: tones apart between the
countries' ranges, words that are more than the story's topic or its verbs, lists with "and"."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mediadigest.model import Article, Grade, Hit, Relevance, Story
from mediadigest.profile import load_profile
from mediadigest.write import framing


@pytest.fixture(scope="module")
def profile():
    return load_profile("kazakhstan")


def _art(
    aid: int, outlet: str, country: str, title: str, text: str, tone: float | None = None
) -> Article:
    rel = Relevance(6.0, Grade.SUBJECT, True, [Hit("Kazakhstan", "Kazakhstan", "country", "title")])
    art = Article(
        url=f"https://x.example/{aid}",
        canonical_url=f"u{aid}",
        content_hash=f"h{aid}",
        title=title,
        text=text,
        outlet=outlet,
        outlet_country=country,
        published=datetime(2026, 11, 20, 9, tzinfo=UTC),
        relevance=rel,
        id=aid,
    )
    art.tone = tone
    return art


JAILED = "A court in Almaty jailed the journalist Adilbekov for seven years on Thursday."


def _jailing(rferl: float, eurasianet: float, guardian: float) -> Story:
    return Story(
        1,
        "t",
        [
            _art(1, "Radio Free Europe/Radio Liberty", "US", "Kazakh journalist gets seven years",
                 JAILED, rferl),
            _art(2, "Eurasianet", "US", "Kazakhstan: journalist gets seven years", JAILED,
                 eurasianet),
            _art(3, "The Guardian", "GB", "Kazakhstan jails journalist", JAILED, guardian),
        ],
    )  # fmt: skip


def test_a_country_whose_outlets_disagree_is_no_tone_apart(profile):
    """RFE/RL (−0.875) is as critical as the Guardian (−0.94): a mean pulled up by
    Eurasianet's 0.0 made the United States "more positive" of a jailing."""
    text = framing.describe(_jailing(-0.875, 0.0, -0.94), profile) or ""
    assert "tone" not in text


def test_a_country_whose_outlets_all_stand_apart_is_a_tone_apart(profile):
    text = framing.describe(_jailing(0.5, 0.6, -0.4), profile) or ""
    assert "in the United States, Radio Free Europe/Radio Liberty and Eurasianet in a more " in text
    assert "positive tone" in text


def test_the_outlets_of_a_country_are_listed_with_and(profile):
    text = framing.describe(_jailing(-0.9, -0.8, 0.2), profile) or ""
    assert "Radio Free Europe/Radio Liberty and Eurasianet" in text
    assert "Radio Free Europe/Radio Liberty, Eurasianet" not in text


GAS = (
    "Kazakhstan and TotalEnergies signed a $3.2 billion deal to build a gas processing plant "
    "at the Kashagan oil field, the energy ministry said. The energy company will take a "
    "stake; energy officials said the plant would end gas shortages.\n\n"
    "The energy ministry said the plant would process 5 billion cubic metres a year."
)
BLOOMBERG = (
    "TotalEnergies bets $3.2 billion on a Kazakh gas plant at the Kashagan oil field as "
    "shortages bite. The plant will process associated gas from 2030."
)


def test_a_word_naming_the_storys_topic_is_no_framing(profile):
    """ "in Britain, Reuters wrote of “energy”": every report of a gas deal is about energy."""
    story = Story(
        1,
        "t",
        [
            _art(1, "Reuters", "GB", "Kazakhstan, TotalEnergies sign energy deal", GAS),
            _art(2, "Bloomberg", "US", "TotalEnergies bets on Kazakh gas", BLOOMBERG),
        ],
    )
    assert "“energy”" not in (framing.describe(story, profile) or "")


def test_a_verbs_past_form_is_no_framing(profile):
    """RFE/RL and Eurasianet "wrote of “sentenced”" where the Guardian wrote "jails"."""
    sentenced = (
        "A court sentenced the journalist Adilbekov to seven years. He was sentenced after a "
        "closed trial; two colleagues were sentenced in 2024."
    )
    story = Story(
        1,
        "t",
        [
            _art(
                1,
                "Radio Free Europe/Radio Liberty",
                "US",
                "Journalist Sentenced To Seven Years",
                sentenced,
            ),
            _art(2, "Eurasianet", "US", "Adilbekov sentenced to seven years", sentenced),
            _art(3, "The Guardian", "GB", "Kazakhstan jails journalist", JAILED),
        ],
    )
    assert "sentenced" not in (framing.describe(story, profile) or "")


def test_a_distinctive_word_is_still_framing(profile):
    malacca = (
        "Kazakh oil may reach Asia through the Malacca strait, officials said. Tankers through "
        "the Malacca strait would carry it.\n\nThe Malacca route is long."
    )
    story = Story(
        1,
        "t",
        [
            _art(1, "The Guardian", "GB", "Kazakh oil eyes the Malacca strait", malacca),
            _art(2, "Bloomberg", "US", "Kazakh oil heads east", "Kazakh oil will go to China."),
        ],
    )
    assert "wrote of “Malacca strait”" in (framing.describe(story, profile) or "")
