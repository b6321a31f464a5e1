"""Collect stage, sources: XML sitemaps, sitemap indexes and Google News sitemaps; URL lists.

A news sitemap (``xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"``) names each
article's publication, language, publication date and title: they become the document's
hints, as a feed entry's do. Sitemaps may be gzipped (``.xml.gz``); the inflated size is
capped like any download.
"""

from __future__ import annotations

import gzip
import html
import io
import re
import xml.etree.ElementTree as ET
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin

from mediadigest.collect.feeds import drop_space_before_declaration, refuse_entity_declarations
from mediadigest.errors import FormatError
from mediadigest.model import is_web_url

MAX_SITEMAP_BYTES = 50_000_000  # the sitemaps.org limit for one (uncompressed) sitemap
_NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}
# A character reference left in a field's text: only with its ";", since html.unescape
# also reads "&not" in "AT&notice" as a reference, as browsers do in running text.
_REFERENCE = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


@dataclass(slots=True)
class SitemapEntry:
    """One <url> of a sitemap; the news fields come from <news:news> when present."""

    loc: str
    lastmod: str | None = None  # ISO 8601, UTC
    title: str | None = None
    publication: str | None = None
    language: str | None = None
    published: str | None = None  # ISO 8601, its offset kept (the outlet's clock)

    def hints(self, source: str) -> dict[str, str]:
        values = {
            "title": self.title,
            "published": self.published,
            "outlet": self.publication,
            "lang": self.language,
            "source": source,
            "item_key": self.loc,
        }
        return {k: v for k, v in values.items() if v}

    @property
    def newest(self) -> str:
        """Its time in UTC, to sort by: offsets of one sitemap's entries may differ."""
        return _iso(self.published) or self.lastmod or ""


@dataclass(slots=True)
class Sitemap:
    """A parsed sitemap: its pages (``entries``) or, for an index, its child sitemaps."""

    entries: list[SitemapEntry] = field(default_factory=list)
    children: list[SitemapEntry] = field(default_factory=list)

    @property
    def is_index(self) -> bool:
        return bool(self.children)


def parse_sitemap(body: bytes, url: str) -> Sitemap:
    """Parse a <urlset> or <sitemapindex>, gzipped or not; FormatError if it is neither."""
    body = _gunzip(body, url)
    refuse_entity_declarations(body, url)
    body, lines_dropped = drop_space_before_declaration(body)
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        line, column = exc.position
        raise FormatError(url, f"not XML (line {line + lines_dropped}, column {column})") from exc
    tag = root.tag.rsplit("}", 1)[-1]
    if tag == "sitemapindex":
        return Sitemap(children=[_entry(e, url) for e in _children(root, "sitemap") if _loc(e)])
    if tag != "urlset":
        raise FormatError(url, f"not a sitemap (root element is <{tag}>)")
    return Sitemap(entries=[_entry(e, url) for e in _children(root, "url") if _loc(e)])


def _gunzip(body: bytes, url: str) -> bytes:
    if not body.startswith(b"\x1f\x8b"):
        return body
    out = io.BytesIO()
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(body)) as fh:
            while chunk := fh.read(1 << 16):
                out.write(chunk)
                if out.tell() > MAX_SITEMAP_BYTES:
                    raise FormatError(url, f"sitemap inflates beyond {MAX_SITEMAP_BYTES} bytes")
    except (OSError, EOFError, zlib.error) as exc:
        raise FormatError(url, f"not gzip ({exc})") from exc
    return out.getvalue()


def _children(root: ET.Element, name: str) -> list[ET.Element]:
    # Namespaced as the protocol says, or bare: both are out there.
    return root.findall(f"sm:{name}", _NS) + root.findall(name)


def _text(elem: ET.Element, path: str) -> str | None:
    found = elem.find(path, _NS)
    if found is None:
        found = elem.find(path.replace("sm:", ""), _NS)
    text = (found.text or "").strip() if found is not None else ""
    return text or None


def _loc(elem: ET.Element) -> str | None:
    return _text(elem, "sm:loc")


def _entry(elem: ET.Element, base: str) -> SitemapEntry:
    loc = urljoin(base, _loc(elem) or "")
    return SitemapEntry(
        loc=loc,
        lastmod=_iso(_text(elem, "sm:lastmod")),
        title=_decoded(_text(elem, "news:news/news:title")),
        publication=_decoded(_text(elem, "news:news/news:publication/news:name")),
        language=_text(elem, "news:news/news:publication/news:language"),
        published=_iso(_text(elem, "news:news/news:publication_date"), utc=False),
    )


def _decoded(text: str | None) -> str | None:
    """A news title or name with the references its sitemap escaped twice decoded.

    CMSs write an HTML title into the XML as escaped text ("Kazakhstan&amp;#8217;s plan:
    schools &amp;amp; hospitals"), so the XML parser leaves "&#8217;" and "&amp;" in it;
    feedparser decodes a feed title's the same way.
    """
    return _REFERENCE.sub(lambda m: html.unescape(m.group()), text) if text else text


def _iso(value: str | None, *, utc: bool = True) -> str | None:
    """W3C datetime (a date, or a date-time with a zone) as ISO 8601 in UTC, or (``utc``
    False) in the zone it names: a publication date is the outlet's day, not UTC's."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        converted = parsed.astimezone(UTC)
    except OverflowError:  # year 1 at +01:00 is before the calendar in UTC
        return None
    return (converted if utc else parsed).isoformat()


def parse_url_list(body: bytes, source: str) -> list[str]:
    """A plain-text list of URLs, one a line; blank lines and ``#`` comments are skipped.

    Raises FormatError when a line is not an http(s) URL (naming the line), so a file that
    is not a URL list at all is refused rather than fetched line by line.
    """
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FormatError(source, f"not a URL list (not UTF-8 at byte {exc.start})") from exc
    urls: list[str] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not is_web_url(line):
            raise FormatError(f"{source}:{lineno}", f"not an http(s) URL: {line[:80]!r}")
        urls.append(line)
    return list(dict.fromkeys(urls))
