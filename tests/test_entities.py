"""Entities: gazetteer names in any spelling or period, people by titles and roles, offsets."""

from __future__ import annotations

import pytest

from mediadigest.analyse import entities, relevance
from mediadigest.model import Entity
from mediadigest.profile import Profile, load_profile


@pytest.fixture(scope="module")
def profile() -> Profile:
    return load_profile("kazakhstan")


def find(text: str, profile: Profile) -> dict[str, Entity]:
    hits = relevance.score(text, profile).hits
    return {e.name: e for e in entities.find_entities(text, profile, hits, use_ner=False)}


def test_variants_of_the_president_are_one_entity(profile):
    text = (
        "Kassym-Jomart Tokayev opened the forum. President Tokayev then met investors. "
        "Later K. K. Tokayev signed the decree, and Tokayev left for Almaty."
    )
    tokayev = find(text, profile)["Kassym-Jomart Tokayev"]
    assert [text[a:b] for a, b in tokayev.mentions] == [
        "Kassym-Jomart Tokayev",
        "President Tokayev",
        "K. K. Tokayev",
        "Tokayev",
    ]


def test_cyrillic_russian_and_kazakh_spellings_are_the_same_person(profile):
    text = "Токаев провёл совещание. Тоқаев сөз сөйледі. Tokaev spoke in English."
    tokayev = find(text, profile)["Kassym-Jomart Tokayev"]
    assert {"Токаев", "Тоқаев", "Tokaev"} <= set(tokayev.variants)


def test_former_names_of_the_capital_resolve_to_astana(profile):
    text = "Kazakhstan moved its capital to Akmola; later Nur-Sultan, once Tselinograd, grew."
    astana = find(text, profile)["Astana"]
    assert astana.kind == "place"
    assert {"Akmola", "Nur-Sultan", "Tselinograd"} <= set(astana.variants)


def test_mention_offsets_slice_the_text(profile):
    text = "Officials in Nur Sultan and in Алматы met."
    found = find(text, profile)
    assert [text[a:b] for a, b in found["Astana"].mentions] == ["Nur Sultan"]
    assert [text[a:b] for a, b in found["Almaty"].mentions] == ["Алматы"]


def test_profile_role_is_kept_when_the_text_gives_none(profile):
    found = find("Tokayev signed the law in Kazakhstan.", profile)
    assert found["Kassym-Jomart Tokayev"].role == "President of Kazakhstan (since 2019)"


def test_role_given_after_an_unknown_person(profile):
    text = "Aliya Serikbayeva, the director of the Steppe Grain Institute, wrote on Kazakhstan."
    person = find(text, profile)["Aliya Serikbayeva"]
    assert (person.kind, person.role, person.source) == (
        "person",
        "director of the Steppe Grain Institute",
        "pattern",
    )


def test_role_given_before_an_unknown_person(profile):
    text = "Kazakhstan's Minister of Water Resources, Nurlan Abenov, described the talks."
    assert find(text, profile)["Nurlan Abenov"].role == "Kazakhstan's Minister of Water Resources"


def test_title_before_an_unknown_name(profile):
    person = find("In Kazakhstan, Governor Marat Iskakov opened a school.", profile)[
        "Marat Iskakov"
    ]
    assert person.role == "Governor"


def test_speech_verb_after_an_unknown_name(profile):
    assert "Bolat Zhunusov" in find("In Kazakhstan, Bolat Zhunusov said the line is open.", profile)


def test_surname_alone_joins_the_full_name(profile):
    text = "Nurlan Abenov said Kazakhstan agreed. Abenov added that data would be weekly."
    person = find(text, profile)["Nurlan Abenov"]
    assert len(person.mentions) == 2
    assert "Abenov" not in find(text, profile)


def test_russian_title_and_role_words_before_the_name(profile):
    text = "— заявил министр водных ресурсов Казахстана Нурлан Абенов после встречи."
    assert find(text, profile)["Нурлан Абенов"].role == "министр"


def test_organisation_by_its_head_word_may_contain_the_country(profile):
    text = "The Assembly of the People of Kazakhstan met in Astana."
    assert find(text, profile)["Assembly of the People of Kazakhstan"].kind == "org"


def test_lowercase_words_are_never_people(profile):
    text = "An article by Ann Lee, the CEO of Example Corp, arguing for closer ties, on Kazakhstan."
    assert [e.name for e in find(text, profile).values() if e.kind == "person"] == ["Ann Lee"]


def test_sentence_openers_and_months_are_not_people(profile):
    found = find("On Monday Kazakhstan said it would act. In December Astana said more.", profile)
    assert not [e for e in found.values() if e.kind == "person"]


def test_entity_round_trips_through_dict(profile):
    tokayev = find("President Tokayev met Kazakhstan's investors.", profile)[
        "Kassym-Jomart Tokayev"
    ]
    assert Entity.from_dict(tokayev.to_dict()) == tokayev


