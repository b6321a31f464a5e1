"""Feeds: parse every feed flavour, survive broken ones, refuse hostile XML, iterate new items."""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mediadigest.collect.feeds import Feed, entry_hints, parse_feed
from mediadigest.collect.fetch import Fetcher
from mediadigest.collect.poll import Outcome, SourcePlan, poll
from mediadigest.errors import FetchError, FormatError, InputError, RefusedError
from mediadigest.model import Document


@pytest.fixture(scope="module")
def fetcher():
    with Fetcher(timeout=1.0, allow_private=True, delay=0, retries=0) as f:
        yield f


def feed_at(site, fetcher, path: str) -> Feed:
    url = site.url(path)
    return parse_feed(fetcher.get(url).content, url)


# --- parse_feed: the four flavours ---------------------------------------------------------


def test_rss20_feed_has_title_link_and_four_entries(site, fetcher):
    feed = feed_at(site, fetcher, "/feeds/central-asia.xml")
    assert feed.title == "Steppe Wire"
    assert feed.link == site.url("/")
    assert feed.warning is None
    assert len(feed.entries) == 4


def test_rss20_entry_has_guid_key_link_title_author_and_utc_date(site, fetcher):
    first = feed_at(site, fetcher, "/feeds/central-asia.xml").entries[0]
    assert first.key == "steppe-wire-20251216-wind"
    assert first.link == site.url("/pages/steppe-wire/kazakhstan-wind.html")
    assert first.title == "Kazakhstan signs deal for 1 GW wind farm in Zhambyl region"
    assert first.author == "Aigerim Nurlanova"
    assert first.published == "2025-12-16T09:30:00+00:00"


def test_rss20_date_with_offset_keeps_the_outlets_clock(site, fetcher):
    # 22:40 UTC, but the 18th is the outlet's day whatever the hour: its offset stays.
    football = feed_at(site, fetcher, "/feeds/central-asia.xml").entries[2]
    assert football.published == "2025-12-18T19:40:00-03:00"


def test_rss20_permalink_guid_is_the_key(site, fetcher):
    football = feed_at(site, fetcher, "/feeds/central-asia.xml").entries[2]
    assert football.key == site.url("/pages/steppe-wire/brazil-football.html")


def test_rss20_cyrillic_title_and_author_survive(site, fetcher):
    water = feed_at(site, fetcher, "/feeds/central-asia.xml").entries[1]
    assert water.title.startswith("Казахстан и Узбекистан договорились")
    assert water.author == "Марат Ержанов"


def test_html_summary_becomes_plain_text(site, fetcher):
    first = feed_at(site, fetcher, "/feeds/central-asia.xml").entries[0]
    assert first.summary == "The largest renewable project Kazakhstan has approved so far."


def test_atom_feed_has_title_link_and_entries(site, fetcher):
    feed = feed_at(site, fetcher, "/feeds/atom.xml")
    assert feed.title == "Caspian Ledger"
    assert feed.link == site.url("/caspian-ledger/")
    assert [e.key for e in feed.entries] == [
        "tag:caspian-ledger.example,2025:grain-record",
        "tag:caspian-ledger.example,2025:brief-aktau-ferry",
    ]


def test_atom_entry_has_author_and_published_with_its_offset(site, fetcher):
    grain = feed_at(site, fetcher, "/feeds/atom.xml").entries[0]
    assert grain.author == "Farid Mammadli"
    assert grain.published == "2025-12-19T15:00:00+04:00"
    assert grain.link == site.url("/pages/caspian-ledger/kazakhstan-grain.html")


def test_atom_entry_without_link_has_no_link_even_though_its_id_is_a_uri(site, fetcher):
    brief = feed_at(site, fetcher, "/feeds/atom.xml").entries[1]
    assert brief.link is None
    assert brief.summary.startswith("A second ro-ro ferry line between Aktau in Kazakhstan")


