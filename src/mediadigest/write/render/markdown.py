"""Markdown digest in the house style: intro, then headline / attribution / summary / quote."""

from __future__ import annotations

from mediadigest.model import Digest, DigestItem, Quote
from mediadigest.write import style


def quote_line(quote: Quote) -> str:
    """``“…,” Meirzhan Yussupov said.`` or ``“…,” according to the author.``"""
    text = quote.text.rstrip()
    if text.endswith("."):
        text = text[:-1] + ","
    elif not text.endswith(("?", "!", ",")):
        text += ","
    speaker = quote.speaker or "the article"
    if speaker.casefold().startswith(("the ", "a ")):
        return f"“{text}” according to {speaker}."
    return f"“{text}” {speaker} said."


def title(digest: Digest) -> str:
    return f"Foreign media digest: {style.period(digest.period_from, digest.period_to)}"


def item_paragraphs(item: DigestItem) -> list[str]:
    """The item's paragraphs in reading order (shared by the HTML and DOCX renderers)."""
    parts = [" ".join([item.attribution, *item.summary[:1]]) if item.summary else item.attribution]
    if len(item.summary) > 1:
        parts.append(" ".join(item.summary[1:]))
    if item.quote:
        parts.append(quote_line(item.quote))
    extra = " ".join(x for x in (item.also, item.framing) if x)
    if extra:
        parts.append(extra)
    if item.note:
        parts.append(item.note)
    return parts


MAX_SOURCES = 6  # links shown per item; the JSON keeps every source


def is_web(url: str | None) -> bool:
    """Only web addresses become links: a source URL is untrusted (``javascript:``, ``data:``)."""
    return bool(url) and url.lower().startswith(("http://", "https://"))


def more(sources: list[dict[str, str]]) -> str:
    """`` and 12 more`` after the links shown, or nothing."""
    rest = len(sources) - MAX_SOURCES
    return f" and {rest} more" if rest > 0 else ""


def _item(item: DigestItem) -> str:
    parts = [f"## {item.headline}", "", *"\n\n".join(item_paragraphs(item)).split("\n")]
    if item.sources:
        shown = item.sources[:MAX_SOURCES]
        links = ", ".join(f"[{s.get('outlet') or 'source'}](<{s['url']}>)" for s in shown)
        parts += ["", f"Sources: {links}{more(item.sources)}"]
    return "\n".join(parts)


def to_markdown(digest: Digest) -> str:
    blocks = [f"# {title(digest)}", digest.intro]
    if digest.trend:
        blocks.append(f"*{digest.trend}*")
    blocks += [_item(i) for i in digest.items]
    return "\n\n".join(blocks) + "\n"
