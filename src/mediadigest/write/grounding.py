"""Whether a sentence the LLM writer got back is supported by the sentences it was written from.

Each sentence of a rewrite must be supported by one source sentence, or by two adjacent ones:

- its content words, lower-case ones too, are mostly there (a paraphrase may change a word);
- every name (a word with a capital, in any alphabet) is there, as written;
- every number is there with its scale, unit and currency ("1.4 million tonnes", "$1.2
  billion", "18 percent"), every month and day ("Dec. 17") and every number word ("twice");
  numbers of one kind (percentages, plain numbers...) come in the source's order, so that two
  swapped percentages do not pass; "1,8" is not "18";
- every negation ("not", "never", "didn't", "without"...) and limiter ("only", "at least",
  "nearly") is there, and the other way round: where a clause of the source that says one
  is rewritten (half its content words or more are in the sentence), the sentence says it
  too ("did not approve" rewritten as "approved" falls back);
- a sentence that says who said something is supported by one sentence, not two: a pair would
  let the speaker of one lend its name to the statement of the other;
- where the supporting sentence reports what someone said ("Opposition activist Zhanbolat
  Mamay said that the government had rigged the vote"), the sentence keeps who said it (a
  word of the speaker's name, or the outlet) or says that it is a claim ("said", "according
  to", "alleged"): "The government rigged the vote." states it as fact. A speaker the text
  does not name ("the company said", "officials said") is not asked for;
- quoted words are the source's, word for word, and a quote the analyse stage credited to a
  speaker names that speaker;
- no sentence is a headline the model was given (a line no stop ends), word for word, nor the
  attribution line or the first sentence it runs on into ("… reported on Dec. 16 that
  Kazakhstan opened a rail link on Tuesday, the ministry said."), whole or up to a comma: the
  renderers print them above the item already.

Sentences of the sources that address a language model ("ignore previous instructions", "you
are now...") support nothing, and the writer does not send them (``addresses_model``).
The rules are deliberately plain (lexical): a rewrite they cannot vouch for keeps the
extractive text. They do not see a verb changed for its opposite ("approved" for "rejected")
nor a number moved to another noun of its sentence; an item the model wrote says so
(``written_by``), for editors to review.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import pairwise

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from mediadigest.analyse import speech
from mediadigest.analyse.attribution import MONTHS
from mediadigest.write.injection import addresses_model
from mediadigest.write.summarise import sentences

__all__ = ["addresses_model", "problems"]


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
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
# Written onto the number: "1.4m tonnes", "$2bn", "5k".
_ATTACHED = re.compile(r"(?<=\d)(m|mn|bn|b|k|tn|trn)\b", re.IGNORECASE)
_ATTACHED_SCALES = {"m": "million", "mn": "million", "bn": "billion", "b": "billion",
                    "k": "thousand", "tn": "trillion", "trn": "trillion"}  # fmt: skip
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
_VALUES = {
    w: n
    for n, w in enumerate(
        re.findall(
            r"\w+",
            "zero one two three four five six seven eight nine ten eleven twelve thirteen "
            "fourteen fifteen sixteen seventeen eighteen nineteen twenty",
        )
    )
} | {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_NEGATIONS = _set("not no never without neither nor none nothing nobody cannot")
# Negations and limiters, each as the one word a paraphrase may use for it ("merely" for
# "only", "didn't" for "not"). "just" limits only before a quantity ("just 3 percent"; "has
# just approved" is time); "not only ... but also" says both, not less.
_MARKS = re.compile(
    r"\b(?:not|no|never|without|neither|nor|none|nothing|nobody|cannot|only|merely|solely"
    r"|barely|hardly|scarcely|nearly|almost|at least|at most"
    r"|just(?=\s+(?:[\d$€£₸]|a few\b|over\b|under\b|(?:" + "|".join(_VALUES) + r")\b)))\b"
    r"|n['’]t\b",
    re.IGNORECASE,
)
_MARK_AS = {
    "cannot": "not",
    "n't": "not",
    "n’t": "not",
    "merely": "only",
    "solely": "only",
    "just": "only",
    "hardly": "barely",
    "scarcely": "barely",
    "almost": "nearly",
}
_NOT_ONLY = re.compile(r"\bnot only\b|\bbut also\b", re.IGNORECASE)
# Where a clause ends: a source sentence may negate one clause and not another ("approved the
# deal, but did not say when").
_CLAUSE = re.compile(r"[.;:,!?—–()]|\b(?:and|but|while|whereas|although|though)\b", re.IGNORECASE)
# "U.S." as "US": the dots made "U" and "S" names the source ("US") lacks.
_DOTTED = re.compile(r"\b(?:[A-Z]\.){2,}(?!\w)")
_SPEECH = _set(
    "said says say told tells stated states announced announces added adds noted notes "
    "according claimed claims argued argues warned warns wrote writes reported reports "
    "insisted insists confirmed confirms denied denies quoted"
)
# Words that say a sentence tells what someone said or holds, not a fact: enough to keep a
# claim a claim where its speaker goes unnamed ("The vote was rigged, the opposition says").
_REPORTING = _SPEECH | _set(
    "alleged alleges allegedly accused accuses accusing reportedly asserted asserts contended "
    "contends maintained maintains believes believed disputed disputes"
)
_QUOTED = re.compile(r"“([^”]+)”|\"([^\"]+)\"|«([^»]+)»")
_WORD = re.compile(r"[^\W\d_](?:[\w’'-]*\w)?")
_OPENER = re.compile(r"(?:^|[“\"«(:]\s*)([^\W\d_][\w’'-]*)")
_STOP = frozenset(ENGLISH_STOP_WORDS) - _NEGATIONS - _NUMBER_WORDS
# Not what a clause is about: its limiters, and the auxiliaries a negation leans on.
_MARK_WORDS = _set(
    "only merely solely barely hardly scarcely nearly almost just least most did does doing shall"
)
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
    # "approve" and "approved" alike: the stem of either is "approv".
    return _SUFFIX.sub("", word).removesuffix("e") if len(word) > 5 else word


# Not what a speaker said: the verb, and when ("said on Friday.").
_AROUND_SPEECH = {
    _stem(w)
    for w in _REPORTING
    | _set("monday tuesday wednesday thursday friday saturday sunday today yesterday week")
}


def _marks(text: str) -> set[str]:
    """The negations and limiters of ``text``, each as one word (``_MARK_AS``)."""
    found = (m.group().lower() for m in _MARKS.finditer(_NOT_ONLY.sub(" ", text)))
    return {_MARK_AS.get(w, w) for w in found}


def _clause_stems(clause: str) -> set[str]:
    """What a clause is about: its content words, names too, stemmed."""
    return {
        _stem(w)
        for w in (_bare(w).lower() for w in _WORD.findall(clause))
        if len(w) > 1 and w not in _STOP | _NEGATIONS | _NUMBER_WORDS | _MARK_WORDS
    }


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
        text = _DOTTED.sub(lambda m: m.group().replace(".", ""), text)
        self.text = text
        self.dates: set[tuple[int, int]] = set()
        rest = _DATE.sub(self._date, text)
        rest = _ATTACHED.sub(lambda m: " " + _ATTACHED_SCALES[m.group().lower()], rest)
        self.facts: list[_Fact] = []
        for m in _NUMBER.finditer(rest):
            self.facts.append(self._fact(m, rest))
        unquoted = _QUOTED.sub(" ", text)
        words = [_bare(w) for w in _WORD.findall(rest)]
        self.words = set(words)
        # A sentence's or a quote's first word has a capital whatever it is ("Officials").
        self.openers = {_bare(w) for w in _OPENER.findall(text)}
        # "Two" opening a sentence is the number two, checked as one.
        self.names = {w for w in self.words if w and w[0].isupper() and w.lower() not in _VALUES}
        lowered = [w.lower() for w in words]
        self.lowered = set(lowered)
        # "one of the largest" counts nothing.
        self.number_words = {
            w
            for w, after in zip(lowered, [*lowered[1:], ""][: len(lowered)], strict=True)
            if w in _NUMBER_WORDS and not (w == "one" and after == "of")
        }
        self.marks = _marks(rest)
        self.clauses = [
            (stems, marks)
            for clause in _CLAUSE.split(_NOT_ONLY.sub(" ", rest))
            if (marks := _marks(clause)) and (stems := _clause_stems(clause))
        ]
        # Stem -> the word as written, for saying what is missing.
        self.content = {
            _stem(w.lower()): w.lower()
            for w in words
            if len(w) > 1
            and w not in self.names
            and w.lower() not in _STOP | _NEGATIONS | _NUMBER_WORDS
        }
        self.stems = {_stem(w) for w in lowered}
        unquoted_words = {w.lower() for w in _WORD.findall(unquoted)}
        self.speech = bool(unquoted_words & _SPEECH)
        self.reports = bool(unquoted_words & _REPORTING) or "according to" in unquoted.lower()
        self.quotes = [next(g for g in m.groups() if g) for m in _QUOTED.finditer(text)]

    @cached_property
    def speakers(self) -> list[tuple[str | None, set[str]]]:
        """Who the sentence says spoke, as analyse reads speech verbs' subjects (a name, or
        None for a pronoun: "he said"), and what they said, stemmed: the words after the
        speaker ("X said that …") where there are some, else those before ("…, X said").
        A subject that names no one ("the company said") is left out."""
        masked = speech.mask(self.text, [m.span() for m in _QUOTED.finditer(self.text)])
        found: list[tuple[str | None, set[str]]] = []
        for said in speech.said_in(masked, 0, len(masked)):
            if not (said.who and speech.names_someone(said.who)):
                continue
            end = masked.find(said.who, said.at)
            after = _clause_stems(self.text[end + len(said.who) :]) if end >= 0 else set()
            after -= _AROUND_SPEECH
            what = after if len(after) >= 2 else _clause_stems(self.text[: said.at])
            found.append((speech.clean(said.who), what))
        return found

    def _date(self, m: re.Match[str]) -> str:
        month = (m.group("m1") or m.group("m2")).lower()
        self.dates.add((MONTHS[month], int(m.group("d1") or m.group("d2"))))
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
    out += [f"“{_month_day(d)}”" for d in sorted(said.dates - support.dates)]
    scales = {f.scale for f in said.facts}  # "1.4 million" is checked as a number
    out += [
        f"“{f.shown}”"
        for f in said.facts
        if not any(f.within(g) for g in support.facts) and not _as_word(f, support)
    ]
    out += [
        f"“{w}”"
        for w in sorted(said.number_words - support.lowered - scales)
        if not any(g.num == str(_VALUES.get(w)) for g in support.facts)
    ]
    out += [f"“{w}” (a negation or limiter)" for w in sorted(said.marks - support.marks)]
    out += [f"no “{w}” (the source has it)" for w in sorted(_dropped_marks(said, support))]
    as_figures = [f for f in said.facts if any(f.within(g) for g in support.facts)]
    if not out and not _in_order(as_figures, support.facts):
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


def _unattributed(said: Claims, support: Claims, credits: Sequence[str]) -> str | None:
    """Who made the claim ``support`` reports, where ``said`` retells it (two of its content
    words, or all where it has fewer) without them and without a word saying it is a claim;
    None where it keeps either, nobody is named, or it retells another part of the sentence
    ("Tokayev met Xi on Tuesday" of "…, and his spokesman Ruslan Zheldibay said …")."""
    if said.reports:
        return None
    content = set(said.content)
    speakers = [
        who
        for who, what in support.speakers
        if (common := content & what) and len(common) >= min(2, len(content))
    ]
    if not speakers:
        return None
    named = [w for who in speakers if who for w in _WORD.findall(who) if len(w) > 1]
    if any(_bare(w).lower() in said.lowered for w in named):
        return None
    if any(_sequence(re.findall(r"\w+", c), said.text) for c in credits if c):
        return None
    who = next((w for w in speakers if w), None)
    return f"the claim without who made it, {who}" if who else "the claim without who made it"


def _as_word(fact: _Fact, support: Claims) -> bool:
    """Whether ``support`` writes the plain number out ("two" for "2")."""
    words = {str(n): w for w, n in _VALUES.items()}
    plain = fact.kind in ("plain", "year") and fact.num in words
    return plain and words[fact.num] in support.number_words


def _dropped_marks(said: Claims, support: Claims) -> set[str]:
    """The negations and limiters of the source's clauses that ``said`` rewrites without
    them: a clause is rewritten where half its content words (or more) are in ``said``."""
    out: set[str] = set()
    for stems, marks in support.clauses:
        if len(stems & said.stems) * 2 >= len(stems):
            out |= marks - said.marks
    return out


def _month_day(day: tuple[int, int]) -> str:
    return f"{calendar.month_abbr[day[0]]}. {day[1]}"


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _headline(line: str) -> bool:
    """Whether a line the model was given is a headline: a line that no stop ends (the
    summary's sentences and the attribution end with one)."""
    line = line.strip().rstrip("\"”»’'")
    return bool(line) and line[-1] not in ".!?…"


def _headline_words(headline: str) -> set[tuple[str, ...]]:
    """The words of ``headline``, with and without a label before a colon ("Brief: new
    ferry line links Aktau and Baku" came back as "New ferry line links Aktau and Baku.")."""
    label, colon, rest = headline.partition(":")
    out = {_words_of(headline)}
    if colon and len(label.split()) <= 2 and _words_of(rest):
        out.add(_words_of(rest))
    return out


def _words_of(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"\w+", text.lower()))


