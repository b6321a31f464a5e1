"""Dates are the outlet's own: an article is dated, listed, put in a week and written about by
the calendar day its outlet printed, not by UTC's day (02:00 in Almaty is the evening before
in UTC). A date that names no zone is read as UTC, as before. On SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from mediadigest import store
from mediadigest.analyse import analyse
from mediadigest.analyse.normalise import parse_date, parse_published
from mediadigest.collect.feeds import Feed, entry_hints, entry_url, parse_feed
from mediadigest.collect.sitemaps import parse_sitemap
from mediadigest.model import Article, Document, Grade, Hit, Relevance, as_given, wall_time
from mediadigest.profile import load_profile
from mediadigest.store import engine as store_engine
from mediadigest.store import schema, transfer
from mediadigest.stories.rank import lead_article
from test_end_to_end import Cli
from web_support import csrf_of, login

ALMATY = timezone(timedelta(hours=6))

# The newcomer's two records: a Monday 02:00 in Almaty (Sunday 20:00 UTC) and a Sunday 23:30
# in New York (Monday 04:30 UTC). Both belong to the week of Dec. 15-21, 2025 (2025-W51).
RECORDS = [
    {
        "url": "https://timesca.com/kazakhstan-rail-2025-12-15",
        "title": "Kazakhstan opens new rail line to China",
        "text": "Kazakhstan opened a new 300-km rail line to the Chinese border on Monday, the "
        "national rail company said. The line will double freight capacity at the Dostyk "
        "crossing.",
        "published": "2025-12-15T02:00:00+06:00",
    },
    {
        "url": "https://www.nytimes.com/2025/12/21/world/asia/kazakhstan-uranium.html",
        "title": "Kazakhstan to cut uranium output next year",
        "text": "Kazakhstan will cut uranium output by 10% next year, Kazatomprom said late on "
        "Sunday, sending uranium prices higher in early Asian trade.",
        "published": "2025-12-21T23:30:00-05:00",
    },
]


@pytest.fixture
def ingested(store_url: str, tmp_path: Path) -> Cli:
    path = tmp_path / "tz.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    cli = Cli(tmp_path / "unused.db")
    cli.db = store_url
    cli("ingest", str(path))
    return cli


def test_an_article_of_2am_in_almaty_is_in_the_week_of_its_own_monday(ingested: Cli):
    md = ingested("digest", "--week", "2025-W51").stdout
    assert "The Times of Central Asia reported on Dec. 15 that Kazakhstan opened" in md


def test_an_article_of_late_sunday_in_new_york_stays_in_the_week_of_its_sunday(ingested: Cli):
    md = ingested("digest", "--week", "2025-W51").stdout
    assert "The New York Times reported on Dec. 21 that Kazakhstan will cut" in md


@pytest.mark.parametrize("week", ["2025-W50", "2025-W52"])
def test_the_weeks_on_either_side_hold_neither_article(ingested: Cli, week: str):
    assert "No articles about Kazakhstan were found" in ingested("digest", "--week", week).stdout


def test_articles_json_gives_the_time_with_the_outlets_offset(ingested: Cli):
    found = {a["url"]: a for a in ingested.json("articles", "--json")}
    rail, uranium = (found[r["url"]] for r in RECORDS)
    assert (rail["published"], rail["dated"]) == (
        "2025-12-15T02:00:00+06:00",
        "2025-12-15T02:00:00",
    )
    assert uranium["published"] == "2025-12-21T23:30:00-05:00"


def test_stories_json_gives_the_time_with_the_outlets_offset(ingested: Cli):
    stories = ingested.json("stories", "--json", "--week", "2025-W51")
    found = {a["url"]: a["published"] for s in stories for a in s["articles"]}
    assert found == {r["url"]: r["published"] for r in RECORDS}


def test_search_json_gives_the_time_with_the_outlets_offset(ingested: Cli):
    (hit,) = ingested.json("search", "rail", "--json")
    assert (hit["published"], hit["published_offset"]) == ("2025-12-15T02:00:00+06:00", 360)


def _article(url: str, published: datetime | None, **kw) -> Article:
    hit = Hit("Kazakhstan", "Kazakhstan", "country", "title", 1)
    return Article(
        url=url, canonical_url=url, content_hash=url[-8:], title="Kazakhstan story",
        text="Kazakhstan did something.", published=published,
        relevance=Relevance(3.0, Grade.SUBJECT, True, [hit]), **kw,
    )  # fmt: skip


def test_the_store_keeps_the_outlets_wall_time_and_its_offset(engine: sa.Engine):
    url = "https://timesca.com/rail"
    with engine.begin() as conn:
        store.save_articles(conn, [_article(url, datetime(2025, 12, 15, 2, tzinfo=ALMATY))])
        monday = store.list_articles(conn, since=date(2025, 12, 15), until=date(2025, 12, 15))
        sunday = store.list_articles(conn, since=date(2025, 12, 14), until=date(2025, 12, 14))
    assert [a.url for a in monday] == [url] and sunday == []
    art = monday[0]
    assert (art.published, art.published_offset) == (datetime(2025, 12, 15, 2), 360)
    assert art.dated == datetime(2025, 12, 15, 2)
    assert art.published_at == datetime(2025, 12, 14, 20, tzinfo=UTC)  # the same instant


def test_an_article_given_its_wall_time_and_offset_is_stored_as_given(engine: sa.Engine):
    art = _article("https://nyt.example/u", datetime(2025, 12, 21, 23, 30), published_offset=-300)
    with engine.begin() as conn:
        store.save_articles(conn, [art])
        (back,) = store.list_articles(conn, since=date(2025, 12, 21), until=date(2025, 12, 21))
    assert (back.published, back.published_offset) == (datetime(2025, 12, 21, 23, 30), -300)
    assert back.published_iso == "2025-12-21T23:30:00-05:00"


def test_a_date_without_a_zone_is_still_read_as_utc(engine: sa.Engine):
    published = parse_published("2025-12-15T02:00:00")
    assert published == datetime(2025, 12, 15, 2) and published.tzinfo is None
    with engine.begin() as conn:
        store.save_articles(conn, [_article("https://e.org/bare", published)])
        (back,) = store.list_articles(conn)
    assert (back.published, back.published_offset) == (datetime(2025, 12, 15, 2), None)
    assert back.published_at == datetime(2025, 12, 15, 2, tzinfo=UTC)
    assert back.published_iso == "2025-12-15T02:00:00"  # no offset claimed


def test_upgrading_a_store_at_0009_keeps_its_articles_and_dates_new_ones_by_the_outlet(
    empty_url: str,
):
    engine = store.create_engine(empty_url)
    stored = datetime(2025, 12, 14, 20)  # UTC, as every store before 0010 kept it
    with engine.begin() as conn:
        command.upgrade(store_engine._alembic_config(conn), "0009")
        conn.execute(
            sa.insert(schema.articles).values(
                url="https://e.org/old", canonical_url="https://e.org/old", content_hash="h",
                title="Kazakhstan story", text="Body.", score=3.0, grade="subject",
                relevant=True, relevance={}, quotes=[], warnings=[], created_at=stored,
                published=stored, dated=stored,
            )
        )  # fmt: skip
    store.migrate(engine)
    new = _article("https://e.org/new", datetime(2025, 12, 15, 2, tzinfo=ALMATY))
    with engine.begin() as conn:
        store.save_articles(conn, [new])
        found = {a.url: a for a in store.list_articles(conn, relevant_only=False)}
    old = found["https://e.org/old"]
    assert (old.published, old.dated, old.published_offset) == (stored, stored, None)
    assert found["https://e.org/new"].dated == datetime(2025, 12, 15, 2)
    engine.dispose()


def test_an_export_carries_the_offset(store_url: str, tmp_path: Path):
    source = store.open_store(store_url)
    with source.begin() as conn:
        almaty = datetime(2025, 12, 15, 2, tzinfo=ALMATY)
        store.save_articles(conn, [_article("https://e.org/a", almaty)])
        buffer = io.StringIO()
        transfer.export_jsonl(conn, buffer)
    source.dispose()
    (record,) = [r for r in map(json.loads, buffer.getvalue().splitlines()) if "ref" in r]
    assert (record["published"], record["published_offset"]) == ("2025-12-15T02:00:00", 360)
    target = store.open_store(f"sqlite:///{tmp_path}/target.db")
    with target.begin() as conn:
        transfer.import_jsonl(conn, io.StringIO(buffer.getvalue()))
        (back,) = store.list_articles(conn, relevant_only=False)
    target.dispose()
    assert (back.published_iso, back.dated) == (
        "2025-12-15T02:00:00+06:00",
        almaty.replace(tzinfo=None),
    )


def test_an_export_written_before_offsets_were_kept_still_imports(store_url: str):
    source = store.open_store(store_url)
    with source.begin() as conn:
        store.save_articles(conn, [_article("https://e.org/a", datetime(2025, 12, 14, 20))])
        buffer = io.StringIO()
        transfer.export_jsonl(conn, buffer)
    with source.begin() as conn:
        conn.execute(sa.delete(schema.articles))
    lines = [json.loads(line) for line in buffer.getvalue().splitlines()]
    older = [{k: v for k, v in r.items() if k != "published_offset"} for r in lines]
    older[0]["revision"] = "0009"
    with source.begin() as conn:
        transfer.import_jsonl(conn, io.StringIO("".join(json.dumps(r) + "\n" for r in older)))
        (back,) = store.list_articles(conn, relevant_only=False)
    source.dispose()
    assert (back.published, back.published_offset) == (datetime(2025, 12, 14, 20), None)


FEED = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Times of Central Asia</title>
<link>https://timesca.com/</link><description>News</description>
<item><title>Kazakhstan opens new rail line to China</title>
<guid isPermaLink="false">rail-2025-12-15</guid>
<description>Kazakhstan opened a new rail line to the Chinese border on Monday.</description>
<pubDate>Mon, 15 Dec 2025 02:00:00 +0600</pubDate></item>
<item><title>Kazakhstan wheat</title><guid isPermaLink="false">wheat</guid>
<description>Kazakhstan sold wheat.</description>
<pubDate>Mon, 15 Dec 2025 02:00:00 GMT</pubDate></item>
</channel></rss>"""


