"""Article type and origin: news report, analysis, opinion, interview, press release, wire copy
or sponsored content, and the wire agency credited, each with the clue that decided it.

Only the opening and the close of a text are read (labels, datelines, standfirsts and
disclaimers live there), plus the URL, the attribution and the byline. The most specific label
wins: sponsored, then press release, wire, interview, opinion, analysis; anything else is a
news report. Only an opinion piece may later be described as "arguing".

An essay that carries no label is told by what only an essay has: its author's bio line at
the close ("Dana Abenova is a senior fellow at …", "Автор — политолог", "Der Autor ist …"),
or the writer arguing in the first person in the opening ("In my view", "I would argue"),
outside quotes and outside a reporter's "… told me". An explicit label wins over both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mediadigest.analyse import essay
from mediadigest.analyse.names import NAME
from mediadigest.model import Attribution

__all__ = ["KINDS", "Kind", "classify", "own_credit", "without_credit"]

KINDS = ("news", "analysis", "opinion", "interview", "press_release", "wire", "sponsored")
HEAD_CHARS, TAIL_CHARS = 600, 400

_AGENCIES = {
    "reuters": "Reuters", "afp": "AFP", "agence france-presse": "AFP", "ap": "AP",
    "associated press": "AP", "bloomberg": "Bloomberg", "xinhua": "Xinhua", "tass": "TASS",
    "ria novosti": "RIA Novosti", "interfax": "Interfax", "kazinform": "Kazinform",
    "kaztag": "KazTAG", "anadolu": "Anadolu Agency", "anadolu agency": "Anadolu Agency",
    "trend": "Trend", "akipress": "AKIpress", "kyodo": "Kyodo News", "jiji": "Jiji Press",
    "jiji press": "Jiji Press", "yonhap": "Yonhap", "dpa": "dpa", "efe": "EFE", "ansa": "ANSA",
}  # fmt: skip
# Agencies as their own sites and Russian-language readers name them (the outlet of a page).
_AGENCY_OUTLETS = {
    "тасс", "итар-тасс", "интерфакс", "интерфакс-казахстан", "риа новости", "казинформ",
    "казтаг", "interfax-kazakhstan", "sputnik", "спутник", "прайм", "regnum", "kyodo news",
    "xinhua news agency", "trend news agency", "anadolu ajansı",
}  # fmt: skip
_AGENCY = r"Reuters|AFP|AP|Associated Press|Bloomberg|Xinhua|TASS|RIA Novosti|Interfax|Kazinform"
_AGENCY += r"|KazTAG|Anadolu(?: Agency)?|Trend|AKIpress|Kyodo|Jiji(?: Press)?|Yonhap|dpa|EFE|ANSA"
_DATELINE = re.compile(rf"^[^\n]{{0,60}}?\((?P<agency>{_AGENCY})\)\s*[-—–]")
_CREDIT = re.compile(
    rf"(?:,\s+|\s[-—–]\s|^)(?P<agency>{_AGENCY})\s+(?:reports?|reported|cites?|said)\.?\s*$"
    rf"|\((?P<paren>{_AGENCY})\)\s*$|(?:Source|Источник):\s*(?P<source>{_AGENCY})",
    re.MULTILINE,
)
# "Shelling resumes in breakaway region (AFP)": aggregators' headlines end with the wire's name.
_TITLE_CREDIT = re.compile(rf"\s*\((?P<agency>{_AGENCY})\)\s*$")
_RU_CREDIT = re.compile(rf"(?:сообщает|передает|передаёт)\s+(?P<agency>{_AGENCY}|Казинформ)")
_SPONSORED = re.compile(
    r"\b(?:sponsored(?: content| post| by)?|partner content|paid (?:post|content|partnership)"
    r"|advertorial|promoted content|brought to you by|in partnership with|branded content)\b"
    r"|на правах рекламы|партн[её]рский материал|реклама\b",
    re.IGNORECASE,
)
_PRESS = re.compile(
    r"\b(?:press release|for immediate release|PRNewswire|PR Newswire|Business Wire"
    r"|GlobeNewswire|media contact|press office)\b|пресс-релиз",
    re.IGNORECASE,
)
# An item relaying an office ("..., the ministry's press service reports.") is an official
# statement; a news story merely quoting a press service is not, so only the attribution counts.
# Nor is a report by a news outlet that names its source (a bylined report, or an agency's
# "..., сообщила пресс-служба Акорды"): the issuer's own text is the press release.
_OFFICE = re.compile(
    r"press service|ministry|government|akimat|embassy|office of|министерств|пресс-служб"
    r"|правительств|акимат|баспасөз",
    re.IGNORECASE,
)
_INTERVIEW = re.compile(r"\b(?:interview|Q&A|in conversation with)\b|интервью|сұхбат", re.I)
_QA_LINE = re.compile(r"^(?:Q|Question|Вопрос)\s*[:.—-]", re.MULTILINE)
# The label a headline opens with, in the languages of the outlets read: "Kommentar:",
# "Tribune :", "Görüş |", "Opinión —". A bare hyphen must stand apart ("Opinion - ..."), so
# that a German compound ("Kommentar-Funktion abgeschaltet") is no label.
_OPINION_LABELS = (
    r"opinion|op-ed|commentary|column|viewpoint|perspective|editorial"
    r"|kommentar|gastkommentar|meinung|gastbeitrag|standpunkt|leitartikel|kolumne"
    r"|tribune|point de vue|[ée]ditorial|chronique|opinión|tribuna|columna|punto de vista"
    r"|görüş|yorum|köşe yazısı|мнение|колонка|точка зрения|пікір|көзқарас"
)
_OPINION = re.compile(
    rf"^(?:{_OPINION_LABELS})(?:\s*[:|—–]|\s+-\s)"
    r"|the author(?:'s|’s)? (?:is|own views)|is a columnist"
    r"|this (?:article|piece) reflects the (?:author|writer)",
    re.IGNORECASE | re.MULTILINE,
)
# A disclaimer, at either end of the text: "The views expressed are the author's own", "The
# views expressed in this article are those of the author", "Opinions expressed by
# contributors are their own". Not "echoing the views expressed by Moscow".
_DISCLAIMER = re.compile(
    r"\b(?:views|opinions)\s+(?:and\s+opinions\s+)?expressed\s+(?:[\w-]+\s+){0,5}?(?:are|is)\s+"
    r"(?:solely\s+|entirely\s+)?(?:those\s+of\s+)?(?:the|their|his|her)\s+"
    r"(?:author|writer|contributor|columnist|own)"
    r"|\b(?:views|opinions)\s+expressed\s+by\s+(?:the\s+)?(?:authors?|contributors|columnists)"
    r"\s+are\s+(?:their|his|her)\s+own",
    re.IGNORECASE,
)
# The piece saying what it is: "..., argues Temur Umarov in this opinion piece.", "In this
# op-ed, ...". A news report speaks of "an op-ed" someone wrote, not of "this" one.
_PIECES = r"opinion piece|op-ed|oped|opinion column|opinion article|column|commentary|essay"
_THIS_PIECE = re.compile(rf"\b[Ii]n this (?:{_PIECES})\b")
# A standfirst crediting the piece's author: "..., argues energy analyst Dana Abenova.",
# "..., writes Temur Umarov, a fellow at ...". The verb comes before the name, in the present:
# a news report's "the minister argued that ..." is not one. Whose the name is decides.
_OWN_CREDIT = re.compile(
    rf",\s+(?:argues|contends|writes)\s+(?:[\w’'-]+\s+){{0,4}}?(?P<name>{NAME})"
    rf"(?:,\s+[^.\n]{{3,120}}|\s+in\s+this\s+(?:{_PIECES}))?\s*(?:[.!]|$)"
)
_ANALYSIS = re.compile(r"^(?:analysis|explainer|insight|аналитика)\s*[:|—-]|\bexplainer\b", re.I)
_URL_KINDS = (
    ("sponsored", re.compile(r"/(?:sponsored|partner-content|brandstudio|promoted|paid-post)/")),
    ("press_release", re.compile(r"/press[-_]?releases?/|/pressroom/|/press/")),
    (
        "opinion",
        re.compile(
            r"/(?:opinions?|op-?ed|commentary|columns?|blogs?|views|meinung|kommentare?"
            r"|gastbeitrag|tribunes?|idees|editoriaux|chroniques?|columnas?"
            r"|tribuna|gorus|kose-yazilari|mnenie|mneniya|kolonki)/"
        ),
    ),
    ("analysis", re.compile(r"/(?:analysis|explainers?|insight|in-depth)/")),
)
_OPINION_FORMS = {"op-ed", "opinion piece", "column", "commentary", "editorial"}


@dataclass(slots=True)
class Kind:
    """The label, the agency credited for wire copy, and why."""

    label: str = "news"
    origin: str | None = None
    reasons: list[str] = field(default_factory=list)


def classify(
    title: str,
    text: str,
    url: str = "",
    attribution: Attribution | None = None,
    author: str | None = None,
    outlet: str | None = None,
) -> Kind:
    """The article's type and origin. Pure; reads the opening, the close and the URL.

    ``author``: the page's byline, which tells a standfirst crediting the piece's own author
    ("..., argues Dana Abenova.") from a news report quoting someone who argues, and a
    bylined report citing a press service from the press release. ``outlet``: the page's
    outlet; a news agency's report citing a press service is news too.
    """
    head, tail = text[:HEAD_CHARS], text[-TAIL_CHARS:]
    edges = f"{title}\n{head}\n{tail}"
    path = url.lower()
    for label, pattern in _URL_KINDS[:2]:
        if pattern.search(path):
            return Kind(label, None, [f"URL path {pattern.pattern!r}"])
    if m := _SPONSORED.search(edges):
        return Kind("sponsored", None, [f"says {m.group()!r}"])
    if m := _PRESS.search(edges):
        return Kind("press_release", _office(attribution), [f"says {m.group()!r}"])
    office = _office(attribution)
    byline = author or (attribution.author if attribution else None)
    relays = attribution and office and not attribution.form and _OFFICE.search(office)
    if relays and not byline and not _news_agency(outlet):
        return Kind("press_release", office, [f"relays an official source: {office}"])
    if wire := _wire(title, head, tail, attribution):
        return wire
    return _form(title, text, path, attribution, byline)


def without_credit(title: str) -> str:
    """The headline without the wire credit an aggregator added ("… region (AFP)")."""
    return _TITLE_CREDIT.sub("", title) or title


def _wire(title: str, head: str, tail: str, attribution: Attribution | None) -> Kind | None:
    if m := _TITLE_CREDIT.search(title):
        agency = _canonical(m.group("agency"))
        return Kind("wire", agency, [f"headline credits {agency}"])
    if m := _DATELINE.search(head):
        agency = _canonical(m.group("agency"))
        return Kind("wire", agency, [f"dateline credits {agency}"])
    for pattern in (_CREDIT, _RU_CREDIT):
        for m in pattern.finditer(f"{head}\n{tail}"):
            found = next(g for g in m.groups() if g)
            agency = _canonical(found)
            return Kind("wire", agency, [f"credits {agency} ({m.group().strip()!r})"])
    # "<Agency> cites <source>": agency copy. "Jiji Press reported on <date> that" in a
    # roundup is only the item's attribution (reported_by), not wire copy.
    if attribution and attribution.reported_by and attribution.cites:
        agency = _AGENCIES.get(attribution.reported_by.casefold())
        if agency:
            return Kind("wire", agency, [f"{agency} cites {attribution.cites}"])
    return None


def _form(
    title: str,
    text: str,
    path: str,
    attribution: Attribution | None,
    author: str | None,
) -> Kind:
    head, tail = text[:HEAD_CHARS], text[-TAIL_CHARS:]
    form = attribution.form if attribution else None
    if form == "interview" or (attribution and attribution.interviewee):
        return Kind("interview", None, ["attribution says it is an interview"])
    if _INTERVIEW.search(title) or len(_QA_LINE.findall(head)) >= 2:
        return Kind("interview", None, ["headline or Q&A lines say interview"])
    if form in _OPINION_FORMS:
        return Kind("opinion", None, [f"attribution says {form}"])
    if attribution and attribution.author and attribution.author_role:
        why = f"by a guest author: {attribution.author}, {attribution.author_role}"
        return Kind("opinion", None, [why])
    if _URL_KINDS[2][1].search(path):
        return Kind("opinion", None, ["URL path says opinion"])
    if m := _OPINION.search(f"{title}\n{head}") or _DISCLAIMER.search(f"{head}\n{tail}"):
        return Kind("opinion", None, [f"says {m.group()!r}"])
    if m := _THIS_PIECE.search(head):
        return Kind("opinion", None, [f"says {m.group()!r}"])
    if m := _authors_standfirst(head, tail, author):
        return Kind("opinion", None, [f"credits its author: {m.group().strip(' ,.')!r}"])
    if form == "analysis" or _URL_KINDS[3][1].search(path) or _ANALYSIS.search(title):
        return Kind("analysis", None, ["labelled analysis"])
    cut = len(tail) >= TAIL_CHARS
    if bio := essay.bio_line(title, head, tail, author, tail_cut=cut, text=text):
        return Kind("opinion", None, [f"closes with its author's bio: {bio!r}"])
    if stance := essay.first_person_stance(head):
        return Kind("opinion", None, [f"the writer argues in the first person: {stance!r}"])
    return Kind("news", None, ["no other label applies"])


def own_credit(sentence: str, author: str | None) -> re.Match[str] | None:
    """The standfirst's credit of the piece's author at the end of ``sentence`` ("..., argues
    Temur Umarov in this opinion piece."), the byline ``author`` being the one it names."""
    m = _OWN_CREDIT.search(sentence)
    ends = m is not None and not sentence[m.end() :].strip()
    return m if m and ends and _surname(m) in essay.name_words(author) else None


def _authors_standfirst(head: str, tail: str, author: str | None) -> re.Match[str] | None:
    """A credit in the opening naming the piece's author: the byline's, or, without one, a
    name the piece goes on to say "writes" ("Umarov writes", as a piece quotes its author).
    "Critics disagree, argues opposition leader Zhanbolat Mamay." alone is a news report's."""
    for m in _OWN_CREDIT.finditer(head):
        surname = _surname(m)
        if surname in essay.name_words(author) or re.search(
            rf"\b{re.escape(surname)}\s+writes\b", f"{head}\n{tail}", re.IGNORECASE
        ):
            return m
    return None


def _surname(m: re.Match[str]) -> str:
    return m.group("name").split()[-1].casefold()


def _office(attribution: Attribution | None) -> str | None:
    return attribution.reported_by if attribution else None


def _news_agency(outlet: str | None) -> bool:
    """A news agency by the name its page gives it ("TASS", "ТАСС", "Интерфакс")."""
    name = (outlet or "").strip().casefold()
    return bool(name) and (name in _AGENCIES or name in _AGENCY_OUTLETS)


def _canonical(agency: str) -> str:
    return _AGENCIES.get(agency.casefold(), agency)
