"""Collect stage: parse RSS/Atom feeds and turn their new entries into Documents."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
import xml.sax
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import feedparser

from mediadigest.analyse.normalise import ITEM_FRAGMENT, parse_published
from mediadigest.collect.chars import storable
from mediadigest.collect.fetch import Response
from mediadigest.errors import FormatError
from mediadigest.model import Document

log = logging.getLogger(__name__)

# Content types we hand to analysis as pages; anything else (PDF, images, octet-stream)
# linked from a feed is reported instead of stored.
PAGE_TYPES = ("text/", "application/xhtml+xml", "application/xml")

# Internal errors feedparser is known to raise on malformed input, instead of setting bozo.
_FEEDPARSER_CRASHES = (LookupError, AttributeError, TypeError, ValueError, AssertionError)

# Entry ids that are URIs in their own right and can stand as a Document URL.
_ID_SCHEMES = ("http", "https", "tag", "urn")

_HTML_TYPES = ("text/html", "application/xhtml+xml")  # feedparser's names for html and xhtml
_TEXT_TYPES = ("text/", "application/xhtml+xml")  # content we can read as text

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_MARKS = ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
_HEAD_CHARS = 4096  # whitespace before a declaration looked at, in characters
_JSON_FEED = "https://jsonfeed.org/version/"  # the version URL every JSON Feed starts with
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)


@dataclass(slots=True)
class FeedEntry:
    """One item of a feed, as far as the feed describes it."""

    key: str  # guid/id, else link, else a hash of title and summary: stable across runs
    link: str | None
    title: str | None
    published: str | None  # ISO 8601, with the offset the feed gave (the outlet's clock)
    author: str | None
    summary: str | None  # plain text
    content: str | None = None  # the full text, where the feed carries it (content:encoded)
    source: str | None = None  # the publisher an aggregator names (RSS <source>, Atom source)

    @property
    def text(self) -> str | None:
        """The most the feed says of the entry: its full text, else its summary."""
        return max((t for t in (self.content, self.summary) if t), key=len, default=None)


@dataclass(slots=True)
class Feed:
    """A parsed feed; ``warning`` is set when the feed was malformed but still usable."""

    title: str | None
    link: str | None
    entries: list[FeedEntry]
    warning: str | None = None


def refuse_entity_declarations(body: bytes, source: str) -> None:
    """Raise FormatError if the XML has a DOCTYPE declaring entities (billion laughs, XXE).

    No legitimate feed or OPML file needs its own entities, so refusing them outright is
    simpler and safer than trusting each XML parser's own limits.
    """
    # UTF-16/32 documents interleave NUL bytes; drop them so the ASCII patterns still match.
    # The whole body is searched, not just the prolog: a comment inside the DOCTYPE may hold
    # text that looks like the first element. Outside a DOCTYPE "<!ENTITY" is only text.
    text = body.replace(b"\x00", b"")
    if _DOCTYPE.search(text) and _ENTITY_DECL.search(text):
        raise FormatError(source, "refusing XML that declares entities (<!ENTITY> in DOCTYPE)")


def drop_space_before_declaration(body: bytes) -> tuple[bytes, int]:
    """``body`` without the whitespace before its <?xml declaration, and how many lines it was.

    XML allows nothing before the declaration, yet many servers send a newline or two first;
    expat then stops at the declaration ("XML or text declaration not at start of entity")
    though the rest is whole. In UTF-16 (told by its byte order mark) each character of that
    whitespace is two bytes: the mark is kept and whole characters dropped.
    """
    for mark, codec in _UTF16_MARKS:
        if body.startswith(mark):
            head = body[len(mark) : len(mark) + 2 * _HEAD_CHARS].decode(codec, "replace")
            kept = head.lstrip(" \t\r\n")
            if len(kept) == len(head) or not kept.startswith("<?xml"):
                return body, 0
            dropped = head[: len(head) - len(kept)]
            lines = dropped.replace("\r\n", "\n").replace("\r", "\n").count("\n")
            return mark + body[len(mark) + 2 * len(dropped) :], lines
    bom = _UTF8_BOM if body.startswith(_UTF8_BOM) else b""
    rest = body[len(bom) :]
    stripped = rest.lstrip(b" \t\r\n")
    if len(stripped) == len(rest) or not stripped.startswith(b"<?xml"):
        return body, 0
    dropped = rest[: len(rest) - len(stripped)].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return bom + stripped, dropped.count(b"\n")


def parse_feed(body: bytes, url: str) -> Feed:
    """Parse RSS 0.9x/1.0/2.0, Atom or JSON Feed; raise FormatError when ``body`` is not a feed.

    A malformed feed that still has items (e.g. truncated) gives those items and a warning,
    in the manner of feedparser's ``bozo`` flag.
    """
    if body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return _json_feed(body, url)
    refuse_entity_declarations(body, url)
    body, lines_dropped = drop_space_before_declaration(body)
    # feedparser treats a bytes argument as a file name first (it would read a local file
    # whose path a hostile server sent as the body); a stream is always parsed as data.
    # content-location makes relative links resolve against the feed's own URL.
    try:
        result = feedparser.parse(io.BytesIO(body), response_headers={"content-location": url})
    except _FEEDPARSER_CRASHES as exc:
        # feedparser's lenient fallback parser trips over some tag soup (found by hypothesis:
        # b"<channel><item><link></item></link>" raises KeyError). Such input is no feed.
        raise FormatError(url, f"not a feed (parser failed: {type(exc).__name__} {exc})") from exc
    problem = _problem(result, lines_dropped)
    if not result.get("version") and not result.entries:
        raise FormatError(url, f"not a feed ({problem or 'no RSS or Atom elements'})")
    feed = result.feed
    # Atom's feed-level authors are every entry's that names none (RFC 4287, 4.2.1); RSS has
    # no such rule (feedparser reads its managingEditor and itunes:author as the feed's).
    byline = _authors(feed) if str(result.get("version") or "").startswith("atom") else None
    parsed = (_entry(raw, byline) for raw in result.entries)
    # An item cut off before its first field (truncated feeds) leaves an empty shell.
    entries = [e for e in parsed if e.link or e.title or e.summary]
    return Feed(
        title=_text(feed, "title"),
        link=feed.get("link") or None,
        entries=entries,
        warning=f"malformed feed ({problem})" if problem else None,
    )


def _json_feed(body: bytes, url: str) -> Feed:
    """A JSON Feed (jsonfeed.org, 1.0 and 1.1), which feedparser 6.0 does not read."""
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise FormatError(url, f"not a feed (JSON that is not UTF-8: {exc.reason})") from exc
    except RecursionError as exc:
        raise FormatError(url, "not a feed (JSON nested too deeply)") from exc
    except ValueError as exc:
        raise FormatError(url, f"not a feed (malformed JSON: {exc})") from exc
    version = data.get("version") if isinstance(data, dict) else None
    if not isinstance(version, str) or not version.startswith(_JSON_FEED):
        raise FormatError(url, f'not a feed (JSON without a "version" of {_JSON_FEED}…)')
    items = data.get("items")
    if not isinstance(items, list):
        raise FormatError(url, 'not a feed (a JSON Feed needs an "items" list)')
    entries = [e for e in (_json_entry(i, url) for i in items) if e]
    skipped = len(items) - len(entries)
    home = data.get("home_page_url")
    return Feed(
        title=_plain(data.get("title"), None, multiline=False),
        link=home if isinstance(home, str) and home else None,
        entries=entries,
        warning=f"malformed feed ({skipped} of its items had no link, title or text)"
        if skipped
        else None,
    )


def _json_entry(item: Any, feed_url: str) -> FeedEntry | None:
    if not isinstance(item, dict):
        return None
    link = item.get("url") or item.get("external_url")
    link = urljoin(feed_url, storable(link)) if isinstance(link, str) else None  # may be relative
    if link and urlsplit(link).scheme not in ("http", "https"):
        link = None
    title = _plain(item.get("title"), None, multiline=False)
    summary = _plain(item.get("summary"), None, multiline=True)
    content = _plain(item.get("content_html"), "text/html", multiline=True) or _plain(
        item.get("content_text"), None, multiline=True
    )
    if not (link or title or summary or content):
        return None
    raw_id = item.get("id")  # a string by the spec; 1.0 feeds in the wild also use numbers
    key = storable(str(raw_id)) if isinstance(raw_id, str | int) and str(raw_id) else None
    authors = item.get("authors") or ([item["author"]] if item.get("author") else [])
    authors = authors if isinstance(authors, list) else []
    found = [a.get("name") for a in authors if isinstance(a, dict)]
    names = [storable(n).strip() for n in found if isinstance(n, str)]
    return FeedEntry(
        key=key or link or _hash_key(title, summary or content),
        link=link,
        title=title,
        published=_rfc3339(item.get("date_published") or item.get("date_modified")),
        author=", ".join(n for n in names if n) or None,
        summary=summary,
        content=content,
    )


def _rfc3339(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:  # RFC 3339 requires an offset; without one, read it as UTC
        parsed = parsed.replace(tzinfo=UTC)
    try:
        parsed.astimezone(UTC)
    except OverflowError:  # year 1 at +01:00 is before the calendar in UTC
        return None
    return parsed.isoformat()  # the outlet's clock, its offset kept


def page_document(resp: Response, hints: dict[str, str]) -> Document:
    """The Document for a fetched page, with the hints its source knew."""
    return Document(
        url=resp.url,
        body=resp.content,
        fetched_at=datetime.now(UTC),
        content_type=resp.content_type,
        hints=hints,
    )


def entry_hints(entry: FeedEntry, feed: Feed, source_url: str) -> dict[str, str]:
    """What the feed says about an entry, as Document hints (``item_key`` marks it seen)."""
    values = {
        "title": entry.title,
        "published": entry.published,
        "author": entry.author,
        # The feed's title is a guess at the outlet ("World news | The Guardian", a news
        # search's '"Kazakhstan" - Google News'): the page's own site name comes first.
        "outlet": entry.source,
        "feed_title": feed.title,
        "source": source_url,
        "item_key": entry.key,
    }
    return {k: v for k, v in values.items() if v}


def entry_url(key: str, source_url: str) -> str:
    """A stable URL for an entry that has no link of its own."""
    # A summary-only entry still needs a stable URL: its id if that is a URI, else a
    # fragment of the feed URL that canonicalise_url keeps (ITEM_FRAGMENT).
    if urlsplit(key).scheme in _ID_SCHEMES:
        return key
    return f"{source_url}#{ITEM_FRAGMENT}{quote(key, safe='')}"


def _entry(raw: Any, byline: str | None = None) -> FeedEntry:
    """The entry as we keep it; ``byline`` names its authors where the entry does not."""
    link = storable(raw.get("link") or "") or None
    if link and urlsplit(link).scheme not in ("http", "https"):
        # feedparser copies an entry's id into ``link`` when there is no link element, even
        # when the id is a tag: or urn: URI that no one can fetch.
        link = None
    title = _text(raw, "title")
    summary = _summary(raw)
    # Hashed as feedparser gives the summary (markup and all) so that keys stored before
    # _summary read the content's copy as HTML still match.
    key = (
        storable(raw.get("id") or "")
        or link
        or _hash_key(title, _text(raw, "summary", multiline=True))
    )
    return FeedEntry(
        key=key,
        link=link,
        title=title,
        published=_published(raw),
        author=_authors(raw) or _authors(raw.get("source") or {}) or byline,
        summary=summary,
        content=_content(raw),
        source=_source_title(raw),
    )


def _authors(item: Any) -> str | None:
    """The names of an entry's (or a feed's) authors, joined by ", ".

    feedparser's ``author`` is the last author as written, and an RSS <author> is written
    "email (Name)": the ``authors`` list keeps each one's name apart from its email. An
    author with no name is named by the email, as an RSS <author> of an email alone was.
    """
    found = [a for a in item.get("authors") or [] if isinstance(a, dict)]
    names = (a.get("name") or a.get("email") for a in found)
    tidy = (" ".join(storable(n).split()) for n in names if isinstance(n, str))
    return ", ".join(dict.fromkeys(n for n in tidy if n)) or None


def _source_title(raw: Any) -> str | None:
    source = raw.get("source")
    title = source.get("title") if isinstance(source, dict) else None
    return " ".join(storable(title).split()) if isinstance(title, str) and title.strip() else None


def _summary(raw: Any) -> str | None:
    """The entry's summary as plain text.

    An entry without a summary gets a copy of its text or HTML content as ``summary`` from
    feedparser, but no ``summary_detail``: read without the content's type, the copy's
    markup ("<p>", a whole inline <svg>) was taken for text, and being the longer it was the
    text the entry was stored with.
    """
    value = raw.get("summary")
    detail = raw.get("summary_detail")
    if isinstance(detail, dict):
        return _plain(value, detail.get("type"), multiline=True)
    copied = (p for p in _content_parts(raw) if p.get("value") == value)
    return _plain(value, next(copied, {}).get("type"), multiline=True)


def _content(raw: Any) -> str | None:
    """The longest of an entry's content elements as plain text (paragraphs kept)."""
    found = [
        _plain(p.get("value"), p.get("type"), multiline=True) or "" for p in _content_parts(raw)
    ]
    return max(found, key=len, default="") or None


