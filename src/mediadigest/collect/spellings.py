"""Prefilter: every spelling of a word that analyse folds into it, for the byte scan to look for.

analyse matches aliases in folded text (``matching.normalise``: NFKC, casefold, Turkish İ
and ı as i, ё as е, Arabic kaf and yeh as Persian). A byte scan cannot fold, so the
prefilter looks for each spelling a folded word of an alias can come from (``forms``):

- the case of the whole word: lower, UPPER, Title, and the alias as the profile writes it
  ("КазМунайГаз": no rule gives its mixed case);
- letter by letter, the letters folding merges: i with ı, and in capitals I with İ, in any
  number of places ("Kırgızistan", "KIRGIZİSTAN"), and so ک with ك and ی with ي; е with
  ё in one place ("Семёнов"); a final ی or ي with ى, a final σ with ς; ss with ß (ẞ); the
  Armenian եւ with its letter և ("Երևան"); ff, fi, fl, ffi and ffl with their ligatures
  (text copied from a PDF); the Thai and Lao letters NFKC takes apart (ำ, ຳ, ໜ, ໝ) and
  the Arabic-script letters with a high hamza (Kazakh written in Arabic script);
- the whole word in other characters NFKC folds: composed and decomposed accents (NFC,
  NFD), half-width katakana ("ｱﾙﾒﾆｱ"), Arabic presentation forms (shaped letters, as text
  converted from a PDF holds them; the lam-alef ligature among them).

A word with more spellings letter by letter than ``CAP`` (a name with many i's) is looked
for by its longest part with at most that many (``fragment``): a prefilter may let through
too much, never too little.

Not covered: mixed case beyond the profile's own spelling ("КаЗаХсТаН"), and the
compatibility characters ``GAPS`` lists (full-width Latin letters and digits, mathematical,
enclosed and modifier letters, Latin digraphs, polytonic Greek, CJK radicals and
compatibility ideographs, ...).
"""

from __future__ import annotations

import functools
import unicodedata

from mediadigest.matching import key_form, matchable, normalise

__all__ = ["CAP", "GAPS", "count", "folded", "forms", "fragment", "letter_forms", "segments"]

CAP = 64  # spellings of one word letter by letter (lower, UPPER and Title together)

# Letter by letter, what a page may have written where the folded word has this letter:
_ANY = {"i": "ı", "ک": "ك", "ی": "ي"}  # in any number of places ("Kırgızistan")
_ANY_UPPER = {"i": "İ"}  # in capitals, besides the upper case of those ("KIRGIZİSTAN")
_ONCE = {"е": "ё"}  # in one place at most: Russian writes ё where it is one, or nowhere
_LAST = {"σ": "ς", "ی": "ى", "ي": "ى"}  # at its end
# Letters one character folds into: that character (lower case; capitals after).
_JOINED = {
    "ss": "ß", "եւ": "և", "ff": "ﬀ", "fi": "ﬁ", "fl": "ﬂ", "ffi": "ﬃ", "ffl": "ﬄ",
    "ํา": "ำ", "ໍາ": "ຳ", "ຫນ": "ໜ", "ຫມ": "ໝ",  # Thai sara am, Lao am, ho no and ho mo
    "اٴ": "ٵ", "وٴ": "ٶ", "ۇٴ": "ٷ", "یٴ": "ٸ",  # high hamza letters (Kazakh in Arabic script)
}  # fmt: skip
_JOINED_UPPER = {"ss": "ẞ"}
_STARTS = frozenset(letters[0] for letters in _JOINED)
_SPECIAL = frozenset([*_ANY, *_ONCE, *_LAST, *_STARTS])
_CASES = ("lower", "upper", "title")

