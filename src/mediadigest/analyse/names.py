"""Capitalised-name patterns: people by their titles, roles and speech verbs; organisations by
their head words. What finds the names a profile's gazetteer does not know.

A person's name is the name alone: an honorific ("Mr", "Dr", "Sir") is a cue that a person
follows, a title or a word run on before it ("Foreign Secretary Jack Straw", "Australian
Lynton Crosby", "Labour's Paul Flynn") is no part of it, nor is a possessive ("Blair's").
``coreference.fold_people`` then folds "Mr Straw" and "Straw" into the "Jack Straw" named.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from mediadigest.model import Entity

__all__ = [
    "FIRST_NAME_HONORIFICS",
    "HONORIFICS",
    "NAME_HONORIFICS",
    "ORG_HEAD_WORDS",
    "extend_left",
    "find_orgs",
    "find_people",
    "is_title",
    "nationalities",
    "plausible",
    "role_near",
]

_UP = "A-ZА-ЯЁӘҒҚҢӨҰҮҺІ"
_LOW = "a-zа-яёәғқңөұүһі"
# An apostrophe inside a word only as in O'Brien: "Blair's" is Blair, and "Labour's Paul
# Flynn" no three-word name.
TOKEN = rf"[{_UP}](?:['’][{_UP}])?[{_LOW}]+(?:-[{_UP}]?[{_LOW}]+)*"
_INITIALS = rf"(?:[{_UP}]\.\s?){{1,3}}"
NAME = rf"(?:{_INITIALS})?{TOKEN}(?:\s+{TOKEN}){{1,2}}"  # two or three words
# A name starts at a word's start, and ends at a word's end (or at its possessive "'s") and
# does not run on into another capitalised word.
_NAME_START = r"(?<![\w'’-])"
_NAME_END = rf"(?![\w-])(?!['’](?!s\b)\w)(?!\s+[{_UP}])"
# Honorifics: a person follows, and they are no part of the name ("Mr Mittal" is Mittal).
_HONORIFIC_WORDS = (
    "Mr Mrs Ms Miss Mx Dr Prof Sir Dame Lord Lady Lords Baroness господин госпожа г-н г-жа "
    "мырза ханым"
)
HONORIFICS = frozenset(_HONORIFIC_WORDS.split())
# ...except that "Sir Edward", "Lord Falconer" alone are how the text names the person.
NAME_HONORIFICS = frozenset(("Sir", "Dame", "Lord", "Lady", "Baroness"))
_COURTESY = HONORIFICS - NAME_HONORIFICS - {"Lords"}  # "Mr", "Dr": a surname follows
FIRST_NAME_HONORIFICS = frozenset(("Sir", "Dame"))  # "Sir Digby" is Sir Digby Jones
TITLES = (
    r"Deputy Prime Minister|Prime Minister|Foreign Minister|Vice[- ]President|President"
    r"|Minister|Ambassador|Emperor|Empress|King|Queen|Crown Prince|Prince|Princess|Chairman"
    r"|Chairwoman|CEO|Governor|Mayor|Akim|Senator|Speaker|Dr|Mr|Mrs|Ms|Miss|Professor|Prof"
    r"|General|Secretary-General|Chancellor|Pope|Sheikh|Envoy|Sir|Dame|Lord|Lady|Baroness"
    r"|Judge|Justice|Colonel|Commissioner|Treasurer|Sgt|Sergeant|Lieutenant|Lt|Captain|Capt"
    r"|Commodore|Admiral|Brigadier|Inspector|Detective|Archbishop|Bishop|Cardinal|Rabbi|Imam"
    r"|Rev|Reverend|Coroner"
)
_TITLE_HEADS = frozenset(re.split(r"[\s\]]", t)[-1].casefold() for t in TITLES.split("|"))
ROLE_WORDS = (
    r"CEO|chief executive|chairman|chairwoman|chair|president|minister|ambassador|head"
    r"|director|founder|co-founder|professor|expert|analyst|spokesman|spokeswoman|spokesperson"
    r"|chief|leader|member|editor|adviser|advisor|governor|mayor|deputy|secretary|researcher"
    r"|fellow|economist|journalist|correspondent|officer|official|manager|partner|rector"
    r"|senator|akim|envoy|consul|diplomat|emperor|king|queen|prime minister"
)
# A capitalised title or role word before a name is no part of it: "Secretary Jack Straw",
# "Correspondent James Hardy", "Backbencher Stephen Pound".
_LEAD_TITLES = frozenset(
    w.casefold()
    for w in re.split(r"[|\s-]", f"{TITLES}|{ROLE_WORDS}")
    if w and w not in ("Vice[", "]President")
) | {"vice", "under", "backbencher", "shadow", "former", "acting", "interim", "wife", "husband"}
_LEAD_TITLES |= {"widow", "son", "daughter", "mother", "father", "brother", "sister"}
_LEAD_TITLES -= {w.casefold() for w in _HONORIFIC_WORDS.split()}  # "Mr" is no title
# These end no name: "European Commissioner", "Foreign Secretary".
_ROLE_LAST_WORDS = (
    "Commissioner Secretary Spokesman Spokeswoman Spokesperson Correspondent Director Editor "
    "Analyst Economist Official Officer Adviser Advisor Minister President Chairman "
    "Chairwoman Ambassador Envoy Consul Diplomat Treasurer"
)
_ROLE_LAST = frozenset(_ROLE_LAST_WORDS.split())
_VERBS = (
    r"said|says|told|noted|notes|added|stressed|emphasi[sz]ed|explained|argued|argues|wrote"
    r"|writes|concluded|concludes|believes|warned|pointed out|highlighted|underscored|announced"
    r"|заявил|заявила|сказал|сказала|отметил|отметила|подчеркнул|подчеркнула"
)
_ORG_HEADS = (
    r"Ministry|Agency|Bank|Center|Centre|University|Council|Assembly|Committee|Commission"
    r"|Group|Company|Corporation|Fund|Foundation|Institute|Organization|Organisation"
    r"|Association|Union|Party|Forum|Exchange|Airways|Airlines|Holding|Service|Board"
    r"|Administration|Department|Office|Authority|Court|Police|Navy|Army"
    r"|International|Research|Watch|Mail|Daily|Telegraph|Financial|Chartered|Division|Bureau"
    r"|Society|Club|United|Rail|Railway|Railways"
)
ORG_HEAD_WORDS = frozenset(_ORG_HEADS.split("|"))
_MONTH_WORDS = (
    "January February March April May June July August September October November December"
)
# Words that open a sentence or a date: run on before a name, they are no part of it.
_GLUE_WORDS = (
    "The A An In On At And But For Of This That These Those It He She They We Our His Her "
    "Their Its Monday Tuesday Wednesday Thursday Friday Saturday Sunday According However "
    "Meanwhile After Before While When Most Many Some All Both Few Several Every Each No Not "
    "Yes If As So With From Then Now Today Yesterday Later Earlier Also Still Even Only"
)
_STOP_WORDS = (
    "Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Ministry Bank University Agency Center "
    "Centre Times Press News Review Group Company Council Assembly Committee Fund Republic "
    "State States Union Photo Credit President Minister Ambassador Chairman Emperor Prime "
    "Foreign Deputy Senate Parliament Government Royal"
)
_GLUE = frozenset(_GLUE_WORDS.split())
# An organisation's head word is no part of a person's name: "National Transportation Safety
# Board said" named a person "Transportation Safety Board".
_STOP = frozenset(_STOP_WORDS.split()) | _GLUE | ORG_HEAD_WORDS
# A month is a name's part after a first name ("Theresa May"), no name's first word ("May 5",
# "In May Tony Blair said").
_MONTHS = frozenset(_MONTH_WORDS.split())
# A place's head word opens or closes its name: "near Lake Balkhash, the head of the agency
# said" named a person "Lake Balkhash". Only at that end: "Ricki Lake" and "Michael Bay" are
# people. (A place the profile knows is the gazetteer's already, and no person's: taken.)
_PLACE_FIRST_WORDS = (
    "Lake Mount Mt Port Cape Gulf Bay Fort Isle Strait River "
    "North South East West Northern Southern Eastern Western Central"
)
_PLACE_LAST_WORDS = (
    "River Sea Mountains Mountain Range Valley Desert Canyon Gorge Peninsula Plateau Steppe "
    "Basin Delta Strait Canal Reservoir Glacier Island Islands Port Harbour Harbor Airport "
    "Oblast Region Province District Square Avenue Boulevard Dam Pass Falls Springs Oasis "
    "Highlands Hills Coast Street Road Yard Station Stadium Palace County City"
)
_PLACE_FIRST = frozenset(_PLACE_FIRST_WORDS.split())
_PLACE_LAST = frozenset(_PLACE_LAST_WORDS.split())
# Nationalities CLDR's country names do not make by a regular ending (see nationalities).
_NATIONALITY_WORDS = (
    "British English Scottish Welsh Irish French Dutch Swiss German Spanish Portuguese Danish "
    "Swedish Norwegian Finnish Polish Czech Slovak Turkish Greek Thai Filipino Arab Saudi "
    "Peruvian Belgian Ukrainian Lebanese European Kyrgyz American"
)
_TITLE_NAME = re.compile(rf"\b(?=[{_UP}])(?P<title>{TITLES})\.?\s+(?P<name>(?:{_INITIALS})?{TOKEN}"
                         rf"(?:\s+{TOKEN}){{0,2}}){_NAME_END}")  # fmt: skip
_NAME_ROLE = re.compile(
    rf"{_NAME_START}(?P<name>{NAME}),\s+(?P<role>(?:the\s+|an?\s+)?(?:[\w'’-]+\s+){{0,4}}?"
    rf"(?i:{ROLE_WORDS})\b[^,.;()\n]{{0,80}}?)(?=[,.;)]|\s+(?:and|who|said|says)\b)"
)
# "Kazakhstan's Ambassador to China, Shakhrat Nuryshev": found from the role word, which is
# rare, rather than tried at every capital letter (ten times faster on long texts).
_ROLE_NAME = re.compile(
    rf"\b(?i:{ROLE_WORDS})(?:\s+(?:of|to|for|at)\s+(?:the\s+)?[{_UP}][\w-]+"
    rf"(?:\s+[{_UP}][\w-]+){{0,3}})?,\s+(?P<name>{NAME}){_NAME_END}"
)
_ROLE_LEFT = re.compile(rf"(?:[{_UP}][\w-]+['’]s\s+)?(?:[{_UP}][\w-]+\s+){{0,3}}$")
_NAME_VERB = re.compile(rf"{_NAME_START}(?P<name>{NAME})\s+(?:{_VERBS})\b")
# "by X", "with X": works, teams, places and firms follow as often as people (see _weak).
_BY_WITH = re.compile(rf"\b(?:by|with)\s+(?P<name>{NAME}){_NAME_END}")
_RU_TITLE = re.compile(
    r"(?P<title>президент|министр|посол|глава|председатель|премьер-министр|аким)\s+"
    rf"(?:[^\W\d]+\s+){{0,5}}?(?P<name>[{_UP}][{_LOW}]+\s+[{_UP}][{_LOW}]+){_NAME_END}"
)
# "господин Абенов", "г-жа Абенова"; Kazakh puts its honorific after: "Абенов мырза".
_RU_HONORIFIC = re.compile(
    rf"\b(?P<title>господин|госпожа|г-н|г-жа)\s+(?P<name>[{_UP}][{_LOW}]+(?:-[{_UP}][{_LOW}]+)?)"
    r"(?![\w-])"
)
_KK_HONORIFIC = re.compile(
    rf"(?<![\w-])(?P<name>[{_UP}][{_LOW}]+(?:-[{_UP}][{_LOW}]+)?)\s+(?P<title>мырза|ханым)"
    r"(?![\w-])"
)
_ORG = re.compile(  # tried only where a capital letter starts (three times faster)
    rf"(?=[{_UP}])(?P<org>(?:{TOKEN}\s+|[A-Z]{{2,}}\s+){{0,4}}(?:{_ORG_HEADS})"
    rf"(?:\s+(?:of|for|on)\s+(?:the\s+)?{TOKEN}(?:\s+{TOKEN}){{0,3}}){{0,2}})\b"
)
_LEFT_TITLE = re.compile(
    rf"(?:(?:{TITLES})\.?\s+|[{_UP}]\.\s?(?:-?[{_UP}]\.\s?)*)+$"
)  # "President ", "K. K. " right before a name
_APPOSITIVE = re.compile(
    rf"^,\s+(?P<role>(?:the\s+)?(?:[\w'’-]+\s+){{0,4}}?(?i:{ROLE_WORDS})\b[^,.;\n]{{0,80}}?)[,.;]",
)
# What comes right before a name found after a speech verb or "by"/"with": "a spokesman for
# Royal Mail said", "a fund manager at Perpetual Trustees said", "the Commons Oliver Heald".
_LEFT_WEAK = re.compile(r"(?:\b(?:of|for|at|from)\s+(?:the\s+)?)$")
_LEFT_THE = re.compile(r"\b(?i:the)\s+$")
_DATE_LEFT = re.compile(r"\b(?i:in|on|since|until|till|from|last|next|this|early|late|mid|of)\s+$")
_ROYAL = frozenset(("King", "Queen", "Prince", "Princess"))
_LEFT_OWNER = re.compile(r"(?:\b(?i:the)|['’]s)\s+\Z")
_LEFT_CAPITAL = re.compile(rf"[{_UP}][\w'’-]*\s+$")
# A person is introduced ("X, who", "X - a former Yale historian", "X, 54,"), a work
# goes on ("Harry Potter and the Prisoner of Azkaban").
_INTRODUCED = re.compile(r"\s*(?:,|\s[-–—])\s+(?:who|a|an|the|\d+)\b")
_OFFICE_OF = re.compile(rf"['’]s\s+(?:[\w-]+\s+){{0,2}}?(?i:{ROLE_WORDS})\b")
_WORK_GOES_ON = re.compile(rf"\s+(?:and|of)\s+the\s+[{_UP}]")
_PATTERNS = (_TITLE_NAME, _NAME_ROLE, _ROLE_NAME, _RU_TITLE, _NAME_VERB, _BY_WITH)
_HONORIFIC_PATTERNS = (_TITLE_NAME, _RU_HONORIFIC, _KK_HONORIFIC)


def find_people(text: str, taken: list[tuple[int, int]]) -> Iterator[Entity]:
    """People named with a title, a role, a speech verb or a byline; outside ``taken`` spans.

    The name is cut to the person's own ("Foreign Secretary Jack Straw" is Jack Straw, "Mr
    Mittal" Mittal); the mention keeps an honorific right before it ("Mr Mittal").
    """
    patterns = [*_PATTERNS]
    # Tried at every word, or every capital letter: only where their honorific is in the text.
    if "господ" in text or "г-н" in text or "г-ж" in text:
        patterns.append(_RU_HONORIFIC)
    if "мырза" in text or "ханым" in text:
        patterns.append(_KK_HONORIFIC)
    for pattern in patterns:
        for m in pattern.finditer(text):
            found = _person(text, m, pattern)
            if found is None or _taken(found[0], taken):
                continue
            span, name, role = found
            yield Entity(name, "person", [span], role, [text[span[0] : span[1]]], "pattern")


def _person(
    text: str, m: re.Match[str], pattern: re.Pattern[str]
) -> tuple[tuple[int, int], str, str | None] | None:
    """The mention's span, the person's name and role a match gives; None for no person."""
    words = [(m.start("name") + w.start(), w.group()) for w in re.finditer(r"\S+", m["name"])]
    title = m.group("title") if pattern in _HONORIFIC_PATTERNS else None
    if words[0][1] in _GLUE and (pattern is _BY_WITH or title):
        return None  # "a hit with All Right Now", "The Lord Of The Rings": no sentence opens
    honorific = (title, m.start("title")) if title and title.rstrip(".") in HONORIFICS else None
    words, honorific, dropped = _trim(text, words, pattern, honorific)
    parts = [w for _, w in words]
    start, end = words[0][0], words[-1][0] + len(words[-1][1])
    before = text[max(0, start - 40) : start]
    if not plausible(parts):
        return None
    if len(parts) == 2 and _LEFT_THE.search(before) and not (honorific or dropped):
        return None  # "the West Country said", "The Lib Dems said": no person's
    title = title or (dropped[-1] if dropped else None)
    if len(parts) == 1 and not _single(text, parts[0], honorific and honorific[0], title, pattern):
        return None
    if (
        len(parts) == 1
        and title in _ROYAL
        and _LEFT_OWNER.search(text, max(0, m.start() - 20), m.start())
    ):
        return None  # "the Queen Mary liner", "London's King Cross station": things named
    weak = pattern is _BY_WITH or (pattern is _NAME_VERB and _LEFT_WEAK.search(before))
    if weak and not _vouched(text, parts[-1], (start, end)):
        return None
    name = " ".join(parts)
    if honorific and honorific[1] < start and " " not in text[honorific[1] : start].rstrip(". "):
        start = honorific[1]  # the mention is "Mr Mittal"
        if honorific[0] in NAME_HONORIFICS and len(parts) == 1:
            name = f"{honorific[0]} {name}"  # "Lord Falconer", "Sir Edward": their names
    return (start, end), name, _role(text, m, pattern, dropped)


def _trim(
    text: str,
    words: list[tuple[int, str]],
    pattern: re.Pattern[str],
    honorific: tuple[str, int] | None,
) -> tuple[list[tuple[int, str]], tuple[str, int] | None, list[str]]:
    """The words less those run on before the name, the honorific before it, the titles."""
    dropped: list[str] = []  # "Secretary" Jack Straw
    while len(words) > 1:
        pos, first = words[0]
        before = text[max(0, pos - 40) : pos]
        if first.rstrip(".") in HONORIFICS:
            honorific = (first.rstrip("."), pos)
        elif is_title(first) or any(is_title(w) for _, w in words[1:-1]):
            dropped.append(first)  # "Secretary" Jack Straw, "Air Commodore" Andrew Lambert
        elif any(w.rstrip(".") in HONORIFICS for _, w in words[1:-1]):
            pass  # "Tanzania Mr Brown": the person follows the Mr
        elif first in _GLUE or (first in _MONTHS and _DATE_LEFT.search(before)):
            pass  # "But Mr Clarke", "On Wednesday Lord Woolf", "in May Tony Blair"
        elif len(words) < 3 or pattern in (_TITLE_NAME, _ROLE_NAME, _BY_WITH):
            break
        elif first in nationalities() or first in _territories() or _LEFT_THE.search(before):
            pass  # "Australian Lynton Crosby", "leader of the Commons Oliver Heald"
        elif (left := _LEFT_CAPITAL.search(before)) and not is_title(left.group().split()[0]):
            pass  # "Fellow Lib Dem Norman Baker": the name is the run's last words
        else:
            break
        words = words[1:]
    return words, honorific, dropped


def _single(
    text: str, word: str, honorific: str | None, title: str | None, pattern: re.Pattern[str]
) -> bool:
    """Whether one word is a person's name: "Mr Mittal", "Ms Love", "Emperor Naruhito";
    not "General Election", "Lord Chief Justice", "Foreign Affairs said"."""
    if honorific in _COURTESY:
        return True
    if is_title(word):
        return False
    if honorific:
        return True
    if pattern is not _RU_TITLE and not (title and _title_head(title)):
        return False  # "Foreign Affairs said", "Wife Becki said"
    # A word the text also writes in lower case is a common noun: "General Election".
    return not re.search(rf"(?<!\w){re.escape(word.lower())}(?!\w)", text)


def _role(text: str, m: re.Match[str], pattern: re.Pattern[str], dropped: list[str]) -> str | None:
    if pattern is _ROLE_NAME:
        left = _ROLE_LEFT.search(text, max(0, m.start() - 60), m.start())
        return _clean_role(text[left.start() if left else m.start() : m.start("name")])
    if role := m.groupdict().get("role"):
        return _clean_role(role)
    if title := m.groupdict().get("title"):  # "Justice" + "Minister" Abenov; "Mr" + "Justice"
        return _clean_role(
            " ".join([*([] if title.rstrip(".") in HONORIFICS else [title]), *dropped])
        )
    if dropped:  # "BBC Political" + "Correspondent" James Hardy
        left = _ROLE_LEFT.search(text, max(0, m.start() - 60), m.start())
        return _clean_role(" ".join([*(left.group().split() if left else []), *dropped]))
    return None


def find_orgs(text: str, taken: list[tuple[int, int]]) -> Iterator[Entity]:
    """Organisations by their head word ("... Ministry", "Assembly of the People of ...")."""
    for m in _ORG.finditer(text):
        org = m.group("org").strip()
        start = m.start("org")
        if org.startswith(("The ", "A ", "An ")):
            head = org.split(" ", 1)[0]
            org, start = org[len(head) + 1 :], start + len(head) + 1
        span = (start, start + len(org))
        if len(org.split()) < 2 or _taken(span, taken):
            continue
        yield Entity(org, "org", [span], None, [org], "pattern")


def _taken(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in taken)


def plausible(parts: list[str]) -> bool:
    words = [w for w in parts if not w.endswith(".")]  # not the initials
    if not words or words[0] in _PLACE_FIRST or words[0] in _MONTHS:
        return False
    if words[-1] in _PLACE_LAST or words[-1] in _ROLE_LAST:
        return False  # "Downing Street", "European Commissioner"
    if len(words) > 1 and words[0] in nationalities():
        return False  # "Swiss Re", "Russian Railways"
    if " ".join(parts) in _territories():
        return False  # "Sri Lanka"
    return not any(w in _STOP for w in words)


def is_title(word: str) -> bool:
    """A title or a role, capitalised: "Secretary", "Under-Secretary", "Correspondent"."""
    parts = word.rstrip(".").casefold().split("-")
    return any(p in _LEAD_TITLES or p.removesuffix("s") in _LEAD_TITLES for p in parts)


def _vouched(text: str, surname: str, span: tuple[int, int]) -> bool:
    """A name after "by"/"with" or "a spokesman for" is a person's where the text introduces
    it ("X, who") or names it again ("... Kiely"); not where a title goes on."""
    if _WORK_GOES_ON.match(text, span[1]) or _OFFICE_OF.match(text, span[1]):
        return False  # "Plaid Cymru's former President": an office is a party's or a state's
    if _INTRODUCED.match(text, span[1]):
        return True
    again = re.finditer(rf"(?<![\w'’-]){re.escape(surname)}(?![\w-])", text)
    return any(not _taken(m.span(), [span]) for m in again)  # not "Liar Liar" itself


def _title_head(title: str) -> bool:
    """Whether a title cues a person by a single name: "Professor", "Prime Minister"; not a
    word a title opens with ("Foreign"), nor a relation ("Wife")."""
    return title.split()[-1].rstrip(".").casefold() in _TITLE_HEADS


@cache
def _territories() -> frozenset[str]:
    """CLDR's English names of countries and regions ("Sri Lanka", "Tanzania")."""
    from babel import Locale  # loaded once, when the first name is judged

    return frozenset(Locale("en").territories.values())


