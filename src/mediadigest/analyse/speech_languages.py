"""Who says what in German, French, Spanish, Italian, Portuguese, Turkish and Kazakh: the
speech verbs, titles and pronouns of ``data/speech-verbs.tsv`` and the attributions they
make. The file's Chinese, Japanese, Korean and Arabic words are read here too, and used by
speech_named.py (their names are not told by a capital).

quotes.py asks it for an article in one of these languages, where speech.py reads English
and Russian. Both orders are read ("„…“, sagte Präsident Tokajew", "Tokajew sagte: „…“"),
the speaker after "selon", "según", "so", and Turkish's and Kazakh's subject first, verb
last ('Tokayev, "…" dedi', "Тоқаев: «…» деді"; a name with a case ending is no subject, the
phrase nearest the quote is: 'Tokayev ile görüşen Erdoğan, "…" dedi' is Erdoğan's).
A speaker is a name in the text, a title's person ("Präsident Tokajew") or a full name; a
lone word without a title is only a cue for resolve_speakers (German writes every noun with
a capital), a role without a name ("dijo el presidente") no one, and someone of a named
person ("ein Sprecher von Präsident Tokajew", "la fille du président Tokaïev", "ein
Sprecher Tokajews") no one: no speaker is better than a wrong one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources

from mediadigest.analyse.language import normalise_code
from mediadigest.analyse.speech import MASK

__all__ = [
    "BARE",
    "NO_ONE",
    "Found",
    "Language",
    "after",
    "before",
    "full_name",
    "language",
    "names_person",
    "subject_first",
]

_TITLE_ENDS = 5  # a title this long also ends a compound ("Außen|minister")
_MAX_PRE = 8  # words of a role before a name ("le ministre kazakh des Affaires étrangères")
_MAX_NAME = 4
# A word: letters first ("Kassym-Jomart", "Tokaïev", "Cumhurbaşkanı"); "M.", "Dr." take
# their full stop where they are titles. A number is a word that names no one.
_TOKEN = re.compile(
    r"[ \t\u00a0\u202f]*(?:(?P<comma>,)|(?P<word>[^\W\d_][\w'’-]*)|(?P<num>\d[\w.,]*))"
)
# French and Italian elide an article or a preposition into the word: "l'ambassadeur".
_ELIDED = re.compile(r"(?i)(?:l|d|qu|dell|all|dall|nell|sull|un)['’](?=\w)")


def _words(phrase: str) -> str:
    """A regex of ``phrase``'s words, any spacing between them."""
    return r"\s+".join(map(re.escape, phrase.split()))


@dataclass(frozen=True, slots=True)
class Found:
    """An attribution: ``cue`` as the text names the speaker ("Tokajew", "il"), ``speaker``
    where the name is sure to be someone's (a pronoun's is resolve_speakers' to find)."""

    cue: str | None
    speaker: str | None


BARE = Found(None, None)  # a speech verb after the quote with no subject ("«…», añadió.")
NO_ONE = Found(None, None)  # a subject that names no one ("dijo el presidente")


