"""The digest's writing, as a foreign-desk editor read it against the house style: framing only
from real differences, one-paragraph quotes, copies not called wire copy, honest "lead only"
notes, an English intro, relative days, and the JSON evidence documented."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from mediadigest import run, store
from mediadigest.model import Article, DigestItem, Grade, Hit, Quote, Relevance, Story
from mediadigest.profile import load_profile
from mediadigest.write import framing
from mediadigest.write.compose import compose_story, intro
from mediadigest.write.render import Format, render
from mediadigest.write.render.json import item_to_dict
from mediadigest.write.summarise import Sentence, summarise_story, trim_dateline
from warc_files import Page, write_warc

DOCS = Path(__file__).resolve().parents[1] / "docs" / "digest-json.md"


@pytest.fixture(scope="module")
def profile():
    return load_profile("kazakhstan")


def _art(
    aid: int,
    text: str,
    *,
    title: str = "Kazakhstan joins the search for the missing airliner",
    outlet: str = "The Star",
    country: str | None = "MY",
    source: str | None = "/data/export.jsonl",
    day: int = 16,
) -> Article:
    rel = Relevance(6.0, Grade.SUBJECT, True, [Hit("Kazakhstan", "Kazakhstan", "country", "body")])
    return Article(
        url=f"https://news{aid}.example/a",
        canonical_url=f"https://news{aid}.example/a",
        content_hash=f"h{aid}",
        title=title,
        text=text,
        outlet=outlet,
        outlet_country=country,
        published=datetime(2025, 12, day, 9, tzinfo=UTC),
        language="en",
        relevance=rel,
        source=source,
        id=aid,
    )


# -- framing -----------------------------------------------------------------------------

STRAIT = (
    "Search in the Andaman Sea and the Malacca strait is called off as radar data shows the "
    "airliner turned back towards Kazakhstan.\n\n"
    "Navies had combed the Malacca strait for a week. Officials said the Malacca strait "
    "search found nothing and that ships would move north.\n\n"
    "Kazakhstan offered radar records from its northern border."
)
INDIA = (
    "India widened its search for the airliner on Monday, sending ships to the islands "
    "near Kazakhstan's partners in the region.\n\n"
    "Indian officials said planes and helicopters looked for signs of the jet on land and at "
    "sea, and that the search area grew again.\n\n"
    "Kazakhstan offered radar records from its northern border."
)


def test_framing_says_nothing_when_only_ordinary_headline_words_differ(profile):
    """Each country's one report, with its own headline words once each ("ends", "hunt",
    "help"): no evidence of a difference, so no framing line at all."""
    body = "Kazakhstan offered radar records to the search for the missing airliner."
    story = Story(
        1,
        "t",
        [
            _art(1, body, title="Malaysia ends hunt for airliner", outlet="WSJ", country="US"),
            _art(
                2, body, title="Malaysia asks for help in search", outlet="Guardian", country="GB"
            ),
        ],
    )
    assert framing.describe(story, profile) is None


def test_framing_quotes_a_repeated_distinct_word_as_the_source_writes_it(profile):
    """“Malacca strait”, capitalised as the article has it ("malacca" was quoted), used three
    times and in the lead by the British report and never by the American one."""
    story = Story(
        1,
        "t",
        [
            _art(
                1,
                INDIA,
                title="India widens search",
                outlet="The Wall Street Journal",
                country="US",
            ),
            _art(2, STRAIT, title="Strait search called off", outlet="The Guardian", country="GB"),
        ],
    )
    text = framing.describe(story, profile)
    assert text is not None
    assert "in Britain, The Guardian wrote of “Malacca strait”" in text
    assert "malacca" not in text
    assert text.endswith("unlike the report from the United States.")


# -- quotes over several paragraphs ------------------------------------------------------

TWO_PARAGRAPHS = (
    "Kazakhstan and its neighbours will search the northern corridor, the prime minister "
    "said at a press conference on Monday.\n\n"
    "“This new satellite information has a significant impact on the nature of the search.\n\n"
    "“We are ending our operations in the south and moving our ships north,” Najib said.\n\n"
    "Officials in Kazakhstan said they had received no request for radar data so far."
)


def _quoted_item(profile) -> tuple[DigestItem, Article]:
    art = _art(1, TWO_PARAGRAPHS)
    start = TWO_PARAGRAPHS.index("This new")
    end = TWO_PARAGRAPHS.index(",” Najib")
    # As find_quotes reads it: one quote over two paragraphs, the second reopened.
    art.quotes = [Quote(TWO_PARAGRAPHS[start:end], "Najib", start, end, cue="Najib")]
    return compose_story(Story(1, "t", [art]), profile), art


def test_a_quote_over_two_paragraphs_is_quoted_by_its_attributed_paragraph(profile):
    item, art = _quoted_item(profile)
    assert item.quote is not None
    assert item.quote.text == "We are ending our operations in the south and moving our ships north"
    span = next(e for e in item.evidence if e["part"] == "quote")
    assert art.text[span["start"] : span["end"]] == item.quote.text


def test_the_quote_reads_as_one_paragraph_with_one_pair_of_marks_in_every_format(profile):
    item, _ = _quoted_item(profile)
    digest_md = render(_one(item), Format.md)
    line = next(p for p in digest_md.split("\n\n") if "Najib said" in p)
    assert (
        line
        == "“We are ending our operations in the south and moving our ships north,” Najib said."
    )
    html = render(_one(item), Format.html)
    para = next(p for p in re.findall(r"<p[^>]*>(.*?)</p>", html, re.S) if "Najib" in p)
    assert para.count("“") == 1 and para.count("”") == 1


def test_a_stored_quote_of_two_paragraphs_is_set_paragraph_by_paragraph():
    """A digest stored before (or an editor's quote) may still hold two paragraphs: each is its
    own paragraph, opening with a mark, and only the last closes, as print sets them."""
    quote = Quote("This new information matters a great deal.\n\n“We are ending it", "Najib", 0, 1)
    item = DigestItem("H", "The Star", "MY", None, None, [], quote, "The Star reported.")
    html = render(_one(item), Format.html)
    paras = re.findall(r"<p[^>]*>(.*?)</p>", html, re.S)
    assert "“This new information matters a great deal." in paras
    assert "“We are ending it,” Najib said." in paras
    md = render(_one(item), Format.md)
    assert "\n\n“This new information matters a great deal.\n\n“We are ending it,” Najib" in md


def _one(item: DigestItem):
    from mediadigest.model import Digest

    return Digest(date(2025, 12, 15), date(2025, 12, 21), "Intro.", [item])


# -- copies of one report ----------------------------------------------------------------

REPORT = (
    "The Open Society Institute has accused Kazakhstan officials of trying to close its "
    "local office, over a demand for unpaid taxes it says it paid in October.\n\n"
    "The institute said the demand was politically motivated."
)


def test_a_copy_without_an_agency_credit_is_not_called_wire_copy(profile):
    lead = _art(1, REPORT, outlet="BBC", country="GB", day=17)
    copy = _art(2, REPORT, outlet="Radio Free Europe/Radio Liberty", country="US", day=17)
    item = compose_story(Story(1, "t", [lead, copy], duplicates={2: 1}), profile)
    assert item.also == "Radio Free Europe/Radio Liberty (Dec. 17) ran the same report."
    assert "wire" not in (item.also or "")


def test_a_copy_credited_to_an_agency_names_it(profile):
    lead = _art(1, REPORT, outlet="France 24", country="FR", day=17)
    lead.origin = "AFP"
    copy = _art(2, REPORT, outlet="Yahoo News", country=None, day=18)
    other = _art(3, REPORT + " More.", outlet="TASS", country="RU", day=18)
    item = compose_story(Story(1, "t", [lead, copy, other], duplicates={2: 1}), profile)
    assert item.also == (
        "The story was also covered by Russia’s TASS (Dec. 18). "
        "Yahoo News (Dec. 18) ran the same AFP report."
    )


# -- lead only ---------------------------------------------------------------------------

SHORT = (
    "US heavyweight Rulon Gardner lost his Olympic title after being beaten in the semi-final "
    "by Georgiy Tsurtsumia of Kazakhstan."
)


def _ingested(folder: Path, profile, name: str, content: str | bytes) -> Article:
    """The one article of a file ingested into a real store, as the digest reads it back."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        write_warc(path, [Page("https://news.example/a", content)])
    engine = store.open_store(f"sqlite:///{folder / 's.db'}")
    assert run.ingest(engine, profile, [path]).ok
    with engine.connect() as conn:
        (art,) = store.list_articles(conn)
    engine.dispose()
    return art


def _jsonl(text: str) -> str:
    record = {"url": "https://news.example/a", "title": "Gardner loses", "text": text}
    return json.dumps({**record, "published": "2025-12-16"}) + "\n"


def test_a_short_text_given_whole_is_not_called_a_lead(tmp_path, profile):
    for name, content in [("week.jsonl", _jsonl(SHORT)), ("note.txt", f"Gardner loses\n\n{SHORT}")]:
        art = _ingested(tmp_path / name, profile, name, content)
        item = compose_story(Story(1, "t", [art]), profile)
        assert item.written_from == "text" and item.note is None, name


PAGE = f"<html><head><title>Gardner loses</title></head><body><article><p>{SHORT}</p></article>"


def test_a_short_page_is_a_lead_whether_fetched_or_read_from_a_file(tmp_path, profile):
    """A saved or archived page's one short paragraph is all that extraction found: a crawl's
    paywall teaser is no full article, from a WARC or a .html file as from a fetch."""
    for name, content in [("page.html", PAGE), ("crawl.warc.gz", PAGE.encode())]:
        art = _ingested(tmp_path / name, profile, name, content)
        item = compose_story(Story(1, "t", [art]), profile)
        assert item.written_from == "lead" and "lead only" in (item.note or ""), name


def test_a_feeds_short_text_is_a_lead(profile):
    art = _art(1, SHORT, source="https://news.example/rss.xml")
    item = compose_story(Story(1, "t", [art]), profile)
    assert item.written_from == "lead" and "lead only" in (item.note or "")


def test_a_short_text_given_whole_that_says_it_is_cut_off_is_a_lead(tmp_path, profile):
    art = _ingested(
        tmp_path, profile, "w.jsonl", _jsonl(SHORT + " Subscribe to read the full article.")
    )
    item = compose_story(Story(1, "t", [art]), profile)
    assert item.written_from == "lead"


# -- evidence ----------------------------------------------------------------------------


def test_evidence_says_which_part_of_the_item_each_span_is(profile):
    art = _art(1, REPORT, outlet="BBC", country="GB")
    item = compose_story(Story(1, "t", [art]), profile)
    first = item.evidence[0]
    assert first["sentence"] == -1 and first["part"] == "attribution"
    assert all(e["part"] == "summary" for e in item.evidence[1:])


def test_the_json_evidence_format_is_documented():
    doc = DOCS.read_text(encoding="utf-8")
    item = DigestItem("H", None, None, None, None, [], None, "")
    for key in item_to_dict(item):
        assert f"`{key}`" in doc, key
    for key in ("part", "sentence", "attribution", "summary[-1]", "article_id", "start", "end"):
        assert key in doc, key


# -- the intro ---------------------------------------------------------------------------

RU_HEADLINE = "Казахстан и Узбекистан договорились о совместном управлении водами Сырдарьи"
RU_SENTENCE = "Казахстан и Узбекистан подписали в Ташкенте соглашение о водах Сырдарьи."


def _item(headline: str, summary: list[str], attribution: str = "X reported.") -> DigestItem:
    return DigestItem(headline, "X", None, None, None, summary, None, attribution)


def test_the_intro_names_english_headlines_before_a_russian_one(profile):
    items = [
        _item(RU_HEADLINE, [RU_SENTENCE], "Russia’s Kommersant published an article in Russian."),
        _item("MH370 possibly in one of two corridors", ["The search moved north."]),
        _item("Soros group warns of Kazakh close", ["The institute said so."]),
    ]
    text = intro(items, profile, date(2025, 12, 15), date(2025, 12, 21))
    assert "Казахстан" not in text
    assert text.endswith(
        "features “MH370 possibly in one of two corridors” and “Soros group warns of Kazakh close”."
    )


def test_the_intro_names_a_russian_headline_with_its_language_when_english_ones_are_few(profile):
    items = [
        _item(RU_HEADLINE, [RU_SENTENCE], "Russia’s Kommersant published an article in Russian."),
        _item("Soros group warns of Kazakh close", ["The institute said so."]),
    ]
    text = intro(items, profile, date(2025, 12, 15), date(2025, 12, 21))
    assert text.endswith(
        f"features “{RU_HEADLINE}” (in Russian) and “Soros group warns of Kazakh close”."
    )


# -- relative days -----------------------------------------------------------------------


def test_a_sentence_without_today_is_preferred_to_an_equally_good_one_with_it(profile):
    said = "Kazakhstan will build a nuclear plant near Lake Balkhash, the energy minister said"
    first = _art(1, f"{said} today.", outlet="Jiji Press", country="JP")
    second = _art(2, f"{said} in Astana.", outlet="TASS", country="RU")
    (picked,) = summarise_story([first, second], profile, count=1)
    assert "today" not in picked.text and picked.article_id == 2


def test_an_outlets_credit_before_a_dateline_is_not_part_of_the_sentence():
    text = "Canadian Press - BAIKONUR, Kazakhstan (AP) - A Russian rocket lifted off on time."
    assert (
        trim_dateline(Sentence(text, 0, len(text))).text == "A Russian rocket lifted off on time."
    )


@pytest.mark.parametrize(
    ("source", "written_from"),
    [("/data/week.jsonl", "text"), ("/data/note.txt", "text"), ("/data/page.html", "lead"),
     ("/data/crawl.warc.gz", "lead"), ("https://news.example/rss.xml", "lead")],
)  # fmt: skip
def test_an_article_stored_before_analyse_said_how_it_was_given_is_told_by_its_file(
    profile, source, written_from
):
    """Stored by an earlier version, a short .txt or JSONL article has no word of being
    given whole: it was called a lead ("the full article was not available") after an
    upgrade, and ingesting it again changes no stored row."""
    art = _art(1, SHORT, source=source)
    assert art.explanations == {}
    assert compose_story(Story(1, "t", [art]), profile).written_from == written_from
