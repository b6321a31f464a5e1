"""Coreference of people: one entity per person an article names, under its fullest name.

"Mr Mittal", "Mittal" and "Mittal's" are the "Lakshmi Mittal" the article names; "Sir Digby" is
"Digby Jones", "Chris Leslie" the "Christopher Leslie" named first. Where two people share the
surname ("Tony Blair", "Cherie Blair") a short form is neither's.
"""

from __future__ import annotations

import re

from mediadigest.analyse import names
from mediadigest.model import Entity

__all__ = ["fold_people"]

_NEXT_CAPITAL = re.compile(rf"\s+{names.TOKEN}")
_LEFT_WORD = re.compile(r"(\w[\w.’'-]*)\s+$")


def fold_people(text: str, entities: list[Entity]) -> list[Entity]:
    """One entity per person: "Mr Mittal" and "Mittal" fold into the "Lakshmi Mittal" the
    article names (where it names one person of that surname), "Sir Digby" into "Digby
    Jones", "Chris Leslie" into "Christopher Leslie" named first; a surname alone elsewhere
    ("Nuryshev noted") is a mention of the full name."""
    people = [e for e in entities if e.kind == "person"]
    taken = [m for e in entities for m in e.mentions]
    for entity in people:
        if entity.source != "gazetteer" and " " not in entity.name:
            _name_in_full(text, entity, taken)  # "Mr Mittal" is the "Lakshmi Mittal" named
    owner = _owners(people)
    for entity in people:
        if (into := owner.get(id(entity))) is not None:
            into.mentions.extend(m for m in entity.mentions if m not in into.mentions)
            into.variants.extend(v for v in entity.variants if v not in into.variants)
            into.role = into.role or entity.role
    for entity in people:
        if id(entity) not in owner and entity.source != "gazetteer" and _is_full(entity.name):
            _add_surnames(text, entity, taken)  # the gazetteer found every alias already
        entity.mentions = _outermost(entity.mentions)
    return [e for e in entities if id(e) not in owner]


def _owners(people: list[Entity]) -> dict[int, Entity]:
    """The entity each short or second form folds into, by the folded one's id."""
    full = [e for e in people if _is_full(e.name)]
    owner: dict[int, Entity] = {}
    for i, a in enumerate(full):
        for b in full[i + 1 :]:
            if id(a) not in owner and id(b) not in owner and _same_person(a.name, b.name):
                first, second = sorted((a, b), key=lambda e: min(e.mentions, default=(0, 0)))
                owner[id(second)] = first
    full = [e for e in full if id(e) not in owner]
    peers = [
        e
        for e in people
        if e.name.split()[0] in names.NAME_HONORIFICS - names.FIRST_NAME_HONORIFICS
    ]
    for entity in people:
        if _is_full(entity.name):
            continue
        word, by_first = _short_key(entity.name)
        fits = [e for e in full if e.name.split()[0 if by_first else -1] == word]
        if not fits and " " not in entity.name:  # "Mr Kinnock" is the "Lord Kinnock" named
            fits = [e for e in peers if e.name.split()[-1] == word]
        if len(fits) == 1:  # "Mr Blair" beside Tony and Cherie Blair is neither
            owner[id(entity)] = fits[0]
    return owner


def _name_in_full(text: str, entity: Entity, taken: list[tuple[int, int]]) -> None:
    """Name a surname alone ("Mittal", from "Mr Mittal told") after the one full name the
    text gives it before ("However, Lakshmi Mittal has told"), with that mention."""
    surname = entity.name
    first_seen = min(entity.mentions, default=(len(text), 0))[0]
    found: dict[str, list[tuple[int, int]]] = {}
    for m in re.finditer(rf"(?<![\w'’-])({names.TOKEN})\s+{re.escape(surname)}(?![\w-])", text):
        first = m.group(1)
        if _given_name(first, surname) and not _overlaps(m.span(), taken):
            found.setdefault(first, []).append(m.span())
    if len(found) != 1:
        return  # none, or "Tony Blair" and "Cherie Blair": not for "Mr Blair" to choose
    ((first, spans),) = found.items()
    if spans[0][0] < first_seen:
        entity.name = f"{first} {surname}"
        entity.mentions.extend(spans)
        entity.variants.extend(v for v in (text[a:b] for a, b in spans) if v not in entity.variants)


def _given_name(word: str, surname: str) -> bool:
    """Whether ``word`` is a first name before ``surname``: "Lakshmi" Mittal; not "President"
    Putin, "Australian" Crosby, "However" Mittal."""
    if names.is_title(word) or word in names.nationalities():
        return False
    return names.plausible([word, surname])


def _is_full(name: str) -> bool:
    words = [w for w in name.split() if not w.endswith(".")]
    return len(words) > 1 and words[0] not in names.NAME_HONORIFICS


def _short_key(name: str) -> tuple[str, bool]:
    """The word a short form shares with the full name, and whether it is the first name."""
    words = name.split()
    return words[-1], words[0] in names.FIRST_NAME_HONORIFICS and len(words) == 2


def _same_person(a: str, b: str) -> bool:
    """ "Chris Leslie" and "Christopher Leslie"; not "Tony Blair" and "Cherie Blair"."""
    first_a, *_, last_a = a.split()
    first_b, *_, last_b = b.split()
    return last_a == last_b and (first_a.startswith(first_b) or first_b.startswith(first_a))


def _add_surnames(text: str, entity: Entity, taken: list[tuple[int, int]]) -> None:
    """Mentions of the surname alone ("Nuryshev noted", "Mr Nuryshev", "Nuryshev's"), and of
    the full name where no pattern found it; not another person's ("Cherie Blair")."""
    *given, surname = entity.name.split()
    for m in re.finditer(rf"(?<![\w'’-]){re.escape(surname)}(?![\w-])", text):
        if _overlaps(m.span(), taken) or _NEXT_CAPITAL.match(text, m.end()):
            continue  # "Mittal Steel" is a firm
        start = m.start()
        if left := _LEFT_WORD.search(text, max(0, start - 40), start):
            word = left.group(1)
            if word.rstrip(".") in names.HONORIFICS or word == given[-1]:
                start = left.start(1)  # "Mr Blair", and "Tony Blair" in a quote
            elif word[0].isupper():
                continue  # "Cherie Blair" is not Tony Blair
        entity.mentions.append((start, m.end()))
        if (variant := text[start : m.end()]) not in entity.variants:
            entity.variants.append(variant)


def _outermost(mentions: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The mentions not inside another ("Mittal" within "Mr Mittal"), in order."""
    spans = sorted(set(mentions), key=lambda s: (s[0], -s[1]))
    out: list[tuple[int, int]] = []
    for span in spans:
        if not out or span[1] > out[-1][1]:
            out.append(span)
    return out


def _overlaps(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in taken)
