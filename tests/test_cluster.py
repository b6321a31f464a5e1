"""Clustering: reports of one event group together, other events apart; seeds stay seeds."""

from datetime import UTC, datetime, timedelta

import numpy as np

from mediadigest.profile import load_profile
from mediadigest.stories import cluster as module
from mediadigest.stories.cluster import ClusterDoc, ClusterParams, cluster, similarity
from mediadigest.stories.grouping import stop_stems, stop_words

DAY = datetime(2025, 12, 18, 9, tzinfo=UTC)


def _doc(
    key: int,
    title: str,
    lead: str = "",
    *,
    days: float = 0,
    outlet: str | None = None,
    entities: tuple[str, ...] = (),
) -> ClusterDoc:
    return ClusterDoc(key, title, lead, entities, DAY + timedelta(days=days), outlet=outlet)


EMPEROR = [
    _doc(
        0,
        "Emperor Naruhito receives Kazakh President Tokayev in Tokyo",
        "The Emperor and Tokayev talked about the Caspian Sea and water.",
        outlet="Jiji",
    ),
    _doc(
        1,
        "Tokayev raises Caspian Sea shallowing with Japan's emperor",
        "Tokayev discussed the Caspian Sea with Emperor Naruhito in Tokyo.",
        outlet="TASS",
    ),
    _doc(
        2,
        "Tokayev seeks Japanese help as the Caspian Sea shrinks",
        "Tokayev met Emperor Naruhito and asked for help with water.",
        outlet="Reuters",
        days=1,
    ),
]
URANIUM = _doc(
    3,
    "Kazatomprom cuts its uranium output forecast for 2026",
    "The state miner blamed sulphuric acid shortages.",
    outlet="TCA",
)


def test_three_reports_of_one_event_form_one_story_and_another_event_its_own():
    assert cluster([*EMPEROR, URANIUM]) == [[0, 1, 2], [3]]


def test_the_items_of_one_roundup_page_are_not_alike_by_its_address():
    page = "https://news.example/news/impeachment-hearings-key-moments-from-the-testimony/"
    titles = [
        "Two troops killed in helicopter crash",
        "Cities urge boycott of meat companies",
        "New trial could change stent procedures",
        "Teen smuggled meth with toy car",
    ]
    docs = [
        ClusterDoc(i, t, "", (), DAY, url=f"{page}#{t.lower().replace(' ', '-')}", outlet="CBS")
        for i, t in enumerate(titles)
    ]
    assert module._slug(docs[0].url) == "two troops killed helicopter crash"
    assert cluster([*docs, URANIUM]) == [[0], [1], [2], [3], [4]]


def test_a_single_document_is_a_story_of_its_own():
    assert cluster([URANIUM]) == [[0]]
    assert cluster([]) == []


def test_the_same_words_weeks_apart_are_two_stories():
    later = _doc(4, URANIUM.title, URANIUM.lead, days=30, outlet="Other")
    assert cluster([URANIUM, later]) == [[0], [1]]


def test_one_outlets_two_reports_on_a_topic_stay_apart_without_third_party_support():
    grain = _doc(
        0,
        "Grain exports across the Caspian from Aktau hit a record",
        "Aktau port shipped a record amount of wheat.",
        outlet="Ledger",
    )
    ferry = _doc(
        1,
        "New ferry line links Aktau and Baku across the Caspian",
        "A ferry from Aktau port will carry lorries.",
        outlet="Ledger",
        days=2,
    )
    assert cluster([grain, ferry]) == [[0], [1]]


def test_shared_entities_join_reports_that_share_few_words():
    params = ClusterParams(entity_weight=2.0)
    a = _doc(
        0,
        "Leaders dine in Tokyo",
        "A dinner for visiting presidents.",
        entities=("Kassym-Jomart Tokayev", "Sanae Takaichi"),
    )
    b = _doc(
        1,
        "Summit guests arrive",
        "Presidents landed for the summit.",
        entities=("Kassym-Jomart Tokayev", "Sanae Takaichi"),
    )
    assert cluster([a, b], params) == [[0, 1]]


