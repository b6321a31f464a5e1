"""A quote speaker's short role: read from an English article, printed with the name, kept
in the JSON, dropped when an editor names another speaker (analyse/speaker_roles.py)."""

from __future__ import annotations

import pytest

from mediadigest.analyse.quotes import find_quotes, resolve_speakers
from mediadigest.model import Quote
from mediadigest.web import editions
from mediadigest.write.render import from_dict, to_dict
from mediadigest.write.render.json import item_from_dict
from mediadigest.write.render.markdown import quote_line
from test_quotes import known


def roles(text: str, *names: str, language: str | None = "en") -> list[tuple[str | None, ...]]:
    quotes = find_quotes(text, language)
    resolve_speakers(text, quotes, known(text, *names), language=language)
    return [(q.speaker, q.role) for q in quotes]


@pytest.mark.parametrize(
    ("text", "names", "said"),
    [
        # a capitalised title before the first full mention
        (
            "Energy Minister Yerlan Akkenzhenov said on Tuesday the plant would be built. "
            '"The site has been chosen and the work will start next year," Akkenzhenov said.',
            (),
            ("Yerlan Akkenzhenov", "Energy Minister"),
        ),
        (
            "Chinese Premier Li Qiang met Tokayev in Astana. "
            '"China is ready to deepen cooperation with Kazakhstan," Li said.',
            (),
            ("Li Qiang", "Chinese Premier"),
        ),
        # a lower-case job; the sentence's first word in the case it has inside one
        (
            "A court in Almaty sentenced journalist Daniyar Adilbekov to seven years. "
            '"I will not ask for a pardon because I have committed no crime," Adilbekov said.',
            (),
            ("Daniyar Adilbekov", "journalist"),
        ),
        (
            '"Kazakhstan will have to look for other routes, but they are few," said political '
            "analyst Eldar Shamsutdinov.",
            (),
            ("Eldar Shamsutdinov", "political analyst"),
        ),
        # an organisation from an apposition after the first mention
        (
            "Gulnoza Said, CPJ’s Europe and Central Asia program coordinator, criticised the "
            'verdict. "Kazakhstan cannot claim to be reforming while it jails reporters," said '
            "Gulnoza Said.",
            ("Gulnoza Said",),
            ("Gulnoza Said", "CPJ’s"),
        ),
        (
            "Temur Umarov, a fellow at the Carnegie Russia Eurasia Center, was sceptical. "
            '"Moscow has few means to keep Astana close," Umarov said.',
            ("Temur Umarov|Umarov",),
            ("Temur Umarov", "of the Carnegie Russia Eurasia Center"),
        ),
    ],
    ids=["title", "title-surname-first", "job", "job-opening-a-sentence", "org-owner", "org-at"],
)
def test_an_english_speakers_role_is_read_from_their_first_full_mention(text, names, said):
    # The digest printed "Yerlan Akkenzhenov said" where the source says Energy Minister
    assert roles(text, *names) == [said]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # whose lawyer: the text said before, and a role would not say
        (
            "The court heard Tokayev's critic. His lawyer Zhanara Balgabayeva spoke after. "
            '"The verdict was written before the trial began," Balgabayeva said.',
            (),
        ),
        # "deputy energy minister" would be cut to "minister": an unknown word before the job
        (
            "Tokayev met former deputy oilfield minister Arman Dunayev on Monday. "
            '"We will have to cut production next year," Dunayev said.',
            (),
        ),
        # no role in the text at all
        (
            'Nurlan Abenov left early. "We have done what we could do here," Abenov said.',
            ("Nurlan Abenov|Abenov",),
        ),
        # a title after the name in an apposition that is no organisation's
        (
            "Zhanara Balgabayeva, Tokayev's lawyer, spoke to reporters. "
            '"The verdict was written before the trial began," Balgabayeva said.',
            ("Zhanara Balgabayeva|Balgabayeva",),
        ),
        # a name joined over "and" runs on before the role's first word
        (
            "British and Irish Lions coach Clive Woodward named his squad. "
            '"I am unlikely to pick anyone who was not at the World Cup," Woodward said.',
            (),
        ),
        # the first full mention has no role; a later one's is another thing's
        (
            "Mel Gibson's film won best drama. The Passion of the Christ director Mel Gibson "
            'spoke. "I am grateful to everyone who went to see the film," Gibson said.',
            (),
        ),
    ],
    ids=["whose-job", "cut-job", "none", "person-owner", "name-joined", "possessive-first"],
)
def test_a_role_the_text_leaves_in_doubt_is_none(text, names):
    assert [role for _, role in roles(text, *names)] == [None]


_SAID = '"Trade between our countries has doubled in five years," '