def test_rss10_rdf_feed_parses_with_dc_creator_and_date(site, fetcher):
    feed = feed_at(site, fetcher, "/feeds/rdf.xml")
    assert feed.title == "Tien Shan Review"
    assert [(e.author, e.published) for e in feed.entries] == [
        ("Aigerim Nurlanova", "2025-12-16T10:00:00+00:00"),
        ("Farid Mammadli", "2025-12-19T12:00:00+00:00"),
    ]


def test_rss10_entry_key_falls_back_to_the_link(site, fetcher):
    first = feed_at(site, fetcher, "/feeds/rdf.xml").entries[0]
    assert first.key == first.link == site.url("/pages/steppe-wire/kazakhstan-wind.html")


def test_rss091_feed_with_netscape_doctype_parses(site, fetcher):
    feed = feed_at(site, fetcher, "/feeds/rss091.xml")
    assert feed.title == "Steppe Wire Briefs"
    assert feed.warning is None
    assert [e.title for e in feed.entries] == [
        "Water deal for the Syr Darya",
        "Café stop, then a sprint: Great Ocean Classic",
    ]


def test_rss091_entry_has_no_date_or_author(site, fetcher):
    first = feed_at(site, fetcher, "/feeds/rss091.xml").entries[0]
    assert first.published is None
    assert first.author is None


def test_relative_links_resolve_against_the_feed_url():
    body = b"""<rss version="2.0"><channel><title>T</title>
        <item><title>A</title><link>/pages/a.html</link></item></channel></rss>"""
    feed = parse_feed(body, "http://example.org/feeds/rss.xml")
    assert feed.entries[0].link == "http://example.org/pages/a.html"


def test_entry_without_guid_or_link_gets_a_stable_hash_key():
    body = b"""<rss version="2.0"><channel><title>T</title>
        <item><title>A</title><description>Only text.</description></item></channel></rss>"""
    first = parse_feed(body, "http://example.org/rss").entries[0]
    again = parse_feed(body, "http://example.org/rss").entries[0]
    assert first.key.startswith("sha1:")
    assert first.key == again.key


def test_empty_but_valid_feed_has_no_entries_and_no_warning():
    feed = parse_feed(b'<rss version="2.0"><channel><title>Quiet</title></channel></rss>', "u")
    assert feed.title == "Quiet"
    assert feed.entries == []
    assert feed.warning is None


def test_an_rss_author_written_as_email_and_name_is_stored_as_the_name():
    body = b"""<rss version="2.0"><channel><title>T</title><item><title>Airport</title>
        <link>http://example.org/a</link><author>olga.kim@example.com (Olga Kim)</author>
        </item></channel></rss>"""
    assert parse_feed(body, "http://example.org/rss").entries[0].author == "Olga Kim"


def test_an_entry_with_several_authors_names_each_once():
    body = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
        <entry><id>urn:x:1</id><title>Two</title><link href="http://example.org/a"/>
        <author><name>Aigerim Nurlanova</name></author>
        <author><name>Marat Yerzhanov</name><email>marat@example.org</email></author>
        </entry></feed>"""
    entry = parse_feed(body, "http://example.org/atom").entries[0]
    assert entry.author == "Aigerim Nurlanova, Marat Yerzhanov"


def test_an_atom_entry_without_an_author_has_the_feeds():
    body = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
        <author><name>Sam Ruby</name><email>rubys@example.org</email></author>
        <entry><id>urn:x:1</id><title>Plex</title><link href="http://example.org/a"/></entry>
        <entry><id>urn:x:2</id><title>Guest</title><link href="http://example.org/b"/>
        <author><name>A Guest</name></author></entry></feed>"""
    entries = parse_feed(body, "http://example.org/atom").entries
    assert [e.author for e in entries] == ["Sam Ruby", "A Guest"]


def test_an_atom_entry_copied_from_another_feed_has_its_sources_author_first():
    body = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>Planet</title>
        <author><name>Planet Editors</name></author>
        <entry><id>urn:x:1</id><title>Plex</title><link href="http://example.org/a"/>
        <source><id>urn:blog</id><title>Blog</title><author><name>Sam Ruby</name></author>
        </source></entry></feed>"""
    assert parse_feed(body, "http://example.org/atom").entries[0].author == "Sam Ruby"


def test_an_rss_channels_editor_is_no_items_author():
    body = b"""<rss version="2.0"><channel><title>T</title>
        <managingEditor>desk@example.org (News Desk)</managingEditor>
        <item><title>A</title><link>http://example.org/a</link></item></channel></rss>"""
    assert parse_feed(body, "http://example.org/rss").entries[0].author is None


