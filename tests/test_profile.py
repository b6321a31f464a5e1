"""Profiles: loading, validation errors, outlets, pickling and the text normaliser."""

from __future__ import annotations

import pickle
import textwrap
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediadigest.analyse import relevance
from mediadigest.errors import ProfileError
from mediadigest.matching import _nfkc  # the fast path must not change NFKC's result
from mediadigest.profile import (
    Outlet,
    Profile,
    available_profiles,
    load_profile,
    matchable,
    normalise,
)

MINIMAL = """\
name: testland
country: Testland
country_code: tl
adjective: Testish
threshold: 2
names:
  Testland: [Testland*]
"""


@pytest.fixture(scope="module")
def profile() -> Profile:
    return load_profile("kazakhstan")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "profile.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def error_for(tmp_path: Path, text: str) -> str:
    with pytest.raises(ProfileError) as info:
        load_profile(write(tmp_path, text))
    return str(info.value)


def test_shipped_profiles_are_listed():
    assert {"kazakhstan", "uzbekistan"} <= set(available_profiles())


@pytest.mark.parametrize("name", ["kazakhstan", "uzbekistan"])
def test_every_shipped_profile_loads(name):
    loaded = load_profile(name)
    assert loaded.name == name
    assert loaded.threshold > 0
    assert loaded.automaton is not None


def test_kazakhstan_profile_header(profile):
    assert (profile.country, profile.country_code, profile.adjective) == (
        "Kazakhstan",
        "KZ",
        "Kazakh",
    )


def test_kazakhstan_profile_has_the_starter_themes(profile):
    expected = {"energy", "diplomacy", "economy", "ai_digital", "transport", "education"}
    expected |= {"security", "culture", "environment", "politics", "health", "sport"}
    assert expected <= set(profile.themes)
    assert all(profile.themes[name] for name in expected)


def test_every_person_has_a_role(profile):
    people = [t for t in profile.terms if t.kind == "person"]
    assert people
    assert all(t.note for t in people)


def test_every_outlet_has_a_two_letter_country(profile):
    assert len(profile.outlets) >= 30
    assert all(o.country and len(o.country) == 2 for o in profile.outlets.values())


def test_profile_loads_from_a_path(tmp_path):
    loaded = load_profile(write(tmp_path, MINIMAL))
    assert (loaded.name, loaded.country_code, loaded.threshold) == ("testland", "TL", 2.0)


def test_profile_loads_from_a_path_given_as_text(tmp_path):
    assert load_profile(str(write(tmp_path, MINIMAL))).country == "Testland"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://www.reuters.com/world/asia-pacific/story", "Reuters"),
        ("http://m.bbc.co.uk/news/world-asia-123", "BBC"),
        ("https://news.bbc.co.uk/2/hi/asia/1.stm", "BBC"),
        ("asia.nikkei.com", "Nikkei Asia"),
        ("www.nikkei.com/article/x", "Nikkei"),
        ("https://english.news.cn/20250101/abc.html", "Xinhua"),
        ("HTTPS://WWW.TIMESCA.COM:443/a", "The Times of Central Asia"),
    ],
)
def test_outlet_for_matches_domain_suffixes(profile, given, expected):
    outlet = profile.outlet_for(given)
    assert outlet is not None
    assert outlet.name == expected


def test_outlet_for_does_not_match_a_lookalike_domain(profile):
    assert profile.outlet_for("https://notreuters.com/x") is None
    assert profile.outlet_for("https://example.org/") is None


def test_outlet_carries_country_and_weight(profile):
    assert profile.outlet_for("jiji.com") == Outlet("Jiji Press", "JP", 1.2)


def test_unknown_profile_name_lists_the_shipped_ones():
    with pytest.raises(ProfileError, match=r"unknown profile 'atlantis'.*kazakhstan"):
        load_profile("atlantis")


def test_missing_file_is_reported_with_its_path(tmp_path):
    with pytest.raises(ProfileError, match=r"nope\.yaml: file not found"):
        load_profile(tmp_path / "nope.yaml")


def test_invalid_yaml_is_reported_with_its_line(tmp_path):
    message = error_for(tmp_path, MINIMAL + "themes: [energy\n  - oops: :\n")
    assert "invalid YAML at line 9, column 9" in message