# Characters NFKC folds into letters or digits that no form here spells, by reason; a page
# writing a word in them passes only where the word is on it in another spelling too.
GAPS: dict[str, tuple[tuple[int, int], ...]] = {
    "full-width Latin letters and digits": ((0xFF10, 0xFF5A),),
    "mathematical, letter-like and enclosed letters, digits and numbers": (
        (0x00B2, 0x00B3), (0x00B5, 0x00B5), (0x00B9, 0x00B9), (0x00BC, 0x00BE),
        (0x20A8, 0x20A8), (0x2100, 0x218F), (0x2460, 0x24FF), (0x1D400, 0x1D7FF),
        (0x1EE00, 0x1EEFF), (0x1F100, 0x1F1FF), (0x1FBF0, 0x1FBF9)),
    "superscript, subscript and modifier letters": (
        (0x00AA, 0x00AA), (0x00BA, 0x00BA), (0x02B0, 0x02FF), (0x10FC, 0x10FC), (0x1D2C, 0x1DBF),
        (0x2070, 0x209F), (0x2C7C, 0x2C7D), (0x2D6F, 0x2D6F), (0xA69C, 0xA69D), (0xA770, 0xA770),
        (0xA7F2, 0xA7F9), (0xAB5C, 0xAB5F), (0xAB69, 0xAB69), (0x10780, 0x107BA)),
    "Latin digraph and historic letters (ĳ, ǆ, ǉ, ǌ, ǳ, ŉ, ſ, ẚ)": (
        (0x0132, 0x0133), (0x013F, 0x0140), (0x0149, 0x0149), (0x017F, 0x017F), (0x01C4, 0x01CC),
        (0x01F1, 0x01F3), (0x1E9A, 0x1E9B)),
    "Greek symbols and polytonic Greek": ((0x0345, 0x0345), (0x0374, 0x037A), (0x03D0, 0x03F9),
                                          (0x1F00, 0x1FFF)),
    "old Cyrillic letter forms": ((0x1C80, 0x1C88),),
    "Indic and Tibetan letters NFC decomposes": (
        (0x0958, 0x095F), (0x09DC, 0x09DF), (0x0A33, 0x0A36), (0x0A59, 0x0A5E), (0x0B5C, 0x0B5D),
        (0x0F00, 0x0FFF)),
    "typographic ligatures (st, Armenian), Hebrew presentation forms": ((0xFB05, 0xFB4F),),
    "Arabic ligatures beyond lam-alef": ((0xFBEA, 0xFBFB), (0xFC00, 0xFDFF)),
    "CJK radicals, compatibility ideographs, enclosed and squared characters": (
        (0x2E80, 0x2FDF), (0x3038, 0x303A), (0x3190, 0x33FF), (0xF900, 0xFAFF),
        (0x1F200, 0x1F2FF), (0x2F800, 0x2FA1F)),
    "kana digraphs, Hangul compatibility and half-width jamo": (
        (0x309F, 0x309F), (0x30FF, 0x30FF), (0x3131, 0x318E), (0xFFA0, 0xFFDC)),
}  # fmt: skip

# What a page may have written at one place of a word: (characters, letters of the word
# they stand for, _ONCE letters they use).
Option = tuple[str, int, int]


def _options(word: str, at: int, upper: bool) -> list[Option]:
    """What a page may have written at ``at`` of ``word``, in lower case or in capitals."""
    char = word[at]
    options = list(_letter_options(char, at == len(word) - 1, upper))
    if char in _STARTS:
        for letters, joined in _JOINED.items():
            if word.startswith(letters, at):
                spelt = _JOINED_UPPER.get(letters, "") if upper else joined
                options += [(c, len(letters), 0) for c in spelt]  # upper case: the letters'
    return options


@functools.lru_cache(maxsize=4096)
def _letter_options(char: str, last: bool, upper: bool) -> tuple[Option, ...]:
    """The characters a page may have written for ``char`` (the word's last if ``last``)."""
    free = char + _ANY.get(char, "") + (_LAST.get(char, "") if last else "")
    if not char.isalnum():  # a mark within a word ("kaspi.kz"): full-width, small forms
        free += _marks().get(char, "")
    found = {(c, 0) for c in free} | {(c, 1) for c in _ONCE.get(char, "")}
    if upper:
        capitals = {(c, 0) for c in _ANY_UPPER.get(char, "")}
        found = {(c.upper(), once) for c, once in found} | capitals
    return tuple((c, 1, once) for c, once in sorted(found))


