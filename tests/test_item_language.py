"""An item says the language of the words it takes from its reports (docs/digest-json.md,
``language``), so the HTML digest and the web pages can mark them (WCAG 3.1.2)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mediadigest.model import Article, Grade, Hit, Relevance, Story
from mediadigest.profile import load_profile
from mediadigest.write.compose import compose_story
from mediadigest.write.render.json import item_to_dict


@pytest.fixture(scope="module")
def profile():
    return load_profile("kazakhstan")


def _art(aid: int, title: str, text: str, language: str | None) -> Article:
    rel = Relevance(6.0, Grade.SUBJECT, True, [Hit("Kazakhstan", "Kazakhstan", "country", "body")])
    return Article(
        url=f"https://news{aid}.example/a",
        canonical_url=f"https://news{aid}.example/a",
        content_hash=f"h{aid}",
        title=title,
        text=text,
        outlet="Vremya",
        outlet_country="KZ",
        published=datetime(2025, 12, 16, 9, tzinfo=UTC),
        language=language,
        relevance=rel,
        id=aid,
    )


RUSSIAN = _art(
    1,
    "Казахстан увеличил экспорт зерна через Каспий",
    "Казахстан отправил рекордные объемы пшеницы через порт Актау в декабре, сообщили "
    "операторы порта. Экспорт идет в Турцию и Иран, а очередь судов в порту растет.",
    "ru",
)
ENGLISH = _art(
    2,
    "Kazakhstan ships record grain across the Caspian",
    "Kazakhstan shipped a record volume of wheat through the port of Aktau in December, "
    "port operators said. The exports go to Turkey and Iran, and the queue of ships grows.",
    "en",
)


def test_an_item_of_a_russian_report_is_in_russian(profile):
    item = compose_story(Story(1, RUSSIAN.title, [RUSSIAN]), profile)
    assert item.language == "ru"
    assert item_to_dict(item)["language"] == "ru"


def test_an_item_of_an_english_report_is_in_english(profile):
    assert compose_story(Story(2, ENGLISH.title, [ENGLISH]), profile).language == "en"


def test_an_item_of_a_report_in_no_known_language_says_none(profile):
    unknown = _art(3, "Казахстан и зерно", RUSSIAN.text, None)
    assert compose_story(Story(3, unknown.title, [unknown]), profile).language is None
