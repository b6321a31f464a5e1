"""Page dates for the extract stage: htmldate's options, its guesses told from the dates a
page states, and the choice between a page's date and the one its source gave.

htmldate refuses a date after its ``max_date``, by default the end of the machine's *local*
day, and then keeps the year and month alone (the 1st): a page of 00:30 tomorrow in Almaty
(and of today, on a server behind UTC) was dated the 1st, and on Dec. 31 a date of Jan. 1
was refused for its year. A date with a month and no day it makes the 1st (or, through
dateutil, today's day of the month), a copyright line Jan. 1; nothing in its answer tells
these guesses apart from a date the page gives.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import lxml.html

from mediadigest.analyse.normalise import parse_published

log = logging.getLogger(__name__)

__all__ = ["htmldate_options", "page_date", "page_or_source_date"]

DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
# The end of the day after tomorrow in UTC: every zone's today and tomorrow (UTC+14 is ahead
# by 14 hours), whatever zone the server is in. Whole days keep htmldate's caches, keyed on
# max_date, useful from one page to the next.
FUTURE_DAYS = 2
_LETTERS = r"[^\W\d_]{3,}"
# How much of the page around a year can hold the rest of a date ("1st of September, 2025",
# "2025. szeptember 1."), and how many places of a year are looked at, at most (a page
# of numbers has thousands of "-25"; the date a page gives is near its top).
_BEFORE, _AFTER = 40, 48
MAX_PLACES = 1_000


def htmldate_options(*, extensive: bool) -> dict[str, Any]:
    """htmldate's ``find_date`` options; its latest date is worked out in UTC."""
    latest = _utc_today() + timedelta(days=FUTURE_DAYS)
    return {
        "original_date": True,
        "extensive_search": extensive,
        "outputformat": DATE_FORMAT,
        "max_date": datetime.combine(latest, time.max),
    }


def _utc_today() -> date:
    return datetime.now(UTC).date()


def _guessed_days() -> set[int]:
    """The days of the month htmldate's guesses fall on: the 1st (a month or a year alone)
    and today's (dateutil fills a missing day from the machine's clock, local or not)."""
    return {1, date.today().day, _utc_today().day}


def page_date(found: str | None, tree: lxml.html.HtmlElement | None, url: str) -> datetime | None:
    """The date htmldate found on a page (``found``, in ``DATE_FORMAT``), unless it is one of
    its guesses. A guess is always a date without a time or a zone, so such a date is kept
    only where the page (or its URL) spells that day."""
    parsed = parse_published(found) if found else None
    if parsed is None:
        return _east_asian_date(tree) if tree is not None else None
    if parsed.tzinfo is not None or parsed.time() != time(0):
        return parsed
    if parsed.day not in _guessed_days():
        return parsed  # no guess has that day: the page search below costs up to 30 ms
    if tree is not None and _spells_day(parsed.date(), _sources(tree, url)):
        return parsed
    log.debug("page date %s of %s is htmldate's guess: not used", parsed.date(), url)
    return None


# 2026年11月18日 (Chinese, Japanese), 2026년 11월 18일 (Korean), with a time after it at most
# a few characters on ("2026年11月18日（水）14:30", "2026년 11월 18일 오후 2:30" is left at the day:
# its hour is a 12-hour one). htmldate reads none of them.
_EAST_ASIAN = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d\d)\s*[年년]\s*(?P<m>\d{1,2})\s*[月월]\s*(?P<d>\d{1,2})\s*[日일]"
    r"(?:[^\d\n]{0,6}?(?<!\d)(?P<H>[01]?\d|2[0-3])[:時时](?P<M>[0-5]\d))?"
)
_EAST_ASIAN_CHARS = 20_000  # a page's own date line is near its top, as in _spells_day


def _east_asian_date(tree: lxml.html.HtmlElement) -> datetime | None:
    """The first date a page writes as 2026年11月18日 or 2026년 11월 18일 in its visible text
    (its own date line comes before the dates of related articles), where htmldate found
    none: such a page was dated by its fetch. A whole day is spelt, so no guess; a date
    htmldate would refuse (after its ``max_date``, before 1995) is skipped."""
    body = tree.find("body")
    try:
        text = (body if body is not None else tree).text_content()[:_EAST_ASIAN_CHARS]
    except (ValueError, TypeError):  # pragma: no cover - a tree lxml parsed has text
        return None
    latest = _utc_today() + timedelta(days=FUTURE_DAYS)
    for match in _EAST_ASIAN.finditer(text):
        try:
            day = date(int(match["y"]), int(match["m"]), int(match["d"]))
        except ValueError:  # 2026年2月30日
            continue
        if not date(1995, 1, 1) <= day <= latest:
            continue
        at = time(int(match["H"]), int(match["M"])) if match["H"] else time(0)
        return datetime.combine(day, at)
    return None