@dataclass(slots=True)
class Language:
    """One language's attribution words, as the data file gives them."""

    code: str
    verbs: list[str] = field(default_factory=list)
    according: list[str] = field(default_factory=list)
    titles: set[str] = field(default_factory=set)
    roles: dict[str, str] = field(default_factory=dict)
    orgs: set[str] = field(default_factory=set)
    pronouns: dict[str, str] = field(default_factory=dict)
    articles: set[str] = field(default_factory=set)
    prepositions: set[str] = field(default_factory=set)
    function: set[str] = field(default_factory=set)
    of: set[str] = field(default_factory=set)
    clause: set[str] = field(default_factory=set)
    dates: set[str] = field(default_factory=set)
    order: set[str] = field(default_factory=set)
    oblique: set[str] = field(default_factory=set)  # "Präsidenten": no subject's title
    suffix: set[str] = field(default_factory=set)  # Kazakh's case endings on a name
    # the "named" languages' (speech_named.py)
    quotative: set[str] = field(default_factory=set)
    particle: set[str] = field(default_factory=set)
    link: set[str] = field(default_factory=set)
    adverbial: set[str] = field(default_factory=set)
    stop: set[str] = field(default_factory=set)
    verb_after: re.Pattern[str] = field(init=False)
    verb_any: re.Pattern[str] = field(init=False)
    according_after: re.Pattern[str] = field(init=False)
    according_any: re.Pattern[str] = field(init=False)

    def compile(self) -> None:
        # "fügte … hinzu": the head finds the verb in either order; the particle follows.
        heads = sorted({v.split(" … ")[0] for v in self.verbs}, key=len, reverse=True)
        verbs = "|".join(_words(h) for h in heads)
        if "hyphen" in self.order:  # "a-t-il dit", "dit-il", "estime-t-elle"
            pro = "|".join(map(re.escape, self.pronouns))
            compound = [h.split() for h in heads if len(h.split()) == 2]
            aux = "|".join(sorted({re.escape(a) for a, _ in compound}))
            parts = "|".join(re.escape(p) for _, p in compound)
            simple = "|".join(re.escape(h) for h in heads if " " not in h)
            inverted = [rf"(?:{simple})-(?:t-)?(?P<pro>{pro})"]
            if compound:
                inverted.insert(0, rf"(?:{aux})-t-(?P<pro_aux>{pro})\s+(?:{parts})")
            verbs = "|".join([*inverted, verbs])
        self.verb_after = re.compile(rf"[\s,]*(?:[-—–][ \t]*)?(?P<verb>{verbs})(?![\w-])")
        self.verb_any = re.compile(rf"(?<![\w-])(?i:(?P<verb>{verbs}))(?![\w-])")
        according = "|".join(map(_words, self.according)) or "(?!)"
        self.according_after = re.compile(rf"[\s,]*(?:[-—–][ \t]*)?(?:{according})\s+")
        self.according_any = re.compile(rf"(?<![\w-])(?i:{according})\s+")

    def is_title(self, word: str) -> bool:
        return self._ends(word, self.titles) or self.is_oblique(word)

    def is_oblique(self, word: str) -> bool:
        """Whether a title is in a case no subject takes ("des Präsidenten", "dem
        Ministerpräsidenten", "Ministers"): the name after it is another's."""
        return self._ends(word, self.oblique)

    @staticmethod
    def _ends(word: str, titles: set[str]) -> bool:
        fold = word.casefold()
        if fold in titles:
            return True
        last = fold.rsplit("-", 1)[-1]  # "Kazatomprom-Chef"
        return last in titles or any(fold.endswith(t) for t in titles if len(t) >= _TITLE_ENDS)

    def is_org(self, word: str) -> bool:
        fold = word.casefold()
        return fold in self.orgs or any(fold.endswith(o) for o in self.orgs if len(o) >= 5)

    def no_name(self, fold: str) -> bool:
        """Whether a word is never a name, though capitalised ("Am", "Selon", "Der")."""
        kinds = (self.function, self.articles, self.prepositions, self.of, self.clause)
        return any(fold in words for words in kinds)


@cache
def _languages() -> dict[str, Language]:
    raw = resources.files("mediadigest.analyse").joinpath("data", "speech-verbs.tsv")
    found: dict[str, Language] = {}
    for line in raw.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        code, kind, words = line.split("\t")
        lang = found.setdefault(code, Language(code))
        items = [w.strip() for w in words.split("|") if w.strip()]
        if kind in ("he", "she"):
            lang.pronouns.update((w, kind) for w in items)
        elif kind == "role":
            lang.roles.update(tuple(w.casefold().split("=")) for w in items)
        elif kind in ("verb", "according"):
            getattr(lang, "verbs" if kind == "verb" else kind).extend(items)
        else:
            attr = {"title": "titles", "org": "orgs", "article": "articles", "date": "dates",
                    "preposition": "prepositions"}  # fmt: skip
            getattr(lang, attr.get(kind, kind)).update(w.casefold() for w in items)
    for lang in found.values():
        lang.compile()
    return found


def language(code: str | None) -> Language | None:
    """The attribution words of the language ``code`` names ("de", "fr-CH"), or None for
    one the data does not cover (English and Russian: speech.py)."""
    return _languages().get(normalise_code(code) or "") if code else None


