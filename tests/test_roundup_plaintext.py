"""Plain-text newsletters (separator lines, numbered or bulleted headlines, closing source
lines) split into items; articles with section breaks or lists stay whole."""
# ruff: noqa: E501  (a paragraph of a newsletter is one long line)

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa

from mediadigest import run, store
from mediadigest.analyse import analyse
from mediadigest.analyse.roundup import source_line, split_text
from mediadigest.model import Document
from mediadigest.profile import load_profile
from mediadigest.run.reanalyse import reanalysed
from mediadigest.write import credit

DAY = datetime(2025, 12, 17, 8, 0)

SEPARATED = """Good morning. Here is what the region's press reported yesterday.

* * *

Kazakhstan raises grain export quota
The government of Kazakhstan raised its wheat export quota for the season by a fifth after a record harvest, the agriculture ministry said.
Source: Reuters, Dec 16

* * *

Uzbekistan opens new rail link
A freight line between Tashkent and the Fergana valley opened on Monday, cutting the journey for cargo trains by almost half a day.
Source: AKIpress, Dec 16

* * *

Kyrgyz parliament passes media law
Lawmakers in Bishkek passed a law on the media in its third reading despite objections from journalists' unions and several embassies.
Source: Eurasianet, Dec 15

* * *
You received this e-mail because you subscribed at example.org.
"""

NUMBERED = """Selected reports of the day, compiled by the press service.

1. Astana hosts Central Asian foreign ministers
Foreign ministers of five Central Asian states met in Astana to discuss water sharing and transport corridors across the region.
(Kazinform, 16.12.2025)

2. Tajikistan completes Rogun turbine
The fourth turbine of the Rogun hydropower plant was put into operation, the energy ministry of Tajikistan announced on Tuesday.
(Asia-Plus, 16.12.2025)

3. Turkmen gas deliveries to China rise
Turkmenistan's gas deliveries to China rose by eight percent in the eleven months of the year, according to customs statistics.
(Trend, 15.12.2025)
"""

HEADLINED = """Kazakhstan raises grain export quota
The government of Kazakhstan raised its wheat export quota for the season by a fifth after a record harvest, the agriculture ministry said.
Source: Reuters, Dec 16

Uzbekistan opens new rail link
A freight line between Tashkent and the Fergana valley opened on Monday, cutting the journey for cargo trains by almost half a day.
Source: AKIpress, 16 December 2025

Kyrgyz parliament passes media law
Lawmakers in Bishkek passed a law on the media in its third reading despite objections from journalists' unions and several embassies.
Источник: Eurasianet, 2025-12-15
"""

BULLETED = """Central Asia news roundup

• Kazakhstan central bank holds base rate
The National Bank of Kazakhstan kept its base rate at 16.5 percent, citing persistent inflation pressure from food and utility prices.

• Kyrgyzstan and Tajikistan sign border deal
The two governments signed the final protocol on their shared border, ending a dispute that led to deadly clashes in recent years.

• Uzbekistan lifts cotton export ban
Tashkent lifted the remaining restrictions on raw cotton exports, a move textile producers had lobbied against for months.
"""

ARTICLE_WITH_BREAKS = """ASTANA – The steppe outside the capital was quiet on Tuesday morning when the first trucks of the season's harvest arrived at the new grain terminal, built with Chinese credit.

Farmers say the terminal has changed their calculations. "We used to wait for weeks," said one grower from Akmola region, standing beside his combine harvester.

* * *

A long road to the sea
The terminal is the first link of a corridor that runs to the Caspian port of Aktau and on to Baku, a route officials have promoted for a decade.

* * *

What comes next
Officials hope to double the corridor's capacity by 2030, although shippers complain about tariffs and the slow pace of customs reform.

* * *

Money and politics
The financing of the terminal has drawn criticism in parliament, where deputies have asked who guarantees the Chinese loans and on what terms.
"""

