"""Renderers: e-mail HTML, Atom, DOCX, JSON round trip, files written whole."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, date, datetime
from pathlib import Path
from xml.etree import ElementTree as ET

import docx
import pytest

from mediadigest.errors import MediadigestError
from mediadigest.model import Digest, DigestItem, Quote
from mediadigest.write.render import (
    Format,
    from_dict,
    render,
    to_atom,
    to_dict,
    to_json,
    write_file,
)

ATOM = "{http://www.w3.org/2005/Atom}"


def _digest() -> Digest:
    item = DigestItem(
        headline="Kazakhstan & Japan <sign> a deal",
        outlet="Jiji Press",
        outlet_country="JP",
        published=date(2025, 12, 18),
        author=None,
        summary=["One sentence.", "Two."],
        quote=Quote("We are ready.", "Tokayev", 0, 13),
        attribution="Japan’s Jiji Press reported on Dec. 18.",
        sources=[{"url": "https://jiji.example/a?x=1&y=2", "outlet": "Jiji Press"}],
        evidence=[{"sentence": 0, "article_id": 1, "start": 0, "end": 4}],
        article_id=1,
        story_id=5,
        also="The story was also covered by TASS (Dec. 18).",
        note="Written from the lead only; the full article was not available.",
    )
    return Digest(
        date(2025, 12, 15),
        date(2025, 12, 21),
        "Intro.",
        [item],
        trend="Of 1 story this week, 1 is new and 0 continue from before.",
    )


def test_html_is_email_safe_inline_css_and_no_scripts():
    html = render(_digest(), Format.html)
    assert "<script" not in html and "<style" not in html and "<link" not in html
    assert 'style="' in html and "<table" in html
    assert "Kazakhstan &amp; Japan &lt;sign&gt; a deal" in html
    assert 'href="https://jiji.example/a?x=1&amp;y=2"' in html


def test_html_carries_attribution_quote_also_and_note():
    html = render(_digest(), Format.html)
    for text in (
        "Japan’s Jiji Press reported on Dec. 18.",
        "“We are ready,” Tokayev said.",
        "also covered by TASS",
        "Written from the lead only",
    ):
        assert text in html


def test_atom_feed_has_one_entry_per_published_digest():
    at = datetime(2025, 12, 22, 8, tzinfo=UTC)
    older = Digest(date(2025, 12, 8), date(2025, 12, 14), "Earlier.", [])
    feed = ET.fromstring(to_atom([(_digest(), 2, at), (older, 1, at)], profile="kazakhstan"))
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == [
        "Foreign media digest: Dec. 15–21, 2025",
        "Foreign media digest: Dec. 8–14, 2025",
    ]
    assert entries[0].findtext(f"{ATOM}id").endswith("kazakhstan/2025-12-15/2025-12-21/v1")
    content = entries[0].findtext(f"{ATOM}content")
    assert "Kazakhstan &amp; Japan" in content
    # The body only: a feed reader shows it inside its own page, under the entry's title.
    assert content.startswith("<p") and "<html" not in content and "<title>" not in content
    assert feed.findtext(f"{ATOM}updated") == "2025-12-22T08:00:00Z"


def test_a_new_version_is_the_same_atom_entry_updated_and_says_it_replaces_one():
    """Each version had an id of its own: a correction reached feed readers as a second digest
    of the week, and the first left the feed; RFC 4287 keeps the id and moves ``updated``."""
    first = ET.fromstring(
        to_atom([(_digest(), 1, datetime(2025, 12, 22, 8, tzinfo=UTC))], profile="kazakhstan")
    )
    fixed = ET.fromstring(
        to_atom([(_digest(), 2, datetime(2025, 12, 23, 9, tzinfo=UTC))], profile="kazakhstan")
    )
    (one,), (two,) = first.findall(f"{ATOM}entry"), fixed.findall(f"{ATOM}entry")
    assert one.findtext(f"{ATOM}id") == two.findtext(f"{ATOM}id")
    # The id version 1 had before (readers hold it): a new form showed every period again.
    assert (
        two.findtext(f"{ATOM}id")
        == "tag:mediadigest,2025-12-15:kazakhstan/2025-12-15/2025-12-21/v1"
    )
    assert (one.findtext(f"{ATOM}updated"), two.findtext(f"{ATOM}updated")) == (
        "2025-12-22T08:00:00Z",
        "2025-12-23T09:00:00Z",
    )
    assert "Version 2 of this digest" in two.findtext(f"{ATOM}content")
    assert "Version" not in one.findtext(f"{ATOM}content")


def test_a_digest_rendered_as_atom_is_a_preview_with_an_id_no_published_version_has():
    """``digest --format atom`` gave every period the id of its published version 1, though its
    content was the digest built now (and the period may never have been published)."""
    published = ET.fromstring(
        to_atom([(_digest(), 1, datetime(2025, 12, 22, tzinfo=UTC))], profile="kazakhstan")
    )
    preview = ET.fromstring(render(_digest(), Format.atom))
    (entry,) = preview.findall(f"{ATOM}entry")
    published_id = published.find(f"{ATOM}entry").findtext(f"{ATOM}id")
    assert entry.findtext(f"{ATOM}id").startswith(published_id + "/preview-")
    assert preview.findtext(f"{ATOM}id") != published.findtext(f"{ATOM}id")
    assert entry.findtext(f"{ATOM}title") == (
        "Preview, not published: Foreign media digest: Dec. 15–21, 2025"
    )
    # Its content names it: the same digest, the same id; another digest, another.
    assert render(_digest(), Format.atom) == render(_digest(), Format.atom)
    other = _digest()
    other.items[0].headline = "Another headline"
    assert ET.fromstring(render(other, Format.atom)).find(f"{ATOM}entry").findtext(
        f"{ATOM}id"
    ) != entry.findtext(f"{ATOM}id")


def test_docx_opens_in_word_with_headings_and_the_quote():
    body = render(_digest(), Format.docx)
    assert isinstance(body, bytes)
    doc = docx.Document(io.BytesIO(body))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "Foreign media digest: Dec. 15–21, 2025"
    assert "Kazakhstan & Japan <sign> a deal" in texts
    assert "“We are ready,” Tokayev said." in texts
    # Sources are links Word opens, to the address as given (not escaped twice).
    (sources,) = [p for p in doc.paragraphs if p.text.startswith("Sources:")]
    (link,) = sources._p.xpath(".//w:hyperlink")
    target = doc.part.rels[link.get(docx.oxml.ns.qn("r:id"))].target_ref
    assert (link.xpath("string(.)"), target) == ("Jiji Press", "https://jiji.example/a?x=1&y=2")


def test_docx_of_one_digest_is_the_same_bytes_whenever_it_is_written(monkeypatch):
    """Each part of the zip carried the time of saving: two runs differed in every file."""
    import time

    first = render(_digest(), Format.docx)
    later = time.time() + 3 * 86400
    monkeypatch.setattr(time, "localtime", lambda secs=None: time.gmtime(later))
    assert render(_digest(), Format.docx) == first
    doc = docx.Document(io.BytesIO(first))  # still a document Word opens
    assert doc.paragraphs[0].text == "Foreign media digest: Dec. 15–21, 2025"


def test_docx_links_as_many_sources_as_the_e_mail_and_counts_the_rest():
    digest = _digest()
    digest.items[0].sources = [
        {"url": f"https://o{i}.example/a", "outlet": f"Outlet {i}"} for i in range(9)
    ]
    doc = docx.Document(io.BytesIO(render(digest, Format.docx)))
    (sources,) = [p for p in doc.paragraphs if p.text.startswith("Sources:")]
    assert len(sources._p.xpath(".//w:hyperlink")) == 6
    assert sources.text.endswith("Outlet 4, Outlet 5 and 3 more")


def test_json_round_trips_through_from_dict():
    digest = _digest()
    assert to_dict(from_dict(to_dict(digest))) == to_dict(digest)


def test_write_file_writes_binary_and_text_formats_whole(tmp_path: Path):
    for fmt in Format:
        target = tmp_path / f"digest.{fmt.value}"
        write_file(_digest(), fmt, target)
        assert target.stat().st_size > 0
        assert not target.with_name(target.name + ".tmp").exists()
    assert (tmp_path / "digest.docx").read_bytes()[:2] == b"PK"  # a zip, as .docx is


def test_write_file_makes_the_missing_folders(tmp_path: Path):
    target = tmp_path / "new" / "deeper" / "digest.html"
    assert write_file(_digest(), Format.html, target) == target
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html")
    assert [p.name for p in target.parent.iterdir()] == ["digest.html"]


@pytest.mark.parametrize("existing", [True, False])
def test_write_file_into_a_folder_names_the_file_by_profile_period_and_format(
    tmp_path: Path, existing: bool
):
    # An existing folder, or one named with a trailing slash (folder=True): as `cp FILE DIR/`.
    folder = tmp_path / "digests"
    if existing:
        folder.mkdir()
    written = write_file(_digest(), Format.md, folder, folder=not existing)
    assert written == folder / "digest-kazakhstan-2025-12-15_2025-12-21.md"
    assert written.read_text(encoding="utf-8").startswith("# Foreign media digest")
    assert [p.name for p in folder.iterdir()] == [written.name]  # no stray .tmp


def test_write_file_names_one_day_once_and_keeps_odd_profile_names_in_the_folder(tmp_path):
    digest = _digest()
    digest.period_to, digest.profile = digest.period_from, "../central asia"
    written = write_file(digest, Format.json, tmp_path, folder=True)
    assert written == tmp_path / "digest-central-asia-2025-12-15.json"


def test_write_file_that_cannot_write_says_why_in_one_line_and_leaves_nothing(tmp_path):
    (tmp_path / "notes.txt").write_text("not a folder")
    with pytest.raises(MediadigestError) as info:
        write_file(_digest(), Format.md, tmp_path / "notes.txt" / "digest.md")
    assert str(info.value) == (
        f"{tmp_path / 'notes.txt' / 'digest.md'}: cannot write "
        f"({tmp_path / 'notes.txt'} is a file, not a folder)"
    )
    taken = tmp_path / "digests" / "digest-kazakhstan-2025-12-15_2025-12-21.md"
    taken.mkdir(parents=True)  # the name a folder would get is a folder itself
    with pytest.raises(MediadigestError) as info:
        write_file(_digest(), Format.md, tmp_path / "digests")
    assert str(info.value) == f"{taken}: cannot write (Is a directory)"
    assert [p.name for p in taken.parent.iterdir()] == [taken.name]  # no stray .tmp
    assert sorted(p.name for p in tmp_path.iterdir()) == ["digests", "notes.txt"]


def test_html_links_only_web_addresses_never_javascript():
    digest = _digest()
    digest.items[0].sources = [
        {"url": "javascript:alert(1)", "outlet": "Evil"},
        {"url": "https://example.org/a", "outlet": "Good"},
    ]
    html = render(digest, Format.html)
    assert "javascript:" not in html
    assert "Evil" in html
    assert 'href="https://example.org/a"' in html


def test_markdown_escapes_text_from_the_web_and_links_only_web_addresses():
    digest = _digest()
    item = digest.items[0]
    item.summary = ["A *starred* word, a [link](https://x.example) and <script>x</script>.", "Two."]
    item.sources = [
        {"url": "javascript:alert(1)", "outlet": "Evil"},
        {"url": "https://example.org/a", "outlet": "Good_Site"},
    ]
    md = render(digest, Format.md)
    assert "## Kazakhstan & Japan \\<sign\\> a deal" in md
    assert (
        "A \\*starred\\* word, a \\[link\\](https://x.example) and \\<script\\>x\\</script\\>" in md
    )
    assert "<script>" not in md and "javascript:" not in md
    assert "Sources: Evil, [Good\\_Site](<https://example.org/a>)" in md


def test_an_outlets_second_report_is_numbered_in_every_format():
    digest = _digest()
    digest.items[0].sources = [
        {"url": f"https://{name.lower()}.example/{n}", "outlet": name}
        for n, name in enumerate(["Xinhua", "AP", "Xinhua", "Xinhua"])
    ]
    md = render(digest, Format.md)
    assert "[Xinhua](<https://xinhua.example/0>), [AP](" in md
    assert "[Xinhua (2)](<https://xinhua.example/2>), [Xinhua (3)](" in md
    assert ">Xinhua (3)</a>" in render(digest, Format.html)
    doc = docx.Document(io.BytesIO(render(digest, Format.docx)))
    (sources,) = [p for p in doc.paragraphs if p.text.startswith("Sources:")]
    assert sources.text == "Sources: Xinhua, AP, Xinhua (2), Xinhua (3)"


def _hostile_digest() -> Digest:
    """Text as a .txt file or a feed can store it: a NUL, a form feed, a lone surrogate."""
    digest = _digest()
    digest.intro = "Intro\x00 with\x0c controls\udfff."
    item = digest.items[0]
    item.headline = "Kazakh\x00stan\x1b signs"
    item.summary = ["One\x00 sentence\ud800.", "Two\ufffe."]
    item.sources = [{"url": "https://jiji.example/a\x00", "outlet": "Jiji\x07 Press"}]
    return digest


def test_atom_is_xml_whatever_characters_the_stored_text_holds():
    """A NUL in a .txt title made the digest's (and the published) feed ill-formed XML."""
    feed = ET.fromstring(render(_hostile_digest(), Format.atom).encode("utf-8"))
    (entry,) = feed.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}summary") == "Intro with controls."
    assert "Kazakhstan signs" in entry.findtext(f"{ATOM}content")


