"""Specification of analyse/extract.py: HTML bytes in, article text and metadata out."""

from __future__ import annotations

import random
import re
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mediadigest.analyse import extract
from mediadigest.analyse.extract import Extracted, extract_html
from mediadigest.analyse.normalise import canonicalise_url, parse_date
from mediadigest.errors import FormatError

URL = "https://steppewire.example/news/2025/12/wind-farm?utm_source=rss"

PARAGRAPHS = [
    "Kazakhstan opened its largest wind farm on Thursday near Ereymentau, a town in the "
    "Akmola region, adding 100 megawatts to a grid that still leans heavily on coal.",
    "The project was built with a French developer and financed in part by the European "
    "Bank for Reconstruction and Development, which lent 120 million dollars last year.",
    "Officials in Astana said the country wants renewables to supply fifteen percent of "
    "its electricity by 2030, up from about six percent today, and more auctions will follow.",
    "Residents of Ereymentau said the turbines had brought a few dozen jobs to the town, "
    "although most of the construction workers came from other parts of the country.",
]

# An article page as news sites write it: meta tags and a canonical link in the head,
# navigation and a footer around the article. Expected: the four paragraphs only, with
# the headline, author, date (09:30 at +05:00, the outlet's clock), site name and canonical URL.
ARTICLE_PAGE = f"""<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>Kazakhstan opens its largest wind farm | Steppe Wire</title>
<meta property="og:title" content="Kazakhstan opens its largest wind farm">
<meta property="og:site_name" content="Steppe Wire">
<meta name="author" content="Aigerim Sadykova">
<meta property="article:published_time" content="2025-12-18T09:30:00+05:00">
<meta name="description" content="A 100 MW wind farm near Ereymentau joins the grid.">
<link rel="canonical" href="/news/2025/12/wind-farm">
</head>
<body>
<header><nav><ul>
<li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/business">Business</a></li><li><a href="/subscribe">Subscribe now</a></li>
</ul></nav></header>
<main><article>
<h1>Kazakhstan opens its largest wind farm</h1>
{"".join(f"<p>{p}</p>" for p in PARAGRAPHS)}
</article></main>
<footer><p>Copyright 2025 Steppe Wire Media Group. All rights reserved.</p>
<ul><li><a href="/privacy">Privacy policy</a></li><li><a href="/terms">Terms of use</a></li></ul>
</footer>
</body>
</html>
""".encode()


def page(body_html: str, head: str = "", charset_meta: str = "utf-8") -> str:
    """A minimal page around ``body_html``."""
    return (
        f'<!DOCTYPE html><html><head><meta charset="{charset_meta}">{head}</head>'
        f"<body><article>{body_html}</article></body></html>"
    )


@pytest.fixture(scope="module")
def article() -> Extracted:
    return extract_html(ARTICLE_PAGE, URL, "text/html")


# --- a realistic article --------------------------------------------------------------------


def test_article_text_is_the_paragraphs_one_per_line(article):
    assert article.text.split("\n") == PARAGRAPHS


def test_navigation_and_footer_are_dropped(article):
    for boilerplate in ("Subscribe now", "All rights reserved", "Privacy policy", "Home"):
        assert boilerplate not in article.text


def test_headline_is_the_title_not_the_first_paragraph(article):
    assert article.title == "Kazakhstan opens its largest wind farm"
    assert not article.text.startswith(article.title)


def test_author_site_and_description_come_from_meta_tags(article):
    assert article.author == "Aigerim Sadykova"
    assert article.sitename == "Steppe Wire"
    assert article.description == "A 100 MW wind farm near Ereymentau joins the grid."


def test_published_time_keeps_the_outlets_own_clock(article):
    # 09:30 at +05:00 is 04:30 UTC, and the outlet's day is the one its page prints.
    assert article.published == datetime(2025, 12, 18, 4, 30, tzinfo=UTC)
    assert article.published.utcoffset() == timedelta(hours=5)


def test_a_page_date_just_after_local_midnight_keeps_the_outlets_day():
    body = ARTICLE_PAGE.replace(b"2025-12-18T09:30:00+05:00", b"2025-12-15T02:00:00+06:00")
    result = extract_html(body, URL, "text/html")
    assert result.published is not None
    assert result.published.date() == date(2025, 12, 15)  # 20:00 on the 14th in UTC


def test_relative_canonical_link_is_resolved_against_the_page_url(article):
    assert article.canonical_url == "https://steppewire.example/news/2025/12/wind-farm"