REPORT_WITH_BULLETS = """ASTANA – Kazakhstan's government approved a plan on Tuesday to modernise the country's power grid by 2030, the energy ministry said in a statement.

The plan includes the following measures:
• Replacing 40 percent of worn-out transmission lines
• Building three new gas-fired power stations in the south
• Raising tariffs gradually over five years

The ministry said the total cost would reach 5 trillion tenge, to be financed partly by the state budget and partly by international lenders such as the EBRD.
Source: Energy ministry, Dec 16
"""

ARTICLE_WITH_NUMBERED_POINTS = """Kazakhstan's new tax code takes effect next month. Here is what changes for businesses and households across the country.

1. A higher value added tax
The rate of value added tax rises from twelve to sixteen percent, with lower rates kept for medicines and some food products.

2. New rules for small firms
Small businesses lose several special tax regimes and must keep full accounts, a change that the chamber of entrepreneurs has opposed.

3. Changes to property tax
Owners of expensive homes and cars pay more, while the threshold for the luxury tax on real estate is lowered to 450 million tenge.
"""


def _titles(text: str, title: str = "") -> list[str]:
    split = split_text(text, title, DAY)
    return [i.title for i in split.items] if split else []


def test_newsletter_parts_between_separator_lines_are_items():
    assert _titles(SEPARATED, "Morning mail") == [
        "Kazakhstan raises grain export quota",
        "Uzbekistan opens new rail link",
        "Kyrgyz parliament passes media law",
    ]


def test_an_item_keeps_its_text_and_its_source_line_credits_it():
    split = split_text(SEPARATED, "Morning mail", DAY)
    first = split.items[0]
    assert first.text.startswith("The government of Kazakhstan raised")
    assert first.text.endswith("Source: Reuters, Dec 16")
    assert (first.attribution.reported_by, first.attribution.reported_on) == (
        "Reuters",
        date(2025, 12, 16),
    )
    assert "3 of 3 items close with a source line" in split.reasons
    assert split.rest.startswith("Good morning.")


def test_the_footer_after_the_last_separator_is_no_items_text():
    last = split_text(SEPARATED, "Morning mail", DAY).items[-1]
    assert "subscribed" not in last.text
    assert last.attribution.reported_by == "Eurasianet"


@pytest.mark.parametrize("separator", ["---", "===", "•", "~ ~ ~"])
def test_other_separator_lines_part_a_newsletter_as_well(separator):
    assert _titles(SEPARATED.replace("* * *", separator), "Morning mail") == [
        "Kazakhstan raises grain export quota",
        "Uzbekistan opens new rail link",
        "Kyrgyz parliament passes media law",
    ]


def test_headlines_each_with_a_paragraph_and_a_source_line_are_items():
    split = split_text(HEADLINED, "Morning mail", DAY)
    assert [
        (i.title, i.attribution.reported_by, i.attribution.reported_on) for i in split.items
    ] == [
        ("Kazakhstan raises grain export quota", "Reuters", date(2025, 12, 16)),
        ("Uzbekistan opens new rail link", "AKIpress", date(2025, 12, 16)),
        ("Kyrgyz parliament passes media law", "Eurasianet", date(2025, 12, 15)),
    ]


def test_a_source_line_without_a_year_is_dated_by_the_page_and_undated_without_one():
    line = "The ministry said grain exports rose by a fifth.\n(Reuters, Dec 16)"
    assert source_line(line, DAY).reported_on == date(2025, 12, 16)
    undated = source_line(line, None)
    assert (undated.reported_by, undated.reported_on) == ("Reuters", None)
    assert source_line("The ministry said so.\n(in Russian, abridged)", DAY) is None


def test_numbered_headings_with_dated_source_lines_are_items():
    split = split_text(NUMBERED, "Press service", DAY)
    assert [i.title for i in split.items] == [
        "Astana hosts Central Asian foreign ministers",
        "Tajikistan completes Rogun turbine",
        "Turkmen gas deliveries to China rise",
    ]
    assert [(i.attribution.reported_by, i.attribution.reported_on) for i in split.items] == [
        ("Kazinform", date(2025, 12, 16)),
        ("Asia-Plus", date(2025, 12, 16)),
        ("Trend", date(2025, 12, 15)),
    ]
    assert "the items are numbered headings" in split.reasons


