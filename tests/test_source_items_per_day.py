"""A source's items per day (`sources list`, the Sources page): the items it listed that were
new to it, whichever source fetched their pages."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from mediadigest import run, store
from mediadigest.collect.fetch import Fetcher
from mediadigest.collect.poll import failed_round
from mediadigest.model import Source
from mediadigest.profile import load_profile
from mediadigest.store import collect_state, schema
from test_poll_rounds import PAGE, _Server, server  # noqa: F401 (a fixture)


def _rss(srv: _Server, *paths: str) -> tuple[int, bytes, str]:
    items = "".join(
        f"<item><title>Item {p}</title><link>{srv.url(p)}</link><guid>{p}</guid></item>"
        for p in paths
    )
    body = f'<rss version="2.0"><channel><title>Wire</title>{items}</channel></rss>'
    return 200, body.encode(), "application/rss+xml"


def _sources(engine) -> list[Source]:
    with engine.connect() as conn:
        return [Source(r["url"], r["kind"], r["title"], r["id"])
                for r in store.list_sources(conn)]  # fmt: skip


def test_a_feed_listing_pages_another_feed_fetched_first_is_credited_with_them(server, engine):  # noqa: F811
    """feedE lists what feedA lists: a new page, fetched once (for feedA), is new to both, and
    both are as active. Before, feedE read 0 items/day, a dead feed to prune."""
    server.routes["/feedA.xml"] = server.routes["/feedE.xml"] = _rss(server, "/p1.html")
    server.routes["/p1.html"] = server.routes["/p2.html"] = (200, PAGE, "text/html")
    with engine.begin() as conn:
        store.add_source(conn, Source(server.url("/feedA.xml")))
        store.add_source(conn, Source(server.url("/feedE.xml")))
    profile = load_profile("kazakhstan")
    with Fetcher(timeout=2.0, allow_private=True, delay=0, retries=0) as fetcher:
        run.collect(engine, profile, _sources(engine), fetcher)  # the backlog: not counted
        server.routes["/feedA.xml"] = server.routes["/feedE.xml"] = _rss(
            server, "/p1.html", "/p2.html"
        )
        run.collect(engine, profile, _sources(engine), fetcher)
    with engine.connect() as conn:
        fetched = conn.execute(
            sa.select(schema.fetch_log.c["items"]).order_by(schema.fetch_log.c.id.desc()).limit(2)
        ).scalars()
        assert sorted(fetched) == [0, 1]  # the page was fetched once, for one of them
        rates = {r["url"]: r["items_per_day"] for r in collect_state.source_health(conn)}
    assert rates == {server.url("/feedA.xml"): 1.0, server.url("/feedE.xml"): 1.0}


def _read(engine, source_id: int, days_ago: float, seen: list[str]) -> None:
    """A successful read ``days_ago``, which marked ``seen`` among the source's seen items."""
    at = store.utcnow() - timedelta(days=days_ago)
    with engine.begin() as conn:
        store.mark_seen(conn, source_id, seen)
        s = schema.seen_items.c
        conn.execute(
            sa.update(schema.seen_items)
            .where(s.source_id == source_id, s.item_key.in_(seen))
            .values(seen_at=at - timedelta(seconds=1))
        )
        store.record_fetch(conn, source_id, "https://a.example/rss", error=None, items=len(seen))
        last = sa.select(sa.func.max(schema.fetch_log.c.id)).scalar_subquery()
        conn.execute(sa.update(schema.fetch_log).where(schema.fetch_log.c.id == last).values(at=at))


def test_a_pages_failed_rounds_are_not_items(engine):
    with engine.begin() as conn:
        sid, _ = store.add_source(conn, Source("https://a.example/rss"))
    _read(engine, sid, days_ago=3, seen=["old1", "old2"])  # the backlog
    _read(engine, sid, days_ago=2, seen=["new1", failed_round("new2", 1)])
    _read(engine, sid, days_ago=1, seen=[failed_round("new2", 2)])
    _read(engine, sid, days_ago=0.5, seen=["new2"])  # its page came at last
    with engine.connect() as conn:
        (row,) = collect_state.source_health(conn)
    assert row["items_per_day"] == round(2 / 3, 2)  # new1 and new2, in the 3 days since added
