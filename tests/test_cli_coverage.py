"""`mediadigest coverage` counts a store's articles per period and per country, language,
outlet or theme, in SQL on both backends: a page once however often it was captured, each
article on its outlet's own day."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta, timezone
from itertools import count
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from mediadigest import store
from mediadigest.cli import app
from mediadigest.model import Article, Grade, Relevance, Theme

RELEVANT = Relevance(score=3.0, grade=Grade.SUBJECT, relevant=True)
OTHER = Relevance(score=0.0, grade=Grade.NONE, relevant=False)
ALMATY, NEW_YORK = timezone(timedelta(hours=6)), timezone(timedelta(hours=-5))
_n = count()


def article(
    when: datetime,
    country: str | None = "GB",
    *,
    url: str | None = None,
    relevance: Relevance = RELEVANT,
    themes: tuple[str, ...] = (),
    outlet: str = "Daily",
    language: str = "en",
) -> Article:
    n = next(_n)
    url = url or f"https://news.example/{n}"
    return Article(
        url=url, canonical_url=url, content_hash=f"h{n}", title=f"Story {n}", text="Text.",
        outlet=outlet, outlet_country=country, language=language, published=when,
        relevance=relevance, themes=[Theme(name, 1.0) for name in themes],
    )  # fmt: skip


class Cli:
    """`mediadigest --db URL coverage ...`, in-process."""

    def __init__(self, url: str) -> None:
        self.url, self.runner = url, CliRunner()

    def __call__(self, *args: str, code: int = 0):
        result = self.runner.invoke(app, ["--db", self.url, "coverage", *args])
        assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
        return result

    def json(self, *args: str) -> dict:
        return json.loads(self(*args, "--json").stdout)

    def store(self, *articles: Article) -> None:
        engine = store.open_store(self.url)
        with engine.begin() as conn:
            for art in articles:  # one at a time: a later capture is stored later
                store.save_articles(conn, [art])
        engine.dispose()


@pytest.fixture
def cli(store_url: str, monkeypatch: pytest.MonkeyPatch) -> Cli:
    monkeypatch.setenv("COLUMNS", "200")  # the table on one line per period
    return Cli(store_url)


def _table(stdout: str) -> dict[str, list[str]]:
    """The rich table's rows by their first cell (the header's and the footer's too)."""
    rows = {}
    for line in stdout.splitlines():
        cells = [c.strip() for c in line.replace("┃", "│").split("│")[1:-1]]
        if cells:
            rows[cells[0]] = cells[1:]
    return rows


def test_a_page_captured_twice_counts_once(cli: Cli):
    day = datetime(2025, 3, 4, 9, tzinfo=UTC)
    first = article(day, url="https://news.example/page")
    again = article(day, url="https://news.example/page")  # a re-crawl: other content
    cli.store(first, again, article(day))
    assert cli.json()["total"] == 2
    assert cli.json("--by", "day", "--split", "outlet")["periods"][0]["counts"] == {"Daily": 2}


def test_months_follow_the_outlets_own_day(cli: Cli):
    # 20:00 UTC on Jan. 31 is Feb. 1 in Almaty; 03:00 UTC on Feb. 1 is Jan. 31 in New York.
    cli.store(
        article(datetime(2025, 2, 1, 2, tzinfo=ALMATY), "KZ"),
        article(datetime(2025, 1, 31, 22, tzinfo=NEW_YORK), "US"),
    )
    periods = cli.json("--by", "month")["periods"]
    assert [(p["period"], p["counts"]) for p in periods] == [
        ("2025-01", {"United States": 1}),
        ("2025-02", {"Kazakhstan": 1}),
    ]


def test_iso_weeks_follow_the_outlets_own_day_and_year(cli: Cli):
    cli.store(
        article(datetime(2025, 2, 9, 23, 30, tzinfo=NEW_YORK)),  # a Monday in UTC
        article(datetime(2025, 2, 10, 1, tzinfo=ALMATY)),  # a Sunday in UTC
        article(datetime(2024, 12, 30, 8, tzinfo=UTC)),  # the Monday of 2025's first week
        article(datetime(2024, 12, 29, 8, tzinfo=UTC)),
    )
    got = cli.json("--by", "week", "--split", "none", "--since", "2024-12-29")
    totals = {p["period"]: p["total"] for p in got["periods"]}
    assert totals["2024-W52"] == totals["2025-W01"] == 1
    assert (totals["2025-W06"], totals["2025-W07"]) == (1, 1)
    assert len(totals) == 8 and sum(totals.values()) == 4  # the empty weeks between are 0
    assert got["periods"][0]["first_day"] == got["periods"][0]["last_day"] == "2024-12-29"


def test_an_empty_month_between_two_is_shown_as_zero(cli: Cli):
    cli.store(article(datetime(2025, 1, 5, tzinfo=UTC)), article(datetime(2025, 3, 5, tzinfo=UTC)))
    rows = _table(cli().stdout)
    months = [rows[m] for m in ("2025-01", "2025-02", "2025-03")]
    assert months == [["1", "1"], ["0", "0"], ["1", "1"]]


def test_only_relevant_articles_count_unless_all(cli: Cli):
    day = datetime(2025, 5, 5, tzinfo=UTC)
    cli.store(article(day), article(day, relevance=OTHER))
    assert (cli.json()["total"], cli.json("--all")["total"]) == (1, 2)