def test_declared_page_language_is_lower_cased(article):
    assert article.html_lang == "en-gb"


def test_clean_page_has_no_warnings(article):
    assert article.warnings == []


# --- dates -------------------------------------------------------------------------------------


SITE_PAGES = sorted((Path(__file__).parent / "fixtures" / "site" / "pages").rglob("*.html"))


@pytest.mark.parametrize("fast", [False, True])
@pytest.mark.parametrize("body", [ARTICLE_PAGE, *(p.read_bytes() for p in SITE_PAGES)])
def test_text_and_title_without_metadata_are_those_of_the_full_pass(body, fast):
    """Relevance is judged on the lean pass (archives): it must see what the full pass sees."""
    full = extract_html(body, URL, "text/html", fast=fast)
    lean = extract_html(body, URL, "text/html", fast=fast, metadata=False)
    assert (lean.text, lean.title) == (full.text, full.title) and full.text and full.title
    assert (lean.author, lean.published, lean.sitename) == (None, None, None)


_DATELINE_PAGE = page(
    "<p class='dateline'>Astana, 5 March 2024</p>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
).encode()
_NO_TEXT_PAGE = page("<nav><a href='/'>Home</a></nav>", "<title>Wind farm</title>").encode()


@pytest.mark.parametrize("date_search", [True, False])
@pytest.mark.parametrize("fast", [False, True])
@pytest.mark.parametrize(
    "body", [ARTICLE_PAGE, _DATELINE_PAGE, _NO_TEXT_PAGE, *(p.read_bytes() for p in SITE_PAGES)]
)
def test_metadata_added_to_a_lean_pass_is_that_of_the_full_pass(body, fast, date_search):
    """An archive's kept page gets its metadata from the parse its relevance was read from."""
    options = {"fast": fast, "date_search": date_search}
    full = extract_html(body, URL, "text/html", **options)
    lean = extract_html(body, URL, "text/html", metadata=False, **options)
    extract.add_metadata(lean, URL, **options)
    assert lean == full
    if body is ARTICLE_PAGE:
        assert (full.author, full.sitename) == ("Aigerim Sadykova", "Steppe Wire")
    if body is _DATELINE_PAGE and date_search:
        assert full.published == datetime(2024, 3, 5)  # no zone given: naive, read as UTC


def test_metadata_is_added_without_extracting_the_text_again(monkeypatch):
    lean = extract_html(ARTICLE_PAGE, URL, "text/html", metadata=False)

    def extracted_again(*args, **kwargs):
        raise AssertionError("the text was extracted again")

    monkeypatch.setattr(extract.trafilatura, "bare_extraction", extracted_again)
    extract.add_metadata(lean, URL)
    assert lean.text == "\n".join(PARAGRAPHS) and lean.author == "Aigerim Sadykova"
    assert lean.published == datetime(2025, 12, 18, 4, 30, tzinfo=UTC)


def test_metadata_added_to_a_lean_pass_includes_the_page_date_search(monkeypatch):
    # The page has no date metadata: only the search of its text (stubbed here) dates it.
    monkeypatch.setattr(extract, "find_date", lambda *args, **kwargs: "2024-03-05T08:00:00+0500")
    body = page("".join(f"<p>{p}</p>" for p in PARAGRAPHS)).encode()
    lean = extract_html(body, URL, "text/html", metadata=False)
    assert lean.published is None
    extract.add_metadata(lean, URL)
    assert lean.published == datetime(2024, 3, 5, 3, 0, tzinfo=UTC)


def test_a_failing_metadata_pass_keeps_the_text_with_a_warning(monkeypatch):
    lean = extract_html(ARTICLE_PAGE, URL, "text/html", metadata=False)

    def broken(*args, **kwargs):
        raise RuntimeError("metadata bug")

    monkeypatch.setattr(extract, "extract_metadata", broken)
    extract.add_metadata(lean, URL)
    assert lean.text == "\n".join(PARAGRAPHS) and lean.author is None
    assert lean.warnings == ["metadata extraction failed: RuntimeError: metadata bug"]


def test_fast_extraction_keeps_the_article_and_drops_the_chrome():
    fast = extract_html(ARTICLE_PAGE, URL, "text/html", fast=True)
    assert fast.text == "\n".join(PARAGRAPHS)
    assert (fast.title, fast.author) == (
        "Kazakhstan opens its largest wind farm",
        "Aigerim Sadykova",
    )


