"""An opinion piece that carries no label: its author's bio line at the close ("Dana Abenova
is a senior fellow at …", "Автор — политолог …", "Der Autor ist …") or the writer arguing in
the first person in the opening ("In my view", "I would argue"). `kind.classify` asks these
after every label, so that a labelled piece keeps its label and a news report stays news.
"""

from __future__ import annotations

import re

from mediadigest.analyse import speech

__all__ = ["bio_line", "first_person_stance", "name_words"]

# -- an unlabelled essay: its author's bio line at the close ---------------------------------
# "Dana Abenova is a senior fellow at …", "… is a professor of economics at …", "… is the
# director of …", "… is a former ambassador …": a paragraph of its own that opens with the
# name. Not "journalist", "correspondent" or "editor": a freelance news report ends with its
# reporter's line ("Almaz Kumenov is a journalist based in Almaty.") as an essay does.
_BIO_ROLE = (
    r"(?:senior |research |non-resident |visiting |associate |assistant )*(?:fellow|scholar)"
    r"|(?:associate |assistant |visiting |adjunct )?professor|lecturer|director|head"
    r"|analyst|researcher|economist|political scientist|historian|adviser|advisor|consultant"
    r"|expert|founder|co-founder|(?:phd|doctoral) (?:candidate|student)|author of"
    r"|former (?:[\w-]+ ){0,3}?(?:ambassador|diplomat|minister|official|adviser|advisor)"
    r"|ambassador|diplomat"
)
_BIO_EN = re.compile(
    rf"^(?P<name>[^\W\d_][\w’'.-]*(?: [^\W\d_][\w’'.-]*){{0,3}}?) is (?:also )?"
    rf"(?:(?:a|an|the) )?(?:[\w-]+ ){{0,3}}?(?:{_BIO_ROLE})\b",
    re.IGNORECASE,
)
_BIO_RU_ROLE = (
    r"политолог|эксперт|директор|профессор|научный сотрудник|аналитик|экономист"
    r"|исследовател|доцент|руководител|основател|историк|бывш|экс-|кандидат|доктор"
    r"|старший научный|востоковед|специалист"
)
_BIO_RU = re.compile(
    rf"^(?P<name>[^\W\d_][\w’'-]*(?: [^\W\d_][\w’'-]*){{0,2}}?) [—–] "
    rf"(?:[\w-]+ ){{0,2}}?(?:{_BIO_RU_ROLE})",
    re.IGNORECASE,
)
_BIO_DE_ROLE = (
    r"(?:Senior )?Fellow|Professor(?:in)?|Direktor(?:in)?|Leiter(?:in)?|Politolog(?:e|in)"
    r"|(?:Politik)?[Ww]issenschaftler(?:in)?|Analyst(?:in)?|Ökonom(?:in)?|Historiker(?:in)?"
    r"|Expert(?:e|in)|Forscher(?:in)?|Publizist(?:in)?|Botschafter(?:in)?|Gründer(?:in)?"
    r"|Dozent(?:in)?|Referent(?:in)?|Mitarbeiter(?:in)?"
)
# "<Name> ist Politikwissenschaftlerin an der Universität Bonn", "… ist Direktor am …".
_BIO_DE = re.compile(
    rf"^(?P<name>[^\W\d_][\w’'.-]*(?: [^\W\d_][\w’'.-]*){{0,3}}?) ist "
    rf"(?:[\w-]+ ){{0,3}}?[\w-]*(?:{_BIO_DE_ROLE})\b"
    r"[^.\n]{0,80}?\b(?:am|an|bei|der|des|im|für)\b"
)
# "The author is …", "Автор — …", "Der Autor ist …", "Об авторе:": no name needed.
_BIO_AUTHOR = re.compile(
    r"^(?:the (?:author|writer)s? (?:is|are|was)\b|about the author\b"
    r"|автор[ыа]?\s*[—–]\s+(?-i:[а-яё])|об авторе\b"
    r"|(?:der autor|die autorin|die autor(?:inn)?en) (?:ist|sind|war|leitet|lehrt)\b"
    r"|(?:zum|über den) autor\b|(?:zur|über die) autorin\b)",
    re.IGNORECASE,
)
# A bio line is a plain statement: one that reports speech is a news report's.
_BIO_NOT = re.compile(
    r"\b(?:said|says|told|added|according to)\b"
    r"|\b(?:заявил|сказал|отметил|сообщил|подчеркнул|пояснил|sagte|erklärte|betonte)\w*",
    re.IGNORECASE,
)
# A correction note restates a name and a title ("Dana Abenova is a senior fellow at the
# institute, not its director, as an earlier version of this article said"): no bio.
_CORRECTION = re.compile(
    r"\bcorrect(?:ion|ed)\b|\bearlier version\b|\bclarification\b|\bhas been (?:updated|amended)"
    r"|исправлен|уточнени|korrektur|korrigiert|berichtigung|frühere[rn]? version",
    re.IGNORECASE,
)
_NOT_NAMES = {"The", "This", "That", "It", "He", "She", "His", "Her", "Our", "There", "Это"}
_BIO_MARKS = " \t*_—–-·•>"  # an italic bio line, or one set off by a dash or a bullet

