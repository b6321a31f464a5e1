"""The intro in other languages and scripts, its themes; a quote found whatever its letters.

From a walk with a Mongolia profile: two Chinese headlines without text were featured as if
in English (“蒙古国总统访问北京”, no "(in Chinese)") ahead of English ones, and an article in
Chinese too short for the language detector was "reported" in no language. The house style's
intro names the week's themes; ours named only headlines. And from the review: a quote with
letters casefolding changes (ß, İ) was not found in the report that repeats it.
"""

from __future__ import annotations

from datetime import date

import pytest

from mediadigest.model import DigestItem
from mediadigest.profile import load_profile
from mediadigest.write.compose import intro

WEEK = (date(2025, 12, 15), date(2025, 12, 21))


@pytest.fixture(scope="module")
def profile():
    return load_profile("kazakhstan")


def _item(headline: str, summary: list[str]) -> DigestItem:
    return DigestItem(headline, "Daily", None, None, None, summary, None, "Daily reported.")


def test_a_chinese_headline_without_text_is_named_as_chinese(profile):
    zh = _item("哈萨克斯坦总统会见中国外交部长", [])
    en = _item("Kazakhstan opens a wind farm", ["Kazakhstan opened a wind farm on Monday."])
    other = _item("Kazakhstan signs a grain deal", ["Kazakhstan signed a grain deal."])
    text = intro([zh, en, other], profile, *WEEK)
    # Two English headlines are enough: the Chinese one is not featured as English.
    assert text.endswith(
        "features “Kazakhstan opens a wind farm” and “Kazakhstan signs a grain deal”."
    )
    alone = intro([zh, en], profile, *WEEK)
    assert "“哈萨克斯坦总统会见中国外交部长” (in Chinese)" in alone


def test_a_japanese_headline_with_kanji_and_kana_stays_japanese(profile):
    ja = _item("カザフスタン大統領が日本の外相と会談", [])
    en = _item("Kazakhstan opens a wind farm", ["Kazakhstan opened a wind farm on Monday."])
    assert "“カザフスタン大統領が日本の外相と会談” (in Japanese)" in intro([ja, en], profile, *WEEK)


def test_the_intro_names_the_weeks_themes_most_common_first(profile):
    """The house style's intro names the week's themes; ours named only headlines."""
    items = [
        DigestItem(f"Headline {i}", "Daily", None, None, None, [], None, "", themes=themes)
        for i, themes in enumerate(
            [["transport"], ["education", "diplomacy"], ["ai_digital", "diplomacy"], []]
        )
    ]
    text = intro(items, profile, *WEEK)
    assert text.endswith("Its stories cover diplomacy, transport, education and AI.")
    assert "Its stories cover" not in intro(items[3:], profile, *WEEK)


def test_a_label_in_a_sentence_keeps_its_capitals(profile):
    from mediadigest.write import style

    assert style.theme_label(profile, "ai_digital") == "AI and digital"
    assert style.theme_label(profile, "energy") == "energy and resources"
    assert style.theme_head(profile, "economy") == "economy"


@pytest.mark.parametrize(
    ("quote", "text"),
    [
        (
            "Wir haben große Pläne für 2030",
            "Er sagte: Wir haben große Pläne für 2030. Dann ging er.",
        ),
        (
            "Wir haben große Pläne für 2030",
            "Er sagte: WIR HABEN GROSSE PLÄNE FÜR 2030. Dann ging er.",
        ),
        ("İstanbul will host the summit in June", "He said İstanbul will host the summit in June."),
    ],
)
def test_a_quote_with_letters_casefolding_changes_is_found_in_its_text(quote, text):
    """The review: casefolded, "große" was "grosse" and "İstanbul" "i̇stanbul", so a German
    or Turkish report's sentence repeating the quote stayed in the summary."""
    from mediadigest.model import Article, Relevance
    from mediadigest.write import attribute

    art = Article(url="u", canonical_url="u", content_hash="h", title="t", text=text,
                  relevance=Relevance())  # fmt: skip
    assert len(attribute.quote_spans(quote, art)) == 1
