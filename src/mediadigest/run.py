"""Drivers: stream documents through the pure analyse stage and hand results to one writer."""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

import sqlalchemy as sa

from mediadigest import store
from mediadigest.analyse import analyse
from mediadigest.collect import feeds, files
from mediadigest.collect.fetch import Fetcher
from mediadigest.errors import InputError
from mediadigest.model import Article, Document, Source
from mediadigest.profile import Profile

log = logging.getLogger(__name__)

BATCH = 64  # documents per analyse task and per write transaction
Progress = Callable[[int], None]


@dataclass(slots=True)
class RunReport:
    """What a command did; ``errors`` are one line each, naming the input and the problem."""

    documents: int = 0
    failed: int = 0
    articles: int = 0
    relevant: int = 0
    already_stored: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def error(self, exc: InputError) -> None:
        self.failed += 1
        self.errors.append(str(exc))

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        return (
            f"collected {self.documents} documents ({self.failed} failed), "
            f"{self.articles} new articles ({self.already_stored} already stored), "
            f"{self.relevant} relevant"
        )


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


def _bounded_map(
    executor: Executor | None, docs: Iterable[Document], profile: Profile, window: int
) -> Iterator[Analysed]:
    """Executor.map over batches with at most ``window`` in flight, so memory stays bounded."""
    iter_docs = iter(docs)
    batches = iter(lambda: list(islice(iter_docs, BATCH)), [])
    if executor is None:
        for batch in batches:
            yield from analyse_batch(batch, profile)
        return
    pending: deque[Future[list[Analysed]]] = deque()
    for batch in batches:
        pending.append(executor.submit(analyse_batch, batch, profile))
        if len(pending) >= window:
            yield from pending.popleft().result()
    while pending:
        yield from pending.popleft().result()


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
        report.error(result.error)
    else:
        doc_id = store.save_document(conn, result.doc)
        added = store.save_articles(conn, result.articles, document_id=doc_id)
        report.articles += added
        report.already_stored += len(result.articles) - added
        if added:
            report.relevant += sum(a.relevance.relevant for a in result.articles)
    key = result.doc.hints.get("item_key")
    if source_id is not None and key:
        store.mark_seen(conn, source_id, [key])


def ingest(
    engine: sa.Engine,
    profile: Profile,
    paths: Iterable[Path],
    *,
    workers: int = 0,
    progress: Progress | None = None,
) -> RunReport:
    """Ingest files and folders: analyse in a process pool if ``workers`` > 1, store in batches."""
    report = RunReport()
    docs = _split_errors(files.iter_paths(paths), report)
    executor = ProcessPoolExecutor(workers) if workers > 1 else None
    try:
        results = _bounded_map(executor, docs, profile, window=2 * max(workers, 1))
        while batch := list(islice(results, BATCH)):
            with engine.begin() as conn:
                for result in batch:
                    store_analysed(conn, result, report)
            if progress:
                progress(len(batch))
    finally:
        if executor is not None:
            executor.shutdown(cancel_futures=True)
    return report


def _split_errors(items: Iterable[Document | InputError], report: RunReport) -> Iterator[Document]:
    for item in items:
        if isinstance(item, InputError):
            report.error(item)
        else:
            yield item


def collect(
    engine: sa.Engine,
    profile: Profile,
    sources: list[Source],
    fetcher: Fetcher,
    *,
    progress: Progress | None = None,
) -> RunReport:
    """Fetch every source once: new feed items are fetched, analysed and stored as they come."""
    report = RunReport()
    for src in sources:
        _collect_source(engine, profile, src, fetcher, report)
        if progress:
            progress(1)
    return report


def _collect_source(
    engine: sa.Engine, profile: Profile, src: Source, fetcher: Fetcher, report: RunReport
) -> None:
    assert src.id is not None, "sources come from the store"
    with engine.begin() as conn:
        seen = store.seen_keys(conn, src.id)
    feed_error: str | None = None
    items = 0
    for item in feeds.iter_feed(fetcher, src.url, seen):
        if isinstance(item, InputError):
            report.error(item)
            if item.source == src.url:
                feed_error = item.reason
            continue
        items += 1
        with engine.begin() as conn:
            store_analysed(conn, analyse_batch([item], profile)[0], report, source_id=src.id)
    with engine.begin() as conn:
        store.record_fetch(conn, src.id, src.url, error=feed_error, items=items)
