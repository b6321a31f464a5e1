"""Whether a sentence the LLM writer got back is supported by the sentences it was written from.

Each sentence of a rewrite must be supported by one source sentence, or by two adjacent ones:

- its content words, lower-case ones too, are mostly there (a paraphrase may change a word);
- every name (a word with a capital, in any alphabet) is there, as written;
- every number is there with its scale, unit and currency ("1.4 million tonnes", "$1.2
  billion", "18 percent"), every month and day ("Dec. 17") and every number word ("twice");
  numbers of one kind (percentages, plain numbers...) come in the source's order, so that two
  swapped percentages do not pass; "1,8" is not "18";
- every negation ("not", "never", "didn't", "without"...) is there;
- a sentence that says who said something is supported by one sentence, not two: a pair would
  let the speaker of one lend its name to the statement of the other;
- quoted words are the source's, word for word, and a quote the analyse stage credited to a
  speaker names that speaker.

Sentences of the sources that address a language model ("ignore previous instructions", "you
are now...") support nothing, and the writer does not send them (``addresses_model``).
The rules are deliberately plain: a rewrite they cannot vouch for keeps the extractive text.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from mediadigest.write.summarise import addresses_model, sentences

__all__ = ["addresses_model", "problems"]


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_MONTHS = {
    name: n
    for n, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        1,
    )
    for name in names
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE = re.compile(
    rf"\b(?P<m1>{_MONTH})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\b"
    rf"|\b(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{_MONTH})\b",
    re.IGNORECASE,
)
# A number as written: "1,8" stays "1,8" (a decimal comma, not 18); "1,200" is 1200.
_NUMBER = re.compile(r"(?P<cur>(?:US)?[$€£₸¥])?\s?(?P<num>\d+(?:[.,]\d+)*)(?P<pct>\s?%)?")
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_SCALES = {
    "thousand": "thousand",
    "million": "million",
    "mln": "million",
    "bn": "billion",
    "billion": "billion",
    "bln": "billion",
    "trillion": "trillion",
}
_UNITS = {
    "percent": "%",
    "per cent": "%",
    "percentage point": "pp",
    "percentage points": "pp",
    "tonnes": "t",
    "tonne": "t",
    "tons": "t",
    "ton": "t",
    "metric tons": "t",
    "gw": "GW",
    "mw": "MW",
    "kw": "kW",
    "gwh": "GWh",
    "mwh": "MWh",
    "kwh": "kWh",
    "km": "km",
    "kilometres": "km",
    "kilometers": "km",
    "miles": "mi",
    "barrels": "bbl",
    "bcm": "bcm",
    "cubic metres": "m3",
    "cubic meters": "m3",
    "hectares": "ha",
    "people": "people",
    "years": "years",
}
_CURRENCIES = {
    "dollars": "$",
    "usd": "$",
    "euros": "€",
    "eur": "€",
    "tenge": "₸",
    "roubles": "₽",
    "rubles": "₽",
    "yuan": "¥",
    "yen": "¥",
}
_NUMBER_WORDS = _set(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty "
    "ninety hundred hundreds thousand thousands million millions billion billions trillion dozen "
    "dozens half halved twice thrice double doubled triple tripled quadrupled first third fourth "
    "fifth sixth seventh eighth ninth tenth single once"
)
_NEGATIONS = _set("not no never without neither nor none nothing nobody cannot")
_SPEECH = _set(
    "said says say told tells stated states announced announces added adds noted notes "
    "according claimed claims argued argues warned warns wrote writes reported reports "
    "insisted insists confirmed confirms denied denies quoted"
)
_QUOTED = re.compile(r"“([^”]+)”|\"([^\"]+)\"|«([^»]+)»")
_WORD = re.compile(r"[^\W\d_](?:[\w’'-]*\w)?")
_OPENER = re.compile(r"(?:^|[“\"«(:]\s*)([^\W\d_][\w’'-]*)")
_STOP = frozenset(ENGLISH_STOP_WORDS) - _NEGATIONS - _NUMBER_WORDS
_SUFFIX = re.compile(r"(?:ing|ed|es|s)$")
# Of the content words of a sentence at most this share may be missing from its support.
MISSING_SHARE = 0.25


def _bare(word: str) -> str:
    """``Tokayev's`` and ``Tokayev’`` as ``Tokayev``; ``didn't`` as ``not``."""
    lower = word.lower()
    if lower.endswith(("n't", "n’t")):
        return "not"
    return re.sub(r"[’']s?$", "", word).strip("’'-")


def _stem(word: str) -> str:
    word = word.lower()
    return _SUFFIX.sub("", word) if len(word) > 5 else word


@dataclass(slots=True, frozen=True)
class _Fact:
    """A number as stated: value as written, scale ("million"), unit ("%", "t"), currency."""

    num: str
    scale: str | None
    unit: str | None
    cur: str | None
    shown: str = field(default="", compare=False)  # as the sentence wrote it

    @property
    def kind(self) -> str:
        """What the source's order is kept among: years apart from plain numbers."""
        if self.unit or self.cur or self.scale:
            return f"{self.cur}{self.scale}{self.unit}"
        return "year" if re.fullmatch(r"1[89]\d\d|2[01]\d\d", self.num) else "plain"

    def within(self, other: _Fact) -> bool:
        """Said by ``other``: a rewrite may leave out a unit or currency, not change one."""
        return (
            self.num == other.num
            and self.scale == other.scale
            and self.unit in (None, other.unit)
            and self.cur in (None, other.cur)
        )


