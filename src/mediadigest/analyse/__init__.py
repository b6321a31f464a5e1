"""The pure analyse stage: a Document in, Articles out (no I/O, safe on any executor)."""

from __future__ import annotations

import hashlib
import logging

from mediadigest.analyse import extract, language, quotes, relevance
from mediadigest.errors import InputError
from mediadigest.model import Article, Document
from mediadigest.profile import Profile

log = logging.getLogger(__name__)

__all__ = ["analyse", "content_hash"]


def content_hash(text: str) -> str:
    """Stable hash of an article's text, whitespace-insensitive (part of the record key)."""
    return hashlib.sha1(" ".join(text.split()).encode("utf-8")).hexdigest()


def analyse(doc: Document, profile: Profile) -> list[Article]:
    """Extract text and metadata, identify the language and judge relevance.

    Raises ``InputError`` when nothing usable can be got out of the document (binary body,
    no text at all); a usable-but-odd document gives an Article with ``warnings``.
    """
    hints = doc.hints
    warnings: list[str] = []
    if (doc.content_type or "").startswith("text/plain"):
        text = _decode_plain(doc)
        title = hints.get("title") or ""
        author, published, outlet = hints.get("author"), None, hints.get("outlet")
        canonical = extract.canonicalise_url(doc.url)
    else:
        ex = extract.extract_html(doc.body, doc.url, doc.content_type)
        warnings.extend(ex.warnings)
        text, title = ex.text, ex.title or hints.get("title") or ""
        author = ex.author or hints.get("author")
        published = ex.published
        outlet = hints.get("outlet") or ex.sitename
        canonical = extract.canonicalise_url(ex.canonical_url or doc.url)
    if not text.strip() and not title.strip():
        raise InputError(doc.url, "no text found")
    if published is None and hints.get("published"):
        published = extract.parse_date(hints["published"])
    known = profile.outlet_for(doc.url)
    if known is not None:
        outlet = known.name
    lang = hints.get("lang") or language.detect(f"{title}\n{text}")
    rel = relevance.score(text, profile, title=title)
    return [
        Article(
            url=doc.url,
            canonical_url=canonical,
            content_hash=content_hash(f"{title}\n{text}"),
            title=title.strip(),
            text=text,
            outlet=outlet,
            outlet_country=known.country if known else None,
            author=author,
            published=published,
            language=lang,
            relevance=rel,
            quotes=quotes.find_quotes(text),
            source=hints.get("source"),
            warnings=warnings,
        )
    ]


def _decode_plain(doc: Document) -> str:
    try:
        return doc.body.decode("utf-8")
    except UnicodeDecodeError:
        return doc.body.decode("utf-8", errors="replace")
