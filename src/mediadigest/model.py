"""Plain records that flow through the pipeline: Document -> Article -> Story -> Digest."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any


@dataclass(slots=True)
class Source:
    """A place we collect from: a feed, sitemap or page URL."""

    url: str
    kind: str = "feed"  # feed | sitemap | page
    title: str | None = None
    id: int | None = None


@dataclass(slots=True)
class Document:
    """What a source handed us, before analysis.

    ``body`` is raw bytes: HTML for pages, UTF-8 text for ``content_type='text/plain'``
    (txt files, JSONL ``text`` lines, feed entries without a page).
    ``hints`` carry metadata the source knew: ``title``, ``published`` (ISO 8601),
    ``outlet``, ``author``, ``lang``, ``source`` (feed URL or file path).
    """

    url: str
    body: bytes
    fetched_at: datetime
    content_type: str | None = None
    hints: dict[str, str] = field(default_factory=dict)


class Grade(StrEnum):
    """How much an article is about the watched country, strongest first."""

    SUBJECT = "subject"  # the country is what the article is about
    MAJOR = "major"  # a major actor in the story
    EXAMPLE = "example"  # one example among others
    PASSING = "passing"  # a passing mention
    NONE = "none"  # not mentioned


@dataclass(slots=True)
class Hit:
    """One alias of the profile found in one field of an article."""

    alias: str  # the profile term as written in the profile (e.g. "Казахстан")
    canonical: str  # what it stands for (e.g. "Kazakhstan", "Astana", "Kassym-Jomart Tokayev")
    kind: str  # country | place | person | org | ambiguous
    field: str  # title | lead | body
    count: int = 1


@dataclass(slots=True)
class Relevance:
    """Why an article matched: a weighted score, a grade and every hit."""

    score: float = 0.0
    grade: Grade = Grade.NONE
    relevant: bool = False
    hits: list[Hit] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": round(self.score, 3),
            "grade": str(self.grade),
            "relevant": self.relevant,
            "hits": [asdict(h) for h in self.hits],
            "reasons": list(self.reasons),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Relevance:
        return cls(
            score=float(data.get("score", 0.0)),
            grade=Grade(data.get("grade", "none")),
            relevant=bool(data.get("relevant", False)),
            hits=[Hit(**h) for h in data.get("hits", [])],
            reasons=list(data.get("reasons", [])),
        )


@dataclass(slots=True)
class Quote:
    """A direct quote with its character offsets in the article text."""

    text: str
    speaker: str | None
    start: int
    end: int


@dataclass(slots=True)
class Article:
    """One analysed article, ready for the store."""

    url: str
    canonical_url: str
    content_hash: str
    title: str
    text: str
    outlet: str | None = None
    outlet_country: str | None = None
    author: str | None = None
    published: datetime | None = None
    language: str | None = None
    relevance: Relevance = field(default_factory=Relevance)
    quotes: list[Quote] = field(default_factory=list)
    source: str | None = None  # feed URL or file path the document came from
    warnings: list[str] = field(default_factory=list)
    id: int | None = None

    @property
    def lead(self) -> str:
        """First paragraph of the text (what relevance weighs as the lead)."""
        return lead_of(self.text)


def lead_of(text: str, limit: int = 400) -> str:
    """The lead: the first non-empty paragraph, cut at ``limit`` characters."""
    for para in text.split("\n"):
        para = para.strip()
        if para:
            return para[:limit]
    return ""


@dataclass(slots=True)
class DigestItem:
    headline: str
    outlet: str | None
    outlet_country: str | None
    published: date | None
    author: str | None
    summary: list[str]
    quote: Quote | None
    attribution: str
    themes: list[str] = field(default_factory=list)
    sources: list[dict[str, str]] = field(default_factory=list)
    evidence: list[dict[str, int]] = field(default_factory=list)
    article_id: int | None = None


@dataclass(slots=True)
class Digest:
    period_from: date
    period_to: date
    intro: str
    items: list[DigestItem] = field(default_factory=list)
    profile: str = "kazakhstan"
