"""A walk with reports in many languages and scripts: Turkish "kazak", quotes in Chinese and
Japanese marks, bylines in scripts without capitals, right-to-left text in the e-mail HTML."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest

from mediadigest.analyse import quotes, relevance
from mediadigest.model import Digest, DigestItem, Quote
from mediadigest.profile import Profile, load_profile
from mediadigest.write import byline
from mediadigest.write.render import Format, render


@pytest.fixture(scope="module")
def profile() -> Profile:
    return load_profile("kazakhstan")


# --- Turkish "Kazak": Kazakh, and a sweater ---------------------------------------------------

FASHION_TITLE = "İstanbul'da kış modası: bu sezonun kazak modelleri"
FASHION = (
    "İstanbul'da düzenlenen moda haftasında bu kışın en popüler kazak modelleri tanıtıldı. "
    "Tasarımcılar yün kazak ve balıkçı yaka kazak modellerini öne çıkardı.\n"
    "Moda eleştirmeni Ayşe Yılmaz, “Bu yıl kalın örgü kazak herkesin dolabında olacak” dedi.\n"
    "Istanbul ve İzmir'deki mağazalarda satışlar yüzde 20 arttı."
)


def test_a_turkish_fashion_piece_about_sweaters_is_not_relevant(profile):
    """A walk: five "kazak" (sweater) at the Kazakh adjective's 40% scored 2.2 >= 2."""
    rel = relevance.score(FASHION, profile, title=FASHION_TITLE)
    assert not rel.relevant
    assert rel.score < 1


def test_turkish_kazak_alone_is_explained_as_also_a_sweater(profile):
    rel = relevance.score(FASHION, profile, title=FASHION_TITLE)
    why = " ".join(rel.reasons)
    assert "sweater" in why
    assert "also names the language" not in why


def test_a_turkish_report_on_kazakhstan_counts_kazak_in_full(profile):
    title = "Kazakistan ve Çin, Astana'da doğalgaz boru hattı anlaşması imzaladı"
    text = (
        "Kazakistan Cumhurbaşkanı Kasım Cömert Tokayev ile Çin Başbakanı Li Çiang, Astana'da "
        "boru hattının inşasına ilişkin anlaşmayı imzaladı.\nKazak Enerji Bakanı inşaatın "
        "2027 baharında başlayacağını söyledi."
    )
    rel = relevance.score(text, profile, title=title)
    assert rel.relevant
    assert any(h.alias == "Kazak" for h in rel.hits)
    assert not any("counted at" in r for r in rel.reasons)


def test_a_turkish_report_naming_only_kazak_people_and_tokayev_is_relevant(profile):
    text = "Kazak lider Tokayev, Ankara'da Kazak ve Türk iş insanlarıyla görüştü."
    rel = relevance.score(text, profile, title="Tokayev Ankara'da")
    assert rel.relevant


# --- bylines in scripts without capital letters -----------------------------------------------


@pytest.mark.parametrize(
    ("author", "expected"),
    [
        ("田中一郎 and 佐藤花子", "田中一郎 and 佐藤花子"),  # Japanese
        ("田中一郎、佐藤花子", "田中一郎 and 佐藤花子"),  # listed with the ideographic comma
        ("مریم احمدی", "مریم احمدی"),  # Persian
        ("أحمد علي", "أحمد علي"),  # Arabic
        ("بقلم أحمد علي", "أحمد علي"),  # Arabic: "by Ahmed Ali"
        ("김민수", "김민수"),  # Korean
        ("김민수 기자", "김민수"),  # Korean: "Kim Min-su, reporter"
        ("记者 张三", "张三"),  # Chinese: "reporter Zhang San"
        ("文在寅", "文在寅"),  # Moon Jae-in: "文" leads in ("text:") only before its slash
        ("ウラジーミル・プーチン", "ウラジーミル・プーチン"),  # a foreign name in katakana
        ("מרים כהן", "מרים כהן"),  # Hebrew
    ],
)
def test_a_byline_in_a_script_without_capitals_names_its_people(author, expected):
    """A walk: these bylines gave no "by" at all, as no word of them was capitalised."""
    assert byline.clean(author) == expected


@pytest.mark.parametrize(
    "author",
    [
        "新华社",
        "新华社记者",
        "编辑部",
        "기자",
        "연합뉴스",
        "محرر",
        "فريق التحرير",
        "خبرگزاری ایرنا",
    ],
)
def test_a_desk_or_agency_in_a_script_without_capitals_is_no_person(author):
    assert byline.clean(author) is None


