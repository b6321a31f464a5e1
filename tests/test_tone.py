"""Tone: a lexicon score from -1 to +1, with the terms that set it."""

from __future__ import annotations

from mediadigest.analyse import tone


def test_cooperative_text_is_positive():
    value, _ = tone.score("The talks were constructive and cordial, deepening the friendship.")
    assert value > 0.5


def test_unrest_is_negative():
    value, _ = tone.score("Protests turned into unrest; dozens were killed and arrested.")
    assert value < -0.5


def test_negation_flips_a_term():
    assert tone.score("The situation is stable.")[0] > 0
    assert tone.score("The situation is not stable.")[0] < 0


def test_no_lexicon_word_gives_no_tone():
    assert tone.score("Markets were open on Tuesday.") == (None, [])


def test_russian_inflected_words_count():
    value, terms = tone.score("Стороны договорились о сотрудничестве и дружбе.")
    assert value > 0 and "+сотрудничеств ×1" in terms


def test_title_counts_with_the_text():
    assert tone.score("Officials met.", title="Crisis deepens")[0] < 0


def test_score_stays_inside_minus_one_to_one_for_a_huge_text():
    value, _ = tone.score("success " * 100_000)
    assert 0 < value <= 1


def test_terms_explain_the_score_strongest_first():
    _, terms = tone.score("A crisis, a crisis and a success.")
    assert terms[0] == "-crisis ×2"
