"""The pure analyse stage: a Document in, Articles out (no I/O, safe on any executor).

Cheap first, expensive last: every page is extracted and its relevance judged; only a page
that names the country at all is split into roundup items and understood (entities, quotes
with speakers, themes, tone). Language, attribution and article type are read from every
page, except when the caller keeps only relevant articles (``keep: relevant``, an archive
ingest): there the first pass reads only text and title, and a page that is not relevant
(nor a roundup with an item that is) stops there; one that is has its metadata read from
the same parse and goes on. Each
understanding step is guarded: a failure becomes a warning on the article, never an
exception out of the stage.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

import lxml.html

from mediadigest.analyse import (
    attribution,
    entities,
    extract,
    kind,
    language,
    normalise,
    pagedate,
    quotes,
    relevance,
    roundup,
    themes,
    tone,
)
from mediadigest.errors import InputError
from mediadigest.model import (
    EXTRACTED,
    GIVEN_WHOLE,
    WHOLE_TEXT,
    Article,
    Document,
    Grade,
    Relevance,
    is_web_url,
    wall_time,
)
from mediadigest.profile import Profile
from mediadigest.profile_model import domain_country

log = logging.getLogger(__name__)

__all__ = ["analyse", "content_hash"]

# Characters of text kept, at most: some 30,000 words, more than any news article. A 5 MB
# text took minutes to search (a snippet's cost grows with the square of the matches in it).
MAX_TEXT = 200_000
# extract.py's warnings for an extractor that failed, as against a page with nothing in it
_FAILED = ("extraction failed", "HTML could not be parsed")
PAGE_MIN_WORDS = 120  # a roundup page is kept beside its items only with this much of its own
_SLUG = re.compile(r"[^\w]+")
T = TypeVar("T")


def content_hash(text: str) -> str:
    """Stable hash of an article's text, whitespace-insensitive (part of the record key)."""
    return hashlib.sha1(" ".join(text.split()).encode("utf-8")).hexdigest()


@dataclass(slots=True)
class _Page:
    """What extraction gave for one document, before it becomes one or more articles."""

    url: str
    canonical: str
    title: str
    text: str
    author: str | None
    published: datetime | None  # the outlet's clock: aware in its offset, naive for none
    outlet: str | None
    outlet_country: str | None
    language: str | None
    html: bytes | None = None  # the raw page
    tree: lxml.html.HtmlElement | None = None  # html parsed, for a roundup split (once)
    warnings: list[str] = field(default_factory=list)
    extracted: extract.Extracted | None = None  # what extraction gave, for HTML


def analyse(doc: Document, profile: Profile) -> list[Article]:
    """Extract, judge relevance, split roundups and understand each article.

    Raises ``InputError`` only when the document has neither text nor title (binary body,
    empty page); a usable-but-odd document gives Articles with ``warnings``. A roundup page
    gives one Article per item (``parent_url`` names the page), and the page itself only
    when it has text of its own beyond the items.
    """
    lean = doc.hints.get("keep") == "relevant"
    page = _extract(doc, profile, metadata=not lean)
    rel = relevance.score(page.text, profile, title=page.title)
    if lean:
        if not rel.relevant and not _relevant_items(page, rel, profile):
            article = _article(doc, page, page.title, page.text)  # the caller drops it
            article.relevance = rel
            return [article]
        if page.html is not None:  # worth keeping after all: read its metadata too
            page = _with_metadata(doc, page, profile)
    day = page.published or doc.fetched_at
    if page.language is None:
        declared = page.extracted.html_lang if page.extracted else None
        page.language = language.detect(f"{page.title}\n{page.text}", declared)
    if rel.grade is not Grade.NONE:
        split = _guard("roundup", lambda: _split(page), page.warnings)
        if split is not None and len(split.items) >= 2:
            return _from_roundup(doc, page, split, profile, day)
        if split is not None:
            page.warnings.append("roundup of a single item: kept as one article")
    article = _article(doc, page, page.title, page.text)
    article.relevance = rel
    _understand(article, profile, day)
    return [article]


def _relevant_items(page: _Page, rel: Relevance, profile: Profile) -> bool:
    """Whether a page that is not relevant is a roundup with an item that is."""
    if rel.grade is Grade.NONE:
        return False
    split = _guard("roundup", lambda: _split(page), page.warnings)
    if split is None or len(split.items) < 2:
        return False
    return any(relevance.score(i.text, profile, title=i.title).relevant for i in split.items)


def _with_metadata(doc: Document, page: _Page, profile: Profile) -> _Page:
    """A lean first pass's page with its metadata, read from the same parse while the tree
    is as extraction left it (the text is not extracted again); after a roundup split has
    pruned the tree, the page is extracted again."""
    if page.extracted is None or page.tree is None:
        return _extract(doc, profile)
    extract.add_metadata(page.extracted, doc.url, **_extract_options(doc))
    return _extract(doc, profile, extracted=page.extracted)


def _extract_options(doc: Document) -> dict[str, bool]:
    hints = doc.hints
    return {
        "date_search": hints.get("date_search") != "off",
        "fast": hints.get("extraction") == "fast",
    }


