"""Dates across time zones (the time-zone walk): a page's date does not depend on the
server's zone and is never htmldate's guess from a month or a year; a feed's date without a
zone, or with a zone name, is read as the JSON Lines path reads it; a roundup's "on Jan. 1"
is placed in the year nearest its page's date."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from mediadigest.analyse import analyse, pagedate
from mediadigest.analyse.attribution import find_attribution
from mediadigest.analyse.extract import extract_html
from mediadigest.analyse.normalise import parse_published
from mediadigest.collect.feeds import Feed, entry_hints, parse_feed
from mediadigest.model import Document
from mediadigest.profile import load_profile

URL = "https://almaty-daily.example/news/kaspi-deal"
ALMATY = timezone(timedelta(hours=5))
BODY = "".join(
    f"<p>{p}</p>"
    for p in (
        "Kazakhstan's Kaspi bought a Turkish payment company, the company said in Almaty.",
        "The deal values the firm at one billion dollars, Kaspi said in a statement.",
        "Analysts in Astana said the purchase gives Kaspi a foothold in a market of 85 "
        "million people, where it will compete with banks and telecom operators.",
    )
)


def page(published: str | None = None, extra: str = "") -> bytes:
    """An article page; ``published`` goes in its article:published_time meta tag."""
    meta = f'<meta property="article:published_time" content="{published}">' if published else ""
    return (
        f"<html><head><title>Kaspi buys a Turkish payment company</title>{meta}</head>"
        f"<body><article><h1>Kaspi buys a Turkish payment company</h1>{BODY}</article>"
        f"{extra}</body></html>"
    ).encode()


def page_date(body: bytes) -> datetime | None:
    return extract_html(body, URL, "text/html").published


@pytest.fixture
def server_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Sets the process's TZ (and tzset) for a test; the zone it had comes back after."""

    def set_zone(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    yield set_zone
    monkeypatch.undo()
    time.tzset()


def _utc_days() -> tuple[date, date]:
    today = datetime.now(UTC).date()
    return today, today + timedelta(days=1)


def at(day: date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute)


# --- page dates: no "future" by the server's clock, no guesses --------------------------


def test_a_page_time_without_offset_just_after_utc_midnight_keeps_its_day():
    # 00:30 tomorrow on an Almaty outlet's clock, written without its offset: htmldate took
    # it for a future date and kept its month alone (the 1st).
    _, tomorrow = _utc_days()
    found = page_date(page(f"{tomorrow}T00:30:00"))
    assert found == at(tomorrow, 0, 30)


def test_a_bare_date_of_tomorrow_in_utc_is_that_day():
    _, tomorrow = _utc_days()
    assert page_date(page(f"{tomorrow}")) == at(tomorrow)


@pytest.mark.parametrize("zone", ["Etc/GMT+12", "America/New_York", "UTC", "Etc/GMT-14"])
def test_page_dates_do_not_depend_on_the_servers_time_zone(server_zone, zone):
    # Behind UTC, the server's day ended before UTC's: even today's date was "future".
    today, tomorrow = _utc_days()
    server_zone(zone)
    found = [
        page_date(page(f"{today}T00:30:00")),
        page_date(page(f"{tomorrow}T00:30:00")),
        page_date(page(f"{tomorrow}")),
        page_date(page(f"{tomorrow}T00:30:00+05:00")),
    ]
    assert [d.date() if d else None for d in found] == [today, tomorrow, tomorrow, tomorrow]
    assert found[3] is not None and found[3].utcoffset() == timedelta(hours=5)


def test_a_date_of_new_years_day_with_its_offset_is_kept_on_new_years_eve_in_utc(monkeypatch):
    # 04:00 on Jan. 1 in Almaty is 23:00 on Dec. 31 in UTC: htmldate's check of the year
    # against the server's today refused it.
    monkeypatch.setattr(pagedate, "_utc_today", lambda: date(2026, 12, 31))
    found = page_date(page("2027-01-01T04:00:00+05:00"))
    assert found == datetime(2027, 1, 1, 4, tzinfo=ALMATY)


@pytest.mark.parametrize(
    ("published", "extra"),
    [
        ("2025-10", ""),  # a month: htmldate gave it today's day of the month
        (None, "<footer><p>© 2025 Almaty Daily</p></footer>"),  # a copyright year: Jan. 1
        (None, "<footer><a href='/archive/2025/10/'>October 2025 archive</a></footer>"),
        # htmldate cannot read these, and falls back to the year: Jan. 1 (another 1st)
        (None, "<p class='dateline'>Almaty, Nov. 1, 2025</p>"),
        (None, "<p class='dateline'>Алматы, 1 ноября 2025 года</p>"),
    ],
)
def test_a_page_dated_only_by_a_month_or_a_year_has_no_date(published, extra):
    assert page_date(page(published, extra)) is None


@pytest.mark.parametrize(
    ("published", "extra"),
    [
        ("2025-11-01", ""),
        (None, "<p class='dateline'>Almaty, 1 November 2025</p>"),
        (None, "<p class='dateline'>Almaty, November 1, 2025</p>"),
        (None, "<p class='dateline'>Astana, 1. November 2025</p>"),
        (None, "<p class='dateline'>1 ноября 2025 г.</p>"),
        (None, "<p class='dateline'>1 қараша 2025</p>"),
    ],
)
def test_a_page_dated_the_first_of_a_month_in_so_many_words_keeps_it(published, extra):
    assert page_date(page(published, extra)) == datetime(2025, 11, 1)


# --- the page's date and its source's ---------------------------------------------------


def _analysed(body: bytes, published: str) -> tuple[datetime | None, int | None]:
    doc = Document(URL, body, datetime.now(UTC), "text/html", {"published": published})
    (art,) = analyse(doc, load_profile("kazakhstan"))
    return art.published, art.published_offset


def test_the_sources_offset_is_kept_where_the_page_gives_the_same_day_without_one():
    _, tomorrow = _utc_days()
    published, offset = _analysed(page(f"{tomorrow}T00:30:00"), f"{tomorrow}T00:30:00+05:00")
    assert (published, offset) == (at(tomorrow, 0, 30), 300)


def test_the_sources_date_is_kept_where_the_page_has_only_a_month():
    assert _analysed(page("2025-10"), "2025-10-17T09:00:00+05:00") == (
        datetime(2025, 10, 17, 9),
        300,
    )


def test_a_page_date_with_its_own_offset_is_kept_over_the_sources():
    body = page("2025-10-17T09:00:00+06:00")
    assert _analysed(body, "2025-10-18T09:00:00+05:00") == (datetime(2025, 10, 17, 9), 360)


@pytest.mark.parametrize(
    ("page_day", "source_day", "kept"),
    [
        (datetime(2025, 10, 17, 9), datetime(2025, 10, 17, 14, tzinfo=ALMATY), "source"),
        (datetime(2025, 10, 17, 9), datetime(2025, 10, 17, 9, tzinfo=UTC), "source"),
        (datetime(2025, 10, 17), datetime(2025, 10, 18, 1, tzinfo=ALMATY), "page"),
        (datetime(2025, 10, 17, 4), datetime(2025, 10, 17, 9, tzinfo=ALMATY), "source"),
        (datetime(2025, 10, 1), datetime(2025, 10, 17), "source"),
        (datetime(2025, 10, 1), datetime(2025, 11, 17, tzinfo=ALMATY), "page"),
        (datetime(2025, 10, 17, tzinfo=UTC), datetime(2025, 10, 17, tzinfo=ALMATY), "page"),
        (datetime(2025, 10, 17), datetime(2025, 10, 17), "page"),
        (None, datetime(2025, 10, 17), "source"),
        (datetime(2025, 10, 17), None, "page"),
    ],
)
def test_page_or_source_date(page_day, source_day, kept):
    chosen = pagedate.page_or_source_date(page_day, source_day)
    assert chosen is (page_day if kept == "page" else source_day)


# --- feed dates: no zone is UTC, a zone's name its offset, as in a JSON Lines record -------


def rss(*pub_dates: str) -> Feed:
    items = "".join(
        f"<item><title>Kaspi report {n}</title><link>https://wire.example/{n}</link>"
        f"<pubDate>{when}</pubDate></item>"
        for n, when in enumerate(pub_dates)
    )
    body = f'<rss version="2.0"><channel><title>Wire</title>{items}</channel></rss>'
    return parse_feed(body.encode(), "https://wire.example/rss")


def test_an_rss_date_without_a_zone_is_read_as_utc_not_dropped():
    (entry,) = rss("Mon, 22 Dec 2025 01:30:00").entries
    assert entry.published == "2025-12-22T01:30:00+00:00"


@pytest.mark.parametrize(
    ("written", "published"),
    [
        ("Mon, 22 Dec 2025 01:30:00 MSK", "2025-12-22T01:30:00+03:00"),
        ("Sun, 26 Oct 2025 00:30:00 BST", "2025-10-26T00:30:00+01:00"),
        ("Mon, 22 Dec 2025 01:30:00 CET", "2025-12-22T01:30:00+01:00"),
        ("Mon, 22 Dec 2025 01:30:00 EST", "2025-12-22T01:30:00-05:00"),
        ("Sun, 26 Oct 2025 00:30:00 PDT", "2025-10-26T00:30:00-07:00"),
        ("Mon, 22 Dec 2025 01:30:00 PT", "2025-12-22T01:30:00-08:00"),
        ("Mon, 22 Dec 2025 01:30:00 GMT", "2025-12-22T01:30:00+00:00"),
    ],
)
def test_a_zone_name_in_an_rss_date_gives_its_offset(written, published):
    (entry,) = rss(written).entries
    assert entry.published == published


@pytest.mark.parametrize(
    "written",
    [
        "Mon, 22 Dec 2025 01:30:00",
        "Mon, 22 Dec 2025 01:30:00 MSK",
        "Sun, 26 Oct 2025 00:30:00 BST",
        "Mon, 22 Dec 2025 01:30:00 EEST",
        "Mon, 22 Dec 2025 01:30:00 CDT",
        "Mon, 22 Dec 2025 01:30:00 ET",
        "Mon, 22 Dec 2025 01:30:00 MEST",
        "Mon, 22 Dec 2025 01:30:00 XYZ",  # no zone anyone knows: UTC, on both paths
    ],
)
def test_a_feed_and_a_json_lines_record_read_one_date_alike(written):
    (entry,) = rss(written).entries
    record = parse_published(written)
    assert record is not None and entry.published is not None
    as_utc = record if record.tzinfo else record.replace(tzinfo=UTC)
    assert datetime.fromisoformat(entry.published) == as_utc
    assert datetime.fromisoformat(entry.published).utcoffset() == as_utc.utcoffset()


def _feed_article(feed: Feed) -> tuple[datetime | None, int | None]:
    (entry,) = feed.entries
    text = "Kazakhstan's Halyk Bank opened a branch in Tashkent, the bank said in Almaty."
    hints = entry_hints(entry, feed, "https://wire.example/rss")
    doc = Document(entry.link or "", text.encode(), datetime.now(UTC), "text/plain", hints)
    (art,) = analyse(doc, load_profile("kazakhstan"))
    return art.published, art.published_offset


def test_an_article_from_an_rss_item_without_a_zone_is_dated_by_it_not_by_its_fetch():
    assert _feed_article(rss("Mon, 22 Dec 2025 01:30:00")) == (datetime(2025, 12, 22, 1, 30), 0)


def test_an_article_from_an_rss_item_at_msk_keeps_moscows_clock():
    feed = rss("Mon, 22 Dec 2025 01:30:00 MSK")
    assert _feed_article(feed) == (datetime(2025, 12, 22, 1, 30), 180)


# --- a roundup's "on Jan. 1": the year nearest its page's day --------------------------

NEW_YORK = timezone(timedelta(hours=-5))


def _reported_on(sentence: str, page_day: date | datetime) -> date | None:
    att = find_attribution(sentence, page_day)
    assert att is not None
    return att.reported_on


def test_on_jan_1_in_a_roundup_of_late_new_years_eve_is_the_new_year():
    # 22:00 on Dec. 31 in New York is Jan. 1 in Tokyo, where Nikkei reported.
    page_day = datetime(2025, 12, 31, 22, tzinfo=NEW_YORK)
    said = "Japan's Nikkei Asia reported on Jan. 1 that Kazakhstan and Japan agreed a deal."
    assert _reported_on(said, page_day) == date(2026, 1, 1)


@pytest.mark.parametrize(
    ("page_day", "said", "reported_on"),
    [
        (date(2026, 1, 3), "Dec. 28", date(2025, 12, 28)),  # last December
        (date(2025, 12, 31), "Dec. 30", date(2025, 12, 30)),
        (date(2025, 12, 20), "Dec. 24", date(2025, 12, 24)),  # a few days ahead: zones
        (date(2026, 1, 20), "March 3", date(2025, 3, 3)),  # never months ahead
        (date(2029, 3, 5), "Feb. 29", date(2028, 2, 29)),
    ],
)
def test_a_day_without_a_year_is_the_latest_at_most_a_week_after_the_page(
    page_day, said, reported_on
):
    sentence = f"Reuters reported on {said} that Kazakhstan sold wheat to Iran."
    assert _reported_on(sentence, page_day) == reported_on


def test_feb_29_a_week_after_a_leap_years_page_is_no_date_and_no_error():
    # Feb. 29 of 2028 is 8 days after the page; 2027 has none: there was a ValueError.
    sentence = "Reuters reported on Feb. 29 that Kazakhstan sold wheat to Iran."
    att = find_attribution(sentence, date(2028, 2, 21))
    assert att is not None
    assert (att.reported_by, att.reported_on) == ("Reuters", None)


ROUNDUP = (
    "Kazakhstan in the foreign press: a weekly digest\n\n"
    "Kazakhstan signs rare earths deal with Japan\n\n"
    "Japan's Nikkei Asia reported on Jan. 1 that Kazakhstan and Japan agreed to build a rare "
    "earth refinery in Stepnogorsk, with Sumitomo taking a minority stake in the project.\n\n"
    "Wheat exports to Iran\n\n"
    "Britain's Reuters reported on Dec. 30 that Kazakhstan shipped a record volume of wheat "
    "to Iran across the Caspian Sea from the port of Aktau this month.\n\n"
    "Snow in Astana\n\n"
    "America's Associated Press reported on Dec. 31 that heavy snow closed schools in "
    "Astana, the capital of Kazakhstan, and delayed flights at the city airport."
)


def test_a_roundup_of_new_years_eve_dates_its_items_across_the_new_year():
    hints = {
        "title": "Foreign media digest: Kazakhstan in the world press",
        "published": "2025-12-31T22:00:00-05:00",
        "outlet": "Steppe Review",
    }
    doc = Document(
        "https://press.example/digest-nye",
        ROUNDUP.encode(),
        datetime(2026, 1, 1, 3, tzinfo=UTC),
        "text/plain",
        hints,
    )
    found = {a.reported_by: a.reported_on for a in analyse(doc, load_profile("kazakhstan"))}
    assert found == {
        "Nikkei Asia": date(2026, 1, 1),
        "Reuters": date(2025, 12, 30),
        "Associated Press": date(2025, 12, 31),
    }


@pytest.mark.parametrize(
    ("published", "says"),
    [("2030-12-15T10:00:00+05:00", "published date 2030-12-15 is after the document was fetched"),
     ("1970-01-01T00:00:00Z", "published date 1970-01-01 00:00 is a placeholder")],
)  # fmt: skip
def test_a_date_after_the_fetch_or_the_epoch_is_no_publication_date(published, says):
    """A record's mistyped "2030" put the article in a week nobody reads, silently; the
    page path already refused such dates. The article is dated by its fetch instead."""
    fetched = datetime(2025, 12, 16, 8, tzinfo=UTC)
    doc = Document(
        "https://a.example/1",
        b"Kazakhstan opened a bridge over the Ural river in Atyrau on Monday.",
        fetched,
        "text/plain",
        {"title": "Kazakhstan opens a bridge", "published": published},
    )
    (art,) = analyse(doc, load_profile("kazakhstan"))
    assert art.published is None and any(w.startswith(says) for w in art.warnings)
    # A day ahead of the fetch is a zone's tomorrow, not a mistake.
    doc.hints["published"] = "2025-12-17T01:00:00+13:00"
    (art,) = analyse(doc, load_profile("kazakhstan"))
    assert art.published is not None and not art.warnings


def test_a_date_no_guess_falls_on_is_kept_without_searching_the_page(monkeypatch):
    """A search of a page full of figures for the day costs up to 30 ms: it is for htmldate's
    guesses only, which fall on the 1st or today's day of the month."""
    days = {1, date.today().day, datetime.now(UTC).day}
    day = next(d for d in range(2, 29) if d not in days)

    def searched(*_args):
        raise AssertionError("the page was searched")

    monkeypatch.setattr(pagedate, "_spells_day", searched)
    found = pagedate.page_date(f"2025-12-{day:02}T00:00:00", None, "https://a.example/x")
    assert found == datetime(2025, 12, day)