def test_an_aggregators_item_names_its_publisher():
    body = (
        b'<rss version="2.0"><channel><title>"Kazakhstan" - Google News</title><item>'
        b"<title>Grain record - Caspian Ledger</title><link>https://ledger.example/a</link>"
        b'<source url="https://ledger.example">Caspian  Ledger</source></item></channel></rss>'
    )
    feed = parse_feed(body, "https://news.example/rss")
    (entry,) = feed.entries
    assert entry.source == "Caspian Ledger"
    hints = entry_hints(entry, feed, "https://news.example/rss")
    assert (hints["outlet"], hints["feed_title"]) == (
        "Caspian Ledger",
        '"Kazakhstan" - Google News',
    )


# --- parse_feed: broken and hostile input -------------------------------------------------


def test_html_page_served_as_feed_is_a_format_error(site, fetcher):
    url = site.url("/feeds/not-xml.xml")
    with pytest.raises(FormatError, match=r"not a feed \(line 9: mismatched tag\)") as info:
        parse_feed(fetcher.get(url).content, url)
    assert info.value.source == url


@pytest.mark.parametrize("body", [b"\x89PNG\r\n\x1a\n\x00\x00garbage", b"just some words", b"{}"])
def test_garbage_is_a_format_error(body):
    with pytest.raises(FormatError, match="not a feed"):
        parse_feed(body, "http://example.org/rss")


_DECLARED = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>T</title>
<item><title>A</title><link>http://example.org/a</link></item></channel></rss>"""


def test_newlines_before_the_xml_declaration_are_no_malformed_feed():
    feed = parse_feed(b"\r\n\n  " + _DECLARED, "http://example.org/rss")
    assert feed.warning is None
    assert [e.title for e in feed.entries] == ["A"]


def test_newlines_between_a_byte_order_mark_and_the_declaration_are_no_malformed_feed():
    feed = parse_feed(b"\xef\xbb\xbf\n" + _DECLARED, "http://example.org/rss")
    assert feed.warning is None and len(feed.entries) == 1


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_newlines_before_the_declaration_of_a_utf16_feed_are_no_malformed_feed(codec):
    mark = "\ufeff".encode(codec)
    declared = _DECLARED.replace(b"utf-8", b"utf-16").replace(b">A<", ">Ақтау<".encode())
    feed = parse_feed(mark + "\r\n\n".encode(codec) + declared.decode().encode(codec), "u")
    assert feed.warning is None
    assert [e.title for e in feed.entries] == ["Ақтау"]


def test_a_malformed_feed_after_leading_newlines_names_the_line_as_the_body_counts_it():
    body = _DECLARED.replace(b"<title>A</title>", b"<dc:title>A</dc:title>")  # unbound prefix
    feed = parse_feed(b"\n\n" + body, "http://example.org/rss")
    assert feed.warning == "malformed feed (line 5: unbound prefix)"


def test_truncated_feed_gives_complete_items_and_a_warning(site, fetcher):
    feed = feed_at(site, fetcher, "/feeds/truncated.xml")
    assert feed.warning is not None
    assert feed.warning.startswith("malformed feed (line ")
    keys = [e.key for e in feed.entries]
    assert keys[:2] == ["steppe-wire-20251216-wind", "steppe-wire-20251217-water"]
    assert feed.entries[1].published == "2025-12-17T06:15:00+00:00"


def test_truncated_feed_drops_the_empty_shell_of_the_cut_item(site, fetcher):
    feed = feed_at(site, fetcher, "/feeds/truncated.xml")
    assert all(e.link or e.title or e.summary for e in feed.entries)


