"""A quote speaker's short role, as an English article gives it where it first names them
in full: "Energy Minister" of "Energy Minister Yerlan Akkenzhenov", "analyst" of "analyst
Eldar Shamsutdinov", "CPJ’s" of "Gulnoza Said, CPJ’s … coordinator,", "of the Carnegie
Russia Eurasia Center" of "Temur Umarov, a fellow at the Carnegie Russia Eurasia Center,",
and an office set off by commas: "Kazakhstan’s Ambassador to Japan" of "Kazakhstan’s
Ambassador to Japan, Aidar Seitkali," or "Aidar Seitkali, Kazakhstan’s ambassador to
Japan,", "Uzbekistan’s Foreign Minister" of "Uzbekistan’s Foreign Minister, Bakhtiyor Saidov,".

Read only from the words next to the name, never made up; None wherever the words leave a
doubt (a job whose first word may be cut off, "his lawyer": whose?).
"""

from __future__ import annotations

import re

from mediadigest.analyse import speech
from mediadigest.analyse.names import ORG_HEAD_WORDS, is_title, nationalities

__all__ = ["find_role"]

MAX_WORDS = 4  # a longer title or job is no short role (and may be cut in the wrong place)
# Jobs a lower-case phrase before a name ends with: the titles' and a few more
_JOB_WORDS = (
    f"{speech.TITLE_ROLES}|journalist|activist|blogger|editor|writer|historian|scholar"
    "|fellow|politician|lawmaker|coordinator|consultant|economist|observer|campaigner"
    "|researcher|representative|deputy|poet|artist|photographer|reporter|premier"
)
_JOBS = frozenset(_JOB_WORDS.split("|"))
# Offices a title names alone, capitalised even where no sentence opens ("Premier Li Qiang")
_OFFICE_WORDS = (
    "minister president premier ambassador governor mayor chairman chairwoman senator "
    "secretary envoy commissioner prosecutor judge king queen prince emperor chancellor"
)
_OFFICES = frozenset(_OFFICE_WORDS.split())
# Words before a job that change who the person is ("former minister"): kept with it.
_QUALIFIER_WORDS = (
    "former ex then new acting interim outgoing incoming late deputy vice first senior chief "
    "political independent veteran prominent leading local regional foreign economic "
    "military energy finance defence defense trade"
)
_QUALIFIERS = frozenset(_QUALIFIER_WORDS.split())
# Those of them no title starts with: lower case inside a sentence ("former Foreign Minister")
_LOWERED = frozenset(
    ("former", "ex", "then", "new", "late", "outgoing", "incoming", "veteran", "prominent")
)
# Where a role stops, going back from the name: small words, and the verbs a name follows
_STOP_WORDS = (
    "at in on with to for from by of after before during as when while who which that and "
    "but or said says told met meets according like including"
)
_STOPS = frozenset(_STOP_WORDS.split())
_ARTICLES = frozenset(("the", "a", "an"))
_JOINS = frozenset(("and", "of", "for", "&"))  # words inside a name ("Bank of England")
_OWNERS = frozenset(("his", "her", "its", "their", "our", "my", "your", "whose"))
_TOKEN = re.compile(r"\S+")
_WORD = re.compile(r"[\w’'.-]+")
_POSSESSIVE = re.compile(r"[’']s$")
_ACRONYM = re.compile(r"[A-Z]{2,6}")
_ORG_OWNER = re.compile(
    r",[ \t]+(?P<org>(?:[A-Z][\w&.-]*[ \t]+){0,3}[A-Z][\w&.-]*)(?P<s>[’']s)"
    r"[ \t]+(?P<job>[^,.;:!?\n]{2,80}),"
)
_ORG_AT = re.compile(
    r",[ \t]+(?:an?|the)[ \t]+(?P<job>(?:[a-z][\w-]*[ \t]+){0,3}[a-z][\w-]*)"
    r"[ \t]+(?:at|of|with)[ \t]+"
    r"(?P<org>(?:the[ \t]+)?[A-Z][\w&.-]*(?:[ \t]+(?:(?:for|and|of|on)[ \t]+)?[A-Z][\w&.-]*){0,6})"
    r"[ \t]*[,.]"
)
# An office set off by commas, before the name or after it: "Kazakhstan’s Ambassador to
# China", "the Kazakh Ambassador in Turkey", "Uzbekistan’s Foreign Minister". Its words are
# capitalised or a known qualifier, so that a match never starts at "met with …".
_DIPLOMATS = frozenset(
    ("ambassador", "envoy", "representative", "consul", "consul-general", "ambassador-at-large")
)
_CAP = r"[A-Z][\w.’'-]*"
_LOWER_OFFICE = sorted(_QUALIFIERS | _OFFICES | _DIPLOMATS | {"special", "permanent"})
_OFFICE_WORD = rf"(?:[A-Z][\w.-]*|{'|'.join(_LOWER_OFFICE)})"
_OFFICE_PHRASE = (
    rf"(?P<role>(?:(?P<the>[Tt]he)[ \t]+)?(?:(?P<owner>{_CAP}(?:[ \t]+{_CAP}){{0,2}})[’']s[ \t]+)?"
    rf"(?P<office>(?:{_OFFICE_WORD}[ \t]+){{0,3}}{_OFFICE_WORD})"
    rf"(?:[ \t]+(?P<prep>to|in)[ \t]+(?P<place>(?:the[ \t]+)?{_CAP}"
    rf"(?:[ \t]+(?:(?:of|and|the)[ \t]+){{0,2}}{_CAP}){{0,4}}))?)"
)
_OFFICE_BEFORE = re.compile(rf"(?<![\w’'.-]){_OFFICE_PHRASE},[ \t]\Z")
_OFFICE_AFTER = re.compile(rf",[ \t]+{_OFFICE_PHRASE}(?P<close>,|\.(?=\s|\Z))")
# What may come before an office set before a name: a lower-case word ("with", "met"), or
# a comma after one ("… next year, Kazakhstan’s Ambassador to Japan, Aidar Seitkali, said"),
# a date, "However" or a place ("Speaking in Astana,"). After a name or a job ("Bakhtiyor
# Saidov, Uzbekistan’s Foreign Minister, Murat Nurtleu,") it may be the first person's, or
# a list's.
_LOWER_BEFORE = re.compile(r"(?<![\w’'.-])[a-z]+[ \t]+\Z")
_COMMA_BEFORE = re.compile(
    rf"(?<![\w’'.-])(?P<word>[a-z0-9][\w’'-]*|(?i:{'|'.join(sorted(speech.LEAD_WORDS))})),"
    rf"[ \t]+\Z|\b(?i:in|at|from)[ \t]+{_CAP}(?:[ \t]+{_CAP})?,[ \t]+\Z"
)