def test_an_outlet_signing_in_arabic_is_no_person():
    assert byline.clean("الجزيرة", "الجزيرة نت") is None


# --- quotes in Chinese and Japanese marks; names between dashes ---------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            "托卡耶夫在会谈后的记者会上表示：“这项协议将为两国能源合作翻开新的一页。”",
            "这项协议将为两国能源合作翻开新的一页。",
        ),
        (
            "トカエフ大統領は会談後の記者会見で「この協定は両国のエネルギー協力に新たな"
            "ページを開くものだ」と述べた。",
            "この協定は両国のエネルギー協力に新たなページを開くものだ",
        ),
    ],
)
def test_a_quote_written_without_spaces_is_found(text, words):
    """A walk: a Chinese or Japanese sentence has no spaces, so it was one "word", short of
    the four a quote needs, and no quote in either language was ever found."""
    assert [q.text for q in quotes.find_quotes(text)] == [words]


@pytest.mark.parametrize("term", ["“一带一路”", "「一帯一路」"])
def test_a_short_term_in_chinese_or_japanese_marks_is_no_quote(term):
    assert quotes.find_quotes(f"中国提出{term}倡议。") == []


@pytest.mark.parametrize(
    "text",
    [
        "Келісім «Бейнеу — Шымкент — Қытай» газ құбырының үшінші желісі туралы.",
        "Соглашение о третьей нитке газопровода «Бейнеу — Шымкент — Китай» подписано.",
        "The “Beineu – Bozoi – Shymkent” pipeline carries gas south.",
        "签署了关于建设“别伊涅乌—奇姆肯特—中国”天然气管道第三条线的协议。",
    ],
)
def test_a_pipelines_name_in_quotation_marks_is_no_quote(text):
    """A walk: the pipeline «Бейнеу — Шымкент — Китай» was the item's quote."""
    assert quotes.find_quotes(text) == []


def test_a_quote_with_a_dash_in_it_is_still_a_quote():
    text = "Tokayev said: “Astana — and all of Kazakhstan — welcomes this agreement.”"
    assert [q.text for q in quotes.find_quotes(text)] == [
        "Astana — and all of Kazakhstan — welcomes this agreement."
    ]


# --- right-to-left text in the e-mail HTML ------------------------------------------------------

AR_HEADLINE = "كازاخستان والصين توقعان اتفاقية خط أنابيب الغاز في أستانا"
AR_FIRST = "وقع رئيس كازاخستان ورئيس مجلس الدولة الصيني في أستانا اتفاقية لبناء خط الغاز."
AR_SECOND = "وقال وزير الطاقة إن أعمال البناء ستبدأ في ربيع عام 2027."
AR_CREDITED = "وتبلغ تكلفة المشروع 4 مليارات دولار."
AR_OUTLET = "الجزيرة نت"


def _arabic(**change) -> Digest:
    item = DigestItem(
        headline=AR_HEADLINE,
        outlet=AR_OUTLET,
        outlet_country="QA",
        published=date(2026, 11, 18),
        author=None,
        summary=[AR_FIRST, AR_SECOND, AR_CREDITED],
        quote=Quote("هذه الاتفاقية ستفتح صفحة جديدة في التعاون", "Kassym-Jomart Tokayev", 0, 0),
        attribution=f"{AR_OUTLET} reported in Arabic on Nov. 18.",
        sources=[
            {"outlet": AR_OUTLET, "url": "https://aljazeera.example/a"},
            {"outlet": "Reuters", "url": "https://reuters.example/b"},
        ],
        language="ar",
    )
    for key, value in change.items():
        setattr(item, key, value)
    intro = (
        f"This week: “{AR_HEADLINE}” (in Arabic), reported by {AR_OUTLET}. "
        f"{AR_OUTLET} also ran a map."
    )
    return Digest(date(2026, 11, 16), date(2026, 11, 22), intro, [item])


def _paragraphs(html: str) -> list[str]:
    """Each <p> and <h2>, its inline CSS left out."""
    found = re.finditer(r"<(p|h2)\b[^>]*>.*?</\1>", html)
    return [re.sub(r' style="[^"]*"', "", m.group()) for m in found]


