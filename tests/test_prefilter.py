"""The archive prefilter: cheap byte scan before parsing; it never rules out what analyse keeps."""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mediadigest.analyse import analyse
from mediadigest.collect import files, prefilter
from mediadigest.errors import InputError
from mediadigest.model import Document
from mediadigest.profile import load_profile, matchable
from warc_files import FIXTURES, filler_page, fixture_pages

BACKENDS = list(prefilter.BACKENDS)


@pytest.fixture(scope="module")
def profile():
    return load_profile("kazakhstan")


@pytest.fixture(scope="module", params=BACKENDS)
def scan(request, profile):
    return prefilter.for_profile(profile, request.param)


def _documents() -> list[Document]:
    """Every fixture document the project has: site pages, files, JSONL lines, WARC pages."""
    docs = [d for d in files.iter_paths([FIXTURES / "files"]) if isinstance(d, Document)]
    now = datetime.now(UTC)
    docs += [Document(p.url, p.body, now, p.content_type) for p in fixture_pages()]
    for feed in sorted((FIXTURES / "site" / "feeds").glob("*.xml")):
        docs.append(
            Document(f"https://example.org/{feed.name}", feed.read_bytes(), now, "text/xml")
        )
    return docs


def _text(doc: Document) -> str:
    charset = (doc.content_type or "").partition("charset=")[2] or "utf-8"
    return doc.body.decode(charset, errors="ignore")


def _relevant(doc: Document, profile) -> bool:
    try:
        return any(a.relevance.relevant for a in analyse(doc, profile))
    except InputError:  # nothing to read (the feeds, as pages): analyse keeps nothing
        return False


def test_every_fixture_analyse_keeps_passes_the_prefilter(scan, profile):
    kept = [d for d in _documents() if _relevant(d, profile)]
    assert len(kept) >= 8
    missed = [d.url for d in kept if not scan.maybe(d.body)]
    assert not missed


def test_relevant_fixtures_pass_in_every_legacy_encoding_of_their_script(scan, profile):
    checked = 0
    for doc in _documents():
        if not _relevant(doc, profile) or not doc.content_type.startswith("text/html"):
            continue
        text = _text(doc)
        for encoding in ("cp1251", "koi8-r", "iso-8859-5", "cp1252", "utf-16"):
            try:
                raw = text.encode(encoding)
            except UnicodeEncodeError:
                continue
            assert scan.maybe(raw), (doc.url, encoding)
            checked += 1
    assert checked >= 30  # 34 pages and encodings now: none checked would pass too


def test_relevant_fixtures_pass_with_every_letter_as_a_character_reference(scan, profile):
    checked = 0
    for doc in _documents():
        if _relevant(doc, profile) and doc.content_type.startswith("text/html"):
            escaped = _text(doc).encode("ascii", errors="xmlcharrefreplace")
            assert scan.maybe(escaped), doc.url
            checked += 1
    assert checked >= 8  # 9 pages now


def test_filler_pages_are_ruled_out(scan):
    assert not any(scan.maybe(filler_page(i).body) for i in range(50))


@pytest.mark.parametrize(
    "raw",
    [
        b"<p>KAZAKHSTAN signs</p>",
        "<p>Визит в Казахстан</p>".encode("koi8-r"),
        "<p>ВИЗИТ В КАЗАХСТАН</p>".encode("cp1251"),
        "<p>Визит в Казахстан</p>".encode("utf-16"),
        html.escape("Визит в Казахстан").encode("ascii", "xmlcharrefreplace"),
        b"<p>Kazajist&aacute;n firma</p>",
        json.dumps({"headline": "Визит в Казахстан"}).encode(),
        "<p>KAZAKİSTAN ile anlaşma</p>".encode("cp1254"),
        "<p>وقعت كازاخستان اتفاقا</p>".encode("cp1256"),
        "<p>哈萨克斯坦总统</p>".encode("gb18030"),
        "<p>カザフスタン大統領</p>".encode("shift_jis"),
        "<p>Визит в Казахстан</p>".encode(),
    ],
    ids=["upper", "koi8r", "cp1251-upper", "utf16", "ncr", "named-entity", "json", "turkish",
         "arabic-kaf", "gb18030", "shift-jis", "utf8"],
)  # fmt: skip
def test_country_name_in_any_common_form_passes(scan, raw):
    assert scan.maybe(raw)


def test_short_alias_inside_a_longer_token_is_ruled_out(scan):
    assert scan.maybe(b"<p>Shares of KTZ rose</p>")
    assert not scan.maybe(b"<script>var a='xKtzQ9';</script>")