def test_docx_is_written_whatever_characters_the_stored_text_holds():
    """lxml refused the NUL: 'All strings must be XML compatible'."""
    doc = docx.Document(io.BytesIO(render(_hostile_digest(), Format.docx)))
    texts = [p.text for p in doc.paragraphs]
    assert "Kazakhstan signs" in texts and "Intro with controls." in texts
    (sources,) = [p for p in doc.paragraphs if p.text.startswith("Sources:")]
    assert sources.text == "Sources: Jiji Press"


def test_html_holds_no_character_html_forbids_and_can_be_written(tmp_path):
    html = render(_hostile_digest(), Format.html)
    assert "Kazakhstan signs" in html and "One sentence." in html
    assert not any(c in html for c in "\x00\x0c\x1b\x07\ud800\udfff\ufffe")
    write_file(_hostile_digest(), Format.html, tmp_path / "d.html")


def _commonmark_text(md: str, heading: str) -> list[str]:
    """The text a CommonMark (and GFM strikethrough) reader shows under ``heading``: the
    heading's, then each paragraph's, markup resolved."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("strikethrough").parse(md)
    inline = [t for t in tokens if t.type == "inline"]
    start = next(i for i, t in enumerate(inline) if t.content.startswith(heading))
    # Any token but text (an entity is text too, decoded) is markup the text did not have.
    assert all(c.type in ("text", "softbreak") for t in inline[start:-1] for c in t.children)
    return ["".join(c.content for c in t.children) for t in inline[start:-1]]


def test_markdown_reads_in_commonmark_as_the_text_it_was_given():
    """ "&amp; … &lt;test&gt;" in a headline showed as "& … <test>"; "~~" struck text out."""
    digest = _digest()
    item = digest.items[0]
    item.headline = "Kazakhstan &amp; China sign AT&T-style pact &lt;test&gt; &#65; ~~not~~ ~"
    item.summary = ["Data &amp; connectivity ~~are~~ the new Silk Road.", "Two &copy; ~x~."]
    md = render(digest, Format.md)
    shown = _commonmark_text(md, "Kazakhstan")
    assert shown[0] == item.headline
    assert shown[1].endswith(" Data &amp; connectivity ~~are~~ the new Silk Road.")
    assert shown[2] == "Two &copy; ~x~."
    assert "AT&T-style" in md  # an "&" that starts no entity reads as it is


def test_a_markdown_link_to_an_address_ending_in_a_backslash_is_still_a_link():
    """ "(<https://…/a\\>)": the backslash escaped the ">" and the link ran on into the text."""
    from markdown_it import MarkdownIt

    digest = _digest()
    digest.items[0].sources = [{"url": "https://example.org/a\\", "outlet": "Odd"}]
    md = render(digest, Format.md)
    assert "Sources: [Odd](<https://example.org/a%5C>)" in md
    html = MarkdownIt("commonmark").render(md)
    assert 'Sources: <a href="https://example.org/a%5C">Odd</a></p>' in html


def _quoted_summary() -> Digest:
    """An item whose second summary paragraph opens with a quote mark: not the key quote."""
    digest = _digest()
    digest.items[0].summary = ["One sentence.", "“A new chapter,” the ministry called it."]
    return digest


def test_html_sets_apart_the_items_quote_not_a_sentence_that_opens_with_a_quote_mark():
    html = render(_quoted_summary(), Format.html)
    italic = re.findall(r'<p style="[^"]*font-style:italic[^"]*">([^<]*)</p>', html)
    assert italic == ["“We are ready,” Tokayev said."]
    assert "“A new chapter,” the ministry called it." in html


def test_docx_sets_in_italics_the_items_quote_not_a_sentence_that_opens_with_a_quote_mark():
    doc = docx.Document(io.BytesIO(render(_quoted_summary(), Format.docx)))
    italic = [p.text for p in doc.paragraphs if any(r.italic for r in p.runs)]
    assert italic == ["Of 1 story this week, 1 is new and 0 continue from before.",
                      "“We are ready,” Tokayev said."]  # fmt: skip


def test_docx_properties_name_the_digest_and_its_publisher_not_python_docx():
    """Word's File > Info said "generated by python-docx", created Dec. 23, 2013."""
    body = render(_digest(), Format.docx, publisher="The Astana Times")
    props = docx.Document(io.BytesIO(body)).core_properties
    assert props.title == "Foreign media digest: Dec. 15–21, 2025"
    assert (props.author, props.last_modified_by) == ("The Astana Times", "The Astana Times")
    assert props.comments == ""
    assert props.created == props.modified == datetime(2025, 12, 21, 12, tzinfo=UTC)
    plain = docx.Document(io.BytesIO(render(_digest(), Format.docx))).core_properties
    assert plain.author == "mediadigest"


