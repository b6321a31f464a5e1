"""What the LLM writer refuses in an answer that reads as grounded prose: chatter before it,
characters lost to an encoding or hidden, a quotation around the whole item, repeats of a
sentence, the attribution or the headline, and an intro that drops the period or calls the
outlets domestic; a reasoning model's thoughts are taken off first (walk w31). An item whose
answer is refused keeps its extractive text, with a note saying why."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from http_support import serving
from mediadigest.write import grounding
from mediadigest.write.llm import rewrite
from mediadigest.write.llm_answer import prose
from test_llm import GOOD_INTRO, GROUNDED, SOURCE, WEEK_INTRO, _config, _digest, _Server
from test_llm import _three_stories as three_stories


@pytest.fixture
def chat() -> Iterator[_Server]:
    with serving(_Server()) as server:
        yield server


def _kept(chat: _Server, answer: str) -> str:
    """The note of an item whose answer was refused (and its extractive text kept)."""
    digest, arts = _digest()
    chat.mode, chat.content = "content", answer
    out = rewrite(digest, arts, _config(chat))
    assert out.items[0].summary == [SOURCE], out.notes
    assert out.items[0].written_by == "extractive" and out.writer == "extractive"
    return out.notes[0]


@pytest.mark.parametrize(
    "preamble",
    [
        "Here is the summary: ",
        "Here’s the rewrite: ",
        "In short, ",
        "Sure! Here is the rewritten item: ",
        "Summary of the article: ",
        "Rewrite: ",
    ],
)
def test_an_answer_opening_with_a_preamble_keeps_the_extractive_text(chat: _Server, preamble: str):
    note = _kept(chat, preamble + GROUNDED)
    assert (
        note == "item 1: kept the extractive text (the answer opens with a preamble, not the item)"
    )


def test_an_intro_opening_with_a_preamble_keeps_the_extractive_intro(chat: _Server):
    digest = three_stories(chat)
    chat.intro = "Here is the opening paragraph: " + GOOD_INTRO
    out = rewrite(digest, {}, _config(chat))
    assert out.intro == WEEK_INTRO
    assert (
        out.notes[-1]
        == "intro: kept the extractive text (the answer opens with a preamble, not the item)"
    )


@pytest.mark.parametrize(
    "answer",
    [
        GROUNDED.replace("10 percent", "10 percent\ufffd"),
        GROUNDED.replace("uranium ", "uranium\x00 "),
        GROUNDED.replace("uranium ", "uranium \x85"),
        GROUNDED.replace("less ", "less \u202e"),
        GROUNDED.replace("less ", "less \u2067"),
    ],
    ids=["U+FFFD", "NUL", "NEL", "RLO", "RLI"],
)
def test_replacement_control_and_bidi_characters_keep_the_extractive_text(
    chat: _Server, answer: str
):
    assert "control, bidirectional or replacement characters" in _kept(chat, answer)


@pytest.mark.parametrize(
    "answer",
    [
        GROUNDED.replace("The company blamed", "Kazatomprom?s company blamed"),
        GROUNDED.replace("in 2026", "in 2025?2026"),
    ],
)
def test_a_question_mark_inside_a_word_is_a_lost_character(chat: _Server, answer: str):
    assert "a '?' inside a word" in _kept(chat, answer)


@pytest.mark.parametrize(
    "answer", [f"“{GROUNDED}”", f'"{GROUNDED}"', f"«{GROUNDED}»", f"“{GROUNDED}"]
)
def test_an_answer_in_quotation_marks_across_sentences_keeps_the_extractive_text(
    chat: _Server, answer: str
):
    assert "a quotation spans sentences or is not closed" in _kept(chat, answer)


def test_a_repeated_sentence_keeps_the_extractive_text(chat: _Server):
    repeated = GROUNDED + " The company blamed shortages of sulphuric acid."
    assert "the answer repeats a sentence" in _kept(chat, repeated)


def test_the_attribution_line_in_the_answer_keeps_the_extractive_text(chat: _Server):
    answer = "The Times of Central Asia reported on Dec. 16. " + GROUNDED
    assert "the answer repeats the attribution line" in _kept(chat, answer)


def test_the_headline_given_back_as_a_sentence_keeps_the_extractive_text(chat: _Server):
    note = _kept(chat, "Kazatomprom cuts output. " + GROUNDED)
    assert "sentence 1: the headline again" in note


def test_a_headline_given_back_without_its_label_is_the_headline_again():
    headline = "Brief: Kazatomprom cuts output"
    found = grounding.problems("Kazatomprom cuts output. " + GROUNDED, [headline, SOURCE])
    assert found == ["sentence 1: the headline again"]


def test_an_attribution_like_sentence_of_the_story_is_prose():
    answer = {
        "choices": [{"message": {"content": "The government published a decree on tariffs."}}]
    }
    assert prose(answer, 4, 900) == "The government published a decree on tariffs."


def test_a_quote_closed_in_its_sentence_and_a_colon_are_prose():
    text = "The company said: output will fall. It called the cut “painful but needed”."
    assert prose({"choices": [{"message": {"content": text}}]}, 4, 900) == text


@pytest.mark.parametrize("tag", ["think", "thinking", "reasoning"])
def test_a_reasoning_model_s_thoughts_are_taken_off_the_answer(chat: _Server, tag: str):
    digest, arts = _digest()
    chat.mode = "content"
    chat.content = f"<{tag}>The user wants a <b>rewrite</b>.\nKeep facts.</{tag}>\n\n{GROUNDED}"
    out = rewrite(digest, arts, _config(chat))
    assert " ".join(out.items[0].summary) == GROUNDED, out.notes
    assert out.items[0].written_by == "llm"


def test_thoughts_after_the_answer_are_still_markup(chat: _Server):
    assert "markup or links" in _kept(chat, f"{GROUNDED} <think>done</think>")


def test_a_sentence_without_words_is_checked_not_a_crash():
    assert grounding.problems("2026.", [SOURCE]) == []
    assert grounding.problems("2027.", [SOURCE]) == ["sentence 1: “2027”"]


@pytest.mark.parametrize(
    ("rewritten", "why"),
    [
        (
            GOOD_INTRO.replace("for Dec. 15–21, 2025", "last month"),
            "it does not give the period, Dec. 15–21, 2025, as the extractive intro does",
        ),
        (
            GOOD_INTRO.replace("for Dec. 15–21, 2025", "for Dec. 15, 2025"),
            "it does not give the period, Dec. 15–21, 2025, as the extractive intro does",
        ),
        (
            GOOD_INTRO.replace("2 international media", "2 domestic media"),
            "it says 'domestic', which the extractive intro does not",
        ),
    ],
)
def test_an_intro_that_drops_the_period_or_says_domestic_is_not_used(
    chat: _Server, rewritten: str, why: str
):
    digest = three_stories(chat)
    chat.intro = rewritten
    out = rewrite(digest, {}, _config(chat))
    assert out.intro == WEEK_INTRO
    assert out.notes[-1] == f"intro: kept the extractive text ({why})"


def test_an_intro_may_write_the_period_its_own_way(chat: _Server):
    digest = three_stories(chat)
    chat.intro = GOOD_INTRO.replace("for Dec. 15–21, 2025", "from Dec. 15 to 21, 2025")
    assert rewrite(digest, {}, _config(chat)).intro == chat.intro
