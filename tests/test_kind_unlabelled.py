"""An opinion essay with no label: its author's bio line at the close, or the writer arguing in
the first person; news reports that look alike stay news."""

from __future__ import annotations

import pytest

from mediadigest.analyse.kind import classify

# An essay's body, long enough that the opening (600 characters) and the close (400) part.
_ARGUMENT = (
    "Kazakhstan's decision to build its first nuclear power plant with Rosatom is a political "
    "choice dressed up as a technical one. The tender was never open in any real sense. "
) * 6


def _essay(close: str) -> str:
    return f"{_ARGUMENT}\n\n{close}"


# -- the bio line at the close --------------------------------------------------------------


@pytest.mark.parametrize(
    ("close", "author"),
    [
        ("Dana Abenova is a senior fellow at the Eurasia Institute in Almaty.", "Dana Abenova"),
        ("Dana Abenova is a professor of economics at KIMEP University.", "Dana Abenova"),
        ("*Dana Abenova is the director of the Steppe Energy Forum.*", "Dana Abenova"),
        ("Temur Umarov is a former ambassador of Uzbekistan to Japan.", "Temur Umarov"),
        ("The author is an energy economist based in Astana.", None),
        ("Dana Abenova is an analyst based in Almaty.", None),
        ("Temur Umarov is a researcher at the Carnegie Russia Eurasia Center.", None),
        # The bio line, then a last word of the site's.
        (
            "Dana Abenova is a non-resident senior fellow at the Atlantic Council.\n\n"
            "Follow us on Telegram.",
            "Dana Abenova",
        ),
    ],
)
def test_an_essay_closing_with_its_authors_bio_is_opinion(close, author):
    k = classify("Kazakhstan's nuclear bet", _essay(close), author=author)
    assert k.label == "opinion"
    assert "bio" in k.reasons[0]


def test_a_russian_essay_closing_with_its_authors_bio_is_opinion():
    body = "Решение строить АЭС с «Росатомом» — политический выбор, а не технический. " * 8
    for close, author in [
        ("Автор — политолог, директор Центра евразийских исследований.", None),
        ("Дана Абенова — политолог, старший научный сотрудник КИСИ.", None),
        ("Дана Абенова — директор Института энергетики.", "Дана Абенова"),
    ]:
        assert classify("Атомный выбор", f"{body}\n\n{close}", author=author).label == "opinion"


def test_a_german_essay_closing_with_its_authors_bio_is_opinion():
    body = "Der Mittlere Korridor ist für Europa wichtiger, als Berlin zugeben will. " * 9
    for close, author in [
        ("Der Autor ist Politikwissenschaftler an der Universität Bonn.", None),
        ("Jürgen Wörner ist Senior Fellow am Zentrum für Osteuropastudien.", "Jürgen Wörner"),
        ("Dana Abenova ist Direktorin am Institut für Energiepolitik in Astana.", None),
    ]:
        assert classify("Korridor", f"{body}\n\n{close}", author=author).label == "opinion"


def test_a_short_essay_whose_bio_is_in_the_opening_too_is_opinion():
    text = "Open the tender.\n\nDana Abenova is a senior fellow at the Eurasia Institute."
    assert classify("Open the tender", text).label == "opinion"


# -- news reports that name someone's title at the close stay news --------------------------

_REPORT = (
    "Kazakhstan signed an agreement with Rosatom on Monday to build the country's first "
    "nuclear power plant near Lake Balkhash, the energy ministry said. "
) * 6


@pytest.mark.parametrize(
    ("close", "author"),
    [
        # A quoted expert's title.
        (
            "“The tender was never open,” said Dana Abenova, a senior fellow at the Eurasia "
            "Institute.",
            "Olzhas Auyezov",
        ),
        ("The plan is sound, said Dana Abenova, a professor of economics at KIMEP.", None),
        # An obituary's close.
        (
            "Dana Abenova, a professor of history at KIMEP University for 30 years, is "
            "survived by her husband and two daughters.",
            None,
        ),
        ("Dana Abenova is survived by her husband and two daughters.", None),
        # A correction note restating a title.
        (
            "Correction: An earlier version of this article misstated Dana Abenova's title. "
            "She is a senior fellow at the Eurasia Institute, not its director.",
            "Olzhas Auyezov",
        ),
        (
            "This article was corrected on Nov. 20.\n\nDana Abenova is a senior fellow at the "
            "Eurasia Institute, not its director.",
            None,
        ),
        # A profile's subject, not the byline's author.
        ("Abenova is a professor at KIMEP University.", "Olzhas Auyezov"),
        ("Dana Abenova is a professor at KIMEP University.", "Olzhas Auyezov"),
        # A freelance reporter's own line is a news report's as much as an essay's.
        ("Almaz Kumenov is a journalist based in Almaty.", "Almaz Kumenov"),
        # Someone's title in a sentence reporting what they said.
        (
            "Dana Abenova is a senior fellow at the Eurasia Institute, and she said the tender "
            "was closed.",
            None,
        ),
        # A place, a company: no one's bio.
        ("Kazakhstan is the world's largest uranium producer.", None),
        ("The Eurasia Institute is a research centre founded in 2004.", None),
    ],
)
def test_a_news_report_naming_someones_title_at_the_close_stays_news(close, author):
    assert classify("Rosatom to build plant", f"{_REPORT}\n\n{close}", author=author).label == (
        "news"
    )


