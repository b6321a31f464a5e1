"""Collect stage, sources: read and write OPML subscription lists; the default sources."""

from __future__ import annotations

import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING
from urllib.parse import quote_plus

from mediadigest.collect import folders
from mediadigest.collect.feeds import drop_space_before_declaration, refuse_entity_declarations
from mediadigest.collect.poll import KINDS
from mediadigest.errors import FormatError
from mediadigest.model import Source

if TYPE_CHECKING:
    from mediadigest.profile_model import Profile

# Characters XML 1.0 cannot carry at all, not even escaped (C0 controls but tab/LF/CR,
# lone surrogates, U+FFFE/U+FFFF). ElementTree would write them and produce broken XML.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NOTES = 10  # warnings about one file's folders; a hostile one could have a million

log = logging.getLogger(__name__)


def parse_opml(body: bytes, source: str) -> list[Source]:
    """Every outline with an ``xmlUrl`` as a feed Source, in document order, without duplicates.

    Outlines of ``type="link"`` with a ``url`` (what :func:`to_opml` writes for sitemaps and
    pages) come back with the kind recorded in their ``kind`` attribute. A source is filed in
    the folders (outlines without a URL) it is nested in, "Russia/Business"; one at the top
    in the first path of its ``category`` attribute, if any. A URL listed twice keeps its
    first folder. What was changed in cleaning folder names (see ``collect.folders``) is
    logged as warnings naming ``source``.
    """
    root = _parse_xml(body, source)
    if root.tag != "opml":
        raise FormatError(source, f"not OPML (root element is <{root.tag}>)")
    sources: list[Source] = []
    first: dict[str, Source] = {}
    notes: dict[str, None] = {}
    for outline, found, path in _outlines(root, notes):
        if found.kind not in KINDS:
            # Stored, it was listed, exported and collected as a feed; `sources add --kind`
            # refuses the same kind.
            raise FormatError(source, f"outline {found.url!r}: kind {found.kind!r} is not one "
                                      f"of {', '.join(KINDS)}")  # fmt: skip
        if not path and (category := outline.get("category")):
            path = folders.extend((), category.split(",", 1)[0], notes)
        found.folder = folders.SEPARATOR.join(path) or None
        seen = first.setdefault(found.url, found)
        if seen is found:
            sources.append(found)
        elif seen.folder != found.folder:
            notes[f"{found.url} is listed in {folders.describe(seen.folder)} and in "
                  f"{folders.describe(found.folder)}: filed in the first (a source is in one "
                  "folder)"] = None  # fmt: skip
    _warn(source, notes)
    return sources


def _parse_xml(body: bytes, source: str) -> ET.Element:
    refuse_entity_declarations(body, source)
    body, lines_dropped = drop_space_before_declaration(body)
    try:
        return ET.fromstring(body)
    except ET.ParseError as exc:
        line, column = exc.position
        message = str(exc).split(": line ")[0]  # expat appends the position we already give
        raise FormatError(
            source, f"not XML (line {line + lines_dropped}, column {column}: {message})"
        ) from exc


def _outlines(
    root: ET.Element, notes: dict[str, None]
) -> Iterator[tuple[ET.Element, Source, tuple[str, ...]]]:
    """Each outline that is a source, in document order, with the folders it is nested in.

    A loop, not recursion: a hostile file nests outlines a million deep, and Python's stack
    ends at a thousand.
    """
    stack: list[tuple[ET.Element, tuple[str, ...]]] = [(root, ())]
    while stack:
        element, path = stack.pop()
        if element.tag == "outline":
            found = _source(element.attrib)
            if found:
                yield element, found, path
            else:
                name = element.get("text") or element.get("title") or ""
                path = folders.extend(path, name, notes)
        stack.extend((child, path) for child in reversed(element))


def _warn(source: str, notes: dict[str, None]) -> None:
    for note in list(notes)[:_NOTES]:
        log.warning("%s: %s", source, note)
    if len(notes) > _NOTES:
        log.warning("%s: and %d more like these", source, len(notes) - _NOTES)


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
    """An OPML 2.0 document listing ``sources``; :func:`parse_opml` reads it back unchanged.

    Sources in folders are nested in outlines of those folders. A folder's outline is written
    where its first source is, and takes in its later ones: sources listed folder by folder
    (as parse_opml lists a file with each folder once) come back in the same order.
    """
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    outlines: dict[tuple[str, ...], ET.Element] = {(): ET.SubElement(root, "body")}
    for src in sources:
        ET.SubElement(_folder(outlines, folders.names(src.folder)), "outline", _attributes(src))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _folder(outlines: dict[tuple[str, ...], ET.Element], path: tuple[str, ...]) -> ET.Element:
    """The outline of the folder at ``path``, made (with those it is in) on first use."""
    for depth in range(1, len(path) + 1):
        if path[:depth] not in outlines:
            # Cleaned names (folders.names): nothing XML cannot carry.
            outline = ET.SubElement(outlines[path[: depth - 1]], "outline", text=path[depth - 1])
            outlines[path[:depth]] = outline
    return outlines[path]


def _attributes(src: Source) -> dict[str, str]:
    url, title = _xml_safe(src.url), _xml_safe(src.title or "")
    if src.kind == "feed":
        attrs = {"type": "rss", "text": title or url, "xmlUrl": url}
    else:
        # OPML allows arbitrary outline attributes; ``kind`` keeps sitemaps apart from pages.
        attrs = {"type": "link", "text": title or url, "url": url, "kind": src.kind}
    if title:
        attrs["title"] = title
    return attrs


def _xml_safe(text: str) -> str:
    return _NOT_XML.sub("", text)
