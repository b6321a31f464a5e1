"""Offline ingest: HTML (plain and gzipped), text, JSONL, folders, and every bad input's message.

Fixtures in tests/fixtures/files/ and what iter_paths yields for each (sorted walk order):

    cp1251.txt            Document, text/plain; title "Казахстан увеличит экспорт пшеницы в Китай";
                          hints["warning"] == "not UTF-8; decoded as cp1251"
    empty.txt             InputError "empty file"
    export.jsonl          line 1: Document text/plain (Kazakhstan drought aid, all hints)
                          line 2: Document text/html (Aktau dock strike)
                          line 3: Document text/plain (Peru coffee, not relevant)
                          line 4: FormatError "<path>:4: not JSON (Expecting value at column 1)"
                          line 5: InputError  "<path>:5: missing 'url'"
    notes.txt             Document text/plain; title "Kazakhstan to raise minimum wage in 2026"
    unknown.pdf           FormatError "unknown file type '.pdf' (expected .html, .htm, .txt, .jsonl,
                          or .gz of those)"
    pages/chile-wine.html              Document text/html (not about Kazakhstan)
    pages/kazakhstan-archive.html.gz   Document text/html, body decompressed (Kazakhstan)
    pages/kazakhstan-rail.html         Document text/html (Kazakhstan)
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest

from mediadigest.analyse import analyse
from mediadigest.collect import files as files_module
from mediadigest.collect.files import iter_file, iter_paths, jsonl_ranges
from mediadigest.errors import FormatError, InputError
from mediadigest.model import Document
from mediadigest.profile import load_profile

FILES = Path(__file__).parent / "fixtures" / "files"


def only(path: Path) -> Document | InputError:
    results = list(iter_paths([path]))
    assert len(results) == 1
    return results[0]


# --- HTML ------------------------------------------------------------------------------------


def test_html_file_becomes_a_document_with_a_file_url_and_raw_bytes():
    path = FILES / "pages" / "kazakhstan-rail.html"
    doc = only(path)
    assert isinstance(doc, Document)
    assert doc.url == path.resolve().as_uri()
    assert doc.content_type == "text/html"
    assert doc.body == path.read_bytes()
    assert doc.hints == {"source": str(path)}


def test_gzipped_html_is_decompressed():
    doc = only(FILES / "pages" / "kazakhstan-archive.html.gz")
    assert isinstance(doc, Document)
    assert doc.content_type == "text/html"
    assert doc.body.startswith(b"<!DOCTYPE html>")
    assert b"Kazakhstan's parliament passes law on mountain tourism" in doc.body


def test_htm_extension_is_html_whatever_its_case(tmp_path):
    path = tmp_path / "PAGE.HTM"
    path.write_bytes(b"<html><body><p>Hello</p></body></html>")
    assert only(path).content_type == "text/html"


def test_corrupt_gzip_is_a_format_error(tmp_path):
    path = tmp_path / "broken.html.gz"
    path.write_bytes(gzip.compress(b"<html>" * 100)[:30])
    err = only(path)
    assert isinstance(err, FormatError)
    assert err.reason.startswith("not gzip")


def test_gz_file_not_gzip_at_all_is_a_format_error(tmp_path):
    path = tmp_path / "plain.html.gz"
    path.write_bytes(b"<html>not compressed</html>")
    assert isinstance(only(path), FormatError)


# --- text ------------------------------------------------------------------------------------


def test_text_file_first_line_is_the_title_and_the_rest_the_body():
    doc = only(FILES / "notes.txt")
    assert isinstance(doc, Document)
    assert doc.content_type == "text/plain; charset=utf-8"
    assert doc.hints["title"] == "Kazakhstan to raise minimum wage in 2026"
    assert doc.body.decode("utf-8").startswith("The government of Kazakhstan said on Friday")
    assert "warning" not in doc.hints


def test_text_title_is_the_first_non_empty_line(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("\n\n  Title here  \nBody line.\n", encoding="utf-8")
    doc = only(path)
    assert doc.hints["title"] == "Title here"
    assert doc.body == b"Body line."


def test_cp1251_text_is_decoded_with_a_warning():
    doc = only(FILES / "cp1251.txt")
    assert isinstance(doc, Document)
    assert doc.hints["warning"] == "not UTF-8; decoded as cp1251"
    assert doc.hints["title"] == "Казахстан увеличит экспорт пшеницы в Китай"
    assert "Министерство сельского хозяйства Казахстана" in doc.body.decode("utf-8")


@pytest.mark.parametrize(
    "text",
    [
        "Kazakhstan café exports\n\nKazakhstan’s cafés exported crème brûlée to Astana.",
        "Kazakhstan\n\nLe président est arrivé mardi à Paris pour parler d’énergie.",
    ],
)
def test_short_western_text_not_in_utf8_is_read_as_windows_1252(tmp_path, text):
    # charset_normalizer scores cp1250 the same and, by name, put it first: "crčme", "ŕ Paris".
    path = tmp_path / "note.txt"
    path.write_bytes(text.encode("cp1252"))
    doc = only(path)
    assert doc.hints["warning"] == "not UTF-8; decoded as cp1252"
    assert doc.body.decode() == text.split("\n\n")[1]


def test_utf8_bom_is_not_part_of_the_title(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes("Заголовок\nТекст.".encode("utf-8-sig"))
    assert only(path).hints["title"] == "Заголовок"


def test_gzipped_text_is_read(tmp_path):
    path = tmp_path / "notes.txt.gz"
    path.write_bytes(gzip.compress(b"Title\nBody."))
    doc = only(path)
    assert doc.hints["title"] == "Title"
    assert doc.body == b"Body."


# --- JSONL -----------------------------------------------------------------------------------


def jsonl_results() -> list[Document | InputError]:
    return list(iter_paths([FILES / "export.jsonl"]))


def test_jsonl_yields_one_result_per_non_blank_line():
    kinds = [type(r) for r in jsonl_results()]
    assert kinds == [Document, Document, Document, FormatError, InputError]


def test_jsonl_text_line_is_a_plain_text_document_with_hints():
    doc = jsonl_results()[0]
    assert doc.url == "https://archive.example/steppe-wire/2025/12/19/kazakhstan-drought-aid"
    assert doc.content_type == "text/plain; charset=utf-8"
    assert doc.body.decode().startswith("Kazakhstan's agriculture ministry will send fodder")
    assert doc.hints == {
        "source": str(FILES / "export.jsonl"),
        "title": "Kazakhstan sends drought aid to western farms",
        "published": "2025-12-19T10:00:00+00:00",
        "outlet": "Steppe Wire",
        "author": "Aigerim Nurlanova",
        "whole_text": "yes",  # the article as given, not a lead
    }


def test_jsonl_html_line_is_an_html_document():
    doc = jsonl_results()[1]
    assert doc.content_type == "text/html; charset=utf-8"
    assert doc.body.startswith(b"<html><head><title>Dock workers in Aktau end strike")
    assert "author" not in doc.hints


def test_jsonl_line_that_is_not_json_names_file_and_line():
    err = jsonl_results()[3]
    assert err.source == f"{FILES / 'export.jsonl'}:4"
    assert err.reason == "not JSON (Expecting value at column 1)"


def test_jsonl_object_without_url_names_the_missing_key():
    err = jsonl_results()[4]
    assert err.source == f"{FILES / 'export.jsonl'}:5"
    assert err.reason == "missing 'url'"


def test_jsonl_object_without_text_or_html_names_the_missing_keys(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"url": "https://x.example/a", "title": "T"}) + "\n")
    err = only(path)
    assert isinstance(err, InputError)
    assert str(err) == f"{path}:1: missing 'text' or 'html'"


def test_jsonl_line_that_is_not_an_object_is_a_format_error(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text('["https://x.example/a"]\n')
    err = only(path)
    assert isinstance(err, FormatError)
    assert err.reason == "not a JSON object (a list)"


def test_jsonl_line_with_bad_utf8_spoils_only_that_line(tmp_path):
    good = json.dumps({"url": "https://x.example/a", "text": "ok"}).encode()
    path = tmp_path / "a.jsonl"
    path.write_bytes(good + b"\n" + b'{"url": "\xff"}\n' + good + b"\n")
    kinds = [type(r) for r in iter_paths([path])]
    assert kinds == [Document, FormatError, Document]


def test_jsonl_blank_lines_are_skipped_but_counted(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_text('\n\n{"title": "no url", "text": "x"}\n')
    assert only(path).source == f"{path}:3"


def test_jsonl_is_streamed_not_read_whole(tmp_path):
    path = tmp_path / "big.jsonl"
    line = json.dumps({"url": "https://x.example/a", "text": "x"}) + "\n"
    path.write_text(line * 3)
    results = iter_paths([path])
    first = next(results)
    # Growing the file after the first line is read shows lines are read lazily.
    with path.open("a") as f:
        f.write(line)
    assert isinstance(first, Document)
    assert len(list(results)) == 3


def test_gzipped_jsonl_is_read(tmp_path):
    path = tmp_path / "export.jsonl.gz"
    path.write_bytes(gzip.compress((FILES / "export.jsonl").read_bytes()))
    assert [type(r) for r in iter_paths([path])] == [
        Document,
        Document,
        Document,
        FormatError,
        InputError,
    ]


# --- bad inputs ------------------------------------------------------------------------------


def test_unknown_extension_is_a_format_error_listing_the_known_ones():
    err = only(FILES / "unknown.pdf")
    assert isinstance(err, FormatError)
    assert err.reason == (
        "unknown file type '.pdf' (expected .html, .htm, .txt, .jsonl, .warc, or .gz of those)"
    )


def test_unknown_gzipped_extension_names_both_suffixes(tmp_path):
    path = tmp_path / "data.csv.gz"
    path.write_bytes(gzip.compress(b"a,b"))
    assert "'.csv.gz'" in only(path).reason


def test_empty_file_is_an_input_error():
    err = only(FILES / "empty.txt")
    assert type(err) is InputError
    assert err.source == str(FILES / "empty.txt")
    assert err.reason == "empty file"


def test_whitespace_only_file_is_empty(tmp_path):
    path = tmp_path / "blank.html"
    path.write_text("  \n\n ")
    assert only(path).reason == "empty file"


def test_missing_path_is_an_input_error(tmp_path):
    err = only(tmp_path / "nope.html")
    assert type(err) is InputError
    assert err.reason == "no such file or directory"


def test_undecodable_text_file_is_a_format_error(tmp_path):
    path = tmp_path / "noise.txt"
    path.write_bytes(bytes(range(256)) * 4)
    result = only(path)
    # charset_normalizer may still find a single-byte reading; either way nothing escapes.
    assert isinstance(result, Document | FormatError)


# --- folders ---------------------------------------------------------------------------------


def test_folder_is_walked_recursively_in_sorted_order():
    results = list(iter_paths([FILES]))
    sources = [r.hints["source"] if isinstance(r, Document) else r.source for r in results]
    names = [Path(s).name.split(":")[0] for s in sources]  # JSONL errors name "file:line"
    assert names == [
        "cp1251.txt",
        "empty.txt",
        "export.jsonl",
        "export.jsonl",
        "export.jsonl",
        "export.jsonl",
        "export.jsonl",
        "notes.txt",
        "unknown.pdf",
        "chile-wine.html",
        "kazakhstan-archive.html.gz",
        "kazakhstan-rail.html",
    ]


def test_folder_walk_counts_documents_and_errors():
    results = list(iter_paths([FILES]))
    assert sum(isinstance(r, Document) for r in results) == 8
    assert sum(isinstance(r, InputError) for r in results) == 4


def test_hidden_files_in_a_folder_are_skipped(tmp_path):
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x01")
    (tmp_path / "a.txt").write_text("Title\nBody")
    assert [type(r) for r in iter_paths([tmp_path])] == [Document]


def test_several_paths_are_read_in_the_order_given(tmp_path):
    results = list(iter_paths([FILES / "notes.txt", tmp_path / "missing.txt", FILES / "empty.txt"]))
    assert [type(r) for r in results] == [Document, InputError, InputError]


@pytest.mark.parametrize("name", ["notes.txt", "pages/kazakhstan-rail.html"])
def test_string_paths_are_accepted(name):
    assert isinstance(only(str(FILES / name)), Document)


# --- JSONL as other tools write it: a BOM, fields of the wrong type, cut-off lines ------------


def record(**fields: object) -> str:
    return json.dumps({"url": "https://x.example/a", "text": "Kazakhstan.", **fields})


def write_lines(tmp_path: Path, *lines: str, bom: bool = False) -> Path:
    path = tmp_path / "a.jsonl"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + "".join(f"{x}\n" for x in lines).encode())
    return path


def test_jsonl_starting_with_a_utf8_bom_keeps_its_first_record(tmp_path):
    # Notepad and PowerShell write one; it cost the first record ("Unexpected UTF-8 BOM").
    path = write_lines(tmp_path, record(title="First"), record(title="Second"), bom=True)
    assert [r.hints["title"] for r in iter_paths([path])] == ["First", "Second"]


def test_a_workers_range_from_the_files_start_skips_the_bom_too(tmp_path):
    path = write_lines(tmp_path, *(record(title=f"T{n}") for n in range(40)), bom=True)
    ranges = jsonl_ranges(path, 300)
    assert len(ranges) > 2 and ranges[0][0] == 0
    titles = [
        d.hints["title"] for start, end, line in ranges for d in iter_file(path, start, end, line)
    ]
    assert titles == [f"T{n}" for n in range(40)]


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"text": 12345}, "'text' is a number (12345), not text"),
        ({"text": None, "html": ["<p>x</p>"]}, """'html' is a list (["<p>x</p>"]), not text"""),
        ({"url": "not a url"}, "'url' 'not a url' is not an absolute http(s) address"),
        (
            {"url": "www.example.com/a"},
            "'url' 'www.example.com/a' is not an absolute http(s) address",
        ),
        ({"url": "/news/a.html"}, "'url' '/news/a.html' is not an absolute http(s) address"),
        ({"url": "javascript:alert(1)"}, "'url' 'javascript:alert(1)' is not an absolute http(s)"),
        ({"url": "file:notes/a.html"}, "'url' 'file:notes/a.html' is not an absolute http(s)"),
        ({"url": 7}, "'url' is a number (7), not an address"),
        ({"url": ""}, "missing 'url'"),
        ({"url": "  "}, "missing 'url'"),
    ],
)
def test_jsonl_record_with_a_wrong_url_or_body_says_what_is_wrong(tmp_path, fields, reason):
    path = write_lines(tmp_path, record(**fields))
    err = only(path)
    assert isinstance(err, InputError) and err.source == f"{path}:1"
    assert err.reason.startswith(reason)


@pytest.mark.parametrize(
    "url", ["http://x.example/a", "HTTPS://X.example/a?q=1", "file:///home/ed/saved/page.html"]
)
def test_jsonl_accepts_web_and_file_addresses(tmp_path, url):
    # file:// is what ingest gives pages read from disk; an export of them carries it.
    assert only(write_lines(tmp_path, record(url=url))).url == url


def test_jsonl_text_present_beside_a_usable_html_is_no_error(tmp_path):
    doc = only(write_lines(tmp_path, record(text=None, html="<p>Kazakhstan.</p>")))
    assert doc.content_type == "text/html; charset=utf-8"


@pytest.mark.parametrize(
    ("authors", "stored"),
    [
        (["Aigerim Nurlanova", "Marat Ali"], "Aigerim Nurlanova and Marat Ali"),
        (["A. One", "B. Two", "C. Three"], "A. One, B. Two and C. Three"),
        (["Aigerim Nurlanova"], "Aigerim Nurlanova"),
        (["Aigerim  Nurlanova ", ""], "Aigerim Nurlanova"),
    ],
)
def test_jsonl_list_of_authors_is_the_byline_naming_them_all(tmp_path, authors, stored):
    doc = only(write_lines(tmp_path, record(author=authors)))
    assert doc.hints["author"] == stored  # was the literal text '["A", "B"]'
    assert "warning" not in doc.hints


def test_jsonl_metadata_of_the_wrong_type_is_dropped_with_a_warning_naming_line_and_field(
    tmp_path,
):
    path = write_lines(
        tmp_path, record(), record(outlet=7, author={"name": "A"}, title="Kept", lang=["en"])
    )
    first, doc = iter_paths([path])
    assert "warning" not in first.hints
    assert doc.hints["title"] == "Kept"
    assert not {"outlet", "author", "lang"} & set(doc.hints)
    assert doc.hints["warning"] == (
        "line 2: 'outlet' is a number (7), not text; ignored; "
        """'author' is an object ({"name": "A"}), not text or a list of names; ignored; """
        """'lang' is a list (["en"]), not text; ignored"""
    )


def test_jsonl_published_that_is_not_a_date_is_stored_as_a_missing_date_with_a_warning(tmp_path):
    doc = only(write_lines(tmp_path, record(published="last Friday")))
    assert "published" not in doc.hints  # as for a record without one: no date of its own
    assert doc.hints["warning"] == (
        "line 1: 'published' 'last Friday' is not a date (ISO 8601 or RFC 2822); "
        "stored without a publication date"
    )


@pytest.mark.parametrize(
    "published", ["2025-12-19", "2025-12-19T10:00:00Z", "Fri, 19 Dec 2025 10:00:00 +0000"]
)
def test_jsonl_published_dates_are_kept_as_given(tmp_path, published):
    doc = only(write_lines(tmp_path, record(published=published)))
    assert doc.hints["published"] == published and "warning" not in doc.hints


def test_a_cut_off_jsonl_line_says_so_once(tmp_path):
    path = write_lines(tmp_path, '{"url": "https://x.example/a", "text": "Kazakhstan signs')
    reason = only(path).reason
    assert reason == (
        "not JSON (Unterminated string starting at column 40; the line ends before the record "
        "does: cut off?)"
    )  # was "Invalid control character at at column 56"
    assert " at at " not in reason


# --- hostile files: controls, surrogates, deep nesting, bombs, endless lines --------------------


def test_a_nul_or_control_in_a_text_file_is_left_out_of_its_title_and_body(tmp_path):
    """A NUL in a .txt title reached the store and made the digest's Atom feed ill-formed."""
    path = tmp_path / "nul.txt"
    path.write_bytes(b"Kazakh\x00stan\x1b wind farm\n\nThe\x00 ministry\x0c said so.\tYes.\n")
    doc = only(path)
    assert doc.hints["title"] == "Kazakhstan wind farm"
    assert doc.body == b"The ministry said so.\tYes."


