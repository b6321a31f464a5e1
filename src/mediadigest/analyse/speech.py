"""Who says what: speech verbs and their subjects ("X said", "said X", "according to X") and
the sentences of a text, the language quotes.py and pronouns.py read attributions with.

Reads the text with its quotes' words masked (``mask``): a name or a "he said" inside a quote
is never the attribution outside it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from mediadigest.analyse.names import ORG_HEAD_WORDS, is_title, nationalities
from mediadigest.matching import DATE_WORDS

MASK = "\x00"  # stands for a quote's words: no word, no space, no sentence end
SENTENCE_CHARS = 600  # a "sentence" longer than this is a page without full stops
UP = "A-ZА-ЯЁҚҒҮҰӘӨҺІ"
NAME = rf"(?:[{UP}][\w'’-]*(?:\.(?=\w)[\w'’-]*)*\.?(?![\w.]))"
PERSON_ROLES = (
    r"author|minister|ambassador|president|ceo|chairman|chairwoman|official|spokesman"
    r"|spokeswoman|spokesperson|expert|analyst|diplomat|envoy|governor|mayor|professor"
    r"|researcher|leader|head|director|chief|emperor"
)
_ROLE = rf"{PERSON_ROLES}|article|report|statement|interview"
PRONOUNS = {"he", "she", "they", "он", "она"}
SPEAKER = (
    rf"(?P<speaker>(?:the\s+|a\s+)?{NAME}(?:[ \t]+{NAME}){{0,3}}"
    rf"|the\s+(?:[a-z]+\s+){{0,2}}?(?:{_ROLE})|he|she|they|он|она)"
)
VERBS = (
    r"(?:said|says|stated|states|noted|notes|added|adds|told|wrote|writes|concluded|concludes"
    r"|stressed|stresses|emphasi[sz]ed|emphasi[sz]es|explained|explains|argued|argues"
    r"|underscored|pointed out|highlighted|warned|insisted|believes|recalled|reads|continued"
    r"|asked|replied|responded|answered|announced|declared|commented|observed|admitted"
    r"|сказал|сказала|заявил|заявила|отметил|отметила|подчеркнул|подчеркнула|добавил|добавила)"
)
# Words between a subject and its verb: "Knapman has said", "he will say", "Mr X separately
# said", "Mr Howard is expected to say".
_AUX = (
    r"(?:(?:has|have|had|also|later|earlier|already|since|now|just|still|once|again|then|will"
    r"|would|[a-z]+ly|is expected to|went on to)\s+)"
)
_MODAL_VERBS = r"(?:(?:will|would)\s+(?:say|tell|add))"
_ROLE_WORD = r"[a-zа-яёәғқңөұүһі][\w'’-]*"
# A job named before the person, in lower case: "KazMunayGas spokesman", "central bank
# governor", "Georgia Power's chief executive". The name after it is the speaker, not the
# organisation before it. Wider than PERSON_ROLES: a name follows, so no guess is made.
TITLE_ROLES = (
    rf"{PERSON_ROLES}|executive|officer|secretary|adviser|advisor|economist|strategist"
    r"|correspondent|commissioner|prosecutor|lawyer|attorney|founder|manager|coach|captain"
)
# Words of the job may be capitalised ("ABN Amro chief Asian strategist") but run over no
# sentence end and no small word that starts another phrase ("said Tokayev at a meeting
# with chief executive John Smith": Tokayev spoke).
_FUNCTION = (
    r"(?:at|in|on|with|to|for|from|by|of|after|before|during|as|when|while|who|which|that"
    r"|and|but|or|the|a|an|said|says|told)"
)
_JOB_WORD = rf"(?:[{UP}][\w'’&-]*|(?!{_FUNCTION}\b){_ROLE_WORD})"
_TITLED = (
    rf"(?:the\s+)?(?:{_JOB_WORD}[ \t]+){{0,5}}(?:{TITLE_ROLES})s?,?[ \t]+"
    rf"(?P<speaker>{NAME}(?:[ \t]+{NAME}){{0,3}})"
)
# After a quote's closing mark, in the same sentence. Each pattern names its speaker group
# once; tried in order.
AFTER = [
    # "...," foreign ministry spokesman Aibek Smadiyarov told reporters
    re.compile(rf"^\s*,?\s*{_TITLED}\s+{_AUX}{{0,2}}{VERBS}\b"),
    # "...," he said / Tokayev said / he will say / Reid, chairman of the group, said
    re.compile(
        rf"^\s*,?\s*{SPEAKER}(?:,[^,.;:!?\"“”\n{MASK}]{{2,80}},)?\s+{_AUX}{{0,2}}"
        rf"(?:{VERBS}|{_MODAL_VERBS})\b"
    ),
    # "...," said KazMunayGas spokesman Nurlan Zhumabayev: the person, not the company
    re.compile(rf"^\s*,?\s*[-—–]?\s*{VERBS}\s+{_TITLED}"),
    re.compile(rf"^\s*,?\s*{VERBS}\s+{SPEAKER}"),  # "...," said Tokayev
    re.compile(rf"^\s*,?\s*according to\s+{SPEAKER}"),  # "...," according to the author
    re.compile(rf"^\s*,?\s*[-—–]\s*(?:{VERBS}\s+)?{SPEAKER}"),  # «...», — заявил Токаев
    # "...," said the country's energy minister, Daniyar Seitkali / — заявил министр ... Абдрахманов
    # (not '"…," reads a telephone memo for Mr Heath')
    re.compile(
        rf"^\s*,?\s*[-—–]?\s*{VERBS}\s+(?:the\s+)?(?:(?:(?!{_FUNCTION}\b){_ROLE_WORD}|\d[\w-]*)"
        rf",?\s+){{1,6}}{SPEAKER}"
    ),
]
# '"…." He added: "…"': the next quote's attribution, a new sentence, but "added" says this
# quote was the same speaker's.
GOES_ON = re.compile(r"^\s*\.?\s*(?P<speaker>[Hh]e|[Ss]he)\s+(?:added|continued|went on)\s*:")
_DATES = frozenset(DATE_WORDS.split())
_SUFFIXES = frozenset(("QC", "KC", "MP", "MEP", "MSP", "AM", "Jr", "Sr"))
# Words that end with a full stop inside a name, not at a sentence's end ("Sen. John McCain").
_ABBREVIATIONS = frozenset(
    ("mr", "mrs", "ms", "dr", "prof", "sen", "rep", "gov", "gen", "col", "lt", "sgt", "capt",
     "maj", "adm", "cmdr", "rev", "hon", "st", "jr", "sr", "pres", "supt", "insp", "mt", "ft")
)  # fmt: skip


def mask(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with the words of each (start, stop) quote span masked, offsets kept; a
    quote that ends its sentence keeps the full stop, so that its sentence ends there."""
    parts, pos = [], 0
    for start, stop in spans:
        if start < pos:
            continue
        inner = text[start:stop]
        keep = 1 if inner[-1:] in (".", "!", "?") else 0
        parts += [text[pos:start], MASK * (len(inner) - keep), inner[len(inner) - keep :]]
        pos = stop
    parts.append(text[pos:])
    return "".join(parts)


