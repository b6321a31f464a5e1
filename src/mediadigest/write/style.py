"""House style of the digest: dates like "Dec. 18", outlets like "Japan's Jiji Press"."""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mediadigest.profile import Profile

# AP style month abbreviations, as the example digest uses them.
_MONTHS = ["Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.",
           "Nov.", "Dec."]  # fmt: skip

COUNTRY_NAMES = {
    "AE": "the UAE", "AZ": "Azerbaijan", "CN": "China", "DE": "Germany", "FR": "France",
    "GB": "Britain", "IN": "India", "IR": "Iran", "IT": "Italy", "JP": "Japan", "KG": "Kyrgyzstan",
    "KR": "South Korea", "KZ": "Kazakhstan", "PK": "Pakistan", "QA": "Qatar", "RU": "Russia",
    "SA": "Saudi Arabia", "TJ": "Tajikistan", "TM": "Turkmenistan", "TR": "Türkiye",
    "UA": "Ukraine", "US": "the United States", "UZ": "Uzbekistan", "ES": "Spain",
}  # fmt: skip


# Where CLDR's English name does not read as an editor's ("Netherlands's", "Hong Kong SAR
# China's"): the house style's name, with its article.
_CLDR_AMENDED = {
    "BA": "Bosnia and Herzegovina", "BS": "the Bahamas", "CD": "the DR Congo",
    "CF": "the Central African Republic", "CG": "the Republic of the Congo",
    "CZ": "the Czech Republic", "DO": "the Dominican Republic", "GM": "the Gambia",
    "HK": "Hong Kong", "MO": "Macau", "MV": "the Maldives", "NL": "the Netherlands",
    "PH": "the Philippines", "PS": "Palestine",
}  # fmt: skip


@cache
def _cldr_names() -> dict[str, str]:
    from babel import Locale  # a tenth of a second to load: only for a country not listed

    names = Locale("en").territories
    return {
        c: n
        for c, n in names.items()
        if len(c) == 2
        and c.isalpha()
        and c not in ("EU", "UN", "EZ", "ZZ")
        and not c.startswith(("Q", "X"))
    }


def country_name(code: str | None) -> str | None:
    """The country an ISO 3166-1 code names, as the house style writes it: ``Britain``,
    ``the United States``, ``Malaysia``; None for a code that names none."""
    code = (code or "").upper()
    if not code:
        return None
    return COUNTRY_NAMES.get(code) or _CLDR_AMENDED.get(code) or _cldr_names().get(code)


def country_code(name: str) -> str | None:
    """The ISO 3166-1 code of a country named in English ("Japan", "Britain", "the United
    States", "Malaysia"), or None: ``country_name`` the other way round."""
    want = name.strip().casefold().removeprefix("the ")
    for names in (COUNTRY_NAMES, _CLDR_AMENDED, _cldr_names()):
        for code, written in names.items():
            if written.casefold().removeprefix("the ") == want:
                return code
    return None


def listed(names: list[str]) -> str:
    """``A``, ``A and B``, ``A, B and C``: names in a sentence, as the house style lists them."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def agreeing(n: int, noun: str, plural: str | None = None) -> str:
    """``noun`` as it agrees with ``n``: ``document``, ``documents``, ``stories``."""
    return noun if n == 1 else plural or noun + "s"


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``1 document``, ``2 documents``: the noun agreeing with its number."""
    return f"{n} {agreeing(n, noun, plural)}"


# Country names that take "the" inside a sentence ("covering the United States").
_WITH_THE = re.compile(
    r"^(?:United\b|Netherlands$|Philippines$|Bahamas$|Gambia$|Maldives$|Comoros$|Seychelles$"
    r"|Czech Republic$|Dominican Republic$|Central African Republic$|Democratic Republic\b"
    r"|Republic of\b|UAE$|.* Islands$)"
)


def country_in_sentence(name: str) -> str:
    """``United States`` -> ``the United States``; most names stand alone."""
    return f"the {name}" if _WITH_THE.match(name) else name


def weekly(since: date, until: date) -> bool:
    """Whether a digest of ``since``..``until`` speaks of "this week" (else "this period")."""
    return (until - since).days <= 7


def day(value: date) -> str:
    """``Dec. 18``: the house style for a date within the digest's week."""
    return f"{_MONTHS[value.month - 1]} {value.day}"


def period(since: date, until: date) -> str:
    """``Dec. 15–21, 2025``, ``Nov. 28 – Dec. 4, 2025``, across years in full, or one day
    (``Dec. 15, 2025``, not ``Dec. 15–15``)."""
    if since == until:
        return f"{day(since)}, {since.year}"
    if since.year != until.year:
        return f"{day(since)}, {since.year} – {day(until)}, {until.year}"
    if since.month == until.month:
        return f"{day(since)}–{until.day}, {until.year}"
    return f"{day(since)} – {day(until)}, {until.year}"


