"""Full-text search: the same queries find the same articles on SQLite (FTS5) and PostgreSQL."""

from __future__ import annotations

import importlib
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from mediadigest import store
from mediadigest.model import Article, Grade, Relevance
from mediadigest.store import schema
from mediadigest.store.search import SearchHit, parse_query, search
from mediadigest.web.articles import Filters, find

# The package exports the function `search`, which hides the module of the same name.
search_module = importlib.import_module("mediadigest.store.search")


def _article(n: int, title: str, text: str, **kw) -> Article:
    url = f"https://news.example/{n}"
    fields = {
        "published": datetime(2025, 12, 10 + n % 10, 9, tzinfo=UTC),
        "language": "en",
        "outlet": "Steppe Wire",
        "outlet_country": "GB",
    }
    fields.update(kw)
    return Article(
        url=url, canonical_url=url, content_hash=f"h{n}", title=title, text=text, **fields
    )


def _save(engine: sa.Engine, *articles: Article) -> None:
    with engine.begin() as conn:
        store.save_articles(conn, list(articles))


def _titles(engine: sa.Engine, query: str, **filters) -> list[str]:
    with engine.connect() as conn:
        return [hit.title for hit in search(conn, query, **filters)]


def test_a_word_in_the_title_ranks_above_the_same_word_in_the_lead_and_body(engine):
    _save(
        engine,
        _article(1, "Markets", "Traders were calm.\n\nLater, uranium prices rose."),
        _article(2, "Uranium output rises", "Traders were calm.\n\nPrices rose."),
        _article(3, "Markets", "Uranium prices rose.\n\nTraders were calm."),
    )
    titles = _titles(engine, "uranium")
    assert titles[0] == "Uranium output rises"
    assert len(titles) == 3


def test_a_word_in_the_lead_ranks_above_the_same_word_deeper_in_the_body(engine):
    body = "Nothing happened today in the capital.\n\nThe " + "long report. " * 20
    _save(
        engine,
        _article(1, "Report one", body + "A pipeline was mentioned."),
        _article(2, "Report two", "A pipeline opened today in the capital.\n\n" + body[40:]),
    )
    assert _titles(engine, "pipeline") == ["Report two", "Report one"]


def test_inflected_english_words_find_each_other(engine):
    _save(engine, _article(1, "Parliament", "The elections were held on Sunday."))
    assert _titles(engine, "election") == ["Parliament"]
    assert _titles(engine, "ELECTIONS held") == ["Parliament"]


def test_every_word_must_match_unless_joined_by_or(engine):
    _save(
        engine,
        _article(1, "Oil", "Oil exports grew."),
        _article(2, "Gas", "Gas exports grew."),
    )
    assert _titles(engine, "oil gas") == []
    assert sorted(_titles(engine, "oil OR gas")) == ["Gas", "Oil"]


def test_or_joins_two_words_and_the_next_word_must_match_as_well(engine):
    """PostgreSQL's websearch syntax reads "oil or gas russia" as oil OR (gas AND russia)."""
    _save(
        engine,
        _article(1, "Oil to Russia", "Oil exports to Russia grew."),
        _article(2, "Oil to China", "Oil exports to China grew."),
        _article(3, "Gas to Russia", "Gas exports to Russia grew."),
        _article(4, "Gas to China", "Gas exports to China grew."),
    )
    assert sorted(_titles(engine, "oil OR gas russia")) == ["Gas to Russia", "Oil to Russia"]
    assert sorted(_titles(engine, "russia oil OR gas")) == ["Gas to Russia", "Oil to Russia"]
    found = sorted(_titles(engine, '"oil exports" OR gas -russia'))
    assert found == ["Gas to China", "Oil to China"]


def test_a_minus_word_excludes_the_articles_that_have_it(engine):
    _save(
        engine,
        _article(1, "Oil", "Oil exports to Russia grew."),
        _article(2, "More oil", "Oil exports to China grew."),
    )
    assert _titles(engine, "oil -russia") == ["More oil"]


def test_a_quoted_phrase_needs_its_words_together_and_in_order(engine):
    _save(
        engine,
        _article(1, "Summit", "Leaders of Central Asia met."),
        _article(2, "Trip", "He flew to Asia, then central Europe."),
    )
    assert _titles(engine, '"central asia"') == ["Summit"]