def test_billion_laughs_is_refused_quickly(site, fetcher):
    url = site.url("/feeds/billion-laughs.xml")
    body = fetcher.get(url).content
    start = time.perf_counter()
    with pytest.raises(FormatError, match="declares entities"):
        parse_feed(body, url)
    assert time.perf_counter() - start < 0.5


def test_external_entity_is_refused():
    body = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>&xxe;</title></channel></rss>"""
    with pytest.raises(FormatError, match="declares entities"):
        parse_feed(body, "http://example.org/rss")


def test_entities_hidden_behind_a_comment_in_the_doctype_are_refused():
    body = b"""<!DOCTYPE rss [<!-- <rss> --><!ENTITY a "aaaaaaaaaa">]>
<rss version="2.0"><channel><title>&a;&a;&a;</title></channel></rss>"""
    with pytest.raises(FormatError, match="declares entities"):
        parse_feed(body, "http://example.org/rss")


def test_utf16_feed_with_entities_is_refused():
    text = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY a "b">]><rss/>'
    with pytest.raises(FormatError, match="declares entities"):
        parse_feed(text.encode("utf-16"), "http://example.org/rss")


def test_body_naming_a_local_file_is_parsed_as_data_not_opened(tmp_path):
    # feedparser.parse(bytes) would open a file of that name; a server must not make us read one.
    secret = tmp_path / "secret.xml"
    secret.write_text('<rss version="2.0"><channel><title>SECRET</title></channel></rss>')
    with pytest.raises(FormatError):
        parse_feed(str(secret).encode(), "http://example.org/rss")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_parse_feed_raises_nothing_but_format_error_on_arbitrary_bytes(body):
    try:
        feed = parse_feed(body, "http://example.org/rss")
    except FormatError:
        return
    assert isinstance(feed, Feed)


_TAGS = ["rss version='2.0'", "channel", "item", "title", "link", "entry", "guid", "pubDate"]
_TAGS += ["feed xmlns='http://www.w3.org/2005/Atom'"]
_TOKENS = [f"<{t}>" for t in _TAGS] + [f"</{t.split()[0]}>" for t in _TAGS]
_TOKENS += ["http://a/b", "&amp;", "&", "<![CDATA[", "]]>", "<!--", "-->", "<", ">", "\x00", "é"]
_TOKENS += ["Kazakhstan", "<?xml version='1.0'?>", "&#x110000;", "Tue, 16 Dec 2025 09:30:00 GMT"]
_XMLISH = st.lists(st.sampled_from(_TOKENS), max_size=40).map(lambda parts: "".join(parts).encode())


@settings(max_examples=150, deadline=None)
@given(_XMLISH)
def test_parse_feed_raises_nothing_but_format_error_on_feed_like_fragments(body):
    try:
        feed = parse_feed(body, "http://example.org/rss")
    except FormatError:
        return
    for entry in feed.entries:
        assert entry.key


# --- a feed's round (collect.poll, what `collect` runs) ---------------------------------------


def iter_feed(fetcher: Fetcher, source_url: str, seen: set[str]) -> list[Document | InputError]:
    """What one round of a feed source hands the driver, in the order it came."""
    plan = SourcePlan(1, source_url, "feed", seen=set(seen))
    events = fetcher.stream(poll(fetcher.aio, [plan]))
    return [item for _, item in events if not isinstance(item, Outcome)]


def _by_url(results: list) -> dict[str, Document]:
    return {d.url: d for d in results if isinstance(d, Document)}


def test_iter_feed_yields_a_document_per_item_with_hints(site, fetcher):
    source = site.url("/feeds/central-asia.xml")
    docs = _by_url(iter_feed(fetcher, source, seen=set()))
    assert set(docs) == {
        site.url("/pages/steppe-wire/kazakhstan-wind.html"),
        site.url("/pages/steppe-wire/kazakhstan-water-ru.html"),
        site.url("/pages/steppe-wire/brazil-football.html"),
        site.url("/pages/steppe-wire/astana-cycling.html"),
    }
    assert docs[site.url("/pages/steppe-wire/kazakhstan-wind.html")].hints == {
        "title": "Kazakhstan signs deal for 1 GW wind farm in Zhambyl region",
        "published": "2025-12-16T09:30:00+00:00",
        "author": "Aigerim Nurlanova",
        "feed_title": "Steppe Wire",
        "source": source,
        "item_key": "steppe-wire-20251216-wind",
    }


def test_iter_feed_document_carries_page_bytes_type_and_fetch_time(site, fetcher):
    before = datetime.now(UTC)
    docs = _by_url(iter_feed(fetcher, site.url("/feeds/atom.xml"), seen=set()))
    doc = docs[site.url("/pages/caspian-ledger/kazakhstan-grain.html")]
    assert b"Kazakhstan's grain exports across the Caspian" in doc.body
    assert doc.content_type == "text/html; charset=utf-8"
    assert before <= doc.fetched_at <= datetime.now(UTC)


def test_iter_feed_skips_seen_keys_without_fetching_them(site, fetcher):
    source = site.url("/feeds/central-asia.xml")
    cycling = "/pages/steppe-wire/astana-cycling.html"
    before = site.fetched(cycling)
    seen = {"steppe-wire-20251216-wind", "steppe-wire-20251220-cycling"}
    docs = iter_feed(fetcher, source, seen)
    assert sorted(d.hints["item_key"] for d in docs) == [
        site.url("/pages/steppe-wire/brazil-football.html"),
        "steppe-wire-20251217-water",
    ]
    assert site.fetched(cycling) == before


def test_iter_feed_entry_without_link_becomes_a_text_document(site, fetcher):
    docs = _by_url(iter_feed(fetcher, site.url("/feeds/atom.xml"), seen=set()))
    brief = docs["tag:caspian-ledger.example,2025:brief-aktau-ferry"]
    assert brief.content_type == "text/plain; charset=utf-8"
    assert brief.body.decode().startswith("A second ro-ro ferry line between Aktau")
    assert brief.hints["title"] == "Brief: new ferry line links Aktau and Baku"


BINARY = "application/octet-stream"


def test_iter_feed_reports_broken_pages_and_continues(site):
    with Fetcher(timeout=0.3, allow_private=True, delay=0, retries=0) as fetcher:
        results = iter_feed(fetcher, site.url("/feeds/broken-links.xml"), seen=set())
    errors = {r.source: r for r in results if isinstance(r, InputError)}
    again = f"listed by {site.url('/feeds/broken-links.xml')}, asked for again next round (1 of 3)"
    assert {source: (type(e), e.reason) for source, e in errors.items()} == {
        site.url("/status/404"): (RefusedError, "HTTP 404 Not Found"),
        site.url("/status/500"): (FetchError, f"HTTP 500 Internal Server Error; {again}"),
        site.url("/slow?s=5"): (FetchError, f"timed out after 0.3 s; {again}"),
        site.url("/binary"): (FormatError, f"not a web page (content type {BINARY})"),
    }
    assert [d.hints["item_key"] for d in _by_url(results).values()] == ["broken-5-good"]


def test_iter_feed_yields_one_error_when_the_feed_cannot_be_fetched(site, fetcher):
    results = list(iter_feed(fetcher, site.url("/status/503"), seen=set()))
    assert len(results) == 1
    assert isinstance(results[0], FetchError)
    assert results[0].reason == "HTTP 503 Service Unavailable"


def test_iter_feed_yields_one_error_when_the_feed_is_not_a_feed(site, fetcher):
    url = site.url("/feeds/not-xml.xml")
    results = list(iter_feed(fetcher, url, seen=set()))
    assert len(results) == 1
    assert isinstance(results[0], FormatError)
    assert results[0].source == url


def test_iter_feed_refuses_hostile_feed_with_one_error(site, fetcher):
    results = list(iter_feed(fetcher, site.url("/feeds/billion-laughs.xml"), seen=set()))
    assert len(results) == 1
    assert isinstance(results[0], FormatError)


def test_iter_feed_reads_a_gzip_encoded_feed(site, fetcher):
    docs = list(iter_feed(fetcher, site.url("/gzip/feeds/rdf.xml"), seen=set()))
    assert [d.hints["feed_title"] for d in docs] == ["Tien Shan Review", "Tien Shan Review"]


def test_iter_feed_on_truncated_feed_yields_its_complete_items(site, fetcher):
    docs = list(iter_feed(fetcher, site.url("/feeds/truncated.xml"), seen=set()))
    keys = {d.hints["item_key"] for d in docs if isinstance(d, Document)}  # in fetch order
    assert keys == {"steppe-wire-20251216-wind", "steppe-wire-20251217-water"}


def test_plain_text_title_with_angle_brackets_is_kept_verbatim():
    body = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
        <entry><id>urn:x:1</id><title type="text">Inflation &lt;b&gt; 5%</title>
        <link href="http://example.org/a"/></entry></feed>"""
    assert parse_feed(body, "http://example.org/atom").entries[0].title == "Inflation <b> 5%"