# One character class first: the regex engine then skips to the candidates quickly.
# A sentence opens with a capital, accented ("Über", "Élysée") or Turkish ("Şimdi") too, or
# a quote mark, German's »…« and „…“ too.
_BOUNDARY = re.compile(
    rf"[.!?\n](?:(?<=[.!?])[\"”“’'»«›‹)]*[ \t]+(?=[\"“«»„'‘‹›(\[{UP}À-ÖØ-ÞĞŞİ0-9])|(?<=\n)\s*)"
)


class Sentences:
    """Where the sentences of a masked text start; a quote's words end none."""

    def __init__(self, masked: str) -> None:
        self.starts = [0]
        for m in _BOUNDARY.finditer(masked):
            stop = m.start()
            if masked[stop] == ".":
                # "Mr. Smith", "J. K. Rowling": a full stop inside a name ends no sentence
                space = masked.rfind(" ", max(0, stop - 6), stop)
                word = masked[space + 1 : stop] if space != -1 else masked[max(0, stop - 6) : stop]
                if (len(word) == 1 and word.isupper()) or word.casefold() in _ABBREVIATIONS:
                    continue
            self.starts.append(m.end())

    def index(self, pos: int) -> int:
        return bisect_right(self.starts, pos) - 1

    def start(self, i: int, end: int) -> int:
        """Where sentence ``i`` starts, read back from ``end`` no further than a sentence
        runs: a page without full stops is one "sentence", and reading it whole for each of
        its quotes took seconds."""
        return max(self.starts[i], end - SENTENCE_CHARS)


