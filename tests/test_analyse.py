"""The whole analyse stage on fixtures: roundups become linked items, every article is
understood, and no bad input lets an exception out."""

from __future__ import annotations

import pickle
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from mediadigest import analyse as analyse_module
from mediadigest.analyse import analyse, normalise
from mediadigest.errors import InputError
from mediadigest.model import Document, Grade
from mediadigest.profile import Profile, load_profile
from mediadigest.write import style

FIXTURES = Path(__file__).parent / "fixtures" / "understand"
FETCHED = datetime(2025, 12, 21, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def profile() -> Profile:
    return load_profile("kazakhstan")


def fixture_text(name: str) -> str:
    """A fixture without its header (everything up to the line ``---``)."""
    return (FIXTURES / name).read_text(encoding="utf-8").split("\n---\n", 1)[1]


def text_doc(text: str, **hints: str) -> Document:
    return Document(
        url="https://digest.example.kz/weekly",
        body=text.encode("utf-8"),
        fetched_at=FETCHED,
        content_type="text/plain; charset=utf-8",
        hints={"published": "2025-12-20", "outlet": "Example Times", **hints},
    )


@pytest.fixture(scope="module")
def items(profile: Profile):
    return analyse(text_doc(fixture_text("weekly-roundup.txt")), profile)


def test_roundup_gives_one_article_per_item_linked_to_the_page(items):
    assert len(items) == 4
    assert {a.parent_url for a in items} == {"https://digest.example.kz/weekly"}
    assert len({a.canonical_url for a in items}) == 4
    assert items[0].url == "https://digest.example.kz/weekly#caspian-grain-corridor-gains-momentum"


def test_item_keeps_the_page_outlet_and_date_apart_from_what_it_reports(items):
    grain = items[0]
    assert (grain.outlet, grain.published.date()) == ("Example Times", date(2025, 12, 20))
    assert (grain.reported_by, grain.reported_on) == ("The Nordic Ledger", date(2025, 12, 15))
    assert grain.author == "Aliya Serikbayeva"


def test_each_item_gets_its_own_kind(items):
    assert [a.kind for a in items] == ["opinion", "news", "interview", "news"]


def test_quote_attributed_to_the_author_names_the_guest_author(items):
    (quote,) = items[0].quotes
    assert (quote.speaker, quote.cue) == ("Aliya Serikbayeva", "the author")


def test_broken_quote_halves_share_their_speaker(items):
    assert [q.speaker for q in items[1].quotes] == ["Bolat Zhunusov", "Bolat Zhunusov"]


def test_the_minister_resolves_to_the_interviewed_minister(items):
    water = items[2]
    assert water.attribution.interviewee == "Nurlan Abenov"
    assert [q.speaker for q in water.quotes] == ["Nurlan Abenov"]


def test_quote_over_two_paragraphs_is_one_quote_with_its_speaker(items):
    (quote,) = items[3].quotes
    assert "\n" in quote.text and quote.speaker == "Dana Omarova"


def test_items_carry_people_with_roles(items):
    people = {e.name: e.role for e in items[2].entities if e.kind == "person"}
    assert people == {"Nurlan Abenov": "Kazakhstan's Minister of Water Resources"}


def test_items_carry_their_themes(items):
    assert [{t.name for t in a.themes} for a in items] == [
        {"economy"},
        {"transport"},
        {"environment", "diplomacy"},
        {"culture"},
    ]


def test_items_carry_tone_and_its_terms(items):
    assert all(a.tone is not None for a in items)
    assert items[0].explanations["tone"]


def test_items_explain_the_split(items):
    assert items[1].explanations["roundup"][0] == "item 2 of 4"


def test_short_intro_is_not_kept_as_an_article_of_its_own(items):
    assert all(a.parent_url for a in items)


def test_page_with_a_long_intro_is_kept_beside_its_items(profile):
    intro = "Kazakhstan's foreign coverage this week was broad and varied in tone. " * 12
    text = fixture_text("weekly-roundup.txt").replace("ASTANA – ", intro + "\nASTANA – ", 1)
    articles = analyse(text_doc(text), profile)
    assert len(articles) == 5
    assert articles[0].parent_url is None and articles[0].text.startswith("Kazakhstan's foreign")


def test_ministry_news_page_gives_one_article_per_block_with_its_link(profile):
    doc = Document(
        url="https://energy.example.kz/news",
        fetched_at=FETCHED,
        body=(FIXTURES / "ministry-news.html").read_bytes(),
        content_type="text/html",
    )
    articles = analyse(doc, profile)
    assert [a.url for a in articles] == [
        "https://energy.example.kz/news/kashagan-output",
        "https://energy.example.kz/news/uranium-talks",
        "https://energy.example.kz/news/wind-tender",
    ]
    assert all(a.parent_url == "https://energy.example.kz/news" for a in articles)
    assert [t.name for t in articles[1].themes] == ["energy"]


_RU_BLOCK = '<div class="news-item"><h3><a href="/news/{slug}">{title}</a></h3><p>{text}</p></div>'
_RU_ITEMS = (
    ("kashagan", "Добыча на Кашагане достигла нового рекорда",
     "Добыча нефти на месторождении Кашаган в Казахстане достигла нового суточного рекорда "
     "на этой неделе, сообщило министерство энергетики после завершения ремонта платформ."),
    ("uranium", "Казахстан и Япония обсудили поставки урана",
     "Представители Казахстана и Японии обсудили долгосрочные поставки урана для японских "
     "реакторов на встрече в Астане и договорились подготовить меморандум о сотрудничестве."),
)  # fmt: skip


def test_roundup_items_are_decoded_as_the_page_text_was(profile):
    # No <meta charset>: only the HTTP header says UTF-8. The items are read from the page as
    # extraction decoded it, so their Cyrillic is intact (and the country found in them).
    blocks = "".join(_RU_BLOCK.format(slug=s, title=h, text=p) for s, h, p in _RU_ITEMS)
    head = "<head><title>Новости министерства</title></head>"
    html = f"<html>{head}<body><main>{blocks}</main></body></html>"
    doc = Document(
        url="https://energy.example.kz/ru/news",
        fetched_at=FETCHED,
        body=html.encode("utf-8"),
        content_type="text/html; charset=utf-8",
    )
    articles = analyse(doc, profile)
    assert [a.title for a in articles] == [title for _, title, _ in _RU_ITEMS]
    assert all(a.relevance.relevant for a in articles)


def test_article_with_subheadings_stays_one_article(profile):
    (art,) = analyse(text_doc(fixture_text("article-with-subheads.txt")), profile)
    assert art.parent_url is None and "What comes next" in art.text


def test_article_not_about_the_country_skips_the_expensive_steps(profile):
    text = "Chile's winemakers picked grapes early after a hot spring, the growers said."
    (art,) = analyse(text_doc(text), profile)
    assert art.relevance.grade is Grade.NONE
    assert (art.entities, art.themes, art.quotes, art.tone) == ([], [], [], None)
    assert art.kind == "news"


def test_a_caller_keeping_only_relevant_articles_gets_the_same_ones_for_less(profile):
    """``keep: relevant`` (an archive ingest) stops early only on what the caller drops."""
    about = fixture_text("weekly-roundup.txt")
    other = "Chile's winemakers picked grapes early after a hot spring, the growers said."
    passing = f"{other}\nTheir ministers met colleagues from Peru and Kazakhstan in Geneva."
    for text in (about, passing, other):
        full = analyse(text_doc(text), profile)
        lean = analyse(text_doc(text, keep="relevant"), profile)
        kept = [a for a in full if a.relevance.relevant]
        assert [a for a in lean if a.relevance.relevant] == kept and (kept or text != about)
    (art,) = analyse(text_doc(other, keep="relevant"), profile)
    assert art.relevance.grade is Grade.NONE and art.language is None  # never detected
    (art,) = analyse(text_doc(passing, keep="relevant"), profile)
    assert art.relevance.grade is not Grade.NONE and not art.relevance.relevant
    # Not understood: no step but extraction said anything of it.
    assert art.attribution is None and set(art.explanations) == {"text"}
    html = (FIXTURES / "ministry-news.html").read_bytes()  # a roundup: items kept, in full
    page = Document("https://energy.example.kz/news", html, FETCHED, "text/html")
    lean = Document(page.url, html, FETCHED, "text/html", {"keep": "relevant"})
    kept = [a for a in analyse(page, profile) if a.relevance.relevant]
    assert kept and [a for a in analyse(lean, profile) if a.relevance.relevant] == kept


def test_a_kept_archive_page_is_extracted_once_and_read_in_full(profile, monkeypatch):
    """The lean pass's parse gives the kept page its metadata: the text is not extracted twice."""
    site = Path(__file__).parent / "fixtures" / "site" / "pages" / "steppe-wire"
    html = (site / "kazakhstan-wind.html").read_bytes()
    url = "https://steppe-wire.example/news/kazakhstan-wind"
    (full,) = analyse(Document(url, html, FETCHED, "text/html"), profile)
    calls = []
    extract_html = analyse_module.extract.extract_html
    monkeypatch.setattr(
        analyse_module.extract,
        "extract_html",
        lambda *args, **kwargs: calls.append(kwargs) or extract_html(*args, **kwargs),
    )
    (lean,) = analyse(Document(url, html, FETCHED, "text/html", {"keep": "relevant"}), profile)
    assert lean == full and full.relevance.relevant and full.author and full.published
    assert [c["metadata"] for c in calls] == [False]


def test_article_in_russian_keeps_its_original_title(profile):
    doc = text_doc(
        "Казахстан увеличил добычу нефти и урана в этом году на десятую часть.",
        title="Казахстан наращивает добычу",
    )
    (art,) = analyse(doc, profile)
    assert (art.language, art.original_title) == ("ru", "Казахстан наращивает добычу")
    assert [t.name for t in art.themes] == ["energy"]


def test_article_in_english_has_no_original_title(profile):
    (art,) = analyse(text_doc("Kazakhstan raised oil output.", title="Output up"), profile)
    assert art.original_title is None


# -- bad input: never an exception, always an article with what could be found ---------------


def test_empty_text_with_a_title_is_an_article_with_a_warning(profile):
    (art,) = analyse(text_doc("", title="Kazakhstan signs a treaty"), profile)
    assert art.title == "Kazakhstan signs a treaty"
    assert any("no text" in w for w in art.warnings)


def test_no_text_and_no_title_is_an_input_error(profile):
    with pytest.raises(InputError):
        analyse(text_doc("   \n "), profile)


def test_an_empty_page_is_no_text_found(profile):
    doc = Document("https://e.example/empty", b"<html><body><p> </p></body></html>", FETCHED)
    with pytest.raises(InputError) as caught:
        analyse(doc, profile)
    assert caught.value.reason == "no text found"


def test_a_page_the_extractor_fails_on_names_the_failure(profile, monkeypatch):
    """An extractor that raises on every page (a trafilatura and htmldate of versions that do
    not fit: KeyError 'max_date') said "no text found" for each, as if all were empty."""

    def broken(*args, **kwargs):
        raise KeyError("max_date")

    monkeypatch.setattr("mediadigest.analyse.extract.trafilatura.bare_extraction", broken)
    html = b"<html><body><p>Kazakhstan opened a wind farm in Zhambyl.</p></body></html>"
    with pytest.raises(InputError) as caught:
        analyse(Document("https://e.example/a", html, FETCHED, "text/html"), profile)
    assert caught.value.reason == "no text found (extraction failed: KeyError: 'max_date')"


def test_roundup_with_one_item_stays_one_article_with_a_warning(profile):
    text = (
        "Weekly digest of the foreign press about Kazakhstan.\n"
        "Grain exports rise again\n"
        "The Example Gazette reported on Dec. 18 that wheat shipments from Kazakhstan grew.\n"
    )
    (art,) = analyse(text_doc(text), profile)
    assert any("single item" in w for w in art.warnings)


def test_unbalanced_quotes_give_no_error(profile):
    text = "Kazakhstan's minister said “this never ends and goes on. And “another one too."
    (art,) = analyse(text_doc(text), profile)
    assert art.quotes == []


def test_page_of_only_quotes(profile):
    text = "\n".join(f"“Kazakhstan will grow its exports number {n} soon.”" for n in range(6))
    (art,) = analyse(text_doc(text), profile)
    assert len(art.quotes) == 6


def test_text_without_sentence_punctuation(profile):
    text = " ".join(["Kazakhstan grain exports rise in the north and the west"] * 40)
    (art,) = analyse(text_doc(text), profile)
    assert art.relevance.relevant


def test_one_megabyte_on_one_line_is_analysed_quickly(profile):
    text = "Kazakhstan exports oil and uranium via the Caspian “with partners in Baku” " * 13_000
    start = time.perf_counter()
    (art,) = analyse(text_doc(text), profile)
    assert time.perf_counter() - start < 5
    assert art.relevance.grade is Grade.SUBJECT and art.themes


def test_a_failing_step_becomes_a_warning_not_an_exception(profile, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(analyse_module.themes, "classify", broken)
    (art,) = analyse(text_doc("Kazakhstan raised oil output and uranium output."), profile)
    assert art.themes == []
    assert "themes failed: RuntimeError: boom" in art.warnings


def test_analyse_is_pure_and_its_results_pickle(profile):
    doc = text_doc(fixture_text("weekly-roundup.txt"))
    first = analyse(doc, profile)
    assert analyse(doc, pickle.loads(pickle.dumps(profile))) == first
    assert pickle.loads(pickle.dumps(first)) == first


def _page(url: str, site: str | None) -> Document:
    meta = f'<meta property="og:site_name" content="{site}">' if site else ""
    body = "<p>Kazakhstan opened a new wind farm in the Zhambyl region on Tuesday.</p>" * 8
    html = f"<html><head><title>Wind farm</title>{meta}</head><body><article><h1>Wind farm</h1>"
    return Document(url, f"{html}{body}</article></body></html>".encode(), FETCHED, "text/html")


@pytest.mark.parametrize(
    ("url", "site", "outlet"),
    [
        ("https://steppe.example/a", "Steppe Wire | News from Central Asia", "Steppe Wire"),
        ("https://steppe.example/a", "Steppe Wire - World", "Steppe Wire"),
        ("https://www.steppe.example/a", "https://www.steppe.example", "steppe.example"),
        ("https://www.steppe.example/a", "Copyright 2024", "steppe.example"),
        ("https://www.steppe.example/a", None, "steppe.example"),
        ("https://al-monitor.example/a", "Al-Monitor", "Al-Monitor"),
    ],
)
def test_the_outlet_is_named_as_a_digest_names_it(profile, url, site, outlet):
    # The attribution line says "<outlet> reported on …": not a slogan, a URL, a copyright
    # line or "An unnamed outlet" when the address says who published it.
    assert analyse(_page(url, site), profile)[0].outlet == outlet


@pytest.mark.parametrize(
    ("url", "country"),
    [
        ("https://www.thestar.com.my/news/nation/a", "MY"),  # no outlet of the profile's
        ("https://news.example.co.uk/a", "GB"),
        ("https://www.steppe.example/a", None),
        ("https://steppe.tv/a", None),  # a brand's domain says nothing of its home
        ("https://steppe.org/a", None),
    ],
)
def test_an_unlisted_outlets_country_is_its_country_code_domains(profile, url, country):
    art = analyse(_page(url, "The Star"), profile)[0]
    assert art.outlet_country == country
    # As an editor writes it, in the house style: "Malaysia's The Star".
    named = style.outlet_name(art.outlet, art.outlet_country, profile.country_code)
    assert named == {"MY": "Malaysia’s The Star", "GB": "Britain’s The Star"}.get(
        country, "The Star"
    )


@pytest.mark.parametrize(
    ("site", "hints", "outlet"),
    [
        # A feed's title is a guess: the page's own site name is the outlet.
        ("Steppe Wire", {"feed_title": "World news | The Guardian"}, "Steppe Wire"),
        (None, {"feed_title": "Steppe Wire - World"}, "Steppe Wire"),
        # What an aggregator's item or a news sitemap names as the publisher is not a guess.
        ("Google News", {"outlet": "Caspian Ledger", "feed_title": '"Kazakhstan" - Google News'},
         "Caspian Ledger"),
    ],
)  # fmt: skip
def test_a_page_names_its_outlet_before_the_feed_that_listed_it(profile, site, hints, outlet):
    page = _page("https://steppe.example/a", site)
    page.hints.update(hints)
    assert analyse(page, profile)[0].outlet == outlet


@pytest.mark.parametrize(
    ("title", "site", "url", "headline"),
    [
        ("Best wind farms of 2025 | Steppe Wire", "Steppe Wire", "https://sw.example/a",
         "Best wind farms of 2025"),
        ("Kazakhstan adds a lunar lander - SpaceNews.example", "SpaceNews.example",
         "https://spacenews.example/a", "Kazakhstan adds a lunar lander"),
        ("Grain record – Ledger", "Ledger magazine", "https://ledger.example/a", "Grain record"),
        ("Steppe Wire | News from Asia: Grain record", "Steppe Wire | News from Asia",
         "https://sw.example/a", "Grain record"),
        ("Wind farm opens | ledger", None, "https://www.ledger.example/a", "Wind farm opens"),
        # Not the site's name: the title stays whole.
        ("Opinion | Is the steppe the new Gulf?", "Ledger", "https://ledger.example/a",
         "Opinion | Is the steppe the new Gulf?"),
        ("Review - shoots for the moon, lands among the stars", "Ledger",
         "https://ledger.example/a", "Review - shoots for the moon, lands among the stars"),
        ("Apple news - AP", "AP", "https://ap.example/a", "Apple news"),
        ("AP | Apple news", "Apple", "https://apple.example/a", "AP | Apple news"),
        # A data set's tokenised titles leave the stop standing alone.
        ("Grain exports hit a record .", None, "https://ledger.example/a",
         "Grain exports hit a record"),
        ("Is the steppe the new Gulf?", None, "https://ledger.example/a",
         "Is the steppe the new Gulf?"),
    ],
)  # fmt: skip
def test_a_headline_loses_the_site_name_the_page_added(title, site, url, headline):
    outlet = normalise.outlet_name(site, url)
    assert normalise.headline(title, site, outlet, url) == headline


def test_a_text_record_with_a_web_address_is_named_like_a_page():
    # A JSON Lines record without an outlet was "An unnamed outlet" where the same article
    # as HTML was named by its domain.
    text = "Wind farm\n\nKazakhstan opened a new wind farm in the Zhambyl region on Tuesday."
    doc = Document("https://www.steppe.example/a", text.encode(), FETCHED, "text/plain")
    assert analyse(doc, load_profile("kazakhstan"))[0].outlet == "steppe.example"
    site = "Steppe Wire | News from Central Asia"
    hinted = text_doc(text, outlet=site, title="Wind  farm\topens")
    (art,) = analyse(hinted, load_profile("kazakhstan"))
    assert (art.outlet, art.title) == ("Steppe Wire", "Wind farm opens")


def test_an_address_that_is_not_a_web_address_names_no_outlet():
    assert normalise.outlet_name(None, "tag:ledger.example,2025:brief") is None
    assert normalise.outlet_name(None, "file:///tmp/ledger.html") is None
    assert normalise.outlet_name("www.ledger.example", "file:///tmp/a.html") == "ledger.example"


def test_a_page_with_only_a_title_says_so_once(profile):
    html = b"<html><head><title>Kazakhstan signs a wind deal</title></head><body></body></html>"
    hints = {"title": "Kazakhstan signs a wind deal"}  # as a feed entry names its page
    doc = Document("https://e.example/a", html, datetime.now(UTC), "text/html", hints)
    (art,) = analyse(doc, profile)
    assert art.title == "Kazakhstan signs a wind deal"
    assert art.warnings == ["no text found: only the title is kept"]


def test_a_text_longer_than_any_article_is_cut_with_a_warning(profile):
    """A 5 MB text (a dump in a JSONL export) made every search that matched it take minutes;
    it is cut at a paragraph's end before MAX_TEXT, and the article says so."""
    paragraph = "Kazakhstan's economy grew strongly this year, officials in Astana said.\n"
    doc = Document(
        "https://news.example/huge",
        (paragraph * 70_000).encode(),
        datetime(2025, 12, 18, tzinfo=UTC),
        "text/plain",
        {"title": "A very long report"},
    )
    (art,) = analyse(doc, profile)
    assert analyse_module.MAX_TEXT // 2 < len(art.text) <= analyse_module.MAX_TEXT
    assert art.text.endswith("Astana said.")
    assert any(w.startswith("text cut at ") and "5,040,000" in w for w in art.warnings)
    assert art.relevance.relevant