class Claims:
    """What one sentence (or a pair) says, in the terms the rules compare."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.dates: set[tuple[int, int]] = set()
        rest = _DATE.sub(self._date, text)
        self.facts: list[_Fact] = []
        for m in _NUMBER.finditer(rest):
            self.facts.append(self._fact(m, rest))
        unquoted = _QUOTED.sub(" ", text)
        words = [_bare(w) for w in _WORD.findall(rest)]
        self.words = set(words)
        # A sentence's or a quote's first word has a capital whatever it is ("Officials").
        self.openers = {_bare(w) for w in _OPENER.findall(text)}
        self.names = {w for w in self.words if w and w[0].isupper()}
        lowered = [w.lower() for w in words]
        self.lowered = set(lowered)
        self.number_words = {w for w in lowered if w in _NUMBER_WORDS}
        self.negations = {w for w in lowered if w in _NEGATIONS}
        # Stem -> the word as written, for saying what is missing.
        self.content = {
            _stem(w.lower()): w.lower()
            for w in words
            if len(w) > 1 and w not in self.names and w.lower() not in _STOP | _NEGATIONS
        }
        self.stems = {_stem(w) for w in lowered}
        self.speech = any(w.lower() in _SPEECH for w in _WORD.findall(unquoted))
        self.quotes = [next(g for g in m.groups() if g) for m in _QUOTED.finditer(text)]

    def _date(self, m: re.Match[str]) -> str:
        month = (m.group("m1") or m.group("m2")).lower()
        self.dates.add((_MONTHS[month], int(m.group("d1") or m.group("d2"))))
        return " "

    @staticmethod
    def _fact(m: re.Match[str], text: str) -> _Fact:
        num = m.group("num")
        if _THOUSANDS.fullmatch(num):
            num = num.replace(",", "")
        cur = m.group("cur") and m.group("cur").removeprefix("US")
        unit = "%" if m.group("pct") else None
        raw = text[m.end() : m.end() + 60].split()[:3]
        words = []
        for word in raw:
            words.append(word.lower().rstrip(",.;:)"))
            if word != word.rstrip(",.;:)"):
                break  # the phrase ends
        scale = _SCALES.get(words[0]) if words else None
        rest, used = (words[1:], 1) if scale else (words, 0)
        if unit is None and rest:
            if " ".join(rest[:2]) in _UNITS:
                unit, used = _UNITS[" ".join(rest[:2])], used + 2
            elif rest[0] in _UNITS:
                unit, used = _UNITS[rest[0]], used + 1
            elif rest[0] in _CURRENCIES and cur is None:
                cur, used = _CURRENCIES[rest[0]], used + 1
        shown = " ".join([m.group().strip(), *raw[:used]]).rstrip(",.;:)")
        return _Fact(num, scale, unit, cur, shown)


def _sequence(words: Sequence[str], text: str) -> bool:
    """Whether ``words`` occur in ``text`` one after another, as written (case aside)."""
    pattern = r"\W+".join(re.escape(w) for w in words)
    return bool(words) and re.search(rf"(?<!\w){pattern}(?!\w)", text, re.IGNORECASE) is not None


def _in_order(said: Sequence[_Fact], source: Sequence[_Fact]) -> bool:
    """Whether numbers of one kind come in the source's order (a swap does not)."""
    for kind in {f.kind for f in said}:
        wanted = [f for f in said if f.kind == kind]
        found = iter([f for f in source if f.kind == kind])
        if not all(any(w.within(f) for f in found) for w in wanted):
            return False
    return True