def test_the_csv_has_every_value_and_the_tables_totals(cli: Cli):
    june, july = datetime(2025, 6, 3, tzinfo=UTC), datetime(2025, 7, 9, tzinfo=UTC)
    cli.store(
        *[article(june, "KZ") for _ in range(3)], *[article(july, "RU") for _ in range(2)],
        article(june, "US"), article(july, "DE"), article(july, None),
    )  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(cli("--csv").stdout)))
    table = _table(cli("--top", "2").stdout)
    assert [r["period"] for r in rows] == ["2025-06", "2025-07"]
    assert set(rows[0]) == {"period", "first_day", "last_day", "total", "Kazakhstan", "Russia",
                            "United States", "Germany", "unknown"}  # fmt: skip
    for row in rows:
        assert int(row["total"]) == int(table[row["period"]][-1])
        values = [v for k, v in row.items() if k not in ("period", "first_day", "last_day")]
        assert sum(map(int, values[:-1])) == int(row["total"])
    assert table["total"][-1] == "8"


def test_top_folds_the_rest_into_other(cli: Cli):
    day = datetime(2025, 6, 3, tzinfo=UTC)
    cli.store(*[article(day, "KZ") for _ in range(3)], *[article(day, "RU") for _ in range(2)],
              article(day, "US"), article(day, "DE"))  # fmt: skip
    rows = _table(cli("--top", "2").stdout)
    assert rows["month"] == ["Kazakhstan", "Russia", "other", "total"]
    assert rows["2025-06"] == ["3", "2", "2", "7"]
    assert "other" not in cli("--csv").stdout


def test_an_article_with_two_themes_counts_under_each_and_once_in_the_total(cli: Cli):
    day = datetime(2025, 6, 3, tzinfo=UTC)
    cli.store(article(day, themes=("energy", "politics")), article(day, themes=("energy",)),
              article(day))  # fmt: skip
    result = cli("--split", "theme", "--json")
    got = json.loads(result.stdout)
    assert got["totals"] == {"energy": 2, "politics": 1, "unthemed": 1}
    assert got["total"] == 3
    assert "counts under each" in got["note"] and "counts under each" in result.stderr


@pytest.mark.parametrize("split", ["language", "outlet"])
def test_language_and_outlet_splits(cli: Cli, split: str):
    day = datetime(2025, 6, 3, tzinfo=UTC)
    cli.store(article(day, language="ru", outlet="Vedomosti"), article(day))
    want = {"language": {"en": 1, "ru": 1}, "outlet": {"Daily": 1, "Vedomosti": 1}}[split]
    assert cli.json("--split", split, "--by", "year")["totals"] == want


@pytest.mark.parametrize("suffix", ["svg", "png"])
def test_the_plot_is_written(cli: Cli, tmp_path: Path, suffix: str):
    cli.store(article(datetime(2025, 6, 3, tzinfo=UTC)), article(datetime(2025, 8, 3, tzinfo=UTC)))
    chart = tmp_path / f"chart.{suffix}"
    cli("--plot", str(chart))
    body = chart.read_bytes()
    assert body.startswith(b"\x89PNG") if suffix == "png" else b"<svg" in body


def test_an_empty_store_says_so(cli: Cli):
    result = cli()
    assert "no relevant articles in the store" in result.stderr
    assert cli.json()["periods"] == []


def test_an_empty_period_says_so_and_shows_its_zeros(cli: Cli):
    cli.store(article(datetime(2025, 6, 3, tzinfo=UTC)))
    result = cli("--since", "2024-01-01", "--until", "2024-03-31")
    assert "no relevant articles from 2024-01-01 to 2024-03-31" in result.stderr
    got = cli.json("--since", "2024-01-01", "--until", "2024-03-31")
    assert [p["total"] for p in got["periods"]] == [0, 0, 0]


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--by", "fortnight"], "--by"),
        (["--split", "weather"], "--split"),
        (["--since", "2025-02-30"], "--since"),
        (["--since", "2025-03-01", "--until", "2025-02-01"], "--since 2025-03-01 is after"),
        (["--plot", "chart.pdf"], "FILE.svg or FILE.png"),
        (["--csv", "--json"], "not both"),
    ],
)
def test_bad_options_are_named_and_exit_2(cli: Cli, args: list[str], named: str):
    result = cli(*args, code=2)
    assert named in result.stderr


def test_csv_to_a_file(cli: Cli, tmp_path: Path):
    cli.store(article(datetime(2025, 6, 3, tzinfo=UTC)))
    cli("--csv", "--out", str(tmp_path / "cov.csv"))
    assert (tmp_path / "cov.csv").read_text().splitlines()[1].startswith("2025-06,2025-06-01,")


def test_the_count_is_one_grouped_query_not_a_read_of_the_articles(cli: Cli):
    """The rows read back are one per period and value, whatever the store holds."""
    from mediadigest.cli.coverage import By, Split
    from mediadigest.cli.coverage import count as count_coverage

    day = datetime(2025, 6, 3, tzinfo=UTC)
    cli.store(*[article(day + timedelta(hours=i)) for i in range(30)])
    engine = store.open_store(cli.url)
    rows_read = []
    sa.event.listen(engine, "after_cursor_execute", lambda *a: rows_read.append(a[2]))
    with engine.connect() as conn:
        cov = count_coverage(conn, By.month, Split.country)
    engine.dispose()
    assert cov.totals == [30]
    assert len(rows_read) == 1 and "GROUP BY" in rows_read[0]