@dataclass(slots=True)
class _Token:
    text: str
    start: int
    end: int
    kind: str  # word | comma | num
    suffixed: bool = False  # Turkish "Tokayev'in": a name with a case ending, no subject

    @property
    def fold(self) -> str:
        return self.text.casefold()


def _tokens(lang: Language, text: str, pos: int, limit: int) -> Iterator[_Token]:
    while pos < limit and (m := _TOKEN.match(text, pos, limit)) and m.end() > pos:
        pos = m.end()
        if m.group("comma"):
            yield _Token(",", m.start("comma"), pos, "comma")
            continue
        if m.group("num"):
            yield _Token(m.group("num"), m.start("num"), pos, "num")
            continue
        word, start = m.group("word"), m.start("word")
        if elided := _ELIDED.match(word):  # "l'ambassadeur": an article, then the title
            yield _Token(elided.group(), start, start + elided.end(), "word")
            word, start = word[elided.end() :], start + elided.end()
        if text[pos : pos + 1] == "." and lang.is_title(word + "."):
            word, pos = word + ".", pos + 1  # "M. Tokaïev", "Dr. Meier"
        suffixed = _suffixed(lang, word)
        yield _Token(word, start, start + len(word), "word", suffixed)


def _suffixed(lang: Language, word: str) -> bool:
    """A name with a case ending is no subject: Turkish writes it after an apostrophe
    ("Tokayev'in"), Kazakh onto the name ("Тоқаевтың", "Тоқаевқа")."""
    if lang.code == "tr":
        return bool(re.search(r"['’]\w", word))
    fold = word.casefold()
    ends = any(fold.endswith(s) and len(fold) > len(s) + 3 for s in lang.suffix)
    return ends and not lang.is_title(word)  # "Президенті": a title's own ending


def _is_name_word(lang: Language, tok: _Token) -> bool:
    return tok.text[:1].isupper() and _plain_word(lang, tok)


def _plain_word(lang: Language, tok: _Token) -> bool:
    """A word with no role in the language's lists: no ending, linking word, date or title."""
    return (
        tok.kind == "word"
        and not tok.suffixed
        and not lang.no_name(tok.fold)
        and tok.fold not in lang.dates
        and not lang.is_title(tok.text)
    )


@dataclass(slots=True)
class _Phrase:
    """A subject read word by word: the words before the name, the name, how it ended."""

    pre: list[_Token] = field(default_factory=list)
    name: list[_Token] = field(default_factory=list)
    titled: bool = False  # a title among the words before the name
    apposed: bool = False  # "le président kazakh, Kassym-Jomart Tokaïev"
    stop: _Token | None = None  # the word the name ended at
    pronoun: _Token | None = None


def _read(lang: Language, text: str, pos: int, limit: int) -> _Phrase | None:
    """The subject phrase at ``pos``: an optional role (articles, adjectives, titles, "des
    Affaires étrangères"), then a name; None where a clause or an odd comma comes first."""
    ph = _Phrase()
    for tok in _tokens(lang, text, pos, limit):
        if not ph.pre and not ph.name and tok.fold in lang.pronouns:
            ph.pronoun = tok
            return ph
        if tok.kind == "comma":
            if ph.name and not _complement(lang, ph):
                ph.stop = tok
                return ph
            if ph.name:  # "de Kazajistán,": the role's, not the name
                ph.pre += ph.name
                ph.name = []
            if not ph.titled or ph.apposed:
                return None
            ph.apposed = True
            continue
        if tok.kind == "word" and lang.is_title(tok.text) and not tok.suffixed:
            ph.pre += ph.name  # "Kasachstans Präsident": the country's, not the name
            ph.name, ph.titled = [], True
            ph.pre.append(tok)
            continue
        if _is_name_word(lang, tok):
            ph.name.append(tok)
            if len(ph.name) > _MAX_NAME:
                return None
            continue
        if ph.name and not _complement(lang, ph):
            ph.stop = tok
            return ph
        if ph.apposed or tok.fold in lang.clause:
            return None  # "sagte der Präsident, der später …": no name after the comma
        ph.pre += [*ph.name, tok]
        ph.name = []
        if len(ph.pre) > _MAX_PRE:
            return None
    return ph


