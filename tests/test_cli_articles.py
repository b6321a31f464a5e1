"""`mediadigest articles` says why each article is listed or left out, and `search` lists a
page captured twice once: from what the store kept of the articles' relevance."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from mediadigest import store
from mediadigest.analyse import relevance
from mediadigest.model import Article, Relevance
from mediadigest.profile import load_profile
from test_end_to_end import Cli

OIL = (
    "Oil prices rose.\n\n"
    + "Traders watched supply from many producers. " * 20
    + "Exports from Kazakhstan, Russia, Azerbaijan and Turkmenistan grew."
)
# title -> text, each judged by the profile the CLI uses (kazakhstan)
TEXTS = {
    "Kazakhstan opens a wind farm": "Kazakhstan opened a wind farm in Zhambyl.",
    "Rain in Paris": "It rained in Paris today. Nothing else happened.",
    "Stage win": "Astana Qazaqstan Team won the stage. Astana Qazaqstan Team riders celebrated.",
    "Oil markets": OIL,
}
WHY = {
    "Kazakhstan opens a wind farm": "Kazakhstan (title ×1), Kazakhstan (lead ×1)",
    "Rain in Paris": "the country is not named",
    "Stage win": "ruled out: 2 × 'Astana Qazaqstan Team' (cycling team Astana); "
    "nothing else names the country",
    "Oil markets": "passing (named once or only in a list of countries): Kazakhstan (body ×1); "
    "score 0.25 < threshold 2",
}


def _article(n: int, title: str, text: str, rel: Relevance, url: str | None = None) -> Article:
    url = url or f"https://news.example/{n}"
    return Article(
        url=url, canonical_url=url, content_hash=f"h{n}", title=title, text=text,
        published=datetime(2025, 12, 10 + n, 9, tzinfo=UTC), relevance=rel,
    )  # fmt: skip


@pytest.fixture
def cli(tmp_path: Path, monkeypatch) -> Cli:
    """A store with the articles of TEXTS, judged as the analyse stage judges them."""
    monkeypatch.setenv("COLUMNS", "400")  # the table on one line per article
    cli = Cli(tmp_path / "store.db")
    profile = load_profile("kazakhstan")
    engine = store.open_store(cli.db)
    with engine.begin() as conn:
        store.save_articles(
            conn,
            [
                _article(n, title, text, relevance.score(text, profile, title=title))
                for n, (title, text) in enumerate(TEXTS.items())
            ],
        )
    engine.dispose()
    return cli


def test_articles_json_says_why_each_article_is_listed_or_left_out(cli: Cli):
    found = {a["title"]: a["why"] for a in cli.json("articles", "--all", "--json")}
    assert found == WHY


def test_the_articles_table_says_why_an_article_was_left_out(cli: Cli):
    table = cli("articles", "--all").stdout
    for title, why in WHY.items():
        (line,) = [line for line in table.splitlines() if title in line]
        assert why in line, line


def test_an_article_stored_without_its_reasons_says_they_are_not_stored(cli: Cli):
    rel = Relevance.from_dict(
        {"score": 0.5, "grade": "passing", "hits": [
            {"alias": "Astana", "canonical": "Astana", "kind": "place", "field": "body"}
        ]}
    )  # fmt: skip
    engine = store.open_store(cli.db)
    with engine.begin() as conn:
        store.save_articles(conn, [_article(9, "Old record", "Astana.", rel)])
    engine.dispose()
    (old,) = [a for a in cli.json("articles", "--all", "--json") if a["title"] == "Old record"]
    assert old["why"] == "passing: Astana (body ×1), score 0.50 (no reasons stored)"


def _recapture(cli: Cli) -> None:
    """The first article's page captured again, with a longer headline and other text."""
    engine = store.open_store(cli.db)
    with engine.begin() as conn:
        again = _article(
            20, "Kazakhstan opens a wind farm of 50 turbines", "Kazakhstan opened it.", Relevance()
        )
        again.url = again.canonical_url = "https://news.example/0"  # the first article's page
        store.save_articles(conn, [again])
    engine.dispose()


def test_search_lists_a_page_captured_twice_once(cli: Cli):
    _recapture(cli)
    hits = cli.json("search", "wind", "--json")
    assert [h["title"] for h in hits] == ["Kazakhstan opens a wind farm of 50 turbines"]


def test_articles_lists_a_page_captured_twice_once(cli: Cli):
    """As search and the API list it: its newest capture (it listed both)."""
    _recapture(cli)
    titles = [a["title"] for a in cli.json("articles", "--all", "--json")]
    assert "Kazakhstan opens a wind farm of 50 turbines" in titles
    assert "Kazakhstan opens a wind farm" not in titles and len(titles) == len(TEXTS)
