"""Attribution: which outlet or office an article (or roundup item) reports, when, by whom.

Reads phrasings such as "Japan's Jiji Press reported on Dec. 18 that ...", "<Outlet>
published an article on <date> by <Author>, ...", "<Outlet> published an interview on <date>
with <Person>", "..., the ministry's press service reports." and "..., Kazinform cites the
ministry." (and their Russian counterparts "..., сообщает <X>."). Dates without a year
are resolved against the page's own date. The result is kept apart from the page's outlet.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from mediadigest.model import Attribution

__all__ = ["find_attribution", "parse_day"]

SCAN_CHARS = 1_500  # attributions open an item or close its first sentences
_AHEAD_DAYS = 7  # how far after its page's day a date without a year may be
_UP = r"A-ZА-ЯЁӘҒҚҢӨҰҮҺІ"
_WORD = rf"(?:[{_UP}0-9][\w&'’-]*(?:\.\w+)*)"  # "Kaspi.kz", never a sentence's full stop
_LINK = r"(?:of|on|for|and|the|de|du|der|&)"
# An outlet: capitalised words, a few small linking words between them.
_OUTLET = rf"(?:The[ \t]+)?{_WORD}(?:[ \t]+(?:{_LINK}[ \t]+)?{_WORD}){{0,6}}"  # one line
_NAME_TOKEN = rf"(?:[{_UP}][\w'’-]+|[{_UP}]\.(?:\s?-?[{_UP}]\.)*)"
NAME = rf"{_NAME_TOKEN}(?:\s+{_NAME_TOKEN}){{1,3}}"
_DESCRIPTOR = (
    r"(?:\s+(?:[a-z-]+\s+){0,3}(?:news agency|agency|newspaper|magazine|website|portal|outlet"
    r"|daily|weekly|broadcaster|channel|news site|site|journal|publication|news service))"
)
_VERBS = r"published|reported|wrote|ran|released|posted|aired|carried|featured|covered"
_OPENING = re.compile(
    rf"(?:^|(?<=[.!?]\s)|(?<=\n))(?:According to\s+)?(?:(?P<country>[{_UP}][\w-]+)['’]s\s+)?"
    rf"(?P<outlet>{_OUTLET}){_DESCRIPTOR}?\s+(?P<verb>{_VERBS})\b"
)
_WHAT = re.compile(
    r"\s+(?:an?|its|the)\s+(?:(?:[a-z-]+)\s+){0,2}?(?P<what>article|interview|op-ed|opinion piece"
    r"|column|analysis|report|story|piece|feature|editorial|commentary|video|podcast)\b"
)
_MONTH_NAMES = (
    "jan january|feb february|mar march|apr april|may|jun june|jul july|aug august"
    "|sep sept september|oct october|nov november|dec december"
)
# Month names and abbreviations -> number (also the LLM writer's grounding of dates).
MONTHS = {m: i + 1 for i, names in enumerate(_MONTH_NAMES.split("|")) for m in names.split()}
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
DAY = (
    rf"(?:(?P<m1>{_MONTH})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\.?(?:,?\s+(?P<y1>\d{{4}}))?"
    rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m2>{_MONTH})\.?(?:,?\s+(?P<y2>\d{{4}}))?)"
)
_ON_DAY = re.compile(rf"\s+on\s+{DAY}")
_BY = re.compile(rf"\s+by\s+(?P<author>{NAME})")
_WITH = re.compile(
    rf"\s+with\s+(?:(?P<role>(?:[{_UP}][\w-]+['’]s\s+)?[\w\s-]{{3,60}}?),\s+)?(?P<person>{NAME})"
    r"(?=[,.;]|\s+(?:who|on|about|in)\b)"
)
_ROLE_AFTER = re.compile(r",\s+(?:the\s+|an?\s+)?(?P<role>[^,.;\n]{3,80}?)(?=,|\.\s|;)")
# "..., the Ministry of Energy reports." / "..., Kazinform cites the ministry's press service."
_REPORTS = re.compile(
    rf",\s+(?P<office>(?:the\s+)?(?:{_OUTLET}|[a-z’'\s]{{3,40}}press service))\s+reports?\.",
)
_CITES = re.compile(rf",\s+(?P<agency>{_OUTLET})\s+cites?\s+(?P<source>[^.\n]{{3,80}})\.")
_RU_REPORTS = re.compile(
    r",\s+(?:—\s+)?(?:сообщает|сообщил[аи]?|передает|передаёт|пишет|информирует)\s+"
    r"(?P<office>[^.\n]{2,60}?)\.(?:\s|$)"
)
_NOT_OUTLETS = {"he", "she", "it", "they", "we", "the article", "the report", "the author"}


def find_attribution(text: str, page_day: date | datetime | None) -> Attribution | None:
    """The first attribution in the opening of ``text``, or None. Pure."""
    head = text[:SCAN_CHARS]
    found = _opening(head, page_day) or _closing(head)
    return found


def _opening(head: str, page_day: date | datetime | None) -> Attribution | None:
    for m in _OPENING.finditer(head):
        outlet = m.group("outlet").strip()
        if outlet.casefold() in _NOT_OUTLETS or len(outlet) < 2:
            continue
        att = Attribution(reported_by=outlet, start=m.start("outlet"), end=m.end())
        if m.group("country"):
            att.start = m.start("country")
        rest_at = m.end()
        what = _WHAT.match(head, rest_at)
        if what:
            rest_at = what.end()
        tail = head[rest_at : rest_at + 300]
        on = _ON_DAY.match(tail)
        if on:
            att.reported_on = parse_day(on, page_day)
            att.end = rest_at + on.end()
        after = tail[on.end() if on else 0 :]
        att.form = what.group("what") if what else None
        if by := _BY.match(after):
            att.author = _strip_name(by.group("author"))
            if role := _ROLE_AFTER.match(after, by.end()):
                att.author_role = role.group("role")
        if att.form == "interview" and (w := _WITH.match(after)):
            att.interviewee = _strip_name(w.group("person"))
        return att
    return None


def _closing(head: str) -> Attribution | None:
    m = _CITES.search(head)
    if m:
        agency = m.group("agency").strip()
        return Attribution(reported_by=agency, cites=m.group("source").strip(),
                           start=m.start("agency"), end=m.end())  # fmt: skip
    for pattern in (_REPORTS, _RU_REPORTS):
        m = pattern.search(head)
        if m and m.group("office").casefold() not in _NOT_OUTLETS:
            office = m.group("office").strip()
            return Attribution(reported_by=office, start=m.start("office"), end=m.end())
    return None


def _strip_name(name: str) -> str:
    return name.strip(" ,.")


def parse_day(m: re.Match[str], page_day: date | datetime | None) -> date | None:
    """The date a ``DAY`` match names; without a year, the latest one at most a week after
    the page's (its own calendar day), in the page's year or the one before or after."""
    month = m.group("m1") or m.group("m2")
    day = m.group("d1") or m.group("d2")
    year = m.group("y1") or m.group("y2")
    number = MONTHS.get(month.casefold().rstrip("."))
    if number is None:
        return None
    if year:
        try:
            return date(int(year), number, int(day))
        except ValueError:  # "Feb. 30": not a date
            return None
    ref = page_day.date() if isinstance(page_day, datetime) else page_day
    if ref is None:
        return None
    # A roundup of Jan. 3 that says "on Dec. 28" means last year's December, one of late
    # Dec. 31 in New York that says "on Jan. 1" (Tokyo's day) next year's January. A report
    # is never from months ahead: a page dated by its crawl, months after it was written,
    # still gets the past date. A week ahead is allowed for the zones and late editions.
    latest = ref + timedelta(days=_AHEAD_DAYS)
    found = [d for d in _in_years(number, int(day), ref.year) if d <= latest]
    return max(found, default=None)


def _in_years(month: int, day: int, year: int) -> list[date]:
    """The day in the year before ``year``, in it and after it, where it is a date ("Feb.
    29" only in a leap year, "Feb. 30" never)."""
    found = []
    for y in (year - 1, year, year + 1):
        try:
            found.append(date(y, month, day))
        except ValueError:
            continue
    return found