def _feed_article(feed: Feed, n: int) -> Article:
    entry = feed.entries[n]
    url = "https://timesca.com/rss"
    doc = Document(
        entry_url(entry.key, url),
        (entry.text or "").encode(),
        datetime(2025, 12, 16, tzinfo=UTC),
        "text/plain",
        entry_hints(entry, feed, url),
    )
    (art,) = analyse(doc, load_profile("kazakhstan"))
    return art


def test_a_feeds_rfc_2822_date_at_plus_0600_keeps_the_outlets_day():
    feed = parse_feed(FEED, "https://timesca.com/rss")
    assert feed.entries[0].published == "2025-12-15T02:00:00+06:00"
    art = _feed_article(feed, 0)
    assert (art.published, art.published_offset) == (datetime(2025, 12, 15, 2), 360)


def test_a_feeds_gmt_date_is_utc_with_offset_zero():
    art = _feed_article(parse_feed(FEED, "https://timesca.com/rss"), 1)
    assert (art.published, art.published_offset) == (datetime(2025, 12, 15, 2), 0)


def test_the_article_page_shows_the_time_on_the_outlets_clock(seeded, editor):
    art = _article("https://timesca.com/page", datetime(2025, 12, 15, 2, tzinfo=ALMATY))
    with seeded.engine.begin() as conn:
        store.save_articles(conn, [art])
    html = editor.get(f"/articles/{art.id}").text
    assert "2025-12-15 02:00 UTC+06:00" in html  # not "2025-12-15 02:00 UTC", nor the 14th


