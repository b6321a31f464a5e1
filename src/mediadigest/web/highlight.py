"""Article text with spans marked (matched names, quotes, a digest sentence's evidence), escaped.

Spans are character offsets into ``Article.text``, the same offsets the evidence of a digest
sentence and a quote carry. Every piece of text is escaped before it is wrapped, so a title or
body full of markup stays text. A mark says its kind in words (its title: "place: Astana"; the
page's legend, where each kind is underlined its own way), not by its colour alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from markupsafe import Markup, escape

from mediadigest.model import Article


@dataclass(slots=True, frozen=True)
class Span:
    start: int
    end: int
    kind: str  # css class: country | place | person | org | ambiguous | quote | entity
    label: str = ""


# Each kind of mark in words, in the legend's order.
KINDS = {
    "country": "country",
    "place": "place",
    "person": "person",
    "org": "organisation",
    "ambiguous": "name that may mean something else",
    "entity": "other name",
    "quote": "quote",
}


def legend(article: Article) -> list[tuple[str, str]]:
    """(kind, words) of each kind of mark the article's text has, in ``KINDS``'s order."""
    found = {s.kind for s in quote_spans(article) + name_spans(article)}
    return [(kind, words) for kind, words in KINDS.items() if kind in found]


def _title(span: Span) -> str:
    """What a mark's tooltip says: its kind, and what it stands for (a quote: who said it)."""
    kind = KINDS.get(span.kind, span.kind)
    if not span.label:
        return kind
    return f"quote by {span.label}" if span.kind == "quote" else f"{kind}: {span.label}"


def name_spans(article: Article) -> list[Span]:
    """Where each matched alias of the profile occurs in the text (case-insensitive)."""
    spans: list[Span] = []
    for hit in article.relevance.hits:
        if not hit.alias.strip():
            continue
        pattern = re.compile(rf"(?<!\w){re.escape(hit.alias)}\w*", re.IGNORECASE)
        spans += [
            Span(m.start(), m.end(), hit.kind, hit.canonical)
            for m in pattern.finditer(article.text)
        ]
    for ent in getattr(article, "entities", None) or []:
        spans += [Span(start, end, _kind(ent), _name(ent)) for start, end in _mentions(ent)]
    return spans


def _mentions(ent: object) -> list[tuple[int, int]]:
    """An entity's (start, end) offsets: ``Entity.mentions``, or one span of a plain record."""
    found = ent.get("mentions") if isinstance(ent, dict) else getattr(ent, "mentions", None)
    if found:
        return [(int(a), int(b)) for a, b in found]
    get = ent.get if isinstance(ent, dict) else lambda k: getattr(ent, k, None)
    start, end = get("start"), get("end")
    return [(int(start), int(end))] if start is not None and end is not None else []


def _kind(ent: object) -> str:
    kind = ent.get("kind") if isinstance(ent, dict) else getattr(ent, "kind", None)
    return kind if kind in {"country", "place", "person", "org"} else "entity"


def _name(ent: object) -> str:
    name = ent.get("name") if isinstance(ent, dict) else getattr(ent, "name", None)
    return str(name or "")


def quote_spans(article: Article) -> list[Span]:
    return [
        Span(q.start, q.end, "quote", q.speaker or "")
        for q in article.quotes
        if 0 <= q.start < q.end <= len(article.text)
    ]


def mark(text: str, spans: Iterable[Span]) -> Markup:
    """``text`` escaped, with the non-overlapping ``spans`` (first wins) in <mark> elements."""
    out: list[Markup] = []
    pos = 0
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if span.start < pos or span.end > len(text) or span.start >= span.end:
            continue  # overlaps one already marked, or out of range
        out.append(escape(text[pos : span.start]))
        out.append(
            Markup('<mark class="{}" title="{}">{}</mark>').format(
                span.kind, _title(span), text[span.start : span.end]
            )
        )
        pos = span.end
    out.append(escape(text[pos:]))
    return Markup("").join(out)


# What a screen reader says where the highlight shows a digest sentence's source words begin
# and end (in English, inside the text of an article in another language).
EVIDENCE_WORDS = Markup('<span class="visually-hidden" lang="en">supporting words: </span>')
EVIDENCE_END = Markup('<span class="visually-hidden" lang="en"> (end of supporting words)</span>')


def article_markup(article: Article, evidence: tuple[int, int] | None = None) -> Markup:
    """The whole text with names and quotes marked, and the evidence span (if any) around them."""
    spans = quote_spans(article) + name_spans(article)
    text = article.text
    if evidence is None:
        return mark(text, spans)
    start, end = max(0, evidence[0]), min(len(text), evidence[1])
    if start >= end:
        return mark(text, spans)
    inside = [
        Span(s.start - start, s.end - start, s.kind, s.label)
        for s in spans
        if s.start >= start and s.end <= end
    ]
    return Markup("").join(
        [
            mark(text[:start], [s for s in spans if s.end <= start]),
            Markup('<mark class="evidence" id="evidence">{}{}{}</mark>').format(
                EVIDENCE_WORDS, mark(text[start:end], inside), EVIDENCE_END
            ),
            mark(
                text[end:],
                [
                    Span(s.start - end, s.end - end, s.kind, s.label)
                    for s in spans
                    if s.start >= end
                ],
            ),
        ]
    )


def excerpt(text: str, start: int, end: int, context: int = 160) -> Markup:
    """The evidence span in a little context, for the digest editor."""
    start, end = max(0, start), min(len(text), end)
    if start >= end:
        return Markup("")
    left = max(0, text.rfind(" ", 0, max(0, start - context)) + 1) if start > context else 0
    right = text.find(" ", end + context)
    right = len(text) if right == -1 else right
    return Markup("").join(
        [
            Markup("…") if left else Markup(""),
            escape(text[left:start]),
            Markup('<mark class="evidence">{}{}{}</mark>').format(
                EVIDENCE_WORDS, text[start:end], EVIDENCE_END
            ),
            escape(text[end:right]),
            Markup("…") if right < len(text) else Markup(""),
        ]
    )
