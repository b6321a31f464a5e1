"""Extract stage: raw page bytes -> article text and metadata, in one trafilatura pass.

Dates: a ``datetime`` this module returns is the page's own clock: aware in the offset
the page states ("2025-12-18T09:30+05:00" stays 09:30 at +05:00, so the day is the outlet's),
naive where it states none (a bare date "2025-12-18" is its midnight), to be read as UTC.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from copy import copy
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any
from urllib.parse import urljoin

import lxml.html
import trafilatura
from htmldate import find_date
from lxml.etree import ParserError, XPath
from trafilatura.metadata import (
    examine_meta,
    extract_meta_json,
    extract_metadata,
    extract_title,
)

from mediadigest.analyse import decoding
from mediadigest.analyse.pagedate import htmldate_options, page_date
from mediadigest.errors import FormatError

log = logging.getLogger(__name__)
NO_TEXT = "no article text found"

__all__ = ["Extracted", "add_metadata", "extract_html"]

# Past these sizes only the head of a page is parsed, rather than stall a worker: trafilatura
# needs about 1 s per MB of running text and up to half a millisecond per element. The benchmark's
# largest page has 1.4 MiB and its busiest 1,600 elements.
MAX_PARSE_CHARS = 3_000_000
MAX_ELEMENTS = 10_000
# htmldate's extensive search runs its regexes over the whole serialised page (3 s for 3 MB),
# and hands odd date strings to dateparser (seconds on first use in a process, then ~50 ms).
MAX_DATE_SEARCH_CHARS = 1_000_000
_MARKUP_CHARS = 65_536  # an HTML page shows a tag long before this

# Chosen on bench/ingest.py (see docs/benchmarks.md): favor_precision gives the best F1 and
# keeps sidebars ("most read: ...") out of the text, which relevance would otherwise count.
# Inside the pass htmldate does only its cheap search (meta tags, JSON-LD, URL); its extensive
# search is our fallback, for the pages (1% here) where that found nothing. Its options
# (pagedate.htmldate_options) are given for each page: the latest date they allow moves daily.
_TRAFILATURA = MappingProxyType(
    {
        "favor_precision": True,
        "include_comments": False,
        "include_tables": True,
        "with_metadata": True,
    }
)
# Archive scale: no fallback extractors. On bench/ingest.py `fast` alone has the F1 of
# favor_precision (0.965) at 0.73 of its time; with favor_precision too, F1 falls to 0.948.
_FAST = {"favor_precision": False, "fast": True}
_SETTINGS = {
    (fast, metadata): MappingProxyType(
        {**_TRAFILATURA, **(_FAST if fast else {}), "with_metadata": metadata}
    )
    for fast in (False, True)
    for metadata in (False, True)
}

_MARKUP = re.compile(r"<\s*(?:[a-zA-Z][\w:-]*|!|/[a-zA-Z])")
_TOKEN = re.compile(r"\w+")
# Characters trafilatura.load_html deletes before parsing (its INVALID_XML_CHARS).
_XML_INVALID = tuple(map(chr, (*range(0x9), 0xB, 0xC, *range(0xE, 0x20), 0xFFFE, 0xFFFF)))
try:  # what _load_html borrows from trafilatura; without it, trafilatura.load_html
    from trafilatura.utils import DOCTYPE_TAG, FAULTY_HTML, HTML_PARSER, fromstring_bytes

    _load_parts: tuple[Any, ...] | None = (HTML_PARSER, DOCTYPE_TAG, FAULTY_HTML, fromstring_bytes)
except ImportError:  # pragma: no cover - a trafilatura that moved them
    _load_parts = None
# What tree.iter() walks (elements, comments, processing instructions), counted in C: a walk
# in Python makes an object of each element (2 ms on a page of 10,000).
_COUNT_NODES = XPath("count(descendant-or-self::node()[not(self::text())])")


@dataclass(slots=True)
class Extracted:
    """What one HTML page yields: the article text (paragraphs joined by "\\n") and metadata.

    ``published`` is the page's own clock (see the module docstring); ``html_lang`` is the
    page's declared language tag, lower-cased ("en-us"); ``warnings`` say what was odd.
    """

    title: str | None
    text: str
    author: str | None = None
    published: datetime | None = None
    sitename: str | None = None
    description: str | None = None
    canonical_url: str | None = None
    html_lang: str | None = None
    warnings: list[str] = field(default_factory=list)
    # The parsed page (trafilatura works on copies): a roundup split reuses it.
    tree: lxml.html.HtmlElement | None = field(default=None, repr=False, compare=False)
    # What add_metadata needs of a pass without metadata: trafilatura's text before the
    # title is dropped from it (None: trafilatura found none) and the decoded page's length.
    raw_text: str | None = field(default=None, repr=False, compare=False)
    html_chars: int = field(default=0, repr=False, compare=False)


def extract_html(
    body: bytes,
    url: str,
    content_type: str | None = None,
    *,
    date_search: bool = True,
    fast: bool = False,
    metadata: bool = True,
) -> Extracted:
    """Decode, parse once and extract the article text and metadata of an HTML page.

    ``date_search=False`` skips the search of the page text for a date when its metadata
    has none (``published`` stays None): for archive records, whose crawl date is known,
    the search costs more than the rest of the page (dateparser: seconds per process).
    ``fast=True`` runs trafilatura without its fallback extractors (readability, jusText)
    and the comparison with them: about a third less CPU, for archive-scale ingests.
    ``metadata=False`` reads the text and the title only (what relevance needs), the same as
    a full pass gives; author, date and site name, over half the time on a large page, stay
    None: extract again with metadata the pages worth keeping.
    Raises ``FormatError`` for empty and binary bodies only; anything odd but usable
    (wrong charset, no markup, a huge page, an extractor failure) gives a result with
    ``warnings``.
    """
    if not body.strip():
        raise FormatError(url, "empty page")
    html, warnings = decoding.decode_page(body, url, content_type)
    if not html.strip():
        raise FormatError(url, "empty page")
    if len(html) > MAX_PARSE_CHARS:
        warnings.append(
            f"page has {len(html):,} characters; only the first {MAX_PARSE_CHARS:,} parsed"
        )
        html = html[:MAX_PARSE_CHARS]
    if not _MARKUP.search(html, 0, _MARKUP_CHARS):
        warnings.append("no HTML markup found; read as plain text")
        return Extracted(title=None, text=_plain_paragraphs(html), warnings=warnings)
    tree = _parse_bounded(html, warnings)
    if tree is None:
        warnings.append("HTML could not be parsed")
        return Extracted(title=None, text="", warnings=warnings)
    result = Extracted(
        title=None,
        text="",
        canonical_url=_canonical_link(tree, url),
        html_lang=_declared_language(tree),
        warnings=warnings,
        tree=tree,
        html_chars=len(html),
    )
    _run_trafilatura(tree, url, result, _SETTINGS[fast, metadata])
    if metadata:
        _search_date(result, url, date_search)
    return result


def add_metadata(
    result: Extracted, url: str, *, fast: bool = False, date_search: bool = True
) -> None:
    """Read the metadata a ``metadata=False`` pass left out, from the page it parsed.

    The result is the one ``extract_html(..., metadata=True)`` gives (the same trafilatura
    metadata pass, and the title dropped from the text by the same rule), without decoding,
    parsing and extracting the text again: an archive ingest reads text and title of every
    page, and metadata only of those worth keeping. ``result.tree`` must be as
    ``extract_html`` left it (not given to a roundup split, which prunes it). A page without
    markup has none; where trafilatura found no text, only the date search runs, as there.
    """
    tree, text = result.tree, result.raw_text
    if tree is None:
        return
    if text is not None:
        params = htmldate_options(extensive=False)
        try:  # as bare_extraction calls it, and on a copy as there: our tree stays as parsed
            doc = extract_metadata(copy(tree), url, params, fast, set())
        except Exception as err:  # as in _run_trafilatura; here the text survives it
            log.debug("metadata extraction failed on %s", url, exc_info=True)
            result.warnings.append(f"metadata extraction failed: {type(err).__name__}: {err}")
        else:
            _set_metadata(result, doc, url)
            _set_text(result, text)
    _search_date(result, url, date_search)


def _search_date(result: Extracted, url: str, date_search: bool) -> None:
    if result.published is None and date_search and result.html_chars <= MAX_DATE_SEARCH_CHARS:
        assert result.tree is not None
        result.published = _fallback_date(result.tree, url)


def _run_trafilatura(
    tree: lxml.html.HtmlElement, url: str, result: Extracted, settings: Mapping[str, Any]
) -> None:
    """Fill ``result`` from one bare_extraction pass (it copies the tree, ours stays intact)."""
    params = htmldate_options(extensive=False)
    try:
        doc = trafilatura.bare_extraction(tree, url=url, date_extraction_params=params, **settings)
    except Exception as err:  # trafilatura and lxml raise many types; none may escape a stage
        log.debug("trafilatura failed on %s", url, exc_info=True)
        result.warnings.append(f"extraction failed: {type(err).__name__}: {err}")
        return
    if doc is None:
        result.warnings.append(NO_TEXT)
        return
    if settings["with_metadata"]:
        _set_metadata(result, doc, url)
    else:
        result.title = _clean(_title(tree))
    _set_text(result, doc.text or "")


def _set_metadata(result: Extracted, doc: Any, url: str) -> None:
    """Title, author, site name, description and date of a trafilatura Document."""
    result.title = _clean(doc.title)
    result.author = _clean(doc.author)
    result.sitename = _clean(doc.sitename)
    result.description = _clean(doc.description)
    result.published = page_date(doc.date, result.tree, url)


def _set_text(result: Extracted, raw_text: str) -> None:
    result.raw_text = raw_text
    result.text = _drop_repeated_title(raw_text, result.title)
    if not result.text and NO_TEXT not in result.warnings:
        result.warnings.append(NO_TEXT)
    elif result.text and NO_TEXT in result.warnings:  # a title read since then left some text
        result.warnings.remove(NO_TEXT)


def _title(tree: lxml.html.HtmlElement) -> str | None:
    """The title as trafilatura's metadata pass finds it: meta tags, JSON-LD, the page."""
    found = examine_meta(tree)
    try:
        found = extract_meta_json(tree, found)
    except Exception:  # as trafilatura does: a broken JSON-LD block is no title
        log.debug("JSON-LD metadata failed", exc_info=True)
    return found.title or extract_title(tree)


