"""Markdown digest in the house style: intro, then headline / attribution / summary / quote."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from mediadigest.model import Digest, DigestItem, Quote, is_web_url
from mediadigest.write import style
from mediadigest.write.render.links import web_link

_VERB_NAMES = frozenset(("said", "says"))  # surnames that are the verb (Edward Said)
_PLACED = re.compile(r"\s(?:to|in)\s")  # a role with its place: "Ambassador to Japan"


def quote_line(quote: Quote) -> str:
    """``“…,” Meirzhan Yussupov said.`` or ``“…,” according to the author.`` (a speaker
    whose surname is the verb: ``“…,” said Gulnoza Said.``), the speaker's role with the
    name as the house style gives it: ``“…,” Energy Minister Yerlan Akkenzhenov said.``,
    ``“…,” said CPJ’s Gulnoza Said.``, ``“…,” Temur Umarov of the Carnegie … said.``; a
    role with its place set apart, as the lede sets it: ``“…,” said Kazakhstan’s Ambassador
    to Japan, Aidar Seitkali.``

    A quote of several paragraphs (a digest stored before items quoted one, an editor's)
    is set as print sets one: each paragraph opens with a quote mark, only the last closes,
    and the paragraphs are apart ("\n\n"), each one a paragraph of the rendered item.
    """
    paras = [p.strip().lstrip('“"«„').lstrip() for p in quote.text.split("\n") if p.strip()]
    paras = [p for p in paras if p] or [quote.text.strip()]
    text = paras[-1].rstrip()
    if text.endswith("."):
        text = text[:-1] + ","
    elif not text.endswith(("?", "!", ",")):
        text += ","
    speaker = quote.speaker or "the article"
    if speaker.casefold().startswith(("the ", "a ")):
        last = f"“{text}” according to {speaker}."
    elif speaker.split()[-1].casefold() in _VERB_NAMES or _set_apart(quote.role):
        # "Said said" stuttered; "… to Japan, Aidar Seitkali said." wants a second comma
        last = f"“{text}” said {_with_role(speaker, quote.role)}."
    else:
        last = f"“{text}” {_with_role(speaker, quote.role)} said."
    return "\n\n".join([*(f"“{p}" for p in paras[:-1]), last])


def _with_role(speaker: str, role: str | None) -> str:
    """The name with its role: "Energy Minister Yerlan Akkenzhenov", "Temur Umarov of the
    Carnegie Russia Eurasia Center", "Kazakhstan’s Ambassador to Japan, Aidar Seitkali"."""
    if not role:
        return speaker
    if role.startswith("of "):
        return f"{speaker} {role}"
    return f"{role}, {speaker}" if _set_apart(role) else f"{role} {speaker}"


def _set_apart(role: str | None) -> bool:
    """Whether a role is set apart from the name by a comma: one ending in its place ("…
    Ambassador to Japan") would run into the name ("to Japan Aidar Seitkali")."""
    return role is not None and not role.startswith("of ") and _PLACED.search(role) is not None


def title(digest: Digest) -> str:
    return f"Foreign media digest: {style.period(digest.period_from, digest.period_to)}"


def item_blocks(item: DigestItem) -> list[tuple[str, bool]]:
    """The item's paragraphs in reading order, each with whether it is the item's quote
    (shared by the HTML and DOCX renderers, which set the quote apart). The quote is known by
    what it is, not by its first character: a summary sentence may open with “ too."""
    lead = " ".join([item.attribution, *item.summary[:1]]) if item.summary else item.attribution
    parts = [(lead, False)]
    if len(item.summary) > 1:
        parts.append((" ".join(item.summary[1:]), False))
    if item.quote:
        parts += [(p, True) for p in quote_line(item.quote).split("\n\n")]
    extra = " ".join(x for x in (item.also, item.framing) if x)
    if extra:
        parts.append((extra, False))
    if item.note:
        parts.append((item.note, False))
    return parts


def item_paragraphs(item: DigestItem) -> list[str]:
    """The item's paragraphs in reading order."""
    return [text for text, _ in item_blocks(item)]


# Links shown per item in what people read (an e-mail with 200 links is unreadable); the
# JSON, the API and the web app's public page of a published digest list every source, and
# "and 3 more" links to that page where its address is known.
MAX_SOURCES = 6


def hidden(sources: list[dict[str, str]], every: bool = False) -> int:
    """How many of ``sources`` are not shown: past ``MAX_SOURCES``, none where ``every``."""
    return 0 if every else max(0, len(sources) - MAX_SOURCES)


def shown_sources(
    sources: list[dict[str, str]], every: bool = False
) -> list[tuple[str, str | None]]:
    """(label, link or None) of the sources shown (all where ``every``); an outlet's second
    report is "Xinhua (2)": "Sources: Xinhua, AP, Xinhua, Xinhua" read as one source listed
    thrice. A roundup's item names the page it links to: "Jiji Press (via The Astana Times)".
    The link is ``links.web_link`` of a web address, the same in every format."""
    seen: dict[str, int] = {}
    out = []
    for src in sources if every else sources[:MAX_SOURCES]:
        name = src.get("outlet") or _unnamed(src.get("url") or "")
        seen[name] = seen.get(name, 0) + 1
        label = name if seen[name] == 1 else f"{name} ({seen[name]})"
        if via := via_name(src):
            label = f"{label} (via {via})"
        url = src.get("url")
        out.append((label, web_link(url) if url and is_web_url(url) else None))
    return out


def via_name(src: dict) -> str | None:
    """The roundup page a source was read from, by its outlet (its site where it names
    none), or None for a page read as itself."""
    via = src.get("via")
    if not isinstance(via, dict):
        return None
    return via.get("outlet") or _unnamed(via.get("url") or "")


def _unnamed(url: str) -> str:
    """What a source that names no outlet goes by: its site's domain (as analyse names such
    an outlet), its file's name for a file read from disk; "Sources: source" said nothing."""
    try:
        parts = urlsplit(url)
    except ValueError:  # an unclosed IPv6 bracket
        return "source"
    if parts.hostname:
        return parts.hostname.removeprefix("www.")
    return PurePosixPath(unquote(parts.path)).name or "source"


# Text from the web is not Markdown: "<script>" in a headline would pass into the HTML of
# whatever renders the file, "*" and "_" would turn into emphasis, "[x](y)" into a link, "~"
# into GFM's strikethrough (and "~~~" opens a code block).
_MD_INLINE = re.compile(r"([\\`*_\[\]<>~])")
# "&amp;" written in a headline (a feed that escaped it twice) is those five characters, but
# CommonMark reads an entity there: "&amp; &lt;test&gt;" showed as "& <test>". Only an "&"
# that starts an entity is escaped; "AT&T" and "Kazakhstan & China" stay as they read.
_MD_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_MD_LINE_START = re.compile(r"(?m)^(\s*)([#+-])")  # a heading or a list item
_MD_NUMBERED = re.compile(r"(?m)^(\s*\d+)([.)])(?=\s)")  # "1. " a numbered one


def md_text(text: str) -> str:
    """``text`` with what Markdown would read as markup escaped by backslashes."""
    text = _MD_ENTITY.sub(r"\\&", _MD_INLINE.sub(r"\\\1", text))
    return _MD_NUMBERED.sub(r"\1\\\2", _MD_LINE_START.sub(r"\1\\\2", text))


def _item(item: DigestItem, page: str | None) -> str:
    body = "\n\n".join(md_text(p) for p in item_paragraphs(item))
    parts = [f"## {md_text(item.headline)}", "", *body.split("\n")]
    if item.sources:
        # web_link leaves no space, "<", ">", "\\" or line end, which would end a <...> target
        links = ", ".join(
            f"[{md_text(label)}](<{url}>)" if url else md_text(label)
            for label, url in shown_sources(item.sources)
        )
        rest = hidden(item.sources)
        if rest and page:
            links += f" and [{rest} more](<{web_link(page)}>)"
        elif rest:
            links += f" and {rest} more"
        parts += ["", f"Sources: {links}"]
    return "\n".join(parts)


def to_markdown(digest: Digest, *, page: str | None = None) -> str:
    """The digest in Markdown; ``page``: the web page listing every source (a published
    digest's public page), which "and 3 more" links to."""
    blocks = [f"# {title(digest)}", md_text(digest.intro)]
    if digest.trend:
        blocks.append(f"*{md_text(digest.trend)}*")
    blocks += [_item(i, page) for i in digest.items]
    return "\n\n".join(blocks) + "\n"