def page_or_source_date(page: datetime | None, source: datetime | None) -> datetime | None:
    """The publication time of a page that its source (a feed entry, a sitemap, a JSON
    Lines record) dates as well: the page's, unless the source's says the same with more.

    The source's is kept where the page's names no zone and is on the source's day, or is
    the source's instant read as UTC (an outlet's wall time without its offset), and where
    the page's is midnight of the 1st of the source's month (spelt on the page, but as
    likely a month alone: "2025-11" is the 1st to htmldate).
    """
    if page is None or source is None:
        return page or source
    first = page.tzinfo is None and page.day == 1 and page.time() == time(0)
    if first and (page.year, page.month) == (source.year, source.month):
        return source
    if page.tzinfo is not None or source.tzinfo is None:
        return page
    same_day = page.date() == source.date()
    return source if same_day or page.replace(tzinfo=UTC) == source else page


def _sources(tree: lxml.html.HtmlElement, url: str) -> Iterator[str]:
    """Where a page's date is written: its URL, its head (meta tags, JSON-LD: a few KB to
    serialise, where nearly every date is found), then the whole page."""
    yield url
    head = tree.find("head")
    for element in (head, tree) if head is not None else (tree,):
        try:
            yield lxml.html.tostring(element, encoding="unicode")
        except (ValueError, TypeError):  # pragma: no cover - a tree lxml parsed serialises
            continue


def _spells_day(day: date, sources: Iterable[str]) -> bool:
    """Whether one of ``sources`` (a page's URL, its HTML) writes ``day``, its day of the
    month included: 2025-12-01, 2025/12/1, 20251201, 01.12.2025, 12/1/25, 2025年12月1日,
    2025년 12월 1일, or with the month's name in a language dateparser knows ("1 December 2025",
    "Dec. 1, 2025", "1 декабря 2025", "2025. december 1.")."""
    y, m, d = day.year, day.month, day.day
    years = f"(?:{y}|{y % 100:02})"
    numbers = re.compile(
        r"(?<!\d)(?:"
        rf"{y}[-/._]0?{m}[-/._]0?{d}|{y}{m:02}{d:02}|0?{d}[-/.]0?{m}[-/.]{years}"
        rf"|0?{m}[-/.]0?{d}[-/.]{years}|{y}\s*[年년]\s*0?{m}\s*[月월]\s*0?{d}\s*[日일]"
        r")(?!\d)"
    )
    named = re.compile(
        r"(?<!\d)(?:"
        rf"0?{d}(?:st|nd|rd|th|\.)?\s+(?:of\s+|de\s+)?(?P<a>{_LETTERS})\.?,?\s+(?:de\s+)?{y}"
        rf"|(?<![^\W\d_])(?P<b>{_LETTERS})\.?\s+0?{d}(?:st|nd|rd|th)?,?\s+{y}"
        rf"|{y}\.?\s+(?P<c>{_LETTERS})\.?\s+0?{d}"
        r")(?!\d)",
        re.IGNORECASE,
    )
    # Every spelling holds the year, in full or after a separator: the patterns run only
    # around those (str.find is fast where a regex over a whole page of 1 MB takes 0.5 s).
    needles = (str(y), *(f"{sep}{y % 100:02}" for sep in "./-"))
    for text in sources:
        for at in _places(text, needles):
            window = text[max(0, at - _BEFORE) : at + _AFTER]
            if numbers.search(window):
                return True
            for match in named.finditer(window):
                word = (match["a"] or match["b"] or match["c"]).casefold()
                if m in _month_names().get(word, ()):
                    return True
    return False


def _places(text: str, needles: tuple[str, ...]) -> Iterator[int]:
    """Where each of ``needles`` is found in ``text``, the first MAX_PLACES of each."""
    for needle in needles:
        at = text.find(needle)
        for _ in range(MAX_PLACES):
            if at < 0:
                break
            yield at
            at = text.find(needle, at + 1)


@functools.cache
def _month_names() -> dict[str, frozenset[int]]:
    """Month names and abbreviations, casefolded, in every language dateparser knows (loaded
    once, in a quarter of a second) -> the months they name."""
    from dateparser.languages.loader import default_loader  # htmldate's dependency

    keys = ("january", "february", "march", "april", "may", "june", "july", "august",
            "september", "october", "november", "december")  # fmt: skip
    found: dict[str, set[int]] = {}
    for locale in default_loader.get_locales():
        for number, key in enumerate(keys, 1):
            for word in locale.info.get(key, []):
                if re.fullmatch(_LETTERS, word):
                    found.setdefault(word.casefold(), set()).add(number)
    return {word: frozenset(months) for word, months in found.items()}
