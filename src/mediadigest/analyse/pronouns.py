"""Whom a quote's "he" or "she" means: the person the text last had say something, or
the subject of the sentence before, read back sentence by sentence; none where that would be
a guess. quotes.resolve_speakers asks it for every pronoun attribution. In another language
than English ("a-t-il ajouté", "sagte er", "добавил он") a sentence that names someone the
entities do not know (two capitalised names, a title and a name) makes it a guess too.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from mediadigest.analyse import speech_languages
from mediadigest.analyse.language import normalise_code
from mediadigest.analyse.names import ORG_HEAD_WORDS
from mediadigest.analyse.speech import (
    LEAD_WORDS,
    MASK,
    NAME,
    NAME_WORD,
    PRONOUNS,
    TITLE_ROLES,
    UP,
    Sentences,
    clean,
    first_named,
    mask,
    said_in,
)
from mediadigest.model import Entity, Quote

__all__ = ["Antecedents", "person_named"]

_LOOK_BACK = 5  # sentences before the quote's own; further back a pronoun is a guess
_HE = frozenset(("mr", "sir", "lord", "king", "prince", "spokesman", "chairman", "he", "он"))
_SHE = frozenset(
    ("mrs", "ms", "miss", "lady", "dame", "baroness", "queen", "princess", "spokeswoman",
     "chairwoman", "she", "она")
)  # fmt: skip
_TITLE = r"(?:Mr|Mrs|Ms|Miss|Dr|Sir|Lord|Lady|Dame|Prof|Professor)"
# Two capitalised words in a row: a person's name in a language whose subjects this module's
# English words do not read ("Министр транспорта Марат Карабаев затем представил цифры").
_TWO_NAMES = re.compile(rf"(?<![\w'’-])[{UP}][\w'’-]+[ \t]+[{UP}][\w'’-]+")
_SUBJECT_NAME = re.compile(
    rf"(?<![\w'’-])(?:{_TITLE}\.?\s+)?{NAME_WORD}(?:[ \t]+{NAME_WORD}){{0,2}}"
)
# Another clause with a subject of its own after the one that spoke.
_THEN_SOMEONE = re.compile(
    rf"(?:\b(?:but|while|whereas|and)|;)\s+(?:(?:{NAME}\s+){{0,2}}{NAME}['’]s\s+)?"
    rf"(?:{_TITLE}\.?\s+{NAME}|{NAME_WORD}[ \t]+{NAME_WORD}(?:[ \t]+{NAME_WORD})?)"
    r"\s+(?:[a-z]+ly\s+)?"
    r"(?:is|was|has|had|have|will|would|did|[a-z]+ed|said|told|says)\b"
)
_ROLE_LEADS = (
    r"former|fellow|veteran|boss|star|deputy|shadow|striker|player|singer|guitarist|senior"
    r"|policy|campaign|party|union|home|affairs|foreign|vice|assistant|managing|political"
)
_LEADS_SENTENCE = re.compile(
    rf"\s*(?:(?:But|And|However|Meanwhile|Now|So|Yet|Still|Then|Also),?\s+)?"
    rf"(?:(?!(?:In|On|At|Under|For|With|After|Before|By|From|During|As|When|While|If)\b)"
    rf"(?:[{UP}][\w'’&.-]*|the|a|an|{_ROLE_LEADS}|{TITLE_ROLES})\s+)*"
)
# A verb after the subject ("Brian Wilson was", "Mirza, the first …, will"), not the job
# before a name ("Beach Boys veteran Brian Wilson", "Former Wimbledon champion").
_VERB_AFTER = re.compile(
    rf"(?:,[^,.;:!?{MASK}]{{2,100}},)?\s+(?:[a-z]+ly\s+)?"
    r"(?:is|was|are|were|has|had|have|will|would|can|could|may|might|must|should|did|does"
    r"|met|won|beat|led|left|made|took|gave|went|came|saw|got|put|ran|spoke|wrote|became"
    r"|began|held|kept|lost|paid|sent|set|stood|told|said|[a-z]+ed|[a-z]+[^s\W]s)\b"
)


def person_named(people: list[Entity], cue: str) -> Entity | None:
    """The person ``cue`` names: one of their names or variants, a surname of theirs, or
    words each one of their names' ("Kasym-Yomart Tokáyev", the text's spellings)."""
    folded = cue.casefold()
    for person in people:
        names = [person.name, *person.variants]
        if any(n.casefold() == folded or n.casefold().endswith(" " + folded) for n in names):
            return person
        if folded.split()[-1] == person.name.casefold().split()[-1]:
            return person  # "Minister Almas Satkaliyev" -> the entity "Almas Satkaliyev"
        if set(folded.split()) <= {w for n in names for w in n.casefold().split()}:
            return person  # "Kasym-Yomart Tokáyev": its given name and surname each found
    return None


class Antecedents:
    """One article's sentences, speech verbs and people, read once for all its quotes."""

    def __init__(
        self,
        text: str,
        quotes: list[Quote],
        entities: list[Entity],
        language: str | None = None,
    ) -> None:
        self.text = text
        # Not English: a sentence that names someone the entities do not know is read by
        # its capitals, not by English verbs after the name.
        self.foreign = (normalise_code(language) if language else "en") != "en"
        self.lang = speech_languages.language(language)
        self.masked = mask(text, [(q.start, q.end) for q in quotes])
        self.sentences = Sentences(self.masked)
        self.people = [e for e in entities if e.kind == "person"]
        self.others = [e for e in entities if e.kind != "person"]
        self.mentions = sorted(
            ((start, end, e) for e in self.people for start, end in e.mentions
             if self.masked[start : start + 1] != MASK),
            key=lambda m: m[:2],
        )  # fmt: skip
        self.starts = [start for start, _, _ in self.mentions]
        self.by_end = sorted(quotes, key=lambda q: q.end)
        self.ends = [q.end for q in self.by_end]
        # Whether a word has a first name somewhere: asked per quote, looked up once (each
        # look walks the whole text: "It rained. "…," he said." 2,000 times took 24 s).
        self.first_named: dict[str, bool] = {}

    def pronoun(self, quote: Quote, pronoun: str) -> str | None:
        """Whom "he" or "she" in ``quote``'s attribution means, or None where unsure.

        Walks back from the quote, sentence by sentence: the first speech verb's subject of
        an earlier sentence (the main clause's) or the last one before the quote in its own
        ("Knapman said he was glad to see the back of Kilroy-Silk. '…,' he said": Knapman);
        another "he said" goes on further back. In a sentence with no speech verb, its
        subject where no one else is named in it. Whoever the text names otherwise (an
        object, a possessive, someone the entities do not know, "a spokesman said") makes
        the pronoun a guess: None.
        """
        if pronoun not in ("he", "she", "он", "она"):
            return None  # "they": not one person
        want = "she" if pronoun in ("she", "она") else "he"
        i = self.sentences.index(quote.start)
        end = quote.start
        for step in range(_LOOK_BACK + 1):
            if i < 0:
                return None
            start = self.sentences.start(i, end)
            if start > self.sentences.starts[i]:
                return None  # a sentence longer than any: no full stops to read it by
            said = self._said(start, end)
            if said:
                at, who, earlier = said[-1] if step == 0 else said[0]
                if _THEN_SOMEONE.search(self.masked, at, end):
                    return None  # "Hewitt said …, but Australia's Geoff Pollard rejected it"
                if earlier is not None:  # an earlier quote's attribution, resolved already
                    if self._names_other(earlier, end):
                        return None  # "« … », a dit M. Tokaïev avant que le ministre X …"
                    return self._earlier(earlier, want)
                if who is None or (who.casefold() in PRONOUNS and _gender_of(who) != want):
                    return None
                if who.casefold() not in PRONOUNS:
                    return self._person(who, want)
            else:
                named, subject = self._subject(start, end, want)
                if named:
                    return subject
                if self._names_someone(start, end):
                    return None  # "Le ministre Marat Karabaïev a présenté les chiffres."
            end, i = start, i - 1
        return None

    def _earlier(self, quote: Quote, want: str) -> str | None:
        cue = quote.cue or ""
        if cue.casefold() in PRONOUNS:
            return quote.speaker if _gender_of(cue) == want else None
        person = person_named(self.people, quote.speaker) if quote.speaker else None
        if person is not None:
            return person.name if _fits(person, want, cue) else None
        return self._person(cue, want)  # "EA said": no one "he" can mean

    def _said(self, start: int, end: int) -> list[tuple[int, str | None, Quote | None]]:
        """The speech verbs' subjects and the attributed quotes in ``start:end``, in order."""
        found: list[tuple[int, str | None, Quote | None]]
        found = [(s.at, s.who, None) for s in said_in(self.masked, start, end)]
        for k in range(bisect_left(self.ends, start), bisect_left(self.ends, end)):
            if self.by_end[k].cue:
                found.append((self.ends[k], self.by_end[k].cue, self.by_end[k]))
        return sorted(found, key=lambda f: f[0])

    def _subject(self, start: int, end: int, want: str) -> tuple[bool, str | None]:
        """A sentence with no speech verb: whether it names anyone, and its subject where it
        names no one else (not "Anna Berg met Nurlan Abenov", not "Mr Mallon's claim")."""
        first, last = bisect_left(self.starts, start), bisect_left(self.starts, end)
        inside = self.mentions[first:last]
        if not inside:
            return self._someone_unknown(start, end, want)
        first_start, first_end, first = inside[0]
        lead = _LEADS_SENTENCE.fullmatch(self.masked, start, first_start)
        possessive = self._possessive(first_end)
        verb = _VERB_AFTER.match(self.masked, first_end)
        # no one else named, but for a possessive ("praised Lord Scarman's ability")
        alone = all(p is first or self._possessive(e) for _, e, p in inside)
        subject = lead and verb and alone and not possessive and _fits(first, want)
        return True, first.name if subject else None

    def _possessive(self, end: int) -> bool:
        """Whether the mention ending at ``end`` is a possessive ("Mr Mallon's claim"), the
        "'s" in the mention or after it."""
        return any(self.text[k : k + 2] in ("'s", "’s") for k in (end - 2, end))

    def _someone_unknown(self, start: int, end: int, want: str) -> tuple[bool, str | None]:
        """The sentence's subject where the entities do not know them: "Beach Boys veteran
        Brian Wilson was another winner"; a surname alone is a guess ("Mirza, the first
        Indian woman to win …, will now face": "Sania Mirza" elsewhere)."""
        lead = _LEADS_SENTENCE.match(self.masked, start, end).end()
        for m in _SUBJECT_NAME.finditer(self.masked, start, end):
            if m.start() > lead:
                break
            if not _LEADS_SENTENCE.fullmatch(self.masked, start, m.start()):
                continue
            if not _VERB_AFTER.match(self.masked, m.end()):
                continue
            words = m.group().split()
            if any(w.casefold() in LEAD_WORDS or w in ORG_HEAD_WORDS for w in words):
                continue
            if self._other_entity(m.start(), m.end()):
                continue
            if len(words) > 1:
                return True, self._person(m.group(), want)
            if words[0] not in self.first_named:
                self.first_named[words[0]] = first_named(self.masked, words[0])
            if self.first_named[words[0]]:
                return True, None  # "Blinkx is desktop search software": no one's surname
        return False, None

    def _names_someone(self, start: int, end: int) -> bool:
        """Outside English: whether ``start:end`` names a person the entities do not know
        (who "il", "er", "он" may mean as well as the speaker before)."""
        if not self.foreign:
            return False
        if self.lang is not None:
            return speech_languages.names_person(
                self.lang, self.masked, start, end, self._other_entity
            )
        return any(
            not self._other_entity(m.start(), m.end())
            for m in _TWO_NAMES.finditer(self.masked, start, end)
        )

    def _names_other(self, quote: Quote, end: int) -> bool:
        """Outside English: whether the sentence of an earlier quote names someone after its
        attribution, up to ``end``."""
        if not self.foreign or not quote.cue:
            return False
        cue = re.compile(rf"(?<![\w'’-]){re.escape(quote.cue)}(?![\w'’-])")
        after = cue.search(self.masked, quote.end, end)
        return self._names_someone(after.end() if after else quote.end, end)

    def _other_entity(self, start: int, end: int) -> bool:
        return any(s < end and start < e for o in self.others for s, e in o.mentions)

    def _person(self, who: str, want: str) -> str | None:
        """The person a named subject is, if they may be "he" or "she"; None for an
        organisation, a place or a word that names no one."""
        person = person_named(self.people, who)
        if person is not None:
            return person.name if _fits(person, want, who) else None
        folded = who.casefold()
        if any(folded in (n.casefold() for n in (o.name, *o.variants)) for o in self.others):
            return None
        words = who.split()
        if folded.startswith(("the ", "a ")) or any(w in ORG_HEAD_WORDS for w in words):
            return None
        if len(words) == 1 and not first_named(self.masked, who):
            return None  # "Labour said", "Swiss": no one's surname in this text
        return clean(who) if _gender_of(who) in (None, want) else None


def _fits(person: Entity, want: str, *words: str) -> bool:
    return _gender_of(" ".join([*words, *person.variants, person.role or ""])) in (None, want)


def _gender_of(words: str) -> str | None:
    folded = set(re.findall(r"\w+", words.casefold()))
    he, she = bool(folded & _HE), bool(folded & _SHE)
    return "he" if he and not she else "she" if she and not he else None