@pytest.mark.parametrize(
    ("text", "names", "said"),
    [
        (
            "Xinhua ran an interview on Monday with Kazakhstan’s Ambassador to Japan, Aidar "
            f"Seitkali, who praised the talks. {_SAID}Seitkali said.",
            (),
            ("Aidar Seitkali", "Kazakhstan’s Ambassador to Japan"),
        ),
        (
            "The talks were joined by Kazakhstan’s Ambassador in Germany, Nurbol Tasmagambetov, "
            f"on Friday. {_SAID}Tasmagambetov said.",
            (),
            ("Nurbol Tasmagambetov", "Kazakhstan’s Ambassador in Germany"),
        ),
        (
            "The forum opened with a speech by the Kazakh Ambassador to Turkey, Yerbol "
            f"Sapargaliyev, on Monday. {_SAID}Sapargaliyev said.",
            (),
            ("Yerbol Sapargaliyev", "the Kazakh Ambassador to Turkey"),
        ),
        (
            "Speaking in Astana, Uzbekistan’s Foreign Minister, Bakhtiyor Ortikov, praised the "
            f"deal. {_SAID}Ortikov said.",
            (),
            ("Bakhtiyor Ortikov", "Uzbekistan’s Foreign Minister"),
        ),
        # the news report's own order: the clause, then who said it
        (
            "The two countries will open a research centre in Almaty next year, Kazakhstan’s "
            f"Ambassador to Japan, Aidar Seitkali, said on Tuesday. {_SAID}Seitkali said.",
            (),
            ("Aidar Seitkali", "Kazakhstan’s Ambassador to Japan"),
        ),
        # "the" in the case it has inside a sentence
        (
            "The Kazakh Ambassador to Turkey, Yerbol Sapargaliyev, opened the forum. "
            f"{_SAID}Sapargaliyev said.",
            (),
            ("Yerbol Sapargaliyev", "the Kazakh Ambassador to Turkey"),
        ),
        # after the name, its place with it
        (
            f"Aidar Seitkali, Kazakhstan’s ambassador to Japan, spoke at the forum. {_SAID}"
            "Seitkali said.",
            ("Aidar Seitkali|Seitkali",),
            ("Aidar Seitkali", "Kazakhstan’s ambassador to Japan"),
        ),
        (
            "Aidar Seitkali, the Kazakh ambassador to Bosnia and Herzegovina, spoke at the "
            f"forum. {_SAID}Seitkali said.",
            ("Aidar Seitkali|Seitkali",),
            ("Aidar Seitkali", "the Kazakh ambassador to Bosnia and Herzegovina"),
        ),
        # the name ending the sentence
        (
            f"{_SAID}said Aidar Seitkali, Kazakhstan’s ambassador to Japan.",
            (),
            ("Aidar Seitkali", "Kazakhstan’s ambassador to Japan"),
        ),
        (
            "The forum was opened by Kazakhstan’s Ambassador to Japan, Aidar Seitkali. "
            f"{_SAID}Seitkali said.",
            (),
            ("Aidar Seitkali", "Kazakhstan’s Ambassador to Japan"),
        ),
        (
            "In Almaty, the U.S. Ambassador to Kazakhstan, Daniel Rosenblum, opened the fair. "
            f"{_SAID}Rosenblum said.",
            (),
            ("Daniel Rosenblum", "the U.S. Ambassador to Kazakhstan"),
        ),
    ],
    ids=[
        "owner-office-to",
        "owner-office-in",
        "the-nationality-office-to",
        "place-minister",
        "after-a-clause",
        "the-opening-a-sentence",
        "after-the-name",
        "after-the-name-the-nationality",
        "after-the-name-ending-the-sentence",
        "before-the-name-ending-the-sentence",
        "abbreviated-country-after-a-place",
    ],
)
def test_an_office_set_off_by_commas_is_read_as_printed(text, names, said):
    # The digest printed "Aidar Seitkali said" where the source says whose ambassador he is
    assert roles(text, *names) == [said]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        # no second comma: Ortikov may be the one who met the minister
        (
            "After meeting Uzbekistan’s Foreign Minister, Bakhtiyor Ortikov said the talks went "
            f"well. {_SAID}Ortikov said.",
            (),
        ),
        # after another name, the office may be that person's, or a list's
        (
            "Present were Murat Saparov, Uzbekistan’s Foreign Minister, Bakhtiyor Ortikov, and "
            f"others. {_SAID}Ortikov said.",
            ("Bakhtiyor Ortikov|Ortikov",),
        ),
        # whose ambassador?
        (
            "The talks were joined by the Ambassador to Japan, Aidar Seitkali, on Friday. "
            f"{_SAID}Seitkali said.",
            (),
        ),
        # a minister "in December" is when, not where he serves
        (
            "The talks were joined by Kazakhstan’s Foreign Minister in December, Aidar "
            f"Seitkali, on Friday. {_SAID}Seitkali said.",
            (),
        ),
        # an adviser's "to the cabinet" is no office set off with its place
        (
            "Aidar Seitkali, Tokayev's adviser to the cabinet, spoke at the forum. "
            f"{_SAID}Seitkali said.",
            ("Aidar Seitkali|Seitkali",),
        ),
        # "U.S." or "U.S" and a sentence: where the place ends is in doubt
        (f"{_SAID}said Aidar Seitkali, Kazakhstan’s ambassador to the U.S. He spoke on.", ()),
    ],
    ids=[
        "one-comma",
        "after-a-name",
        "whose-ambassador",
        "when-not-where",
        "not-an-office",
        "abbreviation-at-the-end",
    ],
)
def test_an_office_set_off_by_commas_in_doubt_is_none(text, names):
    assert [role for _, role in roles(text, *names)] == [None]


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("Former foreign secretary Robin Cook said so. ", "former foreign secretary"),
        ("New Home Secretary Charles Clarke said so. ", "new Home Secretary"),
        ("Countryside Alliance chairman John Jackson said so. ", "Countryside Alliance chairman"),
        ("Deputy Prime Minister Roman Sklyar said so. ", "Deputy Prime Minister"),
    ],
)
def test_a_role_opening_a_sentence_is_in_the_case_it_has_inside_one(text, role):
    name = " ".join(text.split()[len(role.split()) : len(role.split()) + 2])
    text += f'"We have done everything we could do this year," {name.split()[-1]} said.'
    assert roles(text) == [(name, role)]