def _plain(word: str) -> bool:
    """Whether ``word`` has no letter or mark another character folds into."""
    return _SPECIAL.isdisjoint(word) and _marks().keys().isdisjoint(word)


@functools.cache
def _marks() -> dict[str, str]:
    """ASCII marks -> the compatibility characters NFKC folds into them (．﹒ for ".")."""
    found: dict[str, str] = {}
    for code in (*range(0x2000, 0x2070), *range(0xFE10, 0xFE70), *range(0xFF01, 0xFF5F)):
        folded = normalise(chr(code))
        if len(folded) == 1 and folded.isascii() and not folded.isalnum():
            found[folded] = found.get(folded, "") + chr(code)
    return found


@functools.lru_cache(maxsize=4096)
def _lattice(word: str, case: str) -> tuple[tuple[Option, ...], ...]:
    """The options at each place of ``word`` in a case (title: the first letter a capital)."""
    lattice = [tuple(_options(word, at, case == "upper")) for at in range(len(word))]
    if case == "title" and word:
        lattice[0] = tuple(o for o in _options(word, 0, upper=True) if o[1] == 1)
    return tuple(lattice)


def _spelt(word: str, case: str) -> list[str]:
    """Every spelling of ``word`` letter by letter in ``case`` (only under the CAP)."""
    lattice = _lattice(word, case)

    @functools.cache
    def tails(at: int, used: int) -> tuple[str, ...]:
        if at == len(word):
            return ("",)
        return tuple(c + tail for c, size, once in lattice[at] if used + once <= 1
                     for tail in tails(at + size, used + once))  # fmt: skip

    return list(tails(0, 0))


def _count(word: str, case: str) -> int:
    """How many spellings ``_spelt`` gives, worked out without them."""
    lattice = _lattice(word, case)
    free, once = [0] * len(word) + [1], [0] * len(word) + [1]  # from here on, ё still free/used
    for at in range(len(word) - 1, -1, -1):
        for _, size, uses in lattice[at]:
            free[at] += once[at + size] if uses else free[at + size]
            once[at] += 0 if uses else once[at + size]
    return free[0]


@functools.lru_cache(maxsize=4096)
def count(word: str) -> int:
    """The spellings of ``word`` letter by letter, in all three cases (at most)."""
    if _plain(word):
        return 3
    return sum(_count(word, case) for case in _CASES)


def fragment(word: str) -> tuple[int, int]:
    """Where the part of ``word`` to look for starts and ends: the whole word when it has
    at most CAP spellings, else its longest part that has."""
    if count(word) <= CAP:
        return 0, len(word)
    best = (0, 0)
    for start in range(len(word)):
        end = start + best[1] - best[0] + 1  # only longer parts are of use
        while end <= len(word) and count(word[start:end]) <= CAP:
            best, end = (start, end), end + 1
    return best


@functools.lru_cache(maxsize=8192)  # a profile's words, each asked for twice or more
def letter_forms(word: str, written: tuple[str, ...] = ()) -> frozenset[str]:
    """``word`` (a folded word of a key) in every case and letter by letter, composed and
    decomposed, and as ``written`` (the alias's own words) wherever that holds it."""
    found = {word.lower()}  # casefold gives Cherokee in capitals: its small letters too
    if _plain(word):  # most words: only their case to vary
        found |= {word, word.upper(), word[:1].upper() + word[1:]}
    else:
        found.update(*(_spelt(word, case) for case in _CASES))
    for own in written:
        if word in folded(own):
            found |= {own, own.upper()}
    return frozenset(unicodedata.normalize(nf, f) for f in found for nf in ("NFC", "NFD"))


