"""End to end through the CLI: feeds on a real local server -> store -> digest."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mediadigest import store
from mediadigest.cli import app
from mediadigest.errors import ConfigError
from mediadigest.model import Source

FIXTURE_FILES = Path(__file__).parent / "fixtures" / "files"
WEEK = ["--since", "2025-12-15", "--until", "2025-12-21"]
RELEVANT_TITLES = {
    "Kazakhstan signs deal for 1 GW wind farm in Zhambyl region",
    "Казахстан и Узбекистан договорились о совместном управлении водами Сырдарьи",
    "Kazakhstan's grain exports across the Caspian hit a record",
    "Brief: new ferry line links Aktau and Baku",
}


class Cli:
    """Runs `mediadigest --db <tmp store> ...` in-process, as a user would type it."""

    def __init__(self, db: Path) -> None:
        self.db = f"sqlite:///{db}"
        self.runner = CliRunner()

    def __call__(self, *args: str, code: int = 0):
        result = self.runner.invoke(app, ["--db", self.db, *args])
        assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
        return result

    def json(self, *args: str) -> list | dict:
        return json.loads(self(*args).stdout)


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path / "store.db")


@pytest.fixture
def two_feeds(cli: Cli, site) -> Cli:
    cli("sources", "add", site.url("/feeds/central-asia.xml"), site.url("/feeds/atom.xml"))
    return cli


def _relevant_paths(cli: Cli) -> set[str]:
    return {"/" + a["url"].split("/", 3)[3] for a in cli.json("articles", "--json")}


def test_run_prints_a_digest_of_exactly_the_relevant_items(two_feeds: Cli, monkeypatch):
    monkeypatch.setenv("MEDIADIGEST_PUBLISHER", "The Steppe Weekly")
    result = two_feeds("run", *WEEK, "--timeout", "3")
    md = result.stdout
    assert md.startswith("# Foreign media digest: Dec. 15–21, 2025")
    assert "\nThe Steppe Weekly has selected" in md  # the intro names who selects
    headlines = {line[3:] for line in md.splitlines() if line.startswith("## ")}
    assert headlines == RELEVANT_TITLES
    assert "relevant" in result.stderr  # the summary line


def test_digest_items_carry_outlet_date_and_author(two_feeds: Cli):
    two_feeds("run", *WEEK, "--timeout", "3")
    digest = two_feeds.json("digest", *WEEK, "--format", "json")
    by_headline = {i["headline"]: i for i in digest["items"]}
    wind = by_headline["Kazakhstan signs deal for 1 GW wind farm in Zhambyl region"]
    assert (wind["outlet"], wind["published"], wind["author"]) == (
        "Steppe Wire",
        "2025-12-16",
        "Aigerim Nurlanova",
    )
    assert (
        wind["attribution"] == "Steppe Wire published an article on Dec. 16 by Aigerim Nurlanova."
    )
    assert wind["quote"]["speaker"].endswith("Daniyar Seitkali")
    grain = next(i for i in digest["items"] if i["outlet"] == "Caspian Ledger")
    assert (grain["published"], grain["author"]) == ("2025-12-19", "Farid Mammadli")


def test_relevant_articles_are_exactly_the_kazakhstan_items(two_feeds: Cli):
    two_feeds("run", *WEEK, "--timeout", "3")
    relevant = {a["title"] for a in two_feeds.json("articles", "--json")}
    assert relevant == RELEVANT_TITLES
    every = {a["title"] for a in two_feeds.json("articles", "--json", "--all")}
    assert every - relevant == {
        "Atlético Cerrado snatch late title in Brazil's final round",
        "Kessler wins Great Ocean Classic as Astana's Moretti takes second",
    }


def test_articles_json_explains_each_match(two_feeds: Cli):
    two_feeds("run", *WEEK, "--timeout", "3")
    for art in two_feeds.json("articles", "--json"):
        for key in (
            "url",
            "title",
            "outlet",
            "author",
            "published",
            "language",
            "relevance",
            "text",
        ):
            assert key in art
        assert art["relevance"]["relevant"] is True
        assert art["relevance"]["hits"], art["url"]
        assert {"alias", "field", "count"} <= set(art["relevance"]["hits"][0])
    langs = {a["language"] for a in two_feeds.json("articles", "--json")}
    assert {"en", "ru"} <= langs


def test_running_again_adds_nothing_and_fetches_no_seen_page(two_feeds: Cli, site):
    two_feeds("run", *WEEK, "--timeout", "3")
    first = two_feeds.json("articles", "--json", "--all")
    fetched = site.fetched("/pages/steppe-wire/kazakhstan-wind.html")
    second_run = two_feeds("run", *WEEK, "--timeout", "3")
    assert two_feeds.json("articles", "--json", "--all") == first
    assert site.fetched("/pages/steppe-wire/kazakhstan-wind.html") == fetched
    assert "0 new articles" in second_run.stderr


def test_broken_links_are_reported_one_line_each_and_the_rest_is_kept(cli: Cli, site):
    cli("sources", "add", site.url("/feeds/broken-links.xml"), site.url("/feeds/not-xml.xml"))
    result = cli("collect", "--timeout", "2", code=1)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert any("/status/404" in e and "HTTP 404" in e for e in errors)
    assert any("/status/500" in e and "HTTP 500" in e for e in errors)
    assert any("/slow" in e and "timed out" in e for e in errors)
    assert any("/binary" in e and "not a web page" in e for e in errors)
    assert any("not-xml.xml" in e and "not a feed" in e for e in errors)
    assert "/pages/steppe-wire/kazakhstan-wind.html" in _relevant_paths(cli)


def test_a_failed_run_loses_nothing_already_stored(two_feeds: Cli, site):
    two_feeds("run", *WEEK, "--timeout", "3")
    before = two_feeds.json("articles", "--json", "--all")
    two_feeds("sources", "add", site.url("/feeds/not-xml.xml"))
    two_feeds("collect", "--timeout", "3", code=1)
    assert two_feeds.json("articles", "--json", "--all") == before


def test_sources_list_shows_health_after_collect(cli: Cli, site):
    cli("sources", "add", site.url("/feeds/atom.xml"), site.url("/status/500"))
    cli("collect", "--timeout", "3", code=1)
    rows = {r["url"]: r for r in cli.json("sources", "list", "--json")}
    assert rows[site.url("/feeds/atom.xml")]["last_error"] is None
    assert "HTTP 500" in rows[site.url("/status/500")]["last_error"]


def test_ingest_files_reports_bad_inputs_and_stores_the_rest(cli: Cli):
    result = cli("ingest", str(FIXTURE_FILES), code=1)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert any("export.jsonl:4" in e and "not JSON" in e for e in errors)
    assert any("export.jsonl:5" in e and "url" in e for e in errors)
    assert any("empty.txt" in e and "empty file" in e for e in errors)
    # In a folder, a file of another type is passed over and named, not an error.
    assert not any("unknown.pdf" in e for e in errors)
    assert f"warning: {FIXTURE_FILES}: skipped files of types not read here (1 .pdf)" in (
        result.stderr.splitlines()
    )
    assert any("cp1251.txt" in w and "cp1251" in w for w in result.stderr.splitlines())
    titles = {a["title"] for a in cli.json("articles", "--json", "--all")}
    assert len(titles) == 8
    relevant = cli.json("articles", "--json")
    assert all("Peru" not in a["title"] and "Chile" not in a["title"] for a in relevant)


def test_a_file_of_another_type_named_on_the_command_line_is_an_error(cli: Cli):
    result = cli("ingest", str(FIXTURE_FILES / "unknown.pdf"), code=1)
    assert "unknown file type '.pdf'" in result.stderr


def test_a_folder_holding_the_store_passes_over_its_files(tmp_path: Path):
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "page.txt").write_text("Kazakhstan wheat\n\nKazakhstan sold wheat to Iran.")
    (folder / "notes.csv.gz").write_bytes(b"")
    cli = Cli(folder / "store.db")
    result = cli("ingest", str(folder))
    # The store's own files too (.db and its WAL's while it is open).
    assert "skipped files of types not read here (1 .csv.gz, 1 .db" in result.stderr
    assert "1 new article " in result.stderr


def test_a_store_that_is_not_a_database_is_an_error_and_is_left_alone(tmp_path: Path):
    path = tmp_path / "notes.db"
    path.write_bytes(b"my notes, not a database")
    # As a user runs it: the console entry point turns our errors into one line.
    result = subprocess.run(
        [sys.executable, "-m", "mediadigest", "--db", f"sqlite:///{path}", "articles"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr == f"error: cannot open store sqlite:///{path}: file is not a database\n"
    assert path.read_bytes() == b"my notes, not a database"


def test_a_store_without_sources_starts_from_the_profiles_own(tmp_path: Path, capsys):
    """A Georgia profile used to collect Kazakhstan's 17 feeds (they shipped as one OPML)."""
    from mediadigest.cli.collect import _sources
    from mediadigest.config import Settings

    path = tmp_path / "georgia.yaml"
    path.write_text(
        "name: georgia\ncountry: Georgia\ncountry_code: GE\nadjective: Georgian\n"
        "threshold: 2\nnames:\n  Georgia: [Tbilisi]\n",
        encoding="utf-8",
    )
    _, sources = _sources(Settings(db=f"sqlite:///{tmp_path / 'g.db'}", profile_name=str(path)))
    assert [s.title for s in sources] == ["Google News: Georgia (English)"]
    assert "using a news search for Georgia (the georgia profile lists no sources)" in (
        capsys.readouterr().err
    )
    _, sources = _sources(Settings(db=f"sqlite:///{tmp_path / 'k.db'}"))
    assert "The Astana Times" in {s.title for s in sources}
    assert "using the 17 default feeds of the kazakhstan profile" in capsys.readouterr().err