def names_person(
    lang: Language, text: str, start: int, end: int, known: Callable[[int, int], bool]
) -> bool:
    """Whether ``text[start:end]`` names a person: two capitalised names in a row ("Marat
    Karabaïev") or a title and a name ("ministre Karabaïev"), none of them a word
    ``known(start, end)`` says is a place's or an organisation's ("Kasachstan")."""
    run, titled = 0, False
    for tok in _tokens(lang, text, start, end):
        if _is_name_word(lang, tok) and not lang.is_org(tok.text) and not known(tok.start, tok.end):
            run += 1
            if run >= 2 or titled:
                return True
            continue
        run = 0
        titled = tok.kind == "word" and lang.is_title(tok.text) and not tok.suffixed
    return False


def _complement(lang: Language, ph: _Phrase) -> bool:
    """Whether the name read so far is a preposition's object ("des Affaires", "de
    Kazajistán", "de l'Énergie"), part of the role: only after a title ("Sprecher des
    Ministeriums")."""
    return ph.titled and len(ph.name) == 1 and _after_of(lang, ph.pre)


def _after_of(lang: Language, pre: list[_Token]) -> bool:
    """Whether ``pre`` ends with a preposition of "of", an article after it or not."""
    words = [t.fold.rstrip("'’") for t in pre]
    while words and words[-1] in lang.articles | {a.rstrip("'’") for a in lang.articles}:
        words.pop()
    return bool(words) and words[-1] in lang.of | {o.rstrip("'’") for o in lang.of}


def _found(lang: Language, text: str, ph: _Phrase | None, *, opens: bool) -> Found:
    """The attribution a phrase makes; ``opens``: it opens a sentence, where a capital is
    no sign of a name ("Açıklamada Tokayev")."""
    if ph is None:
        return NO_ONE
    if ph.pronoun is not None:
        return Found(ph.pronoun.text, None)
    name = list(ph.name)
    if name and _after_of(lang, ph.pre):
        name = name[1:]  # "presidente de Kazajistán Kasim-Yomart Tokáyev"
    if ph.apposed and ph.stop is not None and ph.stop.kind == "word":
        return NO_ONE  # "sagte der Präsident, Tokajew werde …": Tokajew is another clause's
    if name and (_of_title(lang, ph) or _genitive(lang, text, ph, name)):
        return NO_ONE  # "un porte-parole du président Tokaïev", "ein Sprecher Tokajews"
    if not name:
        return _role(lang, ph)
    if not ph.titled:
        if any(t.fold in lang.articles for t in ph.pre):
            return NO_ONE  # "die Regierung", "el Fondo Monetario": a thing's name
        if any(t.fold in lang.prepositions or t.fold in lang.of for t in ph.pre):
            return NO_ONE  # "dijo a Tokáyev el ministro": Tokáyev was spoken to
        if any(t.kind != "word" or not lang.no_name(t.fold) for t in ph.pre):
            return NO_ONE  # lower-case words of no role before the name
        if len(name) > 3:
            return NO_ONE
        if opens and len(name) > 1 and not ph.pre and _common(text, name[0].text):
            name = name[1:]  # "Açıklamada Tokayev": a sentence's first word, written small too
    words = " ".join(t.text for t in name)
    if any(lang.is_org(t.text) for t in name):
        return Found(words, words if not ph.pre else None)  # "Kazakistan Dışişleri Bakanlığı"
    if len(name) == 1 and not (
        _right_after_title(lang, ph, name[0]) or _titled_elsewhere(lang.code, text, words)
    ):
        return Found(words, None)  # "Tokajew" alone: resolve_speakers may know the person
    return Found(words, words)


def _of_title(lang: Language, ph: _Phrase) -> bool:
    """Whether the name's title is the object of an "of" ("ein Sprecher von Präsident
    Tokajew", "la fille du président Tokaïev", "un proche de M. Tokaïev") or in a case no
    subject takes ("des Präsidenten Tokajew"): the speaker is the one the words before it
    name, whose name is not given."""
    titles = [k for k, t in enumerate(ph.pre) if t.kind == "word" and lang.is_title(t.text)]
    if not titles:
        return False
    k = titles[-1]
    if lang.is_oblique(ph.pre[k].text):
        return True
    for tok in reversed(ph.pre[:k]):
        fold = tok.fold.rstrip("'’")
        if tok.fold in lang.articles or fold in lang.articles:
            continue  # German "der", "des" first: "sagte der Präsident Tokajew"
        return tok.fold in lang.of or fold in lang.of  # not "dijo en rueda de prensa el …"
    return False