def test_a_russian_media_monitoring_calls_itself_a_roundup():
    text = BULLETED.replace("Central Asia news roundup", "Сводка за день")
    assert len(split_text(text, "Мониторинг СМИ за 16 декабря", DAY).items) == 3


def test_bulleted_headlines_of_a_self_named_roundup_are_items():
    assert _titles(BULLETED, "Daily digest") == [
        "Kazakhstan central bank holds base rate",
        "Kyrgyzstan and Tajikistan sign border deal",
        "Uzbekistan lifts cotton export ban",
    ]


def test_an_article_with_section_breaks_and_sub_headings_stays_whole():
    assert split_text(ARTICLE_WITH_BREAKS, "Grain terminal opens near Astana", DAY) is None


def test_a_report_with_a_bullet_list_and_a_source_line_stays_whole():
    assert split_text(REPORT_WITH_BULLETS, "Kazakhstan approves grid plan", DAY) is None


def test_an_explainer_with_numbered_points_stays_whole():
    assert split_text(ARTICLE_WITH_NUMBERED_POINTS, "What the tax code changes", DAY) is None


@pytest.fixture(scope="module")
def profile():
    return load_profile("kazakhstan")


def test_a_newsletter_items_are_credited_to_their_outlet_via_the_newsletter(profile):
    doc = Document(
        url="https://example.org/briefing.txt",
        body=SEPARATED.encode(),
        fetched_at=DAY,
        content_type="text/plain; charset=utf-8",
        hints={"title": "Morning mail", "outlet": "Briefing"},  # undated: read on Dec. 17
    )
    arts = analyse(doc, profile)
    grain = arts[0]
    assert grain.title == "Kazakhstan raises grain export quota"
    assert grain.parent_url and grain.reported_by == "Reuters"
    assert grain.explanations["attribution"] == ["Source: Reuters, Dec 16"]
    who = credit.credit(grain, profile)
    assert (who.outlet, who.day) == ("Reuters", date(2025, 12, 16))
    assert who.via is not None and who.via["url"] == "https://example.org/briefing.txt"
    # The digest writes "Reuters reported on Dec. 16 that …", never the source line itself.
    assert credit.retold_line(grain) is None


def test_a_newsletter_item_keeps_its_credit_when_analysed_again(profile):
    doc = Document(
        url="https://example.org/mail.txt",
        body=NUMBERED.encode(),
        fetched_at=DAY,
        content_type="text/plain; charset=utf-8",
        hints={"title": "Press service"},
    )
    item = analyse(doc, profile)[0]
    again = reanalysed(item, profile)
    assert (again.reported_by, again.reported_on) == ("Kazinform", date(2025, 12, 16))
    assert again.explanations["attribution"] == ["(Kazinform, 16.12.2025)"]


def test_ingesting_a_txt_newsletter_stores_one_article_per_item(tmp_path, profile):
    path = tmp_path / "morning-mail.txt"
    path.write_text("Morning mail, December 17\n" + SEPARATED, encoding="utf-8")
    engine = store.open_store(f"sqlite:///{tmp_path / 's.db'}")
    run.ingest(engine, profile, [path])
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT title, text, parent_url, reported_by FROM articles ORDER BY url")
        )
        stored = {title: rest for title, *rest in rows}
    assert sorted(stored) == [
        "Kazakhstan raises grain export quota",
        "Kyrgyz parliament passes media law",
        "Uzbekistan opens new rail link",
    ]
    grain, parent, outlet = stored["Kazakhstan raises grain export quota"]
    assert grain.startswith("The government of Kazakhstan") and "rail" not in grain
    assert (parent, outlet) == (path.resolve().as_uri(), "Reuters")