def test_another_profile_is_refused_a_store_whose_sources_are_a_profiles_defaults(
    tmp_path: Path, capsys
):
    """A first `run` (offline) stored the kazakhstan profile's feeds as the store's sources; a
    Georgia profile's collect on that store then fetched Kazakhstan's feeds, never its own.
    The store records the profile that stored them now (test_store_profile); a store from
    before that record (schema revision 0013) is refused by its sources, as here."""
    from mediadigest.cli.collect import _sources
    from mediadigest.config import Settings

    def from_before_the_record(db: str) -> None:
        with store.open_store(db).begin() as conn:
            conn.execute(store.schema.store_profile.delete())

    path = tmp_path / "georgia.yaml"
    path.write_text(
        "name: georgia\ncountry: Georgia\ncountry_code: GE\nadjective: Georgian\n"
        "threshold: 2\nnames:\n  Georgia: [Tbilisi]\n",
        encoding="utf-8",
    )
    db = f"sqlite:///{tmp_path / 'k.db'}"
    _sources(Settings(db=db))  # the kazakhstan defaults, stored
    from_before_the_record(db)
    with pytest.raises(ConfigError, match="default feeds of the 'kazakhstan' profile, not 'ge"):
        _sources(Settings(db=db, profile_name=str(path)))
    _, again = _sources(Settings(db=db))  # its own profile goes on
    assert len(again) == 17
    from_before_the_record(db)
    # Sources of the user's own (one added beside the defaults) are theirs to use.
    with store.open_store(db).begin() as conn:
        store.add_source(conn, Source("https://civil.ge/feed"))
    _, sources = _sources(Settings(db=db, profile_name=str(path)))
    assert len(sources) == 18
    # A tuned copy of the profile for the same country (docs/profiles.md) takes the store on.
    tuned = tmp_path / "kz-business.yaml"
    tuned.write_text(
        "name: kz-business\ncountry: Kazakhstan\ncountry_code: KZ\nadjective: Kazakh\n"
        "threshold: 2\nnames:\n  Kazakhstan: [Astana]\n",
        encoding="utf-8",
    )
    other = f"sqlite:///{tmp_path / 'k2.db'}"
    _sources(Settings(db=other))
    from_before_the_record(other)
    _, sources = _sources(Settings(db=other, profile_name=str(tuned)))
    assert len(sources) == 17