def outlet_name(outlet: str | None, country: str | None, home: str | None) -> str:
    """Prefix a foreign outlet with its country, as editors do ("China's Global Times"), unless
    its name says it ("The Japan Times"); a name in Cyrillic as English papers write it ("RIA
    Novosti", as names of people are)."""
    if not outlet:
        return "An unnamed outlet"
    outlet = outlet.strip('«»"“”„ ') or outlet  # "«Коммерсантъ»": the quotes are no part of it
    known = _OUTLETS_IN_ENGLISH.get(outlet.casefold())
    if known is None and outlet != (romanised := latin_name(outlet)):
        # A title's words capitalised, as English papers write them: "Novaya Gazeta".
        known = " ".join(w[:1].upper() + w[1:] for w in romanised.split(" "))
    outlet = known or outlet
    name = country_name(country)
    if name is None or country == home or name.startswith("the "):
        return outlet
    return outlet if _names_country(outlet, country or "", name) else f"{name}’s {outlet}"


# Words other than the country's name that name it in an outlet's name: its adjective, its
# capital, a city as well known ("The Moscow Times", "Hindustan Times", "Kyiv Independent").
_COUNTRY_WORDS = {
    "AF": "Afghan Kabul", "AM": "Armenian Yerevan", "AZ": "Azerbaijani Azeri Baku",
    "BY": "Belarusian Minsk", "CN": "Chinese Beijing Shanghai", "DE": "German Berlin",
    "EG": "Egyptian Cairo", "ES": "Spanish Madrid", "FR": "French Paris",
    "GB": "British London", "GE": "Georgian Tbilisi", "ID": "Indonesian Jakarta",
    "IN": "Indian Delhi Mumbai Hindustan", "IR": "Iranian Tehran", "IT": "Italian Rome",
    "JP": "Japanese Tokyo Nippon", "KG": "Kyrgyz Bishkek", "KR": "Korean Seoul",
    "KZ": "Kazakh Astana Almaty", "MN": "Mongolian Ulaanbaatar", "PH": "Philippine Manila",
    "PK": "Pakistani Islamabad", "PL": "Polish Warsaw", "QA": "Qatari Doha",
    "RU": "Russian Moscow Rossiya Rossiyskaya", "SA": "Saudi Riyadh", "TH": "Thai Bangkok",
    "TJ": "Tajik Dushanbe", "TM": "Turkmen Ashgabat", "TR": "Turkish Turkey Ankara Istanbul",
    "UA": "Ukrainian Ukrainska Kyiv Kiev", "UZ": "Uzbek Tashkent", "VN": "Vietnamese Hanoi",
}  # fmt: skip
# Words of a country's name that do not name it alone ("South China Morning Post" is no
# South Korean paper).
_NAME_GENERIC = frozenset(["the", "of", "and", "south", "north", "east", "west", "united",
                           "states", "kingdom", "republic", "democratic", "new", "saint", "st",
                           "islands"])  # fmt: skip


def _names_country(outlet: str, code: str, name: str) -> bool:
    """Whether an outlet's name already says its country ("The Japan Times", "Times of
    India", "The Korea Herald"): "Japan’s The Japan Times" says it twice."""
    words = {w.casefold() for w in re.findall(r"[\w-]+", outlet)}
    own = {w.casefold() for w in name.split()} - _NAME_GENERIC
    own |= {w.casefold() for w in _COUNTRY_WORDS.get(code.upper(), "").split()}
    return bool(words & own)


# Outlets whose English name is not their name romanised ("Interfaks", "Izvestiya", "RBK").
_OUTLETS_IN_ENGLISH = {"интерфакс": "Interfax", "известия": "Izvestia", "рбк": "RBC",
                       "коммерсантъ": "Kommersant", "ведомости": "Vedomosti",
                       "bbc русская служба": "BBC Russian Service",
                       "украинская правда": "Ukrainska Pravda",
                       "українська правда": "Ukrainska Pravda", "блиц": "Blic"}  # fmt: skip

_DOMAIN = re.compile(r"[\w-]+(?:\.[\w-]+)+")


def sentence_start(outlet: str) -> str:
    """The outlet as the first words of a sentence: ``The website eurasianet.org``.

    A name written in lower case (a domain a page gave as its only name, a brand such as
    "bne IntelliNews") is not capitalised: "Eurasianet.org" is not how the site writes
    itself, and a domain's case is its spelling. The sentence opens with a word that takes
    the capital instead: the rewording style guides (Chicago) prefer to a lower-case start.
    """
    if not outlet[:1].islower():
        return outlet
    return f"The website {outlet}" if _DOMAIN.fullmatch(outlet) else f"The outlet {outlet}"


# Languages an item may be written from, named in its attribution line ("in Russian").
LANGUAGE_NAMES = {
    "ar": "Arabic", "az": "Azerbaijani", "be": "Belarusian", "bg": "Bulgarian",
    "bn": "Bengali", "cs": "Czech", "da": "Danish", "de": "German", "el": "Greek",
    "es": "Spanish", "et": "Estonian", "fa": "Persian", "fi": "Finnish", "fr": "French",
    "he": "Hebrew", "hi": "Hindi", "hr": "Croatian", "hu": "Hungarian", "hy": "Armenian",
    "id": "Indonesian", "it": "Italian", "ja": "Japanese", "ka": "Georgian", "kk": "Kazakh",
    "ko": "Korean", "ky": "Kyrgyz", "lt": "Lithuanian", "lv": "Latvian", "mn": "Mongolian",
    "ms": "Malay", "nl": "Dutch", "no": "Norwegian", "nb": "Norwegian", "pl": "Polish",
    "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "sk": "Slovak", "sr": "Serbian",
    "sv": "Swedish", "tg": "Tajik", "th": "Thai", "tk": "Turkmen", "tr": "Turkish",
    "uk": "Ukrainian", "ur": "Urdu", "uz": "Uzbek", "vi": "Vietnamese", "zh": "Chinese",
}  # fmt: skip

