"""HTML digest for e-mail: one centred table, inline CSS only, no scripts, no external files.

Mail clients drop <style> blocks and ignore most layout CSS, so every element carries its own
``style`` and the layout is a single 640-pixel table, as newsletters are built. The words an
item takes from a report in another language than English (its headline, sentences and quote)
say which (``lang="ru"``): a screen reader reads them in that language's voice, not English's.
Those in a language written right to left say so too (``dir="rtl"``; ``dir="auto"`` where the
language is unknown), and a name in such a script inside an English sentence (an outlet, "الجزيرة
نت reported in Arabic on Nov. 18.") is isolated: else the sentence's order and its punctuation
follow the name's direction.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from html import escape

from mediadigest.model import Digest, DigestItem
from mediadigest.write import style
from mediadigest.write.render.links import web_link
from mediadigest.write.render.markdown import hidden, item_blocks, shown_sources, title

_FONT = "font-family:Georgia,'Times New Roman',serif;color:#1a1a1a;"
_BODY = f"{_FONT}font-size:16px;line-height:1.55;margin:0 0 12px 0;"
_HEAD = f"{_FONT}font-size:20px;line-height:1.3;margin:28px 0 8px 0;font-weight:bold;"
_TITLE = f"{_FONT}font-size:26px;line-height:1.25;margin:0 0 16px 0;"
_SMALL = "font-family:Arial,Helvetica,sans-serif;font-size:13px;color:#555555;margin:0 0 12px 0;"
_QUOTE = f"{_BODY}font-style:italic;border-left:3px solid #c8a200;padding-left:12px;"
_LINK = "color:#0b5394;text-decoration:underline;"
_TABLE = 'role="presentation" cellpadding="0" cellspacing="0" border="0"'
# Characters XML 1.0 forbids (C0 controls but tab and newlines, lone surrogates, U+FFFE/F):
# an Atom feed with one is not XML, python-docx refuses them, HTML calls them parse errors,
# and a lone surrogate cannot be written as UTF-8. Stored text from a file or a feed can hold
# them (a NUL in a .txt title).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` without the characters no XML (nor HTML) document may hold."""
    return _NOT_XML.sub("", text)


_LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})*", re.IGNORECASE)
# Languages written in a script of their own, never in Latin letters: a headline of one of
# their items in Latin letters only is an editor's English, not the report's words.
_OWN_SCRIPT = frozenset(
    {"ru", "uk", "be", "bg", "mk", "kk", "ky", "tg", "mn"}  # Cyrillic
    | {"ka", "hy", "el", "ar", "fa", "ur", "he", "yi"}
    | {"hi", "bn", "ta", "th", "zh", "ja", "ko"}
)
# Languages written right to left (ISO 639-1, and -3 where there is none).
_RTL = frozenset({"ar", "fa", "ur", "he", "iw", "yi", "ji", "ps", "sd", "ug", "dv", "ckb", "prs"})
# The credit the digest writes before a sentence of another report than the lead's
# (attribute.credited): "Reuters reported on Dec. 17 that …", "Jiji Press added: …".
# The credits `attribute.credited` writes: reported, added, and an opinion piece's argued
# ("In an opinion piece in X on Nov. 19, Author argued that", "The piece also argued that").
_CREDIT = re.compile(
    r"[^\n]{1,200}? (?:added|reported(?: on [A-Z][a-z]{2,4}\.? \d{1,2})?"
    r"|argued(?: in an opinion piece(?: on [A-Z][a-z]{2,4}\.? \d{1,2})?)?)"
    r"(?:, citing [^\n]{1,200}?,?)?(?: that |: )"
)


def part_language(text: str | None, language: str | None) -> str | None:
    """The ``lang`` of an element holding ``text`` in ``language``, or None where it needs
    none: English (the page's language), an unknown or malformed code, or a text that cannot
    be in it (Latin letters only, for a language with a script of its own). ``text`` None:
    the code alone is judged."""
    code = (language or "").strip()
    base = code.split("-")[0].casefold()
    if not _LANGUAGE_TAG.fullmatch(code) or base == "en":
        return None
    if text is not None and base in _OWN_SCRIPT and style.in_latin(text):
        return None
    return code