def _genitive(lang: Language, text: str, ph: _Phrase, name: list[_Token]) -> bool:
    """Whether a lone name after a title is in the genitive ("ein Sprecher Tokajews", "der
    Berater Tokajews": the one whose spokesman speaks): an "s" on a name the text also
    writes without it, or after an article and a title that holds no office of its own
    ("Ministerpräsident Mitsotakis" is himself)."""
    if "genitive" not in lang.order or len(name) != 1 or ph.apposed:
        return False
    word = name[0].text
    if len(word) < 4 or not word.endswith("s") or word.endswith("ss"):
        return False
    if _stem_in(text, word[:-1]):
        return True
    words = [t for t in ph.pre if t.kind == "word"]
    if not _right_after_title(lang, ph, name[0]) or len(words) < 2:
        return False
    return words[-2].fold in lang.articles and _office(lang, words[-1].fold) is None


def _office(lang: Language, fold: str) -> str | None:
    """The English role of a title that holds an office ("Präsident", "Ministerpräsident"),
    not a spokesman's or an adviser's."""
    role = lang.roles.get(fold) or next(
        (r for t, r in lang.roles.items() if len(t) >= _TITLE_ENDS and fold.endswith(t)), None
    )
    return None if role in (None, "spokes") else role


def _stem_in(text: str, stem: str) -> bool:
    return re.search(rf"(?<![\w'’-]){re.escape(stem)}(?![\w'’-])", text) is not None


def _role(lang: Language, ph: _Phrase) -> Found:
    """A title alone, an article at most before it ("dijo el presidente", "Der Präsident
    sagte"), as the English role resolve_speakers finds a person by ("the president");
    with any other word ("el presidente ruso") no one."""
    words = [t for t in ph.pre if t.fold not in lang.articles]
    if ph.apposed or len(words) != 1 or words[0].fold not in lang.roles:
        return NO_ONE
    return Found(f"the {lang.roles[words[0].fold]}", None)


def _right_after_title(lang: Language, ph: _Phrase, name: _Token) -> bool:
    before = [t for t in ph.pre if t.end <= name.start and t.kind == "word"]
    return bool(before) and lang.is_title(before[-1].text)


_TWO_BEFORE = re.compile(r"(?:(\S+)[ \t\u00a0]+)?(\S+)[ \t\u00a0]+$")


@lru_cache(maxsize=256)  # asked per quote; a transcript says "sagte Tokajew" 2,000 times
def _titled_elsewhere(code: str, text: str, word: str) -> bool:
    """Whether the text gives the name ``word`` a title somewhere ("Präsident Tokajew",
    "Cumhurbaşkanı Kasım Cömert Tokayev") or a given name ("Kasim-Yomart Tokáyev"): then
    it is a person's, not a thing's."""
    lang = _languages()[code]
    for m in re.finditer(rf"(?<![\w'’-]){re.escape(word)}(?![\w-])", text):
        left = _TWO_BEFORE.search(text, max(0, m.start() - 80), m.start())
        if left is None:
            continue
        far, near = (left.group(1) or ""), left.group(2)
        if lang.is_title(near) or (far and lang.is_title(far) and near[:1].isupper()):
            return True
        if _given_name(lang, text, far, near.strip("(")):
            return True
    return False


def _given_name(lang: Language, text: str, far: str, given: str) -> bool:
    """Whether ``given`` is a given name before a surname ("Kasim-Yomart Tokáyev"), itself
    after no article or preposition (``far``: "der Konzern Kazatomprom" is a thing's)."""
    fold = far.casefold().rstrip("'’")
    return (
        given[:1].isupper()
        and given.replace("-", "").isalpha()
        and not (lang.no_name(given.casefold()) or lang.is_title(given) or lang.is_org(given))
        and given.casefold() not in lang.dates
        and fold not in lang.articles | lang.of
        and not _common(text, given)  # "Açıklamada Tokayev": "açıklamada" is a word
    )