def test_without_ner_installed_or_used_the_gazetteer_and_patterns_still_work(profile):
    text = "Governor Marat Iskakov met President Tokayev in Kazakhstan."
    hits = relevance.score(text, profile).hits
    names = {e.name for e in entities.find_entities(text, profile, hits, use_ner=False)}
    assert {"Marat Iskakov", "Kassym-Jomart Tokayev", "Kazakhstan"} <= names


def test_statistical_ner_adds_names_when_its_model_is_installed(profile):
    pytest.importorskip("spacy")
    if not entities.ner_available():
        pytest.skip("spaCy is installed without its model en_core_web_sm")
    text = "Kazakhstan hosted Angela Merkel in Astana."
    hits = relevance.score(text, profile).hits
    found = entities.find_entities(text, profile, hits)
    assert any(e.name == "Angela Merkel" and e.source == "ner" for e in found)


@pytest.mark.parametrize(
    "place",
    ["Lake Balkhash", "Mount Khan Tengri", "River Ural", "Ili River", "Kuryk Sea Port"],
)
def test_a_place_before_a_role_is_no_person(profile, place):
    """A report's "near Lake Balkhash, the head of the national atomic energy agency said"
    stored a person "Lake Balkhash" with that role."""
    text = f"Kazakhstan will build it near {place}, the head of the national agency said."
    found = find(text, profile)
    assert not [e.name for e in found.values() if e.kind == "person"]
    assert not [e for e in find(f"Kazakhstan chose a site by {place}.", profile).values()
                if e.kind == "person"]  # fmt: skip


@pytest.mark.parametrize("person", ["Ricki Lake", "Michael Bay", "Dana Abenova"])
def test_a_name_that_only_ends_like_a_place_is_still_a_person(profile, person):
    found = find(f"Kazakhstan hired {person}, the head of the national agency.", profile)
    assert found[person].kind == "person" and found[person].role == "head of the national agency"


def test_a_place_the_profile_knows_is_no_person(profile):
    found = find("Grain left Kazakhstan through Aktau Kuryk, the head of the port said.", profile)
    assert found["Aktau"].kind == "place"
    assert not [e.name for e in found.values() if e.kind == "person"]


def people(text: str, profile: Profile) -> dict[str, Entity]:
    return {e.name: e for e in find(text, profile).values() if e.kind == "person"}


def said(text: str, entity: Entity) -> list[str]:
    return [text[a:b] for a, b in entity.mentions]


# -- a person's name is the name alone -----------------------------------------------------


def test_a_possessive_is_a_mention_of_the_person(profile):
    text = (
        "Kazakhstan's grain minister Marat Nurlanov said exports would rise. Traders doubted "
        "Mr Nurlanov's figures, and Nurlanov's deputy declined to comment."
    )
    found = people(text, profile)
    assert list(found) == ["Marat Nurlanov"]
    assert said(text, found["Marat Nurlanov"]) == ["Marat Nurlanov", "Mr Nurlanov", "Nurlanov"]


def test_an_honorific_cues_a_surname_and_is_no_part_of_the_name(profile):
    text = "Mr Sadykov told reporters in Astana that the line would open. Ms Bekova agreed."
    found = people(text, profile)
    assert set(found) == {"Sadykov", "Bekova"}
    assert said(text, found["Sadykov"]) == ["Mr Sadykov"]
    assert found["Sadykov"].role is None  # "Mr" is no role


def test_a_peer_or_a_knight_alone_keeps_the_title_that_names_them(profile):
    text = "Lord Ashworth said the treaty with Kazakhstan was sound. Sir Ewan agreed with him."
    assert set(people(text, profile)) == {"Lord Ashworth", "Sir Ewan"}


@pytest.mark.parametrize(
    ("sentence", "name", "role"),
    [
        ("Foreign Secretary Alan Whitby said the visit went well.", "Alan Whitby",
         "Foreign Secretary"),
        ("Agency Correspondent Helen Marsh says the talks stalled.", "Helen Marsh",
         "Agency Correspondent"),
        ("The paper said Australian Grant Hollis told the party to focus on tax.", "Grant Hollis",
         None),
        ("Otan's Bolat Serikov said the vote was fair.", "Bolat Serikov", None),
        ("Fellow Lib Dem Owen Pryce said the deal was poor.", "Owen Pryce", None),
        ("The shadow leader of the Commons Martin Ayles said it was late.", "Martin Ayles", None),
        ("On top of the deal with Tanzania Mr Osei said more would follow.", "Osei", None),
        ("Backbencher Tom Rudd said he would vote against.", "Tom Rudd", "Backbencher"),
        ("Chancellor Lord Pryor told peers the bill was needed.", "Lord Pryor", "Chancellor"),
        ("But Professor Ian Keel said the poll was wrong.", "Ian Keel", "Professor"),
    ],
)  # fmt: skip
def test_words_run_on_before_a_name_are_no_part_of_it(profile, sentence, name, role):
    found = people(f"In Kazakhstan news: {sentence}", profile)
    assert list(found) == [name]
    assert found[name].role == role