def test_multi_word_alias_needs_its_words_in_order(scan):
    assert scan.maybe(b"<p>flights to Alma-Ata resumed</p>")
    assert scan.maybe(b"<p>flights to Alma&nbsp;<b>Ata</b> resumed</p>")
    assert not scan.maybe(b"<p>my alma mater taught data science</p>")


def test_backends_agree_on_every_fixture(profile):
    scans = [prefilter.for_profile(profile, b) for b in BACKENDS]
    for doc in _documents():
        assert len({s.maybe(doc.body) for s in scans}) == 1, doc.url


def test_why_names_the_word_that_let_a_record_through(profile):
    scan = prefilter.for_profile(profile)
    assert scan.why(b"<h1>Tokayev visits Paris</h1>") == "tokayev"
    assert scan.why(b"<h1>nothing</h1>") is None


def test_prefilter_is_compiled_once_per_process(profile):
    assert prefilter.for_profile(profile) is prefilter.for_profile(load_profile("kazakhstan"))


def test_exclusions_and_peers_add_no_patterns(profile):
    words = {w.text for w in prefilter.alias_words(profile)}
    assert "uzbekistan" not in words  # a peer: it never makes an article relevant


def test_no_file_fixture_is_missed_in_the_site_folder(scan, profile):
    # Pages written for the collector tests too: any relevant one must pass.
    checked = 0
    for path in sorted((FIXTURES / "site" / "pages").rglob("*.html")):
        doc = Document(f"https://x.example/{path.name}", path.read_bytes(),
                       datetime.now(UTC), "text/html")  # fmt: skip
        if _relevant(doc, profile):
            assert scan.maybe(doc.body), Path(path).name
            checked += 1
    assert checked >= 3  # of 5 pages now


def test_exact_alias_inside_a_longer_word_is_ruled_out(scan):
    # "Семей" (the city Semey) is an exact alias; "семейный" (family) is an ordinary word.
    for encoding in ("utf-8", "cp1251", "koi8-r"):
        assert scan.maybe("<p>в городе Семей прошёл</p>".encode(encoding)), encoding
        assert not scan.maybe("<p>рецепт семейного ужина</p>".encode(encoding)), encoding
    assert not scan.maybe(b"<p>Kazakov scored twice</p>")
    assert scan.maybe(b"<p>Kazak'in ihracati</p>")


@pytest.mark.parametrize("after", [" ", ".", "-", "'", "\u00a0", "\u00ad", "\u0301", "»", "н",
                                   "x", "7", "é", "\u2014", "&nbsp;", "<b>"])  # fmt: skip
def test_exact_alias_passes_whenever_relevance_would_match_it(scan, profile, after):
    """Whatever follows an exact alias, the prefilter lets through what the matcher finds."""
    checked = 0
    for alias in ("Семей", "семей", "Kazak", "KTZ"):
        text = f"<p>жители {alias}{after} сказали</p>"
        found = any(t.alias == alias.capitalize() or t.alias == alias.upper() or
                    t.key.strip() == alias.lower()
                    for _, _, t in profile.scan(matchable(html.unescape(text))))  # fmt: skip
        for encoding in ("utf-8", "cp1251", "koi8-r", "cp1252"):
            try:
                raw = text.encode(encoding)
            except UnicodeEncodeError:
                continue
            if found:
                assert scan.maybe(raw), (alias, after, encoding)
                checked += 1
    # A letter or digit running on makes another word: the matcher finds no alias, and there
    # is nothing for the prefilter to let through. Anything else must have been checked.
    assert (checked == 0) == (after in ("н", "x", "7", "é")), checked


def test_each_byte_form_names_the_encodings_that_write_it():
    latin = prefilter.pattern_encodings("Astana")
    assert latin[b"astana"] == frozenset(prefilter.ENCODINGS)  # ASCII reads the same in all
    cyrillic = prefilter.pattern_encodings("Астана")
    assert "cp1251" in cyrillic["Астана".encode("cp1251")]
    assert "koi8-r" in cyrillic["Астана".encode("koi8-r")]
    assert "cp1252" not in cyrillic["Астана".encode("cp1251")]
    assert cyrillic["Астана".encode()] == {"utf-8"}
    escaped = "".join(f"\\u{ord(c):04x}" for c in "Астана").encode()
    assert {"utf-8", "cp1251", "cp1252", "kz1048"} <= cyrillic[escaped]  # JSON: ASCII bytes


# -- the compiled form kept in the cache folder --------------------------------------------------


def _fresh_prefilter(profile, backend=None):
    return prefilter.Prefilter(prefilter.alias_words(profile), backend)


