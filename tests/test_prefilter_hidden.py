"""The prefilter and the forms a page can hide a name in: every one analyse reads, it passes.

Each case is a page built here: the name in a code page (kz1048, PTCP154 and every other
encoding analyse can be told), behind character references (padded, partial, hex, HTML5
names, ASCII letters), split by a soft hyphen or a zero-width mark, in UTF-16 or UTF-32
without a BOM, in a charset whose bytes cannot be scanned for, or under a Content-Encoding
(tests/test_http_payload.py). analyse is the judge: every page it keeps must pass.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mediadigest.analyse import analyse
from mediadigest.collect import codepages, escapes, prefilter
from mediadigest.errors import InputError
from mediadigest.model import Document
from mediadigest.profile import load_profile
from warc_files import filler_page

EN = """<p>The government of {K} said on Monday it would build a wind farm in the Zhambyl
region, the energy minister told reporters in the capital. The project, worth about
$1.2 billion, is part of a plan to burn less coal by 2030.</p>
<p>Officials said the plant would supply about 300,000 homes and be built by foreign and
local investors. Analysts said {K} wanted to diversify its energy mix.</p>"""
RU = """<p>Правительство {K} в понедельник объявило о строительстве ветровой электростанции
в Жамбылской области, сообщил журналистам министр энергетики. Проект стоимостью около
1,2 миллиарда долларов является частью плана по сокращению угля.</p>
<p>По словам чиновников, станция будет снабжать электроэнергией около 300 тысяч домов.</p>"""
KK = """<p>{K} үкіметі дүйсенбі күні Жамбыл облысында жаңа жел электр станциясын салатынын
хабарлады, деді энергетика министрі тілшілерге.</p>
<p>Жобаның құны шамамен 1,2 миллиард доллар. {K} көмірді азайтуды жоспарлап отыр.</p>"""


# The country's name in each script the profile has it in (Latin ones with letters beyond ASCII).
NAMES = ("Қазақстан", "Казахстан", "Καζακστάν", "קזחסטן", "کازاخستان", "哈萨克斯坦", "哈薩克斯坦",
         "カザフスタン", "카자흐스탄", "KAZAKİSTAN", "Kazajistán", "Cazaquistão")  # fmt: skip


def page(text: str, name: str, lang: str, charset: str | None = None) -> str:
    """An article page with ``name`` in its title and text (as written: escaped or not)."""
    meta = f'<meta charset="{charset}">' if charset else ""
    return (f'<!DOCTYPE html><html lang="{lang}"><head>{meta}<title>{name}: wind farm</title>'
            f"</head><body><article><h1>{name} builds a wind farm</h1>"
            f"{text.format(K=name)}</article></body></html>")  # fmt: skip


def en(name: str, charset: str | None = None) -> str:
    return page(EN, name, "en", charset)


def ru(name: str = "Казахстана", charset: str | None = None) -> str:
    return page(RU, name, "ru", charset)


def kk(name: str = "Қазақстан", charset: str | None = None) -> str:
    return page(KK, name, "kk", charset)


def refs(word: str, form: str = "&#{};", which: slice = slice(None)) -> str:
    """``word`` with the letters ``which`` written as references of ``form``."""
    chars = list(word)
    chars[which] = [form.format(ord(c)) for c in chars[which]]
    return "".join(chars)


def hidden_cases() -> dict[str, tuple[bytes, str]]:
    """Case name -> (page bytes, Content-Type)."""
    html = "text/html"
    cases: dict[str, tuple[bytes, str]] = {}
    for encoding in codepages.ENCODINGS:  # <meta charset> names it: analyse reads it so
        for name in NAMES:
            try:
                cases[f"{name} in {encoding}"] = (en(name, encoding).encode(encoding), html)
            except UnicodeEncodeError:
                continue
    k, kaz = "Казахстана", "Kazakhstan"
    cases |= {
        "Kazakh page in kz1048": (kk(charset="kz1048").encode("kz1048"), html),
        "Kazakh page in PTCP154": (kk(charset="ptcp154").encode("ptcp154"), html),
        "Russian page in KOI8-R": (ru(charset="koi8-r").encode("koi8-r"), html),
        "first letter &#1050;": (ru(refs(k, which=slice(1))).encode(), html),
        "every letter &#1050;": (ru(refs(k)).encode(), html),
        "zero-padded &#01050;": (ru(refs(k, "&#0{};")).encode(), html),
        "eight digits &#00001050;": (ru(refs(k, "&#{:08d};")).encode(), html),
        "hex padded &#x041a;": (ru(refs(k, "&#x{:04x};")).encode(), html),
        "hex upper &#X41A;": (ru(refs(k, "&#X{:X};", slice(2))).encode(), html),
        "no semicolon &#1050": (ru(refs(k, "&#{}", slice(1))).encode(), html),
        "HTML5 name &Kcy;": (ru("&Kcy;азахстана").encode(), html),
        "HTML5 names &Kcy;&acy;": (ru("&Kcy;&acy;&zcy;&acy;&khcy;стана").encode(), html),
        "ASCII letter &#75;": (en(refs(kaz, which=slice(1))).encode(), html),
        "ASCII letters &#x4b;...": (en(refs(kaz, "&#x{:x};")).encode(), html),
        "ASCII padded &#0075;": (en(refs(kaz, "&#{:04d};", slice(3))).encode(), html),
        "ASCII no semicolon &#75": (en(refs(kaz, "&#{}", slice(1))).encode(), html),
        "last letter no semicolon": (en(refs(kaz, "&#{}", slice(-1, None))).encode(), html),
        "Latin name &aacute; in cp1252": (
            page(EN, "Kazajist&aacute;n", "es", "windows-1252").encode("cp1252"), html),
        "partial reference in cp1251": (
            ru("&#1050;азахстана", "windows-1251").encode("cp1251"), html),
        "soft hyphen &shy;": (en("Kaz&shy;akhstan").encode(), html),
        "soft hyphen &#173;": (en("Kaz&#173;akhstan").encode(), html),
        "soft hyphen &#xAD;": (en("Kaz&#xAD;akhstan").encode(), html),
        "soft hyphen in UTF-8": (en("Kaz\u00adakhstan").encode(), html),
        "soft hyphen in Cyrillic": (ru("Каз\u00adахстана").encode(), html),
        "&shy; in cp1251": (ru("Каз&shy;ахстана", "windows-1251").encode("cp1251"), html),
        "zero-width space": (ru("Каз\u200bахстана").encode(), html),
        "reference and soft hyphen": (ru("К&#1072;з\u00adахстана").encode(), html),
        "zero-width joiner &zwj;": (en("Kaz&zwj;akhstan").encode(), html),
        "word joiner &#8288;": (en("Kaz&#8288;akhstan").encode(), html),
        "BOM inside a word": (en("Kaz\ufeffakhstan").encode(), html),
        "Arabic vowel marks": (en("كَازَاخِسْتَان").encode(), html),
        "Arabic tatweel": (en("كازاخـستان").encode(), html),
        "Arabic shadda and tatweel": (en("وكازاخــستانّ").encode(), html),
        "UTF-16 LE without BOM": (ru(charset="utf-16le").encode("utf-16-le"),
                                  "text/html; charset=utf-16le"),
        "UTF-16 BE without BOM": (ru(charset="utf-16be").encode("utf-16-be"),
                                  "text/html; charset=utf-16be"),
        "UTF-32 with BOM": (ru().encode("utf-32"), html),
        "UTF-32 LE without BOM": (ru(charset="utf-32le").encode("utf-32-le"),
                                  "text/html; charset=utf-32le"),
        "UTF-7 in <meta>": (ru(charset="utf-7").encode("utf-7"), html),
        "UTF-7 as unicode-1-1-utf-7": (ru(charset="unicode-1-1-utf-7").encode("utf-7"), html),
        "unicode-escape in <meta>": (
            ru(charset="unicode-escape").encode("ascii", "backslashreplace"), html),
    }  # fmt: skip
    return cases


def known_gaps() -> dict[str, tuple[bytes, str]]:
    """Forms analyse reads and the prefilter does not: the gaps README and the prefilter's
    docstring list (``--no-prefilter`` reads such pages)."""
    html = "text/html"
    return {
        "markup inside the word": (en("Kaza<b>khstan</b>").encode(), html),
        "soft hyphen byte in cp1252": (
            en("Kaz\u00adakhstan", "windows-1252").encode("cp1252"), html),
        "full-width letters": (en("Ｋａｚａｋｈｓｔａｎ").encode(), html),
        "mixed-case Cyrillic": (ru("КаЗаХсТаНа").encode(), html),
        "Arabic vowel marks in cp1256": (
            en("كَازَاخِسْتَان", "windows-1256").encode("cp1256"), html),
    }  # fmt: skip


@pytest.fixture(scope="module")
def profile():
    return load_profile("kazakhstan")


def _kept(body: bytes, content_type: str, profile) -> bool:
    doc = Document("https://news.example/a", body, datetime.now(UTC), content_type)
    try:
        return any(a.relevance.relevant for a in analyse(doc, profile))
    except InputError:  # nothing to read: analyse keeps nothing (any other error is a bug)
        return False


@pytest.fixture(scope="module")
def kept(profile) -> dict[str, bytes]:
    """The cases analyse keeps (analysed once for all backends)."""
    return {name: body for name, (body, ctype) in hidden_cases().items()
            if _kept(body, ctype, profile)}  # fmt: skip


@pytest.fixture(scope="module", params=list(prefilter.BACKENDS))
def scan(request, profile):
    return prefilter.for_profile(profile, request.param)


def test_analyse_reads_the_hidden_forms(kept):
    """The cases are real: analyse keeps each (else the next test would prove nothing)."""
    must = {"Kazakh page in kz1048", "Kazakh page in PTCP154", "Қазақстан in kz1048",
            "Қазақстан in ptcp154", "Қазақстан in koi8-t", "Казахстан in cp855",
            "哈萨克斯坦 in hz", "카자흐스탄 in iso2022_kr", "カザフスタン in iso2022_jp_2",
            "Καζακστάν in cp737", "KAZAKİSTAN in cp857", "Kazajistán in mac-roman",
            "first letter &#1050;", "zero-padded &#01050;", "hex padded &#x041a;",
            "HTML5 name &Kcy;", "ASCII letter &#75;", "no semicolon &#1050",
            "ASCII no semicolon &#75", "soft hyphen &shy;", "soft hyphen in UTF-8",
            "soft hyphen in Cyrillic", "zero-width space", "partial reference in cp1251",
            "UTF-7 in <meta>", "UTF-32 with BOM", "Latin name &aacute; in cp1252",
            "Arabic vowel marks", "Arabic tatweel", "Arabic shadda and tatweel"}  # fmt: skip
    assert must <= set(kept)
    assert len(kept) >= 240  # of 250: the name in every encoding that can write it


def test_every_hidden_form_analyse_keeps_passes_the_prefilter(scan, kept):
    missed = [name for name, body in kept.items() if not scan.maybe(body)]
    assert not missed


def test_the_known_gaps_are_still_gaps(scan, profile):
    """If one of these passes now, take it off the lists of gaps (README, prefilter.py)."""
    for name, (body, ctype) in known_gaps().items():
        assert _kept(body, ctype, profile), name
        assert not scan.maybe(body), name


def test_common_references_do_not_let_every_page_through(scan):
    """&#8217; starts like &#82 ("R"), &amp; and &nbsp; are everywhere: none is a mark."""
    refs_ = "&#8217; &#8211; &#8220;&#8221; &amp; &nbsp; &#039; &#x2019; &#160; &quot; &#65279;"
    for i in range(30):
        body = filler_page(i).body.replace(b"<p>", f"<p>{refs_} ".encode())
        assert not scan.maybe(body)