def test_visible_date_is_found_when_there_are_no_date_meta_tags():
    body = "<p class='dateline'>Astana, 5 March 2024</p>" + "".join(
        f"<p>{p}</p>" for p in PARAGRAPHS
    )
    result = extract_html(page(body).encode(), "https://example.org/story", "text/html")
    assert result.published is not None
    assert result.published.date() == date(2024, 3, 5)
    assert result.published.utcoffset() in (None, timedelta(0))  # no zone given: read as UTC


def test_page_text_is_not_searched_for_a_date_when_date_search_is_off(monkeypatch):
    # Archive records: the crawl date is known, the text search costs seconds of dateparser.
    def searched(*args, **kwargs):
        raise AssertionError("the extensive date search ran")

    monkeypatch.setattr(extract, "find_date", searched)
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    url = "https://example.org/story"
    result = extract_html(page(body).encode(), url, "text/html", date_search=False)
    assert result.published is None and result.text


def test_page_without_any_date_has_published_none():
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    result = extract_html(page(body).encode(), "https://example.org/story", "text/html")
    assert result.published is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-12-18T10:00:00+06:00", datetime(2025, 12, 18, 4, 0, tzinfo=UTC)),
        ("2025-12-18T10:00:00Z", datetime(2025, 12, 18, 10, 0, tzinfo=UTC)),
        ("2025-12-18T10:00:00.250+0000", datetime(2025, 12, 18, 10, 0, 0, 250000, tzinfo=UTC)),
        ("2025-12-18", datetime(2025, 12, 18, tzinfo=UTC)),
        ("2025-12-18 10:00", datetime(2025, 12, 18, 10, 0, tzinfo=UTC)),
        ("Thu, 18 Dec 2025 10:00:00 GMT", datetime(2025, 12, 18, 10, 0, tzinfo=UTC)),
        ("Thu, 18 Dec 2025 10:00:00 +0300", datetime(2025, 12, 18, 7, 0, tzinfo=UTC)),
        ("18 Dec 2025 10:00:00 -0000", datetime(2025, 12, 18, 10, 0, tzinfo=UTC)),
    ],
)
def test_parse_date_reads_iso_8601_and_rfc_2822_as_utc(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["", "   ", "yesterday", "2025-13-45", "Thu, 99 Foo", "12/18"])
def test_parse_date_gives_none_for_what_is_not_a_date(value):
    assert parse_date(value) is None


@given(st.text(max_size=40))
@settings(max_examples=200)
def test_parse_date_never_raises_and_answers_utc(value):
    parsed = parse_date(value)
    assert parsed is None or parsed.tzinfo is UTC


# --- charsets ----------------------------------------------------------------------------------

RUSSIAN = (
    "Президент Казахстана провёл переговоры с делегацией Европейского союза в Астане. "
    "Стороны обсудили поставки зерна, транзит через Каспийское море и новые инвестиции."
)
FRENCH = (
    "Le président du Kazakhstan a reçu à Astana une délégation européenne. Les deux parties "
    "ont évoqué les céréales, le transit par la mer Caspienne et les énergies renouvelables. "
    "Selon le ministère, l'accord sera signé l'été prochain à Bruxelles, après l'élection. "
)


def test_cp1251_page_is_decoded_by_its_meta_charset():
    html = page(f"<p>{RUSSIAN}</p><p>{RUSSIAN}</p>", charset_meta="windows-1251")
    result = extract_html(html.encode("cp1251"), "https://example.kz/a", "text/html")
    assert "Президент Казахстана провёл переговоры" in result.text
    assert result.warnings == []


def test_http_equiv_charset_is_honoured():
    head = '<meta http-equiv="Content-Type" content="text/html; charset=koi8-r">'
    html = (
        f"<!DOCTYPE html><html><head>{head}</head><body><article><p>{RUSSIAN}</p>"
        f"<p>{RUSSIAN}</p></article></body></html>"
    )
    result = extract_html(html.encode("koi8-r"), "https://example.kz/b")
    assert "Каспийское море" in result.text


def test_header_charset_wins_over_the_meta_one():
    html = page(f"<p>{RUSSIAN}</p><p>{RUSSIAN}</p>", charset_meta="iso-8859-5")
    result = extract_html(
        html.encode("cp1251"), "https://example.kz/c", "text/html; charset=cp1251"
    )
    assert "Казахстана" in result.text


def test_latin1_page_labelled_utf8_is_guessed_and_warned():
    html = page("".join(f"<p>{FRENCH}</p>" for _ in range(4)), charset_meta="utf-8")
    result = extract_html(
        html.encode("latin-1"), "https://example.fr/d", "text/html; charset=utf-8"
    )
    assert "Le président du Kazakhstan a reçu à Astana" in result.text
    assert any("utf-8 does not fit" in w for w in result.warnings)
    assert any(w.startswith("charset guessed as") for w in result.warnings)


