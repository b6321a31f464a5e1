"""A walk with reports in many languages and scripts: Turkish "kazak", quotes in Chinese and
Japanese marks, bylines in scripts without capitals, right-to-left text in the e-mail HTML."""

from __future__ import annotations

import pytest

from mediadigest.analyse import relevance
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