def test_missing_key_is_named(tmp_path):
    text = MINIMAL.replace("threshold: 2\n", "")
    assert "missing required key 'threshold'" in error_for(tmp_path, text)


def test_non_numeric_threshold_is_rejected(tmp_path):
    text = MINIMAL.replace("threshold: 2", "threshold: high")
    assert "threshold: expected a number, got str 'high'" in error_for(tmp_path, text)


def test_unknown_top_level_key_is_rejected(tmp_path):
    message = error_for(tmp_path, MINIMAL + "plcaes: {}\n")
    assert "unknown key 'plcaes'" in message
    assert message.count("names") == 1  # each allowed key listed once


def test_non_string_alias_is_rejected_with_its_location(tmp_path):
    message = error_for(tmp_path, MINIMAL + "places:\n  Capital: [Capitol, 1999]\n")
    assert "places.Capital.aliases" in message
    assert "quote it" in message


def test_top_level_must_be_a_mapping(tmp_path):
    assert "mapping" in error_for(tmp_path, "- just\n- a list\n")


def test_one_alias_for_two_things_is_rejected(tmp_path):
    text = MINIMAL + "places:\n  Testville: [Testland]\n"
    message = error_for(tmp_path, text)
    assert "'Testland'" in message
    assert "names.Testland" in message


def test_ambiguous_alias_needs_a_reason(tmp_path):
    text = MINIMAL + "places:\n  Capital:\n    ambiguous:\n      aliases: [Cap]\n"
    assert "places.Capital.ambiguous.why" in error_for(tmp_path, text)


def test_profile_without_a_country_name_is_rejected(tmp_path):
    text = MINIMAL.replace("  Testland: [Testland*]\n", "  Testland: []\n")
    assert "names.Testland: has no aliases: it would never match" in error_for(tmp_path, text)


def test_pickled_profile_drops_its_automaton_and_rebuilds_it(profile):
    assert profile.automaton is not None  # built and cached
    data = pickle.dumps(profile)
    assert len(data) < 200_000  # the terms only, not the automaton
    copy = pickle.loads(data)
    assert copy.__getstate__()["_automata"] is None
    text = matchable("Talks in Kazakhstan")
    assert [t.canonical for _, _, t in copy.scan(text)] == ["Kazakhstan"]


def test_normalise_unifies_apostrophes_dashes_and_yo():
    assert normalise("Qozog‘iston’s  Nur–Sultan\nЁлка") == "qozog'iston's nur-sultan елка"


def test_normalise_folds_turkish_dotted_capital_i():
    assert normalise("KAZAKİSTAN") == normalise("Kazakistan") == "kazakistan"


def test_normalise_applies_nfkc_to_fullwidth_letters():
    assert normalise("ＫＡＺＡＫＨＳＴＡＮ") == "kazakhstan"


def test_normalise_turns_no_break_spaces_into_spaces():
    assert normalise("Air\u00a0Astana\u202fflight") == "air astana flight"


def test_normalise_drops_soft_hyphens():
    assert normalise("Kazakh\u00adstan") == "kazakhstan"


@given(st.text())
def test_fast_nfkc_path_equals_full_nfkc(text):
    assert _nfkc(text) == unicodedata.normalize("NFKC", text)


@given(st.text())
def test_normalise_is_idempotent(text):
    once = normalise(text)
    assert normalise(once) == once


@given(st.text())
def test_normalise_leaves_single_spaces_only(text):
    result = normalise(text)
    assert "  " not in result
    assert result == result.strip()


@given(st.text(alphabet=st.sampled_from("'’ʼʻ`‘")))
def test_every_apostrophe_becomes_ascii(text):
    assert set(normalise(text)) <= {"'", " "}


# -- names over time, roles and the theme taxonomy --------------------------------------------


def test_capital_registry_knows_each_former_name_and_its_years(profile):
    astana = profile.entries["Astana"]
    assert str(astana.period_of("Nur-Sultan")) == "Nur-Sultan (2019–2022)"
    assert str(astana.period_of("Tselinograd")) == "Tselinograd (1961–1992)"
    assert astana.period_of("Almaty") is None


