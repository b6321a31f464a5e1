"""The intro names a headline's language where the headline's script settles it.

From a walk with a Mongolia profile: two Chinese headlines without text were featured as if
in English (“蒙古国总统访问北京”, no "(in Chinese)") ahead of English ones, and an article in
Chinese too short for the language detector was "reported" in no language.
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
