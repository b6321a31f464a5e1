"""The review page's view of a story: headed by the report the digest tells it from."""

from __future__ import annotations

from datetime import UTC, datetime

from mediadigest.model import Article, Relevance, Story
from mediadigest.stories import rank
from mediadigest.web.stories import _view

_TEXT = "\n\n".join(
    [
        "KazMunayGas and TotalEnergies agreed on Monday to build a gas processing plant.",
        "The plant near Atyrau will process one billion cubic metres of gas a year.",
        "Officials in Astana said construction would begin in the spring.",
    ]
)


def test_a_story_is_headed_by_the_report_the_digest_tells_it_from():
    """Found in an editor-in-chief's walk: the review page headed the story with the earliest
    article, a Russian wire's headline, where the digest used Reuters' English one."""
    yes = Relevance(score=0.9, relevant=True)
    wire = Article(
        url="https://interfax.example/1", canonical_url="https://interfax.example/1",
        content_hash="a", id=1, language="ru",
        title="«КазМунайГаз» и TotalEnergies построят ГПЗ",
        text="«КазМунайГаз» и TotalEnergies построят газоперерабатывающий завод.",
        published=datetime(2026, 11, 16, 8, tzinfo=UTC), relevance=yes,
    )  # fmt: skip
    reuters = Article(
        url="https://reuters.example/2", canonical_url="https://reuters.example/2",
        content_hash="b", id=2, language="en",
        title="KazMunayGas, TotalEnergies to build gas plant", text=_TEXT,
        published=datetime(2026, 11, 16, 11, tzinfo=UTC), relevance=yes,
    )  # fmt: skip
    story = Story(7, wire.title, [wire, reuters])
    assert rank.lead_article(story.reports) is reuters
    view = _view(story)
    assert view.title == reuters.title
    assert [a.url for a in view.articles] == [reuters.url, wire.url]  # the title links to it
    assert view.language == "en"


def test_a_report_relevant_only_through_the_story_never_heads_it():
    """The digest tells no story from a via-story report (9adaad3); the review page headed
    the story with one, a fuller English report of another event, while the item's headline
    was the Russian report's."""
    yes = Relevance(score=0.9, relevant=True)
    tass = Article(
        url="https://tass.example/1", canonical_url="https://tass.example/1",
        content_hash="a", id=1, language="ru",
        title="Казахстан и TotalEnergies подписали газовое соглашение",
        text="Казахстан и TotalEnergies подписали газовое соглашение в Астане.",
        published=datetime(2026, 11, 16, 8, tzinfo=UTC), relevance=yes,
    )  # fmt: skip
    uzbek = Article(
        url="https://reuters.example/2", canonical_url="https://reuters.example/2",
        content_hash="b", id=2, language="en", title="Uzbekistan's gas imports from Russia rise",
        text=_TEXT, published=datetime(2026, 11, 16, 11, tzinfo=UTC),
        relevance=Relevance(score=0.5, relevant=True, via_story=7),
    )  # fmt: skip
    story = Story(7, tass.title, [tass, uzbek], via_story={2})
    view = _view(story)
    assert view.title == tass.title
    assert [a.url for a in view.articles] == [tass.url, uzbek.url]
