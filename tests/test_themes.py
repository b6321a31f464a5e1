"""Themes: multi-label, precision first, scored with the terms that drove each label."""

from __future__ import annotations

import dataclasses

import pytest

from mediadigest.analyse import themes
from mediadigest.model import Theme
from mediadigest.profile import Profile, load_profile


@pytest.fixture(scope="module")
def profile() -> Profile:
    return load_profile("kazakhstan")


def names(text: str, profile: Profile, title: str = "") -> list[str]:
    return [t.name for t in themes.classify(text, profile, title=title)]


ENERGY = (
    "Kazakhstan raised uranium output at three mines this year. The new nuclear power plant "
    "on Lake Balkhash will need fuel from 2035, and oil exports through the pipeline to the "
    "Black Sea also grew."
)


def test_energy_article_is_labelled_energy_with_its_terms(profile):
    (theme,) = themes.classify(ENERGY, profile)
    assert theme.name == "energy"
    assert {"uranium", "nuclear power plant", "oil", "pipeline"} <= set(theme.terms)


def test_one_strong_word_in_the_body_is_not_a_theme(profile):
    assert (
        names("The minister mentioned oil once in a long speech about many things.", profile) == []
    )


def test_weak_words_alone_never_give_a_theme(profile):
    text = "Energy, gas, electricity and fuel were discussed, along with energy again."
    assert names(text, profile) == []


def test_one_strong_word_in_the_headline_is_a_theme(profile):
    assert names("", profile, title="Kazakhstan completely abolishes death penalty") == ["politics"]


def test_article_about_two_things_gets_both_themes(profile):
    text = ENERGY + (
        " The foreign minister discussed the pipeline at a summit with the ambassador of Japan, "
        "and a bilateral treaty on nuclear fuel is due next year."
    )
    assert set(names(text, profile)) == {"energy", "diplomacy"}


def test_themes_are_sorted_by_score(profile):
    text = ENERGY + " A summit with the ambassador followed."
    scores = [t.score for t in themes.classify(text, profile)]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize(
    ("language", "text", "theme"),
    [
        (
            "russian",
            "Добыча нефти и урана в Казахстане выросла; новый трубопровод построен.",
            "energy",
        ),
        ("kazakh", "Қазақстанда мұнай өндірісі өсті, уран экспорты да артты.", "energy"),
        ("turkish", "Kazakistan'ın petrolü ve uranyumu Avrupa'ya ihraç ediliyor.", "energy"),
        ("chinese", "哈萨克斯坦的石油和天然气出口大幅增长", "energy"),
        ("japanese", "カザフスタンのウランと石油の輸出が増えた", "energy"),
        ("russian sport", "Сборная Казахстана по футболу выиграла чемпионат.", "sport"),
    ],
)
def test_themes_work_beyond_english(profile, language, text, theme):
    assert names(text, profile) == [theme], language


def test_a_stem_of_another_language_does_not_read_english_words(profile):
    """Folded, Turkish "tıp*" (medicine) and "aşı*" (vaccine) are English "tipped", "tips"
    and "Asian": an English article is read with the English terms (and the unmarked)."""
    title = "Astana Opera tipped to tour Asian capitals"
    text = "The company is tipped for a tour of Asian capitals; critics' tips follow."
    assert "health" in names(text, profile, title)  # every language's terms: the old reading
    found = themes.classify(text, profile, title=title, language="en")
    assert "health" not in [t.name for t in found]
    turkish = "Kazakistan'da yeni hastane açıldı; aşı kampanyası başladı."
    assert [t.name for t in themes.classify(turkish, profile, language="tr")] == ["health"]


def test_a_language_the_taxonomy_does_not_list_reads_every_term(profile):
    assert themes.classify(ENERGY, profile, language="it") == themes.classify(ENERGY, profile)


