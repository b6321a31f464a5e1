"""Walk w31 (a Georgia profile): outlets and aliases are checked as the other sections are, a
speaker named by surname takes the profile's spelling, a nationality keeps no capital before it."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from mediadigest.errors import ProfileError
from mediadigest.model import Article, Grade, Hit, Quote, Relevance, Story
from mediadigest.profile import available_profiles, load_profile
from mediadigest.write.compose import compose_story

HEAD = """\
name: georgia
country: Georgia
country_code: GE
adjective: Georgian
threshold: 2.0
names:
  Georgia: [Georgia, Georgien*]
"""


def _load(tmp_path: Path, body: str):
    path = tmp_path / "georgia.yaml"
    path.write_text(HEAD + body, encoding="utf-8")
    return load_profile(path)


def test_an_outlet_with_a_misspelt_key_is_refused_naming_the_valid_keys(tmp_path):
    """``contry: GE`` loaded as no country: the home outlet was counted as foreign."""
    with pytest.raises(ProfileError) as err:
        _load(tmp_path, "outlets:\n  civil.ge: {name: Civil.ge, contry: GE}\n")
    message = str(err.value)
    assert "georgia.yaml: outlets.civil.ge: unknown key 'contry'" in message
    assert "expected: name, country, weight" in message


@pytest.mark.parametrize("weight", [-3, 50])
def test_an_outlet_weight_out_of_range_is_refused(tmp_path, weight):
    with pytest.raises(ProfileError, match=r"outlets\.civil\.ge\.weight: .* from 0 to 10"):
        _load(
            tmp_path, f"outlets:\n  civil.ge: {{name: Civil.ge, country: GE, weight: {weight}}}\n"
        )


def test_an_outlet_with_known_keys_still_loads(tmp_path):
    profile = _load(tmp_path, "outlets:\n  civil.ge: {name: Civil.ge, country: ge, weight: 0.5}\n")
    outlet = profile.outlets["civil.ge"]
    assert (outlet.name, outlet.country, outlet.weight) == ("Civil.ge", "GE", 0.5)


@pytest.mark.parametrize(
    ("entry", "where"),
    [
        ("  Kutaisi: [Kutaisi*, in]", "places.Kutaisi.aliases"),
        ("  Kutaisi:\n    aliases: {en: [Kutaisi, the]}", "places.Kutaisi.aliases.en"),
        ("  Kutaisi:\n    aliases: {ru: [Кутаиси, и]}", "places.Kutaisi.aliases.ru"),
    ],
)
def test_an_alias_that_is_a_stop_word_of_its_language_is_refused(tmp_path, entry, where):
    with pytest.raises(ProfileError, match=rf"{where}: alias '\w+' is an? (\w+ )?stop word"):
        _load(tmp_path, f"places:\n{entry}\n")


def test_a_stop_word_of_another_language_is_an_alias_where_it_is_a_name(tmp_path):
    """ "Die" is a German article but an English verb: a German list refuses it, an English
    one does not (a list says which language's stop words apply)."""
    with pytest.raises(ProfileError, match="de stop word"):
        _load(tmp_path, "places:\n  Die:\n    aliases: {de: [Die]}\n")


@pytest.mark.parametrize("stem", ["R*", "Ru*", "*ab"])
def test_a_stem_of_fewer_than_three_letters_is_refused(tmp_path, stem):
    with pytest.raises(ProfileError, match=r"places\.Rustavi\.aliases: .* fewer than 3 letters"):
        _load(tmp_path, f'places:\n  Rustavi: [Rustavi*, "{stem}"]\n')


def test_a_stem_of_three_letters_and_a_short_name_written_out_load(tmp_path):
    profile = _load(tmp_path, "organisations:\n  Ru Group: [Rus*, RG]\n")
    assert {t.alias for t in profile.terms} >= {"Rus", "RG"}


def test_a_theme_term_may_be_a_common_word(tmp_path):
    """Theme terms count only beside the country: "show" is the shipped culture theme's."""
    profile = _load(tmp_path, "themes:\n  culture: {strong: [festival], weak: {en: [show]}}\n")
    assert profile.themes["culture"].weak == ["show"]


@pytest.mark.parametrize("name", available_profiles())
def test_the_shipped_profiles_pass_the_alias_checks(name):
    assert load_profile(name).terms


SAID = "Мы продолжим диалог с нашими партнёрами"
RU_TEXT = (
    "Грузия и Армения подписали в Тбилиси соглашение о пограничном переходе, которое "
    "упростит торговлю между странами.\n\n"
    f"«{SAID}», — заявила Мака Бочоришвили."
)


def _russian_report(speaker: str, hit: Hit) -> Article:
    text = RU_TEXT.replace("Мака Бочоришвили", speaker)
    start = text.index(SAID)
    rel = Relevance(6.0, Grade.SUBJECT, True, [Hit("Грузия", "Georgia", "country", "title"), hit])
    art = Article(
        url="https://x.example/1",
        canonical_url="u1",
        content_hash="h1",
        title="Грузия и Армения подписали соглашение",
        text=text,
        outlet="Interfax",
        outlet_country="RU",
        published=datetime(2025, 11, 19, 9, tzinfo=UTC),
        relevance=rel,
        quotes=[Quote(SAID, speaker, start, start + len(SAID))],
        id=1,
    )
    art.language = "ru"
    return art


@pytest.fixture(scope="module")
def kazakhstan():
    return load_profile("kazakhstan")


def test_a_speaker_matched_by_a_surname_alias_takes_the_profiles_spelling(kazakhstan):
    """ "Мака Бочоришвили" read "Maka Bochorishvili" beside the English items' "Maka
    Botchorishvili": the profile's alias "Бочоришвили*" is one word, the speaker's name two."""
    hit = Hit("Бочоришвили", "Maka Botchorishvili", "person", "body")
    art = _russian_report("Мака Бочоришвили", hit)
    item = compose_story(Story(1, "t", [art]), kazakhstan)
    assert item.quote is not None and item.quote.speaker == "Maka Botchorishvili"


def test_a_namesake_with_another_given_name_is_not_the_profiles_person(kazakhstan):
    hit = Hit("Бочоришвили", "Maka Botchorishvili", "person", "body")
    art = _russian_report("Нино Бочоришвили", hit)
    item = compose_story(Story(1, "t", [art]), kazakhstan)
    assert item.quote is not None and item.quote.speaker == "Nino Bochorishvili"


def _english_report(first: str) -> Article:
    text = (
        f"{first} are not affected by the new visa rules for Kazakhstan, the ministry said on "
        "Wednesday after a week of questions.\n\nThe rules take effect in January."
    )
    rel = Relevance(6.0, Grade.SUBJECT, True, [Hit("Kazakhstan", "Kazakhstan", "country", "body")])
    return Article(
        url="https://x.example/2",
        canonical_url="u2",
        content_hash="h2",
        title="Kazakhstan changes its visa rules",
        text=text,
        outlet="Jiji Press",
        outlet_country="JP",
        published=datetime(2025, 11, 19, 9, tzinfo=UTC),
        relevance=rel,
        id=2,
    )


@pytest.mark.parametrize(
    ("first", "reads"),
    [
        # An ordinary word before a nationality, capitalised only as the sentence's first.
        ("Ordinary Kazakh citizens", "that ordinary Kazakh citizens are not affected"),
        ("Ordinary Russian tourists", "that ordinary Russian tourists are not affected"),
        # A nationality of two words keeps its capital.
        ("South Korean tourists", "that South Korean tourists are not affected"),
    ],
)
def test_an_ordinary_first_word_before_a_nationality_is_lower_cased(kazakhstan, first, reads):
    item = compose_story(Story(1, "t", [_english_report(first)]), kazakhstan)
    assert reads in item.attribution
