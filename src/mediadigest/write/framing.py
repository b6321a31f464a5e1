"""Framing: how a story's coverage differs by the outlets' home countries, from stored articles.

A country's outlets differ from the others' only where the articles show it: a theme their
reports lead with that no other country's report has at all, words their English reports
use repeatedly (and in a headline or lead) that no other country's English report uses, or
a tone (the analyse stage's) well apart from every other country's, its own outlets agreeing.
Ordinary words a headline happens to hold are no framing, nor the words naming the story's
topic ("energy" in an energy story), nor a verb's past form ("sentenced" against "jails").
A country's tone is that of every text its outlets published, copies of another outlet's
report included; what it wrote of or stressed is its own reports', against every text another
country published.
One sentence, only when at least two countries covered the story and at least one
difference is found; otherwise no line at all.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from mediadigest.matching import DATE_WORDS
from mediadigest.model import Article, Story
from mediadigest.profile import Profile
from mediadigest.stories.rank import in_english, themes_in_story
from mediadigest.write import style
from mediadigest.write.summarise import content_words

__all__ = ["describe"]

TONE_GAP = 0.3  # tones this far apart (on -1..1) are worth a word: between ranges, not means
REPEATS = 3  # a word a country's reports use this often (headline and text) is their stress
MAX_WORDS = 3
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
_TOKEN = re.compile(r"[^\W\d_][\w'’-]*")


def _tone(art: Article) -> float | None:
    """The analyse stage's tone; none where it found none (no lexicon word is no tone)."""
    return getattr(art, "tone", None)


def _words(text: str) -> Counter[str]:
    """Content words (lower-cased) of an English text, with how often each occurs; no
    contractions ("doesn’t") or figures."""
    return Counter(w for w in content_words(text) if _base(w).replace("-", "").isalpha())


def _forms(arts: Sequence[Article]) -> dict[str, str]:
    """Each lower-cased word's commonest spelling in the reports: a quoted word is written as
    the source writes it ("Malacca", not "malacca")."""
    seen: dict[str, Counter[str]] = {}
    for art in arts:
        for token in _TOKEN.findall(f"{art.title}\n{art.text}"):
            seen.setdefault(token.casefold(), Counter())[token] += 1
    return {w: forms.most_common(1)[0][0] for w, forms in seen.items()}


def _distinctive(
    groups: dict[str, list[Article]],
    country: str,
    profile: Profile,
    topic: frozenset[str],
    written: Sequence[Article],
) -> list[str]:
    """Words this country's English reports (``written``: its outlets' own) use repeatedly,
    at least once in a headline or lead, that no English text another country published
    (``groups``: copies included) uses anywhere and that do not merely name the story's
    ``topic`` (see ``_topic_words``); as the source spells them."""
    own = [a for a in written if in_english(a)]
    others = [a for c, arts in groups.items() if c != country for a in arts if in_english(a)]
    if not own or not others:
        return []  # words of one language against another's say nothing of framing
    told = Counter[str]()
    reports = Counter[str]()
    for art in own:
        counts = _words(f"{art.title}\n{art.text}")
        told.update(counts)
        reports.update(counts.keys())
    led = {w for a in own for w in _words(f"{a.title}\n{a.lead}")}
    elsewhere = {_stem(w) for a in others for w in _words(f"{a.title}\n{a.text}")}
    # The country and its places are in every report ("astana"): where, not what.
    names = {w for t in profile.terms if t.kind in _WHERE for w in t.key.split()}
    # Outlet names in datelines ("(Jiji Press)") say who wrote, not what they stressed.
    names |= {w for arts in groups.values() for a in arts for w in content_words(a.outlet or "")}
    names |= _NOT_FRAMING
    # Nor the outlets' countries, listed in the house style or not ("Malaysia").
    names |= {w.casefold() for c in groups for w in (style.country_name(c) or "").split()}
    needed = 2 if len(own) > 1 else 1  # reports of this country that use the word
    forms = _forms(own)
    # Written in lower case somewhere: a word, not only a name or a title-case headline's word.
    lower = {t for a in own for t in _TOKEN.findall(f"{a.title}\n{a.text}") if t.islower()}
    picked = [
        w
        for w, n in sorted(told.items(), key=lambda kv: -kv[1])
        if n >= REPEATS
        and reports[w] >= needed
        and w in led
        and _stem(w) not in elsewhere
        and w not in names
        and _base(w) not in names
        and not _names_topic(w, topic)
        and not (w in lower and _past_form(w))
    ][:MAX_WORDS]
    return _phrases([forms.get(w, w) for w in picked], own)


