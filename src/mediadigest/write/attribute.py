"""Locked attribution: who published what and when, from metadata; quotes checked word for word.

The attribution line says only what the article's metadata says (outlet, date, author, kind);
a roundup's item is credited to the outlet, date and author its own attribution names, and
its line is that attribution sentence, the date in the house style (``write.credit``).
A quote reaches the digest only if its words are, after normalising quote marks and white
space, exactly in the source text, with the speaker the analyse stage found. "Arguing" is for
opinion pieces only; an item written from a headline or a lead says so.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from mediadigest.analyse.kind import own_credit
from mediadigest.analyse.names import is_title, nationalities
from mediadigest.matching import DATE_WORDS
from mediadigest.model import Article, Quote
from mediadigest.profile import Profile, matchable
from mediadigest.write import style
from mediadigest.write.credit import credit
from mediadigest.write.injection import addresses_model

__all__ = [
    "Lede",
    "attribution",
    "credited",
    "normalise_quote",
    "pick_quote",
    "quote_spans",
    "source_note",
    "verified",
]

_QUOTE_MARKS = str.maketrans({c: '"' for c in "“”„‟«»‹›"} | {c: "'" for c in "‘’‚‛`´"})
_SPACE = re.compile(r"\s+")
_NUMBER_WORDS = "one two three four five six seven eight nine ten dozens hundreds thousands"
# A first word that may be lower-cased after "that": function words, not names.
_COMMON_START = {
    "a",
    "an",
    "the",
    "its",
    "their",
    "there",
    "in",
    "on",
    "at",
    "as",
    "after",
    "before",
    "during",
    "with",
    "while",
    "for",
    "by",
    "from",
    "according",
    "some",
    "many",
    "most",
    "several",
    "both",
    "under",
    "over",
    "since",
    "despite",
    "amid",
    *_NUMBER_WORDS.split(),
}
# A first sentence that opens with a pronoun needs what came before it: never absorbed.
_PRONOUNS = {"he", "she", "they", "we", "i", "it", "this", "these", "those", "that"}
# The writer speaking, or to the reader: "Returning home, I discovered…", "Take a look at a
# map, and you're likely to see…" cannot follow "reported that".
_FIRST_PERSON = re.compile(r"\b(?:I|my|we|our|us|you|your)\b")


def normalise_quote(text: str) -> str:
    """Quote marks unified, white space collapsed: the form quotes are compared in."""
    return _SPACE.sub(" ", text.translate(_QUOTE_MARKS)).strip()


def verified(quote: Quote, source: str) -> bool:
    """The quote's words are, word for word, in the source (at its span or anywhere)."""
    want = normalise_quote(quote.text)
    if not want:
        return False
    if normalise_quote(source[quote.start : quote.end]) == want:
        return True
    return want in normalise_quote(source)


# The marks a quote may end with where a report quotes it: "… by 2030," he said; "… by 2030."
_QUOTE_ENDS = " \"'.,;:!?…"
# Words a quote of another report must have to be a piece of the item's quote: "very good"
# may be anyone's words.
_PIECE_WORDS = 4


def _quoted_words(text: str, *, fold: bool = True) -> str:
    said = normalise_quote(text).strip(_QUOTE_ENDS)
    return said.casefold() if fold else said


def quote_spans(quote: str, art: Article) -> list[tuple[int, int]]:
    """Where the words of ``quote`` stand in ``art``'s text, compared as quotes are (quote
    marks and white space normalised, the marks it ends with aside, case aside), and the
    article's own quotes that are a piece of it: a summary sentence there says them again.
    """
    # As the quote writes them, case being the regex's to ignore, and casefolded: "große"
    # folds to "grosse", which finds "GROSSE" but no longer "große" (nor "İstanbul" itself).
    forms = dict.fromkeys((_quoted_words(quote, fold=False), _quoted_words(quote)))
    if not next(iter(forms)):
        return []
    # Quote marks are unified one character for one, so offsets in the unified text hold.
    said = art.text.translate(_QUOTE_MARKS)
    found: dict[tuple[int, int], None] = {}
    for form in forms:
        # Whole words: "We plan" is not in "We planned".
        joined = r"\s+".join(re.escape(w) for w in form.split(" "))
        pattern = re.compile(rf"(?<!\w){joined}(?!\w)", re.IGNORECASE)
        found.update((m.span(), None) for m in pattern.finditer(said))
    spans = sorted(found)
    whole = f" {_quoted_words(quote)} "
    for q in art.quotes:
        piece = _quoted_words(q.text)
        if len(piece.split()) >= _PIECE_WORDS and f" {piece} " in whole:
            spans.append((q.start, q.end))
    return spans