def test_people_carry_their_roles(profile):
    assert profile.entries["Kassym-Jomart Tokayev"].role == "President of Kazakhstan (since 2019)"
    assert profile.entries["Kassym-Jomart Tokayev"].kind == "person"


def test_history_with_a_year_that_is_not_a_number_is_an_error(tmp_path):
    text = MINIMAL + "places:\n  Capital:\n    aliases: [Capitalia]\n"
    text += "    history: [{name: Oldtown, until: soon}]\n"
    assert "places.Capital.history[0].until: expected a year" in error_for(tmp_path, text)


def test_an_entry_of_history_only_is_an_error(tmp_path):
    """It loaded and never matched: a history's names match only where they are aliases too
    (a desk's profile, in a walk)."""
    text = MINIMAL + "people:\n  King Testor II:\n"
    text += "    history: [{name: Prince Testor, until: 1999}]\n"
    assert (
        "people.King Testor II: has no aliases: it would never match: its history's names "
        "match only as aliases too"
    ) in error_for(tmp_path, text)


def test_star_inside_an_alias_is_an_error(tmp_path):
    message = error_for(tmp_path, MINIMAL.replace("[Testland*]", "[Test* land]"))
    assert "'*' may only start or end an alias" in message


def test_sources_are_addresses_or_mappings_and_feeds_by_default(tmp_path):
    text = MINIMAL + "sources:\n  - https://news.testland.example/rss\n"
    text += "  - {url: https://paper.example/sitemap.xml, title: Paper, kind: sitemap}\n"
    loaded = load_profile(write(tmp_path, text))
    assert [(s.url, s.kind, s.title) for s in loaded.sources] == [
        ("https://news.testland.example/rss", "feed", None),
        ("https://paper.example/sitemap.xml", "sitemap", "Paper"),
    ]


@pytest.mark.parametrize(
    ("sources", "message"),
    [
        ("https://a.example/rss", "sources: expected a list, got str"),
        ("[ftp://a.example/rss]", "sources[0].url: 'ftp://a.example/rss' is not an http(s)"),
        ("[{url: https://a.example/, kind: blog}]", "sources[0].kind: 'blog' is not one of feed,"),
        ("[{url: https://a.example/, titel: A}]", "sources[0]: unknown key 'titel'"),
        ("[https://a.example/, https://a.example/]", "sources[1]: https://a.example/ is listed"),
    ],
)  # fmt: skip
def test_a_source_that_cannot_be_collected_is_an_error(tmp_path, sources, message):
    assert message in error_for(tmp_path, MINIMAL + f"sources: {sources}\n")


def test_theme_with_strong_and_weak_terms_per_language(tmp_path):
    text = MINIMAL + "theme_threshold: 3\nthemes:\n  energy:\n    label: Energy\n"
    text += "    strong: {en: [uranium], ru: [уран*]}\n    weak: [energy]\n"
    loaded = load_profile(write(tmp_path, text))
    spec = loaded.themes["energy"]
    assert (spec.label, spec.strong, spec.weak) == ("Energy", ["uranium", "уран*"], ["energy"])
    assert loaded.theme_threshold == 3.0


def test_theme_with_an_unknown_key_is_an_error(tmp_path):
    text = MINIMAL + "themes:\n  energy:\n    strnog: [uranium]\n"
    assert "themes.energy: unknown key 'strnog'" in error_for(tmp_path, text)


def test_the_default_taxonomy_has_every_theme_of_the_digest(profile):
    expected = {"energy", "diplomacy", "economy", "ai_digital", "transport", "education",
                "security", "culture", "environment", "politics", "health", "sport"}  # fmt: skip
    assert set(profile.themes) == expected
    assert all(spec.strong and spec.weak for spec in profile.themes.values())


# --- shipped exclusions -----------------------------------------------------------------------

# About 600 words of a Russian food blog that names no country.
BLOG = " ".join(["Мы готовим дома каждый день, пробуем новые рецепты и делимся ими."] * 60)