@dataclass(slots=True)
class Said:
    """A speech verb's subject as the text gives it: a name or a pronoun (``who``), or none
    a reader could name ("a spokesman said", "it said": ``who`` is None)."""

    at: int
    who: str | None


# The verbs whose subject speaks, outside quotes: no noun among them ("the notes", "the
# United States"), participles neither ("…, adding:" has the sentence's subject).
_SPEAKS = re.compile(
    r"\b(?:said|says|say|told|tells|tell|added|adds|wrote|writes|insisted|insists|explained"
    r"|argued|warned|asked|replied|responded|announced|declared|admitted|admits|claimed"
    r"|claims|urged|stressed|concluded|commented|described|accused|branded|remarked|remarks"
    r"|conceded|acknowledged|joked|went on|continued"
    r"|сказал|сказала|заявил|заявила|отметил|отметила|подчеркнул|подчеркнула|добавил|добавила)"
    r"\b|\baccording to\b"
)
NAME_WORD = rf"(?:{NAME}(?<!['’]s))"  # "Mr Mallon's claim": a possessive names no subject
_NAMES = rf"{NAME_WORD}(?:[ \t]+{NAME_WORD}){{0,4}}"
# Between a subject and its verb: ", the party's leader," or " - who chairs the committee -".
_APPOSITION = (
    rf"(?:,[^,.;:!?\"“”«»\n{MASK}]{{2,100}},|\s[-—–]\s[^-—–.;:!?\"“”«»\n{MASK}]{{2,100}}\s[-—–])"
)
_SUBJECT = re.compile(
    rf"(?:(?P<name>{_NAMES})|\b(?P<pronoun>[Hh]e|[Ss]he|[Tt]hey|[Оо]н|[Оо]на)"
    rf"|\b(?P<word>[a-z][\w'’-]*))(?P<apposition>{_APPOSITION})?\s+{_AUX}{{0,3}}$"
)
_APPOSED_NAME = re.compile(rf"(?:,|\s[-—–])\s*(?P<name>{_NAMES})\s*(?:,|[-—–])")
# '"…," said Tokayev': the subject after the verb, only right after a quote.
_AFTER_QUOTE = re.compile(r"(?:[\"”»]\s*,?|,\s*[\"”»]|[\"”»]\s*[-—–])\s*$")
_SAID_BY = (
    re.compile(rf"\s*{_TITLED}"),
    re.compile(rf"\s*(?:the\s+)?(?:(?!{_FUNCTION}\b){_ROLE_WORD},?\s+){{0,6}}?{SPEAKER}"),
)
_ACCORDING_TO = re.compile(rf"\s+{SPEAKER}")
_SAID_NAME = re.compile(rf"\s+(?P<speaker>{NAME}(?:[ \t]+{NAME}){{1,3}})(?=,|\s+of\b)")
# A capitalised name that ends with one of these is a job: "the outgoing European Commissioner".
_ROLE_END = frozenset(
    f"{TITLE_ROLES}|mp|mep|commissioner|judge|justice|secretary-general|chancellor|speaker"
    "|senator|king|queen|prince|princess|general".split("|")
)
_FIRST_NAME = re.compile(rf"(?<![\w'’-])[{UP}][\w'’-]+[ \t]+$")
_DESCRIBED = re.compile(r"\b(?:the|a|an)\s+(?:[\w'’-]+\s+){0,3}$")
_TITLE_NAME = re.compile(rf"\b(?:Mr|Mrs|Ms|Miss|Dr|Sir|Lord|Lady|Dame)\.?\s+{NAME}")
_NICKNAME = re.compile(rf"(?P<first>{NAME})\s+[\"“][^\"”\n]{{1,20}}[\"”]\s+$")  # Antonio "LA" Reid
# "director of the Victims of Crime Trust, Norman Brennan, accused": a name after a
# preposition is no subject; "a spokesman for Unison said": no one named speaks.
_OBJECT = re.compile(
    r"\b(?:of|for|at|from|with|by|to|in|on|about|against)\s+(?:the\s+)?(?:[a-z]+\s+){0,2}$"
)
_AND_SAID = re.compile(
    rf"(?<![\w'’-])(?P<name>{_NAMES})(?:{_APPOSITION})?\s+{_AUX}{{0,2}}[a-z]+(?:ed|s)\b"
    rf"[^.;:!?\"“”{MASK}]*$"
)
_PASSIVE_BY = re.compile(r"\s+by\b")
_BY = re.compile(rf"\s+by\s+{SPEAKER}")
# "Mark Serwotka, the leader of the Public and Commercial Services Union said": the union's
# leader speaks (the closing comma is missing), not the union.
_LEADER_OF = re.compile(
    rf"(?P<name>{_NAMES}),\s+(?:the\s+|a\s+)?[a-z][\w'’ -]*?\s+(?:of|for|at)\s+(?:the\s+)?"
    rf"(?:(?:{NAME}|and|of|for)\s+)*$"
)
# A subject's words that are no name: "But Mr Brown", "On Tuesday Mr Prescott", "When asked".
_LEADS = (
    "but and however meanwhile now so yet also then when while if as in on at after before "
    "the a an this that these those there here speaking asked earlier later last next "
    "today yesterday separately instead still"
)
LEAD_WORDS = frozenset(_LEADS.split()) | _DATES
_GAP = re.compile(r"[ \t]+")
_ARTICLES = frozenset(("the", "a", "an"))
_NO_ONE = frozenset(("it", "this", "that", "which", "what", "there", "we", "i", "you"))
# The word before a verb that makes it no speaker's: "he was told", "who said", "and said"
_PASSIVE = frozenset(
    ("was", "were", "being", "been", "be", "is", "are", "who", "which", "that", "and", "or", "to")
)


