"""Plain records that flow through the pipeline: Document -> Article -> Story -> Digest."""

from __future__ import annotations

import functools
import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit


def is_web_url(url: str) -> bool:
    """An http(s) URL with a host and no spaces: what a source's address must be."""
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return False
    return parts.scheme in {"http", "https"} and bool(parts.hostname) and url.split() == [url]


@dataclass(slots=True)
class Source:
    """A place we collect from: a feed, sitemap or page URL."""

    url: str
    kind: str = "feed"  # feed | sitemap | page
    title: str | None = None
    id: int | None = None
    # The folder it is filed in, a path of names ("Russia/Business"; see collect.folders);
    # None: at the top of the list. Last, as callers build sources by position.
    folder: str | None = None


@dataclass(slots=True)
class Document:
    """What a source handed us, before analysis.

    ``body`` is raw bytes: HTML for pages, UTF-8 text for ``content_type='text/plain'``
    (txt files, JSONL ``text`` lines, feed entries without a page).
    ``hints`` carry metadata the source knew: ``title``, ``published`` (ISO 8601),
    ``outlet``, ``author``, ``lang``, ``source`` (feed URL or file path), ``date_search``
    ("off": no search of the page text for a date, as for archive records: ``fetched_at``
    is their crawl date), ``extraction`` ("fast": trafilatura without its fallback
    extractors, for archive records) and ``keep`` ("relevant": the caller keeps only
    relevant articles, so a page that is not gets no further analysis).
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
    via_story: int | None = None  # below the threshold, relevant as part of this story

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": round(self.score, 3),
            "grade": str(self.grade),
            "relevant": self.relevant,
            "hits": [asdict(h) for h in self.hits],
            "reasons": list(self.reasons),
            **({"via_story": self.via_story} if self.via_story is not None else {}),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Relevance:
        return cls(
            score=float(data.get("score", 0.0)),
            grade=Grade(data.get("grade", "none")),
            relevant=bool(data.get("relevant", False)),
            hits=[Hit(**h) for h in data.get("hits", [])],
            reasons=list(data.get("reasons", [])),
            via_story=data.get("via_story"),
        )


@dataclass(slots=True)
class Quote:
    """A direct quote with its character offsets in the article text.

    ``speaker`` is the person's canonical name where it could be resolved; ``cue`` is how the
    text named the speaker when that differs ("he", "the ambassador", "the author"); ``role``
    the speaker's short role as the text gives it where it first names them in full ("Energy
    Minister", "analyst", "CPJ’s", "of the Carnegie Russia Eurasia Center":
    speaker_roles.find_role), printed with the name; None where it gives none.
    """

    text: str
    speaker: str | None
    start: int
    end: int
    cue: str | None = None
    role: str | None = None


@dataclass(slots=True)
class Entity:
    """A person, organisation, place or country named in an article, variants merged.

    ``mentions`` are (start, end) offsets into the article text; ``variants`` the spellings
    found ("President Tokayev", "Токаев"); ``role`` what the text or the profile says the
    person is; ``source`` what found it: gazetteer | pattern | ner.
    """

    name: str
    kind: str  # person | org | place | country
    mentions: list[tuple[int, int]] = field(default_factory=list)
    role: str | None = None
    variants: list[str] = field(default_factory=list)
    source: str = "gazetteer"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "mentions": [list(m) for m in self.mentions],
            "role": self.role,
            "variants": list(self.variants),
            "source": self.source,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Entity:
        return cls(
            name=data["name"],
            kind=data["kind"],
            mentions=[(int(a), int(b)) for a, b in data.get("mentions", [])],
            role=data.get("role"),
            variants=list(data.get("variants", [])),
            source=data.get("source", "gazetteer"),
        )


@dataclass(slots=True)
class Theme:
    """One theme of the profile's taxonomy, with its score and the terms that drove it."""

    name: str
    score: float
    terms: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "score": round(self.score, 3), "terms": list(self.terms)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Theme:
        return cls(data["name"], float(data.get("score", 0.0)), list(data.get("terms", [])))