def test_stop_words_are_ignored_and_alone_find_nothing(engine):
    _save(engine, _article(1, "Summit", "The leaders of the region met."))
    assert _titles(engine, "the leaders") == ["Summit"]
    assert _titles(engine, "the of") == []


def test_cyrillic_words_are_found(engine):
    _save(engine, _article(1, "Астана", "Выборы в Казахстане прошли спокойно.", language="ru"))
    assert _titles(engine, "выборы") == ["Астана"]


def test_a_name_is_found_in_every_spelling_the_profile_lists(engine):
    _save(
        engine,
        _article(1, "Tokayev in Tokyo", "Kassym-Jomart Tokayev met the Emperor."),
        _article(2, "Guests", "Guests included President Tokaev."),
        _article(3, "Визит", "Касым-Жомарт Токаев прибыл в Токио."),
        _article(4, "Aqtau port", "The port of Aqtau ships grain."),
    )
    names = search_module.spellings(
        [["Kassym-Jomart Tokayev", "Tokayev", "Tokaev", "Токаев", "托卡耶夫"], ["Aktau", "Aqtau"]]
    )
    assert _titles(engine, "tokaev") == ["Guests"]
    assert sorted(_titles(engine, "tokaev", names=names)) == ["Guests", "Tokayev in Tokyo", "Визит"]
    assert _titles(engine, "tokaev tokyo", names=names) == ["Tokayev in Tokyo"]
    assert _titles(engine, "aktau grain", names=names) == ["Aqtau port"]
    assert sorted(_titles(engine, "tokaev -emperor", names=names)) == ["Guests", "Визит"]
    _, added = parse_query("Tokaev").with_spellings(names)
    assert added == ["kassym jomart tokayev", "tokayev", "токаев"]  # no CJK run: not a word here
    # An excluded name is left out in every spelling too ("-Tokaev" kept "Токаев").
    assert _titles(engine, "guests OR визит OR tokyo -tokaev", names=names) == []
    assert sorted(_titles(engine, "guests OR визит OR tokyo -tokaev")) == [
        "Tokayev in Tokyo",
        "Визит",
    ]


def test_not_in_capitals_excludes_the_next_word_and_an_exclusion_alone_is_said_so():
    """A query "Kazakhstan NOT wheat" dropped NOT as a common word and searched for both;
    "-Kazakhstan" was said to have no words to search for."""
    parsed = parse_query("Kazakhstan NOT wheat")
    assert (parsed.groups, parsed.excluded) == ([[("kazakhstan",)]], [("wheat",)])
    assert parse_query("Kazakhstan NOT the wheat").excluded == [("wheat",)]
    assert search_module.query_problem("-Kazakhstan") == (
        "'-Kazakhstan' only says what to leave out: add a word to search for ('wheat -alpha')"
    )


def test_the_profile_spells_its_people_places_and_organisations_not_the_country():
    from mediadigest.profile import load_profile

    names = search_module.profile_spellings(load_profile("kazakhstan"))
    assert ("токаев*",) in names[("tokaev",)] and ("aqtau",) in names[("aktau",)]
    assert ("kazakhstan",) not in names


def _found_as_the_profile_spells(engine: sa.Engine, query: str) -> set[str]:
    """The titles ``query`` finds in every spelling of the default profile, its country too."""
    from mediadigest.profile import load_profile

    names = search_module.profile_spellings(load_profile("kazakhstan"), country=True)
    with engine.connect() as conn:
        return {h.title for h in search(conn, query, names=names)}


def test_a_korean_spelling_is_searched_with_the_particles_written_onto_it(engine):
    """Korean spellings were left out with Chinese and Japanese ones, though Korean is
    written with spaces: `tokayev` missed a Korean report that `토카예프*` finds."""
    korean = "카자흐스탄 가스관"
    _save(
        engine,
        _article(1, korean, "토카예프 대통령은 카자흐스탄의 새 가스관을 발표했다."),
        _article(2, "Pipeline", "President Tokayev announced a pipeline."),
    )
    for query in ("tokayev", "kazakhstan"):
        assert korean in _found_as_the_profile_spells(engine, query), query
    assert _found_as_the_profile_spells(engine, "토카예프") == {korean, "Pipeline"}