def _right_to_left(text: str) -> bool:
    """Whether ``text`` has a letter of a script written right to left (Arabic, Hebrew...)."""
    return any(unicodedata.bidirectional(c) in ("R", "AL") for c in text)


def _direction(text: str, language: str | None) -> str | None:
    """The ``dir`` of an element holding ``text`` in ``language``: "rtl" for a language
    written so, "auto" (its first letter decides) for right-to-left letters in an unknown
    language, else none (the page's left to right, as for English)."""
    if not _right_to_left(text):
        return None
    code = (language or "").strip()
    if not _LANGUAGE_TAG.fullmatch(code):
        return "auto"
    return "rtl" if code.split("-")[0].casefold() in _RTL else None


def _attributes(text: str, language: str | None) -> str:
    """`` lang="…" dir="…"`` for an element holding ``text`` in ``language``, or nothing."""
    code, way = part_language(text, language), _direction(text, language)
    lang = f' lang="{escape(code, quote=True)}"' if code else ""
    return lang + (f' dir="{way}"' if way else "")


def _in_language(text: str, language: str | None) -> str:
    attributes = _attributes(text, language)
    if not attributes:
        return escape(text)
    return f"<span{attributes}>{escape(text)}</span>"


def _isolated(text: str, names: Iterable[str]) -> str:
    """``text`` escaped, each name in a right-to-left script in it isolated (a span with
    ``dir="auto"``: mail clients keep it where some drop <bdi>): "الجزيرة نت reported …"
    is an English sentence, not an Arabic one that ends in English words."""
    rtl = sorted({n for n in names if _right_to_left(n)}, key=len, reverse=True)
    if not rtl:
        return escape(text)
    out, pos = [], 0
    for m in re.finditer("|".join(map(re.escape, rtl)), text):
        out += [escape(text[pos : m.start()]), f'<span dir="auto">{escape(m.group())}</span>']
        pos = m.end()
    out.append(escape(text[pos:]))
    return "".join(out)


def _find(pieces: list[tuple[str, str | None]], text: str) -> list[tuple[int, int, str | None]]:
    """Where each of ``pieces`` (words, language) is in ``text``: the first place each is
    found; overlaps keep the earlier."""
    found = sorted(
        (at, at + len(words), language)
        for words, language in pieces
        if words and (at := text.find(words)) >= 0
    )
    kept: list[tuple[int, int, str | None]] = []
    for start, end, language in found:
        if not kept or start >= kept[-1][1]:
            kept.append((start, end, language))
    return kept


def _marked(text: str, pieces: list[tuple[str, str | None]], names: Iterable[str] = ()) -> str:
    """``text`` escaped, each of ``pieces`` (words, language) found in it in an element
    saying its language, and ``names`` in a right-to-left script isolated in the words
    between."""
    out, pos = [], 0
    for start, end, language in _find(pieces, text):
        out += [_isolated(text[pos:start], names), _in_language(text[start:end], language)]
        pos = end
    out.append(_isolated(text[pos:], names))
    return "".join(out)


def _wholly_right_to_left(text: str, pieces: list[tuple[str, str | None]]) -> bool:
    """Whether a paragraph is only words of a right-to-left report (its letters all in
    ``pieces`` marked "rtl"): it then reads, and is aligned, right to left."""
    found = _find(pieces, text)
    if not found or any(_direction(text[s:e], lang) != "rtl" for s, e, lang in found):
        return False
    bounds = [0, *(i for s, e, _ in found for i in (s, e)), len(text)]
    between = "".join(text[a:b] for a, b in zip(bounds[::2], bounds[1::2], strict=True))
    return not any(c.isalpha() for c in between)


