"""`mediadigest coverage`: how many articles per day, week, month or year, by country,
language, outlet or theme, as a table, CSV, JSON or a stacked bar chart.

The store counts (GROUP BY on the period and the split): the command reads back one row per
period and value, never the articles, so a store of a million articles costs one query.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import sqlalchemy as sa
import typer
from rich.markup import escape
from rich.table import Table

from mediadigest.cli.app import From, To, days, out, reading_store, say, settings_of, write_out
from mediadigest.errors import MediadigestError
from mediadigest.store import repository
from mediadigest.store import schema as t
from mediadigest.targets import refuse_store_target


class By(StrEnum):
    day = "day"
    week = "week"
    month = "month"
    year = "year"


class Split(StrEnum):
    country = "country"
    language = "language"
    outlet = "outlet"
    theme = "theme"
    none = "none"


THEMES_NOTE = (
    "an article with several themes counts under each: the themes add up to more than "
    "the total, which counts each article once"
)
# Colours after the week page's six, for a --top above six ("other" keeps its grey).
_MORE_COLOURS = ["#8c564b", "#e377c2", "#17becf", "#bcbd22", "#2ca02c", "#ff7f0e"]
UNKNOWN = {Split.theme: "unthemed"}  # what a missing value is called; "unknown" elsewhere


@dataclass(slots=True)
class Coverage:
    """Articles per period (``starts``: the first day of each, every period from the first
    to the last, an empty one too) per value of the split."""

    by: By
    split: Split
    relevant_only: bool
    since: date | None
    until: date | None
    starts: list[date] = field(default_factory=list)
    counts: dict[str, list[int]] = field(default_factory=dict)
    totals: list[int] = field(default_factory=list)  # articles, each once

    @property
    def total(self) -> int:
        return sum(self.totals)

    def labels(self) -> list[str]:
        """The split's values, most articles first."""
        return sorted(self.counts, key=lambda k: (-sum(self.counts[k]), k))

    def bounds(self, i: int) -> tuple[date, date]:
        """The first and last day of period ``i``, within --since and --until."""
        start, end = self.starts[i], _next(self.starts[i], self.by) - timedelta(days=1)
        return max(start, self.since or start), min(end, self.until or end)


def count(
    conn: sa.Connection,
    by: By,
    split: Split,
    since: date | None = None,
    until: date | None = None,
    relevant_only: bool = True,
) -> Coverage:
    """Count the articles (relevant ones unless not ``relevant_only``) of ``since`` to
    ``until`` (inclusive days, either open) per ``by`` and per value of ``split``.

    A page captured again counts once (`repository.newest_capture`), as the week page, the
    article list and search count it. Days are the outlet's own (``dated``).
    """
    a = t.articles
    clauses: list[sa.ColumnElement[bool]] = []
    if relevant_only:
        clauses.append(a.c.relevant.is_(True))
    if since is not None:
        clauses.append(a.c.dated >= datetime.combine(since, time.min))
    if until is not None:
        clauses.append(a.c.dated < datetime.combine(until + timedelta(days=1), time.min))
    where = [*clauses, repository.newest_capture(clauses)]
    bucket = _bucket(conn.dialect.name, by, a.c.dated).label("bucket")
    cov = Coverage(by, split, relevant_only, since, until)
    per_value: dict[tuple[date, str], int] = defaultdict(int)
    per_bucket: dict[date, int] = defaultdict(int)
    if split is not Split.none:
        value, source = _split_column(split)
        stmt = (
            sa.select(bucket, value.label("value"), sa.func.count().label("n"))
            .select_from(source)
            .where(*where)
            .group_by(bucket, value)
        )
        for row in conn.execute(stmt):
            per_value[row.bucket, _label(split, row.value)] += row.n
            if split is not Split.theme:
                per_bucket[row.bucket] += row.n
    if split in (Split.theme, Split.none):  # each article once, whatever its themes
        stmt = sa.select(bucket, sa.func.count().label("n")).where(*where).group_by(bucket)
        for row in conn.execute(stmt):
            per_bucket[row.bucket] += row.n
    if not per_bucket and (since is None or until is None):
        return cov  # an open end and nothing found: no period to lay out
    first = _start(since, by) if since else min(per_bucket)
    last = _start(until, by) if until else max(per_bucket)
    day = first
    while day <= last:
        cov.starts.append(day)
        day = _next(day, by)
    index = {d: i for i, d in enumerate(cov.starts)}
    for (day, label), n in per_value.items():
        cov.counts.setdefault(label, [0] * len(cov.starts))[index[day]] += n
    cov.totals = [per_bucket.get(d, 0) for d in cov.starts]
    return cov