@dataclass(slots=True, frozen=True)
class Speaker:
    """A quote of the sources and who the analyse stage found said it (``None``: unknown)."""

    text: str
    speaker: str | None


def _lacks(said: Claims, support: Claims, speakers: Sequence[Speaker]) -> list[str]:
    """What ``support`` does not say of what ``said`` says (empty: supported)."""
    out = [
        n
        for n in sorted(said.names)
        if n not in support.words
        and not (n in said.openers and (n.lower() in support.lowered or n.lower() in _STOP))
    ]
    out += [f"“{f.shown}”" for f in said.facts if not any(f.within(g) for g in support.facts)]
    out += [f"“{_month_day(d)}”" for d in sorted(said.dates - support.dates)]
    scales = {f.scale for f in said.facts}  # "1.4 million" is checked as a number
    out += [f"“{w}”" for w in sorted(said.number_words - support.lowered - scales)]
    out += [f"“{w}” (a negation)" for w in sorted(said.negations - support.negations)]
    if not out and not _in_order(said.facts, support.facts):
        out.append("numbers in another order than the source's")
    for quote in said.quotes:
        words = re.findall(r"\w+", quote)
        if not _sequence(words, support.text):
            out.append(f"the quote “{_short(quote)}”")
            continue
        credited = [s.speaker for s in speakers if s.speaker and _sequence(words, s.text)]
        if credited and not any(c.split()[-1] in said.words for c in credited):
            out.append(f"the quote “{_short(quote)}” without its speaker, {credited[0]}")
    missing = sorted(said.content[s] for s in said.content.keys() - support.stems)
    if len(missing) > MISSING_SHARE * len(said.content) and len(missing) > 1:
        out.append("the words " + ", ".join(missing[:4]))
    return out


def _month_day(day: tuple[int, int]) -> str:
    return f"{calendar.month_abbr[day[0]]}. {day[1]}"


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def support_units(source_sentences: Iterable[str]) -> list[tuple[Claims, bool]]:
    """Each source sentence, then each two adjacent ones, with whether it is a pair."""
    singles = [Claims(s) for s in source_sentences if s.strip() and not addresses_model(s)]
    pairs = [Claims(f"{a.text} {b.text}") for a, b in pairwise(singles)]
    return [(c, False) for c in singles] + [(c, True) for c in pairs]


def problems(
    text: str,
    source_sentences: Sequence[str],
    speakers: Sequence[Speaker] = (),
    *,
    extra: Sequence[str] = (),
) -> list[str]:
    """Each sentence of ``text`` that no source sentence (or adjacent pair) supports, with
    what the closest one lacks; empty when every sentence is supported. ``extra`` are
    further supporting units that are not split into sentences (the intro's list of
    headlines)."""
    units = support_units(source_sentences) + [(Claims(e), True) for e in extra]
    out = []
    for n, sentence in enumerate(sentences(text), 1):
        said = Claims(sentence.text)
        best: list[str] | None = None
        for support, pair in units:
            if pair and said.speech:
                continue
            lacks = _lacks(said, support, speakers)
            if not lacks:
                break
            if best is None or len(lacks) < len(best):
                best = lacks
        else:
            out.append(f"sentence {n}: " + ("; ".join(best) if best else "no source sentence"))
    return out
