"""Collect stage, sources: read and write OPML subscription lists; the default sources."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import quote_plus

from mediadigest.collect.feeds import refuse_entity_declarations
from mediadigest.collect.poll import KINDS
from mediadigest.errors import FormatError
from mediadigest.model import Source

if TYPE_CHECKING:
    from mediadigest.profile_model import Profile

# Characters XML 1.0 cannot carry at all, not even escaped (C0 controls but tab/LF/CR,
# lone surrogates, U+FFFE/U+FFFF). ElementTree would write them and produce broken XML.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def parse_opml(body: bytes, source: str) -> list[Source]:
    """Every outline with an ``xmlUrl`` as a feed Source, in document order, without duplicates.

    Outlines of ``type="link"`` with a ``url`` (what :func:`to_opml` writes for sitemaps and
    pages) come back with the kind recorded in their ``kind`` attribute.
    """
    refuse_entity_declarations(body, source)
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        line, column = exc.position
        message = str(exc).split(": line ")[0]  # expat appends the position we already give
        raise FormatError(source, f"not XML (line {line}, column {column}: {message})") from exc
    if root.tag != "opml":
        raise FormatError(source, f"not OPML (root element is <{root.tag}>)")
    sources: list[Source] = []
    seen: set[str] = set()
    for outline in root.iter("outline"):
        found = _source(outline.attrib)
        if found and found.kind not in KINDS:
            # Stored, it was listed, exported and collected as a feed; `sources add --kind`
            # refuses the same kind.
            raise FormatError(source, f"outline {found.url!r}: kind {found.kind!r} is not one "
                                      f"of {', '.join(KINDS)}")  # fmt: skip
        if found and found.url not in seen:
            seen.add(found.url)
            sources.append(found)
    return sources


def _source(attrs: dict[str, str]) -> Source | None:
    url = attrs.get("xmlUrl", "").strip()
    kind = "feed"
    if not url and attrs.get("type") == "link":
        url, kind = attrs.get("url", "").strip(), attrs.get("kind", "page")
    if not url:
        return None
    title = (attrs.get("title") or attrs.get("text") or "").strip()
    # to_opml writes the URL as the (required) text of an untitled source; that is no title.
    return Source(url=url, kind=kind, title=title if title and title != url else None)


def default_sources(profile: Profile) -> list[Source]:
    """What a store without sources starts from: the profile's ``sources``, or else a news
    search for the country (a Georgia profile must not collect Kazakhstan's feeds)."""
    if profile.sources:
        return [Source(s.url, s.kind, s.title) for s in profile.sources]
    url = (
        f"https://news.google.com/rss/search?q={quote_plus(profile.country)}"
        "&hl=en-US&gl=US&ceid=US:en"
    )
    return [Source(url, "feed", f"Google News: {profile.country} (English)")]


def to_opml(sources: Iterable[Source], title: str = "mediadigest sources") -> str:
    """An OPML 2.0 document listing ``sources``; :func:`parse_opml` reads it back unchanged."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    body = ET.SubElement(root, "body")
    for src in sources:
        url, title = _xml_safe(src.url), _xml_safe(src.title or "")
        if src.kind == "feed":
            attrs = {"type": "rss", "text": title or url, "xmlUrl": url}
        else:
            # OPML allows arbitrary outline attributes; ``kind`` keeps sitemaps apart from pages.
            attrs = {"type": "link", "text": title or url, "url": url, "kind": src.kind}
        if title:
            attrs["title"] = title
        ET.SubElement(body, "outline", attrs)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _xml_safe(text: str) -> str:
    return _NOT_XML.sub("", text)