def _extract(
    doc: Document,
    profile: Profile,
    *,
    metadata: bool = True,
    extracted: extract.Extracted | None = None,
) -> _Page:
    """The page of a document; ``extracted`` is an HTML page's extraction, when done already."""
    hints = doc.hints
    html: bytes | None = None
    tree: lxml.html.HtmlElement | None = None
    ex: extract.Extracted | None = None
    if (doc.content_type or "").startswith("text/plain"):
        text, warnings = _decode_plain(doc)
        title = hints.get("title") or ""
        author, published = hints.get("author"), None
        outlet = normalise.page_outlet(None, hints, doc.url)
        canonical = normalise.canonicalise_url(doc.url)
        site = doc.url
    else:
        ex = extracted or extract.extract_html(
            doc.body, doc.url, doc.content_type, metadata=metadata, **_extract_options(doc)
        )
        warnings = list(ex.warnings)
        text, title = ex.text, ex.title or hints.get("title") or ""
        author, published = ex.author or hints.get("author"), ex.published
        canonical = normalise.canonicalise_url(ex.canonical_url or doc.url)
        site = _site_url(doc.url, canonical)
        outlet = normalise.page_outlet(ex.sitename, hints, site)
        if ex.title:
            title = normalise.headline(title, ex.sitename, outlet, site)
        html, tree = doc.body, ex.tree
    if not text.strip() and not title.strip():
        raise InputError(doc.url, _no_text(warnings))
    if not text.strip():  # one warning, not extraction's as well
        warnings = [w for w in warnings if w != extract.NO_TEXT]
        warnings.append("no text found: only the title is kept")
    if len(text) > MAX_TEXT:
        text = _cut(text, warnings)
    if hints.get("published"):  # the page's date, unless its source's says more
        source = normalise.parse_published(hints["published"])
        published = pagedate.page_or_source_date(published, source)
    published = _plausible(published, doc, warnings)
    known = profile.outlet_for(site)
    country = known.country if known else domain_country(site)
    return _Page(doc.url, canonical, " ".join(title.split()), text, author, published,
                 known.name if known else outlet, country,
                 _given_language(hints.get("lang"), warnings), html, tree, warnings,
                 ex)  # fmt: skip


def _site_url(url: str, canonical: str) -> str:
    """The address a page's outlet is known by: its own on the web, else the canonical one
    it gives (a saved page read from a file), as the digest links and counts it
    (write.credit.web_address): a file:// path named no outlet, so the profile's entry and
    the domain's country were lost, and the intro counted the page apart from its item."""
    return url if is_web_url(url) or not is_web_url(canonical) else canonical


def _given_language(given: str | None, warnings: list[str]) -> str | None:
    """A source's language (a JSON Lines record's ``lang``, a sitemap's) in the form
    detection stores ("JA" and "zh-Hant" were stored as written, and found by no search for
    ja or zh); None, and detection, for what names no language ("kz" is a country)."""
    if not given:
        return None
    code = language.normalise_code(given)
    if code is None:
        warnings.append(f"lang {given!r} is not a language code: the language is detected")
    return code


# More than this after the document was fetched, a date is a mistyped year or a scheduled
# post's, not when it was published (the page path already refuses such dates: htmldate).
_AHEAD = timedelta(days=2)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _plausible(published: datetime | None, doc: Document, warnings: list[str]) -> datetime | None:
    """``published``, or None with a warning where it cannot be so: after the document was
    fetched (a feed's or a record's "2030", which put the article in a week nobody reads), or
    the Unix epoch, a CMS's placeholder for "no date". The article is then dated by its fetch.
    """
    if published is None:
        return None
    aware = published if published.tzinfo else published.replace(tzinfo=UTC)
    fetched = doc.fetched_at if doc.fetched_at.tzinfo else doc.fetched_at.replace(tzinfo=UTC)
    if aware > fetched + _AHEAD:
        warnings.append(f"published date {published:%Y-%m-%d} is after the document was "
                        f"fetched ({fetched:%Y-%m-%d}): dated by its fetch")  # fmt: skip
        return None
    if aware == _EPOCH:
        warnings.append("published date 1970-01-01 00:00 is a placeholder: dated by its fetch")
        return None
    return published


def _no_text(warnings: list[str]) -> str:
    """Why a page gave nothing: an extractor that failed is named, so that a bug or a broken
    install (every page "no text found") is told from pages that are empty."""
    failures = [w for w in warnings if w.startswith(_FAILED)]
    return f"no text found ({'; '.join(failures)})" if failures else "no text found"


