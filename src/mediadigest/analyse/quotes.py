"""Direct quotes and their speakers, with character offsets into the article text."""

from __future__ import annotations

import re

from mediadigest.model import Quote

# Opening mark -> closing mark. Straight quotes close themselves.
_PAIRS = {'"': '"', "“": "”", "«": "»", "„": "“"}
_OPEN = re.compile(r'["“«„]')
_MIN_WORDS = 4
_MAX_CHARS = 1500

_NAME = r"(?:[A-Z][\w'’.-]+|[А-ЯЁҚҒҮҰӘӨҺІ][\w'’.-]+)"
_SPEAKER = (
    rf"(?P<speaker>(?:the\s+|a\s+)?{_NAME}(?:\s+{_NAME}){{0,3}}"
    r"|the author|the minister|the ambassador|he|she)"
)
_VERBS = (
    r"(?:said|says|stated|noted|added|told|wrote|writes|concluded|concludes|stressed|emphasized"
    r"|explained|argued|argues|сказал|сказала|заявил|заявила|отметил|отметила)"
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


def find_quotes(text: str) -> list[Quote]:
    """Every direct quote of at least a few words, with the speaker where the text names one."""
    found: list[Quote] = []
    pos = 0
    while True:
        m = _OPEN.search(text, pos)
        if m is None:
            break
        close = _PAIRS[m.group()]
        end = text.find(close, m.end())
        if end == -1 or end - m.end() > _MAX_CHARS:
            pos = m.end()
            continue
        pos = end + 1
        # Offsets cover the quoted words only, so text[start:end] == quote.text holds.
        start = m.end()
        stop = end
        while start < stop and text[start].isspace():
            start += 1
        while stop > start and (text[stop - 1].isspace() or text[stop - 1] == ","):
            stop -= 1
        inner = text[start:stop]
        if len(inner.split()) < _MIN_WORDS:
            continue
        found.append(Quote(inner, _speaker(text, m.start(), end + 1), start, stop))
    return found


def _speaker(text: str, start: int, end: int) -> str | None:
    following = text[end : end + 120]
    for pattern in _AFTER:
        m = pattern.match(following)
        if m:
            return _clean(m.group("speaker"))
    preceding = text[max(0, start - 120) : start]
    for pattern in _BEFORE:
        m = pattern.search(preceding)
        if m:
            return _clean(m.group("speaker"))
    return None


def _clean(speaker: str) -> str | None:
    speaker = speaker.strip(" ,.")
    if speaker.lower() in {"he", "she"}:
        return None  # pronoun resolution belongs to the entity stage; a bare "he" is no speaker
    words = speaker.split()
    if len(words) >= 3 and words[0].lower() not in {"the", "a"}:
        # "Energy Minister Almas Satkaliyev", "Казахстана Нурлан Абдрахманов": titles and
        # genitives run into the name; the person is the last two capitalised words.
        return " ".join(words[-2:])
    return speaker
