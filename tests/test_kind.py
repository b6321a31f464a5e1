"""Article type and origin: wire, sponsored, press release, interview, opinion, analysis, news."""

from __future__ import annotations

from mediadigest.analyse.kind import classify, without_credit
from mediadigest.model import Attribution


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