# BGN/PCGN romanisation of Russian, with the letters of Kazakh and Ukrainian: the spelling
# English-language papers use for names from the region (Yerzhanov, Tokayev, Zhaksybekov).
_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya", "ә": "a", "ғ": "g",
    "қ": "k", "ң": "n", "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "і": "i", "є": "ye", "ї": "yi",
    "ґ": "g",
}  # fmt: skip
_VOWELS = frozenset("аеёиоуыэюяәөұүієїъь")


def latin_name(name: str) -> str:
    """A name in Cyrillic as an English text spells it (``Марат Ержанов`` -> ``Marat
    Yerzhanov``); a name in any other script comes back as it is."""
    if not any(ch.casefold() in _LATIN for ch in name):
        return name
    return "".join(_latin_word(w) for w in re.split(r"(\W+)", name))


_LATIN_LETTER = re.compile(r"[A-Za-z\u00C0-\u024F]")


def in_latin(text: str) -> bool:
    """Whether every letter of ``text`` is a Latin one (accented too: "Türkiye", "Öskemen")."""
    return all(_LATIN_LETTER.match(ch) for ch in text if ch.isalpha())


def _latin_word(word: str) -> str:
    out = []
    prev = ""
    for ch in word:
        low = ch.casefold()
        if low not in _LATIN:
            out.append(ch)
        else:
            # е is "ye" where it starts a syllable: word-initially and after a vowel.
            latin = "ye" if low == "е" and (not prev or prev in _VOWELS) else _LATIN[low]
            out.append(latin.capitalize() if ch != low else latin)
        prev = low
    text = "".join(out)
    return text.upper() if len(word) > 1 and word.isupper() else text


# Scripts that only one language the digest meets is written in: their letters settle the
# language of a text of any length, where a detector's guess from a short one does not.
# Kana is Japanese (Chinese characters alone may be Chinese); Hangul is Korean.
_SCRIPTS = (
    ("ka", ((0x10A0, 0x10FF), (0x1C90, 0x1CBF), (0x2D00, 0x2D2F))),
    ("hy", ((0x0530, 0x058F), (0xFB13, 0xFB17))),
    ("el", ((0x0370, 0x03FF), (0x1F00, 0x1FFF))),
    ("he", ((0x0590, 0x05FF), (0xFB1D, 0xFB4F))),
    ("th", ((0x0E00, 0x0E7F),)),
    ("ko", ((0xAC00, 0xD7AF), (0x1100, 0x11FF), (0x3130, 0x318F))),
    ("ja", ((0x3040, 0x30FF), (0x31F0, 0x31FF))),
)
_HAN = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF))


def _in(char: str, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(lo <= ord(char) <= hi for lo, hi in ranges)


def script_language(text: str) -> str | None:
    """The language a text's script settles (``ka`` for Georgian letters, ``zh`` for Han
    without kana), when most of its letters are in one such script; None for Latin,
    Cyrillic, Arabic and the rest, which many languages share."""
    letters = [ch for ch in text[:2000] if ch.isalpha()]
    for code, ranges in _SCRIPTS:
        found = sum(_in(ch, ranges) for ch in letters)
        if found and code == "ja":
            found += sum(_in(ch, _HAN) for ch in letters)  # kanji beside the kana
        if found and 2 * found >= len(letters):
            return code
    # Han without kana is Chinese: Japanese, which shares the characters, writes kana beside
    # them. A Chinese headline with no text read as English ("features “蒙古国总统访问北京”").
    han = sum(_in(ch, _HAN) for ch in letters)
    return "zh" if han and 2 * han >= len(letters) else None


def language_name(code: str | None) -> str | None:
    """``Russian`` for ``ru``; None for English and for languages not listed."""
    return LANGUAGE_NAMES.get((code or "").split("-")[0].casefold())


def theme_label(profile: Profile, name: str) -> str:
    """A theme's label inside a sentence: "energy and resources", "AI and digital" (a word
    in capitals keeps them: lower-casing the label wrote "ai and digital")."""
    spec = profile.themes.get(name)
    label = spec.label if spec is not None else name.replace("_", " ")
    return " ".join(w if len(w) > 1 and w.isupper() else w.lower() for w in label.split())


def theme_head(profile: Profile, name: str) -> str:
    """The head of a theme's label in a sentence: "energy" for "Energy and resources",
    "AI" for "AI and digital", "economy" for "Economy, trade and investment"."""
    return re.split(r",| and | & |/", theme_label(profile, name), maxsplit=1)[0].strip()