def full_name(lang: Language, text: str, surname: str) -> str | None:
    """The name the text gives a lone surname elsewhere, its given name before it
    ("Yersaín Nagaspáyev" for "afirmó Nagaspáyev"); None where it gives none, or two."""
    found: set[str] = set()
    for m in re.finditer(rf"(?<![\w'’-]){re.escape(surname)}(?![\w-])", text):
        left = _TWO_BEFORE.search(text, max(0, m.start() - 80), m.start())
        if left is not None and _given_name(lang, text, left.group(1) or "", left.group(2)):
            found.add(f"{left.group(2)} {surname}")
    return found.pop() if len(found) == 1 else None


def _common(text: str, word: str) -> bool:
    """Whether ``word`` is also written in lower case in ``text``: a common word."""
    low = word[:1].lower() + word[1:]
    return low != word and re.search(rf"(?<![\w-]){re.escape(low)}(?![\w-])", text) is not None


def after(lang: Language, masked: str, end: int) -> Found | None:
    """The attribution right after a quote that closed at ``end``: a verb and its inverted
    subject ("sagte Tokajew", "a-t-il dit"), or "so"/"selon"/"según" and the speaker. None
    where no speech verb follows; ``BARE`` for a verb with no subject ("…», añadió.")."""
    limit = min(len(masked), end + 200)
    if m := lang.according_after.match(masked, end, limit):
        return _found(lang, masked, _read(lang, masked, m.end(), limit), opens=False)
    m = lang.verb_after.match(masked, end, limit)
    if m is None:
        return None
    if pro := next((p for k, p in m.groupdict().items() if k != "verb" and p), None):
        return Found(pro, None)
    rest = masked[m.end() : limit]
    if not rest.strip(" \t") or rest.lstrip(" \t")[:1] in ".;:!?\n)—–-":
        return BARE
    return _found(lang, masked, _read(lang, masked, m.end(), limit), opens=False)


def before(lang: Language, masked: str, start: int, mark: int) -> Found | None:
    """The speaker a sentence names before a quote's mark at ``mark``: "Tokajew sagte:",
    "Am Dienstag sagte Tokajew:", "Selon M. Tokaïev, «", 'Tokayev şunları söyledi: "'. The
    last speech verb counts ("X sagte, Y erklärte: „…“": Y's words)."""
    if "sov" in lang.order:
        return (
            subject_first(lang, masked, start, mark)
            if lang.verb_any.search(masked, start, mark)
            else None
        )
    verbs = list(lang.verb_any.finditer(masked, start, mark))
    according = list(lang.according_any.finditer(masked, start, mark))
    if according and (not verbs or according[-1].start() > verbs[-1].start()):
        acc = according[-1]
        lead = masked[start : acc.start()].rstrip()
        opening = not lead or lead.endswith(",")
        found = _found(lang, masked, _read(lang, masked, acc.end(), mark), opens=False)
        if opening and found.cue:  # "Selon M. Tokaïev, «…»"; not "so ernst"
            return found
    if not verbs:
        return None
    verb = verbs[-1]
    if any(v for k, v in verb.groupdict().items() if k != "verb" and v):
        return None  # "a-t-il dit" before the quote: the pronoun's, read after quotes only
    found = _subject_before(lang, masked, start, verb.start())
    if found is not None:
        return found
    if _only_adverbial(lang, masked, start, verb.start()):  # "Am Dienstag sagte Tokajew:"
        return _found(lang, masked, _read(lang, masked, verb.end(), mark), opens=False)
    return None


def _subject_before(lang: Language, masked: str, start: int, verb: int) -> Found | None:
    """The subject right before a verb, an apposition between them ("Kassym-Jomart
    Tokaïev, le président kazakh, a déclaré") or after its role ("El presidente de
    Kazajistán, Kasim-Yomart Tokáyev, afirmó")."""
    region = masked[start:verb].rstrip(" \t\u00a0")
    tries = [(region, ",;:—–(")]
    if region.endswith(","):
        body = region[:-1]
        tries = [(body, ";:—–(")]
        prior = body.rfind(",")
        if prior != -1 and not any(c in body[prior:] for c in ".;:!?" + MASK):
            tries.append((body[:prior], ",;:—–("))
    for body, cuts in tries:
        clause_start = start + max(body.rfind(c) for c in cuts) + 1
        found = _clause_subject(lang, masked, start, clause_start, start + len(body))
        if found is not None:
            return found
    return None


