"""Themes: multi-label classification of an article against the profile's taxonomy.

Keyword matching in every language the profile lists (one Aho-Corasick pass over the
normalised text, as for relevance), scored like TF-IDF: a term's sublinear frequency
(1 + ln tf) times its specificity, where the profile's tier stands in for IDF (strong terms
1.0, weak terms 0.3) and a term listed under k themes counts 1/k towards each (an inverse
theme frequency). The sum is damped by the article's length, so a long article does not win
themes by size alone. Precision first: a theme needs two different strong terms (or one in
the title), a score at the profile's ``theme_threshold`` and at least a third of the best
theme's score. See docs/profiles.md, "Themes".
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from mediadigest.matching import KeywordIndex, matchable
from mediadigest.model import Theme
from mediadigest.profile import Profile

__all__ = ["classify"]

STRONG, WEAK = 1.0, 0.3
TITLE_BOOST = 1.5  # a term in the headline says more than one in the body
LENGTH_UNIT = 150  # words; past this the score is divided by 1 + ln(words / LENGTH_UNIT)
RELATIVE = 0.25  # a second theme must reach this share of the best one
MAX_THEMES = 4
MAX_CHARS = 40_000  # the opening of a long text says what it is about; more only costs time
TOP_TERMS = 6


@dataclass(slots=True)
class _Tally:
    """What one theme collected over the fields of one article."""

    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    weight: dict[str, float] = field(default_factory=dict)
    strong: set[str] = field(default_factory=set)
    in_title: set[str] = field(default_factory=set)


def classify(
    text: str, profile: Profile, *, title: str = "", language: str | None = None
) -> list[Theme]:
    """The themes ``text`` (with its ``title``) is really about, best first. Pure.

    A ``language`` the taxonomy lists terms for reads only those terms (and the ones listed
    without a language): folded, a stem of one language is a word of another (Turkish "tıp*",
    medicine, is English "tipped"; "aşı*", vaccine, is "Asian").
    """
    index = _index(profile)
    if not len(index):
        return []
    if language not in profile.cache.get("theme_languages", ()):
        language = None
    text = text[:MAX_CHARS]
    tallies: dict[str, _Tally] = defaultdict(_Tally)
    _collect(index, title, tallies, in_title=True, language=language)
    _collect(index, text, tallies, in_title=False, language=language)
    words = max(len(text.split()) + len(title.split()), 1)
    damping = 1.0 + math.log(max(words, LENGTH_UNIT) / LENGTH_UNIT)
    scored = []
    for name, tally in tallies.items():
        if not _qualifies(tally):
            continue
        value, terms = _score(tally)
        scored.append(Theme(name, value / damping, terms))
    scored.sort(key=lambda t: -t.score)
    if not scored:
        return []
    floor = max(profile.theme_threshold, RELATIVE * scored[0].score)
    return [t for t in scored if t.score >= floor][:MAX_THEMES]


def _index(profile: Profile) -> KeywordIndex:
    """The taxonomy's keywords, built once per profile (cached on it, not pickled)."""
    index = profile.cache.get("themes")
    if index is None:
        pairs = [
            (term, (name, tier, spec.languages.get(term, frozenset())))
            for name, spec in profile.themes.items()
            for tier, terms in (("strong", spec.strong), ("weak", spec.weak))
            for term in terms
        ]
        index = profile.cache["themes"] = KeywordIndex(pairs)
        profile.cache["theme_languages"] = frozenset(
            lang for spec in profile.themes.values() for langs in spec.languages.values()
            for lang in langs
        )  # fmt: skip
    return index


def _collect(
    index: KeywordIndex,
    text: str,
    tallies: dict[str, _Tally],
    *,
    in_title: bool,
    language: str | None,
) -> None:
    if not text:
        return
    for _, _, keyword in index.scan(matchable(text)):
        payloads = [
            (name, tier)
            for name, tier, langs in keyword.payloads
            if language is None or not langs or language in langs
        ]
        if payloads:
            _add(keyword.text, payloads, tallies, in_title)


def _add(
    term: str, payloads: list[tuple[str, str]], tallies: dict[str, _Tally], in_title: bool
) -> None:
    share = 1.0 / len({name for name, _ in payloads})  # inverse theme frequency
    for name, tier in payloads:
        tally = tallies[name]
        tally.counts[term] += 1
        weight = (STRONG if tier == "strong" else WEAK) * share
        tally.weight[term] = max(tally.weight.get(term, 0.0), weight)
        if tier == "strong":
            tally.strong.add(term)
            if in_title:
                tally.in_title.add(term)


def _qualifies(tally: _Tally) -> bool:
    """Two different strong terms, or one in the headline: a single word is not a theme."""
    return len(tally.strong) >= 2 or bool(tally.in_title)


def _score(tally: _Tally) -> tuple[float, list[str]]:
    parts = {}
    for term, count in tally.counts.items():
        weight = tally.weight[term]
        if term not in tally.strong and not tally.strong:
            continue  # weak terms count only beside a strong one
        boost = TITLE_BOOST if term in tally.in_title else 1.0
        parts[term] = weight * (1.0 + math.log(count)) * boost
    ranked = sorted(parts, key=lambda t: (-parts[t], t))
    return sum(parts.values()), ranked[:TOP_TERMS]