def test_a_run_that_reaches_no_source_says_what_to_do_offline(cli: Cli):
    with socket.socket() as sock:  # a free port that nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    cli("sources", "add", f"http://127.0.0.1:{port}/feed.xml")
    result = cli("run", code=1)
    assert "cannot connect" in result.stderr
    assert "is this machine offline? `mediadigest ingest PATHS`" in result.stderr


def test_ingesting_an_empty_folder_warns_that_it_is_empty(cli: Cli, tmp_path: Path):
    (tmp_path / "drop").mkdir()
    result = cli("ingest", str(tmp_path / "drop"))  # not a failure: a drop folder may be empty
    assert f"warning: {tmp_path / 'drop'}: no files in this folder" in result.stderr


@pytest.mark.parametrize("query", ["", "the", "-", "  "])
def test_a_search_with_no_words_to_search_for_is_a_usage_error(cli: Cli, query: str):
    result = cli("search", query, code=2)
    assert "has no words to search for" in result.stderr


def test_ingesting_twice_stores_nothing_twice(cli: Cli):
    cli("ingest", str(FIXTURE_FILES), code=1)
    first = cli.json("articles", "--json", "--all")
    again = cli("ingest", str(FIXTURE_FILES), code=1)
    assert cli.json("articles", "--json", "--all") == first
    assert "0 new articles" in again.stderr


