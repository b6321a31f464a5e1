"""Articles in many languages (the language walk): a date line before the first paragraph
is not the lead; Chinese, Japanese and Korean dates on a page date it; a JSON Lines record's
``lang`` is stored as detection gives it; a page's declared language settles a close call."""

from __future__ import annotations

import pytest

from mediadigest.analyse import relevance
from mediadigest.model import is_date_line, lead_of
from mediadigest.profile import Profile, load_profile

JA_PARAS = (
    "カザフスタンは18日、中国向けの天然ガス輸出を来年から倍増させる方針を明らかにした。"
    "エネルギー省が発表した。",
    "同省によると、輸出量は年間100億立方メートルに達する見通しだ。中国側は長期契約の締結を"
    "求めている。",
    "専門家は、中央アジアのエネルギー市場で中国の存在感が一段と高まると指摘している。"
    "輸送インフラの整備も急務だ。",
)


@pytest.fixture(scope="module")
def profile() -> Profile:
    return load_profile("kazakhstan")


@pytest.mark.parametrize(
    "line",
    [
        "2026年11月18日",
        "2026年11月18日 14:30",
        "2026年11月18日（水）",
        "2026년 11월 18일",
        "18.11.2026",
        "١٨/١١/٢٠٢٦",
        "18 November 2026",
        "Wednesday, 18 November 2026, 14:30 GMT",
        "Nov. 18, 2026",
        "18 ноября 2026 г.",
    ],
)
def test_a_date_line_is_not_the_lead(line: str) -> None:
    assert is_date_line(line)
    assert lead_of(f"{line}\nTokayev met Xi in Astana.\nMore.") == "Tokayev met Xi in Astana."


@pytest.mark.parametrize(
    "first", ["Tokayev won in 2026.", "Astana, 18 November", "2026", "Kazakhstan 2026 budget"]
)
def test_a_short_first_sentence_stays_the_lead(first: str) -> None:
    assert not is_date_line(first)
    assert lead_of(f"{first}\nThe second paragraph.") == first


def test_a_text_of_a_date_alone_keeps_it_as_lead() -> None:
    assert lead_of("\n2026年11月18日\n") == "2026年11月18日"


def test_a_japanese_date_line_does_not_hide_the_lead_from_relevance(profile: Profile) -> None:
    text = "\n".join(JA_PARAS)
    dated = relevance.score(
        f"2026年11月18日\n{text}", profile, title="中央アジアの天然ガス輸出が拡大"
    )
    plain = relevance.score(text, profile, title="中央アジアの天然ガス輸出が拡大")
    assert dated.score == plain.score
    assert dated.relevant
