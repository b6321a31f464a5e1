"""Score stories for the digest: breadth, prominence, relevance, recency and novelty, explained.

Each part is in 0..1; the score is their weighted sum, and every story keeps the reasons a
reader would want ("5 outlets in 4 countries", "Kazakhstan in the headline", "not in the
last published digest") so the editor can see why it ranks where it does.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from mediadigest.analyse import themes as theme_classifier
from mediadigest.model import GIVEN_WHOLE, Article, Story, word_count
from mediadigest.profile import Outlet, Profile
from mediadigest.stories import persist
from mediadigest.write import style

__all__ = ["RankWeights", "article_themes", "rank", "story_themes"]

_WORD = re.compile(r"[^\W\d_]{3,}")
HEADLINE_WORDS = 12  # a text this short (or just the title again) is a headline-only entry
LEAD_WORDS = 90  # a single paragraph this short is a feed summary: the lead, not the article
# How many weighted outlets make a story "broad": 1 - exp(-w / 3) is 0.63 at three.
_BREADTH_SCALE = 3.0


# What says that a short text is not the whole article: it is cut off ("…", "[...]") or its
# last words send the reader to the rest ("Read more", "Continue reading", "Subscribe to read").
_CUT_OFF = re.compile(
    r"(?:…|\.\.\.|\[(?:…|\.\.\.)\])\W*$"
    r"|(?i:\b(?:read|see) (?:more|the (?:full|rest|whole)\b)|\bcontinue reading\b"
    r"|\b(?:subscribe|sign in|log in|register) (?:now )?to (?:read|continue|see)\b"
    r"|\bfor (?:paying )?subscribers(?: only)?\b|\bsubscribers only\b)[^\n]{0,80}$"
)


# Files whose texts are given whole: what an article stored before analyse recorded it
# (`GIVEN_WHOLE`) tells by its source's name (a page in a JSONL record's html was rarer).
_WHOLE_FILES = (".txt", ".txt.gz", ".jsonl", ".jsonl.gz")


def _given_whole(art: Article) -> bool:
    said = art.explanations.get("text")
    if said is not None:
        return GIVEN_WHOLE in said
    source = (art.source or "").casefold()
    return not source.startswith(("http://", "https://")) and source.endswith(_WHOLE_FILES)


def coverage(art: Article) -> str:
    """How much of the article we had: ``text``, ``lead`` or ``headline``.

    A short single paragraph is a lead where it came from the web (a feed entry's summary,
    all that extraction found on a page or an archived one), not where it was given to us
    whole (a .txt file, a JSONL record's text: `model.GIVEN_WHOLE`) unless it says it is
    cut off. "Written from the lead only; the full article was not available" was untrue of
    a short article given whole, and a crawl's paywall teaser is no full article; so was
    "Only the headline was available" of a one-sentence article given whole.
    """
    if len(art.text) > 12 * LEAD_WORDS:  # no 90-word text is this long: skip the counting
        return "text"
    body = " ".join(art.text.split())
    words = word_count(body)
    if body.casefold() == " ".join(art.title.split()).casefold():
        return "headline"
    whole = _given_whole(art) and not _CUT_OFF.search(art.text.rstrip())
    if words < HEADLINE_WORDS:  # a sentence given whole is the article (a desk's JSONL)
        return "text" if whole else "headline"
    paragraphs = [p for p in art.text.split("\n") if p.strip()]
    if words < LEAD_WORDS and len(paragraphs) <= 1:
        return "text" if whole else "lead"
    return "text"


_DEPTH = {"text": 1.0, "lead": 0.5, "headline": 0.2}


# Words too common to say what a report is about (the centrality below compares the rest).
_FUNCTION = (
    "the and for with from that this these those are was were has have had will would its "
    "their his her they them been but not you your our who what when which about into over "
    "after more than said says also new one two how why all can may could out"
)
_FUNCTION_WORDS = frozenset(_FUNCTION.split())


def _gist(art: Article) -> Counter[str]:
    return Counter(
        w
        for w in _WORD.findall(f"{art.title} {art.text[:400]}".casefold())
        if w not in _FUNCTION_WORDS
    )


def akin(lead: Article, reports: Iterable[Article], least: float) -> list[Article]:
    """The reports whose headline and opening resemble the lead's (cosine of word counts,
    function words left out) at least ``least``; the lead's words are counted once."""
    ga = _gist(lead)
    na = sum(c * c for c in ga.values())
    kin = []
    for art in reports:
        gb = _gist(art)
        norm = math.sqrt(na * sum(c * c for c in gb.values()))
        if norm and sum(c * gb[w] for w, c in ga.items()) / norm >= least:
            kin.append(art)
    return kin


