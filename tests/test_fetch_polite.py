"""Fetcher politeness and robustness against real misbehaving servers on 127.0.0.1.

Conditional GET (304), retries with backoff on 429/5xx and resets, Retry-After, slow bodies,
robots.txt (disallow and Crawl-delay), per-host spacing, the global concurrency limit and
content-type checks.
"""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest

from mediadigest.collect.fetch import AsyncFetcher, Fetcher, FetchPolicy
from mediadigest.errors import FetchError, FormatError

LOCAL = {"allow_private": True, "delay": 0, "backoff": 0.01}
PAGE = "/pages/steppe-wire/kazakhstan-wind.html"


def _key() -> str:
    return uuid.uuid4().hex  # the flaky routes count per key: one key per test


@pytest.fixture(scope="module")
def fetcher():
    with Fetcher(timeout=2.0, **LOCAL) as f:
        yield f


def test_response_carries_the_validators_the_server_sent(site, fetcher):
    resp = fetcher.get(site.url(PAGE))
    assert resp.etag and resp.etag.startswith('"')
    assert resp.last_modified == "Mon, 15 Dec 2025 08:00:00 GMT"


def test_matching_etag_gets_a_304_with_an_empty_body(site, fetcher):
    first = fetcher.get(site.url(PAGE))
    again = fetcher.get(site.url(PAGE), etag=first.etag)
    assert again.not_modified and again.status == 304 and again.content == b""


def test_matching_last_modified_gets_a_304(site, fetcher):
    first = fetcher.get(site.url(PAGE))
    assert fetcher.get(site.url(PAGE), last_modified=first.last_modified).not_modified


def test_stale_etag_gets_the_full_page(site, fetcher):
    resp = fetcher.get(site.url(PAGE), etag='"stale"')
    assert resp.status == 200 and b"Kazakhstan" in resp.content


def test_503_is_retried_until_the_server_recovers(site, fetcher):
    path = f"/flaky/{_key()}?fail=2"
    assert fetcher.get(site.url(path)).content == b"recovered\n"
    assert site.fetched(path) == 3


def test_retries_give_up_with_the_last_status(site):
    path = f"/flaky/{_key()}?fail=9&status=502"
    with Fetcher(retries=2, **LOCAL) as f, pytest.raises(FetchError, match="HTTP 502"):
        f.get(site.url(path))
    assert site.fetched(path) == 3


def test_404_is_not_retried(site, fetcher):
    with pytest.raises(FetchError, match="HTTP 404"):
        fetcher.get(site.url("/status/404"))
    assert site.fetched("/status/404") >= 1
    before = site.fetched("/status/404")
    with pytest.raises(FetchError):
        fetcher.get(site.url("/status/404"))
    assert site.fetched("/status/404") == before + 1


def test_429_retry_after_is_honoured(site, fetcher):
    path = f"/flaky/{_key()}?fail=1&status=429&retry_after=1"
    start = time.monotonic()
    assert fetcher.get(site.url(path)).status == 200
    # The backoff alone would wait at most 0.01 s: the second second is the server's.
    assert time.monotonic() - start >= 0.95


def test_retry_after_beyond_the_limit_gives_up_at_once(site):
    path = f"/flaky/{_key()}?fail=1&status=429&retry_after=3600"
    start = time.monotonic()
    with Fetcher(max_retry_after=5, **LOCAL) as f, pytest.raises(FetchError) as info:
        f.get(site.url(path))
    assert "HTTP 429" in info.value.reason and "retry after 3600 s" in info.value.reason
    assert time.monotonic() - start < 1


@pytest.mark.parametrize("value", ["%C2%B2", "Mon,%2099%20Foo%209999", "-5"])
def test_a_retry_after_that_is_not_seconds_or_a_date_is_ignored(site, fetcher, value):
    """str.isdigit() is true of "²": float() then raised, and the feed failed every round."""
    path = f"/flaky/{_key()}?fail=1&status=429&retry_after={value}"
    assert fetcher.get(site.url(path)).status == 200
    assert site.fetched(path) == 2


def test_connection_reset_is_retried(site, fetcher):
    path = f"/reset/{_key()}?n=1"
    assert fetcher.get(site.url(path)).content == b"after the reset\n"
    assert site.fetched(path) == 2


def test_connection_reset_every_time_is_a_fetch_error(site):
    path = f"/reset/{_key()}?n=99"
    with Fetcher(retries=1, **LOCAL) as f, pytest.raises(FetchError) as info:
        f.get(site.url(path))
    assert info.value.source == site.url(path)


def test_trickling_body_hits_the_total_timeout(site):
    # Each byte arrives well within the read timeout; only a total limit stops this.
    start = time.monotonic()
    with Fetcher(timeout=0.5, **LOCAL) as f, pytest.raises(FetchError, match="timed out"):
        f.get(site.url("/trickle?s=3"))
    assert time.monotonic() - start < 2


