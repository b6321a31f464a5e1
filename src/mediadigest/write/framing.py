"""Framing: how a story's coverage differs by the outlets' home countries, from stored articles.

For each country with reports in the story: the themes its outlets stress, the words their
headlines and leads use that the others' do not, and the tone (the analyse stage's, or the
shipped lexicon's). One sentence, only when at least two countries covered the story.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from mediadigest.analyse import tone as tone_lexicon
from mediadigest.matching import DATE_WORDS
from mediadigest.model import Article, Story
from mediadigest.profile import Profile
from mediadigest.stories.rank import in_english, themes_in_story
from mediadigest.write import style
from mediadigest.write.summarise import content_words

__all__ = ["describe"]

TONE_GAP = 0.3  # tones this far apart (on -1..1) are worth a word
# Dates and the countries of the outlets say when and where, not what a report stressed; nor
# do the verbs of news reports ("Emperor receives Tokayev", "Astana seeks investors"). Only
# forms that are seldom nouns: "talks", "plans" and "visits" may be what a report stressed.
_NEWS_VERBS = (
    "says said tells told receives received seeks sought urges urged asks asked agrees agreed "
    "announces announced expects expected wants wanted adds added makes made takes took gives "
    "gave gets got comes came goes went sees saw becomes became remains remained continues "
    "continued includes included hopes hoped welcomes welcomed raises raised discusses "
    "discussed meets met held hosted signed launched opened called warns warned vows vowed "
    "slams backs eyes hits rises rose falls fell grows grew shrinks shrank boosts faces "
    "pledges pledged unveils unveiled rejects rejected denies denied approves approved halts "
    "resumes"
)
_NOT_FRAMING = frozenset(f"{DATE_WORDS} today yesterday week {_NEWS_VERBS}".split()) | {
    w.casefold() for name in style.COUNTRY_NAMES.values() for w in name.split() if w != "the"
}


_WHERE = ("country", "place", "ambiguous")  # profile terms: the country, its places (Astana)


def _tone(art: Article) -> float | None:
    value = getattr(art, "tone", None)
    if value is None:
        value, _ = tone_lexicon.score(art.text, title=art.title)
    return value


def _words(art: Article) -> list[str]:
    """The words of a report's headline and lead that may be quoted as its framing: only from
    a report in English, the digest's language (the stop words are English ones: every word of
    a Russian lead, "в" included, looked distinctive), and no contractions ("doesn’t")."""
    if not in_english(art):
        return []
    return [
        w for w in content_words(f"{art.title} {art.lead}") if _base(w).replace("-", "").isalpha()
    ]


def _distinctive(groups: dict[str, list[Article]], country: str, profile: Profile) -> list[str]:
    """Words this country's reports use at least twice and the others' reports never."""
    own = Counter(w for a in groups[country] for w in dict.fromkeys(_words(a)))
    others = {w for c, arts in groups.items() if c != country for a in arts for w in _words(a)}
    # The country and its places are in every report ("astana"): where, not what.
    names = {w for t in profile.terms if t.kind in _WHERE for w in t.key.split()}
    # Outlet names in datelines ("(Jiji Press)") say who wrote, not what they stressed.
    names |= {w for arts in groups.values() for a in arts for w in content_words(a.outlet or "")}
    names |= _NOT_FRAMING
    picked = [
        w
        for w, n in own.most_common()
        if w not in others and w not in names and _base(w) not in names
    ]
    needed = 2 if len(groups[country]) > 1 else 1
    return [w for w in picked if own[w] >= needed][:3]


def _base(word: str) -> str:
    """``japan's`` -> ``japan``."""
    return word[:-2] if word.endswith(("'s", "’s")) else word


def _country_phrase(code: str, arts: Sequence[Article]) -> str:
    outlets = ", ".join(dict.fromkeys(a.outlet for a in arts if a.outlet)) or "its outlets"
    name = style.COUNTRY_NAMES.get(code, code)
    return f"in {name}, {outlets}"


def describe(story: Story, profile: Profile) -> str | None:
    """``Coverage differed by country: in Japan, Jiji Press stressed …; in Russia, TASS …``."""
    groups: dict[str, list[Article]] = {}
    for art in story.reports:
        if art.outlet_country and art.outlet_country != profile.country_code:
            groups.setdefault(art.outlet_country, []).append(art)
    if len(groups) < 2:
        return None
    tones = {
        c: [t for t in (_tone(a) for a in arts) if t is not None] for c, arts in groups.items()
    }
    mean = {c: sum(v) / len(v) for c, v in tones.items() if v}
    parts = []
    for code, arts in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        themes = Counter(t for a in arts for t in themes_in_story(story, a, profile)[:1])
        labels = [
            profile.themes[t].label.lower() if t in profile.themes else t
            for t, _ in themes.most_common(2)
        ]
        bits = []
        if labels:
            bits.append(f"stressed {' and '.join(labels)}")
        if words := _distinctive(groups, code, profile):
            bits.append("wrote of " + ", ".join(f"“{w}”" for w in words))
        if code in mean and len(mean) > 1:
            others = [v for c, v in mean.items() if c != code]
            gap = mean[code] - sum(others) / len(others)
            if abs(gap) >= TONE_GAP:
                bits.append(f"in a {'more positive' if gap > 0 else 'more critical'} tone")
        if bits:
            parts.append(f"{_country_phrase(code, arts)} {', '.join(bits)}")
    if len(parts) < 2:
        return None
    return "Coverage differed by outlet country: " + "; ".join(parts) + "."
