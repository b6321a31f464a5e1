"""The key form of URLs (analyse.normalise.canonicalise_url): what it keeps of a fragment."""

from __future__ import annotations

import pytest

from mediadigest.analyse.normalise import canonicalise_url, untracked
from mediadigest.collect.feeds import entry_url


@pytest.mark.parametrize("key", ["item-101", "j2", "a b/c?d=e#f", "Қазақ"])
def test_the_url_of_a_feed_item_without_a_link_keeps_its_id(key):
    feed = "https://Example.com:443/feed.xml?utm_source=x"
    one, other = entry_url(key, feed), entry_url(f"{key}-2", feed)
    assert canonicalise_url(one) != canonicalise_url(other)
    assert canonicalise_url(one).startswith("https://example.com/feed.xml#item=")
    assert canonicalise_url(canonicalise_url(one)) == canonicalise_url(one)


@pytest.mark.parametrize("fragment", ["comments", "items", "item-101", ""])
def test_a_pages_own_fragment_is_dropped(fragment):
    assert canonicalise_url(f"https://example.com/a.html#{fragment}") == (
        "https://example.com/a.html"
    )


def test_the_key_and_a_digest_link_drop_the_same_tracking_parameters():
    """One definition of a tracking parameter for both (a review): an escaped name was
    dropped from a link and kept in the key."""
    url = "https://a.example/x?utm%5Fsource=rss&id=7&fbclid=1"
    assert canonicalise_url(url) == "https://a.example/x?id=7"
    assert untracked(url) == "https://a.example/x?id=7"