def test_html_summary_paragraphs_become_lines():
    body = b"""<rss version="2.0"><channel><title>T</title><item><link>http://example.org/a</link>
        <description>&lt;p&gt;One.&lt;/p&gt;&lt;p&gt;Two &lt;i&gt;words&lt;/i&gt;.&lt;/p&gt;
        </description></item></channel></rss>"""
    assert parse_feed(body, "http://example.org/rss").entries[0].summary == "One.\nTwo words."


def test_an_entry_carries_its_full_text_where_the_feed_has_one():
    atom = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><id>urn:t</id>
  <updated>2025-12-15T10:00:00Z</updated>
  <entry><title>Full</title><id>urn:1</id><updated>2025-12-15T10:00:00Z</updated>
    <link href="https://example.org/full"/>
    <summary>Short.</summary>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">
      <p>First paragraph.</p><p>Second <b>one</b>.</p></div></content>
  </entry>
  <entry><title>Brief</title><id>urn:2</id><updated>2025-12-15T10:00:00Z</updated>
    <link href="https://example.org/brief"/><summary>Only a summary.</summary></entry>
</feed>"""
    full, brief = parse_feed(atom, "https://example.org/atom").entries
    assert full.content == "First paragraph.\nSecond one." and full.text == full.content
    assert brief.content is None and brief.text == "Only a summary."


def test_an_item_with_only_content_encoded_is_kept_as_plain_text():
    # feedparser copies such content into the summary without its type; the copy is HTML too.
    body = b"""<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
        <channel><title>T</title><item><title>Hydrogen</title><link>http://example.org/h</link>
        <content:encoded><![CDATA[<p>Kazakhstan signed a <b>hydrogen</b> deal.</p>
        <p>In Astana.</p>]]></content:encoded></item></channel></rss>"""
    (entry,) = parse_feed(body, "http://example.org/rss").entries
    assert entry.summary == entry.content == "Kazakhstan signed a hydrogen deal.\nIn Astana."
    assert entry.text == "Kazakhstan signed a hydrogen deal.\nIn Astana."


def test_an_atom_entry_with_only_xhtml_content_keeps_none_of_its_inline_svg():
    body = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
        <entry><id>urn:x:1</id><title>Plex</title><link href="http://example.org/plex"/>
        <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">
        <svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><rect width="100"
        height="100"></rect></svg><p>Plex is the media center I was waiting for.</p></div>
        </content></entry></feed>"""
    (entry,) = parse_feed(body, "http://example.org/atom").entries
    assert entry.text == "Plex is the media center I was waiting for."


