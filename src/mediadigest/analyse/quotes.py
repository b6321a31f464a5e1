"""Direct quotes and their speakers, with character offsets into the article text.

Finds quotes in straight and curly double quotes, guillemets (German »…« and ›…‹ too) and
CJK corner brackets 「…」『…』 (not Chinese 《…》, a title's), also quotes that run over
several paragraphs (each paragraph reopens the quote) and quotes broken by their attribution
("…," he said, "…"). ``find_quotes`` reads the speaker as the text names it, from the
quote's own sentence only (speech.py reads the attributions; speech_languages.py those of an
article in German, French, Spanish, Italian, Portuguese, Turkish or Kazakh, speech_named.py
the subject phrases of one in Chinese, Japanese, Korean or Arabic); ``resolve_speakers``
then turns "he" (pronouns.py), "the ambassador", "the author" or such a phrase
("哈萨克斯坦总统托卡耶夫") into the person meant, or none where that would be a guess.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise

from mediadigest.analyse import pronouns, speaker_roles, speech, speech_languages, speech_named
from mediadigest.matching import UNSPACED_RANGES
from mediadigest.model import Entity, Quote, word_count

__all__ = ["find_quotes", "one_paragraph", "resolve_speakers"]

# Opening mark -> closing mark. Straight quotes close themselves. German also sets »…« and
# ›…‹, Swiss ‹…›; a mark that closes elsewhere opens only before a word (see _opens_word).
# Japanese 『…』 too; never Chinese 《…》, a title's marks.
_PAIRS = {'"': '"', "“": "”", "«": "»", "„": "“", "「": "」", "『": "』"}
_PAIRS |= {"»": "«", "‹": "›", "›": "‹"}
_OPEN = re.compile(r'["“«„「『»‹›]')
_WORD_OPENERS = "»‹›"  # as openers only before a word: « … » closes with », and "Home › News"
_MIN_WORDS = 4
_MAX_CHARS = 3000  # a quote over several paragraphs is long; an unclosed mark must not run on
_GAP_CHARS = 80  # "…," he said, "…": the attribution between two halves of one quote
_GAP_VERB = re.compile(rf"\b{speech.VERBS}\b")
_GAP_END = re.compile(r"[,:]\s*[\"“«„「『»‹›]$")  # the attribution ends with a comma, then reopens
_ACRONYM = re.compile(rf"[{speech.UP}]{{2,6}}")
_PERSON_ROLE = re.compile(speech.PERSON_ROLES)
_SENTENCE_END = ".!?:'’"  # before a straight mark that opens: a new sentence, not a nested quote
# After a quote, in its sentence, a verb that attributes it, and its subject before it or
# after it ('"…," a spokesman said', '"…," read one text message', '"…," said the firm').
_ATTRIBUTION = re.compile(
    rf"\s*,?\s*[-—–]?\s*(?P<subject>(?:[^\s.!?;:\"“”«»„{speech.MASK}]+\s+){{0,6}}?)"
    rf"(?P<verb>{speech.VERBS}|read|say|tell|according\s+to)\b"
    rf"(?P<after>[^.!?;:\"“”«»„{speech.MASK}\n]{{0,60}})"
)
# A subject that may mean whoever the sentence before had speak ("it added", "the company
# said", "he was due to say") unless it is one speaking for them or a text of theirs.
_BACK = frozenset(("the", "it", "he", "she", "they"))
_PROXY = re.compile(
    r"\b(?:spokes\w+|statement|message|letter|memo|text|sign|note|report|release|website"
    r"|tweet|post|document|notice|e-?mail|slogan|banner|poster|leaflet|caption)s?\b",
    re.IGNORECASE,
)


def find_quotes(text: str, language: str | None = None) -> list[Quote]:
    """Every direct quote of at least a few words, with the speaker where the text names one.

    ``language`` (the article's, "de", "fr-CH") picks the speech verbs: German, French,
    Spanish, Italian, Portuguese, Turkish and Kazakh read by speech_languages, Chinese,
    Japanese, Korean and Arabic by speech_named (the speaker is only a cue until
    ``resolve_speakers`` finds it made of the entities' names), any other as English and
    Russian. ``text[q.start:q.end] == q.text`` always holds; an unclosed mark gives no
    quote.
    """
    lang = speech_languages.language(language)
    spans: list[tuple[int, int, int, int]] = []  # mark, closing mark, words' start and stop
    pos = 0
    while (m := _OPEN.search(text, pos)) is not None:
        if m.group() == '"' and _closes(text, m.start()):
            # 'said, “somebody …," the office said.': a straight mark after a word closes a
            # curly quote; read as an opening it paired every later quote the wrong way round.
            pos = m.end()
            continue
        if m.group() in _WORD_OPENERS and not _opens_word(text, m.start()):
            pos = m.end()
            continue
        end = _closing(text, m.start(), _PAIRS[m.group()])
        if end is None:
            pos = m.end()
            continue
        pos = end + 1
        start, stop = _trim(text, m.end(), end)
        if _is_quote(text[start:stop]):
            spans.append((m.start(), end, start, stop))
    masked = speech.mask(text, [(start, stop) for _, _, start, stop in spans])
    sentences = speech.Sentences(masked)
    found: list[Quote] = []
    for mark, end, start, stop in spans:
        if lang is not None and "named" in lang.order:  # its cue resolve_speakers reads
            said = speech_named.attribute(lang, masked, mark, end + 1, found)
            found.append(Quote(text[start:stop], None, start, stop, cue=said.cue))
            continue
        if lang is not None:
            said = _speaker_in(lang, masked, sentences, mark, end + 1, found)
            found.append(Quote(text[start:stop], said.speaker, start, stop, cue=said.cue))
            continue
        raw = _speaker(masked, sentences, mark, end + 1, found)
        found.append(Quote(text[start:stop], speech.clean(raw), start, stop, cue=raw))
    _join_broken(text, found, lang.verb_any if lang is not None else _GAP_VERB)
    return found


_CLOSE_AFTER = re.compile(r'[\s,]*["”»“」』]')
_MARKS = ' \t"“”«»„「」『』'


def one_paragraph(quote: Quote, text: str) -> Quote:
    """A quote that runs over several paragraphs, as its one paragraph that carries the
    speaker's attribution ("“…,” Najib said.": the last; "Najib said: “…": the first), else
    as its first; a quote of one paragraph as it is.

    A digest item quotes one paragraph: the house style has no quote of several, and
    rendered as one paragraph the quote read "“This new … operation. “We are ending …,”
    Najib said." with two opening marks. ``text[q.start:q.end] == q.text`` still holds.
    """
    if text[quote.start : quote.end] != quote.text or "\n" not in quote.text:
        return quote
    pieces = []
    for para in re.finditer(r"[^\n]+", quote.text):
        start, stop = quote.start + para.start(), quote.start + para.end()
        while start < stop and text[start] in _MARKS:
            start += 1
        while stop > start and (text[stop - 1] in _MARKS or text[stop - 1] == ","):
            stop -= 1
        if word_count(text[start:stop]) >= _MIN_WORDS:
            pieces.append((start, stop))
    if not pieces:
        return quote
    closed = _CLOSE_AFTER.match(text, quote.end)
    following = text[closed.end() : closed.end() + 120] if closed else ""
    after = any(p.match(following) for p in speech.AFTER)
    start, stop = pieces[-1] if after else pieces[0]
    return Quote(text[start:stop], quote.speaker, start, stop, cue=quote.cue, role=quote.role)


# A route, a pipeline's or a corridor's name: names joined by dashes (a hyphen only spaced,
# as "Nur-Sultan" is one name).
_NAME_DASH = re.compile(r"\s*[—–]\s*|\s+-\s+")
_UNSPACED_NAME = re.compile(rf"[{UNSPACED_RANGES}]{{1,8}}")


# Words in quotation marks that no one says: an address, a tag or an escaped one, an
# attribute's "key=value", a dash or dots alone. AG News leads hold '&lt;A HREF="http://…
# ?ticker=GPS.N qtype=sym infotype=info qcat=news"&gt;': its four "words" made a quote, said
# by the company the sentence named.
_NO_WORDS = re.compile(
    r"\S*(?:://|www\.)\S*|<[^<>]*>|&(?:[a-z]+|#\d+|#x[0-9a-f]+);|\S*=\S*|(?<!\S)[^\w\s]+(?!\S)",
    re.IGNORECASE,
)


def _is_quote(words: str) -> bool:
    """Whether the words in quotation marks are somebody's: a few words at least (Chinese and
    Japanese, written without spaces, by ``word_count``'s two characters a word), not counting
    an address, markup or "key=value" among them, some of them words of letters, and not
    only names between dashes, as «Бейнеу — Шымкент — Китай» or “别伊涅乌—奇姆肯特—中国”
    name a pipeline."""
    prose = _NO_WORDS.sub(" ", words)
    if word_count(prose) < _MIN_WORDS or not any(c.isalpha() for c in prose):
        return False  # "1 2 3 4" or "— … —" are no one's words either
    parts = _NAME_DASH.split(words)
    return len(parts) < 2 or not all(_is_name(p) for p in parts)


def _is_name(part: str) -> bool:
    """A place's or a person's name: up to three capitalised words ("Shymkent", "Khorgos
    Gateway"), up to two in a script without capitals, or a short run of Chinese or Japanese
    characters."""
    if _UNSPACED_NAME.fullmatch(part):
        return True
    tokens = part.split()
    if not tokens or len(tokens) > 3:
        return False
    caseless = not any(c.isupper() or c.islower() for c in part)
    if caseless:
        return len(tokens) <= 2 and all(t.isalpha() for t in tokens)
    return all(t[:1].isupper() and t.replace("-", "").replace("'", "").isalpha() for t in tokens)


def _closing(text: str, opened: int, close: str) -> int | None:
    """Where the quote opened at ``opened`` closes; None when it never does."""
    mark = text[opened]
    limit = min(len(text), opened + _MAX_CHARS)
    if mark != close:
        return _closing_paired(text, opened, close, limit)
    pos = para = opened + 1
    nested = False
    while True:
        end = text.find(close, pos, limit)
        if end == -1:
            return None
        if _opens_paragraph(text, end):
            # a straight quote reopening the next paragraph: the quote goes on
            pos = para = end + 1
            continue
        if not _opens(text, end) or "\n" in text[para:end]:
            return end  # a paragraph that ended unclosed: no quote inside it is looked for
        before = text[:end].rstrip()[-1:]
        if before in _SENTENCE_END:
            # '… to consume. "France can't …': the next paragraph, its line break lost. After
            # a quote inside this one, '…project". She added: "UK …' opens another quote:
            # this one was never closed.
            return None if nested and before == ":" else end
        # '"They call it the "Astana spirit" and we share it," he said': a quote inside the
        # quote. Taken as the close, it cut the quote short and made the word after it
        # ("Astana") the speaker.
        inner = text.find(close, end + 1, limit)
        if inner == -1 or "\n" in text[end:inner]:
            return end
        pos, nested = inner + 1, True


def _closing_paired(text: str, opened: int, close: str, limit: int) -> int | None:
    """The close of a quote in marks that differ («», “”): another opening before it is a
    quote inside this one when a second close follows in the same paragraph, before any
    other opening; else this mark was never closed."""
    mark = text[opened]
    end = text.find(close, opened + 1, limit)
    if end == -1:
        return None
    inner_open = text.find(mark, opened + 1, end)
    if inner_open == -1 or _opens_paragraph(text, inner_open):
        return end
    outer = text.find(close, end + 1, limit)
    if outer == -1 or "\n" in text[end:outer] or mark in text[end:outer]:
        return None
    return outer


def _opens_word(text: str, index: int) -> bool:
    """A German »…« or ›…‹ and a Swiss ‹…› open right before a word; a French « … »
    closes after a space, a page's "‹ back" opens nothing."""
    after = text[index + 1 : index + 2]
    return bool(after) and not after.isspace() and after not in ".,;:)"


def _closes(text: str, index: int) -> bool:
    """A straight mark right after a word or punctuation and before a space or the end."""
    before = text[index - 1] if index else " "
    after = text[index + 1] if index + 1 < len(text) else " "
    return not before.isspace() and before not in "([{—–-" and (after.isspace() or after in ".,;:)")


def _opens(text: str, index: int) -> bool:
    """A straight mark after a space or the start and before a word: an opening."""
    before = text[index - 1] if index else " "
    after = text[index + 1] if index + 1 < len(text) else " "
    return (before.isspace() or before in "([{—–-") and not after.isspace() and after not in ".,;:)"


def _opens_paragraph(text: str, index: int) -> bool:
    before = text[max(0, index - 3) : index]
    return "\n" in before and not before.split("\n")[-1].strip()


def _trim(text: str, start: int, stop: int) -> tuple[int, int]:
    # Offsets cover the quoted words only, so text[start:end] == quote.text holds.
    while start < stop and text[start].isspace():
        start += 1
    while stop > start and (text[stop - 1].isspace() or text[stop - 1] == ","):
        stop -= 1
    return start, stop


def _speaker(
    masked: str, sentences: speech.Sentences, mark: int, end: int, before: list[Quote]
) -> str | None:
    """The speaker as the text names the quote's: attribution in its own sentence, after it
    ('"…," he said') or before ('Mr Blair told the programme: "…"', 'Najib said that the
    search has "entered a new phase"'), or for a quote that is a sentence of its own, the
    previous sentence's speaker ('Lightbody said: "…" "…"', '"…," he said. "…"')."""
    following = masked[end : end + 120]
    if not _ends_sentence(masked, end):
        for pattern in speech.AFTER:
            m = pattern.match(following)
            if m and speech.names_someone(m.group("speaker")) and not _opens_next(following, m):
                # "said Steven Theede. Yukos ...": the name ends with its sentence
                last = m.end("speaker") < m.end()
                name = speech.one_sentence(m.group("speaker"), last=last).strip(" ,.")
                return speech.as_speaker(masked, end + m.start("speaker"), name)
    i = sentences.index(mark)
    own = sentences.start(i, mark)
    if said := speech.said_in(masked, own, mark):
        return said[-1].who  # 'Mr X said Mr Y told him: "…"': Mr Y's words
    if goes := speech.GOES_ON.match(following):
        return goes.group("speaker")  # '"…." He added: "…"': he said this one too
    if masked[own:mark].strip() or i == 0:
        return None  # a phrase quoted in a sentence that says no speaker
    if not _ends_sentence(masked, end) and _someone_else(masked, end, following):
        return None  # the speaker of the sentence before would be a wrong guess
    start, stop = sentences.start(i - 1, own), own
    if said := speech.said_in(masked, start, stop):
        return said[0].who
    last = before[-1] if before else None
    return last.cue if last is not None and start <= last.end < stop else None


def _speaker_in(
    lang: speech_languages.Language,
    masked: str,
    sentences: speech.Sentences,
    mark: int,
    end: int,
    before: list[Quote],
) -> speech_languages.Found:
    """The speaker of a quote in a language speech_languages reads, as ``_speaker`` finds
    one: after the quote ("„…“, sagte Präsident Tokajew"), before it in its sentence
    ("Tokajew sagte: „…“"), or for a quote that is a sentence of its own, the previous
    sentence's speaker. A verb after the quote with a subject that names no one ("«…», dijo
    el portavoz") is nobody's: the previous speaker is no guess to make there."""
    i = sentences.index(mark)
    own = sentences.start(i, mark)
    said = speech_languages.after(lang, masked, end)
    if said is speech_languages.BARE:  # 'Tokayev, "…" dedi', "«…», añadió."
        said = speech_languages.subject_first(lang, masked, own, mark)
    elif said is None:
        said = speech_languages.before(lang, masked, own, mark)
    elif not said.cue:
        return said
    if said is not None and said.cue:
        return said
    if masked[own:mark].strip() or i == 0:
        return speech_languages.NO_ONE  # a phrase quoted in a sentence that says no speaker
    start = sentences.start(i - 1, own)
    said = speech_languages.before(lang, masked, start, own)
    if said is not None and said.cue:
        return said
    last = before[-1] if before else None
    if last is not None and start <= last.end < own:  # „…“, sagte Tokajew. „…“
        return speech_languages.Found(last.cue, last.speaker)
    return speech_languages.NO_ONE


def _ends_sentence(masked: str, end: int) -> bool:
    """Whether the quote closing at ``end`` ends its sentence ('"… cracks". She said',
    '"… sides." He added'): what follows is then another sentence, not its attribution."""
    gap = masked[end : end + 40]
    rest = gap.lstrip()
    if "\n" in gap[: len(gap) - len(rest)]:
        return True  # the next paragraph
    return rest.startswith(".") or (masked[end - 2 : end - 1] == "." and rest[:1].isupper())


def _someone_else(masked: str, end: int, following: str) -> bool:
    """Whether the quote's own attribution, one no speaker was read from, names someone or
    something else than whom the sentence before had speak: '"…," a spokesman said',
    '"…," read one text message', '"…," the statement read', '"…," Tigers boss John Wells
    told'. Not '"…," it added' or '"…," the company said', which mean them, nor an
    attribution that opens the next quote ('"… year." Hayes said: "…"')."""
    mark = masked[end - 2 : end - 1]
    rest = following.lstrip()
    attached = (
        mark == ","
        or rest[:1] in (",", "-", "—", "–")
        or (mark in ("?", "!") and rest[:1].islower())
    )
    m = _ATTRIBUTION.match(following) if attached else None
    if m is None or following[m.end() :].lstrip(" \t").startswith(":"):
        return False  # '… replays. "But I read an article': a new sentence, its mark lost
    if m.group("verb") in ("read", "reads"):
        return True  # a text's words, not its writer's speech
    words = m.group("subject").split() or m.group("after").split()
    if not words:
        return False
    return words[0].casefold() not in _BACK or _PROXY.search(" ".join(words)) is not None


def _opens_next(following: str, m: re.Match[str]) -> bool:
    """Whether the attribution after a quote introduces the next quote, another speaker's:
    '"…family," Usdaw general secretary John Hannett added: "…"'."""
    named = m.group("speaker").strip().lower() not in speech.PRONOUNS
    return named and following[m.end() :].lstrip(" \t").startswith(":")


def _join_broken(text: str, found: list[Quote], verb: re.Pattern[str]) -> None:
    """A quote broken by its attribution ("…," he said, "…"): both halves get its speaker."""
    for first, second in pairwise(found):
        gap = text[first.end : second.start]
        inner = gap.strip(' \t,"“”«»„「」『』‹›')
        if len(inner) > _GAP_CHARS or "\n" in gap or re.search(r"[.!?]", inner):
            continue
        if first.text[-1:] in ".!?":
            # '"… next week." Earlier, David Rose had said: "…"': the first ended its
            # sentence, and the next quote's attribution is not its own
            continue
        if not (verb.search(inner) and _GAP_END.search(gap)):
            continue
        cue = first.cue or second.cue
        speaker = first.speaker or second.speaker
        for q in (first, second):
            q.cue, q.speaker = q.cue or cue, q.speaker or speaker


def resolve_speakers(
    text: str,
    quotes: Sequence[Quote],
    entities: Sequence[Entity],
    *,
    author: str | None = None,
    reported_by: str | None = None,
    language: str | None = None,
) -> None:
    """Name each quote's speaker after the entity the text means (in place).

    A name resolves to the person entity it is a variant or surname of, a place's name to
    no speaker; "he"/"she" to the person the text last had say something, or the subject
    of the sentence before (``pronouns.Antecedents``: none where that would be a guess);
    "the ambassador" to the last person whose role says so (outside English, where the
    entities are only the profile's people, not when someone else is named since); "the
    author" to the article's author; "the article" to the outlet reported. In a language
    speech_languages reads, its "er", "il", "ella" as "he" and "she", and a lone surname
    as the full name the text gives it elsewhere ("afirmó Nagaspáyev": "Yersaín
    Nagaspáyev"), as English entities do. In English a lone surname the entities do not
    know (or "he" resolved to one) is the full name the text gives it ('"…," Li said' of
    "Premier Li Qiang", "Balgabayeva told" of "His lawyer, Zhanara Balgabayeva,"); a
    surname two people have (two entities, or two full names) stays as the text has it.
    In English each speaker's short role too, where the text gives one
    (``speaker_roles.find_role``).
    """
    gendered = lang.pronouns if (lang := speech_languages.language(language)) else {}
    people = [e for e in entities if e.kind == "person"]
    places = [e for e in entities if e.kind == "place"]
    antecedents: pronouns.Antecedents | None = None  # read only where a pronoun needs it
    masked = ""  # read only where a surname needs it
    in_full: dict[str, str] = {}  # a surname's full name, looked for once a text
    for q in quotes:
        cue = (q.cue or "").strip()
        if not cue:
            continue
        lower = cue.lower()
        if lower in gendered:  # "„…“, sagte er": the person "he" would mean
            antecedents = antecedents or pronouns.Antecedents(
                text, list(quotes), list(entities), language
            )
            q.speaker = antecedents.pronoun(q, gendered[lower])
        elif lower in ("the author",) and author:
            q.speaker = author
        elif lower in ("the article", "the report", "the interview") and reported_by:
            q.speaker = reported_by
        elif len(cue.split()) == 2 and lower.startswith("the ") and _ACRONYM.fullmatch(cue[4:]):
            q.speaker = cue.split()[-1]  # "the NTSB said": the organisation, not a person
        elif lang is not None and "named" in lang.order:
            q.speaker = speech_named.speaker(lang, cue, entities)
        elif lower in speech.PRONOUNS:
            antecedents = antecedents or pronouns.Antecedents(
                text, list(quotes), list(entities), language
            )
            q.speaker = antecedents.pronoun(q, lower)
            if lang is None and q.speaker and " " not in q.speaker:
                # '… Lightwood said: “…” He added: “…”': him as the text names him in full
                masked = masked or speech.mask(text, [(x.start, x.end) for x in quotes])
                q.speaker = _in_full(masked, entities, q.speaker, in_full)
        elif lower.startswith("the "):
            # "dijo el presidente": whose role the entities say (in English) only
            person = _nearest(people, q.start, lower.split()[-1], anyone=lang is None)
            if (
                person is not None
                and lang is not None
                and _named_since(lang, text, person, q, entities)
            ):
                person = None
            q.speaker = person.name if person else q.speaker
        elif " " not in cue and _surname_of_two(people, cue):
            continue  # "Li said" of an article that names two Lis: either one is a guess
        elif (person := pronouns.person_named(people, cue)) is not None:
            if lang is None and " " not in cue and person.source != "gazetteer":
                # the text may name another of that surname the patterns did not find
                masked = masked or speech.mask(text, [(x.start, x.end) for x in quotes])
                if _named_otherwise(masked, person, cue):
                    continue
            q.speaker = person.name
        elif _is_place(places, cue):
            # A place speaks for no one a digest can quote ('"…," Astana said'); most often
            # it was a misreading (a quote cut short before its inner '"Astana says …"').
            q.speaker = None
        elif lang is not None and q.speaker == cue and " " not in cue:
            # "afirmó Nagaspáyev": the name the text gave him, as English entities find it
            q.speaker = speech_languages.full_name(lang, text, cue) or q.speaker
        elif lang is None and q.speaker == cue and " " not in cue:
            # '"…," Li said' of "Chinese Premier Li Qiang met …": the name the text gave him
            masked = masked or speech.mask(text, [(x.start, x.end) for x in quotes])
            q.speaker = _in_full(masked, entities, cue, in_full)
    if (language or "").casefold().split("-")[0] == "en":
        # The role as the text gives it: read in English only (its titles and jobs)
        masked = masked or speech.mask(text, [(x.start, x.end) for x in quotes])
        roles: dict[str, str | None] = {}  # a transcript's 2,000 quotes of one speaker
        for q in quotes:
            if q.speaker and q.speaker not in roles:
                roles[q.speaker] = speaker_roles.find_role(masked, q.speaker)
            q.role = roles[q.speaker] if q.speaker else None


def _in_full(masked: str, entities: Sequence[Entity], surname: str, known: dict[str, str]) -> str:
    """``surname`` as the text names the person in full, unless it names two of that
    surname (the entities, or the text's other mentions) or is a thing's name ('"…,"
    Kazatomprom said' of "Miner Kazatomprom"). ``known``: the answers given for this text
    (a transcript says "Smith said" 2,000 times)."""
    if surname not in known:
        known[surname] = _full(masked, entities, surname)
    return known[surname]


def _full(masked: str, entities: Sequence[Entity], surname: str) -> str:
    folded = surname.casefold()
    if any(
        e.kind != "person" and folded in (n.casefold() for n in (e.name, *e.variants))
        for e in entities
    ):
        return surname
    named = speech.full_name(masked, surname)
    people = [e for e in entities if e.kind == "person"]
    return surname if named is None or _surname_of_two(people, surname, named) else named


def _named_otherwise(masked: str, person: Entity, surname: str) -> bool:
    """Whether the text gives ``surname`` a full name that is none of ``person``'s."""
    sure, maybe = speech.full_names(masked, surname)
    own = {n.casefold() for n in (person.name, *person.variants)}
    return any(n.casefold() not in own for n in sure | maybe)


def _surname_of_two(people: Sequence[Entity], surname: str, also: str | None = None) -> bool:
    """Whether two people (the entities, and ``also``) have the surname ``surname``."""
    folded = surname.casefold()
    names = {p.name.casefold() for p in people if folded in p.name.casefold().split()}
    return len(names | ({also.casefold()} if also else set())) > 1


def _named_since(
    lang: speech_languages.Language,
    text: str,
    person: Entity,
    quote: Quote,
    entities: Sequence[Entity],
) -> bool:
    """Whether someone the entities do not know is named between ``person``'s last mention
    and ``quote`` ("Präsident Tokajew traf Präsident Wladimir Putin. „…“, sagte der
    Präsident"): outside English only the profile's people are entities, so "the president"
    may be that other one as well."""
    last = max((e for s, e in person.mentions if s < quote.start), default=None)
    if last is None:
        return False

    def known(start: int, end: int) -> bool:  # "Moskau", "Kazatomprom": no one's name
        return any(s < end and start < e for ent in entities for s, e in ent.mentions)

    return speech_languages.names_person(lang, text, last, quote.start, known)


def _is_place(places: Sequence[Entity], cue: str) -> bool:
    folded = cue.casefold()
    return any(folded in (n.casefold() for n in (p.name, *p.variants)) for p in places)


def _nearest(
    people: Sequence[Entity], before: int, role: str | None, *, anyone: bool = True
) -> Entity | None:
    """The person mentioned last before ``before`` (whose role names ``role``, if given;
    ``anyone``: if no one's does, the last person mentioned)."""
    best: tuple[int, Entity] | None = None
    for person in people:
        if role and role not in (person.role or "").casefold():
            continue
        starts = [s for s, _ in person.mentions if s < before]
        if starts and (best is None or max(starts) > best[0]):
            best = (max(starts), person)
    if best is None and role and anyone and _PERSON_ROLE.fullmatch(role):
        # No one's role says "minister": the nearest person at all. Not for "the board" or
        # "the company", which are no person.
        return _nearest(people, before, None)
    return best[1] if best else None