def test_json_keeps_the_mark_of_an_item_an_editor_changed():
    """The web's "Export JSON" (from_dict, then to_json) dropped "edited": true."""
    content = to_dict(_digest())
    assert "edited" not in content["items"][0]  # a built item has none
    content["items"][0]["edited"] = True
    assert json.loads(to_json(from_dict(content)))["items"][0]["edited"] is True


def test_an_empty_atom_feed_has_the_id_it_has_once_digests_are_published():
    """RFC 4287 4.2.6: the id is permanent. An empty feed's was ".../mediadigest/digests"."""
    at = datetime(2025, 12, 22, tzinfo=UTC)
    empty = ET.fromstring(to_atom([], profile="kazakhstan"))
    full = ET.fromstring(to_atom([(_digest(), 1, at)], profile="kazakhstan"))
    assert empty.findtext(f"{ATOM}id") == full.findtext(f"{ATOM}id")
    assert full.findtext(f"{ATOM}id") == "tag:mediadigest,2025:kazakhstan/digests"


def test_atom_ids_of_a_profile_named_with_spaces_and_slashes_are_iris_of_its_parts():
    digest = _digest()
    digest.profile = "KZ desk / Central Asia"
    at = datetime(2025, 12, 22, tzinfo=UTC)
    feed = ET.fromstring(to_atom([(digest, 1, at)], profile=digest.profile))
    name = "KZ%20desk%20%2F%20Central%20Asia"
    assert feed.findtext(f"{ATOM}id") == f"tag:mediadigest,2025:{name}/digests"
    entry = feed.find(f"{ATOM}entry").findtext(f"{ATOM}id")
    assert entry == f"tag:mediadigest,2025-12-15:{name}/2025-12-15/2025-12-21/v1"
    preview = ET.fromstring(render(digest, Format.atom))
    for found in (
        preview.findtext(f"{ATOM}id"),
        preview.find(f"{ATOM}entry").findtext(f"{ATOM}id"),
    ):
        assert f":{name}/" in found and " " not in found