def test_of_equal_reports_the_story_is_told_from_the_one_published_first_in_time():
    # 02:00 in Almaty is 20:00 UTC on the 14th: before 22:00 UTC, though its clock says later.
    almaty = _article("https://timesca.com/first", datetime(2025, 12, 15, 2), published_offset=360)
    london = _article("https://bbc.example/later", datetime(2025, 12, 14, 22), published_offset=0)
    assert lead_article([london, almaty]) is almaty
    assert lead_article([almaty, london]) is almaty


NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://timesca.com/almaty</loc><news:news>
<news:publication><news:name>TCA</news:name><news:language>en</news:language></news:publication>
<news:publication_date>2025-12-16T01:00:00+06:00</news:publication_date>
<news:title>Kazakhstan rail</news:title></news:news></url>
<url><loc>https://timesca.com/utc</loc><news:news>
<news:publication><news:name>TCA</news:name><news:language>en</news:language></news:publication>
<news:publication_date>2025-12-15T20:00:00Z</news:publication_date>
<news:title>Kazakhstan wheat</news:title></news:news></url>
</urlset>"""


def test_a_news_sitemaps_date_keeps_its_offset_and_entries_still_sort_by_time():
    almaty, utc = parse_sitemap(NEWS_SITEMAP, "https://timesca.com/sitemap.xml").entries
    assert almaty.hints("s")["published"] == "2025-12-16T01:00:00+06:00"
    # 01:00 at +06:00 is 19:00 UTC on the 15th: an hour before the other, though it reads later.
    assert sorted([almaty, utc], key=lambda e: e.newest, reverse=True) == [utc, almaty]


def _bearer(app) -> dict[str, str]:
    """The header of a viewer's new API token."""
    client = login(TestClient(app), "viewer")
    form = {"name": "t", "csrf_token": csrf_of(client.get("/account").text)}
    token = re.search(r'class="token">([^<]+)<', client.post("/account/tokens", data=form).text)
    return {"Authorization": f"Bearer {token[1]}"}


