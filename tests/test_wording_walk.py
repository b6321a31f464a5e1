"""Wording a fact-checker found untrue: a copy of another report called "the same report", a
"passing mention" of a country named in every paragraph, a why-matched line explaining a name it
did not list, and outlets' tone told from texts they did not publish."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from mediadigest.model import Article, Grade, Hit, Relevance, Story
from mediadigest.profile import load_profile
from mediadigest.stories import rank
from mediadigest.write import framing, search_csv
from mediadigest.write.compose import also_line


@pytest.fixture(scope="module")
def profile():
    return load_profile("kazakhstan")


def _art(
    aid: int,
    *,
    title: str,
    outlet: str,
    country: str | None,
    day: int,
    text: str = "Kazakhstan said so on Monday.\n\nOfficials agreed.",
    hits: list[Hit] | None = None,
) -> Article:
    rel = Relevance(
        6.0, Grade.SUBJECT, True, hits or [Hit("Kazakhstan", "Kazakhstan", "country", "title")]
    )
    return Article(
        url=f"https://news{aid}.example/a",
        canonical_url=f"https://news{aid}.example/a",
        content_hash=f"h{aid}",
        title=title,
        text=text,
        outlet=outlet,
        outlet_country=country,
        published=datetime(2026, 11, day, 9, tzinfo=UTC),
        language="en",
        relevance=rel,
        id=aid,
    )


# -- copies: "the same report" is the lead's -----------------------------------------------


def _kazinform_story() -> tuple[Article, Story]:
    """Story 36 of the walk: Kazinform's tsunami-aid piece leads; Al Jazeera copied Kazinform's
    other report, on election concerns; Eurasianet copied TASS's."""
    lead = _art(
        115,
        title="Blair says Kazakhstan tsunami aid to soar",
        outlet="Kazinform",
        country="KZ",
        day=3,
    )
    other = _art(
        109,
        title="Muslims discuss election concerns - report",
        outlet="Kazinform",
        country="KZ",
        day=3,
    )
    copy = _art(
        123, title="Muslims discuss election concerns", outlet="Al Jazeera", country="QA", day=4
    )
    tass = _art(100, title="Blair backs budget", outlet="TASS", country="RU", day=2)
    tass_copy = _art(114, title="Blair backs budget", outlet="Eurasianet", country="US", day=3)
    story = Story(36, "t", [tass, tass_copy, other, lead, copy], duplicates={123: 109, 114: 100})
    return lead, story


def test_a_copy_of_the_lead_outlets_other_report_names_that_report(profile):
    lead, story = _kazinform_story()
    also = also_line(lead, story, profile) or ""
    assert (
        "Qatar’s Al Jazeera (Nov. 4) ran Kazinform’s report “Muslims discuss election concerns"
        in also
    )
    assert "Al Jazeera (Nov. 4) ran the same report." not in also
    assert "Eurasianet (Nov. 3) ran the same report as TASS." in also


def test_a_copy_of_a_copy_of_the_lead_is_the_same_report(profile):
    lead = _art(1, title="Aid to soar", outlet="Kazinform", country="KZ", day=3)
    first = _art(2, title="Aid to soar", outlet="TASS", country="RU", day=3)
    second = _art(3, title="Aid to soar", outlet="Al Jazeera", country="QA", day=4)
    story = Story(1, "t", [lead, first, second], duplicates={2: 1, 3: 2})
    assert also_line(lead, story, profile) == (
        "Russia’s TASS (Nov. 3) and Qatar’s Al Jazeera (Nov. 4) ran the same report."
    )


def test_a_copy_of_a_report_the_lead_copies_is_the_same_report(profile):
    original = _art(1, title="Aid to soar", outlet="Kazinform", country="KZ", day=3)
    lead = _art(2, title="Aid to soar", outlet="Kazinform", country="KZ", day=3)
    copy = _art(3, title="Aid to soar", outlet="Al Jazeera", country="QA", day=4)
    story = Story(1, "t", [original, lead, copy], duplicates={2: 1, 3: 1})
    assert also_line(lead, story, profile) == "Qatar’s Al Jazeera (Nov. 4) ran the same report."


# -- ranking: "a passing mention" only of a name the text gives about once --------------------


def _ranked(*hits: list[Hit]) -> list[str]:
    profile = load_profile("kazakhstan")
    arts = [
        _art(i, title="Budget row", outlet=f"Outlet {i}", country="GB", day=3, hits=h)
        for i, h in enumerate(hits, start=1)
    ]
    (story,) = rank.rank([Story(1, "t", arts)], profile, until=date(2026, 11, 8))
    return story.reasons


