"""A roundup's items in the digest: credited to the outlets they retell, the roundup as "via".

The press review fixture (tests/fixtures/understand/press-review.txt) is ingested as its
outlet's JSONL record and written into a digest, as `mediadigest ingest` and `digest` do.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from html import escape
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from mediadigest import run, store
from mediadigest.analyse import analyse
from mediadigest.analyse.attribution import find_attribution
from mediadigest.model import Digest, DigestItem, Document, Story
from mediadigest.profile import Profile, load_profile
from mediadigest.web.app import create_app
from mediadigest.write import attribute, credit, style
from mediadigest.write.compose import build_digest, compose_story, counted_outlets
from mediadigest.write.render import to_dict, to_html, to_markdown
from web_support import WEEK, login, token_of

FIXTURES = Path(__file__).parent / "fixtures" / "understand"
PAGE = "https://herald.example/2025/12/press-review"
SINCE, UNTIL = date(2025, 12, 15), date(2025, 12, 21)


def fixture_text(name: str) -> str:
    """A fixture without its header (everything up to the line ``---``)."""
    return (FIXTURES / name).read_text(encoding="utf-8").split("\n---\n", 1)[1]


@pytest.fixture(scope="module")
def profile() -> Profile:
    return load_profile("kazakhstan")


def review_record(folder: Path) -> Path:
    """The press review as the JSONL record of the page that published it."""
    record = {
        "url": PAGE,
        "title": "Foreign media digest: wind power, Osaka flights, a museum and the Caspian",
        "text": fixture_text("press-review.txt"),
        "published": "2025-12-20",
        "outlet": "Steppe Herald",
    }
    (folder / "review.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    return folder / "review.jsonl"


@pytest.fixture(scope="module")
def engine(tmp_path_factory, profile) -> sa.Engine:
    folder = tmp_path_factory.mktemp("review")
    engine = store.open_store(f"sqlite:///{folder / 'store.db'}")
    assert run.ingest(engine, profile, [review_record(folder)]).ok
    return engine


@pytest.fixture(scope="module")
def digest(engine, profile):
    with engine.begin() as conn:
        return build_digest(conn, profile, SINCE, UNTIL)


def item_of(digest, headline_start: str) -> DigestItem:
    return next(i for i in digest.items if i.headline.startswith(headline_start))


# -- the item's credit --------------------------------------------------------------------------


def test_an_item_is_credited_to_the_outlet_date_and_author_it_retells(digest):
    wind = item_of(digest, "Kazakhstan and Norway")
    assert (wind.outlet, wind.published, wind.author) == (
        "The Fjord Business Review",
        date(2025, 12, 16),
        "Askar Temirbekov",
    )


def test_the_line_is_the_items_own_attribution_sentence_with_the_date_in_house_style(digest):
    wind = item_of(digest, "Kazakhstan and Norway")
    assert wind.attribution == (
        "The Fjord Business Review published an article on Dec. 16 by Askar Temirbekov, the "
        "chairman of Samruk-Energy Wind, arguing for Norwegian investment in wind farms in the "
        "Kazakh steppe."
    )


def test_no_item_names_the_roundup_nor_repeats_its_attribution(digest):
    assert len(digest.items) == 4
    for item in digest.items:
        said = " ".join([item.attribution, *item.summary])
        assert "Steppe Herald" not in said
        assert item.outlet != "Steppe Herald"
        assert said.count(" on Dec.") == 1, said  # one attribution, once
        assert "Dec 16." not in said


def test_a_known_outlet_is_named_as_the_house_names_it(digest):
    flights = item_of(digest, "New direct flights")
    assert (flights.outlet, flights.outlet_country) == ("Jiji Press", "JP")
    assert flights.attribution.startswith(
        "Japan's Jiji Press reported on Dec. 18 that Air Astana will fly twice a week"
    )
    assert flights.summary[0].startswith("Travel agencies in Osaka")


def test_an_interview_from_before_the_week_keeps_its_own_day(digest):
    museum = item_of(digest, "A museum of the nomads")
    assert (museum.outlet, museum.published, museum.kind) == (
        "The Danube Cultural Weekly",
        date(2025, 12, 4),
        "interview",
    )
    assert museum.attribution.startswith(
        "The Danube Cultural Weekly published an interview on Dec. 4 with the director"
    )


# -- traceable to the page it was read from -----------------------------------------------------


def test_the_roundup_page_is_each_sources_via(digest):
    for item in digest.items:
        (source,) = to_dict(replace(digest, items=[item]))["items"][0]["sources"]
        assert source["outlet"] == item.outlet
        assert source["published"] == item.published.isoformat()
        assert source["url"].startswith(f"{PAGE}#")
        assert source["via"] == {"outlet": "Steppe Herald", "url": PAGE, "published": "2025-12-20"}


def test_every_sentence_points_at_its_words_in_the_item(digest, engine):
    with engine.connect() as conn:
        texts = dict(conn.execute(sa.text("select id, text from articles")).all())
    for item in digest.items:
        for ev in item.evidence:
            words = texts[ev["article_id"]][ev["start"] : ev["end"]]
            if ev["part"] == "attribution":
                assert item.attribution.endswith(words)
            elif ev["part"] == "summary":
                assert item.summary[ev["sentence"]] == words
        assert item.evidence[0]["part"] == "attribution"


def test_a_page_that_is_no_roundups_item_has_no_via(digest, profile):
    (wind,) = [a for a in _analysed(profile) if a.title.startswith("Kazakhstan and Norway")]
    wind.parent_url = None
    assert credit.credit(wind, profile).via is None
    assert credit.credit(wind, profile).outlet == "Steppe Herald"


def test_a_roundup_read_from_a_file_is_linked_by_no_path(profile):
    """A roundup page read from disk: its items' places and their via name no web address."""
    doc = Document(
        url="file:///srv/saved/press-review.txt",
        body=fixture_text("press-review.txt").encode("utf-8"),
        fetched_at=datetime(2025, 12, 21, tzinfo=UTC),
        content_type="text/plain; charset=utf-8",
        hints={"published": "2025-12-20", "outlet": "Steppe Herald"},
    )
    (wind,) = [a for a in analyse(doc, profile) if a.title.startswith("Kazakhstan and Norway")]
    wind.id = 1
    item = compose_story(Story(1, wind.title, [wind]), profile)
    (source,) = item.sources
    assert source["url"] is None
    assert source["via"] == {"outlet": "Steppe Herald", "url": None, "published": "2025-12-20"}
    assert "/srv/saved" not in json.dumps(to_dict(Digest(SINCE, UNTIL, "Intro.", [item])))