def test_reports_on_different_events_sharing_only_the_presidents_name_stay_apart():
    # Four languages, four events; the entity stage names Tokayev in each, and nothing else.
    tokayev = ("Kassym-Jomart Tokayev",)
    docs = [
        _doc(
            0, "Kasachstan baut Atomkraftwerk", "Rosatom soll das Projekt leiten.", entities=tokayev
        ),
        _doc(
            1,
            "Kazakistan ile yeni anlaşma",
            "Yeni bir ticaret anlaşması imzalandı.",
            entities=tokayev,
        ),
        _doc(
            2,
            "Kazachstan zwiększa eksport ropy",
            "Eksport ropy przez rurociąg CPC.",
            entities=tokayev,
        ),
        _doc(
            3, "Kazajistán firma acuerdo con España", "Un acuerdo sobre energía.", entities=tokayev
        ),
        _doc(4, "Le Kazakhstan mise sur l'hydrogène", "Un projet près d'Almaty.", entities=tokayev),
    ]
    params = ClusterParams(stop_words=frozenset({"Kasachstan", "Kazakistan", "Kazachstan"}))
    assert sorted(cluster(docs, params)) == [[0], [1], [2], [3], [4]]
    # A name few reports share still joins two reports that share no word.
    rare = ("Kassym-Jomart Tokayev", "Sanae Takaichi")
    pair = [
        _doc(5, "Leaders dine in Tokyo", "A dinner for visiting presidents.", entities=rare),
        _doc(6, "Summit guests arrive", "Presidents landed for the summit.", entities=rare),
    ]
    assert [5, 6] in cluster(docs + pair, params)


def test_two_tight_groups_sharing_only_the_presidents_name_stay_two_stories():
    """An outlet's updates in Russian of a law on the digital tenge, and English reports of
    a nuclear plant's site, each naming Tokayev: the smoothing counted that one name once per
    member of each group (0.07 became 0.21) and made them one story."""
    tokayev = ("Kassym-Jomart Tokayev",)
    tenge = "Токаев подписал закон о цифровом тенге"
    nuclear = "Tokayev proposes referendum on nuclear power plant site"
    editions = ["", " (дополнено)", " (подробности)"]
    docs = [
        _doc(i, f"{tenge}{suffix}", outlet="Вестник", entities=tokayev, days=i / 4)
        for i, suffix in enumerate(editions)
    ]
    outlets = [("", "Ledger"), ("", "Observer"), (": update", "Wire")]
    docs += [
        _doc(3 + i, f"{nuclear}{suffix}", outlet=outlet, entities=tokayev, days=i / 4)
        for i, (suffix, outlet) in enumerate(outlets)
    ]
    # The week's other stories: the president's name is in a third of the reports.
    others = _OTHER_TITLES.split(";")
    docs += [_doc(6 + i, title) for i, title in enumerate(others)]
    params = ClusterParams(stop_words=stop_words(load_profile("kazakhstan")))
    found = sorted(sorted(g) for g in cluster(docs, params))
    assert [0, 1, 2] in found and [3, 4, 5] in found
    # Two names shared still vouch: a report on the Tokyo dinner joins the visit's story.
    dinner = _doc(30, "Takaichi hosts Central Asian leaders at a dinner",
                  "Leaders dined at the residence.", entities=(*tokayev, "Sanae Takaichi",
                                                                 "Naruhito"))  # fmt: skip
    visit = [_doc(31 + i, title, lead, entities=(*tokayev, "Naruhito", "Sanae Takaichi"))
             for i, (title, lead) in enumerate([
                 ("Emperor receives Kazakh president", "A visit to the Imperial Palace."),
                 ("Tokayev raises Caspian shallowing in Tokyo", "Talks with the emperor."),
                 ("Tokayev seeks Japanese help on water", "The Caspian Sea shrinks."),
             ])]  # fmt: skip
    groups = cluster([*docs, dinner, *visit], params)
    at = len(docs)
    assert any({at, at + 1, at + 2, at + 3} <= set(g) for g in groups)


_OTHER_TITLES = (
    "Almaty metro opens three stations;Grain exports hit a record;Floods threaten Ural villages;"
    "Wind farm deal signed in Zhambyl;Central bank holds its base rate;Uranium miner cuts output;"
    "Film festival opens in Almaty;Oil exports through the CPC rise;EU ministers meet in Astana;"
    "Railway to China gets a second track;Wheat harvest beats forecasts;New airport terminal"
)


def test_block_weights_count_after_each_block_is_normalised():
    # A weight applied before the per-block normalisation would be normalised away.
    names = ("Kassym-Jomart Tokayev",)
    docs = [
        _doc(0, "Leaders dine in Tokyo", entities=names),
        _doc(1, "Summit guests arrive", entities=names),
    ]
    low = similarity(docs, ClusterParams(entity_weight=0.5, neighbours=0))[0, 1]
    high = similarity(docs, ClusterParams(entity_weight=2.0, neighbours=0))[0, 1]
    assert high > low > 0