def test_a_persian_spelling_is_searched_beside_the_arabic_one(engine):
    """Persian writes kaf and yeh with letters of its own (ک ی): the profile kept the Arabic
    spelling of the two, and `tokayev` missed a Persian report (توکایف)."""
    persian = "سفر رئیس جمهور"
    _save(
        engine,
        _article(1, persian, "توکایف در آستانه با هیئت چینی دیدار کرد."),
        _article(2, "Pipeline", "President Tokayev announced a pipeline."),
    )
    assert _found_as_the_profile_spells(engine, "tokayev") == {persian, "Pipeline"}
    assert "Pipeline" in _found_as_the_profile_spells(engine, "توکایف")


def test_a_place_is_found_by_its_other_names_and_its_inflected_forms(engine):
    """The capital's own name is an ambiguous alias (also a cycling team's); it is one of
    the capital's spellings all the same, and "Астан*" finds the Kazakh "Астанада"."""
    from mediadigest.profile import load_profile

    _save(
        engine,
        _article(1, "Summit opens in Astana", "Leaders met."),
        _article(2, "Саммит", "Тоқаев Астанада сөз сөйледі."),
        _article(3, "Nur-Sultan renamed", "The capital took back its old name."),
    )
    names = search_module.profile_spellings(load_profile("kazakhstan"))
    with engine.connect() as conn:
        # Typed with a space, and an inflected form of a prefix spelling, as well (each
        # found only the articles that spelt it so).
        for query in ("astana", "nur-sultan", "Nur Sultan", "Астанада", "Астане"):
            found = {h.title for h in search(conn, query, names=names)}
            assert found == {"Summit opens in Astana", "Саммит", "Nur-Sultan renamed"}, query


def test_a_place_whose_every_name_is_ambiguous_is_found_in_each_spelling(engine):
    """Tengiz (also a word of Kazakh) and Baikonur are listed with ambiguous aliases only: a
    search for "tengiz" found the English reports and not the Russian ones."""
    from mediadigest.profile import load_profile

    _save(
        engine,
        _article(1, "Tengiz output rises", "The oil field grew."),
        _article(2, "Добыча нефти", "Добыча на Тенгизе вырастет до 35 млн тонн."),
        _article(3, "Crew launches", "A Soyuz left Baikonur on Thursday."),
    )
    names = search_module.profile_spellings(load_profile("kazakhstan"))
    with engine.connect() as conn:
        assert {h.title for h in search(conn, "tengiz", names=names)} == {
            "Tengiz output rises",
            "Добыча нефти",
        }
        assert {h.title for h in search(conn, "Байконур", names=names)} == {"Crew launches"}


@pytest.mark.parametrize(("language", "country"), [("de", "DE"), ("DE", "de"), (" De ", "dE")])
def test_language_and_country_are_taken_in_any_case(engine, language, country):
    """Stored as "de" and "DE": "DE" for the language found nothing, and "de" for the country."""
    _save(
        engine,
        _article(1, "Wind farm in Zhambyl", "A wind farm.", language="de", outlet_country="DE"),
        _article(2, "Wind farm in Almaty", "A wind farm."),
    )
    assert _titles(engine, "wind", language=language) == ["Wind farm in Zhambyl"]
    assert _titles(engine, "wind", outlet_country=country) == ["Wind farm in Zhambyl"]
    with engine.connect() as conn:
        browsed = find(conn, "", Filters(language=language, country=country))
    assert [hit.title for hit in browsed] == ["Wind farm in Zhambyl"]