def _content_parts(raw: Any) -> list[dict[str, Any]]:
    # Atom content may be any media type: an image's base64 or an SVG document is no text.
    parts = [p for p in raw.get("content") or [] if isinstance(p, dict)]
    return [p for p in parts if str(p.get("type") or "text/plain").startswith(_TEXT_TYPES)]


def _hash_key(title: str | None, summary: str | None) -> str:
    digest = hashlib.sha1(f"{title}\n{summary}".encode(), usedforsecurity=False)
    return f"sha1:{digest.hexdigest()}"


def _published(raw: Any) -> str | None:
    """The entry's date as the feed wrote it, its offset kept: feedparser's parsed dates are
    UTC, and 02:00 at +06:00 is the day before in UTC, which is not the outlet's day.

    Our parser reads it first, as it reads a JSON Lines record's: feedparser drops a date
    without a zone ("Mon, 22 Dec 2025 01:30:00"), which the README reads as UTC, and reads a
    zone name it does not know ("MSK", "BST") as UTC, keeping the wall time. feedparser's
    reading is for the formats ours does not know (W3DTF variants, asctime, Korean dates).
    """
    for name in ("published", "updated"):
        written = raw.get(name)
        local = parse_published(written) if isinstance(written, str) else None
        if local is not None:
            return (local if local.tzinfo else local.replace(tzinfo=UTC)).isoformat()
        utc = _iso(raw.get(f"{name}_parsed"))
        if utc is not None:
            return utc
    return None


