"""Entities: people, organisations, places and the country, with offsets, variants and roles.

Three sources, merged into one entity per thing: the profile's gazetteer (every alias of a
name the relevance pass found, in any script or period: Nur-Sultan and Tselinograd are
Astana), capitalised-name patterns with titles and roles ("President X", "X, the CEO of Y",
"Y's Ambassador to Z, X", "X said") for people and organisations the profile does not know,
and, where the optional ``ner`` extra is installed, a statistical NER (spaCy). Short forms
("Mr Nuryshev", "Nuryshev noted") join the full name the article gives (``coreference``).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from mediadigest.analyse import coreference, names
from mediadigest.model import Entity, Hit
from mediadigest.profile import Profile, Term

log = logging.getLogger(__name__)

__all__ = ["find_entities", "ner_available"]

MAX_CHARS = 60_000  # past this only the opening is read: a huge text must not stall a worker
NER_MAX_CHARS = 20_000
NER_MODEL = "en_core_web_sm"
_NER_KINDS = {"PERSON": "person", "PER": "person", "ORG": "org", "GPE": "place", "LOC": "place"}
_KINDS = {"country": "country", "place": "place", "person": "person", "org": "org"}


def find_entities(
    text: str, profile: Profile, hits: Iterable[Hit] = (), *, use_ner: bool = True
) -> list[Entity]:
    """Every entity in ``text``: gazetteer names among ``hits``, then patterns, then NER."""
    text = text[:MAX_CHARS]
    found: dict[tuple[str, str], Entity] = {}
    taken: list[tuple[int, int]] = []
    orgs: list[tuple[int, int]] = []  # an organisation may contain a place ("... of Kazakhstan")
    for entity in _gazetteer(text, profile, hits):
        found[(entity.name, entity.kind)] = entity
        taken.extend(entity.mentions)
        if entity.kind in ("org", "person"):
            orgs.extend(entity.mentions)
    for entity in names.find_people(text, taken):
        _merge(found, entity)
    for entity in names.find_orgs(text, orgs):
        _merge(found, entity)
    if use_ner:
        for entity in _ner(text):
            if not _overlaps(entity.mentions[0], taken):
                _merge(found, entity)
    entities = coreference.fold_people(text, list(found.values()))
    for entity in entities:
        entity.mentions.sort()
    entities.sort(key=lambda e: (e.mentions[0][0] if e.mentions else 0, e.name))
    return entities


def _merge(found: dict[tuple[str, str], Entity], entity: Entity) -> None:
    key = (entity.name, entity.kind)
    old = found.get(key)
    if old is None:
        found[key] = entity
        return
    old.mentions.extend(m for m in entity.mentions if m not in old.mentions)
    old.variants.extend(v for v in entity.variants if v not in old.variants)
    old.role = old.role or entity.role


def _overlaps(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in taken)


# -- the gazetteer ---------------------------------------------------------------------------


def _gazetteer(text: str, profile: Profile, hits: Iterable[Hit]) -> list[Entity]:
    """Mentions of the names relevance found, by the aliases it found them under."""
    aliases: dict[str, set[str]] = {}
    for hit in hits:
        aliases.setdefault(hit.canonical, set()).add(hit.alias)
    entities = []
    for canonical in sorted(aliases):
        entry = profile.entries.get(canonical)
        pattern = _pattern_for(profile, canonical, frozenset(aliases[canonical]))
        if entry is None or pattern is None:
            continue
        mentions, variants = [], []
        for m in pattern.finditer(text):
            start = names.extend_left(text, m.start()) if entry.kind == "person" else m.start()
            mentions.append((start, m.end()))
            variant = text[start : m.end()]
            if variant not in variants:
                variants.append(variant)
        if not mentions:
            continue
        role = names.role_near(text, mentions) if entry.kind == "person" else None
        kind = _KINDS.get(entry.kind, entry.kind)
        entities.append(Entity(canonical, kind, mentions, role or entry.role, variants))
    return entities


def _pattern_for(
    profile: Profile, canonical: str, aliases: frozenset[str]
) -> re.Pattern[str] | None:
    """One regex over the aliases found (cached on the profile: the same few recur).

    Only the aliases the relevance pass found: an alternation of all sixty names of the
    country would be tried at every position of the text, ten times slower.
    """
    cache: dict[tuple[str, frozenset[str]], re.Pattern[str] | None]
    cache = profile.cache.setdefault("entity_patterns", {})
    key = (canonical, aliases)
    if key not in cache:
        terms = [t for t in profile.terms if t.canonical == canonical and t.alias in aliases]
        alternatives = sorted({_alias_regex(t) for t in terms if t.kind != "exclude"},
                              key=len, reverse=True)  # fmt: skip
        cache[key] = re.compile("|".join(alternatives), re.IGNORECASE) if alternatives else None
    return cache[key]


def _alias_regex(term: Term) -> str:
    """The alias as written, tolerant of the spellings ``matching.normalise`` unifies."""
    parts = []
    for char in term.alias:
        if char in "-‐‑–—":
            parts.append(r"[-‐‑–—\s]?")
        elif char in "'’ʼ‘`":
            parts.append(r"['’ʼ‘`]?")
        elif char.isspace():
            parts.append(r"\s+")
        elif char in "ёе":
            parts.append("[ёе]")
        else:
            base = unicodedata.normalize("NFD", char)[0]
            # "Kazajistán" also as "Kazajistan", as the profile's spelling variants match
            parts.append(
                f"[{re.escape(char)}{re.escape(base)}]" if base != char else re.escape(char)
            )
    body = "".join(parts)
    if term.cjk:
        return body
    start = "" if term.infix else r"(?<![\w])"
    end = r"\w*" if term.stem else r"(?![\w])"
    return f"{start}{body}{end}"


# -- the optional statistical NER --------------------------------------------------------------


def ner_available() -> bool:
    """True when spaCy and its model are installed (``pip install 'mediadigest[ner]'``)."""
    return _nlp() is not None


@lru_cache(maxsize=1)
def _nlp() -> Any:
    try:
        import spacy
    except ImportError:
        return None
    try:
        return spacy.load(NER_MODEL, disable=["lemmatizer", "tagger", "parser"])
    except OSError:  # spaCy installed, model not: degrade to gazetteer and patterns
        log.info("spaCy is installed but not its model %s; NER is off", NER_MODEL)
        return None


def _ner(text: str) -> list[Entity]:
    nlp = _nlp()
    if nlp is None:
        return []
    entities = []
    for ent in nlp(text[:NER_MAX_CHARS]).ents:
        kind = _NER_KINDS.get(ent.label_)
        name = ent.text.strip()
        if kind and len(name) > 1 and name[0].isupper():
            span = (ent.start_char, ent.end_char)
            entities.append(Entity(name, kind, [span], None, [name], "ner"))
    return entities