def _cut(text: str, warnings: list[str]) -> str:
    """The opening MAX_TEXT characters of a text longer than any article (a dump, a page of
    a whole book), at a paragraph's end where there is one in the second half."""
    end = text.rfind("\n", MAX_TEXT // 2, MAX_TEXT)
    end = end if end > 0 else MAX_TEXT
    warnings.append(f"text cut at {end:,} of {len(text):,} characters: longer than any article")
    return text[:end].rstrip()


def _split(page: _Page) -> roundup.Roundup | None:
    # The split prunes the tree it is given: the page's own goes to the first split only.
    tree, page.tree = page.tree, None
    source = tree if tree is not None else page.html
    if source is not None:
        found = roundup.split_html(source, page.url, page.text, page.title)
        if found is not None:
            return found
    return roundup.split_text(page.text, page.title)


def _from_roundup(
    doc: Document, page: _Page, split: roundup.Roundup, profile: Profile, day: date | datetime
) -> list[Article]:
    out: list[Article] = []
    slugs: set[str] = set()
    for n, item in enumerate(split.items, 1):
        slug = _slug(item.title, slugs)
        art = _article(doc, page, item.title, item.text)
        if item.link:
            art.url, art.canonical_url = item.link, normalise.canonicalise_url(item.link)
        else:
            art.url, art.canonical_url = f"{doc.url}#{slug}", f"{page.canonical}#{slug}"
        art.parent_url = page.canonical
        art.author = None  # the page's byline is the digest's, not the reported article's
        art.explanations["roundup"] = [f"item {n} of {len(split.items)}", *split.reasons]
        art.relevance = relevance.score(item.text, profile, title=item.title)
        _understand(art, profile, day)
        out.append(art)
    if len(split.rest.split()) >= PAGE_MIN_WORDS:
        rest = _article(doc, page, page.title, split.rest)
        rest.relevance = relevance.score(split.rest, profile, title=page.title)
        rest.explanations["roundup"] = [f"roundup page of {len(split.items)} items", *split.reasons]
        _understand(rest, profile, day)
        out.insert(0, rest)
    return out


def _slug(title: str, taken: set[str]) -> str:
    base = _SLUG.sub("-", title.casefold()).strip("-")[:60] or "item"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def _article(doc: Document, page: _Page, title: str, text: str) -> Article:
    published, offset = wall_time(page.published)
    return Article(
        url=doc.url,
        canonical_url=page.canonical,
        content_hash=content_hash(f"{title}\n{text}"),
        title=title.strip(),
        text=text,
        outlet=page.outlet,
        outlet_country=page.outlet_country,
        author=page.author,
        published=published,
        published_offset=offset,
        language=page.language,
        source=doc.hints.get("source"),
        warnings=list(page.warnings),
        original_title=title.strip() if page.language not in (None, "en") and title else None,
        # Said of every article, so that one stored before it was said is told apart.
        explanations={"text": [GIVEN_WHOLE if doc.hints.get(WHOLE_TEXT) else EXTRACTED]},
    )


def _understand(art: Article, profile: Profile, day: date | datetime) -> None:
    """Attribution and type for every article; the rest only where the country is named."""
    w = art.warnings
    att = _guard("attribution", lambda: attribution.find_attribution(art.text, day), w)
    if att is None and art.parent_url:  # a roundup's item closing with "Source: Reuters, …"
        att = _guard("attribution", lambda: roundup.source_line(art.text, day), w)
    if att is not None:
        art.attribution, art.reported_by, art.reported_on = att, att.reported_by, att.reported_on
        art.author = art.author or att.author
        art.explanations["attribution"] = [art.text[att.start : att.end].strip()]
    label = _guard(
        "kind",
        lambda: kind.classify(art.title, art.text, art.url, att, art.author, art.outlet),
        w,
    )
    if label is not None:
        art.kind, art.origin, art.explanations["kind"] = label.label, label.origin, label.reasons
    if art.relevance.grade is Grade.NONE:
        return  # expensive last: nothing below is needed for an article not about the country
    art.quotes = _guard("quotes", lambda: quotes.find_quotes(art.text, art.language), w) or []
    found = _guard(
        "entities", lambda: entities.find_entities(art.text, profile, art.relevance.hits), w
    )
    art.entities = found or []
    by, outlet = art.author, art.reported_by
    resolve = lambda: quotes.resolve_speakers(  # noqa: E731
        art.text, art.quotes, art.entities, author=by, reported_by=outlet, language=art.language
    )
    _guard("speakers", resolve, w)
    classify = lambda: themes.classify(  # noqa: E731
        art.text, profile, title=art.title, language=art.language
    )
    art.themes = _guard("themes", classify, w) or []
    result = _guard("tone", lambda: tone.score(art.text, title=art.title), w)
    if result is not None and result[0] is not None:
        art.tone, art.explanations["tone"] = result


def _guard(step: str, run: Callable[[], T], warnings: list[str]) -> T | None:
    """Run one understanding step; a failure is a warning on the article, not an exception."""
    try:
        return run()
    except Exception as err:  # any bug or odd input in one step must not lose the article
        log.debug("analyse step %s failed", step, exc_info=True)
        warnings.append(f"{step} failed: {type(err).__name__}: {err}")
        return None


def _decode_plain(doc: Document) -> tuple[str, list[str]]:
    try:
        return doc.body.decode("utf-8"), []
    except UnicodeDecodeError:
        text = doc.body.decode("utf-8", errors="replace")
        return text, ["text is not valid UTF-8: undecodable bytes replaced"]
