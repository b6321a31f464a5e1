"""Articles in many languages (the language walk): a date line before the first paragraph
is not the lead; Chinese, Japanese and Korean dates on a page date it; a JSON Lines record's
``lang`` is stored as detection gives it; a page's declared language settles a close call."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mediadigest.analyse import analyse, language, relevance
from mediadigest.model import Article, Document, is_date_line, lead_of
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


FETCHED = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def _page(body: str, lang: str = "ja", head: str = "") -> bytes:
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>中央アジアの天然ガス輸出が拡大</title>{head}</head><body><article>"
        f"<h1>中央アジアの天然ガス輸出が拡大</h1>{body}"
        + "".join(f"<p>{p}</p>" for p in JA_PARAS)
        + "</article></body></html>"
    ).encode()


def _analyse(body: bytes, profile: Profile, **hints: str) -> Article:
    ctype = "text/html; charset=utf-8" if body.startswith(b"<!") else "text/plain; charset=utf-8"
    (article,) = analyse(Document("https://news.example/a1", body, FETCHED, ctype, hints), profile)
    return article


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("2026年11月18日", datetime(2026, 11, 18)),
        ("2026年11月18日（水）14:30", datetime(2026, 11, 18, 14, 30)),
        ("2026년 11월 18일", datetime(2026, 11, 18)),
        ("2026年2月30日 2026年11月17日", datetime(2026, 11, 17)),  # no such day: the next
    ],
)
def test_an_east_asian_date_on_a_page_dates_it(
    line: str, expected: datetime, profile: Profile
) -> None:
    article = _analyse(_page(f'<div class="date">{line}</div>'), profile)
    assert article.published == expected


def test_an_east_asian_date_after_the_fetch_does_not_date_a_page(profile: Profile) -> None:
    article = _analyse(_page('<div class="date">2031年11月18日</div>'), profile)
    assert article.published is None


@pytest.mark.parametrize(("given", "stored"), [("JA", "ja"), ("zh-Hant", "zh"), ("ja_JP", "ja")])
def test_a_records_lang_is_stored_as_detection_gives_it(
    given: str, stored: str, profile: Profile
) -> None:
    article = _analyse("\n".join(JA_PARAS).encode(), profile, lang=given)
    assert article.language == stored
    assert not any("lang" in w for w in article.warnings)


def test_a_records_lang_that_is_no_language_is_detected(profile: Profile) -> None:
    article = _analyse("\n".join(JA_PARAS).encode(), profile, lang="kz")
    assert article.language == "ja"
    assert any("lang 'kz' is not a language code" in w for w in article.warnings)


def test_normalise_code() -> None:
    assert [language.normalise_code(v) for v in ("KK", "pt-BR", "iw", "kz", "und")] == [
        "kk",
        "pt",
        "he",
        None,
        None,
    ]


def test_three_letter_codes_and_english_names_are_languages() -> None:
    # Archives and library feeds write ISO 639-2/3 codes, some feeds a language's name.
    values = ("kaz", "RUS", "ger", "fre", "chi", "eng-GB", "English", "persian", "Kazakh")
    assert [language.normalise_code(v) for v in values] == [
        "kk", "ru", "de", "fr", "zh", "en", "en", "fa", "kk"
    ]  # fmt: skip


def test_a_records_three_letter_lang_is_taken(profile: Profile) -> None:
    article = _analyse("\n".join(JA_PARAS).encode(), profile, lang="jpn")
    assert article.language == "ja"
    assert not any("lang" in w for w in article.warnings)


KK_LATIN = (
    "Qazaqstannyń Atyraý oblysynda Jaıyq ózeniniń arnasynan asýy saldarynan 3 myńnan astam "
    "turǵyn evakýatsııalandy, dep habarlady Tótenshe jaǵdaılar mınıstrligi. «Jaǵdaı "
    "baqylaýda, barlyq evakýatsııalanǵan adamdar ýaqytsha baspanamen qamtamasyz etildi», — "
    "dedi mınıstr Shyńǵys Árinov."
)
TK = (
    "Türkmenistanyň Prezidenti Aşgabatda Gazagystanyň premýer-ministri bilen duşuşdy. "
    "Taraplar energetika we ulag ulgamyndaky hyzmatdaşlygy ara alyp maslahatlaşdylar."
)
UK = (
    "Президент України Володимир Зеленський провів зустріч з прем'єр-міністром Казахстану в "
    "Астані. Сторони обговорили співпрацю в енергетиці та транспорті."
)
RU = (
    "Президент Казахстана Касым-Жомарт Токаев провёл встречу с премьер-министром Китая в "
    "Астане. Стороны обсудили сотрудничество в энергетике и транспорте."
)


@pytest.mark.parametrize(
    ("text", "declared", "expected"),
    [
        (KK_LATIN, None, "tk"),  # the model knows Kazakh in Cyrillic only
        (KK_LATIN, "kk", "kk"),  # a close relative the model is unsure of: the page says
        (KK_LATIN, "kk-Latn", "kk"),
        (TK, "kk", "tk"),  # Turkmen, sure: a site's default is not enough
        (UK, "ru", "uk"),
        (RU, "en", "ru"),  # a site-wide lang="en" on a Russian article
        (RU, "kk", "ru"),  # not a relative
        (KK_LATIN, "xx", "tk"),  # no language
    ],
)
def test_a_declared_language_settles_a_close_call(
    text: str, declared: str | None, expected: str
) -> None:
    assert language.detect(text, declared) == expected


def test_a_pages_declared_language_is_used(profile: Profile) -> None:
    html = (
        '<!DOCTYPE html><html lang="kk"><head><meta charset="utf-8"><title>Atyraý '
        "oblysynda sý tasqyny</title></head><body><article><h1>Atyraý oblysynda sý tasqyny"
        f"</h1><p>{KK_LATIN}</p></article></body></html>"
    )
    assert _analyse(html.encode(), profile).language == "kk"
    assert _analyse(html.replace('lang="kk"', 'lang="en"').encode(), profile).language == "tk"
