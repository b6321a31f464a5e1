"""A page's outlet when the page names no site: its address's host is no name, port or no port.

A feed walk: pages served at 127.0.0.1:8741 got the outlet "127.0.0.1:8741" where the feed's
title was due, as extraction names such a page after its host and port.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mediadigest.analyse import analyse
from mediadigest.analyse.normalise import page_outlet
from mediadigest.model import Document
from mediadigest.profile import Profile, load_profile

FEED = {"feed_title": "Steppe Wire - World", "source": "http://127.0.0.1:8741/feed.xml"}
PAGE = (
    b"<html><head><title>Wind farm opens</title></head><body><article><h1>Wind farm opens</h1>"
    b"<p>" + b"Kazakhstan opened a wind farm near Astana on Monday. " * 20 + b"</p>"
    b"</article></body></html>"
)  # names no site: no og:site_name, no publisher


@pytest.fixture(scope="module")
def profile() -> Profile:
    return load_profile("kazakhstan")


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8741/news/wind.html", "https://www.steppe.example:8443/wind.html"]
)
def test_a_page_naming_no_site_at_an_address_with_a_port_has_its_feeds_title(profile, url):
    doc = Document(url=url, body=PAGE, fetched_at=datetime.now(UTC),
                   content_type="text/html; charset=utf-8", hints=dict(FEED))  # fmt: skip
    assert [a.outlet for a in analyse(doc, profile)] == ["Steppe Wire"]


def test_a_host_and_port_without_a_feed_title_is_the_host():
    assert page_outlet("steppe.example:8443", {}, "https://steppe.example:8443/a") == (
        "steppe.example"
    )


def test_a_site_name_ending_in_a_colon_and_digits_is_still_a_name():
    assert page_outlet("Radio 24:7", FEED, "http://radio.example:8000/a") == "Radio 24:7"


@given(
    host=st.sampled_from(["127.0.0.1", "steppe.example", "www.steppe.example", "Steppe.Example"]),
    port=st.integers(1, 65535),
    title=st.sampled_from([None, "Steppe Wire - World"]),
)
def test_a_host_with_a_port_is_the_same_host_without(host, port, title):
    hints = {"feed_title": title} if title else {}
    bare = page_outlet(host, hints, f"http://{host.lower()}/a")
    assert page_outlet(f"{host}:{port}", hints, f"http://{host.lower()}:{port}/a") == bare