def find_role(masked: str, speaker: str) -> str | None:
    """The role the text gives ``speaker`` where it first names them in full, as printed
    with the name: before it ("Energy Minister", "analyst", "CPJ’s") or after it, starting
    "of " ("of the Carnegie Russia Eurasia Center"), or an office set off by commas before
    it or after it ("Kazakhstan’s Ambassador to Japan"); None where it gives none or the words
    leave a doubt. ``masked``: the article text with its quotes' words masked
    (``speech.mask``), so that no quote's words are read as a role."""
    words = speaker.split()
    if len(words) < 2 or words[-1] in ORG_HEAD_WORDS or any(is_title(w) for w in words):
        # a lone name may be another's of that surname; "Xinhua News Agency" is no person;
        # "Minister Abdullatif" is a name cut in the wrong place
        return None
    # "Mel Gibson's The Passion …" names him first, with no role: no later one is read
    first = re.search(rf"(?<![\w’'-]){re.escape(speaker)}(?=['’]s\b|[^\w'’-]|$)", masked)
    if first is None:
        return None
    return (
        _before(masked, first.start())
        or _office_before(masked, first.start(), first.end())
        or _after(masked, first.end())
        or _office_after(masked, first.end())
    )


def _before(masked: str, at: int) -> str | None:
    """A title or job right before the name: "Chinese Premier", "journalist"."""
    head = masked[max(0, at - 120) : at]
    if not head.endswith((" ", "\t")) or head.endswith(("  ", "\t\t")):
        return None
    words: list[str] = []
    start = at
    for m in reversed(list(_TOKEN.finditer(head))):
        word, start_here = m.group(), at - len(head) + m.start()
        if word.casefold() in _JOINS:
            if words and words[0][:1].isupper() and _capital_before(head, m.start()):
                return None  # "British and Irish Lions coach", "Bank of England Governor"
            break
        if not _WORD.fullmatch(word) or word.endswith("."):
            break  # "Tokayev," "(AP)": no role runs over punctuation
        if word.casefold() in _STOPS | _ARTICLES:
            break
        if word.casefold() in _OWNERS:
            return None  # "His lawyer Zhanara Balgabayeva": whose lawyer, the text said before
        if not word[:1].isupper() and word.casefold() not in _JOBS | _QUALIFIERS:
            if words and not word.endswith("ed"):  # "jailed journalist": a verb, not the job's
                return None  # "energy" of "deputy energy minister" unknown: the job may be cut
            break
        if word[:1].isupper() and word.casefold() in speech.LEAD_WORDS:
            break  # "But", "On Tuesday"
        words.insert(0, word)
        start = start_here
        if len(words) > MAX_WORDS:
            return None
        if speech._opens_sentence(masked, start):
            break
    return _as_role(masked, words, start)


def _capital_before(head: str, at: int) -> bool:
    """Whether the word before ``at`` in ``head`` is capitalised: a name joined over "and"
    or "of" runs on before it."""
    before = head[:at].rstrip(" \t").split()
    return bool(before) and before[-1][:1].isupper()


