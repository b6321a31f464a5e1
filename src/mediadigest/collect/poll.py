"""Collect stage, one round: fetch every source concurrently and stream out what is new.

Each source (feed, sitemap, URL list or page) is fetched with its stored validators, so an
unchanged one costs a 304. New items are fetched as pages, all sources at once within the
fetcher's global and per-host limits. Events come out as they happen: ``(source id, item)``
where the item is a Document, an InputError, or the source's ``Outcome`` (always last).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from mediadigest.analyse.normalise import canonicalise_url
from mediadigest.collect import feeds, sitemaps
from mediadigest.collect.chars import storable
from mediadigest.collect.fetch import AsyncFetcher, Response
from mediadigest.errors import FetchError, FormatError, InputError, RefusedError
from mediadigest.model import Document
from mediadigest.write import style

log = logging.getLogger(__name__)

PAGE_TYPES = feeds.PAGE_TYPES
MAX_ITEMS = 500  # new pages fetched per source per round; the rest wait for the next round
MAX_CHILD_SITEMAPS = 50  # child sitemaps of an index read per round, newest first
PAGES_IN_FLIGHT = 8  # per source; the fetcher's own limits apply on top
# Rounds in which a page that cannot be fetched (no answer, a 5xx) is asked for; then it is
# given up. Asked for every round, a dead host's pages failed the run every round, for ever.
PAGE_ROUNDS = 3


@dataclass(slots=True)
class SourcePlan:
    """What the store knows about a source before a round."""

    id: int
    url: str
    kind: str = "feed"  # feed | sitemap | urllist | page
    etag: str | None = None
    last_modified: str | None = None
    seen: set[str] = field(default_factory=set)  # item keys already handed to analysis
    validators: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)


@dataclass(slots=True)
class Outcome:
    """How a source's round went; the driver updates its health and validators from it."""

    error: str | None = None
    items: int = 0
    not_modified: bool = False
    etag: str | None = None
    last_modified: str | None = None
    validators: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    title: str | None = None  # what the source calls itself (a feed's title)
    moved_to: str | None = None  # where the source moved, by permanent redirects
    retry: bool = False  # a page failed for now: the source must be read in full next round
    failed_pages: list[str] = field(default_factory=list)  # why its pages failed, one each
    failed_sitemaps: list[str] = field(default_factory=list)  # why its child sitemaps failed

    @property
    def partly_failed(self) -> str | None:
        """What failed in a round that worked (some pages or child sitemaps), for its health."""
        if self.error is not None:
            return None
        parts = [
            f"{style.counted(len(failed), noun)} did not come: {failed[0]}"
            for failed, noun in ((self.failed_sitemaps, "sitemap"), (self.failed_pages, "page"))
            if failed
        ]
        return "; ".join(parts) or None


@dataclass(slots=True, frozen=True)
class Notice:
    """Something to tell the user that is not a failure: the item was kept."""

    source: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.message}"


@dataclass(slots=True, frozen=True)
class Mark:
    """A key the source keeps among its seen items, with no document: a round in which an
    item's page failed (``failed_round``), or the item, once its page is given up."""

    key: str


def failed_round(key: str, n: int) -> str:
    """The mark of the ``n``th round in which the page of item ``key`` failed."""
    return f"failed round {n}: {key}"


@dataclass(slots=True, frozen=True)
class PageJob:
    """A page to fetch for a source, with what its source said of it."""

    link: str
    hints: dict[str, str]
    fallback: str | None = None  # the feed entry's own text, kept if the site refuses the page


@dataclass(slots=True, frozen=True)
class Seen:
    """An item whose page is already stored or on its way for another source: not asked for
    again, only marked seen for this one."""

    key: str
    link: str


Item = Document | InputError | Notice | Seen | Mark | Outcome
Emit = Callable[[Item], Awaitable[None]]
Stored = Callable[[list[str]], set[str]]  # which of these page URLs the store already holds


class _Round:
    """What the sources of one round share: the fetcher, and each page asked for once.

    An aggregator's feed, the outlet's own feed and its news sitemap list the same article;
    each used to fetch it (and, the next round, whichever had not seen it yet fetched it again).
    A page is its canonical URL: feeds link it with their own tracking parameters.
    """

    def __init__(self, fetcher: AsyncFetcher, stored: Stored | None) -> None:
        self.fetcher = fetcher
        self._stored = stored
        self._asked: dict[str, asyncio.Future[Response]] = {}
        self.kept: set[str] = set()  # refused pages whose feed text a source kept this round

    async def stored(self, links: list[str]) -> set[str]:
        if self._stored is None or not links:
            return set()
        return await asyncio.to_thread(self._stored, links)  # a store query: off the loop

    def page(self, link: str) -> tuple[asyncio.Future[Response], bool]:
        """The fetch of ``link`` and whether this caller started it (others share it)."""
        page = canonicalise_url(link)
        if page in self._asked:
            return self._asked[page], False
        task = asyncio.ensure_future(self.fetcher.get(link, accept=PAGE_TYPES))
        self._asked[page] = task
        return task, True

    def fetches(self) -> list[asyncio.Future[Response]]:
        """Every page fetch this round started."""
        return list(self._asked.values())