@dataclass(slots=True)
class Attribution:
    """Who an article (or a roundup item) reports: another outlet or office, when and by whom.

    Kept apart from the page's own outlet and date. ``start``/``end`` span the phrase that
    says it ("Japan's Jiji Press reported on Dec. 18 that").
    """

    reported_by: str | None = None
    reported_on: date | None = None
    author: str | None = None
    author_role: str | None = None  # "the CEO of Kazatomprom": a guest author
    interviewee: str | None = None
    cites: str | None = None  # the source an agency cites ("..., Kazinform cites the ministry")
    form: str | None = None  # what was published: article | interview | op-ed | column | ...
    start: int = 0
    end: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "reported_by": self.reported_by,
            "reported_on": self.reported_on.isoformat() if self.reported_on else None,
            "author": self.author,
            "author_role": self.author_role,
            "interviewee": self.interviewee,
            "cites": self.cites,
            "form": self.form,
            "start": self.start,
            "end": self.end,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Attribution:
        day = data.get("reported_on")
        return cls(
            reported_by=data.get("reported_by"),
            reported_on=date.fromisoformat(day) if day else None,
            author=data.get("author"),
            author_role=data.get("author_role"),
            interviewee=data.get("interviewee"),
            cites=data.get("cites"),
            form=data.get("form"),
            start=int(data.get("start", 0)),
            end=int(data.get("end", 0)),
        )


# The days mediadigest works with: no news is dated outside them, and a period asked for
# beyond them ("--since 0001-01-02", "--until 9999-12-31") overflowed date arithmetic.
FIRST_DAY, LAST_DAY = date(1000, 1, 1), date(9998, 12, 31)


# A document's hint that its text is the whole article, given to us as text (a .txt file, a
# JSONL record's text), and the article's explanation (key "text") that says so: a short one
# is a short article, not a lead (`stories.rank.coverage`).
WHOLE_TEXT = "whole_text"
GIVEN_WHOLE = "given whole, as text: not extracted from a page, nor a feed's summary"
EXTRACTED = "from a page or a feed: a short one may be only its lead"


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
    # The outlet's own wall time, as its page prints it (naive), and that clock's offset in
    # minutes east of UTC: the digest dates an article by the outlet's calendar day, not by
    # UTC's (02:00 in Almaty is the evening before in UTC). No offset: the source named no
    # zone, and the time is read as UTC.
    published: datetime | None = None
    published_offset: int | None = None
    language: str | None = None
    relevance: Relevance = field(default_factory=Relevance)
    quotes: list[Quote] = field(default_factory=list)
    source: str | None = None  # feed URL or file path the document came from
    warnings: list[str] = field(default_factory=list)
    id: int | None = None
    # What the understanding steps found (analyse/): see docs/profiles.md and the modules.
    kind: str = "news"  # news | analysis | opinion | interview | press_release | wire | sponsored
    origin: str | None = None  # the wire agency credited ("Reuters", "Kazinform")
    reported_by: str | None = None  # outlet or office the article reports (attribution)
    reported_on: date | None = None  # when that outlet or office said it
    attribution: Attribution | None = None
    original_title: str | None = None  # the title as published, when not in English
    parent_url: str | None = None  # the roundup page a roundup item came from
    entities: list[Entity] = field(default_factory=list)
    themes: list[Theme] = field(default_factory=list)
    tone: float | None = None  # -1 (negative) .. +1 (positive), lexicon-based
    explanations: dict[str, list[str]] = field(default_factory=dict)  # step -> reasons
    # The store's time axis, read back with the article: ``published``, else when its page
    # was fetched (crawled, for an archive record). Not a property of the text: equal
    # articles may differ in it.
    dated: datetime | None = field(default=None, compare=False)

    @property
    def when(self) -> datetime | None:
        """Its time: ``published``, else ``dated`` (when its page was fetched or crawled)."""
        return self.published or self.dated

    @property
    def published_at(self) -> datetime | None:
        """``published`` as an aware datetime in the outlet's offset (UTC where the source
        named no zone): an instant, for comparing articles of outlets in different zones."""
        if self.published is None or self.published.tzinfo is not None:
            return self.published  # an aware time (an article built by hand) is one already
        offset = timezone(timedelta(minutes=self.published_offset or 0))
        return self.published.replace(tzinfo=offset)

    @property
    def published_iso(self) -> str | None:
        """``published`` in ISO 8601 as the outlet gave it: with its offset where known
        (``2025-12-15T02:00:00+06:00``), without one where the source named no zone."""
        given = as_given(self.published, self.published_offset)
        return given.isoformat() if given else None

    @property
    def lead(self) -> str:
        """First paragraph of the text (what relevance weighs as the lead)."""
        return lead_of(self.text)


