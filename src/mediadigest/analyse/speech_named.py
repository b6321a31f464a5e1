"""Who says what in Chinese, Japanese, Korean and Arabic, where a name is not told by its
form: no capitals, no spaces between words, particles and prefixes written onto names.

quotes.py asks ``attribute`` for each quote of an article in one of these languages: it
finds the speech verb ("托卡耶夫表示：", "「…」と述べた", '"…"라고 말했다', 'قال … :') and
gives the verb's subject phrase as the text writes it as the quote's cue
("哈萨克斯坦总统托卡耶夫", "カザフスタンのトカエフ大統領"). resolve_speakers then asks
``speaker``, which accepts the phrase only where it is made of the names the entities found
(the profile's 托卡耶夫, トカエフ, 토카예프), titles and linking particles, one person among
them: "托卡耶夫的发言人" (Tokayev's spokesman) or "习近平会见…托卡耶夫时" is no one's, as
no speaker is better than a wrong one. The words are ``data/speech-verbs.tsv``'s.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache

from mediadigest.analyse.speech import MASK
from mediadigest.analyse.speech_languages import BARE, NO_ONE, Found, Language, language
from mediadigest.model import Entity, Quote

__all__ = ["attribute", "speaker"]

_SPACED = {"ko", "ar"}
# Korean and Arabic end a sentence with a full stop and a space, as English does
_SENTENCE_END = re.compile(r"[。！？!?\n]|\.(?=\s)")
_MAX_PHRASE = 40  # characters of a subject phrase
_CONTINUES = 300  # a bare "وأضاف:" or "とも語った" goes on with a quote this close before it
# Arabic writes "and" and "so" onto the verb ("وأضاف", "فقال") and prepositions onto the noun
_AR_CONJ = "(?:و|ف)?"
_AR_ARTICLE = ("ال", "وال")
_KINDS = {"person": "person", "place": "place", "country": "place"}  # an entity's, as a piece


def _alt(words: set[str] | list[str]) -> str:
    return "|".join(map(re.escape, sorted(words, key=len, reverse=True)))


def _patterns(lang: Language) -> dict[str, re.Pattern[str]]:
    return _compiled(lang.code)


@cache
def _compiled(code: str) -> dict[str, re.Pattern[str]]:
    lang = language(code)
    assert lang is not None
    verbs = _alt(lang.verbs)
    if lang.code == "ar":
        verbs = rf"(?<!\w){_AR_CONJ}(?:{verbs})(?!\w)"
    found = {"verb": re.compile(f"(?:{verbs})")}
    if lang.quotative:
        quot, part = _alt(lang.quotative), _alt(lang.particle)
        # '「…」とトカエフ大統領は述べた', '"…"라고 토카예프 대통령은 말했다'
        # and what may come between: "と記者団に語った", '라고 기자들에게 말했다'
        between = rf"[^。.「」“”\"{MASK}\n]{{0,20}}?"
        subject = rf"(?P<subject>[^。、，,.「」“”\"{MASK}\n]{{1,{_MAX_PHRASE}}}?)"
        found["after_subject"] = re.compile(
            rf"[ \t]*(?:{quot})[、,]?[ \t]*{subject}(?:{part})[、,]?[ \t]*{between}(?:{verbs})"
        )
        found["after"] = re.compile(rf"[ \t]*(?:{quot})[、,]?[ \t]*{between}(?:{verbs})")
    return found


def attribute(lang: Language, masked: str, mark: int, end: int, before: Sequence[Quote]) -> Found:
    """The attribution of the quote between ``mark`` and ``end`` (its marks) in ``masked``:
    its speaker's phrase as a cue, or ``NO_ONE``. ``before``: the earlier quotes, for one
    with a verb but no subject ("وأضاف:", "「…」とも語った"): the last one's speaker's."""
    own = _sentence_start(masked, mark)
    if lang.code == "ar":
        found = _arabic(lang, masked, own, mark, end)
    elif lang.code == "zh":
        found = _chinese(lang, masked, own, mark, end)
    else:
        found = _verb_last(lang, masked, own, mark, end)
    if found is BARE:
        last = before[-1] if before else None
        if last is not None and 0 <= mark - last.end <= _CONTINUES:
            return Found(last.cue, last.speaker)
        return NO_ONE
    return found or NO_ONE


def _sentence_start(masked: str, mark: int) -> int:
    start = max(0, mark - 600)  # speech.SENTENCE_CHARS: a page without full stops
    ends = [m.end() for m in _SENTENCE_END.finditer(masked, start, mark)]
    return ends[-1] if ends else start


def _cue(phrase: str) -> Found:
    phrase = phrase.strip(" \t、,，:：")
    return Found(phrase, None) if phrase else NO_ONE


def _chinese(lang: Language, masked: str, own: int, mark: int, end: int) -> Found | None:
    """'托卡耶夫表示：“…”' or '“…”，托卡耶夫说。': the clause before the verb, cut where an
    adverbial begins ("在会上", "20日", "对记者")."""
    verb = _patterns(lang)["verb"]
    subject = rf"(?P<subject>[^。，,：:；;！？!?“”「」\"{MASK}\n]{{0,{_MAX_PHRASE}}}?)"
    after = re.compile(
        rf"[，,]?[ \t]*{subject}(?:{verb.pattern})(?:道)?(?=[。，,；;！？!?：:\n]|$)"
    )
    if m := after.match(masked, end):
        return _chinese_subject(lang, m.group("subject")) if m.group("subject") else BARE
    region = masked[own:mark].rstrip(" \t：:，,")
    verbs = [v for v in verb.finditer(region) if region[v.end() :] in ("", "道")]
    if not verbs:
        return None
    clause = region[: verbs[-1].start()]
    clause = clause[max(clause.rfind(c) for c in "，,；;：:“”") + 1 :]
    return _chinese_subject(lang, clause) if clause.strip() else BARE


_CHINESE_DATE = re.compile(r"\d+月\d+日|\d+日|[一二三四五六七八九十]+日")


def _chinese_subject(lang: Language, clause: str) -> Found:
    # "哈萨克斯坦共和国总统": the 和 of 共和国 is no "and"
    plain = clause.replace("共和国", "\x01\x01\x01")
    cut = min((at for w in lang.adverbial if (at := plain.find(w)) != -1), default=len(clause))
    if date := _CHINESE_DATE.search(clause):
        cut = min(cut, date.start())
    if any(w in plain[:cut] for w in lang.clause):
        return NO_ONE  # "托卡耶夫和普京": both, or one of them; which is a guess
    return _cue(clause[:cut])


def _verb_last(lang: Language, masked: str, own: int, mark: int, end: int) -> Found | None:
    """Japanese and Korean: the quote, its quotative and the verb ("「…」と述べた", '"…"라고
    말했다'); the subject before the quote, its particle after it ("トカエフ大統領は",
    "토카예프 대통령은"), or between the quotative and the verb."""
    pats = _patterns(lang)
    if m := pats["after_subject"].match(masked, end):
        return _cue(m.group("subject"))
    if not pats["after"].match(masked, end):
        return None
    region = masked[own:mark]
    at = _first_particle(lang, region)
    if at is None:
        return BARE
    phrase = region[:at]
    phrase = phrase[max(phrase.rfind(c) for c in "、，,") + 1 :]
    return _cue(phrase)


def _first_particle(lang: Language, region: str) -> int | None:
    """Where the subject's particle is: Korean's ends a word ("대통령은 "), Japanese's is the
    first は or が (written in hiragana, never inside a katakana name or a kanji title)."""
    part = _alt(lang.particle)
    if lang.code in _SPACED:
        m = re.search(rf"\S(?:{part})(?=[\s,]|$)", region)
        return m.start() + 1 if m else None
    m = re.search(f"(?:{part})", region)
    return m.start() if m else None


def _arabic(lang: Language, masked: str, own: int, mark: int, end: int) -> Found | None:
    """'قال الرئيس توكاييف: "…"', '"…"، قال توكاييف', 'وأضاف: "…"': the verb first, its
    subject after it, up to a preposition ("في كلمة", "خلال") or the colon."""
    verb = _patterns(lang)["verb"]
    if m := re.compile(rf"[\s،,]*(?:[-—–][ \t]*)?{verb.pattern}").match(masked, end):
        rest = masked[m.end() : m.end() + 120]
        return _arabic_subject(lang, re.split(r"[.،,:؛;\n]", rest)[0])
    region = masked[own:mark].rstrip()
    if not region.endswith((":", "：", " إن", " أن")):  # 'قال توكاييف إن "…"': said that "…"
        return None
    verbs = list(verb.finditer(region))
    if not verbs:
        return None
    return _arabic_subject(lang, re.split(r"[،,:؛;]", region[verbs[-1].end() :])[0])


def _arabic_subject(lang: Language, words: str) -> Found:
    phrase = []
    for word in words.split():
        if word in lang.stop or word.startswith(("لل", "بال", "وبال", "ولل")):
            break  # "في كلمة", "للصحفيين", "بالبرلمان": the subject ended
        phrase.append(word)
    return _cue(" ".join(phrase)) if phrase else BARE


# -- the speaker a phrase names ----------------------------------------------------------------


def speaker(lang: Language, cue: str, entities: Sequence[Entity]) -> str | None:
    """The person the subject phrase ``cue`` names: it must read as places, titles and
    linking particles around one person's name as the entities found it ("哈萨克斯坦总统
    托卡耶夫", "토카예프 카자흐스탄 대통령", "الرئيس الكازاخستاني قاسم جومارت توكاييف"); a word
    the entities and the titles do not know makes it no one's."""
    pieces = _pieces(lang, cue, entities)
    if pieces is None:
        return None
    people = [i for i, (kind, _) in enumerate(pieces) if kind == "person"]
    if len(people) != 1:
        return None
    k = people[0]
    if any(kind not in ("title", "place") for kind, _ in pieces[k + 1 :]):
        return None  # "トカエフ大統領の報道官": the person's spokesman, not the person
    given = 0
    while k - given > 0 and pieces[k - given - 1][0] == "given":
        given += 1
    if given:
        if given > 2 or k - given == 0 or pieces[k - given - 1][0] not in ("adj", "place"):
            return None  # "مساعد توكاييف" (Tokayev's aide); not "الرئيس قاسم جومارت توكاييف"
    elif lang.code == "ar" and k and pieces[k - 1][0] == "title":
        return None  # "رئيس توكاييف": a title without its article belongs to the name after
    if any(kind == "given" for kind, _ in pieces[: k - given]):
        return None
    return pieces[k][1]