def test_the_api_gives_the_time_with_the_outlets_offset(seeded, app):
    art = _article("https://timesca.com/api", datetime(2025, 12, 15, 2, tzinfo=ALMATY))
    with seeded.engine.begin() as conn:
        store.save_articles(conn, [art])
    found = TestClient(app).get(f"/api/articles/{art.id}", headers=_bearer(app))
    assert found.json()["published"] == "2025-12-15T02:00:00+06:00"


def test_the_api_search_gives_the_time_with_the_outlets_offset(seeded, app):
    art = _article("https://timesca.com/api", datetime(2025, 12, 15, 2, tzinfo=ALMATY))
    art.title = "Kazakhstan opens a dry port"
    with seeded.engine.begin() as conn:
        store.save_articles(conn, [art])
    query = {"q": "dry port"}
    (hit,) = TestClient(app).get("/api/search", params=query, headers=_bearer(app)).json()
    assert (hit["published"], hit["published_offset"]) == ("2025-12-15T02:00:00+06:00", 360)


_OFFSETS = st.integers(min_value=-24 * 60 + 1, max_value=24 * 60 - 1).map(
    lambda m: timezone(timedelta(minutes=m))
)
_TIMES = st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9998, 12, 31))


@given(_TIMES, _OFFSETS)
def test_a_time_split_into_wall_time_and_offset_is_the_same_instant(when, zone):
    aware = when.replace(tzinfo=zone)
    wall, offset = wall_time(aware)
    assert wall == when and offset is not None
    assert as_given(wall, offset) == aware


@given(_TIMES, _OFFSETS)
def test_parse_published_keeps_the_written_clock_and_agrees_with_parse_date(when, zone):
    written = when.replace(tzinfo=zone).isoformat()
    parsed = parse_published(written)
    assert parsed is not None and parsed.replace(tzinfo=None) == when
    assert parsed == parse_date(written)  # the same instant, on another clock


@given(st.text(max_size=40))
def test_parse_published_never_raises(value):
    parsed = parse_published(value)
    assert parsed is None or parse_date(value) == (
        parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    )