def _fallback_date(tree: lxml.html.HtmlElement, url: str) -> datetime | None:
    """htmldate's extensive search (visible text, URL): only for pages without date metadata."""
    try:
        found = find_date(tree, url=url, **htmldate_options(extensive=True))
    except Exception:  # a date is optional: a htmldate bug must not cost us the article
        log.debug("htmldate failed on %s", url, exc_info=True)
        return None
    return page_date(found, tree, url)


# --- parsing and page facts -------------------------------------------------------------


def _parse(html: str) -> lxml.html.HtmlElement | None:
    """One lxml parse, with trafilatura's repairs; a fragment gets lxml's own wrapping."""
    try:
        tree = _load_html(html)
        if tree is None:
            tree = lxml.html.document_fromstring(html)
    except (ParserError, ValueError, TypeError):
        return None
    return tree


def _load_html(html: str) -> lxml.html.HtmlElement | None:
    """``trafilatura.load_html(html)``, less its regex pass for the characters libxml2
    rejects when the page has none of them (nearly every page): on a 1 MB page that pass
    is 7 ms of the 11 a load takes, looking for each character 2 ms. The rest is its code
    (trafilatura 2.x: the DOCTYPE and self-closing <html/> repairs, the parser, the
    fallbacks); a test compares the two on odd pages."""
    if _load_parts is None or any(char in html for char in _XML_INVALID):
        return trafilatura.load_html(html)
    parser, doctype, faulty_html, from_bytes = _load_parts
    beginning = html[:50].lower()
    if "doctype" in beginning:
        first, _, rest = html.partition("\n")
        html = doctype.sub("", first, count=1) + "\n" + rest
    for line in html[:4096].splitlines()[:4]:
        if "<html" in line and line.endswith("/>"):
            html = faulty_html.sub(r"\1>", html, count=1)
            break
    tree, from_str = None, True
    try:
        tree = lxml.html.fromstring(html, parser=parser)
    except ValueError:  # a str with an encoding declaration: parsed as bytes
        tree, from_str = from_bytes(html), False
    except Exception:  # as trafilatura: logged there, a failed parse here
        log.debug("lxml parsing failed", exc_info=True)
    if (tree is None or len(tree) < 1) and from_str:
        tree = from_bytes(html)
    if tree is not None and "html" not in beginning and len(tree) < 2:
        return None  # not HTML after all, as trafilatura judges it
    return tree


