"""One round of collection: feeds, sitemaps, URL lists and pages, conditional GETs, health."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from mediadigest import run, store
from mediadigest.collect.fetch import Fetcher
from mediadigest.errors import StoreError
from mediadigest.model import Source
from mediadigest.profile import load_profile
from mediadigest.store import collect_state, schema
from mediadigest.stories import persist

WIND = "/pages/steppe-wire/kazakhstan-wind.html"


@pytest.fixture(scope="module")
def profile():
    return load_profile("kazakhstan")


@pytest.fixture
def engine(tmp_path):
    return store.open_store(f"sqlite:///{tmp_path / 's.db'}")


@pytest.fixture(scope="module")
def fetcher():
    with Fetcher(timeout=2.0, allow_private=True, delay=0, retries=0) as f:
        yield f


def _sources(engine, *pairs: tuple[str, str]) -> list[Source]:
    with engine.begin() as conn:
        for url, kind in pairs:
            store.add_source(conn, Source(url, kind))
        return [Source(r["url"], r["kind"], r["title"], r["id"]) for r in store.list_sources(conn)]


def _titles(engine) -> set[str]:
    with engine.connect() as conn:
        return {a.title for a in store.list_articles(conn, relevant_only=False)}


def test_news_sitemap_pages_are_stored_with_the_sitemap_hints(site, engine, profile, fetcher):
    sources = _sources(engine, (site.url("/sitemaps/news.xml"), "sitemap"))
    report = run.collect(engine, profile, sources, fetcher)
    assert report.ok and report.documents == 2
    with engine.connect() as conn:
        arts = {a.title: a for a in store.list_articles(conn, relevant_only=False)}
    wind = arts["Kazakhstan signs deal for 1 GW wind farm in Zhambyl region"]
    assert wind.outlet == "Steppe Wire" and wind.language == "en"


def test_a_collect_groups_its_articles_into_stories(site, engine, profile, fetcher):
    sources = _sources(engine, (site.url("/sitemaps/news.xml"), "sitemap"))
    report = run.collect(engine, profile, sources, fetcher)
    assert "1 new story," in report.summary()
    with engine.connect() as conn:
        held = conn.execute(sa.select(persist.story_articles.c.article_id)).scalars().all()
        relevant = [a.id for a in store.list_articles(conn)]
    assert relevant and set(relevant) <= set(held)


def test_sitemap_index_collects_the_pages_of_every_child(site, engine, profile, fetcher):
    sources = _sources(engine, (site.url("/sitemaps/index.xml"), "sitemap"))
    assert run.collect(engine, profile, sources, fetcher).documents == 3


def test_an_index_of_indexes_is_read_one_level_further_and_never_itself(
    site, engine, profile, fetcher
):
    """An index listing another index (and itself) gave 0 pages and said nothing."""
    sources = _sources(engine, (site.url("/sitemaps/index-of-indexes.xml"), "sitemap"))
    before = site.fetched("/sitemaps/index-of-indexes.xml")  # the site serves the session
    report = run.collect(engine, profile, sources, fetcher)
    assert report.documents == 3 and not report.errors
    assert site.fetched("/sitemaps/index-of-indexes.xml") == before + 1


def test_a_nested_index_keeps_no_validators_and_forgets_old_ones(site, engine, profile, fetcher):
    nested = site.url("/sitemaps/index.xml")
    with engine.begin() as conn:  # stored by an earlier version: a 304 hid its children
        collect_state.save_validators(conn, nested, '"old"', None)
    sources = _sources(engine, (site.url("/sitemaps/index-of-indexes.xml"), "sitemap"))
    assert run.collect(engine, profile, sources, fetcher).documents == 3
    with engine.connect() as conn:
        stored = collect_state.validators(conn, [nested, site.url("/sitemaps/news.xml")])
    assert list(stored) == [site.url("/sitemaps/news.xml")]


def test_an_index_that_lists_only_itself_says_so(site, engine, profile, fetcher):
    url = site.url("/sitemaps/index-of-itself.xml")
    report = run.collect(engine, profile, _sources(engine, (url, "sitemap")), fetcher)
    assert report.documents == 0
    assert any(f"{url}: the sitemap index lists only itself" in e for e in report.errors)


def test_url_list_pages_are_collected(site, engine, profile, fetcher):
    sources = _sources(engine, (site.url("/sitemaps/urls.txt"), "urllist"))
    run.collect(engine, profile, sources, fetcher)
    assert "Kessler wins Great Ocean Classic as Astana's Moretti takes second" in _titles(engine)


def test_page_source_is_stored_once_while_it_does_not_change(site, engine, profile, fetcher):
    sources = _sources(engine, (site.url(WIND), "page"))
    assert run.collect(engine, profile, sources, fetcher).documents == 1
    assert run.collect(engine, profile, sources, fetcher).documents == 0


def test_unchanged_feed_costs_a_304_on_the_next_round(site, engine, profile, fetcher):
    url = site.url("/feeds/atom.xml")
    sources = _sources(engine, (url, "feed"))
    run.collect(engine, profile, sources, fetcher)
    before = sum(1 for r in site.requests if r.path == "/feeds/atom.xml")
    second = run.collect(engine, profile, sources, fetcher)
    assert second.not_modified == 1 and second.documents == 0
    last = [r for r in site.requests if r.path == "/feeds/atom.xml"][before:]
    assert last and "if-none-match" in last[-1].headers


def test_unchanged_child_sitemaps_are_not_parsed_again(site, engine, profile, fetcher):
    sources = _sources(engine, (site.url("/sitemaps/index.xml"), "sitemap"))
    run.collect(engine, profile, sources, fetcher)
    with engine.connect() as conn:
        stored = collect_state.validators(conn, [site.url("/sitemaps/news.xml")])
    assert stored[site.url("/sitemaps/news.xml")][0]  # its ETag
    assert run.collect(engine, profile, sources, fetcher).not_modified == 1


def test_failing_source_backs_off_after_its_second_failure(site, engine, profile, fetcher):
    sources = _sources(
        engine, (site.url("/status/503"), "feed"), (site.url("/feeds/rdf.xml"), "feed")
    )
    hour = timedelta(hours=1)
    run.collect(engine, profile, sources, fetcher, interval=hour)
    with engine.connect() as conn:
        assert not collect_state.not_due(conn)  # one failure: tried again next round
    run.collect(engine, profile, sources, fetcher, interval=hour)
    with engine.connect() as conn:
        waiting = collect_state.not_due(conn)
    assert list(waiting) == [sources[0].id]
    third = run.collect(engine, profile, sources, fetcher, interval=hour)
    assert not third.errors  # the failing source was left alone


def test_health_shows_failures_and_items_per_day(site, engine, profile, fetcher):
    sources = _sources(
        engine, (site.url("/status/404"), "feed"), (site.url("/feeds/atom.xml"), "feed")
    )
    run.collect(engine, profile, sources, fetcher)
    with engine.connect() as conn:
        first = {r["url"]: r for r in collect_state.source_health(conn)}
    run.collect(engine, profile, sources, fetcher)
    with engine.connect() as conn:
        rows = {r["url"]: r for r in collect_state.source_health(conn)}
    bad, good = rows[site.url("/status/404")], rows[site.url("/feeds/atom.xml")]
    assert bad["failures"] == 2 and "HTTP 404" in bad["last_error"] and bad["next_due_at"]
    assert bad["items_per_day"] is None
    # The first read listed the feed's backlog (2 items), not a day's flow: no rate yet.
    assert first[site.url("/feeds/atom.xml")]["items_per_day"] is None
    assert good["failures"] == 0 and good["last_ok_at"] and good["items_per_day"] == 0.0


def _fetched(engine, source_id: int, url: str, items: int, days_ago: float, ok: bool = True):
    """A read ``days_ago`` that listed ``items`` new to the source (marked seen just before)."""
    at = store.utcnow() - timedelta(days=days_ago)
    with engine.begin() as conn:
        before = at - timedelta(seconds=1)
        keys = [{"source_id": source_id, "item_key": f"{days_ago} {n}", "seen_at": before}
                for n in range(items)]  # fmt: skip
        if keys:
            conn.execute(sa.insert(schema.seen_items), keys)
        store.record_fetch(conn, source_id, url, error=None if ok else "HTTP 503", items=items)
        last = sa.select(sa.func.max(schema.fetch_log.c.id)).scalar_subquery()
        conn.execute(sa.update(schema.fetch_log).where(schema.fetch_log.c.id == last).values(at=at))


def test_items_per_day_is_the_flow_after_the_backlog(engine):
    (young, old) = _sources(
        engine, ("https://a.example/rss", "feed"), ("https://b.example/rss", "feed")
    )
    _fetched(engine, young.id, young.url, items=50, days_ago=3)  # its backlog
    _fetched(engine, young.id, young.url, items=4, days_ago=2)
    _fetched(engine, young.id, young.url, items=0, days_ago=1, ok=False)
    _fetched(engine, young.id, young.url, items=2, days_ago=0.5)
    _fetched(engine, old.id, old.url, items=40, days_ago=30)  # backlog, before the week
    _fetched(engine, old.id, old.url, items=99, days_ago=8)  # before the week
    _fetched(engine, old.id, old.url, items=14, days_ago=1)
    with engine.connect() as conn:
        rows = {r["url"]: r for r in collect_state.source_health(conn)}
    assert rows[young.url]["items_per_day"] == 2.0  # 6 items in the 3 days since it was added
    assert rows[old.url]["items_per_day"] == 2.0  # 14 in the last 7 days


def test_a_source_takes_its_feeds_title_unless_it_has_a_name(site, engine, profile, fetcher):
    with engine.begin() as conn:
        store.add_source(conn, Source(site.url("/feeds/rdf.xml"), "feed", "My name for it"))
    sources = _sources(engine, (site.url("/feeds/atom.xml"), "feed"))
    run.collect(engine, profile, sources, fetcher)
    with engine.connect() as conn:
        titles = {r["url"]: r["title"] for r in collect_state.source_health(conn)}
    assert titles[site.url("/feeds/atom.xml")] == "Caspian Ledger"
    assert titles[site.url("/feeds/rdf.xml")] == "My name for it"


def test_backoff_grows_and_is_capped():
    hour = timedelta(hours=1)
    delays = [collect_state.backoff_delay(n, hour, timedelta(days=1)) for n in range(1, 8)]
    assert delays[:4] == [timedelta(0), hour, 3 * hour, 7 * hour]
    assert delays[-1] == timedelta(days=1)


def test_a_source_failing_unexpectedly_fails_alone_and_the_round_ends(site, engine, profile):
    """An exception no one expected (here from the resolver) ends that source, not the run:
    before, the round waited for it for ever."""

    async def broken(host: str, port: int) -> list[str]:
        raise RuntimeError("resolver bug")

    port = site.url("/").split(":")[2].split("/")[0]
    sources = _sources(
        engine, (f"http://broken.test:{port}/feeds/central-asia.xml", "feed"),
        (site.url("/sitemaps/news.xml"), "sitemap"),
    )  # fmt: skip
    done: list[run.RunReport] = []
    with Fetcher(timeout=2.0, allow_private=True, delay=0, retries=0, resolver=broken) as f:
        worker = threading.Thread(
            target=lambda: done.append(run.collect(engine, profile, sources, f)), daemon=True
        )
        worker.start()
        worker.join(60)
    assert done, "the round never ended"
    (report,) = done
    assert report.documents == 2  # the other source's pages
    assert report.errors == [
        f"http://broken.test:{port}/feeds/central-asia.xml: unexpected error: RuntimeError: "
        "resolver bug"
    ]


def test_a_page_the_site_refuses_keeps_its_feed_summary_and_is_not_asked_again(
    site, engine, profile, fetcher
):
    sources = _sources(engine, (site.url("/feeds/refused.xml"), "feed"))
    report = run.collect(engine, profile, sources, fetcher)
    assert sorted(report.errors) == [
        f"{site.url('/status/410')}: HTTP 410 Gone",
        f"{site.url('/status/500')}: HTTP 500 Internal Server Error; listed by "
        f"{site.url('/feeds/refused.xml')}, asked for again next round (1 of 3)",
    ]
    assert sorted(report.warnings) == [
        f"{site.url('/binary')}: not a web page (content type application/octet-stream); "
        "kept the feed's text instead",
        f"{site.url('/status/401')}: HTTP 401 Unauthorized; kept the feed's text instead",
        f"{site.url('/status/403')}: HTTP 403 Forbidden; kept the feed's text instead",
    ]
    with engine.connect() as conn:
        kept = {a.url: a for a in store.list_articles(conn, relevant_only=False)}
    assert set(kept) == {site.url(p) for p in ("/status/403", "/binary", "/status/401")}
    assert kept[site.url("/status/401")].text == (  # the full text, not the summary
        "Kazakhstan opened a second rail crossing to China at Bakhty on Monday.\n"
        "The line is expected to carry up to 20 million tonnes of freight a year.\n"
        "“Every new crossing takes pressure off the old ones,” a railway official said."
    )
    paywalled = kept[site.url("/status/403")]
    assert paywalled.title == "Kazakhstan holds its base rate at 16.5 percent"
    assert paywalled.text.startswith("The National Bank of Kazakhstan kept its base rate")
    assert paywalled.outlet == "Steppe Wire: refused" and paywalled.relevance.relevant
    # Next round, the feed changed (no 304): what the site refused is not asked for again.
    with engine.begin() as conn:
        conn.execute(sa.update(schema.sources).values(etag=None, last_modified=None))
    paths = ("/status/403", "/status/401", "/binary", "/status/410", "/status/500")
    asked = {p: site.fetched(p) for p in paths}
    again = run.collect(engine, profile, sources, fetcher)
    assert again.warnings == [] and len(again.errors) == 2
    assert {p: site.fetched(p) - n for p, n in asked.items()} == {
        "/status/403": 0, "/status/401": 0, "/binary": 0, "/status/410": 1, "/status/500": 1
    }  # fmt: skip


def refuse_documents_after(engine: sa.Engine, held: int) -> None:
    """From now on the store takes no more than ``held`` documents: the next write fails inside
    its transaction, with an OperationalError as on a full disk (a trigger calls a function
    that raises)."""

    def disk_full() -> None:
        raise OSError("No space left on device")

    def register(dbapi_conn, _record) -> None:
        dbapi_conn.create_function("disk_full", 0, disk_full)

    sa.event.listen(engine, "connect", register)
    engine.dispose()  # pooled connections would not know the function
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TRIGGER store_full BEFORE INSERT ON documents WHEN "
            f"(SELECT count(*) FROM documents) >= {held} BEGIN SELECT disk_full(); END"
        )


def _rows(engine: sa.Engine, table: sa.Table) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def test_a_document_whose_write_failed_is_not_counted(site, engine, profile, fetcher):
    sources = _sources(engine, (site.url("/sitemaps/news.xml"), "sitemap"))  # two pages
    refuse_documents_after(engine, 1)
    report = run.RunReport()  # filled as the run goes, as a caller that is stopped reads it
    with pytest.raises(StoreError, match="the store failed"):  # one line, not a traceback
        run.collect(engine, profile, sources, fetcher, report=report)
    # Counted inside the transaction, the document rolled back was counted all the same.
    assert report.documents == _rows(engine, schema.documents) == 1
    assert report.articles == _rows(engine, schema.articles) > 0