def test_a_page_of_many_references_is_read_whole(scan):
    """Hundreds of "&#8217;" (each starts like "&#82", "R") or a Russian text spelled in
    references: past what is checked one by one, the page is read as analyse reads it."""
    quotes = b"<p>It&#8217;s here &#8220;now&#8221;.</p>" * 400
    assert not scan.maybe(quotes)
    assert scan.maybe(quotes + refs("Kazakhstan", which=slice(1)).encode())
    russian = refs("Новости дня: погода в Москве и в Париже. " * 20).encode()
    assert not scan.maybe(russian)
    assert scan.maybe(russian + refs("Казахстан").encode())


def test_letters_as_references_are_read_before_ruling_a_page_out(scan):
    """An address spelled in references ("mailto"), a Spanish page in cp1252 full of
    &aacute;: scanned as analyse reads them, and ruled out."""
    mail = "".join(f"&#{ord(c)};" for c in "mailto:desk@example.org")
    assert not scan.maybe(f"<p>Write to <a href='{mail}'>us</a></p>".encode())
    spanish = "<p>Gran &eacute;xito del pa&iacute;s: M&aacute;laga gan&oacute;.</p>"
    assert not scan.maybe(f'<meta charset="windows-1252">{spanish}'.encode("cp1252"))
    assert scan.maybe(f"{spanish}<p>Kazajist&aacute;n firm&oacute;</p>".encode("cp1252"))