# -- the language of an item's words (WCAG 3.1.2: a screen reader reads them in their voice) --

RU_HEADLINE = "Казахстан увеличил экспорт зерна через Каспий"
RU_FIRST = "Казахстан отправил рекордные объемы пшеницы через порт Актау."
RU_OTHER = "Экспорт идет в Турцию и Иран."


def _russian(**change) -> Digest:
    item = DigestItem(
        headline=RU_HEADLINE,
        outlet="Vremya",
        outlet_country="KZ",
        published=date(2025, 12, 16),
        author=None,
        summary=[RU_FIRST, f"Reuters reported on Dec. 17 that {RU_OTHER}"],
        quote=Quote("Очередь судов растет.", "Marat Yerzhanov", 0, 0),
        attribution="Vremya published a press release in Russian on Dec. 16.",
        also="The story was also covered by TASS (Dec. 17).",
        language="ru",
    )
    for key, value in change.items():
        setattr(item, key, value)
    intro = f"This week: “{RU_HEADLINE}” (in Russian)."
    return Digest(date(2025, 12, 15), date(2025, 12, 21), intro, [item])


def test_html_marks_the_words_an_item_takes_from_a_russian_report_as_russian():
    html = render(_russian(), Format.html)
    assert f'lang="ru">{RU_HEADLINE}</h2>' in html
    assert f'on Dec. 16. <span lang="ru">{RU_FIRST}</span></p>' in html
    assert '“<span lang="ru">Очередь судов растет,</span>” Marat Yerzhanov said.' in html
    assert f'This week: “<span lang="ru">{RU_HEADLINE}</span>” (in Russian).' in html
    # The lines the digest writes stay in the page's English.
    assert '>Vremya published a press release in Russian on Dec. 16. <span lang="ru">' in html
    assert ">The story was also covered by TASS (Dec. 17).</p>" in html
    assert '<html lang="en">' in html