def test_ingest_with_worker_processes_stores_the_same(cli: Cli, tmp_path: Path):
    cli("ingest", str(FIXTURE_FILES), code=1)
    other = Cli(tmp_path / "other.db")
    other("ingest", "--workers", "2", str(FIXTURE_FILES), code=1)
    strip = lambda rows: sorted((a["url"], a["title"], a["relevance"]["score"]) for a in rows)  # noqa: E731
    assert strip(other.json("articles", "--json", "--all")) == strip(
        cli.json("articles", "--json", "--all")
    )


def test_digest_written_to_a_file(cli: Cli, tmp_path: Path):
    cli("ingest", str(FIXTURE_FILES / "export.jsonl"), code=1)
    target = tmp_path / "digest.md"
    cli("digest", *WEEK, "-o", str(target))
    assert target.read_text(encoding="utf-8").startswith("# Foreign media digest")


def test_empty_week_says_so(cli: Cli):
    cli("db", "upgrade")  # an empty store: a missing one is an error
    md = cli("digest", "--week", "2020-W01").stdout
    assert "No articles about Kazakhstan were found" in md


def test_bad_week_is_a_usage_error(cli: Cli):
    cli("digest", "--week", "last-week", code=2)


def test_other_profile_by_name(cli: Cli):
    cli("--profile", "uzbekistan", "ingest", str(FIXTURE_FILES), code=1)
    titles = {a["title"] for a in cli.json("--profile", "uzbekistan", "articles", "--json")}
    assert all("Peru" not in t for t in titles)


def test_python_dash_m_runs_the_cli_and_maps_our_errors_to_exit_1(tmp_path: Path):
    cmd = [sys.executable, "-m", "mediadigest", "--db", f"sqlite:///{tmp_path}/s.db"]
    ok = subprocess.run([*cmd, "version"], capture_output=True, text=True, check=False)
    assert ok.returncode == 0 and "mediadigest" in ok.stdout
    bad = subprocess.run([*cmd, "--profile", str(tmp_path / "nope.yaml"), "articles"],
                         capture_output=True, text=True, check=False)  # fmt: skip
    assert bad.returncode == 1
    assert "nope.yaml" in bad.stderr and "Traceback" not in bad.stderr


# Modules of seconds' import between them that the quick commands need none of.
_PIPELINE_MODULES = {"sklearn", "scipy", "trafilatura", "numpy", "alembic", "httpx", "docx"}


def _imported(*args: str) -> set[str]:
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "mediadigest", *args],
                          capture_output=True, text=True, check=True)  # fmt: skip
    return {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if "|" in line}


def test_help_and_the_quick_commands_do_not_import_the_pipeline(tmp_path: Path):
    db = f"sqlite:///{tmp_path}/s.db"
    assert _imported("--help") & _PIPELINE_MODULES == set()
    _imported("--db", db, "sources", "add", "https://example.org/feed.xml")  # creates the store
    for command in (["sources", "list"], ["articles"], ["search", "wind"], ["feed"]):
        assert _imported("--db", db, *command) & _PIPELINE_MODULES == set(), command
    assert "sklearn" in _imported("--db", db, "stories")  # and the others still work


def test_the_cli_default_digest_size_is_the_writers():
    from mediadigest.cli import digest as digest_cmd
    from mediadigest.write import compose

    assert digest_cmd.DIGEST_SIZE == compose.DEFAULT_SIZE


def test_sources_add_refuses_what_is_not_a_web_address_and_adds_the_rest(cli: Cli):
    bad = ["notaurl", "ftp://example.org/feed", "http://", "https://exa mple.org/"]
    done = cli("sources", "add", *bad, "https://example.org/feed.xml", code=1)
    for url in bad:
        assert f"error: {url}: not an http(s) URL" in done.stderr
    # A line break in it printed the refusal over two lines.
    broken = cli("sources", "add", "https://example.org/a\nb.xml", code=1)
    assert broken.stderr == "error: 'https://example.org/a\\nb.xml': not an http(s) URL\n"
    assert [s["url"] for s in cli.json("sources", "list", "--json")] == [
        "https://example.org/feed.xml"
    ]