def said_in(masked: str, start: int, end: int) -> list[Said]:
    """Every speech verb's subject in ``masked[start:end]``, in order."""
    found = []
    for verb in _SPEAKS.finditer(masked, start, end):
        said = _said_at(masked, start, verb)
        if said is not None:
            found.append(said)
    return found


def _said_at(masked: str, start: int, verb: re.Match[str]) -> Said | None:
    """The subject of ``verb``, read back no further than ``start``; None where the verb
    has none that speaks ("he was told", "who said")."""
    if verb.group() == "according to":
        m = _ACCORDING_TO.match(masked, verb.end())
        return _said_by(masked, m.start("speaker"), m.group("speaker"), last=False) if m else None
    if _PASSIVE_BY.match(masked, verb.end(), verb.end() + 4):
        # "described by one civil service union as": the one after "by" speaks
        by = _BY.match(masked, verb.end())
        return (
            _said_by(masked, by.start("speaker"), by.group("speaker"), last=False)
            if by
            else Said(verb.start(), None)
        )
    before = masked[max(start, verb.start() - 160) : verb.start()]
    m = _SUBJECT.search(before)
    if m is None:
        if _AFTER_QUOTE.search(before):
            after = next((a for p in _SAID_BY if (a := p.match(masked, verb.end()))), None)
        elif before.endswith(", "):  # "The ministers' comments, said Junya Tanase, were"
            after = _SAID_NAME.match(masked, verb.end())
        else:
            return None
        if after is None:
            return None
        return _said_by(masked, after.start("speaker"), after.group("speaker"), last=False)
    at = verb.start() - len(before) + m.start()
    if m.group("pronoun"):
        return Said(at, m.group("pronoun"))
    apposed = _APPOSED_NAME.fullmatch(m.group("apposition") or "")
    name = m.group("name")
    if name:  # "On Wednesday Lord Woolf said": the date is no part of the name
        kept = _without_lead(name)
        at += len(name) - len(kept)
        name = kept
    if m.group("word") or (name and _OBJECT.search(masked, start, at)):
        if apposed:  # "The party's leader, Roger Knapman, has said"
            apposed_at = verb.start() - len(before) + m.start("apposition") + apposed.start(1)
            return _said_by(masked, apposed_at, apposed.group("name"), last=True)
        # "Matt Williams, a fund manager at Perpetual Trustees said": the comma after the
        # job is missing, Williams still speaks
        if name and (leader := _LEADER_OF.search(masked, max(start, at - 100), at)):
            return _said_by(masked, leader.start(), leader.group("name"), last=True)
        if m.group("word") == "and" and (first := _AND_SAID.search(before, 0, m.start())):
            # "Max Lawson welcomed the statement and said": the first verb's subject
            at = verb.start() - len(before) + first.start("name")
            return _said_by(masked, at, _without_lead(first.group("name")), last=True)
        if m.group("word") and m.group("word").casefold() in _PASSIVE:
            return None  # "he was told", "who said": the subject is elsewhere or no speaker
        return None if verb.group() in ("say", "tell") else Said(at, None)
    return _said_by(masked, at, name, last=True) if name else None