def _own_words(sentence: str, names: Iterable[str] = ()) -> str:
    """A summary sentence less the English credit the digest may have put before it (its
    outlet may be named in any script: "الجزيرة نت reported on Nov. 18 that …")."""
    credit = _CREDIT.match(sentence)
    if credit is None:
        return sentence
    frame = credit.group()
    for name in names:
        frame = frame.replace(name, "")
    return sentence[credit.end() :] if style.in_latin(frame) else sentence


def _quoted(text: str, language: str | None, names: Iterable[str] = ()) -> str:
    """A paragraph of the quote line (``“…,” Tokayev said.``), the quote's words marked."""
    if not text.startswith("“"):
        return _isolated(text, names)
    close = text.rfind("”")
    close = close if close > 0 else len(text)
    return f"“{_in_language(text[1:close], language)}{_isolated(text[close:], names)}"


def _item(item: DigestItem, page: str | None = None, every: bool = False) -> str:
    out = [f'<h2 style="{_HEAD}"{_attributes(item.headline, item.language)}>'
           f"{escape(item.headline)}</h2>"]  # fmt: skip
    shown = shown_sources(item.sources, every) if item.sources else []
    names = [n for n in (item.outlet, *(label for label, _ in shown)) if n]
    # A language model's summary is in whatever language it answered in: none is claimed.
    told = item.summary if item.written_by != "llm" else []
    words = [(_own_words(s, names), item.language) for s in told]
    for text, quoted in item_blocks(item):
        if quoted:
            out.append(f'<p style="{_QUOTE}">{_quoted(text, item.language, names)}</p>')
            continue
        way = ' dir="rtl"' if _wholly_right_to_left(text, words) else ""
        out.append(f'<p style="{_BODY}"{way}>{_marked(text, words, names)}</p>')
    if shown:
        links = ", ".join(_source_link(*s) for s in shown)
        if rest := hidden(item.sources, every):
            more = f"{rest} more"
            if page:  # the page that lists them all
                more = f'<a href="{escape(web_link(page), quote=True)}" style="{_LINK}">{more}</a>'
            links += f" and {more}"
        out.append(f'<p style="{_SMALL}">Sources: {links}</p>')
    return "\n".join(out)


def _source_link(label: str, url: str | None) -> str:
    """A link only for web addresses (``shown_sources``); a name in a right-to-left script
    isolated, so that the commas between the links stay in place."""
    text = _isolated(label, [label])
    if url is None:
        return text
    return f'<a href="{escape(url, quote=True)}" style="{_LINK}">{text}</a>'


def fragment(digest: Digest, *, page: str | None = None, every_source: bool = False) -> str:
    """The digest's intro and items without the document around them: an Atom entry's content,
    which a feed reader shows inside its own page under the entry's title. ``page``: the web
    page listing every source, which "and 3 more" links to; ``every_source``: list them all
    here (that page itself), no "and 3 more"."""
    trend = f'<p style="{_SMALL}">{escape(digest.trend)}</p>' if digest.trend else ""
    items = "\n".join(_item(i, page, every_source) for i in digest.items)
    # The intro names a headline in another language in its words: “Казахстан …” (in Russian).
    named = [(i.headline, i.language) for i in digest.items]
    outlets = [i.outlet for i in digest.items if i.outlet]
    intro = _marked(digest.intro, named, outlets)
    return xml_safe(f'<p style="{_BODY}">{intro}</p>\n{trend}\n{items}')


def to_html(digest: Digest, *, page: str | None = None, every_source: bool = False) -> str:
    """A complete HTML document that renders the same in Gmail, Outlook and Apple Mail
    (``page``, ``every_source``: as for ``fragment``)."""
    heading = escape(xml_safe(title(digest)))
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{heading}</title>
</head>
<body style="margin:0;padding:0;background:#f4f4f4;">
<table {_TABLE} width="100%" style="background:#f4f4f4;">
<tr><td align="center" style="padding:24px 12px;">
<table {_TABLE} width="640" style="max-width:640px;width:100%;background:#ffffff;">
<tr><td style="padding:32px 36px;">
<h1 style="{_TITLE}">{heading}</h1>
{fragment(digest, page=page, every_source=every_source)}
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
"""