def _phrases(words: list[str], arts: Sequence[Article]) -> list[str]:
    """Two picked words the reports write side by side are one phrase: “Malacca strait”."""
    text = "\n".join(f"{a.title}\n{a.text}" for a in arts)
    out: list[str] = []
    for word in words:
        for k, prior in enumerate(out):
            pair = next((p for p in (f"{prior} {word}", f"{word} {prior}") if p in text), None)
            if " " not in prior and pair is not None:
                out[k] = pair
                break
        else:
            out.append(word)
    return [_whole_name(w, text) for w in out]


_CAPITALISED = re.compile(r"[A-Z][\w’'-]*(?: [A-Z][\w’'-]*)*")


def _whole_name(word: str, text: str) -> str:
    """A capitalised word the reports only ever write inside one name is that name:
    “Imperial Palace”, not “Imperial” (Jiji Press “wrote of” an adjective)."""
    if " " in word or not word[:1].isupper():
        return word
    runs = Counter(
        re.sub(r"^(?:The|A|An) ", "", m[0])  # "The Imperial Palace" opening a sentence
        for m in _CAPITALISED.finditer(text)
        if word in m[0].split()
    )
    # A sentence's first word runs into a name after it ("Imperial Palace officials ..."
    # is no run: lower case). Written only inside longer names, the word is the name it is
    # written in most (the first of equals): "Imperial Palace", where "Imperial Household
    # Agency" is in the text too, left "Imperial" alone.
    if not runs or any(" " not in run for run in runs):
        return word
    return runs.most_common(1)[0][0]


def _topic_words(story: Story, profile: Profile) -> frozenset[str]:
    """The words that name the story's themes: their names, their labels' words and their weak
    (general) terms, as "energy", "gas" and "fuel*" for an energy story. Every report of the
    story is about them; one country's writing them is no framing ("Reuters wrote of
    “energy”" of a gas deal). A stem keeps its ``*``."""
    found = {t for a in story.reports for t in themes_in_story(story, a, profile)}
    words: set[str] = set()
    for name in found & profile.themes.keys():
        spec = profile.themes[name]
        words.update(re.findall(r"[^\W\d_]+", f"{name} {spec.label}".casefold()))
        for term in spec.weak:
            langs = spec.languages.get(term)
            if " " not in term and (not langs or "en" in langs):
                words.add(term.casefold())
    return frozenset(words - {"and"})


def _names_topic(word: str, topic: frozenset[str]) -> bool:
    stem = _stem(word)
    return any(
        w.endswith("*") and stem.startswith(w[:-1]) if w.endswith("*") else stem == _stem(w)
        for w in topic
    )


def _past_form(word: str) -> bool:
    """A verb's past form ("sentenced", "jailed"): what happened, which another country's
    report tells in its own verb ("jails"), not what a report stressed."""
    return len(word) > 5 and word.endswith("ed")


def _base(word: str) -> str:
    """``japan's`` -> ``japan``."""
    return word[:-2] if word.endswith(("'s", "’s")) else word


def _stem(word: str) -> str:
    """``satellites`` -> ``satellite``: one report's plural is another's singular."""
    word = _base(word)
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ses", "xes", "ches", "shes")):
        return word[:-2]
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def _themes(
    story: Story,
    groups: dict[str, list[Article]],
    country: str,
    profile: Profile,
    arts: Sequence[Article],
) -> list[str]:
    """The themes this country's reports (``arts``: its outlets' own) lead with (half of them
    at least) that no text another country published has among its themes at all, where every
    other country's texts have themes of their own: a report the taxonomy found nothing in
    stressed nothing else (one headline's "airliner" made a theme that the same text under
    another headline had not).
    """
    firsts = Counter(t for a in arts for t in themes_in_story(story, a, profile)[:1])
    found = {
        c: {t for a in other for t in themes_in_story(story, a, profile)}
        for c, other in groups.items()
        if c != country
    }
    if not all(found.values()):
        return []
    elsewhere = set().union(*found.values())
    return [
        style.theme_label(profile, t) if t in profile.themes else t
        for t, n in firsts.most_common(2)
        if 2 * n >= len(arts) and t not in elsewhere
    ]