# "… reported on Dec. 16 that …", "… published an opinion piece by X, arguing that …": the
# attribution line runs on into the article's first sentence.
_RUNS_ON = re.compile(r"\b(?:reported|arguing)\b.*?\bthat\s+(?P<clause>.+)$")


def _attribution_words(line: str) -> set[tuple[str, ...]]:
    """The words of the attribution ``line``, and those of the sentence it runs on into,
    whole or up to each of its commas ("… on Tuesday, the ministry said.")."""
    out = {_words_of(line)}
    if m := _RUNS_ON.search(line):
        clause = m.group("clause")
        out.add(_words_of(clause))
        for comma in re.finditer(",", clause):
            if len(words := _words_of(clause[: comma.start()])) >= 4:
                out.add(words)
    return out


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
    attribution: str | None = None,
    credits: Sequence[str] = (),
) -> list[str]:
    """Each sentence of ``text`` that no source sentence (or adjacent pair) supports, with
    what the closest one lacks; empty when every sentence is supported. ``extra`` are
    further supporting units that are not split into sentences (the intro's list of
    headlines); ``attribution`` is the item's attribution line, which no sentence may
    repeat; ``credits`` are names that credit a claim as its speaker would (the outlet)."""
    units = support_units(source_sentences) + [(Claims(e), True) for e in extra]
    headlines = {w for s in source_sentences if _headline(s) for w in _headline_words(s)}
    attributed = _attribution_words(attribution) if attribution else set()
    out = []
    for n, sentence in enumerate(sentences(text), 1):
        if _words_of(sentence.text) in headlines:
            # Supported, word for word, but the renderers print the headline above it.
            out.append(f"sentence {n}: the headline again")
            continue
        if _words_of(sentence.text) in attributed:
            out.append(f"sentence {n}: the attribution line again")
            continue
        said = Claims(sentence.text)
        best: list[str] | None = None
        for support, pair in units:
            if pair and said.speech:
                continue
            lacks = _lacks(said, support, speakers)
            if not lacks and (claim := _unattributed(said, support, credits)):
                lacks = [claim]
            if not lacks:
                break
            if best is None or len(lacks) < len(best):
                best = lacks
        else:
            out.append(f"sentence {n}: " + ("; ".join(best) if best else "no source sentence"))
    return out
