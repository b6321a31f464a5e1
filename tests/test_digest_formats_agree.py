"""One digest in every format says the same: its links, its JSON, its cut of sources.

An outputs walk found a source linked three ways (Markdown ``x=%3C2%3E``, the HTML and Atom
``x=<2>``, the DOCX relationship a raw ``<`` and ``"``), the API's JSON of a version with
``intro_edited`` where the export of the same version had none, "and 3 more" sources that led
nowhere, and `digest --week W` printing a digest built now beside a published version without
a word, with no way from the CLI to print the published one.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import date
from xml.etree import ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from mediadigest.cli import app as cli_app
from mediadigest.model import Digest, DigestItem
from mediadigest.web import versions
from mediadigest.write import render as rendering
from mediadigest.write.render import Format, render, to_atom, to_dict
from smtp_server import serving
from test_web_editor import post
from web_support import WEEK, csrf_of

FT = 'https://www.ft.com/content/kz"onmouseover="alert(1)'
RFERL = "https://www.rferl.org/a/wheat.html?utm=1&x=<2>&y=100%&z=%C3%A9"
IDN = "https://пример.рф/новости/казахстан?q=степь"
ENCODED = {
    FT: "https://www.ft.com/content/kz%22onmouseover=%22alert(1)",
    RFERL: "https://www.rferl.org/a/wheat.html?utm=1&x=%3C2%3E&y=100%25&z=%C3%A9",
    IDN: "https://xn--e1afmkfd.xn--p1ai/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8/"
    "%D0%BA%D0%B0%D0%B7%D0%B0%D1%85%D1%81%D1%82%D0%B0%D0%BD?q=%D1%81%D1%82%D0%B5%D0%BF%D1%8C",
}
PAGE = "https://digest.example.org/public/digests/7"


def _digest(sources: list[str]) -> Digest:
    item = DigestItem(
        headline="Kazakhstan ships wheat to Iran",
        outlet="Radio Free Europe",
        outlet_country="CZ",
        published=date(2025, 12, 16),
        author=None,
        summary=["Kazakhstan shipped wheat."],
        quote=None,
        attribution="Radio Free Europe reported on Dec. 16 that",
        sources=[{"url": u, "outlet": f"Outlet {k}"} for k, u in enumerate(sources)],
    )
    return Digest(date(2025, 12, 15), date(2025, 12, 21), "One story.", items=[item])


def _links(fmt: str, digest: Digest, page: str | None = None) -> list[str]:
    """The link targets the digest in ``fmt`` gives its readers, in order."""
    if fmt == "docx":
        body = render(digest, Format.docx, page=page)
        with zipfile.ZipFile(io.BytesIO(body)) as z:
            rels = ET.fromstring(z.read("word/_rels/document.xml.rels"))
            targets = {r.get("Id"): r.get("Target") for r in rels}
            doc = z.read("word/document.xml").decode()
        return [targets[i] for i in re.findall(r'<w:hyperlink r:id="([^"]+)"', doc)]
    if fmt == "md":
        return re.findall(r"\]\(<([^>]*)>\)", render(digest, Format.md, page=page))
    if fmt == "atom":
        feed = to_atom([(digest, 1, _noon())], profile="kazakhstan", pages=[page or PAGE])
        content = ET.fromstring(feed).find(".//{http://www.w3.org/2005/Atom}content").text
        return _hrefs(content)
    return _hrefs(render(digest, Format.html, page=page))


def _hrefs(html: str) -> list[str]:
    from html import unescape

    return [unescape(h) for h in re.findall(r'href="([^"]*)"', html)]


def _noon():
    from datetime import UTC, datetime

    return datetime(2025, 12, 21, 12, tzinfo=UTC)


@pytest.mark.parametrize("fmt", ["md", "html", "docx", "atom"])
def test_every_format_links_a_source_by_one_valid_uri(fmt: str):
    assert _links(fmt, _digest([FT, RFERL, IDN])) == [ENCODED[FT], ENCODED[RFERL], ENCODED[IDN]]


@pytest.mark.parametrize("url", [FT, RFERL, IDN, "https://x.example/a b{c}|d\\e^f`g"])
def test_a_link_holds_only_what_a_uri_may(url: str):
    from mediadigest.write.render.links import web_link

    link = web_link(url)
    assert re.fullmatch(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+", link), link
    assert web_link(link) == link  # already encoded: the same, never encoded twice


def test_the_json_keeps_the_stored_address():
    data = json.loads(render(_digest([RFERL]), Format.json))
    assert data["items"][0]["sources"][0]["url"] == RFERL


NINE = [f"https://news{k}.example/kz" for k in range(9)]


@pytest.mark.parametrize("fmt", ["md", "html", "docx"])
def test_and_3_more_links_to_the_page_that_lists_every_source(fmt: str):
    linked = _links(fmt, _digest(NINE), page=PAGE)
    assert linked == [*NINE[:6], PAGE]
    assert _links(fmt, _digest(NINE)) == NINE[:6]  # no page known: plain words


def test_and_3_more_in_the_feed_links_to_the_entrys_page():
    assert _links("atom", _digest(NINE), page=PAGE)[-1] == PAGE


def test_and_3_more_says_so_in_words():
    md = render(_digest(NINE), Format.md, page=PAGE)
    assert f"and [3 more](<{PAGE}>)" in md
    assert "and 3 more" in render(_digest(NINE), Format.md)


def test_the_public_page_html_lists_every_source():
    from mediadigest.write.render import to_html

    html = to_html(_digest(NINE), every_source=True)
    assert _hrefs(html) == NINE and "more" not in html


# -- the web app: the API and the export give one JSON ---------------------------------------


def _publish_edited(editor, seeded) -> int:
    post(editor, "/editor/start", week=WEEK)
    post(editor, "/editor/intro", week=WEEK, revision="1", text="The desk's own intro.")
    result = CliRunner().invoke(cli_app, ["--db", seeded.settings.db, "publish", "--week", WEEK])
    assert result.exit_code == 0, result.output
    with seeded.engine.connect() as conn:
        return versions.list_versions(conn)[0]["id"]


def _bearer(client: TestClient) -> dict[str, str]:
    form = {"name": "formats", "csrf_token": csrf_of(client.get("/account").text)}
    html = client.post("/account/tokens", data=form, follow_redirects=True).text
    token = re.search(r'class="token">([^<]+)<', html)[1]
    return {"Authorization": f"Bearer {token}"}


def test_the_api_and_the_json_export_give_one_json(editor, seeded):
    version = _publish_edited(editor, seeded)
    exported = editor.get(f"/digests/{version}/export.json").json()
    api = editor.get(f"/api/digests/{version}", headers=_bearer(editor)).json()["content"]
    assert api == exported
    assert exported["intro"] == "The desk's own intro." and exported["intro_edited"] is True


def test_an_export_links_and_more_to_the_public_page(editor, seeded):
    with seeded.engine.begin() as conn:
        content = to_dict(_digest(NINE))
        versions.publish(conn, "kazakhstan", date(2025, 12, 15), date(2025, 12, 21), content, "ed")
        version = versions.list_versions(conn)[0]["id"]
    page = f"http://testserver/public/digests/{version}"
    assert f"and [3 more](<{page}>)" in editor.get(f"/digests/{version}/export.md").text
    html = editor.get(f"/digests/{version}/export.html").text
    assert _hrefs(html) == [*NINE[:6], page]


def test_stored_json_keeps_the_edited_flags_only_where_true():
    content = {"period": {"from": "2025-12-15", "to": "2025-12-21"}, "intro": "x", "items": []}
    assert "intro_edited" not in rendering.stored_dict({**content, "intro_edited": False})
    assert rendering.stored_dict({**content, "trend_edited": True})["trend_edited"] is True


# -- the CLI: digest --published, and a note beside a published version ----------------------


def _cli(seeded, *args: str):
    return CliRunner().invoke(
        cli_app, ["--db", seeded.settings.db, "digest", "--week", WEEK, *args]
    )


@pytest.mark.parametrize("fmt", ["md", "json", "html"])
def test_digest_published_prints_what_the_web_exports(editor, seeded, fmt: str):
    version = _publish_edited(editor, seeded)
    printed = _cli(seeded, "--published", "--format", fmt, "--base-url", "http://testserver")
    assert printed.exit_code == 0, printed.output
    assert printed.stdout_bytes == editor.get(f"/digests/{version}/export.{fmt}").content
    assert "own intro." in printed.stdout


def test_digest_published_version_n_and_a_missing_one(editor, seeded):
    _publish_edited(editor, seeded)
    assert "The desk's own intro." in _cli(seeded, "--published", "--version", "1").stdout
    missing = _cli(seeded, "--published", "--version", "4")
    assert missing.exit_code == 1 and "no version 4 (published: 1)" in missing.stderr


def test_digest_published_docx_to_a_file(editor, seeded, tmp_path):
    version = _publish_edited(editor, seeded)
    out = tmp_path / "d.docx"
    assert _cli(seeded, "--published", "--format", "docx", "-o", str(out)).exit_code == 0
    assert out.read_bytes() == rendering.render_stored(
        versions_content(seeded, version), Format.docx, publisher=seeded.settings.publisher
    )


def versions_content(seeded, version: int) -> dict:
    with seeded.engine.connect() as conn:
        return versions.get_version(conn, version)["content"]


def test_digest_says_when_a_version_is_published_and_it_builds_another(editor, seeded):
    _publish_edited(editor, seeded)
    built = _cli(seeded)
    assert built.exit_code == 0
    assert "version 1 of " in built.stderr and "is published" in built.stderr
    assert "this is a digest built now" in built.stderr
    assert "--published prints the published one" in built.stderr
    assert "The desk's own intro." not in built.stdout


def test_digest_says_nothing_of_the_kind_where_nothing_is_published_or_drafted(seeded):
    built = _cli(seeded)
    assert built.exit_code == 0 and "built now" not in built.stderr


def test_version_alone_is_a_usage_error(seeded):
    assert _cli(seeded, "--version", "1").exit_code == 2
    assert _cli(seeded, "--published", "--mail-to", "a@example.org").exit_code == 2


def test_digest_mail_to_says_it_sends_a_digest_built_now(editor, seeded, monkeypatch):
    with serving() as inbox:
        _mail_to_built_now(editor, seeded, inbox, monkeypatch)


def _mail_to_built_now(editor, seeded, inbox, monkeypatch) -> None:
    for name, value in (("HOST", "127.0.0.1"), ("PORT", str(inbox.port)), ("SECURITY", "none"),
                        ("FROM", "digest@example.org")):  # fmt: skip
        monkeypatch.setenv(f"MEDIADIGEST_MAIL_{name}", value)
    _publish_edited(editor, seeded)
    sent = _cli(seeded, "--mail-to", "desk@example.org")
    assert sent.exit_code == 0, sent.output
    assert "--mail-to sends it (as [Draft]), not the published version" in sent.stderr
    assert len(inbox.envelopes) == 1


def test_digest_says_the_editors_have_a_draft(editor, seeded):
    post(editor, "/editor/start", week=WEEK)
    built = _cli(seeded)
    assert "the editors have a draft of it (revision 1)" in built.stderr
    assert "this is a digest built now" in built.stderr and "--published" not in built.stderr


def test_the_web_page_of_a_digest_lists_every_source():
    from mediadigest.web.editions import house_html
    from mediadigest.write.render.json import to_dict

    html = str(house_html(to_dict(_digest(NINE))))
    assert _hrefs(html) == NINE and "more" not in html