def _without_lead(name: str) -> str:
    """``name`` without the words before it that are no part of it ("On Wednesday")."""
    while len(parts := _GAP.split(name, maxsplit=1)) == 2:
        if parts[0].casefold() not in LEAD_WORDS or parts[0].casefold() in _ARTICLES:
            break
        name = parts[1]
    return name


def _said_by(masked: str, at: int, name: str, *, last: bool) -> Said | None:
    """The speaker a subject names, as the text names them; ``last`` takes a name's words
    in its last sentence, else in its first ("said Steven Theede. Yukos")."""
    words = one_sentence(name, last=last).strip(" ,.").split()
    while words and words[0][:1].isupper() and words[0].casefold() in LEAD_WORDS - _ARTICLES:
        words = words[1:]  # "But Mr Brown", "On Tuesday Mr Prescott"; "The Tories" stays
    if not words:
        return None
    if len(words) == 1 and words[0].casefold() in _NO_ONE:
        return Said(at, None)  # "It said": the organisation, no one a pronoun can mean
    return Said(at, as_speaker(masked, at, " ".join(words)))


def as_speaker(masked: str, at: int, name: str) -> str | None:
    """The name at ``at`` as a speaker, or None where it names no one: a nickname's first
    name put back, a union's leader for the union; a lone word after "the 24-year-old" is
    no name unless the text gives it a first name elsewhere ("Fernando Morientes", not
    "Swiss"); "the outgoing European Commissioner" is a job; a Cyrillic name after a Latin
    company's ("аналитик Freedom Finance Global Эльдар Шамсутдинов") is the person's."""
    at, name = _one_script(masked, at, name)
    head = masked[max(0, at - 80) : at]
    if nick := _NICKNAME.search(head):
        return f"{nick.group('first')} {name}"
    if name.split()[-1] in ORG_HEAD_WORDS and (leader := _LEADER_OF.search(head)):
        return leader.group("name")
    if name.casefold().startswith(("the ", "a ", "an ")):
        # "the Lord Chancellor Lord Falconer": the person; "The Tories": no one to name
        titled = list(_TITLE_NAME.finditer(name))
        return titled[-1].group() if titled else name
    if not _DESCRIBED.search(head):
        return name
    if name.split()[-1].casefold() in _ROLE_END:
        return None  # "the Ealing North MP"
    lone = " " not in name
    return None if lone and not first_named(masked, name, outside=(at, at + len(name))) else name


_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_NEXT_NAME = re.compile(rf"[ \t]+({NAME})")


