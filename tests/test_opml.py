"""OPML: read subscription lists (safely), write them back; the default sources."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediadigest.collect.fetch import Fetcher
from mediadigest.collect.opml import default_sources, parse_opml, to_opml
from mediadigest.errors import FormatError
from mediadigest.model import Source
from mediadigest.profile import load_profile

SIMPLE = b"""<?xml version="1.0"?>
<opml version="1.0">
  <head><title>Mine</title></head>
  <body>
    <outline text="News">
      <outline text="Feed A" title="Feed A (title)" type="rss" xmlUrl="https://a.example/rss"/>
      <outline text="Feed B" xmlUrl=" https://b.example/atom.xml "/>
      <outline text="Just a website" htmlUrl="https://c.example/"/>
      <outline text="Duplicate of A" xmlUrl="https://a.example/rss"/>
    </outline>
  </body>
</opml>"""


def test_every_outline_with_xml_url_is_a_feed_source():
    assert parse_opml(SIMPLE, "mine.opml") == [
        Source(url="https://a.example/rss", kind="feed", title="Feed A (title)"),
        Source(url="https://b.example/atom.xml", kind="feed", title="Feed B"),
    ]


def test_duplicate_feed_urls_are_listed_once():
    urls = [s.url for s in parse_opml(SIMPLE, "mine.opml")]
    assert urls.count("https://a.example/rss") == 1


def test_site_opml_lists_the_four_good_feeds(site):
    with Fetcher(timeout=2, allow_private=True, delay=0) as fetcher:
        body = fetcher.get(site.url("/sources.opml")).content
    sources = parse_opml(body, "sources.opml")
    assert [(s.title, s.url) for s in sources] == [
        ("Steppe Wire", site.url("/feeds/central-asia.xml")),
        ("Caspian Ledger", site.url("/feeds/atom.xml")),
        ("Tien Shan Review", site.url("/feeds/rdf.xml")),
        ("Steppe Wire Briefs", site.url("/feeds/rss091.xml")),
    ]


def test_not_xml_is_a_format_error_with_the_position():
    with pytest.raises(FormatError, match=r"not XML \(line 1, column \d+") as info:
        parse_opml(b"<html><body>no</html>", "page.opml")
    assert info.value.source == "page.opml"


def test_xml_that_is_not_opml_is_a_format_error():
    with pytest.raises(FormatError, match=r"not OPML \(root element is <rss>\)"):
        parse_opml(b'<rss version="2.0"><channel/></rss>', "feed.xml")


def test_entity_declarations_are_refused():
    body = b"""<?xml version="1.0"?>
<!DOCTYPE opml [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]>
<opml version="2.0"><body><outline text="&b;" xmlUrl="https://x.example/rss"/></body></opml>"""
    with pytest.raises(FormatError, match="declares entities"):
        parse_opml(body, "evil.opml")


def test_opml_without_feeds_gives_an_empty_list():
    assert parse_opml(b'<opml version="2.0"><body/></opml>', "empty.opml") == []


def test_to_opml_round_trips_feeds_titles_and_order():
    sources = [
        Source(url="https://a.example/rss?x=1&y=2", kind="feed", title="A & Co"),
        Source(url="https://b.example/feed", kind="feed", title=None),
        Source(url="https://c.example/", kind="feed", title="Казахстан"),
    ]
    assert parse_opml(to_opml(sources).encode("utf-8"), "x") == sources


def test_to_opml_round_trips_sitemaps_and_pages():
    sources = [
        Source(url="https://a.example/sitemap.xml", kind="sitemap", title="A sitemap"),
        Source(url="https://a.example/page.html", kind="page", title=None),
    ]
    assert parse_opml(to_opml(sources).encode("utf-8"), "x") == sources


def test_an_outline_of_a_kind_mediadigest_does_not_collect_is_refused():
    """kind="bogus" was stored, listed, exported and collected as a feed, while
    `sources add --kind bogus` is refused."""
    body = (b'<opml version="2.0"><body><outline type="link" text="x" '
            b'url="https://a.example/x" kind="bogus"/></body></opml>')  # fmt: skip
    with pytest.raises(FormatError) as info:
        parse_opml(body, "subs.opml")
    assert str(info.value) == (
        "subs.opml: outline 'https://a.example/x': kind 'bogus' is not one of feed, sitemap, "
        "urllist, page"
    )


def test_to_opml_writes_opml_2_with_the_given_title():
    text = to_opml([Source(url="https://a.example/rss")], title="My feeds")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">')
    assert "<title>My feeds</title>" in text
    assert 'xmlUrl="https://a.example/rss"' in text


# Text XML 1.0 can carry: no C0 controls (tab, LF and CR aside), no surrogates.
_XML_TEXT = st.text(
    st.characters(
        blacklist_categories=("Cs",),
        blacklist_characters=[c for c in map(chr, range(32)) if c not in "\t\n\r"]
        + ["\ufffe", "\uffff"],
    ),
    min_size=1,
)


@given(
    st.lists(
        st.builds(
            Source,
            url=_XML_TEXT.map(lambda t: "https://x.example/" + t.strip()),
            kind=st.sampled_from(["feed", "sitemap", "page"]),
            title=st.one_of(st.none(), _XML_TEXT),
        ),
        max_size=5,
        unique_by=lambda s: s.url,
    )
)
def test_to_opml_round_trips_any_sources(sources):
    expected = [Source(url=s.url, kind=s.kind, title=_expected_title(s)) for s in sources]
    assert parse_opml(to_opml(sources).encode("utf-8"), "x") == expected


def _expected_title(source: Source) -> str | None:
    # Titles are stripped on reading, and a blank title is no title.
    title = (source.title or "").strip()
    return title if title and title != source.url else None


def test_to_opml_drops_characters_xml_cannot_carry():
    sources = [Source(url="https://x.example/\x00a", title="bell\x07 title\x1f")]
    assert parse_opml(to_opml(sources).encode("utf-8"), "x") == [
        Source(url="https://x.example/a", title="bell title")
    ]


def test_the_kazakhstan_profile_ships_its_sources():
    sources = default_sources(load_profile("kazakhstan"))
    assert 10 <= len(sources) <= 25
    assert all(s.kind == "feed" and s.url.startswith("https://") for s in sources)
    assert all(s.title for s in sources)
    assert {"Eurasianet", "The Astana Times", "The Times of Central Asia"} <= {
        s.title for s in sources
    }


def test_a_profile_without_sources_starts_from_a_news_search_for_its_country(tmp_path):
    path = tmp_path / "georgia.yaml"
    path.write_text(
        "name: georgia\ncountry: Georgia\ncountry_code: GE\nadjective: Georgian\n"
        "threshold: 2\nnames:\n  Georgia: [Tbilisi]\n",
        encoding="utf-8",
    )
    (only,) = default_sources(load_profile(path))
    assert only.url == ("https://news.google.com/rss/search?q=Georgia&hl=en-US&gl=US&ceid=US:en")
    assert only.title == "Google News: Georgia (English)"