def _bucket(dialect: str, by: By, column: sa.ColumnElement[Any]) -> sa.ColumnElement[date]:
    """The first day of the period ``column`` falls in, as a date.

    The unit and modifiers are SQL literals, not parameters: PostgreSQL takes
    ``date_trunc($1, dated)`` in the select list and ``date_trunc($2, dated)`` in GROUP BY
    for two expressions, and refuses the query.
    """
    if dialect == "postgresql":  # date_trunc's week is ISO's, Monday to Sunday
        return sa.cast(sa.func.date_trunc(sa.literal_column(f"'{by}'"), column), sa.Date)
    # SQLite: 'weekday 0' moves on to the Sunday ending the ISO week, six days back is Monday.
    modifiers = {
        By.day: (),
        By.week: ("weekday 0", "-6 days"),
        By.month: ("start of month",),
        By.year: ("start of year",),
    }[by]
    literals = [sa.literal_column(f"'{m}'") for m in modifiers]
    return sa.type_coerce(sa.func.date(column, *literals), sa.Date)


def _split_column(split: Split) -> tuple[sa.ColumnElement[Any], sa.FromClause]:
    a = t.articles
    if split is Split.theme:
        # The stored per-article themes, one row each: an article counts under each theme.
        th = t.article_themes
        return th.c.theme, a.outerjoin(th, th.c.article_id == a.c.id)
    column = {Split.country: a.c.outlet_country, Split.language: a.c.language}
    return column.get(split, a.c.outlet), a


def _label(split: Split, value: str | None) -> str:
    if split is Split.country:
        # The week page's names (imported here: the CLI starts without the web modules).
        from mediadigest.web.coverage import _country

        return _country(value)  # the week page's names: "Kazakhstan", "unknown"
    return value or UNKNOWN.get(split, "unknown")


def _start(day: date, by: By) -> date:
    if by is By.week:
        return day - timedelta(days=day.weekday())
    if by is By.month:
        return day.replace(day=1)
    if by is By.year:
        return day.replace(month=1, day=1)
    return day


def _next(start: date, by: By) -> date:
    if by is By.day:
        return start + timedelta(days=1)
    if by is By.week:
        return start + timedelta(days=7)
    if by is By.month:
        return date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return date(start.year + 1, 1, 1)


def period_label(start: date, by: By) -> str:
    """2025-02-10, 2025-W07 (ISO), 2025-02, 2025."""
    if by is By.week:
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    return {By.day: start.isoformat(), By.month: start.strftime("%Y-%m")}.get(
        by, f"{start.year:04d}"
    )


def folded(cov: Coverage, top: int) -> dict[str, list[int]]:
    """The ``top`` values by total, the rest summed as "other"."""
    labels = cov.labels()
    shown = {k: cov.counts[k] for k in labels[:top]}
    rest = labels[top:]
    if rest:
        shown["other"] = [sum(cov.counts[k][i] for k in rest) for i in range(len(cov.starts))]
    return shown


# -- the command -------------------------------------------------------------------------


def coverage(
    ctx: typer.Context,
    by: Annotated[By, typer.Option(help="One row per day, ISO week, month or year.")] = By.month,
    split: Annotated[
        Split,
        typer.Option(help="Columns: the outlets' countries, languages, outlets, themes, none."),
    ] = Split.country,
    since: From = None,
    until: To = None,
    all_: Annotated[
        bool, typer.Option("--all", help="Every article, not only the relevant ones.")
    ] = False,
    top: Annotated[
        int, typer.Option(min=1, help="Columns of the table and chart; the rest as 'other'.")
    ] = 8,
    as_csv: Annotated[
        bool, typer.Option("--csv", help="CSV: every value of the split, a header row.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON for machines.")] = False,
    out_file: Annotated[
        Path | None, typer.Option("--out", metavar="FILE", help="Write the CSV or JSON to FILE.")
    ] = None,
    plot: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="Write a stacked bar chart to FILE.svg or FILE.png."),
    ] = None,
) -> None:
    """Count articles (relevant ones unless --all) per period, by country, language, outlet
    or theme (default: the whole store, per month, by the outlets' countries)."""
    from mediadigest.stories import persist as story_store

    first, last = days(since, until)
    if as_csv and as_json:
        raise typer.BadParameter("give --csv or --json, not both", param_hint="--json")
    if out_file is not None and not (as_csv or as_json):
        raise typer.BadParameter("--out writes the --csv or --json output", param_hint="--out")
    if plot is not None and plot.suffix.lower() not in (".svg", ".png"):
        raise typer.BadParameter(f"{plot}: a chart is FILE.svg or FILE.png", param_hint="--plot")
    settings = settings_of(ctx)
    engine = reading_store(settings)
    with engine.connect() as conn:
        # Relevance is that of the profile that ingested the articles.
        story_store.require_profile(conn, settings.profile.name)
        cov = count(conn, by, split, first, last, relevant_only=not all_)
    if cov.total == 0:
        say(f"no {_what(cov)} {_span(cov)}", "note")
    elif split is Split.theme:
        say(THEMES_NOTE, "note")
    if as_csv or as_json:
        body = to_csv(cov) if as_csv else json.dumps(to_dict(cov), ensure_ascii=False, indent=2)
        if out_file is None:
            write_out(body if body.endswith("\n") else body + "\n")
        else:
            _write(out_file, body.encode("utf-8"))
    elif cov.total:
        out.print(to_table(cov, top))
    if plot is not None:
        _write(plot, chart(cov, top, plot.suffix.lower().lstrip(".")))


