"""Article type and origin: wire, sponsored, press release, interview, opinion, analysis, news."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mediadigest.analyse import analyse
from mediadigest.analyse.kind import classify, without_credit
from mediadigest.model import Attribution, Document
from mediadigest.profile import load_profile


def test_reuters_dateline_is_wire_copy_crediting_reuters():
    k = classify("Oil output rises", "ASTANA, Dec 18 (Reuters) - Kazakhstan raised oil output.")
    assert (k.label, k.origin) == ("wire", "Reuters")


def test_closing_agency_credit_is_wire_copy():
    k = classify("Minister meets", "The minister met investors on Monday, Kazinform reports.")
    assert (k.label, k.origin) == ("wire", "Kazinform")


def test_russian_agency_credit_is_wire_copy():
    k = classify("Встреча", "Министр встретился с инвесторами, сообщает Kazinform.")
    assert (k.label, k.origin) == ("wire", "Kazinform")


def test_a_headline_crediting_an_agency_is_wire_copy_and_loses_the_credit():
    title = "Shelling resumes in breakaway Georgian region (AFP)"
    k = classify(title, "Georgian and South Ossetian forces accused each other overnight.")
    assert (k.label, k.origin) == ("wire", "AFP")
    assert without_credit(title) == "Shelling resumes in breakaway Georgian region"
    # Other brackets are the headline's own.
    assert without_credit("Tokayev visits Tokyo (video)") == "Tokayev visits Tokyo (video)"
    assert classify("Tokayev visits Tokyo (video)", "He met Kishida.").label == "news"


def test_sponsored_disclaimer():
    k = classify("Invest in the steppe", "This article is sponsored content by Example Fund.")
    assert k.label == "sponsored"


def test_partner_url_is_sponsored():
    assert (
        classify("X", "Text.", url="https://news.example.com/partner-content/x").label
        == "sponsored"
    )


def test_press_release_marker():
    k = classify("Company opens plant", "FOR IMMEDIATE RELEASE\nExample Corp opened a plant.")
    assert k.label == "press_release"


def test_item_relaying_a_ministry_is_an_official_statement():
    att = Attribution(reported_by="the Ministry of Energy")
    k = classify(
        "Output record", "Output reached a record, the Ministry of Energy reports.", "", att
    )
    assert (k.label, k.origin) == ("press_release", "the Ministry of Energy")


def test_attributed_interview():
    att = Attribution(reported_by="Harbour Review", form="interview", interviewee="Dana Omarova")
    assert classify("Festival talk", "Harbour Review published an interview.", "", att).label == (
        "interview"
    )


def test_question_and_answer_lines_are_an_interview():
    text = "Q: Why now?\nA: Because the market is ready.\nQ: And next year?\nA: More of the same."
    assert classify("Talking grain", text).label == "interview"


def test_guest_author_with_a_role_writes_opinion():
    att = Attribution(
        reported_by="The Nordic Ledger",
        author="Aliya Serikbayeva",
        author_role="director of the Steppe Grain Institute",
        form="article",
    )
    k = classify("Grain corridor", "The Nordic Ledger published an article.", "", att)
    assert k.label == "opinion"
    assert "Aliya Serikbayeva" in k.reasons[0]


def test_opinion_url_and_disclaimer():
    assert classify("Why X", "Text.", url="https://example.com/opinion/why-x").label == "opinion"
    text = "Argument here.\nThe views expressed are the author's own."
    assert classify("Why X", text).label == "opinion"


def test_analysis_label_in_headline():
    assert classify("Analysis: what the vote means", "Text of the piece.").label == "analysis"


def test_plain_report_is_news():
    k = classify("Rail link opens", "A second railway crossing opened on Monday.")
    assert (k.label, k.origin) == ("news", None)


def test_agency_citing_a_source_is_wire_copy():
    att = Attribution(reported_by="Kazinform", cites="the Ministry of Energy")
    k = classify("Output record", "Output reached a record, Kazinform cites the ministry.", "", att)
    assert (k.label, k.origin) == ("wire", "Kazinform")


def test_roundup_item_attributed_to_an_agency_report_is_news():
    att = Attribution(reported_by="Jiji Press")
    assert (
        classify(
            "Talks", "Japan's Jiji Press reported on Dec. 18 that talks went well.", "", att
        ).label
        == "news"
    )


# -- opinion pieces by their standfirst, not news reports quoting someone who argues ----------

UMAROV = (
    "For three decades Kazakhstan has balanced Russia, China and the West, but that balance is "
    "becoming harder to keep, argues Temur Umarov in this opinion piece.\n\n"
    "Sanctions on Russia have made transit through Kazakhstan a matter of constant negotiation."
)
ABENOVA = (
    "Kazakhstan's choice of Rosatom to build its first nuclear power plant is a political "
    "decision as much as a technical one, argues energy analyst Dana Abenova.\n\n"
    "The plant will take a decade to build, she writes."
)
MEIRKHANOVA = (
    "Kazakhstan wants to become Central Asia's hub for artificial intelligence, but data "
    "centers will not be enough, argues Aruzhan Meirkhanova.\n\n"
    "“Without people who can build models, a supercomputer is an expensive heater,” "
    "Meirkhanova writes."
)


def test_a_piece_that_calls_itself_an_opinion_piece_is_one():
    k = classify("Kazakhstan's multi-vector diplomacy is fraying", UMAROV)
    assert k.label == "opinion" and "in this opinion piece" in k.reasons[0]
    k = classify("Why the corridor matters", "In this op-ed, a former minister looks at rail.")
    assert k.label == "opinion"


def test_a_standfirst_crediting_the_bylines_author_is_an_opinion_piece():
    k = classify("Kazakhstan's nuclear bet carries risks", ABENOVA, author="Dana Abenova")
    assert k.label == "opinion" and "Dana Abenova" in k.reasons[0]
    text = (
        "Astana can no longer say yes to everyone at once, writes Temur Umarov, a fellow at "
        "the Carnegie Russia Eurasia Center.\n\nSanctions have made transit hard."
    )
    assert classify("Balance", text, author="Temur Umarov").label == "opinion"


def test_a_standfirst_crediting_a_name_the_piece_says_writes_is_an_opinion_piece():
    assert classify("Kazakhstan's AI ambitions", MEIRKHANOVA).label == "opinion"


def test_a_disclaimer_at_the_end_of_a_long_piece_makes_it_opinion():
    text = (
        "Kazakhstan should invest in rail. " * 40 + "\n\nThe views expressed are the author's own."
    )
    assert classify("Rail first", text).label == "opinion"
    text = "Kazakhstan should invest in rail. " * 40 + (
        "\n\nThe views expressed in this article are those of the author and do not reflect "
        "the position of the publication."
    )
    assert classify("Rail first", text).label == "opinion"


@pytest.mark.parametrize(
    ("text", "author"),
    [
        # Someone who argues, in a news report: the verb after the subject, or in the past.
        ("The minister argued that the tax was needed to balance the budget.", None),
        (
            "Finance Minister Madi Takiyev argues that the tax is needed to balance the budget.",
            None,
        ),
        # The inverted credit of someone the byline is not, and who writes nothing here.
        ("The plan is flawed, argues opposition leader Zhanbolat Mamay.", "Olzhas Auyezov"),
        ("The plan is flawed, argues opposition leader Zhanbolat Mamay.", None),
        # Views expressed by someone else than the author.
        ("Astana echoed the views expressed by Moscow at the summit on Tuesday.", None),
        ("An op-ed by the minister in Izvestia set out the plan on Monday.", None),
    ],
)
def test_a_news_report_quoting_someone_who_argues_stays_news(text, author):
    assert classify("Tax plan", text, author=author).label == "news"


# -- opinion labels in the outlets' other languages --------------------------------------------


@pytest.mark.parametrize(
    "title",
    [
        "Kommentar: Kasachstan zwischen allen Stühlen",
        "Meinung | Europa braucht den Mittleren Korridor",
        "Gastbeitrag: Warum Astana zählt",
        "Tribune : le Kazakhstan entre deux mondes",
        "Point de vue — l'Asie centrale s'éveille",
        "Éditorial : le pari du corridor médian",
        "Chronique : Astana, capitale du pétrole",
        "Görüş: Ankara neden Astana'ya muhtaç",
        "Köşe yazısı: Türk Devletleri Teşkilatı",
        "Opinión: Kazajistán y el corredor medio",
        "Tribuna: el petróleo kazajo",
        "Пікір: Орта дәліз туралы",
    ],
)
def test_an_opinion_label_in_another_language_makes_an_opinion_piece(title):
    assert classify(title, "Kazakhstan faces a choice.").label == "opinion"


@pytest.mark.parametrize(
    "title",
    [
        "Kreml lehnt Kommentar zu Kasachstan ab",
        "Kommentar des Außenministers sorgt in Astana für Ärger",
        "Kommentar-Funktion nach Angriffen abgeschaltet",
        "Tribune de Genève: Kazakh oil shipments resume",
    ],
)
def test_a_news_headline_merely_holding_the_word_stays_news(title):
    assert classify(title, "Kazakhstan said on Monday it would reply.").label == "news"


@pytest.mark.parametrize(
    "url",
    [
        "https://www.faz.net/aktuell/meinung/kasachstan-101.html",
        "https://www.lemonde.fr/idees/article/2026/11/20/le-kazakhstan.html",
        "https://www.lefigaro.fr/vox/tribune/astana-2026",
        "https://elpais.com/opinion/2026-11-20/kazajistan.html",
    ],
)
def test_an_opinion_section_in_another_language_makes_an_opinion_piece(url):
    assert classify("Kasachstan", "Text.", url=url).label == "opinion"


# -- a news report citing a press service is news, not the press release ------------------------

_AKORDA = (
    "АНКАРА, 18 ноября. /ТАСС/. Президент Казахстана Касым-Жомарт Токаев и президент Турции "
    "Реджеп Тайип Эрдоган договорились довести товарооборот до 15 млрд долларов, сообщила "
    "пресс-служба Акорды.\n\nСтороны подписали 15 документов."
)


def test_an_agency_report_citing_a_press_service_is_news():
    att = Attribution(reported_by="пресс-служба Акорды")
    k = classify("Токаев и Эрдоган договорились", _AKORDA, "https://tass.ru/politika/1", att,
                 outlet="TASS")  # fmt: skip
    assert k.label == "news"


def test_an_agency_named_in_russian_citing_a_press_service_is_news():
    att = Attribution(reported_by="пресс-служба Акорды")
    k = classify("Токаев и Эрдоган договорились", _AKORDA, "", att, outlet="ТАСС")
    assert k.label == "news"


def test_a_bylined_report_citing_a_press_service_is_news():
    att = Attribution(reported_by="пресс-служба КМГ")
    text = "«КазМунайГаз» и TotalEnergies подписали соглашение, сообщила пресс-служба КМГ."
    k = classify("КМГ построит ГПЗ", text, "https://www.interfax.ru/business/1", att,
                 author="Айгерим Сейткали", outlet="Interfax")  # fmt: skip
    assert k.label == "news"


def test_an_unsigned_item_relaying_a_press_service_stays_a_press_release():
    att = Attribution(reported_by="пресс-служба Акорды")
    k = classify("Токаев провёл встречу", "Токаев провёл встречу, сообщила пресс-служба Акорды.",
                 "https://akorda.kz/ru/1", att, outlet="Akorda")  # fmt: skip
    assert (k.label, k.origin) == ("press_release", "пресс-служба Акорды")


def test_the_analyse_stage_reads_a_tass_report_citing_a_press_service_as_news():
    """The outlet reaches ``classify`` from the page (TASS, by its host in the profile)."""
    doc = Document(
        url="https://tass.ru/politika/22912345",
        body=f"Токаев и Эрдоган договорились утроить товарооборот\n\n{_AKORDA}".encode(),
        fetched_at=datetime(2026, 11, 18, 18, tzinfo=UTC),
        content_type="text/plain; charset=utf-8",
        hints={"published": "2026-11-18", "title": "Токаев и Эрдоган договорились"},
    )
    (art,) = analyse(doc, load_profile("kazakhstan"))
    assert art.outlet == "TASS" and art.reported_by == "пресс-служба Акорды"
    assert art.kind == "news"