async def poll(
    fetcher: AsyncFetcher,
    plans: Iterable[SourcePlan],
    max_items: int = MAX_ITEMS,
    stored: Stored | None = None,
) -> AsyncIterator[tuple[int, Item]]:
    """Run every source's round concurrently; yield events in the order they happen.

    ``stored`` says which page URLs the store holds: those are not fetched again when another
    source lists them (a ``Seen`` event instead).
    """
    queue: asyncio.Queue[tuple[int, Item] | None] = asyncio.Queue(256)
    plans = list(plans)
    shared = _Round(fetcher, stored)

    async def run(plan: SourcePlan) -> None:
        async def emit(item: Item) -> None:
            await queue.put((plan.id, item))

        outcome = Outcome()
        try:
            await _SOURCES.get(plan.kind, _feed)(shared, plan, emit, outcome, max_items)
        except InputError as exc:
            outcome.error = exc.reason if exc.source == plan.url else str(exc)
            await emit(exc)
        except Exception as exc:  # a bug, ours or a library's: this source fails, not the round
            log.debug("%s failed unexpectedly", plan.url, exc_info=True)  # reported below
            outcome.error = f"unexpected error: {type(exc).__name__}: {exc}"
            await emit(InputError(plan.url, outcome.error))
        if outcome.failed_pages and not outcome.items and not outcome.error:
            # The feed answered, but not one of its pages did: its health must not read "ok".
            n = len(outcome.failed_pages)
            outcome.error = f"none of its {n} new pages came: {outcome.failed_pages[0]}"
        if outcome.retry:
            # Its failed items stay unseen, but a 304 next round would never list them again:
            # the source forgets its validators, and the one child sitemaps' it has.
            outcome.etag = outcome.last_modified = None
            outcome.validators.clear()
        await emit(outcome)

    async def run_all() -> None:
        await asyncio.gather(*(run(p) for p in plans))
        await queue.put(None)

    runner = asyncio.create_task(run_all())
    try:
        while (event := await queue.get()) is not None:
            yield event
    finally:
        # A consumer that stops midway (a store write failed) cancels the sources, but a
        # page's fetch is shielded from them: left running, it failed once the fetcher's
        # client was closed ("Task exception was never retrieved", around the run's one line).
        runner.cancel()  # cancels every source at once: none starts a fetch after this
        fetches = shared.fetches()
        for fetch in fetches:
            fetch.cancel()
        await asyncio.gather(runner, *fetches, return_exceptions=True)


async def _feed(
    rnd: _Round, plan: SourcePlan, emit: Emit, outcome: Outcome, max_items: int
) -> None:
    resp = await _source(rnd.fetcher, plan, outcome, what="a feed")
    if resp is None:
        return
    feed = feeds.parse_feed(resp.content, plan.url)
    outcome.title = feed.title
    if feed.warning and not feed.entries:
        # Recorded as a success, its validators kept, a feed broken at the top said nothing
        # then, and nothing ever after (304s).
        raise FormatError(plan.url, feed.warning)
    if feed.warning:
        kept = style.counted(len(feed.entries), "item")
        await emit(Notice(plan.url, f"{feed.warning}; kept the {kept} it could read"))
    new = [e for e in feed.entries if e.key not in plan.seen][:max_items]
    jobs = []
    for entry in new:
        hints = feeds.entry_hints(entry, feed, plan.url)
        if entry.link:
            jobs.append(PageJob(entry.link, hints, entry.text))
        else:  # its own text, or only a title (a podcast's episode): analysis keeps the title
            url = feeds.entry_url(entry.key, plan.url)
            await emit(_text_document(url, entry.text or "", hints))
            outcome.items += 1
    await _pages(rnd, jobs, emit, outcome, plan.seen)


