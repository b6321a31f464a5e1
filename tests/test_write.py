"""Sentence splitting, house style and the Markdown/JSON renderers."""

from datetime import date

from mediadigest.model import Digest, DigestItem, Quote
from mediadigest.write import style
from mediadigest.write.render import to_dict, to_markdown
from mediadigest.write.render.markdown import quote_line
from mediadigest.write.summarise import lead_sentences, sentences


def test_sentences_keep_offsets_into_the_text():
    text = "Kazakhstan grew. Exports rose by 5%.\nA new paragraph starts here."
    got = sentences(text)
    assert [s.text for s in got] == [
        "Kazakhstan grew.",
        "Exports rose by 5%.",
        "A new paragraph starts here.",
    ]
    assert all(text[s.start : s.end] == s.text for s in got)


def test_abbreviations_do_not_end_sentences():
    got = sentences("The talks were held on Dec. 18 in Astana. Mr. Smith attended.")
    assert [s.text for s in got] == [
        "The talks were held on Dec. 18 in Astana.",
        "Mr. Smith attended.",
    ]


def test_lead_sentences_skip_datelines_and_respect_the_count():
    text = (
        "ALMATY, Dec. 18.\n"
        "The first real sentence is here. The second one follows it. Third one too. Fourth."
    )
    got = lead_sentences(text, count=2)
    assert [s.text for s in got] == [
        "The first real sentence is here.",
        "The second one follows it.",
    ]


def test_house_style_dates_and_periods():
    assert style.day(date(2025, 12, 18)) == "Dec. 18"
    assert style.day(date(2025, 9, 3)) == "Sept. 3"
    assert style.day(date(2025, 5, 3)) == "May 3"
    assert style.period(date(2025, 12, 15), date(2025, 12, 21)) == "Dec. 15–21, 2025"
    assert style.period(date(2025, 11, 28), date(2025, 12, 4)) == "Nov. 28 – Dec. 4, 2025"
    assert style.period(date(2025, 12, 15), date(2025, 12, 15)) == "Dec. 15, 2025"  # not 15–15


def test_foreign_outlets_carry_their_country_and_home_outlets_do_not():
    assert style.outlet_name("Jiji Press", "JP", "KZ") == "Japan’s Jiji Press"
    assert style.outlet_name("The Astana Times", "KZ", "KZ") == "The Astana Times"
    assert style.outlet_name("Reuters", None, "KZ") == "Reuters"


def test_quote_line_in_house_style():
    assert quote_line(Quote("We are ready.", "Tokayev", 0, 13)) == "“We are ready,” Tokayev said."
    assert (
        quote_line(Quote("It works", "the author", 0, 8)) == "“It works,” according to the author."
    )


def _digest() -> Digest:
    item = DigestItem(
        headline="Kazakhstan and Japan sign a deal", outlet="Jiji Press", outlet_country="JP",
        published=date(2025, 12, 18), author=None, summary=["One.", "Two."],
        quote=Quote("We are ready.", "Tokayev", 0, 13),
        attribution="Japan’s Jiji Press reported on Dec. 18.",
        sources=[{"url": "https://jiji.com/a", "outlet": "Jiji Press"}],
        evidence=[{"sentence": 0, "article_id": 1, "start": 0, "end": 4}], article_id=1,
    )  # fmt: skip
    return Digest(date(2025, 12, 15), date(2025, 12, 21), "Intro.", [item])


def test_markdown_has_title_intro_and_item_in_order():
    md = to_markdown(_digest())
    assert md.index("# Foreign media digest: Dec. 15–21, 2025") < md.index("Intro.")
    assert md.index("## Kazakhstan and Japan sign a deal") < md.index("Japan’s Jiji Press reported")
    assert "“We are ready,” Tokayev said." in md


def test_json_follows_the_design_shape():
    data = to_dict(_digest())
    assert data["period"] == {"from": "2025-12-15", "to": "2025-12-21"}
    item = data["items"][0]
    assert item["published"] == "2025-12-18"
    assert item["quote"] == {"text": "We are ready.", "speaker": "Tokayev"}
    assert item["evidence"][0]["article_id"] == 1
    for key in ("headline", "outlet", "outlet_country", "author", "summary", "themes", "sources"):
        assert key in item