def test_a_country_named_six_times_in_the_body_is_no_passing_mention():
    # Article 143 of the walk: "Kazakh" (ambiguous) in the lead, Kazakhstan six times below.
    reasons = _ranked(
        [
            Hit("Kazakh", "Kazakh", "ambiguous", "lead"),
            Hit("Kazakhstan", "Kazakhstan", "country", "body", 6),
            Hit("Kazakh", "Kazakh", "ambiguous", "body"),
        ],
        [Hit("Kazakhstan", "Kazakhstan", "country", "body", 4)],
    )
    assert "a passing mention" not in reasons
    assert "Kazakhstan ×6 in the body; in the lead only the ambiguous “Kazakh”" in reasons


def test_a_country_named_in_the_body_only_says_so():
    reasons = _ranked([Hit("Kazakhstan", "Kazakhstan", "country", "body", 4)])
    assert "Kazakhstan ×4 in the body, not the headline or lead" in reasons


def test_an_ambiguous_name_in_the_lead_is_no_passing_mention():
    """Article 167 of the walk: "Kazakh car maker Aston Martin …" opens it, Kazakhstan once
    below."""
    reasons = _ranked(
        [
            Hit("Kazakh", "Kazakh", "ambiguous", "lead"),
            Hit("Kazakhstan", "Kazakhstan", "country", "body"),
        ]
    )
    assert "Kazakhstan ×1 in the body; in the lead only the ambiguous “Kazakh”" in reasons


def test_a_country_named_once_in_the_body_is_a_passing_mention():
    reasons = _ranked([Hit("Kazakhstan", "Kazakhstan", "country", "body")])
    assert "a passing mention" in reasons


def test_a_name_in_the_headline_is_still_the_reason():
    reasons = _ranked([Hit("Kazakhstan", "Kazakhstan", "country", "title")])
    assert "Kazakhstan in the headline" in reasons


# -- why an article matched: no name explained that the line does not list -------------------

# Article 267 of the walk, as relevance stored it: five names, two of them ambiguous.
AMBIGUOUS = "is ambiguous ({}) but counts: an unambiguous name is present"
ARTICLE_267 = {
    "score": 6.0,
    "grade": "major",
    "relevant": True,
    "hits": [
        {"alias": "Kazakhstan", "canonical": "Kazakhstan", "kind": "country", "field": "lead"},
        {"alias": "Kazakhstan", "canonical": "Kazakhstan", "kind": "country", "field": "body",
         "count": 4},
        {"alias": "Kazakh", "canonical": "Kazakh", "kind": "ambiguous", "field": "body",
         "count": 2},
        {"alias": "Astana", "canonical": "Astana", "kind": "ambiguous", "field": "body"},
        {"alias": "Kazakh government", "canonical": "Kazakhstan", "kind": "country",
         "field": "body"},
    ],
    "reasons": [
        "lead names Kazakhstan",
        "8 mentions in body (13.8 per 1,000 words)",
        "'Astana' (body ×1) " + AMBIGUOUS.format("also a cycling team"),
        "'Kazakh' (body ×2) " + AMBIGUOUS.format("the adjective also names the language"),
        "grade major: named in title or lead, but not in the headline",
        "score 6.00 ≥ threshold 2",
    ],
}  # fmt: skip


def test_a_cut_list_of_names_says_how_many_more():
    line = search_csv.why(Relevance.from_dict(ARTICLE_267))
    assert line.startswith(
        "Kazakhstan (lead ×1), Kazakhstan (body ×4), Kazakh (body ×2) and 2 more;"
    )


def test_a_name_the_line_does_not_list_is_not_explained():
    line = search_csv.why(Relevance.from_dict(ARTICLE_267))
    assert "'Kazakh' (body ×2) is ambiguous" in line
    assert "Astana" not in line


def test_a_short_list_is_not_called_cut():
    rel = Relevance.from_dict({**ARTICLE_267, "hits": ARTICLE_267["hits"][:2]})
    assert "more" not in search_csv.why(rel)


# -- framing: an outlet's tone and words are those of the texts it published -----------------