async def _sitemap(
    rnd: _Round, plan: SourcePlan, emit: Emit, outcome: Outcome, max_items: int
) -> None:
    resp = await _source(rnd.fetcher, plan, outcome, what="a sitemap")
    if resp is None:
        return
    found = sitemaps.parse_sitemap(resp.content, plan.url)
    entries = list(found.entries)
    children = sorted(found.children, key=lambda c: c.newest, reverse=True)
    if children:
        # Publishers add to a child and leave the index as it was: an index answering 304
        # hid every new page. The index is read in full (it is short); its children by
        # their own validators.
        outcome.etag = outcome.last_modified = None
    read = [c for c in children if c.loc != plan.url][:MAX_CHILD_SITEMAPS]
    if children and not read:  # it gave no page and said nothing
        outcome.error = "the sitemap index lists only itself"
        await emit(InputError(plan.url, outcome.error))
    unchanged, failed, visited = 0, 0, {plan.url, *(c.loc for c in read)}
    for child in read:
        failures = len(outcome.failed_sitemaps)
        found_in_child = await _child_sitemap(
            rnd.fetcher, plan, child.loc, emit, outcome, visited=visited
        )
        unchanged += found_in_child is None
        failed += found_in_child == [] and len(outcome.failed_sitemaps) > failures
        entries += found_in_child or []
    outcome.not_modified = bool(read) and unchanged == len(read)
    if read and failed == len(read):  # its health read "ok" with none of them read
        first = outcome.failed_sitemaps[0]
        outcome.error = f"none of its {style.counted(failed, 'sitemap')} could be read: {first}"
    new = [e for e in entries if e.loc not in plan.seen]
    new.sort(key=lambda e: e.newest, reverse=True)  # newest news first
    jobs = [PageJob(e.loc, e.hints(plan.url)) for e in new[:max_items]]
    await _pages(rnd, jobs, emit, outcome, plan.seen)


async def _child_sitemap(
    fetcher: AsyncFetcher,
    plan: SourcePlan,
    url: str,
    emit: Emit,
    outcome: Outcome,
    *,
    visited: set[str],
    nested: bool = False,
) -> list[sitemaps.SitemapEntry] | None:
    """The child's entries; None when it has not changed (its pages were seen then).

    The protocol allows one level of index, but publishers nest them (an index of yearly
    indexes): a child that is an index is read one level further, each sitemap once and
    never the index itself. It gave 0 pages and said nothing.
    """
    etag, modified = plan.validators.get(url, (None, None))
    try:
        resp = await fetcher.get(url, etag=etag, last_modified=modified)
        if resp.not_modified:
            return None
        child = sitemaps.parse_sitemap(resp.content, url)
    except InputError as exc:  # the source is named: the run named only the child
        outcome.failed_sitemaps.append(str(exc))
        await emit(InputError(plan.url, f"its sitemap {exc}"))
        return []
    if not child.is_index:
        outcome.validators[url] = (resp.etag, resp.last_modified)
        return child.entries
    # An index keeps no validators, as the top one: a 304 for it hid its children's new pages.
    outcome.validators[url] = (None, None)  # forgets any it had
    if nested:
        await emit(InputError(url, "sitemap indexes nested more than two deep: not read"))
        return []
    entries: list[sitemaps.SitemapEntry] = []
    fresh = [c for c in child.children if c.loc not in visited]
    fresh.sort(key=lambda c: c.newest, reverse=True)  # daily sitemaps: the newest first
    room = max(0, MAX_CHILD_SITEMAPS - len(visited))
    if len(fresh) > room:
        left = f"{len(fresh) - room} of its sitemaps not read this round"
        await emit(InputError(url, f"{left} (at most {MAX_CHILD_SITEMAPS} a round, newest first)"))
    for loc in [c.loc for c in fresh[:room]]:
        visited.add(loc)
        found = await _child_sitemap(
            fetcher, plan, loc, emit, outcome, visited=visited, nested=True
        )
        entries += found or []
    return entries


async def _urllist(
    rnd: _Round, plan: SourcePlan, emit: Emit, outcome: Outcome, max_items: int
) -> None:
    resp = await _source(rnd.fetcher, plan, outcome, what="a URL list")
    if resp is None:
        return
    urls = [u for u in sitemaps.parse_url_list(resp.content, plan.url) if u not in plan.seen]
    jobs = [PageJob(u, {"source": plan.url, "item_key": u}) for u in urls[:max_items]]
    await _pages(rnd, jobs, emit, outcome, plan.seen)


async def _page_source(
    rnd: _Round, plan: SourcePlan, emit: Emit, outcome: Outcome, max_items: int
) -> None:
    resp = await _source(rnd.fetcher, plan, outcome, what="a web page", accept=PAGE_TYPES)
    if resp is None:
        return
    # A watched page is new whenever its content is: the key is its hash.
    key = "sha1:" + hashlib.sha1(resp.content, usedforsecurity=False).hexdigest()
    if key not in plan.seen:
        await emit(feeds.page_document(resp, {"source": plan.url, "item_key": key}))
        outcome.items += 1


