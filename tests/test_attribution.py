"""Attribution: the outlet or office an item reports, the date it said it, and by whom."""

from __future__ import annotations

from datetime import date

from mediadigest.analyse.attribution import find_attribution
from mediadigest.model import Attribution

PAGE_DAY = date(2025, 12, 20)


def test_published_an_article_on_a_date_by_an_author_with_role():
    att = find_attribution(
        "The Nordic Ledger published an article on Dec. 15 by Aliya Serikbayeva, the director "
        "of the Steppe Grain Institute, arguing that exports should double.",
        PAGE_DAY,
    )
    assert (att.reported_by, att.reported_on, att.author) == (
        "The Nordic Ledger",
        date(2025, 12, 15),
        "Aliya Serikbayeva",
    )
    assert att.author_role == "director of the Steppe Grain Institute"
    assert att.form == "article"


def test_reported_on_a_date_that():
    att = find_attribution(
        "The Steppe Observer reported on Dec. 19 that tickets sold out.", PAGE_DAY
    )
    assert (att.reported_by, att.reported_on, att.form) == (
        "The Steppe Observer",
        date(2025, 12, 19),
        None,
    )


def test_country_possessive_is_not_part_of_the_outlet():
    att = find_attribution(
        "Japan’s Daily Harbour reported on Dec. 18 that talks went well.", PAGE_DAY
    )
    assert att.reported_by == "Daily Harbour"


def test_descriptor_after_the_outlet_is_dropped():
    att = find_attribution(
        "Harbour Review analytical news portal published an extensive interview on Dec. 18 "
        "with Dana Omarova, director of the festival.",
        PAGE_DAY,
    )
    assert att.reported_by == "Harbour Review"
    assert att.form == "interview"


def test_interview_with_a_person_named_after_the_role():
    att = find_attribution(
        "The Pacific Courier published an interview on Dec. 18 with Kazakhstan's Minister of "
        "Water Resources, Nurlan Abenov, who described the talks.",
        PAGE_DAY,
    )
    assert att.interviewee == "Nurlan Abenov"


def test_interview_with_a_person_named_before_the_role():
    att = find_attribution(
        "Harbour Review published an interview on Dec. 18 with Dana Omarova, director of the "
        "festival, who spoke about films.",
        PAGE_DAY,
    )
    assert att.interviewee == "Dana Omarova"


def test_date_without_a_year_takes_the_page_year():
    att = find_attribution("The Example Gazette reported on Nov. 3 that it rained.", PAGE_DAY)
    assert att.reported_on == date(2025, 11, 3)


def test_december_date_on_a_january_page_is_last_year():
    att = find_attribution(
        "The Example Gazette reported on Dec. 28 that it snowed.", date(2026, 1, 4)
    )
    assert att.reported_on == date(2025, 12, 28)


def test_misplaced_period_after_the_day_still_parses():
    att = find_attribution(
        "The Example Gazette published an article on Dec 16. by Ann Lee.", PAGE_DAY
    )
    assert (att.reported_on, att.author) == (date(2025, 12, 16), "Ann Lee")


def test_day_month_year_order_with_explicit_year():
    att = find_attribution(
        "The Example Gazette reported on 18 December 2024 that it snowed.", PAGE_DAY
    )
    assert att.reported_on == date(2024, 12, 18)


def test_impossible_date_gives_no_date():
    att = find_attribution("The Example Gazette reported on Feb. 30 that it snowed.", PAGE_DAY)
    assert att.reported_by == "The Example Gazette" and att.reported_on is None


def test_office_reports_at_the_end_of_a_sentence():
    att = find_attribution(
        "The new terminal will open in March, the Ministry of Transport reports.", PAGE_DAY
    )
    assert att.reported_by == "the Ministry of Transport"


def test_press_service_reports():
    att = find_attribution(
        "Exports rose by a fifth this year, the ministry’s press service reports.", PAGE_DAY
    )
    assert att.reported_by == "the ministry’s press service"


def test_agency_cites_a_source():
    att = find_attribution(
        "Output reached a record, Kazinform cites the Ministry of Energy.", PAGE_DAY
    )
    assert (att.reported_by, att.cites) == ("Kazinform", "the Ministry of Energy")


def test_russian_closing_attribution():
    att = find_attribution("Экспорт зерна вырос на пятую часть, сообщает Казинформ.", PAGE_DAY)
    assert att.reported_by == "Казинформ"


def test_pronoun_is_not_an_outlet():
    assert find_attribution("He reported on Dec. 3 that the deal was done.", PAGE_DAY) is None


def test_ordinary_sentence_has_no_attribution():
    assert find_attribution("The company said on Monday that profits rose.", PAGE_DAY) is None


def test_span_covers_the_attribution_phrase():
    text = "Intro.\nThe Example Gazette reported on Dec. 3 that it snowed."
    att = find_attribution(text, PAGE_DAY)
    assert text[att.start : att.end] == "The Example Gazette reported on Dec. 3"


def test_attribution_round_trips_through_dict():
    att = find_attribution(
        "The Example Gazette published an article on Dec 16. by Ann Lee.", PAGE_DAY
    )
    assert Attribution.from_dict(att.to_dict()) == att