def test_a_sentences_english_credit_is_left_out_of_its_language_mark():
    html = render(_russian(), Format.html)
    assert f'>Reuters reported on Dec. 17 that <span lang="ru">{RU_OTHER}</span></p>' in html


def test_an_opinion_piece_s_english_credit_is_left_out_of_its_language_mark():
    argued = "In an opinion piece in Russia’s Kommersant on Dec. 17, Ivan Petrov argued that"
    html = render(_russian(summary=[RU_FIRST, f"{argued} {RU_OTHER}"]), Format.html)
    assert f'>{argued} <span lang="ru">{RU_OTHER}</span></p>' in html


def test_an_english_headline_an_editor_wrote_over_a_russian_item_is_not_marked_russian():
    english = "Kazakhstan ships record grain across the Caspian"
    html = render(_russian(headline=english), Format.html)
    assert f">{english}</h2>" in html
    assert f'<span lang="ru">{RU_FIRST}</span>' in html  # its sentences still are


def test_an_english_item_and_one_of_unknown_language_carry_no_lang():
    for language in ("en", None, "not a code"):
        html = render(_russian(language=language), Format.html)
        assert html.count("lang=") == 1, language  # <html lang="en"> alone


def test_a_summary_a_language_model_wrote_is_not_claimed_to_be_in_the_reports_language():
    html = render(_russian(written_by="llm"), Format.html)
    assert f'<span lang="ru">{RU_FIRST}</span>' not in html
    assert f'lang="ru">{RU_HEADLINE}</h2>' in html  # the headline and the quote are the report's


def test_the_html_text_is_the_same_with_its_language_marks():
    """The marks only wrap words: stripped of them, each paragraph is the plain text's."""
    from mediadigest.write.render.markdown import item_paragraphs

    html = render(_russian(), Format.html)
    text = re.sub(r"</?span[^>]*>", "", html).replace("&quot;", '"')
    for paragraph in item_paragraphs(_russian().items[0]):
        assert f">{paragraph}</p>" in text


def test_json_keeps_an_items_language():
    data = to_dict(_russian())
    assert data["items"][0]["language"] == "ru"
    assert from_dict(data).items[0].language == "ru"
    del data["items"][0]["language"]  # a digest stored before the key
    assert from_dict(data).items[0].language is None