def as_given(published: datetime | None, offset: int | None) -> datetime | None:
    """A stored publication time (the outlet's wall time and its offset) as the source gave
    it: aware in that offset where known, naive (read as UTC) where the source named none."""
    if published is None or offset is None or published.tzinfo is not None:
        return published
    return published.replace(tzinfo=timezone(timedelta(minutes=offset)))


def wall_time(value: datetime | None) -> tuple[datetime | None, int | None]:
    """A publication time as an Article holds it: (the wall time, naive; its offset in
    minutes east of UTC). An aware time keeps its own clock, not UTC's; a naive one names
    no zone: (it, None)."""
    offset = value.utcoffset() if value is not None else None
    if value is None or offset is None:
        return value, None
    # Whole minutes: a clock of "+05:53:28" (a local mean time) is read as "+05:53".
    minutes = round(offset.total_seconds() / 60)
    return value.replace(tzinfo=None) + (timedelta(minutes=minutes) - offset), minutes


# Han, kana and half-width kana: scripts written without spaces between words.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")


def word_count(text: str) -> int:
    """Words in ``text``, where Chinese and Japanese count two characters a word (about
    their average): split() makes a paragraph of them one word, and a 1,700-character
    Chinese article read as "only the headline"."""
    return len(text.split()) + len(_UNSPACED.findall(text)) // 2


def lead_of(text: str, limit: int = 400) -> str:
    """The lead: the first non-empty paragraph, cut at ``limit`` characters, after a first
    paragraph that is only a date or a time (a page's date line, "2026年11月18日 14:30",
    "18 November 2026", kept in the extracted text: weighed as the lead, it pushed the real
    first paragraph into the body)."""
    # The first two paragraphs only: relevance asks every article's lead, long texts too.
    paras = (para for line in text.split("\n") if (para := line.strip()))
    first = next(paras, "")
    if first and is_date_line(first):
        return next(paras, first)[:limit]
    return first[:limit]


_DATE_LINE_MAX = 60
# Digits (any script: \d), times, separators and the date characters of Chinese, Japanese
# and Korean (年 月 日, 년 월 일, 午後, 오후...): what is left of a date line is month and day
# names, a zone, or nothing.
_DATE_NOISE = re.compile(
    r"[\d\s\-/.,:;|·()（）\[\]年月日号號時时分秒년월일시분초午前後后上下오전후]+"
)
_ZONE_WORDS = frozenset({"am", "pm", "utc", "gmt", "of", "de", "del", "at", "um", "в", "г"})


def is_date_line(para: str) -> bool:
    """Whether a paragraph is only a date or a time, in any script: "2026年11月18日 14:30",
    "2026년 11월 18일", "18.11.2026", "١٨/١١/٢٠٢٦", "Wednesday, 18 November 2026". A short
    sentence with a number ("Tokayev won in 2026") is not: every word left must name a
    month or a day of the week."""
    if len(para) > _DATE_LINE_MAX or not any(ch.isdigit() for ch in para):
        return False
    words = [w.casefold() for w in _DATE_NOISE.split(para) if w]
    if not words:
        return len(re.findall(r"\d+", para)) >= 2  # "2026" alone may be a figure
    names = _date_names()
    return all(w in names or w in _ZONE_WORDS for w in words)


