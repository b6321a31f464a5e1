"""The digest's text and JSON: outlets as they spell themselves, bylines, absent values."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from mediadigest import run, store
from mediadigest.model import Article, Grade, Hit, Relevance, Story
from mediadigest.profile import Profile, load_profile
from mediadigest.write import attribute, style
from mediadigest.write.byline import clean as byline_clean
from mediadigest.write.compose import build_digest, compose_story
from mediadigest.write.render import from_dict, to_dict, to_html, to_markdown

TEXT = (
    "Kazakhstan opened a new rail crossing to China on Tuesday, the transport ministry said.\n\n"
    "The crossing at Bakhty will carry up to ten million tonnes of freight a year."
)


@pytest.fixture(scope="module")
def profile() -> Profile:
    return load_profile("kazakhstan")


def article(
    *,
    outlet: str | None = "eurasianet.org",
    country: str | None = None,
    author: str | None = None,
    kind: str = "news",
    published: datetime | None = datetime(2025, 12, 16, 9, tzinfo=UTC),
) -> Article:
    hits = [Hit("Kazakhstan", "Kazakhstan", "country", "title")]
    art = Article(
        url="https://eurasianet.org/kazakhstan-rail",
        canonical_url="https://eurasianet.org/kazakhstan-rail",
        content_hash="h1",
        title="Kazakhstan opens a rail crossing to China",
        text=TEXT,
        outlet=outlet,
        outlet_country=country,
        author=author,
        published=published,
        relevance=Relevance(6.0, Grade.SUBJECT, True, hits),
        id=1,
    )
    art.kind = kind
    return art


# -- an outlet known only by its domain -------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "author", "start"),
    [
        ("news", None, "The website eurasianet.org reported on Dec. 16 that Kazakhstan opened"),
        ("news", "Aliya Serikbayeva", "The website eurasianet.org published an article on"),
        ("opinion", "Aliya Serikbayeva", "The website eurasianet.org published an opinion"),
        ("interview", None, "The website eurasianet.org published an interview on Dec. 16."),
        ("press_release", None, "The website eurasianet.org published a press release"),
    ],
)
def test_a_domain_opening_the_attribution_keeps_its_case(profile, kind, author, start):
    art = article(author=author, kind=kind)
    lede = attribute.attribution(art, profile, first=TEXT.split("\n")[0])
    assert lede.text.startswith(start)
    assert "Eurasianet.org" not in lede.text


def test_a_lower_case_brand_keeps_its_case_too(profile):
    lede = attribute.attribution(article(outlet="bne IntelliNews"), profile)
    assert lede.text == "The outlet bne IntelliNews reported on Dec. 16."


def test_a_capitalised_outlet_opens_the_line_as_before(profile):
    assert attribute.attribution(article(outlet="Eurasianet"), profile).text == (
        "Eurasianet reported on Dec. 16."
    )
    jiji = attribute.attribution(article(outlet="jiji.com", country="JP"), profile)
    assert jiji.text == "Japan’s jiji.com reported on Dec. 16."


def test_only_a_name_in_lower_case_is_reworded():
    assert style.sentence_start("eurasianet.org") == "The website eurasianet.org"
    assert style.sentence_start("Kaspi.kz") == "Kaspi.kz"
    assert style.sentence_start("An unnamed outlet") == "An unnamed outlet"


def test_the_composed_item_names_the_domain_in_its_own_case(profile):
    item = compose_story(Story(1, "t", [article()]), profile)
    assert item.attribution.startswith("The website eurasianet.org reported on Dec. 16 that")
    assert item.outlet == "eurasianet.org"


# -- absent values in the digest JSON are null ------------------------------------------------

WEEK = Path(__file__).parent / "fixtures" / "stories" / "week.jsonl"
SINCE, UNTIL = date(2025, 12, 15), date(2025, 12, 21)


@pytest.fixture(scope="module")
def week_store(tmp_path_factory, profile) -> sa.Engine:
    engine = store.open_store(f"sqlite:///{tmp_path_factory.mktemp('week') / 'store.db'}")
    assert run.ingest(engine, profile, [WEEK]).ok
    return engine


def _empty_strings(value: Any, path: str = "") -> list[str]:
    """Where ``value`` holds "" (the keys of a JSON document, as a path)."""
    if value == "":
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _empty_strings(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _empty_strings(v, f"{path}[{i}]")]
    return []


def test_the_digest_json_gives_every_absent_value_as_null(week_store, profile):
    with week_store.begin() as conn:
        digest = to_dict(build_digest(conn, profile, SINCE, UNTIL))
    assert digest["items"]
    assert _empty_strings(digest) == []
    sources = [s for item in digest["items"] for s in item["sources"]]
    assert any(s["copy_of"] is not None for s in sources)  # the wire copies of one report
    for src in sources:
        assert src["copy_of"] is None or isinstance(src["copy_of"], int)
        assert src["via_story"] in (True, False)
    assert any(item["author"] is None for item in digest["items"])


def test_a_source_without_outlet_or_date_has_them_null(profile):
    art = article(outlet=None, published=None)
    (source,) = compose_story(Story(1, "t", [art]), profile).sources
    assert source == {
        "url": art.url,
        "outlet": None,
        "published": None,
        "copy_of": None,
        "via_story": False,
        "via": None,
    }


def test_a_digest_stored_with_empty_strings_still_reads_and_renders(week_store, profile):
    """Digests stored by earlier versions held "" for absent values and "yes"/"" flags."""
    with week_store.begin() as conn:
        new = to_dict(build_digest(conn, profile, SINCE, UNTIL))
    old = copy.deepcopy(new)
    old["trend"] = old["trend"] or ""
    for item in old["items"]:
        item["author"] = item["author"] or ""
        for src in item["sources"]:
            src["outlet"] = src["outlet"] or ""
            src["copy_of"] = "" if src["copy_of"] is None else str(src["copy_of"])
            src["via_story"] = "yes" if src["via_story"] else ""
    assert to_markdown(from_dict(old)) == to_markdown(from_dict(new))
    assert to_html(from_dict(old)) == to_html(from_dict(new))


# -- pages read from files -------------------------------------------------------------------

SAVED_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Kazakhstan and EU sign critical raw materials pact | Steppe Wire</title>
<meta property="og:site_name" content="Steppe Wire">
<meta property="article:published_time" content="2025-12-17T10:30:00+05:00">
<link rel="canonical" href="https://steppe.example/news/eu-pact?utm_source=rss&amp;id=7">
</head><body><article><h1>Kazakhstan and EU sign critical raw materials pact</h1>
<p>Kazakhstan and the European Union signed a partnership on critical raw materials on
Wednesday in Astana, covering rare earths, lithium and graphite, the foreign ministry said.</p>
<p>The deal commits both sides to joint projects on exploration, processing and recycling, and
opens European funding for three mines in the east of the country, officials said.</p>
<p>Brussels has been trying to reduce its reliance on China for the minerals used in batteries
and wind turbines, and Kazakhstan holds some of the largest deposits in Central Asia.</p>
</article></body></html>
"""


