"""Direct quotes and their speakers, with character offsets into the article text.

Finds quotes in straight and curly double quotes, guillemets and CJK corner brackets, also
quotes that run over several paragraphs (each paragraph reopens the quote) and quotes broken
by their attribution ("…," he said, "…"). ``find_quotes`` reads the speaker as the text
names it; ``resolve_speakers`` then turns "he", "the ambassador" or "the author" into the
nearest fitting person among the article's entities.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise

from mediadigest.analyse.names import ORG_HEAD_WORDS
from mediadigest.matching import DATE_WORDS
from mediadigest.model import Entity, Quote

__all__ = ["find_quotes", "one_paragraph", "resolve_speakers"]

# Opening mark -> closing mark. Straight quotes close themselves.
_PAIRS = {'"': '"', "“": "”", "«": "»", "„": "“", "「": "」"}
_OPEN = re.compile(r'["“«„「]')
_MIN_WORDS = 4
_MAX_CHARS = 3000  # a quote over several paragraphs is long; an unclosed mark must not run on
_GAP_CHARS = 80  # "…," he said, "…": the attribution between two halves of one quote

_UP = "A-ZА-ЯЁҚҒҮҰӘӨҺІ"
_NAME = rf"(?:[{_UP}][\w'’-]*(?:\.(?=\w)[\w'’-]*)*\.?(?![\w.]))"
_PERSON_ROLES = (
    r"author|minister|ambassador|president|ceo|chairman|chairwoman|official|spokesman"
    r"|spokeswoman|spokesperson|expert|analyst|diplomat|envoy|governor|mayor|professor"
    r"|researcher|leader|head|director|chief|emperor"
)
_ROLE = rf"{_PERSON_ROLES}|article|report|statement|interview"
_SPEAKER = (
    rf"(?P<speaker>(?:the\s+|a\s+)?{_NAME}(?:[ \t]+{_NAME}){{0,3}}"
    rf"|the\s+(?:[a-z]+\s+){{0,2}}?(?:{_ROLE})|he|she|they|он|она)"
)
_VERBS = (
    r"(?:said|says|stated|states|noted|notes|added|adds|told|wrote|writes|concluded|concludes"
    r"|stressed|stresses|emphasi[sz]ed|emphasi[sz]es|explained|explains|argued|argues"
    r"|underscored|pointed out|highlighted|warned|insisted|believes|recalled|reads|continued"
    r"|asked|replied|announced|declared|commented|observed|сказал|сказала|заявил|заявила"
    r"|отметил|отметила|подчеркнул|подчеркнула|добавил|добавила)"
)
_ROLE_WORD = r"[a-zа-яёәғқңөұүһі][\w'’-]*"
# Each pattern names its speaker group once; tried in order.
_AFTER = [
    re.compile(rf"^\s*[,.]?\s*{_SPEAKER}\s+{_VERBS}\b"),  # "...," he said / Tokayev said
    re.compile(rf"^\s*[,.]?\s*{_VERBS}\s+{_SPEAKER}"),  # "...," said Tokayev
    re.compile(rf"^\s*[,.]?\s*according to\s+{_SPEAKER}"),  # "...," according to the author
    re.compile(rf"^\s*[,.]?\s*[-—–]\s*(?:{_VERBS}\s+)?{_SPEAKER}"),  # «...», — заявил Токаев
    # "...," said the country's energy minister, Daniyar Seitkali / — заявил министр ... Абдрахманов
    re.compile(rf"^\s*[,.]?\s*[-—–]?\s*{_VERBS}\s+(?:{_ROLE_WORD},?\s+){{1,6}}{_SPEAKER}"),
]
_BEFORE = [
    re.compile(rf"{_SPEAKER}\s+{_VERBS}(?:\s+that)?\s*[:,]?\s*$"),  # Tokayev said: "..."
    re.compile(rf"according to\s+{_SPEAKER}\s*[:,]?\s*$"),  # According to X, "..."
]
_GAP_VERB = re.compile(rf"\b{_VERBS}\b")
_GAP_END = re.compile(r"[,:]\s*[\"“«„「]$")  # the attribution ends with a comma, then reopens
_PRONOUNS = {"he", "she", "they", "он", "она"}
_ACRONYM = re.compile(rf"[{_UP}]{{2,6}}")
_PERSON_ROLE = re.compile(_PERSON_ROLES)
_DATES = frozenset(DATE_WORDS.split())


def find_quotes(text: str) -> list[Quote]:
    """Every direct quote of at least a few words, with the speaker where the text names one.

    ``text[q.start:q.end] == q.text`` always holds; an unclosed mark gives no quote.
    """
    found: list[Quote] = []
    pos = 0
    while (m := _OPEN.search(text, pos)) is not None:
        if m.group() == '"' and _closes(text, m.start()):
            # 'said, “somebody …," the office said.': a straight mark after a word closes a
            # curly quote; read as an opening it paired every later quote the wrong way round.
            pos = m.end()
            continue
        end = _closing(text, m.start(), _PAIRS[m.group()])
        if end is None:
            pos = m.end()
            continue
        pos = end + 1
        start, stop = _trim(text, m.end(), end)
        if len(text[start:stop].split()) < _MIN_WORDS:
            continue
        raw = _speaker(text, m.start(), end + 1)
        found.append(Quote(text[start:stop], _clean(raw), start, stop, cue=raw))
    _join_broken(text, found)
    return found


_CLOSE_AFTER = re.compile(r'[\s,]*["”»“」]')
_MARKS = ' \t"“”«»„「」'


def one_paragraph(quote: Quote, text: str) -> Quote:
    """A quote that runs over several paragraphs, as its one paragraph that carries the
    speaker's attribution ("“…,” Najib said.": the last; "Najib said: “…": the first), else
    as its first; a quote of one paragraph as it is.

    A digest item quotes one paragraph: the house style has no quote of several, and
    rendered as one paragraph the quote read "“This new … operation. “We are ending …,”
    Najib said." with two opening marks. ``text[q.start:q.end] == q.text`` still holds.
    """
    if text[quote.start : quote.end] != quote.text or "\n" not in quote.text:
        return quote
    pieces = []
    for para in re.finditer(r"[^\n]+", quote.text):
        start, stop = quote.start + para.start(), quote.start + para.end()
        while start < stop and text[start] in _MARKS:
            start += 1
        while stop > start and (text[stop - 1] in _MARKS or text[stop - 1] == ","):
            stop -= 1
        if len(text[start:stop].split()) >= _MIN_WORDS:
            pieces.append((start, stop))
    if not pieces:
        return quote
    closed = _CLOSE_AFTER.match(text, quote.end)
    following = text[closed.end() : closed.end() + 120] if closed else ""
    after = any(p.match(following) for p in _AFTER)
    start, stop = pieces[-1] if after else pieces[0]
    return Quote(text[start:stop], quote.speaker, start, stop, cue=quote.cue)


def _closing(text: str, opened: int, close: str) -> int | None:
    """Where the quote opened at ``opened`` closes; None when it never does."""
    mark = text[opened]
    limit = min(len(text), opened + _MAX_CHARS)
    pos = opened + 1
    while True:
        end = text.find(close, pos, limit)
        if end == -1:
            return None
        if mark == close and _opens_paragraph(text, end):
            pos = end + 1  # a straight quote reopening the next paragraph: the quote goes on
            continue
        inner_open = text.find(mark, opened + 1, end) if mark != close else -1
        if inner_open != -1 and not _opens_paragraph(text, inner_open):
            return None  # another opening before the close: this mark was never closed
        return end


def _closes(text: str, index: int) -> bool:
    """A straight mark right after a word or punctuation and before a space or the end."""
    before = text[index - 1] if index else " "
    after = text[index + 1] if index + 1 < len(text) else " "
    return not before.isspace() and before not in "([{—–-" and (after.isspace() or after in ".,;:)")


def _opens_paragraph(text: str, index: int) -> bool:
    before = text[max(0, index - 3) : index]
    return "\n" in before and not before.split("\n")[-1].strip()


def _trim(text: str, start: int, stop: int) -> tuple[int, int]:
    # Offsets cover the quoted words only, so text[start:end] == quote.text holds.
    while start < stop and text[start].isspace():
        start += 1
    while stop > start and (text[stop - 1].isspace() or text[stop - 1] == ","):
        stop -= 1
    return start, stop


def _speaker(text: str, start: int, end: int) -> str | None:
    following = text[end : end + 120]
    for pattern in _AFTER:
        m = pattern.match(following)
        if m and not _is_date(m.group("speaker")):
            return m.group("speaker").strip(" ,.")
    preceding = text[max(0, start - 120) : start]
    for pattern in _BEFORE:
        m = pattern.search(preceding)
        if m and not _is_date(m.group("speaker")):
            return m.group("speaker").strip(" ,.")
    return None


def _is_date(speaker: str) -> bool:
    # '"…" announced in October, said Derek Scissors': a month is capitalised, not a speaker.
    return speaker.strip(" ,.").casefold() in _DATES


def _clean(speaker: str | None) -> str | None:
    if speaker is None:
        return None
    lower = speaker.lower()
    if lower in _PRONOUNS or lower.startswith("the "):
        return None  # "he", "the ambassador": resolve_speakers finds who
    words = speaker.split()
    if words[-1] in ORG_HEAD_WORDS:
        return speaker  # "National Transportation Safety Board": an organisation, whole
    if len(words) >= 3 and words[0].lower() not in {"the", "a"}:
        # "Energy Minister Almas Satkaliyev", "Казахстана Нурлан Абдрахманов": titles and
        # genitives run into the name; the person is the last two capitalised words.
        return " ".join(words[-2:])
    return speaker


def _join_broken(text: str, found: list[Quote]) -> None:
    """A quote broken by its attribution ("…," he said, "…"): both halves get its speaker."""
    for first, second in pairwise(found):
        gap = text[first.end : second.start]
        inner = gap.strip(' \t,"“”«»„「」')
        if len(inner) > _GAP_CHARS or "\n" in gap or re.search(r"[.!?]", inner):
            continue
        if not (_GAP_VERB.search(inner) and _GAP_END.search(gap)):
            continue
        cue = first.cue or second.cue
        speaker = first.speaker or second.speaker
        for q in (first, second):
            q.cue, q.speaker = q.cue or cue, q.speaker or speaker


def resolve_speakers(
    text: str,
    quotes: Sequence[Quote],
    entities: Sequence[Entity],
    *,
    author: str | None = None,
    reported_by: str | None = None,
) -> None:
    """Name each quote's speaker after the entity the text means (in place).

    A name resolves to the person entity it is a variant or surname of; "he"/"she" to the
    person mentioned last before the quote; "the ambassador" to the last person whose role
    says so; "the author" to the article's author; "the article" to the outlet reported.
    """
    people = [e for e in entities if e.kind == "person"]
    for q in quotes:
        cue = (q.cue or "").strip()
        if not cue:
            continue
        lower = cue.lower()
        if lower in ("the author",) and author:
            q.speaker = author
        elif lower in ("the article", "the report", "the interview") and reported_by:
            q.speaker = reported_by
        elif lower.startswith("the ") and _ACRONYM.fullmatch(cue.split()[-1]):
            q.speaker = cue.split()[-1]  # "the NTSB said": the organisation, not a person
        elif lower in _PRONOUNS or lower.startswith("the "):
            role = None if lower in _PRONOUNS else lower.split()[-1]
            person = _nearest(people, q.start, role)
            q.speaker = person.name if person else q.speaker
        else:
            person = _named(people, cue)
            q.speaker = person.name if person else q.speaker


def _named(people: Sequence[Entity], cue: str) -> Entity | None:
    folded = cue.casefold()
    for person in people:
        names = [person.name, *person.variants]
        if any(n.casefold() == folded or n.casefold().endswith(" " + folded) for n in names):
            return person
        if folded.split()[-1] == person.name.casefold().split()[-1]:
            return person  # "Minister Almas Satkaliyev" -> the entity "Almas Satkaliyev"
    return None


def _nearest(people: Sequence[Entity], before: int, role: str | None) -> Entity | None:
    """The person mentioned last before ``before`` (whose role names ``role``, if given)."""
    best: tuple[int, Entity] | None = None
    for person in people:
        if role and role not in (person.role or "").casefold():
            continue
        starts = [s for s, _ in person.mentions if s < before]
        if starts and (best is None or max(starts) > best[0]):
            best = (max(starts), person)
    if best is None and role and _PERSON_ROLE.fullmatch(role):
        # No one's role says "minister": the nearest person at all. Not for "the board" or
        # "the company", which are no person.
        return _nearest(people, before, None)
    return best[1] if best else None