def test_a_page_is_linked_by_its_own_web_address_else_its_canonical_one():
    page, file = "https://steppe.example/a?id=7", "file:///srv/saved/a.html"
    assert credit.web_address(page, "https://steppe.example/b") == page
    assert credit.web_address(file, "https://steppe.example/a?utm_source=rss&id=7") == page
    assert credit.web_address(file, file) is None and credit.web_address(None) is None


def test_a_page_is_linked_without_its_tracking_parameters_and_with_all_else():
    """A page first reached through a feed's tracking link was linked with it (a walk)."""
    tracked = "https://Steppe.example/a/index.html?utm_source=rss&id=7&fbclid=x&ref=tw#top"
    assert credit.web_address(tracked) == "https://Steppe.example/a/index.html?id=7#top"
    assert credit.web_address("https://steppe.example/a?utm_medium=feed") == (
        "https://steppe.example/a"
    )
    kept = "https://steppe.example/search?q=grain&page=2"
    assert credit.web_address(kept) == kept


# -- the intro counts the outlets retold -----------------------------------------------------


def test_the_intro_counts_the_outlets_the_roundup_retells(digest):
    assert digest.intro.startswith(
        "mediadigest has selected 4 key stories from 3 international and 1 Kazakh media outlets"
    )


def test_an_outlet_retold_by_a_roundup_of_the_week_counts_though_its_report_is_older(
    digest, profile
):
    counted = counted_outlets(digest.items, profile, SINCE, UNTIL)
    assert counted == {
        "The Fjord Business Review": False,
        "Jiji Press": False,
        "The Danube Cultural Weekly": False,
        "The Times of Central Asia": True,  # the profile's Kazakh outlet
    }


# -- every face shows the same item ------------------------------------------------------------


def test_markdown_html_and_json_give_the_same_credit(digest):
    md, html, data = to_markdown(digest), to_html(digest), to_dict(digest)
    wind = item_of(digest, "Kazakhstan and Norway")
    assert data["items"][0]["attribution"] == wind.attribution
    assert wind.attribution in md
    assert "published an article on Dec. 16 by Askar Temirbekov" in html
    assert "[The Fjord Business Review (via Steppe Herald)](<" in md
    assert ">The Fjord Business Review (via Steppe Herald)</a>" in html
    assert "Steppe Herald published" not in md + html


