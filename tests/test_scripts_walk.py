"""A walk with reports in many languages and scripts: Turkish "kazak", quotes in Chinese and
Japanese marks, bylines in scripts without capitals, right-to-left text in the e-mail HTML."""

from __future__ import annotations

import pytest

from mediadigest.analyse import relevance
from mediadigest.profile import Profile, load_profile


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