# -- an unlabelled essay: the writer arguing in the first person in the opening -------------
# Opening mark -> its closing one; a German „…“ and »…« read the English marks otherwise.
_QUOTE_PAIRS = {'"': '"', "“": "”", "«": "»", "„": "“", "»": "«"}
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")
# The writer's own "I", "my", "me" (Russian я/мой, German ich/mein): "I" before a verb, not a
# numeral ("World War I ended", "Phase I of").
_FIRST_EN = re.compile(r"\bI(?=['’](?:m|ve|d|ll)\b|\s+[a-z])|\b(?:[Mm]y|me|[Mm]ine|[Mm]yself)\b")
_FIRST_OTHER = re.compile(
    r"\b(?:я|мне|меня|мной|мо[йяёеи]|мо(?:его|ей|ему|им|их|ими)|ich|mir|mich|mein(?:e[rnms]?)?)\b",
    re.IGNORECASE,
)
_STANCE = re.compile(
    r"\bin my (?:view|opinion|judge?ment|estimation)\b|\bto my mind\b|\bit seems to me\b"
    r"|\bI(?:['’]d| would| will| must)? (?:argue|contend|believe|think|suspect|submit|maintain"
    r"|propose)\b|\bI have (?:long )?argued\b|\bI am (?:not )?(?:convinced|persuaded)\b"
    r"|\bmy (?:argument|contention) is\b|\blet me (?:be clear|argue|explain why)\b"
    r"|на мой взгляд|по моему мнению|я (?:считаю|думаю|полагаю|убежд[её]н)|мне кажется"
    r"|meiner meinung nach|meines erachtens|aus meiner sicht|ich (?:glaube|meine|denke|halte)\b",
    re.IGNORECASE,
)
# A reporter's first person in a reported sentence ("… one former diplomat told me"): a
# dispatch's, not an essay's, so its sentence counts for nothing.
_REPORTED = re.compile(
    r"\b(?:told|tells|said|says|asked|explained|recalled|added|according to|interviewed"
    r"|showed|spoke|met|visited|рассказал\w*|сказал\w*|заявил\w*|ответил\w*|спросил\w*"
    r"|sagte|sagt|erzählte|erklärte|fragte)\b",
    re.IGNORECASE,
)