def test_sources_import_skips_opml_outlines_that_are_not_web_addresses(cli: Cli, tmp_path: Path):
    opml = tmp_path / "feeds.opml"
    opml.write_text(
        '<opml version="2.0"><body>'
        '<outline text="ok" xmlUrl="https://example.org/rss"/>'
        '<outline text="bad" xmlUrl="javascript:alert(1)"/>'
        "</body></opml>"
    )
    done = cli("sources", "import", str(opml), code=1)
    assert "error: javascript:alert(1): not an http(s) URL" in done.stderr
    assert [s["url"] for s in cli.json("sources", "list", "--json")] == ["https://example.org/rss"]


def test_messages_show_paths_as_they_are_on_one_line(cli: Cli, tmp_path: Path):
    # Rich reads "[...]" as markup: a folder "[draft]" vanished from messages and "[/b]" in a
    # path raised instead of reporting it. Long lines were wrapped at 80 columns.
    drop = tmp_path / "[draft]"
    drop.mkdir()
    assert f"warning: {drop}: no files in this folder" in cli("ingest", str(drop)).stderr
    done = cli("ingest", str(FIXTURE_FILES / "export.jsonl"), code=1)
    summary = [line for line in done.stderr.splitlines() if line.startswith("collected ")]
    assert len(summary) == 1 and summary[0].endswith(" grown"), done.stderr
    cmd = [sys.executable, "-m", "mediadigest", "--db", f"sqlite:///{tmp_path}/s.db"]
    missing = str(tmp_path / "notes[/b].txt")
    bad = subprocess.run([*cmd, "ingest", missing], capture_output=True, text=True, check=False)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert f"error: {missing}: no such file or directory" in bad.stderr


def test_sources_export_keeps_a_long_address_whole_and_imports_back(cli: Cli, tmp_path: Path):
    url = "https://example.org/" + "/".join(f"section-{i}" for i in range(12)) + "/rss.xml?a=[1]"
    cli("sources", "add", url)
    exported = cli("sources", "export").stdout
    assert url.replace("&", "&amp;") in exported and exported.endswith("</opml>\n")
    (tmp_path / "out.opml").write_text(exported, encoding="utf-8")
    other = Cli(tmp_path / "other.db")
    other("sources", "import", str(tmp_path / "out.opml"))
    assert [s["url"] for s in other.json("sources", "list", "--json")] == [url]


def test_search_finds_the_country_in_every_spelling(two_feeds: Cli):
    two_feeds("run", *WEEK, "--timeout", "3")
    titles = {h["title"] for h in two_feeds.json("search", "kazakhstan", "--json")}
    russian = "Казахстан и Узбекистан договорились о совместном управлении водами Сырдарьи"
    assert (
        russian in titles and "Kazakhstan's grain exports across the Caspian hit a record" in titles
    )
    exact = {h["title"] for h in two_feeds.json("search", "kazakhstan", "--exact", "--json")}
    assert russian not in exact


def test_a_query_may_begin_with_an_excluded_word(cli: Cli, tmp_path: Path):
    """`search "-alpha wheat"` was Click's "No such option: -a"."""
    lines = [
        {"url": "https://a.example/1", "title": "Wheat in Kazakhstan",
         "text": "Kazakhstan wheat exports grew this year, traders said in Astana."},
        {"url": "https://a.example/2", "title": "Alpha wheat",
         "text": "Alpha wheat from Kazakhstan is sold abroad, the alpha company said."},
    ]  # fmt: skip
    path = tmp_path / "wheat.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    cli("ingest", str(path))
    for args in (["-alpha wheat", "--json"], ["--json", "-alpha wheat"]):
        hits = cli.json("search", *args)
        assert [h["title"] for h in hits] == ["Wheat in Kazakhstan"], args


def test_sources_remove_and_import_say_what_they_did_in_agreeing_numbers(cli: Cli, tmp_path):
    cli("sources", "add", "https://example.org/a.xml", "https://example.org/b.xml")
    removed = cli("sources", "remove", "https://example.org/a.xml")
    assert "removed 1 source (their articles stay)" in removed.stderr  # it said nothing
    opml = tmp_path / "one.opml"
    opml.write_text(
        '<opml version="2.0"><body><outline type="rss" text="C" xmlUrl="https://example.org/c.xml"/>'
        "</body></opml>",
        encoding="utf-8",
    )
    imported = cli("sources", "import", str(opml))
    assert "imported 1 new source (0 already present)" in imported.stderr  # "1 new sources"