def _parse_bounded(html: str, warnings: list[str]) -> lxml.html.HtmlElement | None:
    """Parse; a page with too many elements is re-parsed from a proportional prefix."""
    tree = _parse(html)
    count = int(_COUNT_NODES(tree)) if tree is not None else 0
    if count > MAX_ELEMENTS:
        keep = len(html) * MAX_ELEMENTS // count
        # Said of what was read: a huge page was already cut to MAX_PARSE_CHARS.
        warnings.append(
            f"{count:,} elements in {len(html):,} characters; only the first {keep:,} "
            f"characters parsed (at most {MAX_ELEMENTS:,} elements)"
        )
        tree = _parse(html[:keep])
    return tree


def _canonical_link(tree: lxml.html.HtmlElement, url: str) -> str | None:
    for element in tree.iterfind(".//link[@rel][@href]"):
        if "canonical" in element.get("rel", "").lower().split():
            href = element.get("href", "").strip()
            if href:
                return urljoin(url, href)
    return None


def _declared_language(tree: lxml.html.HtmlElement) -> str | None:
    lang = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
    if not lang:
        for meta in tree.iterfind(".//meta[@http-equiv][@content]"):
            if meta.get("http-equiv", "").lower() == "content-language":
                lang = meta.get("content")
                break
    lang = (lang or "").strip().replace("_", "-").lower()
    return lang or None


# --- text ---------------------------------------------------------------------------------


def _plain_paragraphs(text: str) -> str:
    """Plain text: blank lines separate paragraphs if there are any, else every line does."""
    blocks = re.split(r"\n\s*\n", text) if re.search(r"\n\s*\n", text) else text.splitlines()
    paragraphs = (" ".join(block.split()) for block in blocks)
    return "\n".join(p for p in paragraphs if p)


def _drop_repeated_title(text: str, title: str | None) -> str:
    """Drop a first paragraph that only repeats the headline (the lead must be the lead)."""
    first, _, rest = text.partition("\n")
    if title and _TOKEN.findall(first.lower()) == _TOKEN.findall(title.lower()):
        return rest.lstrip("\n")
    return text


def _clean(value: str | None) -> str | None:
    value = " ".join(value.split()) if value else ""
    return value or None
