"""Bylines as a digest names them: the people who wrote the piece, and nobody else.

Pages and feeds give bylines as their CMS stores them: ``ROBERT BURNS; AP National Security
Writer``, ``Paul Takahashi; Staff writer``, ``Tom Gillespie News reporter``, ``Mike Smith
Monday; November``, ``Caspian Ledger desk``. The attribution line wants ``by Robert Burns``,
``by Paul Takahashi``, and no author at all for a desk. The store keeps the byline as given;
this is how the digest reads it.
"""

from __future__ import annotations

import re
import unicodedata

from mediadigest.analyse import normalise
from mediadigest.matching import DATE_WORDS
from mediadigest.write import style

__all__ = ["clean"]

# A part naming one of these is a collective byline, not a person ("Staff writer", "Detroit
# News wire services", "News Nation Bureau").
_COLLECTIVE_WORDS = (
    "staff desk newsroom bureau team services wires agencies reporters writers editors "
    "correspondents contributors editorial"
)
_COLLECTIVE = frozenset(_COLLECTIVE_WORDS.split())
# Words that end the name they follow: a role, an outlet's word, a date stamp.
_NOT_NAME_WORDS = (
    "writer reporter correspondent editor editor-at-large columnist contributor news "
    "press associated media sport sports weekly daily magazine international business "
    "online digital com blog admin published updated ap afp nast"
)
_NOT_NAME = frozenset(_NOT_NAME_WORDS.split())
# A date stamp run on after a full name ("Carrie Arnold November"); "Theresa May" is a name.
_DATE = frozenset(DATE_WORDS.split())
# Written before the name: "By Jane Doe", "Analysis by …", "Текст Лида …" (Russian: "text").
_LEAD_IN = re.compile(r"^(?:analysis\s+by|opinion\s+by|by|von|por|par|текст|автор)[:\s]+", re.I)
# A byline of one word is a person when it is a given name ("By Aigerim": common on Central
# Asian sites, where a reporter signs with a first name) and not one of these: a CMS's
# placeholder or a role, or a wire agency signing alone.
_LONE_NOT_NAME_WORDS = (
    "administrator anonymous author authors guest unknown various user webmaster moderator "
    "redaction redaktion redazione redacción redakcja редакция редактор автор correspondent "
    "journalist contributor newsdesk agency agencies wire opinion analysis commentary "
    "sponsored partner advertisement promoted photo video "
    "reuters interfax tass xinhua kyodo yonhap anadolu bloomberg sputnik kazinform akipress "
    "kabar azertag trend bernama irna tasnim dpa efe ansa"
)
_LONE_NOT_NAME = frozenset(_LONE_NOT_NAME_WORDS.split())
# Scripts without capital letters (Chinese, Japanese, Korean, Arabic, Persian, Hebrew...) cannot
# say a name by its capitals: there these words are what a byline holds that is no person (a
# role, a desk, an agency). "기자" (Korean: reporter) follows the name, "بقلم" (Arabic: by) leads.
_CASELESS_NOT_NAME_WORDS = (
    "记者 記者 编辑 編集 编辑部 編集部 本报 本報 特约 特派员 特派員 通讯员 通訊員 评论员 "
    "新华社 新華社 中新社 共同通信 時事通信 新华网 人民网 기자 특파원 편집부 연합뉴스 뉴시스 "
    "محرر مراسل المحرر تحرير التحرير فريق وكالة الأناضول رويترز خبرنگار سردبیر تحریریه "
    "خبرگزاری ایرنا تسنیم ایسنا"
)
_CASELESS_NOT_NAME = frozenset(_CASELESS_NOT_NAME_WORDS.split())
_CASELESS_LEAD_IN = re.compile(
    r"^(?:(?:作者|撰文|记者|記者|بقلم|كتبه?|نویسنده|به\s+قلم)\s*[:：/／]?|文\s*[:：/／])\s*"
)  # "文" (text) only before its slash: 文在寅 is Moon Jae-in
# Chinese, Japanese and Korean write a full name as one word: 田中一郎, 김민수,
# ウラジーミル・プーチン.
# A longer run is a phrase ("本文来源于网络": this article is from the web), no name.
_CJK_LETTER = r"[\u3040-\u30fa\u30fc-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]"
_UNSPACED = re.compile(rf"{_CJK_LETTER}{{2,6}}|{_CJK_LETTER}{{1,8}}(?:・{_CJK_LETTER}{{1,8}})+")
_CJK = re.compile(_CJK_LETTER)
_UNSPACED_NOT_NAME = frozenset(w for w in _CASELESS_NOT_NAME if _UNSPACED.fullmatch(w))
_PARTICLE_WORDS = "de da das do dos du van von der den del della di la le bin al ibn"
_PARTICLES = frozenset(_PARTICLE_WORDS.split())
_MAX_AUTHORS = 3