def test_jsonl_nul_and_lone_surrogates_are_left_out_and_the_record_kept(tmp_path):
    """A "\\udfff" in a text failed the encode: UnicodeEncodeError aborted the whole ingest."""
    line = record(url="https://x.example/a", title="Kazakh\u0000stan", text="Wind\udfff farm",
                  author=["A.\u0001 B"])  # fmt: skip
    (doc,) = iter_file(write_lines(tmp_path, line))
    assert doc.hints["title"] == "Kazakhstan" and doc.hints["author"] == "A. B"
    assert doc.body == "Wind\ufffd farm".encode()


def test_jsonl_url_with_a_nul_is_refused_for_its_line(tmp_path):
    line = record(url="https://x.example/a\u0000b", text="Wind farm")
    (error,) = iter_file(write_lines(tmp_path, line))
    assert isinstance(error, InputError) and "control character" in error.reason


def test_a_jsonl_line_nested_too_deeply_spoils_only_that_line(tmp_path):
    """json recurses once a level: a RecursionError aborted the whole ingest."""
    path = write_lines(tmp_path, "[" * 100_000, record(url="https://x.example/a", text="Wind"))
    error, doc = iter_file(path)
    assert str(error) == f"{path}:1: not JSON (nested too deeply)"
    assert isinstance(doc, Document)