def strays(articles: Sequence[Article]) -> set[int]:
    """Positions of the reports that share far less of their words with the rest of the story
    than its reports typically do: a report clustered in by mistake, or a generic headline
    ("Watch this if you liked:"), which should not give the story its headline.

    Each report's headline and opening are compared (cosine) with the sum of all the others';
    a report under half the median is a stray. Stories of fewer than four reports have none:
    with three, two wire copies would outvote the one full article.
    """
    if len(articles) < 4:
        return set()
    gists = [_gist(a) for a in articles]
    total: Counter[str] = Counter()
    for g in gists:
        total.update(g)
    total_sq = sum(c * c for c in total.values())
    closeness = []
    for g in gists:
        own_sq = sum(c * c for c in g.values())
        dot = sum(c * total[w] for w, c in g.items())
        rest_sq = total_sq - 2 * dot + own_sq  # |total - g|^2
        closeness.append(
            (dot - own_sq) / math.sqrt(own_sq * rest_sq) if own_sq and rest_sq > 0 else 0.0
        )
    typical = sorted(closeness)[len(closeness) // 2]
    return {i for i, c in enumerate(closeness) if c < 0.5 * typical}


def lead_article(articles: Sequence[Article]) -> Article:
    """The report a story is told from: the fullest, then one that is not a stray (see
    ``strays``), then one in English (the digest's language: its headline, sentences and quote
    go into the item as they are), then the most relevant, then the earliest."""
    off = strays(articles)
    return max(
        enumerate(articles),
        key=lambda ia: (
            _DEPTH[coverage(ia[1])],
            ia[0] not in off,
            in_english(ia[1]),
            ia[1].relevance.relevant,
            ia[1].relevance.score,
            # The earliest instant, not wall time: outlets' clocks differ by up to a day.
            -(ia[1].published_at.timestamp() if ia[1].published_at else 0),
        ),
    )[1]


def in_english(art: Article) -> bool:
    """Whether the report is in English, the digest's language (unknown counts as English:
    the analyse stage leaves texts too short to tell without a language)."""
    return (art.language or "en").split("-")[0].casefold() == "en"


@dataclass(slots=True, frozen=True)
class RankWeights:
    breadth: float = 0.3
    prominence: float = 0.2
    relevance: float = 0.15
    recency: float = 0.05
    novelty: float = 0.2
    depth: float = 0.1  # a full article outranks a feed summary of equal standing
    half_life_days: float = 3.0  # recency halves every three days before the period's end


def article_themes(art: Article, profile: Profile) -> list[str]:
    """The analyse stage's themes, or the profile's taxonomy applied here when none are stored."""
    found = getattr(art, "themes", None) or theme_classifier.classify(
        art.text, profile, title=art.title, language=art.language
    )
    return [t.name for t in found]


def themes_in_story(story: Story, art: Article, profile: Profile) -> list[str]:
    """An article's themes as stored with the story, else as ``article_themes`` finds them."""
    if art.id is not None and art.id in story.article_themes:
        return story.article_themes[art.id]
    return article_themes(art, profile)


def story_themes(story: Story, profile: Profile, limit: int = 2) -> list[str]:
    """The story's main themes: those most of its reports share, each report's first most."""
    tally: Counter[str] = Counter()
    for art in story.reports:
        for rank, name in enumerate(themes_in_story(story, art, profile)):
            tally[name] += 1.0 / (1 + rank)
    return [name for name, _ in tally.most_common(limit)]


def _outlets_by_name(profile: Profile) -> dict[str, Outlet]:
    return {o.name.casefold(): o for o in profile.outlets.values()}


def _breadth(story: Story, profile: Profile) -> tuple[float, str]:
    known = _outlets_by_name(profile)
    outlets = story.outlets or ["(unnamed)"]
    weight = sum(known[o.casefold()].weight if o.casefold() in known else 1.0 for o in outlets)
    countries = {a.outlet_country for a in story.articles if a.outlet_country}
    # A second country counts as much as another outlet: the story travelled.
    value = 1.0 - math.exp(-(weight + max(len(countries) - 1, 0)) / _BREADTH_SCALE)
    where = (
        f" in {len(countries)} countr{'y' if len(countries) == 1 else 'ies'}" if countries else ""
    )
    n = len(outlets)
    return value, f"{n} outlet{'s' if n != 1 else ''}{where}"


# (field, the country itself?) -> prominence: the country named in the headline is the most.
_PROMINENCE = {
    ("title", True): 1.0,
    ("title", False): 0.8,
    ("lead", True): 0.7,
    ("lead", False): 0.5,
}


def _prominence(story: Story, profile: Profile) -> tuple[float, str]:
    best, where = 0.2, ""
    for art in story.reports:
        for hit in art.relevance.hits:
            value = _PROMINENCE.get((hit.field, hit.kind == "country"), 0.0)
            if hit.kind != "ambiguous" and value > best:
                place = "headline" if hit.field == "title" else "lead"
                best, where = value, f"{hit.canonical} in the {place}"
    return best, where or _mentions(story)


def _mentions(story: Story) -> str:
    """The reason where no report names the country unambiguously in its headline or lead:
    how often its best report names it, and where. "A passing mention" was said of reports
    naming Kazakhstan six times in the body, and of one whose lead read "Kazakh car maker"."""
    if not story.reports:
        return "a passing mention"
    best = max(story.reports, key=lambda a: (_unambiguous(a).total(), _named(a)))
    hits = best.relevance.hits
    if _named(best) <= 1:
        return "a passing mention"
    names = _unambiguous(best)
    if not names:
        seen: Counter[str] = Counter()
        for hit in hits:
            seen[hit.alias] += hit.count
        listed = ", ".join(f"“{alias}” ×{n}" for alias, n in seen.most_common(2))
        return f"only the ambiguous {listed}"
    listed = ", ".join(f"{name} ×{n}" for name, n in names.most_common(2))
    more = f" and {len(names) - 2} more" if len(names) > 2 else ""
    front = next((h for h in hits if h.field in ("title", "lead")), None)  # ambiguous ones
    if front is None:
        return f"{listed}{more} in the body, not the headline or lead"
    place = "headline" if front.field == "title" else "lead"
    return f"{listed}{more} in the body; in the {place} only the ambiguous “{front.alias}”"


def _named(art: Article) -> int:
    """How often an article names the country, by any name, ambiguous ones included."""
    return sum(hit.count for hit in art.relevance.hits)


def _unambiguous(art: Article) -> Counter[str]:
    """How often an article names each unambiguous name (the country, its places, people)."""
    out: Counter[str] = Counter()
    for hit in art.relevance.hits:
        if hit.kind != "ambiguous":
            out[hit.canonical] += hit.count
    return out


def _relevance(story: Story, profile: Profile) -> tuple[float, str]:
    scores = [a.relevance.score for a in story.reports] or [0.0]
    top = max(scores)
    grade = (
        max(story.reports, key=lambda a: a.relevance.score).relevance.grade if story.reports else ""
    )
    return min(top / (3 * profile.threshold), 1.0), f"relevance {top:.1f} ({grade})"


def _recency(story: Story, until: date, weights: RankWeights) -> float:
    dates = [when.date() for a in story.articles if (when := a.when)]
    if not dates:
        return 0.5
    return 0.5 ** (max((until - max(dates)).days, 0) / weights.half_life_days)


def words(text: str) -> set[str]:
    return {w.casefold() for w in _WORD.findall(text)}


def _novelty(story: Story, previous: Sequence[dict]) -> tuple[float, str, bool]:
    """1 minus the overlap with the most similar item of the last published digest, the
    reason in words, and whether the story continues or resembles that item (the digest
    then calls it continuing: one judgement for its status, its `why` and the trend line)."""
    if not previous:
        return 1.0, f"no earlier digest to compare{_reported_since(story)}", False
    mine = words(" ".join(f"{a.title} {a.lead}" for a in story.reports[:5]))
    best, like = 0.0, ""
    ids = {a.id for a in story.articles}
    for item in previous:
        if item.get("story_id") is not None and item.get("story_id") == story.id:
            return 0.3, f"continues “{item.get('headline', '')}” from the last digest", True
        theirs = words(f"{item.get('headline', '')} {' '.join(item.get('summary', []))}")
        overlap = len(mine & theirs) / max(len(mine | theirs), 1)
        if ids & {e.get("article_id") for e in item.get("evidence", [])}:
            overlap = 1.0
        if overlap > best:
            best, like = overlap, item.get("headline", "")
    if best < 0.2:
        return 1.0, f"not in the last published digest{_reported_since(story)}", False
    return 1.0 - best, f"resembles “{like}” from the last digest", True


def _reported_since(story: Story) -> str:
    """``; reported since Oct. 8`` for a story with reports before those in hand (before the
    period), whose status reads "continuing": it was not in the last digest, yet not new."""
    days = [a.dated.date() for a in story.articles if a.dated]
    if story.first_seen is None or not days or story.first_seen.date() >= min(days):
        return ""
    first = story.first_seen.date()
    year = f", {first.year}" if first.year != max(days).year else ""
    return f"; reported since {style.day(first)}{year}"


def previous_items(conn: sa.Connection, profile: Profile, before: date) -> list[dict]:
    """The items of the last digest published for a period ending before ``before``: what
    novelty is judged against, by the digest, Review and `stories` alike."""
    last = persist.published(conn, profile.name, before=before, limit=1)
    return last[0]["content"].get("items", []) if last else []


def rank(
    stories: Iterable[Story],
    profile: Profile,
    *,
    until: date,
    previous: Sequence[dict] = (),
    weights: RankWeights | None = None,
) -> list[Story]:
    """Score every story (sets ``score``, ``reasons``, ``themes``); best first."""
    w = weights or RankWeights()
    out = []
    for story in stories:
        breadth, b_why = _breadth(story, profile)
        prominence, p_why = _prominence(story, profile)
        relevance, r_why = _relevance(story, profile)
        recency = _recency(story, until, w)
        novelty, n_why, story.follows_last = _novelty(story, previous)
        depth = max((_DEPTH[coverage(a)] for a in story.reports), default=0.2)
        story.score = (
            w.breadth * breadth
            + w.prominence * prominence
            + w.relevance * relevance
            + w.recency * recency
            + w.novelty * novelty
            + w.depth * depth
        )
        story.themes = story_themes(story, profile)
        story.reasons = [f"score {story.score:.2f}", b_why, p_why, r_why, n_why]
        if story.via_story:
            n = len(story.via_story)
            story.reasons.append(f"{n} report{'s' if n != 1 else ''} relevant via the story")
        out.append(story)
    return sorted(out, key=lambda s: (-s.score, _latest(s)))


def _latest(story: Story) -> float:
    stamps = [when.timestamp() for a in story.articles if (when := a.when)]
    return -max(stamps) if stamps else 0.0