def test_a_text_longer_than_any_article_takes_its_snippet_from_the_lead(engine):
    """Stored before texts were cut at ingest: FTS5's snippet of a text with thousands of
    matches costs their square (a 5 MB text took minutes per search), so the lead gives it."""
    body = "Mongolia's economy grew, officials in Ulaanbaatar said. " * 4_000
    assert len(body) > search_module.LONG_TEXT
    _save(engine, _article(1, "A very long report", "A quiet opening.\n\n" + body))
    with engine.connect() as conn:
        (hit,) = search(conn, "ulaanbaatar")
    assert hit.title == "A very long report"
    if engine.dialect.name == "sqlite":
        assert hit.snippet.startswith("A quiet opening") and "**" not in hit.snippet
    else:  # ts_headline reads the text's opening only, at a cost that grows with it alone
        assert "**Ulaanbaatar**" in hit.snippet


def test_the_countrys_adjective_is_not_the_country(engine):
    """The adjective "Kazakh" (a people, a language; all its aliases ambiguous) is no group:
    its prefix spelling "kazakh*" made a search for "kazakh" find every text naming Kazakhstan."""
    from mediadigest.profile import load_profile

    _save(
        engine,
        _article(1, "Uranium forecast", "Kazakhstan cut its uranium output forecast."),
        _article(2, "Language law", "Schools will teach more Kazakh from 2026."),
        _article(3, "Казахский язык", "Школы будут преподавать больше на казахском."),
    )
    names = search_module.profile_spellings(load_profile("kazakhstan"))
    with engine.connect() as conn:
        assert {h.title for h in search(conn, "kazakh", names=names)} == {"Language law"}


@pytest.mark.parametrize("query", ['"unbalanced', "AND OR NOT (", "-", "*", "col:umn", "'; --"])
def test_odd_punctuation_in_a_query_is_never_an_error(engine, query):
    _save(engine, _article(1, "Summit", "Leaders met."))
    with engine.connect() as conn:
        assert isinstance(search(conn, query), list)


def test_hits_have_the_same_shape_on_both_backends(engine):
    _save(engine, _article(1, "Steppe wind farm opens", "Kazakhstan opened a wind farm.\n\nMore."))
    with engine.connect() as conn:
        (hit,) = search(conn, "wind farm")
    assert isinstance(hit, SearchHit)
    assert (hit.url, hit.title, hit.outlet, hit.outlet_country, hit.language) == (
        "https://news.example/1",
        "Steppe wind farm opens",
        "Steppe Wire",
        "GB",
        "en",
    )
    assert hit.published == datetime(2025, 12, 11, 9) and isinstance(hit.id, int)
    assert hit.score > 0
    assert "**wind**" in hit.snippet and "\n" not in hit.snippet


def test_the_snippet_comes_from_where_the_query_matched(engine):
    lead = "A quiet lead. " + "Nothing much happened. " * 10
    _save(
        engine, _article(1, "Report", lead + "\n\n" + "Filler text. " * 10 + "A pipeline appears.")
    )
    with engine.connect() as conn:
        (hit,) = search(conn, "pipeline")
    assert "**pipeline**" in hit.snippet and "quiet lead" not in hit.snippet


@pytest.fixture(params=["walk matches", "filter first"])
def plan(request, monkeypatch) -> None:
    """Run a test under both SQLite plans (PostgreSQL plans for itself)."""
    monkeypatch.setattr(search_module, "SELECTIVE", 0 if request.param == "walk matches" else 10**9)


def test_filters_narrow_the_results(engine, plan):
    rel = Relevance(3.0, Grade.SUBJECT, True)
    later = datetime(2025, 12, 16, tzinfo=UTC)
    _save(
        engine,
        _article(1, "Wind one", "Wind.", published=datetime(2025, 12, 14, 23, 30, tzinfo=UTC)),
        _article(2, "Wind two", "Wind.", published=datetime(2025, 12, 15, 0, 30, tzinfo=UTC)),
        _article(
            3, "Wind three", "Wind.", published=later, outlet="Jiji Press", outlet_country="JP"
        ),
        _article(4, "Wind four", "Wind.", published=later, language="ru", relevance=rel),
    )
    assert sorted(_titles(engine, "wind", since=date(2025, 12, 15))) == [
        "Wind four",
        "Wind three",
        "Wind two",
    ]
    assert _titles(engine, "wind", until=date(2025, 12, 14)) == ["Wind one"]
    assert _titles(engine, "wind", outlet="Jiji Press") == ["Wind three"]
    assert _titles(engine, "wind", outlet_country="JP") == ["Wind three"]
    assert _titles(engine, "wind", language="ru") == ["Wind four"]
    assert _titles(engine, "wind", relevant_only=True) == ["Wind four"]
    assert _titles(engine, "wind", outlet="Jiji Press", language="ru") == []