def test_a_gzipped_file_that_inflates_beyond_the_limit_is_not_read(tmp_path, monkeypatch):
    """A 4 MB .html.gz that inflates to 4 GiB ran out of memory."""
    monkeypatch.setattr(files_module, "MAX_INFLATED", 100_000)
    path = tmp_path / "bomb.html.gz"
    path.write_bytes(gzip.compress(b"<p>" + b" " * 200_000))
    (error,) = iter_file(path)
    assert isinstance(error, FormatError)
    assert error.reason == "inflates beyond 100,000 bytes; not read"
    small = tmp_path / "small.html.gz"
    small.write_bytes(gzip.compress(b"<p>Kazakhstan</p>"))
    assert isinstance(only(small), Document)


@pytest.mark.parametrize("gzipped", [False, True])
def test_a_jsonl_line_over_the_limit_is_skipped_and_the_next_lines_read(
    tmp_path, monkeypatch, gzipped
):
    monkeypatch.setattr(files_module, "MAX_LINE", 1000)
    long = record(url="https://x.example/long", text="x" * 5000)
    path = write_lines(tmp_path, record(url="https://x.example/a", text="A"), long,
                       record(url="https://x.example/b", text="B"))  # fmt: skip
    if gzipped:
        path = path.rename(path.with_name("x.jsonl.gz"))
        path.write_bytes(gzip.compress(path.read_bytes()))
    first, error, last = iter_file(path)
    assert str(error) == f"{path}:2: line over 1,000 bytes; skipped"
    assert (first.url, last.url) == ("https://x.example/a", "https://x.example/b")


