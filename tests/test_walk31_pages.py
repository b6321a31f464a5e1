"""Walk w31: a page read from a file is known by the canonical address it gives (its outlet
and that outlet's country), and an ambiguous name alone is never relevant."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mediadigest.analyse import analyse, relevance
from mediadigest.model import Document, Grade
from mediadigest.profile import Profile, load_profile

FETCHED = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
CARPET = "A Kazakh carpet sells for a record at a London auction"


@pytest.fixture(scope="module")
def profile() -> Profile:
    return load_profile("kazakhstan")


def page(url: str, canonical: str, site: str | None = None) -> Document:
    meta = f'<meta property="og:site_name" content="{site}">' if site else ""
    html = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Kazakhstan opens new wind farm</title>{meta}
<link rel="canonical" href="{canonical}">
<meta property="article:published_time" content="2026-11-18T10:00:00+05:00">
</head><body><article><h1>Kazakhstan opens new wind farm</h1>
<p>Kazakhstan opened a 1 GW wind farm in the Zhambyl region on Wednesday, the energy
ministry in Astana said.</p>
<p>The project is Kazakhstan's largest renewable plant. Kazakhstan aims to produce 15% of
its power from renewables by 2030. President Tokayev attended the opening.</p>
</article></body></html>"""
    return Document(url=url, body=html.encode(), fetched_at=FETCHED, content_type="text/html")


def test_a_saved_page_is_the_listed_outlet_its_canonical_address_names(profile):
    """A file:// path named no outlet: the profile's "Kapital.kz" (and KZ) were lost."""
    doc = page("file:///tmp/saved/page2.html", "https://www.kapital.kz/energy/wind/", "Kapital")
    (art,) = analyse(doc, profile)
    assert (art.outlet, art.outlet_country) == ("Kapital.kz", "KZ")
    assert art.url == "file:///tmp/saved/page2.html"


def test_a_saved_page_of_an_unlisted_outlet_has_its_domains_country(profile):
    doc = page("file:///tmp/saved/page.html", "https://www.windnachrichten.de/kasachstan/")
    (art,) = analyse(doc, profile)
    assert art.outlet_country == "DE"


def test_a_web_page_is_still_known_by_its_own_address(profile):
    """Only a page off the web takes its canonical's outlet: a web page's own address is the
    one the digest links and counts (write.credit.web_address)."""
    doc = page("https://www.kapital.kz/energy/wind/", "https://www.reuters.com/wind/", "Kapital")
    (art,) = analyse(doc, profile)
    assert (art.outlet, art.outlet_country) == ("Kapital.kz", "KZ")


def test_an_ambiguous_name_in_title_and_lead_is_not_relevant(profile):
    """The adjective in the title (3.0 × 0.4) and the lead (2.0 × 0.4) made exactly 2.0."""
    body = "A Kazakh carpet of the 1890s sold for twice its estimate.\nThe buyer was not named."
    rel = relevance.score(body, profile, title=CARPET)
    assert rel.score == pytest.approx(profile.threshold)
    assert not rel.relevant
    assert rel.grade is Grade.PASSING
    assert rel.reasons[-1] == "score 2.00 ≥ threshold 2, but only ambiguous names: not relevant"


def test_many_ambiguous_mentions_alone_are_not_relevant(profile):
    body = "Carpets sold well.\n" + " ".join(["The Kazakh rug was admired by all."] * 12)
    rel = relevance.score(body, profile, title=CARPET)
    assert rel.score >= profile.threshold
    assert not rel.relevant


def test_an_ambiguous_name_beside_an_unambiguous_one_still_counts(profile):
    body = "A Kazakh carpet sold for a record, the culture ministry in Kazakhstan said."
    rel = relevance.score(body, profile, title=CARPET)
    assert rel.relevant
