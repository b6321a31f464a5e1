"""A source's round against a scripted server: what a round remembers decides what the next
one sees (validators after failed pages, sitemap indexes, feeds broken at the top)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest
import sqlalchemy as sa

from http_support import LocalServer, serving
from mediadigest import run, store
from mediadigest.collect.fetch import Fetcher
from mediadigest.collect.poll import Notice, Outcome, Seen, SourcePlan, poll
from mediadigest.errors import InputError
from mediadigest.model import Document, Source
from mediadigest.profile import load_profile
from mediadigest.store import collect_state, schema
from mediadigest.web.routes import sources as web_sources

PAGE = b"<html><body><article><p>" + b"Kazakhstan opened a wind farm. " * 20 + b"</p></article>"


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.server.asked.append(self.path)
        if self.path in self.server.moves:
            status, where = self.server.moves[self.path]
            self.send_response(status)
            self.send_header("Location", where)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status, body, ctype = self.server.routes.get(self.path, (404, b"", "text/plain"))
        etag = f'"{hash(body) & 0xFFFFFF:x}"'
        if status == 200 and self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        if status == 200:
            self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(body)


class _Server(LocalServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[str, tuple[int, bytes, str]] = {}
        self.asked: list[str] = []
        self.moves: dict[str, tuple[int, str]] = {}  # path -> (redirect status, Location)


@pytest.fixture
def server() -> Iterator[_Server]:
    with serving(_Server()) as srv:
        yield srv


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(timeout=2.0, allow_private=True, delay=0, retries=0) as f:
        yield f


def _round(fetcher: Fetcher, plan: SourcePlan) -> tuple[list, Outcome]:
    events = [item for _, item in fetcher.stream(poll(fetcher.aio, [plan]))]
    outcome = events.pop()
    assert isinstance(outcome, Outcome)
    return events, outcome


def _next(plan: SourcePlan, outcome: Outcome, events: list) -> SourcePlan:
    """The plan of the next round, as the driver stores it from this one."""
    seen = plan.seen | {e.hints["item_key"] for e in events if isinstance(e, Document)}
    validators = {**plan.validators, **outcome.validators}
    return SourcePlan(
        plan.id, plan.url, plan.kind, outcome.etag, outcome.last_modified, seen, validators
    )


def _rss(server: _Server, *paths: str) -> bytes:
    items = "".join(
        f"<item><title>Item {p}</title><link>{server.url(p)}</link><guid>{p}</guid></item>"
        for p in paths
    )
    return f'<rss version="2.0"><channel><title>Wire</title>{items}</channel></rss>'.encode()


def test_an_item_whose_page_failed_is_asked_for_again_though_the_feed_is_unchanged(server, fetcher):
    server.routes["/feed.xml"] = (200, _rss(server, "/a.html", "/b.html"), "application/rss+xml")
    server.routes["/a.html"] = (200, PAGE, "text/html")
    server.routes["/b.html"] = (503, b"down for now", "text/plain")
    plan = SourcePlan(1, server.url("/feed.xml"), "feed")
    events, outcome = _round(fetcher, plan)
    assert [e.url for e in events if isinstance(e, Document)] == [server.url("/a.html")]
    assert any(isinstance(e, InputError) and "/b.html" in str(e) for e in events)
    # Its ETag kept, the feed would answer 304 next round and /b.html be lost for good.
    assert outcome.etag is None
    server.routes["/b.html"] = (200, PAGE, "text/html")
    events, outcome = _round(fetcher, _next(plan, outcome, events))
    assert [e.url for e in events if isinstance(e, Document)] == [server.url("/b.html")]
    assert outcome.etag is not None  # all well: the next round may cost a 304
    events, outcome = _round(fetcher, _next(plan, outcome, events))
    assert outcome.not_modified and events == []


def test_a_sitemap_index_is_read_in_full_and_its_children_by_their_validators(server, fetcher):
    child = (
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{server.url('/a.html')}</loc></url></urlset>"
    )
    index = (
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{server.url('/child.xml')}</loc></sitemap></sitemapindex>"
    )
    server.routes["/index.xml"] = (200, index.encode(), "application/xml")
    server.routes["/child.xml"] = (200, child.encode(), "application/xml")
    server.routes["/a.html"] = server.routes["/b.html"] = (200, PAGE, "text/html")
    plan = SourcePlan(1, server.url("/index.xml"), "sitemap")
    events, outcome = _round(fetcher, plan)
    assert [e.url for e in events if isinstance(e, Document)] == [server.url("/a.html")]
    # The publisher adds a page to the child and leaves the index as it was.
    grown = child.replace("</urlset>", f"<url><loc>{server.url('/b.html')}</loc></url></urlset>")
    server.routes["/child.xml"] = (200, grown.encode(), "application/xml")
    events, outcome = _round(fetcher, _next(plan, outcome, events))
    assert [e.url for e in events if isinstance(e, Document)] == [server.url("/b.html")]
    server.asked.clear()
    events, outcome = _round(fetcher, _next(plan, outcome, events))
    assert events == [] and server.asked == ["/index.xml", "/child.xml"]  # the child a 304


def test_a_feed_broken_before_its_first_item_is_a_failed_round(server, fetcher):
    server.routes["/feed.xml"] = (
        200,
        b'<rss version="2.0"><channel><title>Wire</title><item><title>A</ti',
        "application/rss+xml",
    )
    events, outcome = _round(fetcher, SourcePlan(1, server.url("/feed.xml"), "feed"))
    assert outcome.error is not None and "malformed feed" in outcome.error
    assert len(events) == 1 and isinstance(events[0], InputError)


def test_a_feed_broken_after_some_items_keeps_them_and_says_so(server, fetcher):
    whole = _rss(server, "/a.html")
    server.routes["/feed.xml"] = (200, whole[: whole.index(b"</item>") + 7], "application/rss+xml")
    server.routes["/a.html"] = (200, PAGE, "text/html")
    events, outcome = _round(fetcher, SourcePlan(1, server.url("/feed.xml"), "feed"))
    assert outcome.error is None and outcome.items == 1
    (notice,) = [e for e in events if isinstance(e, Notice)]
    assert "malformed feed" in str(notice) and "kept the 1 item it could read" in str(notice)


def test_a_feed_none_of_whose_pages_came_is_a_failed_round(server, fetcher):
    server.routes["/feed.xml"] = (200, _rss(server, "/a.html", "/b.html"), "application/rss+xml")
    server.routes["/a.html"] = server.routes["/b.html"] = (503, b"down", "text/plain")
    events, outcome = _round(fetcher, SourcePlan(1, server.url("/feed.xml"), "feed"))
    assert outcome.error is not None and outcome.error.startswith("none of its 2 new pages came")
    assert sum(isinstance(e, InputError) for e in events) == 2


# --- a page that several sources list is fetched once -----------------------------------------


def test_a_page_two_sources_list_in_one_round_is_fetched_once(server, fetcher):
    server.routes["/one.xml"] = (200, _rss(server, "/a.html", "/down.html"), "application/rss+xml")
    server.routes["/two.xml"] = (200, _rss(server, "/a.html", "/b.html", "/down.html"),
                                 "application/rss+xml")  # fmt: skip
    server.routes["/a.html"] = server.routes["/b.html"] = (200, PAGE, "text/html")
    server.routes["/down.html"] = (503, b"down for now", "text/plain")
    plans = [SourcePlan(1, server.url("/one.xml")), SourcePlan(2, server.url("/two.xml"))]
    events = list(fetcher.stream(poll(fetcher.aio, plans)))
    assert server.asked.count("/a.html") == 1 and server.asked.count("/down.html") == 1
    docs = sorted(e.url for _, e in events if isinstance(e, Document))
    assert docs == [server.url("/a.html"), server.url("/b.html")]
    (seen,) = [(sid, e) for sid, e in events if isinstance(e, Seen)]
    assert seen[1].key == server.url("/a.html")  # the other source marks its item seen
    errors = [e for _, e in events if isinstance(e, InputError)]
    assert len(errors) == 1 and "/down.html" in str(errors[0])  # reported once
    outcomes = {sid: e for sid, e in events if isinstance(e, Outcome)}
    assert outcomes[1].retry and outcomes[2].retry  # both read in full next round


def test_a_page_another_source_brought_before_is_not_fetched_again(server, fetcher, tmp_path):
    server.routes["/one.xml"] = (200, _rss(server, "/a.html"), "application/rss+xml")
    server.routes["/two.xml"] = (200, _rss(server, "/a.html", "/b.html"), "application/rss+xml")
    server.routes["/a.html"] = server.routes["/b.html"] = (200, PAGE, "text/html")
    engine = store.open_store(f"sqlite:///{tmp_path / 's.db'}")
    profile = load_profile("kazakhstan")

    def sources() -> list[Source]:
        with engine.connect() as conn:
            return [Source(r["url"], r["kind"], r["title"], r["id"])
                    for r in store.list_sources(conn)]  # fmt: skip

    with engine.begin() as conn:
        store.add_source(conn, Source(server.url("/one.xml")))
    run.collect(engine, profile, sources(), fetcher)
    with engine.begin() as conn:
        store.add_source(conn, Source(server.url("/two.xml")))
    report = run.collect(engine, profile, sources(), fetcher)
    assert server.asked.count("/a.html") == 1 and server.asked.count("/b.html") == 1
    assert report.shared_pages == 1 and "1 item already stored for another source" in (
        report.summary()
    )
    with engine.connect() as conn:
        two = next(s for s in sources() if s.url.endswith("/two.xml"))
        assert store.seen_keys(conn, two.id) == {server.url("/a.html"), server.url("/b.html")}
    run.collect(engine, profile, sources(), fetcher)
    assert server.asked.count("/a.html") == 1  # seen by both now: never asked for again


# --- a source that moved for good is read from its new address ----------------------------------


@pytest.mark.parametrize(
    ("hops", "moved"),
    [
        ({"/old.xml": (301, "/new.xml")}, True),
        ({"/old.xml": (308, "/mid.xml"), "/mid.xml": (301, "/new.xml")}, True),
        ({"/old.xml": (302, "/new.xml")}, False),
        ({"/old.xml": (301, "/mid.xml"), "/mid.xml": (307, "/new.xml")}, False),
        ({"/old.xml": (307, "/mid.xml"), "/mid.xml": (301, "/new.xml")}, False),
    ],
    ids=["301", "308-then-301", "302", "301-then-307", "307-then-301"],
)
def test_a_response_says_where_its_url_moved_only_when_every_hop_was_permanent(
    server, fetcher, hops, moved
):
    server.moves.update(hops)
    server.routes["/new.xml"] = (200, _rss(server, "/a.html"), "application/rss+xml")
    resp = fetcher.get(server.url("/old.xml"))
    assert resp.url == server.url("/new.xml")
    assert resp.moved_to == (server.url("/new.xml") if moved else None)


def _store_with(tmp_path, *urls: str):
    engine = store.open_store(f"sqlite:///{tmp_path / 's.db'}")
    with engine.begin() as conn:
        for url in urls:
            store.add_source(conn, Source(url))
    return engine


def _listed(engine) -> list[Source]:
    with engine.connect() as conn:
        return [Source(r["url"], r["kind"], r["title"], r["id"]) for r in store.list_sources(conn)]


def test_a_feed_moved_for_good_is_read_from_there_and_costs_a_304_after(server, fetcher, tmp_path):
    server.moves["/old.xml"] = (301, server.url("/new.xml"))
    server.routes["/new.xml"] = (200, _rss(server, "/a.html"), "application/rss+xml")
    server.routes["/a.html"] = (200, PAGE, "text/html")
    engine = _store_with(tmp_path, server.url("/old.xml"))
    profile = load_profile("kazakhstan")
    first = run.collect(engine, profile, _listed(engine), fetcher)
    assert any("moved permanently to" in w and "now reads from there" in w for w in first.warnings)
    assert [s.url for s in _listed(engine)] == [server.url("/new.xml")]
    server.asked.clear()
    second = run.collect(engine, profile, _listed(engine), fetcher)
    assert server.asked == ["/new.xml"] and second.not_modified == 1  # its ETag was sent there


def test_a_feed_moved_onto_another_source_stays_and_says_so(server, fetcher, tmp_path):
    server.moves["/old.xml"] = (301, server.url("/new.xml"))
    server.routes["/new.xml"] = (200, _rss(server), "application/rss+xml")
    engine = _store_with(tmp_path, server.url("/old.xml"), server.url("/new.xml"))
    report = run.collect(engine, load_profile("kazakhstan"), _listed(engine), fetcher)
    assert any("which is a source too: remove one of them" in w for w in report.warnings)
    assert sorted(s.url for s in _listed(engine)) == [
        server.url("/new.xml"),
        server.url("/old.xml"),
    ]


# --- characters no stored text may hold -----------------------------------------------------------

_WIND = "Kazakhstan opened a wind farm near Zhambyl, the energy ministry said on Monday. " * 6


def _json_feed(server: _Server) -> bytes:
    """Items as a careless JSON Feed writes them: a NUL, a control, a lone surrogate."""
    items = [
        {"id": "no-link\u0000", "title": "Kazakh\u0000stan wind\u0001 farm",
         "content_text": f"Kazakhstan\udfff. {_WIND}", "authors": [{"name": "A.\u0000 Writer"}]},
        {"id": "k2\u0000", "url": server.url("/a.html"), "title": "Wind\u0007 farm\ud800"},
    ]  # fmt: skip
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "Wire\u0000",
                       "items": items}).encode()  # fmt: skip


def test_a_feed_whose_items_hold_nul_controls_or_lone_surrogates_is_stored_without_them(
    server, fetcher, engine
):
    """A lone surrogate failed the whole feed every round ('unexpected error:
    UnicodeEncodeError'); a NUL reached the store (which PostgreSQL refuses) and the digest."""
    server.routes["/feed.json"] = (200, _json_feed(server), "application/feed+json")
    server.routes["/a.html"] = (200, PAGE, "text/html")
    with engine.begin() as conn:
        store.add_source(conn, Source(server.url("/feed.json")))
        sources = [Source(r["url"], r["kind"], r["title"], r["id"])
                   for r in store.list_sources(conn)]  # fmt: skip
    report = run.collect(engine, load_profile("kazakhstan"), sources, fetcher)
    assert report.ok, report.errors
    assert report.documents == 2
    with engine.connect() as conn:
        titles = {a.title for a in store.list_articles(conn, relevant_only=False)}
        keys = store.seen_keys(conn, sources[0].id)
        bodies = conn.execute(sa.select(schema.documents.c.body)).scalars().all()
    assert "Kazakhstan wind farm" in titles
    assert keys == {"no-link", "k2"}
    assert all(b"\x00" not in body for body in bodies)
    assert any("Kazakhstan\ufffd.".encode() in body for body in bodies)


def _sitemap_index(server: _Server, *paths: str) -> bytes:
    items = "".join(f"<sitemap><loc>{server.url(p)}</loc></sitemap>" for p in paths)
    return (
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{items}</sitemapindex>'
    ).encode()


def _urlset(server: _Server, *paths: str) -> bytes:
    urls = "".join(f"<url><loc>{server.url(p)}</loc></url>" for p in paths)
    return f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'.encode()


def test_a_new_page_under_a_nested_sitemap_index_is_found_the_next_round(server, fetcher):
    """The yearly index under the top one kept its ETag: answering 304, it hid the new page of
    its monthly sitemap for good."""
    xml = "application/xml"
    server.routes["/top.xml"] = (200, _sitemap_index(server, "/2025.xml"), xml)
    server.routes["/2025.xml"] = (200, _sitemap_index(server, "/2025-12.xml"), xml)
    server.routes["/2025-12.xml"] = (200, _urlset(server, "/a.html"), xml)
    for path in ("/a.html", "/b.html"):
        server.routes[path] = (200, PAGE, "text/html")
    plan = SourcePlan(1, server.url("/top.xml"), "sitemap", None, None, set(), {})
    events, outcome = _round(fetcher, plan)
    assert [e.url for e in events if isinstance(e, Document)] == [server.url("/a.html")]
    assert outcome.validators[server.url("/2025.xml")] == (None, None)  # an index keeps none
    plan = _next(plan, outcome, events)
    server.routes["/2025-12.xml"] = (200, _urlset(server, "/a.html", "/b.html"), xml)
    events, _ = _round(fetcher, plan)
    assert [e.url for e in events if isinstance(e, Document)] == [server.url("/b.html")]


# --- items without a link of their own ---------------------------------------------------------


def _linkless(*ids: str) -> bytes:
    items = "".join(
        f'<item><title>Kazakhstan report {i}</title><guid isPermaLink="false">{i}</guid>'
        f"<description>Report {i}. {_WIND}</description></item>"
        for i in ids
    )
    return f'<rss version="2.0"><channel><title>Wire</title>{items}</channel></rss>'.encode()


def _sources(engine: sa.Engine, *urls: str) -> list[Source]:
    with engine.begin() as conn:
        for url in urls:
            store.add_source(conn, Source(url))
        return [Source(r["url"], r["kind"], r["title"], r["id"])
                for r in store.list_sources(conn)]  # fmt: skip


def test_items_without_links_of_one_feed_are_listed_each(server, fetcher, engine):
    """Their URLs are the feed's with the item's id as fragment; their key dropped it, so a
    listing took every such item of the feed for a capture of one page and showed one."""
    server.routes["/feed.xml"] = (200, _linkless("a-1", "a-2", "a-3"), "application/rss+xml")
    sources = _sources(engine, server.url("/feed.xml"))
    report = run.collect(engine, load_profile("kazakhstan"), sources, fetcher)
    assert report.ok and report.articles == 3
    with engine.connect() as conn:
        listed = store.list_articles(conn, relevant_only=False, one_per_page=True)
    assert sorted(a.canonical_url for a in listed) == [
        server.url(f"/feed.xml#item=a-{n}") for n in (1, 2, 3)
    ]


def test_items_without_links_stored_under_the_old_key_are_not_stored_again(server, fetcher, engine):
    """A store that holds such items under the feed's URL (as before) keeps them once: the
    items are seen, and a changed feed brings only its new one."""
    server.routes["/feed.xml"] = (200, _linkless("a-1", "a-2"), "application/rss+xml")
    sources = _sources(engine, server.url("/feed.xml"))
    profile = load_profile("kazakhstan")
    run.collect(engine, profile, sources, fetcher)
    a = schema.articles
    with engine.begin() as conn:  # as the items were stored before their URLs kept the id
        conn.execute(sa.update(a).values(canonical_url=server.url("/feed.xml")))
        conn.execute(sa.update(schema.sources).values(etag=None, last_modified=None))
    server.routes["/feed.xml"] = (200, _linkless("a-1", "a-2", "a-3"), "application/rss+xml")
    report = run.collect(engine, profile, sources, fetcher)
    assert report.documents == 1 and report.articles == 1
    with engine.connect() as conn:
        stored = conn.execute(sa.select(a.c.canonical_url).order_by(a.c.id)).scalars().all()
    assert stored == [server.url("/feed.xml")] * 2 + [server.url("/feed.xml#item=a-3")]


# --- a refused page that several feeds list ---------------------------------------------------


def _summary_feed(server: _Server, link: str, summary: str) -> bytes:
    item = (
        f"<item><title>Kazakhstan bans coal exports for winter</title><link>{server.url(link)}"
        f"</link><description>{summary} {_WIND}</description></item>"
    )
    return f'<rss version="2.0"><channel><title>Wire</title>{item}</channel></rss>'.encode()


def test_a_refused_page_two_feeds_list_keeps_one_feeds_text(server, fetcher, engine):
    """Each feed kept its own summary of the page its site refused, under its own tracking
    parameters: one article was stored twice, and its story counted two outlets."""
    rss = "application/rss+xml"
    server.routes["/x.xml"] = (200, _summary_feed(server, "/gone.html?utm_source=x", "X:"), rss)
    server.routes["/y.xml"] = (200, _summary_feed(server, "/gone.html?utm_source=y", "Y:"), rss)
    sources = _sources(engine, server.url("/x.xml"), server.url("/y.xml"))
    report = run.collect(engine, load_profile("kazakhstan"), sources, fetcher)
    assert report.documents == 1 and report.articles == 1 and report.shared_pages == 1
    assert sum(path.startswith("/gone.html") for path in server.asked) == 1
    with engine.connect() as conn:
        (article,) = store.list_articles(conn, relevant_only=False)
        assert {len(store.seen_keys(conn, s.id)) for s in sources} == {1}  # neither asks again
    assert article.url == article.canonical_url == server.url("/gone.html")


def test_a_refused_page_whose_feed_text_is_stored_is_not_kept_again_for_another_feed(
    server, fetcher, engine
):
    rss = "application/rss+xml"
    server.routes["/x.xml"] = (200, _summary_feed(server, "/gone.html?utm_source=x", "X:"), rss)
    server.routes["/y.xml"] = (200, _summary_feed(server, "/gone.html?utm_source=y", "Y:"), rss)
    profile = load_profile("kazakhstan")
    run.collect(engine, profile, _sources(engine, server.url("/x.xml")), fetcher)
    report = run.collect(engine, profile, _sources(engine, server.url("/y.xml")), fetcher)
    assert report.documents == 0 and report.shared_pages == 1
    assert sum(path.startswith("/gone.html") for path in server.asked) == 1


def test_an_item_with_only_a_title_is_kept_with_a_warning(server, fetcher, engine):
    """A podcast's episode (a title and its audio, no link, no description) was dropped
    without a word: not stored, not counted, and never asked for again."""
    episode = (
        '<item><title>Kazakhstan podcast: steppe fires</title><guid isPermaLink="false">pod-11'
        f'</guid><enclosure url="{server.url("/a11.mp3")}" type="audio/mpeg" length="1"/></item>'
    )
    feed = f'<rss version="2.0"><channel><title>Wire</title>{episode}</channel></rss>'
    server.routes["/feed.xml"] = (200, feed.encode(), "application/rss+xml")
    sources = _sources(engine, server.url("/feed.xml"))
    report = run.collect(engine, load_profile("kazakhstan"), sources, fetcher)
    url = server.url("/feed.xml#item=pod-11")
    assert report.ok and report.documents == report.articles == 1
    assert report.warnings == [f"{url}: no text found: only the title is kept"]
    with engine.connect() as conn:
        (article,) = store.list_articles(conn, relevant_only=False)
    assert (article.title, article.text, article.url) == (
        "Kazakhstan podcast: steppe fires",
        "",
        url,
    )


# --- pages and child sitemaps that fail ------------------------------------------------------


def _health(engine: sa.Engine) -> dict[str, dict]:
    with engine.connect() as conn:
        return {r["url"]: r for r in collect_state.source_health(conn)}


def _due_now(engine: sa.Engine) -> None:
    """As a round an interval of backoff later."""
    with engine.begin() as conn:
        conn.execute(sa.delete(collect_state.source_schedule))


def test_a_page_that_cannot_be_fetched_is_given_up_after_three_rounds(server, fetcher, engine):
    """A dead host's page was asked for every round, for ever, failing every run and keeping
    its feed from a 304; the error named the page, never the feed that listed it."""
    server.routes["/feed.xml"] = (200, _rss(server, "/a.html", "/down.html"), "application/rss+xml")
    server.routes["/a.html"] = (200, PAGE, "text/html")
    server.routes["/down.html"] = (503, b"down", "text/plain")
    feed, down = server.url("/feed.xml"), server.url("/down.html")
    sources = _sources(engine, feed)
    profile = load_profile("kazakhstan")
    errors = []
    for _ in range(3):
        _due_now(engine)
        errors += run.collect(engine, profile, sources, fetcher).errors
    assert errors == [
        f"{down}: HTTP 503 Service Unavailable; listed by {feed}, asked for again next round "
        "(1 of 3)",
        f"{down}: HTTP 503 Service Unavailable; listed by {feed}, asked for again next round "
        "(2 of 3)",
        f"{down}: HTTP 503 Service Unavailable; listed by {feed}, given up after 3 rounds",
    ]
    _due_now(engine)
    assert run.collect(engine, profile, sources, fetcher).ok
    server.asked.clear()
    fourth = run.collect(engine, profile, sources, fetcher)
    assert fourth.ok and fourth.not_modified == 1 and server.asked == ["/feed.xml"]
    assert _health(engine)[feed]["last_error"] is None


def test_a_page_given_up_keeps_its_feeds_text(server, fetcher, engine):
    summary = f"The wind farm opened. {_WIND}"
    item = f"<item><title>Kazakhstan wind</title><link>{server.url('/down.html')}</link>"
    feed = f'<rss version="2.0"><channel><title>W</title>{item}<description>{summary}'
    server.routes["/feed.xml"] = (200, f"{feed}</description></item></channel></rss>".encode(),
                                  "application/rss+xml")  # fmt: skip
    server.routes["/down.html"] = (503, b"down", "text/plain")
    sources = _sources(engine, server.url("/feed.xml"))
    profile = load_profile("kazakhstan")
    for _ in range(2):
        _due_now(engine)
        assert run.collect(engine, profile, sources, fetcher).documents == 0
    _due_now(engine)
    third = run.collect(engine, profile, sources, fetcher)
    assert third.ok and third.articles == 1
    assert third.warnings == [
        f"{server.url('/down.html')}: HTTP 503 Service Unavailable; given up after 3 rounds: "
        "kept the feed's text instead"
    ]


def test_a_sitemap_index_none_of_whose_sitemaps_came_is_a_failed_source(server, fetcher, engine):
    """Its health read "ok", no error, no failure; the run's errors named its sitemaps only."""
    server.routes["/index.xml"] = (
        200, _sitemap_index(server, "/missing.xml", "/broken.xml"), "application/xml"
    )  # fmt: skip
    server.routes["/broken.xml"] = (200, b"\x1f\x8b not a sitemap", "application/xml")
    index, missing = server.url("/index.xml"), server.url("/missing.xml")
    with engine.begin() as conn:
        store.add_source(conn, Source(index, "sitemap"))
        sources = [Source(r["url"], r["kind"], None, r["id"]) for r in store.list_sources(conn)]
    report = run.collect(engine, load_profile("kazakhstan"), sources, fetcher)
    assert len(report.errors) == 2
    assert all(e.startswith(f"{index}: its sitemap http") for e in report.errors)
    assert f"{index}: its sitemap {missing}: HTTP 404 Not Found" in report.errors
    health = _health(engine)[index]
    assert health["failures"] == 1
    assert (
        health["last_error"]
        == f"none of its 2 sitemaps could be read: {missing}: HTTP 404 Not Found"
    )


def test_a_feed_that_moved_is_not_added_back_at_its_old_address(server, fetcher, tmp_path):
    """An OPML imported again as it was added the old address back ("imported 1 new
    source"), and every round then warned that it moved onto a source."""
    server.moves["/old.xml"] = (301, server.url("/new.xml"))
    server.routes["/new.xml"] = (200, _rss(server), "application/rss+xml")
    engine = _store_with(tmp_path, server.url("/old.xml"), server.url("/other.xml"))
    run.collect(engine, load_profile("kazakhstan"), _listed(engine), fetcher)
    listed = [Source(server.url(p), folder="Wires") for p in ("/other.xml", "/old.xml")]
    with engine.begin() as conn:
        done = store.add_sources(conn, listed)
    assert (done.added, done.present) == (0, 2)
    assert done.redirected == [(server.url("/old.xml"), server.url("/new.xml"))]
    with engine.connect() as conn:
        sources = [(r["url"], r["folder"]) for r in store.list_sources(conn)]
    assert sources == [
        (server.url("/new.xml"), "Wires"),
        (server.url("/other.xml"), "Wires"),
    ]


def test_a_feed_some_of_whose_pages_failed_is_partly_failing(server, fetcher, engine):
    """Its health read "ok" with no word of the pages it lost (only the run's errors had)."""
    server.routes["/feed.xml"] = (200, _rss(server, "/a.html", "/b.html"), "application/rss+xml")
    server.routes["/a.html"] = (200, PAGE, "text/html")
    server.routes["/b.html"] = (404, b"gone", "text/plain")
    feed = server.url("/feed.xml")
    report = run.collect(engine, load_profile("kazakhstan"), _sources(engine, feed), fetcher)
    assert report.documents == 1
    health = _health(engine)[feed]
    assert health["failures"] == 0 and health["next_due_at"] is None  # no backoff
    assert health["last_ok_at"] == health["last_fetched_at"]
    assert (
        health["last_error"] == f"1 page did not come: {server.url('/b.html')}: HTTP 404 Not Found"
    )
    assert web_sources.health(health, (0, 1)) == "partly failing"
