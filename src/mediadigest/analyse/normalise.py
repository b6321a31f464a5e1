"""Normal forms that records are keyed and compared on: a page's URL and a date string."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import unquote_plus, urlsplit, urlunsplit

from courlan import normalize_url
from courlan.clean import TRACKERS_RE

__all__ = ["ITEM_FRAGMENT", "canonicalise_url", "parse_date", "parse_published"]

# How the URL of a feed item without a link of its own ends: ``feed.xml#item=<its id>``
# (collect.feeds.entry_url). That fragment is the item's identity and stays in its key.
ITEM_FRAGMENT = "item="

_TRACKING_EXTRA = re.compile(r"^(?:utm_\w+|fbclid|gclid|dclid|msclkid|yclid|mc_[ce]id|_ga|_hs\w+)$")
_INDEX_PAGE = re.compile(r"/index\.html?$", re.IGNORECASE)


def canonicalise_url(url: str) -> str:
    """The key form of a URL: lower-case scheme and host, no default port, no fragment,
    no tracking parameters (utm_*, fbclid, gclid, ...), sorted query, no trailing
    ``index.html``. Non-web URIs (file://, mailto:) come back as given.

    A feed item's own URL (``feed.xml#item=101``, ITEM_FRAGMENT) keeps its fragment: without
    it every such item of a feed had the feed's URL as its key, and listings took them for
    captures of one page and showed only the newest.
    """
    url = url.strip()
    if not url.lower().startswith(("http://", "https://")):
        return url
    try:
        fragment = urlsplit(url).fragment
        # courlan drops default ports and the usual tracking parameters and sorts the query
        parts = urlsplit(normalize_url(url))
    except ValueError:
        return url
    query = "&".join(
        pair for pair in parts.query.split("&") if pair and not _tracking(pair.partition("=")[0])
    )
    path = _INDEX_PAGE.sub("/", parts.path) or "/"
    fragment = fragment if fragment.startswith(ITEM_FRAGMENT) else ""
    return urlunsplit((parts.scheme.lower(), _ascii_host(parts.netloc), path, query, fragment))


def untracked(url: str) -> str:
    """``url`` without the tracking parameters `canonicalise_url` drops (utm_*, fbclid, ...),
    all else as written: the address a digest sends its reader to (a page reached through a
    feed's ``?utm_source=rss`` link was linked with it)."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    kept = [p for p in parts.query.split("&") if p and not _tracking(p.partition("=")[0])]
    return urlunsplit(parts._replace(query="&".join(kept)))


def _tracking(name: str) -> bool:
    name = unquote_plus(name).lower()
    return bool(TRACKERS_RE.search(name) or _TRACKING_EXTRA.match(name))


def _ascii_host(netloc: str) -> str:
    """Punycode for internationalised hosts: courlan decodes some labels, not all."""
    netloc = netloc.lower()
    if netloc.isascii():
        return netloc
    userinfo, at, hostport = netloc.rpartition("@")
    host, colon, port = hostport.partition(":")  # an IPv6 literal is ASCII: never here
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return netloc
    return f"{userinfo}{at}{host}{colon}{port}"


def parse_date(value: str) -> datetime | None:
    """An ISO 8601 or RFC 2822 date string as aware UTC; None when it is neither."""
    parsed = parse_published(value)
    if parsed is None:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def parse_published(value: str) -> datetime | None:
    """An ISO 8601 or RFC 2822 date string as the outlet wrote it: aware in the offset it
    names (``+06:00`` stays Almaty's clock, so the day is the outlet's own), naive where it
    names none (then read as UTC); None when it is neither, or its instant falls outside
    the calendar (``0001-01-01T00:00+01:00`` is before year 1 in UTC).
    """
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        try:
            # RFC 2822's "-0000" (no zone known) comes back naive, as it should.
            parsed = parsedate_to_datetime(_zone_as_offset(value))
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    if parsed.tzinfo is not None:
        try:
            parsed.astimezone(UTC)
        except OverflowError:
            return None
    return parsed


# Zone names that RFC 2822 dates in feeds carry and email.utils does not know (it knows UT,
# UTC, GMT, Z and the North American ones, and reads any other name as no zone): minutes east
# of UTC. feedparser's own additions are here, so that a feed's date and a JSON Lines record's
# read alike, but for its military letters ("A"), which RFC 2822 says to read as no zone.
# Names that stand for several zones (IST: India, Ireland, Israel) stay unknown.
_ZONE_NAMES: dict[str, int] = {
    "MSK": 180, "BST": 60, "CET": 60, "CEST": 120, "MET": 60, "MEST": 120,
    "EET": 120, "EEST": 180, "WET": 0, "WEST": 60,
    "AT": -240, "ET": -300, "CT": -360, "MT": -420, "PT": -480,
    "AKST": -540, "AKDT": -480, "HST": -600,
}  # fmt: skip
_ZONE_NAME = re.compile(r"(?<=:\d\d)\s+\(?([A-Za-z]{2,5})\)?\s*$")


def _zone_as_offset(value: str) -> str:
    """An RFC 2822 date whose zone is a name email.utils does not know, with the name's
    offset instead ("01:30:00 MSK" -> "01:30:00 +0300"); any other as it is."""
    found = _ZONE_NAME.search(value)
    minutes = _ZONE_NAMES.get(found[1].upper()) if found else None
    if found is None or minutes is None:
        return value
    sign = "-" if minutes < 0 else "+"
    return f"{value[: found.start()]} {sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


# "LinkNaija | Nigeria's news platform", "BBC News - World": the outlet is the first part.
_SITE_PARTS = re.compile(r"\s+[|–—:-]+\s+|\s*::\s*")
_NOT_A_NAME = re.compile(r"^(?:copyright\b|©|\(c\)|all rights reserved|home(?:page)?$)", re.I)


def outlet_name(site: str | None, url: str) -> str | None:
    """The outlet as a digest names it, from a page's site name or a feed's title.

    The first part of a titled name, a bare domain for a URL, and the web address's domain
    when the page names no site or names it as a copyright line ("Copyright 2014").
    """
    name = _SITE_PARTS.split(" ".join((site or "").split()), maxsplit=1)[0].strip(" _-|")
    if name.casefold().startswith(("http://", "https://", "www.")):
        name = _domain(name)
    if len(name) < 2 or _NOT_A_NAME.match(name):
        name = _domain(url)
    return name or None


def page_outlet(sitename: str | None, hints: Mapping[str, str], url: str) -> str | None:
    """The outlet of a page: the publisher its source names (an aggregator's item, a news
    sitemap, a JSON Lines record), else the page's own site name, else the title of the feed
    that listed it, else the web address's domain (which extraction gives as a site name when
    the page names none: a feed's "Steppe Wire - World" says more than "steppe.example")."""
    if hints.get("outlet"):
        return outlet_name(hints["outlet"], url)
    # A page at an address with a port is named after its host and port ("127.0.0.1:8741"),
    # which the domain (no port) did not match: the feed's title lost to the address.
    site = _PORT.sub("", sitename) if sitename else sitename
    if site and site.casefold().removeprefix("www.") != _domain(url):
        return outlet_name(sitename, url)
    return outlet_name(hints.get("feed_title") or site, url)


_PORT = re.compile(r":\d{1,5}$")


def _domain(url: str) -> str:
    """``www.example.com`` of a web address (or of a bare ``www.`` name); else empty."""
    if not url.casefold().startswith(("http://", "https://")):
        url = f"//{url}" if url.casefold().startswith("www.") else ""
    return (urlsplit(url).hostname or "").removeprefix("www.")


_TITLE_PARTS = re.compile(r"\s+[|–—-]\s+")


def compact(text: str) -> str:
    """Casefolded letters and digits only: ``Inexhibit magazine`` -> ``inexhibitmagazine``."""
    return re.sub(r"\W+", "", text.casefold())


def _is_site(part: str, names: list[str]) -> bool:
    key = compact(part)
    if len(key) < 2:
        return False
    for name in names:
        other = compact(name)
        if key == other or (min(len(key), len(other)) >= 5 and other.startswith(key)):
            return True  # "Inexhibit" of "Inexhibit magazine"
    return False


def headline(title: str, site: str | None, outlet: str | None, url: str) -> str:
    """The title without the site's name that pages add to it ("Best gadgets | ZDNet",
    "Lunar landers - SpaceNews.com", "LinkNaija | Nigeria's news platform: …")."""
    text = " ".join(title.split())
    domain = _domain(url)
    names = [n for n in (site, outlet, domain, domain.rsplit(".", 1)[0]) if n]
    if site and len(site) > 4:
        for sep in (" | ", " - ", " – ", " — "):
            text = text.removesuffix(f"{sep}{site}")
            if text.startswith(f"{site}: "):
                text = text[len(site) + 2 :]
    parts = _TITLE_PARTS.split(text)
    if len(parts) > 1 and _is_site(parts[-1], names):
        text = text[: text.rfind(parts[-1])].rstrip(" |–—-")
    elif len(parts) > 1 and _is_site(parts[0], names):
        text = text[len(parts[0]) :].lstrip(" |–—-")
    # "Grain exports hit a record ." (a data set's tokenised titles): the stop stood alone.
    return _LOOSE_END.sub("", text) or " ".join(title.split())


_LOOSE_END = re.compile(r"\s+[.,;:]+$")
