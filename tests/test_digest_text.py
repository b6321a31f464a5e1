"""The digest's text and JSON: outlets as they spell themselves, bylines, absent values."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mediadigest.model import Article, Grade, Hit, Relevance, Story
from mediadigest.profile import Profile, load_profile
from mediadigest.write import attribute, style
from mediadigest.write.compose import compose_story

TEXT = (
    "Kazakhstan opened a new rail crossing to China on Tuesday, the transport ministry said.\n\n"
    "The crossing at Bakhty will carry up to ten million tonnes of freight a year."
)


@pytest.fixture(scope="module")
def profile() -> Profile:
    return load_profile("kazakhstan")


def article(
    *,
    outlet: str | None = "eurasianet.org",
    country: str | None = None,
    author: str | None = None,
    kind: str = "news",
    published: datetime | None = datetime(2025, 12, 16, 9, tzinfo=UTC),
) -> Article:
    hits = [Hit("Kazakhstan", "Kazakhstan", "country", "title")]
    art = Article(
        url="https://eurasianet.org/kazakhstan-rail",
        canonical_url="https://eurasianet.org/kazakhstan-rail",
        content_hash="h1",
        title="Kazakhstan opens a rail crossing to China",
        text=TEXT,
        outlet=outlet,
        outlet_country=country,
        author=author,
        published=published,
        relevance=Relevance(6.0, Grade.SUBJECT, True, hits),
        id=1,
    )
    art.kind = kind
    return art


# -- an outlet known only by its domain -------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "author", "start"),
    [
        ("news", None, "The website eurasianet.org reported on Dec. 16 that Kazakhstan opened"),
        ("news", "Aliya Serikbayeva", "The website eurasianet.org published an article on"),
        ("opinion", "Aliya Serikbayeva", "The website eurasianet.org published an opinion"),
        ("interview", None, "The website eurasianet.org published an interview on Dec. 16."),
        ("press_release", None, "The website eurasianet.org published a press release"),
    ],
)
def test_a_domain_opening_the_attribution_keeps_its_case(profile, kind, author, start):
    art = article(author=author, kind=kind)
    lede = attribute.attribution(art, profile, first=TEXT.split("\n")[0])
    assert lede.text.startswith(start)
    assert "Eurasianet.org" not in lede.text


def test_a_lower_case_brand_keeps_its_case_too(profile):
    lede = attribute.attribution(article(outlet="bne IntelliNews"), profile)
    assert lede.text == "The outlet bne IntelliNews reported on Dec. 16."


def test_a_capitalised_outlet_opens_the_line_as_before(profile):
    assert attribute.attribution(article(outlet="Eurasianet"), profile).text == (
        "Eurasianet reported on Dec. 16."
    )
    jiji = attribute.attribution(article(outlet="jiji.com", country="JP"), profile)
    assert jiji.text == "Japan’s jiji.com reported on Dec. 16."


def test_only_a_name_in_lower_case_is_reworded():
    assert style.sentence_start("eurasianet.org") == "The website eurasianet.org"
    assert style.sentence_start("Kaspi.kz") == "Kaspi.kz"
    assert style.sentence_start("An unnamed outlet") == "An unnamed outlet"


def test_the_composed_item_names_the_domain_in_its_own_case(profile):
    item = compose_story(Story(1, "t", [article()]), profile)
    assert item.attribution.startswith("The website eurasianet.org reported on Dec. 16 that")
    assert item.outlet == "eurasianet.org"
