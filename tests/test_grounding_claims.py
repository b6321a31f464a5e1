"""A rewrite keeps who made a claim the source reports, and repeats neither the attribution
line nor the first sentence it runs on into (walk h32, repro-3: "The government rigged the
city council vote in Almaty" passed for "Opposition activist Zhanbolat Mamay said … that the
government had rigged the city council vote in Almaty")."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from http_support import serving
from mediadigest.write import grounding
from mediadigest.write.llm import rewrite
from test_llm import _config, _item_of, _Server

CLAIM = (
    "Opposition activist Zhanbolat Mamay said on Wednesday that the government had rigged the "
    "city council vote in Almaty, a claim officials in Astana denied."
)
RALLY = "Mamay said his supporters would hold a rally in Almaty next week, Kazakh media reported."
RAIL = (
    "Kazakhstan opened a new rail link to China on Tuesday, the Kazakh transport ministry said "
    "in Astana."
)
RAIL_ATTRIBUTION = f"Example News reported on Dec. 16 that {RAIL}"


@pytest.fixture
def chat() -> Iterator[_Server]:
    with serving(_Server()) as server:
        yield server


@pytest.mark.parametrize(
    ("source", "stated"),
    [
        (CLAIM, "The government rigged the city council vote in Almaty on Wednesday."),
        (
            "He said on Wednesday that the government had rigged the city council vote in Almaty.",
            "The government had rigged the city council vote in Almaty.",
        ),
        (
            "Tokayev met Xi Jinping in Astana on Tuesday, Ruslan Zheldibay said on Wednesday.",
            "Tokayev met Xi Jinping in Astana on Tuesday.",
        ),
        (
            "Human Rights Watch said the police had beaten detainees in Almaty in January.",
            "The police beat detainees in Almaty in January.",
        ),
        (
            "Оппозиционер Жанболат Мамай заявил, что власти сфальсифицировали выборы в Алматы.",
            "Власти сфальсифицировали выборы в Алматы.",
        ),
    ],
)
def test_a_claim_stated_as_fact_without_its_speaker_is_refused(source: str, stated: str):
    found = grounding.problems(stated, [source])
    assert len(found) == 1 and "the claim without who made it" in found[0], found


def test_the_refusal_names_who_made_the_claim():
    stated = "The government rigged the city council vote in Almaty on Wednesday."
    assert grounding.problems(stated, [CLAIM]) == [
        "sentence 1: the claim without who made it, Zhanbolat Mamay"
    ]


@pytest.mark.parametrize(
    "kept",
    [
        "Zhanbolat Mamay said the government had rigged the city council vote in Almaty.",
        "Mamay said the government had rigged the city council vote in Almaty on Wednesday.",
        "The government had rigged the city council vote in Almaty, according to Mamay.",
        "The government had rigged the city council vote in Almaty, an opposition activist said.",
        "The government allegedly rigged the city council vote in Almaty, officials denied it.",
    ],
)
def test_a_claim_that_keeps_its_speaker_or_a_reporting_verb_is_supported(kept: str):
    assert grounding.problems(kept, [CLAIM]) == []


@pytest.mark.parametrize(
    ("source", "rewritten"),
    [
        # Nobody named: the company's own figures, port officials' statistics.
        (
            "Kazatomprom will produce about 10 percent less uranium in 2026, the company said "
            "on Tuesday.",
            "Kazatomprom will produce about 10 percent less uranium in 2026.",
        ),
        (
            "Kazakhstan shipped a record 1.4 million tonnes of wheat across the Caspian Sea this "
            "year, port officials in Aktau said on Friday.",
            "Kazakhstan shipped a record 1.4 million tonnes of wheat across the Caspian this year.",
        ),
        (RAIL, "Kazakhstan opened a new rail link to China on Tuesday."),
        # The speaker's name in another role of the sentence keeps him in it.
        (RALLY, "Mamay's supporters will hold a rally in Almaty next week."),
        # Another part of the sentence than what the speaker said.
        (
            "Tokayev met Xi Jinping in Astana on Tuesday, and his spokesman Ruslan Zheldibay "
            "said the talks had gone well.",
            "Tokayev met Xi Jinping in Astana on Tuesday.",
        ),
    ],
)
def test_a_rewrite_of_an_unnamed_or_kept_speaker_s_statement_is_supported(
    source: str, rewritten: str
):
    assert grounding.problems(rewritten, [source]) == []


def test_the_outlet_credits_a_claim_as_its_speaker_would():
    attribution = "Steppe Wire reported on Dec. 17."
    stated = "Steppe Wire had the government rigging the city council vote in Almaty."
    sources = [attribution, CLAIM]
    assert grounding.problems(stated, sources, credits=["Steppe Wire"]) == []
    assert grounding.problems(stated, sources) == [
        "sentence 1: the claim without who made it, Zhanbolat Mamay"
    ]


@pytest.mark.parametrize(
    "repeat",
    [
        "Kazakhstan opened a new rail link to China on Tuesday.",
        RAIL,
        RAIL_ATTRIBUTION,
    ],
    ids=["up-to-a-comma", "the-sentence-run-on-into", "the-whole-line"],
)
def test_the_attribution_line_and_its_sentence_again_are_refused(repeat: str):
    said = f"{repeat} The line will carry 5 million tonnes of freight a year."
    sources = [
        RAIL_ATTRIBUTION,
        "The line from Almaty to the Chinese border will carry 5 million tonnes of freight a "
        "year, the ministry said.",
    ]
    assert grounding.problems(said, sources, attribution=RAIL_ATTRIBUTION) == [
        "sentence 1: the attribution line again"
    ]


def test_a_rewrite_of_the_attribution_s_sentence_in_other_words_is_not_a_repeat():
    said = "The Kazakh transport ministry said a new rail link to China opened on Tuesday."
    assert grounding.problems(said, [RAIL_ATTRIBUTION], attribution=RAIL_ATTRIBUTION) == []


def test_an_item_whose_rewrite_drops_the_claimant_keeps_the_extractive_text(chat: _Server):
    digest, arts = _item_of([CLAIM, RALLY])
    chat.mode = "content"
    chat.content = (
        "The government rigged the city council vote in Almaty on Wednesday. "
        "Mamay's supporters will hold a rally in Almaty next week."
    )
    out = rewrite(digest, arts, _config(chat))
    assert out.items[0].summary == [CLAIM, RALLY] and out.items[0].written_by == "extractive"
    assert out.notes[0] == (
        "item 1: kept the extractive text (not supported by the sources: sentence 1: the "
        "claim without who made it, Zhanbolat Mamay)"
    )


def test_an_item_whose_rewrite_repeats_the_attribution_s_sentence_keeps_the_extractive_text(
    chat: _Server,
):
    digest, arts = _item_of([RAIL])
    digest.items[0] = replace(digest.items[0], attribution=RAIL_ATTRIBUTION)
    chat.mode = "content"
    chat.content = "Kazakhstan opened a new rail link to China on Tuesday."
    out = rewrite(digest, arts, _config(chat))
    assert out.items[0].written_by == "extractive"
    assert "sentence 1: the attribution line again" in out.notes[0]