def test_a_pronoun_speaker_named_by_no_full_mention_has_no_role():
    text = 'Officials met on Tuesday. "We have done what we could do here," he said.'
    assert roles(text) == [(None, None)]


def test_a_role_is_read_in_english_only():
    text = (
        "Energy Minister Yerlan Akkenzhenov said on Tuesday the plant would be built. "
        '"The site has been chosen and the work will start next year," Akkenzhenov said.'
    )
    assert [role for _, role in roles(text, language=None)] == [None]


@pytest.mark.parametrize(
    ("quote", "line"),
    [
        (
            Quote("We are ready.", "Yerlan Akkenzhenov", 0, 0, role="Energy Minister"),
            "“We are ready,” Energy Minister Yerlan Akkenzhenov said.",
        ),
        (
            Quote("We are ready.", "Gulnoza Said", 0, 0, role="CPJ’s"),
            "“We are ready,” said CPJ’s Gulnoza Said.",
        ),
        (
            Quote(
                "We are ready.", "Temur Umarov", 0, 0, role="of the Carnegie Russia Eurasia Center"
            ),
            "“We are ready,” Temur Umarov of the Carnegie Russia Eurasia Center said.",
        ),
        (
            Quote("We are ready.", "the ambassador", 0, 0, role="Energy Minister"),
            "“We are ready,” according to the ambassador.",
        ),
        (
            Quote("We are ready.", "Aidar Seitkali", 0, 0, role="Kazakhstan’s Ambassador to Japan"),
            "“We are ready,” said Kazakhstan’s Ambassador to Japan, Aidar Seitkali.",
        ),
        (
            Quote("We are ready.", "Bakhtiyor Ortikov", 0, 0, role="Uzbekistan’s Foreign Minister"),
            "“We are ready,” Uzbekistan’s Foreign Minister Bakhtiyor Ortikov said.",
        ),
        (
            Quote("We are ready.", "Temur Umarov", 0, 0, role="of the Institute in Almaty"),
            "“We are ready,” Temur Umarov of the Institute in Almaty said.",
        ),
    ],
    ids=["title", "org-owner-verb-name", "org-at", "no-name", "office-to", "office", "org-in"],
)
def test_the_quote_line_prints_the_role_with_the_name(quote, line):
    assert quote_line(quote) == line


def _item(quote: dict | None) -> dict:
    return {"headline": "H", "attribution": "A.", "summary": ["S."], "quote": quote}


def test_a_json_round_trip_keeps_the_role():
    item = item_from_dict(_item({"text": "T", "speaker": "Li Qiang", "role": "Chinese Premier"}))
    assert item.quote is not None and item.quote.role == "Chinese Premier"
    digest = {"period": {"from": "2025-12-15", "to": "2025-12-21"}, "items": [_item(None)]}
    digest["items"][0]["quote"] = {"text": "T", "speaker": "Li Qiang", "role": "Chinese Premier"}
    assert to_dict(from_dict(digest))["items"][0]["quote"]["role"] == "Chinese Premier"


def test_a_json_item_stored_before_roles_loads_without_one():
    item = item_from_dict(_item({"text": "T", "speaker": "Li Qiang"}))
    assert item.quote is not None and item.quote.role is None
    digest = {"period": {"from": "2025-12-15", "to": "2025-12-21"}, "items": [_item(None)]}
    digest["items"][0]["quote"] = {"text": "T", "speaker": "Li Qiang"}
    assert to_dict(from_dict(digest))["items"][0]["quote"] == {"text": "T", "speaker": "Li Qiang"}


def _edited(speaker: str) -> dict:
    content = {"items": [_item({"text": "T", "speaker": "Li Qiang", "role": "Chinese Premier"})]}
    change = editions.ItemEdit("H", "A.", "S.", quote_text="T2", quote_speaker=speaker)
    return editions.edit(content, 0, change)["items"][0]["quote"]


def test_an_editor_naming_another_speaker_drops_the_role():
    # "Chinese Premier" printed before the name the editor typed in its place
    assert _edited("Kassym-Jomart Tokayev") == {"text": "T2", "speaker": "Kassym-Jomart Tokayev"}


def test_an_editor_keeping_the_speaker_keeps_the_role():
    assert _edited("Li Qiang")["role"] == "Chinese Premier"