def _digest_of_files(tmp_path: Path, profile: Profile, *pages: tuple[str, str]) -> dict:
    engine = store.open_store(f"sqlite:///{tmp_path / 'store.db'}")
    paths = []
    for name, html in pages:
        (tmp_path / name).write_text(html, encoding="utf-8")
        paths.append(tmp_path / name)
    assert run.ingest(engine, profile, paths).ok
    with engine.begin() as conn:
        return to_dict(build_digest(conn, profile, SINCE, UNTIL))


def test_a_saved_page_is_linked_by_its_canonical_address(tmp_path, profile):
    """A walk's saved page gave "Sources: Steppe Wire" with no link, and its path in the JSON."""
    digest = _digest_of_files(tmp_path, profile, ("a.html", SAVED_PAGE))
    (item,) = digest["items"]
    assert [s["url"] for s in item["sources"]] == ["https://steppe.example/news/eu-pact?id=7"]
    assert "Sources: [Steppe Wire](<https://steppe.example/news/eu-pact?id=7>)" in to_markdown(
        from_dict(digest)
    )
    assert "file:" not in json.dumps(digest) and str(tmp_path) not in json.dumps(digest)


def test_a_page_read_from_a_file_without_a_web_address_has_none(tmp_path, profile):
    page = SAVED_PAGE.replace('<link rel="canonical"', '<link rel="alternate"')
    digest = _digest_of_files(tmp_path, profile, ("a.html", page))
    (source,) = digest["items"][0]["sources"]
    assert source["url"] is None and source["outlet"] == "Steppe Wire"
    back = from_dict(digest)
    assert "Sources: Steppe Wire\n" in to_markdown(back) + "\n"
    assert str(tmp_path) not in to_markdown(back) + to_html(back) + json.dumps(digest)


# -- bylines of one word ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("byline", "outlet", "named"),
    [
        ("By Aigerim", "Steppe Wire", "Aigerim"),
        ("Aigerim", None, "Aigerim"),
        ("Автор: Айгерим", None, "Aygerim"),  # spelled as the other Cyrillic names are
        ("Tomaž", None, "Tomaž"),
        ("Jean-Luc", None, "Jean-Luc"),
        ("By Aigerim; Dana Omarova", None, "Aigerim and Dana Omarova"),
        ("Aigerim, Almaty correspondent", None, "Aigerim, Almaty correspondent"),
    ],
)
def test_a_lone_given_name_is_a_byline(byline, outlet, named):
    assert byline_clean(byline, outlet) == named


@pytest.mark.parametrize(
    ("byline", "outlet"),
    [
        ("By Staff", None),
        ("By Admin", None),
        ("Administrator", None),
        ("Editor", None),
        ("Various", None),
        ("Anonymous", None),
        ("Редакция", None),
        ("Reuters", "Steppe Wire"),
        ("Interfax", None),
        ("TASS", None),
        ("AIGERIM", None),  # capitals alone: an agency's initials as often as a name
        ("Kursiv", "Kursiv Media"),
        ("eurasianet.org", None),
        ("jdoe", None),
        ("Monday", None),
        ("Al", None),
    ],
)
def test_a_lone_word_that_names_no_person_is_no_byline(byline, outlet):
    assert byline_clean(byline, outlet) is None


def test_the_attribution_names_a_reporter_who_signs_with_a_first_name(profile):
    art = article(outlet="Steppe Wire", author="By Aigerim")
    assert attribute.attribution(art, profile).text == (
        "Steppe Wire published an article on Dec. 16 by Aigerim."
    )
    item = compose_story(Story(1, "t", [art]), profile)
    assert item.author == "Aigerim"