ASYLUM = (
    "Michael Howard has attacked the cost of Kazakhstan's chaotic asylum system.\n\n"
    "The asylum system is being abused, he said, and its cost keeps rising. Charities said "
    "the asylum plans would put lives at risk and cost more."
)
TACKLE = (
    "Kassym-Jomart Tokayev has had the chance to tackle the problems facing Kazakhstan, "
    "Michael Howard said.\n\n"
    "He failed to tackle crime and failed to tackle taxes, Mr Howard said in his message, "
    "praising the nation's generous response to the disaster."
)


def _swapped(tone_copy_of_tass: float, tone_copy_of_diplomat: float) -> Story:
    """Story 92 of the walk: TASS and The Diplomat each ran its own report and a copy of the
    other's; Xinhua ran The Diplomat's."""

    def art(aid: int, outlet: str, country: str, title: str, text: str, tone: float) -> Article:
        a = _art(aid, title=title, outlet=outlet, country=country, day=15, text=text)
        a.tone = tone
        return a

    return Story(
        92,
        "t",
        [
            art(249, "TASS", "RU", "Howard attacks cost of asylum", ASYLUM, -0.972),
            art(252, "The Diplomat", "US", "Kazakhstan heading wrong way, says Howard", TACKLE,
                -0.612),
            art(257, "The Diplomat", "US", "Howard attacks cost of asylum", ASYLUM,
                tone_copy_of_tass),
            art(264, "TASS", "RU", "Kazakhstan heading wrong way, says Howard", TACKLE,
                tone_copy_of_diplomat),
            art(254, "Xinhua", "CN", "Kazakhstan heading wrong way, says Howard", TACKLE, -0.612),
        ],
        duplicates={257: 249, 264: 252, 254: 252},
    )  # fmt: skip


def test_outlets_that_ran_each_others_texts_are_not_told_apart_by_tone(profile):
    text = framing.describe(_swapped(-0.933, -0.459), profile) or ""
    assert "tone" not in text


def test_outlets_that_ran_each_others_texts_are_not_told_apart_by_their_words(profile):
    text = framing.describe(_swapped(-0.933, -0.459), profile) or ""
    assert "“tackle”" not in text
    assert "“asylum”" not in text


def test_a_copy_an_outlet_ran_is_coverage_in_its_country(profile):
    """Xinhua ran only The Diplomat's text: China's coverage holds that text's words and tone,
    so The Diplomat's words are no difference by country, and TASS stands out against both."""
    story = _swapped(-0.933, -0.459)
    story.articles = [a for a in story.articles if a.id in (249, 252, 254)]
    story.duplicates = {254: 252}
    text = framing.describe(story, profile) or ""
    assert "in Russia, TASS wrote of" in text
    assert "The Diplomat wrote of" not in text
    assert "unlike the reports from the United States and China" in text


VOTING = (
    "Muslims discussed their voting concerns before the election in Kazakhstan.\n\n"
    "Voting rules and voting lists worried them, community leaders said."
)


def test_an_outlet_that_only_ran_a_copy_is_not_said_to_have_written_it(profile):
    """Al Jazeera ran Kazinform's report (story 36 of the walk): it wrote none of its words."""
    story = _swapped(-0.933, -0.459)
    kazinform = _art(
        109, title="Muslims discuss voting", outlet="Kazinform", country="KZ", day=3, text=VOTING
    )
    copy = _art(
        123, title="Muslims discuss voting", outlet="Al Jazeera", country="QA", day=4, text=VOTING
    )
    copy.tone = 0.8
    story.articles += [kazinform, copy]
    story.duplicates[123] = 109
    assert "Al Jazeera" not in (framing.describe(story, profile) or "")


def test_a_report_and_the_copies_others_ran_of_it_are_one_tone(profile):
    """Story 17 of the walk: Al Jazeera's report read 0.84, the shortened copies China's and
    America's outlets ran of it 0.46; the same report is no difference by country."""
    lead = _art(
        23,
        title="Kazakhstan risks breaking rule",
        outlet="Al Jazeera",
        country="QA",
        day=1,
        text=VOTING,
    )
    lead.tone = 0.84
    copies = [
        _art(aid, title="Kazakhstan risks breaking rule", outlet=outlet, country=country, day=1,
             text=VOTING.split("\n\n")[0])
        for aid, outlet, country in [(37, "Xinhua", "CN"), (38, "The Diplomat", "US")]
    ]  # fmt: skip
    for copy in copies:
        copy.tone = 0.459
    story = Story(17, "t", [lead, *copies], duplicates={37: 23, 38: 23})
    assert framing.describe(story, profile) is None
