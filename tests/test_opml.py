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
        Source(url="https://a.example/rss", kind="feed", title="Feed A (title)", folder="News"),
        Source(url="https://b.example/atom.xml", kind="feed", title="Feed B", folder="News"),
    ]


def test_newlines_before_the_declaration_are_read_as_feed_readers_export_them():
    assert parse_opml(b"\r\n\n" + SIMPLE, "mine.opml") == parse_opml(SIMPLE, "mine.opml")


def test_a_broken_file_after_leading_newlines_names_the_line_as_the_file_counts_it():
    broken = SIMPLE.replace(b"<body>", b"<body><oops>")
    with pytest.raises(FormatError, match=r"line 13, column"):
        parse_opml(b"\n\n" + broken, "mine.opml")


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


# -- folders ---------------------------------------------------------------------------------

# A press office's list: folders two deep, a feed at the top between folders, one filed only
# by its category attribute (as some readers write them).
PRESS_OFFICE = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>Press office</title></head>
  <body>
    <outline text="Russia">
      <outline type="rss" text="TASS" xmlUrl="https://tass.example/rss"/>
      <outline text="Business">
        <outline type="rss" text="Kommersant" xmlUrl="https://kommersant.example/rss"/>
        <outline type="rss" text="Vedomosti" xmlUrl="https://vedomosti.example/rss"/>
      </outline>
      <outline type="rss" text="RIA" xmlUrl="https://ria.example/rss"/>
    </outline>
    <outline type="rss" text="Reuters" xmlUrl="https://reuters.example/rss"/>
    <outline text="Kazakhstan" title="Kazakhstan">
      <outline type="rss" text="Kazinform" xmlUrl="https://kazinform.example/rss"/>
    </outline>
    <outline type="rss" text="Interfax" xmlUrl="https://interfax.example/rss"
             category="/Wires/Agencies,/Tags/wire"/>
  </body>