def _as_role(masked: str, words: list[str], start: int) -> str | None:
    """``words`` as a role, if their last is a title or job; a sentence's first word in the
    case it has inside one ("Political analyst" opening a sentence is "political analyst")."""
    if not words:
        return None
    last = words[-1]
    titled = last[:1].isupper() and (is_title(last) or last.casefold() in _JOBS)
    if not titled and last not in _JOBS:
        return None
    head = words[0]
    if not speech._opens_sentence(masked, start):
        return " ".join(words)
    lower = head[:1].lower() + head[1:]
    if (len(words) == 1 and head.casefold() not in _OFFICES) or head.casefold() in _LOWERED:
        return " ".join([lower, *words[1:]])  # "Journalist …", "Former Foreign Minister …"
    if len(words) > 1 and words[1][:1].islower():
        # "Political analyst" opening a sentence is "political analyst" inside one; "Home
        # Office minister" and "Countryside Alliance chairman" are names
        if head.casefold() in _JOBS | _QUALIFIERS or re.search(rf"\b{re.escape(lower)}\b", masked):
            return " ".join([lower, *words[1:]])
        if not (_POSSESSIVE.search(head) or head in nationalities()):
            return None
    return " ".join(words)


def _after(masked: str, end: int) -> str | None:
    """An organisation from an apposition after the name: "CPJ’s" of ", CPJ’s … program
    coordinator,", "of the Carnegie …" of ", a fellow at the Carnegie …,"."""
    if (m := _ORG_OWNER.match(masked, end)) is not None:
        org, job = m.group("org"), m.group("job")
        known = _ACRONYM.fullmatch(org) or org.split()[-1] in ORG_HEAD_WORDS
        if known and job.split()[-1].casefold() in _JOBS:
            return org + m.group("s")
    m = _ORG_AT.match(masked, end)
    if m is not None and m.group("job").split()[-1] in _JOBS and len(m.group("org").split()) <= 7:
        return f"of {m.group('org')}"
    return None


def _office_before(masked: str, at: int, end: int) -> str | None:
    """An office set off by commas before the name: "Kazakhstan’s Ambassador to Japan" of
    "… with Kazakhstan’s Ambassador to Japan, Aidar Seitkali, who …". Set off at both
    ends (a comma, or the sentence's end): in "After meeting Uzbekistan’s Foreign Minister,
    Murat Nurtleu said …" Nurtleu met him."""
    if not re.match(r",|\.(?=\s|\Z)", masked[end : end + 2]):
        return None
    head_start = max(0, at - 200)
    m = _OFFICE_BEFORE.search(masked, head_start, at)
    if m is None or not _office(m, apart=False):
        return None
    start = m.start("role")
    if not speech._opens_sentence(masked, start):
        before = masked[head_start:start]
        comma = _COMMA_BEFORE.search(before)
        if comma and (comma.group("word") or "").casefold() in _JOBS | _OFFICES | _DIPLOMATS:
            return None  # "the new ambassador, Uzbekistan’s Foreign Minister, …": a list?
        if not (_LOWER_BEFORE.search(before) or comma):
            return None
    role = " ".join(m.group("role").split())
    if m.group("the") and speech._opens_sentence(masked, start):
        role = "t" + role[1:]  # "The Kazakh Ambassador …" opening a sentence
    return role


def _office_after(masked: str, end: int) -> str | None:
    """An office with its place set off by commas after the name: "Kazakhstan’s ambassador
    to Japan" of "Aidar Seitkali, Kazakhstan’s ambassador to Japan, said" or of "“…,” said
    Aidar Seitkali, Kazakhstan’s ambassador to Japan."."""
    m = _OFFICE_AFTER.match(masked, end)
    if m is None or not _office(m, apart=True):
        return None
    if m.group("close") == "." and "." in m.group("place"):
        return None  # "ambassador to the U.S. He …": where does the place end?
    return " ".join(m.group("role").split())


def _office(m: re.Match[str], *, apart: bool) -> bool:
    """Whether an office phrase's words name an office, and no more: its last word an
    office (a diplomat's, where a place follows "to" or "in": a minister "in December" is
    none), none of them a date or a sentence's lead ("Meanwhile"), and a country's or
    person's ("Kazakhstan’s") or "the" with a nationality ("the Kazakh Ambassador to")."""
    office = m.group("office").split()
    words = [*(m.group("owner") or "").split(), *office, *(m.group("place") or "").split()]
    if any(w[:1].isupper() and w.casefold() in speech.LEAD_WORDS for w in words):
        return False
    last = office[-1].casefold()
    if m.group("prep"):
        if last not in _DIPLOMATS:
            return False
    elif apart or last not in _OFFICES:
        return False
    if m.group("owner"):
        return True
    # "the Ambassador to Japan": whose? "the Kazakh Ambassador to Turkey": Kazakhstan's
    return bool(m.group("the") and m.group("prep") and len(office) > 1)