async def _source(
    fetcher: AsyncFetcher,
    plan: SourcePlan,
    outcome: Outcome,
    *,
    what: str,
    accept: tuple[str, ...] | None = None,
) -> Response | None:
    """GET the source itself, conditionally; None when it has not changed (304)."""
    resp = await fetcher.get(
        plan.url, etag=plan.etag, last_modified=plan.last_modified, accept=accept, what=what
    )
    if resp.not_modified:
        outcome.not_modified = True
        outcome.etag, outcome.last_modified = plan.etag, plan.last_modified
        return None
    outcome.etag, outcome.last_modified = resp.etag, resp.last_modified
    outcome.moved_to = resp.moved_to
    return resp


async def _pages(
    rnd: _Round, jobs: list[PageJob], emit: Emit, outcome: Outcome, seen: set[str]
) -> None:
    """Fetch pages concurrently; emit each Document or error; count them in ``outcome``.

    A page the site refuses (401, 403, 404, robots.txt) or that is no web page (a podcast's
    audio) is not worth asking for again. A feed entry then keeps the text the feed gives:
    its full text where the feed carries it, else its summary (which the digest treats as a
    lead); paywalled outlets block robots but publish feeds. Before, the entry was lost, and
    its page asked for again every round.

    A page the store holds, or that another source of this round asks for, is fetched once:
    the others get a ``Seen`` for their item (and its errors are reported once). So is the
    feed text kept for a refused page: stored under the page's canonical URL, once, whichever
    source's text came first (two feeds' summaries of one article were two articles).

    A page that cannot be fetched now (no answer, a 5xx) is asked for again in the next
    rounds, PAGE_ROUNDS in all, each counted among the source's seen items (``Mark``); then
    it is given up as a refused page is, and the run says so.
    """
    slots = asyncio.Semaphore(PAGES_IN_FLIGHT)
    pages = {job.link: canonicalise_url(job.link) for job in jobs}
    stored = await rnd.stored(list({*pages, *pages.values()}))

    async def one(job: PageJob) -> int:
        key, page = job.hints.get("item_key", job.link), pages[job.link]
        if job.link in stored or page in stored:
            await emit(Seen(key, job.link))
            return 0
        async with slots:
            fetch, mine = rnd.page(job.link)
            try:
                resp = await asyncio.shield(fetch)
            except (RefusedError, FormatError) as exc:
                if page in rnd.kept:  # another source's text of it is kept
                    await emit(Seen(key, job.link))
                    return 0
                if not job.fallback:
                    outcome.failed_pages.append(str(exc))
                    if mine:
                        await emit(exc)
                    return 0
                rnd.kept.add(page)
                await emit(Notice(job.link, f"{exc.reason}; kept the feed's text instead"))
                await emit(_text_document(page, job.fallback, job.hints))
                return 1
            except FetchError as exc:  # may work next round: the entry stays unseen till then
                return await unreachable(job, key, exc, mine)
        if not mine:
            await emit(Seen(key, job.link))
            return 0
        await emit(feeds.page_document(resp, job.hints))
        return 1

    async def unreachable(job: PageJob, key: str, exc: FetchError, mine: bool) -> int:
        page = pages[job.link]
        if page in rnd.kept:  # given up for another source, which kept its feed's text
            await emit(Seen(key, job.link))
            return 0
        before = (n for n in range(PAGE_ROUNDS - 1, 0, -1) if failed_round(key, n) in seen)
        n = next(before, 0) + 1
        listed = f"listed by {job.hints.get('source', 'its source')}"
        if n < PAGE_ROUNDS:
            outcome.retry = True
            await emit(Mark(failed_round(key, n)))
            why = f"{exc.reason}; {listed}, asked for again next round ({n} of {PAGE_ROUNDS})"
        elif job.fallback:
            rnd.kept.add(page)
            gave_up = f"given up after {PAGE_ROUNDS} rounds: kept the feed's text instead"
            await emit(Notice(job.link, f"{exc.reason}; {gave_up}"))
            await emit(_text_document(page, job.fallback, job.hints))
            return 1
        else:
            await emit(Mark(key))
            why = f"{exc.reason}; {listed}, given up after {PAGE_ROUNDS} rounds"
        outcome.failed_pages.append(str(exc))
        if mine:
            await emit(FetchError(exc.source, why))
        return 0

    outcome.items += sum(await asyncio.gather(*(one(job) for job in jobs)))


def _text_document(url: str, text: str, hints: dict[str, str]) -> Document:
    # A lone surrogate in a feed's text failed this encode, and with it the whole feed, every
    # round; parse_feed takes such characters out already, the text is made bytes here.
    return Document(
        url=url,
        body=storable(text).encode("utf-8"),
        fetched_at=datetime.now(UTC),
        content_type="text/plain; charset=utf-8",
        hints=hints,
    )


_SOURCES = {"feed": _feed, "sitemap": _sitemap, "urllist": _urllist, "page": _page_source}
KINDS = tuple(_SOURCES)