def _country_phrase(code: str, arts: Sequence[Article]) -> str:
    named = list(dict.fromkeys(a.outlet for a in arts if a.outlet))
    outlets = style.listed(named) if named else "its outlets"
    name = style.country_name(code) or code
    return f"in {name}, {outlets}"


def _tone_apart(tones: dict[str, list[float]], code: str) -> str | None:
    """``more positive`` or ``more critical`` where every outlet of this country is that far
    from every outlet of the others: the ranges apart, not the means. A mean put −0.875 and
    0.0 "more positive" than −0.94, of a jailing, from a lexicon hit in "supporters"."""
    own = tones.get(code) or []
    others = [t for c, v in tones.items() if c != code for t in v]
    if not own or not others:
        return None
    if min(own) - max(others) >= TONE_GAP:
        return "more positive"
    if min(others) - max(own) >= TONE_GAP:
        return "more critical"
    return None


def _copies(story: Story) -> list[Article]:
    """The reports other outlets ran copies of, each as a text published in the copier's
    country: TASS and The Diplomat ran each other's texts, of different tones, and were told
    apart by their own reports alone ("The Diplomat … in a more positive tone"). A copy is
    the report it copies (the also line calls it "the same report"): its text and tone are the
    report's, not the copy's own reading of a shortened text (Al Jazeera's report 0.84, the
    copies of it 0.46, made Al Jazeera "more positive" than those who ran it)."""
    by_id = {a.id: a for a in story.articles if a.id is not None}
    texts = []
    for art in story.articles:
        # A copy of a report the story leaves out (relevant only through the story) lends no
        # framing, as the report would not; the same outlet's copy (or a page's older
        # capture) is a text the outlet is counted with already.
        copied = by_id.get(story.duplicates.get(art.id or 0))
        if copied is not None and art.outlet != copied.outlet:
            texts.append(replace(copied, outlet=art.outlet, outlet_country=art.outlet_country))
    return texts


def describe(story: Story, profile: Profile) -> str | None:
    """``Coverage differed by outlet country: in Britain, The Guardian wrote of “Malacca
    strait”, unlike the report from the United States``, or None when the reports show no
    difference by country."""
    reports = story.reports
    groups: dict[str, list[Article]] = {}  # every text published in each country
    for art in [*reports, *_copies(story)]:
        if art.outlet_country and art.outlet_country != profile.country_code:
            groups.setdefault(art.outlet_country, []).append(art)
    if len(groups) < 2:
        return None
    tones = {
        c: [t for t in (_tone(a) for a in arts) if t is not None] for c, arts in groups.items()
    }
    topic = _topic_words(story, profile)
    # What a country's outlets wrote: the words and themes it stressed are its own reports',
    # not those of a copy it ran ("Al Jazeera wrote of" another outlet's words). A country
    # that only ran copies wrote nothing, and is only compared against.
    own = {id(a) for a in reports}
    written = {c: [a for a in arts if id(a) in own] for c, arts in groups.items()}
    parts: dict[str, str] = {}
    for code, arts in sorted(written.items(), key=lambda kv: -len(kv[1])):
        if not arts:
            continue
        bits = []
        if labels := _themes(story, groups, code, profile, arts):
            bits.append(f"stressed {' and '.join(labels)}")
        if words := _distinctive(groups, code, profile, topic, arts):
            bits.append("wrote of " + ", ".join(f"“{w}”" for w in words))
        if side := _tone_apart(tones, code):
            bits.append(f"in a {side} tone")
        if bits:
            parts[code] = f"{_country_phrase(code, arts)} {', '.join(bits)}"
    if not parts:
        return None
    if len(parts) == 1:  # one country's reports stand out: say against whose
        (code,) = parts
        others = [c for c in groups if c != code]
        names = [style.country_name(c) or c for c in others]
        where = style.listed(names)
        plural = "s" if sum(len(groups[c]) for c in others) > 1 else ""
        parts[code] += f", unlike the report{plural} from {where}"
    return "Coverage differed by outlet country: " + "; ".join(parts.values()) + "."
