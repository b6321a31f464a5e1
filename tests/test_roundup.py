"""Roundup pages: plain-text and HTML digests split into items, ordinary articles left whole."""

from __future__ import annotations

from pathlib import Path

from mediadigest.analyse.roundup import split_html, split_text

FIXTURES = Path(__file__).parent / "fixtures" / "understand"


def fixture_text(name: str) -> str:
    """A fixture without its header (everything up to the line ``---``)."""
    return (FIXTURES / name).read_text(encoding="utf-8").split("\n---\n", 1)[1]


def test_plain_text_roundup_splits_into_its_headlined_items():
    split = split_text(fixture_text("weekly-roundup.txt"))
    assert [item.title for item in split.items] == [
        "Caspian grain corridor gains momentum",
        "Second rail crossing opens on the Chinese border",
        "Water diplomacy on the Syr Darya",
        "Almaty film festival draws record crowds",
    ]


def test_item_text_runs_to_the_next_headline_and_no_further():
    items = split_text(fixture_text("weekly-roundup.txt")).items
    assert items[0].text.startswith("The Nordic Ledger published an article on Dec. 15")
    assert items[0].text.endswith("according to the author.")
    assert "rail" not in items[0].text.split("\n")[-1]


def test_intro_is_kept_apart_and_photo_credit_dropped():
    split = split_text(fixture_text("weekly-roundup.txt"))
    assert split.rest.startswith("ASTANA – Our editors have picked")
    assert "Photo credit" not in split.rest


def test_reasons_say_why_the_page_is_a_roundup():
    reasons = split_text(fixture_text("weekly-roundup.txt")).reasons
    assert "4 of 4 items open with an attribution" in reasons


def test_article_with_subheadings_is_not_a_roundup():
    assert split_text(fixture_text("article-with-subheads.txt")) is None


def test_page_that_calls_itself_a_digest_splits_without_attributions():
    text = (
        "This week's press digest.\n"
        "Grain exports rise again\n"
        "Wheat shipments from the northern regions grew by a tenth in November, traders said.\n"
        "New airline route to Seoul\n"
        "A low-cost carrier will fly twice a week from Almaty to Seoul from the spring onwards.\n"
    )
    split = split_text(text, title="Weekly digest")
    assert [i.title for i in split.items] == [
        "Grain exports rise again",
        "New airline route to Seoul",
    ]


def test_roundup_with_a_single_item_comes_back_with_one_item():
    text = (
        "Weekly digest of the foreign press.\n"
        "Grain exports rise again\n"
        "Wheat shipments from the northern regions grew by a tenth in November, traders said.\n"
    )
    assert len(split_text(text).items) == 1


def test_text_without_line_breaks_is_not_a_roundup():
    assert split_text("Kazakhstan exported more grain " * 500) is None


def test_html_repeated_blocks_split_into_items_with_links():
    html = (FIXTURES / "ministry-news.html").read_text(encoding="utf-8")
    split = split_html(html, "https://energy.example.kz/news", main_text="")
    assert [(i.title, i.link) for i in split.items] == [
        ("Kashagan output reaches a new daily record", "https://energy.example.kz/news/kashagan-output"),
        ("Kazakhstan and Japan discuss uranium supplies", "https://energy.example.kz/news/uranium-talks"),
        ("Tender opens for a wind farm in the Zhambyl region", "https://energy.example.kz/news/wind-tender"),
    ]  # fmt: skip
    assert split.items[0].text.endswith("through the winter months.")


def test_html_teasers_beside_a_long_article_are_not_items():
    teaser = (
        '<div class="teaser"><h3><a href="/t{n}">Other story number {n} here</a></h3>'
        "<p>A short teaser for another story that is not this page's article.</p></div>"
    )
    article = "The parliament of Kazakhstan passed a new budget law on Tuesday. " * 40
    html = f"<html><body><article><p>{article}</p></article><aside>x</aside>"
    html += "".join(teaser.format(n=n) for n in range(3)) + "</body></html>"
    assert split_html(html, "https://example.com/a", main_text=article) is None


def test_many_teasers_sharing_the_articles_words_but_not_its_sentences_are_not_items():
    # CBS's impeachment report beside 59 teasers: they held 63% of its words, none of its
    # sentences, and the report became nine stories of teasers.
    article = (
        "Two former officials testified side by side before the committee on Tuesday about "
        "the events at the centre of the inquiry, and the chairman said the testimony was clear."
    )
    words = article.replace(",", "").replace(".", "").split()
    teaser = '<div class="teaser"><h3><a href="/t{n}">Story {n}</a></h3><p>{text}</p></div>'
    teasers = "".join(
        teaser.format(n=n, text=" ".join(words[n % 7 :: 3] + words[: n % 7 : 2])) for n in range(12)
    )
    html = f"<html><body><article><p>{article}</p></article>{teasers}</body></html>"
    assert split_html(html, "https://example.com/a", main_text=article) is None


def test_an_article_in_two_blocks_without_links_of_their_own_is_one_article():
    part = '<div class="section"><h2>{h}</h2><p>{p}</p></div>'
    one = "Tuft cells in the gut taste danger and set off the immune response, researchers found."
    two = "The cells were long overlooked, but they now appear in the lungs and the nose as well."
    html = "<html><body>" + part.format(h="Not merely taste", p=one)
    html += part.format(h="A job for tuft cells", p=two) + "</body></html>"
    assert split_html(html, "https://example.com/a", main_text=f"{one}\n{two}") is None


def test_an_article_with_sub_headings_is_one_article():
    sections = "".join(
        f"<h2>Part {n} of the story</h2><p>{'The inquiry heard more evidence today. ' * 5}</p>"
        for n in range(4)
    )
    html = f"<html><body><h1>Prison guards charged</h1>{sections}</body></html>"
    main = "The inquiry heard more evidence today. " * 20
    assert split_html(html, "https://example.com/a", main_text=main) is None


def test_html_headings_split_when_items_open_with_attributions():
    body = "".join(
        f"<h2>Headline number {n} about Kazakhstan</h2>"
        f"<p>The Example Gazette reported on Dec. {n} that Kazakhstan signed deal number {n}.</p>"
        for n in (10, 11, 12)
    )
    split = split_html(f"<html><body>{body}</body></html>", "https://example.com/", "")
    assert len(split.items) == 3
    assert split.items[1].text.startswith("The Example Gazette reported on Dec. 11")


def test_unparseable_html_is_no_roundup_and_no_error():
    assert split_html("\x00\x01", "https://example.com/", "") is None


def test_html_comments_between_headings_are_skipped():
    body = "".join(
        f"<h2>Headline number {n} about Kazakhstan</h2><!-- ad slot -->"
        f"<p>The Example Gazette reported on Dec. {n} that Kazakhstan signed deal number {n}.</p>"
        for n in (10, 11)
    )
    split = split_html(f"<html><body>{body}</body></html>", "https://example.com/", "")
    assert len(split.items) == 2