def test_the_web_editor_shows_the_item_as_the_digest_does(seeded, profile, tmp_path, digest):
    assert run.ingest(seeded.engine, profile, [review_record(tmp_path)]).ok
    app = create_app(seeded.settings, engine=seeded.engine)
    client = login(TestClient(app, follow_redirects=False), "editor")
    token = token_of(client)
    client.post("/editor/start", data={"week": WEEK, "csrf_token": token})
    page = client.get("/editor", params={"week": WEEK}).text
    wind = item_of(digest, "Kazakhstan and Norway")
    assert escape(wind.attribution) in page
    assert "The Fjord Business Review</a> (via Steppe Herald)" in page
    assert "Steppe Herald published" not in page


# -- a roundup's item as another report of a story ---------------------------------------------


def _analysed(profile: Profile) -> list:
    doc = Document(
        url=PAGE,
        body=fixture_text("press-review.txt").encode("utf-8"),
        fetched_at=datetime(2025, 12, 21, tzinfo=UTC),
        content_type="text/plain; charset=utf-8",
        hints={"published": "2025-12-20", "outlet": "Steppe Herald"},
    )
    arts = analyse(doc, profile)
    for n, art in enumerate(arts, 10):
        art.id = n
    return arts


def test_a_sentence_from_a_roundups_item_is_credited_to_the_outlet_it_retells(profile):
    (flights,) = [a for a in _analysed(profile) if a.title.startswith("New direct flights")]
    lead = replace(
        flights,
        id=1,
        url="https://wire.example/osaka",
        canonical_url="https://wire.example/osaka",
        parent_url=None,
        attribution=None,
        reported_by=None,
        reported_on=None,
        outlet="Steppe Wire",
        outlet_country="KZ",
        relevance=replace(flights.relevance, score=flights.relevance.score + 5),
        text="Kazakhstan's flag carrier Air Astana will open a route to Osaka in March, "
        "its first to western Japan, the airline said on Thursday in Almaty.\n"
        "The airline will use its new Airbus A321LR jets on the route, which takes about "
        "seven hours, and plans to add a third weekly flight in the summer.",
    )
    item = compose_story(Story(1, lead.title, [lead, flights]), profile)
    assert item.outlet == "Steppe Wire"
    assert item.summary[-1] == (
        "Japan’s Jiji Press reported on Dec. 18: Travel agencies in Osaka expect steady "
        "demand from students and business travellers heading to Kazakhstan, according to "
        "the report."
    )
    # Its own attribution sentence is no sentence of the summary: it would credit Jiji twice.
    assert not any("twice a week" in s for s in item.summary)
    # Nor is Jiji named again as having covered the story: the summary credits it.
    assert item.also is None


def test_a_closing_attribution_credits_the_page_citing_its_source(profile):
    item = _analysed(profile)[1]
    text = (
        "Kazakhstan will open a wind farm near Ereymentau in the spring, the energy ministry's "
        "press service reports. The farm will have forty turbines and power a hundred thousand "
        "homes in the Akmola region."
    )
    closing = replace(item, text=text, attribution=None, reported_by=None, reported_on=None)
    closing.attribution = find_attribution(text, date(2025, 12, 20))
    closing.reported_by = closing.attribution.reported_by
    assert credit.retold(closing) is None
    assert credit.credit(closing, profile).outlet == "Steppe Herald"
    line = attribute.attribution(closing, profile).text
    assert line.startswith("Steppe Herald reported on Dec. 20")


# -- outlets known by name ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outlet", "phrase", "country"),
    [
        ("Jiji Press", "", "JP"),  # the profile's outlet, by its name
        ("Times of Central Asia", "", "KZ"),  # with or without "The"
        ("Danube Review", "Poland's Danube Review", "PL"),  # the possessive the line gives
        ("Courier", "The United States’ Courier", None),  # not a possessive of a name
        ("Pacific Courier", "The Pacific Courier", None),
    ],
)
def test_an_outlets_country_comes_from_the_profile_or_the_attribution(
    profile, outlet, phrase, country
):
    assert credit.outlet_country(outlet, profile, phrase) == country


def test_a_country_named_in_english_has_its_code():
    assert style.country_code("Japan") == "JP"
    assert style.country_code("the United States") == "US"
    assert style.country_code("Malaysia") == "MY"
    assert style.country_code("Atlantis") is None