def test_a_file_name_that_is_not_utf8_is_stored_with_its_bytes_written_out(tmp_path):
    """The surrogate Python reads such a name with failed the store's encode."""
    path = Path(os.fsdecode(bytes(tmp_path) + b"/bad\xffname.txt"))
    path.write_text("Kazakhstan wind farm\n\nThe ministry said so.\n")
    doc = only(path)
    doc.hints["source"].encode("utf-8")
    assert doc.hints["source"].endswith("bad\\xffname.txt")


def test_jsonl_text_repeating_its_title_is_judged_as_the_text_without_it(tmp_path):
    # A .txt file's first line is its title and leaves the body; a JSONL record's text may
    # repeat the title: the headline must not count twice ("Kazakh wrestler wins gold"
    # went from 1.2, not relevant, to 2.0, relevant).
    body = "The wrestler won the final on Sunday in a close match against his rival from Iran."
    title = "Kazakh wrestler wins gold"
    records = [
        {"url": "https://example.com/a1", "title": title, "text": f"{title}\n\n{body}"},
        {"url": "https://example.com/a2", "title": title, "text": body},
    ]
    path = tmp_path / "k.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    profile = load_profile("kazakhstan")
    repeated, plain = (analyse(doc, profile)[0] for doc in files_module.iter_paths([path]))
    assert repeated.relevance.score == plain.relevance.score
    assert not repeated.relevance.relevant