def test_a_reference_touching_legacy_bytes_is_let_through(scan):
    """In windows-1251 "&#1050;" before raw letters needs the page's encoding to be read:
    the prefilter does not guess it, and lets the page through."""
    raw = "<p>&#1050;ошка спит</p>".encode("cp1251")  # "cat sleeps": not about the country
    assert scan.why(raw) == "(a character reference in a page that is not UTF-8)"
    assert not scan.maybe("<p>&#1050;ошка спит</p>".encode())  # in UTF-8 it is read


def test_a_page_declaring_utf7_passes_only_where_analyse_looks(scan):
    assert scan.why(b'<head><meta charset="UTF-7"></head><p>x</p>') == "(charset)"
    assert scan.maybe(b"<meta http-equiv=content-type content='text/html; charset=u7'>")
    assert not scan.maybe(b"<p>Python can decode utf-7 and utf_7 text.</p>")


def test_every_text_codec_is_scanned_or_said_why_not():
    """A codec Python gains (so analyse can read pages in it) must be added to one list."""
    import codecs
    import encodings
    import encodings.aliases
    import pkgutil

    names = {m.name for m in pkgutil.iter_modules(encodings.__path__)}
    names |= set(encodings.aliases.aliases.values())
    text_codecs = set()
    for name in names:
        try:
            info = codecs.lookup(name)
        except LookupError:
            continue
        if getattr(info, "_is_text_encoding", True):
            text_codecs.add(info.name)
    scanned = {codecs.lookup(e).name for e in codepages.ENCODINGS}
    assert text_codecs - {"mbcs", "oem", "cp65001"} <= scanned | codepages.NOT_SCANNED
    assert not scanned & codepages.NOT_SCANNED


def test_invisible_characters_are_the_ones_matching_drops():
    from mediadigest.matching import matchable

    dropped = {c for c in map(chr, range(0x80, 0x3000)) if matchable(f"a{c}b") == " ab"}
    dropped |= {c for c in "\ufeff" if matchable(f"a{c}b") == " ab"}
    assert dropped == set(escapes.INVISIBLE)