def bio_line(
    title: str,
    head: str,
    tail: str,
    author: str | None,
    *,
    tail_cut: bool = False,
    text: str = "",
) -> str | None:
    """The op-ed's line on its author in the close: "Dana Abenova is a senior fellow at …",
    where the name is the byline's or, with no byline, a full name that opens the last
    paragraph and that the headline and the opening do not name (a profile's subject they
    name). A news report's "…, said Dana Abenova, a senior fellow at …" opens no paragraph."""
    paragraphs = [p.strip(_BIO_MARKS) for p in tail.splitlines()]
    paragraphs = [p for p in paragraphs if p]
    # A cut tail (``tail_cut``) starts mid-paragraph: its first line opens no paragraph.
    start = 1 if tail_cut else 0
    candidates = list(range(len(paragraphs) - 1, start - 1, -1))
    for i in candidates if author else candidates[:1]:
        line, around = paragraphs[i], "\n".join(paragraphs[max(i - 1, 0) :])
        if _BIO_NOT.search(line) or _CORRECTION.search(around):
            continue
        if m := _BIO_AUTHOR.match(line):
            return _clip(line)
        m = _BIO_EN.match(line) or _BIO_RU.match(line) or _BIO_DE.match(line)
        words = m.group("name").split() if m else []
        if not words or words[0] in _NOT_NAMES or not all(w[:1].isupper() for w in words):
            continue
        surname = words[-1].strip(".").casefold()
        if author and surname in name_words(author):
            return _clip(line)
        # Without a byline the name must be new to the piece: a person a news report named
        # mid-body and describes at its close ("… is the founder of …") is its subject.
        read = text or head
        before = read[: read.rfind(line[:40])] if line[:40] in read else read
        if not author and len(words) >= 2 and surname not in name_words(f"{title} {before}"):
            return _clip(line)
    return None


def first_person_stance(head: str) -> str | None:
    """The writer's stance in the opening ("In my view", "I would argue") with another of
    their own first persons: quotes masked, and a sentence that reports speech ("a minister
    told me") left out, so that a reporter's dispatch stays news."""
    spans = _quote_spans(head)
    masked = speech.mask(head, spans) if spans else head
    own = [s for s in _SENTENCE.findall(masked) if not _REPORTED.search(s)]
    count = sum(_own_first_persons(s) for s in own)
    stance = next((m.group() for s in own if (m := _STANCE.search(s))), None)
    return stance if stance and count >= 2 else None


def _own_first_persons(sentence: str) -> int:
    """The writer's "I", "my", "me" in ``sentence``; an "I" after a capitalised word other
    than the sentence's first is a numeral ("World War I", "Phase I of")."""
    count = len(_FIRST_OTHER.findall(sentence))
    for m in _FIRST_EN.finditer(sentence):
        before = sentence[: m.start()]
        prev = re.search(r"(\S+) $", before)
        numeral = prev and prev.group(1)[:1].isupper() and before[: prev.start()].strip()
        count += m.group() != "I" or not numeral
    return count


def _quote_spans(text: str) -> list[tuple[int, int]]:
    """Where quotes are, the marks paired as reporters set them: a quote that runs on over
    sentences opens again each time without closing ('"I am confident. "But …'), so an
    unclosed one ends where the next opens, or with its paragraph."""
    spans: list[tuple[int, int]] = []
    start, close = -1, ""
    for i, ch in enumerate(text):
        if start >= 0 and ch == "\n":
            spans.append((start, i))
            start = -1
        elif ch not in _QUOTE_PAIRS and ch != "”":
            continue
        elif start >= 0 and ch == close and not (ch == '"' and _opens(text, i)):
            spans.append((start, i + 1))
            start = -1
        elif ch in _QUOTE_PAIRS and _opens(text, i):
            if start >= 0:
                spans.append((start, i))
            start, close = i, _QUOTE_PAIRS[ch]
    if start >= 0:
        spans.append((start, len(text)))
    return spans


def _opens(text: str, i: int) -> bool:
    """A mark opens a quote after a space, a bracket or a dash and before a word."""
    before, after = text[i - 1 : i], text[i + 1 : i + 2]
    return (not before or before.isspace() or before in "([—–-:") and after.isalnum()


def _clip(line: str, size: int = 80) -> str:
    return line if len(line) <= size else f"{line[:size].rstrip()}…"


def name_words(name: str | None) -> set[str]:
    """The words of a name, casefolded: a byline's, to compare a surname with."""
    return {w.casefold() for w in re.findall(r"[\w’'-]+", name or "")}
