"""A speaker's office with its place, from an English report to the item's printed quote
line (analyse/speaker_roles.py, write/render/markdown.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mediadigest.analyse import analyse
from mediadigest.model import Document
from mediadigest.profile import Profile, load_profile
from mediadigest.write.compose import compose_item
from mediadigest.write.render.markdown import item_paragraphs

# Written for this test: a wire report naming the speaker with his office set off by commas.
REPORT = """Kazakhstan and Japan to open a rare earths research centre in Almaty

TOKYO, Dec 16 - Kazakhstan and Japan will open a joint research centre for rare earth metals \
in Almaty next year, Kazakhstan’s Ambassador to Japan, Aidar Seitkali, said on Tuesday.

The centre will train Kazakh engineers and test new ways of processing ore from the Kostanai \
region, he told reporters in Tokyo.

"Kazakhstan has the deposits and Japan has the technology, and together we can build a \
supply chain that depends on no one else," Seitkali said.

Japanese companies have invested more than $8 billion in Kazakhstan since 1992.
"""


@pytest.fixture(scope="module")
def profile() -> Profile:
    return load_profile("kazakhstan")


def _report(profile: Profile):
    """REPORT as a wire page's text, analysed (not stored: no id)."""
    doc = Document(
        url="https://wire.example.jp/kazakhstan-japan-rare-earths",
        body=REPORT.encode("utf-8"),
        fetched_at=datetime(2025, 12, 21, 9, tzinfo=UTC),
        content_type="text/plain; charset=utf-8",
        hints={"published": "2025-12-16", "outlet": "Nikkei Asia"},
    )
    (article,) = analyse(doc, profile)
    return article


def test_an_item_prints_the_office_and_its_place_set_apart_from_the_name(profile):
    article = _report(profile)
    item = compose_item(article, profile)
    # Printed "“…,” Aidar Seitkali said." before; "Kazakhstan’s Ambassador to Japan Aidar
    # Seitkali said" would run the place into the name.
    assert item_paragraphs(item)[-1] == (
        "“Kazakhstan has the deposits and Japan has the technology, and together we can build "
        "a supply chain that depends on no one else,” said Kazakhstan’s Ambassador to Japan, "
        "Aidar Seitkali."
    )


def test_an_item_of_an_article_not_stored_yet_says_its_quote_once(profile):
    # compose_item on an article fresh from analyse (no id): the summary repeated the quote's
    # sentence, its spans to avoid named article 0 and the article None.
    article = _report(profile)
    paragraphs = item_paragraphs(compose_item(article, profile))
    said = [p for p in paragraphs if "depends on no one else" in p]
    assert len(said) == 1 and said[0].startswith("“Kazakhstan has the deposits")