def test_unwanted_content_type_is_refused_before_the_body(site, fetcher):
    with pytest.raises(FormatError, match=r"not a web page \(content type application/octet"):
        fetcher.get(site.url("/binary"), accept=("text/",))


def test_robots_disallow_is_honoured(strict_site):
    with Fetcher(**LOCAL) as f, pytest.raises(FetchError, match=r"disallowed by robots\.txt"):
        f.get(strict_site.url(PAGE))
    assert strict_site.fetched(PAGE) == 0


def test_robots_is_fetched_once_per_host(strict_site):
    with Fetcher(**LOCAL) as f:
        before = strict_site.fetched("/robots.txt")
        f.get(strict_site.url("/pages/caspian-ledger/kazakhstan-grain.html"))
        f.get(strict_site.url("/feeds/atom.xml"))
    assert strict_site.fetched("/robots.txt") == before + 1


def test_redirect_into_a_disallowed_path_is_refused(strict_site):
    url = strict_site.url(f"/redirect/1{PAGE}")
    with Fetcher(**LOCAL) as f, pytest.raises(FetchError, match="redirected to"):
        f.get(url)


def test_ignoring_robots_is_possible_when_asked(strict_site):
    with Fetcher(robots=False, **LOCAL) as f:
        assert f.get(strict_site.url(PAGE)).status == 200


def test_crawl_delay_spaces_requests_to_one_host(strict_site):
    urls = [strict_site.url(f"/feeds/atom.xml?n={i}") for i in range(3)]
    # The delay spaces the starts of requests: timed from before the first, the third cannot
    # start sooner than two delays later. Timed from the first one's end, as it was, a first
    # request (robots.txt with it) slower than 50 ms on a busy machine ate into the gaps.
    start = time.monotonic()
    with Fetcher(**LOCAL) as f:
        for url in urls:
            f.get(url)
    # Two gaps of 0.2 s; the event loop may wake a clock tick early.
    assert time.monotonic() - start >= 0.4 - 0.001


def test_host_delay_spaces_concurrent_requests(site):
    async def fetch_four() -> float:
        aio = AsyncFetcher(FetchPolicy(allow_private=True, delay=0.15, per_host=4))
        try:
            # Timed from before the first request, as the delay spaces starts (see above).
            start = time.monotonic()
            await aio.get(site.url("/feeds/atom.xml"))
            await asyncio.gather(*(aio.get(site.url(f"/feeds/atom.xml?c={i}")) for i in range(3)))
            return time.monotonic() - start
        finally:
            await aio.aclose()

    # Three gaps of 0.15 s: the three asked for together still start one after another.
    assert asyncio.run(fetch_four()) >= 0.45 - 0.001


def test_waiting_for_the_host_does_not_count_against_the_timeout(site):
    # Eight feeds of one host, 0.3 s apart: the last is sent after 2.1 s, beyond the 1 s
    # timeout of each request; only the server's time counts against it.
    async def fetch_eight() -> tuple[list[int], float]:
        policy = FetchPolicy(allow_private=True, delay=0.3, per_host=1, timeout=1.0)
        aio = AsyncFetcher(policy)
        try:
            start = time.monotonic()
            got = await asyncio.gather(
                *(aio.get(site.url(f"/feeds/atom.xml?w={i}")) for i in range(8))
            )
            return [r.status for r in got], time.monotonic() - start
        finally:
            await aio.aclose()

    statuses, took = asyncio.run(fetch_eight())
    assert statuses == [200] * 8 and took >= 2.0


def test_a_redirect_chain_shares_one_timeout(site):
    # Three hops of 0.3 s each: every one within the timeout of 0.7 s, the chain not.
    with Fetcher(timeout=0.7, **LOCAL) as f:
        assert f.get(site.url("/redirect/1/feeds/atom.xml?wait=0.3")).status == 200
        with pytest.raises(FetchError, match="timed out"):
            f.get(site.url("/redirect/3/feeds/atom.xml?wait=0.3"))


def test_global_concurrency_limit_serialises_slow_requests(site):
    async def fetch(concurrency: int) -> float:
        policy = FetchPolicy(allow_private=True, delay=0, per_host=8, concurrency=concurrency)
        aio = AsyncFetcher(policy)
        try:
            start = time.monotonic()
            await asyncio.gather(*(aio.get(site.url(f"/slow?s=0.3&k={i}")) for i in range(4)))
            return time.monotonic() - start
        finally:
            await aio.aclose()

    assert asyncio.run(fetch(4)) < 0.9
    assert asyncio.run(fetch(1)) >= 1.1