@cache
def nationalities() -> frozenset[str]:
    """Nationalities ("Australian", "Iraqi", "Kazakh"): made from the countries' names by
    their regular endings, and the irregular ones."""
    made = set(_NATIONALITY_WORDS.split())
    for country in _territories():
        if " " in country or not country.isalpha():
            continue
        if country.endswith("stan"):  # Kazakh, Uzbek, Afghan; Pakistani
            made.update({country[: -5 if country.endswith("istan") else -4], country + "i"})
        elif country.endswith("a"):  # Australian, Russian; Chinese, Maltese
            made.update({country + "n", country[:-1] + "ese"})
        elif country.endswith("y"):  # Italian, Hungarian
            made.add(country[:-1] + "ian")
        elif country[-1] in "lnqrt":  # Israeli, Iraqi, Iranian, Egyptian; Japanese
            made.update({country + "i", country + "ian", country + "ese"})
    return frozenset(made)


def _clean_role(role: str | None) -> str | None:
    if not role:
        return None
    words = role.strip(" ,").split()
    while words and words[0] in _GLUE:
        words = words[1:]  # "But" BBC Political Correspondent
    role = " ".join(words)
    if role.rstrip(".") in HONORIFICS - {"Prof"}:
        return None  # "Mr" is no role
    return re.sub(r"^(?:the|an?)\s+", "", role, flags=re.IGNORECASE) or None


def extend_left(text: str, start: int) -> int:
    """Move a person mention's start over titles and initials ("President", "K. K.")."""
    m = _LEFT_TITLE.search(text, max(0, start - 60), start)
    return m.start() if m else start


def role_near(text: str, mentions: list[tuple[int, int]]) -> str | None:
    """A role the text gives right after a mention ("X, the CEO of Kazatomprom,")."""
    for _, end in mentions:
        m = _APPOSITIVE.match(text, end, min(len(text), end + 120))
        if m:
            return _clean_role(m.group("role"))
    return None