def test_a_russian_food_blog_with_uzbek_cuisine_is_not_about_uzbekistan():
    # As on wday.ru: one "в Узбекистане" and three dishes made the 2.0 the threshold asks.
    text = (
        "Любимые блюда блогеров.\n"
        + BLOG
        + " Часть детства я прожила в Узбекистане. Я люблю узбекскую кухню. "
        + BLOG
        + " Это может быть и узбекский плов, и французский хлеб. "
        + " Манты люблю. Узбекский плов. "
        + BLOG
    )
    rel = relevance.score(text, load_profile("uzbekistan"))
    assert not rel.relevant
    assert [(h.canonical, h.count) for h in rel.hits] == [("Uzbekistan", 1)]
    assert any("ignored 2 × 'узбекский плов'" in r for r in rel.reasons)


@pytest.mark.parametrize(
    "text",
    [
        "Рецепт узбекского плова и узбекской кухни, плов по-узбекски.",
        "Узбекские блюда и узбекская самса на столе.",
        "O'zbek oshi va o'zbek milliy taomlari.",
        "Ўзбек оши ва ўзбек миллий таомлари.",
        "Özbek pilavı ve Özbek mutfağı.",
        "Die usbekische Küche und usbekischer Plov.",
        "La cuisine ouzbèke et le plov ouzbek.",
        "La cocina uzbeka y el plov uzbeko.",
        "A restaurant serves Uzbek plov and Uzbek cuisine.",
    ],
)
def test_uzbek_cuisine_in_each_language_of_the_profile_names_no_country(text):
    rel = relevance.score(text, load_profile("uzbekistan"))
    assert rel.hits == []


@pytest.mark.parametrize(
    "text",
    [
        "Я люблю казахскую кухню и казахские блюда.",
        "Kazakh cuisine and Kazakh dishes in London.",
        "Қазақ асханасы мен қазақ тағамдары.",
    ],
)
def test_kazakh_cuisine_names_no_country(profile, text):
    assert relevance.score(text, profile).hits == []


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("kazakhstan", "Kazakh food prices hit record as inflation reaches 12%"),
        ("uzbekistan", "Uzbek food exports to Russia double"),
        ("kazakhstan", "Kazakh restaurant chain lists its shares in Astana"),
    ],
)
def test_food_prices_exports_and_restaurant_business_stay_news(name, text):
    """With "Kazakh food" and "Kazakh restaurant" as exclusions these scored 0."""
    assert relevance.score(text, load_profile(name)).hits


def test_the_cuisine_exclusions_leave_the_adjective_elsewhere(profile):
    assert relevance.score("Uzbek officials met.", load_profile("uzbekistan")).hits
    assert relevance.score("Kazakh officials met in the Kazakh capital.", profile).relevant
    assert relevance.score("Қазақ астанасы", profile).hits  # "ас*" would have hidden it


@pytest.mark.parametrize(
    ("addition", "problem"),
    [
        ("threshold: .nan\n", "threshold: expected a finite number, got nan"),
        ("places:\n  Capital: {aliases: [Testburg], weight: -5}\n",
         "places.Capital.weight: -5 is out of range: give a number from 0 to 10"),
        ("places:\n  Capital:\n    ambiguous: {why: a name, aliases: [Testburg], alone: 7}\n",
         "places.Capital.ambiguous.alone: 7 is out of range: give a number from 0 to 1"),
        ("places:\n  Capital: []\n", "places.Capital: has no aliases: it would never match"),
        ("places:\n  Capital: {aliases: }\n", "places.Capital: has no aliases"),
        ("places:\n  Capital: {}\n", "places.Capital: has no aliases"),
        ("places:\n  Capital:\n    ambiguous: {why: a name, aliases: []}\n",
         "places.Capital.ambiguous: has no aliases"),
    ],
)  # fmt: skip
def test_values_no_article_could_score_by_are_refused(tmp_path, addition, problem):
    """A walk: a negative weight, an ``alone`` of 7 ("counted at 700%"), a NaN threshold
    (nothing ever relevant) and entries without aliases were all taken without a word."""
    text = MINIMAL.replace("threshold: 2\n", "") + addition
    if not addition.startswith("threshold"):
        text += "threshold: 2\n"
    assert problem in error_for(tmp_path, text)