def test_an_arabic_headline_is_marked_right_to_left():
    """A walk: Arabic and Persian headlines rendered left to right, their final punctuation
    at the wrong end."""
    html = render(_arabic(), Format.html)
    assert f'<h2 lang="ar" dir="rtl">{AR_HEADLINE}</h2>' in _paragraphs(html)


def test_an_arabic_outlet_opening_an_english_sentence_is_isolated():
    """A walk: "الجزيرة نت reported in Arabic on Nov. 18." read as a right-to-left sentence."""
    first = _paragraphs(render(_arabic(), Format.html))[2]
    assert first == (
        f'<p><span dir="auto">{AR_OUTLET}</span> reported in Arabic on Nov. 18. '
        f'<span lang="ar" dir="rtl">{AR_FIRST}</span></p>'
    )


def test_a_paragraph_only_of_arabic_sentences_reads_right_to_left():
    second = _paragraphs(render(_arabic(), Format.html))[3]
    assert second == (
        f'<p dir="rtl"><span lang="ar" dir="rtl">{AR_SECOND}</span> '
        f'<span lang="ar" dir="rtl">{AR_CREDITED}</span></p>'
    )


def test_an_english_credit_naming_an_arabic_outlet_stays_out_of_the_arabic_mark():
    credited = [AR_FIRST, AR_SECOND, f"{AR_OUTLET} reported on Nov. 19 that {AR_CREDITED}"]
    second = _paragraphs(render(_arabic(summary=credited), Format.html))[3]
    assert second == (
        f'<p><span lang="ar" dir="rtl">{AR_SECOND}</span> <span dir="auto">{AR_OUTLET}</span> '
        f'reported on Nov. 19 that <span lang="ar" dir="rtl">{AR_CREDITED}</span></p>'
    )


def test_the_arabic_quote_and_the_arabic_headline_in_the_intro_are_right_to_left():
    html = render(_arabic(), Format.html)
    assert '“<span lang="ar" dir="rtl">هذه الاتفاقية ستفتح صفحة جديدة في التعاون,</span>”' in html
    assert f'“<span lang="ar" dir="rtl">{AR_HEADLINE}</span>” (in Arabic)' in html
    intro = _paragraphs(html)[0]
    assert f'reported by <span dir="auto">{AR_OUTLET}</span>. ' in intro
    assert f'. <span dir="auto">{AR_OUTLET}</span> also ran a map.</p>' in intro


def test_an_arabic_source_link_is_isolated_from_the_commas_between_links():
    html = render(_arabic(), Format.html)
    assert f'"><span dir="auto">{AR_OUTLET}</span></a>, <a href="https://reuters.' in html


def test_arabic_letters_in_an_item_of_unknown_language_take_the_direction_of_their_first():
    html = render(_arabic(language=None), Format.html)
    assert f'<h2 dir="auto">{AR_HEADLINE}</h2>' in _paragraphs(html)


def test_right_to_left_marks_keep_the_e_mail_rules():
    html = render(_arabic(), Format.html)
    assert "<script" not in html and "<style" not in html and "<link" not in html
    assert "<bdi" not in html  # some mail clients drop elements they do not know
    assert all('style="' in p for p in re.findall(r"<(?:p|h2|a)\b[^>]*>", html))
    ET.fromstring(render(_arabic(), Format.atom))  # the Atom entry's content too


def test_a_left_to_right_digest_gets_no_direction():
    english = _arabic(
        headline="Kazakhstan and China sign a pipeline deal",
        outlet="Reuters",
        summary=["Kazakhstan and China signed a deal.", "Work starts in 2027."],
        quote=Quote("This agreement opens a new page", "Kassym-Jomart Tokayev", 0, 0),
        attribution="Reuters reported on Nov. 18.",
        sources=[{"outlet": "Reuters", "url": "https://reuters.example/b"}],
        language="en",
    )
    english.intro = "This week: a pipeline."
    assert " dir=" not in render(english, Format.html)


def test_the_web_preview_keeps_the_direction_of_right_to_left_words():
    """The preview's cleaner kept lang= and dropped dir=: the editor's page ran Arabic left
    to right though the e-mail did not."""
    from mediadigest.web.editions import house_html
    from mediadigest.write.render import to_dict

    page = str(house_html(to_dict(_arabic())))
    assert f'<h2 lang="ar" dir="rtl">{AR_HEADLINE}</h2>' in page
    assert f'<span dir="auto">{AR_OUTLET}</span> reported in Arabic' in page