def test_a_profile_naming_its_subject_in_the_opening_stays_news():
    text = (
        "Dana Abenova was twelve when her father took her to see the Semipalatinsk test site. "
        "Forty years on, she runs the country's only independent nuclear safety monitor. "
        * 4
        + "\n\nDana Abenova is a professor of physics at Nazarbayev University."
    )
    assert classify("The woman watching the atom", text).label == "news"
    title = "Dana Abenova: the woman watching the atom"
    assert classify(title, f"{_REPORT}\n\nDana Abenova is a professor of physics.").label == (
        "news"
    )


def test_a_report_describing_at_its_close_someone_it_named_mid_body_stays_news():
    """No byline: the name was new to the opening (600 characters) but not to the body, so
    "Marat Karabayev is the founder of …" closing a news report read as its author's bio."""
    filler = "Trade volumes through the hub are expected to grow over the decade. " * 12
    text = (
        f"ALMATY - Kazakhstan opened a logistics hub on Monday, the ministry said.\n\n{filler}"
        f"\n\nThe hub was built by Kazlogistics, said its chief Marat Karabayev.\n\n{filler}"
        "\n\nMarat Karabayev is the founder of Kazlogistics, which he set up in 2004."
    )
    assert classify("Kazakhstan opens logistics hub", text).label == "news"


def test_a_russian_report_quoting_an_expert_at_the_close_stays_news():
    body = "Казахстан подписал соглашение с «Росатомом» о строительстве АЭС. " * 8
    close = "Дана Абенова — директор Института энергетики, — отметила, что тендер был закрытым."
    assert classify("АЭС", f"{body}\n\n{close}").label == "news"
    # A Russian byline at the end is no bio.
    assert classify("АЭС", f"{body}\n\nАвтор: Дана Абенова").label == "news"


# -- the writer's own first person in the opening --------------------------------------------


def test_an_essay_arguing_in_the_first_person_is_opinion():
    text = (
        "I have spent a decade studying Kazakhstan's energy sector, and in my view the nuclear "
        "plant is the wrong bet. The tender was never open in any real sense."
    )
    k = classify("The wrong bet", text)
    assert k.label == "opinion" and "in my view" in k.reasons[0]
    text = "I would argue that the corridor matters more than the plant. My reasons are three."
    assert classify("Corridor first", text).label == "opinion"


def test_a_russian_or_german_essay_arguing_in_the_first_person_is_opinion():
    text = "На мой взгляд, АЭС — ошибка. Я десять лет изучаю энергетику Казахстана."
    assert classify("Ошибка", text).label == "opinion"
    text = "Meiner Meinung nach ist das Kraftwerk ein Fehler. Ich beobachte Kasachstan seit Jahren."
    assert classify("Fehler", text).label == "opinion"


@pytest.mark.parametrize(
    "text",
    [
        # A reporter's dispatch: the first person is in the reported sentences.
        "“The queue has not moved for three days,” one driver told me at the Khorgos crossing. "
        "I asked a customs officer why; he said he did not know. The officials I spoke to "
        "declined to give their names.",
        # A stance, with the reporter's first persons in reported sentences only.
        "One driver told me the queue had not moved for three days. I asked a customs officer "
        "why. I think he did not know.",
        # The first persons are the quoted speakers'.
        "“I think the plant is a mistake, and my colleagues agree,” said Dana Abenova, an "
        "energy analyst. “In my view the tender was never open.”",
        # A quote running over sentences, reopened without closing, as reporters set them.
        'The minister was upbeat. "I am quite confident," he said. "But I take each step as it '
        'comes. "As long as my team keeps working I think there is a chance." Talks resume on '
        "Monday.",
        # A first person alone, with no stance: a dispatch's.
        "I arrived in Aktau on a Tuesday. My driver pointed at the new port, still half built.",
        # A stance, once, with no other first person of the writer's.
        "I think, the minister suggested, that the tender could reopen next year.",
        # Roman numerals are no one's "I".
        "In my view, Phase I of the pipeline was late. World War I ended the first boom.",
    ],
)
def test_a_news_report_with_a_first_person_stays_news(text):
    assert classify("Border queue", text).label == "news"


def test_a_label_wins_over_the_evidence_of_an_essay():
    text = _essay("Dana Abenova is a senior fellow at the Eurasia Institute.")
    assert classify("Analysis: the nuclear bet", text).label == "analysis"
    assert classify("Tokayev visits Tokyo (AFP)", text).label == "wire"