def test_a_stored_prefilter_scans_exactly_as_a_compiled_one(tmp_path, monkeypatch, profile):
    monkeypatch.setenv("MEDIADIGEST_CACHE", "off")
    compiled_here = _fresh_prefilter(profile)
    monkeypatch.setenv("MEDIADIGEST_CACHE", str(tmp_path))
    first = _fresh_prefilter(profile)  # compiles and stores
    (stored,) = tmp_path.glob("prefilter-*.bin")
    again = _fresh_prefilter(profile)  # reads what was stored
    for one in (first, again):
        assert (one.patterns, one._owner, one._encodings, one.backend) == (
            compiled_here.patterns, compiled_here._owner, compiled_here._encodings,
            compiled_here.backend)  # fmt: skip
    for doc in _documents():
        assert again.why(doc.body) == compiled_here.why(doc.body), doc.url
    assert list(tmp_path.glob("prefilter-*.bin")) == [stored]


def test_a_damaged_stored_prefilter_is_compiled_again(tmp_path, monkeypatch, profile, caplog):
    monkeypatch.setenv("MEDIADIGEST_CACHE", str(tmp_path))
    reference = _fresh_prefilter(profile)
    (stored,) = tmp_path.glob("prefilter-*.bin")
    stored.write_bytes(stored.read_bytes()[:5000])  # cut short: the JSON part is broken
    again = _fresh_prefilter(profile)
    assert "unusable" in caplog.text
    assert again.patterns == reference.patterns
    assert again.why("Астана".encode()) == reference.why("Астана".encode()) == "астан"
    assert stored.stat().st_size > 5000  # stored again, whole


def test_other_words_get_their_own_stored_prefilter(tmp_path, monkeypatch, profile):
    monkeypatch.setenv("MEDIADIGEST_CACHE", str(tmp_path))
    _fresh_prefilter(profile)
    other = prefilter.Prefilter([prefilter.Word("tashkent")], "pyahocorasick")
    assert len(list(tmp_path.glob("prefilter-*.bin"))) == 2
    assert other.maybe(b"in Tashkent today") and not other.maybe(b"in Astana today")


def test_a_stored_hyperscan_database_that_will_not_load_is_compiled_again(
    tmp_path, monkeypatch, profile
):
    pytest.importorskip("hyperscan")
    monkeypatch.setenv("MEDIADIGEST_CACHE", str(tmp_path))
    reference = _fresh_prefilter(profile, "hyperscan")
    (stored,) = tmp_path.glob("prefilter-*.bin")
    raw = stored.read_bytes()
    stored.write_bytes(raw[:-1000] + b"\0" * 1000)  # the patterns intact, the database not
    again = _fresh_prefilter(profile, "hyperscan")
    for doc in _documents():
        assert again.why(doc.body) == reference.why(doc.body), doc.url


def test_one_prefilter_scans_in_several_threads_at_once(profile):
    """A Dask worker runs tasks in several threads over the one prefilter of its process:
    Hyperscan's scratch, shared, raised ScratchInUseError. Pages with marks (a reference)
    scan again inside the scan, in each thread."""
    from concurrent.futures import ThreadPoolExecutor

    scan = prefilter.for_profile(profile)
    pages = [
        b"<p>" + b"filler text " * 2000 + b"Kazakhstan</p>",
        b"<p>"
        + b"filler text " * 2000
        + b"&#1050;\xd0\xb0\xd0\xb7\xd0\xb0\xd1\x85\xd1\x81\xd1\x82\xd0\xb0\xd0\xbd</p>",
        b"<p>" + b"nothing here &#8217; " * 2000 + b"</p>",
    ] * 40
    expected = [scan.maybe(page) for page in pages]
    assert expected[:3] == [True, True, False]
    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(scan.maybe, pages)) == expected


@pytest.mark.parametrize(
    ("text", "encoding"),
    [("flights to Alma–Ata resumed", "gb18030"), ("flights to Alma—Ata resumed", "big5"),
     ("flights to Alma‐Ata resumed", "shift_jis"), ("Qozog‘iston bilan", "shift_jis")],
)  # fmt: skip
def test_a_multi_word_alias_passes_with_a_mark_of_a_cjk_encoding_between_its_words(
    scan, profile, text, encoding
):
    """A dash or a quote in GB18030, Big5 or Shift_JIS may end in a letter or digit byte (81 36
    a5 33, a1 56, 81 65): the check of the alias's other words took it for a letter."""
    assert any(t.kind in ("place", "country") for _, _, t in profile.scan(matchable(text)))
    assert scan.maybe(f"<p>{text}</p>".encode(encoding))
