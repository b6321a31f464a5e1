"""The digest as the CLI prints it and the web exports it: the bytes the renderers write.

A walk found the Markdown on stdout unlike the file (rich made ":smile:" an emoji and a tab
spaces), `feed` unlike the web's /feed.atom, an edited item's "edited" gone from the web's
JSON export, and an empty feed whose id changed at the first publication.
"""

from __future__ import annotations

import dataclasses
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree as ET

import docx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from mediadigest import store
from mediadigest.cli import app as cli_app
from mediadigest.web import editions
from mediadigest.web.app import create_app
from test_end_to_end import WEEK, Cli
from test_web_editor import post
from web_support import WEEK as SEEDED_WEEK
from web_support import login

ATOM = "{http://www.w3.org/2005/Atom}"
TITLE = "Kazakhstan :warning: floods hit Atyrau :smile: region"
RECORD = {
    "url": "https://floods.example/atyrau",
    "title": TITLE,
    "text": "Kazakhstan said on Tuesday that floods hit the Atyrau region :smile: and\tthousands "
    "left their homes, the emergency ministry said in Astana.\n\nRescuers moved 4,000 people "
    "from villages along the Ural river, officials said.",
    "published": "2025-12-16T10:00:00+05:00",
    "outlet": "Flood Times",
}


@pytest.fixture
def floods(tmp_path: Path) -> Cli:
    """A store with one relevant article whose title and text hold emoji codes and a tab."""
    cli = Cli(tmp_path / "store.db")
    record = tmp_path / "floods.jsonl"
    record.write_text(json.dumps(RECORD) + "\n", encoding="utf-8")
    cli("ingest", str(record))
    return cli


@pytest.mark.parametrize("fmt", ["md", "json", "html", "atom"])
def test_a_digest_on_stdout_is_the_file_byte_for_byte(floods: Cli, tmp_path: Path, fmt: str):
    printed = floods("digest", *WEEK, "--format", fmt, "-o", "-").stdout_bytes
    floods("digest", *WEEK, "--format", fmt, "-o", str(tmp_path / f"d.{fmt}"))
    assert printed == (tmp_path / f"d.{fmt}").read_bytes()
    assert TITLE.encode() in printed and "😄".encode() not in printed


def test_the_markdown_digest_printed_by_default_keeps_emoji_codes_and_tabs(floods: Cli):
    md = floods("digest", *WEEK).stdout
    assert f"## {TITLE}\n" in md
    assert "region :smile: and\tthousands" in md


def test_the_feed_printed_is_the_webs_feed(floods: Cli):
    floods("publish", *WEEK)
    base = "https://digest.example.org"
    printed = floods("feed", "--base-url", base).stdout_bytes
    with store.create_engine(floods.db).connect() as conn:
        served = editions.feed(conn, "kazakhstan", f"{base}/feed.atom",
                               lambda i: f"{base}/public/digests/{i}")  # fmt: skip
    assert printed == served.encode("utf-8")
    assert TITLE.encode() in printed


def test_the_feed_keeps_its_id_when_the_first_digest_is_published(floods: Cli):
    """RFC 4287 4.2.6: an id is permanent. The empty feed was ".../mediadigest/digests"."""
    empty = ET.fromstring(floods("feed").stdout_bytes)
    floods("publish", *WEEK)
    published = ET.fromstring(floods("feed").stdout_bytes)
    assert len(published.findall(f"{ATOM}entry")) == 1
    assert empty.findtext(f"{ATOM}id") == published.findtext(f"{ATOM}id")
    assert published.findtext(f"{ATOM}id") == "tag:mediadigest,2025:kazakhstan/digests"


def test_tables_show_emoji_codes_as_the_titles_have_them(floods: Cli):
    table = floods("articles", "--all").stdout
    assert "⚠" not in table and "😄" not in table
    assert ":smile:" in table.replace("│", "").replace("\n", "")


def test_the_cli_counts_items_in_words_that_agree(floods: Cli, tmp_path: Path):
    written = floods("digest", *WEEK, "-o", str(tmp_path / "d.md"))
    assert f"wrote 1 item to {tmp_path / 'd.md'}" in written.stderr
    published = floods("publish", *WEEK)
    assert "(1 item, built now from the store)" in published.stderr


def test_a_docx_digest_names_the_publisher_as_its_author(floods: Cli, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("MEDIADIGEST_PUBLISHER", "The Steppe Weekly")
    floods("digest", *WEEK, "--format", "docx", "-o", str(tmp_path / "d.docx"))
    props = docx.Document(tmp_path / "d.docx").core_properties
    assert (props.author, props.title) == (
        "The Steppe Weekly",
        "Foreign media digest: Dec. 15–21, 2025",
    )
    assert props.created == datetime(2025, 12, 21, 12, tzinfo=UTC)


# -- the web app's exports -------------------------------------------------------------------


def _published_edited(seeded, client: TestClient) -> int:
    """Edit the seeded week's first item in the editor, publish the draft; the version's id."""
    post(client, "/editor/start", week=SEEDED_WEEK)
    post(client, "/editor/items/0/edit", week=SEEDED_WEEK, revision="1",
         headline="Edited by the desk", attribution="The desk wrote.", summary="One.")  # fmt: skip
    args = ["--db", seeded.settings.db, "publish", "--week", SEEDED_WEEK]
    assert CliRunner().invoke(cli_app, args).exit_code == 0
    return 1


def test_the_web_json_export_says_which_items_an_editor_changed(seeded, editor):
    """docs/digest-json.md: an item an editor changed has "edited": true."""
    version = _published_edited(seeded, editor)
    exported = editor.get(f"/digests/{version}/export.json")
    assert exported.status_code == 200
    items = exported.json()["items"]
    assert items[0]["headline"] == "Edited by the desk" and items[0]["edited"] is True
    assert all("edited" not in i for i in items[1:])


def test_the_web_docx_export_names_the_settings_publisher_as_its_author(seeded):
    settings = dataclasses.replace(seeded.settings, publisher="The Astana Times")
    client = login(TestClient(create_app(settings, engine=seeded.engine)), "editor")
    version = _published_edited(seeded, client)
    body = client.get(f"/digests/{version}/export.docx").content
    assert docx.Document(io.BytesIO(body)).core_properties.author == "The Astana Times"


def test_the_sources_table_shows_emoji_codes_as_the_titles_have_them(floods: Cli):
    """`sources list` printed through a console of its own, which still made emoji."""
    from mediadigest.model import Source

    with store.create_engine(floods.db).begin() as conn:
        store.add_source(conn, Source("https://floods.example/rss", title="Floods :smile: wire"))
    table = floods("sources", "list").stdout
    assert "😄" not in table and "Floods :smile: wire" in table


def test_run_prints_the_digest_that_digest_prints(tmp_path: Path, site):
    """`run` printed its Markdown through rich, which `digest -o -` no longer does."""
    cli = Cli(tmp_path / "run.db")
    cli("sources", "add", site.url("/feeds/central-asia.xml"), site.url("/feeds/atom.xml"))
    printed = cli("run", *WEEK, "--timeout", "3").stdout_bytes
    assert printed.startswith(b"# Foreign media digest")
    assert printed == cli("digest", *WEEK).stdout_bytes