def test_escaped_markup_inside_html_content_stays_as_the_text_it_shows():
    body = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
        <entry><id>urn:x:1</id><title>Pre</title><link href="http://example.org/pre"/>
        <content type="html">&lt;p&gt;This is escaped html:&lt;/p&gt;
        &lt;pre&gt;&amp;lt;b&amp;gt;test&amp;lt;/b&amp;gt;&lt;/pre&gt;</content></entry></feed>"""
    (entry,) = parse_feed(body, "http://example.org/atom").entries
    assert entry.text == "This is escaped html:\n<b>test</b>"


def test_content_of_a_media_type_that_is_not_text_is_not_kept():
    body = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
        <entry><id>urn:x:1</id><title>Chart</title><link href="http://example.org/chart"/>
        <content type="image/png">iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4</content>
        </entry></feed>"""
    (entry,) = parse_feed(body, "http://example.org/atom").entries
    assert entry.content is None and entry.text is None


def test_a_content_only_entry_without_id_or_link_keeps_the_key_earlier_runs_stored():
    body = b"""<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
        <channel><title>T</title><item><title>A</title>
        <content:encoded><![CDATA[<p>Only content.</p>]]></content:encoded>
        </item></channel></rss>"""
    (entry,) = parse_feed(body, "http://example.org/rss").entries
    digest = hashlib.sha1(b"A\n<p>Only content.</p>", usedforsecurity=False).hexdigest()
    assert entry.key == f"sha1:{digest}"
    assert entry.text == "Only content."


