"""Sitemaps, sitemap indexes, Google News sitemaps and URL lists."""

from __future__ import annotations

import contextlib
import gzip

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediadigest.collect.fetch import Fetcher
from mediadigest.collect.sitemaps import parse_sitemap, parse_url_list
from mediadigest.errors import FormatError


@pytest.fixture(scope="module")
def fetcher():
    with Fetcher(timeout=2.0, allow_private=True, delay=0) as f:
        yield f


def _get(site, fetcher, path: str) -> bytes:
    return fetcher.get(site.url(path)).content


def test_news_sitemap_entries_carry_publication_language_date_and_title(site, fetcher):
    sitemap = parse_sitemap(
        _get(site, fetcher, "/sitemaps/news.xml"), site.url("/sitemaps/news.xml")
    )
    wind = sitemap.entries[0]
    assert wind.loc == site.url("/pages/steppe-wire/kazakhstan-wind.html")
    assert (wind.publication, wind.language) == ("Steppe Wire", "en")
    assert wind.published == "2025-12-16T12:30:00+05:00"  # the outlet's clock: 07:30 UTC
    assert wind.title == "Kazakhstan signs deal for 1 GW wind farm in Zhambyl region"


def test_news_fields_become_document_hints(site, fetcher):
    url = site.url("/sitemaps/news.xml")
    hints = parse_sitemap(_get(site, fetcher, "/sitemaps/news.xml"), url).entries[0].hints(url)
    assert hints["outlet"] == "Steppe Wire" and hints["lang"] == "en"
    assert hints["source"] == url and hints["item_key"].endswith("kazakhstan-wind.html")


def _news(title: bytes, name: bytes = b"Nomad Times") -> bytes:
    return (
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        b'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url>'
        b"<loc>https://a.example/b1.html</loc><news:news><news:publication><news:name>"
        + name
        + b"</news:name><news:language>en</news:language></news:publication>"
        b"<news:title>" + title + b"</news:title></news:news></url></urlset>"
    )


def test_a_news_title_escaped_twice_is_decoded():
    body = _news(b"Kazakhstan&amp;#8217;s b1 plan: schools &amp;amp; hospitals")
    (entry,) = parse_sitemap(body, "https://a.example/news.xml").entries
    assert entry.title == "Kazakhstan\u2019s b1 plan: schools & hospitals"


def test_a_publication_name_escaped_twice_is_decoded():
    body = _news(b"Plan", name=b"News &amp;amp; Views")
    assert parse_sitemap(body, "x").entries[0].publication == "News & Views"


def test_a_news_title_escaped_once_keeps_what_only_looks_like_a_reference():
    body = _news(b"AT&amp;T &amp;notice: R&amp;D &amp;amp &amp; &amp;nosuch; costs")
    assert parse_sitemap(body, "x").entries[0].title == "AT&T &notice: R&D &amp & &nosuch; costs"


def test_a_date_only_publication_date_is_midnight_utc(site, fetcher):
    body = _get(site, fetcher, "/sitemaps/news.xml")
    assert parse_sitemap(body, "x").entries[1].published == "2025-12-14T00:00:00+00:00"


def test_plain_sitemap_has_lastmod_and_no_news_fields(site, fetcher):
    (entry,) = parse_sitemap(_get(site, fetcher, "/sitemaps/pages.xml"), "x").entries
    assert entry.lastmod == "2025-12-19T00:00:00+00:00"
    assert entry.title is None and entry.publication is None


def test_sitemap_index_lists_its_children(site, fetcher):
    sitemap = parse_sitemap(_get(site, fetcher, "/sitemaps/index.xml"), "x")
    assert sitemap.is_index and not sitemap.entries
    assert [c.loc for c in sitemap.children] == [
        site.url("/sitemaps/pages.xml"), site.url("/sitemaps/news.xml")]  # fmt: skip


def test_gzipped_sitemap_is_read(site, fetcher):
    body = gzip.compress(_get(site, fetcher, "/sitemaps/news.xml"))
    assert len(parse_sitemap(body, "x.xml.gz").entries) == 2


def test_sitemap_gzip_bomb_is_refused():
    bomb = gzip.compress(b"<urlset>" + b" " * 60_000_000 + b"</urlset>")
    with pytest.raises(FormatError, match="inflates beyond"):
        parse_sitemap(bomb, "bomb.xml.gz")


def test_a_feed_is_not_a_sitemap(site, fetcher):
    with pytest.raises(FormatError, match=r"not a sitemap \(root element is <feed>\)"):
        parse_sitemap(_get(site, fetcher, "/feeds/atom.xml"), "x")


def test_sitemap_declaring_entities_is_refused():
    body = b'<!DOCTYPE x [<!ENTITY a "aaaa">]><urlset><url><loc>&a;</loc></url></urlset>'
    with pytest.raises(FormatError, match="entities"):
        parse_sitemap(body, "x")


def test_a_sitemap_with_newlines_before_its_xml_declaration_is_read():
    body = b'\n\n<?xml version="1.0"?><urlset><url><loc>https://a.example/1</loc></url></urlset>'
    assert [e.loc for e in parse_sitemap(body, "x").entries] == ["https://a.example/1"]


def test_a_broken_sitemap_after_leading_newlines_names_the_line_as_the_body_counts_it():
    body = b'\n\n<?xml version="1.0"?>\n<urlset><url><loc>x</url></urlset>'
    with pytest.raises(FormatError, match=r"not XML \(line 4, column"):
        parse_sitemap(body, "x")


def test_relative_loc_resolves_against_the_sitemap_url():
    body = b"<urlset><url><loc>/news/1.html</loc></url></urlset>"
    assert parse_sitemap(body, "https://a.example/sitemap.xml").entries[0].loc == (
        "https://a.example/news/1.html")  # fmt: skip


@given(st.binary(max_size=300))
def test_parse_sitemap_raises_nothing_but_format_error(body):
    with contextlib.suppress(FormatError):  # anything else fails the test
        parse_sitemap(body, "x")


def test_url_list_skips_comments_and_blank_lines(site, fetcher):
    urls = parse_url_list(_get(site, fetcher, "/sitemaps/urls.txt"), "urls.txt")
    assert urls == [site.url("/pages/steppe-wire/kazakhstan-water-ru.html"),
                    site.url("/pages/steppe-wire/astana-cycling.html")]  # fmt: skip


def test_url_list_line_that_is_no_url_names_its_line():
    with pytest.raises(FormatError) as info:
        parse_url_list(b"https://a.example/1\nnot a url\n", "list.txt")
    assert info.value.source == "list.txt:2"


def test_url_list_drops_duplicates_keeping_order():
    body = b"https://a.example/2\nhttps://a.example/1\nhttps://a.example/2\n"
    assert parse_url_list(body, "x") == ["https://a.example/2", "https://a.example/1"]