def _one_script(masked: str, at: int, name: str) -> tuple[int, str]:
    """The words of ``name`` at ``at`` in its last word's script, and the words of that
    script right after it: a person's name is written in one script, and the words before
    it in another are an organisation's ("Freedom Finance Global Эльдар Шамсутдинов" was
    read as "Freedom Finance Global Эльдар", four words, and cut to "Global Эльдар")."""
    words = name.split()
    scripts = [bool(_CYRILLIC.search(w)) for w in words]
    if len(set(scripts)) < 2:
        return at, name
    first = len(words) - 1
    while first > 0 and scripts[first - 1] == scripts[-1]:
        first -= 1
    # Its words in the other script cannot hold the first one kept: it is found from ``at``
    start = end = masked.find(words[first], at)
    for word in words[first:]:
        found = masked.find(word, end)
        if found == -1:
            return at, name  # not as the text has it: no place to read on from
        end = found + len(word)
    kept = words[first:]
    while len(kept) < 3 and (m := _NEXT_NAME.match(masked, end)):
        if bool(_CYRILLIC.search(m.group(1))) != scripts[-1]:
            break
        kept.append(m.group(1).rstrip("."))  # the sentence's full stop
        end = m.end()
    return start, " ".join(kept)


_WORD_BEFORE = re.compile(r"(?:^|(?<=\s))(\S+)[ \t\u00a0]+$")
_WORD_AFTER = re.compile(r"[ \t\u00a0]+([^\s,.;:!?]+)")
_LATIN_WORD = re.compile(r"[A-Z][a-z]+(?:-[A-Z]?[a-z]+)*")  # "Daniyar", "Kassym-Jomart"


def full_name(masked: str, surname: str) -> str | None:
    """The name a lone Latin-script surname has elsewhere in the text: its given name
    before it ("journalist Daniyar Adilbekov", "His lawyer, Zhanara Balgabayeva,"), or
    after it where a title puts the surname first ("Premier Li Qiang"); None where the
    text gives none, or two (two people of one surname: the speaker would be a guess).

    A given name is a capitalised word that is no title ("President Tokayev"), no word
    opening a sentence or a date ("But Adilbekov", "Thursday"), no nationality ("Kazakh
    Adilbekov") and no word the text also writes in lower case ("Journalist Adilbekov"); a
    sentence's first word only before a comma ("Daniyar Adilbekov, 41,"), though it may
    still be another person's ("Venus Williams beat …"); and the two run on into no other
    name ("Manchester City Football Club").
    """
    sure, maybe = full_names(masked, surname)
    return next(iter(sure)) if len(sure) == 1 and maybe <= sure else None


@lru_cache(maxsize=256)  # asked per quote; a transcript says "Pouyanne said" 2,000 times
def full_names(masked: str, surname: str) -> tuple[frozenset[str], frozenset[str]]:
    """The full names ``full_name`` finds for ``surname``, and those that a sentence's
    capital may only seem to make ("Some Citigroup", "Venus Williams beat")."""
    sure: set[str] = set()
    maybe: set[str] = set()
    if not _LATIN_WORD.fullmatch(surname):
        return frozenset(), frozenset()
    # "Kyrgyz director Aktan Abdykalykov's drama": a possessive names him too
    for m in re.finditer(rf"(?<![\w'’-]){re.escape(surname)}(?=['’]s\b|[^\w'’-]|$)", masked):
        left = _WORD_BEFORE.search(masked, max(0, m.start() - 40), m.start())
        if (
            left is not None
            and _given(masked, left.group(1))
            and not _NEXT_NAME.match(masked, m.end())  # "Manchester City Football Club"
        ):
            opens = _opens_sentence(masked, left.start())
            named = f"{left.group(1)} {surname}"
            (maybe if opens and masked[m.end() : m.end() + 1] != "," else sure).add(named)
            continue
        right = _WORD_AFTER.match(masked, m.end())
        if (
            left is not None
            and right is not None
            and _is_title(left.group(1).rstrip("."))
            and _given(masked, right.group(1))
            and not _NEXT_NAME.match(masked, right.end())
        ):
            sure.add(f"{surname} {right.group(1)}")
    return frozenset(sure), frozenset(maybe)


def _opens_sentence(masked: str, at: int) -> bool:
    """Whether a sentence opens at ``at``: its capital then says nothing of a name ("Some
    Citigroup operations", "Olympian Tomlinson tried"), unless a comma introduces the
    person after it ("Daniyar Adilbekov, 41, was convicted")."""
    before = masked[max(0, at - 3) : at].rstrip(" \t")
    return not before or before[-1] in '.!?\n"”»' or before[-1] == MASK