@functools.cache
def _date_names() -> frozenset[str]:
    """Month and weekday names and abbreviations in every language dateparser knows,
    casefolded, without the date characters and digits some hold ("11月", "(水)")."""
    from dateparser.languages.loader import default_loader  # htmldate's dependency

    keys = ("january", "february", "march", "april", "may", "june", "july", "august",
            "september", "october", "november", "december", "monday", "tuesday",
            "wednesday", "thursday", "friday", "saturday", "sunday")  # fmt: skip
    names: set[str] = set()
    for locale in default_loader.get_locales():
        for key in keys:
            for name in locale.info.get(key, []):
                names.update(w.casefold() for w in _DATE_NOISE.split(name) if w)
    return frozenset(names)


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
    # Story-level facts (stories/ and write/compose.py).
    story_id: int | None = None
    kind: str = "news"  # the lead article's kind: news | opinion | interview | ...
    written_from: str = "text"  # text | lead | headline: how much of the source we had
    written_by: str = "extractive"  # extractive | llm | editor: who wrote ``summary``
    note: str | None = None  # e.g. "Only the headline was available."
    also: str | None = None  # "The story was also covered by ..."
    framing: str | None = None  # how coverage differs by outlet country
    reasons: list[str] = field(default_factory=list)  # why the story was chosen
    status: str = "new"  # new | continuing (against the previous weeks)
    score: float = 0.0
    edited: bool = False  # an editor changed it in the web app (web.editions.edit)
    # The lead report's language ("ru"; ISO 639-1, as Article.language): that of the words the
    # item takes from its reports (headline, summary, quote), which HTML marks with lang=.
    language: str | None = None


@dataclass(slots=True)
class Digest:
    period_from: date
    period_to: date
    intro: str
    items: list[DigestItem] = field(default_factory=list)
    profile: str = "kazakhstan"
    trend: str = ""  # the week-over-week line, computed from the numbers
    writer: str = "extractive"  # extractive | llm (items the LLM wrote say so in ``notes``)
    notes: list[str] = field(default_factory=list)  # e.g. LLM fallbacks, with the reason


@dataclass(slots=True)
class Story:
    """Reports of one event across outlets and days; copies of one report collapsed.

    ``duplicates`` maps a copy's article id to the article it copies; ``via_story`` holds the
    ids of articles below the relevance threshold that are relevant as part of this story.
    """

    id: int | None
    title: str
    articles: list[Article] = field(default_factory=list)
    duplicates: dict[int, int] = field(default_factory=dict)
    via_story: set[int] = field(default_factory=set)
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    pinned: bool = False
    hidden: bool = False
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    # Set by ranking: the story continues or resembles an item of the last published digest.
    follows_last: bool = False
    article_themes: dict[int, list[str]] = field(default_factory=dict)  # worked out at update

    @property
    def reports(self) -> list[Article]:
        """The articles that are not copies of another (one per distinct report), each as its
        page's newest capture: a page stored again after it changed (a correction, an edited
        input ingested again) is a copy of the older capture to grouping, but the story is
        told from what the page says now. A roundup's item is no capture of the page it links
        to (it shares its canonical URL): a newsletter's blurb must not stand in for the full
        article."""
        newest: dict[tuple[str, str | None], Article] = {}
        for art in self.articles:
            page = (art.canonical_url or art.url, art.parent_url)
            if page not in newest or (art.id or 0) > (newest[page].id or 0):
                newest[page] = art
        out: dict[int, Article] = {}
        for art in self.articles:
            if art.id not in self.duplicates:
                latest = newest[art.canonical_url or art.url, art.parent_url]
                out.setdefault(id(latest), latest)
        return list(out.values())

    @property
    def outlets(self) -> list[str]:
        """Every outlet that ran the story, copies included, in order of first appearance."""
        return list(dict.fromkeys(a.outlet for a in self.articles if a.outlet))
