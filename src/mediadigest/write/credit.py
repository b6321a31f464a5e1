"""Whom an item credits with a report: the page's outlet, or the outlet a roundup retells.

A roundup (a paper's "foreign media digest", a press review) retells other outlets' reports,
each item opening with its own attribution: "Japan’s Jiji Press reported on Dec. 18 that …".
Such an item is the reported outlet's, of its day and by its author; the roundup page is how
the report reached us (``via``), kept beside it so that every sentence stays traceable to the
page it was read from. Every other article is its own page's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from mediadigest.analyse.attribution import DAY
from mediadigest.analyse.normalise import canonicalise_url, untracked
from mediadigest.model import Article, Attribution, is_web_url
from mediadigest.profile import Profile
from mediadigest.write import byline, style
from mediadigest.write.summarise import Evidence, sentences

__all__ = [
    "Credit",
    "Retold",
    "credit",
    "outlet_country",
    "retold",
    "retold_line",
    "web_address",
]


@dataclass(slots=True)
class Credit:
    """The outlet, its country, the day and the byline an item credits, and the roundup page
    it was read from (``via``: its ``outlet``, ``url`` and ``published``), if any."""

    outlet: str | None
    country: str | None
    day: date | None
    author: str | None
    via: dict[str, str | None] | None = None


def credit(art: Article, profile: Profile) -> Credit:
    """Whom ``art`` is credited to: its page's outlet and date, or, for a roundup's item that
    opens with another outlet's report, that outlet, the day it names (None where it names
    none: the roundup's day is not the report's) and the author it names."""
    day = art.published.date() if art.published else None
    att = retold(art)
    if att is None:
        return Credit(art.outlet, art.outlet_country, day, byline.clean(art.author, art.outlet))
    via = {
        "outlet": art.outlet or None,
        "url": web_address(art.parent_url),
        "published": day.isoformat() if day else None,
    }
    phrase = art.text[att.start : att.end]
    country = outlet_country(att.reported_by or "", profile, phrase)
    author = byline.clean(att.author, att.reported_by)
    return Credit(att.reported_by, country, att.reported_on, author, via)


def web_address(url: str | None, canonical: str | None = None) -> str | None:
    """The address a digest links a page by: its own where that is on the web, else the
    canonical one its page gave (a saved page read from a file: ``<link rel=canonical>``),
    tracking parameters off; None where neither is. A file's path is no address a reader can
    open, and says where the page lay on the machine that read it."""
    if url and is_web_url(url):
        return untracked(url)
    if canonical and is_web_url(canonical):
        return canonicalise_url(canonical)
    return None


# What may end the text before an attribution that opens a sentence: "According to Reuters
# reported" or "…, Kazinform cites the ministry." is a page's own report, citing another.
_SENTENCE_END = (".", "!", "?", "…", '"', "”", "»", ")")


def retold(art: Article) -> Attribution | None:
    """The attribution of a roundup's item that retells another outlet's report: one that
    opens a sentence with the outlet ("Japan’s Jiji Press reported on Dec. 18 that", "News
    Azerbaijan published an interview on Dec. 18 with …"). A closing one ("…, the ministry's
    press service reports.") credits a source of the page's own report: None."""
    att = art.attribution
    if not art.parent_url or att is None or not att.reported_by:
        return None
    before = art.text[: att.start].rstrip()
    return att if not before or before.endswith(_SENTENCE_END) else None


_POSSESSIVE = re.compile(r"(?P<country>[^\W\d_][\w .-]*?)['’]s\s")


def outlet_country(outlet: str, profile: Profile, phrase: str = "") -> str | None:
    """The country of an outlet known by its name only: the profile's entry for it, else the
    country the attribution's phrase gives it ("China’s Global Times"), else None."""
    names = profile.cache.get("outlet_countries")
    if names is None:
        names = profile.cache["outlet_countries"] = {
            _plain(o.name): o.country for o in profile.outlets.values() if o.country
        }
    if found := names.get(_plain(outlet)):
        return found
    m = _POSSESSIVE.match(phrase)
    return style.country_code(m.group("country")) if m else None


def _plain(name: str) -> str:
    return name.casefold().removeprefix("the ").strip()


@dataclass(slots=True)
class Retold:
    """A roundup item's own attribution sentence made the item's line: ``line`` reads as the
    sentence with its date in the house style; ``sentence`` spans the whole sentence (no
    summary repeats it); ``rest`` is what the line ends with after the attribution phrase,
    verbatim (its evidence), or None where the phrase is the whole sentence."""

    line: str
    sentence: tuple[int, int]
    rest: Evidence | None


_DATE_AT_END = re.compile(rf"\s+on\s+(?:{DAY})$")


def retold_line(art: Article) -> Retold | None:
    """The line of a roundup's item that opens with its attribution sentence, or None.

    "International Business Times published an article on Dec 16. by Meirzhan Yussupov, …"
    becomes "International Business Times published an article on Dec. 16 by Meirzhan
    Yussupov, …": the phrase as the roundup wrote it (outlet, what and when, which analyse
    read), the date written as the house writes dates, the rest of the sentence verbatim.
    """
    att = retold(art)
    if att is None:
        return None
    sent = next((s for s in sentences(art.text) if s.start <= att.start < s.end), None)
    if sent is None or sent.start != att.start or att.end > sent.end:
        return None  # the phrase does not open its sentence, or runs past it
    head = " ".join(art.text[att.start : att.end].split())
    on = _DATE_AT_END.search(head)
    if on is not None and att.reported_on is not None:
        head = f"{head[: on.start()]} on {style.day(att.reported_on)}"
    tail = art.text[att.end : sent.end]
    rest = tail.lstrip()
    if not rest.strip(" ."):
        return Retold(f"{head.rstrip('.')}.", (sent.start, sent.end), None)
    start = sent.end - len(rest)
    # "…on Dec. 16 by …", "…on Dec. 16, citing …": the white space as the sentence has it.
    line = f"{head}{' ' if tail[:1].isspace() else ''}{rest}"
    return Retold(line, (sent.start, sent.end), Evidence(rest, art.id or 0, start, sent.end))