_NAME_TITLES = _ROLE_END | {"premier"}


def _is_title(word: str) -> bool:
    """A title before a name: names' ("President", "Judge") and "Premier", a job's last
    word ("Director") too."""
    return is_title(word) or word.casefold() in _NAME_TITLES


def _given(masked: str, word: str) -> bool:
    """Whether ``word`` may be a given name next to a surname (see ``full_name``)."""
    if not _LATIN_WORD.fullmatch(word) or _is_title(word):
        return False
    if word.casefold() in LEAD_WORDS or word in ORG_HEAD_WORDS or word in nationalities():
        return False
    lower = word[:1].lower() + word[1:]
    return re.search(rf"(?<![\w-]){re.escape(lower)}(?![\w-])", masked) is None


def first_named(masked: str, surname: str, outside: tuple[int, int] = (0, 0)) -> bool:
    """Whether the text gives ``surname`` a first name ("Fernando Morientes") somewhere
    outside the span ``outside``."""
    pos = masked.find(surname)
    while pos != -1:
        end = pos + len(surname)
        whole = not masked[end : end + 1].isalnum()
        elsewhere = end <= outside[0] or pos >= outside[1]
        if whole and elsewhere and _FIRST_NAME.search(masked, max(0, pos - 40), pos):
            return True
        pos = masked.find(surname, end)
    return False


def names_someone(speaker: str) -> bool:
    """Not a month ('"…" announced in October, said Derek Scissors') or "We" ('"We would
    say …"'): capitalised, but no speaker."""
    folded = speaker.strip(" ,.").casefold()
    return folded not in _DATES and folded not in _NO_ONE


def one_sentence(speaker: str, *, last: bool) -> str:
    """The words of ``speaker`` in one sentence: the first sentence's or the last's."""
    sentences: list[list[str]] = [[]]
    for word in speaker.split():
        sentences[-1].append(word)
        stem = word.rstrip(".")
        if word.endswith(".") and len(stem) > 1 and stem.casefold() not in _ABBREVIATIONS:
            sentences.append([])
    words = [s for s in sentences if s]
    return " ".join(words[-1] if last else words[0]) if words else speaker


def clean(speaker: str | None) -> str | None:
    """A speaker as a digest names them: no pronoun or "the …" (resolve_speakers finds who),
    no title or genitive run into the name."""
    if speaker is None:
        return None
    lower = speaker.lower()
    if lower in PRONOUNS or lower.startswith("the "):
        return None
    words = speaker.split()
    while len(words) > 2 and words[-1] in _SUFFIXES:
        words.pop()  # "Ken Macdonald QC"
    speaker = " ".join(words)
    if words[-1] in ORG_HEAD_WORDS or words[-1] in _COMPANY_LAST:
        # "National Transportation Safety Board", "Electronic Data Systems" (was cut to
        # "Data Systems"): an organisation, whole
        return speaker
    if len(words) >= 3 and words[0].lower() not in {"the", "a"}:
        # "Energy Minister Almas Satkaliyev", "Казахстана Нурлан Абдрахманов": titles and
        # genitives run into the name; the person is the last two capitalised words, or
        # three with an initial ("George W. Bush" was "W. Bush").
        keep = 3 if _INITIAL.fullmatch(words[-2]) else 2
        return " ".join(words[-keep:])
    return speaker


# The last word of a company's name that ORG_HEAD_WORDS (which also ends a person's name
# where it runs into one) does not hold: the plural nouns and the legal forms.
_COMPANY_WORDS = (
    "Systems Industries Technologies Communications Networks Holdings Partners Services "
    "Solutions Electronics Laboratories Pharmaceuticals Securities Investments Motors "
    "Microsystems Semiconductor Software Telecom Insurance Petroleum Societies Associates "
    "Brothers Inc Corp Ltd Plc plc PLC LLC AG SA NV"
)
_COMPANY_LAST = frozenset(_COMPANY_WORDS.split())
_INITIAL = re.compile(rf"[{UP}]\.?")