def _iso(parsed: Any) -> str | None:
    # feedparser normalises every date format it knows to a UTC struct_time.
    if not parsed:
        return None
    try:
        return datetime(*parsed[:6], tzinfo=UTC).isoformat()
    except (TypeError, ValueError):
        return None


def _text(item: Any, name: str, *, multiline: bool = False) -> str | None:
    """A field as plain text: markup stripped only where the feed declared it HTML.

    A plain-text title may well contain "<" (e.g. "Inflation < 5%"); it is not parsed.
    """
    detail = item.get(f"{name}_detail") or {}
    return _plain(item.get(name), detail.get("type"), multiline=multiline)


def _plain(value: Any, media_type: str | None, *, multiline: bool) -> str | None:
    if not isinstance(value, str):
        return None
    value = storable(value)
    if media_type in _HTML_TYPES:
        value = _strip_tags(value)
    return _tidy(value, multiline)


def _tidy(text: str, multiline: bool) -> str | None:
    lines = (" ".join(line.split()) for line in text.splitlines())
    return ("\n" if multiline else " ").join(line for line in lines if line) or None


def _problem(result: Any, lines_dropped: int) -> str | None:
    """What was wrong with the feed, or None; a missing Content-Type is not our feed's fault.

    Line numbers count the ``lines_dropped`` before the declaration: they are the body's.
    """
    exc = result.get("bozo_exception") if result.get("bozo") else None
    # We parse bytes without HTTP headers, so feedparser always misses a Content-Type.
    if exc is None or isinstance(exc, feedparser.NonXMLContentType):
        return None
    if isinstance(exc, xml.sax.SAXParseException):
        return f"line {exc.getLineNumber() + lines_dropped}: {exc.getMessage()}"
    return str(exc) or type(exc).__name__


class _TextCollector(HTMLParser):
    """Collects the text of an HTML fragment; block elements become line breaks."""

    _BLOCKS = frozenset({"p", "br", "div", "li", "h1", "h2", "h3", "h4", "blockquote", "tr"})
    _HIDDEN = frozenset({"script", "style"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._BLOCKS:
            self.parts.append("\n")
        elif tag in self._HIDDEN:
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def _strip_tags(html: str) -> str:
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return "".join(collector.parts)