def pick_quote(
    articles: Sequence[Article], profile: Profile | None = None
) -> tuple[Quote, Article] | None:
    """The most salient verified quote with a named speaker: a known person, on the country."""
    best: tuple[float, Quote, Article] | None = None
    for rank, art in enumerate(articles):
        for q in art.quotes:
            # A planted order to a summariser, put in a speaker's mouth, is no quote either.
            if not q.speaker or not verified(q, art.text) or addresses_model(q.text):
                continue
            words = len(q.text.split())
            score = 1.0 - 0.1 * rank + min(words, 40) / 40 - (0.5 if words > 80 else 0.0)
            # A fragment ("it is “likely the first officer began…”") reads badly on its own.
            score -= 0.5 if q.text[:1].islower() else 0.0
            if profile is not None:
                kinds = {t.kind for _, _, t in profile.scan(matchable(f"{q.speaker}. {q.text}"))}
                score += 0.5 * ("person" in kinds) + 0.3 * ("country" in kinds)
            if best is None or score > best[0]:
                best = (score, q, art)
    return (best[1], best[2]) if best else None


@dataclass(slots=True)
class Lede:
    """The attribution sentence; ``absorbs`` says it ends with the first summary sentence."""

    text: str
    absorbs: bool = False
    kept: int | None = None  # of the sentence absorbed, the characters kept, where not all


# A capitalised word before one of these is no title: "Last December", "Early Monday".
_CALENDAR = frozenset(w.capitalize() for w in DATE_WORDS.split())


def _absorbable(sentence: str, names: frozenset[str] = frozenset()) -> str | None:
    """The sentence as it reads after "that", or None if it cannot follow it verbatim.

    A capitalised first word stays as it is where it is a name (one of ``names``: lower-cased
    words of the names the article's entities and the profile hold) or a title before one
    ("Emperor Naruhito"); any other stands the sentence alone: "reported that Terrorists are
    likely…", "that Take a look at a map…", "that Dock workers…" read as nonsense.
    """
    first = sentence.split(maxsplit=1)[0] if sentence.split() else ""
    if not first or not first[0].isalpha() or sentence.rstrip().endswith("?"):
        return None
    word = first.strip(",;:").casefold()
    if word in _PRONOUNS or (first.isupper() and len(first) > 1):  # pronoun, or a DATELINE
        return None
    if _FIRST_PERSON.search(sentence):
        return None
    if first[0].islower():
        return sentence
    if word in _COMMON_START:
        return first[0].lower() + sentence[1:]
    second = sentence.split(maxsplit=2)[1:2]
    calendar = bool(second) and second[0].strip(",.;:") in _CALENDAR  # "Last December"
    if calendar and word.removesuffix("'s").removesuffix("’s") not in names:
        return first[0].lower() + sentence[1:]
    titled = bool(second) and second[0][:1].isupper()  # "Emperor Naruhito", "Prime Minister"
    if titled and _before_nationality(first, second[0], names):
        return first[0].lower() + sentence[1:]
    if titled or word.removesuffix("'s").removesuffix("’s") in names:
        return sentence
    return None


# Words that open a nationality of two ("South Korean", "Latin American", "Sri Lankan"):
# capitalised as part of it, so never lower-cased before one.
_NATIONALITY_LEAD_WORDS = """north south east west northern southern eastern western central
    upper lower middle far near greater new latin native saint st sri san costa puerto el anglo
    afro"""
_NATIONALITY_LEADS = frozenset(_NATIONALITY_LEAD_WORDS.split())


def _before_nationality(first: str, second: str, names: frozenset[str]) -> bool:
    """Whether ``first`` is an ordinary word, capitalised only as the sentence's first, before
    a nationality: "Ordinary Georgian citizens" reads "that ordinary Georgian citizens", as a
    nationality is always capitalised and says nothing of the word before it. A title
    ("Emperor", "President"), a name the article or profile knows, or a word that opens a
    nationality of two keeps its capital."""
    word = first.casefold()
    nationality = second.strip(",.;:").removesuffix("'s").removesuffix("’s")
    return (
        first.isalpha()
        and nationality in nationalities()
        and first.capitalize() not in nationalities()
        and word not in names
        and word not in _NATIONALITY_LEADS
        and not is_title(first)
    )