def _what(cov: Coverage) -> str:
    return "relevant articles" if cov.relevant_only else "articles"


def _title(cov: Coverage) -> str:
    split = f" by {cov.split}" if cov.split is not Split.none else ""
    return f"{_what(cov)} per {cov.by}{split}"


def _span(cov: Coverage) -> str:
    if cov.since and cov.until:
        return f"from {cov.since} to {cov.until}"
    if cov.since or cov.until:
        return f"since {cov.since}" if cov.since else f"until {cov.until}"
    return "in the store" + ("" if not cov.relevant_only else " (--all counts every article)")


def to_table(cov: Coverage, top: int) -> Table:
    """Periods down, the ``top`` values across (the rest as "other"), a total of each."""
    columns = folded(cov, top)
    table = Table(title=_title(cov), show_footer=True)
    table.add_column(cov.by, footer="total")
    for label, values in columns.items():
        table.add_column(escape(label), footer=str(sum(values)), justify="right")
    table.add_column("total", footer=str(cov.total), justify="right")
    for i, start in enumerate(cov.starts):
        cells = [str(values[i]) for values in columns.values()]
        table.add_row(period_label(start, cov.by), *cells, str(cov.totals[i]))
    return table


def to_dict(cov: Coverage) -> dict[str, Any]:
    """The JSON shape of ``coverage --json``: every value of the split, none folded."""
    labels = cov.labels()
    return {
        "by": str(cov.by),
        "split": str(cov.split),
        "relevant_only": cov.relevant_only,
        "since": cov.since.isoformat() if cov.since else None,
        "until": cov.until.isoformat() if cov.until else None,
        "periods": [
            {
                "period": period_label(start, cov.by),
                "first_day": cov.bounds(i)[0].isoformat(),
                "last_day": cov.bounds(i)[1].isoformat(),
                "counts": {k: cov.counts[k][i] for k in labels if cov.counts[k][i]},
                "total": cov.totals[i],
            }
            for i, start in enumerate(cov.starts)
        ],
        "totals": {k: sum(cov.counts[k]) for k in labels},
        "total": cov.total,
        "note": THEMES_NOTE if cov.split is Split.theme else None,
    }


def to_csv(cov: Coverage) -> str:
    """One row per period: its first and last day, every value of the split, the total."""
    labels = cov.labels()
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["period", "first_day", "last_day", *labels, "total"])
    for i, start in enumerate(cov.starts):
        first, last = cov.bounds(i)
        counts = [cov.counts[k][i] for k in labels]
        writer.writerow([period_label(start, cov.by), first, last, *counts, cov.totals[i]])
    return buf.getvalue()


def chart(cov: Coverage, top: int, fmt: str) -> bytes:
    """A stacked bar per period of the ``top`` values (the rest as "other"), in the week
    page's look; ``fmt``: ``svg`` or ``png``."""
    # The week page's look and its care: matplotlib's state is process-wide.
    from mediadigest.web.coverage import _PALETTE, _draw_lock, _figure, _svg

    colours, grey = [*_PALETTE[:-1], *_MORE_COLOURS], _PALETTE[-1]
    labels = [period_label(s, cov.by) for s in cov.starts]
    series = folded(cov, top) if cov.split is not Split.none else {"articles": cov.totals}
    with _draw_lock:
        fig = _figure()
        # A bar of at least a few points each, up to a page's width; the labels thinned.
        width = min(16.0, max(6.4, 1.5 + 0.22 * len(labels)))
        fig.set_size_inches(width, 3.2)
        ax = fig.add_subplot()
        positions = list(range(len(labels)))
        bottom = [0] * len(labels)
        for i, (name, values) in enumerate(series.items()):
            color = grey if name == "other" else colours[i % len(colours)]
            ax.bar(positions, values, bottom=bottom, label=name, color=color, width=0.8)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        step = max(1, -(-len(labels) // 24))
        # About 12 characters of 9 pt text to an inch, the legend's two inches aside.
        crowded = len(labels[::step]) * max(map(len, labels), default=0) > (width - 2.2) * 12
        slanted = {"rotation": 45, "ha": "right"} if crowded else {}
        ax.set_xticks(positions[::step], labels[::step], **slanted)
        ax.set_xlim(-0.5, max(len(labels), 1) - 0.5)
        ax.set_title(_title(cov), loc="left")
        ax.set_ylabel(_what(cov))
        ax.yaxis.get_major_locator().set_params(integer=True)
        if cov.total:
            ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8)
        else:
            ax.set_yticks([0])
            ax.text(0.5, 0.5, "no articles", ha="center", va="center", transform=ax.transAxes)
        if fmt == "svg":
            return _svg(fig)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=150, metadata={"Software": "mediadigest"})
        return buf.getvalue()


def _write(path: Path, body: bytes) -> None:
    """``body`` to ``path``, whole or not at all (a failure leaves no temporary file); never
    over a store. Readable as any file the user writes (not 0600: a chart is to share)."""
    refuse_store_target(path)
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_bytes(body)
        tmp.replace(path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise MediadigestError(f"{path}: cannot write ({exc.strerror or exc})") from exc
