"""Search results as CSV rows for a researcher's spreadsheet: `search --csv`, the archive
page's download and the API's ``format=csv`` write the same columns through this module."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC
from itertools import islice
from typing import IO, Any

import sqlalchemy as sa

from mediadigest.model import Grade, Relevance, Theme, as_given
from mediadigest.store import schema as t
from mediadigest.store.search import MARK, SearchHit

COLUMNS = (
    "id",
    "published",
    "outlet",
    "outlet_country",
    "language",
    "title",
    "url",
    "author",
    "kind",
    "themes",
    "relevance_score",
    "why",
    "snippet",
)
# Hits whose other columns (author, kind, themes, relevance) are read in one statement.
BATCH = 500
# What a spreadsheet reads as a formula (or, for tab and CR, a cell a formula can hide
# behind): a title is a hostile web page's to choose ("=HYPERLINK(…)"). OWASP's list.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
NAMES_SHOWN = 3  # names a why-matched line lists; the rest are counted


def why(rel: Relevance) -> str:
    """Why an article is listed as relevant (the names that matched) or left out, in a line.

    Left out, from what relevance stored with it (``reasons``, written by
    ``analyse.relevance.score``): phrases the profile's ``exclude`` ruled out, the grade and
    its rule (a passing mention, only ambiguous names, no name at all) with the names found,
    and the score against the threshold. An article stored without reasons says so.
    """
    shown = rel.hits[:NAMES_SHOWN]
    names = ", ".join(f"{h.alias} ({h.field} ×{h.count})" for h in shown)
    if len(rel.hits) > NAMES_SHOWN:  # a cut list must not read as every name found
        names += f" and {len(rel.hits) - NAMES_SHOWN} more"
    listed = {repr(h.alias) for h in shown}
    ruled_out = [r.removeprefix("ignored ") for r in rel.reasons if r.startswith("ignored ")]
    if rel.relevant:
        # What lowered or qualified the score is said here as in --json: a relevant article
        # with an ambiguous name counted at 40% read as if every name counted in full.
        # Only of names the line lists: "Astana is ambiguous" after a list without Astana
        # explained a name the reader was not shown.
        ambiguous = [
            r for r in rel.reasons if " is ambiguous (" in r and r.split(" (", 1)[0] in listed
        ]
        ruled = [f"ruled out: {', '.join(ruled_out)}"] if ruled_out else []
        return "; ".join(p for p in [names, *ambiguous, *ruled] if p)
    grade = next((r.removeprefix("grade ") for r in rel.reasons if r.startswith("grade ")), "")
    grade = "{} ({})".format(*grade.split(": ", 1)) if ": " in grade else grade
    scored = next((r for r in rel.reasons if r.startswith("score ")), "")
    parts = [f"ruled out: {', '.join(ruled_out)}"] if ruled_out else []
    if rel.grade is Grade.NONE and not rel.hits:
        parts.append("nothing else names the country" if ruled_out else "the country is not named")
    elif grade:
        parts += [f"{grade}: {names}" if names else grade, scored]
    else:  # stored before relevance kept its reasons, or imported without them
        found = f": {names}" if names else ""
        parts.append(f"{rel.grade}{found}, score {rel.score:.2f} (no reasons stored)")
    return "; ".join(p for p in parts if p)


@dataclass(slots=True)
class _Detail:
    """What a row needs of an article beyond its search hit."""

    author: str | None = None
    kind: str = ""
    themes: list[str] = field(default_factory=list)
    relevance: Relevance | None = None


def _details(conn: sa.Connection, ids: Sequence[int]) -> dict[int, _Detail]:
    a = t.articles
    stmt = sa.select(a.c.id, a.c.author, a.c.kind, a.c.themes, a.c.relevance).where(a.c.id.in_(ids))
    return {
        r["id"]: _Detail(
            r["author"],
            r["kind"] or "news",
            [Theme.from_dict(th).name for th in r["themes"] or []],
            Relevance.from_dict(r["relevance"]),
        )
        for r in conn.execute(stmt).mappings()
    }


def _published(hit: SearchHit) -> str:
    """When, on the outlet's clock with its offset, or UTC's stated where it gave none (as the
    API states it): a spreadsheet cannot tell a bare time's zone."""
    given = as_given(hit.published, hit.published_offset)
    if given is None:
        return ""
    return (given if given.tzinfo else given.replace(tzinfo=UTC)).isoformat()


def plain(snippet: str) -> str:
    """A search snippet without its ``**word**`` marks (see `store.search.MARK`)."""
    return snippet.replace(MARK[0], "").replace(MARK[1], "")


def rows(
    conn: sa.Connection,
    hits: Iterable[SearchHit],
    url: Callable[[str], str] = str,
) -> Iterator[list[Any]]:
    """A row of `COLUMNS` per hit, in order; the hits' other columns read ``BATCH`` at a time,
    so no more than a batch is held beyond what ``hits`` holds. ``url``: the link as the
    reader may be shown it (a viewer is not shown a secret; see the archive's route)."""
    it = iter(hits)
    while batch := list(islice(it, BATCH)):
        found = _details(conn, [h.id for h in batch])
        for h in batch:
            # An article purged between the search and this read keeps its hit's columns.
            d = found.get(h.id, _Detail())
            rel = d.relevance
            yield [
                h.id,
                _published(h),
                h.outlet or "",
                h.outlet_country or "",
                h.language or "",
                h.title,
                url(h.url),
                d.author or "",
                d.kind,
                "; ".join(d.themes),
                round(rel.score, 3) if rel else "",
                why(rel) if rel else "",
                plain(h.snippet),
            ]


def safe(value: Any) -> Any:
    """``value`` as a spreadsheet may open it: text that would start a formula gets a
    leading apostrophe, which spreadsheets show as text and do not display."""
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


class Writer:
    """CSV to ``fp`` (opened with ``newline=""``): the header row, then rows, every cell
    through `safe`. ``lineterminator``: "\\n" for files and pipes (as `coverage --csv`),
    "\\r\\n" for text/csv over HTTP (RFC 4180).

    A row's every text cell is quoted, its numbers (id, relevance_score) are not, so that a
    spreadsheet still reads them as numbers: ``pandas.read_csv(..., comment="#")`` takes a
    "#" in an unquoted cell for a comment's start and cuts the row there (a title "#1
    exporter", an address ending ``#comments``); inside quotes it is text."""

    def __init__(self, fp: IO[str], lineterminator: str = "\n") -> None:
        self._fp, self._end = fp, lineterminator
        # The header's names are plain words: written unquoted, as before.
        csv.writer(fp, lineterminator=lineterminator).writerow(COLUMNS)
        self._csv = csv.writer(fp, lineterminator=lineterminator, quoting=csv.QUOTE_NONNUMERIC)

    def row(self, values: Iterable[Any]) -> None:
        self._csv.writerow([safe(v) for v in values])

    def note(self, text: str) -> None:
        """A last line saying what the rows leave out, starting with "#": a comment to
        ``pandas.read_csv(..., comment="#")`` (the only unquoted "#" in the file: see the
        class), one cell to a spreadsheet. Written as is (the csv module would quote it, and
        the quote hid the "#"), so ``text`` has no comma."""
        if "," in text or "\n" in text or '"' in text:
            raise ValueError(f"a note is one plain cell: {text!r}")
        self._fp.write(f"# {text}{self._end}")