def test_utf8_page_labelled_latin1_is_read_as_utf8_with_a_warning():
    html = page("".join(f"<p>{FRENCH}</p>" for _ in range(3)), charset_meta="iso-8859-1")
    result = extract_html(html.encode("utf-8"), "https://example.fr/e", "text/html")
    assert "Le président du Kazakhstan a reçu" in result.text
    assert any("bytes are UTF-8" in w for w in result.warnings)


def test_byte_order_mark_decides_the_encoding():
    html = page("".join(f"<p>{RUSSIAN}</p>" for _ in range(2)))
    result = extract_html(html.encode("utf-16"), "https://example.kz/f", "text/html")
    assert "Каспийское море" in result.text


def test_unknown_charset_label_is_ignored_with_a_warning():
    html = page(f"<p>{FRENCH}</p><p>{FRENCH}</p>", charset_meta="x-no-such-charset")
    result = extract_html(html.encode("utf-8"), "https://example.fr/g")
    assert "Kazakhstan" in result.text
    assert any("unknown charset" in w for w in result.warnings)


# --- bodies that are not (usable) HTML -----------------------------------------------------------


@pytest.mark.parametrize("body", [b"", b"  \n\t  ", "\u3000".encode()])
def test_empty_body_is_a_format_error(body):
    with pytest.raises(FormatError, match="empty page"):
        extract_html(body, "https://example.org/empty")


@pytest.mark.parametrize(
    "body",
    [
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8,
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
        random.Random(7).randbytes(4096),
        b"<html>\x00\x00\x00</html>",
    ],
    ids=["png", "pdf", "random", "nul-bytes"],
)
def test_binary_body_is_a_format_error(body):
    with pytest.raises(FormatError, match="binary content, not HTML") as info:
        extract_html(body, "https://example.org/file")
    assert info.value.source == "https://example.org/file"


def test_text_without_markup_is_read_as_plain_text_with_a_warning():
    body = f"{PARAGRAPHS[0]}\n\n{PARAGRAPHS[1]}\n".encode()
    result = extract_html(body, "https://example.org/notes")
    assert result.text == f"{PARAGRAPHS[0]}\n{PARAGRAPHS[1]}"
    assert any("no HTML markup" in w for w in result.warnings)


def test_one_megabyte_single_line_does_not_hang_and_is_warned():
    body = b"Kazakhstan wind power news " * 40_000  # 1.08 MB, no newline, no markup
    start = time.perf_counter()
    result = extract_html(body, "https://example.org/line")
    assert time.perf_counter() - start < 5
    assert result.text.startswith("Kazakhstan wind power news")
    assert result.warnings


def test_twenty_megabyte_page_is_cut_and_warned():
    data = '{"item": "sponsored content", "id": 1234567890},\n' * 400_000  # about 20 MB
    html = page("".join(f"<p>{p}</p>" for p in PARAGRAPHS) + f"<script>[{data}]</script>")
    start = time.perf_counter()
    result = extract_html(html.encode(), "https://example.org/huge")
    assert time.perf_counter() - start < 10
    assert any("only the first" in w for w in result.warnings)
    assert PARAGRAPHS[0] in result.text


def test_page_with_too_many_elements_is_cut_and_warned(monkeypatch):
    # the real limit is 10,000 elements; a small one keeps the test fast
    monkeypatch.setattr(extract, "MAX_ELEMENTS", 500)
    filler = '<div class="ad"><span>sponsored</span></div>\n' * 2_000
    html = page("".join(f"<p>{p}</p>" for p in PARAGRAPHS) + filler)
    result = extract_html(html.encode(), "https://example.org/busy")
    (warning,) = [w for w in result.warnings if "elements" in w]
    assert re.fullmatch(
        r"[\d,]+ elements in [\d,]+ characters; only the first [\d,]+ characters parsed "
        r"\(at most 500 elements\)",
        warning,
    )
    assert PARAGRAPHS[0] in result.text


def test_page_with_markup_but_no_text_gives_empty_text_and_a_warning():
    result = extract_html(page("<div><img src='a.png'></div>").encode(), "https://example.org/x")
    assert result.text == ""
    assert "no article text found" in result.warnings