@functools.lru_cache(maxsize=8192)
def forms(word: str, written: tuple[str, ...] = ()) -> frozenset[str]:
    """Every spelling of ``word`` the scan looks for: ``letter_forms``, and those in
    half-width katakana and in Arabic presentation forms."""
    found = set(letter_forms(word, written))
    found |= {half for f in found if (half := _half_width(f))}
    found |= {shape for f in found for shape in _shaped(f)}
    return frozenset(found)


def segments(alias: str) -> list[str]:
    """The words of ``alias`` as written, split where its key splits (spaces, hyphens,
    apostrophes and the punctuation matching reads as a space)."""
    words, current = [], ""
    for char in alias:
        if _is_gap(char):
            words.append(current)
            current = ""
        else:
            current += char
    return [w for w in (*words, current) if w]


@functools.cache
def _is_gap(char: str) -> bool:
    spaced = matchable(char)  # " " alone: dropped (a soft hyphen), not a gap
    return spaced != " " and not spaced.strip(" -'")


@functools.cache
def folded(text: str) -> str:
    """``text`` as analyse matches it (an alias's key, without the leading space)."""
    return key_form(normalise(text))


@functools.cache
def _half_widths() -> dict[str, str]:
    table = {"\u3099": "\uff9e", "\u309a": "\uff9f"}  # voiced and semi-voiced marks
    for code in range(0xFF61, 0xFFA0):
        full = unicodedata.normalize("NFKC", chr(code))
        if len(full) == 1 and full not in table:
            table[full] = chr(code)
    return table


def _half_width(text: str) -> str | None:
    """``text`` with its katakana half-width (as NFKC reads it back), or None if it has none."""
    if not any("\u30a1" <= c <= "\u30fc" for c in text):  # no katakana
        return None
    table = _half_widths()
    decomposed = unicodedata.normalize("NFD", text)
    if not any(c in table and c not in "\u3099\u309a" for c in decomposed):
        return None
    return "".join(table.get(c, c) for c in decomposed)


_ISOLATED, _FINAL, _INITIAL, _MEDIAL = "<isolated>", "<final>", "<initial>", "<medial>"
_ALEFS = "اأإآ"


@functools.cache
def _presentation() -> dict[tuple[str, str], str]:
    """(letters, position) -> the Arabic presentation form NFKC folds into them."""
    table = {}
    # The FE70 block last: where both blocks have a form, pages use its.
    for code in (*range(0xFB50, 0xFE00), *range(0xFE70, 0xFF00)):
        tag, _, codes = unicodedata.decomposition(chr(code)).partition(" ")
        if tag in (_ISOLATED, _FINAL, _INITIAL, _MEDIAL):
            table["".join(chr(int(c, 16)) for c in codes.split()), tag] = chr(code)
    return table


def _shaped(text: str) -> set[str]:
    """``text`` in Arabic presentation forms, as it would be shaped standing alone, joined
    to a letter before it, after it, and both (a clitic, an ending); empty if it is not
    Arabic letters."""
    if not text or not "\u0621" <= text[0] <= "\u06ff":  # most words: not Arabic letters
        return set()
    table = _presentation()
    if any((c, _ISOLATED) not in table for c in text):
        return set()
    joins = (False, True)
    return {_shape(text, before, after, table) for before in joins for after in joins}


def _shape(text: str, before: bool, after: bool, table: dict[tuple[str, str], str]) -> str:
    def joins_next(char: str) -> bool:
        return (char, _INITIAL) in table

    def joins_back(char: str) -> bool:
        return (char, _FINAL) in table

    out, at = [], 0
    while at < len(text):
        char = text[at]
        back = joins_back(char) and (joins_next(text[at - 1]) if at else before)
        if char == "ل" and text[at + 1 : at + 2] in tuple(_ALEFS):  # a ligature, always
            out.append(table[text[at : at + 2], _FINAL if back else _ISOLATED])
            at += 2
            continue
        ahead = joins_next(char) and (joins_back(text[at + 1]) if at + 1 < len(text) else after)
        tag = _MEDIAL if back and ahead else _FINAL if back else _INITIAL if ahead else _ISOLATED
        out.append(table[char, tag])
        at += 1
    return "".join(out)