def _names(art: Article, profile: Profile) -> frozenset[str]:
    """Lower-cased words of the names the article's entities and the profile's terms hold."""
    found = [e.name for e in getattr(art, "entities", None) or []]
    found += [v for e in getattr(art, "entities", None) or [] for v in e.variants]
    words = {w for name in found for w in re.findall(r"\w+", name.casefold())}
    return frozenset(words) | _profile_names(profile)


# Capitalised words of aliases that are common nouns at a sentence's start as well: "National
# Bank of Kazakhstan" must not make "National elections…" a name to run on into.
_NAME_WORDS_GENERIC = """republic national bank savings city university international
    party group company state new airlines railways oil gas ministry foreign government capital
    president authorities officials economy agency fund council committee union museum airport
    region province district lake river sea mountains central north south east west
    people supreme court parliament senate"""
_GENERIC_NAME_WORDS = frozenset(_NAME_WORDS_GENERIC.split())


def _profile_names(profile: Profile) -> frozenset[str]:
    """The words written capitalised in the profile's aliases, less common nouns: "Kazakh
    officials" gives "kazakh", not "officials" ("reported that Officials said…")."""
    found = profile.cache.get("attribution_names")
    if found is None:
        words = (w for t in profile.terms for w in re.findall(r"\w+", t.alias) if w[0].isupper())
        found = profile.cache["attribution_names"] = frozenset(
            w.casefold() for w in words if w.casefold() not in _GENERIC_NAME_WORDS
        )
    return found


def attribution(
    art: Article, profile: Profile, *, first: str | None = None, written_from: str = "text"
) -> Lede:
    """``Japan’s Jiji Press reported on Dec. 18 that …``, from the article's metadata only:
    its page's outlet, date and byline, or those a roundup's item retells (`credit`)."""
    who = credit(art, profile)
    # The line starts with the outlet: a page that did not name its site goes by its domain,
    # which keeps its case ("The website steppe.example reported").
    outlet = style.sentence_start(style.outlet_name(who.outlet, who.country, profile.country_code))
    foreign = _written_in(art)
    when = f" on {style.day(who.day)}" if who.day else ""
    # "published an article in Russian on Dec. 17": the editor sees what needs translating.
    when = f" in {foreign}{when}" if foreign else when
    kind = getattr(art, "kind", "news") or "news"
    author = who.author
    att = getattr(art, "attribution", None)
    role = f", {att.author_role}," if att is not None and att.author_role else ""
    # "reported that" runs on into the article's first sentence, so only an English one.
    english = foreign is None and (art.language or "en").startswith("en")
    absorb = first and written_from == "text" and english
    clause = _absorbable(first, _names(art, profile)) if absorb else None
    if kind == "opinion":
        # An unsigned one (an editorial) is argued all the same, not "reported".
        by = f" by {author}{role.rstrip(',')}" if author else ""
        head = f"{outlet} published an opinion piece{when}{by}"
        if not clause:
            return Lede(f"{head}.")
        # "arguing that …, argues Dana Abenova." would name the author twice: the credit goes.
        signed = own_credit(clause, author) if author else None
        kept = signed.start() if signed else None
        clause = f"{clause[:kept]}." if kept is not None else clause
        return Lede(f"{head}, arguing that {clause}", True, kept)
    if kind == "interview":
        who = (att.interviewee if att is not None else None) or _main_speaker(art)
        who = style.latin_name(who) if who else None
        return Lede(f"{outlet} published an interview{when}{f' with {who}' if who else ''}.")
    if kind == "press_release":
        return Lede(f"{outlet} published a press release{when}.")
    if kind == "sponsored":
        return Lede(f"{outlet} published sponsored content{when}.")
    if author:
        noun = "an analysis" if kind == "analysis" else "an article"
        return Lede(f"{outlet} published {noun}{when} by {author}{role.rstrip(',')}.")
    citing = _citing(art, outlet)
    if clause:
        return Lede(f"{outlet} reported{when}{citing} that {clause}", True)
    return Lede(f"{outlet} reported{when}{citing.rstrip(',')}.")


