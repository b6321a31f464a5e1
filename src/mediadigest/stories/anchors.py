"""What two reports in different languages can share: names in one spelling, and numbers.

Words of a Russian report and of an English one are never the same words, so neither the
clustering's word blocks nor selection's headline words see that they tell one event. Names
and figures are the evidence left: a name is romanised (as the writer spells Cyrillic names)
and folded over the variants English papers use ("Satkaliyev" / "Satkaliev", "Tokayev" /
"Tokaev", "Kassym-Jomart" / "Kasym-Zhomart"); a figure is read with its scale ("1.4 million
tonnes" and "1,4 млн тонн" are one number).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Set

from mediadigest.matching import HANGUL_RANGES, UNSPACED_RANGES
from mediadigest.model import Article
from mediadigest.write.style import latin_name

__all__ = [
    "PREFIX",
    "WEAK",
    "article_names",
    "fold",
    "name_words",
    "numbers",
    "report_anchors",
    "script",
]

PREFIX = 5  # letters of a word that count: "Росатома" is Rosatom, "Балхаша" Balkhash
NAME_KINDS = frozenset({"person", "org", "place"})

_BETWEEN_VOWELS = re.compile(r"(?<=[aeiou])y(?=[aeiou])")
_FINAL_I = re.compile(r"(?:iy|yy|ii|(?<=[^aeiou])y)$")
_HARD_C = re.compile(r"c(?!h)")
_DOUBLE = re.compile(r"(\w)\1+")
_WORD = re.compile(r"[^\W\d_]+")


@functools.lru_cache(maxsize=65536)  # a window's reports repeat a few hundred names
def fold(name: str) -> str:
    """One spelling of a name for every romanisation of it: lower case, no accents.

    BGN/PCGN (``latin_name``) writes "Саткалиев" Satkaliyev; papers also print Satkaliev.
    So: a ``y`` between vowels goes (Tokayev, Tokaev: ``tokaev``), a word-initial ``ye`` is
    ``e`` (Yerlan, Erlan), ``zh``, ``dzh`` and ``j`` are one letter (Zhomart, Jomart), ``kh``
    is ``h``, ``c`` (not in ``ch``) and ``q`` are ``k`` (Caspian, Каспий), ``x`` is ``ks``
    (Maxim, Maksim), a final ``iy``, ``yy`` or ``y`` is ``i`` (Dmitriy, Dmitry) and
    doubled letters are single (Kassym, Kasym). A key to compare, never a spelling to print.
    """
    text = unicodedata.normalize("NFKD", latin_name(name).casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(_fold_word(w) for w in _WORD.findall(text))


def _fold_word(word: str) -> str:
    # Until nothing changes: one rule may make another's case ("aya" is "aa" is "a").
    while (folded := _fold_once(word)) != word:
        word = folded
    return word


def _fold_once(word: str) -> str:
    word = word.replace("q", "k").replace("x", "ks")
    word = _HARD_C.sub("k", word).replace("dzh", "j").replace("zh", "j").replace("kh", "h")
    if word.startswith("ye"):
        word = word[1:]
    word = _FINAL_I.sub("i", _BETWEEN_VOWELS.sub("", word))
    return _DOUBLE.sub(r"\1", word)


@functools.lru_cache(maxsize=65536)
def name_words(name: str) -> str:
    """A name's folded words, each cut to ``PREFIX`` letters: "Алмасадам Саткалиев" and
    "Almasadam Satkaliyev" are both ``almas satka``."""
    return " ".join(w[:PREFIX] for w in fold(name).split())


def article_names(art: Article, kinds: frozenset[str] = NAME_KINDS) -> list[str]:
    """The people, organisations and places an article names, as the entity stage and the
    profile's terms (relevance) give them; not the country, which every report names."""
    names = [e.name for e in art.entities if e.kind in kinds]
    names += [h.canonical for h in art.relevance.hits if h.kind in kinds]
    return names


# A figure: "1.4 million", "1,4 млн", "$12bn", "45,000", "45 000", "12%", "4 milliards",
# "4 Milliarden", "4 milyar", "40亿". A comma before exactly three digits groups thousands
# (English); before other digits it is the decimal comma (Russian, French, German). Bare whole
# numbers below 100 and years are left out: "Oct. 7", "7 октября" and "two reactors" are dates
# and counts any two reports may share. Nor a number glued to a word ("A320"), but for one
# after Chinese, Japanese or Korean letters, which are written without a space before it.
_NUMBER = re.compile(
    rf"(?<!(?![{UNSPACED_RANGES}{HANGUL_RANGES}])[\w.,])"
    r"(\d{1,3}(?:(?:,|\s)\d{3})+(?!\d)|\d+)(?:[.,](\d+))?"
    r"(?:\s?(%|per ?cent|pour ?cent|prozent|por ?ciento|процент\w*)"
    r"|\s?(million\w*|millon\w*|milyon\w*|mln|mio|млн|миллион\w*"
    r"|billion|milliard\w*|miliard\w*|milyar\w*|mrd|mds|млрд|миллиард\w*"
    r"|trillion|трлн|триллион\w*|thousand|тыс\w*)\b|(m|mn|bn|k)\b"
    r"|\s?([亿億억万만]))?",
    re.IGNORECASE,
)
# Longest first: "milliard" is not "m" (a million).
_SCALE = dict(sorted({
    "m": 6, "mn": 6, "mln": 6, "million": 6, "millon": 6, "milyon": 6, "mio": 6, "млн": 6,
    "миллион": 6, "bn": 9, "billion": 9, "milliard": 9, "miliard": 9, "milyar": 9, "mrd": 9,
    "mds": 9, "млрд": 9, "миллиард": 9, "trillion": 12, "трлн": 12, "триллион": 12, "k": 3,
    "thousand": 3, "тыс": 3, "亿": 8, "億": 8, "억": 8, "万": 4, "만": 4,
}.items(), key=lambda item: -len(item[0])))  # fmt: skip


