"""Drivers, the single writer: what a run did, and storing analysed documents in transactions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from mediadigest import store
from mediadigest.analyse import analyse
from mediadigest.errors import InputError, StoreDamaged, StoreError
from mediadigest.model import Article, Document
from mediadigest.profile import Profile
from mediadigest.store.engine import full_disk
from mediadigest.write.style import counted

_LINE = re.compile(r":\d+$")  # an ingest's JSONL line: "path:12"
_UNITS = ("source", "sitemap", "page", "file", "record", "document")  # the summary's order


@dataclass(slots=True)
class RunReport:
    """What a command did; ``errors`` are one line each, naming the input and the problem."""

    documents: int = 0
    # What failed, by unit (source, sitemap, page, file, record, document): "(4 failed)"
    # read as four documents where it was four lines of a JSONL file, or two feeds.
    failed: dict[str, int] = field(default_factory=dict)
    articles: int = 0
    relevant: int = 0
    already_stored: int = 0
    records: int = 0  # archive records read
    pages: int = 0  # of them, responses that may be pages (the rest: skipped_records)
    prefiltered: int = 0  # pages the prefilter ruled out before parsing
    skipped_records: dict[str, int] = field(default_factory=dict)  # the rest, by why
    skipped_inputs: int = 0  # inputs a checkpoint says are done
    resumed: list[tuple[str, int, int]] = field(default_factory=list)  # (input, at byte, of)
    changed_inputs: list[str] = field(default_factory=list)  # read again: changed since
    not_modified: int = 0  # sources that answered 304
    sources_read: int = 0  # sources that answered (304s included); failed ones are not
    nothing_new: int = 0  # of them, answered 200 and listed nothing new
    shared_pages: int = 0  # items whose page is stored (or fetched) for another source
    paused: int = 0  # sources left out: paused by an editor (`sources pause`)
    backing_off: int = 0  # sources left out: failed repeatedly, not yet due
    days: set[date] = field(default_factory=set)  # of the articles about the country stored
    stories: str = ""  # what grouping them into stories did
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # by phase (start, work, stop: wall clock) and task_cpu: CPU seconds in the workers
    seconds: dict[str, float] = field(default_factory=dict)

    def error(self, exc: InputError, unit: str | None = None) -> None:
        """Record a failure, counted by ``unit``; without one, an ingest's: a JSONL line
        (``path:line``) is a record, anything else the file."""
        unit = unit or ("record" if _LINE.search(exc.source) else "file")
        self.failed[unit] = self.failed.get(unit, 0) + 1
        self.errors.append(str(exc))

    @property
    def ok(self) -> bool:
        return not self.errors

    def add_stored(self, other: RunReport) -> None:
        """Take in what ``store_analysed`` counted in ``other``, once its transaction has
        committed: counted as it went, a Ctrl-C or a lost database that rolled the transaction
        back left "interrupted: 149 articles stored" over a store of 141."""
        self.documents += other.documents
        for unit, n in other.failed.items():
            self.failed[unit] = self.failed.get(unit, 0) + n
        self.articles += other.articles
        self.relevant += other.relevant
        self.already_stored += other.already_stored
        self.days |= other.days
        self.errors += other.errors
        self.warnings += other.warnings

    def summary(self) -> str:
        # "of them": a re-run's "0 relevant" read as if the 18 already stored were not.
        relevant = f", {self.relevant} of them relevant" if self.articles else ""
        parts = [
            f"collected {counted(self.documents, 'document')}, "
            f"{counted(self.articles, 'new article')} ({self.already_stored} already stored)"
            f"{relevant}"
        ]
        if self.failed:  # each unit said: "(2 failed)" read as documents whatever failed
            units = sorted(self.failed, key=lambda u: (_UNITS.index(u) if u in _UNITS else 9, u))
            parts.append(", ".join(counted(self.failed[u], u) for u in units) + " failed")
        if self.records:
            parts.append(self._records())
        if self.skipped_inputs:
            parts.append(f"{counted(self.skipped_inputs, 'input')} already ingested")
        if self.sources_read or self.not_modified:
            parts.append(self._sources())
        if self.shared_pages:
            parts.append(f"{counted(self.shared_pages, 'item')} already stored for another source")
        if self.backing_off:
            parts.append(f"{counted(self.backing_off, 'source')} backing off")
        if self.paused:
            parts.append(f"{counted(self.paused, 'paused source')} skipped")
        if self.stories:
            parts.append(self.stories)
        return "; ".join(parts)

    def _sources(self) -> str:
        """``4 sources read: 2 unchanged (304), 1 with nothing new``: with the failed and
        left-out ones, every source of the run is counted (a 200 with nothing new was not)."""
        read = max(self.sources_read, self.not_modified)
        pairs = ((self.not_modified, "unchanged (304)"), (self.nothing_new, "with nothing new"))
        how = [f"{n} {what}" for n, what in pairs if n]
        return f"{counted(read, 'source')} read" + (f": {', '.join(how)}" if how else "")

    def _records(self) -> str:
        """``955 archive records: 318 pages (300 ruled out unread), 637 skipped (318 request,
        318 metadata, 1 warcinfo)``: what became of every record read."""
        text = (f"{counted(self.records, 'archive record')}: {counted(self.pages, 'page')} "
                f"({self.prefiltered} ruled out unread)")  # fmt: skip
        skipped = sum(self.skipped_records.values())
        if skipped:
            by_count = sorted(self.skipped_records.items(), key=lambda kv: (-kv[1], kv[0]))
            text += f", {skipped} skipped ({', '.join(f'{n} {why}' for why, n in by_count)})"
        return text


@dataclass(slots=True)
class Analysed:
    doc: Document
    articles: list[Article]
    error: InputError | None = None


def analyse_batch(docs: list[Document], profile: Profile) -> list[Analysed]:
    """Analyse a batch; errors stay per document. Module-level so process pools can pickle it."""
    out = []
    for doc in docs:
        try:
            out.append(Analysed(doc, analyse(doc, profile)))
        except InputError as exc:
            out.append(Analysed(doc, [], exc))
    return out


def group(engine: sa.Engine, profile: Profile, report: RunReport) -> None:
    """The group stage after a run: its articles join or start stories (``stories.update``).

    Also after a run that stored nothing because its inputs were already ingested: one
    stopped while grouping is re-run so, and only grouping is left to do (`update_days`
    finds the days no story holds yet; with none, that is one query).
    """
    if not report.days and not report.skipped_inputs:
        return
    from mediadigest.stories import grouping  # scikit-learn: only runs that may group something

    # The engine: each window is committed as it is grouped (an import of years of articles
    # held every other writer off until its last window was grouped).
    done = grouping.update_days(engine, profile, report.days)
    if done.articles:
        report.stories = done.summary()


# What a statement raises when the store fails under a run: the database gone away (a
# restart, the network) or the store damaged (a table dropped: SQLite's OperationalError,
# PostgreSQL's ProgrammingError).
STORE_FAILURES = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.ProgrammingError)


def store_failure(exc: sa.exc.DBAPIError) -> StoreError:
    """The run's error for a failed statement, on one line: `StoreDamaged` where running again
    would fail the same way ("no such table"), else a `StoreError` that the store is
    unavailable (what is stored is whole; run again, or the next round, once it is back)."""
    if store.unavailable_reason(exc) is None:
        return StoreDamaged(
            f"the store failed ({first_line(exc)}); `mediadigest db check` says whether its "
            "schema is whole"
        )
    return StoreError(unavailable(exc))


def unavailable(exc: sa.exc.DBAPIError) -> str:
    """``the store is unavailable (REASON)`` on one line, for a database gone away midway;
    a full disk is said as every command says it (`store.engine.no_space`)."""
    if full := full_disk(exc):
        return full
    return f"the store is unavailable ({store.unavailable_reason(exc) or first_line(exc)})"


def first_line(exc: sa.exc.DBAPIError) -> str:
    """The driver's message, its first line (SQLAlchemy's text adds the SQL and a link)."""
    orig = getattr(exc, "orig", None) or exc
    return str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__


def store_analysed(
    conn: sa.Connection, result: Analysed, report: RunReport, source_id: int | None = None
) -> None:
    """The one writer: document, articles and the seen mark go in one transaction."""
    report.documents += 1
    if warning := result.doc.hints.get("warning"):
        report.warnings.append(f"{result.doc.hints.get('source', result.doc.url)}: {warning}")
    for art in result.articles:
        report.warnings.extend(f"{art.url}: {w}" for w in art.warnings)
    if result.error is not None:
        report.error(result.error, "document")
    else:
        doc_id = store.save_document(conn, result.doc)
        added = store.save_articles(
            conn, result.articles, document_id=doc_id, fetched_at=result.doc.fetched_at
        )
        report.articles += added
        report.already_stored += len(result.articles) - added
        if added:
            report.relevant += sum(a.relevance.relevant for a in result.articles)
        # Also for articles stored before: a run stopped before grouping them is made good.
        report.days.update(
            a.dated.date() for a in result.articles if a.dated and a.relevance.score > 0
        )
    key = result.doc.hints.get("item_key")
    if source_id is not None and key:
        store.mark_seen(conn, source_id, [key])
