"""Capitalised-name patterns: people by their titles, roles and speech verbs; organisations by
their head words. What finds the names a profile's gazetteer does not know.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from mediadigest.model import Entity

__all__ = [
    "ORG_HEAD_WORDS",
    "extend_left",
    "find_orgs",
    "find_people",
    "join_surnames",
    "role_near",
]

_UP = "A-ZА-ЯЁӘҒҚҢӨҰҮҺІ"
_LOW = "a-zа-яёәғқңөұүһі"
TOKEN = rf"[{_UP}][{_LOW}'’]+(?:-[{_UP}]?[{_LOW}'’]+)*"
_INITIALS = rf"(?:[{_UP}]\.\s?){{1,3}}"
NAME = rf"(?:{_INITIALS})?{TOKEN}(?:\s+{TOKEN}){{1,2}}"  # two or three words
# A name ends at a word's end and does not run on into another capitalised word.
_NAME_END = rf"(?![\w'’-])(?!\s+[{_UP}])"
TITLES = (
    r"Deputy Prime Minister|Prime Minister|Foreign Minister|Vice[- ]President|President"
    r"|Minister|Ambassador|Emperor|Empress|King|Queen|Crown Prince|Prince|Princess|Chairman"
    r"|Chairwoman|CEO|Governor|Mayor|Akim|Senator|Speaker|Dr|Mr|Mrs|Ms|Professor|Prof"
    r"|General|Secretary-General|Chancellor|Pope|Sheikh|Envoy"
)
ROLE_WORDS = (
    r"CEO|chief executive|chairman|chairwoman|chair|president|minister|ambassador|head"
    r"|director|founder|co-founder|professor|expert|analyst|spokesman|spokeswoman|spokesperson"
    r"|chief|leader|member|editor|adviser|advisor|governor|mayor|deputy|secretary|researcher"
    r"|fellow|economist|journalist|correspondent|officer|official|manager|partner|rector"
    r"|senator|akim|envoy|consul|diplomat|emperor|king|queen|prime minister"
)
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
)
ORG_HEAD_WORDS = frozenset(_ORG_HEADS.split("|"))
_STOP_WORDS = (
    "The A An In On At And But For Of This That These Those It He She They We Our His Her "
    "Their Its Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March "
    "April May June July August September October November December Jan Feb Mar Apr Jun Jul "
    "Aug Sep Sept Oct Nov Dec Ministry Bank University Agency Center Centre Times Press News "
    "Review Group Company Council Assembly Committee Fund Republic State States Union "
    "According However Meanwhile After Before While When Photo Credit President Minister "
    "Ambassador Chairman Emperor Prime Foreign Deputy Senate Parliament Government"
)
# An organisation's head word is no part of a person's name: "National Transportation Safety
# Board said" named a person "Transportation Safety Board".
_STOP = frozenset(_STOP_WORDS.split()) | ORG_HEAD_WORDS
# A place's head word opens or closes its name: "near Lake Balkhash, the head of the agency
# said" named a person "Lake Balkhash". Only at that end: "Ricki Lake" and "Michael Bay" are
# people. (A place the profile knows is the gazetteer's already, and no person's: taken.)
_PLACE_FIRST_WORDS = "Lake Mount Mt Port Cape Gulf Bay Fort Isle Strait River"
_PLACE_LAST_WORDS = (
    "River Sea Mountains Mountain Range Valley Desert Canyon Gorge Peninsula Plateau Steppe "
    "Basin Delta Strait Canal Reservoir Glacier Island Islands Port Harbour Harbor Airport "
    "Oblast Region Province District Square Avenue Boulevard Dam Pass Falls Springs Oasis "
    "Highlands Hills Coast"
)
_PLACE_FIRST = frozenset(_PLACE_FIRST_WORDS.split())
_PLACE_LAST = frozenset(_PLACE_LAST_WORDS.split())
_TITLE_NAME = re.compile(rf"\b(?P<title>{TITLES})\.?\s+(?P<name>(?:{_INITIALS})?{TOKEN}"
                         rf"(?:\s+{TOKEN}){{0,2}}){_NAME_END}")  # fmt: skip
_NAME_ROLE = re.compile(
    rf"(?P<name>{NAME}),\s+(?P<role>(?:the\s+|an?\s+)?(?:[\w'’-]+\s+){{0,4}}?(?i:{ROLE_WORDS})\b"
    r"[^,.;()\n]{0,80}?)(?=[,.;)]|\s+(?:and|who|said|says)\b)"
)
# "Kazakhstan's Ambassador to China, Shakhrat Nuryshev": found from the role word, which is
# rare, rather than tried at every capital letter (ten times faster on long texts).
_ROLE_NAME = re.compile(
    rf"\b(?i:{ROLE_WORDS})(?:\s+(?:of|to|for|at)\s+(?:the\s+)?[{_UP}][\w-]+"
    rf"(?:\s+[{_UP}][\w-]+){{0,3}})?,\s+(?P<name>{NAME}){_NAME_END}"
)
_ROLE_LEFT = re.compile(rf"(?:[{_UP}][\w-]+['’]s\s+)?(?:[{_UP}][\w-]+\s+){{0,3}}$")
_NAME_VERB = re.compile(rf"(?P<name>{NAME})\s+(?:{_VERBS})\b")
_BY_WITH = re.compile(rf"\b(?:by|with)\s+(?P<name>{NAME}){_NAME_END}")
_RU_TITLE = re.compile(
    r"(?P<title>президент|министр|посол|глава|председатель|премьер-министр|аким)\s+"
    rf"(?:[^\W\d]+\s+){{0,5}}?(?P<name>[{_UP}][{_LOW}]+\s+[{_UP}][{_LOW}]+){_NAME_END}"
)
_ORG = re.compile(
    rf"(?P<org>(?:{TOKEN}\s+|[A-Z]{{2,}}\s+){{0,4}}(?:{_ORG_HEADS})"
    rf"(?:\s+(?:of|for|on)\s+(?:the\s+)?{TOKEN}(?:\s+{TOKEN}){{0,3}}){{0,2}})\b"
)
_LEFT_TITLE = re.compile(
    rf"(?:(?:{TITLES})\.?\s+|[{_UP}]\.\s?(?:-?[{_UP}]\.\s?)*)+$"
)  # "President ", "K. K. " right before a name
_APPOSITIVE = re.compile(
    rf"^,\s+(?P<role>(?:the\s+)?(?:[\w'’-]+\s+){{0,4}}?(?i:{ROLE_WORDS})\b[^,.;\n]{{0,80}}?)[,.;]",
)


def find_people(text: str, taken: list[tuple[int, int]]) -> Iterator[Entity]:
    """People named with a title, a role, a speech verb or a byline; outside ``taken`` spans."""
    for pattern in (_TITLE_NAME, _NAME_ROLE, _ROLE_NAME, _RU_TITLE, _NAME_VERB, _BY_WITH):
        for m in pattern.finditer(text):
            span = (m.start("name"), m.end("name"))
            name = m.group("name").strip()
            if _taken(span, taken) or not _plausible(name):
                continue
            groups = m.groupdict()
            role = groups.get("role") or groups.get("title")
            if pattern is _ROLE_NAME:
                left = _ROLE_LEFT.search(text, max(0, m.start() - 60), m.start())
                role = text[left.start() if left else m.start() : m.start("name")].rstrip(" ,")
            yield Entity(name, "person", [span], _clean_role(role), [name], "pattern")


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


def _plausible(name: str) -> bool:
    words = [w for w in name.replace(".", ". ").split() if not w.endswith(".")]
    if not words or words[0] in _PLACE_FIRST or words[-1] in _PLACE_LAST:
        return False
    return not any(w.strip("’'") in _STOP for w in words)


def _clean_role(role: str | None) -> str | None:
    if not role:
        return None
    role = " ".join(role.split()).strip(" ,")
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


def join_surnames(text: str, entities: list[Entity]) -> list[Entity]:
    """Fold a surname alone into the full name met elsewhere ("Nuryshev" -> Shakhrat Nuryshev)."""
    full = {e.name.split()[-1]: e for e in entities if e.kind == "person" and " " in e.name}
    taken = [m for e in entities for m in e.mentions]
    out = []
    for entity in entities:
        owner = full.get(entity.name) if entity.kind == "person" else None
        if owner is not None and owner is not entity:
            owner.mentions.extend(entity.mentions)
            owner.role = owner.role or entity.role
            continue
        out.append(entity)
    for surname, entity in full.items():
        if entity.source == "gazetteer":
            continue  # the gazetteer already found every alias, surnames included
        for m in re.finditer(rf"(?<!\w){re.escape(surname)}(?!\w)", text):
            if not _taken((m.start(), m.end()), taken):
                entity.mentions.append((m.start(), m.end()))
                if surname not in entity.variants:
                    entity.variants.append(surname)
    return out