# One event, the CPC terminal struck by drones, as English, French, German and Spanish reports
# tell it: the taxonomy reads each with its own language's terms.
CPC = {
    "en": (
        "Drone attack hits CPC terminal, disrupting Kazakh oil exports",
        "A drone attack on the Caspian Pipeline Consortium terminal near Novorossiysk halted "
        "loadings of Kazakh crude oil. The pipeline carries 80% of Kazakhstan's oil exports, "
        "about 1.5 million barrels a day.",
    ),
    "fr": (
        "Une attaque de drones frappe le terminal du CPC et perturbe le pétrole kazakh",
        "L'attaque de drones contre le terminal du Caspian Pipeline Consortium, près de "
        "Novorossiïsk, a interrompu les chargements de pétrole kazakh. L'oléoduc transporte "
        "80 % des exportations de pétrole du Kazakhstan, environ 1,5 million de barils par jour.",
    ),
    "de": (
        "Drohnenangriff auf CPC-Terminal trifft Kasachstans Ölexporte",
        "Nach dem Drohnenangriff auf das Terminal des Kaspischen Pipeline-Konsortiums bei "
        "Noworossijsk ruhen die Verladungen von kasachischem Erdöl. Über die Pipeline laufen "
        "80 Prozent der kasachischen Ölexporte, rund 1,5 Millionen Barrel am Tag.",
    ),
    "es": (
        "Un ataque con drones golpea la terminal del CPC y frena el petróleo kazajo",
        "El ataque con drones contra la terminal del Consorcio del Oleoducto del Caspio, cerca "
        "de Novorossiisk, detuvo las cargas de crudo kazajo. El oleoducto transporta el 80 % de "
        "las exportaciones de petróleo de Kazajistán, unos 1,5 millones de barriles diarios.",
    ),
}


@pytest.mark.parametrize("language", ["fr", "de", "es"])
def test_a_report_in_french_german_or_spanish_gets_the_themes_of_the_english_one(profile, language):
    def found(lang: str) -> set[str]:
        title, text = CPC[lang]
        return {t.name for t in themes.classify(text, profile, title=title, language=lang)}

    assert found("en") == {"energy", "security"}
    assert found(language) == found("en")


@pytest.mark.parametrize(
    ("language", "title", "text", "theme"),
    [
        (
            "fr",
            "Le Kazakhstan mise sur l'intelligence artificielle",
            "Le Kazakhstan a inauguré un supercalculateur national pour entraîner des modèles "
            "d'intelligence artificielle en langue kazakhe.",
            "ai_digital",
        ),
        (
            "de",
            "Rekordfahrt auf dem Mittleren Korridor",
            "Ein Containerzug aus China erreichte Baku in neun Tagen; die Eisenbahn über "
            "Kasachstan und das Kaspische Meer wird schneller.",
            "transport",
        ),
    ],
)
def test_a_theme_is_found_with_the_terms_of_the_articles_language(
    profile, language, title, text, theme
):
    found = themes.classify(text, profile, title=title, language=language)
    assert [t.name for t in found] == [theme]


def test_higher_profile_threshold_drops_weak_themes(profile):
    strict = dataclasses.replace(profile, theme_threshold=100.0)
    assert themes.classify(ENERGY, strict) == []


def test_profile_with_themes_as_flat_lists_still_classifies():
    uzbekistan = load_profile("uzbekistan")
    assert "energy" in names("Uzbekistan sells gas, uranium and gold abroad.", uzbekistan)


def test_theme_round_trips_through_dict(profile):
    (theme,) = themes.classify(ENERGY, profile)
    assert Theme.from_dict(theme.to_dict()).terms == theme.terms


def test_one_megabyte_text_is_classified_on_its_opening(profile):
    assert names((ENERGY + " ") * 5_000, profile) == ["energy"]


def test_a_flat_taxonomy_reads_french_german_and_spanish_words():
    uzbekistan = load_profile("uzbekistan")
    for text in (
        "La sécheresse menace la mer d'Aral et le coton ouzbek.",
        "Die Dürre bedroht den Aralsee und die usbekische Baumwolle.",
        "La sequía amenaza el mar de Aral y el algodón uzbeko.",
    ):
        assert [t.name for t in themes.classify(text, uzbekistan)] == ["environment"], text