# --- JSON Feed (jsonfeed.org), which feedparser does not read -------------------------------


def test_json_feed_entries_have_links_keys_authors_and_dates_with_offsets(site, fetcher):
    feed = feed_at(site, fetcher, "/feeds/json-feed.json")
    assert feed.title == "Steppe Wire (JSON)"
    assert feed.warning == "malformed feed (2 of its items had no link, title or text)"
    wind, cycling = feed.entries
    assert wind.key == "steppe-wire-20251216-wind"
    assert wind.link == site.url("/pages/steppe-wire/kazakhstan-wind.html")  # was relative
    assert (wind.author, wind.published) == ("Aigerim Nurlanova", "2025-12-16T14:30:00+05:00")
    assert cycling.key == "20251217"  # JSON Feed 1.0 feeds in the wild number their items
    assert cycling.link is None
    assert cycling.author == "Dana Seitkali"  # 1.0's single author
    assert cycling.text == "Astana hosts the cycling tour.\nSecond paragraph."


def test_a_json_feed_round_fetches_its_pages_and_keeps_text_only_items(site, fetcher):
    source = site.url("/feeds/json-feed.json")
    docs = _by_url(iter_feed(fetcher, source, seen=set()))
    page = docs[site.url("/pages/steppe-wire/kazakhstan-wind.html")]
    assert page.hints["feed_title"] == "Steppe Wire (JSON)"
    assert b"Zhambyl" in page.body
    (text_only,) = [d for url, d in docs.items() if url.startswith(source)]
    assert text_only.body.startswith(b"Astana hosts the cycling tour.")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": [', "malformed JSON"),
        (b'{"title": "no version", "items": []}', 'JSON without a "version"'),
        (b'{"version": "https://jsonfeed.org/version/1", "items": {}}', '"items" list'),
        (b'{"version": "https://jsonfeed.org/version/1", "x": ' + b"[" * 100_000, "JSON"),
        (b'{"version": "\xff\xfe"}', "not UTF-8"),
    ],
    ids=["cut-off", "no-version", "items-not-a-list", "nested-deep", "not-utf8"],
)
def test_a_broken_json_feed_is_a_format_error_saying_what_is_wrong(body, message):
    with pytest.raises(FormatError, match="not a feed") as info:
        parse_feed(body, "http://example.org/feed.json")
    assert message in info.value.reason


def test_control_characters_in_an_rss_item_are_left_out_of_what_is_kept():
    """feedparser's lenient parser passes a NUL or "&#1;" on; PostgreSQL refuses the NUL in a
    stored title or item key, and the digest's Atom feed would not be XML."""
    body = (b'<rss version="2.0"><channel><title>W\x00</title><item><title>Kazakh&#0;stan&#1;'
            b"</title><link>http://example.org/a</link><guid>g&#1;1</guid><author>A&#1;B</author>"
            b"</item></channel></rss>")  # fmt: skip
    feed = parse_feed(body, "http://example.org/rss")
    (entry,) = feed.entries
    assert (feed.title, entry.title, entry.key, entry.author) == (
        "W",
        "Kazakhstan",
        "http://example.org/g1",
        "AB",
    )
