"""A walk with reports in many languages and scripts: Turkish "kazak", quotes in Chinese and
Japanese marks, bylines in scripts without capitals, right-to-left text in the e-mail HTML."""

from __future__ import annotations

import pytest

from mediadigest.analyse import quotes, relevance
from mediadigest.profile import Profile, load_profile
from mediadigest.write import byline


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