def _pieces(lang: Language, cue: str, entities: Sequence[Entity]) -> list[tuple[str, str]] | None:
    """``cue`` as (kind, what) pieces: person (the entity's name), place, title, adj (an
    Arabic word with its article), given (an Arabic word before a name), link; None where a
    piece is none of these."""
    known: list[tuple[str, str, str]] = []  # (spelling, kind, what)
    for e in entities:
        kind = _KINDS.get(e.kind)
        if kind:
            known += [(v, kind, e.name) for v in {*e.variants, e.name} if v]
    known += [(t, "title", t) for t in lang.titles]
    known.sort(key=lambda k: len(k[0]), reverse=True)
    pieces: list[tuple[str, str]] = []
    pos, text = 0, cue.strip()
    while pos < len(text):
        if text[pos] in " \t・·":
            pos += 1
            continue
        if pieces and (link := next((w for w in lang.link if text.startswith(w, pos)), None)):
            pieces.append(("link", link))
            pos += len(link)
            continue
        hit = next((k for k in known if _starts(lang, text, pos, k[0])), None)
        if hit is not None:
            pieces.append((hit[1], hit[2]))
            pos += len(hit[0])
            continue
        if lang.code != "ar":
            return None
        word = text[pos:].split()[0]
        pieces.append(("adj" if word.startswith(_AR_ARTICLE) else "given", word))
        pos += len(word)
    return pieces


def _starts(lang: Language, text: str, pos: int, word: str) -> bool:
    """Whether ``word`` is at ``pos`` and may end there: anywhere in Chinese and Japanese, at
    a word's end or before a link ("카자흐스탄의") in Korean and Arabic."""
    if not text.startswith(word, pos):
        return False
    end = pos + len(word)
    if lang.code not in _SPACED or end >= len(text) or text[end].isspace():
        return True
    return any(text.startswith(w, end) for w in lang.link)