def test_extractor_crash_becomes_a_warning(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(extract.trafilatura, "bare_extraction", broken)
    result = extract_html(ARTICLE_PAGE, URL)
    assert result.text == ""
    assert "extraction failed: RuntimeError: boom" in result.warnings


_TAGS = "<html> </html> <head> <body> <p> </p> <article> <script> </script> <!-- --> <title>"
_HTML_BITS = st.sampled_from(
    [
        *_TAGS.split(),
        "<meta charset='cp1251'>",
        "<meta charset=bogus>",
        "<?xml version='1.0' encoding='utf-8'?>",
        "<!DOCTYPE html>",
        "<time datetime='2025-99-99'>",
        "<a href='http://[::1'>",
        "<link rel=canonical href='http://a b'>",
        *["Kazakhstan", "Қазақстан ", "é", "\x00", "\r\n", "&amp;", "&#xD800;", " "],
    ]
)
_BODIES = st.one_of(
    st.binary(max_size=3000),
    st.text(max_size=1000).map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.lists(_HTML_BITS, max_size=60).map(lambda parts: "".join(parts).encode("utf-8")),
)


@given(body=_BODIES, content_type=st.sampled_from([None, "text/html", "text/html; charset=x"]))
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_extract_html_raises_nothing_but_format_error(body, content_type):
    try:
        result = extract_html(body, "https://example.org/fuzz", content_type)
    except FormatError:
        return
    assert isinstance(result.text, str)
    assert result.published is None or isinstance(result.published, datetime)


# --- canonical URLs ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "HTTPS://Example.COM:443/a/b/index.html?utm_source=x&b=2&a=1&fbclid=zz#frag",
            "https://example.com/a/b/?a=1&b=2",
        ),
        ("http://www.Example.com:80/path/?gclid=1", "http://www.example.com/path/"),
        ("http://example.com:8080/x?id=5&utm_campaign=y", "http://example.com:8080/x?id=5"),
        (
            "https://example.com/news?msclkid=1&mc_cid=2&yclid=3&page=2",
            "https://example.com/news?page=2",
        ),
        ("https://example.com", "https://example.com/"),
        (
            "https://example.com/News/Story-ID.html#comments",
            "https://example.com/News/Story-ID.html",
        ),
        ("  https://example.com/a  ", "https://example.com/a"),
        ("file:///home/User/Doc.html#x", "file:///home/User/Doc.html#x"),
        ("mailto:desk@example.com", "mailto:desk@example.com"),
    ],
)
def test_canonicalise_url(url, expected):
    assert canonicalise_url(url) == expected


_URLS = st.builds(
    "{}://{}{}/{}{}{}".format,
    st.sampled_from(["http", "https", "HTTPS"]),
    st.sampled_from(["example.com", "News.Example.KZ", "xn--80ao21a.xn--80ao21a"]),
    st.sampled_from(["", ":80", ":443", ":8080"]),
    st.text(st.sampled_from("abcXYZ019-_./~%"), max_size=20),
    st.sampled_from(["", "?utm_medium=x", "?b=2&a=1", "?fbclid=1&id=3", "?q=%C3%A4"]),
    st.sampled_from(["", "#top", "#"]),
)


@given(_URLS)
@settings(max_examples=150)
def test_canonicalise_url_is_idempotent(url):
    once = canonicalise_url(url)
    assert canonicalise_url(once) == once
    assert "#" not in once
    assert "utm_" not in once and "fbclid" not in once


_ODD_PAGES = [
    ARTICLE_PAGE.decode(),
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/'
    'DTD/xhtml1-strict.dtd">\n<html><body><p>Astana</p></body></html>',
    "<html/>\n<body><p>self-closing html</p></body>",
    "<?xml version='1.0' encoding='utf-8'?><html><body><p>declared</p></body></html>",
    "<p>a fragment</p>",
    "just text, no markup at all",
    "<html><body><p>a control \x0b character</p></body></html>",
    "   ",
]


@pytest.mark.parametrize("html", _ODD_PAGES)
def test_our_load_parses_as_trafilatura_load_html(html):
    _assert_same_load(html)


@given(st.lists(_HTML_BITS, max_size=40).map("".join))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_our_load_parses_as_trafilatura_load_html_on_any_markup(html):
    _assert_same_load(html)


def _assert_same_load(html: str) -> None:
    import lxml.html
    import trafilatura

    def load(fn):
        try:
            tree = fn(html)
        except Exception as err:  # both must fail alike
            return type(err)
        return None if tree is None else lxml.html.tostring(tree)

    assert load(extract._load_html) == load(trafilatura.load_html)