def credited(
    sentence: str, art: Article, lead: Article, profile: Profile, *, again: bool = False
) -> str:
    """A summary sentence from another report than the one the attribution line credits,
    with its own credit: ``Reuters reported on Dec. 17 that …``, ``Jiji Press added that …``
    (the lead's outlet, the same day). The sentence stays verbatim after the credit (the
    evidence's span ends the text): one that cannot follow "that" as written (it opens with
    "The", a pronoun) follows a colon, as a whole sentence does in AP style.

    An opinion piece's sentence is argued, not reported, and by its author where the byline
    names one: ``In an opinion piece in Hürriyet Daily News on Nov. 19, Serkan Demirtaş argued
    that …``. ``again``: a further sentence of the report just credited, which goes on from
    that credit as written unless it is opinion: ``The piece also argued that
    …``, else the column's view would read as the digest's."""
    if getattr(art, "kind", None) == "opinion":
        return _argued(sentence, art, profile, again=again)
    if again:
        return sentence
    who, lead_by = credit(art, profile), credit(lead, profile)
    outlet = style.sentence_start(style.outlet_name(who.outlet, who.country, profile.country_code))
    day = who.day
    if who.outlet and who.outlet == lead_by.outlet and day is not None and day == lead_by.day:
        verb, citing = "added", ""
    else:
        verb, citing = f"reported{f' on {style.day(day)}' if day else ''}", _citing(art, outlet)
    if _absorbable(sentence, _names(art, profile)) == sentence:
        return f"{outlet} {verb}{citing} that {sentence}"
    return f"{outlet} {verb}{citing.rstrip(',')}: {sentence}"


def _argued(sentence: str, art: Article, profile: Profile, *, again: bool) -> str:
    """An opinion piece's sentence with its credit: the author argued it (the outlet, for an
    unsigned piece); ``again`` for one after the first, which names the piece no more."""
    who = credit(art, profile)
    outlet = style.outlet_name(who.outlet, who.country, profile.country_code)
    when = f" on {style.day(who.day)}" if who.day else ""
    if again:
        # Not the author by surname: "Zhang Jiawei" is Zhang, not Jiawei.
        head = "The piece also argued"
    elif who.author:
        head = f"In an opinion piece in {outlet}{when}, {who.author} argued"
    else:
        head = f"{style.sentence_start(outlet)} argued in an opinion piece{when}"
    if _absorbable(sentence, _names(art, profile)) == sentence:
        return f"{head} that {sentence}"
    return f"{head}: {sentence}"


def _citing(art: Article, outlet: str) -> str:
    source = getattr(art, "reported_by", None) or getattr(art, "origin", None)
    source = _source_in_latin(source, art) if source else None
    if source and source.casefold() not in outlet.casefold():
        return f", citing {source},"
    return ""


def _source_in_latin(source: str, art: Article) -> str | None:
    """The source a report cites as the English line can name it, or None to name none.

    Analyse reads the source of a Russian report from its "…, сообщили <source>.", which may
    be a name ("ТАСС", "Марат Ержанов": romanised, as the line spells other names) or no name
    at all ("в порту Актау", "в министерстве"): a phrase in Russian inside an English line
    ("citing в порту Актау") is left out, as is a source in a script not romanised here.
    """
    if style.in_latin(source):
        return source
    entities = getattr(art, "entities", None) or []
    known = (e.name for e in entities if e.kind in ("person", "org") and source in e.variants)
    if (name := next(known, None)) and style.in_latin(name):
        return name  # the name the article's entity goes by ("Rosatom" for "Росатом")
    # A name has each word capitalised ("РИА Новости", "Марат Ержанов"); a phrase does not
    # ("в порту Актау"), nor does an office ("пресс-служба министерства").
    initials = [next((ch for ch in w if ch.isalpha()), "") for w in source.split()]
    if not all(ch.isupper() for ch in initials if ch):
        return None
    named = style.outlet_name(source, None, None)  # romanised, or an outlet's English name
    return named if style.in_latin(named) else None


# Under this many characters the detected language is a guess; the line does not name it,
# unless the script settles it (Georgian, Greek, Hangul...: style.script_language).
_LANGUAGE_EVIDENCE = 200


def _written_in(art: Article) -> str | None:
    """The name of the article's language when it is not English and the text says so."""
    if code := style.script_language(f"{art.title}\n{art.text}"):
        return style.language_name(code)
    if len(art.text) < _LANGUAGE_EVIDENCE:
        return None
    return style.language_name(art.language)


def _main_speaker(art: Article) -> str | None:
    speakers = [q.speaker for q in art.quotes if q.speaker]
    # The first of the most quoted: a set's order changes from run to run.
    return max(dict.fromkeys(speakers), key=speakers.count) if speakers else None


def source_note(written_from: str) -> str | None:
    """What an item written from less than the article tells the reader."""
    if written_from == "headline":
        return "Only the headline was available; this item goes no further than it."
    if written_from == "lead":
        return "Written from the lead only; the full article was not available."
    return None