def _caseless(token: str) -> bool:
    """A word of letters (and their marks) in a script that has no capitals: "أحمد", "김민수"."""
    if not token[:1].isalpha() or token in _CASELESS_NOT_NAME:
        return False
    if any(w in token for w in _UNSPACED_NOT_NAME):
        return False  # "新华社记者" (Xinhua reporter), one word as Chinese writes it
    if _CJK.search(token) and not _UNSPACED.fullmatch(token):
        return False
    letters = all(c.isalpha() or c == "・" or unicodedata.category(c)[0] == "M" for c in token)
    return letters and not any(c.isupper() or c.islower() for c in token)


def _name_like(token: str, shouting: bool = False) -> bool:
    if token.casefold() in _PARTICLES or _caseless(token):
        return True
    if len(token) <= 2 and token[:1].isupper() and token[1:] in ("", "."):
        return True  # an initial: "Sarah E Needleman", "J. Smith"
    if token.isupper():
        # "JANIE HAR" is a name in a byline all in capitals; "AP", "CNN", "RDN" among names are not.
        return len(token) >= (3 if shouting else 4)
    return token[:1].isupper() and any(c.islower() for c in token)


def _calm(token: str) -> str:
    """``JEAN-PIERRE`` -> ``Jean-Pierre``."""
    return "-".join(piece.capitalize() for piece in token.split("-"))


def _person(part: str, outlet: str) -> str | None:
    """The person's name in one part of a byline, or None if the part names no person."""
    part = _CASELESS_LEAD_IN.sub("", _LEAD_IN.sub("", part.strip()))
    name, _, role = part.partition(",")
    name = re.split(r"\s+is\s+an?\s+", name)[0]
    tokens = name.split()
    if not tokens or tokens[0].casefold() == "the":
        return None
    if any(t.casefold() in _COLLECTIVE for t in tokens):
        return None
    shouting = tokens[0].isupper() and len(tokens[0]) >= 3  # "MARAT ALI Associated Press"
    kept: list[str] = []
    for i, token in enumerate(tokens):
        word = token.casefold().strip(".")
        if word in _NOT_NAME or token in _CASELESS_NOT_NAME or (word in _DATE and len(kept) >= 2):
            break
        if i >= 2 and len(word) >= 4 and word in outlet:
            break  # "Finian Cunningham Sputnik International" of "SputnikInt"
        if not _name_like(token, shouting):
            return None
        kept.append(token)
    lone = len(tokens) == len(kept) == 1 and _given_name(kept[0], outlet)
    # "김민수 기자" (Kim Min-su, reporter): a name written as one word, then the role
    lone = lone or (len(kept) == 1 and _UNSPACED.fullmatch(kept[0]) is not None)
    if not lone and (not 2 <= len(kept) <= 4 or kept[-1].casefold() in _PARTICLES):
        return None
    if all(len(t) >= 3 and t.casefold() in outlet for t in kept):
        return None  # "India Post" by the India Post
    person = " ".join(_calm(t) if t.isupper() and len(t) > 2 else t for t in kept)
    role = role.strip()
    if role and len(tokens) == len(kept) and len(role.split()) <= 8:
        return f"{style.latin_name(person)}, {role}"
    return style.latin_name(person)


def _given_name(token: str, outlet: str) -> bool:
    """Whether a byline of one word names a person who signs so: a given name is letters,
    capitalised ("Aigerim", "Jean-Luc", "Айгерим"), or in a script without capitals ("أحمد",
    "田中一郎"); not "AFP", "eurasianet.org" or "jdoe"."""
    word = token.casefold()
    if _caseless(token):
        return len(token) >= 2 and normalise.compact(token) not in outlet
    pieces = re.split(r"[-'’]", token)
    if not token[:1].isupper() or not all(p.isalpha() and p[1:] == p[1:].lower() for p in pieces):
        return False
    if word in _LONE_NOT_NAME or word in _NOT_NAME or word in _DATE or word in _PARTICLES:
        return False
    return len(word) >= 3 and word not in outlet  # not "Kursiv" by Kursiv


def clean(author: str | None, outlet: str | None = None) -> str | None:
    """``Robert Burns``, ``Lisa Kaczke and Trevor J Mitchell``; None when no person is named."""
    if not author:
        return None
    collapsed = normalise.compact(outlet or "")
    people: list[str] = []
    for part in re.split(r"\s*[;|、，]\s*|\s+(?:and|&)\s+", author):
        person = _person(part, collapsed)
        if person is None:
            continue
        words = person.split(",")[0].split()
        if any(p.split()[0] == words[0] and p.split(",")[0].split()[-1] == words[-1]
               for p in people):  # fmt: skip
            continue  # "Troy Smith; Troy L Smith"
        people.append(person)
    if not people:
        return None
    if len(people) > _MAX_AUTHORS:
        return f"{', '.join(people[:_MAX_AUTHORS])} and others"
    return style.listed(people)