def numbers(text: str) -> set[str]:
    """The text's figures as comparable keys: ``1.4e+06`` for "1.4 million" and "1,4 млн",
    ``12%`` for "12 percent"."""
    found = set()
    for m in _NUMBER.finditer(text):
        whole, decimals, percent, scale_word, scale_short, scale_cjk = m.groups()
        digits = re.sub(r"\D", "", whole)
        value = float(f"{digits}.{decimals}" if decimals else digits)
        scale = (scale_word or scale_short or scale_cjk or "").casefold()
        if percent:
            found.add(f"{value:g}%")
        elif scale:
            exponent = next(e for k, e in _SCALE.items() if scale.startswith(k))
            found.add(f"{value * 10**exponent:.6g}")
        elif decimals or (value >= 100 and not (1900 <= value <= 2100)):
            found.add(f"{value:.6g}")
    return found


_LATIN = re.compile(r"[a-zA-Z\u00c0-\u024f]")
_CYRILLIC = re.compile(r"[\u0400-\u052f]")
_LETTER = re.compile(r"[^\W\d_]")
_NOT_LATIN = re.compile(r"[^\W\d_a-zA-Z\u00c0-\u024f]")


def script(texts: Iterable[str]) -> str:
    """``latin``, ``cyrillic`` or ``other``: the script most of the texts' letters are in."""
    text = " ".join(texts)
    if not _NOT_LATIN.search(text):
        return "latin"
    latin, cyrillic = len(_LATIN.findall(text)), len(_CYRILLIC.findall(text))
    other = len(_LETTER.findall(text)) - latin - cyrillic
    # Ties go to Latin: a text of no letters is compared as the others are.
    return max((latin, "latin"), (cyrillic, "cyrillic"), (other, "other"), key=lambda p: p[0])[1]


WEAK = "~"  # marks a capitalised word that may be an ordinary one: see `report_anchors`
_WORDS = re.compile(r"[^\W\d_]+")
# Words that may start with a capital (Latin, Cyrillic; their extended blocks hold both
# cases, so ``isupper`` has the last word): most words of a lead are not looked at.
_CAPITAL = re.compile(r"(?<![^\W\d_])[A-ZÀ-ÖØ-ÞĀ-ɏА-ЯЀ-ЏѠ-ԯ][^\W\d_]*")
_DIGIT = re.compile(r"\d")
_SENTENCE_END = ".!?:;\n"
_OPENING = " \t«\"“„'‘(/"  # what may stand between a sentence's end and its first word
_DASHES = (" -", " —", " –")  # "ASTANA, Oct 7 (Reuters) - Kazakhstan has chosen..."


def report_anchors(
    title: str,
    lead: str,
    names: Iterable[str],
    outlet: str | None,
    stop: Set[str],
    country: Set[str],
    *,
    nouns_capitalised: bool = False,
) -> set[str]:
    """What a report can share with one in another language: its ``names`` (`name_words`),
    the capitalised words of its title and lead that no name of it covers (the entity stage
    finds no organisation in "Казахстан выбрал Росатом"), and its figures (``#`` and
    `numbers`).

    A capitalised word that starts a sentence, or is one of a headline in title case, may be
    an ordinary word ("Экспорт" and "Grain Exports Hit a Record"): it is marked ``WEAK``, to
    meet only the same word where another report capitalises it mid-sentence ("Росатом и
    Казахстан подписали..." and "choosing Russia's Rosatom"). A dateline ("АСТАНА, 7
    октября") is weak too, and so is every capitalised word of a language that capitalises
    its nouns (``nouns_capitalised``: German's "Export" met the weak "Exports" of an English
    headline in title case, and with "12%" joined a report on coal and one on grain). Words
    in ``stop`` (lower case), the country's names (``country``, as keys) and the outlet's own
    name ("/ТАСС/", "(Reuters)": its credit, no part of the story) are left out.
    """
    keys = {name_words(n) for n in names} - {""}
    covered = {w for key in keys for w in key.split()} | set(name_words(outlet or "").split())
    strong, weak, figures = set(), set(), set()
    long = [w for w in _WORDS.findall(title)[1:] if len(w) > 3]
    title_case = nouns_capitalised or (
        len(long) > 1 and 4 * sum(w[0].isupper() for w in long) >= 3 * len(long)
    )
    for text, all_weak in ((title, title_case), (lead, nouns_capitalised)):
        for m in _CAPITAL.finditer(text):
            word = m.group()
            if not word[0].isupper() or len(word) < 3 or word.casefold() in stop:
                continue
            at = m.start()
            before = text[max(at - 8, 0) : at].rstrip(_OPENING)
            starts = not before or before[-1] in _SENTENCE_END or before.endswith(_DASHES)
            (weak if starts or all_weak else strong).add(name_words(word))
        if _DIGIT.search(text):
            figures |= {f"#{n}" for n in numbers(text)}
    strong = ((strong - covered) | keys | figures) - country
    return strong | {WEAK + w for w in weak - covered - country - strong}
