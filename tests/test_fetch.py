"""Fetcher: one HTTP GET with timeouts, redirects, gzip and a size cap, against the test site."""

from __future__ import annotations

import gzip
import json
import socket

import pytest

from mediadigest import USER_AGENT
from mediadigest.collect.fetch import Fetcher, Response
from mediadigest.errors import FetchError

# The test site is on 127.0.0.1, one host: allow it, and do not space requests out.
LOCAL = {"allow_private": True, "delay": 0, "retries": 0}


@pytest.fixture(scope="module")
def fetcher():
    # One client for the module, as the collector uses one per run (creating one costs ~0.1 s).
    with Fetcher(timeout=2.0, **LOCAL) as f:
        yield f


def test_ok_page_returns_body_status_and_content_type(site, fetcher):
    resp = fetcher.get(site.url("/pages/steppe-wire/kazakhstan-wind.html"))
    assert isinstance(resp, Response)
    assert resp.status == 200
    assert resp.content_type == "text/html; charset=utf-8"
    assert b"Kazakhstan signs deal" in resp.content


def test_base_placeholder_is_replaced_by_the_site_url(site, fetcher):
    resp = fetcher.get(site.url("/feeds/central-asia.xml"))
    assert b"{{BASE}}" not in resp.content
    assert site.base.encode() in resp.content


def test_headers_are_a_plain_dict_with_lower_case_names(site, fetcher):
    resp = fetcher.get(site.url("/pages/steppe-wire/kazakhstan-wind.html"))
    assert type(resp.headers) is dict
    assert resp.headers["content-type"] == "text/html; charset=utf-8"


def test_redirects_are_followed_and_the_final_url_reported(site, fetcher):
    resp = fetcher.get(site.url("/redirect/3/pages/steppe-wire/brazil-football.html"))
    assert resp.url == site.url("/pages/steppe-wire/brazil-football.html")
    assert b"Atl\xc3\xa9tico Cerrado" in resp.content


def test_more_than_five_redirects_is_a_fetch_error(site, fetcher):
    url = site.url("/redirect/6/pages/steppe-wire/brazil-football.html")
    with pytest.raises(FetchError, match="too many redirects") as info:
        fetcher.get(url)
    assert info.value.source == url


@pytest.mark.parametrize(
    ("code", "reason"), [(404, "HTTP 404 Not Found"), (500, "HTTP 500 Internal Server Error")]
)
def test_error_status_is_a_fetch_error_naming_url_and_status(site, fetcher, code, reason):
    url = site.url(f"/status/{code}")
    with pytest.raises(FetchError) as info:
        fetcher.get(url)
    assert info.value.source == url
    assert info.value.reason == reason
    assert str(info.value) == f"{url}: {reason}"


def test_slow_server_times_out_with_the_configured_limit(site):
    with Fetcher(timeout=0.3, **LOCAL) as fetcher, pytest.raises(FetchError) as info:
        fetcher.get(site.url("/slow?s=2"))
    assert info.value.reason == "timed out after 0.3 s"


def test_default_timeout_is_twenty_seconds_and_connect_ten():
    with Fetcher() as fetcher:
        assert fetcher.timeout == 20.0
        assert fetcher.connect_timeout == 10.0


def test_connection_refused_is_a_fetch_error(fetcher):
    # Bind then close a socket: the port is free and nothing listens on it.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/feed.xml"
    with pytest.raises(FetchError, match="cannot connect") as info:
        fetcher.get(url)
    assert info.value.source == url


def test_unsupported_scheme_is_a_fetch_error(fetcher):
    with pytest.raises(FetchError, match="unsupported URL"):
        fetcher.get("file:///etc/passwd")


def test_malformed_url_is_a_fetch_error(fetcher):
    with pytest.raises(FetchError):
        fetcher.get("http://[not-a-host/")


def test_body_declared_over_the_limit_is_refused(site):
    with (
        Fetcher(max_bytes=1000, **LOCAL) as fetcher,
        pytest.raises(FetchError, match="over 1000 bytes"),
    ):
        fetcher.get(site.url("/big?n=5000"))


def test_streamed_body_over_the_limit_is_cut_off(site):
    with (
        Fetcher(max_bytes=100_000, **LOCAL) as fetcher,
        pytest.raises(FetchError, match="over 100000"),
    ):
        fetcher.get(site.url("/big?n=1000000&chunked=1"))


def test_body_at_the_limit_is_accepted(site):
    with Fetcher(max_bytes=5000, **LOCAL) as fetcher:
        assert len(fetcher.get(site.url("/big?n=5000&chunked=1")).content) == 5000


def test_gzip_bomb_is_cut_off_after_decompression(site):
    # 2 MB of one byte compresses to about 2 KB: the Content-Length is small, the body is not.
    with (
        Fetcher(max_bytes=100_000, **LOCAL) as fetcher,
        pytest.raises(FetchError, match="over 100000"),
    ):
        fetcher.get(site.url("/big?n=2000000&gzip=1"))


def test_gzip_content_encoding_is_decoded(site, fetcher):
    plain = fetcher.get(site.url("/feeds/atom.xml")).content
    resp = fetcher.get(site.url("/gzip/feeds/atom.xml"))
    assert resp.headers["content-encoding"] == "gzip"
    assert resp.content == plain
    assert resp.content != gzip.compress(plain)


def test_empty_body_is_a_fetch_error(site, fetcher):
    with pytest.raises(FetchError) as info:
        fetcher.get(site.url("/empty"))
    assert info.value.reason == "empty response"


def test_binary_body_is_returned_with_its_content_type(site, fetcher):
    resp = fetcher.get(site.url("/binary"))
    assert resp.content_type == "application/octet-stream"
    assert len(resp.content) == 4096


def test_user_agent_is_sent(site, fetcher):
    echoed = json.loads(fetcher.get(site.url("/headers")).content)
    assert echoed["User-Agent"] == USER_AGENT


def test_user_agent_can_be_overridden(site):
    with Fetcher(user_agent="digest-test/1.0", **LOCAL) as fetcher:
        echoed = json.loads(fetcher.get(site.url("/headers")).content)
    assert echoed["User-Agent"] == "digest-test/1.0"


def test_gzip_is_offered_to_the_server(site, fetcher):
    echoed = json.loads(fetcher.get(site.url("/headers")).content)
    assert "gzip" in echoed["Accept-Encoding"]


def test_requests_are_recorded_by_the_site(site, fetcher):
    before = site.fetched("/pages/caspian-ledger/kazakhstan-grain.html")
    fetcher.get(site.url("pages/caspian-ledger/kazakhstan-grain.html"))
    assert site.fetched("/pages/caspian-ledger/kazakhstan-grain.html") == before + 1