</opml>"""


def _filed(sources: list[Source]) -> list[tuple[str, str | None]]:
    return [(s.title or s.url, s.folder) for s in sources]


PRESS_OFFICE_FILED = [
    ("TASS", "Russia"),
    ("Kommersant", "Russia/Business"),
    ("Vedomosti", "Russia/Business"),
    ("RIA", "Russia"),
    ("Reuters", None),
    ("Kazinform", "Kazakhstan"),
    ("Interfax", "Wires/Agencies"),
]


def test_a_feed_is_filed_in_the_folders_its_outline_is_nested_in():
    assert _filed(parse_opml(PRESS_OFFICE, "press.opml")) == PRESS_OFFICE_FILED


def test_export_then_parse_gives_the_same_folders_in_the_same_order():
    """The folders were lost: a round trip through mediadigest flattened the list."""
    parsed = parse_opml(PRESS_OFFICE, "press.opml")
    again = parse_opml(to_opml(parsed).encode("utf-8"), "export.opml")
    assert again == parsed
    assert _filed(again) == PRESS_OFFICE_FILED


def test_export_writes_folders_as_nested_outlines():
    text = to_opml(parse_opml(PRESS_OFFICE, "press.opml"))
    assert (
        '<outline text="Wires">\n      <outline text="Agencies">\n'
        '        <outline type="rss" text="Interfax"' in text
    )
    assert "category" not in text


def test_a_folder_in_two_places_is_exported_once_where_its_first_source_is():
    sources = [
        Source("https://a.example/rss", folder="Russia"),
        Source("https://b.example/rss"),
        Source("https://c.example/rss", folder="Russia/Business"),
        Source("https://d.example/rss", folder="Russia"),
    ]
    text = to_opml(sources)
    assert text.count('<outline text="Russia">') == 1
    assert [s.url[8] for s in parse_opml(text.encode("utf-8"), "x")] == ["a", "c", "d", "b"]


def test_a_category_files_only_a_feed_outside_every_folder():
    body = b"""<opml version="2.0"><body><outline text="Wire">
      <outline text="A" xmlUrl="https://a.example/rss" category="/Elsewhere"/></outline>
      <outline text="B" xmlUrl="https://b.example/rss" category="Tag"/>
      <outline text="C" xmlUrl="https://c.example/rss" category=" ,/Later"/></body></opml>"""
    assert _filed(parse_opml(body, "x")) == [("A", "Wire"), ("B", "Tag"), ("C", None)]


def test_a_folder_named_with_a_slash_is_a_folder_in_a_folder():
    body = b"""<opml version="2.0"><body><outline text="TV/Radio">
      <outline text="A" xmlUrl="https://a.example/rss"/></outline></body></opml>"""
    assert _filed(parse_opml(body, "x")) == [("A", "TV/Radio")]
    assert '<outline text="Radio">' in to_opml(parse_opml(body, "x"))


def test_a_blank_folder_adds_no_level():
    body = b"""<opml version="2.0"><body><outline text="Russia"><outline text="  ">
      <outline text="A" xmlUrl="https://a.example/rss"/></outline></outline></body></opml>"""
    assert _filed(parse_opml(body, "x")) == [("A", "Russia")]


def test_a_feed_listed_in_two_folders_stays_in_the_first_and_says_so(caplog):
    body = b"""<opml version="2.0"><body>
      <outline text="Russia"><outline text="A" xmlUrl="https://a.example/rss"/></outline>
      <outline text="Wires"><outline text="A" xmlUrl="https://a.example/rss"/></outline>
    </body></opml>"""
    with caplog.at_level("WARNING", logger="mediadigest.collect.opml"):
        assert _filed(parse_opml(body, "subs.opml")) == [("A", "Russia")]
    assert (
        "subs.opml: https://a.example/rss is listed in 'Russia' and in 'Wires': filed in the "
        "first (a source is in one folder)" in caplog.messages
    )


def test_control_characters_in_a_folder_name_are_removed_with_a_warning(caplog):
    """XML 1.0 carries no C0 control but tab and line breaks; it does carry C1 ones (U+009B
    starts a terminal's escape sequence) and the bidirectional overrides."""
    body = (
        b'<opml version="2.0"><body><outline text="Rus&#x9b;31msia&#x202e; &#9;News">'
        b'<outline text="A" xmlUrl="https://a.example/rss"/></outline></body></opml>'
    )
    with caplog.at_level("WARNING", logger="mediadigest.collect.opml"):
        (source,) = parse_opml(body, "subs.opml")
    assert source.folder == "Rus31msia News"
    assert caplog.messages == [
        "subs.opml: folder 'Rus31msia News': control characters removed from its name"
    ]


def test_a_very_long_folder_name_is_cut_with_a_warning(caplog):
    body = (
        b'<opml version="2.0"><body><outline text="' + b"x" * 100_000 + b'">'
        b'<outline text="A" xmlUrl="https://a.example/rss"/></outline></body></opml>'
    )
    with caplog.at_level("WARNING", logger="mediadigest.collect.opml"):
        (source,) = parse_opml(body, "subs.opml")
    assert source.folder == "x" * 100
    assert caplog.messages == [f"subs.opml: folder {'x' * 40 + '…'!r}: name cut to 100 characters"]


def test_outlines_nested_a_hundred_thousand_deep_file_in_ten_folders(caplog):
    """Python's stack ends near a thousand: a recursive walk crashed on such a file."""
    depth = 100_000
    body = (b'<opml version="2.0"><body>' + b'<outline text="f">' * depth
            + b'<outline text="A" xmlUrl="https://a.example/rss"/>'
            + b"</outline>" * depth + b"</body></opml>")  # fmt: skip
    with caplog.at_level("WARNING", logger="mediadigest.collect.opml"):
        (source,) = parse_opml(body, "deep.opml")
    assert source.folder == "/".join(["f"] * 10)
    assert caplog.messages == [
        "deep.opml: folders nested deeper than 10 levels are filed in the one at level 10"
    ]
    assert parse_opml(to_opml([source]).encode("utf-8"), "x") == [source]


def test_a_file_with_a_thousand_odd_folders_gives_a_few_warnings(caplog):
    folders = b"".join(
        b'<outline text="n%d&#x7f;"><outline text="A" xmlUrl="https://a.example/%d"/></outline>'
        % (i, i)
        for i in range(1000)
    )
    with caplog.at_level("WARNING", logger="mediadigest.collect.opml"):
        assert (
            len(parse_opml(b'<opml version="2.0"><body>' + folders + b"</body></opml>", "x"))
            == 1000
        )
    assert len(caplog.messages) == 11
    assert caplog.messages[-1] == "x: and 990 more like these"


def test_export_of_a_stored_folder_no_reader_could_have_made_is_still_opml():
    """A store imported from an export file holds whatever the file said."""
    odd = Source(url="https://a.example/rss", folder="a\x00b/" + "/".join(["d"] * 5000))
    (back,) = parse_opml(to_opml([odd]).encode("utf-8"), "x")
    assert back.folder == "ab/" + "/".join(["d"] * 9)


_FOLDER = st.lists(st.sampled_from(["Russia", "Business", "Kaz", "Я/Б"]), max_size=3).map(
    lambda names: "/".join(names) or None
)


@given(
    st.lists(
        st.builds(
            Source,
            url=st.integers(0, 50).map(lambda n: f"https://x.example/{n}"),
            kind=st.sampled_from(["feed", "sitemap", "page"]),
            folder=_FOLDER,
        ),
        max_size=8,
        unique_by=lambda s: s.url,
    )
)
def test_to_opml_keeps_every_source_in_its_folder_and_a_second_round_trip_changes_nothing(
    sources,
):
    once = parse_opml(to_opml(sources).encode("utf-8"), "x")
    assert {s.url: s.folder for s in once} == {s.url: s.folder for s in sources}
    assert parse_opml(to_opml(once).encode("utf-8"), "x") == once
