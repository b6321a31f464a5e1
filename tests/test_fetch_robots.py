"""robots.txt that fails, or is too big: the page's error says it was robots.txt, and why."""

from __future__ import annotations

import pytest

from mediadigest.collect.fetch import Fetcher
from mediadigest.errors import FetchError, RefusedError
from test_poll_rounds import PAGE, server  # noqa: F401 (a fixture)


@pytest.fixture
def polite():
    with Fetcher(timeout=2.0, allow_private=True, delay=0, retries=0, robots=True) as f:
        yield f


def test_a_robots_txt_answering_500_keeps_the_page_out_and_says_so(server, polite):  # noqa: F811
    """It was "disallowed by robots.txt", as if the site had said no."""
    server.routes["/robots.txt"] = (500, b"oops", "text/plain")
    server.routes["/a.html"] = (200, PAGE, "text/html")
    with pytest.raises(FetchError) as info:
        polite.get(server.url("/a.html"))
    assert not isinstance(info.value, RefusedError)  # it may answer next round
    assert info.value.reason == (
        "robots.txt answered HTTP 500: a crawler keeps out until it answers (RFC 9309)"
    )
    assert "/a.html" not in server.asked


def test_a_robots_txt_over_the_limit_is_read_as_far_as_the_limit(server, polite):  # noqa: F811
    """A 2 MB robots.txt failed the page ("body over 2048000 bytes"): RFC 9309 has a crawler
    parse the first 500 KiB."""
    rules = b"User-agent: *\nDisallow: /private/\n" + b"# padding\n" * 300_000
    server.routes["/robots.txt"] = (200, rules, "text/plain")
    server.routes["/a.html"] = server.routes["/private/b.html"] = (200, PAGE, "text/html")
    assert polite.get(server.url("/a.html")).status == 200
    with pytest.raises(RefusedError, match=r"disallowed by robots\.txt"):
        polite.get(server.url("/private/b.html"))