def test_limit_caps_the_results(engine):
    _save(engine, *[_article(n, f"Wind {n}", "Wind.") for n in range(5)])
    with engine.connect() as conn:
        assert len(search(conn, "wind", limit=2)) == 2


def test_only_the_newest_matches_are_ranked(engine, monkeypatch):
    monkeypatch.setattr(search_module, "WINDOW", 2)
    _save(
        engine,
        _article(1, "Wind wind wind", "Wind power, wind farms, wind."),
        _article(2, "Calm", "Some wind."),
        _article(3, "Calm too", "Some wind."),
    )
    assert sorted(_titles(engine, "wind")) == ["Calm", "Calm too"]


def test_an_edited_article_is_found_by_its_new_words(engine):
    _save(engine, _article(1, "Wind farm opens", "Turbines turned."))
    with engine.begin() as conn:
        conn.execute(sa.update(schema.articles).values(title="Solar park opens", text="Panels."))
    assert _titles(engine, "wind") == []
    assert _titles(engine, "solar panels") == ["Solar park opens"]


def test_queries_parse_into_groups_and_exclusions():
    parsed = parse_query('"Central Asia" OR Kazakhstan\'s -Russia the')
    assert parsed.groups == [[("central", "asia"), ("kazakhstan",)]]
    assert parsed.excluded == [("russia",)]
    assert parsed.fts5() == '("central asia" OR "kazakhstan") NOT "russia"'


@pytest.fixture(params=["walk only", "walk then index"])
def pg_plan(request, monkeypatch) -> None:
    """Run a test with PostgreSQL finding every match by walking, and with it falling back to
    the GIN index after two articles (SQLite ignores WALK)."""
    monkeypatch.setattr(search_module, "WALK", 10**6 if request.param == "walk only" else 2)


def _newest_first_store(engine: sa.Engine) -> None:
    """Twelve articles that all say "wind"; two of them say "Central Asia", the others have
    both words apart and never "asia central"; three are from Jiji Press. The same words in
    every text give every match the same score, so ties go to the newest published (Report n
    on December 10 + n % 10)."""
    articles = []
    for n in range(12):
        text = (
            "Wind over Central Asia markets, bank."
            if n in (1, 4)
            else "Wind over Asia markets, central bank."
        )
        outlet = "Jiji Press" if n in (0, 1, 6) else "Steppe Wire"
        articles.append(_article(n, f"Report {n}", text, outlet=outlet))
    _save(engine, *articles)


@pytest.mark.parametrize(
    ("query", "filters", "expected"),
    [
        ('"central asia"', {}, ["Report 4", "Report 1"]),  # a rare phrase of common words
        ('"asia central"', {}, []),  # both words everywhere, the phrase nowhere
        ("wind", {"outlet": "Jiji Press"}, ["Report 6", "Report 1", "Report 0"]),
        ("wind", {}, ["Report 9", "Report 11", "Report 10"]),  # only the newest WINDOW stored
        ('"central asia"', {"outlet": "Jiji Press"}, ["Report 1"]),
    ],
)
def test_the_newest_matches_are_found_however_rare(
    engine, pg_plan, monkeypatch, query, filters, expected
):
    monkeypatch.setattr(search_module, "WINDOW", 3)
    _newest_first_store(engine)
    assert _titles(engine, query, **filters) == expected


def test_matches_thinning_out_with_age_are_still_found(engine, pg_plan, monkeypatch):
    # The two newest match and the next eight do not: walking on at the rate of the first two
    # finds nothing more, and the index must still find the oldest.
    monkeypatch.setattr(search_module, "WINDOW", 3)
    _save(
        engine,
        *[
            _article(n, f"Storm {n}" if n in (0, 10, 11) else f"Calm {n}", "Wind over Asia.")
            for n in range(12)
        ],
    )
    assert _titles(engine, "storm") == ["Storm 11", "Storm 10", "Storm 0"]