def test_a_month_after_a_first_name_is_part_of_the_name(profile):
    found = people("Party spokeswoman Joanna May said Kazakhstan's offer was fair.", profile)
    assert list(found) == ["Joanna May"]


def test_a_month_before_a_name_is_a_date(profile):
    text = "In May Alan Whitby said Kazakhstan would sign. On May 5 Astana said it had."
    assert list(people(text, profile)) == ["Alan Whitby"]


def test_an_apostrophe_inside_a_name_is_kept(profile):
    assert list(people("Niamh O'Brien said Kazakhstan would host the talks.", profile)) == [
        "Niamh O'Brien"
    ]


# -- one person, one entity -----------------------------------------------------------------


def test_a_short_form_folds_into_the_full_name_the_article_gives(profile):
    text = (
        "Kazakhstan's largest steelmaker may cut jobs. However, Aidar Mukanov has told "
        "investors that output will grow. Mr Mukanov said the plant would stay open, and "
        "Mukanov's deputy agreed."
    )
    found = people(text, profile)
    assert list(found) == ["Aidar Mukanov"]
    assert said(text, found["Aidar Mukanov"]) == ["Aidar Mukanov", "Mr Mukanov", "Mukanov"]


def test_a_short_form_folds_into_a_full_name_found_by_its_role(profile):
    text = (
        "Dr Kate Rowan, an economist at the bank, said Kazakhstan would grow. Dr Rowan added "
        "that Kate Rowan's forecast was cautious."
    )
    found = people(text, profile)
    assert list(found) == ["Kate Rowan"]
    assert len(found["Kate Rowan"].mentions) == 3


def test_a_knight_named_by_first_name_is_the_full_name(profile):
    text = "Sir Ewan Carlisle said Kazakhstan would join. Later Sir Ewan told reporters more."
    found = people(text, profile)
    assert list(found) == ["Ewan Carlisle"]
    assert said(text, found["Ewan Carlisle"]) == ["Sir Ewan Carlisle", "Sir Ewan"]


def test_a_shortened_first_name_is_the_same_person(profile):
    text = (
        "Christopher Hale, the trade minister, said Kazakhstan would buy more. Junior "
        "minister Chris Hale said later that talks went on."
    )
    assert list(people(text, profile)) == ["Christopher Hale"]


def test_a_surname_two_people_share_is_folded_into_neither(profile):
    text = (
        "Asel Tokova said the firm would expand in Kazakhstan. Dina Tokova said it would "
        "not. Ms Tokova later added that the board would decide."
    )
    assert set(people(text, profile)) == {"Asel Tokova", "Dina Tokova", "Tokova"}


def test_another_person_of_the_same_surname_is_no_mention(profile):
    text = (
        "Nurlan Abenov said Kazakhstan agreed. His brother Serik Abenov runs a farm, and "
        "Abenov Grain shares rose."
    )
    assert said(text, people(text, profile)["Nurlan Abenov"]) == ["Nurlan Abenov"]


# -- what is no person ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "Royal Mail says it is looking into the lost ballots.",
        "It is no secret that Downing Street believes the plan will fail.",
        "A spokeswoman for Human Rights Watch said the detainees were held for months.",
        "The storm hit coasts from Kazakhstan's partners, with Sri Lanka, India and Thailand.",
        "The film will compete with Shark Tale in the animation category.",
        "The appeal is supported by Amnesty International and others.",
        "Most Gibraltarians said in a vote that they wanted no change.",
        "It was followed by Harry Potter and the Prisoner of Azkaban at the box office.",
        "Police clashed with West Ham fans near the ground.",
        "But the outgoing European Commissioner said his words were misread.",
        "Parties are campaigning ahead of a General Election expected in May; the election...",
        "He sailed on the Queen Mary liner, and met her at London's King Cross station.",
        "The Countryside Alliance said the hunts would go on.",
        "The band had a hit with All Right Now before splitting up.",
        "It was questioned by Nur Otan's former President, Arman Duisen. Nur Otan won.",
    ],
)
def test_places_firms_works_and_groups_are_no_people(profile, sentence):
    found = people(f"Kazakhstan noted it. {sentence}", profile)
    assert not set(found) - {"Arman Duisen"}


@pytest.mark.parametrize(
    "sentence",
    [
        "The plan was backed by Arman Duisen, a former central bank governor.",
        "The plan was backed by Arman Duisen. Duisen has long argued for it.",
    ],
)
def test_a_person_after_by_or_with_is_kept_where_the_text_vouches_for_it(profile, sentence):
    assert list(people(f"In Kazakhstan: {sentence}", profile)) == ["Arman Duisen"]


def test_russian_and_kazakh_honorifics_cue_a_surname(profile):
    text = "Казахстан: господин Абенов заявил, что экспорт вырастет. Сейітов мырза келісті."
    assert {"Абенов", "Сейітов"} <= set(people(text, profile))