def test_a_new_report_joins_an_existing_story():
    docs = [*EMPEROR[:2], URANIUM, EMPEROR[2]]
    groups = cluster(docs, seeds=[[0, 1], [2]])
    assert [0, 1, 3] in groups and [2] in groups


def test_two_existing_stories_never_merge_however_alike():
    twin = _doc(4, EMPEROR[0].title, EMPEROR[0].lead, outlet="Other")
    groups = cluster([EMPEROR[0], twin], seeds=[[0], [1]])
    assert groups == [[0], [1]]


def test_similarity_in_row_blocks_equals_one_block(monkeypatch):
    docs = [*EMPEROR, URANIUM, _doc(4, URANIUM.title, days=3, outlet="Other")]
    whole = similarity(docs, ClusterParams(neighbours=2))
    monkeypatch.setattr(module, "_BLOCK", 2)
    assert np.allclose(similarity(docs, ClusterParams(neighbours=2)), whole)


CHARITY = _doc(
    10,
    "Kazakhstan orders a foreign charity to close its Almaty office",
    "The charity's chief executive said on Monday in a statement that officials want it gone.",
    outlet="BBC",
)
STEEL = _doc(
    11,
    "Steel maker to cut 45,000 jobs over five years",
    "The steel maker's chief executive said on Monday in a statement that jobs would go.",
    outlet="Reuters",
)
TOPICS = "bank airline brewer carmaker retailer insurer miner telecom chipmaker grocer"


def test_words_every_report_uses_do_not_make_two_events_one_story():
    """Two reports of a window on different events: only the window's other reports tell
    that "chief executive said on Monday in a statement" is what every report says."""
    background = [
        _doc(20 + i, f"The {topic} reports higher profits", f"Its chief executive said on Monday "
             f"in a statement that the {topic} would grow.")
        for i, topic in enumerate(TOPICS.split())
    ]  # fmt: skip
    assert cluster([CHARITY, STEEL]) == [[0, 1]]  # alone, every shared word looks rare
    assert sorted(cluster([CHARITY, STEEL], background=background)) == [[0], [1]]
    # Reports of one event still form one story with the same background.
    assert cluster(EMPEROR, background=background) == [[0, 1, 2]]


def _russian(key: int, title: str, lead: str) -> ClusterDoc:
    return ClusterDoc(key, title, lead, (), DAY, language="ru")


NUCLEAR_RU = _russian(
    0,
    "В Казахстане начали строительство первой АЭС",
    "В Казахстане в пятницу началось строительство первой атомной электростанции у озера "
    "Балхаш, сообщил президент.",
)
METRO_RU = _russian(
    1,
    "В Алматы открыли три новые станции метро",
    "В Алматы, крупнейшем городе Казахстана, открыли три новые станции метрополитена.",
)


def test_a_few_reports_in_another_language_do_not_join_through_its_stop_words_and_letters():
    """Found in an editor's walk: a Russian report of a metro line joined one of a nuclear
    plant. Among hundreds of English reports, the character n-grams of two Russian ones look
    rare ("ст", "ции"), and "в" and the country's inflected name ("Казахстане") are in both."""
    english = [
        _doc(10 + n, f"The {topic} company reports higher profits for the {n} quarter")
        for n, topic in enumerate(TOPICS.split() * 12)
    ]
    assert len(english) >= ClusterParams().char_min_docs
    profile = load_profile("kazakhstan")
    params = ClusterParams(stop_words=stop_words(profile), stop_stems=stop_stems(profile))
    sim = similarity([NUCLEAR_RU, METRO_RU], params, background=english)
    assert sim[0, 1] < params.threshold / 2
    assert sorted(cluster([NUCLEAR_RU, METRO_RU], params, background=english)) == [[0], [1]]
    # Two Russian reports of one event still make one story.
    again = _russian(
        2, "Казахстан начал строительство первой АЭС у Балхаша", "Строительство первой "
        "атомной электростанции в Казахстане началось в пятницу у озера Балхаш."
    )  # fmt: skip
    assert sorted(cluster([NUCLEAR_RU, METRO_RU, again], params, background=english)) == [
        [0, 2],
        [1],
    ]
