"""A source's URL as stored (`store.source_url`): one source however its address is written,
in stores written before today's normal form too."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from mediadigest import store
from mediadigest.model import Source
from mediadigest.store import schema
from mediadigest.store.sources import find_source, source_url
from mediadigest.store.writes import utcnow

FEED = "https://example.org/feed.xml"


def _legacy(engine: sa.Engine, url: str) -> int:
    """A row as an older mediadigest stored it: the URL kept its port or dot segments."""
    with engine.begin() as conn:
        row = conn.execute(
            sa.insert(schema.sources)
            .values(url=url, kind="feed", added_at=utcnow())
            .returning(schema.sources.c.id)
        )
        return int(row.scalar())


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("https://example.org:443/feed.xml", FEED),
        ("http://example.org:80/feed.xml", "http://example.org/feed.xml"),
        ("https://example.org:/feed.xml", FEED),  # an empty port is the default one
        ("https://example.org:0443/feed.xml", FEED),
        ("HTTPS://Example.ORG:443/feed.xml#top", FEED),
        ("https://user:Pass@example.org:443/feed.xml", "https://user:Pass@example.org/feed.xml"),
        ("https://[::1]:443/feed.xml", "https://[::1]/feed.xml"),
    ],
)
def test_a_default_port_is_dropped(written, stored):
    assert source_url(written) == stored


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org:80/feed.xml",  # http's port on https is another address
        "http://example.org:443/feed.xml",
        "https://example.org:8443/feed.xml",
        "https://example.org:0/feed.xml",
        "https://[::1]/feed.xml",  # an IPv6 literal's colons are no port
        "https://[2001:db8::443]/feed.xml",
    ],
)
def test_another_port_stays(url):
    assert source_url(url) == url


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("https://example.org/./feed.xml", FEED),
        ("https://example.org/news/../feed.xml", FEED),
        ("https://example.org/../feed.xml", FEED),  # above the root is the root
        ("https://example.org/a/b/./../c/feed.xml", "https://example.org/a/c/feed.xml"),
        ("https://example.org/a/.", "https://example.org/a/"),
        ("https://example.org/a/b/..", "https://example.org/a/"),
        ("https://example.org/./feed.xml?next=/../x", FEED + "?next=/../x"),  # not the query
        ("https://example.org/.well-known/feed..xml", "https://example.org/.well-known/feed..xml"),
        ("https://example.org//feed.xml", "https://example.org//feed.xml"),  # not empty ones
    ],
)
def test_dot_segments_are_removed_from_the_path(written, stored):
    assert source_url(written) == stored


_SEGMENT = st.sampled_from([".", "..", "", "a", "b", ".x", "..y", "%2E"])
_PATHS = st.lists(_SEGMENT, max_size=8).map(lambda s: "/" + "/".join(s))
_PORTS = st.sampled_from(["", ":", ":80", ":443", ":8080", ":0443"])


@given(scheme=st.sampled_from(["http", "https", "HTTP"]), port=_PORTS, path=_PATHS)
def test_the_stored_url_is_what_the_fetcher_asks_for_and_stored_again_unchanged(scheme, port, path):
    """httpx, which fetches it, drops the same ports and segments: the stored form asks the
    server the same request as the URL written."""
    url = f"{scheme}://Example.org{port}{path}"
    stored = source_url(url)
    assert source_url(stored) == stored
    if not path.endswith(("/.", "/..")):  # httpx reads "/a/." as "/a", RFC 3986 as "/a/"
        assert _asked(stored) == _asked(url)
    assert not {".", ".."} & set(urlsplit(stored).path.split("/"))


def _asked(url: str) -> tuple[str, str, int, bytes]:
    """What httpx sends for ``url``: the scheme, host and port it connects to, and the path."""
    parsed = httpx.URL(url)
    port = parsed.port or {"http": 80, "https": 443}[parsed.scheme]  # "HTTP://h:80" keeps 80
    return parsed.scheme, parsed.host, port, parsed.raw_path


def test_a_feed_added_again_with_its_default_port_or_a_dot_segment_is_the_same_source(engine):
    """Each was added as a source of its own beside the feed, fetched every round."""
    with engine.begin() as conn:
        first, added = store.add_source(conn, Source(FEED))
        assert added
        for again in ("https://example.org:443/feed.xml", "https://example.org/./feed.xml"):
            assert store.add_source(conn, Source(again)) == (first, False)
        assert [r["url"] for r in store.list_sources(conn)] == [FEED]


def test_a_site_without_a_path_is_the_same_source_as_its_root(engine):
    """ "https://example.org" and "https://example.org/" ask for the same page (RFC 3986
    6.2.3): they were two sources; one stored without the slash before is found."""
    old = _legacy(engine, "https://example.org")
    with engine.begin() as conn:
        assert store.add_source(conn, Source("https://example.org/")) == (old, False)
        added, new = store.add_source(conn, Source("https://other.example"))
        assert new and store.add_source(conn, Source("https://other.example/")) == (added, False)
        assert [r["url"] for r in store.list_sources(conn)] == [
            "https://example.org",
            "https://other.example/",
        ]


def test_a_source_added_with_its_default_port_is_stored_without_it(engine):
    with engine.begin() as conn:
        store.add_source(conn, Source("https://example.org:443/news/../feed.xml"))
        assert [r["url"] for r in store.list_sources(conn)] == [FEED]


def test_a_source_stored_with_its_default_port_before_is_found_without_it(engine):
    """No migration rewrites old rows: the lookup normalises them."""
    old = _legacy(engine, "https://example.org:443/./feed.xml")
    with engine.begin() as conn:
        assert store.add_source(conn, Source(FEED)) == (old, False)
        assert find_source(conn, "https://example.org/feed.xml#x") == (
            old,
            "https://example.org:443/./feed.xml",
        )
        assert len(store.list_sources(conn)) == 1
        assert store.remove_source(conn, "https://EXAMPLE.org/feed.xml")
        assert store.list_sources(conn) == []


@pytest.mark.parametrize(
    "stored",
    [
        "https://example.org:443/feed.xml",
        "https://example.org:/news/../feed.xml",
        "HTTPS://EXAMPLE.org:443/./feed.xml",  # a redirect's Location, stored as sent
    ],
)
def test_every_older_form_of_a_feeds_url_is_that_source(engine, stored):
    old = _legacy(engine, stored)
    with engine.begin() as conn:
        assert find_source(conn, FEED) == (old, stored)
        assert store.add_source(conn, Source(FEED)) == (old, False)


def test_a_source_is_not_found_by_another_of_its_sites_feeds(engine):
    _legacy(engine, "https://example.org:443/other.xml")
    with engine.begin() as conn:
        assert find_source(conn, FEED) is None
        assert store.remove_source(conn, FEED) is False


def test_a_source_is_found_as_typed_even_where_that_is_not_its_stored_form(engine):
    """A row of any older form, typed as listed, is that row."""
    old = _legacy(engine, "https://Example.org:443/Feed.xml")
    with engine.begin() as conn:
        assert find_source(conn, "https://Example.org:443/Feed.xml") == (
            old,
            "https://Example.org:443/Feed.xml",
        )


def test_a_move_stores_the_new_url_in_its_stored_form(engine):
    with engine.begin() as conn:
        source_id, _ = store.add_source(conn, Source("https://example.org/old.xml"))
        assert store.move_source(conn, source_id, "https://Example.org:443/./feed.xml")
        assert [r["url"] for r in store.list_sources(conn)] == [FEED]


def test_a_move_onto_an_old_row_of_the_same_url_is_refused(engine):
    """It would have been a second source of one feed."""
    _legacy(engine, "https://example.org:443/feed.xml")
    with engine.begin() as conn:
        source_id, _ = store.add_source(conn, Source("https://example.org/old.xml"))
        assert store.move_source(conn, source_id, FEED) is False


def test_the_api_answers_200_for_a_source_stored_with_its_default_port_before(seeded, app):
    """It added none, then looked the source up by the new form: a 500."""
    from test_editorial_consistency import api_client

    _legacy(seeded.engine, "https://legacy.example:443/rss")
    client, bearer = api_client(app)
    answer = client.post("/api/sources", json={"url": "https://legacy.example/rss"}, headers=bearer)
    assert answer.status_code == 200
    assert answer.json()["url"] == "https://legacy.example:443/rss"


def test_of_two_rows_an_older_store_has_for_one_feed_the_one_named_is_removed(engine):
    """An older mediadigest let in "…:443/feed.xml" beside "…/feed.xml": removing the one
    listed with its port removes that one, not the other."""
    plain = _legacy(engine, FEED)
    _legacy(engine, "https://example.org:443/feed.xml")
    with engine.begin() as conn:
        assert store.remove_source(conn, "https://example.org:443/feed.xml")
        assert [(r["id"], r["url"]) for r in store.list_sources(conn)] == [(plain, FEED)]