def _clause_subject(
    lang: Language, masked: str, start: int, clause_start: int, clause_end: int
) -> Found | None:
    """The subject that ``masked[clause_start:clause_end]`` is, whole, or None."""
    ph = _read(lang, masked, clause_start, clause_end)
    if ph is not None and ph.pronoun is not None:  # "Er sagte: „…“"
        alone = not masked[ph.pronoun.end : clause_end].strip()
        return _found(lang, masked, ph, opens=True) if alone else None
    if ph is None or ph.stop is not None:
        return None
    if not ph.name:  # "Der Präsident sagte:"
        found = _role(lang, ph)
        return found if found.cue else None
    if masked[ph.name[-1].end : clause_end].strip():
        return None
    opens = not masked[start:clause_start].strip()
    found = _found(lang, masked, ph, opens=opens)
    return found if found.cue else None


def _only_adverbial(lang: Language, masked: str, start: int, verb: int) -> bool:
    """Whether the words before a verb are no subject ("Am Dienstag", "Dazu"), so that the
    subject follows the verb (German puts the verb second)."""
    toks = list(_tokens(lang, masked, start, verb))
    if masked[start:verb].strip(" \t,") and not toks:
        return False
    consumed = toks[-1].end if toks else start
    if masked[consumed:verb].strip(" \t,"):
        return False  # punctuation or a quote between: another clause
    return all(t.kind != "word" or lang.no_name(t.fold) or t.fold in lang.dates for t in toks)


def subject_first(lang: Language, masked: str, start: int, mark: int) -> Found | None:
    """The subject that opens a sentence, for a verb after its quote: 'Cumhurbaşkanı
    Tokayev, "…" dedi', 'Astana'da konuşan Cumhurbaşkanı Tokayev, "…" diye konuştu'. The
    subject is the phrase nearest the quote (or its verb): a name before it with a
    participle between is that phrase's ('Tokayev ile görüşen Erdoğan, "…" dedi': the one
    Erdoğan met), and one joined to it by "ve" or "ile" makes two people, no one."""
    ph = _read(lang, masked, start, mark)
    if ph is None or ph.pronoun is not None or not ph.name:
        return None
    toks = list(_tokens(lang, masked, start, mark))
    verbs = [v.start() for v in lang.verb_any.finditer(masked, start, mark)]
    tail = _tail(lang, masked, toks, verbs[-1] if verbs else mark)  # 'X şunları söyledi: "'

    opens = True
    if tail is not None and tail > 0 and _participle(lang, toks[tail - 1]):
        ph = _read(lang, masked, toks[tail].start, mark)
        if ph is None or ph.pronoun is not None or not ph.name:
            return None
        opens = False
    elif tail is not None and ph.name[0].start < toks[tail].start:
        return None  # "Tokayev ve Erdoğan", "Tokayev ile Erdoğan": two people
    elif ph.stop is not None and ph.stop.fold in lang.prepositions | lang.clause:
        return None  # 'Tokayev ile görüşen Erdoğan açıklamasında "…"': whose is unclear
    found = _found(lang, masked, ph, opens=opens)
    return found if found.cue else None


def _tail(lang: Language, masked: str, toks: list[_Token], end: int) -> int | None:
    """The index of the first of the words (names and titles) that end right before
    ``end`` (a comma, a colon or a dash between), or None where no name ends there."""
    end = len(masked[:end].rstrip(" \t\u00a0,:;—–-"))
    first = None
    for k in range(len(toks) - 1, -1, -1):
        tok = toks[k]
        if tok.start >= end:
            continue
        if first is None and tok.end != end:
            return None
        named = _is_name_word(lang, tok) or (lang.is_title(tok.text) and not tok.suffixed)
        if tok.kind != "word" or not named:
            break
        first = k
    if first is None or not any(_is_name_word(lang, t) for t in toks[first:]):
        return None
    return first


def _participle(lang: Language, tok: _Token) -> bool:
    """Whether a word ends a clause that describes the name after it ("görüşen",
    "kabul eden", "кездескен"): a lower-case word of no role, no linking word."""
    return tok.text[:1].islower() and _plain_word(lang, tok)
