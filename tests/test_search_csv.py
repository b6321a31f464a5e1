"""Search results as CSV for a researcher's spreadsheet: `search --csv`, the archive page's
"Download CSV" and the API's ``format=csv`` give the same columns, every title that could
start a formula defused, a viewer no more than the pages show."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from mediadigest import store
from mediadigest.cli import app as cli_app
from mediadigest.model import Article, Grade, Hit, Relevance, Theme
from mediadigest.store.search import WINDOW
from mediadigest.web.routes import archive as archive_route
from mediadigest.write.search_csv import COLUMNS, safe
from test_web_archive import bearer, turbines, viewer  # noqa: F401 (fixtures)
from web_support import login

ALMATY = timezone(timedelta(hours=5))
GRID = {"q": "turbines", "outlet": "Grid Weekly"}  # not the seeded store's articles
HOSTILE = ['=HYPERLINK("https://evil.example","x")', "+1+2", "-3", "@SUM(A1)", "\tTab"]


def turbine_article(n: int, title: str | None = None, **given) -> Article:
    url = given.pop("url", f"https://grid.example/{n}")
    fields = dict(
        url=url,
        canonical_url=url,
        content_hash=f"grid{n}",
        title=title or f"Turbines for the grid {n}",
        text=f"Turbines {n} were installed on the northern grid, the ministry said.",
        outlet="Grid Weekly",
        outlet_country="KZ",
        author="Aigerim Sadykova",
        published=datetime(2025, 12, 10, 9, 30, tzinfo=ALMATY) - timedelta(days=n),
        language="en",
        kind="analysis",
        themes=[Theme("energy", 0.9), Theme("economy", 0.4)],
        relevance=Relevance(
            score=2.5,
            grade=Grade.SUBJECT,
            relevant=True,
            hits=[Hit("Kazakhstan", "Kazakhstan", "country", "title", 2)],
        ),
    )
    return Article(**{**fields, **given})


def save(engine: sa.Engine, *articles: Article) -> None:
    with engine.begin() as conn:
        store.save_articles(conn, list(articles))


def table(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


# -- the CLI -----------------------------------------------------------------------------------


class Cli:
    """`mediadigest --db URL search ...`, in-process."""

    def __init__(self, url: str) -> None:
        self.url, self.runner = url, CliRunner()

    def __call__(self, *args: str, code: int = 0):
        result = self.runner.invoke(cli_app, ["--db", self.url, "search", *args])
        assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
        return result


@pytest.fixture
def cli(store_url: str) -> Cli:
    return Cli(store_url)


def test_search_csv_gives_a_header_and_every_column_a_researcher_needs(cli: Cli, engine):
    save(engine, turbine_article(1))
    result = cli("turbines", "--csv")
    assert result.stdout.splitlines()[0] == ",".join(COLUMNS)
    [row] = table(result.stdout)
    assert row["published"] == "2025-12-09T09:30:00+05:00"  # the outlet's clock and offset
    assert (row["outlet"], row["outlet_country"], row["language"]) == ("Grid Weekly", "KZ", "en")
    assert row["title"] == "Turbines for the grid 1"
    assert row["url"] == "https://grid.example/1"
    assert (row["author"], row["kind"]) == ("Aigerim Sadykova", "analysis")
    assert row["themes"] == "energy; economy"
    assert row["relevance_score"] == "2.5"
    assert row["why"] == "Kazakhstan (title ×2)"  # as `articles` gives it
    assert "Turbines" in row["snippet"] and "**" not in row["snippet"]  # no marks


def test_search_csv_defuses_a_title_that_would_run_as_a_formula(cli: Cli, engine):
    save(engine, *(turbine_article(n, f"{t} turbines") for n, t in enumerate(HOSTILE)))
    titles = {row["title"] for row in table(cli("turbines", "--csv").stdout)}
    assert titles == {f"'{t} turbines" for t in HOSTILE}


def test_search_csv_keeps_the_searchs_filters_and_limit(cli: Cli, engine):
    save(engine, *(turbine_article(n) for n in range(1, 6)),
         turbine_article(9, outlet="Steppe Times"))  # fmt: skip
    assert len(table(cli("turbines", "--csv", "--limit", "3").stdout)) == 3
    [row] = table(cli("turbines", "--csv", "--outlet", "steppe times").stdout)
    assert row["outlet"] == "Steppe Times"
    assert table(cli("turbines", "--csv", "--since", "2025-12-09").stdout)[0]["id"]
    assert len(table(cli("turbines", "--csv", "--since", "2025-12-08").stdout)) == 2


def test_search_csv_with_nothing_found_is_the_header_alone(cli: Cli, engine):
    save(engine, turbine_article(1))
    assert cli("pipelines", "--csv").stdout == ",".join(COLUMNS) + "\n"


def test_search_csv_to_a_file(cli: Cli, engine, tmp_path: Path):
    save(engine, turbine_article(1, "Тұрбиналар turbines"))
    result = cli("turbines", "--csv", "--out", str(tmp_path / "hits.csv"))
    assert result.stdout == ""
    text = (tmp_path / "hits.csv").read_text(encoding="utf-8")
    assert table(text)[0]["title"] == "Тұрбиналар turbines"
    assert not (tmp_path / "hits.csv.tmp").exists()


def test_search_json_to_a_file_as_coverage_writes_it(cli: Cli, engine, tmp_path: Path):
    save(engine, turbine_article(1))
    cli("turbines", "--json", "--out", str(tmp_path / "hits.json"))
    assert json.loads((tmp_path / "hits.json").read_text())[0]["outlet"] == "Grid Weekly"


def test_search_csv_never_writes_over_a_store(cli: Cli, engine, store_url: str):
    if not store_url.startswith("sqlite"):
        pytest.skip("an SQLite file")
    save(engine, turbine_article(1))
    result = cli("turbines", "--csv", "--out", store_url.removeprefix("sqlite:///"), code=1)
    # The console script says it, as it says every MediadigestError.
    assert "it is an SQLite database" in str(result.exception)
    assert store.open_store(store_url).connect().close() is None  # the store is whole


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--csv", "--json"], "give --csv or --json, not both"),
        (["--out", "hits.csv"], "--out writes the --csv or --json output"),
    ],
)
def test_search_csv_options_that_do_not_go_together_exit_2(cli: Cli, args, named):
    result = cli("turbines", *args, code=2)
    assert named in " ".join(result.stderr.split())


def test_the_formula_guard_leaves_numbers_and_ordinary_text_alone():
    assert safe(-3) == -3
    assert safe("Astana, 3 Dec") == "Astana, 3 Dec"
    assert safe("\rHidden") == "'\rHidden"


# -- the archive page's download ----------------------------------------------------------------


def test_the_archive_page_links_its_search_as_csv(viewer):  # noqa: F811
    html = viewer.get("/archive", params={"q": "Kazakhstan", "country": "KZ", "page": "1"}).text
    found = re.search(r'<a href="([^"]+)" download>Download CSV</a>', html)
    assert found and found[1].replace("&amp;", "&") == "/archive/export.csv?q=Kazakhstan&country=KZ"
    assert "Download CSV" not in viewer.get("/archive").text  # nothing searched yet


def test_the_download_is_a_csv_attachment_of_the_pages_hits(viewer):  # noqa: F811
    page = viewer.get("/archive", params={"q": "Kazakhstan"}).text
    ids = re.findall(r'class="title" href="/articles/(\d+)"', page)
    response = viewer.get("/archive/export.csv", params={"q": "Kazakhstan"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    day = datetime.now(UTC).date().isoformat()
    assert response.headers["content-disposition"] == f'attachment; filename="archive-{day}.csv"'
    assert response.content.startswith("\ufeff".encode())  # a spreadsheet reads it as UTF-8
    rows = table(response.text)
    assert [r["id"] for r in rows] == ids
    assert "\r\n" in response.text  # RFC 4180


def test_the_download_takes_the_pages_filters(viewer, seeded):  # noqa: F811
    turbines(seeded.engine, 3)
    rows = table(viewer.get("/archive/export.csv", params={"outlet": "turbine news"}).text)
    assert [r["outlet"] for r in rows] == ["Turbine News"] * 3
    assert rows[0]["published"] == "2025-12-01T08:00:00+00:00"  # UTC, said: no bare time


def test_a_bad_date_in_a_hand_made_download_url_is_said(viewer):  # noqa: F811
    response = viewer.get("/archive/export.csv", params={"q": "Kazakhstan", "since": "2025-13-01"})
    assert response.status_code == 400
    assert "from is not a date like 2025-12-15" in response.text


def test_the_download_needs_a_signed_in_user(app):
    response = TestClient(app, follow_redirects=False).get("/archive/export.csv?q=Kazakhstan")
    assert response.status_code in (303, 401)
    assert "Kazakhstan" not in response.text


def test_browsing_is_cut_at_its_row_limit_and_says_so_last(viewer, seeded, monkeypatch):  # noqa: F811
    monkeypatch.setattr(archive_route, "MAX_CSV_ROWS", 4)
    turbines(seeded.engine, 6)
    lines = viewer.get("/archive/export.csv", params={"outlet": "Turbine News"}).text.splitlines()
    assert len(lines) == 1 + 4 + 1
    assert lines[-1].startswith("# the newest 4 articles only: more pass these filters;")


def test_a_search_whose_window_was_full_says_so_on_its_last_line(viewer, seeded):  # noqa: F811
    turbines(seeded.engine, WINDOW + 5)
    lines = viewer.get("/archive/export.csv", params={"q": "turbines"}).text.splitlines()
    assert len(lines) == 1 + WINDOW + 1
    assert lines[-1].startswith(f"# a search ranks the {WINDOW} most recently stored")


def test_a_viewer_is_not_given_a_links_secret_an_editor_is(app, seeded):
    secret = "https://paid.example/turbines?apikey=s3cr3t&id=7"
    save(seeded.engine, turbine_article(1, url=secret))
    as_viewer = login(TestClient(app, follow_redirects=False), "viewer")
    as_editor = login(TestClient(app, follow_redirects=False), "editor")
    [row] = table(as_viewer.get("/archive/export.csv", params=GRID).text)
    assert row["url"] == "https://paid.example/turbines?apikey=***&id=7"
    [row] = table(as_editor.get("/archive/export.csv", params=GRID).text)
    assert row["url"] == secret


def test_a_link_that_is_not_http_is_left_out_as_the_page_leaves_it(viewer, seeded):  # noqa: F811
    save(seeded.engine, turbine_article(1, url="file:///home/researcher/private/turbines.html"))
    [row] = table(viewer.get("/archive/export.csv", params=GRID).text)
    assert row["url"] == ""


# -- the API ------------------------------------------------------------------------------------


def test_the_api_answers_csv_for_format_csv_or_accept_text_csv(viewer, bearer, seeded):  # noqa: F811
    turbines(seeded.engine, 5)
    params = {"q": "turbines", "limit": 3}
    hits = viewer.get("/api/search", params=params, headers=bearer).json()
    by_format = viewer.get("/api/search", params={**params, "format": "csv"}, headers=bearer)
    by_accept = viewer.get("/api/search", params=params, headers={**bearer, "Accept": "text/csv"})
    for response in (by_format, by_accept):
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        assert 'rel="next"' in response.headers["link"]  # the page's headers, as with JSON
        assert response.headers["search-window-full"] == "false"
        assert [int(r["id"]) for r in table(response.text)] == [h["id"] for h in hits]
    page = viewer.get("/archive/export.csv", params={"q": "turbines"}).text
    assert table(by_format.text) == table(page)[:3]  # the archive's rows


def test_the_api_still_answers_json_by_default_and_for_a_browser_accept(viewer, bearer):  # noqa: F811
    html_first = {**bearer, "Accept": "text/html,application/json;q=0.9,*/*;q=0.8"}
    for headers in (bearer, html_first, {**bearer, "Accept": "text/csv;q=0"}):
        response = viewer.get("/api/search", params={"q": "Kazakhstan"}, headers=headers)
        assert response.headers["content-type"] == "application/json", headers


def test_the_openapi_schema_says_search_answers_csv(viewer):  # noqa: F811
    schema = viewer.get("/api/openapi.json").json()
    operation = schema["paths"]["/api/search"]["get"]
    assert "text/csv" in operation["responses"]["200"]["content"]
    assert any(p["name"] == "format" for p in operation["parameters"])
